/* report.c — summaries, table rows, the TSV and the Erlang ratio column (see report.h). */
#include "report.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

stat summarize(double *v, int n) {
    if (n <= 0) return (stat){NAN, NAN, NAN, NAN};
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    int i99 = (int)(0.99 * (n - 1));
    return (stat){v[n / 2], v[i99], v[0], v[n - 1]};
}

stat summarize_values(double *v, int n) {
    stat s = summarize(v, n);
    s.p99 = NAN;
    return s;
}

stat single(double v) { return (stat){v, NAN, v, v}; }

stat summarize_runs(double *const *runs, const int *n, int nruns) {
    double p50[64], p99[64];
    stat all = {0, 0, INFINITY, -INFINITY};
    int k = 0;
    for (int r = 0; r < nruns && r < 64; r++) {
        if (n[r] <= 0) continue;
        stat s = summarize(runs[r], n[r]);
        p50[k] = s.p50;
        p99[k] = s.p99;
        k++;
        if (s.min < all.min) all.min = s.min;
        if (s.max > all.max) all.max = s.max;
    }
    if (k == 0) return (stat){NAN, NAN, NAN, NAN};
    all.p50 = summarize(p50, k).p50;
    all.p99 = summarize(p99, k).p50;
    return all;
}

/* Erlang/OTP's figures for the same shapes (bench/erlang/run.sh: key, median, p99, min, max, unit per line),
 * for the ratio column; and the TSV this program writes in the same format. */
typedef struct ref_figure { char key[64]; double median; } ref_figure;
static ref_figure erlang[128];
static int nerlang;
static FILE *tsv;

void report_load_erlang(const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "bench: %s: cannot read; no Erlang ratios\n", path);
        return;
    }
    char line[256];
    while (nerlang < 128 && fgets(line, sizeof line, f))
        if (sscanf(line, "%63[^\t]\t%lf", erlang[nerlang].key, &erlang[nerlang].median) == 2) nerlang++;
    fclose(f);
}

int report_open_tsv(const char *path) {
    tsv = fopen(path, "w");
    return tsv ? 0 : -1;
}

static double erlang_median(const char *key) {
    for (int i = 0; key && i < nerlang; i++)
        if (strcmp(erlang[i].key, key) == 0) return erlang[i].median;
    return 0;
}

/* printf's %-Ns counts bytes; pad by characters so "µs" lines up. */
static void cell(const char *text, int width) {
    int chars = 0;
    for (const char *p = text; *p; p++) chars += ((unsigned char)*p & 0xc0) != 0x80;
    printf(" %s%*s |", text, width > chars ? width - chars : 0, "");
}

static void number(double v, int width) {
    if (isnan(v)) printf(" %*s |", width, "");
    else printf(" %*.2f |", width, v);
}

void report_header(void) {
    printf("| %-56s | %12s | %12s | %-23s | %-9s | %10s |\n", "metric", "median", "p99", "min – max", "unit",
           "vs Erlang");
    printf("|%s|%s|%s|%s|%s|%s|\n", "----------------------------------------------------------",
           "-------------:", "-------------:", "-------------------------", "-----------", "-----------:");
    fflush(stdout);
}

static void tsv_number(double v) {
    if (isnan(v)) fprintf(tsv, "\t-");
    else fprintf(tsv, "\t%g", v);
}

void row_ref(const char *metric, const char *unit, stat s, ref r) {
    double scale = r.scale > 0 ? r.scale : 1;
    double ref_median = erlang_median(r.erlang ? r.erlang : r.key);
    char ratio[32] = "", range[64];
    if (ref_median > 0 && !isnan(s.p50)) snprintf(ratio, sizeof ratio, "%.3g", s.p50 * scale / ref_median);
    printf("|");
    cell(metric, 56);
    number(s.p50, 12);
    number(s.p99, 12);
    if (isnan(s.min)) range[0] = '\0';
    else snprintf(range, sizeof range, "%10.2f – %-10.2f", s.min, s.max);
    cell(range, 23);
    cell(unit, 9);
    printf(" %10s |\n", ratio);
    fflush(stdout);
    if (tsv && r.key) {
        fprintf(tsv, "%s", r.key);
        tsv_number(s.p50 * scale);
        tsv_number(s.p99 * scale);
        tsv_number(s.min * scale);
        tsv_number(s.max * scale);
        fprintf(tsv, "\t%s\n", r.unit ? r.unit : unit);
        fflush(tsv);
    }
}

void row(const char *metric, const char *unit, stat s) { row_ref(metric, unit, s, (ref){0}); }

static char *notes[64];
static int nnotes;

void note(const char *fmt, ...) {
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    fprintf(stderr, "bench: %s\n", buf);
    if (nnotes < 64) notes[nnotes++] = strdup(buf);
}

void report_finish(void) {
    if (nnotes) printf("\nNotes:\n");
    for (int i = 0; i < nnotes; i++) {
        printf("- %s\n", notes[i]);
        free(notes[i]);
    }
    nnotes = 0;
    if (tsv) fclose(tsv);
    tsv = NULL;
}
