/* test_actor_links.c — exit reasons, monitors, links, trap_exit, exit signals, spawn options, notify futures.
 *
 * cmocka asserts only on the test thread: actors record what they receive in a mutex-protected log. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "support.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "actor/actor.h"

enum { CMD_STOP = ACTOR_MSG_USER, CMD_STOP_ERR, CMD_TRAP, CMD_BLOCK, CMD_LINK, CMD_NOP };

/* ------------------------------------------------------------------ a recording actor */

#define REC_MAX 512
typedef struct ev {
    uint32_t type;
    actor_id from;
    uint64_t corr;
    size_t len;
    uint8_t data[sizeof(actor_down) + 64];
} ev;

typedef struct rec {
    pthread_mutex_t mu;
    int n;
    ev ev[REC_MAX];
    atomic_int terminated, killed;
    atomic_int gate;       /* CMD_BLOCK spins until set */
    atomic_int blocked;    /* inside CMD_BLOCK */
    atomic_long downs, exits; /* counters for the stress tests */
} rec;

static rec *rec_new(void) {
    rec *r = calloc(1, sizeof *r);
    pthread_mutex_init(&r->mu, NULL);
    return r;
}
static void rec_free(rec *r) {
    pthread_mutex_destroy(&r->mu);
    free(r);
}
static int rec_count(rec *r) {
    pthread_mutex_lock(&r->mu);
    int n = r->n;
    pthread_mutex_unlock(&r->mu);
    return n;
}
static ev rec_get(rec *r, int i) {
    pthread_mutex_lock(&r->mu);
    ev e = r->ev[i];
    pthread_mutex_unlock(&r->mu);
    return e;
}
/* Waits until r holds at least n events (up to 5 s). */
static int rec_wait(rec *r, int n) {
    uint64_t t0 = now_ms();
    while (rec_count(r) < n && now_ms() - t0 < 5000) sleep_ms(1);
    return rec_count(r);
}

static actor_result rec_receive(actor *self, actor_msg *m) {
    rec *r = actor_state(self);
    actor_result res = ACTOR_CONTINUE;
    uint64_t arg = 0;
    if (m->len >= sizeof arg) memcpy(&arg, m->data, sizeof arg);
    switch (m->type) {
    case ACTOR_MSG_STOP:
    case CMD_STOP:
        res = ACTOR_STOP;
        break;
    case CMD_STOP_ERR: {
        actor_exit x = {.kind = ACTOR_EXIT_ERROR, .code = (int)arg};
        snprintf(x.text, sizeof x.text, "boom %d", (int)arg);
        actor_set_exit(self, &x);
        res = ACTOR_STOP;
        break;
    }
    case CMD_TRAP:
        actor_trap_exits(self, arg != 0);
        break;
    case CMD_LINK:
        actor_link(actor_sys(self), actor_self(self), arg);
        break;
    case CMD_BLOCK:
        atomic_store(&r->blocked, 1);
        while (!atomic_load(&r->gate)) sleep_ms(1);
        break;
    case CMD_NOP:
        break;
    default:
        if (m->type == ACTOR_MSG_DOWN) atomic_fetch_add(&r->downs, 1);
        if (m->type == ACTOR_MSG_EXIT) atomic_fetch_add(&r->exits, 1);
        pthread_mutex_lock(&r->mu);
        if (r->n < REC_MAX) {
            ev *e = &r->ev[r->n++];
            e->type = m->type;
            e->from = m->from;
            e->corr = m->corr;
            e->len = m->len;
            memcpy(e->data, m->data, m->len < sizeof e->data ? m->len : sizeof e->data);
        }
        pthread_mutex_unlock(&r->mu);
    }
    actor_msg_free(m);
    return res;
}

static void rec_terminate(actor *self, bool killed) {
    rec *r = actor_state(self);
    atomic_store(&r->killed, killed);
    atomic_fetch_add(&r->terminated, 1);
}

static const actor_behaviour rec_beh = {"rec", rec_receive, NULL, rec_terminate};

static actor_id spawn_rec(actor_system *sys, rec *r) {
    actor_id id = 0;
    assert_int_equal(actor_spawn(sys, &rec_beh, r, &id), 0);
    return id;
}

static int cmd(actor_system *sys, actor_id to, uint32_t type, uint64_t arg) {
    return actor_send(sys, to, actor_msg_new(type, 0, &arg, sizeof arg));
}

static actor_down ev_down(const ev *e) {
    actor_down d;
    assert_int_equal(e->type, ACTOR_MSG_DOWN);
    assert_int_equal(e->len, sizeof d);
    memcpy(&d, e->data, sizeof d);
    return d;
}

static actor_exit_signal ev_exit(const ev *e) {
    actor_exit_signal s;
    assert_int_equal(e->type, ACTOR_MSG_EXIT);
    assert_int_equal(e->len, sizeof s);
    memcpy(&s, e->data, sizeof s);
    return s;
}

static void wait_dead(actor_system *sys, actor_id id) {
    assert_int_equal(actor_wait_exit(sys, id, 5000), 0);
    assert_false(actor_alive(sys, id));
}

