/*
 * host_actor.c — host actors (include/wactor_host.h): the embedding program's native actors, run by the
 * actor layer beside the components, with the components' registry, capabilities, limits, counters and
 * supervision.
 *
 * A host actor is an actor-layer actor whose behaviour (this file) decodes each message into a
 * wactor_host_msg and runs one *step* of the embedder's behaviour for it: the start (pre_start, post_start),
 * a receive, or a stop (pre_stop). A non-blocking actor runs the step inside its turn. A blocking one hands
 * the step to the blocking pool (dirty_pool.c) and parks; the pool thread runs it, marks it done and
 * unparks the actor, whose resume() then finishes the step on a scheduler thread (frees the message,
 * completes the start, ends the actor if it asked to). Either way one step runs at a time, and everything
 * the step touches (the pending requests, counters of what it holds) is the step's alone.
 *
 * Ownership: the actor's terminate frees the state — unless a blocking step is still running on the pool
 * (the actor was killed in the middle of it: the actor layer does not wait), in which case the end of that
 * step does: cancels its request timers, drops its subscriptions, completes an unanswered start, calls
 * post_stop and frees. One atomic word (job_state: the step's progress and an "actor gone" bit) decides
 * which of the two runs it, exactly once. In every other case post_stop has run when the actor's exit is
 * observable (wactor_stop returns, its supervisor and monitors learn of it).
 *
 * Errors inside are negative errno values; the wactor_host_* functions return wactor_error through
 * runtime_error(), the one conversion of the embedding API.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "component/idmap.h"
#include "registry/registry.h"
#include "runtime/internal.h"
#include "supervisor/supervisor.h"

_Static_assert((int)WACTOR_EXIT_NORMAL == (int)ACTOR_EXIT_NORMAL && (int)WACTOR_EXIT_SHUTDOWN == (int)ACTOR_EXIT_SHUTDOWN &&
                   (int)WACTOR_EXIT_KILLED == (int)ACTOR_EXIT_KILLED && (int)WACTOR_EXIT_ERROR == (int)ACTOR_EXIT_ERROR &&
                   (int)WACTOR_EXIT_NOPROC == (int)ACTOR_EXIT_NOPROC,
               "wactor_exit_kind and actor_exit_kind must stay parallel");
_Static_assert(sizeof(((wactor_exit_reason *)0)->text) == sizeof(((actor_exit *)0)->text), "exit reason texts");

typedef enum step_kind { STEP_NONE, STEP_START, STEP_RECEIVE, STEP_STOP } step_kind;
/* job_state: where a blocking step is, and whether the actor has ended (terminate ran) meanwhile */
enum { JOB_IDLE = 0, JOB_RUNNING = 1, JOB_DONE = 2, JOB_MASK = 3, JOB_ACTOR_GONE = 4 };

typedef struct host_kind {
    char *name;
    wactor_host_behaviour b;       /* b.name: `bname` */
    char *bname;
    void *arg;
} host_kind;

struct wactor_host_ctx {
    wactor_runtime *rt;
    actor_system *sys;
    actor_id id;
    wactor_host_behaviour b;       /* b.name points to `label` */
    char *label;                   /* behaviour name, else its registered name, else "host actor" */
    void *state;
    component_info *info;
    component_caps *caps;          /* retained; NULL = no grants */
    size_t max_message_bytes;
    uint32_t max_requests, max_subscriptions, max_monitors, max_links;
    uint32_t subscriptions, monitors, links; /* what it holds now */
    bool subscribed;
    component_idmap pending;       /* its requests awaiting an answer: corr -> timeout timer */
    uint64_t next_corr;

    /* the current step */
    step_kind step;
    actor_msg *msg;                /* its message (owned until the step is finished) */
    wactor_host_msg hmsg;          /* the message as the behaviour sees it */
    actor_future *start_future;    /* the start's answer until it is given */
    wactor_diag start_diag;
    int start_status;
    bool exiting;                  /* it will end after this step, with `exit` */
    actor_exit exit;
    bool pre_stop_done;
    bool no_hooks;                 /* ended before its start was queued (its name was taken): no post_stop */

    /* the blocking pool */
    dirty_job job;
    _Atomic int job_state;         /* JOB_* | JOB_ACTOR_GONE */

    actor_exit final;              /* why it ended (terminate) */
};

/* The ctx whose callback runs on this thread now (nested when a callback runs another actor's turn inline). */
static _Thread_local wactor_host_ctx *tls_current;

static bool current(const wactor_host_ctx *ctx) { return ctx && ctx == tls_current; }

static void count(wactor_host_ctx *h, uint64_t delivered, uint64_t refused, uint64_t dead) {
    component_info_add(h->info, delivered, refused, dead);
}

/* Counters as a component's (docs/ARCHITECTURE.md, "Accounting"): `refused` (capability, size, limit)
 * also goes to the runtime's total; a full mailbox and a dead target are counted there by the actor layer. */
static int refused(wactor_host_ctx *h, int rc) {
    count(h, 0, 1, 0);
    atomic_fetch_add(&h->rt->refused, 1);
    return rc;
}

