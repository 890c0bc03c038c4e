/* test_actor.c — the actor layer with native C actors: ordering, exclusivity, fairness, lifecycle,
 * futures, timers, idle detection, destroy.
 *
 * cmocka asserts only on the test thread: handlers record what they see in atomics, checked afterwards. */
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

enum { MSG_NUM = ACTOR_MSG_USER, MSG_PING, MSG_PONG, MSG_SPAWN, MSG_HOP, MSG_SPIN, MSG_TICK };

static actor_msg *msg_u64(uint32_t type, uint64_t a, uint64_t b) {
    uint64_t v[2] = {a, b};
    return actor_msg_new(type, 0, v, sizeof v);
}
static uint64_t msg_a(const actor_msg *m) {
    uint64_t v[2];
    memcpy(v, m->data, sizeof v);
    return v[0];
}
static uint64_t msg_b(const actor_msg *m) {
    uint64_t v[2];
    memcpy(v, m->data, sizeof v);
    return v[1];
}

/* A generic probe: counts messages, remembers terminate, optional per-message hook. */
typedef struct probe {
    atomic_long received;
    atomic_int terminated;     /* times terminate() ran */
    atomic_int killed;         /* killed flag of the last terminate */
    atomic_int stop_seen_after;/* messages received before STOP */
    atomic_int names_at_term;  /* whereis(name) observed inside terminate */
    const char *name;
    atomic_int in_handler;
    atomic_int overlap;        /* two threads inside the handler at once */
    int spin_us;
} probe;

static void probe_init(probe *p) {
    memset(p, 0, sizeof *p);
    atomic_init(&p->names_at_term, -1);
}

static void busy_wait_us(int us) {
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    do clock_gettime(CLOCK_MONOTONIC, &b);
    while ((b.tv_sec - a.tv_sec) * 1000000L + (b.tv_nsec - a.tv_nsec) / 1000 < us);
}

static actor_result probe_receive(actor *self, actor_msg *m) {
    probe *p = actor_state(self);
    if (atomic_exchange(&p->in_handler, 1)) atomic_fetch_add(&p->overlap, 1);
    actor_result r = ACTOR_CONTINUE;
    if (m->type == ACTOR_MSG_STOP) {
        atomic_store(&p->stop_seen_after, (int)atomic_load(&p->received));
        r = ACTOR_STOP;
    } else {
        if (p->spin_us) busy_wait_us(p->spin_us);
        if (m->reply) actor_future_complete(m->reply, (int)m->len, NULL, 0);
        atomic_fetch_add(&p->received, 1);
    }
    atomic_store(&p->in_handler, 0);
    actor_msg_free(m);
    return r;
}

static void probe_terminate(actor *self, bool killed) {
    probe *p = actor_state(self);
    if (p->name)
        atomic_store(&p->names_at_term,
                     (int)registry_whereis(actor_system_registry(actor_sys(self)), p->name));
    atomic_store(&p->killed, killed);
    atomic_fetch_add(&p->terminated, 1);
}

static const actor_behaviour probe_beh = {"probe", probe_receive, NULL, probe_terminate};

/* ------------------------------------------------------------------ basics */

static void test_spawn_send(void **st) {
    (void)st;
    actor_system *sys;
    assert_int_equal(actor_system_create(2, &sys), 0);
    probe p;
    probe_init(&p);
    actor_id id = 0, id2 = 0;
    assert_int_equal(actor_spawn(sys, &probe_beh, &p, &id), 0);
    assert_true(id != 0);
    assert_true(actor_alive(sys, id));
    for (int i = 0; i < 10; i++) assert_int_equal(actor_send(sys, id, msg_u64(MSG_NUM, i, 0)), 0);
    assert_int_equal(actor_system_wait_idle(sys, 5000), 0);
    assert_int_equal(atomic_load(&p.received), 10);
    actor_system_stats s;
    actor_system_stats_get(sys, &s);
    assert_int_equal(s.live, 1);
    assert_int_equal(s.spawned, 1);
    assert_int_equal(s.delivered, 10);
    assert_int_equal(s.dead_letters, 0);
    /* ids are never reused: a new actor gets a larger id */
    probe p2;
    probe_init(&p2);
    assert_int_equal(actor_spawn(sys, &probe_beh, &p2, &id2), 0);
    assert_true(id2 > id);
    /* a registry lookup hands out a retained actor */
    actor *a = registry_get(actor_system_registry(sys), id);
    assert_non_null(a);
    assert_int_equal(actor_self(a), id);
    assert_ptr_equal(actor_state(a), &p);
    assert_ptr_equal(actor_sys(a), sys);
    actor_release(a);
    assert_int_equal(actor_spawn(sys, NULL, NULL, &id2), -EINVAL);
    actor_system_destroy(sys);
    assert_int_equal(atomic_load(&p.terminated), 1);
    assert_int_equal(atomic_load(&p.killed), 1);
    assert_int_equal(atomic_load(&p2.terminated), 1);
    actor_system_destroy(NULL);
}

/* ------------------------------------------------------------------ per-sender FIFO */

enum { FIFO_SENDERS = 4, FIFO_N = 20000 };
typedef struct fifo_state {
    uint64_t next[FIFO_SENDERS]; /* touched only inside the handler: one thread at a time */
    atomic_long bad, got;
    atomic_int in_handler, overlap;
} fifo_state;