/* ------------------------------------------------------------------ monitors */

static void test_down_reasons(void **st) {
    (void)st;
    actor_system *sys;
    assert_int_equal(actor_system_create(2, &sys), 0);
    rec *w = rec_new(), *t1 = rec_new(), *t2 = rec_new(), *t3 = rec_new(), *t4 = rec_new();
    actor_id W = spawn_rec(sys, w), T1 = spawn_rec(sys, t1), T2 = spawn_rec(sys, t2), T3 = spawn_rec(sys, t3),
             T4 = spawn_rec(sys, t4);
    uint64_t r1 = 0, r2 = 0, r3 = 0, r4 = 0, r5 = 0;
    assert_int_equal(actor_monitor(sys, W, T1, &r1), 0);
    assert_int_equal(actor_monitor(sys, W, T2, &r2), 0);
    assert_int_equal(actor_monitor(sys, W, T3, &r3), 0);
    assert_int_equal(actor_monitor(sys, W, T4, &r4), 0);
    assert_true(r1 && r2 && r3 && r4 && r1 != r2 && r2 != r3 && r3 != r4);
    assert_int_equal(actor_exit_reason(sys, T1, NULL), -ENOENT); /* alive */

    /* normal */
    assert_int_equal(cmd(sys, T1, CMD_STOP, 0), 0);
    assert_int_equal(rec_wait(w, 1), 1);
    actor_down d = ev_down((ev[]){rec_get(w, 0)});
    assert_int_equal(d.ref, r1);
    assert_int_equal(d.who, T1);
    assert_int_equal(d.reason.kind, ACTOR_EXIT_NORMAL);
    assert_int_equal(rec_get(w, 0).from, T1);
    assert_int_equal(rec_get(w, 0).corr, r1);
    wait_dead(sys, T1);
    assert_int_equal(atomic_load(&t1->killed), 0);

    /* error with code and text */
    assert_int_equal(cmd(sys, T2, CMD_STOP_ERR, 42), 0);
    assert_int_equal(rec_wait(w, 2), 2);
    d = ev_down((ev[]){rec_get(w, 1)});
    assert_int_equal(d.ref, r2);
    assert_int_equal(d.who, T2);
    assert_int_equal(d.reason.kind, ACTOR_EXIT_ERROR);
    assert_int_equal(d.reason.code, 42);
    assert_string_equal(d.reason.text, "boom 42");
    wait_dead(sys, T2);
    assert_int_equal(atomic_load(&t2->killed), 0);

    /* killed */
    assert_int_equal(actor_kill(sys, T3), 0);
    assert_int_equal(rec_wait(w, 3), 3);
    d = ev_down((ev[]){rec_get(w, 2)});
    assert_int_equal(d.ref, r3);
    assert_int_equal(d.reason.kind, ACTOR_EXIT_KILLED);
    wait_dead(sys, T3);
    assert_int_equal(atomic_load(&t3->killed), 1);

    /* shutdown via an exit signal (non-trapping target ends with it) */
    actor_exit sd = {.kind = ACTOR_EXIT_SHUTDOWN};
    assert_int_equal(actor_exit_signal_send(sys, 0, T4, &sd), 0);
    assert_int_equal(rec_wait(w, 4), 4);
    d = ev_down((ev[]){rec_get(w, 3)});
    assert_int_equal(d.ref, r4);
    assert_int_equal(d.reason.kind, ACTOR_EXIT_SHUTDOWN);
    wait_dead(sys, T4);
    assert_int_equal(atomic_load(&t4->killed), 1);

    /* NOPROC: dead, and never existing */
    assert_int_equal(actor_monitor(sys, W, T1, &r5), 0);
    assert_int_equal(rec_wait(w, 5), 5);
    d = ev_down((ev[]){rec_get(w, 4)});
    assert_int_equal(d.ref, r5);
    assert_int_equal(d.who, T1);
    assert_int_equal(d.reason.kind, ACTOR_EXIT_NOPROC);
    assert_int_equal(actor_monitor(sys, W, 999999, NULL), 0);
    assert_int_equal(rec_wait(w, 6), 6);
    assert_int_equal(ev_down((ev[]){rec_get(w, 5)}).reason.kind, ACTOR_EXIT_NOPROC);

    /* a dead watcher */
    assert_int_equal(actor_monitor(sys, T1, W, NULL), -ENOENT);
    assert_int_equal(actor_monitor(sys, 999999, W, NULL), -ENOENT);

    /* reasons kept after the end */
    actor_exit x;
    assert_int_equal(actor_exit_reason(sys, T1, &x), 0);
    assert_int_equal(x.kind, ACTOR_EXIT_NORMAL);
    assert_int_equal(actor_exit_reason(sys, T2, &x), 0);
    assert_int_equal(x.kind, ACTOR_EXIT_ERROR);
    assert_int_equal(x.code, 42);
    assert_string_equal(x.text, "boom 42");
    assert_int_equal(actor_exit_reason(sys, T3, &x), 0);
    assert_int_equal(x.kind, ACTOR_EXIT_KILLED);
    assert_int_equal(actor_exit_reason(sys, T4, &x), 0);
    assert_int_equal(x.kind, ACTOR_EXIT_SHUTDOWN);
    assert_int_equal(actor_exit_reason(sys, 999999, &x), -ENOENT);
    assert_int_equal(actor_exit_reason(sys, W, &x), -ENOENT);

    actor_system_destroy(sys);
    rec_free(w), rec_free(t1), rec_free(t2), rec_free(t3), rec_free(t4);
}

