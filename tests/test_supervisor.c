/* test_supervisor.c — OTP supervisor semantics with native worker actors.
 *
 * Each test collects the supervisor's event lines (JSON, parsed with jansson) and asserts on the sequence
 * of "<supervisor> <event> <child> [<reason>]" signatures, e.g. "s child_exited b integer divide by zero".
 * Workers are told by message to crash / exit normally / exit with shutdown, can ignore ACTOR_MSG_STOP, can
 * fail their start (synchronously or after spawning), and answer health probes with a chosen level. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "support.h"

#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "supervisor/supervisor.h"

#define WAIT_MS 5000

/* ------------------------------------------------------------------ test context: events, stop order */

#define MAX_EVENTS 1024

typedef struct ctx {
    actor_system *sys;
    pthread_mutex_t mu;
    char *ev[MAX_EVENTS];
    uint64_t ev_ms[MAX_EVENTS];
    int nev;
    int bad;                    /* events that were not valid JSON / lacked a required key */
    char order[64][16];         /* worker names in the order they terminated */
    int norder;
} ctx;

static ctx T;

static void on_event(void *user, const char *json) {
    ctx *t = user;
    json_error_t err;
    json_t *j = json_loads(json, 0, &err);
    bool ok = j && json_is_string(json_object_get(j, "event")) && json_object_get(j, "supervisor") &&
              json_object_get(j, "child") && json_object_get(j, "reason");
    json_decref(j);
    pthread_mutex_lock(&t->mu);
    if (!ok) t->bad++;
    if (t->nev < MAX_EVENTS) {
        t->ev_ms[t->nev] = now_ms();
        t->ev[t->nev++] = strdup(json);
    }
    pthread_mutex_unlock(&t->mu);
}

/* "<supervisor> <event> <child|-> [<reason>]" of event i */
static void signature(const char *json, char *buf, size_t cap) {
    json_t *j = json_loads(json, 0, NULL);
    const char *sup = json_string_value(json_object_get(j, "supervisor"));
    const char *ev = json_string_value(json_object_get(j, "event"));
    const char *child = json_string_value(json_object_get(j, "child"));
    const char *reason = json_string_value(json_object_get(j, "reason"));
    const char *status = json_string_value(json_object_get(j, "status"));
    snprintf(buf, cap, "%s %s %s%s%s%s%s", sup ? sup : "-", ev ? ev : "?", child ? child : "-", reason ? " " : "",
             reason ? reason : "", status ? " " : "", status ? status : "");
    json_decref(j);
}

/* Signatures of events [from, nev) joined by '|', skipping those whose event name is in `skip`. */
static char *sigs_from(int from, const char *skip) {
    static char out[8192];
    out[0] = '\0';
    pthread_mutex_lock(&T.mu);
    for (int i = from; i < T.nev; i++) {
        char s[256];
        signature(T.ev[i], s, sizeof s);
        json_t *j = json_loads(T.ev[i], 0, NULL);
        const char *name = json_string_value(json_object_get(j, "event"));
        bool skipped = skip && name && strstr(skip, name);
        json_decref(j);
        if (skipped) continue;
        if (out[0]) strncat(out, "|", sizeof out - strlen(out) - 1);
        strncat(out, s, sizeof out - strlen(out) - 1);
    }
    pthread_mutex_unlock(&T.mu);
    return out;
}
#define SIGS(from) sigs_from((from), "child_restarting health")

static int nevents(void) {
    pthread_mutex_lock(&T.mu);
    int n = T.nev;
    pthread_mutex_unlock(&T.mu);
    return n;
}

/* Index of the `nth` (1-based) event at or after `from` whose signature starts with `prefix`, waiting up to
 * WAIT_MS; -1 if none. */
static int wait_sig(int from, const char *prefix, int nth) {
    uint64_t end = now_ms() + WAIT_MS;
    do {
        int seen = 0;
        pthread_mutex_lock(&T.mu);
        for (int i = from; i < T.nev; i++) {
            char s[256];
            signature(T.ev[i], s, sizeof s);
            if (strncmp(s, prefix, strlen(prefix)) == 0 && ++seen == nth) {
                pthread_mutex_unlock(&T.mu);
                return i;
            }
        }
        pthread_mutex_unlock(&T.mu);
        sleep_ms(2);
    } while (now_ms() < end);
    return -1;
}
#define AWAIT(from, prefix) assert_true(wait_sig((from), (prefix), 1) >= 0)

/* How many events at or after `from` have a signature starting with `prefix` (no waiting). */
static int count_sig(int from, const char *prefix) {
    int seen = 0;
    pthread_mutex_lock(&T.mu);
    for (int i = from; i < T.nev; i++) {
        char s[256];
        signature(T.ev[i], s, sizeof s);
        if (strncmp(s, prefix, strlen(prefix)) == 0) seen++;
    }
    pthread_mutex_unlock(&T.mu);
    return seen;
}

static json_t *event_json(int i) {
    pthread_mutex_lock(&T.mu);
    json_t *j = json_loads(T.ev[i], 0, NULL);
    pthread_mutex_unlock(&T.mu);
    return j;
}

static void order_add(const char *name) {
    pthread_mutex_lock(&T.mu);
    if (T.norder < 64) snprintf(T.order[T.norder++], sizeof T.order[0], "%s", name);
    pthread_mutex_unlock(&T.mu);
}

static char *order_str(void) {
    static char out[512];
    out[0] = '\0';
    pthread_mutex_lock(&T.mu);
    for (int i = 0; i < T.norder; i++) {
        if (i) strcat(out, ",");
        strcat(out, T.order[i]);
    }
    pthread_mutex_unlock(&T.mu);
    return out;
}

static int setup(void **state) {
    (void)state;
    memset(&T, 0, sizeof T);
    pthread_mutex_init(&T.mu, NULL);
    return actor_system_create(3, &T.sys);
}

static int teardown(void **state) {
    (void)state;
    actor_system_destroy(T.sys);
    assert_int_equal(T.bad, 0);
    for (int i = 0; i < T.nev; i++) free(T.ev[i]);
    pthread_mutex_destroy(&T.mu);
    return 0;
}

/* ------------------------------------------------------------------ the worker */

enum { W_INIT = ACTOR_MSG_USER, W_CRASH, W_NORMAL, W_SHUTDOWN, W_HEALTH, W_CRASH_AT_GATE };

static atomic_int gate; /* W_CRASH_AT_GATE: wait (in the handler) until it opens, then crash */

typedef struct wcfg {
    const char *name;
    atomic_int fail_sync;     /* > 0: start() fails with -EIO that many times */
    atomic_int fail_async;    /* > 0: the worker spawns, then reports failure that many times */
    atomic_int ignore_stop;   /* ignore ACTOR_MSG_STOP (a hung _cleanup) */
    atomic_int health;        /* level answered to health probes; -1: never answer */
    atomic_int heal_on_restart; /* instances after the first answer healthy */
    atomic_int starts;        /* start() calls */
    atomic_uint stop_budget;  /* the uint32 payload of the last ACTOR_MSG_STOP */
    _Atomic actor_id pid;
    const void *fail_data;    /* fail_async: the failure's data (copied), instead of "init failed" */
    size_t fail_len;
} wcfg;

typedef struct wstate {
    wcfg *cfg;
    actor_future *started;
    actor_future *held_health; /* a probe left unanswered */
} wstate;

static void exit_error(actor *self, const char *text) {
    actor_exit ex = {.kind = ACTOR_EXIT_ERROR, .code = 3};
    snprintf(ex.text, sizeof ex.text, "%s", text);
    actor_set_exit(self, &ex);
}