static actor_result fifo_receive(actor *self, actor_msg *m) {
    fifo_state *f = actor_state(self);
    if (atomic_exchange(&f->in_handler, 1)) atomic_fetch_add(&f->overlap, 1);
    uint64_t s = msg_a(m), n = msg_b(m);
    if (s >= FIFO_SENDERS || f->next[s] != n) atomic_fetch_add(&f->bad, 1);
    else f->next[s]++;
    atomic_fetch_add(&f->got, 1);
    atomic_store(&f->in_handler, 0);
    actor_msg_free(m);
    return ACTOR_CONTINUE;
}
static const actor_behaviour fifo_beh = {"fifo", fifo_receive, NULL, NULL};

typedef struct {
    actor_system *sys;
    actor_id to;
    int sender;
    int fails;
} sender_arg;

static void *sender_main(void *arg) {
    sender_arg *s = arg;
    for (uint64_t i = 0; i < FIFO_N; i++)
        if (actor_send(s->sys, s->to, msg_u64(MSG_NUM, (uint64_t)s->sender, i))) s->fails++;
    return NULL;
}

static void test_fifo_per_sender(void **st) {
    (void)st;
    actor_system *sys;
    assert_int_equal(actor_system_create(2, &sys), 0);
    fifo_state *f = calloc(1, sizeof *f);
    actor_id id;
    assert_int_equal(actor_spawn(sys, &fifo_beh, f, &id), 0);
    pthread_t th[FIFO_SENDERS];
    sender_arg args[FIFO_SENDERS];
    for (int i = 0; i < FIFO_SENDERS; i++) {
        args[i] = (sender_arg){sys, id, i, 0};
        pthread_create(&th[i], NULL, sender_main, &args[i]);
    }
    for (int i = 0; i < FIFO_SENDERS; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(args[i].fails, 0);
    }
    assert_int_equal(actor_system_wait_idle(sys, 30000), 0);
    assert_int_equal(atomic_load(&f->got), (long)FIFO_SENDERS * FIFO_N);
    assert_int_equal(atomic_load(&f->bad), 0);
    assert_int_equal(atomic_load(&f->overlap), 0);
    for (int i = 0; i < FIFO_SENDERS; i++) assert_int_equal(f->next[i], FIFO_N);
    actor_system_destroy(sys);
    free(f);
}

/* One message at a time, even with many senders and 4 scheduler threads; many actors at once. */
static void test_one_at_a_time(void **st) {
    (void)st;
    actor_system *sys;
    assert_int_equal(actor_system_create(4, &sys), 0);
    enum { NA = 8, NM = 3000 };
    probe p[NA];
    actor_id ids[NA];
    for (int i = 0; i < NA; i++) {
        probe_init(&p[i]);
        p[i].spin_us = 1;
        assert_int_equal(actor_spawn(sys, &probe_beh, &p[i], &ids[i]), 0);
    }
    for (int n = 0; n < NM; n++)
        for (int i = 0; i < NA; i++) assert_int_equal(actor_send(sys, ids[i], msg_u64(MSG_NUM, n, 0)), 0);
    assert_int_equal(actor_system_wait_idle(sys, 60000), 0);
    for (int i = 0; i < NA; i++) {
        assert_int_equal(atomic_load(&p[i].received), NM);
        assert_int_equal(atomic_load(&p[i].overlap), 0);
    }
    actor_system_destroy(sys);
}

/* ------------------------------------------------------------------ fairness: YIELD */

typedef struct spinner {
    atomic_long slices;
    atomic_int terminated, killed;
} spinner;

static actor_result spin_receive(actor *self, actor_msg *m) {
    (void)self;
    actor_msg_free(m);
    return ACTOR_YIELD; /* start an endless sliced computation */
}
static actor_result spin_resume(actor *self) {
    spinner *s = actor_state(self);
    atomic_fetch_add(&s->slices, 1);
    busy_wait_us(200); /* one slice of "work" */
    return ACTOR_YIELD;
}
static void spin_terminate(actor *self, bool killed) {
    spinner *s = actor_state(self);
    atomic_store(&s->killed, killed);
    atomic_fetch_add(&s->terminated, 1);
}
static const actor_behaviour spin_beh = {"spinner", spin_receive, spin_resume, spin_terminate};

static void test_yield_no_starvation(void **st) {
    (void)st;
    actor_system *sys;
    /* one scheduler thread: the spinners and the ponger must share it */
    assert_int_equal(actor_system_create(1, &sys), 0);
    spinner sp[2];
    actor_id sid[2];
    for (int i = 0; i < 2; i++) {
        memset(&sp[i], 0, sizeof sp[i]);
        assert_int_equal(actor_spawn(sys, &spin_beh, &sp[i], &sid[i]), 0);
        assert_int_equal(actor_send(sys, sid[i], msg_u64(MSG_SPIN, 0, 0)), 0);
    }
    probe p;
    probe_init(&p);
    actor_id pid;
    assert_int_equal(actor_spawn(sys, &probe_beh, &p, &pid), 0);
    uint64_t worst = 0;
    for (int i = 0; i < 50; i++) {
        actor_future *f = actor_future_new();
        actor_msg *m = actor_msg_new(MSG_PING, 0, "abc", 3);
        actor_future_retain(f);
        m->reply = f;
        uint64_t t0 = now_ms();
        assert_int_equal(actor_send(sys, pid, m), 0);
        int status = -1;
        assert_int_equal(actor_future_wait(f, 5000, &status, NULL, NULL), 0);
        assert_int_equal(status, 3);
        uint64_t dt = now_ms() - t0;
        if (dt > worst) worst = dt;
        actor_future_release(f);
    }
    assert_true(worst < 1000); /* each reply needs ~2 slices (~0.4 ms); generous for a noisy box */
    assert_true(atomic_load(&sp[0].slices) > 0 && atomic_load(&sp[1].slices) > 0);
    /* an endlessly yielding actor never lets the system go idle */
    assert_int_equal(actor_system_wait_idle(sys, 50), -ETIMEDOUT);
    /* kill ends a yielding actor at the end of its slice */
    assert_int_equal(actor_kill(sys, sid[0]), 0);
    assert_int_equal(actor_wait_exit(sys, sid[0], 5000), 0);
    assert_int_equal(atomic_load(&sp[0].terminated), 1);
    assert_int_equal(atomic_load(&sp[0].killed), 1);
    assert_false(actor_alive(sys, sid[0]));
    assert_int_equal(atomic_load(&sp[1].terminated), 0);
    actor_system_destroy(sys); /* sp[1] still spinning */
    assert_int_equal(atomic_load(&sp[1].terminated), 1);
    assert_int_equal(atomic_load(&sp[1].killed), 1);
}

