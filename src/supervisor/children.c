/*
 * children.c — the supervisor's children: spec copies, lookup, and each child's own state machine
 *
 *   IDLE --begin_start--> STARTING --`started` ok--> RUNNING --begin_stop--> STOPPING --exit--> IDLE
 *   STARTING --`started` error / exit--> IDLE with start_failed (after killing it if it is still alive)
 *   RUNNING --exit (crash, normal end)--> IDLE, then the restart decision (restart.c)
 *
 * A child's exit is learnt through its link to the supervisor (which traps exits): ACTOR_MSG_EXIT.
 */
#include "common/clock.h"
#include "supervisor/internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ------------------------------------------------------------------ shared args */

sup_hold *sup_hold_new(void *arg, void (*arg_free)(void *)) {
    sup_hold *h = malloc(sizeof *h);
    if (!h) return NULL;
    atomic_init(&h->refs, 1);
    h->arg = arg;
    h->arg_free = arg_free;
    return h;
}

void sup_hold_retain(sup_hold *h) { atomic_fetch_add_explicit(&h->refs, 1, memory_order_relaxed); }

void sup_hold_release(sup_hold *h) {
    if (!h || atomic_fetch_sub_explicit(&h->refs, 1, memory_order_acq_rel) != 1) return;
    if (h->arg_free) h->arg_free(h->arg);
    free(h);
}

/* ------------------------------------------------------------------ the list */

sup_child *sup_child_new(sup_state *s, const sup_child_spec *spec, const char *id, sup_hold *hold) {
    sup_child *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->key = ++s->next_key;
    snprintf(c->id, sizeof c->id, "%s", id ? id : "");
    c->spec = *spec;
    c->spec.id = c->id;
    c->spec.arg = hold->arg;
    if (c->spec.shutdown_ms == 0)
        c->spec.shutdown_ms = spec->type == SUP_SUPERVISOR ? SUP_INFINITY : WACTOR_DEFAULT_SHUTDOWN_MS;
    if (c->spec.health_timeout_ms == 0) c->spec.health_timeout_ms = WACTOR_DEFAULT_HEALTH_TIMEOUT_MS;
    if (c->spec.health_threshold == 0) c->spec.health_threshold = WACTOR_DEFAULT_HEALTH_THRESHOLD;
    sup_hold_retain(hold);
    c->hold = hold;
    return c;
}

void sup_child_free(sup_child *c) {
    if (!c) return;
    sup_hold_release(c->hold);
    free(c);
}

sup_child *sup_child_by_key(sup_state *s, uint64_t key) {
    for (size_t i = 0; i < s->nkids; i++)
        if (s->kids[i]->key == key) return s->kids[i];
    return NULL;
}

sup_child *sup_child_by_id(sup_state *s, const char *id) {
    if (s->strategy == SUP_SIMPLE_ONE_FOR_ONE) return NULL; /* instances have no ids of their own */
    for (size_t i = 0; i < s->nkids; i++)
        if (strcmp(s->kids[i]->id, id) == 0) return s->kids[i];
    return NULL;
}

sup_child *sup_child_by_pid(sup_state *s, actor_id pid) {
    if (!pid) return NULL;
    for (size_t i = 0; i < s->nkids; i++)
        if (s->kids[i]->pid == pid) return s->kids[i];
    return NULL;
}

long sup_child_index(sup_state *s, const sup_child *c) {
    for (size_t i = 0; i < s->nkids; i++)
        if (s->kids[i] == c) return (long)i;
    return -1;
}

int sup_child_add(sup_state *s, sup_child *c) {
    if (s->nkids == s->capkids) {
        size_t cap = s->capkids ? s->capkids * 2 : 8;
        sup_child **k = realloc(s->kids, cap * sizeof *k);
        if (!k) return -ENOMEM;
        s->kids = k;
        s->capkids = cap;
    }
    s->kids[s->nkids++] = c;
    return 0;
}

void sup_child_remove(sup_state *s, sup_child *c) {
    long i = sup_child_index(s, c);
    if (i < 0) return;
    memmove(&s->kids[i], &s->kids[i + 1], (s->nkids - (size_t)i - 1) * sizeof *s->kids);
    s->nkids--;
    sup_child_free(c);
}

/* ------------------------------------------------------------------ exit reasons */

