/* test_actor_mailbox.c — bounded mailboxes: capacity, -EAGAIN back-pressure, system messages exempt,
 * slots freed as messages are taken, concurrent senders, the refused_full counter, send_after, and the
 * unbounded default; byte bounds (mailbox_max_bytes): -EAGAIN / -EMSGSIZE, system messages charged but
 * accepted, oversized replies trimmed, concurrent senders of mixed sizes.
 *
 * The receiver under test blocks each counted message on a gate (permits or fully open), so its mailbox
 * fills deterministically while the test thread watches. cmocka asserts only on the test thread: the
 * actor and the sender threads record what they see in atomics. The gate is always opened before
 * actor_system_destroy (a handler blocked on it would keep a scheduler thread from being joined). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "support.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "actor/actor.h"

enum { MSG_WORK = ACTOR_MSG_USER, MSG_SEQ };

#define NSEND 8 /* sender threads in the concurrency tests */

/* Polls *v until it is >= want (up to 5 s); returns the last value seen. */
static long wait_at_least(atomic_long *v, long want) {
    uint64_t t0 = now_ms();
    long x;
    while ((x = atomic_load(v)) < want && now_ms() - t0 < 5000) sleep_ms(1);
    return x;
}

static actor_system_stats stats(actor_system *sys) {
    actor_system_stats s;
    actor_system_stats_get(sys, &s);
    return s;
}

/* ------------------------------------------------------------------ the gated receiver */

typedef struct gate {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    long permits; /* counted messages that may still pass while closed */
    bool open;
} gate;

typedef struct rx {
    gate g;
    actor_id self;
    atomic_long entered;  /* counted messages whose handler started */
    atomic_long handled;  /* counted messages whose handler finished */
    atomic_long stops, downs, exits, replies;
    atomic_long reply_status;
    atomic_long reply_len;  /* actor_reply.len of the last REPLY */
    atomic_long reply_bytes;/* REPLY payload bytes that arrived (after the header) */
    atomic_long max_len;  /* largest actor_mailbox_length(self) seen inside the handler */
    atomic_long max_bytes;/* largest actor_mailbox_bytes(self) seen inside the handler */
    atomic_long fifo_err; /* MSG_SEQ out of order per sender */
    long next_seq[NSEND]; /* runner only */
    int spin;             /* busy iterations per counted message (to let senders pile up) */
} rx;

static rx *rx_new(void) {
    rx *r = calloc(1, sizeof *r);
    pthread_mutex_init(&r->g.mu, NULL);
    pthread_cond_init(&r->g.cv, NULL);
    atomic_init(&r->reply_status, 1);
    return r;
}

static void rx_free(rx *r) {
    pthread_mutex_destroy(&r->g.mu);
    pthread_cond_destroy(&r->g.cv);
    free(r);
}

static void gate_pass(gate *g) {
    pthread_mutex_lock(&g->mu);
    while (!g->open && g->permits == 0) pthread_cond_wait(&g->cv, &g->mu);
    if (!g->open) g->permits--;
    pthread_mutex_unlock(&g->mu);
}

static void gate_permit(gate *g, long n) {
    pthread_mutex_lock(&g->mu);
    g->permits += n;
    pthread_cond_broadcast(&g->cv);
    pthread_mutex_unlock(&g->mu);
}

static void gate_open(gate *g) {
    pthread_mutex_lock(&g->mu);
    g->open = true;
    pthread_cond_broadcast(&g->cv);
    pthread_mutex_unlock(&g->mu);
}

static void max_update(atomic_long *m, long v) {
    long cur = atomic_load(m);
    while (v > cur && !atomic_compare_exchange_weak(m, &cur, v)) {
    }
}

static actor_result rx_receive(actor *self, actor_msg *m) {
    rx *r = actor_state(self);
    actor_result res = ACTOR_CONTINUE;
    switch (m->type) {
    case ACTOR_MSG_STOP:
        atomic_fetch_add(&r->stops, 1);
        res = ACTOR_STOP;
        break;
    case ACTOR_MSG_DOWN: atomic_fetch_add(&r->downs, 1); break;
    case ACTOR_MSG_EXIT: atomic_fetch_add(&r->exits, 1); break;
    case ACTOR_MSG_REPLY: {
        actor_reply h;
        memcpy(&h, m->data, sizeof h);
        atomic_store(&r->reply_status, h.status);
        atomic_store(&r->reply_len, (long)h.len);
        atomic_store(&r->reply_bytes, (long)(m->len - sizeof h));
        atomic_fetch_add(&r->replies, 1);
        break;
    }
    default:
        atomic_fetch_add(&r->entered, 1);
        max_update(&r->max_len, (long)actor_mailbox_length(actor_sys(self), actor_self(self)));
        max_update(&r->max_bytes, (long)actor_mailbox_bytes(actor_sys(self), actor_self(self)));
        if (m->type == MSG_SEQ && m->len >= 2 * sizeof(uint64_t)) {
            uint64_t v[2];
            memcpy(v, m->data, sizeof v);
            if (v[0] >= NSEND || (long)v[1] != r->next_seq[v[0]]) atomic_fetch_add(&r->fifo_err, 1);
            else r->next_seq[v[0]]++;
        }
        gate_pass(&r->g);
        for (volatile int i = 0; i < r->spin; i++) {
        }
        atomic_fetch_add(&r->handled, 1);
        break;
    }
    actor_msg_free(m);
    return res;
}