/* ------------------------------------------------------------------ stop, kill, dead letters */

static void test_stop_after_earlier_messages(void **st) {
    (void)st;
    actor_system *sys;
    assert_int_equal(actor_system_create(2, &sys), 0);
    probe p;
    probe_init(&p);
    p.spin_us = 20;
    actor_id id;
    assert_int_equal(actor_spawn(sys, &probe_beh, &p, &id), 0);
    for (int i = 0; i < 100; i++) assert_int_equal(actor_send(sys, id, msg_u64(MSG_NUM, i, 0)), 0);
    assert_int_equal(actor_stop(sys, id), 0);
    assert_int_equal(actor_wait_exit(sys, id, 10000), 0);
    assert_int_equal(atomic_load(&p.stop_seen_after), 100);
    assert_int_equal(atomic_load(&p.terminated), 1);
    assert_int_equal(atomic_load(&p.killed), 0);
    assert_false(actor_alive(sys, id));

    /* a dead id: -ENOENT and a dead letter, for send, stop and kill */
    actor_system_stats s0, s1;
    actor_system_stats_get(sys, &s0);
    assert_int_equal(actor_send(sys, id, msg_u64(MSG_NUM, 0, 0)), -ENOENT);
    assert_int_equal(actor_send(sys, 123456789, msg_u64(MSG_NUM, 0, 0)), -ENOENT);
    assert_int_equal(actor_stop(sys, id), -ENOENT);
    assert_int_equal(actor_kill(sys, id), -ENOENT);
    assert_int_equal(actor_wait_exit(sys, id, 10), 0);
    actor_system_stats_get(sys, &s1);
    assert_int_equal(s1.dead_letters - s0.dead_letters, 3); /* two sends + the stop message */
    assert_int_equal(s1.live, 0);
    actor_system_destroy(sys);
    assert_int_equal(atomic_load(&p.terminated), 1); /* not terminated twice */
}

/* A handler that runs until it sees a kill request (actor_kill_requested), mid-turn. */
typedef struct longrun {
    atomic_int started, saw_kill, handled, terminated, killed;
} longrun;

static actor_result long_receive(actor *self, actor_msg *m) {
    longrun *l = actor_state(self);
    actor_msg_free(m);
    atomic_fetch_add(&l->handled, 1);
    atomic_store(&l->started, 1);
    uint64_t t0 = now_ms();
    while (!actor_kill_requested(self) && now_ms() - t0 < 5000) busy_wait_us(100);
    if (actor_kill_requested(self)) atomic_store(&l->saw_kill, 1);
    return ACTOR_CONTINUE;
}
static void long_terminate(actor *self, bool killed) {
    longrun *l = actor_state(self);
    atomic_store(&l->killed, killed);
    atomic_fetch_add(&l->terminated, 1);
}
static const actor_behaviour long_beh = {"longrun", long_receive, NULL, long_terminate};

static void test_kill(void **st) {
    (void)st;
    actor_system *sys;
    assert_int_equal(actor_system_create(2, &sys), 0);
    /* idle actor: killed promptly */
    probe p;
    probe_init(&p);
    actor_id id;
    assert_int_equal(actor_spawn(sys, &probe_beh, &p, &id), 0);
    assert_int_equal(actor_kill(sys, id), 0);
    assert_int_equal(actor_wait_exit(sys, id, 5000), 0);
    assert_int_equal(atomic_load(&p.terminated), 1);
    assert_int_equal(atomic_load(&p.killed), 1);
    assert_int_equal(atomic_load(&p.received), 0);

    /* busy actor: the kill is seen mid-handler; queued messages are never handled, they become dead
     * letters */
    longrun l;
    memset(&l, 0, sizeof l);
    actor_id lid;
    assert_int_equal(actor_spawn(sys, &long_beh, &l, &lid), 0);
    for (int i = 0; i < 5; i++) assert_int_equal(actor_send(sys, lid, msg_u64(MSG_NUM, i, 0)), 0);
    while (!atomic_load(&l.started)) sleep_ms(1);
    actor_system_stats s0, s1;
    actor_system_stats_get(sys, &s0);
    assert_int_equal(actor_kill(sys, lid), 0);
    assert_int_equal(actor_kill(sys, lid), 0); /* twice is fine while it is still dying */
    assert_int_equal(actor_wait_exit(sys, lid, 5000), 0);
    assert_int_equal(atomic_load(&l.saw_kill), 1);
    assert_int_equal(atomic_load(&l.handled), 1);
    assert_int_equal(atomic_load(&l.terminated), 1);
    assert_int_equal(atomic_load(&l.killed), 1);
    assert_int_equal(actor_system_wait_idle(sys, 5000), 0);
    actor_system_stats_get(sys, &s1);
    assert_int_equal(s1.dead_letters - s0.dead_letters, 4);
    assert_int_equal(actor_kill(sys, lid), -ENOENT);
    actor_system_destroy(sys);
    assert_int_equal(atomic_load(&l.terminated), 1);
}

