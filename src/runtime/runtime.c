/*
 * runtime.c — the embedding API (include/wactor.h) over the component, actor, registry and engine layers.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actor/actor.h"
#include "common/errors.h"
#include "common/escape.h"
#include "component/component.h"
#include "engine/engine.h"
#include "registry/registry.h"
#include "runtime/internal.h"
#include "wactor.h"

/* wactor_module is the engine's compiled module under another name. */

void runtime_diag(wactor_diag *d, const char *fmt, const char *arg) {
    if (!d) return;
    memset(d, 0, sizeof *d);
    snprintf(d->message, sizeof d->message, fmt, arg);
}

wactor_error runtime_error(int rc) { return wactor_error_from_errno(rc); }

/* ------------------------------------------------------------------ names */

const char *wactor_state_name(wactor_state state) {
    static const char *const names[] = {"creating", "starting", "ready", "stopping", "terminated", "failed"};
    return (unsigned)state < 6 ? names[state] : "unknown";
}

/* ------------------------------------------------------------------ runtime */

wactor_error wactor_runtime_create(const wactor_config *config, wactor_runtime **out) {
    if (!out || (config && config->blocking_threads > WACTOR_MAX_BLOCKING_THREADS)) return WACTOR_EINVAL;
    wactor_runtime *rt = calloc(1, sizeof *rt);
    if (!rt) return WACTOR_ENOMEM;
    rt->log = config && config->log ? config->log : runtime_stderr_log;
    rt->log_user = config ? config->log_user : NULL;
    rt->log_level = config ? config->log_level : WACTOR_LOG_DEBUG;
    rt->log_diag_per_sec = config && config->log_diag_per_sec ? config->log_diag_per_sec : WACTOR_DEFAULT_LOG_DIAG_PER_SEC;
    runtime_log_init(rt);
    rt->blocking_threads = config ? config->blocking_threads : 0; /* host actors' pool, started on first use */
    pthread_mutex_init(&rt->lock, NULL);
    pthread_rwlock_init(&rt->handlers_lock, NULL);
    rt->broker = broker_new();
    int rc = rt->broker ? actor_system_create(config ? config->threads : 0, &rt->sys) : -ENOMEM;
    if (rc == 0 && (rc = runtime_reaper_start(rt)) != 0) actor_system_destroy(rt->sys);
    if (rc != 0) {
        broker_free(rt->broker);
        pthread_mutex_destroy(&rt->lock);
        pthread_rwlock_destroy(&rt->handlers_lock);
        runtime_log_end(rt);
        free(rt);
        return runtime_error(rc);
    }
    *out = rt;
    return WACTOR_OK;
}

void wactor_runtime_destroy(wactor_runtime *rt) {
    if (!rt) return;
    /* graceful: supervision trees first (each stops its children in reverse start order), then the
     * components started on their own, `_cleanup` in reverse start order */
    for (size_t i = rt->nsupervisors; i-- > 0;)
        if (actor_stop(rt->sys, rt->supervisors[i]) == 0) actor_wait_exit(rt->sys, rt->supervisors[i], RUNTIME_TREE_STOP_MS);
    wactor_pid *live = NULL;
    size_t nlive = runtime_live_pids(rt, &live); /* newest first */
    for (size_t i = 0; i < nlive; i++)
        if (actor_alive(rt->sys, live[i])) wactor_stop(rt, live[i], WACTOR_DEFAULT_STOP_MS);
    free(live);
    runtime_host_shutdown(rt); /* blocking host actors' callbacks finish while the actors can still run */
    actor_system_destroy(rt->sys);
    runtime_host_free(rt);
    runtime_spawned_free(rt);
    free(rt->supervisors);
    runtime_messaging_free(rt);
    pthread_mutex_destroy(&rt->lock);
    pthread_rwlock_destroy(&rt->handlers_lock);
    runtime_log_end(rt);
    free(rt);
}

/* ------------------------------------------------------------------ modules */