static const actor_behaviour rx_beh = {"mailbox-rx", rx_receive, NULL, NULL};

static actor_id spawn_rx(actor_system *sys, rx *r, uint32_t cap, bool trap) {
    actor_spawn_opts o = {.mailbox_capacity = cap, .trap_exits = trap};
    actor_id id = 0;
    assert_int_equal(actor_spawn_opt(sys, &rx_beh, r, &o, &id), 0);
    r->self = id;
    return id;
}

static actor_id spawn_rx_bytes(actor_system *sys, rx *r, uint32_t cap, size_t max_bytes, bool trap) {
    actor_spawn_opts o = {.mailbox_capacity = cap, .mailbox_max_bytes = max_bytes, .trap_exits = trap};
    actor_id id = 0;
    assert_int_equal(actor_spawn_opt(sys, &rx_beh, r, &o, &id), 0);
    r->self = id;
    return id;
}

/* A counted message with `len` payload bytes (its cost: sizeof(actor_msg) + len). */
static int send_len(actor_system *sys, actor_id to, size_t len) {
    return actor_send(sys, to, actor_msg_new(MSG_WORK, 0, NULL, len));
}

static int send_work(actor_system *sys, actor_id to) {
    return actor_send(sys, to, actor_msg_new(MSG_WORK, 0, NULL, 0));
}

/* Sends the first message and waits until the receiver is blocked inside its handler: from then on it takes
 * nothing out of its mailbox until the gate lets it. */
static void block_receiver(actor_system *sys, rx *r) {
    long before = atomic_load(&r->entered);
    assert_int_equal(send_work(sys, r->self), 0);
    assert_int_equal(wait_at_least(&r->entered, before + 1), before + 1);
}

/* ------------------------------------------------------------------ tests */

static void test_unbounded_default(void **st) {
    (void)st;
    actor_system *sys;
    assert_int_equal(actor_system_create(2, &sys), 0);
    rx *a = rx_new(), *b = rx_new();
    /* plain actor_spawn and spawn_opt with capacity 0: both unbounded */
    assert_int_equal(actor_spawn(sys, &rx_beh, a, &a->self), 0);
    spawn_rx(sys, b, 0, false);
    block_receiver(sys, a);
    block_receiver(sys, b);
    actor_system_stats s0 = stats(sys);
    for (int i = 0; i < 1000; i++) {
        assert_int_equal(send_work(sys, a->self), 0);
        assert_int_equal(send_work(sys, b->self), 0);
    }
    assert_int_equal(actor_mailbox_length(sys, a->self), 1000);
    assert_int_equal(actor_mailbox_length(sys, b->self), 1000);
    gate_open(&a->g);
    gate_open(&b->g);
    assert_int_equal(actor_system_wait_idle(sys, 5000), 0);
    assert_int_equal(atomic_load(&a->handled), 1001);
    assert_int_equal(atomic_load(&b->handled), 1001);
    assert_int_equal(actor_mailbox_length(sys, a->self), 0);
    actor_system_stats s1 = stats(sys);
    assert_int_equal(s1.refused_full, s0.refused_full);
    assert_int_equal(s1.dead_letters, s0.dead_letters);
    assert_int_equal(s1.refused_full, 0);
    actor_system_destroy(sys);
    rx_free(a), rx_free(b);
}

static void test_capacity_refuses(void **st) {
    (void)st;
    actor_system *sys;
    assert_int_equal(actor_system_create(2, &sys), 0);
    rx *r = rx_new();
    actor_id R = spawn_rx(sys, r, 4, false);
    block_receiver(sys, r); /* the message being handled holds no slot */
    assert_int_equal(actor_mailbox_length(sys, R), 0);
    actor_system_stats s0 = stats(sys);
    for (int i = 0; i < 4; i++) {
        assert_int_equal(send_work(sys, R), 0);
        assert_int_equal(actor_mailbox_length(sys, R), (size_t)i + 1);
    }
    for (int i = 0; i < 3; i++) assert_int_equal(send_work(sys, R), -EAGAIN);
    /* type 0 and unassigned reserved types count too (no way around the bound) */
    assert_int_equal(actor_send(sys, R, actor_msg_new(0, 0, NULL, 0)), -EAGAIN);
    assert_int_equal(actor_send(sys, R, actor_msg_new(7, 0, "x", 1)), -EAGAIN);
    /* a refused request: its future says -EAGAIN (not -ENOENT) */
    actor_future *f = actor_future_new();
    assert_non_null(f);
    actor_msg *m = actor_msg_new(MSG_WORK, 0, NULL, 0);
    actor_future_retain(f);
    m->reply = f;
    assert_int_equal(actor_send(sys, R, m), -EAGAIN);
    int status = 0;
    assert_int_equal(actor_future_poll(f, &status, NULL, NULL), 0);
    assert_int_equal(status, -EAGAIN);
    actor_future_release(f);
    /* a full mailbox is not a dead address; a dead one is not "full" */
    assert_int_equal(send_work(sys, 999999), -ENOENT);
    assert_int_equal(actor_send(sys, R, NULL), -EINVAL);
    actor_system_stats s1 = stats(sys);
    assert_int_equal(s1.refused_full - s0.refused_full, 6);
    assert_int_equal(s1.dead_letters - s0.dead_letters, 1);
    assert_int_equal(actor_mailbox_length(sys, R), 4);

    gate_open(&r->g);
    assert_int_equal(actor_system_wait_idle(sys, 5000), 0);
    assert_int_equal(atomic_load(&r->handled), 5);
    assert_int_equal(actor_mailbox_length(sys, R), 0);
    assert_true(actor_alive(sys, R));
    /* room again */
    for (int i = 0; i < 4; i++) assert_int_equal(send_work(sys, R), 0);
    assert_int_equal(actor_system_wait_idle(sys, 5000), 0);
    assert_int_equal(atomic_load(&r->handled), 9);
    assert_int_equal(stats(sys).refused_full - s0.refused_full, 6);
    actor_system_destroy(sys);
    rx_free(r);
}