/* ------------------------------------------------------------------ futures */

typedef struct {
    actor_future *f;
    int delay_ms;
} completer_arg;

static void *completer_main(void *arg) {
    completer_arg *c = arg;
    sleep_ms(c->delay_ms);
    char *d = strdup("late");
    actor_future_complete(c->f, 7, d, 5);
    actor_future_release(c->f);
    return NULL;
}

static void test_futures(void **st) {
    (void)st;
    /* complete before wait */
    actor_future *f = actor_future_new();
    assert_non_null(f);
    assert_int_equal(actor_future_complete(f, 1, strdup("hi"), 3), 0);
    assert_int_equal(actor_future_complete(f, 2, strdup("again"), 6), -EALREADY);
    int status = 0;
    void *data = NULL;
    size_t len = 0;
    assert_int_equal(actor_future_wait(f, 100, &status, &data, &len), 0);
    assert_int_equal(status, 1);
    assert_int_equal(len, 3);
    assert_string_equal(data, "hi");
    free(data);
    actor_future_release(f);

    /* completed while waiting */
    f = actor_future_new();
    actor_future_retain(f);
    completer_arg c = {f, 30};
    pthread_t th;
    uint64_t t0 = now_ms(); /* before the completer starts its 30 ms: a slow start cannot shorten the wait */
    pthread_create(&th, NULL, completer_main, &c);
    assert_int_equal(actor_future_wait(f, 0, &status, &data, &len), 0);
    assert_true(now_ms() - t0 >= 25);
    assert_int_equal(status, 7);
    assert_string_equal(data, "late");
    free(data);
    pthread_join(th, NULL);
    actor_future_release(f);

    /* timeout; then a late completion after the waiter gave up: the data is freed with the future */
    f = actor_future_new();
    actor_future_retain(f);
    t0 = now_ms();
    assert_int_equal(actor_future_wait(f, 30, &status, &data, &len), -ETIMEDOUT);
    assert_true(now_ms() - t0 >= 25);
    actor_future_release(f); /* the waiter goes away */
    c = (completer_arg){f, 10};
    pthread_create(&th, NULL, completer_main, &c);
    pthread_join(th, NULL); /* completes and drops the last reference: no leak under LSan */

    /* data not requested stays with the future and is freed by it */
    f = actor_future_new();
    assert_int_equal(actor_future_complete(f, 0, strdup("keep"), 5), 0);
    assert_int_equal(actor_future_wait(f, 10, NULL, NULL, NULL), 0);
    actor_future_release(f);
    actor_future_release(NULL);

    /* a message that carries a reply future and is dropped answers it with -ENOENT and releases it */
    f = actor_future_new();
    actor_msg *m = actor_msg_new(MSG_PING, 0, NULL, 4);
    actor_future_retain(f);
    m->reply = f;
    m->ext = malloc(16);
    actor_msg_free(m);
    status = 0;
    assert_int_equal(actor_future_wait(f, 10, &status, NULL, NULL), 0);
    assert_int_equal(status, -ENOENT);
    assert_int_equal(actor_future_complete(f, 0, NULL, 0), -EALREADY);
    actor_future_release(f);
}

/* ------------------------------------------------------------------ timers */

typedef struct ticks {
    pthread_mutex_t mu;
    uint64_t order[8];
    uint64_t at_ms[8];
    int n;
} ticks;

static actor_result tick_receive(actor *self, actor_msg *m) {
    ticks *t = actor_state(self);
    pthread_mutex_lock(&t->mu);
    if (t->n < 8) {
        t->order[t->n] = msg_a(m);
        t->at_ms[t->n] = now_ms();
        t->n++;
    }
    pthread_mutex_unlock(&t->mu);
    actor_msg_free(m);
    return ACTOR_CONTINUE;
}
static const actor_behaviour tick_beh = {"ticks", tick_receive, NULL, NULL};

static void test_send_after(void **st) {
    (void)st;
    actor_system *sys;
    assert_int_equal(actor_system_create(2, &sys), 0);
    ticks t = {.n = 0};
    pthread_mutex_init(&t.mu, NULL);
    actor_id id;
    assert_int_equal(actor_spawn(sys, &tick_beh, &t, &id), 0);
    uint64_t t0 = now_ms();
    assert_int_equal(actor_send_after(sys, id, msg_u64(MSG_TICK, 120, 0), 120), 0);
    assert_int_equal(actor_send_after(sys, id, msg_u64(MSG_TICK, 40, 0), 40), 0);
    assert_int_equal(actor_send_after(sys, id, msg_u64(MSG_TICK, 80, 0), 80), 0);
    assert_int_equal(actor_send_after(sys, id, msg_u64(MSG_TICK, 0, 0), 0), 0);
    /* the idle wait covers pending timers */
    assert_int_equal(actor_system_wait_idle(sys, 5000), 0);
    pthread_mutex_lock(&t.mu);
    assert_int_equal(t.n, 4);
    uint64_t want[4] = {0, 40, 80, 120};
    for (int i = 0; i < 4; i++) {
        assert_int_equal(t.order[i], want[i]);
        uint64_t dt = t.at_ms[i] - t0;
        assert_true(dt >= want[i]);           /* never early */
        assert_true(dt < want[i] + 1000);     /* and not absurdly late */
    }
    pthread_mutex_unlock(&t.mu);

    /* a timer whose target died meanwhile is a dead letter at expiry */
    actor_system_stats s0, s1;
    actor_system_stats_get(sys, &s0);
    assert_int_equal(actor_send_after(sys, id, msg_u64(MSG_TICK, 1, 0), 30), 0);
    assert_int_equal(actor_kill(sys, id), 0);
    assert_int_equal(actor_wait_exit(sys, id, 5000), 0);
    assert_int_equal(actor_system_wait_idle(sys, 5000), 0);
    actor_system_stats_get(sys, &s1);
    assert_int_equal(s1.dead_letters - s0.dead_letters, 1);

    /* pending timers at destroy are freed (LSan) */
    probe p;
    probe_init(&p);
    assert_int_equal(actor_spawn(sys, &probe_beh, &p, &id), 0);
    assert_int_equal(actor_send_after(sys, id, msg_u64(MSG_TICK, 1, 0), 60000), 0);
    assert_int_equal(actor_system_wait_idle(sys, 20), -ETIMEDOUT);
    actor_system_destroy(sys);
    pthread_mutex_destroy(&t.mu);
}

