/*
 * host.c — the host functions of import module `wactor` (docs/ABI.md); the component's log is log.c.
 *
 * Every pointer/length a guest passes is checked against its memory with eng_ctx_mem(); a bad one traps
 * that guest (WACTOR_TRAP_HOST) and nobody else.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>

#include "common/clock.h"
#include "common/errors.h"
#include "component/internal.h"
#include "registry/registry.h"

/* ------------------------------------------------------------------ addresses */

void component_address(actor_system *sys, actor_id id, char *buf, size_t cap) {
    if (id == 0) {
        snprintf(buf, cap, "host");
        return;
    }
    if (registry_name_of(actor_system_registry(sys), id, buf, cap) == 0) return;
    snprintf(buf, cap, "#%" PRIu64, id);
}

/* Resolves address text ("name", "#17", "host") to an id; 0 for "host". Returns a wactor_error. */
static wactor_error resolve(actor_system *sys, const char *text, size_t len, actor_id *out) {
    char buf[256];
    if (len == 0 || len >= sizeof buf) return WACTOR_EINVAL;
    memcpy(buf, text, len);
    buf[len] = 0;
    if (strcmp(buf, "host") == 0) {
        *out = 0;
        return WACTOR_OK;
    }
    if (buf[0] == '#') {
        char *end = NULL;
        errno = 0;
        unsigned long long v = strtoull(buf + 1, &end, 10);
        if (errno || end == buf + 1 || *end || v == 0) return WACTOR_EINVAL;
        *out = v;
        return WACTOR_OK;
    }
    actor_id id = registry_whereis(actor_system_registry(sys), buf);
    if (!id) return WACTOR_ENOENT;
    *out = id;
    return WACTOR_OK;
}

/* ------------------------------------------------------------------ host functions */

#define ARG(i) ((uint32_t)args[i].of.i32)

static void *guest_mem(eng_call_ctx *ctx, uint32_t ptr, uint32_t len, const char *what) {
    void *p = eng_ctx_mem(ctx, ptr, len);
    if (!p) eng_host_trap(ctx, WACTOR_TRAP_HOST, 0, "%s: [%u, +%u) is outside linear memory", what, ptr, len);
    return p;
}

/* Reads guest text [ptr, +len) into a NUL-terminated buffer; traps on a bad pointer, EINVAL if too long. */
static int guest_text(eng_call_ctx *ctx, uint32_t ptr, uint32_t len, char *buf, size_t cap, const char *what) {
    const char *text = guest_mem(ctx, ptr, len, what);
    if (!text) return -1;
    if (len == 0 || len >= cap || memchr(text, 0, len)) return -(int)WACTOR_EINVAL;
    memcpy(buf, text, len);
    buf[len] = 0;
    return 0;
}

/* Queues `m` for `target`, accounting for the outcome; returns 0 or a negative wactor_error. */
static int32_t deliver(component *c, actor_id target, actor_msg *m) {
    if (!m) return -(int32_t)WACTOR_ENOMEM;
    int rc = actor_send(c->sys, target, m);
    if (rc == 0) return 0;
    if (rc == -EAGAIN) {
        component_count(c, COUNT_REFUSED_FULL);
        return -(int32_t)WACTOR_EFULL;
    }
    component_count(c, COUNT_DEAD_TARGET);
    return -(int32_t)WACTOR_ENOENT;
}

/* The checks every outgoing message passes: size, then capability. Returns 0 or a negative wactor_error. */
static int32_t may_send(component *c, const char *const *grants, size_t ngrants, const char *to, uint32_t to_len,
                        uint32_t payload_len) {
    if (payload_len > c->max_message_bytes) {
        component_count(c, COUNT_REFUSED);
        return -(int32_t)WACTOR_ETOOBIG;
    }
    if (!caps_allow_target(c, grants, ngrants, to, to_len)) {
        component_count(c, COUNT_REFUSED);
        return -(int32_t)WACTOR_EPERM;
    }
    return 0;
}