void sup_reason_text(const actor_exit *r, char *buf, size_t cap) {
    switch (r->kind) {
    case ACTOR_EXIT_NORMAL: snprintf(buf, cap, "normal"); break;
    case ACTOR_EXIT_SHUTDOWN: snprintf(buf, cap, "shutdown"); break;
    case ACTOR_EXIT_KILLED: snprintf(buf, cap, "killed"); break;
    case ACTOR_EXIT_NOPROC: snprintf(buf, cap, "noproc"); break;
    case ACTOR_EXIT_ERROR:
    default:
        if (r->text[0])
            snprintf(buf, cap, "%.*s", (int)strnlen(r->text, sizeof r->text), r->text);
        else
            snprintf(buf, cap, "error %d", r->code);
        break;
    }
}

/* ------------------------------------------------------------------ starting */

static void start_failed(sup_child *c, int status, const char *why) {
    c->start_failed = true;
    c->fail_status = status < 0 ? status : -ECHILD;
    snprintf(c->fail_reason, sizeof c->fail_reason, "%s", why && *why ? why : strerror(-c->fail_status));
}

void sup_child_begin_start(sup_state *s, sup_child *c, bool restart) {
    c->start_failed = false;
    c->fail_reason[0] = '\0';
    c->backoff_corr = 0;                    /* a delayed restart is overtaken by this start */
    c->start_is_restart = restart;
    uint64_t corr = sup_corr(s);
    actor_future *f = actor_future_new_notify(s->sys, s->id, corr);
    if (!f) {
        start_failed(c, -ENOMEM, NULL);
        return;
    }
    actor_id pid = 0;
    sup_start_ctx ctx = {.sys = s->sys, .sup = s->id, .started = f, .arg_hold = c->hold};
    int rc = c->spec.start(c->spec.arg, &ctx, &pid);
    actor_future_release(f);
    if (rc < 0 || pid == 0) {
        start_failed(c, rc < 0 ? rc : -EINVAL, rc < 0 ? NULL : "start returned no pid");
        return;
    }
    c->pid = pid;
    c->state = C_STARTING;
    c->start_corr = corr;
    /* The start callback should have spawned it linked to us; linking again is harmless and covers a
     * callback that did not (an early death then arrives as NOPROC, or as a duplicate EXIT we ignore). */
    actor_link(s->sys, s->id, pid);
}

/* The reason a failed start gives, printable ASCII only: the child spec's start_failure() if it has one,
 * else the data as text (up to its first NUL). */
static void failure_text(const sup_child *c, int status, const void *data, size_t len, char *buf, size_t cap) {
    char raw[SUP_REASON_MAX] = "";
    if (c->spec.start_failure) {
        c->spec.start_failure(c->spec.arg, status, data, len, raw, sizeof raw);
        raw[sizeof raw - 1] = '\0';
        data = raw;
        len = strlen(raw);
    }
    size_t n = 0;
    const unsigned char *p = data;
    for (size_t i = 0; p && i < len && p[i] && n + 1 < cap; i++) buf[n++] = (p[i] >= 0x20 && p[i] < 0x7f) ? (char)p[i] : '?';
    buf[n] = '\0';
}

void sup_child_on_started(sup_state *s, sup_child *c, int status, const void *data, size_t len) {
    c->start_corr = 0;
    if (status == 0) {
        c->state = C_RUNNING;
        c->started_ms = clock_mono_ms();
        if (c->start_is_restart) c->restarts++;
        json_t *ev = s->event ? sup_event_new(s, "child_started", c, NULL) : NULL;
        if (ev) {
            json_object_set_new(ev, "pid", json_integer((json_int_t)c->pid));
            json_object_set_new(ev, "restart", json_boolean(c->start_is_restart));
            sup_event_emit(s, ev);
        }
        sup_health_arm(s, c);
        return;
    }
    char why[SUP_REASON_MAX];
    failure_text(c, status, data, len, why, sizeof why);
    start_failed(c, status, why);
    /* It reported failure but may still be alive: make sure it is gone before anything starts again. */
    c->state = C_STOPPING;
    actor_exit killed = {.kind = ACTOR_EXIT_KILLED};
    actor_exit_signal_send(s->sys, s->id, c->pid, &killed);
}

/* ------------------------------------------------------------------ stopping */