/* A background timer (health ticks) does not keep the system busy while it is pending; its message, once
 * sent, is delivered as any other. */
static void test_send_after_background(void **st) {
    (void)st;
    actor_system *sys;
    assert_int_equal(actor_system_create(2, &sys), 0);
    ticks t = {.n = 0};
    pthread_mutex_init(&t.mu, NULL);
    actor_id id;
    assert_int_equal(actor_spawn(sys, &tick_beh, &t, &id), 0);
    assert_int_equal(actor_send_after_background(sys, id, msg_u64(MSG_TICK, 7, 0), 60000), 0);
    assert_int_equal(actor_system_wait_idle(sys, 5000), 0); /* idle at once, the timer still pending */
    assert_int_equal(actor_send_after_background(sys, id, msg_u64(MSG_TICK, 5, 0), 10), 0);
    for (int i = 0; i < 500; i++) { /* it still fires and is delivered (hang guard: 5 s) */
        pthread_mutex_lock(&t.mu);
        int n = t.n;
        pthread_mutex_unlock(&t.mu);
        if (n == 1) break;
        struct timespec ts = {0, 10 * 1000000L};
        nanosleep(&ts, NULL);
    }
    pthread_mutex_lock(&t.mu);
    assert_int_equal(t.n, 1);
    assert_int_equal(t.order[0], 5);
    pthread_mutex_unlock(&t.mu);
    /* an ordinary timer still counts */
    assert_int_equal(actor_send_after(sys, id, msg_u64(MSG_TICK, 9, 0), 60000), 0);
    assert_int_equal(actor_system_wait_idle(sys, 20), -ETIMEDOUT);
    actor_system_destroy(sys); /* the pending ones are freed (LSan) */
    pthread_mutex_destroy(&t.mu);
}

/* ------------------------------------------------------------------ idle, spawn from handler */

/* A node that, on MSG_SPAWN(depth), spawns two children and forwards depth-1 to each; leaves count. */
typedef struct tree_shared {
    atomic_long nodes, leaves, spawn_fail, wait_rc;
    pthread_mutex_t mu;
    void **states;
    size_t nstates, cap;
} tree_shared;

typedef struct tree_node {
    tree_shared *sh;
} tree_node;

static actor_result tree_receive(actor *self, actor_msg *m);
static const actor_behaviour tree_beh = {"tree", tree_receive, NULL, NULL};

static actor_result tree_receive(actor *self, actor_msg *m) {
    tree_node *n = actor_state(self);
    tree_shared *sh = n->sh;
    uint64_t depth = msg_a(m);
    actor_msg_free(m);
    atomic_fetch_add(&sh->nodes, 1);
    /* blocking waits refuse to run on a scheduler thread */
    if (actor_system_wait_idle(actor_sys(self), 1) == -EDEADLK) atomic_fetch_add(&sh->wait_rc, 1);
    if (depth == 0) {
        atomic_fetch_add(&sh->leaves, 1);
        return ACTOR_STOP;
    }
    for (int i = 0; i < 2; i++) {
        tree_node *c = malloc(sizeof *c);
        c->sh = sh;
        pthread_mutex_lock(&sh->mu);
        sh->states[sh->nstates++] = c;
        pthread_mutex_unlock(&sh->mu);
        actor_id cid;
        if (actor_spawn(actor_sys(self), &tree_beh, c, &cid) ||
            actor_send(actor_sys(self), cid, msg_u64(MSG_SPAWN, depth - 1, 0)))
            atomic_fetch_add(&sh->spawn_fail, 1);
    }
    return ACTOR_STOP;
}

static void test_spawn_from_handler_and_idle(void **st) {
    (void)st;
    actor_system *sys;
    assert_int_equal(actor_system_create(2, &sys), 0);
    enum { DEPTH = 10 };
    tree_shared sh;
    memset(&sh, 0, sizeof sh);
    pthread_mutex_init(&sh.mu, NULL);
    sh.cap = (size_t)1 << (DEPTH + 2);
    sh.states = calloc(sh.cap, sizeof(void *));
    tree_node *root = malloc(sizeof *root);
    root->sh = &sh;
    sh.states[sh.nstates++] = root;
    actor_id rid;
    assert_int_equal(actor_spawn(sys, &tree_beh, root, &rid), 0);
    assert_int_equal(actor_send(sys, rid, msg_u64(MSG_SPAWN, DEPTH, 0)), 0);
    assert_int_equal(actor_system_wait_idle(sys, 30000), 0);
    /* idle means done: every node ran and stopped */
    assert_int_equal(atomic_load(&sh.nodes), (1L << (DEPTH + 1)) - 1);
    assert_int_equal(atomic_load(&sh.leaves), 1L << DEPTH);
    assert_int_equal(atomic_load(&sh.spawn_fail), 0);
    assert_int_equal(atomic_load(&sh.wait_rc), (1L << (DEPTH + 1)) - 1);
    actor_system_stats s;
    actor_system_stats_get(sys, &s);
    assert_int_equal(s.live, 0);
    assert_int_equal(s.spawned, (1L << (DEPTH + 1)) - 1);
    actor_system_destroy(sys);
    for (size_t i = 0; i < sh.nstates; i++) free(sh.states[i]);
    free(sh.states);
    pthread_mutex_destroy(&sh.mu);
}