static actor_result worker_receive(actor *self, actor_msg *m) {
    wstate *w = actor_state(self);
    actor_result r = ACTOR_CONTINUE;
    switch (m->type) {
    case W_INIT:
        if (atomic_load(&w->cfg->fail_async) > 0) {
            atomic_fetch_sub(&w->cfg->fail_async, 1);
            if (w->cfg->fail_data) {
                void *copy = malloc(w->cfg->fail_len);
                memcpy(copy, w->cfg->fail_data, w->cfg->fail_len);
                actor_future_complete(w->started, -EIO, copy, w->cfg->fail_len);
            } else {
                actor_future_complete(w->started, -EIO, strdup("init failed"), 12);
            }
            exit_error(self, "init failed");
            r = ACTOR_STOP;
        } else {
            actor_future_complete(w->started, 0, NULL, 0);
        }
        break;
    case W_CRASH_AT_GATE:
        for (int i = 0; i < 2000 && !atomic_load(&gate); i++) sleep_ms(1);
        exit_error(self, "integer divide by zero");
        r = ACTOR_STOP;
        break;
    case W_CRASH:
        exit_error(self, "integer divide by zero");
        r = ACTOR_STOP;
        break;
    case W_NORMAL: r = ACTOR_STOP; break;
    case W_SHUTDOWN: {
        actor_exit ex = {.kind = ACTOR_EXIT_SHUTDOWN};
        actor_set_exit(self, &ex);
        r = ACTOR_STOP;
        break;
    }
    case W_HEALTH: {
        int level = atomic_load(&w->cfg->health);
        if (level < 0) { /* keep it unanswered */
            actor_future_release(w->held_health);
            w->held_health = m->reply;
            m->reply = NULL;
        } else if (m->reply) {
            int *v = malloc(sizeof *v);
            *v = level;
            actor_future_complete(m->reply, 0, v, sizeof *v);
        }
        break;
    }
    case ACTOR_MSG_STOP: {
        uint32_t budget = 0;
        if (m->len == sizeof budget) memcpy(&budget, m->data, sizeof budget);
        atomic_store(&w->cfg->stop_budget, budget);
        if (!atomic_load(&w->cfg->ignore_stop)) r = ACTOR_STOP;
        break;
    }
    }
    actor_msg_free(m);
    return r;
}

static void worker_terminate(actor *self, bool killed) {
    (void)killed;
    wstate *w = actor_state(self);
    order_add(w->cfg->name);
    actor_future_release(w->started);
    actor_future_release(w->held_health);
    free(w);
}

static const actor_behaviour worker_beh = {.name = "worker", .receive = worker_receive, .terminate = worker_terminate};

static int worker_start(void *arg, const sup_start_ctx *ctx, actor_id *out) {
    wcfg *cfg = arg;
    actor_system *sys = ctx->sys;
    actor_id sup = ctx->sup;
    actor_future *started = ctx->started;
    if (atomic_fetch_add(&cfg->starts, 1) > 0 && atomic_load(&cfg->heal_on_restart)) atomic_store(&cfg->health, 0);
    if (atomic_load(&cfg->fail_sync) > 0) {
        atomic_fetch_sub(&cfg->fail_sync, 1);
        return -EIO;
    }
    wstate *w = calloc(1, sizeof *w);
    w->cfg = cfg;
    actor_future_retain(started);
    w->started = started;
    actor_spawn_opts opts = {.link = sup};
    int rc = actor_spawn_opt(sys, &worker_beh, w, &opts, out);
    if (rc) {
        actor_future_release(started);
        free(w);
        return rc;
    }
    atomic_store(&cfg->pid, *out);
    return actor_send(sys, *out, actor_msg_new(W_INIT, 0, NULL, 0)); /* ready when it has run */
}

static int worker_health(void *arg, actor_system *sys, actor_id child, actor_future *reply) {
    (void)arg;
    actor_msg *m = actor_msg_new(W_HEALTH, 0, NULL, 0);
    actor_future_retain(reply);
    m->reply = reply;
    return actor_send(sys, child, m);
}

static void poke(wcfg *w, uint32_t type) {
    assert_int_equal(actor_send(T.sys, atomic_load(&w->pid), actor_msg_new(type, 0, NULL, 0)), 0);
}

static sup_child_spec child(const char *id, wcfg *cfg, sup_restart restart) {
    return (sup_child_spec){.id = id, .restart = restart, .shutdown_ms = 1000, .type = SUP_WORKER,
                            .start = worker_start, .arg = cfg};
}

static sup_spec spec_of(const char *name, sup_strategy strategy, sup_child_spec *children, size_t n) {
    return (sup_spec){.name = name, .strategy = strategy, .intensity = 10, .period_ms = 5000,
                      .children = children, .nchildren = n, .event = on_event, .event_user = &T};
}

/* Starts a supervisor and waits for `started`; returns its status. */
static int start_sup(const sup_spec *spec, actor_id parent, actor_id *out, char *why, size_t cap) {
    actor_future *f = actor_future_new();
    int rc = supervisor_start(T.sys, spec, parent, f, out);
    if (rc) {
        actor_future_release(f);
        return rc;
    }
    int status = -1;
    void *data = NULL;
    size_t len = 0;
    assert_int_equal(actor_future_wait(f, WAIT_MS, &status, &data, &len), 0);
    if (why) snprintf(why, cap, "%.*s", (int)len, data ? (char *)data : "");
    free(data);
    actor_future_release(f);
    return status;
}

/* Waits for a request's reply: returns its status, *data (may be NULL) gets the data. */
static int wait_reply(actor_future *f, void **data, size_t *len) {
    int status = -1;
    assert_int_equal(actor_future_wait(f, WAIT_MS, &status, data, len), 0);
    actor_future_release(f);
    return status;
}

static sup_child_info *which(actor_id sup, size_t *n) {
    actor_future *f = actor_future_new();
    supervisor_which_children(T.sys, sup, f);
    void *data = NULL;
    size_t len = 0;
    assert_int_equal(wait_reply(f, &data, &len), 0);
    *n = len / sizeof(sup_child_info);
    return data;
}

static sup_counts counts(actor_id sup) {
    actor_future *f = actor_future_new();
    supervisor_count_children(T.sys, sup, f);
    void *data = NULL;
    size_t len = 0;
    assert_int_equal(wait_reply(f, &data, &len), 0);
    assert_int_equal(len, sizeof(sup_counts));
    sup_counts c;
    memcpy(&c, data, sizeof c);
    free(data);
    return c;
}

static actor_id pid_of(actor_id sup, const char *id) {
    size_t n = 0;
    sup_child_info *v = which(sup, &n);
    actor_id pid = 0;
    for (size_t i = 0; i < n; i++)
        if (!strcmp(v[i].id, id)) pid = v[i].pid;
    free(v);
    return pid;
}

static actor_exit_kind stop_and_reason(actor_id sup) {
    actor_stop(T.sys, sup);
    assert_int_equal(actor_wait_exit(T.sys, sup, WAIT_MS), 0);
    actor_exit ex;
    assert_int_equal(actor_exit_reason(T.sys, sup, &ex), 0);
    return ex.kind;
}

/* ------------------------------------------------------------------ strategies */

static void test_one_for_one(void **state) {
    (void)state;
    wcfg a = {.name = "a"}, b = {.name = "b"}, c = {.name = "c"};
    sup_child_spec ch[] = {child("a", &a, SUP_PERMANENT), child("b", &b, SUP_PERMANENT), child("c", &c, SUP_PERMANENT)};
    sup_spec sp = spec_of("s", SUP_ONE_FOR_ONE, ch, 3);
    actor_id sup;
    assert_int_equal(start_sup(&sp, 0, &sup, NULL, 0), 0);
    assert_string_equal(SIGS(0), "s child_started a|s child_started b|s child_started c");
    actor_id pa = a.pid, pb = b.pid, pc = c.pid;
    int mark = nevents();
    poke(&b, W_CRASH);
    AWAIT(mark, "s child_started b");
    assert_string_equal(SIGS(mark), "s child_exited b integer divide by zero|s child_started b");
    /* the exit event carries the old pid, the start event the new one and restart: true */
    json_t *ex = event_json(mark), *st = event_json(wait_sig(mark, "s child_started b", 1));
    assert_int_equal(json_integer_value(json_object_get(ex, "pid")), pb);
    assert_true(json_is_true(json_object_get(st, "restart")));
    assert_int_equal(json_integer_value(json_object_get(st, "pid")), b.pid);
    json_decref(ex);
    json_decref(st);
    assert_int_not_equal(b.pid, pb);
    assert_int_equal(pid_of(sup, "a"), pa);
    assert_int_equal(pid_of(sup, "c"), pc);
    assert_int_equal(pid_of(sup, "b"), b.pid);
    assert_int_equal(stop_and_reason(sup), ACTOR_EXIT_SHUTDOWN);
}