static int host_send(eng_call_ctx *ctx, const wactor_value *args, wactor_value *results, void *fn_data) {
    (void)fn_data;
    component *c = eng_ctx_user(ctx);
    results[0].type = WACTOR_I32;
    const char *to = guest_mem(ctx, ARG(0), ARG(1), "send: address");
    const void *payload = to ? guest_mem(ctx, ARG(2), ARG(3), "send: payload") : NULL;
    if (!payload) return -1;
    int32_t err = may_send(c, c->caps ? c->caps->send : NULL, c->caps ? c->caps->nsend : 0, to, ARG(1), ARG(3));
    actor_id target = 0;
    if (!err) err = -(int32_t)resolve(c->sys, to, ARG(1), &target);
    if (!err && target == 0) component_log_line(c, 0, "sent a message to host", 22);
    else if (!err) err = deliver(c, target, component_msg_message(c->id, payload, ARG(3)));
    else if (err == -(int32_t)WACTOR_ENOENT) component_count(c, COUNT_DEAD_LETTER); /* no such name */
    results[0].of.i32 = err;
    return 0;
}

static int host_request(eng_call_ctx *ctx, const wactor_value *args, wactor_value *results, void *fn_data) {
    (void)fn_data;
    component *c = eng_ctx_user(ctx);
    results[0].type = WACTOR_I64;
    const char *to = guest_mem(ctx, ARG(0), ARG(1), "request: address");
    const void *payload = to ? guest_mem(ctx, ARG(2), ARG(3), "request: payload") : NULL;
    if (!payload) return -1;
    int32_t err = may_send(c, c->caps ? c->caps->request : NULL, c->caps ? c->caps->nrequest : 0, to, ARG(1), ARG(3));
    actor_id target = 0;
    if (!err) err = -(int32_t)resolve(c->sys, to, ARG(1), &target);
    if (!err && target == 0) err = -(int32_t)WACTOR_EINVAL; /* the host answers no requests */
    if (err) {
        if (err == -(int32_t)WACTOR_ENOENT) component_count(c, COUNT_DEAD_LETTER); /* no such name */
        results[0].of.i64 = err;
        return 0;
    }
    uint64_t corr = ++c->next_corr;
    actor_msg *m = component_msg_message(c->id, payload, ARG(3));
    actor_future *f = actor_future_new_notify(c->sys, c->id, corr);
    /* the timeout is a REPLY the component sends itself: a system message, never refused by a full mailbox */
    actor_reply expired = {.status = -ETIMEDOUT}; /* errno, as every reply status */
    actor_msg *timeout = actor_msg_new(ACTOR_MSG_REPLY, c->id, &expired, sizeof expired);
    if (!m || !f || !timeout || !component_pending_add(c, corr, 0)) {
        actor_msg_free(m);
        actor_msg_free(timeout);
        actor_future_release(f);
        results[0].of.i64 = -(int64_t)WACTOR_ENOMEM;
        return 0;
    }
    m->reply = f; /* the target's reply (or the actor layer, if the message is dropped) completes it */
    m->corr = corr;
    timeout->corr = corr;
    int32_t timeout_ms = args[4].of.i32 > 0 ? args[4].of.i32 : 5000;
    /* a dead target: the dropped message answers the request with ENOENT, delivered to handle-reply */
    if (actor_send(c->sys, target, m) == -EAGAIN) {
        component_pending_take(c, corr);
        component_count(c, COUNT_REFUSED_FULL);
        actor_msg_free(timeout);
        results[0].of.i64 = -(int64_t)WACTOR_EFULL;
        return 0;
    }
    uint64_t timer = 0;
    if (actor_timer_start(c->sys, c->id, timeout, (uint32_t)timeout_ms, &timer) == 0)
        c->pending[c->npending - 1].timer = timer; /* the entry added above (handlers do not run meanwhile) */
    results[0].of.i64 = (int64_t)corr;
    return 0;
}

/* The request being handled right now, if any. */
static actor_msg *current_request(component *c) {
    return c->job == JOB_HANDLER && c->msg && c->msg->type == COMPONENT_MSG_MESSAGE && c->msg->reply ? c->msg : NULL;
}