/* A relay ring: messages hop N times around; wait_idle returns only after the last hop. */
typedef struct relay {
    actor_id next;
    atomic_long *hops;
} relay;

static actor_result relay_receive(actor *self, actor_msg *m) {
    relay *r = actor_state(self);
    uint64_t left = msg_a(m);
    atomic_fetch_add(r->hops, 1);
    if (left > 0) {
        actor_msg *n = msg_u64(MSG_HOP, left - 1, 0);
        n->from = actor_self(self);
        actor_send(actor_sys(self), r->next, n);
    }
    actor_msg_free(m);
    return ACTOR_CONTINUE;
}
static const actor_behaviour relay_beh = {"relay", relay_receive, NULL, NULL};

static void test_wait_idle_ring(void **st) {
    (void)st;
    actor_system *sys;
    assert_int_equal(actor_system_create(2, &sys), 0);
    enum { NR = 16, HOPS = 20000, TOKENS = 4 };
    atomic_long hops = 0;
    relay r[NR];
    actor_id ids[NR];
    for (int i = 0; i < NR; i++) {
        r[i].hops = &hops;
        assert_int_equal(actor_spawn(sys, &relay_beh, &r[i], &ids[i]), 0);
    }
    for (int i = 0; i < NR; i++) r[i].next = ids[(i + 1) % NR];
    /* (actors are idle until the first message, so setting next after spawn is race-free) */
    for (int k = 0; k < TOKENS; k++) assert_int_equal(actor_send(sys, ids[k], msg_u64(MSG_HOP, HOPS, 0)), 0);
    assert_int_equal(actor_system_wait_idle(sys, 60000), 0);
    assert_int_equal(atomic_load(&hops), (long)TOKENS * (HOPS + 1));
    actor_system_destroy(sys);
}

/* One token bounced between two actors: every hop finds its receiver idle, so every send must schedule it.
 * A lost wake-up (a sender that reads a stale state while the runner reads a stale empty mailbox) leaves
 * the token in a mailbox forever: wait_idle times out. Regression test for the missing Dekker fences. */
static void test_ping_pong_no_lost_wakeup(void **st) {
    (void)st;
    actor_system *sys;
    assert_int_equal(actor_system_create(2, &sys), 0);
    enum { HOPS = 200000 };
    atomic_long hops = 0;
    relay r[2];
    actor_id ids[2];
    for (int i = 0; i < 2; i++) {
        r[i].hops = &hops;
        assert_int_equal(actor_spawn(sys, &relay_beh, &r[i], &ids[i]), 0);
    }
    r[0].next = ids[1];
    r[1].next = ids[0];
    assert_int_equal(actor_send(sys, ids[0], msg_u64(MSG_HOP, HOPS, 0)), 0);
    assert_int_equal(actor_system_wait_idle(sys, 60000), 0);
    assert_int_equal(atomic_load(&hops), HOPS + 1);
    actor_system_destroy(sys);
}

/* ------------------------------------------------------------------ names and destroy */

static void test_names_dropped_on_terminate(void **st) {
    (void)st;
    actor_system *sys;
    assert_int_equal(actor_system_create(2, &sys), 0);
    registry *reg = actor_system_registry(sys);
    probe a, b;
    probe_init(&a);
    probe_init(&b);
    a.name = "svc";
    b.name = "svc";
    actor_id ia, ib;
    assert_int_equal(actor_spawn(sys, &probe_beh, &a, &ia), 0);
    assert_int_equal(actor_spawn(sys, &probe_beh, &b, &ib), 0);
    assert_int_equal(registry_register_name(reg, "svc", ia), 0);
    assert_int_equal(registry_register_name(reg, "svc-alias", ia), 0);
    assert_int_equal(registry_register_name(reg, "svc", ib), -EEXIST);
    assert_int_equal(registry_whereis(reg, "svc"), ia);
    uint64_t got = 0;
    actor *pa = registry_get_by_name(reg, "svc", &got);
    assert_non_null(pa);
    assert_int_equal(got, ia);
    assert_int_equal(actor_self(pa), ia);
    actor_release(pa);
    assert_int_equal(actor_stop(sys, ia), 0);
    assert_int_equal(actor_wait_exit(sys, ia, 5000), 0);
    assert_int_equal(atomic_load(&a.names_at_term), 0); /* dropped before terminate() */
    assert_int_equal(registry_whereis(reg, "svc"), 0);
    assert_int_equal(registry_whereis(reg, "svc-alias"), 0);
    /* the name is free for a successor (what a supervisor does on restart) */
    assert_int_equal(registry_register_name(reg, "svc", ib), 0);
    assert_int_equal(registry_register_name(reg, "svc", ia), -ENOENT);
    actor_system_destroy(sys);
    assert_int_equal(atomic_load(&b.names_at_term), 0);
}

