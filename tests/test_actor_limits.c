/* test_actor_limits.c — per-actor quotas (actor_spawn_opts): max_monitors, max_links, max_timers; and the
 * bound on inline turns nesting on one thread (actor_send_run).
 * A quota reached is -EDQUOT with nothing changed; what frees a unit (a DOWN received, demonitor, unlink,
 * the partner's end, a timer firing or cancelled) gives it back; what others do with an actor never uses up
 * its own quota; 0 is unlimited. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "support.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "actor/actor.h"

enum { MSG_TICK = ACTOR_MSG_USER, MSG_HOSTILE_MONITOR, MSG_TIMED, MSG_HOSTILE_DEMONITOR };

/* MSG_TIMED's payload: which timer, and the bounds of its deadline as the setter saw them */
typedef struct timed {
    uint64_t idx, lo_ns, hi_ns;
} timed;

/* MSG_TIMED as received: hi_ns replaced by its arrival time */
typedef struct obs {
    atomic_long downs, noproc, exits, ticks;
    atomic_long hostile_ok, hostile_quota; /* results of MSG_HOSTILE_MONITOR's loop */
    timed *arrived;                        /* MSG_TIMED in arrival order (runner only) */
    size_t narrived, maxarrived;
    atomic_long timed_n;
} obs;

static actor_result obs_receive(actor *self, actor_msg *m) {
    obs *o = actor_state(self);
    if (m->type == ACTOR_MSG_DOWN && m->len == sizeof(actor_down)) {
        actor_down d;
        memcpy(&d, m->data, sizeof d);
        atomic_fetch_add(&o->downs, 1);
        if (d.reason.kind == ACTOR_EXIT_NOPROC) atomic_fetch_add(&o->noproc, 1);
    } else if (m->type == ACTOR_MSG_EXIT) {
        atomic_fetch_add(&o->exits, 1);
    } else if (m->type == MSG_TICK) {
        atomic_fetch_add(&o->ticks, 1);
    } else if (m->type == MSG_TIMED && m->len == sizeof(timed)) {
        if (o->narrived < o->maxarrived) {
            timed *t = &o->arrived[o->narrived++];
            memcpy(t, m->data, sizeof *t);
            struct timespec ts;
            clock_gettime(CLOCK_MONOTONIC, &ts);
            t->hi_ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec; /* arrival time */
        }
        atomic_fetch_add(&o->timed_n, 1);
    } else if (m->type == MSG_HOSTILE_DEMONITOR && m->len == sizeof(actor_id)) {
        /* monitor a dead actor (a NOPROC DOWN is queued at once) and take the monitor back, again and again */
        actor_id target;
        memcpy(&target, m->data, sizeof target);
        for (int i = 0; i < 10000; i++) {
            uint64_t ref = 0;
            int rc = actor_monitor(actor_sys(self), actor_self(self), target, &ref);
            atomic_fetch_add(rc == 0 ? &o->hostile_ok : rc == -EDQUOT ? &o->hostile_quota : &o->exits, 1);
            if (rc == 0 && actor_demonitor(actor_sys(self), actor_self(self), ref) != 0)
                atomic_fetch_add(&o->exits, 1);
        }
    } else if (m->type == MSG_HOSTILE_MONITOR && m->len == sizeof(actor_id)) {
        /* what a guest in a loop could do within one handler run: monitor a dead actor again and again */
        actor_id target;
        memcpy(&target, m->data, sizeof target);
        for (int i = 0; i < 10000; i++) {
            int rc = actor_monitor(actor_sys(self), actor_self(self), target, NULL);
            atomic_fetch_add(rc == 0 ? &o->hostile_ok : rc == -EDQUOT ? &o->hostile_quota : &o->exits, 1);
        }
    }
    bool stop = m->type == ACTOR_MSG_STOP;
    actor_msg_free(m);
    return stop ? ACTOR_STOP : ACTOR_CONTINUE;
}
static const actor_behaviour obs_beh = {"obs", obs_receive, NULL, NULL};

static actor_id spawn_obs(actor_system *sys, obs *o, const actor_spawn_opts *opts) {
    actor_id id = 0;
    assert_int_equal(actor_spawn_opt(sys, &obs_beh, o, opts, &id), 0);
    return id;
}