wactor_error wactor_module_load(wactor_runtime *rt, const void *bytes, size_t len, wactor_module **out,
                                wactor_diag *diag) {
    (void)rt;
    wactor_diag local;
    if (!out || (!bytes && len)) return WACTOR_EINVAL;
    eng_module *m = NULL;
    const uint8_t *b = bytes;
    /* a Component-Model binary: the same magic, then version 0x0d (or an earlier draft's) and layer 1 */
    if (len >= 8 && memcmp(b, "\0asm", 4) == 0 && b[6] == 1 && b[7] == 0) {
        if (diag) {
            memset(diag, 0, sizeof *diag);
            snprintf(diag->message, sizeof diag->message,
                     "this is a WebAssembly component (binary version 0x%02x%02x, layer 1); wactor runs core modules",
                     b[5], b[4]);
        }
        return WACTOR_EMODULE;
    }
    if (eng_module_load(bytes, len, &m, diag ? diag : &local) != 0) return WACTOR_EMODULE;
    *out = (wactor_module *)m;
    return WACTOR_OK;
}

wactor_error wactor_module_load_file(wactor_runtime *rt, const char *path, wactor_module **out,
                                     wactor_diag *diag) {
    if (!path || !out) return WACTOR_EINVAL;
    FILE *f = fopen(path, "rb");
    if (!f) {
        int e = errno;
        if (diag) {
            memset(diag, 0, sizeof *diag);
            snprintf(diag->message, sizeof diag->message, "cannot open %s: %s", path, strerror(e));
        }
        return e == ENOENT ? WACTOR_ENOENT : WACTOR_EIO;
    }
    uint8_t *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len == cap) {
            cap = cap ? cap * 2 : 65536;
            uint8_t *nb = realloc(buf, cap);
            if (!nb) {
                free(buf);
                fclose(f);
                return WACTOR_ENOMEM;
            }
            buf = nb;
        }
        size_t n = fread(buf + len, 1, cap - len, f);
        len += n;
        if (n == 0) break;
    }
    bool failed = ferror(f);
    int read_errno = errno;
    fclose(f);
    if (failed) {
        free(buf);
        if (diag) {
            memset(diag, 0, sizeof *diag);
            snprintf(diag->message, sizeof diag->message, "cannot read %s: %s", path, strerror(read_errno));
        }
        return WACTOR_EIO;
    }
    size_t plen = strlen(path);
    if (plen >= 4 && strcmp(path + plen - 4, ".wat") == 0) { /* the text format: converted by the engine */
        uint8_t *bin = NULL;
        size_t bin_len = 0;
        wactor_diag local;
        int rc = eng_wat_to_wasm((const char *)buf, len, path, &bin, &bin_len, diag ? diag : &local);
        free(buf);
        if (rc != 0) return WACTOR_EMODULE; /* the message names the file, line and column */
        buf = bin;
        len = bin_len;
    }
    wactor_error err = wactor_module_load(rt, buf, len, out, diag);
    free(buf);
    if (err && diag) { /* name the file in the message */
        char msg[WACTOR_DIAG_MAX];
        memcpy(msg, diag->message, sizeof msg);
        size_t n = strlen(path);
        if (n > WACTOR_DIAG_MAX / 2) n = WACTOR_DIAG_MAX / 2; /* keep room for the engine's words */
        int k = snprintf(diag->message, sizeof diag->message, "%.*s: ", (int)n, path);
        snprintf(diag->message + k, sizeof diag->message - (size_t)k, "%.*s",
                 (int)(sizeof diag->message - (size_t)k - 1), msg);
    }
    return err;
}

void wactor_module_release(wactor_module *module) {
    if (module) eng_module_release(engmod(module));
}

_Static_assert((int)ENG_EXTERN_FUNC == (int)WACTOR_EXTERN_FUNC && (int)ENG_EXTERN_TABLE == (int)WACTOR_EXTERN_TABLE &&
                   (int)ENG_EXTERN_MEMORY == (int)WACTOR_EXTERN_MEMORY &&
                   (int)ENG_EXTERN_GLOBAL == (int)WACTOR_EXTERN_GLOBAL,
               "eng_extern_kind and wactor_extern_kind must stay parallel");
_Static_assert(sizeof(((eng_functype *)0)->params) == sizeof(((wactor_functype *)0)->params) &&
                   sizeof(((eng_functype *)0)->results) == sizeof(((wactor_functype *)0)->results),
               "eng_functype and wactor_functype hold as many values");

