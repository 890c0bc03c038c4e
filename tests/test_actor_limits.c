/* test_actor_limits.c — per-actor quotas (actor_spawn_opts): max_monitors, max_links, max_timers.
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
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "actor/actor.h"

enum { MSG_TICK = ACTOR_MSG_USER, MSG_HOSTILE_MONITOR };

typedef struct obs {
    atomic_long downs, noproc, exits, ticks;
    atomic_long hostile_ok, hostile_quota; /* results of MSG_HOSTILE_MONITOR's loop */
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

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_max_monitors),
        cmocka_unit_test(test_max_links),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
