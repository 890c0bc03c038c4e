/*
 * actor.h — the actor layer: scheduler threads, run queue, mailboxes, actor lifecycle, futures, timers.
 *
 * Knows nothing of WebAssembly. An actor is a behaviour (a table of callbacks) plus private state plus a
 * mailbox. The scheduler runs an actor on one thread at a time, one message at a time, and gives each
 * actor a bounded turn (a few messages, or one slice of a long handler that YIELDs) before requeueing it,
 * so one busy actor cannot starve the others.
 *
 * Addresses are 64-bit ids, never reused within a system; sending to a dead id is an error (-ENOENT), not
 * a crash. Ordering: messages from one sender thread/actor to one receiver arrive in send order.
 *
 * Mailboxes are unbounded unless the actor was spawned with actor_spawn_opts.mailbox_capacity (messages)
 * or .mailbox_max_bytes (bytes, see actor_msg_cost): then a send that would queue more than that many
 * counted messages (see ACTOR_MSG_USER below) or bytes is refused at once with -EAGAIN — back-pressure the
 * sender sees immediately, counted in actor_system_stats.refused_full, never as a dead letter. The layer's
 * own messages (STOP, DOWN, EXIT, REPLY) are always accepted; what bounds them is described at
 * ACTOR_MSG_STOP below.
 *
 * Limits. Every resource another actor (or a guest behind it) can make this layer spend is bounded per
 * actor by an actor_spawn_opts field, each 0 = unlimited by default — right for native, trusted actors
 * (supervisors, the broker, tests); a layer hosting untrusted code passes its own values:
 *   mailbox_capacity   counted messages queued                         -EAGAIN
 *   mailbox_max_bytes  bytes queued (actor_msg_cost)                   -EAGAIN, -EMSGSIZE (never fits)
 *   max_monitors       monitors held as watcher (so also DOWNs queued)  -EDQUOT
 *   max_links          links it made                                   -EDQUOT
 *   max_timers         timers pending for it                           -EDQUOT
 * System messages are exempt from the mailbox bounds but bounded by the others (see ACTOR_MSG_STOP).
 * Fixed limits: the exit-reason history keeps the last 4096 exits; at most 8 inline turns nest on a thread
 * (actor_send_run); a turn handles at most 32 messages; the small-message pool keeps at most 256 blocks per
 * thread and about 65,536 shared (256 bytes each). Links, monitors and timers cost O(1) or O(log n) per
 * operation however many there are.
 *
 * Error convention: functions returning int return 0 on success or a negative errno value.
 * Thread-safety: every function here may be called from any thread, including from inside a handler,
 * except actor_system_destroy() and the blocking waits (actor_future_wait, actor_wait_exit,
 * actor_system_wait_idle), which must not be called from a scheduler thread (the waits then return
 * -EDEADLK at once instead of blocking a scheduler thread).
 */
#ifndef WACTOR_ACTOR_H
#define WACTOR_ACTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "registry/registry.h"

typedef uint64_t actor_id;            /* 0 is never a valid id */
typedef struct actor_system actor_system;
typedef struct actor actor;
typedef struct actor_future actor_future;

/* ------------------------------------------------------------------ messages */

/* Message types below ACTOR_MSG_USER are the actor layer's own.
 * System messages: ACTOR_MSG_STOP, _DOWN, _EXIT and _REPLY are never counted against a bounded mailbox's
 * capacity and are always accepted (even when it is full), so a flood of ordinary messages cannot keep out
 * a stop request, a supervisor's exit signals or monitors, or the replies an actor waits for. Every other
 * type — behaviour types >= ACTOR_MSG_USER, and also 0 and the unassigned values below ACTOR_MSG_USER —
 * is a counted message.
 * System messages still cost host memory, so each is bounded by something other than the mailbox:
 *   - their bytes are charged to the receiver's mailbox bytes (actor_mailbox_bytes), so while they are
 *     queued they leave that much less room for counted messages (they may take the total past
 *     mailbox_max_bytes; counted messages are then refused until the receiver catches up);
 *   - DOWN: at most one per monitor the receiver holds (a monitor stays held until its DOWN is received),
 *     so at most max_monitors (actor_spawn_opts) are queued;
 *   - EXIT: one per link the receiver holds (max_links bounds the links it makes; links others make with
 *     it are bounded by their own max_links), plus one per actor_exit_signal_send() and per actor_link()
 *     with a dead partner made while trapping exits (host code, or an actor that traps exits, which
 *     component actors never do);
 *   - REPLY: one per notify future made for the receiver (actor_future_new_notify — by the receiver
 *     itself, for its own requests: the layer above bounds its outstanding requests). Its payload is the
 *     responder's choice, so a REPLY whose cost alone exceeds the receiver's mailbox_max_bytes is
 *     delivered without its bytes, with status -EMSGSIZE: a bounded requester holds at most
 *     (outstanding requests) x mailbox_max_bytes of replies;
 *   - STOP: one per actor_stop() (host code and supervisors).
 * A behaviour's msg->ext is not counted anywhere: the layer that attaches it bounds it. */
