/*
 * supervisor.c — the supervisor behaviour (message dispatch), supervisor_start, and the request API.
 *
 * The supervisor traps exits and is linked to its parent and its children. What each message does:
 *   SUP_MSG_BEGIN         register the name, queue the init job (start children in order)
 *   ACTOR_MSG_STOP        shut down with reason shutdown
 *   ACTOR_MSG_EXIT        from the parent: shut down with the parent's reason; from a child: its exit
 *   ACTOR_MSG_REPLY       a child's `started` answer, or a health answer (by corr)
 *   SUP_MSG_* timers      kill after shutdown timeout, delayed restart, health tick / timeout (by corr)
 *   SUP_MSG_* requests    which/count answered at once; the others become jobs (jobs.c)
 * Every handler ends with sup_pump(), which advances the job in progress.
 */
#include "supervisor/internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

uint64_t sup_corr(sup_state *s) { return ++s->next_corr; }

int sup_send_self_after(sup_state *s, uint32_t type, uint64_t corr, uint32_t delay_ms) {
    actor_msg *m = actor_msg_new(type, s->id, NULL, 0);
    if (!m) return -ENOMEM;
    m->corr = corr;
    return actor_send_after(s->sys, s->id, m, delay_ms);
}

int sup_send_self_background(sup_state *s, uint32_t type, uint64_t corr, uint32_t delay_ms) {
    actor_msg *m = actor_msg_new(type, s->id, NULL, 0);
    if (!m) return -ENOMEM;
    m->corr = corr;
    return actor_send_after_background(s->sys, s->id, m, delay_ms);
}

/* ------------------------------------------------------------------ state */

static void state_free(sup_state *s) {
    if (!s) return;
    sup_complete_started(s, s->start_status, s->start_text);
    sup_job_free(s->cur, -ESHUTDOWN);
    while (s->qhead) {
        sup_job *j = s->qhead;
        s->qhead = j->next;
        sup_job_free(j, -ESHUTDOWN);
    }
    for (size_t i = 0; i < s->nkids; i++) sup_child_free(s->kids[i]);
    sup_child_free(s->tmpl);
    sup_hold_release(s->keepalive);
    free(s->kids);
    free(s->restart_ms);
    free(s->name);
    free(s);
}

/* On a failed supervisor_start the caller keeps its args: disarm every arg_free first. */
static void state_free_disowned(sup_state *s) {
    for (size_t i = 0; i < s->nkids; i++) s->kids[i]->hold->arg_free = NULL;
    if (s->tmpl) s->tmpl->hold->arg_free = NULL;
    if (s->started) {
        actor_future_release(s->started); /* not ours to complete: the caller learns from the return */
        s->started = NULL;
    }
    state_free(s);
}

static sup_child *child_by_corr(sup_state *s, size_t field_offset, uint64_t corr) {
    if (!corr) return NULL;
    for (size_t i = 0; i < s->nkids; i++) {
        uint64_t v;
        memcpy(&v, (const char *)s->kids[i] + field_offset, sizeof v);
        if (v == corr) return s->kids[i];
    }
    return NULL;
}
#define CHILD_BY_CORR(s, field, corr) child_by_corr((s), offsetof(sup_child, field), (corr))

/* ------------------------------------------------------------------ message handlers */

static void on_begin(sup_state *s) {
    if (s->name) {
        int rc = registry_register_name(actor_system_registry(s->sys), s->name, s->id);
        if (rc < 0) {
            s->start_status = rc;
            snprintf(s->start_text, sizeof s->start_text, "cannot register name '%s': %s", s->name, strerror(-rc));
            sup_event_emit(s, s->event ? sup_event_new(s, "start_failed", NULL, s->start_text) : NULL);
            actor_exit ex = {.kind = ACTOR_EXIT_SHUTDOWN};
            sup_begin_shutdown(s, &ex, "shutdown");
            return;
        }
    }
    sup_job *j = sup_job_new(JOB_INIT, 0, NULL);
    if (!j) {
        s->start_status = -ENOMEM;
        actor_exit ex = {.kind = ACTOR_EXIT_SHUTDOWN};
        sup_begin_shutdown(s, &ex, "shutdown");
        return;
    }
    sup_enqueue(s, j);
}

static void on_exit_signal(sup_state *s, const actor_msg *m) {
    actor_exit_signal sig;
    if (m->len < sizeof sig) return;
    memcpy(&sig, m->data, sizeof sig);
    if (s->parent && sig.from == s->parent) {
        /* OTP: a supervisor whose parent exits terminates with the same reason */
        char why[SUP_REASON_MAX];
        sup_reason_text(&sig.reason, why, sizeof why);
        sup_begin_shutdown(s, &sig.reason, why);
        return;
    }
    sup_child *c = sup_child_by_pid(s, sig.from);
    if (c) sup_child_on_exit(s, c, &sig.reason); /* else: stale (an earlier instance) or unknown: ignored */
}