static actor_result idle_receive(actor *self, actor_msg *m) {
    (void)self;
    bool stop = m->type == ACTOR_MSG_STOP;
    actor_msg_free(m);
    return stop ? ACTOR_STOP : ACTOR_CONTINUE;
}
static const actor_behaviour idle_beh = {"idle", idle_receive, NULL, NULL};

static void test_system_messages_when_full(void **st) {
    (void)st;
    actor_system *sys;
    assert_int_equal(actor_system_create(2, &sys), 0);
    rx *r = rx_new();
    actor_id R = spawn_rx(sys, r, 2, true);
    actor_id X1 = 0, X2 = 0;
    assert_int_equal(actor_spawn(sys, &idle_beh, NULL, &X1), 0);
    assert_int_equal(actor_spawn(sys, &idle_beh, NULL, &X2), 0);
    assert_int_equal(actor_monitor(sys, R, X1, NULL), 0);
    assert_int_equal(actor_link(sys, R, X2), 0);

    block_receiver(sys, r);
    assert_int_equal(send_work(sys, R), 0);
    assert_int_equal(send_work(sys, R), 0);
    assert_int_equal(send_work(sys, R), -EAGAIN);
    actor_system_stats s0 = stats(sys);

    /* DOWN (a monitored actor ends) and EXIT (a linked actor ends; R traps) */
    assert_int_equal(actor_kill(sys, X1), 0);
    assert_int_equal(actor_kill(sys, X2), 0);
    assert_int_equal(actor_wait_exit(sys, X1, 5000), 0);
    assert_int_equal(actor_wait_exit(sys, X2, 5000), 0);
    /* an exit signal sent by hand */
    actor_exit why = {.kind = ACTOR_EXIT_SHUTDOWN, .code = 0, .text = "by hand"};
    assert_int_equal(actor_exit_signal_send(sys, 0, R, &why), 0);
    /* REPLY through actor_send (a notify future's completion) */
    actor_future *f = actor_future_new_notify(sys, R, 5);
    assert_non_null(f);
    assert_int_equal(actor_future_complete(f, 42, NULL, 0), 0);
    actor_future_release(f);
    /* the layer's own types sent through actor_send directly are accepted as well */
    actor_msg *rep = actor_msg_new(ACTOR_MSG_REPLY, 0, &(actor_reply){.status = 43, .len = 0},
                                   sizeof(actor_reply));
    assert_int_equal(actor_send(sys, R, rep), 0);
    /* STOP */
    assert_int_equal(actor_stop(sys, R), 0);
    /* still full for ordinary messages; system messages took no slot */
    assert_int_equal(actor_mailbox_length(sys, R), 2);
    assert_int_equal(send_work(sys, R), -EAGAIN);
    actor_system_stats s1 = stats(sys);
    assert_int_equal(s1.refused_full - s0.refused_full, 1);
    assert_int_equal(s1.dead_letters, s0.dead_letters);

    gate_open(&r->g);
    assert_int_equal(actor_wait_exit(sys, R, 5000), 0);
    assert_false(actor_alive(sys, R));
    assert_int_equal(atomic_load(&r->handled), 3); /* everything queued before STOP was handled first */
    assert_int_equal(atomic_load(&r->downs), 1);
    assert_int_equal(atomic_load(&r->exits), 2);
    assert_int_equal(atomic_load(&r->replies), 2);
    assert_int_equal(atomic_load(&r->reply_status), 43);
    assert_int_equal(atomic_load(&r->stops), 1);
    actor_exit out;
    assert_int_equal(actor_exit_reason(sys, R, &out), 0);
    assert_int_equal(out.kind, ACTOR_EXIT_NORMAL);
    assert_int_equal(actor_mailbox_length(sys, R), 0);
    actor_system_destroy(sys);
    rx_free(r);
}

static void test_capacity_frees_as_handled(void **st) {
    (void)st;
    actor_system *sys;
    assert_int_equal(actor_system_create(2, &sys), 0);
    rx *r = rx_new();
    actor_id R = spawn_rx(sys, r, 3, false);
    block_receiver(sys, r);
    actor_system_stats s0 = stats(sys);
    long refused = 0;
    for (int i = 0; i < 3; i++) assert_int_equal(send_work(sys, R), 0);
    assert_int_equal(send_work(sys, R), -EAGAIN);
    refused++;
    for (long step = 1; step <= 10; step++) {
        /* one handler finishes; the receiver takes the next message out and blocks on it: one slot */
        gate_permit(&r->g, 1);
        assert_int_equal(wait_at_least(&r->entered, step + 1), step + 1);
        assert_int_equal(actor_mailbox_length(sys, R), 2);
        assert_int_equal(send_work(sys, R), 0);
        assert_int_equal(actor_mailbox_length(sys, R), 3);
        assert_int_equal(send_work(sys, R), -EAGAIN);
        refused++;
    }
    /* two at once: two slots */
    gate_permit(&r->g, 2);
    assert_int_equal(wait_at_least(&r->entered, 13), 13);
    assert_int_equal(actor_mailbox_length(sys, R), 1);
    assert_int_equal(send_work(sys, R), 0);
    assert_int_equal(send_work(sys, R), 0);
    assert_int_equal(send_work(sys, R), -EAGAIN);
    refused++;
    assert_int_equal(stats(sys).refused_full - s0.refused_full, (uint64_t)refused);
    assert_true(atomic_load(&r->max_len) <= 3);

    gate_open(&r->g);
    assert_int_equal(actor_system_wait_idle(sys, 5000), 0);
    assert_int_equal(atomic_load(&r->handled), 1 + 3 + 10 + 2);
    assert_int_equal(stats(sys).dead_letters, s0.dead_letters);
    actor_system_destroy(sys);
    rx_free(r);
}