static void exit_from(wactor_exit_reason *out, const actor_exit *in) {
    out->kind = (wactor_exit_kind)in->kind;
    out->code = in->code;
    memcpy(out->text, in->text, sizeof out->text);
    out->text[sizeof out->text - 1] = '\0';
}

/* ------------------------------------------------------------------ freeing */

static void cancel_timer(void *user, uint64_t key, uint64_t timer) {
    (void)key;
    if (timer) actor_timer_cancel(user, timer);
}

static void answer_start(wactor_host_ctx *h, int status, const char *why) {
    if (!h->start_future) return;
    wactor_diag *d = status ? calloc(1, sizeof *d) : NULL;
    if (d) {
        *d = h->start_diag;
        d->trap = WACTOR_TRAP_START;
        if (!d->message[0]) snprintf(d->message, sizeof d->message, "%s: %s", h->label, why);
    }
    actor_future_complete(h->start_future, status, d, d ? sizeof *d : 0);
    actor_future_release(h->start_future);
    h->start_future = NULL;
}

/* The actor has ended and no step is running: cancel, drop, answer, post_stop, free. Called once, by
 * terminate, or by the end of a blocking step that outlived its actor (job_run). */
static void host_free(wactor_host_ctx *h) {
    component_idmap_clear(&h->pending, cancel_timer, h->sys);
    if (h->subscribed) broker_unsubscribe_all(h->rt->broker, h->id);
    answer_start(h, -ECHILD, "ended before it was ready");
    actor_msg_free(h->msg);
    if (!h->no_hooks && h->b.post_stop) {
        wactor_exit_reason r;
        exit_from(&r, &h->final);
        h->b.post_stop(h->state, &r);
    }
    component_caps_release(h->caps);
    component_info_release(h->info);
    free(h->label);
    free(h);
}

/* Its tombstone in component_info: terminated, or failed with the exit text (trap kind none). */
static void record_end(wactor_host_ctx *h) {
    const actor_exit *why = &h->final;
    bool failed = why->kind == ACTOR_EXIT_ERROR || why->kind == ACTOR_EXIT_KILLED;
    wactor_diag d = {.trap = WACTOR_TRAP_NONE};
    snprintf(d.message, sizeof d.message, "%s", why->text[0] ? why->text : failed ? "killed" : "normal");
    component_info_set_state(h->info, failed ? WACTOR_FAILED : WACTOR_TERMINATED, failed ? &d : NULL);
}

/* ------------------------------------------------------------------ steps */

static void set_exit(wactor_host_ctx *h, actor_exit_kind kind, int code, const char *text) {
    if (h->exiting) return; /* the first reason wins */
    h->exiting = true;
    h->exit = (actor_exit){.kind = kind, .code = code};
    size_t n = text ? strnlen(text, sizeof h->exit.text - 1) : 0; /* a caller's text may lack its NUL */
    if (n) memcpy(h->exit.text, text, n);
    h->exit.text[n] = '\0';
}

/* Runs the step's callbacks, on whichever thread runs it (a scheduler thread, or a pool thread). */
static void run_step(wactor_host_ctx *h) {
    wactor_host_ctx *outer = tls_current;
    tls_current = h;
    char text[sizeof h->exit.text];
    switch (h->step) {
    case STEP_START: {
        wactor_error err = h->b.pre_start ? h->b.pre_start(h) : WACTOR_OK;
        if (err) {
            snprintf(text, sizeof text, "pre_start: %s", wactor_strerror(err));
            snprintf(h->start_diag.message, sizeof h->start_diag.message, "%s: %s", h->label, text);
            h->start_status = -ENOTRECOVERABLE;
            set_exit(h, ACTOR_EXIT_ERROR, (int)err, text);
        } else {
            component_info_set_state(h->info, WACTOR_READY, NULL);
            if (h->b.post_start) h->b.post_start(h);
        }
        break;
    }
    case STEP_RECEIVE: {
        wactor_error err = h->b.receive(h, &h->hmsg);
        count(h, 1, 0, 0);
        atomic_fetch_add(&h->rt->delivered, 1);
        if (err) {
            snprintf(text, sizeof text, "%s: %s", h->label, wactor_strerror(err));
            set_exit(h, ACTOR_EXIT_ERROR, (int)err, text);
        }
        if (h->msg && h->msg->reply) { /* a request it did not answer: answered now, never left waiting */
            actor_future_complete(h->msg->reply, -ENOSYS, NULL, 0);
            actor_future_release(h->msg->reply);
            h->msg->reply = NULL;
        }
        break;
    }
    case STEP_STOP:
        break; /* the reason is set: only pre_stop below */
    default:
        break;
    }
    if (h->exiting && !h->pre_stop_done) {
        h->pre_stop_done = true;
        component_info_set_state(h->info, WACTOR_STOPPING, NULL);
        if (h->b.pre_stop) {
            wactor_host_msg none = {0};
            h->hmsg = none; /* no request is open during pre_stop */
            wactor_exit_reason r;
            exit_from(&r, &h->exit);
            h->b.pre_stop(h, &r);
        }
    }
    tls_current = outer;
}

