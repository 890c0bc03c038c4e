/*
 * jobs.c — the supervisor's queue of pending operations and the step engine that runs them (see
 * internal.h for the table of jobs). One job runs at a time; its steps are built when it begins, from the
 * state of the children at that moment. A step waits on one child's state:
 *   STOP  child: done when the child is IDLE or gone; otherwise stop it (per its shutdown) and wait.
 *   START child: skipped unless the child is IDLE; otherwise start it, then done when RUNNING, failed when
 *                it is back to IDLE with start_failed.
 * A shutdown preempts: the current and queued jobs are answered with -ESHUTDOWN and dropped.
 */
#include "supervisor/internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ jobs */

sup_job *sup_job_new(job_kind kind, uint64_t key, actor_future *reply) {
    sup_job *j = calloc(1, sizeof *j);
    if (!j) return NULL;
    j->kind = kind;
    j->key = key;
    j->reply = reply;
    return j;
}

void sup_job_free(sup_job *j, int reply_status) {
    if (!j) return;
    if (j->reply) {
        actor_future_complete(j->reply, reply_status, NULL, 0); /* -EALREADY if answered: fine */
        actor_future_release(j->reply);
    }
    if (j->pending) {
        j->pending->hold->arg_free = NULL; /* never added: the requester keeps its arg */
        sup_child_free(j->pending);
    }
    free(j->steps);
    free(j);
}

void sup_enqueue(sup_state *s, sup_job *j) {
    j->next = NULL;
    if (s->qtail)
        s->qtail->next = j;
    else
        s->qhead = j;
    s->qtail = j;
}

static void reply(sup_job *j, int status, void *data, size_t len) {
    if (!j->reply) {
        free(data);
        return;
    }
    actor_future_complete(j->reply, status, data, len);
    actor_future_release(j->reply);
    j->reply = NULL;
}

static void reply_pid(sup_job *j, actor_id pid) {
    actor_id *p = malloc(sizeof *p);
    if (p) *p = pid;
    reply(j, p ? 0 : -ENOMEM, p, p ? sizeof *p : 0);
}

static int add_step(sup_job *j, bool stop, bool restart, uint64_t key) {
    sup_step *v = realloc(j->steps, (j->nsteps + 1) * sizeof *v);
    if (!v) return -ENOMEM;
    j->steps = v;
    j->steps[j->nsteps++] = (sup_step){.stop = stop, .restart = restart, .key = key};
    return 0;
}

void sup_complete_started(sup_state *s, int status, const char *text) {
    if (!s->started) return;
    char *data = NULL;
    size_t len = 0;
    if (status != 0 && text && *text && (data = strdup(text))) len = strlen(data) + 1;
    actor_future_complete(s->started, status, data, len);
    actor_future_release(s->started);
    s->started = NULL;
}

/* ------------------------------------------------------------------ which children a restart touches */

/* Whether restarting `failed` (per the strategy) stops and starts `c` as well. */
static bool restart_touches(sup_state *s, const sup_child *failed, const sup_child *c) {
    switch (s->strategy) {
    case SUP_ONE_FOR_ALL: return true;
    case SUP_REST_FOR_ONE: return sup_child_index(s, c) >= sup_child_index(s, failed);
    default: return c == failed;
    }
}

/* A child that exits while a job is about to stop it, or while a queued restart will restart it anyway,
 * needs no restart of its own (OTP's synchronous restart consumes such an EXIT the same way). */
bool sup_exit_absorbed(sup_state *s, const sup_child *c) {
    if (s->cur)
        for (size_t i = s->cur->pos; i < s->cur->nsteps; i++) {
            const sup_step *st = &s->cur->steps[i];
            if (st->key == c->key && (st->stop || !st->begun)) return true;
        }
    for (const sup_job *j = s->qhead; j; j = j->next) {
        if (j->kind != JOB_RESTART) continue;
        const sup_child *failed = sup_child_by_key(s, j->key);
        if (failed && failed != c && restart_touches(s, failed, c)) return true;
    }
    return false;
}

/* ------------------------------------------------------------------ beginning a job */

static int build_restart(sup_state *s, sup_job *j, sup_child *failed) {
    long at = sup_child_index(s, failed);
    for (long i = (long)s->nkids - 1; i >= 0; i--) {
        sup_child *c = s->kids[i];
        if (c != failed && restart_touches(s, failed, c) && c->state != C_IDLE && add_step(j, true, false, c->key))
            return -ENOMEM;
    }
    size_t from = s->strategy == SUP_ONE_FOR_ALL ? 0 : (size_t)at;
    for (size_t i = from; i < s->nkids; i++) {
        sup_child *c = s->kids[i];
        if (restart_touches(s, failed, c) && add_step(j, false, true, c->key)) return -ENOMEM;
    }
    return 0;
}