/* ------------------------------------------------------------------ concurrent senders */

typedef struct sender {
    actor_system *sys;
    actor_id to;
    int idx;
    uint32_t type;    /* MSG_WORK, or MSG_SEQ (the receiver checks per-sender order) */
    long n;           /* phase 1: attempts; phase 2: messages to get accepted */
    bool retry;       /* phase 2: retry -EAGAIN until accepted */
    atomic_int *go;
    long ok, eagain, other;
    long max_len;     /* largest actor_mailbox_length seen after a send */
} sender;

static void *sender_main(void *arg) {
    sender *s = arg;
    while (!atomic_load(s->go)) sched_yield();
    for (long i = 0; i < s->n; i++) {
        for (;;) {
            uint64_t v[2] = {(uint64_t)s->idx, (uint64_t)i};
            int rc = actor_send(s->sys, s->to, actor_msg_new(s->type, 0, v, sizeof v));
            size_t len = actor_mailbox_length(s->sys, s->to);
            if ((long)len > s->max_len) s->max_len = (long)len;
            if (rc == 0) {
                s->ok++;
                break;
            }
            if (rc == -EAGAIN) s->eagain++;
            else s->other++;
            if (!s->retry || rc != -EAGAIN) break;
            sched_yield();
        }
    }
    return NULL;
}

typedef struct observer {
    actor_system *sys;
    actor_id to;
    atomic_int *stop;
    long max_len, samples;
} observer;

static void *observer_main(void *arg) {
    observer *o = arg;
    while (!atomic_load(o->stop)) {
        long len = (long)actor_mailbox_length(o->sys, o->to);
        if (len > o->max_len) o->max_len = len;
        o->samples++;
    }
    return NULL;
}

static void run_senders(sender *s, int n, atomic_int *go) {
    pthread_t th[NSEND];
    atomic_store(go, 0);
    for (int i = 0; i < n; i++) assert_int_equal(pthread_create(&th[i], NULL, sender_main, &s[i]), 0);
    atomic_store(go, 1);
    for (int i = 0; i < n; i++) pthread_join(th[i], NULL);
}

static void test_concurrent_senders(void **st) {
    (void)st;
    enum { CAP = 8, ATTEMPTS = 2000, PER_SENDER = 3000 };
    actor_system *sys;
    assert_int_equal(actor_system_create(3, &sys), 0);
    rx *r = rx_new();
    r->spin = 200;
    actor_id R = spawn_rx(sys, r, CAP, false);
    block_receiver(sys, r);
    actor_system_stats s0 = stats(sys);
    atomic_int go;

    /* phase 1: receiver blocked; NSEND threads race for the last slots: exactly CAP win */
    sender s[NSEND];
    for (int i = 0; i < NSEND; i++)
        s[i] = (sender){.sys = sys, .to = R, .idx = i, .type = MSG_WORK, .n = ATTEMPTS, .retry = false,
                        .go = &go};
    run_senders(s, NSEND, &go);
    long ok = 0, eagain = 0, other = 0, maxl = 0;
    for (int i = 0; i < NSEND; i++) {
        ok += s[i].ok, eagain += s[i].eagain, other += s[i].other;
        if (s[i].max_len > maxl) maxl = s[i].max_len;
    }
    assert_int_equal(ok, CAP);
    assert_int_equal(eagain, (long)NSEND * ATTEMPTS - CAP);
    assert_int_equal(other, 0);
    assert_int_equal(maxl, CAP);
    assert_int_equal(actor_mailbox_length(sys, R), CAP);
    actor_system_stats s1 = stats(sys);
    assert_int_equal(s1.refused_full - s0.refused_full, (uint64_t)eagain);
    assert_int_equal(s1.dead_letters, s0.dead_letters);

    gate_open(&r->g);
    assert_int_equal(actor_system_wait_idle(sys, 5000), 0);
    assert_int_equal(atomic_load(&r->handled), 1 + CAP);
    assert_int_equal(atomic_load(&r->fifo_err), 0);

    /* phase 2: the receiver works while NSEND threads push with retries and an observer samples */
    long base = atomic_load(&r->handled);
    atomic_int stop_obs = 0;
    observer ob = {.sys = sys, .to = R, .stop = &stop_obs};
    pthread_t obt;
    assert_int_equal(pthread_create(&obt, NULL, observer_main, &ob), 0);
    for (int i = 0; i < NSEND; i++)
        s[i] = (sender){.sys = sys, .to = R, .idx = i, .type = MSG_SEQ, .n = PER_SENDER, .retry = true,
                        .go = &go};
    actor_system_stats s2 = stats(sys);
    run_senders(s, NSEND, &go);
    atomic_store(&stop_obs, 1);
    pthread_join(obt, NULL);
    assert_int_equal(actor_system_wait_idle(sys, 10000), 0);

    ok = eagain = other = maxl = 0;
    for (int i = 0; i < NSEND; i++) {
        ok += s[i].ok, eagain += s[i].eagain, other += s[i].other;
        if (s[i].max_len > maxl) maxl = s[i].max_len;
    }
    assert_int_equal(ok, (long)NSEND * PER_SENDER);
    assert_int_equal(other, 0);
    assert_true(maxl <= CAP);
    assert_true(ob.max_len <= CAP);
    assert_true(atomic_load(&r->max_len) <= CAP);
    assert_true(ob.samples > 0);
    assert_int_equal(atomic_load(&r->handled) - base, (long)NSEND * PER_SENDER);
    assert_int_equal(atomic_load(&r->fifo_err), 0); /* accepted messages keep per-sender order */
    actor_system_stats s3 = stats(sys);
    assert_int_equal(s3.refused_full - s2.refused_full, (uint64_t)eagain);
    assert_int_equal(s3.dead_letters, s0.dead_letters);
    assert_int_equal(actor_mailbox_length(sys, R), 0);
    actor_system_destroy(sys);
    rx_free(r);
}

