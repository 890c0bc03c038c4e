/* internal.h — the runtime's private state, shared by the files of src/runtime/ only. */
#ifndef WACTOR_RUNTIME_INTERNAL_H
#define WACTOR_RUNTIME_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>

#include "actor/actor.h"
#include "common/ratelimit.h"
#include "broker/broker.h"
#include "component/component.h"
#include "engine/engine.h"
#include "wactor.h"
#include "wactor_host.h"

/* How long wactor_runtime_destroy waits for a supervision tree to stop (its shutdowns run inside), and what
 * wactor_stop allows beyond the `_cleanup` budget for the messages queued before the stop. */
#define RUNTIME_TREE_STOP_MS 30000
#define RUNTIME_STOP_GRACE_MS 1000

/* What the runtime remembers of its components (spawned.c). */
#define RUNTIME_EXIT_RING 4096     /* ended components whose info stays readable (wactor_info) */
typedef struct spawned spawned;
typedef struct name_totals name_totals;
typedef struct spawned_table {
    spawned **buckets;             /* pid -> entry: live ones and the exit ring */
    size_t nbuckets, count;
    spawned *live_head, *live_tail; /* live entries, in spawn order */
    spawned *ring_head, *ring_tail; /* ended entries, oldest first */
    size_t nring;
    name_totals **names;           /* registered name -> totals */
    size_t nnames_buckets, nnames;
} spawned_table;

struct wactor_runtime {
    actor_system *sys;
    wactor_log_fn log;
    void *log_user;
    wactor_log_level log_level;    /* wactor_config.log_level */
    uint32_t log_diag_per_sec;     /* wactor_config.log_diag_per_sec, defaulted */
    pthread_mutex_t diag_lock;     /* guards diag_limit (log.c) */
    ratelimit diag_limit;          /* the supervisors' diagnostics, together */
    wactor_event_fn event;
    void *event_user;
    pthread_mutex_t lock;          /* guards spawned, supervisors, declared */
    spawned_table spawned;
    actor_id reaper;               /* the native actor that learns of every component's end */
    wactor_pid *supervisors;       /* top-level supervisors, in start order */
    size_t nsupervisors;
    _Atomic uint64_t traps, dead_letters, delivered, refused;
    /* wactor_add_event_handler: called after `event`, under the read side of handlers_lock */
    pthread_rwlock_t handlers_lock;
    struct { wactor_event_fn fn; void *user; } handlers[WACTOR_MAX_EVENT_HANDLERS];
    size_t nhandlers;
    broker *broker;                /* topics -> subscribers */
    struct declared *declared;     /* components guests may spawn by name (wactor_declare) */
    size_t ndeclared;
    /* host actors (host_actor.c): the blocking pool (started with the first blocking host actor, under
     * lock), its size, and the kinds registered for supervisor child specs / manifests */
    struct dirty_pool *pool;
    unsigned blocking_threads;
    bool destroying;               /* wactor_runtime_destroy has begun: no new host actors */
    struct host_kind *host_kinds;
    size_t nhost_kinds;
};

typedef struct declared {
    char *name;
    wactor_module *module;
    wactor_spawn_opts opts;        /* opts.caps: NULL (the grants are `caps`) */
    component_caps *caps;          /* one shared copy for every instance spawned (NULL: none); held while
                                      declared, and by each instance (the component retains it) */
} declared;

/* wactor_module is the engine's compiled module under another name. */
static inline eng_module *engmod(const wactor_module *m) { return (eng_module *)m; }

/* log.c: the default log sink (wactor_config.log == NULL): "LEVEL [name] line" on stderr, name and line
 * escaped (a guest can forge no line and send no terminal sequence), written whole under the stream's lock. */
void runtime_stderr_log(void *user, wactor_log_level level, const char *name, const char *line, size_t len);
/* log.c: the runtime's own diagnostics (supervisors' restarts, exits, shutdowns) as log records named after
 * the supervisor: runtime_log_init at creation (diag_lock, diag_limit), runtime_log_event for each
 * supervisor event (the JSON of wactor_event_fn; parsed only when its level is wanted), runtime_log_end
 * before the runtime is freed (reports what was suppressed; destroys diag_lock). Any thread. */
void runtime_log_init(wactor_runtime *rt);
void runtime_log_event(wactor_runtime *rt, const char *json);
void runtime_log_end(wactor_runtime *rt);
/* Fills diag (if non-NULL) with fmt formatted with one string argument. */
void runtime_diag(wactor_diag *d, const char *fmt, const char *arg);
/* Maps a negative errno from the layers below to a wactor_error. */
wactor_error runtime_error(int rc);
/* Waits on f; a negative status becomes a wactor_error, with the wactor_diag it carries copied to diag. */
wactor_error runtime_await(actor_future *f, int timeout_ms, void **data, size_t *len, wactor_diag *diag);
/* Records a top-level supervisor (stopped first, in reverse order, by wactor_runtime_destroy). */
wactor_error runtime_remember_supervisor(wactor_runtime *rt, wactor_pid pid);
/* One shared copy of `caps` (component_caps_new) for every instance started from one spawn call, child
 * spec or declaration; NULL for NULL. *ok is false on ENOMEM. */