enum {
    ACTOR_MSG_STOP = 1,   /* orderly stop request: delivered to receive() like any message, after those
                             queued before it; the behaviour finishes up and returns ACTOR_STOP */
    ACTOR_MSG_DOWN = 2,   /* a monitored actor ended: data is an actor_down */
    ACTOR_MSG_EXIT = 3,   /* an exit signal to an actor that traps exits: data is an actor_exit_signal */
    ACTOR_MSG_REPLY = 4,  /* completion of a future made by actor_future_new_notify(): data is an
                             actor_reply header followed by the completion's bytes; corr = its corr */
    ACTOR_MSG_USER = 16
    /* Behaviour types (>= ACTOR_MSG_USER) are each behaviour's own. Each kind of actor takes its own range
     * of them and declares it at spawn (actor_spawn_opts.msg_first / msg_last), so a message meant for one
     * kind of actor sent to another kind is refused by actor_send (-EPROTOTYPE) instead of being read as
     * one of the receiver's own (the layers above allocate the ranges, disjoint). */
};

typedef struct actor_msg {
    struct actor_msg *next;       /* owned by the mailbox while queued */
    uint32_t type;                /* ACTOR_MSG_* or a behaviour's own type (>= ACTOR_MSG_USER) */
    actor_id from;                /* sender id, or 0 for the host / embedding API */
    uint64_t corr;                /* correlation id (request/reply), 0 if none */
    actor_future *reply;          /* where to answer, or NULL; owned (released by actor_msg_free) */
    void *ext;                    /* behaviour-defined extra (e.g. a typed-value array), freed with free() */
    size_t len;                   /* payload bytes in data[] */
    uint8_t data[];               /* payload, inline */
} actor_msg;

/* Allocates a message with a copy of `len` bytes of `data` (data may be NULL when len is 0; then the
 * payload is zeroed). Returns NULL on allocation failure. */
actor_msg *actor_msg_new(uint32_t type, actor_id from, const void *data, size_t len);

/* What a message costs against a mailbox's byte bound (actor_spawn_opts.mailbox_max_bytes): its payload
 * plus its header, sizeof(actor_msg) (48 bytes on LP64). msg->ext is not included. */
static inline size_t actor_msg_cost(const actor_msg *m) { return sizeof(actor_msg) + m->len; }

/* Frees a message and its ext, and releases its reply future — completing it first with -ENOENT if nobody
 * answered it, so a requester is never left waiting on a message that was dropped (dead target, actor
 * terminated with it still queued). To keep a future alive elsewhere, take it out of msg->reply first.
 * NULL is a no-op. */
void actor_msg_free(actor_msg *msg);

/* ------------------------------------------------------------------ behaviours */

typedef enum actor_result {
    ACTOR_CONTINUE = 0,   /* done with this message; take the next when there is one */
    ACTOR_YIELD,          /* not done: requeue me at the tail of the run queue and call resume() later */
    ACTOR_STOP            /* I am finished: terminate() will be called and my id becomes dead */
} actor_result;

