/*
 * actor.c — the actor system and the actor lifecycle: create/destroy, spawn, send, stop, kill, liveness,
 * reference counting, idle and exit waits, statistics, messages.
 *
 * References: an actor starts with one "live" reference, dropped by actor_end() after the actor is
 * unregistered. Each registry lookup (registry_get, under the shard lock) adds one, dropped by
 * actor_release(). The last release drains the mailbox (dead letters) and frees the actor.
 * Ids come from an atomic counter starting at 1 and are never reused.
 */
#include "actor/actor_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_THREADS 1024

/* ------------------------------------------------------------------ helpers */

int actor_cond_init_mono(pthread_cond_t *cv) {
    pthread_condattr_t at;
    if (pthread_condattr_init(&at)) return -ENOMEM;
    pthread_condattr_setclock(&at, CLOCK_MONOTONIC);
    int rc = pthread_cond_init(cv, &at);
    pthread_condattr_destroy(&at);
    return rc ? -ENOMEM : 0;
}

void actor_busy_add(actor_system *sys, long n) { atomic_fetch_add(&sys->busy, n); }

void actor_busy_sub(actor_system *sys, long n) {
    if (atomic_fetch_sub(&sys->busy, n) == n) {
        pthread_mutex_lock(&sys->idle_mu);
        pthread_cond_broadcast(&sys->idle_cv);
        pthread_mutex_unlock(&sys->idle_mu);
    }
}

void actor_dead_letter(actor_system *sys, actor_msg *m) {
    atomic_fetch_add_explicit(&sys->dead_letters, 1, memory_order_relaxed);
    actor_msg_free(m);
}

void actor_retain_obj(void *obj) {
    actor *a = obj;
    atomic_fetch_add_explicit(&a->refs, 1, memory_order_relaxed);
}

void actor_release(actor *a) {
    if (!a) return;
    if (atomic_fetch_sub_explicit(&a->refs, 1, memory_order_acq_rel) != 1) return;
    actor_system *sys = a->sys;
    actor_msg *m;
    while ((m = actor_mailbox_pop(&a->mb))) {
        actor_dead_letter(sys, m);
        actor_busy_sub(sys, 1);
    }
    actor_mailbox_destroy(&a->mb);
    actor_links_free(a);
    free(a);
}

/* Returns the retained, not-yet-dead actor `id`, or NULL. */
static actor *lookup_live(actor_system *sys, actor_id id) {
    actor *a = registry_get(sys->reg, id);
    if (a && atomic_load_explicit(&a->dead, memory_order_acquire)) {
        actor_release(a);
        return NULL;
    }
    return a;
}

static void live_unlink(actor_system *sys, actor *a) {
    pthread_mutex_lock(&sys->live_mu);
    if (a->live_prev)
        a->live_prev->live_next = a->live_next;
    else
        sys->live_head = a->live_next;
    if (a->live_next)
        a->live_next->live_prev = a->live_prev;
    else
        sys->live_tail = a->live_prev;
    a->live_prev = a->live_next = NULL;
    pthread_mutex_unlock(&sys->live_mu);
}

void actor_end(actor *a, bool killed, const actor_exit *force) {
    actor_system *sys = a->sys;
    atomic_store(&a->dead, true);
    registry_drop_names(sys->reg, a->id);
    actor_exit why = force ? *force : actor_links_reason(a, killed);
    actor_exit_ring_put(sys, a->id, &why); /* before anyone can learn of the end */
    if (a->beh->terminate) a->beh->terminate(a, killed);
    actor_links_on_end(a, &why);            /* DOWN messages, exit signals to linked actors */
    registry_remove(sys->reg, a->id);
    live_unlink(sys, a);
    atomic_fetch_sub_explicit(&sys->live, 1, memory_order_relaxed);
    pthread_mutex_lock(&sys->exit_mu);
    a->exited = true;
    pthread_cond_broadcast(&sys->exit_cv);
    pthread_mutex_unlock(&sys->exit_mu);
    actor_release(a);
}

/* Waits on cv/mu until *done(arg) or the deadline; mu held by the caller. */
static int wait_until(pthread_cond_t *cv, pthread_mutex_t *mu, bool (*done)(void *), void *arg, int timeout_ms) {
    if (timeout_ms <= 0) {
        while (!done(arg)) pthread_cond_wait(cv, mu);
        return 0;
    }
    struct timespec dl = ns_to_ts(clock_mono_ns() + (uint64_t)timeout_ms * 1000000ull);
    while (!done(arg)) {
        if (pthread_cond_timedwait(cv, mu, &dl) == ETIMEDOUT) return done(arg) ? 0 : -ETIMEDOUT;
    }
    return 0;
}

