/*
 * actor_internal.h — private structures shared by the actor layer's .c files. Not an interface.
 *
 * Scheduling state machine (actor.sched), all transitions by atomic CAS/store:
 *   IDLE      --send/kill (schedule)--> SCHEDULED (pushed on the run queue; busy += 1)
 *   SCHEDULED --a scheduler pops it--> RUNNING
 *   RUNNING   --send/kill meanwhile--> NOTIFIED (the runner must look again)
 *   RUNNING   --turn over, nothing left--> IDLE (busy -= 1); CAS fails if NOTIFIED -> requeue
 *   RUNNING/NOTIFIED --budget spent / YIELD--> SCHEDULED (requeued at the tail)
 *   RUNNING/NOTIFIED --STOP / kill--> DEAD (busy -= 1), never scheduled again
 *   RUNNING/NOTIFIED --YIELD after actor_park()--> PARKED (busy -= 1); messages leave it PARKED
 *   PARKED    --unpark/kill (actor_wake)--> SCHEDULED (busy += 1)
 * Only the thread that moved an actor to RUNNING touches its mailbox consumer side, `yielded` and
 * its behaviour state; the run queue mutex hands the actor from thread to thread (happens-before).
 *
 * Idle accounting (sys.busy): +1 per message queued in a mailbox (until popped or freed), +1 per actor in
 * SCHEDULED/RUNNING/NOTIFIED, +1 per pending timer. Every increment for new work happens before the
 * decrement for the work that caused it, so busy reaches 0 only when the system is really idle.
 */
#ifndef WACTOR_ACTOR_INTERNAL_H
#define WACTOR_ACTOR_INTERNAL_H

#include "actor/actor.h"

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

/* ------------------------------------------------------------------ mailbox (mailbox.c) */

/* Vyukov's intrusive MPSC queue over actor_msg.next (accessed with __atomic builtins since the field is
 * a plain pointer in the public struct). push: any thread, wait-free. pop: one consumer at a time. */
typedef struct mailbox {
    actor_msg *head;  /* producers: last pushed (atomic exchange) */
    char pad[64];
    actor_msg *tail;  /* consumer: next to pop */
    actor_msg *stub;
} mailbox;

int mailbox_init(mailbox *mb);                 /* 0 or -ENOMEM */
void mailbox_push(mailbox *mb, actor_msg *m);
/* Returns the oldest message or NULL if empty (or a producer is mid-push: it will reschedule). */
actor_msg *mailbox_pop(mailbox *mb);
void mailbox_destroy(mailbox *mb);             /* frees the stub; the queue must be drained */

/* ------------------------------------------------------------------ actor */

enum { AS_IDLE = 0, AS_SCHEDULED, AS_RUNNING, AS_NOTIFIED, AS_PARKED, AS_DEAD };

struct actor {
    atomic_uint refs;            /* live ref (until termination) + registry lookups in flight */
    actor_id id;
    actor_system *sys;
    const actor_behaviour *beh;
    void *state;
    atomic_int sched;            /* AS_* */
    atomic_bool kill_req;
    atomic_bool dead;
    atomic_bool unpark;          /* an unpark arrived (consumed by the next park) */
    bool park_req;               /* runner only: actor_park() called in this slice */
    bool exited;                 /* terminate() done; under sys->exit_mu */
    bool yielded;                /* runner only: resume() owed */
    actor *rq_next;              /* run queue link; under sys->rq_mu */
    actor *live_prev, *live_next;/* live list; under sys->live_mu */
    mailbox mb;
};

/* ------------------------------------------------------------------ timers (timer.c) */

typedef struct timer_entry {
    uint64_t due_ns;             /* CLOCK_MONOTONIC */
    uint64_t seq;                /* FIFO among equal deadlines */
    actor_id to;
    actor_msg *msg;
} timer_entry;

/* ------------------------------------------------------------------ the system */

struct actor_system {
    registry *reg;
    atomic_uint_fast64_t next_id;
    atomic_bool stopping;

    pthread_mutex_t live_mu;     /* live list, guarded with `stopping` for spawn vs destroy */
    actor *live_head, *live_tail;

    pthread_mutex_t rq_mu;       /* run queue */
    pthread_cond_t rq_cv;
    actor *rq_head, *rq_tail;
    unsigned sleepers;
    bool rq_stop;
    pthread_t *threads;
    unsigned nthreads, started;

    atomic_long busy;            /* see idle accounting above */
    pthread_mutex_t idle_mu;
    pthread_cond_t idle_cv;

    pthread_mutex_t exit_mu;     /* actor.exited */
    pthread_cond_t exit_cv;

    pthread_mutex_t tm_mu;       /* timer heap */
    pthread_cond_t tm_cv;
    timer_entry *heap;
    size_t heap_len, heap_cap;
    uint64_t tm_seq;
    bool tm_stop, tm_started;
    pthread_t tm_thread;

    atomic_uint_fast64_t live, spawned, delivered, dead_letters;
};

/* ------------------------------------------------------------------ cross-file helpers */

extern _Thread_local actor_system *actor_tls_sched; /* set on scheduler threads */
extern _Thread_local actor *actor_tls_current;      /* the actor whose turn this thread runs, or NULL */

/* scheduler.c */
int sched_start(actor_system *sys);
void sched_stop(actor_system *sys);            /* joins; runnable actors stay in the live list */
void sched_enqueue(actor_system *sys, actor *a);
void actor_schedule(actor *a);                 /* IDLE->SCHEDULED (enqueue) or RUNNING->NOTIFIED */
void actor_wake(actor *a);                     /* as actor_schedule, and also PARKED->SCHEDULED */

/* actor.c */
void actor_retain_obj(void *a);
void actor_end(actor *a, bool killed);         /* dead, names dropped, terminate(), unregistered, released */
void busy_add(actor_system *sys, long n);
void busy_sub(actor_system *sys, long n);
void dead_letter(actor_system *sys, actor_msg *m); /* frees m, counts it */

/* timer.c */
int timer_start(actor_system *sys);
void timer_stop(actor_system *sys);            /* joins; frees pending messages */

static inline uint64_t mono_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static inline struct timespec ns_to_ts(uint64_t ns) {
    struct timespec ts = {.tv_sec = (time_t)(ns / 1000000000ull), .tv_nsec = (long)(ns % 1000000000ull)};
    return ts;
}

/* Initialises a condvar that waits on CLOCK_MONOTONIC. */
int cond_init_mono(pthread_cond_t *cv);

#endif /* WACTOR_ACTOR_INTERNAL_H */
