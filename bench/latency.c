/*
 * latency.c — single operations timed one by one: the engine alone (instantiate, a call), spawning
 * components (kept alive: fresh memory each time; and spawn+stop cycles: a warm memory pool), the invoke
 * round trip from the host, that round trip while neighbours spin (fairness), and supervised restarts.
 */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"
#include "engine/engine.h"

/* Engine only: instantiate + free the calc module; and one add() call. */
void phase_engine(bench_ctx *b) {
    int n = 2000 / SCALE;
    double *t = xmalloc(sizeof(double) * (size_t)n);
    eng_module *m = (eng_module *)b->calc;
    eng_wasi wasi = {0};
    for (int i = 0; i < n; i++) {
        eng_instance_opts o = {.wasi = &wasi};
        eng_instance *inst;
        double t0 = now_us();
        if (eng_instance_new(m, &o, &inst, NULL) != 0) exit(1);
        t[i] = now_us() - t0;
        eng_instance_free(inst);
    }
    row_ref("engine: instantiate calc.wasm", "µs", summarize(t, n), (ref){.key = "engine_instantiate_us"});

    eng_instance_opts o = {.wasi = &wasi};
    eng_instance *inst;
    if (eng_instance_new(m, &o, &inst, NULL) != 0) exit(1);
    int calls = 200000 / SCALE, batches = 21;
    double per[21];
    wactor_value args[2] = {{.type = WACTOR_I32, .of.i32 = 5}, {.type = WACTOR_I32, .of.i32 = 3}}, r;
    size_t nr;
    for (int k = 0; k < batches; k++) {
        double t0 = now_us();
        for (int i = 0; i < calls / batches; i++) eng_call_sync(inst, "add", args, 2, &r, 1, &nr, NULL);
        per[k] = (now_us() - t0) * 1000.0 / (calls / batches);
    }
    row_ref("engine: add(5,3) call", "ns", summarize(per, batches), (ref){.key = "engine_call_ns"});
    eng_instance_free(inst);
    free(t);
}

/* Spawning through the embedding API (instantiate + `_initialize` + the actor's start round trip).
 * Kept alive: REPEATS runs of n spawns, every instance alive until the phase ends, so each spawn takes fresh
 * memory (the engine's memory pool only holds buffers of stopped instances); spawns/s = n / the run's time.
 * Cycle: spawn then wactor_stop, n times: after the first, each spawn takes the buffer the previous stop
 * gave back to the pool. */