typedef struct actor_behaviour {
    const char *name;                                   /* for diagnostics, e.g. "component" */
    /* Handles one message; takes ownership of `msg` (free it with actor_msg_free, or keep it). */
    actor_result (*receive)(actor *self, actor_msg *msg);
    /* Continues after receive() or resume() returned ACTOR_YIELD. Required if the behaviour yields. */
    actor_result (*resume)(actor *self);
    /* Called exactly once when the actor ends (ACTOR_STOP, actor_kill, or system destroy), after its id is
     * dead (sends to it fail with -ENOENT, actor_alive() is false) and its registered names are dropped;
     * frees the behaviour's state. May be NULL. `killed` is false only when the actor itself returned
     * ACTOR_STOP; it is true for actor_kill(), an exit signal that ended it (a linked actor's abnormal exit,
     * actor_exit_signal_send()) and system destroy. Runs on a scheduler thread — except during actor_system_destroy(),
     * where it runs on the destroying thread after every scheduler thread has stopped (so no handler runs
     * concurrently; actor_send/actor_spawn then return -ESHUTDOWN). Messages still queued for the actor
     * are freed after terminate() and counted as dead letters. */
    void (*terminate)(actor *self, bool killed);
} actor_behaviour;

/* ------------------------------------------------------------------ the system */

/* Starts `threads` scheduler threads (0 = online cores). Returns 0, -EINVAL, -ENOMEM. */
int actor_system_create(unsigned threads, actor_system **out);

/* Stops accepting work (-ESHUTDOWN), lets every scheduler thread finish its current turn and joins them
 * (and the timer thread; pending timers are dropped), then kills every live actor on the calling thread
 * (terminate(killed=true) for each, newest first) and frees the system. Messages still queued are freed.
 * Not from a scheduler thread. NULL is a no-op. */
void actor_system_destroy(actor_system *sys);

/* The system's registry (id -> actor, registered name -> id). Owned by the system; valid until
 * actor_system_destroy. Layers above register names with registry_register_name(reg, name, id); an
 * actor's names are dropped when it terminates (before its terminate() runs). Objects returned by
 * registry_get* are `actor *` retained for the caller: release them with actor_release(). */
registry *actor_system_registry(actor_system *sys);

/* Spawns an actor with `behaviour` (static, must outlive the actor) and `state` (owned by the behaviour
 * from now on; on failure terminate() is NOT called and the caller keeps state).
 * *out (may be NULL) receives the id. The actor stays idle until its first message.
 * Returns 0, -EINVAL (behaviour or its receive NULL), -ENOMEM, -ESHUTDOWN (system stopping). */
int actor_spawn(actor_system *sys, const actor_behaviour *behaviour, void *state, actor_id *out);

/* Queues `msg` for `to` and schedules it. Takes ownership of msg in every case: on failure it is freed.
 * Returns 0, -ENOENT (no such / dead actor), -ESHUTDOWN, -EINVAL (msg NULL): these count as dead letters
 * (not -EINVAL: there is no message). Or -EAGAIN: `to` has a bounded mailbox that already holds
 * mailbox_capacity counted messages, or too many bytes for this one to fit under mailbox_max_bytes; or
 * -EMSGSIZE: the message's cost alone (actor_msg_cost) exceeds mailbox_max_bytes, so it could never fit
 * (a retry is pointless). Either way nothing is queued, the message is freed and counted in
 * stats.refused_full, not as a dead letter, and a reply future it carries is completed with that error (so
 * a requester waiting on it learns why). System messages (STOP, DOWN, EXIT, REPLY) never get -EAGAIN nor
 * -EMSGSIZE: they are always queued (a too large REPLY without its bytes: see ACTOR_MSG_STOP), or -ENOMEM
 * (a dead letter) if trimming such a REPLY finds no memory. The check and the reservation of the slot and
 * the bytes are atomic: concurrent senders never make a mailbox exceed its bounds; slot and bytes free when
 * the receiver takes the message out to handle it. Whether a send finds the mailbox full is decided at that
 * instant: a retry may succeed a moment later (there is no blocking send).
 * A send that races with the target's end may return 0 and still become a dead letter (as in Erlang).
 * -EPROTOTYPE: msg->type is a behaviour type (>= ACTOR_MSG_USER) outside the range `to` was spawned with
 * (actor_spawn_opts.msg_first / msg_last): a message for another kind of actor (e.g. a component's message
 * to a supervisor). Checked before the mailbox bounds; nothing is queued, the message is freed, counted in
 * stats.refused_type (not a dead letter: the address is good, the kind is wrong) and a reply future it
 * carries is completed with -EPROTOTYPE. */