static void test_demonitor(void **st) {
    (void)st;
    actor_system *sys;
    assert_int_equal(actor_system_create(2, &sys), 0);
    rec *w = rec_new(), *t = rec_new(), *t2 = rec_new();
    actor_id W = spawn_rec(sys, w), T = spawn_rec(sys, t), T2 = spawn_rec(sys, t2);

    /* two monitors: two DOWNs with their own refs */
    uint64_t ra, rb, rc;
    assert_int_equal(actor_monitor(sys, W, T, &ra), 0);
    assert_int_equal(actor_monitor(sys, W, T, &rb), 0);
    assert_int_equal(actor_monitor(sys, W, T, &rc), 0);
    assert_int_equal(actor_demonitor(sys, W, rb), 0);   /* one of three removed */
    assert_int_equal(actor_demonitor(sys, W, rb), -ENOENT);
    assert_int_equal(actor_demonitor(sys, 999999, ra), -ENOENT);
    assert_int_equal(cmd(sys, T, CMD_STOP, 0), 0);
    wait_dead(sys, T);
    assert_int_equal(actor_system_wait_idle(sys, 5000), 0);
    assert_int_equal(rec_count(w), 2);
    uint64_t g0 = ev_down((ev[]){rec_get(w, 0)}).ref, g1 = ev_down((ev[]){rec_get(w, 1)}).ref;
    assert_true((g0 == ra && g1 == rc) || (g0 == rc && g1 == ra));
    assert_int_equal(actor_demonitor(sys, W, ra), -ENOENT); /* its DOWN was received */

    /* a DOWN already queued is not received after demonitor (flush) */
    uint64_t rd;
    assert_int_equal(actor_monitor(sys, W, T2, &rd), 0);
    assert_int_equal(cmd(sys, W, CMD_BLOCK, 0), 0);
    while (!atomic_load(&w->blocked)) sleep_ms(1);
    assert_int_equal(cmd(sys, T2, CMD_STOP, 0), 0);
    wait_dead(sys, T2); /* the DOWN is in W's mailbox now */
    assert_int_equal(actor_demonitor(sys, W, rd), 0);
    atomic_store(&w->gate, 1);
    assert_int_equal(actor_system_wait_idle(sys, 5000), 0);
    assert_int_equal(rec_count(w), 2);

    /* the watcher's monitors die with it: the target's later end sends nothing to anyone */
    rec *w2 = rec_new(), *t3 = rec_new();
    actor_id W2 = spawn_rec(sys, w2), T3 = spawn_rec(sys, t3);
    for (int i = 0; i < 100; i++) assert_int_equal(actor_monitor(sys, W2, T3, NULL), 0);
    assert_int_equal(cmd(sys, W2, CMD_STOP, 0), 0);
    wait_dead(sys, W2);
    actor_system_stats s0, s1;
    actor_system_stats_get(sys, &s0);
    assert_int_equal(cmd(sys, T3, CMD_STOP, 0), 0);
    wait_dead(sys, T3);
    assert_int_equal(actor_system_wait_idle(sys, 5000), 0);
    actor_system_stats_get(sys, &s1);
    assert_int_equal(s1.dead_letters, s0.dead_letters);
    assert_int_equal(rec_count(w2), 0);

    actor_system_destroy(sys);
    rec_free(w), rec_free(t), rec_free(t2), rec_free(w2), rec_free(t3);
}

/* ------------------------------------------------------------------ links */