component_caps *runtime_grants(const wactor_caps *caps, bool *ok);

/* spawned.c (see there). An entry is allocated before the spawn (NULL on ENOMEM), so remembering never
 * fails: runtime_remember takes the caller's reference to info; runtime_spawned_discard
 * frees an entry that was not used. */
spawned *runtime_spawned_new(const char *name);
void runtime_spawned_discard(spawned *e);
void runtime_remember(wactor_runtime *rt, spawned *e, wactor_pid pid, component_info *info);
/* The info of `pid` (retained; the caller releases), live or among the RUNTIME_EXIT_RING latest ended. */
component_info *runtime_find_info(wactor_runtime *rt, wactor_pid pid);
wactor_error runtime_totals(wactor_runtime *rt, const char *name, wactor_actor_info *out);
/* The live components' pids, newest first (malloc'd; the caller frees); their number. */
size_t runtime_live_pids(wactor_runtime *rt, wactor_pid **out);
/* The live components' pids in spawn order: up to cap into out; returns their number (may exceed cap). */
size_t runtime_live_pids_ordered(wactor_runtime *rt, wactor_pid *out, size_t cap);
/* The name component `pid` (live or in the ring) was spawned under, into buf; false if unnamed/unknown. */
bool runtime_spawned_name(wactor_runtime *rt, wactor_pid pid, char *buf, size_t cap);
/* Entries held (live + ring), live ones, name records: what the bookkeeping costs. */
void runtime_spawned_stats(wactor_runtime *rt, size_t *entries, size_t *live, size_t *names);
void runtime_spawned_free(wactor_runtime *rt);
int runtime_reaper_start(wactor_runtime *rt);

/* component_config.spawn for declared components. */
int runtime_spawn_declared(void *user, const char *name, actor_id *out);
/* Frees what messaging.c keeps: declarations, the broker. */
void runtime_messaging_free(wactor_runtime *rt);
/* The component_config every component of this runtime gets (log, counters, opts' limits), with `grants`
 * as its capabilities (opts->caps is not used: the caller made `grants` from it, once). */
component_config runtime_component_config(wactor_runtime *rt, const wactor_module *module,
                                          const wactor_spawn_opts *opts, component_caps *grants);

/* dirty_pool.c: the blocking pool (see there). A job is embedded in its owner; `run` is called once on a
 * pool thread and may free the owner. dirty_pool_new: 0, -EINVAL (threads 0 or over
 * WACTOR_MAX_BLOCKING_THREADS), -ENOMEM. dirty_pool_submit: 0 or -ESHUTDOWN (after shutdown; the job is not
 * run). dirty_pool_shutdown: refuses new jobs, runs the queued ones, joins the threads (idempotent; not from a
 * pool thread). dirty_pool_free: shutdown, then frees (NULL: no-op). */
typedef struct dirty_pool dirty_pool;
typedef struct dirty_job {
    struct dirty_job *next;
    void (*run)(struct dirty_job *job);
} dirty_job;
int dirty_pool_new(unsigned threads, dirty_pool **out);
int dirty_pool_submit(dirty_pool *p, dirty_job *j);
void dirty_pool_shutdown(dirty_pool *p);
void dirty_pool_free(dirty_pool *p);

/* host_actor.c. runtime_host_start spawns a host actor (behaviour copied) with `state`, `opts` (its name,
 * limits; opts->caps ignored: `grants` are its capabilities, retained), linked to `link` (0: none), and
 * queues its start: `started` (retained; may be NULL) completes with 0 once pre_start and post_start ran,
 * or a negative errno value with a wactor_diag. Returns 0 with *out, or a negative errno (-EEXIST name
 * taken, -ENOMEM, -ESHUTDOWN runtime destroying, -ENOENT link dead): then nothing ran, the caller keeps
 * state. Called on any thread, also a supervisor's (never blocks). */
int runtime_host_start(wactor_runtime *rt, const wactor_host_behaviour *b, void *state, const wactor_spawn_opts *opts,
                       component_caps *grants, actor_id link, actor_future *started, actor_id *out);
/* A supervisor child spec for a host actor child (in->host or in->host_kind; out's common fields already
 * filled by the caller): its start, start_failure, health and arg. Returns WACTOR_OK, WACTOR_EINVAL (an
 * unregistered kind, no receive; diag says which) or WACTOR_ENOMEM; on error out->arg (if set) is freed by
 * out->arg_free as usual. */
struct sup_child_spec;
wactor_error runtime_host_child(wactor_runtime *rt, const wactor_child_spec *in, struct sup_child_spec *out,
                                wactor_diag *diag);
/* The supervisor callbacks components and host actors share (supervision.c): start_failure reads the
 * wactor_diag a failed start answers with; health sends the health message. On the supervisor's thread. */
void runtime_child_failure(void *arg, int status, const void *data, size_t len, char *reason, size_t cap);
int runtime_child_health(void *arg, actor_system *sys, actor_id child, actor_future *reply);
/* At destroy: refuse new host actors and let blocking callbacks finish (before the actor system goes),
 * then free the pool and the kinds (after it). */
void runtime_host_shutdown(wactor_runtime *rt);
void runtime_host_free(wactor_runtime *rt);

#endif
