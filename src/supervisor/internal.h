/*
 * internal.h — private structures shared by the supervisor's .c files. Not an interface.
 *
 * A supervisor is a message-driven state machine. Everything it does that has to wait (start a child and
 * wait for its `started` future, stop a child and wait for its exit, ...) is a *step* of a *job*; jobs run
 * one at a time from a FIFO queue:
 *
 *   job kind          steps                                              built when the job begins
 *   JOB_INIT          START every child in order                        (supervisor start)
 *   JOB_RESTART       STOP siblings in reverse, START affected in order  (a child exited and must restart)
 *   JOB_START_CHILD   START the new child                                (start_child request)
 *   JOB_TERMINATE     STOP the child                                     (terminate_child request)
 *   JOB_RESTART_CHILD START the child                                    (restart_child request)
 *   JOB_DELETE        none (answered when it begins)                     (delete_child request)
 *
 * Shutdown is a mode, not a job: it drops every job (requests are answered -ESHUTDOWN), then sup_pump()
 * stops the last child still alive, waits for its exit, and so on (reverse start order); then the actor
 * ends. It needs no allocation, so it works when nothing else can.
 *
 * sup_pump() advances the current job as far as it can and returns; every message handler ends with it.
 * Child exits (ACTOR_MSG_EXIT via links), `started` replies, timers and health answers update a child's
 * state (IDLE -> STARTING -> RUNNING -> STOPPING -> IDLE) whatever job runs; a step only looks at that state.
 *
 * Correlation ids (`corr`, from one counter) tie asynchronous answers to the child they concern: a start
 * reply, a kill timer, a backoff timer, a health tick, a health probe and its timeout. An answer whose corr no
 * child holds any more is stale and ignored.
 */
#ifndef WACTOR_SUPERVISOR_INTERNAL_H
#define WACTOR_SUPERVISOR_INTERNAL_H

#include <jansson.h>
#include <stdatomic.h>

#include "supervisor/supervisor.h"
#include "wactor.h" /* WACTOR_DEFAULT_*: every default in one place */

#define SUP_ID_MAX 63                    /* bytes of a child id (sup_child_info.id holds 63 + NUL) */
#define SUP_REASON_MAX 128

/* Message types the supervisor receives (besides ACTOR_MSG_STOP / EXIT / REPLY). */
enum {
    SUP_MSG_BEGIN = SUP_MSG_FIRST,   /* sent by supervisor_start: run the init job */
    SUP_MSG_WHICH,
    SUP_MSG_COUNT,
    SUP_MSG_START_CHILD,             /* data: sup_req_start */
    SUP_MSG_TERMINATE_CHILD,         /* data: sup_req_id */
    SUP_MSG_RESTART_CHILD,           /* data: sup_req_id */
    SUP_MSG_DELETE_CHILD,            /* data: sup_req_id */
    SUP_MSG_KILL_TIMER,              /* corr: a child's kill_corr (its shutdown timeout expired) */
    SUP_MSG_BACKOFF,                 /* corr: a child's backoff_corr (its restart delay is over) */
    SUP_MSG_HEALTH_TICK,             /* corr: a child's health_tick_corr */
    SUP_MSG_HEALTH_TIMEOUT,          /* corr: a child's health_probe_corr */
    SUP_MSG_END_                     /* one past the last: must not exceed SUP_MSG_LAST */
};
_Static_assert(SUP_MSG_END_ - 1 <= SUP_MSG_LAST, "the supervisor's message types fit in its range");

typedef struct sup_req_start {
    bool has_spec;                   /* false: a simple_one_for_one instance of the template */
    sup_child_spec spec;             /* spec.id is not valid here: see id */
    char id[SUP_ID_MAX + 1];
} sup_req_start;

typedef struct sup_req_id {
    actor_id pid;
    char id[SUP_ID_MAX + 1];
} sup_req_id;

/* ------------------------------------------------------------------ children (children.c) */

/* A child spec's `arg`, shared by every copy of the spec; arg_free runs when the last reference goes. */
struct sup_hold {
    atomic_uint refs;
    void *arg;
    void (*arg_free)(void *arg);     /* NULL: borrowed (someone else frees it) */
};

sup_hold *sup_hold_new(void *arg, void (*arg_free)(void *));

typedef enum child_state { C_IDLE, C_STARTING, C_RUNNING, C_STOPPING } child_state;

typedef struct sup_child {
    uint64_t key;                    /* unique within the supervisor, never reused */
    char id[SUP_ID_MAX + 1];
    sup_child_spec spec;             /* spec.id -> id, spec.arg == hold->arg; defaults filled in */
    sup_hold *hold;
    bool dynamic;                    /* a simple_one_for_one instance */

    child_state state;
    actor_id pid;                    /* 0 when IDLE */
    uint32_t restarts;               /* successful restarts (which_children) */

    /* starting */
    uint64_t start_corr;             /* the `started` future's corr while STARTING */
    bool start_is_restart;
    bool start_failed;               /* the last start failed (the step reads it) */
    int fail_status;
    char fail_reason[SUP_REASON_MAX];

    /* stopping */
    bool stop_requested;             /* STOPPING because a job / request asked for it */
    bool health_stop;                /* STOPPING because of failed health checks */
    uint64_t kill_corr;              /* pending shutdown-timeout kill */

    /* restarting */
    uint64_t backoff_corr;           /* pending delayed restart */
    uint32_t consecutive;            /* restarts in a row without a period of uptime (backoff exponent) */
    uint64_t started_ms;

    /* health */
    uint64_t health_tick_corr;
    uint64_t health_probe_corr;
    uint32_t unhealthy_run;
} sup_child;

/* ------------------------------------------------------------------ jobs (jobs.c) */