static void test_link_abnormal(void **st) {
    (void)st;
    actor_system *sys;
    assert_int_equal(actor_system_create(3, &sys), 0);
    rec *a = rec_new(), *b = rec_new();
    actor_id A = spawn_rec(sys, a), B = spawn_rec(sys, b);
    assert_int_equal(actor_link(sys, A, B), 0);
    assert_int_equal(actor_link(sys, B, A), 0); /* twice is one link */
    assert_int_equal(cmd(sys, A, CMD_STOP_ERR, 7), 0);
    wait_dead(sys, A);
    wait_dead(sys, B);
    actor_exit x;
    assert_int_equal(actor_exit_reason(sys, B, &x), 0);
    assert_int_equal(x.kind, ACTOR_EXIT_ERROR);
    assert_int_equal(x.code, 7);
    assert_string_equal(x.text, "boom 7");
    assert_int_equal(atomic_load(&a->killed), 0);
    assert_int_equal(atomic_load(&b->killed), 1);
    assert_int_equal(atomic_load(&b->terminated), 1);

    /* a chain of three: A-B-C, A killed -> all killed */
    rec *c[3];
    actor_id C[3];
    for (int i = 0; i < 3; i++) C[i] = spawn_rec(sys, c[i] = rec_new());
    assert_int_equal(actor_link(sys, C[0], C[1]), 0);
    assert_int_equal(actor_link(sys, C[2], C[1]), 0);
    assert_int_equal(actor_kill(sys, C[0]), 0);
    for (int i = 0; i < 3; i++) {
        wait_dead(sys, C[i]);
        assert_int_equal(actor_exit_reason(sys, C[i], &x), 0);
        assert_int_equal(x.kind, ACTOR_EXIT_KILLED);
        assert_int_equal(atomic_load(&c[i]->killed), 1);
    }

    /* unlink stops propagation */
    rec *u = rec_new(), *v = rec_new();
    actor_id U = spawn_rec(sys, u), V = spawn_rec(sys, v);
    assert_int_equal(actor_link(sys, U, V), 0);
    assert_int_equal(actor_link(sys, U, V), 0);
    assert_int_equal(actor_unlink(sys, V, U), 0); /* one unlink undoes both links */
    assert_int_equal(cmd(sys, U, CMD_STOP_ERR, 1), 0);
    wait_dead(sys, U);
    assert_int_equal(actor_system_wait_idle(sys, 5000), 0);
    assert_true(actor_alive(sys, V));
    assert_int_equal(actor_unlink(sys, U, V), -ENOENT);
    assert_int_equal(actor_link(sys, U, V), -ENOENT);

    actor_system_destroy(sys);
    rec_free(a), rec_free(b), rec_free(u), rec_free(v);
    for (int i = 0; i < 3; i++) rec_free(c[i]);
}

static void test_link_normal_and_trap(void **st) {
    (void)st;
    actor_system *sys;
    assert_int_equal(actor_system_create(2, &sys), 0);
    /* normal exit does not propagate to a non-trapping partner */
    rec *a = rec_new(), *b = rec_new();
    actor_id A = spawn_rec(sys, a), B = spawn_rec(sys, b);
    assert_int_equal(actor_link(sys, A, B), 0);
    assert_int_equal(cmd(sys, A, CMD_STOP, 0), 0);
    wait_dead(sys, A);
    assert_int_equal(actor_system_wait_idle(sys, 5000), 0);
    assert_true(actor_alive(sys, B));
    assert_int_equal(rec_count(b), 0);

    /* a trapping partner gets EXIT for normal, error, and killed (via a link, KILLED is trappable) */
    rec *t = rec_new(), *p1 = rec_new(), *p2 = rec_new(), *p3 = rec_new();
    actor_id T = spawn_rec(sys, t), P1 = spawn_rec(sys, p1), P2 = spawn_rec(sys, p2), P3 = spawn_rec(sys, p3);
    assert_int_equal(cmd(sys, T, CMD_TRAP, 1), 0);
    assert_int_equal(actor_system_wait_idle(sys, 5000), 0);
    assert_int_equal(actor_link(sys, T, P1), 0);
    assert_int_equal(actor_link(sys, P2, T), 0);
    assert_int_equal(actor_link(sys, P3, T), 0);
    assert_int_equal(cmd(sys, P1, CMD_STOP, 0), 0);
    assert_int_equal(rec_wait(t, 1), 1);
    actor_exit_signal s = ev_exit((ev[]){rec_get(t, 0)});
    assert_int_equal(s.from, P1);
    assert_int_equal(rec_get(t, 0).from, P1);
    assert_int_equal(s.reason.kind, ACTOR_EXIT_NORMAL);
    assert_int_equal(cmd(sys, P2, CMD_STOP_ERR, 9), 0);
    assert_int_equal(rec_wait(t, 2), 2);
    s = ev_exit((ev[]){rec_get(t, 1)});
    assert_int_equal(s.from, P2);
    assert_int_equal(s.reason.kind, ACTOR_EXIT_ERROR);
    assert_int_equal(s.reason.code, 9);
    assert_int_equal(actor_kill(sys, P3), 0);
    assert_int_equal(rec_wait(t, 3), 3);
    s = ev_exit((ev[]){rec_get(t, 2)});
    assert_int_equal(s.from, P3);
    assert_int_equal(s.reason.kind, ACTOR_EXIT_KILLED);
    assert_true(actor_alive(sys, T));

    /* linking to a dead actor: trapping -> EXIT NOPROC; non-trapping -> ends with NOPROC */
    assert_int_equal(actor_link(sys, T, P1), 0);
    assert_int_equal(rec_wait(t, 4), 4);
    s = ev_exit((ev[]){rec_get(t, 3)});
    assert_int_equal(s.from, P1);
    assert_int_equal(s.reason.kind, ACTOR_EXIT_NOPROC);
    assert_int_equal(cmd(sys, B, CMD_LINK, P1), 0); /* from inside B's own handler */
    wait_dead(sys, B);
    actor_exit x;
    assert_int_equal(actor_exit_reason(sys, B, &x), 0);
    assert_int_equal(x.kind, ACTOR_EXIT_NOPROC);
    assert_int_equal(atomic_load(&b->killed), 1);
    assert_int_equal(actor_link(sys, B, T), -ENOENT);
    assert_int_equal(actor_link(sys, T, T), 0);

    actor_system_destroy(sys);
    rec_free(a), rec_free(b), rec_free(t), rec_free(p1), rec_free(p2), rec_free(p3);
}