/* Finishes the step on the actor's own turn. */
static actor_result finish_step(wactor_host_ctx *h, actor *self) {
    if (h->step == STEP_START) answer_start(h, h->start_status, "pre_start failed");
    h->step = STEP_NONE;
    actor_msg_free(h->msg);
    h->msg = NULL;
    memset(&h->hmsg, 0, sizeof h->hmsg);
    if (!h->exiting) return ACTOR_CONTINUE;
    actor_set_exit(self, &h->exit);
    return ACTOR_STOP;
}

static void job_run(dirty_job *j) {
    wactor_host_ctx *h = (wactor_host_ctx *)((char *)j - offsetof(wactor_host_ctx, job));
    run_step(h);
    actor_system *sys = h->sys; /* once DONE is published the actor may finish, end and free h */
    actor_id id = h->id;
    int old = atomic_load_explicit(&h->job_state, memory_order_relaxed);
    while (!atomic_compare_exchange_weak_explicit(&h->job_state, &old, (old & JOB_ACTOR_GONE) | JOB_DONE,
                                                  memory_order_acq_rel, memory_order_acquire)) {}
    if (old & JOB_ACTOR_GONE) { /* killed while the step ran: nobody else will free it */
        record_end(h);          /* again: the step may have moved the state on after the kill */
        host_free(h);
    } else {
        actor_unpark(sys, id);  /* its resume() finishes the step */
    }
}

/* Runs the step now (non-blocking actors) or on the pool (blocking ones). */
static actor_result start_step(wactor_host_ctx *h, actor *self) {
    if (h->b.blocking && h->rt->pool) {
        atomic_store_explicit(&h->job_state, JOB_RUNNING, memory_order_relaxed);
        if (dirty_pool_submit(h->rt->pool, &h->job) == 0) {
            actor_park(self);
            return ACTOR_YIELD;
        }
        /* the pool has shut down (the runtime is being destroyed): run it here rather than lose it */
        atomic_store_explicit(&h->job_state, JOB_IDLE, memory_order_relaxed);
    }
    run_step(h);
    return finish_step(h, self);
}

/* ------------------------------------------------------------------ the actor behaviour */

static void reply_error(actor_msg *m, int rc) {
    if (!m->reply) return;
    wactor_diag *d = calloc(1, sizeof *d);
    if (d) snprintf(d->message, sizeof d->message, "%s", "a host actor has no exports");
    actor_future_complete(m->reply, rc, d, d ? sizeof *d : 0);
    actor_future_release(m->reply);
    m->reply = NULL;
}

/* Decodes `m` into h->hmsg; returns the step it needs, or STEP_NONE when it was handled here (and freed). */
static step_kind decode(wactor_host_ctx *h, actor_msg *m) {
    wactor_host_msg *hm = &h->hmsg;
    memset(hm, 0, sizeof *hm);
    hm->from = m->from;
    switch (m->type) {
    case COMPONENT_MSG_START:
        h->start_future = m->reply; /* answered after post_start */
        m->reply = NULL;
        return STEP_START;
    case COMPONENT_MSG_MESSAGE:
    case COMPONENT_MSG_PUBLICATION: {
        const uint8_t *payload;
        hm->topic = component_msg_split(m, &payload, &hm->len);
        hm->payload = hm->len ? payload : NULL;
        hm->kind = hm->topic ? WACTOR_HOST_PUBLICATION : m->reply ? WACTOR_HOST_REQUEST : WACTOR_HOST_MESSAGE;
        return STEP_RECEIVE;
    }
    case ACTOR_MSG_REPLY: {
        actor_reply r = {0};
        if (m->len >= sizeof r) memcpy(&r, m->data, sizeof r);
        uint64_t timer = 0;
        if (m->len < sizeof r || !component_idmap_take(&h->pending, m->corr, &timer)) {
            if (r.status == 0) { /* an answer after its timeout: nobody takes it */
                count(h, 0, 0, 1);
                atomic_fetch_add(&h->rt->dead_letters, 1);
            }
            break;
        }
        if (timer) actor_timer_cancel(h->sys, timer);
        hm->kind = WACTOR_HOST_REPLY;
        hm->corr = m->corr;
        hm->status = r.status ? runtime_error(r.status) : WACTOR_OK;
        hm->len = r.len <= m->len - sizeof r ? r.len : 0;
        hm->payload = hm->len ? m->data + sizeof r : NULL;
        return STEP_RECEIVE;
    }
    case ACTOR_MSG_DOWN: {
        actor_down d;
        if (m->len < sizeof d) break;
        memcpy(&d, m->data, sizeof d);
        if (h->monitors) h->monitors--;
        hm->kind = WACTOR_HOST_DOWN;
        hm->from = d.who;
        hm->corr = d.ref;
        exit_from(&hm->reason, &d.reason);
        return STEP_RECEIVE;
    }
    case ACTOR_MSG_EXIT: {
        actor_exit_signal s;
        if (m->len < sizeof s) break;
        memcpy(&s, m->data, sizeof s);
        hm->kind = WACTOR_HOST_EXIT;
        hm->from = s.from;
        exit_from(&hm->reason, &s.reason);
        return STEP_RECEIVE;
    }
    case ACTOR_MSG_STOP:
        /* the embedding program (wactor_stop, destroy) stops it normally, its supervisor with `shutdown` */
        set_exit(h, m->from ? ACTOR_EXIT_SHUTDOWN : ACTOR_EXIT_NORMAL, 0, m->from ? "shutdown" : "normal");
        return STEP_STOP;
    case COMPONENT_MSG_HEALTH: { /* a running host actor is healthy (a supervisor's health probe) */
        component_health *ok = calloc(1, sizeof *ok);
        if (m->reply) actor_future_complete(m->reply, ok ? 0 : -ENOMEM, ok, ok ? sizeof *ok : 0);
        else free(ok);
        if (m->reply) actor_future_release(m->reply);
        m->reply = NULL;
        break;
    }
    case COMPONENT_MSG_INVOKE:
        reply_error(m, -ENOENT);
        break;
    default: /* nothing it can take */
        count(h, 0, 0, 1);
        atomic_fetch_add(&h->rt->dead_letters, 1);
        break;
    }
    actor_msg_free(m);
    return STEP_NONE;
}