static sup_child *find_requested(sup_state *s, const sup_job *j) {
    if (s->strategy == SUP_SIMPLE_ONE_FOR_ONE) return j->req.pid ? sup_child_by_pid(s, j->req.pid) : NULL;
    return sup_child_by_id(s, j->req.id);
}

/* Drops a pending restart of `c`: its backoff timer and queued restart jobs. */
static void cancel_restarts(sup_state *s, sup_child *c) {
    c->backoff_corr = 0;
    sup_job **pp = &s->qhead;
    s->qtail = NULL;
    while (*pp) {
        sup_job *j = *pp;
        if (j->kind == JOB_RESTART && j->key == c->key) {
            *pp = j->next;
            sup_job_free(j, -ESHUTDOWN);
        } else {
            s->qtail = j;
            pp = &j->next;
        }
    }
}

/* Validates a job against the children as they are now and builds its steps. Returns false if the job
 * is already finished (answered, or nothing to do): it is then freed. */
static bool job_begin(sup_state *s, sup_job *j) {
    sup_child *c = NULL;
    switch (j->kind) {
    case JOB_INIT:
        for (size_t i = 0; i < s->nkids; i++)
            if (add_step(j, false, false, s->kids[i]->key)) goto nomem;
        return true;
    case JOB_RESTART:
        c = sup_child_by_key(s, j->key);
        if (!c || c->state != C_IDLE) return false; /* gone, or restarted meanwhile by a group restart */
        if (build_restart(s, j, c)) goto nomem;
        return true;
    case JOB_START_CHILD:
        if (!j->pending->dynamic && sup_child_by_id(s, j->pending->id)) {
            reply(j, -EEXIST, NULL, 0);
            return false;
        }
        if (add_step(j, false, false, j->pending->key) || sup_child_add(s, j->pending)) goto nomem;
        c = j->pending;
        j->pending = NULL; /* now in the list; the job frees it no more */
        j->key = c->key;
        return true;
    case JOB_TERMINATE:
        if (!(c = find_requested(s, j))) {
            reply(j, -ENOENT, NULL, 0);
            return false;
        }
        cancel_restarts(s, c); /* OTP: terminating a restarting child leaves it terminated */
        j->key = c->key;
        if (add_step(j, true, false, c->key)) goto nomem;
        return true;
    case JOB_RESTART_CHILD:
    case JOB_DELETE:
        if (s->strategy == SUP_SIMPLE_ONE_FOR_ONE) {
            reply(j, -EINVAL, NULL, 0);
            return false;
        }
        if (!(c = find_requested(s, j))) {
            reply(j, -ENOENT, NULL, 0);
            return false;
        }
        if (c->state != C_IDLE || c->backoff_corr) { /* running, or a restart is pending */
            reply(j, -EBUSY, NULL, 0);
            return false;
        }
        if (j->kind == JOB_DELETE) {
            sup_child_remove(s, c);
            reply(j, 0, NULL, 0);
            return false;
        }
        j->key = c->key;
        if (add_step(j, false, true, c->key)) goto nomem;
        return true;
    }
    return false;
nomem:
    reply(j, -ENOMEM, NULL, 0);
    if (j->kind == JOB_INIT || j->kind == JOB_RESTART) { /* cannot do what OTP must: give up */
        actor_exit ex = {.kind = ACTOR_EXIT_SHUTDOWN};
        s->start_status = -ENOMEM;
        sup_begin_shutdown(s, &ex, "shutdown");
    }
    return false;
}

/* ------------------------------------------------------------------ finishing a job */

/* Answers the current job's request and frees it. */
static void job_done(sup_state *s) {
    sup_job *j = s->cur;
    s->cur = NULL;
    sup_child *c = sup_child_by_key(s, j->key);
    switch (j->kind) {
    case JOB_INIT: sup_complete_started(s, 0, NULL); break;
    case JOB_START_CHILD:
    case JOB_RESTART_CHILD:
        if (c && c->state == C_RUNNING)
            reply_pid(j, c->pid);
        else
            reply(j, -ECHILD, NULL, 0); /* it started and died before the job ended */
        break;
    case JOB_TERMINATE: reply(j, 0, NULL, 0); break;
    default: break;
    }
    sup_job_free(j, -ESHUTDOWN);
}

