/*
 * restart.c — whether a child is restarted (its restart type), the restart intensity window, and backoff.
 *
 * Intensity (OTP): every restart is timestamped; timestamps older than period_ms are forgotten; when more
 * than `intensity` remain, the supervisor gives up: it stops every child and exits with reason shutdown.
 * A restart whose start fails is retried as another restart, so it counts again.
 *
 * Backoff (not in OTP; off unless backoff_initial_ms > 0): the n-th consecutive restart of one child waits
 * initial * multiplier^(n-1) ms, at most backoff_max_ms (0: no cap). The count goes back to zero once the
 * child stayed up for a whole period.
 */
#include "common/clock.h"
#include "supervisor/internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

bool sup_should_restart(const sup_child *c, const actor_exit *reason, bool health) {
    switch (c->spec.restart) {
    case SUP_PERMANENT: return true;
    case SUP_TRANSIENT:
        /* normal and shutdown (any {shutdown, _} too: the kind carries no detail) are normal exits */
        return health || (reason->kind != ACTOR_EXIT_NORMAL && reason->kind != ACTOR_EXIT_SHUTDOWN);
    case SUP_TEMPORARY:
    default: return false;
    }
}

/* Records a restart now; false if that makes more than `intensity` within `period_ms`. */
static bool add_restart(sup_state *s) {
    uint64_t now = clock_mono_ms();
    size_t keep = 0;
    for (size_t i = 0; i < s->nrestart; i++)
        if (now - s->restart_ms[i] < s->period_ms) s->restart_ms[keep++] = s->restart_ms[i];
    s->nrestart = keep;
    if (s->nrestart == s->caprestart) {
        size_t cap = s->caprestart ? s->caprestart * 2 : 8;
        uint64_t *v = realloc(s->restart_ms, cap * sizeof *v);
        if (!v) return false; /* cannot keep count: give up as OTP would on exceeding */
        s->restart_ms = v;
        s->caprestart = cap;
    }
    s->restart_ms[s->nrestart++] = now;
    return s->nrestart <= s->intensity;
}

static uint32_t backoff_delay(sup_state *s, sup_child *c) {
    if (!s->backoff_initial_ms) return 0;
    uint64_t now = clock_mono_ms();
    if (c->started_ms && now - c->started_ms >= s->period_ms && c->consecutive) c->consecutive = 0;
    c->consecutive++;
    double cap = s->backoff_max_ms ? (double)s->backoff_max_ms : (double)UINT32_MAX;
    double d = (double)s->backoff_initial_ms;
    for (uint32_t i = 1; i < c->consecutive && d < cap; i++) d *= s->backoff_multiplier;
    return (uint32_t)(d < cap ? d : cap);
}

static void enqueue_restart(sup_state *s, sup_child *c) {
    sup_job *j = sup_job_new(JOB_RESTART, c->key, NULL);
    if (!j) {
        actor_exit ex = {.kind = ACTOR_EXIT_ERROR, .code = -ENOMEM};
        strcpy(ex.text, "out of memory");
        sup_begin_shutdown(s, &ex, "out of memory");
        return;
    }
    sup_enqueue(s, j);
}

void sup_schedule_restart(sup_state *s, sup_child *c) {
    if (!add_restart(s)) {
        actor_exit ex = {.kind = ACTOR_EXIT_SHUTDOWN};
        sup_begin_shutdown(s, &ex, "reached_max_restart_intensity");
        return;
    }
    uint32_t delay = backoff_delay(s, c);
    if (s->event) {
        json_t *ev = sup_event_new(s, "child_restarting", c, NULL);
        if (ev) json_object_set_new(ev, "delay_ms", json_integer(delay));
        sup_event_emit(s, ev);
    }
    if (delay) {
        c->backoff_corr = sup_corr(s);
        if (sup_send_self_after(s, SUP_MSG_BACKOFF, c->backoff_corr, delay) == 0) return;
        c->backoff_corr = 0; /* could not set the timer: restart now */
    }
    enqueue_restart(s, c);
}

void sup_backoff_expired(sup_state *s, sup_child *c) {
    c->backoff_corr = 0;
    if (c->state == C_IDLE && !s->shutting_down) enqueue_restart(s, c);
}