/* Destroy with actors busy (spinning, flooded, mid-handler) — all killed newest first, nothing leaks. */
static pthread_mutex_t order_mu = PTHREAD_MUTEX_INITIALIZER;
static actor_id order_ids[64];
static int order_n;

static void order_terminate(actor *self, bool killed) {
    pthread_mutex_lock(&order_mu);
    if (order_n < 64) order_ids[order_n++] = actor_self(self);
    pthread_mutex_unlock(&order_mu);
    /* sending and spawning during destroy fail cleanly */
    actor_msg *m = msg_u64(MSG_NUM, 0, 0);
    int rc = actor_send(actor_sys(self), actor_self(self), m);
    if (killed && rc != -ESHUTDOWN && rc != -ENOENT) order_ids[0] = 0;
    if (actor_spawn(actor_sys(self), &probe_beh, NULL, NULL) != -ESHUTDOWN) order_ids[0] = 0;
    free(actor_state(self));
}
static actor_result order_spin_receive(actor *self, actor_msg *m) { return spin_receive(self, m); }
static actor_result order_spin_resume(actor *self) {
    (void)self;
    busy_wait_us(100);
    return ACTOR_YIELD;
}
static actor_result order_slow_receive(actor *self, actor_msg *m) {
    (void)self;
    busy_wait_us(50);
    actor_msg_free(m);
    return ACTOR_CONTINUE;
}
static const actor_behaviour order_spin_beh = {"ospin", order_spin_receive, order_spin_resume, order_terminate};
static const actor_behaviour order_slow_beh = {"oslow", order_slow_receive, NULL, order_terminate};

static void test_destroy_busy(void **st) {
    (void)st;
    actor_system *sys;
    assert_int_equal(actor_system_create(2, &sys), 0);
    order_n = 0;
    enum { NA = 12 };
    actor_id ids[NA];
    for (int i = 0; i < NA; i++) {
        const actor_behaviour *b = (i % 3 == 0) ? &order_spin_beh : &order_slow_beh;
        assert_int_equal(actor_spawn(sys, b, malloc(32), &ids[i]), 0);
        int n = (i % 3 == 0) ? 1 : 2000;
        for (int k = 0; k < n; k++) assert_int_equal(actor_send(sys, ids[i], msg_u64(MSG_NUM, k, 0)), 0);
    }
    /* a message with a reply future and ext queued at destroy is freed too */
    actor_msg *m = actor_msg_new(MSG_PING, 0, NULL, 0);
    m->reply = actor_future_new();
    m->ext = malloc(8);
    assert_int_equal(actor_send(sys, ids[1], m), 0);
    sleep_ms(5);
    actor_system_destroy(sys);
    assert_int_equal(order_n, NA);
    for (int i = 0; i < NA; i++) assert_int_equal(order_ids[i], ids[NA - 1 - i]); /* newest first */
}

/* ------------------------------------------------------------------ parking (ask without blocking a thread) */

typedef struct asker {
    _Atomic(actor_future *) pending; /* published for the test thread to complete */
    actor_future *f;                 /* runner only */
    atomic_int resumes, replies, status, terminated, killed;
    atomic_long log[8];
    atomic_int nlog;
} asker;

static void asker_log(asker *k, long v) {
    int i = atomic_fetch_add(&k->nlog, 1);
    if (i < 8) atomic_store(&k->log[i], v);
}

static actor_result asker_start_wait(actor *self, asker *k) {
    k->f = actor_future_new();
    actor_future_retain(k->f);
    actor_future_wake(k->f, actor_sys(self), actor_self(self));
    atomic_store(&k->pending, k->f); /* the test thread plays the responder */
    actor_park(self);
    return ACTOR_YIELD;
}

static actor_result asker_receive(actor *self, actor_msg *m) {
    asker *k = actor_state(self);
    uint64_t v = msg_a(m);
    actor_msg_free(m);
    asker_log(k, (long)v);
    if (v == 1 || v == 3) return asker_start_wait(self, k); /* "ask" */
    return ACTOR_CONTINUE;
}

static actor_result asker_resume(actor *self) {
    asker *k = actor_state(self);
    atomic_fetch_add(&k->resumes, 1);
    int status;
    if (actor_future_poll(k->f, &status, NULL, NULL) == -EAGAIN) {
        actor_park(self); /* spurious: park again */
        return ACTOR_YIELD;
    }
    atomic_store(&k->status, status);
    atomic_fetch_add(&k->replies, 1);
    asker_log(k, 100 + status);
    actor_future_release(k->f);
    k->f = NULL;
    return ACTOR_CONTINUE;
}

static void asker_terminate(actor *self, bool killed) {
    asker *k = actor_state(self);
    if (k->f) {
        actor_future_wake(k->f, NULL, 0); /* cancel before abandoning */
        actor_future_release(k->f);
    }
    atomic_store(&k->killed, killed);
    atomic_fetch_add(&k->terminated, 1);
}
static const actor_behaviour asker_beh = {"asker", asker_receive, asker_resume, asker_terminate};

