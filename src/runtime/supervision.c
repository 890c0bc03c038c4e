/*
 * supervision.c — the embedding API's supervision calls: wactor_sup_spec trees become supervisor-layer specs
 * whose children start component actors (from the cached compiled module) or nested supervisors.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry/registry.h"
#include "runtime/internal.h"
#include "supervisor/supervisor.h"

/* The runtime hosts both kinds: their message types must not overlap (actor.h, ACTOR_MSG_USER). */
_Static_assert(COMPONENT_MSG_LAST < SUP_MSG_FIRST || SUP_MSG_LAST < COMPONENT_MSG_FIRST,
               "component and supervisor message types are disjoint");
_Static_assert((unsigned)COMPONENT_MSG_FIRST >= (unsigned)ACTOR_MSG_USER && SUP_MSG_FIRST >= (unsigned)ACTOR_MSG_USER,
               "behaviour message types are above the actor layer's own");

/* The public enums are cast to the supervisor layer's: they must stay parallel. */
_Static_assert((int)SUP_ONE_FOR_ONE == (int)WACTOR_ONE_FOR_ONE && (int)SUP_ONE_FOR_ALL == (int)WACTOR_ONE_FOR_ALL &&
                   (int)SUP_REST_FOR_ONE == (int)WACTOR_REST_FOR_ONE &&
                   (int)SUP_SIMPLE_ONE_FOR_ONE == (int)WACTOR_SIMPLE_ONE_FOR_ONE,
               "sup_strategy and wactor_strategy must stay parallel");
_Static_assert((int)SUP_PERMANENT == (int)WACTOR_PERMANENT && (int)SUP_TRANSIENT == (int)WACTOR_TRANSIENT &&
                   (int)SUP_TEMPORARY == (int)WACTOR_TEMPORARY,
               "sup_restart and wactor_restart must stay parallel");
_Static_assert(SUP_BRUTAL_KILL == WACTOR_BRUTAL_KILL && SUP_INFINITY == WACTOR_INFINITY,
               "shutdown sentinels must match");
_Static_assert(SUP_INTENSITY_ZERO == WACTOR_INTENSITY_ZERO, "the zero-intensity sentinels must match");
_Static_assert(sizeof(((sup_child_info *)0)->id) == sizeof(((wactor_child_info *)0)->id), "child id buffers");


/* What a component child's start callback needs: shared by every copy of its child spec. */
typedef struct component_child {
    wactor_runtime *rt;
    wactor_module *module;         /* a reference held for the spec's life */
    wactor_spawn_opts opts;        /* opts.caps: NULL (the grants are `caps`) */
    component_caps *caps;          /* one shared copy for every instance the spec starts (each retains it) */
    char *name;                    /* opts.name's copy */
    wactor_wasi *wasi;             /* opts.wasi's copy */
} component_child;

static void component_child_free(void *arg) {
    component_child *cc = arg;
    if (!cc) return;
    eng_module_release(engmod(cc->module));
    component_caps_release(cc->caps);
    free(cc->name);
    free(cc->wasi);
    free(cc);
}

/* sup_child_spec.start for a component: spawn it linked to the supervisor (component_spawn registers its
 * name). Its start answer reaches the supervisor as it is: status 0 or an errno value, and on failure a
 * wactor_diag, which runtime_child_failure reads for the supervisor. */
static int component_child_start(void *arg, const sup_start_ctx *ctx, actor_id *out) {
    component_child *cc = arg;
    component_config cfg = runtime_component_config(cc->rt, cc->module, &cc->opts, cc->caps);
    cfg.link = ctx->sup;
    spawned *entry = runtime_spawned_new(cc->name);
    if (!entry) return -ENOMEM;
    component_info *info = NULL;
    int rc = component_spawn(ctx->sys, &cfg, ctx->started, out, &info);
    if (rc != 0) {
        runtime_spawned_discard(entry);
        return rc;
    }
    runtime_remember(cc->rt, entry, *out, info);
    return 0;
}

/* sup_child_spec.start_failure for a component or host actor: its failed start answered with a wactor_diag
 * (the reply data of both), else nothing. The reason is the diag's message, or the error's name. */
void runtime_child_failure(void *arg, int status, const void *data, size_t len, char *reason, size_t cap) {
    (void)arg;
    const wactor_diag *d = data;
    if (d && len == sizeof *d && d->message[0])
        snprintf(reason, cap, "%.*s", (int)strnlen(d->message, sizeof d->message), d->message);
    else
        snprintf(reason, cap, "%s", wactor_strerror(runtime_error(status)));
}