int actor_send(actor_system *sys, actor_id to, actor_msg *msg);

/* actor_send(), and if `to` is idle, its turn runs at once on the calling thread, as a scheduler thread would
 * run it (up to the turn budget of messages, or until a behaviour call returns ACTOR_YIELD; a still-runnable
 * actor then goes to the run queue). For a caller about to wait for the answer anyway (a start, a synchronous
 * call): it saves two thread hand-offs. Called during another actor's turn, that turn is suspended meanwhile
 * (the thread's current actor is restored after). The receiver's behaviour must not block on the caller.
 * At most 8 inline turns nest on one thread, on top of the turn it is running (a handler that calls
 * actor_send_run, whose receiver does the same, ...); deeper, the message is queued as by actor_send(), so
 * a chain of actors cannot grow one thread's stack without bound. Same returns and ownership as actor_send(). Thread-safe. */
int actor_send_run(actor_system *sys, actor_id to, actor_msg *msg);

/* Delivers `msg` to `to` after `delay_ms` milliseconds (a timer thread does the send; never early; timers
 * with equal deadlines fire in call order). Takes ownership (freed as a dead letter on failure).
 * Returns 0, -ENOMEM, -ESHUTDOWN, -EINVAL (msg NULL), or -EDQUOT: `to` was spawned with max_timers and
 * that many timers are already pending for it (the message is freed, counted in stats.refused_full, and a
 * reply future it carries is completed with -EDQUOT). The send at expiry is actor_send()'s: a dead target
 * then is a dead letter; a full bounded mailbox refuses the message (freed, counted in
 * stats.refused_full, its reply future completed with -EAGAIN) — nobody is told otherwise, since the
 * caller has long returned. Capacity is not checked (nor reserved) when the timer is set. A timer for an id
 * that is not alive is accepted (and becomes a dead letter at expiry) and counts against nothing: only
 * host code names arbitrary ids. Cost: O(log n) in the pending timers, plus one registry lookup. */
int actor_send_after(actor_system *sys, actor_id to, actor_msg *msg, uint32_t delay_ms);

/* actor_send_after() whose pending timer does not count as work for actor_system_wait_idle() (its message
 * does, once sent): for periodic housekeeping that must not keep an otherwise idle system busy forever —
 * a supervisor's health-probe ticks. Same returns and quota as actor_send_after(). */
int actor_send_after_background(actor_system *sys, actor_id to, actor_msg *msg, uint32_t delay_ms);

/* actor_send_after() that also gives the timer's id (> 0, never reused) in *timer (may be NULL), for
 * actor_timer_cancel(). */
int actor_timer_start(actor_system *sys, actor_id to, actor_msg *msg, uint32_t delay_ms, uint64_t *timer);

/* Cancels a pending timer: its message is freed unsent and no longer keeps the system busy for
 * actor_system_wait_idle(); its unit of the target's max_timers is given back. Returns 0, or -ENOENT if it
 * already fired (or never existed). Cost: O(log n) in the number of pending timers. Any thread. */
int actor_timer_cancel(actor_system *sys, uint64_t timer);

/* Sends ACTOR_MSG_STOP to `to` (from = the calling actor's id inside a handler, else 0). A system message:
 * accepted even by a full bounded mailbox (never -EAGAIN).
 * Returns 0, -ENOENT, -ENOMEM, -ESHUTDOWN. */
int actor_stop(actor_system *sys, actor_id to);

/* Ends `to` without letting it handle more messages: if it is running, at the end of its current
 * turn/slice; otherwise promptly. terminate(killed=true) is called; the exit reason is ACTOR_EXIT_KILLED
 * (unless an exit signal already asked it to end with another reason: the first reason wins).
 * Returns 0, -ENOENT. */
int actor_kill(actor_system *sys, actor_id to);