static void to_extern(const eng_extern_info *in, wactor_extern *out) {
    memset(out, 0, sizeof *out);
    out->kind = (wactor_extern_kind)in->kind;
    out->module = in->module;
    out->name = in->name;
    out->type.nparams = in->type.nparams;
    out->type.nresults = in->type.nresults;
    memcpy(out->type.params, in->type.params, sizeof out->type.params);
    memcpy(out->type.results, in->type.results, sizeof out->type.results);
    out->mem_min = in->mem_min;
    out->mem_max = in->mem_max;
}

size_t wactor_module_import_count(const wactor_module *module) { return eng_module_import_count(engmod(module)); }
size_t wactor_module_export_count(const wactor_module *module) { return eng_module_export_count(engmod(module)); }

wactor_error wactor_module_import(const wactor_module *module, size_t i, wactor_extern *out) {
    eng_extern_info info;
    if (eng_module_import(engmod(module), i, &info) != 0) return WACTOR_ENOENT;
    to_extern(&info, out);
    return WACTOR_OK;
}

wactor_error wactor_module_export(const wactor_module *module, size_t i, wactor_extern *out) {
    eng_extern_info info;
    if (eng_module_export(engmod(module), i, &info) != 0) return WACTOR_ENOENT;
    to_extern(&info, out);
    return WACTOR_OK;
}

wactor_error wactor_module_func(const wactor_module *module, const char *name, wactor_functype *out) {
    eng_functype t;
    if (!name || !eng_module_has_func(engmod(module), name, &t)) return WACTOR_ENOENT;
    if (out) {
        eng_extern_info tmp = {.type = t};
        wactor_extern e;
        to_extern(&tmp, &e);
        *out = e.type;
    }
    return WACTOR_OK;
}

/* ------------------------------------------------------------------ actors */

wactor_error runtime_remember_supervisor(wactor_runtime *rt, wactor_pid pid) {
    pthread_mutex_lock(&rt->lock);
    size_t keep = 0; /* trees that ended are forgotten: the list holds the live ones only */
    for (size_t i = 0; i < rt->nsupervisors; i++)
        if (actor_alive(rt->sys, rt->supervisors[i])) rt->supervisors[keep++] = rt->supervisors[i];
    rt->nsupervisors = keep;
    wactor_pid *ns = realloc(rt->supervisors, (rt->nsupervisors + 1) * sizeof *ns);
    if (ns) {
        rt->supervisors = ns;
        rt->supervisors[rt->nsupervisors++] = pid;
    }
    pthread_mutex_unlock(&rt->lock);
    return ns ? WACTOR_OK : WACTOR_ENOMEM;
}

/* Waits for a future and turns its completion into a wactor_error (+ diag from error data). */
wactor_error runtime_await(actor_future *f, int timeout_ms, void **data, size_t *len, wactor_diag *diag) {
    int status = 0;
    void *buf = NULL;
    size_t n = 0;
    if (actor_future_wait(f, timeout_ms, &status, &buf, &n) != 0) {
        runtime_diag(diag, "%s", "no answer within the timeout");
        return WACTOR_ETIMEDOUT;
    }
    if (status != 0) {
        wactor_error err = runtime_error(status);
        if (diag) {
            if (buf && n == sizeof *diag) memcpy(diag, buf, sizeof *diag);
            else memset(diag, 0, sizeof *diag);
            diag->message[sizeof diag->message - 1] = '\0';
            if (!diag->message[0]) snprintf(diag->message, sizeof diag->message, "%s", wactor_strerror(err));
        }
        free(buf);
        return err;
    }
    if (data) *data = buf;
    else free(buf);
    if (len) *len = n;
    return WACTOR_OK;
}

component_caps *runtime_grants(const wactor_caps *caps, bool *ok) {
    component_caps *g = caps ? component_caps_new(caps) : NULL;
    *ok = !caps || g;
    return g;
}

component_config runtime_component_config(wactor_runtime *rt, const wactor_module *module,
                                          const wactor_spawn_opts *opts, component_caps *grants) {
    static const wactor_spawn_opts none;
    const wactor_spawn_opts *o = opts ? opts : &none;
    /* every limit passes as given: 0 means the WACTOR_DEFAULT_* the component layer resolves */
    return (component_config){
        .module = engmod(module), .name = o->name, .memory_pages = o->memory_pages, .fuel = o->fuel,
        .grants = grants, .mailbox = o->mailbox, .max_message_bytes = o->max_message_bytes,
        .mailbox_bytes = o->mailbox_bytes, .start_fuel = o->start_fuel, .table_elements = o->table_elements,
        .max_spawned = o->max_spawned, .max_requests = o->max_requests, .max_subscriptions = o->max_subscriptions,
        .max_monitors = o->max_monitors, .max_links = o->max_links, .log_bytes_per_sec = o->log_bytes_per_sec,
        .broker = rt->broker, .spawn = runtime_spawn_declared, .spawn_user = rt,
        .log = rt->log, .log_user = rt->log_user, .log_level = rt->log_level,
        .log_diag_per_sec = rt->log_diag_per_sec,
        .traps = &rt->traps, .dead_letters = &rt->dead_letters, .delivered = &rt->delivered,
        .refused = &rt->refused, .wasi = opts ? opts->wasi : NULL,
    };
}