/* sup_child_spec.health for a component or host actor: the health message (a component asks `_health`);
 * the reply data starts with the status int. */
int runtime_child_health(void *arg, actor_system *sys, actor_id child, actor_future *reply) {
    (void)arg;
    actor_msg *m = component_msg_health(reply);
    return m ? actor_send(sys, child, m) : -ENOMEM;
}

static void sup_spec_free(void *arg);

/* The public code of a child's failed start (a supervisor's `started` or start_child status, an errno
 * value). The supervisor reports a child that ended before it was ready as -ECHILD and one whose start
 * answer never came (the actor layer dropped it) as -ENOENT: to the embedding program both are the child
 * failing to start, WACTOR_ETRAP, as a trap in `_start` is. */
static wactor_error start_error(int status) {
    return status == -ECHILD || status == -ENOENT ? WACTOR_ETRAP : runtime_error(status);
}

static void free_children(sup_child_spec *children, size_t n) {
    for (size_t i = 0; i < n; i++) {
        free((char *)children[i].id);
        if (children[i].arg_free) children[i].arg_free(children[i].arg);
    }
    free(children);
}

static void sup_spec_free(void *arg) {
    sup_spec *s = arg;
    if (!s) return;
    free((char *)s->name);
    free_children((sup_child_spec *)s->children, s->nchildren);
    free(s);
}

static void forward_event(void *user, const char *json) {
    wactor_runtime *rt = user;
    runtime_log_event(rt, json); /* restarts, exits, shutdowns as log records (log.c) */
    if (rt->event) rt->event(rt->event_user, json);
    pthread_rwlock_rdlock(&rt->handlers_lock);
    for (size_t i = 0; i < rt->nhandlers; i++) rt->handlers[i].fn(rt->handlers[i].user, json);
    pthread_rwlock_unlock(&rt->handlers_lock);
}

static sup_spec *convert_sup(wactor_runtime *rt, const wactor_sup_spec *in, wactor_diag *diag);

/* One child: a component or a nested supervisor. Returns 0 or a wactor_error. */
static wactor_error convert_child(wactor_runtime *rt, const wactor_child_spec *in, sup_child_spec *out,
                                  wactor_diag *diag) {
    memset(out, 0, sizeof *out);
    bool host = in->host || in->host_kind; /* a host actor (host_actor.c) */
    if ((in->module != NULL) + (in->supervisor != NULL) + host != 1) {
        runtime_diag(diag, "child %s: give exactly one of module, supervisor and host", in->id ? in->id : "?");
        return WACTOR_EINVAL;
    }
    const char *id = in->id                     ? in->id
                     : in->module               ? in->spawn.name
                     : host && in->spawn.name   ? in->spawn.name
                     : host                     ? in->host_kind
                                                : in->supervisor->name;
    out->id = strdup(id ? id : "");
    out->restart = (sup_restart)in->restart;
    out->type = in->supervisor ? SUP_SUPERVISOR : SUP_WORKER;
    out->shutdown_ms = in->shutdown_ms ? in->shutdown_ms : in->supervisor ? SUP_INFINITY : WACTOR_DEFAULT_SHUTDOWN_MS;
    out->health_interval_ms = in->health_interval_ms;
    out->health_timeout_ms = in->health_timeout_ms ? in->health_timeout_ms : WACTOR_DEFAULT_HEALTH_TIMEOUT_MS;
    out->health_threshold = in->health_threshold ? in->health_threshold : WACTOR_DEFAULT_HEALTH_THRESHOLD;
    if (!out->id) return WACTOR_ENOMEM;
    if (host) return runtime_host_child(rt, in, out, diag);
    if (in->module) {
        component_child *cc = calloc(1, sizeof *cc);
        if (!cc) return WACTOR_ENOMEM;
        cc->rt = rt;
        cc->module = in->module;
        eng_module_retain(engmod(in->module));
        cc->opts = in->spawn;
        bool ok = true;
        cc->caps = runtime_grants(in->spawn.caps, &ok);
        cc->opts.caps = NULL;
        cc->name = in->spawn.name ? strdup(in->spawn.name) : NULL;
        cc->opts.name = cc->name;
        int wasi_rc = component_wasi_copy(in->spawn.wasi, &cc->wasi, diag);
        cc->opts.wasi = cc->wasi;
        out->start = component_child_start;
        out->start_failure = runtime_child_failure;
        out->health = out->health_interval_ms ? runtime_child_health : NULL;
        out->arg = cc;
        out->arg_free = component_child_free;
        if (wasi_rc) return runtime_error(wasi_rc);
        return (in->spawn.name && !cc->name) || !ok ? WACTOR_ENOMEM : WACTOR_OK;
    }
    sup_spec *nested = convert_sup(rt, in->supervisor, diag);
    if (!nested) return WACTOR_EINVAL;
    out->start = supervisor_child_start;
    out->arg = nested;
    out->arg_free = sup_spec_free;
    return WACTOR_OK;
}