static actor_system_stats stats(actor_system *sys) {
    actor_system_stats s;
    actor_system_stats_get(sys, &s);
    return s;
}

/* Polls *v until it is >= want (up to 5 s); returns the last value seen. */
static long wait_at_least(atomic_long *v, long want) {
    uint64_t t0 = now_ms();
    long x;
    while ((x = atomic_load(v)) < want && now_ms() - t0 < 5000) sleep_ms(1);
    return x;
}

/* ------------------------------------------------------------------ monitors */

static void test_max_monitors(void **st) {
    (void)st;
    actor_system *sys;
    assert_int_equal(actor_system_create(2, &sys), 0);
    obs w = {0}, t = {0}, x = {0};
    actor_id W = spawn_obs(sys, &w, &(actor_spawn_opts){.max_monitors = 3});
    actor_id T = spawn_obs(sys, &t, NULL);
    actor_id X = spawn_obs(sys, &x, NULL);
    uint64_t r[3];
    for (int i = 0; i < 3; i++) assert_int_equal(actor_monitor(sys, W, T, &r[i]), 0);
    uint64_t bad = 77;
    assert_int_equal(actor_monitor(sys, W, T, &bad), -EDQUOT);
    assert_int_equal(bad, 77);                                   /* no ref handed out */
    assert_int_equal(actor_monitor(sys, W, 999999, NULL), -EDQUOT); /* a NOPROC monitor is held too */
    assert_int_equal(actor_monitor(sys, W, W, NULL), -EDQUOT);
    /* others watching W use none of W's quota (and X is unlimited) */
    for (int i = 0; i < 50; i++) assert_int_equal(actor_monitor(sys, X, W, NULL), 0);
    /* demonitor gives one back */
    assert_int_equal(actor_demonitor(sys, W, r[1]), 0);
    assert_int_equal(actor_monitor(sys, W, T, &r[1]), 0);
    assert_int_equal(actor_monitor(sys, W, T, NULL), -EDQUOT);
    /* spawn_monitor counts against the watcher: refused, nothing spawned */
    uint64_t spawned = stats(sys).spawned;
    obs y = {0};
    actor_id Y = 0;
    assert_int_equal(actor_spawn_opt(sys, &obs_beh, &y, &(actor_spawn_opts){.monitor = W}, &Y), -EDQUOT);
    assert_int_equal(stats(sys).spawned, spawned);
    /* the target ends: three DOWNs; once received, the quota is free again */
    assert_int_equal(actor_stop(sys, T), 0);
    assert_int_equal(actor_wait_exit(sys, T, 5000), 0);
    assert_int_equal(wait_at_least(&w.downs, 3), 3);
    assert_int_equal(actor_system_wait_idle(sys, 5000), 0);
    /* (W receives these concurrently, so whether a 4th would fit here depends on timing: see below) */
    for (int i = 0; i < 3; i++) assert_int_equal(actor_monitor(sys, W, T, NULL), 0); /* dead: NOPROC */
    assert_int_equal(actor_system_wait_idle(sys, 5000), 0);
    assert_int_equal(atomic_load(&w.downs), 6);
    assert_int_equal(atomic_load(&w.noproc), 3);
    /* a hostile loop of monitor(dead) inside one handler run queues at most max_monitors DOWNs */
    assert_int_equal(actor_send(sys, W, actor_msg_new(MSG_HOSTILE_MONITOR, 0, &T, sizeof T)), 0);
    assert_int_equal(actor_system_wait_idle(sys, 5000), 0);
    assert_int_equal(atomic_load(&w.hostile_ok), 3);
    assert_int_equal(atomic_load(&w.hostile_quota), 10000 - 3);
    assert_int_equal(atomic_load(&w.downs), 9);
    assert_int_equal(atomic_load(&w.exits), 0);
    /* ...nor can monitor(dead) + demonitor: a DOWN already queued keeps its unit until it is taken out */
    atomic_store(&w.hostile_ok, 0);
    atomic_store(&w.hostile_quota, 0);
    long downs_before = atomic_load(&w.downs);
    assert_int_equal(actor_send(sys, W, actor_msg_new(MSG_HOSTILE_DEMONITOR, 0, &T, sizeof T)), 0);
    assert_int_equal(actor_system_wait_idle(sys, 5000), 0);
    assert_int_equal(atomic_load(&w.hostile_ok), 3);
    assert_int_equal(atomic_load(&w.hostile_quota), 10000 - 3);
    assert_int_equal(atomic_load(&w.exits), 0);
    assert_int_equal(atomic_load(&w.downs), downs_before); /* demonitored: none reached receive() */
    /* the three stale DOWNs were taken out and dropped: the quota is whole again */
    assert_int_equal(actor_send(sys, W, actor_msg_new(MSG_HOSTILE_MONITOR, 0, &T, sizeof T)), 0);
    assert_int_equal(actor_system_wait_idle(sys, 5000), 0);
    assert_int_equal(atomic_load(&w.hostile_ok), 3 + 3);
    /* demonitor of a live target's monitor gives its unit back at once (no DOWN is on its way) */
    obs z = {0};
    actor_id Z = spawn_obs(sys, &z, NULL);
    for (int i = 0; i < 100; i++) {
        uint64_t ref = 0;
        assert_int_equal(actor_monitor(sys, W, Z, &ref), 0);
        assert_int_equal(actor_demonitor(sys, W, ref), 0);
    }
    /* spawn_monitor within quota works */
    assert_int_equal(actor_spawn_opt(sys, &obs_beh, &y, &(actor_spawn_opts){.monitor = W}, &Y), 0);
    /* unlimited by default */
    obs u = {0};
    actor_id U = spawn_obs(sys, &u, NULL);
    for (int i = 0; i < 5000; i++) assert_int_equal(actor_monitor(sys, U, X, NULL), 0);
    actor_system_destroy(sys);
}