/* True if `id` names a live actor. */
bool actor_alive(actor_system *sys, actor_id id);

/* Waits until actor `id` has terminated (returns at once if it is not alive). timeout_ms <= 0: forever.
 * Returns 0 or -ETIMEDOUT. Not from a scheduler thread. */
int actor_wait_exit(actor_system *sys, actor_id id, int timeout_ms);

/* Waits until no actor is runnable or running, every mailbox is empty and no timer is pending.
 * timeout_ms <= 0: forever. Returns 0 or -ETIMEDOUT. Not from a scheduler thread. */
int actor_system_wait_idle(actor_system *sys, int timeout_ms);

typedef struct actor_system_stats {
    uint64_t live;            /* actors alive now */
    uint64_t spawned;         /* actors ever spawned */
    uint64_t delivered;       /* messages passed to receive() */
    uint64_t dead_letters;    /* messages sent to dead/unknown ids (incl. expired timers) */
    uint64_t refused_full;    /* sends refused by a bounded mailbox (-EAGAIN, -EMSGSIZE; incl. expired
                                 timers) and timers refused by max_timers (-EDQUOT); not in dead_letters */
    uint32_t threads;         /* scheduler threads running */
    uint32_t threads_idle;    /* of them, waiting for work now */
    uint64_t run_queue;       /* actors in the run queue now (a thread's next slot not counted) */
    uint64_t refused_type;    /* sends refused because the receiver's behaviour does not take that message
                                 type (-EPROTOTYPE: another kind of actor's message); not in dead_letters */
} actor_system_stats;
void actor_system_stats_get(actor_system *sys, actor_system_stats *out);

/* The number of counted messages (see ACTOR_MSG_USER) queued for `id` now: neither system messages nor
 * the message its handler is running on count. 0 for a dead or unknown id (or sys NULL). Works for
 * unbounded mailboxes too. A snapshot (one atomic load): other threads may change it at once; it may
 * include a concurrent send that has reserved its slot and not yet queued. Never exceeds the actor's
 * mailbox_capacity when that is non-zero. Any thread. */
size_t actor_mailbox_length(actor_system *sys, actor_id id);

/* The bytes (actor_msg_cost) of every message queued for `id` now, system messages included (not the one
 * its handler is running on). 0 for a dead or unknown id (or sys NULL). A snapshot, as
 * actor_mailbox_length(); may include reservations of sends in progress. Counted messages alone never take
 * it past mailbox_max_bytes; system messages may. Any thread. */
size_t actor_mailbox_bytes(actor_system *sys, actor_id id);

/* The max_message_bytes `id` was spawned with (0: no limit, also for a dead or unknown id). Immutable for
 * the actor's life, so a sender may check a payload against it before sending. Any thread; O(1). */
size_t actor_max_message_bytes(actor_system *sys, actor_id id);

/* ------------------------------------------------------------------ inside a handler */

actor_id actor_self(const actor *self);
void *actor_state(const actor *self);
actor_system *actor_sys(const actor *self);

/* True once actor_kill() (or system destroy) was requested for `self`: a behaviour in a long, sliced
 * computation may check it to cut a slice short; the kill itself happens when the turn ends. One atomic
 * load. */
bool actor_kill_requested(const actor *self);

/* Parking (how a blocking call such as ask-with-timeout parks the actor, not the thread): call
 * actor_park(self) inside receive()/resume() and then return ACTOR_YIELD. The actor is then not requeued
 * and receives no messages (they stay queued) until actor_unpark() — or actor_kill() — wakes it; then
 * resume() is called. Spurious resumes are possible (an unpark that raced with an earlier park):
 * resume() checks whether what it waits for is ready and parks again if not. A parked actor does not
 * keep actor_system_wait_idle() waiting by itself (its queued messages and pending timers do).
 * actor_park returns 0, or -EINVAL when called outside that actor's own turn. */
int actor_park(actor *self);

/* Wakes a parked actor (resume() will be called), or makes its next actor_park() return at once if it
 * has not parked yet. Returns 0 or -ENOENT. */
int actor_unpark(actor_system *sys, actor_id id);

