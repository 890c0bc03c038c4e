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
 * Exits, links, monitors (links.c): each actor has a mutex `lk` guarding its link set, the monitors set on
 * it (monitored_by), the monitors it holds (mons_held), its trap flag, its pending exit reason and `ended`.
 * `ended` is set (and the three sets taken) exactly once, by actor_end(), before the actor leaves the
 * registry: whoever finds the actor in the registry and locks it either sees `ended` (-> NOPROC) or adds an
 * entry that actor_end() will see. Lock order: two actor locks only in ascending id order (link, monitor,
 * spawn_opt); actor lk -> live_mu -> registry shard locks; actor_end() holds at most one actor lock at a
 * time. An exit signal that ends a non-trapping actor stores its reason in `pend` (first one wins), sets
 * kill_req and wakes it: it ends at a safe point exactly like actor_kill().
 * A DOWN is delivered only while its ref is still in the watcher's mons_held (the scheduler removes it
 * there before receive(); actor_demonitor() removes it too), so no DOWN reaches receive() after
 * actor_demonitor() returns.
 *
 * Bounded mailboxes: `mb_len` counts the counted messages (every type except STOP, DOWN, EXIT, REPLY: see
 * actor_msg_counted) that are queued or have a slot reserved by a send in progress. actor_send reserves a
 * slot with a CAS loop that never moves mb_len past `mb_cap` (0 = no bound: a plain fetch_add), then
 * pushes; the runner releases the slot when it pops the message (before receive()). So the number of
 * counted messages in the queue never exceeds mb_cap, and a refused send never touches the queue. The
 * counter carries no data between threads (the queue does): relaxed atomics suffice. A message left in a
 * dead actor's mailbox keeps its slot; nobody looks at mb_len once the actor is dead.
 * Bytes: `mb_bytes` sums actor_msg_cost() of every message queued or reserved, system messages included
 * (they are charged with a plain fetch_add and never refused). A counted send reserves its cost with a CAS
 * loop that never moves mb_bytes past `mb_max_bytes` (0 = no bound) after reserving its count slot; if the
 * bytes do not fit it gives the slot back. Two senders racing for the last slot and the last bytes may
 * both be refused for that instant (each saw the other's reservation), never both accepted past a bound.
 * The runner releases a message's bytes when it pops it. A REPLY whose cost alone exceeds mb_max_bytes is
 * replaced by a header-only REPLY with status -EMSGSIZE before it is queued (actor.c).
 *
 * Idle accounting (sys.busy): +1 per message queued in a mailbox (until popped or freed), +1 per actor in
 * SCHEDULED/RUNNING/NOTIFIED, +1 per pending timer. Every increment for new work happens before the
 * decrement for the work that caused it, so busy reaches 0 only when the system is really idle.
 */
#ifndef WACTOR_ACTOR_INTERNAL_H
#define WACTOR_ACTOR_INTERNAL_H

#include "actor/actor.h"
#include "common/clock.h"

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

int actor_mailbox_init(mailbox *mb);                 /* 0 or -ENOMEM */
void actor_mailbox_push(mailbox *mb, actor_msg *m);
/* Returns the oldest message or NULL if empty (or a producer is mid-push: it will reschedule). */
actor_msg *actor_mailbox_pop(mailbox *mb);
void actor_mailbox_destroy(mailbox *mb);             /* frees the stub; the queue must be drained */

/* ------------------------------------------------------------------ id maps (idmap.c) */

/* A map from non-zero 64-bit keys (actor ids, monitor refs) to 64-bit values, O(1) expected per operation
 * (amortised over resizing). Zero-initialised = empty, owning no memory. Not thread-safe: the owning
 * actor's `lk` guards it. Iterate with: for (i = 0; i < m.cap; i++) if (m.slots[i].key) ... */
typedef struct actor_idmap_slot {
    uint64_t key;                /* 0: empty slot */
    uint64_t val;
} actor_idmap_slot;

typedef struct actor_idmap {
    actor_idmap_slot *slots;     /* cap slots, NULL when cap is 0 */
    size_t n, cap;               /* entries; slots (0 or a power of two) */
    uint64_t salt;               /* this table's hash salt (idmap.c) */
} actor_idmap;

/* Adds key -> val. Returns 0 (added), 1 (key already there: its value is left as it was), -ENOMEM,
 * -EINVAL (key 0). */
int actor_idmap_put(actor_idmap *m, uint64_t key, uint64_t val);
/* Whether key is there; its value in *val (may be NULL). */
bool actor_idmap_get(const actor_idmap *m, uint64_t key, uint64_t *val);
/* Replaces the value of a key that is there; false if it is not. */
bool actor_idmap_set(actor_idmap *m, uint64_t key, uint64_t val);
/* Removes key; false if it was not there. Its value in *val (may be NULL). May shrink the table. */
bool actor_idmap_del(actor_idmap *m, uint64_t key, uint64_t *val);
/* Frees the table; the map is empty again. */
void actor_idmap_free(actor_idmap *m);

/* ------------------------------------------------------------------ actor */

enum { AS_IDLE = 0, AS_SCHEDULED, AS_RUNNING, AS_NOTIFIED, AS_PARKED, AS_DEAD };

struct actor {
    atomic_uint refs;            /* live ref (until termination) + registry lookups in flight */
    actor_id id;
    actor_system *sys;
    const actor_behaviour *beh;
    uint32_t msg_first, msg_last;  /* actor_spawn_opts: the behaviour types it takes (both 0: all) */
    void *state;
    atomic_int sched;            /* AS_* */
    atomic_bool kill_req;
    atomic_bool dead;
    atomic_bool unpark;          /* an unpark arrived (consumed by the next park) */
    bool park_req;               /* runner only: actor_park() called in this slice */
    bool exited;                 /* terminate() done; under sys->exit_mu */
    bool yielded;                /* runner only: resume() owed */
    bool exit_set;               /* runner only: actor_set_exit() called */
    actor_exit exit_reason;      /* runner only: reason for ACTOR_STOP */
    pthread_mutex_t lk;          /* guards the fields below (see links.c) */
    bool ended;                  /* links/monitors closed by actor_end() */
    bool trap;                   /* traps exits */
    bool pend_set;               /* an exit signal asked this actor to end with `pend` */
    actor_exit pend;
    actor_idmap links;           /* linked peer id -> LINK_OWN if this actor made the link, else 0 */
    size_t links_own;            /* links in `links` this actor made (counted against max_links) */
    uint32_t max_links;          /* 0 = unlimited; immutable */
    uint32_t max_monitors;       /* monitors held (mons_held); 0 = unlimited; immutable */
    atomic_size_t stale_downs;   /* DOWNs queued for me whose monitor I removed (count against max_monitors
                                    until taken out; links.c) */
    uint32_t max_timers;         /* timers pending for this actor; 0 = unlimited; immutable */
    atomic_uint timers;          /* timers pending for it that count against max_timers (timer.c) */
    actor_idmap mons_by;         /* monitors set on me: ref -> watcher */
    actor_idmap mons_held;       /* monitors I hold: ref -> target */
    uint32_t mb_cap;             /* mailbox capacity in counted messages; 0 = unbounded; immutable */
    atomic_size_t mb_len;        /* counted messages queued or reserved (see bounded mailboxes above) */
    size_t mb_max_bytes;         /* mailbox bound in bytes (actor_msg_cost); 0 = unbounded; immutable */
    size_t max_msg_bytes;        /* largest payload it accepts (actor_spawn_opts.max_message_bytes); 0 = any */
    atomic_size_t mb_bytes;      /* bytes of every message queued or reserved, system messages included */
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
    bool counted;                /* taken from the target's max_timers quota (given back on fire/cancel) */
    bool background;             /* does not keep the system busy while pending (actor_send_after_background) */
    size_t slot;                 /* its slot in tm_pos (timer.c) */
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
    size_t rq_len;               /* actors in the run queue; under rq_mu */
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
    actor_idmap tm_index;        /* timer id -> its slot in tm_pos; tm_mu */
    size_t *tm_pos;              /* per slot: the heap index of its timer, or (free) the next free slot */
    size_t tm_pos_cap, tm_free;  /* slots; first free slot (SIZE_MAX: none) */
    uint64_t tm_seq;
    uint64_t tm_wake_ns;         /* when the timer thread wakes unsignalled (UINT64_MAX: never); tm_mu */
    bool tm_stop, tm_started;
    pthread_t tm_thread;

    atomic_uint_fast64_t live, spawned, delivered, dead_letters, refused_full, refused_type;

    atomic_uint_fast64_t next_ref;   /* monitor refs */
    struct exit_ring *exits;         /* the most recent EXIT_RING exit reasons (links.c) */
};

/* ------------------------------------------------------------------ bounded mailboxes */

/* Whether a message of `type` takes a mailbox slot. The layer's own messages never do, so a full mailbox
 * cannot keep out a stop request, a monitor's DOWN, an exit signal or a reply. */
static inline bool actor_msg_counted(uint32_t type) {
    return type != ACTOR_MSG_STOP && type != ACTOR_MSG_DOWN && type != ACTOR_MSG_EXIT &&
           type != ACTOR_MSG_REPLY;
}

/* The runner took `m` out of a's mailbox: frees its slot if it held one, and its bytes. */
static inline void actor_mb_popped(actor *a, const actor_msg *m) {
    if (actor_msg_counted(m->type)) atomic_fetch_sub_explicit(&a->mb_len, 1, memory_order_relaxed);
    atomic_fetch_sub_explicit(&a->mb_bytes, actor_msg_cost(m), memory_order_relaxed);
}

/* A system message queued by the layer or by actor_send: charged to a's bytes, never refused. */
static inline void actor_mb_charge(actor *a, const actor_msg *m) {
    atomic_fetch_add_explicit(&a->mb_bytes, actor_msg_cost(m), memory_order_relaxed);
}

/* ------------------------------------------------------------------ cross-file helpers */

extern _Thread_local actor_system *actor_tls_sched; /* set on scheduler threads */
extern _Thread_local actor *actor_tls_current;      /* the actor whose turn this thread runs, or NULL */

/* scheduler.c */
int actor_sched_start(actor_system *sys);
void actor_sched_stop(actor_system *sys);            /* joins; runnable actors stay in the live list */
/* ------------------------------------------------------------------ small-message blocks (msgpool.c) */

#define MSGPOOL_BLOCK 256 /* bytes per block: an actor_msg and up to MSGPOOL_DATA payload bytes */
#define MSGPOOL_DATA (MSGPOOL_BLOCK - sizeof(actor_msg))

/* A block of MSGPOOL_BLOCK bytes (uninitialised), or NULL. Thread-safe. */
actor_msg *actor_msgpool_alloc(void);
/* Returns a block from actor_msgpool_alloc() for reuse (its contents are dead). Thread-safe. */
void actor_msgpool_free(actor_msg *m);

/* After a mailbox push: if `a` is idle, claims it and runs its turn on the calling thread (true); else false
 * and the caller schedules it as usual. */
bool actor_sched_run_here(actor *a);
void actor_sched_enqueue(actor_system *sys, actor *a);
void actor_schedule(actor *a);                 /* IDLE->SCHEDULED (enqueue) or RUNNING->NOTIFIED */
void actor_wake(actor *a);                     /* as actor_schedule, and also PARKED->SCHEDULED */

/* actor.c */
void actor_retain_obj(void *a);
/* dead, names dropped, reason recorded, terminate(), links/monitors fired, unregistered, released.
 * `force` (may be NULL) overrides the reason (system destroy: KILLED). */
void actor_end(actor *a, bool killed, const actor_exit *force);
void actor_busy_add(actor_system *sys, long n);
void actor_busy_sub(actor_system *sys, long n);
void actor_dead_letter(actor_system *sys, actor_msg *m); /* frees m, counts it */

/* links.c */
int actor_exit_ring_new(actor_system *sys);           /* 0 or -ENOMEM */
void actor_exit_ring_free(actor_system *sys);
void actor_exit_ring_put(actor_system *sys, actor_id id, const actor_exit *why);
void actor_links_init(actor *a);                      /* lk and empty sets */
void actor_links_free(actor *a);                      /* at the last release */
actor_exit actor_links_reason(actor *a, bool killed); /* the reason actor_end() records */
void actor_links_on_end(actor *a, const actor_exit *why); /* ended = true; DOWNs, exit signals, cleanup */
/* Before receive(): false if `m` is a DOWN for a monitor no longer held (then the caller drops it). */
bool actor_links_accept(actor *a, const actor_msg *m);
/* actor_spawn_opt's part: sets up `a` (not yet visible) and registers it with the links/monitor in place.
 * Returns 0 or a negative errno; on failure nothing is registered. */
int actor_links_spawn_register(actor_system *sys, actor *a, const actor_spawn_opts *opts,
                               int (*reg)(actor_system *, actor *));
void actor_exit_request(actor *a, const actor_exit *why);  /* first reason wins; kill_req; wake */

/* timer.c */
int actor_timer_thread_start(actor_system *sys);
void actor_timer_thread_stop(actor_system *sys);            /* joins; frees pending messages */

static inline struct timespec ns_to_ts(uint64_t ns) {
    struct timespec ts = {.tv_sec = (time_t)(ns / 1000000000ull), .tv_nsec = (long)(ns % 1000000000ull)};
    return ts;
}

/* Initialises a condvar that waits on CLOCK_MONOTONIC. */
int actor_cond_init_mono(pthread_cond_t *cv);

#endif /* WACTOR_ACTOR_INTERNAL_H */