/* ------------------------------------------------------------------ links */

static void test_max_links(void **st) {
    (void)st;
    actor_system *sys;
    assert_int_equal(actor_system_create(2, &sys), 0);
    obs a = {0}, p[8];
    memset(p, 0, sizeof p);
    actor_id A = spawn_obs(sys, &a, &(actor_spawn_opts){.max_links = 2, .trap_exits = true});
    actor_id P[8];
    for (int i = 0; i < 8; i++) P[i] = spawn_obs(sys, &p[i], &(actor_spawn_opts){.trap_exits = true});
    assert_int_equal(actor_link(sys, A, P[0]), 0);
    assert_int_equal(actor_link(sys, A, P[1]), 0);
    assert_int_equal(actor_link(sys, A, P[2]), -EDQUOT);
    assert_int_equal(actor_link(sys, A, P[0]), 0);  /* linking again is the same link: no quota used */
    assert_int_equal(actor_link(sys, P[1], A), 0);  /* the other way round: the same link too */
    assert_int_equal(actor_link(sys, A, A), 0);     /* oneself: nothing */
    /* links others make with A do not count against A */
    for (int i = 3; i < 6; i++) assert_int_equal(actor_link(sys, P[i], A), 0);
    assert_int_equal(actor_link(sys, A, P[2]), -EDQUOT);
    /* spawn_link counts against the parent */
    obs c = {0};
    actor_id C = 0;
    uint64_t spawned = stats(sys).spawned;
    assert_int_equal(actor_spawn_opt(sys, &obs_beh, &c, &(actor_spawn_opts){.link = A}, &C), -EDQUOT);
    assert_int_equal(stats(sys).spawned, spawned);
    /* ...but a child's own quota is not used by its parent's link */
    obs d = {0};
    actor_id D = 0;
    assert_int_equal(
        actor_spawn_opt(sys, &obs_beh, &d, &(actor_spawn_opts){.link = P[6], .max_links = 1}, &D), 0);
    assert_int_equal(actor_link(sys, D, P[7]), 0);
    assert_int_equal(actor_link(sys, D, P[2]), -EDQUOT);
    /* unlink frees a unit (from either side) */
    assert_int_equal(actor_unlink(sys, P[0], A), 0);
    assert_int_equal(actor_link(sys, A, P[2]), 0);
    assert_int_equal(actor_link(sys, A, P[0]), -EDQUOT);
    /* a partner's end frees a unit: A traps, so it gets an EXIT and lives on */
    actor_exit boom = {.kind = ACTOR_EXIT_ERROR, .code = 1, .text = "boom"};
    assert_int_equal(actor_exit_signal_send(sys, 0, P[1], &boom), 0); /* P[1] traps: it only gets an EXIT */
    assert_int_equal(actor_kill(sys, P[1]), 0);
    assert_int_equal(actor_wait_exit(sys, P[1], 5000), 0);
    assert_int_equal(wait_at_least(&a.exits, 1), 1);
    assert_int_equal(actor_link(sys, A, P[0]), 0);
    assert_int_equal(actor_link(sys, A, P[6]), -EDQUOT);
    /* the end of one who linked to A frees nothing of A's quota (it was not counted) */
    assert_int_equal(actor_kill(sys, P[3]), 0);
    assert_int_equal(actor_wait_exit(sys, P[3], 5000), 0);
    assert_int_equal(wait_at_least(&a.exits, 2), 2);
    assert_int_equal(actor_link(sys, A, P[6]), -EDQUOT);
    /* linking to a dead actor: no link is made, so the quota does not matter for the NOPROC signal */
    assert_int_equal(actor_unlink(sys, A, P[0]), 0);
    assert_int_equal(actor_link(sys, A, P[1]), 0); /* dead: EXIT noproc (A traps) */
    assert_int_equal(wait_at_least(&a.exits, 3), 3);
    assert_int_equal(actor_link(sys, A, P[0]), 0); /* the unit freed by the unlink is still free */
    assert_int_equal(actor_link(sys, A, P[6]), -EDQUOT);
    assert_int_equal(actor_system_wait_idle(sys, 5000), 0);
    actor_system_destroy(sys);
}