/* Drops a reference to an actor obtained from the registry (registry_get / registry_get_by_name on
 * actor_system_registry()). While held, the actor pointer stays valid (not its liveness). NULL: no-op. */
void actor_release(actor *a);

/* ------------------------------------------------------------------ futures (one-shot reply slots) */

/* A future is completed once by a responder and waited on by one requester; reference-counted so either
 * side may go away first (a late completion of an abandoned future frees its data). */
actor_future *actor_future_new(void);          /* refcount 1; NULL on ENOMEM */
void actor_future_retain(actor_future *f);
void actor_future_release(actor_future *f);   /* NULL is a no-op */

/* Completes `f` with `status` (0 or a negative errno / behaviour-defined code) and `data` (malloc'd, `len`
 * bytes, ownership passes to the future; may be NULL). Returns 0, or -EALREADY if already completed (data
 * is then freed). */
int actor_future_complete(actor_future *f, int status, void *data, size_t len);

/* Waits for completion up to timeout_ms (<= 0: forever). On 0, status, data, len (each may be NULL) get
 * the completion; ownership of data passes to the caller (if *data is requested; otherwise it stays with
 * the future). Returns 0 or -ETIMEDOUT. Not from a scheduler thread. */
int actor_future_wait(actor_future *f, int timeout_ms, int *status, void **data, size_t *len);

/* Non-blocking wait, usable on a scheduler thread (e.g. in resume()): as actor_future_wait but returns
 * -EAGAIN at once if not yet completed. */
int actor_future_poll(actor_future *f, int *status, void **data, size_t *len);

/* Asks `f` to actor_unpark(sys, id) when it completes (at once if already completed). One waiter per
 * future; a later call replaces it; sys NULL cancels. The system must outlive the completion, so an actor
 * that abandons a future cancels (actor_future_wake(f, NULL, 0)) before it releases it. Returns 0. */
int actor_future_wake(actor_future *f, actor_system *sys, actor_id id);

/* ------------------------------------------------------------------ exits, monitors, links
 * Erlang's semantics (Erlang/OTP reference manual, "Processes": links, monitors, exit signals, trap_exit). */

typedef enum actor_exit_kind {
    ACTOR_EXIT_NORMAL = 0,  /* returned ACTOR_STOP without saying otherwise */
    ACTOR_EXIT_SHUTDOWN,    /* stopped on request of its supervisor / the system */
    ACTOR_EXIT_KILLED,      /* actor_kill(), an untrappable kill, or system destroy */
    ACTOR_EXIT_ERROR,       /* abnormal: `code` and `text` say why (a component puts its trap kind in code) */
    ACTOR_EXIT_NOPROC       /* (monitors only) the target did not exist when the monitor was set */
} actor_exit_kind;

typedef struct actor_exit {
    actor_exit_kind kind;
    int code;               /* behaviour-defined detail for ACTOR_EXIT_ERROR, else 0 */
    char text[128];         /* human-readable reason, e.g. "integer divide by zero", "health"; may be "" */
} actor_exit;

/* Sets the reason this actor will exit with when it next returns ACTOR_STOP (default: normal; NULL resets
 * to normal). Call from inside its own handler. Not used when the actor is killed / ended by a signal. */
void actor_set_exit(actor *self, const actor_exit *reason);

/* The payload of ACTOR_MSG_DOWN (msg->from = who, msg->corr = ref). */
typedef struct actor_down {
    uint64_t ref;           /* what actor_monitor() returned */
    actor_id who;           /* the monitored actor */
    actor_exit reason;
} actor_down;

/* The payload of ACTOR_MSG_EXIT (msg->from = from). */
typedef struct actor_exit_signal {
    actor_id from;          /* the linked actor that exited, or the sender of actor_exit_signal_send() */
    actor_exit reason;
} actor_exit_signal;

