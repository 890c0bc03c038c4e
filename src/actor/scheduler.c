/*
 * scheduler.c — N scheduler threads sharing one FIFO run queue (intrusive list under a mutex + condvar),
 * and the turn: how one actor is run for a bounded slice.
 *
 * A turn delivers up to TURN_BUDGET messages, or runs one resume()/receive() that returns ACTOR_YIELD;
 * either way a still-runnable actor goes to the tail of the run queue, so a busy or looping actor cannot
 * starve others. Kill requests are checked before every message/slice and at the end of the turn.
 */
#include "actor/actor_internal.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

#define TURN_BUDGET 32

_Thread_local actor_system *actor_tls_sched;
_Thread_local actor *actor_tls_current;

/* The next slot of a scheduler thread: an actor made runnable by a message sent from the turn this thread
 * runs is run right after that turn, on this thread (Tokio's "LIFO slot"): no run-queue lock, no wake-up of
 * a sleeping thread, and the message is still in this core's cache. A request/reply or ping-pong between
 * two actors then costs no thread hand-off at all. One slot: a second actor woken by the same turn goes to
 * the run queue (waking a sleeper). At most NEXT_STREAK turns in a row come from the slot; then the slot's
 * actor goes to the tail of the run queue, so a pair bouncing messages cannot keep this thread from it. */
#define NEXT_STREAK 64
static _Thread_local actor *tls_next;   /* SCHEDULED, run by this thread after its current turn */
static _Thread_local bool tls_worker;   /* this is a scheduler thread (of actor_tls_sched) */

/* Appends `a` to the run queue and wakes a sleeping scheduler thread for it, unless `requeue` (a scheduler
 * thread putting back the actor whose turn it just ran) finds the queue empty: that thread takes it again
 * itself a moment later, and a wake-up would only make two threads race for one actor. */
static void enqueue(actor_system *sys, actor *a, bool requeue) {
    pthread_mutex_lock(&sys->rq_mu);
    a->rq_next = NULL;
    bool was_empty = !sys->rq_head;
    if (sys->rq_tail)
        sys->rq_tail->rq_next = a;
    else
        sys->rq_head = a;
    sys->rq_tail = a;
    sys->rq_len++;
    if (sys->sleepers && !(requeue && was_empty && tls_worker)) pthread_cond_signal(&sys->rq_cv);
    pthread_mutex_unlock(&sys->rq_mu);
}

void actor_sched_enqueue(actor_system *sys, actor *a) { enqueue(sys, a, false); }

/* Called after a mailbox push. The fence here and the one in run_turn() are a Dekker pair: a sender stores the
 * message link then reads the state; a runner stores RUNNING then reads the mailbox. Without both fences each
 * may read the other's old value (C11 allows it; on x86 the link store can still sit in the store buffer when
 * the state is read): the sender sees SCHEDULED and leaves, the runner sees an empty mailbox and goes IDLE,
 * and the message waits for the next one to wake the actor (seen as 10 s stalls, a request's timeout, in
 * the request/reply benchmark). */
void actor_schedule(actor *a) {
    atomic_thread_fence(memory_order_seq_cst);
    int s = atomic_load(&a->sched);
    for (;;) {
        switch (s) {
        case AS_IDLE:
            if (atomic_compare_exchange_weak(&a->sched, &s, AS_SCHEDULED)) {
                actor_busy_add(a->sys, 1);
                if (tls_worker && !tls_next && actor_tls_current && actor_tls_sched == a->sys)
                    tls_next = a; /* sent from a turn on this scheduler thread: run it next, here */
                else
                    actor_sched_enqueue(a->sys, a);
                return;
            }
            break;
        case AS_RUNNING:
            if (atomic_compare_exchange_weak(&a->sched, &s, AS_NOTIFIED)) return;
            break;
        default: /* SCHEDULED, NOTIFIED: it will look at its mailbox anyway; DEAD: nothing to do */
            return;
        }
    }
}

static void wake_parked(actor *a) {
    int s = AS_PARKED;
    if (atomic_compare_exchange_strong(&a->sched, &s, AS_SCHEDULED)) {
        actor_busy_add(a->sys, 1);
        actor_sched_enqueue(a->sys, a);
    }
}

void actor_wake(actor *a) {
    if (atomic_load(&a->sched) == AS_PARKED)
        wake_parked(a);
    else
        actor_schedule(a); /* not parked (yet): the runner re-checks kill_req/unpark when it parks */
}

/* End of a turn whose last slice parked: publish PARKED unless a wake-up is already there. */
static void park(actor *a) {
    actor_system *sys = a->sys;
    if (atomic_exchange(&a->unpark, false)) {
        atomic_store(&a->sched, AS_SCHEDULED);
        actor_sched_enqueue(sys, a);
        return;
    }
    actor_retain_obj(a); /* once PARKED, another thread may wake, run and end it */
    atomic_store(&a->sched, AS_PARKED);
    actor_busy_sub(sys, 1);
    /* a kill/unpark that saw RUNNING/NOTIFIED before our store did not wake us: do it ourselves */
    if (atomic_load(&a->kill_req) || atomic_load(&a->unpark)) wake_parked(a);
    actor_release(a);
}

/* Ends the actor from its runner: state DEAD, then the lifecycle work in actor.c. */
static void turn_end_actor(actor *a, bool killed) {
    atomic_store(&a->sched, AS_DEAD);
    actor_system *sys = a->sys;
    actor_end(a, killed, NULL);
    actor_busy_sub(sys, 1);
}