static void test_one_for_all(void **state) {
    (void)state;
    wcfg a = {.name = "a"}, b = {.name = "b"}, c = {.name = "c"};
    sup_child_spec ch[] = {child("a", &a, SUP_PERMANENT), child("b", &b, SUP_PERMANENT), child("c", &c, SUP_PERMANENT)};
    sup_spec sp = spec_of("s", SUP_ONE_FOR_ALL, ch, 3);
    actor_id sup;
    assert_int_equal(start_sup(&sp, 0, &sup, NULL, 0), 0);
    actor_id pa = a.pid;
    int mark = nevents();
    poke(&b, W_CRASH);
    AWAIT(mark, "s child_started c");
    assert_string_equal(SIGS(mark), "s child_exited b integer divide by zero|s child_exited c shutdown|"
                                    "s child_exited a shutdown|s child_started a|s child_started b|s child_started c");
    assert_string_equal(order_str(), "b,c,a");
    assert_int_not_equal(a.pid, pa);
    size_t n;
    sup_child_info *v = which(sup, &n);
    assert_int_equal(n, 3);
    for (size_t i = 0; i < n; i++) assert_int_equal(v[i].restarts, 1);
    free(v);
    assert_int_equal(stop_and_reason(sup), ACTOR_EXIT_SHUTDOWN);
}

/* Two children crash together: one group restart, not two (the second EXIT is absorbed, as OTP's
 * synchronous restart consumes it). */
static void test_one_for_all_simultaneous(void **state) {
    (void)state;
    wcfg a = {.name = "a"}, b = {.name = "b"}, c = {.name = "c"};
    sup_child_spec ch[] = {child("a", &a, SUP_PERMANENT), child("b", &b, SUP_PERMANENT), child("c", &c, SUP_PERMANENT)};
    ch[2].shutdown_ms = 150; /* c is slow to stop, so the second EXIT always arrives while the group */
    atomic_store(&c.ignore_stop, 1); /* restart caused by the first one is still stopping children */
    sup_spec sp = spec_of("s", SUP_ONE_FOR_ALL, ch, 3);
    actor_id sup;
    assert_int_equal(start_sup(&sp, 0, &sup, NULL, 0), 0);
    int mark = nevents();
    atomic_store(&gate, 0);
    poke(&a, W_CRASH_AT_GATE); /* both sit in their handlers (2 of 3 scheduler threads)... */
    poke(&b, W_CRASH_AT_GATE);
    sleep_ms(20);
    atomic_store(&gate, 1); /* ...and crash together */
    AWAIT(mark, "s child_started c");
    sleep_ms(100);
    if (count_sig(mark, "s child_started") != 3) print_message("events: %s\n", sigs_from(mark, NULL));
    assert_int_equal(count_sig(mark, "s child_started"), 3);
    assert_int_equal(count_sig(mark, "s child_exited"), 3);
    assert_int_equal(count_sig(mark, "s child_restarting"), 1); /* one restart counted towards intensity */
    assert_int_equal(count_sig(mark, "s child_exited a integer divide by zero"), 1);
    assert_int_equal(count_sig(mark, "s child_exited b integer divide by zero"), 1);
    assert_int_equal(count_sig(mark, "s child_exited c killed"), 1);
    assert_int_equal(a.starts + b.starts + c.starts, 6);
    assert_int_equal(stop_and_reason(sup), ACTOR_EXIT_SHUTDOWN);
}

/* A group restart removes temporary siblings and (as OTP) starts terminated ones again. */
static void test_group_restart_siblings(void **state) {
    (void)state;
    wcfg a = {.name = "a"}, t = {.name = "t"}, b = {.name = "b"}, c = {.name = "c"};
    sup_child_spec ch[] = {child("a", &a, SUP_PERMANENT), child("t", &t, SUP_TEMPORARY),
                           child("b", &b, SUP_PERMANENT), child("c", &c, SUP_TRANSIENT)};
    sup_spec sp = spec_of("s", SUP_ONE_FOR_ALL, ch, 4);
    actor_id sup;
    assert_int_equal(start_sup(&sp, 0, &sup, NULL, 0), 0);
    int mark = nevents();
    poke(&c, W_NORMAL); /* transient, normal: stays down, nothing else happens */
    AWAIT(mark, "s child_exited c normal");
    poke(&b, W_CRASH);
    AWAIT(mark, "s child_started c");
    assert_string_equal(SIGS(mark), "s child_exited c normal|s child_exited b integer divide by zero|"
                                    "s child_exited t shutdown|s child_exited a shutdown|"
                                    "s child_started a|s child_started b|s child_started c");
    sup_counts n = counts(sup);
    assert_int_equal(n.specs, 3);
    assert_int_equal(n.active, 3);
    assert_int_equal(t.starts, 1);
    assert_int_equal(stop_and_reason(sup), ACTOR_EXIT_SHUTDOWN);
}

static void test_rest_for_one(void **state) {
    (void)state;
    wcfg a = {.name = "a"}, b = {.name = "b"}, c = {.name = "c"}, d = {.name = "d"};
    sup_child_spec ch[] = {child("a", &a, SUP_PERMANENT), child("b", &b, SUP_PERMANENT),
                           child("c", &c, SUP_PERMANENT), child("d", &d, SUP_PERMANENT)};
    sup_spec sp = spec_of("s", SUP_REST_FOR_ONE, ch, 4);
    actor_id sup;
    assert_int_equal(start_sup(&sp, 0, &sup, NULL, 0), 0);
    actor_id pa = a.pid;
    int mark = nevents();
    poke(&b, W_CRASH);
    AWAIT(mark, "s child_started d");
    assert_string_equal(SIGS(mark), "s child_exited b integer divide by zero|s child_exited d shutdown|"
                                    "s child_exited c shutdown|s child_started b|s child_started c|s child_started d");
    assert_int_equal(pid_of(sup, "a"), pa); /* before the crashed one: untouched */
    assert_int_equal(a.starts, 1);
    assert_int_equal(stop_and_reason(sup), ACTOR_EXIT_SHUTDOWN);
}

/* ------------------------------------------------------------------ restart types */

static void test_restart_types(void **state) {
    (void)state;
    wcfg p = {.name = "p"}, tn = {.name = "tn"}, ts = {.name = "ts"}, ta = {.name = "ta"}, tmp = {.name = "tmp"};
    sup_child_spec ch[] = {child("p", &p, SUP_PERMANENT), child("tn", &tn, SUP_TRANSIENT), child("ts", &ts, SUP_TRANSIENT),
                           child("ta", &ta, SUP_TRANSIENT), child("tmp", &tmp, SUP_TEMPORARY)};
    sup_spec sp = spec_of("s", SUP_ONE_FOR_ONE, ch, 5);
    actor_id sup;
    assert_int_equal(start_sup(&sp, 0, &sup, NULL, 0), 0);

    int mark = nevents();
    poke(&p, W_NORMAL); /* permanent: restarted even after a normal exit */
    AWAIT(mark, "s child_started p");
    poke(&tn, W_NORMAL); /* transient + normal: not restarted */
    AWAIT(mark, "s child_exited tn normal");
    poke(&ts, W_SHUTDOWN); /* transient + shutdown: not restarted */
    AWAIT(mark, "s child_exited ts shutdown");
    poke(&ta, W_CRASH); /* transient + abnormal: restarted */
    AWAIT(mark, "s child_started ta");
    poke(&tmp, W_CRASH); /* temporary: never restarted, and removed */
    AWAIT(mark, "s child_exited tmp");
    sup_counts n = counts(sup); /* the count is answered after the exit above was handled */
    assert_string_equal(SIGS(mark), "s child_exited p normal|s child_started p|s child_exited tn normal|"
                                    "s child_exited ts shutdown|s child_exited ta integer divide by zero|"
                                    "s child_started ta|s child_exited tmp integer divide by zero");
    assert_int_equal(n.specs, 4);
    assert_int_equal(n.active, 2);
    assert_int_equal(n.workers, 4);
    assert_int_equal(n.supervisors, 0);
    assert_int_equal(pid_of(sup, "tn"), 0);
    assert_int_equal(pid_of(sup, "ts"), 0);
    assert_int_equal(tn.starts + ts.starts + tmp.starts, 3);
    assert_int_equal(stop_and_reason(sup), ACTOR_EXIT_SHUTDOWN);
}