static sup_spec *convert_sup(wactor_runtime *rt, const wactor_sup_spec *in, wactor_diag *diag) {
    sup_spec *s = calloc(1, sizeof *s);
    sup_child_spec *children = calloc(in->nchildren ? in->nchildren : 1, sizeof *children);
    if (!s || !children) {
        free(s);
        free(children);
        return NULL;
    }
    *s = (sup_spec){
        .name = in->name ? strdup(in->name) : NULL, .strategy = (sup_strategy)in->strategy,
        .intensity = in->intensity, /* 0: the default; WACTOR_INTENSITY_ZERO == SUP_INTENSITY_ZERO */
        .period_ms = in->period_ms ? in->period_ms : WACTOR_DEFAULT_PERIOD_MS,
        .backoff_initial_ms = in->backoff_initial_ms,
        .backoff_multiplier = in->backoff_multiplier >= 1.0 ? in->backoff_multiplier : 1.0,
        .backoff_max_ms = in->backoff_max_ms, .children = children, .nchildren = in->nchildren,
        .event = forward_event, .event_user = rt,
    };
    for (size_t i = 0; i < in->nchildren; i++)
        if (convert_child(rt, &in->children[i], &children[i], diag) != WACTOR_OK) {
            s->nchildren = i + 1;
            sup_spec_free(s);
            return NULL;
        }
    return s;
}

void wactor_set_event_handler(wactor_runtime *rt, wactor_event_fn fn, void *user) {
    rt->event = fn;
    rt->event_user = user;
}

wactor_error wactor_supervisor_start(wactor_runtime *rt, const wactor_sup_spec *spec, wactor_pid *out,
                                     wactor_diag *diag) {
    if (!rt || !spec || !out) return WACTOR_EINVAL;
    sup_spec *s = convert_sup(rt, spec, diag);
    if (!s) return WACTOR_EINVAL;
    actor_future *started = actor_future_new();
    if (!started) {
        sup_spec_free(s);
        return WACTOR_ENOMEM;
    }
    actor_id pid = 0;
    int rc = supervisor_start(rt->sys, s, 0, started, &pid);
    if (rc != 0) {
        sup_spec_free(s); /* refused: nothing was taken */
    } else {
        /* the supervisor copied the spec and owns the children's args (freed with arg_free) */
        for (size_t i = 0; i < s->nchildren; i++) free((char *)s->children[i].id);
        free((char *)s->name);
        free((void *)s->children);
        free(s);
    }
    wactor_error err = rc == 0 ? WACTOR_OK : runtime_error(rc);
    if (rc == -EINVAL) runtime_diag(diag, "%s", "invalid supervisor spec (duplicate child ids, or a "
                                                "simple_one_for_one supervisor without exactly one child)");
    if (!err) {
        int status = 0;
        void *data = NULL;
        size_t len = 0;
        actor_future_wait(started, 0, &status, &data, &len);
        if (status != 0) {
            err = start_error(status);
            if (diag) {
                memset(diag, 0, sizeof *diag);
                diag->trap = WACTOR_TRAP_START;
                snprintf(diag->message, sizeof diag->message, "a child failed to start%s%.*s", len ? ": " : "",
                         (int)(len < 200 ? len : 200), data ? (const char *)data : "");
            }
        }
        free(data);
    }
    actor_future_release(started);
    if (err) return err;
    *out = pid;
    return runtime_remember_supervisor(rt, pid);
}

/* Waits for the answer to a supervisor request sent with result `rc`. *status_out (may be NULL) gets the
 * reply's status, or rc if it could not be sent; 0 if no answer came in time (the outcome is unknown). */
static wactor_error sup_request(int rc, actor_future *f, void **data, size_t *len, int *status_out) {
    if (status_out) *status_out = rc;
    if (rc != 0) {
        actor_future_release(f);
        return runtime_error(rc);
    }
    int status = 0;
    wactor_error err = WACTOR_ETIMEDOUT;
    if (actor_future_wait(f, WACTOR_DEFAULT_REQUEST_TIMEOUT_MS, &status, data, len) == 0) {
        if (status_out) *status_out = status;
        err = runtime_error(status);
    }
    if (err && data && *data) {
        free(*data);
        *data = NULL;
    }
    actor_future_release(f);
    return err;
}