/* ------------------------------------------------------------------ timers, dead actors */

static void test_send_after_full(void **st) {
    (void)st;
    actor_system *sys;
    assert_int_equal(actor_system_create(2, &sys), 0);
    rx *r = rx_new();
    actor_id R = spawn_rx(sys, r, 1, false);
    block_receiver(sys, r);
    assert_int_equal(send_work(sys, R), 0);
    assert_int_equal(send_work(sys, R), -EAGAIN);
    actor_system_stats s0 = stats(sys);

    /* set while full (accepted: capacity is looked at on expiry), refused at expiry */
    actor_future *f = actor_future_new();
    actor_msg *m = actor_msg_new(MSG_WORK, 0, NULL, 0);
    actor_future_retain(f);
    m->reply = f;
    assert_int_equal(actor_send_after(sys, R, m, 5), 0);
    assert_int_equal(actor_send_after(sys, R, actor_msg_new(MSG_WORK, 0, NULL, 0), 5), 0);
    int status = 0;
    assert_int_equal(actor_future_wait(f, 5000, &status, NULL, NULL), 0);
    assert_int_equal(status, -EAGAIN);
    actor_future_release(f);
    uint64_t t0 = now_ms();
    while (stats(sys).refused_full - s0.refused_full < 2 && now_ms() - t0 < 5000) sleep_ms(1);
    actor_system_stats s1 = stats(sys);
    assert_int_equal(s1.refused_full - s0.refused_full, 2);
    assert_int_equal(s1.dead_letters, s0.dead_letters);
    /* a system message by timer is delivered to the full actor */
    assert_int_equal(actor_send_after(sys, R, actor_msg_new(ACTOR_MSG_STOP, 0, NULL, 0), 1), 0);
    sleep_ms(20);
    assert_int_equal(stats(sys).refused_full, s1.refused_full);

    gate_open(&r->g);
    assert_int_equal(actor_wait_exit(sys, R, 5000), 0);
    assert_int_equal(atomic_load(&r->handled), 2);
    assert_int_equal(atomic_load(&r->stops), 1);
    actor_system_destroy(sys);
    rx_free(r);
}

static void test_send_after_not_full(void **st) {
    (void)st;
    actor_system *sys;
    assert_int_equal(actor_system_create(2, &sys), 0);
    rx *r = rx_new();
    gate_open(&r->g);
    actor_id R = spawn_rx(sys, r, 2, false);
    actor_system_stats s0 = stats(sys);
    assert_int_equal(actor_send_after(sys, R, actor_msg_new(MSG_WORK, 0, NULL, 0), 2), 0);
    assert_int_equal(actor_send_after(sys, R, actor_msg_new(MSG_WORK, 0, NULL, 0), 2), 0);
    assert_int_equal(actor_system_wait_idle(sys, 5000), 0);
    assert_int_equal(atomic_load(&r->handled), 2);
    assert_int_equal(stats(sys).refused_full, s0.refused_full);
    actor_system_destroy(sys);
    rx_free(r);
}

static void test_length_dead_and_killed(void **st) {
    (void)st;
    actor_system *sys;
    assert_int_equal(actor_system_create(2, &sys), 0);
    assert_int_equal(actor_mailbox_length(sys, 0), 0);
    assert_int_equal(actor_mailbox_length(sys, 999999), 0);
    assert_int_equal(actor_mailbox_length(NULL, 1), 0);
    rx *r = rx_new();
    actor_id R = spawn_rx(sys, r, 4, false);
    block_receiver(sys, r);
    for (int i = 0; i < 4; i++) assert_int_equal(send_work(sys, R), 0);
    assert_int_equal(send_work(sys, R), -EAGAIN);
    assert_int_equal(actor_mailbox_length(sys, R), 4);
    actor_system_stats s0 = stats(sys);
    /* killed while full: its queued messages are dead letters (as before); nothing more is "refused" */
    assert_int_equal(actor_kill(sys, R), 0);
    gate_open(&r->g);
    assert_int_equal(actor_wait_exit(sys, R, 5000), 0);
    assert_int_equal(actor_system_wait_idle(sys, 5000), 0);
    assert_int_equal(actor_mailbox_length(sys, R), 0);
    assert_int_equal(send_work(sys, R), -ENOENT);
    actor_system_stats s1 = stats(sys);
    assert_int_equal(s1.dead_letters - s0.dead_letters, 4 + 1);
    assert_int_equal(s1.refused_full, s0.refused_full);
    assert_int_equal(atomic_load(&r->handled), 1);
    actor_system_destroy(sys);
    rx_free(r);
}