/* ------------------------------------------------------------------ intensity, parent link */

typedef struct probe {
    atomic_int exits;
    _Atomic actor_id from;
    atomic_int kind;
} probe;

static actor_result probe_receive(actor *self, actor_msg *m) {
    probe *p = actor_state(self);
    if (m->type == ACTOR_MSG_EXIT) {
        actor_exit_signal sig;
        memcpy(&sig, m->data, sizeof sig);
        atomic_store(&p->from, sig.from);
        atomic_store(&p->kind, (int)sig.reason.kind);
        atomic_fetch_add(&p->exits, 1);
    }
    actor_msg_free(m);
    return ACTOR_CONTINUE;
}
static const actor_behaviour probe_beh = {.name = "probe", .receive = probe_receive};

static void test_intensity_exceeded(void **state) {
    (void)state;
    probe pr = {0};
    actor_id parent;
    actor_spawn_opts po = {.trap_exits = true};
    assert_int_equal(actor_spawn_opt(T.sys, &probe_beh, &pr, &po, &parent), 0);

    wcfg a = {.name = "a"}, b = {.name = "b"};
    sup_child_spec ch[] = {child("a", &a, SUP_PERMANENT), child("b", &b, SUP_PERMANENT)};
    sup_spec sp = spec_of("s", SUP_ONE_FOR_ONE, ch, 2);
    sp.intensity = 2;
    actor_id sup;
    assert_int_equal(start_sup(&sp, parent, &sup, NULL, 0), 0);
    int mark = nevents();
    for (int i = 1; i <= 2; i++) {
        poke(&b, W_CRASH);
        assert_true(wait_sig(mark, "s child_started b", i) >= 0);
    }
    poke(&b, W_CRASH); /* the third restart within the period: more than 2 */
    assert_int_equal(actor_wait_exit(T.sys, sup, WAIT_MS), 0);
    assert_string_equal(SIGS(mark), "s child_exited b integer divide by zero|s child_started b|"
                                    "s child_exited b integer divide by zero|s child_started b|"
                                    "s child_exited b integer divide by zero|s child_exited a shutdown|"
                                    "s supervisor_shutdown - reached_max_restart_intensity");
    actor_exit ex;
    assert_int_equal(actor_exit_reason(T.sys, sup, &ex), 0);
    assert_int_equal(ex.kind, ACTOR_EXIT_SHUTDOWN);
    /* the parent saw it through the link */
    for (int i = 0; i < 500 && !atomic_load(&pr.exits); i++) sleep_ms(2);
    assert_int_equal(atomic_load(&pr.exits), 1);
    assert_int_equal(atomic_load(&pr.from), sup);
    assert_int_equal(atomic_load(&pr.kind), ACTOR_EXIT_SHUTDOWN);
    assert_false(actor_alive(T.sys, a.pid));
}

/* OTP's intensity 0: no restart at all. The first exit that would be restarted shuts the supervisor down;
 * exits that are not restarted (a temporary child, a transient one ending normally) do not count. */
static void test_intensity_zero(void **state) {
    (void)state;
    wcfg a = {.name = "a"}, t = {.name = "t"}, tr = {.name = "tr"};
    sup_child_spec ch[] = {child("a", &a, SUP_PERMANENT), child("t", &t, SUP_TEMPORARY),
                           child("tr", &tr, SUP_TRANSIENT)};
    sup_spec sp = spec_of("z", SUP_ONE_FOR_ONE, ch, 3);
    sp.intensity = SUP_INTENSITY_ZERO;
    actor_id sup;
    assert_int_equal(start_sup(&sp, 0, &sup, NULL, 0), 0);
    int mark = nevents();
    poke(&t, W_CRASH);   /* temporary: removed, no restart */
    poke(&tr, W_NORMAL); /* transient, normal: not restarted */
    assert_true(wait_sig(mark, "z child_exited tr normal", 1) >= 0);
    assert_true(actor_alive(T.sys, sup));
    poke(&a, W_CRASH);   /* would be restarted: intensity 0 is exceeded at once */
    assert_int_equal(actor_wait_exit(T.sys, sup, WAIT_MS), 0);
    const char *sigs = SIGS(mark);
    assert_non_null(strstr(sigs, "z child_exited a integer divide by zero|z supervisor_shutdown - reached_max_restart_intensity"));
    assert_null(strstr(sigs, "child_started"));
    assert_int_equal(a.starts, 1);
    assert_int_equal(t.starts, 1);
    assert_int_equal(tr.starts, 1);
}

static void test_intensity_window_forgets(void **state) {
    (void)state;
    wcfg a = {.name = "a"};
    sup_child_spec ch[] = {child("a", &a, SUP_PERMANENT)};
    sup_spec sp = spec_of("s", SUP_ONE_FOR_ONE, ch, 1);
    sp.intensity = 0; /* 0 means the default: 1 */
    sp.period_ms = 100;
    actor_id sup;
    assert_int_equal(start_sup(&sp, 0, &sup, NULL, 0), 0);
    int mark = nevents();
    for (int i = 1; i <= 3; i++) { /* one restart per 150 ms never exceeds 1 per 100 ms */
        poke(&a, W_CRASH);
        assert_true(wait_sig(mark, "s child_started a", i) >= 0);
        sleep_ms(150);
    }
    assert_true(actor_alive(T.sys, sup));
    poke(&a, W_CRASH);
    assert_true(wait_sig(mark, "s child_started a", 4) >= 0);
    poke(&a, W_CRASH); /* the second within 100 ms */
    assert_int_equal(actor_wait_exit(T.sys, sup, WAIT_MS), 0);
    AWAIT(mark, "s supervisor_shutdown - reached_max_restart_intensity");
}

/* ------------------------------------------------------------------ shutdown */

static void test_shutdown_order(void **state) {
    (void)state;
    wcfg a = {.name = "a"}, b = {.name = "b"}, c = {.name = "c"};
    sup_child_spec ch[] = {child("a", &a, SUP_PERMANENT), child("b", &b, SUP_TRANSIENT), child("c", &c, SUP_TEMPORARY)};
    sup_spec sp = spec_of("s", SUP_ONE_FOR_ONE, ch, 3);
    actor_id sup;
    assert_int_equal(start_sup(&sp, 0, &sup, NULL, 0), 0);
    int mark = nevents();
    assert_int_equal(stop_and_reason(sup), ACTOR_EXIT_SHUTDOWN);
    assert_string_equal(SIGS(mark), "s child_exited c shutdown|s child_exited b shutdown|s child_exited a shutdown|"
                                    "s supervisor_shutdown - shutdown");
    assert_string_equal(order_str(), "c,b,a");
    assert_int_equal(atomic_load(&a.stop_budget), 1000); /* the shutdown timeout is the cleanup budget */
}

