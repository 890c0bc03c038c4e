/*
 * main.c — wactor's benchmark program: options, the list of phases, shared helpers.
 *
 *   build/bench/wactor-bench [--smoke] [--only NAME[,NAME...]] [--erlang ERLANG.tsv] [--tsv OUT.tsv]
 *
 * Each phase prints markdown table rows: the median over the runs of this one invocation, p99 for latencies,
 * min – max, and with --erlang a wactor / Erlang ratio for the shapes bench/erlang measures too. --smoke
 * runs every phase with small counts (CI: ctest bench_smoke); --only runs the named phases (for profiling).
 * Notes (limits hit, errors) follow the table.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

int REPEATS = 5;
int SCALE = 1;
bool SMOKE = false;

typedef struct phase {
    const char *name;
    void (*run)(bench_ctx *b);
    const char *what;
} phase;

static const phase phases[] = {
    {"engine", phase_engine, "engine only: instantiate + free calc.wasm; add(5,3) calls"},
    {"spawn", phase_spawn, "wactor_spawn kept alive (latency, spawns/s); spawn+stop cycles"},
    {"invoke", phase_invoke, "wactor_invoke_values add(5,3) round trip from the host"},
    {"fairness", phase_fairness, "component ping-pong while 2 components spin forever"},
    {"restart", phase_restart, "supervised trap -> restarted instance ready"},
    {"fanout", phase_fanout, "pub/sub fan-out to 100 components"},
    {"request_reply", phase_request_reply, "component -> component request/reply round trip"},
    {"pingpong", phase_pingpong, "two components bouncing a message with plain sends"},
    {"native_pingpong", phase_native_pingpong, "two native actors bouncing a message"},
    {"throughput", phase_throughput, "messages/s into 1/100/10,000 components, native baseline"},
    {"memory", phase_memory, "RSS per idle 1-page component"},
    {"live", phase_live, "as many live 1-page components as fit (250,000 cap)"},
    {"registry", phase_registry, "registry layer lookups among 1,000 and 1,000,000 names"},
    {"whereis", phase_whereis, "wactor_whereis among 1,000 registered names"},
    {"fib", phase_fib, "fib(30) in a component vs native C"},
    {"restart_soak", phase_restart_soak, "1,000,000 supervised restarts; RSS at 10k, 100k, 1M (flat)"},
    {"admin_scrape", phase_admin_scrape, "messages/s with the admin HTTP server off vs on, scraped every 1 s"},
};
enum { NPHASES = sizeof phases / sizeof phases[0] };

double now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

void quiet_log(void *u, wactor_log_level level, const char *n, const char *l, size_t len) { (void)u, (void)level, (void)n, (void)l, (void)len; }

void *xmalloc(size_t size) {
    void *p = malloc(size ? size : 1);
    if (!p) {
        fprintf(stderr, "bench: out of memory (%zu bytes)\n", size);
        exit(1);
    }
    return p;
}

wactor_module *bench_load(wactor_runtime *rt, const char *dir, const char *name) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s.wasm", dir, name);
    wactor_module *m = NULL;
    wactor_diag d;
    if (wactor_module_load_file(rt, path, &m, &d)) {
        fprintf(stderr, "bench: load %s: %s\n", path, d.message);
        exit(1);
    }
    return m;
}

wactor_runtime *bench_runtime(unsigned threads) {
    wactor_config cfg = {.threads = threads, .log = quiet_log};
    wactor_runtime *rt;
    if (wactor_runtime_create(&cfg, &rt)) {
        fprintf(stderr, "bench: wactor_runtime_create failed\n");
        exit(1);
    }
    return rt;
}

size_t rss_bytes(void) {
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f) return 0;
    unsigned long size = 0, resident = 0;
    int ok = fscanf(f, "%lu %lu", &size, &resident) == 2;
    fclose(f);
    return ok ? (size_t)resident * (size_t)sysconf(_SC_PAGESIZE) : 0;
}

size_t mem_available_bytes(void) {
    FILE *f = fopen("/proc/meminfo", "r");
    if (!f) return 0;
    char line[256];
    unsigned long kb = 0;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "MemAvailable: %lu kB", &kb) == 1) break;
    fclose(f);
    return (size_t)kb * 1024;
}

long map_count(void) {
    FILE *f = fopen("/proc/self/maps", "r");
    if (!f) return -1;
    long lines = 0;
    int c;
    while ((c = getc(f)) != EOF) lines += c == '\n';
    fclose(f);
    return lines;
}

static void usage(FILE *out) {
    fprintf(out, "usage: wactor-bench [--smoke] [--only NAME[,NAME...]] [--erlang ERLANG.tsv] [--tsv OUT.tsv]\n"
                 "  --smoke    every phase with small counts, one repeat (CI)\n"
                 "  --only     run only these phases, in the order below\n"
                 "  --erlang   bench/erlang/run.sh's output: adds the wactor / Erlang column\n"
                 "  --tsv      also write every keyed figure as TSV (key, median, p99, min, max, unit)\n"
                 "phases:\n");
    for (int i = 0; i < NPHASES; i++) fprintf(out, "  %-16s %s\n", phases[i].name, phases[i].what);
}

/* Marks the phases named in `list` (comma-separated); returns -1 for an unknown name. */
static int select_phases(const char *list, bool *on) {
    char buf[512];
    snprintf(buf, sizeof buf, "%s", list);
    for (char *save = NULL, *name = strtok_r(buf, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
        int found = -1;
        for (int i = 0; i < NPHASES; i++)
            if (strcmp(phases[i].name, name) == 0) found = i;
        if (found < 0) {
            fprintf(stderr, "wactor-bench: unknown phase '%s'\n", name);
            return -1;
        }
        on[found] = true;
    }
    return 0;
}

int main(int argc, char **argv) {
    bool on[NPHASES] = {0}, only = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--smoke") == 0) {
            SMOKE = true;
            SCALE = 50;
            REPEATS = 1;
        } else if (strcmp(argv[i], "--erlang") == 0 && i + 1 < argc) {
            report_load_erlang(argv[++i]);
        } else if (strcmp(argv[i], "--tsv") == 0 && i + 1 < argc) {
            if (report_open_tsv(argv[++i])) {
                perror(argv[i]);
                return 2;
            }
        } else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc) {
            only = true;
            if (select_phases(argv[++i], on)) {
                usage(stderr);
                return 2;
            }
        } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return 0;
        } else {
            usage(stderr);
            return 2;
        }
    }
    bench_ctx b = {.rt = bench_runtime(0)};
    b.calc = bench_load(b.rt, WACTOR_EXAMPLES, "calc");
    b.sink = bench_load(b.rt, WACTOR_BENCH_GUESTS, "sink");
    b.spin = bench_load(b.rt, WACTOR_BENCH_GUESTS, "spin");
    b.rr = bench_load(b.rt, WACTOR_BENCH_GUESTS, "rr");
    b.pingpong = bench_load(b.rt, WACTOR_BENCH_GUESTS, "pingpong");
    b.idle = bench_load(b.rt, WACTOR_BENCH_GUESTS, "idle");
    b.fib = bench_load(b.rt, WACTOR_BENCH_GUESTS, "fib");

    report_header();
    double t0 = now_us();
    for (int i = 0; i < NPHASES; i++) {
        if (only && !on[i]) continue;
        double p0 = now_us();
        phases[i].run(&b);
        fprintf(stderr, "bench: %s: %.2f s\n", phases[i].name, (now_us() - p0) / 1e6);
    }
    fprintf(stderr, "bench: total %.1f s\n", (now_us() - t0) / 1e6);
    wactor_runtime_destroy(b.rt);
    wactor_module *mods[] = {b.calc, b.sink, b.spin, b.rr, b.pingpong, b.idle, b.fib};
    for (size_t i = 0; i < sizeof mods / sizeof mods[0]; i++) wactor_module_release(mods[i]);
    report_finish();
    return 0;
}