/* ------------------------------------------------------------------ messages */

actor_msg *actor_msg_new(uint32_t type, actor_id from, const void *data, size_t len) {
    if (len > SIZE_MAX - sizeof(actor_msg)) return NULL;
    actor_msg *m = len <= MSGPOOL_DATA ? actor_msgpool_alloc() : malloc(sizeof *m + len);
    if (!m) return NULL;
    m->next = NULL;
    m->type = type;
    m->from = from;
    m->corr = 0;
    m->reply = NULL;
    m->ext = NULL;
    m->len = len;
    if (len) {
        if (data)
            memcpy(m->data, data, len);
        else
            memset(m->data, 0, len);
    }
    return m;
}

void actor_msg_free(actor_msg *msg) {
    if (!msg) return;
    free(msg->ext);
    if (msg->reply) {
        /* a request nobody answered (dead target, dropped on terminate): the requester learns at once */
        actor_future_complete(msg->reply, -ENOENT, NULL, 0);
        actor_future_release(msg->reply);
    }
    if (msg->len <= MSGPOOL_DATA)
        actor_msgpool_free(msg);
    else
        free(msg);
}

/* ------------------------------------------------------------------ the system */

static void sys_free(actor_system *sys) {
    registry_free(sys->reg);
    pthread_mutex_destroy(&sys->live_mu);
    pthread_mutex_destroy(&sys->rq_mu);
    pthread_cond_destroy(&sys->rq_cv);
    pthread_mutex_destroy(&sys->idle_mu);
    pthread_cond_destroy(&sys->idle_cv);
    pthread_mutex_destroy(&sys->exit_mu);
    pthread_cond_destroy(&sys->exit_cv);
    pthread_mutex_destroy(&sys->tm_mu);
    pthread_cond_destroy(&sys->tm_cv);
    actor_exit_ring_free(sys);
    free(sys->heap);
    free(sys);
}

int actor_system_create(unsigned threads, actor_system **out) {
    if (!out) return -EINVAL;
    *out = NULL;
    if (threads == 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        threads = n > 0 ? (unsigned)n : 1;
    }
    if (threads > MAX_THREADS) return -EINVAL;
    actor_system *sys = calloc(1, sizeof *sys);
    if (!sys) return -ENOMEM;
    sys->nthreads = threads;
    atomic_init(&sys->next_id, 0);
    atomic_init(&sys->stopping, false);
    atomic_init(&sys->busy, 0);
    atomic_init(&sys->live, 0);
    atomic_init(&sys->spawned, 0);
    atomic_init(&sys->delivered, 0);
    atomic_init(&sys->dead_letters, 0);
    atomic_init(&sys->refused_full, 0);
    atomic_init(&sys->refused_type, 0);
    atomic_init(&sys->next_ref, 0);
    pthread_mutex_init(&sys->live_mu, NULL);
    pthread_mutex_init(&sys->rq_mu, NULL);
    pthread_cond_init(&sys->rq_cv, NULL);
    pthread_mutex_init(&sys->idle_mu, NULL);
    pthread_mutex_init(&sys->exit_mu, NULL);
    pthread_mutex_init(&sys->tm_mu, NULL);
    int rc = 0;
    if (actor_cond_init_mono(&sys->idle_cv) || actor_cond_init_mono(&sys->exit_cv) || actor_cond_init_mono(&sys->tm_cv))
        rc = -ENOMEM;
    if (!rc && !(sys->reg = registry_new(actor_retain_obj))) rc = -ENOMEM;
    if (!rc) rc = actor_exit_ring_new(sys);
    if (!rc) rc = actor_sched_start(sys);
    if (!rc) rc = actor_timer_thread_start(sys);
    if (rc) {
        actor_timer_thread_stop(sys);
        actor_sched_stop(sys);
        sys_free(sys);
        return rc;
    }
    *out = sys;
    return 0;
}

void actor_system_destroy(actor_system *sys) {
    if (!sys) return;
    pthread_mutex_lock(&sys->live_mu);
    atomic_store(&sys->stopping, true);
    pthread_mutex_unlock(&sys->live_mu);
    actor_timer_thread_stop(sys);
    actor_sched_stop(sys);
    for (;;) {
        pthread_mutex_lock(&sys->live_mu);
        actor *a = sys->live_tail;
        pthread_mutex_unlock(&sys->live_mu);
        if (!a) break;
        static const actor_exit killed = {.kind = ACTOR_EXIT_KILLED, .code = 0, .text = "system destroy"};
        atomic_store(&a->kill_req, true);
        atomic_store(&a->sched, AS_DEAD);
        actor_end(a, true, &killed);
    }
    sys_free(sys);
}