/* `watcher` will receive one ACTOR_MSG_DOWN when `target` ends (at once, with ACTOR_EXIT_NOPROC, if it is
 * already dead). *ref (may be NULL) identifies the monitor. Monitors are one-way and stack (two calls: two
 * DOWN messages). A monitor is held by the watcher until its DOWN is received or it is removed
 * (actor_demonitor, or the watcher's end); a watcher spawned with max_monitors holds at most that many. A
 * monitor removed after its DOWN was sent (its target had ended, or a NOPROC one) keeps its unit until the
 * watcher's turn takes that DOWN out of its mailbox (and drops it): every DOWN queued is paid for.
 * Returns 0, -ENOENT (watcher dead), -EDQUOT (the watcher already holds max_monitors: nothing is set, no
 * DOWN will come), -ENOMEM. Cost: O(1) amortised, however many monitors either side holds. */
int actor_monitor(actor_system *sys, actor_id watcher, actor_id target, uint64_t *ref);
/* Removes a monitor; no DOWN is delivered for it afterwards — not even one already queued in the watcher's
 * mailbox (as Erlang's demonitor(Ref, [flush])). Returns 0, or -ENOENT (no such monitor held by watcher,
 * e.g. its DOWN was already received). O(1) amortised. */
int actor_demonitor(actor_system *sys, actor_id watcher, uint64_t ref);

/* Links a and b (symmetric; linking twice is one link). When one ends with reason R, the other:
 *   traps exits       -> receives ACTOR_MSG_EXIT {from, R} (also for normal exits);
 *   does not trap     -> R normal: nothing; R abnormal: ends too, with the same reason (KILLED stays KILLED).
 * If b is already dead, a gets the exit signal at once with reason NOPROC (as Erlang's link/1 does for a
 * trapping process; a non-trapping one is killed with NOPROC). The link counts against a's max_links (a
 * made it), not b's: others linking to an actor never use up its own quota. Linking an existing link again
 * changes nothing (not even whose quota it counts against). Returns 0, -ENOENT (a dead), -EDQUOT (a
 * already holds max_links links it made; nothing changes), -ENOMEM. O(1) amortised. */
int actor_link(actor_system *sys, actor_id a, actor_id b);
/* Removes the link (both sides; not linked: no-op). No exit signal travels over it afterwards (an
 * ACTOR_MSG_EXIT already queued stays queued). Returns 0 or -ENOENT (a dead). Linking an actor to itself
 * is a no-op. */
int actor_unlink(actor_system *sys, actor_id a, actor_id b);

/* Whether `self` converts exit signals into ACTOR_MSG_EXIT messages (Erlang's process_flag(trap_exit)).
 * Default off. Callable from any thread that holds `self` (normally its own handler). */
void actor_trap_exits(actor *self, bool on);

/* Sends an exit signal with `reason` to `to`, as Erlang's exit(Pid, Reason) (from = 0 outside a handler):
 * KILLED kills unconditionally; otherwise a trapping target gets ACTOR_MSG_EXIT, a non-trapping one ends with
 * the reason unless it is NORMAL (ignored). Ending happens at a safe point, as actor_kill() (never in the
 * middle of a handler run); terminate(killed=true). Returns 0, -ENOENT, -EINVAL (reason NULL). */
int actor_exit_signal_send(actor_system *sys, actor_id from, actor_id to, const actor_exit *reason);