static actor_result host_receive(actor *self, actor_msg *m) {
    wactor_host_ctx *h = actor_state(self);
    step_kind step = decode(h, m);
    if (step == STEP_NONE) return ACTOR_CONTINUE;
    h->step = step;
    h->msg = m;
    return start_step(h, self);
}

static actor_result host_resume(actor *self) {
    wactor_host_ctx *h = actor_state(self);
    if ((atomic_load_explicit(&h->job_state, memory_order_acquire) & JOB_MASK) != JOB_DONE) {
        actor_park(self); /* a spurious wake-up: the step still runs */
        return ACTOR_YIELD;
    }
    atomic_store_explicit(&h->job_state, JOB_IDLE, memory_order_relaxed); /* not GONE: it is running */
    return finish_step(h, self);
}

static void host_terminate(actor *self, bool killed) {
    wactor_host_ctx *h = actor_state(self);
    actor_exit why = {.kind = killed ? ACTOR_EXIT_KILLED : ACTOR_EXIT_NORMAL};
    actor_exit_reason(h->sys, h->id, &why); /* recorded before terminate */
    h->final = why;
    record_end(h);
    /* a step still running on the pool (it was killed meanwhile) keeps the state until that step ends */
    int old = atomic_fetch_or_explicit(&h->job_state, JOB_ACTOR_GONE, memory_order_acq_rel);
    if ((old & JOB_MASK) != JOB_RUNNING) host_free(h);
}

static const actor_behaviour host_actor_behaviour = {
    .name = "host actor", .receive = host_receive, .resume = host_resume, .terminate = host_terminate,
};

/* ------------------------------------------------------------------ spawning */

static uint32_t or_default(uint32_t v, uint32_t def) { return v ? v : def; }

/* The blocking pool, started with the first blocking host actor. */
static int ensure_pool(wactor_runtime *rt) {
    int rc = 0;
    pthread_mutex_lock(&rt->lock);
    if (rt->destroying) rc = -ESHUTDOWN;
    else if (!rt->pool)
        rc = dirty_pool_new(rt->blocking_threads ? rt->blocking_threads : WACTOR_DEFAULT_BLOCKING_THREADS, &rt->pool);
    pthread_mutex_unlock(&rt->lock);
    return rc;
}