registry *actor_system_registry(actor_system *sys) { return sys->reg; }

void actor_system_stats_get(actor_system *sys, actor_system_stats *out) {
    out->live = atomic_load_explicit(&sys->live, memory_order_relaxed);
    out->spawned = atomic_load_explicit(&sys->spawned, memory_order_relaxed);
    out->delivered = atomic_load_explicit(&sys->delivered, memory_order_relaxed);
    out->dead_letters = atomic_load_explicit(&sys->dead_letters, memory_order_relaxed);
    out->refused_full = atomic_load_explicit(&sys->refused_full, memory_order_relaxed);
    out->refused_type = atomic_load_explicit(&sys->refused_type, memory_order_relaxed);
    pthread_mutex_lock(&sys->rq_mu);
    out->threads = sys->started;
    out->threads_idle = sys->sleepers;
    out->run_queue = sys->rq_len;
    pthread_mutex_unlock(&sys->rq_mu);
}

/* ------------------------------------------------------------------ lifecycle */

/* Makes a fully set-up actor visible: registry + live list. */
static int register_actor(actor_system *sys, actor *a) {
    int rc = 0;
    pthread_mutex_lock(&sys->live_mu);
    if (atomic_load(&sys->stopping)) rc = -ESHUTDOWN;
    if (!rc) rc = registry_add(sys->reg, a->id, a);
    if (!rc) {
        a->live_prev = sys->live_tail;
        if (sys->live_tail)
            sys->live_tail->live_next = a;
        else
            sys->live_head = a;
        sys->live_tail = a;
    }
    pthread_mutex_unlock(&sys->live_mu);
    return rc == -EEXIST ? -ENOMEM : rc;
}

int actor_spawn_opt(actor_system *sys, const actor_behaviour *behaviour, void *state,
                    const actor_spawn_opts *opts, actor_id *out) {
    if (!sys || !behaviour || !behaviour->receive) return -EINVAL;
    if (opts && (opts->msg_first || opts->msg_last) &&
        (opts->msg_first < ACTOR_MSG_USER || opts->msg_first > opts->msg_last))
        return -EINVAL;
    if (atomic_load(&sys->stopping)) return -ESHUTDOWN;
    actor *a = calloc(1, sizeof *a);
    if (!a) return -ENOMEM;
    if (actor_mailbox_init(&a->mb)) {
        free(a);
        return -ENOMEM;
    }
    atomic_init(&a->refs, 1);
    atomic_init(&a->sched, AS_IDLE);
    atomic_init(&a->kill_req, false);
    atomic_init(&a->dead, false);
    atomic_init(&a->unpark, false);
    actor_links_init(a);
    a->sys = sys;
    a->beh = behaviour;
    a->msg_first = opts ? opts->msg_first : 0;
    a->msg_last = opts ? opts->msg_last : 0;
    a->state = state;
    a->trap = opts && opts->trap_exits;
    a->mb_cap = opts ? opts->mailbox_capacity : 0;
    atomic_init(&a->mb_len, 0);
    a->mb_max_bytes = opts ? opts->mailbox_max_bytes : 0;
    a->max_links = opts ? opts->max_links : 0;
    a->max_monitors = opts ? opts->max_monitors : 0;
    a->max_timers = opts ? opts->max_timers : 0;
    atomic_init(&a->timers, 0);
    atomic_init(&a->stale_downs, 0);
    a->max_msg_bytes = opts ? opts->max_message_bytes : 0;
    atomic_init(&a->mb_bytes, 0);
    a->id = atomic_fetch_add(&sys->next_id, 1) + 1;

    actor_id id = a->id;
    /* counted first: once registered, the actor may run and end before we get to the next line */
    atomic_fetch_add_explicit(&sys->spawned, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&sys->live, 1, memory_order_relaxed);
    int rc = actor_links_spawn_register(sys, a, opts, register_actor);
    if (rc) {
        atomic_fetch_sub_explicit(&sys->spawned, 1, memory_order_relaxed);
        atomic_fetch_sub_explicit(&sys->live, 1, memory_order_relaxed);
        actor_links_free(a);
        actor_mailbox_destroy(&a->mb);
        free(a);
        return rc;
    }
    if (out) *out = id;
    return 0;
}

