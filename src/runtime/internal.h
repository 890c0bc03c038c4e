/* internal.h — the runtime's private state, shared by the files of src/runtime/ only. */
#ifndef WACTOR_RUNTIME_INTERNAL_H
#define WACTOR_RUNTIME_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>

#include "actor/actor.h"
#include "broker/broker.h"
#include "component/component.h"
#include "engine/engine.h"
#include "wactor.h"

/* One spawned component, kept after it ends so its info stays readable (a tombstone). */
typedef struct spawned {
    wactor_pid pid;
    component_info *info;
    char name[64];                 /* its registered name ("" if none), for per-name totals */
} spawned;

struct wactor_runtime {
    actor_system *sys;
    wactor_log_fn log;
    void *log_user;
    wactor_event_fn event;
    void *event_user;
    pthread_mutex_t lock;          /* guards the spawned list */
    spawned *spawned;              /* in spawn order */
    size_t nspawned, capspawned;
    wactor_pid *supervisors;       /* top-level supervisors, in start order */
    size_t nsupervisors;
    _Atomic uint64_t traps, dead_letters, delivered, refused;
    broker *broker;                /* topics -> subscribers */
    struct declared *declared;     /* components guests may spawn by name (wactor_declare) */
    size_t ndeclared;
    wactor_caps **caps;            /* copies of every capability set handed to a component; freed at destroy */
    size_t ncaps;
};

typedef struct declared {
    char *name;
    wactor_module *module;
    wactor_spawn_opts opts;        /* opts.caps points into rt->caps */
} declared;

/* wactor_module is the engine's compiled module under another name. */
static inline eng_module *engmod(const wactor_module *m) { return (eng_module *)m; }

/* Fills diag (if non-NULL) with fmt formatted with one string argument. */
void runtime_diag(wactor_diag *d, const char *fmt, const char *arg);
/* Maps a negative errno from the layers below to a wactor_error. */
wactor_error runtime_error(int rc);
/* Records a spawned component (takes the caller's reference to info). */
wactor_error runtime_remember(wactor_runtime *rt, wactor_pid pid, const char *name, component_info *info);
/* Waits on f; a negative status becomes a wactor_error, with the wactor_diag it carries copied to diag. */
wactor_error runtime_await(actor_future *f, int timeout_ms, void **data, size_t *len, wactor_diag *diag);
/* Records a top-level supervisor (stopped first, in reverse order, by wactor_runtime_destroy). */
wactor_error runtime_remember_supervisor(wactor_runtime *rt, wactor_pid pid);
/* A runtime-owned copy of `caps` (NULL stays NULL; NULL also on ENOMEM), freed when the runtime is. */
const wactor_caps *runtime_caps(wactor_runtime *rt, const wactor_caps *caps);
/* component_config.spawn for declared components. */
int runtime_spawn_declared(void *user, const char *name, actor_id *out);
/* Frees what messaging.c keeps: capability copies, declarations, the broker. */
void runtime_messaging_free(wactor_runtime *rt);
/* The component_config every component of this runtime gets (log, counters). */
component_config runtime_component_config(wactor_runtime *rt, const wactor_module *module,
                                          const wactor_spawn_opts *opts);

#endif