static int host_reply(eng_call_ctx *ctx, const wactor_value *args, wactor_value *results, void *fn_data) {
    (void)fn_data;
    component *c = eng_ctx_user(ctx);
    results[0].type = WACTOR_I32;
    const void *payload = guest_mem(ctx, ARG(0), ARG(1), "reply: payload");
    if (!payload) return -1;
    actor_msg *req = current_request(c);
    if (!req) {
        results[0].of.i32 = -(int32_t)WACTOR_ESTATE;
        return 0;
    }
    void *copy = malloc(ARG(1) ? ARG(1) : 1);
    if (!copy) {
        results[0].of.i32 = -(int32_t)WACTOR_ENOMEM;
        return 0;
    }
    memcpy(copy, payload, ARG(1));
    actor_future_complete(req->reply, 0, copy, ARG(1));
    actor_future_release(req->reply);
    req->reply = NULL; /* answered */
    results[0].of.i32 = 0;
    return 0;
}

static int host_request_id(eng_call_ctx *ctx, const wactor_value *args, wactor_value *results, void *fn_data) {
    (void)args, (void)fn_data;
    component *c = eng_ctx_user(ctx);
    actor_msg *req = current_request(c);
    results[0].type = WACTOR_I64;
    results[0].of.i64 = req ? (int64_t)(req->corr ? req->corr : 1) : 0;
    return 0;
}

static int host_publish(eng_call_ctx *ctx, const wactor_value *args, wactor_value *results, void *fn_data) {
    (void)fn_data;
    component *c = eng_ctx_user(ctx);
    results[0].type = WACTOR_I32;
    char topic[BROKER_SUBJECT_MAX + 1];
    int rc = guest_text(ctx, ARG(0), ARG(1), topic, sizeof topic, "publish: topic");
    if (rc == -1) return -1;
    const void *payload = guest_mem(ctx, ARG(2), ARG(3), "publish: payload");
    if (!payload) return -1;
    if (rc || !broker_subject_valid(topic, false) || !c->broker) {
        results[0].of.i32 = -(int32_t)WACTOR_EINVAL;
        return 0;
    }
    if (ARG(3) > c->max_message_bytes || !caps_allow_publish(c->caps, topic)) {
        component_count(c, COUNT_REFUSED);
        results[0].of.i32 = -(int32_t)(ARG(3) > c->max_message_bytes ? WACTOR_ETOOBIG : WACTOR_EPERM);
        return 0;
    }
    uint64_t subs[256], *out; /* on the heap only for more subscribers than that */
    ssize_t n = broker_match_all(c->broker, topic, subs, sizeof subs / sizeof subs[0], &out);
    int32_t delivered = 0;
    for (ssize_t i = 0; i < n; i++)
        if (deliver(c, out[i], component_msg_publication(c->id, topic, payload, ARG(3))) == 0) delivered++;
    if (out != subs) free(out);
    results[0].of.i32 = n < 0 ? -(int32_t)WACTOR_ENOMEM : delivered;
    return 0;
}

static int host_subscribe(eng_call_ctx *ctx, const wactor_value *args, wactor_value *results, void *fn_data) {
    component *c = eng_ctx_user(ctx);
    bool subscribe = fn_data != NULL;
    results[0].type = WACTOR_I32;
    char pattern[BROKER_SUBJECT_MAX + 1];
    int rc = guest_text(ctx, ARG(0), ARG(1), pattern, sizeof pattern, "subscribe: pattern");
    if (rc == -1) return -1;
    if (rc || !broker_subject_valid(pattern, true) || !c->broker) {
        results[0].of.i32 = -(int32_t)WACTOR_EINVAL;
        return 0;
    }
    if (!subscribe) {
        results[0].of.i32 = broker_unsubscribe(c->broker, pattern, c->id) == 0 ? 0 : -(int32_t)WACTOR_ENOENT;
        return 0;
    }
    if (!caps_allow_subscribe(c->caps, pattern)) {
        component_count(c, COUNT_REFUSED);
        results[0].of.i32 = -(int32_t)WACTOR_EPERM;
        return 0;
    }
    rc = broker_subscribe(c->broker, pattern, c->id);
    c->subscribed = true;
    results[0].of.i32 = rc == 0 ? 0 : rc == -EEXIST ? -(int32_t)WACTOR_EEXIST : -(int32_t)WACTOR_ENOMEM;
    return 0;
}

