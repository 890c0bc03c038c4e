/*
 * health.c — periodic health probes of running children.
 *
 * Every health_interval_ms (a timer to self) the supervisor calls spec->health with a notify future and
 * arms a health_timeout_ms timer. The answer (status 0, data an int: 0 healthy, 1 degraded, 2 unhealthy,
 * optionally followed by a reason text) or the timeout is one result:
 *   healthy   resets the count of unhealthy results in a row;
 *   degraded  is reported as an event and otherwise treated as healthy (not acted on);
 *   unhealthy (2, any other value, an error status, a failing call, no answer in time) is reported and
 *             counted; health_threshold in a row stop the child (per its shutdown) and it exits with reason
 *             "health", an abnormal exit, so it is restarted per its restart type.
 * Only one probe per child is in flight; the next tick is armed when the probe ends. Both timers are
 * background timers: they do not keep the system busy (wactor_wait_idle), the probe's messages do.
 */
#include "supervisor/internal.h"

#include <stdio.h>
#include <string.h>

void sup_health_cancel(sup_child *c) {
    c->health_tick_corr = 0;
    c->health_probe_corr = 0;
    c->unhealthy_run = 0;
}

void sup_health_arm(sup_state *s, sup_child *c) {
    if (!c->spec.health || !c->spec.health_interval_ms || c->state != C_RUNNING) return;
    c->health_tick_corr = sup_corr(s);
    if (sup_send_self_background(s, SUP_MSG_HEALTH_TICK, c->health_tick_corr, c->spec.health_interval_ms) < 0)
        c->health_tick_corr = 0;
}

static void emit_health(sup_state *s, sup_child *c, const char *status, const char *reason) {
    if (!s->event) return;
    json_t *ev = sup_event_new(s, "health", c, reason && *reason ? reason : NULL);
    if (ev) {
        json_object_set_new(ev, "pid", json_integer((json_int_t)c->pid));
        json_object_set_new(ev, "status", json_string(status));
        if (!strcmp(status, "unhealthy")) json_object_set_new(ev, "count", json_integer(c->unhealthy_run));
    }
    sup_event_emit(s, ev);
}

/* One probe result: 0 healthy, 1 degraded, anything else unhealthy. */
static void result(sup_state *s, sup_child *c, int level, const char *reason) {
    c->health_probe_corr = 0;
    if (level == 0) {
        c->unhealthy_run = 0;
    } else if (level == 1) {
        c->unhealthy_run = 0;
        emit_health(s, c, "degraded", reason);
    } else {
        c->unhealthy_run++;
        emit_health(s, c, "unhealthy", reason);
        if (c->unhealthy_run >= c->spec.health_threshold) {
            sup_child_begin_stop(s, c, false); /* exits with reason "health" (children.c) */
            return;
        }
    }
    sup_health_arm(s, c);
}

void sup_health_tick(sup_state *s, sup_child *c) {
    c->health_tick_corr = 0;
    if (c->state != C_RUNNING) return;
    uint64_t corr = sup_corr(s);
    actor_future *f = actor_future_new_notify(s->sys, s->id, corr);
    if (!f) {
        sup_health_arm(s, c); /* try again next interval */
        return;
    }
    c->health_probe_corr = corr;
    int rc = c->spec.health(c->spec.arg, s->sys, c->pid, f);
    actor_future_release(f);
    if (rc < 0) {
        char why[64];
        snprintf(why, sizeof why, "health request failed (%s)", strerror(-rc));
        result(s, c, 2, why);
        return;
    }
    if (sup_send_self_background(s, SUP_MSG_HEALTH_TIMEOUT, corr, c->spec.health_timeout_ms) < 0)
        c->health_probe_corr = 0, sup_health_arm(s, c);
}

void sup_health_answer(sup_state *s, sup_child *c, int status, const void *data, size_t len) {
    if (c->state != C_RUNNING) {
        c->health_probe_corr = 0;
        return;
    }
    char why[SUP_REASON_MAX] = "";
    /* the reason text: all of an error's data, or what follows the int */
    const char *text = "";
    size_t tlen = 0;
    if (data && status != 0) {
        text = data;
        tlen = len;
    } else if (data && len > sizeof(int)) {
        text = (const char *)data + sizeof(int);
        tlen = len - sizeof(int);
    }
    size_t n = 0;
    for (size_t i = 0; i < tlen && text[i] && n + 1 < sizeof why; i++)
        why[n++] = (text[i] >= 0x20 && text[i] < 0x7f) ? text[i] : '?';
    why[n] = '\0';
    if (status != 0) {
        if (!n) snprintf(why, sizeof why, "health error (%d)", status);
        result(s, c, 2, why);
        return;
    }
    int level = 2;
    if (len >= sizeof(int)) memcpy(&level, data, sizeof level);
    else snprintf(why, sizeof why, "malformed health answer");
    result(s, c, level == 0 || level == 1 ? level : 2, why);
}

void sup_health_timeout(sup_state *s, sup_child *c) {
    if (c->state != C_RUNNING) {
        c->health_probe_corr = 0;
        return;
    }
    result(s, c, 2, "timeout");
}