static void test_exit_signal_send(void **st) {
    (void)st;
    actor_system *sys;
    assert_int_equal(actor_system_create(2, &sys), 0);
    rec *n = rec_new(), *t = rec_new();
    actor_id N = spawn_rec(sys, n), T = 0;
    actor_spawn_opts o = {.trap_exits = true};
    assert_int_equal(actor_spawn_opt(sys, &rec_beh, t, &o, &T), 0);
    actor_exit normal = {.kind = ACTOR_EXIT_NORMAL}, err = {.kind = ACTOR_EXIT_ERROR, .code = 3, .text = "bad"},
               killed = {.kind = ACTOR_EXIT_KILLED};

    /* normal: ignored by a non-trapping actor, a message for a trapping one */
    assert_int_equal(actor_exit_signal_send(sys, 0, N, &normal), 0);
    assert_int_equal(actor_exit_signal_send(sys, 77, T, &normal), 0);
    assert_int_equal(rec_wait(t, 1), 1);
    actor_exit_signal s = ev_exit((ev[]){rec_get(t, 0)});
    assert_int_equal(s.from, 77);
    assert_int_equal(s.reason.kind, ACTOR_EXIT_NORMAL);
    assert_int_equal(actor_system_wait_idle(sys, 5000), 0);
    assert_true(actor_alive(sys, N));

    /* error: a message for a trapping actor, the end of a non-trapping one */
    assert_int_equal(actor_exit_signal_send(sys, 78, T, &err), 0);
    assert_int_equal(rec_wait(t, 2), 2);
    s = ev_exit((ev[]){rec_get(t, 1)});
    assert_int_equal(s.from, 78);
    assert_int_equal(s.reason.kind, ACTOR_EXIT_ERROR);
    assert_int_equal(s.reason.code, 3);
    assert_string_equal(s.reason.text, "bad");
    assert_true(actor_alive(sys, T));
    assert_int_equal(actor_exit_signal_send(sys, 0, N, &err), 0);
    wait_dead(sys, N);
    actor_exit x;
    assert_int_equal(actor_exit_reason(sys, N, &x), 0);
    assert_int_equal(x.kind, ACTOR_EXIT_ERROR);
    assert_int_equal(x.code, 3);
    assert_int_equal(atomic_load(&n->killed), 1);
    assert_int_equal(actor_exit_signal_send(sys, 0, N, &err), -ENOENT);

    /* killed: untrappable */
    assert_int_equal(actor_exit_signal_send(sys, 0, T, &killed), 0);
    wait_dead(sys, T);
    assert_int_equal(actor_exit_reason(sys, T, &x), 0);
    assert_int_equal(x.kind, ACTOR_EXIT_KILLED);
    assert_int_equal(atomic_load(&t->killed), 1);
    assert_int_equal(rec_count(t), 2);

    /* the end happens at a safe point: not in the middle of a handler run */
    rec *bl = rec_new();
    actor_id BL = spawn_rec(sys, bl);
    assert_int_equal(cmd(sys, BL, CMD_BLOCK, 0), 0);
    while (!atomic_load(&bl->blocked)) sleep_ms(1);
    assert_int_equal(actor_exit_signal_send(sys, 0, BL, &err), 0);
    sleep_ms(20);
    assert_int_equal(atomic_load(&bl->terminated), 0); /* still inside its handler */
    atomic_store(&bl->gate, 1);
    wait_dead(sys, BL);
    assert_int_equal(atomic_load(&bl->terminated), 1);
    assert_int_equal(atomic_load(&bl->killed), 1);

    /* the first reason wins */
    rec *fw = rec_new();
    actor_id FW = spawn_rec(sys, fw);
    atomic_store(&fw->gate, 0);
    assert_int_equal(cmd(sys, FW, CMD_BLOCK, 0), 0);
    while (!atomic_load(&fw->blocked)) sleep_ms(1);
    actor_exit sd = {.kind = ACTOR_EXIT_SHUTDOWN};
    assert_int_equal(actor_exit_signal_send(sys, 0, FW, &sd), 0);
    assert_int_equal(actor_kill(sys, FW), 0);
    atomic_store(&fw->gate, 1);
    wait_dead(sys, FW);
    assert_int_equal(actor_exit_reason(sys, FW, &x), 0);
    assert_int_equal(x.kind, ACTOR_EXIT_SHUTDOWN);

    assert_int_equal(actor_exit_signal_send(sys, 0, 999999, &err), -ENOENT);
    actor_system_destroy(sys);
    rec_free(n), rec_free(t), rec_free(bl), rec_free(fw);
}

