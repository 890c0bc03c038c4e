/*
 * soak.c — restart_soak: one permanent supervised child trapping and being restarted 1,000,000 times
 * (1,000 with --smoke), resident memory printed at 10k, 100k and 1M restarts. What the runtime keeps per
 * instance (its info, its capabilities) must not accumulate: the RSS rows stay flat once the first
 * checkpoint is reached. Not a timed test: `make bench` or `wactor-bench --only restart_soak`.
 */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

typedef struct soak_probe {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    long starts;
} soak_probe;

static void on_started(void *user, const char *json) {
    soak_probe *p = user;
    if (!strstr(json, "\"child_started\"")) return;
    pthread_mutex_lock(&p->lock);
    p->starts++;
    pthread_cond_broadcast(&p->cond);
    pthread_mutex_unlock(&p->lock);
}

void phase_restart_soak(bench_ctx *b) {
    wactor_runtime *rt = bench_runtime(0);
    soak_probe probe = {.lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER};
    wactor_set_event_handler(rt, on_started, &probe);
    /* with capabilities, so every instance holds a reference to its child spec's set */
    static const char *const anyone[] = {"*"};
    static const wactor_caps caps = {.send = anyone, .nsend = 1, .publish = anyone, .npublish = 1};
    wactor_child_spec child = {.module = b->sink, .spawn = {.name = "soaked", .caps = &caps},
                               .restart = WACTOR_PERMANENT};
    wactor_sup_spec spec = {.name = "soak_sup", .strategy = WACTOR_ONE_FOR_ONE, .intensity = 1000000000u,
                            .period_ms = 100, .children = &child, .nchildren = 1};
    wactor_pid sup;
    if (wactor_supervisor_start(rt, &spec, &sup, NULL)) exit(1);
    const long total = SMOKE ? 1000 : 1000000;
    const long marks[] = {total / 100, total / 10, total};
    size_t rss[3] = {0};
    int mark = 0;
    double t0 = now_us();
    wactor_value r;
    size_t nr;
    for (long i = 1; i <= total; i++) {
        pthread_mutex_lock(&probe.lock);
        long before = probe.starts;
        pthread_mutex_unlock(&probe.lock);
        wactor_pid victim = 0;
        while (!(victim = wactor_whereis(rt, "soaked"))) sched_yield();
        wactor_error err = wactor_invoke_values(rt, victim, "crash", NULL, 0, &r, 1, &nr, 0, NULL);
        if (err != WACTOR_ETRAP && err != WACTOR_ENOENT) {
            note("restart_soak: crash returned %s after %ld restarts", wactor_strerror(err), i - 1);
            break;
        }
        pthread_mutex_lock(&probe.lock);
        while (probe.starts == before) pthread_cond_wait(&probe.cond, &probe.lock);
        pthread_mutex_unlock(&probe.lock);
        if (i == marks[mark]) {
            rss[mark] = rss_bytes();
            char name[96];
            snprintf(name, sizeof name, "restart_soak: RSS after %ld restarts", i);
            row(name, "MiB", single((double)rss[mark] / (1024.0 * 1024.0)));
            if (!SMOKE) fprintf(stderr, "bench: restart_soak: %ld restarts, RSS %.1f MiB, %.0f s\n", i,
                                (double)rss[mark] / (1024.0 * 1024.0), (now_us() - t0) / 1e6);
            mark++;
        }
    }
    double secs = (now_us() - t0) / 1e6;
    row("restart_soak: supervised restarts/s", "k/s", single((double)total / secs / 1e3));
    /* by the first mark the exit rings are full: from the second on, nothing may grow */
    if (!SMOKE && rss[1] && rss[2] > rss[1] + rss[1] / 10)
        note("restart_soak: RSS grew from %.1f to %.1f MiB", (double)rss[1] / 1048576.0, (double)rss[2] / 1048576.0);
    wactor_runtime_destroy(rt);
}