int runtime_host_start(wactor_runtime *rt, const wactor_host_behaviour *b, void *state, const wactor_spawn_opts *opts,
                       component_caps *grants, actor_id link, actor_future *started, actor_id *out) {
    static const wactor_spawn_opts none;
    const wactor_spawn_opts *o = opts ? opts : &none;
    if (!b || !b->receive) return -EINVAL;
    pthread_mutex_lock(&rt->lock);
    bool destroying = rt->destroying;
    pthread_mutex_unlock(&rt->lock);
    if (destroying) return -ESHUTDOWN;
    int rc = b->blocking ? ensure_pool(rt) : 0;
    if (rc) return rc;
    wactor_host_ctx *h = calloc(1, sizeof *h);
    spawned *entry = runtime_spawned_new(o->name);
    const char *label = b->name && *b->name ? b->name : o->name ? o->name : "host actor";
    if (!h || !entry || !(h->label = strdup(label)) || !(h->info = component_info_new())) {
        if (h) free(h->label);
        free(h);
        runtime_spawned_discard(entry);
        return -ENOMEM;
    }
    atomic_init(&h->job_state, JOB_IDLE);
    h->rt = rt;
    h->sys = rt->sys;
    h->b = *b;
    h->b.name = h->label;
    h->state = state;
    h->job.run = job_run;
    h->caps = grants;
    component_caps_retain(grants);
    h->max_message_bytes = or_default(o->max_message_bytes, WACTOR_DEFAULT_MAX_MESSAGE_BYTES);
    h->max_requests = or_default(o->max_requests, WACTOR_DEFAULT_MAX_REQUESTS);
    h->max_subscriptions = or_default(o->max_subscriptions, WACTOR_DEFAULT_MAX_SUBSCRIPTIONS);
    h->max_monitors = or_default(o->max_monitors, WACTOR_DEFAULT_MAX_MONITORS);
    h->max_links = or_default(o->max_links, WACTOR_DEFAULT_MAX_LINKS);
    actor_spawn_opts ao = {
        .link = link, .trap_exits = b->trap_exits,
        .mailbox_capacity = or_default(o->mailbox, WACTOR_DEFAULT_MAILBOX),
        .mailbox_max_bytes = o->mailbox_bytes ? o->mailbox_bytes : WACTOR_DEFAULT_MAILBOX_BYTES,
        .max_message_bytes = h->max_message_bytes, .max_monitors = h->max_monitors, .max_links = h->max_links,
        .max_timers = h->max_requests, /* one timeout per outstanding request */
        .msg_first = COMPONENT_MSG_FIRST, .msg_last = COMPONENT_MSG_LAST, /* a component's messages only */
    };
    actor_id id = 0;
    rc = actor_spawn_opt(rt->sys, &host_actor_behaviour, h, &ao, &id);
    if (rc) { /* never ran: terminate is not called */
        component_caps_release(h->caps);
        component_info_release(h->info);
        free(h->label);
        free(h);
        runtime_spawned_discard(entry);
        return rc;
    }
    h->id = id;
    /* the name before it can run, so it is never seen without (as a component's) */
    if (o->name && (rc = registry_register_name(actor_system_registry(rt->sys), o->name, id)) != 0) {
        h->no_hooks = true; /* nothing of the embedder's ran: the caller keeps its state */
        actor_kill(rt->sys, id);
        runtime_spawned_discard(entry);
        return rc;
    }
    component_info_retain(h->info);
    runtime_remember(rt, entry, id, h->info);
    actor_msg *m = actor_msg_new(COMPONENT_MSG_START, 0, NULL, 0);
    if (m && started) {
        actor_future_retain(started);
        m->reply = started;
    }
    /* from here on the actor owns the state: a failed send (ENOMEM) ends it with post_stop */
    rc = m ? actor_send(rt->sys, id, m) : -ENOMEM;
    if (rc) {
        actor_kill(rt->sys, id);
        if (started && !m) actor_future_complete(started, -ENOMEM, NULL, 0);
    }
    *out = id;
    return 0;
}

wactor_error wactor_host_spawn(wactor_runtime *rt, const wactor_host_behaviour *behaviour, void *state,
                               const wactor_spawn_opts *opts, wactor_pid *out, wactor_diag *diag) {
    if (diag) memset(diag, 0, sizeof *diag);
    if (!rt || !behaviour || !behaviour->receive || !out) return WACTOR_EINVAL;
    const char *name = opts ? opts->name : NULL;
    if (name && !*name) return WACTOR_EINVAL;
    /* it waits for pre_start: not on a scheduler thread (a non-blocking host actor's callback runs there) */
    if (tls_current && !tls_current->b.blocking) return WACTOR_ESTATE;
    bool ok = true;
    component_caps *caps = runtime_grants(opts ? opts->caps : NULL, &ok);
    actor_future *started = ok ? actor_future_new() : NULL;
    if (!started) {
        component_caps_release(caps);
        return WACTOR_ENOMEM;
    }
    actor_id pid = 0;
    int rc = runtime_host_start(rt, behaviour, state, opts, caps, 0, started, &pid);
    component_caps_release(caps); /* the actor holds its own reference */
    if (rc) {
        actor_future_release(started);
        if (rc == -EEXIST) runtime_diag(diag, "name '%s' is already registered", name);
        return rc == -ESHUTDOWN ? WACTOR_ESTATE : runtime_error(rc);
    }
    wactor_error err = runtime_await(started, 0, NULL, NULL, diag);
    actor_future_release(started);
    if (err) {
        actor_wait_exit(rt->sys, pid, 0); /* post_stop has run, the name is free */
        return WACTOR_ETRAP;
    }
    *out = pid;
    return WACTOR_OK;
}

/* ------------------------------------------------------------------ kinds */

wactor_error wactor_host_register_kind(wactor_runtime *rt, const char *name, const wactor_host_behaviour *behaviour,
                                       void *arg) {
    if (!rt || !name || !*name || strlen(name) >= 64 || !behaviour || !behaviour->receive) return WACTOR_EINVAL;
    host_kind k = {.name = strdup(name), .b = *behaviour, .arg = arg};
    k.bname = behaviour->name ? strdup(behaviour->name) : NULL;
    k.b.name = k.bname;
    if (!k.name || (behaviour->name && !k.bname)) {
        free(k.name);
        free(k.bname);
        return WACTOR_ENOMEM;
    }
    wactor_error err = WACTOR_OK;
    pthread_mutex_lock(&rt->lock);
    for (size_t i = 0; i < rt->nhost_kinds; i++)
        if (strcmp(rt->host_kinds[i].name, name) == 0) err = WACTOR_EEXIST;
    host_kind *list = err ? NULL : realloc(rt->host_kinds, (rt->nhost_kinds + 1) * sizeof *list);
    if (list) {
        rt->host_kinds = list;
        list[rt->nhost_kinds++] = k;
    } else if (!err) {
        err = WACTOR_ENOMEM;
    }
    pthread_mutex_unlock(&rt->lock);
    if (err) {
        free(k.name);
        free(k.bname);
    }
    return err;
}