static void on_reply(sup_state *s, const actor_msg *m) {
    actor_reply hdr;
    if (m->len < sizeof hdr) return;
    memcpy(&hdr, m->data, sizeof hdr);
    const void *data = m->len > sizeof hdr ? m->data + sizeof hdr : NULL;
    size_t len = m->len - sizeof hdr;
    if (hdr.len < len) len = hdr.len;
    sup_child *c = CHILD_BY_CORR(s, start_corr, m->corr);
    if (c && c->state == C_STARTING) {
        sup_child_on_started(s, c, hdr.status, data, len);
        return;
    }
    if ((c = CHILD_BY_CORR(s, health_probe_corr, m->corr))) sup_health_answer(s, c, hdr.status, data, len);
}

/* A request that becomes a job. Takes msg->reply. */
static void on_request(sup_state *s, actor_msg *m) {
    actor_future *reply = m->reply;
    m->reply = NULL;
    if (s->shutting_down) {
        actor_future_complete(reply, -ESHUTDOWN, NULL, 0);
        actor_future_release(reply);
        return;
    }
    static const job_kind kinds[] = {
        [SUP_MSG_START_CHILD - SUP_MSG_BEGIN] = JOB_START_CHILD,
        [SUP_MSG_TERMINATE_CHILD - SUP_MSG_BEGIN] = JOB_TERMINATE,
        [SUP_MSG_RESTART_CHILD - SUP_MSG_BEGIN] = JOB_RESTART_CHILD,
        [SUP_MSG_DELETE_CHILD - SUP_MSG_BEGIN] = JOB_DELETE,
    };
    sup_job *j = sup_job_new(kinds[m->type - SUP_MSG_BEGIN], 0, reply);
    int rc = j ? 0 : -ENOMEM;
    if (!rc && m->type == SUP_MSG_START_CHILD) {
        sup_req_start req;
        memcpy(&req, m->data, sizeof req);
        if (s->strategy == SUP_SIMPLE_ONE_FOR_ONE && req.has_spec) {
            rc = -EINVAL; /* its children are instances of the template: no spec of their own */
        } else if (s->strategy == SUP_SIMPLE_ONE_FOR_ONE) {
            if ((j->pending = sup_child_new(s, &s->tmpl->spec, s->tmpl->id, s->tmpl->hold))) j->pending->dynamic = true;
        } else if (req.has_spec) {
            sup_hold *h = sup_hold_new(req.spec.arg, req.spec.arg_free);
            if (h) j->pending = sup_child_new(s, &req.spec, req.id, h);
            if (h && !j->pending) h->arg_free = NULL;
            sup_hold_release(h);
        } else {
            rc = -EINVAL;
        }
        if (!rc && !j->pending) rc = -ENOMEM;
    } else if (!rc) {
        memcpy(&j->req, m->data, sizeof j->req);
    }
    if (rc) {
        if (j) j->reply = NULL;
        sup_job_free(j, rc);
        actor_future_complete(reply, rc, NULL, 0);
        actor_future_release(reply);
        return;
    }
    sup_enqueue(s, j);
}

static void on_timer(sup_state *s, const actor_msg *m) {
    sup_child *c;
    switch (m->type) {
    case SUP_MSG_KILL_TIMER:
        if ((c = CHILD_BY_CORR(s, kill_corr, m->corr))) sup_child_kill_timeout(s, c);
        break;
    case SUP_MSG_BACKOFF:
        if ((c = CHILD_BY_CORR(s, backoff_corr, m->corr))) sup_backoff_expired(s, c);
        break;
    case SUP_MSG_HEALTH_TICK:
        if ((c = CHILD_BY_CORR(s, health_tick_corr, m->corr))) sup_health_tick(s, c);
        break;
    case SUP_MSG_HEALTH_TIMEOUT:
        if ((c = CHILD_BY_CORR(s, health_probe_corr, m->corr))) sup_health_timeout(s, c);
        break;
    }
}