/* ------------------------------------------------------------------ timers */

static uint64_t mono(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static actor_msg *tick(void) { return actor_msg_new(MSG_TICK, 0, NULL, 0); }

static void test_max_timers(void **st) {
    (void)st;
    actor_system *sys;
    assert_int_equal(actor_system_create(2, &sys), 0);
    obs o = {0}, u = {0};
    actor_id O = spawn_obs(sys, &o, &(actor_spawn_opts){.max_timers = 4});
    actor_id U = spawn_obs(sys, &u, NULL);
    uint64_t t[4];
    for (int i = 0; i < 4; i++) assert_int_equal(actor_timer_start(sys, O, tick(), 60000, &t[i]), 0);
    actor_system_stats s0 = stats(sys);
    uint64_t bad = 5;
    assert_int_equal(actor_timer_start(sys, O, tick(), 60000, &bad), -EDQUOT);
    assert_int_equal(bad, 5);
    assert_int_equal(actor_send_after(sys, O, tick(), 1), -EDQUOT);
    /* a request riding on a refused timer learns why */
    actor_future *f = actor_future_new();
    actor_msg *m = tick();
    actor_future_retain(f);
    m->reply = f;
    assert_int_equal(actor_send_after(sys, O, m, 1), -EDQUOT);
    int status = 0;
    assert_int_equal(actor_future_poll(f, &status, NULL, NULL), 0);
    assert_int_equal(status, -EDQUOT);
    actor_future_release(f);
    actor_system_stats s1 = stats(sys);
    assert_int_equal(s1.refused_full - s0.refused_full, 3);
    assert_int_equal(s1.dead_letters, s0.dead_letters);
    /* other targets are not affected, nor timers for ids not alive */
    for (int i = 0; i < 100; i++) assert_int_equal(actor_send_after(sys, U, tick(), 1), 0);
    assert_int_equal(actor_send_after(sys, 999999, tick(), 1), 0);
    /* a cancel gives a unit back; cancelling twice is -ENOENT and gives nothing */
    assert_int_equal(actor_timer_cancel(sys, t[2]), 0);
    assert_int_equal(actor_timer_cancel(sys, t[2]), -ENOENT);
    assert_int_equal(actor_timer_start(sys, O, tick(), 1, &t[2]), 0); /* fires soon */
    assert_int_equal(actor_send_after(sys, O, tick(), 1), -EDQUOT);
    /* firing gives it back */
    assert_int_equal(wait_at_least(&o.ticks, 1), 1);
    assert_int_equal(actor_timer_cancel(sys, t[2]), -ENOENT);
    assert_int_equal(actor_send_after(sys, O, tick(), 1), 0);
    assert_int_equal(wait_at_least(&o.ticks, 2), 2);
    assert_int_equal(wait_at_least(&u.ticks, 100), 100);
    /* the remaining three long ones: cancel them; then the system is idle */
    assert_int_equal(actor_timer_cancel(sys, t[0]), 0);
    assert_int_equal(actor_timer_cancel(sys, t[1]), 0);
    assert_int_equal(actor_timer_cancel(sys, t[3]), 0);
    assert_int_equal(actor_system_wait_idle(sys, 5000), 0);
    for (int i = 0; i < 4; i++) assert_int_equal(actor_timer_start(sys, O, tick(), 60000, &t[i]), 0);
    assert_int_equal(actor_send_after(sys, O, tick(), 1), -EDQUOT);
    actor_system_destroy(sys); /* pending timers are dropped */
}

/* Threads race for the last units: exactly max_timers win. */
typedef struct tsetter {
    actor_system *sys;
    actor_id to;
    atomic_int *go;
    uint64_t ids[400];
    long ok, quota, other;
} tsetter;

static void *tsetter_main(void *arg) {
    tsetter *t = arg;
    while (!atomic_load(t->go)) {
    }
    for (int i = 0; i < 400; i++) {
        uint64_t id = 0;
        int rc = actor_timer_start(t->sys, t->to, tick(), 60000, &id);
        if (rc == 0) t->ids[t->ok++] = id;
        else if (rc == -EDQUOT) t->quota++;
        else t->other++;
    }
    return NULL;
}

static void test_max_timers_concurrent(void **st) {
    (void)st;
    enum { NT = 4, MAX = 150 };
    actor_system *sys;
    assert_int_equal(actor_system_create(2, &sys), 0);
    obs o = {0};
    actor_id O = spawn_obs(sys, &o, &(actor_spawn_opts){.max_timers = MAX});
    atomic_int go = 0;
    tsetter *t = calloc(NT, sizeof *t);
    pthread_t th[NT];
    for (int i = 0; i < NT; i++) {
        t[i] = (tsetter){.sys = sys, .to = O, .go = &go};
        assert_int_equal(pthread_create(&th[i], NULL, tsetter_main, &t[i]), 0);
    }
    atomic_store(&go, 1);
    for (int i = 0; i < NT; i++) pthread_join(th[i], NULL);
    long ok = 0, quota = 0, other = 0;
    for (int i = 0; i < NT; i++) ok += t[i].ok, quota += t[i].quota, other += t[i].other;
    assert_int_equal(ok, MAX);
    assert_int_equal(quota, NT * 400 - MAX);
    assert_int_equal(other, 0);
    for (int i = 0; i < NT; i++)
        for (long j = 0; j < t[i].ok; j++) assert_int_equal(actor_timer_cancel(sys, t[i].ids[j]), 0);
    assert_int_equal(actor_system_wait_idle(sys, 5000), 0);
    assert_int_equal(actor_timer_start(sys, O, tick(), 60000, NULL), 0);
    actor_system_destroy(sys);
    free(t);
}

/* Many timers, half cancelled in random order: exactly the others arrive, in deadline order (the heap index
 * stays right through every cancel). */
static void test_timer_cancel_many(void **st) {
    (void)st;
    enum { NTM = 20000 };
    actor_system *sys;
    assert_int_equal(actor_system_create(2, &sys), 0);
    obs o = {0};
    o.arrived = calloc(NTM, sizeof *o.arrived);
    o.maxarrived = NTM;
    actor_id O = spawn_obs(sys, &o, NULL);
    uint64_t *ids = calloc(NTM, sizeof *ids);
    timed *tm = calloc(NTM, sizeof *tm);
    uint64_t s = 0x2545F4914F6CDD1Dull;
    for (uint64_t i = 0; i < NTM; i++) {
        s ^= s << 13, s ^= s >> 7, s ^= s << 17;
        uint32_t delay = 1000 + (uint32_t)(s % 400); /* 1000..1399 ms: all set and half cancelled before
                                                        the first is due, even on a loaded machine */
        tm[i].idx = i;
        tm[i].lo_ns = mono() + (uint64_t)delay * 1000000ull;
        actor_msg *m = actor_msg_new(MSG_TIMED, 0, &tm[i], sizeof(timed));
        assert_int_equal(actor_timer_start(sys, O, m, delay, &ids[i]), 0);
        tm[i].hi_ns = mono() + (uint64_t)delay * 1000000ull; /* the deadline lies in [lo, hi] */
    }
    /* cancel every odd one, in a shuffled order */
    uint64_t *order = calloc(NTM / 2, sizeof *order);
    for (uint64_t i = 0; i < NTM / 2; i++) order[i] = 2 * i + 1;
    for (uint64_t i = NTM / 2 - 1; i > 0; i--) {
        s ^= s << 13, s ^= s >> 7, s ^= s << 17;
        uint64_t j = s % (i + 1), x = order[i];
        order[i] = order[j], order[j] = x;
    }
    for (uint64_t i = 0; i < NTM / 2; i++) assert_int_equal(actor_timer_cancel(sys, ids[order[i]]), 0);
    assert_int_equal(actor_system_wait_idle(sys, 10000), 0);
    assert_int_equal(atomic_load(&o.timed_n), NTM / 2);
    for (size_t k = 0; k < o.narrived; k++) {
        timed a = o.arrived[k];
        assert_int_equal(a.idx % 2, 0); /* no cancelled timer fired */
        assert_true(a.hi_ns >= a.lo_ns); /* never early (hi_ns: when it arrived) */
        /* in deadline order: the one before could not have had a later deadline than this one */
        if (k) assert_true(o.arrived[k - 1].lo_ns <= tm[a.idx].hi_ns);
    }
    for (uint64_t i = 0; i < NTM; i++) assert_int_equal(actor_timer_cancel(sys, ids[i]), -ENOENT);
    actor_system_destroy(sys);
    free(o.arrived), free(ids), free(tm), free(order);
}

/* ------------------------------------------------------------------ inline turns */

/* A chain of actors, each passing the message on with actor_send_run from its handler: without a bound the
 * turns would nest on one thread's stack as deep as the chain is long. */
enum { CHAIN = 3000 };
typedef struct chain {
    actor_id next[CHAIN];
    atomic_long got;
    atomic_long max_depth;
} chain;
static _Thread_local long chain_depth;

static actor_result chain_receive(actor *self, actor_msg *m) {
    chain *c = actor_state(self);
    if (m->type == MSG_TICK && m->len == sizeof(uint64_t)) {
        uint64_t i;
        memcpy(&i, m->data, sizeof i);
        long d = ++chain_depth;
        long cur = atomic_load(&c->max_depth);
        while (d > cur && !atomic_compare_exchange_weak(&c->max_depth, &cur, d)) {
        }
        atomic_fetch_add(&c->got, 1);
        if (i + 1 < CHAIN) {
            uint64_t n = i + 1;
            actor_send_run(actor_sys(self), c->next[n], actor_msg_new(MSG_TICK, 0, &n, sizeof n));
        }
        chain_depth--;
    }
    bool stop = m->type == ACTOR_MSG_STOP;
    actor_msg_free(m);
    return stop ? ACTOR_STOP : ACTOR_CONTINUE;
}
static const actor_behaviour chain_beh = {"chain", chain_receive, NULL, NULL};

static void test_inline_depth(void **st) {
    (void)st;
    actor_system *sys;
    assert_int_equal(actor_system_create(2, &sys), 0);
    chain *c = calloc(1, sizeof *c);
    for (int i = 0; i < CHAIN; i++) assert_int_equal(actor_spawn(sys, &chain_beh, c, &c->next[i]), 0);
    uint64_t zero = 0;
    assert_int_equal(actor_send_run(sys, c->next[0], actor_msg_new(MSG_TICK, 0, &zero, sizeof zero)), 0);
    assert_int_equal(actor_system_wait_idle(sys, 10000), 0);
    assert_int_equal(atomic_load(&c->got), CHAIN);
    assert_true(atomic_load(&c->max_depth) >= 2);  /* it did run inline... */
    /* ...but never deeper than the bound: 8 inline turns on top of the turn a scheduler thread runs */
    assert_true(atomic_load(&c->max_depth) <= 9);
    actor_system_destroy(sys);
    free(c);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_max_monitors),
        cmocka_unit_test(test_max_links),
        cmocka_unit_test(test_max_timers),
        cmocka_unit_test(test_max_timers_concurrent),
        cmocka_unit_test(test_timer_cancel_many),
        cmocka_unit_test(test_inline_depth),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
