/*
 * timer.c — actor_send_after: one timer thread, a binary min-heap ordered by (deadline, sequence), and a
 * CLOCK_MONOTONIC condvar. The thread sleeps until the earliest deadline (or a new earlier one), then
 * sends each due message with actor_send (a dead target becomes a dead letter there).
 * Each pending timer counts as busy work for actor_system_wait_idle, except a background one
 * (actor_send_after_background: periodic housekeeping such as health probes, which would otherwise keep a
 * system that has nothing left to do from ever being idle); its message counts once it is sent.
 * Cancelling is O(log n) (it used to scan the heap, so n outstanding requests with timeouts, each answer
 * cancelling one, cost O(n^2)): every pending timer owns a slot in tm_pos, which always holds its current
 * heap index (a plain store on every heap move), and an idmap finds the slot from the timer id (one insert
 * and one removal per timer, none per move). Free slots are chained through tm_pos itself.
 * Per-actor quota: an actor spawned with max_timers has at most that many timers pending for it; its count
 * (actor.timers) is taken when a timer is set and given back when it fires or is cancelled.
 */
#include "actor/actor_internal.h"

#include <errno.h>
#include <stdlib.h>

static bool before(const timer_entry *a, const timer_entry *b) {
    return a->due_ns < b->due_ns || (a->due_ns == b->due_ns && a->seq < b->seq);
}

/* Puts `e` at heap index i and records where it is. tm_mu held. */
static void place(actor_system *sys, size_t i, timer_entry e) {
    sys->heap[i] = e;
    sys->tm_pos[e.slot] = i;
}

/* A free slot in tm_pos (growing it when none is left), or -ENOMEM. tm_mu held. */
static int slot_alloc(actor_system *sys, size_t *out) {
    if (sys->tm_free == SIZE_MAX) {
        size_t cap = sys->tm_pos_cap, ncap = cap ? cap * 2 : 64;
        size_t *n = ncap <= SIZE_MAX / sizeof *n ? realloc(sys->tm_pos, ncap * sizeof *n) : NULL;
        if (!n) return -ENOMEM;
        for (size_t i = cap; i < ncap; i++) n[i] = i + 1 < ncap ? i + 1 : SIZE_MAX;
        sys->tm_pos = n;
        sys->tm_pos_cap = ncap;
        sys->tm_free = cap;
    }
    *out = sys->tm_free;
    sys->tm_free = sys->tm_pos[*out];
    return 0;
}

static void slot_free(actor_system *sys, size_t slot) {
    sys->tm_pos[slot] = sys->tm_free;
    sys->tm_free = slot;
}

static void heap_up(actor_system *sys, size_t i) {
    timer_entry e = sys->heap[i];
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!before(&e, &sys->heap[p])) break;
        place(sys, i, sys->heap[p]);
        i = p;
    }
    place(sys, i, e);
}

static void heap_down(actor_system *sys, size_t i) {
    timer_entry e = sys->heap[i];
    size_t n = sys->heap_len;
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = l;
        if (l >= n) break;
        if (r < n && before(&sys->heap[r], &sys->heap[l])) m = r;
        if (!before(&sys->heap[m], &e)) break;
        place(sys, i, sys->heap[m]);
        i = m;
    }
    place(sys, i, e);
}

/* Takes the entry at slot i out of the heap (and the index); returns it. tm_mu held. Gives memory back when
 * the heap has emptied to a quarter (a burst of timers does not keep its peak). */
static timer_entry heap_take(actor_system *sys, size_t i) {
    timer_entry e = sys->heap[i];
    actor_idmap_del(&sys->tm_index, e.seq, NULL);
    slot_free(sys, e.slot);
    timer_entry last = sys->heap[--sys->heap_len];
    if (i < sys->heap_len) { /* the moved entry may belong above or below its new place */
        place(sys, i, last);
        heap_up(sys, i);
        heap_down(sys, i); /* after a move up, slot i holds a former ancestor: a no-op */
    }
    if (sys->heap_cap > 64 && sys->heap_len < sys->heap_cap / 4) {
        timer_entry *n = realloc(sys->heap, sys->heap_cap / 2 * sizeof *n);
        if (n) {
            sys->heap = n;
            sys->heap_cap /= 2;
        }
    }
    return e;
}