static actor_result sup_receive(actor *self, actor_msg *m) {
    sup_state *s = actor_state(self);
    s->self = self;
    s->id = actor_self(self);
    switch (m->type) {
    case SUP_MSG_BEGIN:
        if (!s->began && m->from == 0) on_begin(s);
        s->began = true;
        break;
    case ACTOR_MSG_STOP: {
        actor_exit ex = {.kind = ACTOR_EXIT_SHUTDOWN};
        sup_begin_shutdown(s, &ex, "shutdown");
        break;
    }
    case ACTOR_MSG_EXIT: on_exit_signal(s, m); break;
    case ACTOR_MSG_REPLY: on_reply(s, m); break;
    case SUP_MSG_WHICH:
        if (m->reply) sup_which_children(s, m->reply);
        break;
    case SUP_MSG_COUNT:
        if (m->reply) sup_count_children(s, m->reply);
        break;
    case SUP_MSG_START_CHILD:
    case SUP_MSG_TERMINATE_CHILD:
    case SUP_MSG_RESTART_CHILD:
    case SUP_MSG_DELETE_CHILD:
        if (m->reply) on_request(s, m);
        break;
    case SUP_MSG_KILL_TIMER:
    case SUP_MSG_BACKOFF:
    case SUP_MSG_HEALTH_TICK:
    case SUP_MSG_HEALTH_TIMEOUT:
        if (m->from == s->id) on_timer(s, m);
        break;
    default: break; /* unexpected messages are dropped, as OTP's supervisor does */
    }
    actor_msg_free(m);
    return sup_pump(s) ? ACTOR_STOP : ACTOR_CONTINUE;
}

static void sup_terminate(actor *self, bool killed) {
    (void)killed; /* killed: the children are linked to us and receive the exit signal */
    state_free(actor_state(self));
}

static const actor_behaviour sup_behaviour = {
    .name = "supervisor",
    .receive = sup_receive,
    .terminate = sup_terminate,
};

/* ------------------------------------------------------------------ starting a supervisor */

static bool valid_id(const char *id) { return id && *id && strlen(id) <= SUP_ID_MAX; }

static bool valid_child(const sup_child_spec *c) {
    return valid_id(c->id) && c->start && (unsigned)c->restart <= SUP_TEMPORARY && (unsigned)c->type <= SUP_SUPERVISOR &&
           (c->shutdown_ms >= 0 || c->shutdown_ms == SUP_BRUTAL_KILL || c->shutdown_ms == SUP_INFINITY);
}

static int validate(const sup_spec *spec) {
    if (!spec || (unsigned)spec->strategy > SUP_SIMPLE_ONE_FOR_ONE) return -EINVAL;
    if (spec->name && (!*spec->name || strlen(spec->name) > REGISTRY_NAME_MAX)) return -EINVAL;
    if (spec->nchildren && !spec->children) return -EINVAL;
    if (spec->strategy == SUP_SIMPLE_ONE_FOR_ONE && spec->nchildren != 1) return -EINVAL;
    for (size_t i = 0; i < spec->nchildren; i++) {
        if (!valid_child(&spec->children[i])) return -EINVAL;
        for (size_t k = 0; k < i; k++)
            if (!strcmp(spec->children[k].id, spec->children[i].id)) return -EINVAL;
    }
    return 0;
}

/* own_args: the supervisor frees the children's args (arg_free) when its last copy of them goes;
 * otherwise they are borrowed from a spec someone else owns (`keepalive` then pins that owner). */
static int start_impl(actor_system *sys, const sup_spec *spec, actor_id parent, actor_future *started,
                      actor_id *out, bool own_args, sup_hold *keepalive) {
    int rc = validate(spec);
    if (rc) return rc;
    if (out) *out = 0;
    if (spec->name && registry_whereis(actor_system_registry(sys), spec->name)) return -EEXIST;
    sup_state *s = calloc(1, sizeof *s);
    if (!s) return -ENOMEM;
    s->sys = sys;
    s->parent = parent;
    s->strategy = spec->strategy;
    s->intensity = spec->intensity == SUP_INTENSITY_ZERO ? 0
                   : spec->intensity                    ? spec->intensity
                                                        : WACTOR_DEFAULT_INTENSITY;
    s->period_ms = spec->period_ms ? spec->period_ms : WACTOR_DEFAULT_PERIOD_MS;
    s->backoff_initial_ms = spec->backoff_initial_ms;
    s->backoff_multiplier = spec->backoff_multiplier >= 1.0 ? spec->backoff_multiplier : 1.0;
    s->backoff_max_ms = spec->backoff_max_ms;
    s->event = spec->event;
    s->event_user = spec->event_user;
    s->start_status = -ESHUTDOWN;
    if (keepalive) sup_hold_retain(keepalive);
    s->keepalive = keepalive;
    if (started) actor_future_retain(started);
    s->started = started;
    rc = (spec->name && !(s->name = strdup(spec->name))) ? -ENOMEM : 0;
    for (size_t i = 0; !rc && i < spec->nchildren; i++) {
        const sup_child_spec *cs = &spec->children[i];
        sup_hold *h = sup_hold_new(cs->arg, own_args ? cs->arg_free : NULL);
        sup_child *c = h ? sup_child_new(s, cs, cs->id, h) : NULL;
        if (h && !c) h->arg_free = NULL;
        sup_hold_release(h);
        if (!c)
            rc = -ENOMEM;
        else if (spec->strategy == SUP_SIMPLE_ONE_FOR_ONE)
            s->tmpl = c;
        else if ((rc = sup_child_add(s, c))) {
            c->hold->arg_free = NULL;
            sup_child_free(c);
        }
    }
    actor_id id = 0;
    if (!rc) {
        actor_spawn_opts opts = {.link = parent, .trap_exits = true, /* only supervisor requests: */
                                 .msg_first = SUP_MSG_FIRST, .msg_last = SUP_MSG_LAST};
        rc = actor_spawn_opt(sys, &sup_behaviour, s, &opts, &id);
    }
    if (rc) {
        state_free_disowned(s);
        return rc;
    }
    /* From here the actor owns s. If BEGIN cannot be sent the system is stopping and will end it. */
    actor_msg *m = actor_msg_new(SUP_MSG_BEGIN, 0, NULL, 0);
    if (m) actor_send(sys, id, m);
    else actor_kill(sys, id);
    if (out) *out = id;
    return 0;
}

