/*
 * messaging.c — the embedding API's pub/sub, request/reply and declared components, and the capability
 * copies every component's grants live in.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "runtime/internal.h"

void runtime_messaging_free(wactor_runtime *rt) {
    for (size_t i = 0; i < rt->ndeclared; i++) {
        free(rt->declared[i].name);
        component_caps_release(rt->declared[i].caps);
        free((void *)rt->declared[i].opts.wasi); /* our copy */
        wactor_module_release(rt->declared[i].module);
    }
    free(rt->declared);
    broker_free(rt->broker);
}

/* ------------------------------------------------------------------ declared components */

wactor_error wactor_declare(wactor_runtime *rt, const char *name, wactor_module *module, const wactor_spawn_opts *opts) {
    if (!rt || !name || !*name || !module) return WACTOR_EINVAL;
    wactor_spawn_opts o = opts ? *opts : (wactor_spawn_opts){0};
    o.name = NULL;
    bool ok = true;
    component_caps *caps = runtime_grants(o.caps, &ok); /* one copy, shared by every instance spawned */
    o.caps = NULL;
    char *copy = strdup(name);
    wactor_wasi *wasi = NULL;
    int wasi_rc = component_wasi_copy(o.wasi, &wasi, NULL);
    o.wasi = wasi;
    if (!copy || !ok || wasi_rc) {
        free(copy);
        free(wasi);
        component_caps_release(caps);
        return wasi_rc ? runtime_error(wasi_rc) : WACTOR_ENOMEM;
    }
    wactor_error err = WACTOR_OK;
    pthread_mutex_lock(&rt->lock);
    for (size_t i = 0; i < rt->ndeclared; i++)
        if (strcmp(rt->declared[i].name, name) == 0) err = WACTOR_EEXIST;
    declared *list = err ? NULL : realloc(rt->declared, (rt->ndeclared + 1) * sizeof *list);
    if (list) {
        rt->declared = list;
        eng_module_retain(engmod(module));
        rt->declared[rt->ndeclared++] = (declared){copy, module, o, caps};
    } else if (!err) {
        err = WACTOR_ENOMEM;
    }
    pthread_mutex_unlock(&rt->lock);
    if (err) {
        free(copy);
        free(wasi);
        component_caps_release(caps);
    }
    return err;
}

/* component_config.spawn: start a declared component without waiting (called from a guest, on a scheduler
 * thread); its start completes asynchronously. */
int runtime_spawn_declared(void *user, const char *name, actor_id *out) {
    wactor_runtime *rt = user;
    declared d = {0};
    pthread_mutex_lock(&rt->lock);
    for (size_t i = 0; i < rt->ndeclared; i++)
        if (strcmp(rt->declared[i].name, name) == 0) d = rt->declared[i];
    pthread_mutex_unlock(&rt->lock);
    if (!d.name) return -ENOENT;
    component_config cfg = runtime_component_config(rt, d.module, &d.opts, d.caps);
    spawned *entry = runtime_spawned_new(NULL);
    if (!entry) return -ENOMEM;
    component_info *info = NULL;
    int rc = component_spawn(rt->sys, &cfg, NULL, out, &info);
    if (rc != 0) {
        runtime_spawned_discard(entry);
        return rc;
    }
    runtime_remember(rt, entry, *out, info);
    return 0;
}

/* ------------------------------------------------------------------ publish, ask */

wactor_error wactor_publish(wactor_runtime *rt, const char *topic, const void *payload, size_t len, size_t *delivered) {
    if (!rt || !topic || (!payload && len) || !broker_subject_valid(topic, false)) return WACTOR_EINVAL;
    if (len > WACTOR_DEFAULT_MAX_MESSAGE_BYTES) return WACTOR_ETOOBIG;
    uint64_t local[256], *subs; /* on the heap only for more subscribers than that */
    ssize_t n = broker_match_all(rt->broker, topic, local, sizeof local / sizeof local[0], &subs);
    if (n < 0) return WACTOR_ENOMEM;
    size_t ok = 0;
    for (ssize_t i = 0; i < n; i++) {
        actor_msg *m = component_msg_publication(0, topic, payload, len);
        size_t max = actor_max_message_bytes(rt->sys, subs[i]); /* each subscriber's own limit */
        if (max && len > max) {
            actor_msg_free(m);
            continue;
        }
        if (m && actor_send(rt->sys, subs[i], m) == 0) ok++;
    }
    if (subs != local) free(subs);
    if (delivered) *delivered = ok;
    return WACTOR_OK;
}