/* ------------------------------------------------------------------ supervised host actors */

typedef struct host_child {
    wactor_runtime *rt;
    wactor_host_behaviour b;       /* b.name: `bname` */
    char *bname;
    void *arg;
    wactor_spawn_opts opts;        /* opts.name: `name`; opts.caps: NULL (the grants are `caps`) */
    char *name;
    component_caps *caps;
} host_child;

static void host_child_free(void *arg) {
    host_child *hc = arg;
    if (!hc) return;
    component_caps_release(hc->caps);
    free(hc->bname);
    free(hc->name);
    free(hc);
}

static int host_child_start(void *arg, const sup_start_ctx *ctx, actor_id *out) {
    host_child *hc = arg;
    return runtime_host_start(hc->rt, &hc->b, hc->arg, &hc->opts, hc->caps, ctx->sup, ctx->started, out);
}

wactor_error runtime_host_child(wactor_runtime *rt, const wactor_child_spec *in, sup_child_spec *out,
                                wactor_diag *diag) {
    host_child *hc = calloc(1, sizeof *hc);
    if (!hc) return WACTOR_ENOMEM;
    hc->rt = rt;
    out->start = host_child_start;
    out->start_failure = runtime_child_failure;
    out->health = out->health_interval_ms ? runtime_child_health : NULL;
    out->arg = hc;
    out->arg_free = host_child_free;
    if (in->host) {
        hc->b = *in->host;
        hc->arg = in->host_arg;
    } else {
        pthread_mutex_lock(&rt->lock);
        bool found = false;
        for (size_t i = 0; i < rt->nhost_kinds && !found; i++)
            if (strcmp(rt->host_kinds[i].name, in->host_kind) == 0) {
                hc->b = rt->host_kinds[i].b;
                hc->arg = rt->host_kinds[i].arg;
                found = true;
            }
        pthread_mutex_unlock(&rt->lock);
        if (!found) {
            runtime_diag(diag, "no host actor kind '%s' is registered (wactor_host_register_kind)", in->host_kind);
            return WACTOR_EINVAL;
        }
    }
    if (!hc->b.receive) {
        runtime_diag(diag, "host actor child %s: its behaviour has no receive", out->id);
        return WACTOR_EINVAL;
    }
    bool ok = true;
    hc->bname = hc->b.name ? strdup(hc->b.name) : NULL;
    if (hc->b.name && !hc->bname) ok = false;
    hc->b.name = hc->bname;
    hc->opts = in->spawn;
    hc->caps = runtime_grants(in->spawn.caps, &ok);
    hc->opts.caps = NULL;
    hc->opts.wasi = NULL;
    hc->name = in->spawn.name ? strdup(in->spawn.name) : NULL;
    hc->opts.name = hc->name;
    return !ok || (in->spawn.name && !hc->name) ? WACTOR_ENOMEM : WACTOR_OK;
}

/* ------------------------------------------------------------------ runtime destroy */

void runtime_host_shutdown(wactor_runtime *rt) {
    pthread_mutex_lock(&rt->lock);
    rt->destroying = true;
    dirty_pool *pool = rt->pool;
    pthread_mutex_unlock(&rt->lock);
    dirty_pool_shutdown(pool); /* queued and running blocking steps finish while the actor system still runs */
}

void runtime_host_free(wactor_runtime *rt) {
    dirty_pool_free(rt->pool);
    rt->pool = NULL;
    for (size_t i = 0; i < rt->nhost_kinds; i++) {
        free(rt->host_kinds[i].name);
        free(rt->host_kinds[i].bname);
    }
    free(rt->host_kinds);
    rt->host_kinds = NULL;
    rt->nhost_kinds = 0;
}

/* ------------------------------------------------------------------ inside a callback */

wactor_pid wactor_host_self(const wactor_host_ctx *ctx) { return current(ctx) ? ctx->id : 0; }

void *wactor_host_state(const wactor_host_ctx *ctx) { return current(ctx) ? ctx->state : NULL; }

void wactor_host_set_state(wactor_host_ctx *ctx, void *state) {
    if (current(ctx)) ctx->state = state;
}

wactor_runtime *wactor_host_runtime(const wactor_host_ctx *ctx) { return current(ctx) ? ctx->rt : NULL; }

/* "#<pid>" */
static size_t pid_text(char *buf, size_t cap, actor_id id) {
    int n = snprintf(buf, cap, "#%" PRIu64, id);
    return n > 0 ? (size_t)n : 0;
}

/* The checks every send, request, monitor and link passes, in the component's order (src/component/host.c):
 * the target is an actor (-EINVAL), the payload within the sender's max_message_bytes (-EMSGSIZE), the
 * target granted (-EPERM), the payload within the receiver's limit (-EMSGSIZE). Refusals are counted. */
static int check_target(wactor_host_ctx *h, component_grant which, actor_id to, size_t len) {
    if (to == 0) return -EINVAL; /* the embedding program has no mailbox */
    if (len > h->max_message_bytes) return refused(h, -EMSGSIZE);
    char text[24];
    size_t n = pid_text(text, sizeof text, to);
    actor_id live = actor_alive(h->sys, to) ? to : 0;
    if (!component_caps_allow_target(h->caps, which, h->sys, text, n, live)) return refused(h, -EPERM);
    size_t max = actor_max_message_bytes(h->sys, to);
    if (max && len > max) return refused(h, -EMSGSIZE);
    return 0;
}