int actor_spawn(actor_system *sys, const actor_behaviour *behaviour, void *state, actor_id *out) {
    return actor_spawn_opt(sys, behaviour, state, NULL, out);
}

/* Reserves a mailbox slot and `cost` bytes for one counted message. Returns 0, -EAGAIN (no slot or not
 * enough bytes left: nothing stays reserved), -EMSGSIZE (the message alone exceeds the byte bound). Never
 * moves mb_len past mb_cap nor mb_bytes past mb_max_bytes. */
static int mb_reserve(actor *a, size_t cost) {
    if (a->mb_max_bytes && cost > a->mb_max_bytes) return -EMSGSIZE;
    if (!a->mb_cap) {
        atomic_fetch_add_explicit(&a->mb_len, 1, memory_order_relaxed);
    } else {
        size_t n = atomic_load_explicit(&a->mb_len, memory_order_relaxed);
        do {
            if (n >= a->mb_cap) return -EAGAIN;
        } while (!atomic_compare_exchange_weak_explicit(&a->mb_len, &n, n + 1, memory_order_relaxed,
                                                        memory_order_relaxed));
    }
    if (!a->mb_max_bytes) {
        atomic_fetch_add_explicit(&a->mb_bytes, cost, memory_order_relaxed);
        return 0;
    }
    size_t b = atomic_load_explicit(&a->mb_bytes, memory_order_relaxed);
    do {
        if (b > a->mb_max_bytes - cost) { /* cost <= mb_max_bytes: no underflow */
            atomic_fetch_sub_explicit(&a->mb_len, 1, memory_order_relaxed);
            return -EAGAIN;
        }
    } while (!atomic_compare_exchange_weak_explicit(&a->mb_bytes, &b, b + cost, memory_order_relaxed,
                                                    memory_order_relaxed));
    return 0;
}

/* A send refused because the target's mailbox is full (-EAGAIN) or the message can never fit in it
 * (-EMSGSIZE): not a dead letter (the address is good). A request learns why: its reply future is completed
 * with `rc` before actor_msg_free() would say -ENOENT. */
static void refuse_full(actor_system *sys, actor_msg *m, int rc) {
    atomic_fetch_add_explicit(&sys->refused_full, 1, memory_order_relaxed);
    if (m->reply) actor_future_complete(m->reply, rc, NULL, 0);
    actor_msg_free(m);
}

/* A REPLY bigger than the receiver's whole byte bound: the requester still hears back, without the bytes
 * (status -EMSGSIZE). Takes `m`; NULL on ENOMEM (m is freed then). */
static actor_msg *reply_trim(actor_msg *m) {
    actor_reply h = {.status = -EMSGSIZE, .len = 0};
    actor_msg *t = actor_msg_new(ACTOR_MSG_REPLY, m->from, &h, sizeof h);
    if (t) {
        t->corr = m->corr;
        t->reply = m->reply; /* a future riding on a REPLY (unusual) goes along */
        m->reply = NULL;
    }
    actor_msg_free(m);
    return t;
}

/* Whether `a` takes a message of `type` (actor_spawn_opts.msg_first / msg_last; fixed at spawn). */
static bool takes_type(const actor *a, uint32_t type) {
    if (type < ACTOR_MSG_USER || (!a->msg_first && !a->msg_last)) return true;
    return type >= a->msg_first && type <= a->msg_last;
}

static int send(actor_system *sys, actor_id to, actor_msg *msg, bool run) {
    if (!msg) return -EINVAL;
    if (atomic_load_explicit(&sys->stopping, memory_order_relaxed)) {
        actor_dead_letter(sys, msg);
        return -ESHUTDOWN;
    }
    actor *a = lookup_live(sys, to);
    if (!a) {
        actor_dead_letter(sys, msg);
        return -ENOENT;
    }
    if (!takes_type(a, msg->type)) {
        actor_release(a);
        atomic_fetch_add_explicit(&sys->refused_type, 1, memory_order_relaxed);
        if (msg->reply) actor_future_complete(msg->reply, -EPROTOTYPE, NULL, 0);
        actor_msg_free(msg);
        return -EPROTOTYPE;
    }
    if (actor_msg_counted(msg->type)) {
        int rc = mb_reserve(a, actor_msg_cost(msg));
        if (rc) {
            actor_release(a);
            refuse_full(sys, msg, rc);
            return rc;
        }
    } else {
        bool too_big = (a->mb_max_bytes && actor_msg_cost(msg) > a->mb_max_bytes) ||
                       (a->max_msg_bytes && msg->len > sizeof(actor_reply) + a->max_msg_bytes);
        if (msg->type == ACTOR_MSG_REPLY && too_big && !(msg = reply_trim(msg))) {
            actor_release(a);
            atomic_fetch_add_explicit(&sys->dead_letters, 1, memory_order_relaxed);
            return -ENOMEM;
        }
        actor_mb_charge(a, msg);
    }
    actor_busy_add(sys, 1);
    actor_mailbox_push(&a->mb, msg);
    if (!run || !actor_sched_run_here(a)) actor_schedule(a);
    actor_release(a);
    return 0;
}