/* The native actor behind wactor_subscribe(). */
typedef struct host_subscriber {
    wactor_message_fn fn;
    void *user;
    broker *broker;
} host_subscriber;

static actor_result subscriber_receive(actor *self, actor_msg *msg) {
    host_subscriber *hs = actor_state(self);
    actor_result r = msg->type == ACTOR_MSG_STOP ? ACTOR_STOP : ACTOR_CONTINUE;
    const uint8_t *payload;
    size_t len;
    const char *topic = msg->type == COMPONENT_MSG_PUBLICATION ? component_msg_split(msg, &payload, &len) : NULL;
    if (topic) hs->fn(hs->user, topic, msg->from, payload, len);
    actor_msg_free(msg);
    return r;
}

static void subscriber_terminate(actor *self, bool killed) {
    (void)killed;
    host_subscriber *hs = actor_state(self);
    broker_unsubscribe_all(hs->broker, actor_self(self));
    free(hs);
}

static const actor_behaviour subscriber_behaviour = {
    .name = "host subscriber", .receive = subscriber_receive, .terminate = subscriber_terminate,
};

wactor_error wactor_subscribe(wactor_runtime *rt, const char *pattern, wactor_message_fn fn, void *user,
                              wactor_pid *out) {
    if (!rt || !fn || !out || !pattern || !broker_subject_valid(pattern, true)) return WACTOR_EINVAL;
    host_subscriber *hs = malloc(sizeof *hs);
    if (!hs) return WACTOR_ENOMEM;
    *hs = (host_subscriber){fn, user, rt->broker};
    actor_id id = 0;
    actor_spawn_opts ao = {.msg_first = COMPONENT_MSG_FIRST, .msg_last = COMPONENT_MSG_LAST}; /* publications */
    if (actor_spawn_opt(rt->sys, &subscriber_behaviour, hs, &ao, &id) != 0) {
        free(hs);
        return WACTOR_ENOMEM;
    }
    if (broker_subscribe(rt->broker, pattern, id) != 0) {
        actor_kill(rt->sys, id); /* frees hs */
        return WACTOR_ENOMEM;
    }
    *out = id;
    return WACTOR_OK;
}

wactor_error wactor_ask(wactor_runtime *rt, wactor_pid pid, const void *payload, size_t len, int timeout_ms,
                        void **reply, size_t *reply_len, wactor_diag *diag) {
    if (!rt || !reply || !reply_len || (!payload && len)) return WACTOR_EINVAL;
    if (len > WACTOR_DEFAULT_MAX_MESSAGE_BYTES) return WACTOR_ETOOBIG;
    size_t max = actor_max_message_bytes(rt->sys, pid); /* the receiver's own limit, before delivery */
    if (max && len > max) return WACTOR_ETOOBIG;
    actor_future *f = actor_future_new();
    actor_msg *m = f ? component_msg_message(0, payload, len) : NULL;
    if (!m) {
        actor_future_release(f);
        return WACTOR_ENOMEM;
    }
    actor_future_retain(f);
    m->reply = f;
    int rc = actor_send_run(rt->sys, pid, m); /* we wait anyway: an idle receiver runs on this thread */
    wactor_error err = runtime_error(rc); /* -EPROTOTYPE (a supervisor: no component messages): WACTOR_EINVAL */
    if (rc == -EPROTOTYPE) runtime_diag(diag, "%s", "not a component or host actor (a supervisor, or a native actor)");
    if (!err) err = runtime_await(f, timeout_ms, reply, reply_len, diag);
    actor_future_release(f);
    return err;
}