void sup_child_begin_stop(sup_state *s, sup_child *c, bool requested) {
    if (requested)
        c->stop_requested = true;
    else
        c->health_stop = true;
    if (c->state == C_STOPPING) return;     /* already on its way out; its kill timer (if any) runs */
    c->state = C_STOPPING;
    c->start_corr = 0;                      /* a late `started` answer is stale now */
    sup_health_cancel(c);
    int t = c->spec.shutdown_ms;
    if (t == SUP_BRUTAL_KILL || (t < 0 && t != SUP_INFINITY)) {
        actor_exit killed = {.kind = ACTOR_EXIT_KILLED};
        actor_exit_signal_send(s->sys, s->id, c->pid, &killed);
        return;
    }
    uint32_t budget = t == SUP_INFINITY ? UINT32_MAX : (uint32_t)t;
    actor_msg *m = actor_msg_new(ACTOR_MSG_STOP, s->id, &budget, sizeof budget);
    if (m) actor_send(s->sys, c->pid, m);   /* -ENOENT: it is dead already; its EXIT is on the way */
    if (t != SUP_INFINITY || !m) {
        c->kill_corr = sup_corr(s);
        if (sup_send_self_after(s, SUP_MSG_KILL_TIMER, c->kill_corr, m ? budget : 0) < 0) {
            actor_exit killed = {.kind = ACTOR_EXIT_KILLED};
            actor_exit_signal_send(s->sys, s->id, c->pid, &killed);
        }
    }
}

void sup_child_kill_timeout(sup_state *s, sup_child *c) {
    c->kill_corr = 0;
    if (c->state != C_STOPPING) return;
    actor_exit killed = {.kind = ACTOR_EXIT_KILLED};
    actor_exit_signal_send(s->sys, s->id, c->pid, &killed);
}

/* ------------------------------------------------------------------ exits */

static void maybe_remove(sup_state *s, sup_child *c) {
    if (c->spec.restart == SUP_TEMPORARY || c->dynamic) sup_child_remove(s, c);
}

void sup_child_on_exit(sup_state *s, sup_child *c, const actor_exit *reason) {
    child_state prev = c->state;
    actor_id pid = c->pid;
    bool requested = c->stop_requested, health = c->health_stop;
    c->state = C_IDLE;
    c->pid = 0;
    c->start_corr = c->kill_corr = 0;
    c->stop_requested = c->health_stop = false;
    sup_health_cancel(c);

    if (prev == C_STARTING || c->start_failed) {
        /* died before it was ready, or killed after it said it failed: the start step reports it */
        if (!c->start_failed) {
            char why[SUP_REASON_MAX];
            sup_reason_text(reason, why, sizeof why);
            start_failed(c, -ECHILD, why);
        }
        return;
    }

    char why[SUP_REASON_MAX];
    if (health)
        snprintf(why, sizeof why, "health");
    else if (requested && reason->kind == ACTOR_EXIT_NORMAL)
        snprintf(why, sizeof why, "shutdown"); /* it did what it was asked: stop */
    else
        sup_reason_text(reason, why, sizeof why);
    sup_emit_child(s, "child_exited", c, pid, why);

    if (requested || s->shutting_down || sup_exit_absorbed(s, c)) {
        maybe_remove(s, c);
        return;
    }
    if (sup_should_restart(c, reason, health))
        sup_schedule_restart(s, c);
    else
        maybe_remove(s, c);
}

/* ------------------------------------------------------------------ which / count */

void sup_which_children(sup_state *s, actor_future *reply) {
    sup_child_info *v = calloc(s->nkids ? s->nkids : 1, sizeof *v);
    if (!v) {
        actor_future_complete(reply, -ENOMEM, NULL, 0);
        return;
    }
    for (size_t i = 0; i < s->nkids; i++) {
        const sup_child *c = s->kids[i];
        if (!c->dynamic) snprintf(v[i].id, sizeof v[i].id, "%s", c->id);
        v[i].pid = c->state == C_RUNNING ? c->pid : 0;
        v[i].type = c->spec.type;
        v[i].restart = c->spec.restart;
        v[i].restarts = c->restarts;
    }
    actor_future_complete(reply, 0, v, s->nkids * sizeof *v);
}

void sup_count_children(sup_state *s, actor_future *reply) {
    sup_counts *n = calloc(1, sizeof *n);
    if (!n) {
        actor_future_complete(reply, -ENOMEM, NULL, 0);
        return;
    }
    /* OTP: specs counts child specs (1 for simple_one_for_one); supervisors/workers count children of
     * that type, dead or alive; active counts running children. */
    n->specs = s->strategy == SUP_SIMPLE_ONE_FOR_ONE ? 1 : (uint32_t)s->nkids;
    for (size_t i = 0; i < s->nkids; i++) {
        const sup_child *c = s->kids[i];
        if (c->state == C_RUNNING) n->active++;
        if (c->spec.type == SUP_SUPERVISOR)
            n->supervisors++;
        else
            n->workers++;
    }
    actor_future_complete(reply, 0, n, sizeof *n);
}