int actor_send(actor_system *sys, actor_id to, actor_msg *msg) { return send(sys, to, msg, false); }

int actor_send_run(actor_system *sys, actor_id to, actor_msg *msg) { return send(sys, to, msg, true); }

int actor_stop(actor_system *sys, actor_id to) {
    actor_msg *m = actor_msg_new(ACTOR_MSG_STOP, actor_tls_current ? actor_tls_current->id : 0, NULL, 0);
    if (!m) return -ENOMEM;
    return actor_send(sys, to, m);
}

int actor_kill(actor_system *sys, actor_id to) {
    actor *a = lookup_live(sys, to);
    if (!a) return -ENOENT;
    static const actor_exit killed = {.kind = ACTOR_EXIT_KILLED, .code = 0, .text = "killed"};
    actor_exit_request(a, &killed);
    actor_release(a);
    return 0;
}

size_t actor_max_message_bytes(actor_system *sys, actor_id id) {
    actor *a = sys ? lookup_live(sys, id) : NULL;
    if (!a) return 0;
    size_t max = a->max_msg_bytes;
    actor_release(a);
    return max;
}

size_t actor_mailbox_length(actor_system *sys, actor_id id) {
    if (!sys) return 0;
    actor *a = lookup_live(sys, id);
    if (!a) return 0;
    size_t n = atomic_load_explicit(&a->mb_len, memory_order_relaxed);
    actor_release(a);
    return n;
}

size_t actor_mailbox_bytes(actor_system *sys, actor_id id) {
    if (!sys) return 0;
    actor *a = lookup_live(sys, id);
    if (!a) return 0;
    size_t n = atomic_load_explicit(&a->mb_bytes, memory_order_relaxed);
    actor_release(a);
    return n;
}

bool actor_alive(actor_system *sys, actor_id id) {
    actor *a = lookup_live(sys, id);
    actor_release(a);
    return a != NULL;
}

static bool exited_p(void *arg) { return ((actor *)arg)->exited; }

int actor_wait_exit(actor_system *sys, actor_id id, int timeout_ms) {
    if (actor_tls_sched) return -EDEADLK;
    actor *a = registry_get(sys->reg, id);
    if (!a) return 0;
    pthread_mutex_lock(&sys->exit_mu);
    int rc = wait_until(&sys->exit_cv, &sys->exit_mu, exited_p, a, timeout_ms);
    pthread_mutex_unlock(&sys->exit_mu);
    actor_release(a);
    return rc;
}

static bool idle_p(void *arg) { return atomic_load(&((actor_system *)arg)->busy) == 0; }

int actor_system_wait_idle(actor_system *sys, int timeout_ms) {
    if (actor_tls_sched) return -EDEADLK;
    pthread_mutex_lock(&sys->idle_mu);
    int rc = wait_until(&sys->idle_cv, &sys->idle_mu, idle_p, sys, timeout_ms);
    pthread_mutex_unlock(&sys->idle_mu);
    return rc;
}

int actor_park(actor *self) {
    if (!self || actor_tls_current != self) return -EINVAL;
    self->park_req = true;
    return 0;
}

int actor_unpark(actor_system *sys, actor_id id) {
    actor *a = lookup_live(sys, id);
    if (!a) return -ENOENT;
    atomic_store(&a->unpark, true);
    actor_wake(a);
    actor_release(a);
    return 0;
}

/* ------------------------------------------------------------------ inside a handler */

actor_id actor_self(const actor *self) { return self->id; }
void *actor_state(const actor *self) { return self->state; }
actor_system *actor_sys(const actor *self) { return self->sys; }
bool actor_kill_requested(const actor *self) {
    return atomic_load_explicit(&((actor *)self)->kill_req, memory_order_relaxed);
}
