/*
 * bench.c — the first benchmark program: instantiate/spawn time, a typed call through the embedding API,
 * and messages/s through handle-message with N receiving components. Each figure is the median (and
 * min–max) of REPEATS runs in this one invocation; a native-actor baseline runs beside the components.
 *
 *   build/bench/wactor-bench [--smoke] [--erlang bench/out/erlang.tsv] [--tsv bench/out/wactor.tsv]
 *
 * With --erlang, a last column gives wactor / Erlang for the shapes bench/erlang measures too.
 */
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "actor/actor.h"
#include "engine/engine.h"
#include "wactor.h"

static int REPEATS = 5;
static int SCALE = 1; /* --smoke divides the work */

static double now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

typedef struct stat { double p50, p99, min, max; } stat;

static stat summarize(double *v, int n) {
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    int i99 = (int)(0.99 * (n - 1));
    return (stat){v[n / 2], v[i99], v[0], v[n - 1]};
}

/* Erlang/OTP's figures for the same shapes (bench/erlang/run.sh: key, median, p99, min, max, unit per line),
 * for the ratio column; and the TSV this program writes in the same format (for bench/plot.sh). */
typedef struct ref_figure { char key[64]; double median; } ref_figure;
static ref_figure erlang[64];
static int nerlang;
static FILE *tsv;

static void load_erlang(const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) return;
    char line[256];
    while (nerlang < 64 && fgets(line, sizeof line, f))
        if (sscanf(line, "%63[^\t]\t%lf", erlang[nerlang].key, &erlang[nerlang].median) == 2) nerlang++;
    fclose(f);
}

static double erlang_median(const char *key) {
    for (int i = 0; key && i < nerlang; i++)
        if (strcmp(erlang[i].key, key) == 0) return erlang[i].median;
    return 0;
}

/* One table row. `key` names the shape in bench/erlang (NULL: none); `scale` converts our unit to the TSV's
 * (k msg/s -> msg/s: 1000). The ratio is wactor / Erlang in the same unit: > 1 is slower for latencies,
 * faster for rates. */
static void row_vs(const char *metric, const char *unit, stat s, const char *key, double scale) {
    double ref = erlang_median(key);
    char ratio[32] = "";
    if (ref > 0) snprintf(ratio, sizeof ratio, "%.3g", s.p50 * scale / ref);
    printf("| %-56s | %12.2f | %12.2f | %10.2f – %-10.2f | %-8s | %10s |\n", metric, s.p50, s.p99, s.min, s.max,
           unit, ratio);
    if (tsv && key)
        fprintf(tsv, "%s\t%g\t%g\t%g\t%g\t%s\n", key, s.p50 * scale, s.p99 * scale, s.min * scale,
                s.max * scale, scale == 1000 ? "msg/s" : unit);
}

static void row(const char *metric, const char *unit, stat s) { row_vs(metric, unit, s, NULL, 1); }

static void quiet_log(void *u, const char *n, const char *l, size_t len) { (void)u, (void)n, (void)l, (void)len; }

static wactor_module *load(wactor_runtime *rt, const char *dir, const char *name) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s.wasm", dir, name);
    wactor_module *m = NULL;
    wactor_diag d;
    if (wactor_module_load_file(rt, path, &m, &d)) {
        fprintf(stderr, "load %s: %s\n", path, d.message);
        exit(1);
    }
    return m;
}

/* Engine only: instantiate + free the calc module; and one add() call. */
static void bench_engine(wactor_module *calc) {
    int n = 2000 / SCALE;
    double *t = malloc(sizeof(double) * (size_t)n);
    eng_module *m = (eng_module *)calc;
    eng_wasi wasi = {0};
    for (int i = 0; i < n; i++) {
        eng_instance_opts o = {.wasi = &wasi};
        eng_instance *inst;
        double t0 = now_us();
        if (eng_instance_new(m, &o, &inst, NULL) != 0) exit(1);
        t[i] = now_us() - t0;
        eng_instance_free(inst);
    }
    row("engine: instantiate calc.wasm", "µs", summarize(t, n));

    eng_instance_opts o = {.wasi = &wasi};
    eng_instance *inst;
    if (eng_instance_new(m, &o, &inst, NULL) != 0) exit(1);
    int calls = 200000 / SCALE, batches = 21;
    double per[21];
    wactor_value args[2] = {{.type = WACTOR_I32, .of.i32 = 5}, {.type = WACTOR_I32, .of.i32 = 3}}, r;
    size_t nr;
    for (int b = 0; b < batches; b++) {
        double t0 = now_us();
        for (int i = 0; i < calls / batches; i++) eng_call_sync(inst, "add", args, 2, &r, 1, &nr, NULL);
        per[b] = (now_us() - t0) * 1000.0 / (calls / batches);
    }
    row("engine: add(5,3) call", "ns", summarize(per, batches));
    eng_instance_free(inst);
    free(t);
}