static int host_topic(eng_call_ctx *ctx, const wactor_value *args, wactor_value *results, void *fn_data) {
    (void)fn_data;
    component *c = eng_ctx_user(ctx);
    results[0].type = WACTOR_I32;
    const uint8_t *payload;
    size_t payload_len;
    const char *topic = c->job == JOB_HANDLER && c->msg ? component_msg_split(c->msg, &payload, &payload_len) : NULL;
    size_t len = topic ? strlen(topic) : 0;
    uint32_t n = len < ARG(1) ? (uint32_t)len : ARG(1);
    char *dst = guest_mem(ctx, ARG(0), n, "topic: buffer");
    if (!dst) return -1;
    if (n) memcpy(dst, topic, n);
    results[0].of.i32 = (int32_t)len;
    return 0;
}

/* monitor / link: targets the component may send to. */
static int host_watch(eng_call_ctx *ctx, const wactor_value *args, wactor_value *results, void *fn_data) {
    component *c = eng_ctx_user(ctx);
    bool link = fn_data != NULL;
    const char *to = guest_mem(ctx, ARG(0), ARG(1), link ? "link: address" : "monitor: address");
    if (!to) return -1;
    int64_t r = may_send(c, c->caps ? c->caps->send : NULL, c->caps ? c->caps->nsend : 0, to, ARG(1), 0);
    actor_id target = 0;
    if (!r) r = -(int64_t)resolve(c->sys, to, ARG(1), &target);
    if (!r && target == 0) r = -(int64_t)WACTOR_EINVAL;
    uint64_t ref = 0;
    if (!r && link) r = actor_link(c->sys, c->id, target) == 0 ? 0 : -(int64_t)WACTOR_ENOENT;
    if (!r && !link) r = actor_monitor(c->sys, c->id, target, &ref) == 0 ? (int64_t)ref : -(int64_t)WACTOR_ENOMEM;
    results[0].type = link ? WACTOR_I32 : WACTOR_I64;
    if (link) results[0].of.i32 = (int32_t)r;
    else results[0].of.i64 = r;
    return 0;
}

static int host_demonitor(eng_call_ctx *ctx, const wactor_value *args, wactor_value *results, void *fn_data) {
    (void)fn_data;
    component *c = eng_ctx_user(ctx);
    results[0].type = WACTOR_I32;
    results[0].of.i32 = actor_demonitor(c->sys, c->id, (uint64_t)args[0].of.i64) == 0 ? 0 : -(int32_t)WACTOR_ENOENT;
    return 0;
}

static int host_spawn(eng_call_ctx *ctx, const wactor_value *args, wactor_value *results, void *fn_data) {
    (void)fn_data;
    component *c = eng_ctx_user(ctx);
    results[0].type = WACTOR_I64;
    char name[256];
    int rc = guest_text(ctx, ARG(0), ARG(1), name, sizeof name, "spawn: name");
    if (rc == -1) return -1;
    if (rc) {
        results[0].of.i64 = rc;
        return 0;
    }
    if (!c->caps || !c->caps->spawn || !c->spawn) {
        component_count(c, COUNT_REFUSED);
        results[0].of.i64 = -(int64_t)WACTOR_EPERM;
        return 0;
    }
    actor_id id = 0;
    rc = c->spawn(c->spawn_user, name, &id); /* 0 or a negative errno value */
    results[0].of.i64 = rc ? -(int64_t)wactor_error_from_errno(rc) : (int64_t)id;
    return 0;
}

static int host_self(eng_call_ctx *ctx, const wactor_value *args, wactor_value *results, void *fn_data) {
    (void)args, (void)fn_data;
    component *c = eng_ctx_user(ctx);
    results[0].type = WACTOR_I64;
    results[0].of.i64 = (int64_t)c->id;
    return 0;
}