static void run_slices(actor *a);

static void run_turn(actor *a) {
    atomic_store(&a->sched, AS_RUNNING);
    atomic_thread_fence(memory_order_seq_cst); /* before the mailbox is read: see actor_schedule() */
    actor *outer = actor_tls_current;      /* NULL on a scheduler thread; see actor_sched_run_here() */
    actor_tls_current = a;
    run_slices(a);
    actor_tls_current = outer;
}

/* How deep inline turns may nest on one thread (a turn run by actor_send_run whose handler calls
 * actor_send_run, ...): each level holds a handler's stack frames (for a component, an interpreter call),
 * so a chain of actors each starting the next would otherwise grow the C stack without bound. Deeper
 * sends go to the run queue as actor_send's do. */
#define RUN_HERE_DEPTH 8
static _Thread_local unsigned tls_run_depth;

bool actor_sched_run_here(actor *a) {
    if (tls_run_depth >= RUN_HERE_DEPTH) return false;
    atomic_thread_fence(memory_order_seq_cst); /* as actor_schedule() */
    int s = AS_IDLE;
    if (!atomic_compare_exchange_strong(&a->sched, &s, AS_RUNNING)) return false;
    actor_busy_add(a->sys, 1);
    actor_system *outer = actor_tls_sched; /* a host thread runs the turn as a scheduler thread would */
    actor_tls_sched = a->sys;
    tls_run_depth++;
    run_turn(a);
    tls_run_depth--;
    actor_tls_sched = outer;
    return true;
}

static void run_slices(actor *a) {
    actor_system *sys = a->sys;
    int n = 0;
    bool more = false;
    while (n < TURN_BUDGET) {
        if (atomic_load_explicit(&a->kill_req, memory_order_acquire)) {
            turn_end_actor(a, true);
            return;
        }
        actor_result r;
        if (a->yielded) {
            r = a->beh->resume ? a->beh->resume(a) : ACTOR_CONTINUE; /* YIELD without resume(): done */
        } else {
            actor_msg *m = actor_mailbox_pop(&a->mb);
            if (!m) break;
            actor_mb_popped(a, m);
            if (!actor_links_accept(a, m)) { /* a DOWN of a monitor removed meanwhile */
                actor_msg_free(m);
                actor_busy_sub(sys, 1);
                n++;
                continue;
            }
            atomic_fetch_add_explicit(&sys->delivered, 1, memory_order_relaxed);
            r = a->beh->receive(a, m);
            actor_busy_sub(sys, 1);
        }
        n++;
        if (r == ACTOR_STOP) {
            turn_end_actor(a, false);
            return;
        }
        if (r == ACTOR_YIELD) {
            a->yielded = true;
            more = true;
            break;
        }
        a->yielded = false;
        a->park_req = false; /* park only counts with YIELD */
    }
    if (n == TURN_BUDGET) more = true;
    if (atomic_load_explicit(&a->kill_req, memory_order_acquire)) {
        turn_end_actor(a, true);
        return;
    }
    if (a->yielded && a->park_req) {
        a->park_req = false;
        park(a);
        return;
    }
    if (!more) {
        int s = AS_RUNNING;
        if (atomic_compare_exchange_strong(&a->sched, &s, AS_IDLE)) {
            actor_busy_sub(sys, 1);
            return;
        }
        /* NOTIFIED: a message or kill arrived during the turn */
    }
    atomic_store(&a->sched, AS_SCHEDULED);
    enqueue(sys, a, true);
}

static void *sched_main(void *arg) {
    actor_system *sys = arg;
    actor_tls_sched = sys;
    tls_worker = true;
    pthread_mutex_lock(&sys->rq_mu);
    for (;;) {
        while (!sys->rq_head && !sys->rq_stop) {
            sys->sleepers++;
            pthread_cond_wait(&sys->rq_cv, &sys->rq_mu);
            sys->sleepers--;
        }
        if (sys->rq_stop) break;
        actor *a = sys->rq_head;
        sys->rq_head = a->rq_next;
        if (!sys->rq_head) sys->rq_tail = NULL;
        sys->rq_len--;
        a->rq_next = NULL;
        pthread_mutex_unlock(&sys->rq_mu);
        for (int streak = 0; a; streak++) {
            run_turn(a);
            a = tls_next;
            tls_next = NULL;
            if (a && streak >= NEXT_STREAK) {
                actor_sched_enqueue(sys, a);
                a = NULL;
            }
        }
        pthread_mutex_lock(&sys->rq_mu);
    }
    pthread_mutex_unlock(&sys->rq_mu);
    return NULL;
}

int actor_sched_start(actor_system *sys) {
    sys->threads = calloc(sys->nthreads, sizeof *sys->threads);
    if (!sys->threads) return -ENOMEM;
    for (unsigned i = 0; i < sys->nthreads; i++) {
        if (pthread_create(&sys->threads[i], NULL, sched_main, sys) != 0) return -ENOMEM;
        sys->started++;
    }
    return 0;
}

void actor_sched_stop(actor_system *sys) {
    pthread_mutex_lock(&sys->rq_mu);
    sys->rq_stop = true;
    pthread_cond_broadcast(&sys->rq_cv);
    pthread_mutex_unlock(&sys->rq_mu);
    for (unsigned i = 0; i < sys->started; i++) pthread_join(sys->threads[i], NULL);
    sys->started = 0;
    free(sys->threads);
    sys->threads = NULL;
    sys->rq_head = sys->rq_tail = NULL;
    sys->rq_len = 0;
}