void phase_spawn(bench_ctx *b) {
    int n = 1000 / SCALE, reps = REPEATS;
    double *runs[16], rate[16];
    int counts[16];
    wactor_pid *pids = xmalloc(sizeof(wactor_pid) * (size_t)(n * reps));
    int live = 0;
    wactor_diag d;
    for (int r = 0; r < reps; r++) {
        runs[r] = xmalloc(sizeof(double) * (size_t)n);
        counts[r] = n;
        double start = now_us();
        for (int i = 0; i < n; i++) {
            double t0 = now_us();
            wactor_error e = wactor_spawn(b->rt, b->calc, NULL, &pids[live], &d);
            if (e) {
                fprintf(stderr, "bench: spawn: %s: %s\n", wactor_strerror(e), d.message);
                exit(1);
            }
            runs[r][i] = now_us() - t0;
            live++;
        }
        rate[r] = n / ((now_us() - start) / 1e6);
    }
    char name[96];
    snprintf(name, sizeof name, "api: wactor_spawn calc, kept alive (%d per run)", n);
    row_ref(name, "µs", summarize_runs(runs, counts, reps), (ref){.key = "spawn_us"});
    snprintf(name, sizeof name, "api: spawns/s, kept alive (%d per run)", n);
    row_ref(name, "spawn/s", summarize_values(rate, reps), (ref){.key = "spawn_per_s"});
    double *stop = xmalloc(sizeof(double) * (size_t)live);
    for (int i = 0; i < live; i++) {
        double t0 = now_us();
        wactor_stop(b->rt, pids[i], 100);
        stop[i] = now_us() - t0;
    }
    snprintf(name, sizeof name, "api: wactor_stop of those %d live components", live);
    row_ref(name, "µs", summarize(stop, live), (ref){.key = "stop_live_us"});

    int cycles = 2000 / SCALE;
    double *sp = xmalloc(sizeof(double) * (size_t)cycles), *st = xmalloc(sizeof(double) * (size_t)cycles);
    for (int i = 0; i < cycles; i++) {
        wactor_pid pid;
        double t0 = now_us();
        if (wactor_spawn(b->rt, b->calc, NULL, &pid, &d)) {
            fprintf(stderr, "bench: spawn: %s\n", d.message);
            exit(1);
        }
        double t1 = now_us();
        wactor_stop(b->rt, pid, 100);
        sp[i] = t1 - t0;
        st[i] = now_us() - t1;
    }
    row_ref("api: wactor_spawn calc in a spawn+stop cycle (warm pool)", "µs", summarize(sp, cycles),
            (ref){.key = "spawn_cycle_us"});
    row_ref("api: wactor_stop in that cycle", "µs", summarize(st, cycles), (ref){.key = "stop_cycle_us"});
    for (int r = 0; r < reps; r++) free(runs[r]);
    free(pids);
    free(stop);
    free(sp);
    free(st);
}

/* The typed-call round trip from the host thread to a component and back. */
void phase_invoke(bench_ctx *b) {
    wactor_pid pid;
    if (wactor_spawn(b->rt, b->calc, NULL, &pid, NULL)) exit(1);
    wactor_value args[2] = {{.type = WACTOR_I32, .of.i32 = 5}, {.type = WACTOR_I32, .of.i32 = 3}}, r;
    size_t nr;
    int calls = 20000 / SCALE;
    double *c = xmalloc(sizeof(double) * (size_t)calls);
    for (int i = 0; i < calls; i++) {
        double t0 = now_us();
        wactor_invoke_values(b->rt, pid, "add", args, 2, &r, 1, &nr, 0, NULL);
        c[i] = now_us() - t0;
    }
    row_ref("api: wactor_invoke_values add(5,3) round trip", "µs", summarize(c, calls), (ref){.key = "invoke_us"});
    wactor_stop(b->rt, pid, 100);
    free(c);
}

/* Fairness: two components ping-pong with plain sends (guests/pingpong.c) on a 2-thread runtime while two
 * others spin forever in handle-message, one per thread; each round trip is timed inside the pinger. A round
 * trip has to wait for slices of the spinners (COMPONENT_DEFAULT_SLICE instructions each): the tail shows how
 * long a ready actor waits behind runaway neighbours. The host polls the pinger every 20 ms (an invoke that
 * may run the pinger's turn on the host thread: 1 in a few hundred round trips). */