/* The actor `to`, or NULL: the calling actor itself needs no lookup (a component's request timeout, a
 * supervisor's own timers: set and cancelled from the target's own turn, on the hot request path); any
 * other is looked up and retained. Release with target_put(). */
static actor *target_get(actor_system *sys, actor_id to) {
    actor *self = actor_tls_current;
    if (self && self->id == to && self->sys == sys) return self; /* alive and valid while its turn runs */
    return registry_get(sys->reg, to);
}

static void target_put(actor *a) {
    if (a && a != actor_tls_current) actor_release(a);
}

/* The pending-timer count of the actor a timer targets: taken when the timer is set (if the actor has a
 * max_timers), given back when it fires or is cancelled. The count lives in the actor, so an actor that
 * ended meanwhile (not found) needs nothing back. */
static void timer_unaccount(actor_system *sys, const timer_entry *e) {
    if (!e->counted) return;
    actor *a = target_get(sys, e->to);
    if (a) atomic_fetch_sub_explicit(&a->timers, 1, memory_order_relaxed);
    target_put(a);
}

/* The timer thread sleeps until the earliest deadline and records that instant in tm_wake_ns (UINT64_MAX:
 * until signalled). A new timer signals it only when due before tm_wake_ns; a cancelled timer signals nothing
 * (the thread wakes at its old deadline, finds nothing due, and sleeps on). So a request/reply that starts a
 * timeout and cancels it on every answer wakes this thread once, not once per request. */
static void *timer_main(void *arg) {
    actor_system *sys = arg;
    pthread_mutex_lock(&sys->tm_mu);
    while (!sys->tm_stop) {
        uint64_t now = clock_mono_ns();
        if (sys->heap_len == 0 || sys->heap[0].due_ns > now) {
            sys->tm_wake_ns = sys->heap_len ? sys->heap[0].due_ns : UINT64_MAX;
            if (sys->heap_len == 0) {
                pthread_cond_wait(&sys->tm_cv, &sys->tm_mu);
            } else {
                struct timespec dl = ns_to_ts(sys->tm_wake_ns);
                pthread_cond_timedwait(&sys->tm_cv, &sys->tm_mu, &dl);
            }
            continue;
        }
        timer_entry e = heap_take(sys, 0);
        pthread_mutex_unlock(&sys->tm_mu);
        timer_unaccount(sys, &e);
        actor_send(sys, e.to, e.msg);
        if (!e.background) actor_busy_sub(sys, 1);
        pthread_mutex_lock(&sys->tm_mu);
    }
    pthread_mutex_unlock(&sys->tm_mu);
    return NULL;
}

int actor_timer_thread_start(actor_system *sys) {
    sys->tm_wake_ns = UINT64_MAX;
    sys->tm_free = SIZE_MAX;
    if (pthread_create(&sys->tm_thread, NULL, timer_main, sys) != 0) return -ENOMEM;
    sys->tm_started = true;
    return 0;
}

void actor_timer_thread_stop(actor_system *sys) {
    if (sys->tm_started) {
        pthread_mutex_lock(&sys->tm_mu);
        sys->tm_stop = true;
        pthread_cond_signal(&sys->tm_cv);
        pthread_mutex_unlock(&sys->tm_mu);
        pthread_join(sys->tm_thread, NULL);
        sys->tm_started = false;
    }
    for (size_t i = 0; i < sys->heap_len; i++) actor_msg_free(sys->heap[i].msg);
    sys->heap_len = 0;
    actor_idmap_free(&sys->tm_index);
    free(sys->tm_pos);
    sys->tm_pos = NULL;
    sys->tm_pos_cap = 0;
    sys->tm_free = SIZE_MAX;
}

static int timer_start(actor_system *sys, actor_id to, actor_msg *msg, uint32_t delay_ms, uint64_t *timer,
                       bool background);

int actor_timer_start(actor_system *sys, actor_id to, actor_msg *msg, uint32_t delay_ms, uint64_t *timer) {
    return timer_start(sys, to, msg, delay_ms, timer, false);
}