static void test_brutal_kill_and_timeout(void **state) {
    (void)state;
    wcfg a = {.name = "a"}, hung = {.name = "hung"}, c = {.name = "c"}, inf = {.name = "inf"};
    atomic_store(&hung.ignore_stop, 1);
    atomic_store(&a.ignore_stop, 1); /* brutal_kill does not ask */
    sup_child_spec ch[] = {child("a", &a, SUP_PERMANENT), child("hung", &hung, SUP_PERMANENT),
                           child("c", &c, SUP_PERMANENT), child("inf", &inf, SUP_PERMANENT)};
    ch[0].shutdown_ms = SUP_BRUTAL_KILL;
    ch[1].shutdown_ms = 200;
    ch[3].shutdown_ms = SUP_INFINITY;
    sup_spec sp = spec_of("s", SUP_ONE_FOR_ONE, ch, 4);
    actor_id sup;
    assert_int_equal(start_sup(&sp, 0, &sup, NULL, 0), 0);
    int mark = nevents();
    uint64_t t0 = now_ms();
    assert_int_equal(stop_and_reason(sup), ACTOR_EXIT_SHUTDOWN);
    assert_string_equal(SIGS(mark), "s child_exited inf shutdown|s child_exited c shutdown|s child_exited hung killed|"
                                    "s child_exited a killed|s supervisor_shutdown - shutdown");
    int ih = wait_sig(mark, "s child_exited hung", 1);
    assert_true(T.ev_ms[ih] - t0 >= 180); /* waited for the timeout before killing */
    assert_int_equal(atomic_load(&hung.stop_budget), 200);
    assert_int_equal(atomic_load(&inf.stop_budget), UINT32_MAX);
    assert_int_equal(atomic_load(&a.stop_budget), 0); /* never asked */
}

/* While the supervisor waits for a hung child to stop, it still answers requests and handles exits. */
static void test_busy_while_stopping(void **state) {
    (void)state;
    wcfg a = {.name = "a"}, hung = {.name = "hung"};
    atomic_store(&hung.ignore_stop, 1);
    sup_child_spec ch[] = {child("a", &a, SUP_PERMANENT), child("hung", &hung, SUP_PERMANENT)};
    ch[1].shutdown_ms = 400;
    sup_spec sp = spec_of("s", SUP_ONE_FOR_ONE, ch, 2);
    actor_id sup;
    assert_int_equal(start_sup(&sp, 0, &sup, NULL, 0), 0);
    int mark = nevents();
    actor_future *term = actor_future_new();
    uint64_t t0 = now_ms();
    supervisor_terminate_child(T.sys, sup, "hung", 0, term);
    sleep_ms(50);
    sup_counts n = counts(sup); /* answered while hung is still stopping */
    assert_true(now_ms() - t0 < 300);
    assert_int_equal(n.specs, 2);
    poke(&a, W_CRASH); /* a crash meanwhile is noticed; its restart waits for the current job */
    AWAIT(mark, "s child_exited a");
    assert_int_equal(wait_reply(term, NULL, NULL), 0);
    assert_true(now_ms() - t0 >= 380);
    AWAIT(mark, "s child_started a");
    assert_string_equal(SIGS(mark), "s child_exited a integer divide by zero|s child_exited hung killed|s child_started a");
    assert_int_equal(pid_of(sup, "hung"), 0);
    assert_int_equal(stop_and_reason(sup), ACTOR_EXIT_SHUTDOWN);
}

/* ------------------------------------------------------------------ nested trees */

static atomic_int freed_args, freed_inner;
static void count_free(void *arg) {
    (void)arg;
    atomic_fetch_add(&freed_args, 1);
}
static void count_free_inner(void *arg) {
    (void)arg;
    atomic_fetch_add(&freed_inner, 1);
}

static void test_nested_tree(void **state) {
    (void)state;
    wcfg w = {.name = "w"}, x = {.name = "x"};
    atomic_store(&freed_args, 0);
    atomic_store(&freed_inner, 0);
    sup_child_spec sub_children[] = {child("w", &w, SUP_PERMANENT)};
    sub_children[0].arg_free = count_free_inner; /* belongs to the nested spec's owner, never freed here */
    sup_spec sub = spec_of("sub", SUP_ONE_FOR_ONE, sub_children, 1);
    sub.intensity = 1;
    sup_child_spec root_children[] = {
        {.id = "sub", .restart = SUP_PERMANENT, .shutdown_ms = SUP_INFINITY, .type = SUP_SUPERVISOR,
         .start = supervisor_child_start, .arg = &sub, .arg_free = count_free},
        child("x", &x, SUP_PERMANENT),
    };
    sup_spec root = spec_of("root", SUP_ONE_FOR_ONE, root_children, 2);
    actor_id rootpid;
    assert_int_equal(start_sup(&root, 0, &rootpid, NULL, 0), 0);
    assert_string_equal(SIGS(0), "sub child_started w|root child_started sub|root child_started x");
    registry *reg = actor_system_registry(T.sys);
    actor_id sub1 = registry_whereis(reg, "sub");
    assert_int_equal(pid_of(rootpid, "sub"), sub1);
    assert_int_equal(registry_whereis(reg, "root"), rootpid);
    sup_counts n = counts(rootpid);
    assert_int_equal(n.supervisors, 1);
    assert_int_equal(n.workers, 1);

    /* w crashes twice: sub gives up (intensity 1), exits with shutdown; root restarts sub */
    int mark = nevents();
    poke(&w, W_CRASH);
    AWAIT(mark, "sub child_started w");
    poke(&w, W_CRASH);
    AWAIT(mark, "root child_started sub");
    assert_string_equal(SIGS(mark), "sub child_exited w integer divide by zero|sub child_started w|"
                                    "sub child_exited w integer divide by zero|"
                                    "sub supervisor_shutdown - reached_max_restart_intensity|"
                                    "root child_exited sub shutdown|sub child_started w|root child_started sub");
    actor_id sub2 = registry_whereis(reg, "sub");
    assert_true(sub2 && sub2 != sub1);
    assert_false(actor_alive(T.sys, sub1));
    assert_true(actor_alive(T.sys, w.pid));

    /* stopping root stops x, then sub, which stops w first */
    mark = nevents();
    T.norder = 0;
    assert_int_equal(stop_and_reason(rootpid), ACTOR_EXIT_SHUTDOWN);
    assert_string_equal(SIGS(mark), "root child_exited x shutdown|sub child_exited w shutdown|"
                                    "sub supervisor_shutdown - shutdown|root child_exited sub shutdown|"
                                    "root supervisor_shutdown - shutdown");
    assert_string_equal(order_str(), "x,w");
    assert_false(actor_alive(T.sys, sub2));
    /* the nested spec (root's child arg) is freed once, after root and every sub instance ended */
    for (int i = 0; i < 500 && !atomic_load(&freed_args); i++) sleep_ms(2);
    assert_int_equal(atomic_load(&freed_args), 1);
    assert_int_equal(atomic_load(&freed_inner), 0);
}

/* Killing a supervisor's parent brings the tree down through the link. */
static void test_parent_exit(void **state) {
    (void)state;
    probe pr = {0};
    actor_id parent;
    assert_int_equal(actor_spawn(T.sys, &probe_beh, &pr, &parent), 0);
    wcfg a = {.name = "a"};
    sup_child_spec ch[] = {child("a", &a, SUP_PERMANENT)};
    sup_spec sp = spec_of("s", SUP_ONE_FOR_ONE, ch, 1);
    actor_id sup;
    assert_int_equal(start_sup(&sp, parent, &sup, NULL, 0), 0);
    int mark = nevents();
    actor_kill(T.sys, parent);
    assert_int_equal(actor_wait_exit(T.sys, sup, WAIT_MS), 0);
    assert_string_equal(SIGS(mark), "s child_exited a shutdown|s supervisor_shutdown - killed");
    actor_exit ex;
    assert_int_equal(actor_exit_reason(T.sys, sup, &ex), 0);
    assert_int_equal(ex.kind, ACTOR_EXIT_KILLED); /* OTP: the parent's reason */
}

/* ------------------------------------------------------------------ simple_one_for_one */