/* The START step for `c` failed. Detaches and frees the current job; may begin a shutdown. */
static void job_failed(sup_state *s, sup_child *c) {
    sup_job *j = s->cur;
    s->cur = NULL;
    sup_emit_child(s, "start_failed", c, 0, c->fail_reason);
    switch (j->kind) {
    case JOB_INIT: {
        actor_exit ex = {.kind = ACTOR_EXIT_SHUTDOWN};
        s->start_status = c->fail_status;
        snprintf(s->start_text, sizeof s->start_text, "failed to start child '%s': %s", c->id, c->fail_reason);
        sup_begin_shutdown(s, &ex, "shutdown");
        break;
    }
    case JOB_RESTART: sup_schedule_restart(s, c); break; /* OTP's try_again: another restart attempt */
    case JOB_START_CHILD: {
        char *why = strdup(c->fail_reason);
        reply(j, c->fail_status, why, why ? strlen(why) + 1 : 0);
        c->hold->arg_free = NULL; /* not added: the requester keeps its arg */
        sup_child_remove(s, c);
        break;
    }
    default: {
        char *why = strdup(c->fail_reason);
        reply(j, c->fail_status, why, why ? strlen(why) + 1 : 0);
        break;
    }
    }
    sup_job_free(j, -ESHUTDOWN);
}

/* ------------------------------------------------------------------ the engine */

enum { STEP_NEXT, STEP_WAIT, STEP_FAILED };

static int step_run(sup_state *s, sup_step *st, sup_child **failed) {
    sup_child *c = sup_child_by_key(s, st->key);
    if (st->stop) {
        if (!c || c->state == C_IDLE) return STEP_NEXT;
        if (c->state != C_STOPPING || !c->stop_requested) sup_child_begin_stop(s, c, true);
        return STEP_WAIT;
    }
    if (!st->begun) {
        if (!c || c->state != C_IDLE) return STEP_NEXT;
        st->begun = true;
        sup_child_begin_start(s, c, st->restart);
    }
    if (!c) return STEP_NEXT;
    if (c->state == C_RUNNING) return STEP_NEXT;
    if (c->state == C_IDLE && c->start_failed) {
        *failed = c;
        return STEP_FAILED;
    }
    if (c->state == C_IDLE) return STEP_NEXT; /* started, then exited already: its exit was handled */
    return STEP_WAIT;
}

/* Shutting down: stop the last child still alive and wait; when none is left, end. True: finished. */
static bool shutdown_step(sup_state *s) {
    for (size_t i = s->nkids; i-- > 0;) {
        sup_child *c = s->kids[i];
        if (c->state == C_IDLE) continue;
        if (c->state != C_STOPPING || !c->stop_requested) sup_child_begin_stop(s, c, true);
        return false;
    }
    sup_event_emit(s, s->event ? sup_event_new(s, "supervisor_shutdown", NULL, s->shutdown_why) : NULL);
    sup_complete_started(s, s->start_status, s->start_text);
    actor_set_exit(s->self, &s->exit);
    return true;
}

bool sup_pump(sup_state *s) {
    for (;;) {
        if (s->shutting_down) return shutdown_step(s);
        if (!s->cur) {
            sup_job *j = s->qhead;
            if (!j) return false;
            s->qhead = j->next;
            if (!s->qhead) s->qtail = NULL;
            j->next = NULL;
            if (!job_begin(s, j)) {
                sup_job_free(j, -ESHUTDOWN);
                continue;
            }
            s->cur = j;
        }
        sup_job *j = s->cur;
        if (j->pos == j->nsteps) {
            job_done(s);
            continue;
        }
        sup_child *failed = NULL;
        switch (step_run(s, &j->steps[j->pos], &failed)) {
        case STEP_WAIT: return false;
        case STEP_NEXT: j->pos++; break;
        case STEP_FAILED: job_failed(s, failed); break;
        }
    }
}

/* ------------------------------------------------------------------ shutdown */

/* Drops every job (answering requests with -ESHUTDOWN) and switches to shutdown mode: sup_pump() then stops
 * the children in reverse start order and ends the supervisor with `exit`. The first shutdown wins. */
void sup_begin_shutdown(sup_state *s, const actor_exit *exit, const char *why) {
    if (s->shutting_down) return;
    s->shutting_down = true;
    s->exit = *exit;
    snprintf(s->shutdown_why, sizeof s->shutdown_why, "%s", why);
    if (s->cur) {
        sup_job *cur = s->cur;
        s->cur = NULL;
        sup_job_free(cur, -ESHUTDOWN);
    }
    while (s->qhead) {
        sup_job *j = s->qhead;
        s->qhead = j->next;
        sup_job_free(j, -ESHUTDOWN);
    }
    s->qtail = NULL;
    for (size_t i = 0; i < s->nkids; i++) s->kids[i]->backoff_corr = 0;
}