static void test_park_unpark(void **st) {
    (void)st;
    actor_system *sys;
    assert_int_equal(actor_system_create(1, &sys), 0);
    asker *k = calloc(1, sizeof *k);
    actor_id id;
    assert_int_equal(actor_spawn(sys, &asker_beh, k, &id), 0);
    assert_int_equal(actor_send(sys, id, msg_u64(MSG_NUM, 1, 0)), 0);
    while (!atomic_load(&k->pending)) sleep_ms(1);
    actor_future *f = atomic_exchange(&k->pending, NULL);
    /* parked: no polling, and the system counts as idle (nothing can progress on its own) */
    assert_int_equal(actor_system_wait_idle(sys, 5000), 0);
    sleep_ms(30);
    assert_int_equal(atomic_load(&k->resumes), 0);
    /* a message to a parked actor waits behind the reply */
    assert_int_equal(actor_send(sys, id, msg_u64(MSG_NUM, 2, 0)), 0);
    sleep_ms(20);
    assert_int_equal(atomic_load(&k->nlog), 1);
    assert_int_equal(actor_system_wait_idle(sys, 20), -ETIMEDOUT); /* that queued message is work */
    assert_int_equal(actor_future_complete(f, 5, NULL, 0), 0);    /* wakes it */
    actor_future_release(f);
    assert_int_equal(actor_system_wait_idle(sys, 5000), 0);
    assert_int_equal(atomic_load(&k->replies), 1);
    assert_int_equal(atomic_load(&k->status), 5);
    assert_true(atomic_load(&k->resumes) >= 1 && atomic_load(&k->resumes) <= 2);
    assert_int_equal(atomic_load(&k->nlog), 3);
    assert_int_equal(atomic_load(&k->log[0]), 1);
    assert_int_equal(atomic_load(&k->log[1]), 105);
    assert_int_equal(atomic_load(&k->log[2]), 2);

    /* an unpark before the actor parks is not lost; unpark of a dead id is -ENOENT */
    assert_int_equal(actor_park(NULL), -EINVAL);
    assert_int_equal(actor_unpark(sys, 987654321), -ENOENT);

    /* a parked actor can be killed; it cancels and drops its future (no leak) */
    assert_int_equal(actor_send(sys, id, msg_u64(MSG_NUM, 3, 0)), 0);
    while (!atomic_load(&k->pending)) sleep_ms(1);
    f = atomic_exchange(&k->pending, NULL);
    assert_int_equal(actor_kill(sys, id), 0);
    assert_int_equal(actor_wait_exit(sys, id, 5000), 0);
    assert_int_equal(atomic_load(&k->terminated), 1);
    assert_int_equal(atomic_load(&k->killed), 1);
    assert_int_equal(actor_future_complete(f, 0, strdup("late"), 5), 0); /* no wake target any more */
    actor_future_release(f);
    actor_system_destroy(sys);
    free(k);
}

/* Many asks racing completions against parking (2 threads): nothing is lost, no reply missed. */
typedef struct racer {
    actor_future *f;
    atomic_int done;
    int rounds;
} racer;

static atomic_int race_inflight; /* completer threads still touching the system */

static void *race_completer(void *arg) {
    actor_future *f = arg;
    actor_future_complete(f, 1, NULL, 0); /* may unpark: the system must outlive this call */
    actor_future_release(f);
    atomic_fetch_sub(&race_inflight, 1);
    return NULL;
}

static actor_result racer_resume(actor *self) {
    racer *r = actor_state(self);
    if (actor_future_poll(r->f, NULL, NULL, NULL) == -EAGAIN) {
        actor_park(self);
        return ACTOR_YIELD;
    }
    actor_future_release(r->f);
    r->f = NULL;
    if (++r->rounds == 2000) {
        atomic_store(&r->done, 1);
        return ACTOR_CONTINUE;
    }
    r->f = actor_future_new();
    actor_future_retain(r->f);
    actor_future_wake(r->f, actor_sys(self), actor_self(self));
    pthread_t th;
    atomic_fetch_add(&race_inflight, 1);
    pthread_create(&th, NULL, race_completer, r->f);
    pthread_detach(th);
    actor_park(self);
    return ACTOR_YIELD;
}
static actor_result racer_receive(actor *self, actor_msg *m) {
    racer *r = actor_state(self);
    actor_msg_free(m);
    r->f = actor_future_new();
    actor_future_complete(r->f, 0, NULL, 0);
    return racer_resume(self);
}
static const actor_behaviour racer_beh = {"racer", racer_receive, racer_resume, NULL};

static void test_park_races(void **st) {
    (void)st;
    actor_system *sys;
    assert_int_equal(actor_system_create(2, &sys), 0);
    racer r = {.f = NULL, .rounds = 0};
    atomic_init(&r.done, 0);
    actor_id id;
    assert_int_equal(actor_spawn(sys, &racer_beh, &r, &id), 0);
    assert_int_equal(actor_send(sys, id, msg_u64(MSG_NUM, 0, 0)), 0);
    uint64_t t0 = now_ms();
    while (!atomic_load(&r.done) && now_ms() - t0 < 30000) sleep_ms(2);
    assert_int_equal(atomic_load(&r.done), 1);
    assert_int_equal(actor_system_wait_idle(sys, 5000), 0);
    while (atomic_load(&race_inflight)) sleep_ms(1);
    actor_system_destroy(sys);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spawn_send),
        cmocka_unit_test(test_fifo_per_sender),
        cmocka_unit_test(test_one_at_a_time),
        cmocka_unit_test(test_yield_no_starvation),
        cmocka_unit_test(test_stop_after_earlier_messages),
        cmocka_unit_test(test_kill),
        cmocka_unit_test(test_futures),
        cmocka_unit_test(test_send_after),
        cmocka_unit_test(test_send_after_background),
        cmocka_unit_test(test_spawn_from_handler_and_idle),
        cmocka_unit_test(test_wait_idle_ring),
        cmocka_unit_test(test_ping_pong_no_lost_wakeup),
        cmocka_unit_test(test_names_dropped_on_terminate),
        cmocka_unit_test(test_destroy_busy),
        cmocka_unit_test(test_park_unpark),
        cmocka_unit_test(test_park_races),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