/* A ring and a clique of links: everything ends, nothing deadlocks. */
static void test_link_cycles(void **st) {
    (void)st;
    actor_system *sys;
    assert_int_equal(actor_system_create(4, &sys), 0);
    enum { RING = 64, CLIQUE = 12 };
    rec *r[RING];
    actor_id id[RING];
    for (int i = 0; i < RING; i++) id[i] = spawn_rec(sys, r[i] = rec_new());
    for (int i = 0; i < RING; i++) assert_int_equal(actor_link(sys, id[i], id[(i + 1) % RING]), 0);
    for (int i = 0; i < RING; i += 7) assert_int_equal(actor_link(sys, id[i], id[(i + RING / 2) % RING]), 0);
    assert_int_equal(cmd(sys, id[5], CMD_STOP_ERR, 11), 0);
    for (int i = 0; i < RING; i++) {
        wait_dead(sys, id[i]);
        actor_exit x;
        assert_int_equal(actor_exit_reason(sys, id[i], &x), 0);
        assert_int_equal(x.kind, ACTOR_EXIT_ERROR);
        assert_int_equal(x.code, 11);
        assert_int_equal(atomic_load(&r[i]->terminated), 1);
    }
    rec *c[CLIQUE];
    actor_id cid[CLIQUE];
    for (int i = 0; i < CLIQUE; i++) cid[i] = spawn_rec(sys, c[i] = rec_new());
    for (int i = 0; i < CLIQUE; i++)
        for (int j = 0; j < CLIQUE; j++) assert_int_equal(actor_link(sys, cid[i], cid[j]), 0);
    /* several end at once */
    actor_kill(sys, cid[0]);
    cmd(sys, cid[3], CMD_STOP_ERR, 1);
    cmd(sys, cid[7], CMD_STOP_ERR, 2);
    for (int i = 0; i < CLIQUE; i++) wait_dead(sys, cid[i]);
    assert_int_equal(actor_system_wait_idle(sys, 5000), 0);
    actor_system_stats s;
    actor_system_stats_get(sys, &s);
    assert_int_equal(s.live, 0);
    actor_system_destroy(sys);
    for (int i = 0; i < RING; i++) rec_free(r[i]);
    for (int i = 0; i < CLIQUE; i++) rec_free(c[i]);
}

/* ------------------------------------------------------------------ spawn options */

static actor_result quick_receive(actor *self, actor_msg *m) {
    (void)self;
    actor_msg_free(m);
    return ACTOR_STOP;
}
static const actor_behaviour quick_beh = {"quick", quick_receive, NULL, NULL};