typedef enum job_kind {
    JOB_INIT, JOB_RESTART, JOB_START_CHILD, JOB_TERMINATE, JOB_RESTART_CHILD, JOB_DELETE
} job_kind;

typedef struct sup_step {
    bool stop;                       /* STOP (else START) */
    bool begun;                      /* START: the start was issued */
    bool restart;                    /* START: report it as a restart */
    uint64_t key;                    /* the child */
} sup_step;

typedef struct sup_job {
    struct sup_job *next;
    job_kind kind;
    uint64_t key;                    /* RESTART: the child that exited; requests: the child found */
    actor_future *reply;             /* a request's answer (owned), or NULL */
    sup_child *pending;              /* START_CHILD: the child to add (owned until added) */
    sup_req_id req;                  /* TERMINATE / RESTART_CHILD / DELETE: which child */
    sup_step *steps;
    size_t nsteps, pos;
} sup_job;

/* ------------------------------------------------------------------ the supervisor */

typedef struct sup_state {
    actor *self;                     /* valid inside a handler */
    actor_system *sys;
    actor_id id;
    actor_id parent;
    char *name;                      /* NULL if unnamed */

    sup_strategy strategy;
    uint32_t intensity, period_ms;
    uint32_t backoff_initial_ms, backoff_max_ms;
    double backoff_multiplier;
    sup_event_fn event;
    void *event_user;

    sup_child *tmpl;                 /* simple_one_for_one template (not in kids) */
    sup_child **kids;                /* in start order */
    size_t nkids, capkids;
    uint64_t next_key, next_corr;

    uint64_t *restart_ms;            /* restart times within the current period (intensity window) */
    size_t nrestart, caprestart;

    sup_job *cur;                    /* the job in progress */
    sup_job *qhead, *qtail;          /* jobs waiting */

    actor_future *started;           /* completed once: init done / failed */
    int start_status;                /* what `started` completes with if init did not finish */
    char start_text[SUP_REASON_MAX + SUP_ID_MAX + 32];

    bool began;                      /* SUP_MSG_BEGIN handled */
    bool shutting_down;
    actor_exit exit;                 /* the reason the supervisor will exit with */
    char shutdown_why[64];           /* supervisor_shutdown event's reason */

    sup_hold *keepalive;             /* nested: keeps the parent's copy of our sup_spec alive */
} sup_state;

/* children.c */
sup_child *sup_child_new(sup_state *s, const sup_child_spec *spec, const char *id, sup_hold *hold);
void sup_child_free(sup_child *c);
sup_child *sup_child_by_key(sup_state *s, uint64_t key);
sup_child *sup_child_by_id(sup_state *s, const char *id);
sup_child *sup_child_by_pid(sup_state *s, actor_id pid);
long sup_child_index(sup_state *s, const sup_child *c);
int sup_child_add(sup_state *s, sup_child *c);           /* appends; 0 or -ENOMEM */
void sup_child_remove(sup_state *s, sup_child *c);       /* unlinks and frees */
void sup_reason_text(const actor_exit *r, char *buf, size_t cap);
void sup_which_children(sup_state *s, actor_future *reply);
void sup_count_children(sup_state *s, actor_future *reply);
/* Sets the start/stop machinery of one child in motion. */
void sup_child_begin_start(sup_state *s, sup_child *c, bool restart);
void sup_child_begin_stop(sup_state *s, sup_child *c, bool requested);
void sup_child_on_started(sup_state *s, sup_child *c, int status, const void *data, size_t len);
void sup_child_on_exit(sup_state *s, sup_child *c, const actor_exit *reason);
void sup_child_kill_timeout(sup_state *s, sup_child *c);

/* jobs.c */
void sup_enqueue(sup_state *s, sup_job *j);
sup_job *sup_job_new(job_kind kind, uint64_t key, actor_future *reply);
void sup_job_free(sup_job *j, int reply_status);          /* completes an unanswered reply */
bool sup_pump(sup_state *s);                              /* true: the supervisor is finished */
void sup_begin_shutdown(sup_state *s, const actor_exit *exit, const char *why);
bool sup_exit_absorbed(sup_state *s, const sup_child *c);
void sup_complete_started(sup_state *s, int status, const char *text);

/* restart.c */
bool sup_should_restart(const sup_child *c, const actor_exit *reason, bool health);
void sup_schedule_restart(sup_state *s, sup_child *c);    /* counts intensity; may begin shutdown */
void sup_backoff_expired(sup_state *s, sup_child *c);

/* health.c */
void sup_health_arm(sup_state *s, sup_child *c);
void sup_health_cancel(sup_child *c);
void sup_health_tick(sup_state *s, sup_child *c);
void sup_health_answer(sup_state *s, sup_child *c, int status, const void *data, size_t len);
void sup_health_timeout(sup_state *s, sup_child *c);

/* events.c: one JSON object per event; "event", "supervisor", "child", "reason" always present. */
json_t *sup_event_new(const sup_state *s, const char *event, const sup_child *c, const char *reason);
void sup_event_emit(const sup_state *s, json_t *ev);     /* steals ev */
void sup_emit_child(const sup_state *s, const char *event, const sup_child *c, actor_id pid, const char *reason);

/* supervisor.c */
uint64_t sup_corr(sup_state *s);
int sup_send_self_after(sup_state *s, uint32_t type, uint64_t corr, uint32_t delay_ms);
/* The same with a background timer (actor_send_after_background): health ticks and probe timeouts, so that
 * health checks alone do not keep a system from being idle (wactor_wait_idle, `wactor run --until-idle`). */
int sup_send_self_background(sup_state *s, uint32_t type, uint64_t corr, uint32_t delay_ms);

#endif /* WACTOR_SUPERVISOR_INTERNAL_H */