static int host_whereis(eng_call_ctx *ctx, const wactor_value *args, wactor_value *results, void *fn_data) {
    (void)fn_data;
    component *c = eng_ctx_user(ctx);
    const char *name = guest_mem(ctx, ARG(0), ARG(1), "whereis: name");
    if (!name) return -1;
    actor_id id = 0;
    results[0].type = WACTOR_I64;
    results[0].of.i64 = resolve(c->sys, name, ARG(1), &id) == WACTOR_OK ? (int64_t)id : 0;
    return 0;
}

static int host_log(eng_call_ctx *ctx, const wactor_value *args, wactor_value *results, void *fn_data) {
    (void)results, (void)fn_data;
    component *c = eng_ctx_user(ctx);
    const char *text = guest_mem(ctx, ARG(1), ARG(2), "log: text");
    if (!text) return -1;
    component_log_line(c, args[0].of.i32, text, ARG(2));
    return 0;
}

static int host_now(eng_call_ctx *ctx, const wactor_value *args, wactor_value *results, void *fn_data) {
    (void)ctx, (void)args, (void)fn_data;
    results[0].type = WACTOR_I64;
    results[0].of.i64 = (int64_t)clock_ns(CLOCK_MONOTONIC);
    return 0;
}

static int host_health_reason(eng_call_ctx *ctx, const wactor_value *args, wactor_value *results, void *fn_data) {
    (void)results, (void)fn_data;
    component *c = eng_ctx_user(ctx);
    const char *text = guest_mem(ctx, ARG(0), ARG(1), "health_reason: text");
    if (!text) return -1;
    size_t n = ARG(1) < sizeof c->health_reason - 1 ? ARG(1) : sizeof c->health_reason - 1;
    memcpy(c->health_reason, text, n);
    c->health_reason[n] = 0;
    return 0;
}

#define I32 WACTOR_I32
#define I64 WACTOR_I64
static const eng_host_func host_funcs[] = {
    {"wactor", "send", {4, 1, {I32, I32, I32, I32}, {I32}}, host_send, NULL},
    {"wactor", "self", {0, 1, {0}, {I64}}, host_self, NULL},
    {"wactor", "whereis", {2, 1, {I32, I32}, {I64}}, host_whereis, NULL},
    {"wactor", "log", {3, 0, {I32, I32, I32}, {0}}, host_log, NULL},
    {"wactor", "now", {0, 1, {0}, {I64}}, host_now, NULL},
    {"wactor", "health_reason", {2, 0, {I32, I32}, {0}}, host_health_reason, NULL},
    {"wactor", "publish", {4, 1, {I32, I32, I32, I32}, {I32}}, host_publish, NULL},
    {"wactor", "subscribe", {2, 1, {I32, I32}, {I32}}, host_subscribe, (void *)1},
    {"wactor", "unsubscribe", {2, 1, {I32, I32}, {I32}}, host_subscribe, NULL},
    {"wactor", "topic", {2, 1, {I32, I32}, {I32}}, host_topic, NULL},
    {"wactor", "request", {5, 1, {I32, I32, I32, I32, I32}, {I64}}, host_request, NULL},
    {"wactor", "reply", {2, 1, {I32, I32}, {I32}}, host_reply, NULL},
    {"wactor", "request_id", {0, 1, {0}, {I64}}, host_request_id, NULL},
    {"wactor", "monitor", {2, 1, {I32, I32}, {I64}}, host_watch, NULL},
    {"wactor", "demonitor", {1, 1, {I64}, {I32}}, host_demonitor, NULL},
    {"wactor", "link", {2, 1, {I32, I32}, {I32}}, host_watch, (void *)1},
    {"wactor", "spawn", {2, 1, {I32, I32}, {I64}}, host_spawn, NULL},
};

const eng_host_func *component_host_funcs(size_t *count) {
    *count = sizeof host_funcs / sizeof host_funcs[0];
    return host_funcs;
}
