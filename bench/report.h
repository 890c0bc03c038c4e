/*
 * report.h — how the benchmark reports: summaries of samples, one markdown table row per metric (median,
 * p99, min – max, unit, wactor / Erlang), the same figures as TSV lines for bench/plot.sh and later runs,
 * and notes printed after the table (limits hit, errors).
 *
 * Percentiles (the same rule as bench/erlang/bench_util.erl): element floor(P * (N - 1)) of the sorted
 * samples, the median element N / 2.
 */
#ifndef WACTOR_BENCH_REPORT_H
#define WACTOR_BENCH_REPORT_H

/* p99 is NAN for figures without a tail (a rate, a size, a mean): printed blank, "-" in the TSV. */
typedef struct stat { double p50, p99, min, max; } stat;

/* Latencies of one run: sorts `v` in place. */
stat summarize(double *v, int n);
/* Latencies of several runs (run r: runs[r][0..n[r])), as bench/erlang does: median of the runs' p50s,
 * median of their p99s, min and max over every sample. Sorts each run in place. */
stat summarize_runs(double *const *runs, const int *n, int nruns);
/* One figure per repeat (rates, sizes, means): median, min, max; no p99. Sorts `v` in place. */
stat summarize_values(double *v, int n);
/* A single figure. */
stat single(double v);

/* Where a row goes besides the table. `key` names it in the TSV (NULL: not written); `erlang` names the
 * shape in bench/erlang's TSV for the ratio column (NULL: the same as key); `scale` converts the row's unit
 * to the TSV's (k msg/s -> msg/s: 1000; KiB -> bytes: 1024; 0 means 1); `unit` is the TSV's unit (NULL:
 * the row's). */
typedef struct ref {
    const char *key;
    const char *erlang;
    double scale;
    const char *unit;
} ref;

void report_load_erlang(const char *path);
/* Opens the TSV output; returns 0 or -1 (errno set). */
int report_open_tsv(const char *path);
void report_header(void);
/* One row: the ratio column is wactor / Erlang in the same unit (> 1 is slower for latencies and faster
 * for rates) when Erlang's TSV has the shape. */
void row_ref(const char *metric, const char *unit, stat s, ref r);
/* A row with neither TSV key nor Erlang shape. */
void row(const char *metric, const char *unit, stat s);
/* A line printed below the table when the run ends (and on stderr at once). printf format. */
void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints the notes and closes the TSV. */
void report_finish(void);

#endif /* WACTOR_BENCH_REPORT_H */