static void test_simple_one_for_one(void **state) {
    (void)state;
    wcfg w = {.name = "w"};
    sup_child_spec tmpl[] = {child("w", &w, SUP_TRANSIENT)};
    sup_spec sp = spec_of("s", SUP_SIMPLE_ONE_FOR_ONE, tmpl, 1);
    actor_id sup;
    assert_int_equal(start_sup(&sp, 0, &sup, NULL, 0), 0);
    assert_int_equal(nevents(), 0); /* no children at start */
    actor_id pids[3];
    for (int i = 0; i < 3; i++) {
        actor_future *f = actor_future_new();
        supervisor_start_child(T.sys, sup, NULL, f);
        void *data = NULL;
        size_t len = 0;
        assert_int_equal(wait_reply(f, &data, &len), 0);
        assert_int_equal(len, sizeof(actor_id));
        memcpy(&pids[i], data, sizeof(actor_id));
        free(data);
    }
    size_t n;
    sup_child_info *v = which(sup, &n);
    assert_int_equal(n, 3);
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(v[i].id, "");
        assert_int_equal(v[i].pid, pids[i]);
    }
    free(v);
    sup_counts c = counts(sup);
    assert_int_equal(c.specs, 1);
    assert_int_equal(c.active, 3);
    assert_int_equal(c.workers, 3);

    /* terminate the middle one by pid: it is gone */
    int mark = nevents();
    actor_future *f = actor_future_new();
    supervisor_terminate_child(T.sys, sup, NULL, pids[1], f);
    assert_int_equal(wait_reply(f, NULL, NULL), 0);
    assert_int_equal(counts(sup).specs, 1);
    assert_int_equal(counts(sup).active, 2);
    f = actor_future_new();
    supervisor_terminate_child(T.sys, sup, NULL, pids[1], f);
    assert_int_equal(wait_reply(f, NULL, NULL), -ENOENT);
    /* restart_child / delete_child make no sense here */
    f = actor_future_new();
    supervisor_restart_child(T.sys, sup, "w", f);
    assert_int_equal(wait_reply(f, NULL, NULL), -EINVAL);

    /* an abnormal exit of an instance restarts it (transient) */
    assert_int_equal(actor_send(T.sys, pids[2], actor_msg_new(W_CRASH, 0, NULL, 0)), 0);
    AWAIT(mark, "s child_started w");
    /* a normal exit removes it */
    assert_int_equal(actor_send(T.sys, pids[0], actor_msg_new(W_NORMAL, 0, NULL, 0)), 0);
    AWAIT(mark, "s child_exited w normal");
    v = which(sup, &n);
    assert_int_equal(n, 1);
    actor_id last = v[0].pid;
    free(v);
    assert_true(last && last != pids[2]);
    assert_string_equal(SIGS(mark), "s child_exited w shutdown|s child_exited w integer divide by zero|"
                                    "s child_started w|s child_exited w normal");
    assert_int_equal(stop_and_reason(sup), ACTOR_EXIT_SHUTDOWN);
}

static void test_simple_shutdown_reverse(void **state) {
    (void)state;
    wcfg w = {.name = "w"};
    sup_child_spec tmpl[] = {child("w", &w, SUP_PERMANENT)};
    sup_spec sp = spec_of("s", SUP_SIMPLE_ONE_FOR_ONE, tmpl, 1);
    actor_id sup;
    assert_int_equal(start_sup(&sp, 0, &sup, NULL, 0), 0);
    actor_id pids[3];
    for (int i = 0; i < 3; i++) {
        actor_future *f = actor_future_new();
        supervisor_start_child(T.sys, sup, NULL, f);
        void *data = NULL;
        assert_int_equal(wait_reply(f, &data, NULL), 0);
        memcpy(&pids[i], data, sizeof(actor_id));
        free(data);
    }
    int mark = nevents();
    assert_int_equal(stop_and_reason(sup), ACTOR_EXIT_SHUTDOWN);
    for (int i = 0; i < 3; i++) {
        json_t *j = event_json(mark + i);
        assert_string_equal(json_string_value(json_object_get(j, "event")), "child_exited");
        assert_int_equal(json_integer_value(json_object_get(j, "pid")), pids[2 - i]);
        json_decref(j);
    }
}

/* ------------------------------------------------------------------ health */

static void test_health_restart(void **state) {
    (void)state;
    wcfg a = {.name = "a"}, ok = {.name = "ok"};
    atomic_store(&a.health, 2);
    atomic_store(&a.heal_on_restart, 1);
    sup_child_spec ch[] = {child("a", &a, SUP_TRANSIENT), child("ok", &ok, SUP_PERMANENT)};
    for (int i = 0; i < 2; i++) {
        ch[i].health = worker_health;
        ch[i].health_interval_ms = 20;
        ch[i].health_threshold = 2;
    }
    sup_spec sp = spec_of("s", SUP_ONE_FOR_ONE, ch, 2);
    actor_id sup;
    assert_int_equal(start_sup(&sp, 0, &sup, NULL, 0), 0);
    int mark = nevents();
    actor_id first = a.pid;
    AWAIT(mark, "s child_started a");
    assert_string_equal(sigs_from(mark, "child_restarting"),
                        "s health a unhealthy|s health a unhealthy|s child_exited a health|s child_started a");
    assert_int_not_equal(a.pid, first);
    assert_false(actor_alive(T.sys, first));
    sleep_ms(100);
    assert_int_equal(count_sig(mark, "s child_exited"), 1); /* ok (healthy) and the new a: left alone */
    assert_int_equal(stop_and_reason(sup), ACTOR_EXIT_SHUTDOWN);
}

static void test_health_degraded_and_timeout(void **state) {
    (void)state;
    wcfg d = {.name = "d"}, silent = {.name = "silent"};
    atomic_store(&d.health, 1);
    atomic_store(&silent.health, -1);
    sup_child_spec ch[] = {child("d", &d, SUP_PERMANENT), child("silent", &silent, SUP_PERMANENT)};
    for (int i = 0; i < 2; i++) {
        ch[i].health = worker_health;
        ch[i].health_interval_ms = 20;
        ch[i].health_timeout_ms = 30;
        ch[i].health_threshold = 2;
    }
    sup_spec sp = spec_of("s", SUP_ONE_FOR_ONE, ch, 2);
    actor_id sup;
    assert_int_equal(start_sup(&sp, 0, &sup, NULL, 0), 0);
    int mark = nevents();
    actor_id dpid = d.pid;
    assert_true(wait_sig(mark, "s health d degraded", 4) >= 0);
    AWAIT(mark, "s child_exited silent health");
    AWAIT(mark, "s child_started silent");
    int t = wait_sig(mark, "s health silent", 1);
    json_t *j = event_json(t);
    assert_string_equal(json_string_value(json_object_get(j, "reason")), "timeout");
    assert_string_equal(json_string_value(json_object_get(j, "status")), "unhealthy");
    json_decref(j);
    atomic_store(&silent.health, 0);
    assert_int_equal(d.pid, dpid); /* degraded is reported, not acted on */
    assert_int_equal(count_sig(mark, "s child_exited d"), 0);
    assert_int_equal(stop_and_reason(sup), ACTOR_EXIT_SHUTDOWN);
}

/* ------------------------------------------------------------------ backoff */

static int req_id(int (*fn)(actor_system *, actor_id, const char *, actor_future *), actor_id sup, const char *id) {
    actor_future *f = actor_future_new();
    fn(T.sys, sup, id, f);
    return wait_reply(f, NULL, NULL);
}

static int terminate_id(actor_id sup, const char *id) {
    actor_future *f = actor_future_new();
    supervisor_terminate_child(T.sys, sup, id, 0, f);
    return wait_reply(f, NULL, NULL);
}

static int start_child(actor_id sup, const sup_child_spec *cs, actor_id *pid) {
    actor_future *f = actor_future_new();
    supervisor_start_child(T.sys, sup, cs, f);
    void *data = NULL;
    size_t len = 0;
    int st = wait_reply(f, &data, &len);
    if (st == 0 && pid) memcpy(pid, data, sizeof *pid);
    free(data);
    return st;
}