static void test_spawn_opt(void **st) {
    (void)st;
    actor_system *sys;
    assert_int_equal(actor_system_create(2, &sys), 0);
    rec *p = rec_new();
    actor_id P = spawn_rec(sys, p);
    assert_int_equal(cmd(sys, P, CMD_TRAP, 1), 0);
    assert_int_equal(actor_system_wait_idle(sys, 5000), 0);

    /* a child that stops at once still yields DOWN and EXIT */
    enum { N = 200 };
    for (int i = 0; i < N; i++) {
        actor_id c = 0;
        uint64_t ref = 0;
        actor_spawn_opts o = {.link = P, .monitor = P, .monitor_ref = &ref};
        assert_int_equal(actor_spawn_opt(sys, &quick_beh, NULL, &o, &c), 0);
        assert_true(ref != 0);
        if (i % 2)
            assert_int_equal(actor_send(sys, c, actor_msg_new(CMD_NOP, 0, NULL, 0)), 0);
        else
            assert_int_equal(actor_kill(sys, c), 0);
    }
    uint64_t t0 = now_ms();
    while ((atomic_load(&p->downs) < N || atomic_load(&p->exits) < N) && now_ms() - t0 < 5000) sleep_ms(1);
    assert_int_equal(actor_system_wait_idle(sys, 5000), 0);
    assert_int_equal(atomic_load(&p->downs), N);
    assert_int_equal(atomic_load(&p->exits), N);

    /* the monitor ref given matches the DOWN; the EXIT comes from the child */
    int base = rec_count(p);
    actor_id c = 0;
    uint64_t ref = 0;
    actor_spawn_opts o = {.link = P, .monitor = P, .monitor_ref = &ref};
    rec *cr = rec_new();
    assert_int_equal(actor_spawn_opt(sys, &rec_beh, cr, &o, &c), 0);
    assert_int_equal(cmd(sys, c, CMD_STOP_ERR, 5), 0);
    assert_int_equal(rec_wait(p, base + 2), base + 2);
    bool saw_down = false, saw_exit = false;
    for (int i = base; i < base + 2; i++) {
        ev e = rec_get(p, i);
        if (e.type == ACTOR_MSG_DOWN) {
            actor_down d = ev_down(&e);
            assert_int_equal(d.ref, ref);
            assert_int_equal(d.who, c);
            assert_int_equal(d.reason.code, 5);
            saw_down = true;
        } else {
            actor_exit_signal s = ev_exit(&e);
            assert_int_equal(s.from, c);
            assert_int_equal(s.reason.code, 5);
            saw_exit = true;
        }
    }
    assert_true(saw_down && saw_exit);

    /* a dead link / monitor partner: nothing spawned, no terminate */
    rec *d = rec_new();
    actor_id D = spawn_rec(sys, d);
    assert_int_equal(cmd(sys, D, CMD_STOP, 0), 0);
    wait_dead(sys, D);
    rec *orphan = rec_new();
    actor_system_stats s0, s1;
    actor_system_stats_get(sys, &s0);
    actor_spawn_opts bad1 = {.link = D}, bad2 = {.monitor = D}, bad3 = {.link = P, .monitor = D};
    actor_id x = 0;
    assert_int_equal(actor_spawn_opt(sys, &rec_beh, orphan, &bad1, &x), -ENOENT);
    assert_int_equal(actor_spawn_opt(sys, &rec_beh, orphan, &bad2, &x), -ENOENT);
    assert_int_equal(actor_spawn_opt(sys, &rec_beh, orphan, &bad3, &x), -ENOENT);
    assert_int_equal(actor_spawn_opt(sys, NULL, orphan, &bad3, &x), -EINVAL);
    actor_system_stats_get(sys, &s1);
    assert_int_equal(s1.spawned, s0.spawned);
    assert_int_equal(s1.live, s0.live);
    assert_int_equal(atomic_load(&orphan->terminated), 0);
    assert_int_equal(x, 0);

    /* trap_exits from the start; a link made with only the link option (no monitor) */
    rec *tr = rec_new();
    actor_id TR = 0;
    actor_spawn_opts to = {.trap_exits = true};
    assert_int_equal(actor_spawn_opt(sys, &rec_beh, tr, &to, &TR), 0);
    rec *q = rec_new();
    actor_id Q = 0;
    actor_spawn_opts lo = {.link = TR};
    assert_int_equal(actor_spawn_opt(sys, &rec_beh, q, &lo, &Q), 0);
    assert_int_equal(cmd(sys, Q, CMD_STOP_ERR, 8), 0);
    assert_int_equal(rec_wait(tr, 1), 1);
    assert_int_equal(ev_exit((ev[]){rec_get(tr, 0)}).from, Q);
    assert_true(actor_alive(sys, TR));

    actor_system_destroy(sys);
    rec_free(p), rec_free(cr), rec_free(d), rec_free(orphan), rec_free(tr), rec_free(q);
}

/* ------------------------------------------------------------------ notify futures */

static void test_notify_future(void **st) {
    (void)st;
    actor_system *sys;
    assert_int_equal(actor_system_create(2, &sys), 0);
    rec *w = rec_new();
    actor_id W = spawn_rec(sys, w);

    /* completion -> ACTOR_MSG_REPLY with corr, status and bytes */
    actor_future *f = actor_future_new_notify(sys, W, 77);
    assert_non_null(f);
    char *data = malloc(5);
    memcpy(data, "hello", 5);
    assert_int_equal(actor_future_complete(f, 12, data, 5), 0);
    assert_int_equal(actor_future_complete(f, 13, NULL, 0), -EALREADY);
    actor_future_release(f);
    assert_int_equal(rec_wait(w, 1), 1);
    ev e = rec_get(w, 0);
    assert_int_equal(e.type, ACTOR_MSG_REPLY);
    assert_int_equal(e.corr, 77);
    assert_int_equal(e.len, sizeof(actor_reply) + 5);
    actor_reply h;
    memcpy(&h, e.data, sizeof h);
    assert_int_equal(h.status, 12);
    assert_int_equal(h.len, 5);
    assert_memory_equal(e.data + sizeof h, "hello", 5);

    /* a request sent to a dead id: the dropped message answers -ENOENT */
    f = actor_future_new_notify(sys, W, 78);
    actor_msg *m = actor_msg_new(CMD_NOP, 0, NULL, 0);
    m->reply = f; /* the message owns the future now */
    assert_int_equal(actor_send(sys, 999999, m), -ENOENT);
    assert_int_equal(rec_wait(w, 2), 2);
    e = rec_get(w, 1);
    assert_int_equal(e.type, ACTOR_MSG_REPLY);
    assert_int_equal(e.corr, 78);
    assert_int_equal(e.len, sizeof(actor_reply));
    memcpy(&h, e.data, sizeof h);
    assert_int_equal(h.status, -ENOENT);
    assert_int_equal(h.len, 0);

    /* a request still queued when its target is killed: -ENOENT too */
    rec *t = rec_new();
    actor_id T = spawn_rec(sys, t);
    assert_int_equal(cmd(sys, T, CMD_BLOCK, 0), 0);
    while (!atomic_load(&t->blocked)) sleep_ms(1);
    f = actor_future_new_notify(sys, W, 79);
    m = actor_msg_new(CMD_NOP, 0, NULL, 0);
    m->reply = f;
    assert_int_equal(actor_send(sys, T, m), 0);
    assert_int_equal(actor_kill(sys, T), 0);
    atomic_store(&t->gate, 1);
    wait_dead(sys, T);
    assert_int_equal(rec_wait(w, 3), 3);
    e = rec_get(w, 2);
    assert_int_equal(e.corr, 79);
    memcpy(&h, e.data, sizeof h);
    assert_int_equal(h.status, -ENOENT);

    /* a handler that answers: the request's future delivers the reply as a message */
    rec *t2 = rec_new();
    actor_id T2 = spawn_rec(sys, t2);
    f = actor_future_new_notify(sys, W, 80);
    m = actor_msg_new(CMD_NOP, 0, NULL, 0);
    m->reply = f;
    actor_future_retain(f);
    assert_int_equal(actor_send(sys, T2, m), 0);
    assert_int_equal(actor_system_wait_idle(sys, 5000), 0); /* rec's CMD_NOP frees it: -ENOENT */
    assert_int_equal(actor_future_complete(f, 0, NULL, 0), -EALREADY);
    actor_future_release(f);
    assert_int_equal(rec_count(w), 4);
    assert_int_equal(rec_get(w, 3).corr, 80);

    /* a dead target: the reply is a dead letter */
    assert_int_equal(cmd(sys, W, CMD_STOP, 0), 0);
    wait_dead(sys, W);
    actor_system_stats s0, s1;
    actor_system_stats_get(sys, &s0);
    f = actor_future_new_notify(sys, W, 81);
    assert_int_equal(actor_future_complete(f, 0, malloc(3), 3), 0);
    actor_future_release(f);
    actor_system_stats_get(sys, &s1);
    assert_int_equal(s1.dead_letters, s0.dead_letters + 1);

    actor_system_destroy(sys);
    rec_free(w), rec_free(t), rec_free(t2);
}