/* Embedding API: spawn (instantiate + _initialize + actor start round trip) and invoke round trip. */
static void bench_api(wactor_runtime *rt, wactor_module *calc) {
    int n = 1000 / SCALE;
    double *t = malloc(sizeof(double) * (size_t)n);
    wactor_pid *pids = malloc(sizeof(wactor_pid) * (size_t)n);
    for (int i = 0; i < n; i++) {
        double t0 = now_us();
        if (wactor_spawn(rt, calc, NULL, &pids[i], NULL)) exit(1);
        t[i] = now_us() - t0;
    }
    row_vs("api: wactor_spawn calc (cached module)", "µs", summarize(t, n), "spawn_us", 1);
    for (int i = 0; i < n; i++) wactor_stop(rt, pids[i], 100);

    wactor_pid pid;
    wactor_spawn(rt, calc, NULL, &pid, NULL);
    wactor_value args[2] = {{.type = WACTOR_I32, .of.i32 = 5}, {.type = WACTOR_I32, .of.i32 = 3}}, r;
    size_t nr;
    int calls = 20000 / SCALE;
    double *c = malloc(sizeof(double) * (size_t)calls);
    for (int i = 0; i < calls; i++) {
        double t0 = now_us();
        wactor_invoke_values(rt, pid, "add", args, 2, &r, 1, &nr, 0, NULL);
        c[i] = now_us() - t0;
    }
    row("api: wactor_invoke_values add(5,3) round trip", "µs", summarize(c, calls));
    wactor_stop(rt, pid, 100);
    free(c);
    free(t);
    free(pids);
}

/* Messages/s into handle-message of N sink components (64-byte JSON payloads). */
static double component_throughput(wactor_runtime *rt, wactor_module *sink, int actors, int total) {
    wactor_pid *pids = malloc(sizeof(wactor_pid) * (size_t)actors);
    wactor_spawn_opts opts = {.mailbox = (uint32_t)total}; /* room for all: measure delivery, not refusal */
    for (int i = 0; i < actors; i++) wactor_spawn(rt, sink, &opts, &pids[i], NULL);
    char payload[64];
    memset(payload, ' ', sizeof payload);
    memcpy(payload, "\x80\x04{\"add\":1}", 12);
    wactor_stats before, after;
    wactor_stats_get(rt, &before);
    double t0 = now_us();
    for (int i = 0; i < total; i++) wactor_send(rt, pids[i % actors], payload, sizeof payload);
    wactor_wait_idle(rt, 0);
    double elapsed = now_us() - t0;
    wactor_stats_get(rt, &after);
    double rate = (double)(after.delivered - before.delivered) / (elapsed / 1e6); /* handled, not just sent */
    for (int i = 0; i < actors; i++) wactor_stop(rt, pids[i], 100);
    free(pids);
    return rate;
}

/* The native baseline: the same shape with native actors that count. */
static actor_result count_receive(actor *self, actor_msg *msg) {
    (*(long *)actor_state(self))++;
    actor_msg_free(msg);
    return ACTOR_CONTINUE;
}
static const actor_behaviour counter_behaviour = {.name = "count", .receive = count_receive};

static double native_throughput(int actors, int total) {
    actor_system *sys;
    actor_system_create(0, &sys);
    actor_id *ids = malloc(sizeof(actor_id) * (size_t)actors);
    long *counts = calloc((size_t)actors, sizeof *counts);
    for (int i = 0; i < actors; i++) actor_spawn(sys, &counter_behaviour, &counts[i], &ids[i]);
    char payload[64] = {0};
    double t0 = now_us();
    for (int i = 0; i < total; i++)
        actor_send(sys, ids[i % actors], actor_msg_new(ACTOR_MSG_USER, 0, payload, sizeof payload));
    actor_system_wait_idle(sys, 0);
    double rate = total / ((now_us() - t0) / 1e6);
    actor_system_destroy(sys);
    free(ids);
    free(counts);
    return rate;
}