wactor_error wactor_spawn(wactor_runtime *rt, wactor_module *module, const wactor_spawn_opts *opts,
                          wactor_pid *out, wactor_diag *diag) {
    if (!rt || !module || !out) return WACTOR_EINVAL;
    const char *name = opts ? opts->name : NULL;
    if (name && !*name) return WACTOR_EINVAL;
    if (name && registry_whereis(actor_system_registry(rt->sys), name)) {
        runtime_diag(diag, "name '%s' is already registered", name);
        return WACTOR_EEXIST;
    }
    int wasi_rc = component_wasi_check(opts ? opts->wasi : NULL, diag); /* for the message; the component copies */
    if (wasi_rc) return runtime_error(wasi_rc);
    bool ok = true;
    component_caps *caps = runtime_grants(opts ? opts->caps : NULL, &ok);
    component_config cfg = runtime_component_config(rt, module, opts, caps);
    actor_future *started = actor_future_new();
    spawned *entry = runtime_spawned_new(name);
    if (!ok || !started || !entry) {
        component_caps_release(caps);
        actor_future_release(started);
        runtime_spawned_discard(entry);
        return WACTOR_ENOMEM;
    }
    wactor_pid pid = 0;
    component_info *info = NULL;
    int rc = component_spawn(rt->sys, &cfg, started, &pid, &info);
    component_caps_release(caps); /* the component holds its own reference */
    if (rc != 0) {
        actor_future_release(started);
        runtime_spawned_discard(entry);
        if (rc == -EEXIST) runtime_diag(diag, "name '%s' is already registered", name);
        return runtime_error(rc);
    }
    runtime_remember(rt, entry, pid, info);
    wactor_error err = runtime_await(started, 0, NULL, NULL, diag);
    actor_future_release(started);
    if (err) {
        actor_wait_exit(rt->sys, pid, 0); /* a failed start ends the actor: return once its name is free */
        return err;
    }
    *out = pid;
    return WACTOR_OK;
}

wactor_error wactor_register(wactor_runtime *rt, wactor_pid pid, const char *name) {
    if (!rt || !name || !*name) return WACTOR_EINVAL;
    return runtime_error(registry_register_name(actor_system_registry(rt->sys), name, pid));
}

wactor_error wactor_unregister(wactor_runtime *rt, const char *name) {
    if (!rt || !name) return WACTOR_EINVAL;
    return registry_unregister_name(actor_system_registry(rt->sys), name) == 0 ? WACTOR_OK : WACTOR_ENOENT;
}

wactor_pid wactor_whereis(wactor_runtime *rt, const char *name) {
    if (!rt || !name) return 0;
    return registry_whereis(actor_system_registry(rt->sys), name);
}

wactor_error wactor_send(wactor_runtime *rt, wactor_pid to, const void *payload, size_t len) {
    if (!rt || (!payload && len)) return WACTOR_EINVAL;
    if (len > WACTOR_DEFAULT_MAX_MESSAGE_BYTES) return WACTOR_ETOOBIG;
    size_t max = actor_max_message_bytes(rt->sys, to); /* the receiver's own limit, before delivery */
    if (max && len > max) return WACTOR_ETOOBIG;
    actor_msg *m = component_msg_message(0, payload, len);
    if (!m) return WACTOR_ENOMEM;
    return runtime_error(actor_send(rt->sys, to, m));
}