/* An actor that sends to itself past its own capacity from inside a handler: -EAGAIN, no deadlock. */
typedef struct selfsend {
    atomic_long ok, eagain, got;
} selfsend;

static actor_result self_receive(actor *self, actor_msg *m) {
    selfsend *s = actor_state(self);
    if (m->type == MSG_WORK) {
        for (int i = 0; i < 10; i++) {
            int rc = actor_send(actor_sys(self), actor_self(self), actor_msg_new(MSG_SEQ, 0, NULL, 0));
            atomic_fetch_add(rc == 0 ? &s->ok : &s->eagain, 1);
        }
    } else {
        atomic_fetch_add(&s->got, 1);
    }
    actor_msg_free(m);
    return ACTOR_CONTINUE;
}
static const actor_behaviour self_beh = {"self-send", self_receive, NULL, NULL};

static void test_self_send_full(void **st) {
    (void)st;
    actor_system *sys;
    assert_int_equal(actor_system_create(1, &sys), 0);
    selfsend s;
    memset(&s, 0, sizeof s);
    actor_spawn_opts o = {.mailbox_capacity = 3};
    actor_id A = 0;
    assert_int_equal(actor_spawn_opt(sys, &self_beh, &s, &o, &A), 0);
    assert_int_equal(actor_send(sys, A, actor_msg_new(MSG_WORK, 0, NULL, 0)), 0);
    assert_int_equal(actor_system_wait_idle(sys, 5000), 0);
    assert_int_equal(atomic_load(&s.ok), 3);
    assert_int_equal(atomic_load(&s.eagain), 7);
    assert_int_equal(atomic_load(&s.got), 3);
    assert_int_equal(stats(sys).refused_full, 7);
    actor_system_destroy(sys);
}

/* ------------------------------------------------------------------ byte bounds */

#define HDR sizeof(actor_msg)

static void test_bytes_refuses(void **st) {
    (void)st;
    actor_system *sys;
    assert_int_equal(actor_system_create(2, &sys), 0);
    rx *r = rx_new();
    /* room for exactly three 100-byte messages and then a 52-byte one: 3*(48+100) + (48+52) bytes */
    const size_t MAX = 3 * (HDR + 100) + HDR + 52;
    actor_id R = spawn_rx_bytes(sys, r, 0, MAX, false);
    block_receiver(sys, r); /* the message being handled holds no bytes */
    assert_int_equal(actor_mailbox_bytes(sys, R), 0);
    actor_system_stats s0 = stats(sys);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(send_len(sys, R, 100), 0);
        assert_int_equal(actor_mailbox_bytes(sys, R), (size_t)(i + 1) * (HDR + 100));
    }
    assert_int_equal(send_len(sys, R, 53), -EAGAIN);  /* one byte too many: refused, nothing queued */
    assert_int_equal(actor_mailbox_bytes(sys, R), 3 * (HDR + 100));
    assert_int_equal(actor_mailbox_length(sys, R), 3);
    assert_int_equal(send_len(sys, R, 52), 0);        /* exactly fits */
    assert_int_equal(actor_mailbox_bytes(sys, R), MAX);
    assert_int_equal(send_len(sys, R, 0), -EAGAIN);   /* even an empty message costs its header */
    /* larger than the whole bound: -EMSGSIZE, also on an empty mailbox (a retry cannot help) */
    assert_int_equal(send_len(sys, R, MAX), -EMSGSIZE);
    assert_int_equal(send_len(sys, R, 1 << 20), -EMSGSIZE);
    /* a refused request learns the reason */
    actor_future *f = actor_future_new();
    actor_msg *m = actor_msg_new(MSG_WORK, 0, NULL, MAX);
    actor_future_retain(f);
    m->reply = f;
    assert_int_equal(actor_send(sys, R, m), -EMSGSIZE);
    int status = 0;
    assert_int_equal(actor_future_poll(f, &status, NULL, NULL), 0);
    assert_int_equal(status, -EMSGSIZE);
    actor_future_release(f);
    f = actor_future_new();
    m = actor_msg_new(MSG_WORK, 0, NULL, 10);
    actor_future_retain(f);
    m->reply = f;
    assert_int_equal(actor_send(sys, R, m), -EAGAIN);
    assert_int_equal(actor_future_poll(f, &status, NULL, NULL), 0);
    assert_int_equal(status, -EAGAIN);
    actor_future_release(f);
    actor_system_stats s1 = stats(sys);
    assert_int_equal(s1.refused_full - s0.refused_full, 6);
    assert_int_equal(s1.dead_letters, s0.dead_letters);
    assert_int_equal(actor_mailbox_bytes(sys, R), MAX);

    /* bytes free as messages are taken out: one handled, the next taken out (and blocked on) */
    gate_permit(&r->g, 1);
    assert_int_equal(wait_at_least(&r->entered, 2), 2);
    assert_int_equal(actor_mailbox_bytes(sys, R), 2 * (HDR + 100) + HDR + 52);
    assert_int_equal(send_len(sys, R, 101), -EAGAIN);
    assert_int_equal(send_len(sys, R, 100), 0);
    gate_open(&r->g);
    assert_int_equal(actor_system_wait_idle(sys, 5000), 0);
    assert_int_equal(atomic_load(&r->handled), 1 + 4 + 1);
    assert_int_equal(actor_mailbox_bytes(sys, R), 0);
    assert_true((size_t)atomic_load(&r->max_bytes) <= MAX);
    /* both bounds at once: the message count bites first here */
    rx *q = rx_new();
    actor_id Q = spawn_rx_bytes(sys, q, 2, 10 * (HDR + 8), false);
    block_receiver(sys, q);
    assert_int_equal(send_len(sys, Q, 8), 0);
    assert_int_equal(send_len(sys, Q, 8), 0);
    assert_int_equal(send_len(sys, Q, 8), -EAGAIN);
    assert_int_equal(actor_mailbox_bytes(sys, Q), 2 * (HDR + 8)); /* the refused one left nothing behind */
    gate_open(&q->g);
    assert_int_equal(actor_system_wait_idle(sys, 5000), 0);
    assert_int_equal(actor_mailbox_bytes(NULL, R), 0);
    assert_int_equal(actor_mailbox_bytes(sys, 999999), 0);
    actor_system_destroy(sys);
    rx_free(r), rx_free(q);
}