/* Fairness: round trips to a component while two others spin forever (on a runtime of `threads`). */
static void bench_fairness(wactor_module *sink, wactor_module *spin) {
    wactor_config cfg = {.threads = 2, .log = quiet_log};
    wactor_runtime *rt;
    if (wactor_runtime_create(&cfg, &rt)) exit(1);
    wactor_pid s1, s2, ping;
    wactor_spawn(rt, spin, NULL, &s1, NULL);
    wactor_spawn(rt, spin, NULL, &s2, NULL);
    wactor_spawn(rt, sink, NULL, &ping, NULL);
    wactor_send(rt, s1, "\x80\x04{}", 4);
    wactor_send(rt, s2, "\x80\x04{}", 4);
    int n = 2000 / SCALE;
    double *t = malloc(sizeof(double) * (size_t)n);
    wactor_value r;
    size_t nr;
    for (int i = 0; i < n; i++) {
        double t0 = now_us();
        if (wactor_invoke_values(rt, ping, "received", NULL, 0, &r, 1, &nr, 0, NULL)) exit(1);
        t[i] = now_us() - t0;
    }
    row("fairness: round trip while 2 components spin (2 threads)", "µs", summarize(t, n));
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
    pthread_mutex_lock(&p->lock);
    if (exited) p->exited_at = now_us();
    else {
        p->started_at = now_us();
        p->starts++;
    }
    pthread_cond_broadcast(&p->cond);
    pthread_mutex_unlock(&p->lock);
}

static void bench_restart(wactor_module *sink) {
    wactor_config cfg = {.log = quiet_log};
    wactor_runtime *rt;
    if (wactor_runtime_create(&cfg, &rt)) exit(1);
    restart_probe probe = {.lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER};
    wactor_set_event_handler(rt, on_event, &probe);
    wactor_child_spec child = {.module = sink, .spawn = {.name = "victim"}, .restart = WACTOR_PERMANENT};
    wactor_sup_spec spec = {.name = "bench_sup", .strategy = WACTOR_ONE_FOR_ONE, .intensity = 1000000,
                            .period_ms = 1000, .children = &child, .nchildren = 1};
    wactor_pid sup;
    if (wactor_supervisor_start(rt, &spec, &sup, NULL)) exit(1);
    int n = 1000 / SCALE;
    double *t = malloc(sizeof(double) * (size_t)n);
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
    row_vs("restart: trap -> restarted instance ready", "µs", summarize(t, n), "restart_us", 1);
    wactor_runtime_destroy(rt);
    free(t);
}

/* Pub/sub fan-out: the host publishes to a topic 100 sink components subscribe to. */
static void bench_fanout(wactor_module *sink) {
    enum { SUBS = 100 };
    wactor_config cfg = {.log = quiet_log};
    wactor_runtime *rt;
    if (wactor_runtime_create(&cfg, &rt)) exit(1);
    static const char *const topic[] = {"bench.fanout"};
    wactor_caps caps = {.subscribe = topic, .nsubscribe = 1};
    wactor_spawn_opts opts = {.caps = &caps, .mailbox = 1000000};
    wactor_value r;
    size_t nr;
    for (int i = 0; i < SUBS; i++) {
        wactor_pid pid;
        if (wactor_spawn(rt, sink, &opts, &pid, NULL) ||
            wactor_invoke_values(rt, pid, "sub", NULL, 0, &r, 1, &nr, 0, NULL) || r.of.i32 != 0)
            exit(1);
    }
    char payload[64];
    memset(payload, ' ', sizeof payload);
    memcpy(payload, "\x80\x04{\"tick\":1}", 12);
    double rates[16];
    int publishes = 4000 / SCALE;
    for (int rep = 0; rep < REPEATS; rep++) {
        double t0 = now_us();
        size_t reached = 0;
        for (int i = 0; i < publishes; i++) {
            size_t n = 0;
            wactor_publish(rt, "bench.fanout", payload, sizeof payload, &n);
            reached += n;
        }
        wactor_wait_idle(rt, 0);
        rates[rep] = (double)reached / ((now_us() - t0) / 1e6) / 1000.0;
    }
    stat st = summarize(rates, REPEATS);
    st.p99 = st.p50;
    row_vs("pub/sub fan-out to 100 components (deliveries)", "k msg/s", st, "fanout_100", 1000);
    wactor_runtime_destroy(rt);
}