wactor_error wactor_which_children(wactor_runtime *rt, wactor_pid sup, wactor_child_info *out, size_t cap, size_t *n) {
    if (!rt || !n || (!out && cap)) return WACTOR_EINVAL;
    actor_future *f = actor_future_new();
    if (!f) return WACTOR_ENOMEM;
    void *data = NULL;
    size_t len = 0;
    wactor_error err = sup_request(supervisor_which_children(rt->sys, sup, f), f, &data, &len, NULL);
    if (err) return err;
    const sup_child_info *ci = data;
    *n = len / sizeof *ci;
    for (size_t i = 0; i < *n && i < cap; i++) {
        memset(&out[i], 0, sizeof out[i]);
        snprintf(out[i].id, sizeof out[i].id, "%s", ci[i].id);
        out[i].pid = ci[i].pid;
        out[i].is_supervisor = ci[i].type == SUP_SUPERVISOR;
        out[i].restart = (wactor_restart)ci[i].restart;
        out[i].restarts = ci[i].restarts;
    }
    free(data);
    return WACTOR_OK;
}

wactor_error wactor_count_children(wactor_runtime *rt, wactor_pid sup, wactor_child_counts *out) {
    if (!rt || !out) return WACTOR_EINVAL;
    actor_future *f = actor_future_new();
    if (!f) return WACTOR_ENOMEM;
    void *data = NULL;
    size_t len = 0;
    wactor_error err = sup_request(supervisor_count_children(rt->sys, sup, f), f, &data, &len, NULL);
    if (err) return err;
    if (len == sizeof(sup_counts)) {
        const sup_counts *c = data;
        *out = (wactor_child_counts){c->specs, c->active, c->supervisors, c->workers};
    }
    free(data);
    return len == sizeof(sup_counts) ? WACTOR_OK : WACTOR_EINVAL;
}

wactor_error wactor_start_child(wactor_runtime *rt, wactor_pid sup, const wactor_child_spec *spec, wactor_pid *out) {
    if (!rt) return WACTOR_EINVAL;
    sup_child_spec cs;
    sup_child_spec *csp = NULL;
    if (spec) {
        wactor_error err = convert_child(rt, spec, &cs, NULL);
        if (err) {
            free((char *)cs.id);
            if (cs.arg_free) cs.arg_free(cs.arg);
            return err;
        }
        csp = &cs;
    }
    actor_future *f = actor_future_new();
    if (!f) return WACTOR_ENOMEM;
    void *data = NULL;
    size_t len = 0;
    int status = 0;
    wactor_error err = sup_request(supervisor_start_child(rt->sys, sup, csp, f), f, &data, &len, &status);
    if (csp) {
        free((char *)cs.id); /* copied by the supervisor */
        if (status != 0 && cs.arg_free) cs.arg_free(cs.arg); /* not added: the arg is still ours */
    }
    if (!err && out && data && len == sizeof(actor_id)) memcpy(out, data, sizeof(actor_id));
    free(data);
    if (status != 0 && actor_alive(rt->sys, sup)) return start_error(status); /* the child's start failed */
    return err;
}

wactor_error wactor_terminate_child(wactor_runtime *rt, wactor_pid sup, const char *id, wactor_pid pid) {
    if (!rt) return WACTOR_EINVAL;
    actor_future *f = actor_future_new();
    if (!f) return WACTOR_ENOMEM;
    return sup_request(supervisor_terminate_child(rt->sys, sup, id, pid, f), f, NULL, NULL, NULL);
}

wactor_error wactor_restart_child(wactor_runtime *rt, wactor_pid sup, const char *id) {
    if (!rt || !id) return WACTOR_EINVAL;
    actor_future *f = actor_future_new();
    if (!f) return WACTOR_ENOMEM;
    return sup_request(supervisor_restart_child(rt->sys, sup, id, f), f, NULL, NULL, NULL);
}

wactor_error wactor_delete_child(wactor_runtime *rt, wactor_pid sup, const char *id) {
    if (!rt || !id) return WACTOR_EINVAL;
    actor_future *f = actor_future_new();
    if (!f) return WACTOR_ENOMEM;
    return sup_request(supervisor_delete_child(rt->sys, sup, id, f), f, NULL, NULL, NULL);
}