static void test_bytes_system_messages(void **st) {
    (void)st;
    actor_system *sys;
    assert_int_equal(actor_system_create(2, &sys), 0);
    rx *r = rx_new();
    const size_t MAX = 2 * (HDR + 64);
    actor_id R = spawn_rx_bytes(sys, r, 0, MAX, true);
    actor_id X1 = 0, X2 = 0;
    assert_int_equal(actor_spawn(sys, &idle_beh, NULL, &X1), 0);
    assert_int_equal(actor_spawn(sys, &idle_beh, NULL, &X2), 0);
    assert_int_equal(actor_monitor(sys, R, X1, NULL), 0);
    assert_int_equal(actor_link(sys, R, X2), 0);
    block_receiver(sys, r);
    assert_int_equal(send_len(sys, R, 64), 0);
    assert_int_equal(send_len(sys, R, 64), 0);
    assert_int_equal(send_len(sys, R, 0), -EAGAIN);
    assert_int_equal(actor_mailbox_bytes(sys, R), MAX);
    actor_system_stats s0 = stats(sys);

    /* DOWN, EXIT, a small REPLY, a REPLY larger than the whole bound, STOP: all accepted while full */
    assert_int_equal(actor_kill(sys, X1), 0);
    assert_int_equal(actor_kill(sys, X2), 0);
    assert_int_equal(actor_wait_exit(sys, X1, 5000), 0);
    assert_int_equal(actor_wait_exit(sys, X2, 5000), 0);
    size_t after_signals = actor_mailbox_bytes(sys, R);
    assert_int_equal(after_signals, MAX + (HDR + sizeof(actor_down)) + (HDR + sizeof(actor_exit_signal)));
    actor_future *small = actor_future_new_notify(sys, R, 1);
    char *bytes = malloc(16);
    memset(bytes, 'x', 16);
    assert_int_equal(actor_future_complete(small, 0, bytes, 16), 0);
    actor_future_release(small);
    assert_int_equal(actor_mailbox_bytes(sys, R), after_signals + HDR + sizeof(actor_reply) + 16);
    size_t before_big = actor_mailbox_bytes(sys, R);
    actor_future *big = actor_future_new_notify(sys, R, 2);
    char *lots = calloc(1, 4096);
    assert_int_equal(actor_future_complete(big, 0, lots, 4096), 0);
    actor_future_release(big);
    /* charged as a header-only REPLY: the responder's 4096 bytes never reached the mailbox */
    assert_int_equal(actor_mailbox_bytes(sys, R), before_big + HDR + sizeof(actor_reply));
    assert_int_equal(actor_stop(sys, R), 0);
    assert_int_equal(send_len(sys, R, 0), -EAGAIN); /* counted messages stay refused (over the bound now) */
    actor_system_stats s1 = stats(sys);
    assert_int_equal(s1.refused_full - s0.refused_full, 1);
    assert_int_equal(s1.dead_letters, s0.dead_letters);

    gate_open(&r->g);
    assert_int_equal(actor_wait_exit(sys, R, 5000), 0);
    assert_int_equal(atomic_load(&r->handled), 3);
    assert_int_equal(atomic_load(&r->downs), 1);
    assert_int_equal(atomic_load(&r->exits), 1);
    assert_int_equal(atomic_load(&r->replies), 2);
    assert_int_equal(atomic_load(&r->reply_status), -EMSGSIZE); /* the big one came last */
    assert_int_equal(atomic_load(&r->reply_len), 0);
    assert_int_equal(atomic_load(&r->reply_bytes), 0);
    assert_int_equal(atomic_load(&r->stops), 1);
    actor_system_destroy(sys);
    rx_free(r);
}

/* A REPLY that fits is delivered whole even when the mailbox is over its bound; an unbounded actor gets big
 * replies whole. */
