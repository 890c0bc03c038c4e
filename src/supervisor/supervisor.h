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
 *
 * Ownership of a child spec's `arg`:
 *   - supervisor_start() returning 0: the supervisor owns the children's args and calls arg_free once, when
 *     its last copy goes (the supervisor ended; a temporary/dynamic child's own spec was removed). On an
 *     error return nothing was taken: the caller still owns them.
 *   - supervisor_child_start() (a nested supervisor): the nested sup_spec and everything in it belong to the
 *     parent's copy of that child spec (whose arg_free frees the whole nested spec); the nested supervisor
 *     never calls its children's arg_free, and it keeps the parent's copy alive while it runs, so a nested
 *     supervisor restarted any number of times, or outliving a killed parent briefly, always reads valid
 *     memory.
 *   - supervisor_start_child(): the supervisor owns spec->arg only if the reply status is 0; on any error
 *     (including -ENOENT: the supervisor was gone) the caller keeps it.
 *   `arg` is only used inside start() and health() calls.
 *
 * Restarts (OTP): a child that exits is restarted per its restart type (permanent: always; transient: unless
 * normal or shutdown; temporary: never, and its spec is removed). one_for_one restarts it alone;
 * one_for_all stops every other running child (reverse start order) and starts all children again in
 * order — as OTP, that includes children that were terminated or had exited normally; rest_for_one does
 * the same for the children started after it. Temporary children stopped by such a group restart are
 * removed. A restart whose start fails is retried and counts as another restart. More than `intensity`
 * restarts within `period_ms`: stop all children (reverse order), exit with reason shutdown.
 *
 * Stopping a child (per its shutdown_ms): SUP_BRUTAL_KILL sends an exit signal ACTOR_EXIT_KILLED; a
 * timeout sends ACTOR_MSG_STOP whose payload is a uint32 cleanup budget in ms (= the timeout) and, if the
 * child has not exited by then, kills it; SUP_INFINITY sends ACTOR_MSG_STOP with budget UINT32_MAX and
 * waits. A child that exits normally after being asked to stop is reported as exiting with "shutdown".
 *
 * Events (sup_event_fn), one JSON object per event; every event has "event", "supervisor" (its name, or
 * null), "child" (id, or null) and "reason" (text, or null). Exit reasons are "normal", "shutdown",
 * "killed", "noproc", or the text of an ACTOR_EXIT_ERROR ("error <code>" if it has none).
 *   child_started      "pid", "restart": whether it is a restart (also for siblings of a group restart)
 *   child_exited       "pid", "reason": why it ended ("health" when health checks ended it)
 *   child_restarting   "delay_ms": a restart was decided (delay_ms > 0: backoff)
 *   start_failed       "reason": the failure text (child null: the supervisor's name could not be taken)
 *   health             "pid", "status": "degraded" | "unhealthy", "reason" (the answer's text, "timeout",
 *                      or null), "count" (unhealthy results in a row) for unhealthy
 *   supervisor_shutdown "reason": "reached_max_restart_intensity", "shutdown" (stop request, or a child
 *                      failed to start at init), or the parent's exit reason when the parent ended
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
#define SUP_INTENSITY_ZERO UINT32_MAX /* sup_spec.intensity: zero restarts (0 there is the default) */

typedef struct sup_hold sup_hold;  /* a child spec's shared `arg` (opaque) */

/* What a start callback is given, besides its `arg`. Valid during the call only. */
typedef struct sup_start_ctx {
    actor_system *sys;
    actor_id sup;                 /* the supervisor: link the child to it */
    actor_future *started;        /* complete it once the child is ready or has failed */
    sup_hold *arg_hold;           /* what keeps `arg` alive: sup_hold_retain() it to use `arg` after the
                                     call (a nested supervisor does: its spec is its parent's `arg`) */
} sup_start_ctx;

/* A reference on a child spec's `arg`: while held, arg_free is not called. Thread-safe. */
void sup_hold_retain(sup_hold *h);
void sup_hold_release(sup_hold *h);  /* NULL is a no-op */

typedef struct sup_child_spec {
    const char *id;               /* unique among the supervisor's children; 1..63 bytes; copied */
    sup_restart restart;
    int shutdown_ms;              /* > 0 timeout for an orderly stop, SUP_BRUTAL_KILL, or SUP_INFINITY;
                                     0 = OTP's default: WACTOR_DEFAULT_SHUTDOWN_MS for workers,
                                     SUP_INFINITY for supervisors */
    sup_child_type type;
    /* Starts one instance of the child: spawn it linked to ctx->sup (actor_spawn_opts.link = ctx->sup) and
     * complete ctx->started (retain it if kept) with status 0 once it is ready, or a negative errno value if
     * it failed to start, with data that start_failure (below) can read, or else a NUL-terminated reason
     * text, or NULL. Returns 0 with *out = the child's id, or a negative errno if nothing was spawned.
     * Called on the supervisor's scheduler thread: must not block. */
    int (*start)(void *arg, const sup_start_ctx *ctx, actor_id *out);
    /* Optional: the reason text (NUL-terminated, at most cap - 1 bytes) of a failed start, from the
     * status and data `started` was completed with. Lets a start that answers with its own structure (the
     * runtime's components answer with a wactor_diag) keep the supervisor ignorant of it. NULL: the data
     * is read as text. The supervisor prints the result with non-printable bytes replaced. */
    void (*start_failure)(void *arg, int status, const void *data, size_t len, char *reason, size_t cap);
    /* Optional: sends a health request to `child` that completes `reply` with status 0 and data beginning
     * with an int (0 healthy, 1 degraded, 2 unhealthy), optionally followed by a reason text; any other
     * value, an error status (its data: a reason text), a negative return, or no answer within
     * health_timeout_ms counts as unhealthy. Called on the supervisor's scheduler thread: must not block. */
    int (*health)(void *arg, actor_system *sys, actor_id child, actor_future *reply);
    void *arg;
    void (*arg_free)(void *arg);  /* may be NULL */
    uint32_t health_interval_ms;  /* 0 = no health monitoring; one probe at a time, the next one
                                     health_interval_ms after the previous answer */
    uint32_t health_timeout_ms;   /* no answer within this counts as unhealthy (0: default 1000) */
    uint32_t health_threshold;    /* this many unhealthy results in a row stop the child (per shutdown_ms)
                                     and it counts as an abnormal exit with reason "health", restarted per
                                     its restart type (0: default 3). Degraded is reported, not acted on,
                                     and breaks the run like healthy. */
} sup_child_spec;

/* An event line: one JSON object, no newline, e.g.
 * {"event":"child_exited","supervisor":"root","child":"worker","pid":7,"reason":"integer divide by zero"} */
typedef void (*sup_event_fn)(void *user, const char *json);

typedef struct sup_spec {
    const char *name;             /* copied; used in events and registered as the supervisor's name if set */
    sup_strategy strategy;
    uint32_t intensity;           /* max restarts within period; 0 = OTP's default (WACTOR_DEFAULT_INTENSITY,
                                     1); SUP_INTENSITY_ZERO = OTP's intensity 0: no restart at all, the first
                                     exit that would be restarted shuts the supervisor down */
    uint32_t period_ms;           /* 0 = OTP's default 5000 */
    uint32_t backoff_initial_ms;  /* 0 = no backoff (OTP's behaviour): restart at once */
    double backoff_multiplier;    /* delay *= multiplier per consecutive restart of the same child (< 1: 1);
                                     the count resets once the child stayed up for period_ms */
    uint32_t backoff_max_ms;      /* cap on the delay (0: none) */
    const sup_child_spec *children; /* for simple_one_for_one: exactly one, the template */
    size_t nchildren;
    sup_event_fn event;           /* may be NULL; called on scheduler threads, in order per supervisor */
    void *event_user;
} sup_spec;

/* The behaviour types a supervisor accepts (actor.h, ACTOR_MSG_USER): its own range, disjoint from every
 * other behaviour's (components: component.h, COMPONENT_MSG_FIRST..LAST), so a message for another kind of
 * actor sent to a supervisor is refused by actor_send with -EPROTOTYPE (never answered with supervisor
 * data), and the requests below sent to an actor that is not a supervisor fail with -EPROTOTYPE ("not a
 * supervisor") instead of being read as that actor's own messages. */
#define SUP_MSG_FIRST 0x200u
#define SUP_MSG_LAST 0x2ffu

/* Spawns a supervisor (linked to `parent` unless 0; it traps exits) that starts its children in order.
 * `started` (may be NULL) completes with 0 once all children are ready, or a negative status if a child
 * failed to start — the child's status, with data "failed to start child '<id>': <reason>" (NUL-terminated)
 * — or -EEXIST if the name was taken meanwhile; the supervisor then stops the ones it started, in reverse
 * order, and exits with reason shutdown. If the parent exits, the supervisor stops its children and exits
 * with the parent's reason; ACTOR_MSG_STOP makes it stop its children and exit with reason shutdown.
 * Returns 0 with *out, -EINVAL (bad spec: duplicate or bad ids, simple_one_for_one without exactly one
 * child), -EEXIST (spec->name is registered already), -ENOMEM, -ENOENT (parent dead); on an error nothing
 * was spawned and `started` is not completed. */
int supervisor_start(actor_system *sys, const sup_spec *spec, actor_id parent, actor_future *started,
                     actor_id *out);

/* A sup_child_spec.start for a nested supervisor: `arg` is a sup_spec* (owned by the parent's child spec:
 * see "Ownership" above). Give such a child type SUP_SUPERVISOR and shutdown SUP_INFINITY (or 0). */
int supervisor_child_start(void *arg, const sup_start_ctx *ctx, actor_id *out);

/* ---- requests to a running supervisor (OTP supervisor module functions). Each sends a message whose
 * answer completes `reply` (from any thread: wait on it; from an actor: use actor_future_new_notify).
 * `reply` is always completed, also when the request cannot be sent (then the function returns the same
 * negative status: -ENOENT supervisor gone, -EINVAL, -ENOMEM). Requests that change children run one at
 * a time, in arrival order, after whatever the supervisor is busy with (a restart, a child's shutdown);
 * which/count are answered at once. A supervisor shutting down answers -ESHUTDOWN. ---- */

typedef struct sup_child_info {
    char id[64];                  /* child id; for simple_one_for_one children: "" */
    actor_id pid;                 /* 0 = not running (starting, stopping, restarting, terminated) */
    sup_child_type type;
    sup_restart restart;
    uint32_t restarts;            /* times this child was restarted */
} sup_child_info;

/* reply data: an array of sup_child_info, in start order. */
int supervisor_which_children(actor_system *sys, actor_id sup, actor_future *reply);

/* reply data: a sup_counts. As OTP: specs = child specs (1 for simple_one_for_one), active = running
 * children, supervisors / workers = children of that type, running or not. */
typedef struct sup_counts { uint32_t specs, active, supervisors, workers; } sup_counts;
int supervisor_count_children(actor_system *sys, actor_id sup, actor_future *reply);

/* Adds and starts a child (for simple_one_for_one `spec` must be NULL — -EINVAL otherwise — and a new
 * instance of the template is started). reply: status 0 with data an actor_id, or -EEXIST (id in use, running or not) /
 * -EINVAL / the start failure's status with its reason text as data; a child that failed to start is not
 * added (OTP). */
int supervisor_start_child(actor_system *sys, actor_id sup, const sup_child_spec *spec, actor_future *reply);
/* Stops child `id` (for simple_one_for_one: the child whose pid is `pid`) per its shutdown; the spec stays
 * (removed for temporary and simple_one_for_one children), and a pending restart of it is cancelled.
 * reply: 0 (also if it was not running) or -ENOENT. */
int supervisor_terminate_child(actor_system *sys, actor_id sup, const char *id, actor_id pid, actor_future *reply);
/* Starts a terminated child again. reply: 0 with data its new actor_id, -ENOENT, -EBUSY (running, or a
 * restart is pending), -EINVAL (simple_one_for_one), or the start failure's status. */
int supervisor_restart_child(actor_system *sys, actor_id sup, const char *id, actor_future *reply);
/* Removes a terminated child's spec. reply: 0, -ENOENT, -EBUSY (running, or a restart is pending),
 * -EINVAL (simple_one_for_one). */
int supervisor_delete_child(actor_system *sys, actor_id sup, const char *id, actor_future *reply);

#endif /* WACTOR_SUPERVISOR_H */