void phase_fairness(bench_ctx *b) {
    wactor_runtime *rt = bench_runtime(2);
    wactor_pid s1, s2;
    if (wactor_spawn(rt, b->spin, NULL, &s1, NULL) || wactor_spawn(rt, b->spin, NULL, &s2, NULL)) exit(1);
    wactor_pid pinger = spawn_pingpong_pair(rt, b);
    wactor_send(rt, s1, "\x80\x04{}", 4);
    wactor_send(rt, s2, "\x80\x04{}", 4);
    int n = 4000 / SCALE;
    wactor_value arg = {.type = WACTOR_I32, .of.i32 = n}, r = {0};
    size_t nr;
    wactor_invoke_values(rt, pinger, "run", &arg, 1, &r, 1, &nr, 0, NULL);
    double t0 = now_us();
    struct timespec pause = {0, 20 * 1000 * 1000};
    do {
        nanosleep(&pause, NULL);
        wactor_invoke_values(rt, pinger, "finished", NULL, 0, &r, 1, &nr, 0, NULL);
    } while (!r.of.i32 && now_us() - t0 < 120e6);
    wactor_invoke_values(rt, pinger, "round_trips", NULL, 0, &r, 1, &nr, 0, NULL);
    int kept = r.of.i32 < 4096 ? r.of.i32 : 4096;
    double *t = xmalloc(sizeof(double) * (size_t)(kept ? kept : 1));
    for (int i = 0; i < kept; i++) {
        wactor_value idx = {.type = WACTOR_I32, .of.i32 = i};
        wactor_invoke_values(rt, pinger, "rtt_ns", &idx, 1, &r, 1, &nr, 0, NULL);
        t[i] = (double)r.of.i64 / 1e3;
    }
    if (kept < n) note("fairness: %d of %d round trips after 120 s", kept, n);
    if (kept) row_ref("fairness: ping-pong while 2 components spin (2 threads)", "µs", summarize(t, kept),
                      (ref){.key = "fairness_us"});
    /* the spinners never finish: they are killed after the shutdown timeout */
    wactor_stop(rt, s1, 1);
    wactor_stop(rt, s2, 1);
    wactor_runtime_destroy(rt);
    free(t);
}

/* Restart latency: a permanent child traps; time from its child_exited event (the supervisor learns of the
 * trap) to the child_started event of the restarted instance (a fresh instance from the cached module,
 * ready: `_initialize` done, name registered). */
typedef struct restart_probe {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    double exited_at, started_at;
    int starts;
} restart_probe;

static void on_event(void *user, const char *json) {
    restart_probe *p = user;
    bool exited = strstr(json, "\"child_exited\"") != NULL;
    if (!exited && !strstr(json, "\"child_started\"")) return;
    double now = now_us();
    pthread_mutex_lock(&p->lock);
    if (exited) {
        p->exited_at = now; /* no wake-up here: the waiter wants the start, and a futex wake inside the
                               measured window would be the probe's cost, not the restart's */
    } else {
        p->started_at = now;
        p->starts++;
        pthread_cond_broadcast(&p->cond);
    }
    pthread_mutex_unlock(&p->lock);
}

void phase_restart(bench_ctx *b) {
    wactor_runtime *rt = bench_runtime(0);
    restart_probe probe = {.lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER};
    wactor_set_event_handler(rt, on_event, &probe);
    wactor_child_spec child = {.module = b->sink, .spawn = {.name = "victim"}, .restart = WACTOR_PERMANENT};
    wactor_sup_spec spec = {.name = "bench_sup", .strategy = WACTOR_ONE_FOR_ONE, .intensity = 1000000,
                            .period_ms = 1000, .children = &child, .nchildren = 1};
    wactor_pid sup;
    if (wactor_supervisor_start(rt, &spec, &sup, NULL)) exit(1);
    int n = 1000 / SCALE;
    double *t = xmalloc(sizeof(double) * (size_t)n);
    wactor_value r;
    size_t nr;
    for (int i = 0; i < n; i++) {
        wactor_pid victim = 0;
        while (!(victim = wactor_whereis(rt, "victim"))) sched_yield();
        pthread_mutex_lock(&probe.lock);
        int before = probe.starts;
        pthread_mutex_unlock(&probe.lock);
        if (wactor_invoke_values(rt, victim, "crash", NULL, 0, &r, 1, &nr, 0, NULL) != WACTOR_ETRAP) exit(1);
        pthread_mutex_lock(&probe.lock);
        while (probe.starts == before) pthread_cond_wait(&probe.cond, &probe.lock);
        t[i] = probe.started_at - probe.exited_at;
        pthread_mutex_unlock(&probe.lock);
    }
    row_ref("restart: trap -> restarted instance ready", "µs", summarize(t, n), (ref){.key = "restart_us"});
    wactor_runtime_destroy(rt);
    free(t);
}