int supervisor_start(actor_system *sys, const sup_spec *spec, actor_id parent, actor_future *started,
                     actor_id *out) {
    if (!sys) return -EINVAL;
    return start_impl(sys, spec, parent, started, out, true, NULL);
}

int supervisor_child_start(void *arg, const sup_start_ctx *ctx, actor_id *out) {
    if (!ctx || !ctx->sys || !arg) return -EINVAL;
    /* Started by a parent supervisor: pin the parent's copy of our spec (which owns it) while we live. */
    sup_hold *pin = ctx->arg_hold && ctx->arg_hold->arg == arg ? ctx->arg_hold : NULL;
    return start_impl(ctx->sys, arg, ctx->sup, ctx->started, out, false, pin);
}

/* ------------------------------------------------------------------ requests */

static int request(actor_system *sys, actor_id sup, uint32_t type, const void *data, size_t len,
                   actor_future *reply) {
    if (!reply) return -EINVAL;
    actor_msg *m = actor_msg_new(type, 0, data, len);
    if (!m) {
        actor_future_complete(reply, -ENOMEM, NULL, 0);
        return -ENOMEM;
    }
    actor_future_retain(reply);
    m->reply = reply;
    return actor_send(sys, sup, m); /* on failure the message is freed and the reply gets -ENOENT */
}

/* A request that cannot be sent still answers its reply, so a waiter never hangs. */
static int refuse(actor_future *reply, int rc) {
    if (reply) actor_future_complete(reply, rc, NULL, 0);
    return rc;
}

int supervisor_which_children(actor_system *sys, actor_id sup, actor_future *reply) {
    return request(sys, sup, SUP_MSG_WHICH, NULL, 0, reply);
}

int supervisor_count_children(actor_system *sys, actor_id sup, actor_future *reply) {
    return request(sys, sup, SUP_MSG_COUNT, NULL, 0, reply);
}

int supervisor_start_child(actor_system *sys, actor_id sup, const sup_child_spec *spec, actor_future *reply) {
    sup_req_start req;
    memset(&req, 0, sizeof req);
    if (spec) {
        if (!valid_child(spec)) return refuse(reply, -EINVAL);
        req.has_spec = true;
        req.spec = *spec;
        req.spec.id = NULL;
        snprintf(req.id, sizeof req.id, "%s", spec->id);
    }
    return request(sys, sup, SUP_MSG_START_CHILD, &req, sizeof req, reply);
}

static int id_request(actor_system *sys, actor_id sup, uint32_t type, const char *id, actor_id pid,
                      actor_future *reply) {
    sup_req_id req;
    memset(&req, 0, sizeof req);
    req.pid = pid;
    if (id) {
        if (strlen(id) > SUP_ID_MAX) return refuse(reply, -ENOENT); /* no child can have that id */
        snprintf(req.id, sizeof req.id, "%s", id);
    }
    return request(sys, sup, type, &req, sizeof req, reply);
}

int supervisor_terminate_child(actor_system *sys, actor_id sup, const char *id, actor_id pid, actor_future *reply) {
    return id_request(sys, sup, SUP_MSG_TERMINATE_CHILD, id, pid, reply);
}

int supervisor_restart_child(actor_system *sys, actor_id sup, const char *id, actor_future *reply) {
    return id_request(sys, sup, SUP_MSG_RESTART_CHILD, id, 0, reply);
}

int supervisor_delete_child(actor_system *sys, actor_id sup, const char *id, actor_future *reply) {
    return id_request(sys, sup, SUP_MSG_DELETE_CHILD, id, 0, reply);
}
