/*
 * bench.h — what the benchmark program's files share: the run's settings, the modules every phase may use,
 * small helpers (clock, RSS, module loading) and the phases themselves (one function each, grouped by
 * concept in latency.c, pingpong.c, throughput.c, scale.c and compute.c; main.c lists them).
 */
#ifndef WACTOR_BENCH_H
#define WACTOR_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "report.h"
#include "wactor.h"

extern int REPEATS;  /* repeats of each measurement: 5, or 1 with --smoke */
extern int SCALE;    /* --smoke divides the work by this (50); 1 otherwise */
extern bool SMOKE;

/* What every phase gets: the shared runtime (default threads, log discarded) and the modules, compiled
 * once. Phases that need a runtime of their own (other threads, a clean memory baseline) create one. */
typedef struct bench_ctx {
    wactor_runtime *rt;
    wactor_module *calc;     /* examples/calc.wasm: add(i32, i32), 2 pages */
    wactor_module *sink;     /* guests/sink.c: counts messages; crash; sub */
    wactor_module *spin;     /* guests/spin.c: loops forever on any message */
    wactor_module *rr;       /* guests/rr.c: request/reply */
    wactor_module *pingpong; /* guests/pingpong.c: plain sends both ways */
    wactor_module *idle;     /* guests/idle.c: 1-page memory, handle-message that counts */
    wactor_module *fib;      /* guests/fib.c: fib(i32) -> i64, recursive */
} bench_ctx;

double now_us(void);
void quiet_log(void *user, wactor_log_level level, const char *name, const char *line, size_t len);
/* Loads DIR/NAME.wasm or exits with the reason. */
wactor_module *bench_load(wactor_runtime *rt, const char *dir, const char *name);
/* A runtime with `threads` scheduler threads (0: online cores) whose log is discarded; exits on failure. */
wactor_runtime *bench_runtime(unsigned threads);
/* This process's resident set (VmRSS, /proc/self/statm), in bytes; 0 if unknown. */
size_t rss_bytes(void);
/* /proc/meminfo's MemAvailable in bytes; 0 if unknown. */
size_t mem_available_bytes(void);
/* Lines of /proc/self/maps (memory mappings of this process); -1 if unknown. */
long map_count(void);
/* Spawns guests/pingpong.c twice, as "ponger" and "pinger", each allowed to send to the other; returns the
 * pinger's pid (pingpong.c). Exits on failure. */
wactor_pid spawn_pingpong_pair(wactor_runtime *rt, bench_ctx *b);
/* malloc() that exits on failure. */
void *xmalloc(size_t size);

/* The phases (main.c lists them with their names for --only). */
void phase_engine(bench_ctx *b);          /* latency.c */
void phase_spawn(bench_ctx *b);
void phase_invoke(bench_ctx *b);
void phase_fairness(bench_ctx *b);
void phase_restart(bench_ctx *b);
void phase_request_reply(bench_ctx *b);   /* pingpong.c */
void phase_pingpong(bench_ctx *b);
void phase_native_pingpong(bench_ctx *b);
void phase_fanout(bench_ctx *b);          /* throughput.c */
void phase_throughput(bench_ctx *b);
void phase_memory(bench_ctx *b);          /* scale.c */
void phase_live(bench_ctx *b);
void phase_registry(bench_ctx *b);
void phase_whereis(bench_ctx *b);
void phase_fib(bench_ctx *b);             /* compute.c */
void phase_restart_soak(bench_ctx *b);    /* soak.c */
void phase_admin_scrape(bench_ctx *b);    /* admin.c */

#endif /* WACTOR_BENCH_H */