/* Guest-to-guest request/reply: one component requests, another replies, one after another. */
static void bench_request_reply(wactor_module *rr) {
    wactor_config cfg = {.log = NULL}; /* warnings from the guests go to stderr */
    wactor_runtime *rt;
    if (wactor_runtime_create(&cfg, &rt)) exit(1);
    static const char *const target[] = {"responder"};
    wactor_caps caps = {.request = target, .nrequest = 1};
    wactor_pid responder, requester;
    if (wactor_spawn(rt, rr, &(wactor_spawn_opts){.name = "responder"}, &responder, NULL) ||
        wactor_spawn(rt, rr, &(wactor_spawn_opts){.caps = &caps}, &requester, NULL))
        exit(1);
    double rtt[16];
    int n = 20000 / SCALE;
    for (int rep = 0; rep < REPEATS; rep++) {
        wactor_value arg = {.type = WACTOR_I32, .of.i32 = n}, r = {0}, f = {0};
        size_t nr;
        double t0 = now_us();
        wactor_invoke_values(rt, requester, "run", &arg, 1, &r, 1, &nr, 0, NULL);
        /* poll gently: each poll is a message to the requester, queued among its replies */
        struct timespec pause = {0, 200 * 1000};
        do {
            nanosleep(&pause, NULL);
            wactor_invoke_values(rt, requester, "answered", NULL, 0, &r, 1, &nr, 0, NULL);
            wactor_invoke_values(rt, requester, "failed", NULL, 0, &f, 1, &nr, 0, NULL);
        } while (r.of.i32 + f.of.i32 < n);
        if (f.of.i32) fprintf(stderr, "request/reply: %d of %d requests failed\n", f.of.i32, n);
        rtt[rep] = (now_us() - t0) / n;
    }
    stat st = summarize(rtt, REPEATS);
    st.p99 = st.p50; /* a mean per round trip: no tail */
    row_vs("request/reply round trip, component to component (mean)", "µs", st, "pingpong_us", 1);
    wactor_runtime_destroy(rt);
}

int main(int argc, char **argv) {
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--smoke") == 0) {
            SCALE = 50;
            REPEATS = 1;
        } else if (strcmp(argv[i], "--erlang") == 0 && i + 1 < argc) {
            load_erlang(argv[++i]);
        } else if (strcmp(argv[i], "--tsv") == 0 && i + 1 < argc) {
            tsv = fopen(argv[++i], "w");
        } else {
            fprintf(stderr, "usage: wactor-bench [--smoke] [--erlang ERLANG.tsv] [--tsv OUT.tsv]\n");
            return 2;
        }
    }
    wactor_config cfg = {.log = quiet_log};
    wactor_runtime *rt;
    if (wactor_runtime_create(&cfg, &rt)) return 1;
    wactor_module *calc = load(rt, WACTOR_EXAMPLES, "calc"), *sink = load(rt, WACTOR_BENCH_GUESTS, "sink"),
                  *spin = load(rt, WACTOR_BENCH_GUESTS, "spin"), *rr = load(rt, WACTOR_BENCH_GUESTS, "rr");

    printf("| %-56s | %12s | %12s | %-23s | %-8s | %10s |\n", "metric", "median", "p99", "min – max", "unit",
           "vs Erlang");
    printf("|%s|%s|%s|%s|%s|%s|\n", "----------------------------------------------------------", "--------------",
           "--------------", "-------------------------", "----------", "------------");
    bench_engine(calc);
    bench_api(rt, calc);
    bench_fairness(sink, spin);
    bench_restart(sink);
    bench_fanout(sink);
    bench_request_reply(rr);
    int sizes[] = {1, 100, 10000};
    if (SCALE > 1) sizes[2] = 1000; /* smoke: keep it short */
    for (int s = 0; s < 3; s++) {
        double w[16], nat[16];
        int total = 200000 / SCALE;
        for (int r = 0; r < REPEATS; r++) {
            w[r] = component_throughput(rt, sink, sizes[s], total) / 1000.0;
            nat[r] = native_throughput(sizes[s], total) / 1000.0;
        }
        char name[96];
        snprintf(name, sizeof name, "messages/s into handle-message, %d actors", sizes[s]);
        stat ws = summarize(w, REPEATS);
        ws.p99 = ws.p50; /* a rate: no tail */
        char key[64];
        snprintf(key, sizeof key, "throughput_%d", sizes[s]);
        row_vs(name, "k msg/s", ws, key, 1000);
        snprintf(name, sizeof name, "  baseline: native actors, %d actors", sizes[s]);
        stat ns = summarize(nat, REPEATS);
        ns.p99 = ns.p50;
        snprintf(key, sizeof key, "native_throughput_%d", sizes[s]);
        row_vs(name, "k msg/s", ns, key, 1000);
    }
    wactor_runtime_destroy(rt);
    wactor_module_release(calc);
    wactor_module_release(sink);
    wactor_module_release(spin);
    wactor_module_release(rr);
    if (tsv) fclose(tsv);
    return 0;
}