typedef struct actor_spawn_opts {
    actor_id link;          /* non-zero: link the new actor to this one atomically at spawn (spawn_link) */
    actor_id monitor;       /* non-zero: this actor monitors the new one from the start (spawn_monitor) */
    uint64_t *monitor_ref;  /* receives that monitor's ref (may be NULL) */
    bool trap_exits;        /* the new actor traps exits from the start */
    uint32_t mailbox_capacity; /* 0: unbounded (the default). Otherwise at most this many counted messages
                                  (see ACTOR_MSG_USER) may be queued for the actor: further actor_send()s
                                  get -EAGAIN until it takes some out; system messages are always
                                  accepted and do not count. Fixed for the actor's life. */
    uint32_t max_monitors;  /* 0: unlimited (the default, meant for native actors). Otherwise the most
                               monitors this actor may hold at once as watcher (actor_monitor,
                               spawn_opt's .monitor naming it): one more gets -EDQUOT. Bounds the DOWNs
                               that can be queued for it too. A host of untrusted code passes its own. */
    uint32_t max_links;     /* 0: unlimited (the default). Otherwise the most links this actor may have
                               made and still hold (actor_link with it as `a`, spawn_opt's .link naming
                               it): one more gets -EDQUOT. Links others make with it do not count. */
    uint32_t max_timers;    /* 0: unlimited (the default). Otherwise the most timers that may be pending
                               for this actor at once (actor_send_after / actor_timer_start with it as
                               `to`, whoever sets them): one more gets -EDQUOT. A unit frees when a timer
                               fires or is cancelled. */
    size_t mailbox_max_bytes; /* 0: unbounded (the default, meant for native actors). Otherwise counted
                                 messages are refused (-EAGAIN) once the queued messages' cost
                                 (actor_msg_cost: payload + header) would exceed this many bytes, and a
                                 message larger than this on its own is refused with -EMSGSIZE. System
                                 messages are always accepted but charged (see ACTOR_MSG_STOP). Fixed. */
    size_t max_message_bytes; /* 0: no limit. The largest payload the actor takes: a REPLY carrying more
                                 completion bytes than this arrives without them, status -EMSGSIZE; senders
                                 of ordinary messages read it with actor_max_message_bytes() and refuse
                                 themselves (the layer cannot tell a payload from, say, an invocation's
                                 arguments). Fixed. */
    uint32_t msg_first, msg_last; /* both 0: the actor takes every message type (the default). Otherwise the
                                 behaviour types (>= ACTOR_MSG_USER) it takes: [msg_first, msg_last]; a
                                 send of a behaviour type outside is refused with -EPROTOTYPE (actor_send),
                                 so one kind of actor is never handed another kind's message. The actor
                                 layer's own types (< ACTOR_MSG_USER) are always taken. Fixed. Returns
                                 -EINVAL from actor_spawn_opt if msg_first > msg_last or msg_first <
                                 ACTOR_MSG_USER (unless both are 0). */
} actor_spawn_opts;

/* actor_spawn() with options (opts NULL: as actor_spawn()). Linking/monitoring happens before the actor can
 * run, so no exit is missed. The link counts against opts->link's max_links, the monitor against
 * opts->monitor's max_monitors (they asked for them, as Erlang's spawn_link/spawn_monitor caller does).
 * Returns as actor_spawn(), plus -ENOENT if opts->link or opts->monitor names a dead actor, -EDQUOT if that
 * actor is at its max_links / max_monitors (either way nothing is spawned, the caller keeps state). */
int actor_spawn_opt(actor_system *sys, const actor_behaviour *behaviour, void *state,
                    const actor_spawn_opts *opts, actor_id *out);

/* The reason an actor ended, for as long as the system keeps it (the most recent 4096 exits): lets a caller
 * of actor_wait_exit() learn why. Recorded when the actor ends, before its terminate(). Returns 0, or
 * -ENOENT if unknown or still alive. */
int actor_exit_reason(actor_system *sys, actor_id id, actor_exit *out);

/* The header of ACTOR_MSG_REPLY's payload. */
typedef struct actor_reply {
    int status;             /* the completion's status */
    size_t len;             /* bytes following this header (the completion's data) */
} actor_reply;

/* A future whose completion is delivered as a message: when completed, `to` receives ACTOR_MSG_REPLY with
 * msg->corr = corr and an actor_reply header + the completion's data copied after it. Lets a message-driven
 * actor (a supervisor, a component awaiting a reply) make requests without blocking or parking. If `to` is
 * dead by then, the reply is a dead letter; a full bounded mailbox still accepts it (a system message),
 * but if its cost exceeds `to`'s whole mailbox_max_bytes it arrives without the bytes, with status
 * -EMSGSIZE. Nobody may wait on such a future. A message carrying it in
 * msg->reply that is freed unanswered (actor_msg_free) delivers a REPLY with status -ENOENT. If the bytes
 * cannot be copied (ENOMEM) the REPLY carries status -ENOMEM and no bytes. `sys` must outlive the
 * completion (also the -ENOENT one). NULL on ENOMEM (or sys NULL). */
actor_future *actor_future_new_notify(actor_system *sys, actor_id to, uint64_t corr);

#endif /* WACTOR_ACTOR_H */