static void test_backoff(void **state) {
    (void)state;
    wcfg a = {.name = "a"};
    sup_child_spec ch[] = {child("a", &a, SUP_PERMANENT)};
    sup_spec sp = spec_of("s", SUP_ONE_FOR_ONE, ch, 1);
    sp.backoff_initial_ms = 100;
    sp.backoff_multiplier = 2.0;
    sp.backoff_max_ms = 150;
    actor_id sup;
    assert_int_equal(start_sup(&sp, 0, &sup, NULL, 0), 0);
    int mark = nevents();
    uint32_t want[] = {100, 150, 150}; /* 100, 200 capped, 400 capped */
    for (int i = 1; i <= 3; i++) {
        int from = nevents();
        uint64_t t0 = now_ms();
        poke(&a, W_CRASH);
        int k = wait_sig(from, "s child_started a", 1);
        assert_true(k >= 0);
        assert_true(T.ev_ms[k] - t0 >= want[i - 1] - 5);
        json_t *j = event_json(wait_sig(from, "s child_restarting a", 1));
        assert_int_equal(json_integer_value(json_object_get(j, "delay_ms")), want[i - 1]);
        json_decref(j);
    }
    assert_string_equal(sigs_from(mark, NULL), "s child_exited a integer divide by zero|s child_restarting a|s child_started a|"
                                               "s child_exited a integer divide by zero|s child_restarting a|s child_started a|"
                                               "s child_exited a integer divide by zero|s child_restarting a|s child_started a");
    /* a pending delayed restart: not running, restart_child says busy */
    int m1 = nevents();
    poke(&a, W_CRASH);
    AWAIT(m1, "s child_restarting a");
    assert_int_equal(pid_of(sup, "a"), 0);
    actor_future *f = actor_future_new();
    supervisor_restart_child(T.sys, sup, "a", f);
    assert_int_equal(wait_reply(f, NULL, NULL), -EBUSY);
    /* terminate_child during the delay cancels the restart (OTP): it stays terminated */
    assert_int_equal(terminate_id(sup, "a"), 0);
    sleep_ms(250);
    assert_int_equal(pid_of(sup, "a"), 0);
    assert_int_equal(count_sig(m1, "s child_started a"), 0);
    assert_int_equal(req_id(supervisor_restart_child, sup, "a"), 0);
    assert_int_not_equal(pid_of(sup, "a"), 0);
    m1 = nevents();
    poke(&a, W_CRASH);
    AWAIT(m1, "s child_restarting a");
    /* shutting down during the delay cancels the restart */
    int m2 = nevents();
    assert_int_equal(stop_and_reason(sup), ACTOR_EXIT_SHUTDOWN);
    sleep_ms(200);
    assert_string_equal(SIGS(m2), "s supervisor_shutdown - shutdown");
}

/* ------------------------------------------------------------------ start failures */

static void test_start_failure(void **state) {
    (void)state;
    for (int async = 0; async < 2; async++) {
        wcfg a = {.name = "a"}, b = {.name = "b"}, c = {.name = "c"};
        if (async)
            atomic_store(&b.fail_async, 1);
        else
            atomic_store(&b.fail_sync, 1);
        sup_child_spec ch[] = {child("a", &a, SUP_PERMANENT), child("b", &b, SUP_PERMANENT), child("c", &c, SUP_PERMANENT)};
        sup_spec sp = spec_of("s", SUP_ONE_FOR_ONE, ch, 3);
        int mark = nevents();
        actor_id sup;
        char why[256];
        int st = start_sup(&sp, 0, &sup, why, sizeof why);
        assert_int_equal(st, -EIO);
        assert_non_null(strstr(why, "'b'"));
        assert_int_equal(actor_wait_exit(T.sys, sup, WAIT_MS), 0);
        const char *want = async ? "s child_started a|s start_failed b init failed|s child_exited a shutdown|"
                                   "s supervisor_shutdown - shutdown"
                                 : "s child_started a|s start_failed b Input/output error|s child_exited a shutdown|"
                                   "s supervisor_shutdown - shutdown";
        assert_string_equal(SIGS(mark), want);
        assert_int_equal(c.starts, 0);
        assert_false(actor_alive(T.sys, a.pid));
        actor_exit ex;
        assert_int_equal(actor_exit_reason(T.sys, sup, &ex), 0);
        assert_int_equal(ex.kind, ACTOR_EXIT_SHUTDOWN);
    }
}

/* The supervisor reads a failed start's data as text unless the child spec brings a reader: it does not
 * guess a structure from the data's size (a text exactly as long as a wactor_diag is still that text). */
typedef struct fail_blob { int code; char what[60]; } fail_blob;

static void blob_reader(void *arg, int status, const void *data, size_t len, char *reason, size_t cap) {
    const wcfg *cfg = arg;
    const fail_blob *b = data;
    if (len == sizeof *b) snprintf(reason, cap, "%s: status %d code %d %s\x01\x1b[2J", cfg->name, status, b->code, b->what);
    else snprintf(reason, cap, "unexpected %zu bytes", len);
}

static void test_start_failure_reader(void **state) {
    (void)state;
    /* 1. the spec's reader describes the data; non-printable bytes it writes are replaced */
    fail_blob blob = {.code = 42, .what = "disk full"};
    wcfg b = {.name = "b", .fail_data = &blob, .fail_len = sizeof blob};
    atomic_store(&b.fail_async, 1);
    sup_child_spec ch[] = {child("b", &b, SUP_PERMANENT)};
    ch[0].start_failure = blob_reader;
    sup_spec sp = spec_of("s", SUP_ONE_FOR_ONE, ch, 1);
    int mark = nevents();
    actor_id sup;
    char why[256];
    assert_int_equal(start_sup(&sp, 0, &sup, why, sizeof why), -EIO);
    assert_non_null(strstr(why, "b: status -5 code 42 disk full??[2J"));
    assert_int_equal(actor_wait_exit(T.sys, sup, WAIT_MS), 0);
    assert_string_equal(SIGS(mark), "s start_failed b b: status -5 code 42 disk full??[2J|s supervisor_shutdown - shutdown");

    /* 2. no reader: 264 bytes of text (the size of a wactor_diag) are text, from their first byte */
    char text[264];
    memset(text, 'x', sizeof text);
    memcpy(text, "ABCDEFGHIJ", 10);
    text[sizeof text - 1] = '\0';
    wcfg c = {.name = "c", .fail_data = text, .fail_len = sizeof text};
    atomic_store(&c.fail_async, 1);
    sup_child_spec ch2[] = {child("c", &c, SUP_PERMANENT)};
    sup_spec sp2 = spec_of("s2", SUP_ONE_FOR_ONE, ch2, 1);
    assert_int_equal(start_sup(&sp2, 0, &sup, why, sizeof why), -EIO);
    assert_non_null(strstr(why, "failed to start child 'c': ABCDEFGHIJxxx"));
    assert_int_equal(actor_wait_exit(T.sys, sup, WAIT_MS), 0);
}

/* A restart that fails to start is retried and counts as another restart. */
static void test_restart_failure_retries(void **state) {
    (void)state;
    wcfg a = {.name = "a"};
    sup_child_spec ch[] = {child("a", &a, SUP_PERMANENT)};
    sup_spec sp = spec_of("s", SUP_ONE_FOR_ONE, ch, 1);
    sp.intensity = 3;
    actor_id sup;
    assert_int_equal(start_sup(&sp, 0, &sup, NULL, 0), 0);
    int mark = nevents();
    atomic_store(&a.fail_sync, 1);
    poke(&a, W_CRASH); /* restart 1 fails, restart 2 succeeds */
    AWAIT(mark, "s child_started a");
    assert_string_equal(SIGS(mark), "s child_exited a integer divide by zero|s start_failed a Input/output error|"
                                    "s child_started a");
    mark = nevents();
    atomic_store(&a.fail_async, 5);
    poke(&a, W_CRASH); /* restart 3 fails, 4 would exceed 3 */
    assert_int_equal(actor_wait_exit(T.sys, sup, WAIT_MS), 0);
    assert_string_equal(SIGS(mark), "s child_exited a integer divide by zero|s start_failed a init failed|"
                                    "s supervisor_shutdown - reached_max_restart_intensity");
}

/* ------------------------------------------------------------------ requests */

