/*
 * timer.c — actor_send_after: one timer thread, a binary min-heap ordered by (deadline, sequence), and a
 * CLOCK_MONOTONIC condvar. The thread sleeps until the earliest deadline (or a new earlier one), then
 * sends each due message with actor_send (a dead target becomes a dead letter there).
 * Each pending timer counts as busy work for actor_system_wait_idle.
 */
#include "actor/actor_internal.h"

#include <errno.h>
#include <stdlib.h>

static bool before(const timer_entry *a, const timer_entry *b) {
    return a->due_ns < b->due_ns || (a->due_ns == b->due_ns && a->seq < b->seq);
}

static void heap_up(timer_entry *h, size_t i) {
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!before(&h[i], &h[p])) break;
        timer_entry t = h[i];
        h[i] = h[p];
        h[p] = t;
        i = p;
    }
}

static void heap_down(timer_entry *h, size_t n, size_t i) {
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < n && before(&h[l], &h[m])) m = l;
        if (r < n && before(&h[r], &h[m])) m = r;
        if (m == i) return;
        timer_entry t = h[i];
        h[i] = h[m];
        h[m] = t;
        i = m;
    }
}

/* The timer thread sleeps until the earliest deadline and records that instant in tm_wake_ns (UINT64_MAX:
 * until signalled). A new timer signals it only when due before tm_wake_ns; a cancelled timer signals nothing
 * (the thread wakes at its old deadline, finds nothing due, and sleeps on). So a request/reply that starts a
 * timeout and cancels it on every answer wakes this thread once, not once per request. */
static void *timer_main(void *arg) {
    actor_system *sys = arg;
    pthread_mutex_lock(&sys->tm_mu);
    while (!sys->tm_stop) {
        uint64_t now = mono_ns();
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
        timer_entry e = sys->heap[0];
        sys->heap[0] = sys->heap[--sys->heap_len];
        heap_down(sys->heap, sys->heap_len, 0);
        pthread_mutex_unlock(&sys->tm_mu);
        actor_send(sys, e.to, e.msg);
        actor_busy_sub(sys, 1);
        pthread_mutex_lock(&sys->tm_mu);
    }
    pthread_mutex_unlock(&sys->tm_mu);
    return NULL;
}

int actor_timer_thread_start(actor_system *sys) {
    sys->tm_wake_ns = UINT64_MAX;
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
}

int actor_send_after(actor_system *sys, actor_id to, actor_msg *msg, uint32_t delay_ms) {
    return actor_timer_start(sys, to, msg, delay_ms, NULL);
}

int actor_timer_cancel(actor_system *sys, uint64_t timer) {
    actor_msg *msg = NULL;
    pthread_mutex_lock(&sys->tm_mu);
    for (size_t i = 0; i < sys->heap_len; i++) {
        if (sys->heap[i].seq != timer) continue;
        msg = sys->heap[i].msg;
        sys->heap[i] = sys->heap[--sys->heap_len];
        if (i < sys->heap_len) { /* the moved entry may belong above or below its new place */
            heap_up(sys->heap, i);
            heap_down(sys->heap, sys->heap_len, i);
        }
        break;
    }
    pthread_mutex_unlock(&sys->tm_mu);
    if (!msg) return -ENOENT;
    actor_msg_free(msg);
    actor_busy_sub(sys, 1);
    return 0;
}

int actor_timer_start(actor_system *sys, actor_id to, actor_msg *msg, uint32_t delay_ms, uint64_t *timer) {
    if (!msg) return -EINVAL;
    int rc = 0;
    pthread_mutex_lock(&sys->tm_mu);
    if (sys->tm_stop || atomic_load(&sys->stopping)) {
        rc = -ESHUTDOWN;
    } else if (sys->heap_len == sys->heap_cap) {
        size_t ncap = sys->heap_cap ? sys->heap_cap * 2 : 64;
        timer_entry *n = realloc(sys->heap, ncap * sizeof *n);
        if (!n)
            rc = -ENOMEM;
        else {
            sys->heap = n;
            sys->heap_cap = ncap;
        }
    }
    if (rc) {
        pthread_mutex_unlock(&sys->tm_mu);
        actor_dead_letter(sys, msg);
        return rc;
    }
    size_t i = sys->heap_len++;
    uint64_t seq = ++sys->tm_seq; /* timer ids start at 1 */
    if (timer) *timer = seq;
    sys->heap[i] = (timer_entry){.due_ns = mono_ns() + (uint64_t)delay_ms * 1000000ull,
                                 .seq = seq, .to = to, .msg = msg};
    heap_up(sys->heap, i);
    actor_busy_add(sys, 1);
    if (sys->heap[0].due_ns < sys->tm_wake_ns) pthread_cond_signal(&sys->tm_cv); /* before it would wake */
    pthread_mutex_unlock(&sys->tm_mu);
    return 0;
}
