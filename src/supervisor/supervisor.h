/*
 * supervisor.h — OTP supervisors as native actors (Erlang/OTP "supervisor" behaviour, design principles
 * chapter "Supervisor Behaviour"): child specs, restart strategies, restart types, intensity/period,
 * shutdown order, optional restart backoff, health monitoring, and events.
 *
 * A supervisor is an actor that traps exits and links to its children. It starts children in order, each
 * only after the previous one reported ready, and stops them in reverse order. It knows nothing of
 * WebAssembly: a child spec says how to start a child (a callback) and, optionally, how to probe its health.
 *
 * Thread-safety: supervisor_start() and the request helpers may be called from any thread; the specs passed
 * in are copied (callbacks' `arg` is shared and freed with arg_free when the last copy goes).
 */
#ifndef WACTOR_SUPERVISOR_H
#define WACTOR_SUPERVISOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "actor/actor.h"

typedef enum sup_strategy { SUP_ONE_FOR_ONE, SUP_ONE_FOR_ALL, SUP_REST_FOR_ONE, SUP_SIMPLE_ONE_FOR_ONE } sup_strategy;
typedef enum sup_restart { SUP_PERMANENT, SUP_TRANSIENT, SUP_TEMPORARY } sup_restart;
typedef enum sup_child_type { SUP_WORKER, SUP_SUPERVISOR } sup_child_type;

#define SUP_BRUTAL_KILL (-1)      /* shutdown_ms value: kill at once, no cleanup */
#define SUP_INFINITY    (-2)      /* shutdown_ms value: wait as long as it takes (default for supervisors) */

typedef struct sup_child_spec {
    const char *id;               /* unique among the supervisor's children; copied */
    sup_restart restart;
    int shutdown_ms;              /* > 0 timeout for an orderly stop, SUP_BRUTAL_KILL, or SUP_INFINITY */
    sup_child_type type;
    /* Starts one instance of the child: spawn it linked to `sup` (actor_spawn_opts.link = sup) and complete
     * `started` (retain it if kept) with status 0 once it is ready, or a negative status (data: a
     * NUL-terminated reason text, or NULL) if it failed. Returns 0 with *out = the child's id, or a negative
     * errno if nothing was spawned. Called on the supervisor's scheduler thread: must not block. */
    int (*start)(void *arg, actor_system *sys, actor_id sup, actor_future *started, actor_id *out);
    /* Optional: sends a health request to `child` that completes `reply` with status 0 and data beginning
     * with an int (0 healthy, 1 degraded, 2 unhealthy); anything else counts as unhealthy. */
    int (*health)(void *arg, actor_system *sys, actor_id child, actor_future *reply);
    void *arg;
    void (*arg_free)(void *arg);  /* may be NULL */
    uint32_t health_interval_ms;  /* 0 = no health monitoring */
    uint32_t health_timeout_ms;   /* no answer within this counts as unhealthy (default 1000) */
    uint32_t health_threshold;    /* this many unhealthy results in a row terminate the child with reason
                                     "health" (default 3) */
} sup_child_spec;

/* An event line: one JSON object, no newline, e.g.
 * {"event":"child_exited","supervisor":"root","child":"worker","pid":7,"reason":"integer divide by zero"} */
typedef void (*sup_event_fn)(void *user, const char *json);

typedef struct sup_spec {
    const char *name;             /* copied; used in events and registered as the supervisor's name if set */
    sup_strategy strategy;
    uint32_t intensity;           /* max restarts within period (OTP default 1) */
    uint32_t period_ms;           /* (OTP default 5000) */
    uint32_t backoff_initial_ms;  /* 0 = no backoff (OTP's behaviour): restart at once */
    double backoff_multiplier;    /* delay *= multiplier per consecutive restart of the same child (>= 1) */
    uint32_t backoff_max_ms;
    const sup_child_spec *children; /* for simple_one_for_one: exactly one, the template */
    size_t nchildren;
    sup_event_fn event;           /* may be NULL; called on scheduler threads, in order per supervisor */
    void *event_user;
} sup_spec;

/* Spawns a supervisor (linked to `parent` unless 0) that starts its children in order. `started` (may be
 * NULL) completes with 0 once all children are ready, or a negative status if a child failed to start (the
 * supervisor then stops the ones it started, in reverse order, and exits with reason shutdown).
 * Returns 0 with *out, -EINVAL (bad spec: duplicate ids, simple_one_for_one without exactly one child),
 * -ENOMEM, -ENOENT (parent dead). */
int supervisor_start(actor_system *sys, const sup_spec *spec, actor_id parent, actor_future *started,
                     actor_id *out);

/* A sup_child_spec.start for a nested supervisor: `arg` is a sup_spec* (the caller keeps it alive for as
 * long as the parent spec lives). */
int supervisor_child_start(void *arg, actor_system *sys, actor_id sup, actor_future *started, actor_id *out);

/* ---- requests to a running supervisor (OTP supervisor module functions). Each sends a message whose
 * answer completes `reply` (from any thread: wait on it; from an actor: use actor_future_new_notify). ---- */

typedef struct sup_child_info {
    char id[64];                  /* child id; for simple_one_for_one children: "" */
    actor_id pid;                 /* 0 = not running (restarting / terminated) */
    sup_child_type type;
    sup_restart restart;
    uint32_t restarts;            /* times this child was restarted */
} sup_child_info;

/* reply data: an array of sup_child_info, in start order. */
int supervisor_which_children(actor_system *sys, actor_id sup, actor_future *reply);

/* reply data: a sup_counts. */
typedef struct sup_counts { uint32_t specs, active, supervisors, workers; } sup_counts;
int supervisor_count_children(actor_system *sys, actor_id sup, actor_future *reply);

/* Adds and starts a child (for simple_one_for_one `spec` is ignored (NULL) and a new instance of the
 * template is started). reply: status 0 with data an actor_id, or -EEXIST / -EINVAL / start failure. */
int supervisor_start_child(actor_system *sys, actor_id sup, const sup_child_spec *spec, actor_future *reply);
/* Stops child `id` (for simple_one_for_one: the child whose pid is `pid`) per its shutdown; the spec stays.
 * reply: 0 or -ENOENT. */
int supervisor_terminate_child(actor_system *sys, actor_id sup, const char *id, actor_id pid, actor_future *reply);
/* Starts a terminated child again. reply: 0, -ENOENT, -EBUSY (running). */
int supervisor_restart_child(actor_system *sys, actor_id sup, const char *id, actor_future *reply);
/* Removes a terminated child's spec. reply: 0, -ENOENT, -EBUSY (running). */
int supervisor_delete_child(actor_system *sys, actor_id sup, const char *id, actor_future *reply);

#endif /* WACTOR_SUPERVISOR_H */