static void test_bytes_reply_fits(void **st) {
    (void)st;
    actor_system *sys;
    assert_int_equal(actor_system_create(2, &sys), 0);
    rx *r = rx_new(), *u = rx_new();
    gate_open(&r->g);
    gate_open(&u->g);
    actor_id R = spawn_rx_bytes(sys, r, 0, HDR + sizeof(actor_reply) + 100, false);
    actor_id U = spawn_rx_bytes(sys, u, 0, 0, false);
    actor_future *f = actor_future_new_notify(sys, R, 9);
    char *d = malloc(100);
    memset(d, 7, 100);
    assert_int_equal(actor_future_complete(f, 5, d, 100), 0);
    actor_future_release(f);
    f = actor_future_new_notify(sys, U, 10);
    d = calloc(1, 1 << 20);
    assert_int_equal(actor_future_complete(f, 6, d, 1 << 20), 0);
    actor_future_release(f);
    assert_int_equal(actor_system_wait_idle(sys, 5000), 0);
    assert_int_equal(atomic_load(&r->reply_status), 5);
    assert_int_equal(atomic_load(&r->reply_bytes), 100);
    assert_int_equal(atomic_load(&u->reply_status), 6);
    assert_int_equal(atomic_load(&u->reply_bytes), 1 << 20);
    assert_int_equal(actor_mailbox_bytes(sys, R), 0);
    assert_int_equal(actor_mailbox_bytes(sys, U), 0);
    actor_system_destroy(sys);
    rx_free(r), rx_free(u);
}

/* Many threads send messages of mixed sizes to a slow receiver: the counted bytes never pass the bound
 * (seen by an observer and inside the handler), every accepted message is handled, in per-sender order. */
typedef struct bsender {
    actor_system *sys;
    actor_id to;
    int idx;
    long n;
    atomic_int *go;
    long ok, eagain, other;
    size_t max_bytes;
} bsender;

static void *bsender_main(void *arg) {
    bsender *s = arg;
    while (!atomic_load(s->go)) sched_yield();
    unsigned seed = (unsigned)s->idx * 7919u + 1;
    for (long i = 0; i < s->n; i++) {
        for (;;) {
            seed = seed * 1103515245u + 12345u;
            size_t len = 2 * sizeof(uint64_t) + (seed >> 16) % 300;
            actor_msg *m = actor_msg_new(MSG_SEQ, 0, NULL, len);
            uint64_t v[2] = {(uint64_t)s->idx, (uint64_t)i};
            memcpy(m->data, v, sizeof v);
            int rc = actor_send(s->sys, s->to, m);
            size_t b = actor_mailbox_bytes(s->sys, s->to);
            if (b > s->max_bytes) s->max_bytes = b;
            if (rc == 0) {
                s->ok++;
                break;
            }
            if (rc == -EAGAIN) s->eagain++;
            else {
                s->other++;
                break;
            }
            sched_yield();
        }
    }
    return NULL;
}

static void test_bytes_concurrent(void **st) {
    (void)st;
    enum { PER_SENDER = 2000 };
    const size_t MAX = 4096;
    actor_system *sys;
    assert_int_equal(actor_system_create(3, &sys), 0);
    rx *r = rx_new();
    r->spin = 200;
    gate_open(&r->g);
    actor_id R = spawn_rx_bytes(sys, r, 0, MAX, false);
    actor_system_stats s0 = stats(sys);
    atomic_int go = 0;
    bsender s[NSEND];
    pthread_t th[NSEND];
    for (int i = 0; i < NSEND; i++) {
        s[i] = (bsender){.sys = sys, .to = R, .idx = i, .n = PER_SENDER, .go = &go};
        assert_int_equal(pthread_create(&th[i], NULL, bsender_main, &s[i]), 0);
    }
    atomic_store(&go, 1);
    for (int i = 0; i < NSEND; i++) pthread_join(th[i], NULL);
    assert_int_equal(actor_system_wait_idle(sys, 20000), 0);
    long ok = 0, eagain = 0, other = 0;
    for (int i = 0; i < NSEND; i++) {
        ok += s[i].ok, eagain += s[i].eagain, other += s[i].other;
        assert_true(s[i].max_bytes <= MAX);
    }
    assert_int_equal(other, 0);
    assert_int_equal(ok, (long)NSEND * PER_SENDER);
    assert_true(eagain > 0); /* the bound was reached (the receiver is slower than 8 senders) */
    assert_true((size_t)atomic_load(&r->max_bytes) <= MAX);
    assert_int_equal(atomic_load(&r->handled), (long)NSEND * PER_SENDER);
    assert_int_equal(atomic_load(&r->fifo_err), 0);
    assert_int_equal(actor_mailbox_bytes(sys, R), 0);
    assert_int_equal(stats(sys).refused_full - s0.refused_full, (uint64_t)eagain);
    actor_system_destroy(sys);
    rx_free(r);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unbounded_default),
        cmocka_unit_test(test_capacity_refuses),
        cmocka_unit_test(test_system_messages_when_full),
        cmocka_unit_test(test_capacity_frees_as_handled),
        cmocka_unit_test(test_concurrent_senders),
        cmocka_unit_test(test_send_after_full),
        cmocka_unit_test(test_send_after_not_full),
        cmocka_unit_test(test_length_dead_and_killed),
        cmocka_unit_test(test_self_send_full),
        cmocka_unit_test(test_bytes_refuses),
        cmocka_unit_test(test_bytes_system_messages),
        cmocka_unit_test(test_bytes_reply_fits),
        cmocka_unit_test(test_bytes_concurrent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