/* ------------------------------------------------------------------ races */

typedef struct race_arg {
    actor_system *sys;
    actor_id hub;
    atomic_long *monitors, *links;
} race_arg;

static void *race_main(void *arg) {
    race_arg *ra = arg;
    for (int i = 0; i < 300; i++) {
        actor_id c = 0;
        if (actor_spawn(ra->sys, &quick_beh, NULL, &c)) continue;
        if (i % 3 == 0)
            actor_kill(ra->sys, c);
        else
            actor_send(ra->sys, c, actor_msg_new(CMD_NOP, 0, NULL, 0));
        /* racing with the child's end: exactly one DOWN / one EXIT each (real reason or NOPROC) */
        if (actor_monitor(ra->sys, ra->hub, c, NULL) == 0) atomic_fetch_add(ra->monitors, 1);
        if (actor_link(ra->sys, ra->hub, c) == 0) atomic_fetch_add(ra->links, 1);
    }
    return NULL;
}

static void test_races(void **st) {
    (void)st;
    actor_system *sys;
    assert_int_equal(actor_system_create(4, &sys), 0);
    rec *h = rec_new();
    actor_id H = 0;
    actor_spawn_opts o = {.trap_exits = true};
    assert_int_equal(actor_spawn_opt(sys, &rec_beh, h, &o, &H), 0);
    atomic_long monitors = 0, links = 0;
    enum { T = 4 };
    pthread_t th[T];
    race_arg ra = {sys, H, &monitors, &links};
    for (int i = 0; i < T; i++) pthread_create(&th[i], NULL, race_main, &ra);
    for (int i = 0; i < T; i++) pthread_join(th[i], NULL);
    assert_int_equal(actor_system_wait_idle(sys, 10000), 0);
    assert_int_equal(atomic_load(&monitors), T * 300);
    assert_int_equal(atomic_load(&links), T * 300);
    assert_int_equal(atomic_load(&h->downs), T * 300);
    assert_int_equal(atomic_load(&h->exits), T * 300);

    /* destroy with links and monitors still in place */
    rec *a = rec_new(), *b = rec_new();
    actor_id A = spawn_rec(sys, a), B = spawn_rec(sys, b);
    assert_int_equal(actor_link(sys, A, B), 0);
    assert_int_equal(actor_link(sys, A, H), 0);
    assert_int_equal(actor_monitor(sys, A, B, NULL), 0);
    assert_int_equal(actor_monitor(sys, B, A, NULL), 0);
    assert_int_equal(actor_monitor(sys, A, A, NULL), 0);
    actor_system_destroy(sys);
    assert_int_equal(atomic_load(&a->terminated), 1);
    assert_int_equal(atomic_load(&b->terminated), 1);
    assert_int_equal(atomic_load(&a->killed), 1);
    rec_free(h), rec_free(a), rec_free(b);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_down_reasons),
        cmocka_unit_test(test_demonitor),
        cmocka_unit_test(test_link_abnormal),
        cmocka_unit_test(test_link_normal_and_trap),
        cmocka_unit_test(test_exit_signal_send),
        cmocka_unit_test(test_link_cycles),
        cmocka_unit_test(test_spawn_opt),
        cmocka_unit_test(test_notify_future),
        cmocka_unit_test(test_races),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