/* Sends `m` (with `f` as its reply) and waits for the answer. */
static wactor_error request(wactor_runtime *rt, wactor_pid pid, actor_msg *m, actor_future *f, int timeout_ms,
                            void **data, size_t *len, wactor_diag *diag) {
    if (!m) return WACTOR_ENOMEM;
    int rc = actor_send_run(rt->sys, pid, m); /* we wait anyway: an idle receiver runs on this thread */
    if (rc == -EAGAIN) {
        runtime_diag(diag, "%s", "its mailbox is full");
        return WACTOR_EFULL;
    }
    if (rc == -EPROTOTYPE) { /* actor_send: its behaviour takes no component messages */
        runtime_diag(diag, "%s", "not a component or host actor (a supervisor, or a native actor)");
        return WACTOR_EINVAL;
    }
    if (rc != 0) {
        runtime_diag(diag, "%s", "no such actor");
        return runtime_error(rc);
    }
    return runtime_await(f, timeout_ms, data, len, diag);
}

wactor_error wactor_invoke(wactor_runtime *rt, wactor_pid pid, const char *function, const void *args,
                           size_t args_len, int timeout_ms, void **result, size_t *result_len, wactor_diag *diag) {
    if (!rt || !function || !result || !result_len || (!args && args_len)) return WACTOR_EINVAL;
    actor_future *f = actor_future_new();
    if (!f) return WACTOR_ENOMEM;
    wactor_error err = request(rt, pid, component_msg_invoke(function, args, args_len, f), f, timeout_ms, result,
                               result_len, diag);
    actor_future_release(f);
    return err;
}

wactor_error wactor_invoke_values(wactor_runtime *rt, wactor_pid pid, const char *function,
                                  const wactor_value *args, size_t nargs, wactor_value *results,
                                  size_t results_cap, size_t *nresults, int timeout_ms, wactor_diag *diag) {
    if (!rt || !function || (!args && nargs) || (!results && results_cap) || !nresults) return WACTOR_EINVAL;
    actor_future *f = actor_future_new();
    if (!f) return WACTOR_ENOMEM;
    void *data = NULL;
    size_t len = 0;
    wactor_error err = request(rt, pid, component_msg_invoke_values(function, args, nargs, f), f, timeout_ms,
                               &data, &len, diag);
    actor_future_release(f);
    if (err) return err;
    size_t n = len / sizeof(wactor_value);
    *nresults = n;
    if (n > results_cap) err = WACTOR_EFULL;
    else if (n) memcpy(results, data, n * sizeof *results);
    free(data);
    return err;
}

wactor_error wactor_health(wactor_runtime *rt, wactor_pid pid, int timeout_ms, wactor_health_status *status,
                           char *reason, size_t reason_len) {
    if (!rt || !status) return WACTOR_EINVAL;
    actor_future *f = actor_future_new();
    if (!f) return WACTOR_ENOMEM;
    void *data = NULL;
    size_t len = 0;
    wactor_error err = request(rt, pid, component_msg_health(f), f, timeout_ms, &data, &len, NULL);
    actor_future_release(f);
    if (err) return err;
    component_health *h = data;
    *status = h->status;
    if (reason && reason_len) snprintf(reason, reason_len, "%s", h->reason);
    free(data);
    return WACTOR_OK;
}

wactor_error wactor_info(wactor_runtime *rt, wactor_pid pid, wactor_actor_info *info) {
    if (!rt || !info) return WACTOR_EINVAL;
    component_info *ci = runtime_find_info(rt, pid);
    if (!ci) return WACTOR_ENOENT;
    component_info_get(ci, info);
    component_info_release(ci);
    if (info->state != WACTOR_TERMINATED && info->state != WACTOR_FAILED)
        info->mailbox = (uint32_t)actor_mailbox_length(rt->sys, pid);
    return WACTOR_OK;
}

wactor_error wactor_totals(wactor_runtime *rt, const char *name, wactor_actor_info *out) {
    if (!rt || !name || !out) return WACTOR_EINVAL;
    return runtime_totals(rt, name, out);
}

wactor_error wactor_stop(wactor_runtime *rt, wactor_pid pid, int timeout_ms) {
    if (!rt) return WACTOR_EINVAL;
    if (timeout_ms <= 0) timeout_ms = WACTOR_DEFAULT_STOP_MS;
    actor_msg *m = component_msg_stop((uint32_t)timeout_ms);
    if (!m) return WACTOR_ENOMEM;
    int rc = actor_send_run(rt->sys, pid, m);
    if (rc != 0) return runtime_error(rc);
    /* queued messages come first; allow them and `_cleanup` their time, then kill */
    if (actor_wait_exit(rt->sys, pid, timeout_ms + RUNTIME_STOP_GRACE_MS) != 0) {
        actor_kill(rt->sys, pid);
        actor_wait_exit(rt->sys, pid, 0);
    }
    return WACTOR_OK;
}