int actor_send_after(actor_system *sys, actor_id to, actor_msg *msg, uint32_t delay_ms) {
    return timer_start(sys, to, msg, delay_ms, NULL, false);
}

int actor_send_after_background(actor_system *sys, actor_id to, actor_msg *msg, uint32_t delay_ms) {
    return timer_start(sys, to, msg, delay_ms, NULL, true);
}

int actor_timer_cancel(actor_system *sys, uint64_t timer) {
    uint64_t slot = 0;
    timer_entry e = {0};
    pthread_mutex_lock(&sys->tm_mu);
    bool found = actor_idmap_get(&sys->tm_index, timer, &slot);
    if (found) e = heap_take(sys, sys->tm_pos[slot]);
    pthread_mutex_unlock(&sys->tm_mu);
    if (!found) return -ENOENT;
    timer_unaccount(sys, &e);
    actor_msg_free(e.msg);
    if (!e.background) actor_busy_sub(sys, 1);
    return 0;
}

/* A timer refused by its target's max_timers: not a dead letter (the address is good); a request it carries
 * learns why. */
static void refuse_quota(actor_system *sys, actor_msg *msg) {
    atomic_fetch_add_explicit(&sys->refused_full, 1, memory_order_relaxed);
    if (msg->reply) actor_future_complete(msg->reply, -EDQUOT, NULL, 0);
    actor_msg_free(msg);
}

static int timer_start(actor_system *sys, actor_id to, actor_msg *msg, uint32_t delay_ms, uint64_t *timer,
                       bool background) {
    if (!msg) return -EINVAL;
    /* the target's quota first (outside tm_mu: registry locks are never taken under it) */
    bool counted = false;
    actor *a = target_get(sys, to);
    if (a && a->max_timers && !atomic_load_explicit(&a->dead, memory_order_acquire)) {
        unsigned n = atomic_load_explicit(&a->timers, memory_order_relaxed);
        do {
            if (n >= a->max_timers) {
                target_put(a);
                refuse_quota(sys, msg);
                return -EDQUOT;
            }
        } while (!atomic_compare_exchange_weak_explicit(&a->timers, &n, n + 1, memory_order_relaxed,
                                                        memory_order_relaxed));
        counted = true;
    }
    int rc = 0;
    uint64_t seq = 0;
    size_t slot = 0;
    pthread_mutex_lock(&sys->tm_mu);
    if (sys->tm_stop || atomic_load(&sys->stopping)) {
        rc = -ESHUTDOWN;
    } else if (sys->heap_len == sys->heap_cap) {
        size_t ncap = sys->heap_cap ? sys->heap_cap * 2 : 64;
        timer_entry *n = ncap <= SIZE_MAX / sizeof *n ? realloc(sys->heap, ncap * sizeof *n) : NULL;
        if (!n)
            rc = -ENOMEM;
        else {
            sys->heap = n;
            sys->heap_cap = ncap;
        }
    }
    if (!rc) rc = slot_alloc(sys, &slot);
    if (!rc) {
        seq = ++sys->tm_seq; /* timer ids start at 1 */
        if (actor_idmap_put(&sys->tm_index, seq, slot) < 0) {
            slot_free(sys, slot);
            rc = -ENOMEM;
        }
    }
    if (rc) {
        pthread_mutex_unlock(&sys->tm_mu);
        if (counted) atomic_fetch_sub_explicit(&a->timers, 1, memory_order_relaxed);
        target_put(a);
        actor_dead_letter(sys, msg);
        return rc;
    }
    target_put(a);
    size_t i = sys->heap_len++;
    if (timer) *timer = seq;
    sys->heap[i] = (timer_entry){.due_ns = clock_mono_ns() + (uint64_t)delay_ms * 1000000ull,
                                 .seq = seq, .to = to, .msg = msg, .counted = counted,
                                 .background = background, .slot = slot};
    heap_up(sys, i);
    if (!background) actor_busy_add(sys, 1);
    if (sys->heap[0].due_ns < sys->tm_wake_ns) pthread_cond_signal(&sys->tm_cv); /* before it would wake */
    pthread_mutex_unlock(&sys->tm_mu);
    return 0;
}