static void test_requests(void **state) {
    (void)state;
    wcfg a = {.name = "a"}, b = {.name = "b"}, d = {.name = "d"}, bad = {.name = "bad"};
    atomic_store(&bad.fail_sync, 1);
    atomic_store(&freed_args, 0);
    sup_child_spec ch[] = {child("a", &a, SUP_PERMANENT), child("b", &b, SUP_PERMANENT)};
    ch[0].arg_free = count_free;
    sup_spec sp = spec_of("s", SUP_ONE_FOR_ONE, ch, 2);
    actor_id sup;
    assert_int_equal(start_sup(&sp, 0, &sup, NULL, 0), 0);
    int mark = nevents();

    /* terminate / restart / delete */
    assert_int_equal(req_id(supervisor_restart_child, sup, "b"), -EBUSY);
    assert_int_equal(req_id(supervisor_delete_child, sup, "b"), -EBUSY);
    assert_int_equal(terminate_id(sup, "b"), 0);
    assert_int_equal(pid_of(sup, "b"), 0);
    assert_int_equal(counts(sup).active, 1);
    assert_int_equal(terminate_id(sup, "b"), 0); /* already terminated: ok, as OTP */
    assert_int_equal(req_id(supervisor_restart_child, sup, "b"), 0);
    assert_int_equal(pid_of(sup, "b"), b.pid);
    assert_int_equal(terminate_id(sup, "b"), 0);
    assert_int_equal(req_id(supervisor_delete_child, sup, "b"), 0);
    assert_int_equal(req_id(supervisor_delete_child, sup, "b"), -ENOENT);
    assert_int_equal(req_id(supervisor_restart_child, sup, "nope"), -ENOENT);
    assert_int_equal(terminate_id(sup, "nope"), -ENOENT);
    assert_int_equal(counts(sup).specs, 1);

    /* start_child: new, duplicate, failing */
    sup_child_spec nd = child("d", &d, SUP_PERMANENT);
    actor_id dpid = 0;
    assert_int_equal(start_child(sup, &nd, &dpid), 0);
    assert_int_equal(dpid, d.pid);
    assert_int_equal(start_child(sup, &nd, NULL), -EEXIST);
    sup_child_spec nb = child("bad", &bad, SUP_PERMANENT);
    nb.arg_free = count_free;
    assert_int_equal(start_child(sup, &nb, NULL), -EIO);
    assert_int_equal(atomic_load(&freed_args), 0); /* failed: the caller keeps its arg */
    assert_int_equal(start_child(sup, NULL, NULL), -EINVAL);
    size_t n;
    sup_child_info *v = which(sup, &n);
    assert_int_equal(n, 2);
    assert_string_equal(v[0].id, "a");
    assert_string_equal(v[1].id, "d");
    assert_int_equal(v[1].type, SUP_WORKER);
    assert_int_equal(v[1].restart, SUP_PERMANENT);
    free(v);
    assert_string_equal(SIGS(mark), "s child_exited b shutdown|s child_started b|s child_exited b shutdown|"
                                    "s child_started d|s start_failed bad Input/output error");
    /* the restarted b counted as a restart in its event */
    json_t *j = event_json(wait_sig(mark, "s child_started b", 1));
    assert_true(json_is_true(json_object_get(j, "restart")));
    json_decref(j);

    assert_int_equal(stop_and_reason(sup), ACTOR_EXIT_SHUTDOWN);
    for (int i = 0; i < 500 && !atomic_load(&freed_args); i++) sleep_ms(2);
    assert_int_equal(atomic_load(&freed_args), 1); /* a's arg, once, when the supervisor ended */
    /* requests to a dead supervisor */
    assert_int_equal(terminate_id(sup, "a"), -ENOENT);
}

/* ------------------------------------------------------------------ names */

static void test_names(void **state) {
    (void)state;
    wcfg a = {.name = "a"};
    sup_child_spec ch[] = {child("a", &a, SUP_PERMANENT)};
    sup_spec sp = spec_of("dup", SUP_ONE_FOR_ONE, ch, 1);
    actor_id s1, s2;
    assert_int_equal(start_sup(&sp, 0, &s1, NULL, 0), 0);
    assert_int_equal(registry_whereis(actor_system_registry(T.sys), "dup"), s1);
    assert_int_equal(start_sup(&sp, 0, &s2, NULL, 0), -EEXIST);

    /* a nested supervisor reusing a taken name makes its parent's start fail */
    sup_spec inner = spec_of("dup", SUP_ONE_FOR_ONE, NULL, 0);
    sup_child_spec outer_children[] = {{.id = "inner", .restart = SUP_PERMANENT, .type = SUP_SUPERVISOR,
                                        .start = supervisor_child_start, .arg = &inner}};
    sup_spec outer = spec_of("outer", SUP_ONE_FOR_ONE, outer_children, 1);
    char why[256];
    actor_id o;
    assert_int_equal(start_sup(&outer, 0, &o, why, sizeof why), -EEXIST);
    assert_non_null(strstr(why, "inner"));
    assert_int_equal(actor_wait_exit(T.sys, o, WAIT_MS), 0);
    assert_int_equal(registry_whereis(actor_system_registry(T.sys), "outer"), 0);

    /* bad specs */
    sup_child_spec twins[] = {child("a", &a, SUP_PERMANENT), child("a", &a, SUP_PERMANENT)};
    sup_spec bad = spec_of(NULL, SUP_ONE_FOR_ONE, twins, 2);
    assert_int_equal(supervisor_start(T.sys, &bad, 0, NULL, &s2), -EINVAL);
    bad.strategy = SUP_SIMPLE_ONE_FOR_ONE;
    assert_int_equal(supervisor_start(T.sys, &bad, 0, NULL, &s2), -EINVAL);
    sup_spec anon = sp;
    anon.name = NULL;
    assert_int_equal(supervisor_start(T.sys, &anon, 999999, NULL, &s2), -ENOENT);
    assert_int_equal(stop_and_reason(s1), ACTOR_EXIT_SHUTDOWN);
}

/* Events escape what they carry. */
static void test_event_escaping(void **state) {
    (void)state;
    wcfg a = {.name = "a"};
    sup_child_spec ch[] = {child("we\"ird\\id", &a, SUP_TEMPORARY)};
    sup_spec sp = spec_of("s\n1", SUP_ONE_FOR_ONE, ch, 1);
    actor_id sup;
    assert_int_equal(start_sup(&sp, 0, &sup, NULL, 0), 0);
    json_t *j = event_json(0);
    assert_string_equal(json_string_value(json_object_get(j, "child")), "we\"ird\\id");
    assert_string_equal(json_string_value(json_object_get(j, "supervisor")), "s\n1");
    assert_true(json_is_null(json_object_get(j, "reason")));
    json_decref(j);
    assert_int_equal(stop_and_reason(sup), ACTOR_EXIT_SHUTDOWN);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_one_for_one, setup, teardown),
        cmocka_unit_test_setup_teardown(test_one_for_all, setup, teardown),
        cmocka_unit_test_setup_teardown(test_one_for_all_simultaneous, setup, teardown),
        cmocka_unit_test_setup_teardown(test_group_restart_siblings, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rest_for_one, setup, teardown),
        cmocka_unit_test_setup_teardown(test_restart_types, setup, teardown),
        cmocka_unit_test_setup_teardown(test_intensity_exceeded, setup, teardown),
        cmocka_unit_test_setup_teardown(test_intensity_zero, setup, teardown),
        cmocka_unit_test_setup_teardown(test_intensity_window_forgets, setup, teardown),
        cmocka_unit_test_setup_teardown(test_shutdown_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_brutal_kill_and_timeout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_busy_while_stopping, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nested_tree, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parent_exit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_simple_one_for_one, setup, teardown),
        cmocka_unit_test_setup_teardown(test_simple_shutdown_reverse, setup, teardown),
        cmocka_unit_test_setup_teardown(test_health_restart, setup, teardown),
        cmocka_unit_test_setup_teardown(test_health_degraded_and_timeout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_backoff, setup, teardown),
        cmocka_unit_test_setup_teardown(test_start_failure, setup, teardown),
        cmocka_unit_test_setup_teardown(test_start_failure_reader, setup, teardown),
        cmocka_unit_test_setup_teardown(test_restart_failure_retries, setup, teardown),
        cmocka_unit_test_setup_teardown(test_requests, setup, teardown),
        cmocka_unit_test_setup_teardown(test_names, setup, teardown),
        cmocka_unit_test_setup_teardown(test_event_escaping, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