wactor_error wactor_wait_idle(wactor_runtime *rt, int timeout_ms) {
    if (!rt) return WACTOR_EINVAL;
    return actor_system_wait_idle(rt->sys, timeout_ms) == 0 ? WACTOR_OK : WACTOR_ETIMEDOUT;
}

void wactor_stats_get(wactor_runtime *rt, wactor_stats *stats) {
    actor_system_stats s;
    actor_system_stats_get(rt->sys, &s);
    stats->actors = s.live ? s.live - 1 : 0; /* not the runtime's own reaper (spawned.c) */
    stats->delivered = atomic_load(&rt->delivered);
    stats->refused = atomic_load(&rt->refused) + s.refused_full;
    stats->dead_letters = atomic_load(&rt->dead_letters) + s.dead_letters;
    stats->traps = atomic_load(&rt->traps);
    size_t entries = 0, live = 0, names = 0;
    runtime_spawned_stats(rt, &entries, &live, &names);
    stats->components = live;
    stats->threads = s.threads;
    stats->threads_idle = s.threads_idle;
    stats->run_queue = s.run_queue;
}

/* ------------------------------------------------------------------ observability */

wactor_error wactor_components(wactor_runtime *rt, wactor_pid *out, size_t cap, size_t *n) {
    if (!rt || !n || (cap && !out)) return WACTOR_EINVAL;
    *n = runtime_live_pids_ordered(rt, out, cap);
    return WACTOR_OK;
}

wactor_error wactor_supervisors(wactor_runtime *rt, wactor_pid *out, size_t cap, size_t *n) {
    if (!rt || !n || (cap && !out)) return WACTOR_EINVAL;
    pthread_mutex_lock(&rt->lock);
    size_t k = 0;
    for (size_t i = 0; i < rt->nsupervisors; i++) {
        if (!actor_alive(rt->sys, rt->supervisors[i])) continue;
        if (k < cap) out[k] = rt->supervisors[i];
        k++;
    }
    pthread_mutex_unlock(&rt->lock);
    *n = k;
    return WACTOR_OK;
}

wactor_error wactor_name_of(wactor_runtime *rt, wactor_pid pid, char *buf, size_t cap) {
    if (!rt || !buf || !cap) return WACTOR_EINVAL;
    buf[0] = 0;
    if (pid && registry_name_of(actor_system_registry(rt->sys), pid, buf, cap) == 0) return WACTOR_OK;
    buf[0] = 0;
    if (pid && runtime_spawned_name(rt, pid, buf, cap)) return WACTOR_OK;
    buf[0] = 0;
    return WACTOR_ENOENT;
}

wactor_error wactor_add_event_handler(wactor_runtime *rt, wactor_event_fn fn, void *user) {
    if (!rt || !fn) return WACTOR_EINVAL;
    pthread_rwlock_wrlock(&rt->handlers_lock);
    wactor_error err = WACTOR_EFULL;
    if (rt->nhandlers < WACTOR_MAX_EVENT_HANDLERS) {
        rt->handlers[rt->nhandlers].fn = fn;
        rt->handlers[rt->nhandlers].user = user;
        rt->nhandlers++;
        err = WACTOR_OK;
    }
    pthread_rwlock_unlock(&rt->handlers_lock);
    return err;
}

wactor_error wactor_remove_event_handler(wactor_runtime *rt, wactor_event_fn fn, void *user) {
    if (!rt || !fn) return WACTOR_EINVAL;
    pthread_rwlock_wrlock(&rt->handlers_lock); /* waits for every call in progress */
    wactor_error err = WACTOR_ENOENT;
    for (size_t i = 0; i < rt->nhandlers; i++)
        if (rt->handlers[i].fn == fn && rt->handlers[i].user == user) {
            memmove(&rt->handlers[i], &rt->handlers[i + 1], (rt->nhandlers - i - 1) * sizeof rt->handlers[0]);
            rt->nhandlers--;
            err = WACTOR_OK;
            break;
        }
    pthread_rwlock_unlock(&rt->handlers_lock);
    return err;
}