/* Queues `m` for `to`, counting the outcome as a component's deliver() does. */
static int deliver(wactor_host_ctx *h, actor_id to, actor_msg *m) {
    if (!m) return -ENOMEM;
    int rc = actor_send(h->sys, to, m);
    if (rc == -EAGAIN || rc == -EMSGSIZE) count(h, 0, 1, 0); /* the actor layer counts the runtime's total */
    else if (rc) count(h, 0, 0, 1);
    return rc;
}

wactor_error wactor_host_send(wactor_host_ctx *ctx, wactor_pid to, const void *payload, size_t len) {
    if (!current(ctx)) return WACTOR_ESTATE;
    if (!payload && len) return WACTOR_EINVAL;
    int rc = check_target(ctx, COMPONENT_GRANT_SEND, to, len);
    if (!rc) rc = deliver(ctx, to, component_msg_message(ctx->id, payload, len));
    return runtime_error(rc);
}

wactor_error wactor_host_reply(wactor_host_ctx *ctx, const void *payload, size_t len) {
    if (!current(ctx)) return WACTOR_ESTATE;
    if (!payload && len) return WACTOR_EINVAL;
    actor_msg *req = ctx->step == STEP_RECEIVE && ctx->hmsg.kind == WACTOR_HOST_REQUEST ? ctx->msg : NULL;
    if (!req || !req->reply) return WACTOR_ESTATE;
    if (len > ctx->max_message_bytes) return runtime_error(refused(ctx, -EMSGSIZE)); /* the request stays open */
    void *copy = malloc(len ? len : 1);
    if (!copy) return WACTOR_ENOMEM;
    if (len) memcpy(copy, payload, len);
    actor_future_complete(req->reply, 0, copy, len);
    actor_future_release(req->reply);
    req->reply = NULL;
    return WACTOR_OK;
}

wactor_error wactor_host_request(wactor_host_ctx *ctx, wactor_pid to, const void *payload, size_t len, int timeout_ms,
                                 uint64_t *corr_out) {
    if (!current(ctx)) return WACTOR_ESTATE;
    if ((!payload && len) || !corr_out) return WACTOR_EINVAL;
    wactor_host_ctx *h = ctx;
    int rc = check_target(h, COMPONENT_GRANT_REQUEST, to, len);
    if (!rc && h->pending.count >= h->max_requests) rc = refused(h, -EDQUOT);
    if (rc) return runtime_error(rc);
    uint64_t corr = ++h->next_corr;
    actor_msg *m = component_msg_message(h->id, payload, len);
    actor_future *f = actor_future_new_notify(h->sys, h->id, corr);
    /* the timeout is a REPLY it sends itself: a system message, never refused by its full mailbox */
    actor_reply expired = {.status = -ETIMEDOUT};
    actor_msg *timeout = actor_msg_new(ACTOR_MSG_REPLY, h->id, &expired, sizeof expired);
    if (!m || !f || !timeout || component_idmap_put(&h->pending, corr, 0) != 0) {
        actor_msg_free(m);
        actor_msg_free(timeout);
        actor_future_release(f);
        return WACTOR_ENOMEM;
    }
    m->reply = f;
    m->corr = corr;
    timeout->corr = corr;
    rc = deliver(h, to, m);
    if (rc) { /* nothing queued: the future's own answer (a REPLY) will find nothing pending */
        component_idmap_take(&h->pending, corr, NULL);
        actor_msg_free(timeout);
        return runtime_error(rc);
    }
    uint64_t timer = 0;
    uint32_t ms = timeout_ms > 0 ? (uint32_t)timeout_ms : WACTOR_DEFAULT_REQUEST_TIMEOUT_MS;
    if (actor_timer_start(h->sys, h->id, timeout, ms, &timer) == 0) component_idmap_set(&h->pending, corr, timer);
    *corr_out = corr;
    return WACTOR_OK;
}

wactor_error wactor_host_ask(wactor_host_ctx *ctx, wactor_pid to, const void *payload, size_t len, int timeout_ms,
                             void **reply, size_t *reply_len) {
    if (!current(ctx) || !ctx->b.blocking) return WACTOR_ESTATE;
    if ((!payload && len) || !reply || !reply_len) return WACTOR_EINVAL;
    int rc = check_target(ctx, COMPONENT_GRANT_REQUEST, to, len);
    if (rc) return runtime_error(rc);
    actor_future *f = actor_future_new();
    actor_msg *m = f ? component_msg_message(ctx->id, payload, len) : NULL;
    if (!m) {
        actor_future_release(f);
        return WACTOR_ENOMEM;
    }
    actor_future_retain(f);
    m->reply = f;
    rc = deliver(ctx, to, m);
    wactor_error err = runtime_error(rc);
    if (!err)
        err = runtime_await(f, timeout_ms > 0 ? timeout_ms : WACTOR_DEFAULT_REQUEST_TIMEOUT_MS, reply, reply_len, NULL);
    actor_future_release(f);
    return err;
}

