/*
 * future.c — one-shot reply slots: a mutex, a condvar (CLOCK_MONOTONIC) and a reference count.
 *
 * The responder completes once; the requester waits once (or gives up). Either side may release first;
 * the last release frees any completion data nobody took.
 */
#include "actor/actor_internal.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct actor_future {
    atomic_uint refs;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool done;
    int status;
    void *data;
    size_t len;
    actor_system *wake_sys;  /* actor_future_wake target, or NULL */
    actor_id wake_id;
    actor_system *notify_sys;/* actor_future_new_notify: deliver the completion as ACTOR_MSG_REPLY */
    actor_id notify_to;
    uint64_t notify_corr;
};

actor_future *actor_future_new(void) {
    actor_future *f = calloc(1, sizeof *f);
    if (!f) return NULL;
    if (actor_cond_init_mono(&f->cv)) {
        free(f);
        return NULL;
    }
    pthread_mutex_init(&f->mu, NULL);
    atomic_init(&f->refs, 1);
    return f;
}

void actor_future_retain(actor_future *f) {
    if (f) atomic_fetch_add_explicit(&f->refs, 1, memory_order_relaxed);
}

void actor_future_release(actor_future *f) {
    if (!f) return;
    if (atomic_fetch_sub_explicit(&f->refs, 1, memory_order_acq_rel) != 1) return;
    free(f->data);
    pthread_mutex_destroy(&f->mu);
    pthread_cond_destroy(&f->cv);
    free(f);
}

/* Delivers a notify future's completion to its actor (outside f->mu; notify_* are immutable). */
static void notify(actor_future *f, actor_system *sys, int status, void *data, size_t len) {
    actor_reply h = {.status = status, .len = data ? len : 0};
    actor_msg *m = NULL;
    if (h.len <= SIZE_MAX - sizeof h - sizeof(actor_msg))
        m = actor_msg_new(ACTOR_MSG_REPLY, actor_tls_current ? actor_self(actor_tls_current) : 0, NULL,
                          sizeof h + h.len);
    if (!m) { /* no room for the bytes: still tell the requester, without them */
        h.status = -ENOMEM;
        h.len = 0;
        m = actor_msg_new(ACTOR_MSG_REPLY, 0, NULL, sizeof h);
    }
    if (m) {
        memcpy(m->data, &h, sizeof h);
        if (h.len) memcpy(m->data + sizeof h, data, h.len);
        m->corr = f->notify_corr;
        actor_send(sys, f->notify_to, m); /* dead target: a dead letter */
    }
    free(data);
}

actor_future *actor_future_new_notify(actor_system *sys, actor_id to, uint64_t corr) {
    if (!sys) return NULL;
    actor_future *f = actor_future_new();
    if (!f) return NULL;
    f->notify_sys = sys;
    f->notify_to = to;
    f->notify_corr = corr;
    return f;
}

int actor_future_complete(actor_future *f, int status, void *data, size_t len) {
    if (!f) {
        free(data);
        return -EINVAL;
    }
    pthread_mutex_lock(&f->mu);
    if (f->done) {
        pthread_mutex_unlock(&f->mu);
        free(data);
        return -EALREADY;
    }
    f->done = true;
    f->status = status;
    actor_system *ns = f->notify_sys;
    if (!ns) { /* a notify future keeps nothing: the data goes into the message */
        f->data = data;
        f->len = len;
    }
    actor_system *ws = f->wake_sys;
    actor_id wid = f->wake_id;
    f->wake_sys = NULL;
    pthread_cond_broadcast(&f->cv);
    pthread_mutex_unlock(&f->mu);
    if (ws) actor_unpark(ws, wid);
    if (ns) notify(f, ns, status, data, len);
    return 0;
}

/* Hands the completion to the caller; f->mu held. */
static void take(actor_future *f, int *status, void **data, size_t *len) {
    if (status) *status = f->status;
    if (len) *len = f->len;
    if (data) {
        *data = f->data;
        f->data = NULL;
    }
}

int actor_future_wait(actor_future *f, int timeout_ms, int *status, void **data, size_t *len) {
    if (!f) return -EINVAL;
    if (actor_tls_sched) return -EDEADLK;
    int rc = 0;
    pthread_mutex_lock(&f->mu);
    if (timeout_ms <= 0) {
        while (!f->done) pthread_cond_wait(&f->cv, &f->mu);
    } else {
        struct timespec dl = ns_to_ts(clock_mono_ns() + (uint64_t)timeout_ms * 1000000ull);
        while (!f->done)
            if (pthread_cond_timedwait(&f->cv, &f->mu, &dl) == ETIMEDOUT) break;
        if (!f->done) rc = -ETIMEDOUT;
    }
    if (!rc) take(f, status, data, len);
    pthread_mutex_unlock(&f->mu);
    return rc;
}

int actor_future_poll(actor_future *f, int *status, void **data, size_t *len) {
    if (!f) return -EINVAL;
    pthread_mutex_lock(&f->mu);
    int rc = f->done ? 0 : -EAGAIN;
    if (!rc) take(f, status, data, len);
    pthread_mutex_unlock(&f->mu);
    return rc;
}

int actor_future_wake(actor_future *f, actor_system *sys, actor_id id) {
    if (!f) return -EINVAL;
    pthread_mutex_lock(&f->mu);
    bool now = f->done && sys;
    f->wake_sys = f->done ? NULL : sys;
    f->wake_id = id;
    pthread_mutex_unlock(&f->mu);
    if (now) actor_unpark(sys, id);
    return 0;
}