wactor_error wactor_host_publish(wactor_host_ctx *ctx, const char *topic, const void *payload, size_t len,
                                 size_t *delivered) {
    if (!current(ctx)) return WACTOR_ESTATE;
    if (delivered) *delivered = 0;
    if (!topic || (!payload && len) || !broker_subject_valid(topic, false)) return WACTOR_EINVAL;
    if (len > ctx->max_message_bytes) return runtime_error(refused(ctx, -EMSGSIZE));
    if (!component_caps_allow_publish(ctx->caps, topic)) return runtime_error(refused(ctx, -EPERM));
    uint64_t local[256], *subs; /* on the heap only for more subscribers than that */
    ssize_t n = broker_match_all(ctx->rt->broker, topic, local, sizeof local / sizeof local[0], &subs);
    if (n < 0) return WACTOR_ENOMEM;
    size_t ok = 0;
    for (ssize_t i = 0; i < n; i++) { /* each subscriber's own size limit: the others still get it */
        size_t max = actor_max_message_bytes(ctx->sys, subs[i]);
        if (max && len > max) {
            refused(ctx, 0);
            continue;
        }
        if (deliver(ctx, subs[i], component_msg_publication(ctx->id, topic, payload, len)) == 0) ok++;
    }
    if (subs != local) free(subs);
    if (delivered) *delivered = ok;
    return WACTOR_OK;
}

wactor_error wactor_host_subscribe(wactor_host_ctx *ctx, const char *pattern) {
    if (!current(ctx)) return WACTOR_ESTATE;
    if (!pattern || !broker_subject_valid(pattern, true)) return WACTOR_EINVAL;
    if (!component_caps_allow_subscribe(ctx->caps, pattern)) return runtime_error(refused(ctx, -EPERM));
    if (ctx->subscriptions >= ctx->max_subscriptions) return runtime_error(refused(ctx, -EDQUOT));
    int rc = broker_subscribe(ctx->rt->broker, pattern, ctx->id);
    if (!rc) {
        ctx->subscribed = true;
        ctx->subscriptions++;
    }
    return runtime_error(rc);
}

wactor_error wactor_host_unsubscribe(wactor_host_ctx *ctx, const char *pattern) {
    if (!current(ctx)) return WACTOR_ESTATE;
    if (!pattern || !broker_subject_valid(pattern, true)) return WACTOR_EINVAL;
    int rc = broker_unsubscribe(ctx->rt->broker, pattern, ctx->id);
    if (!rc && ctx->subscriptions) ctx->subscriptions--;
    return runtime_error(rc);
}

wactor_error wactor_host_monitor(wactor_host_ctx *ctx, wactor_pid target, uint64_t *ref) {
    if (!current(ctx)) return WACTOR_ESTATE;
    int rc = check_target(ctx, COMPONENT_GRANT_SEND, target, 0);
    if (!rc && ctx->monitors >= ctx->max_monitors) rc = refused(ctx, -EDQUOT);
    uint64_t r = 0;
    if (!rc) rc = actor_monitor(ctx->sys, ctx->id, target, &r);
    if (!rc) {
        ctx->monitors++; /* held until its DOWN is received, or demonitored */
        if (ref) *ref = r;
    }
    return runtime_error(rc);
}

wactor_error wactor_host_demonitor(wactor_host_ctx *ctx, uint64_t ref) {
    if (!current(ctx)) return WACTOR_ESTATE;
    int rc = actor_demonitor(ctx->sys, ctx->id, ref);
    if (!rc && ctx->monitors) ctx->monitors--;
    return runtime_error(rc);
}

wactor_error wactor_host_link(wactor_host_ctx *ctx, wactor_pid target) {
    if (!current(ctx)) return WACTOR_ESTATE;
    int rc = check_target(ctx, COMPONENT_GRANT_SEND, target, 0);
    /* counted per link made over its life, as a component's (a link that ended unseen errs on the safe side) */
    if (!rc && ctx->links >= ctx->max_links) rc = refused(ctx, -EDQUOT);
    if (!rc) rc = actor_link(ctx->sys, ctx->id, target);
    if (!rc) ctx->links++;
    return runtime_error(rc);
}

wactor_error wactor_host_unlink(wactor_host_ctx *ctx, wactor_pid target) {
    if (!current(ctx)) return WACTOR_ESTATE;
    if (target == 0) return WACTOR_EINVAL;
    return runtime_error(actor_unlink(ctx->sys, ctx->id, target));
}

wactor_error wactor_host_exit(wactor_host_ctx *ctx, const wactor_exit_reason *reason) {
    if (!current(ctx)) return WACTOR_ESTATE;
    if (!reason) {
        set_exit(ctx, ACTOR_EXIT_NORMAL, 0, "normal");
        return WACTOR_OK;
    }
    wactor_exit_kind k = reason->kind;
    if ((unsigned)k > WACTOR_EXIT_NOPROC) return WACTOR_EINVAL;
    set_exit(ctx, (actor_exit_kind)k, reason->code, reason->text);
    return WACTOR_OK;
}
