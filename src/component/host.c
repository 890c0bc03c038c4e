/*
 * host.c — the host functions of import module `wactor` (docs/ABI.md); the component's log is log.c.
 *
 * Every pointer/length a guest passes is checked against its memory with eng_ctx_mem(); a bad one traps
 * that guest (WACTOR_TRAP_HOST) and nobody else. Everything else a guest gets wrong is an error result:
 * inside, statuses are 0 or negative errno values (include/wactor_errors.h); guest_error() is the one place
 * they become the guest's negative wactor_error codes. Every resource a call makes the host hold is
 * counted against the component's limits (docs/ABI.md, "Limits"): outstanding requests, subscriptions,
 * monitors, links and live spawned instances; -EDQUOT (WACTOR_ERR_LIMIT) when one is reached, nothing done.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>

#include "common/clock.h"
#include "common/errors.h"
#include "component/internal.h"
#include "registry/registry.h"

/* ------------------------------------------------------------------ results and arguments */

#define ARG(i) ((uint32_t)args[i].of.i32)

/* THE conversion of this edge (docs/ABI.md, "Results"): a layer's status (0 or a negative errno value) as
 * the guest sees it, 0 or a negative wactor_error. Nothing else in this file negates a wactor_error. */
static int32_t guest_error(int rc) { return -(int32_t)wactor_error_from_errno(rc); }

static void *guest_mem(eng_call_ctx *ctx, uint32_t ptr, uint32_t len, const char *what) {
    void *p = eng_ctx_mem(ctx, ptr, len);
    if (!p) eng_host_trap(ctx, WACTOR_TRAP_HOST, 0, "%s: [%u, +%u) is outside linear memory", what, ptr, len);
    return p;
}

/* "The guest was trapped" (a bad pointer): distinct from every negative errno value a helper returns. */
#define TRAPPED INT_MIN

/* Reads guest text [ptr, +len) into buf (cap bytes) NUL-terminated. Returns 0; -EINVAL when it is empty,
 * longer than cap - 1 bytes (memory not even looked at) or contains a NUL; TRAPPED (a bad pointer). */
static int guest_text(eng_call_ctx *ctx, uint32_t ptr, uint32_t len, char *buf, size_t cap, const char *what) {
    if (len == 0 || len >= cap) return -EINVAL;
    const char *text = guest_mem(ctx, ptr, len, what);
    if (!text) return TRAPPED;
    if (memchr(text, 0, len)) return -EINVAL;
    memcpy(buf, text, len);
    buf[len] = 0;
    return 0;
}

/* Whether `target` takes a payload of `len` bytes (its own max_message_bytes, checked before anything is
 * built or queued): 0, or -EMSGSIZE counted as a refusal. */
static int receiver_takes(component *c, actor_id target, uint32_t len) {
    size_t max = actor_max_message_bytes(c->sys, target);
    if (!max || len <= max) return 0;
    component_count(c, COUNT_REFUSED);
    if (component_log_wants(c, WACTOR_LOG_DEBUG)) {
        char to[REGISTRY_NAME_MAX + 8];
        component_address(c->sys, target, to, sizeof to);
        component_diag(c, WACTOR_LOG_DEBUG, "refused: message to %s: %" PRIu32 " bytes over its max_message_bytes = %zu",
                       to, len, max);
    }
    return -EMSGSIZE;
}

/* Queues `m` for `target`, accounting for the outcome; returns 0 or a negative errno value. */
static int deliver(component *c, actor_id target, actor_msg *m) {
    if (!m) return -ENOMEM;
    int rc = actor_send(c->sys, target, m);
    if (rc == -EAGAIN || rc == -EMSGSIZE) component_count(c, COUNT_REFUSED_FULL); /* the receiver's bounds */
    else if (rc == -EPROTOTYPE) component_count(c, COUNT_REFUSED); /* not a component: a supervisor */
    else if (rc) component_count(c, COUNT_DEAD_TARGET);
    if (rc == -EPROTOTYPE && component_log_wants(c, WACTOR_LOG_DEBUG)) {
        char to[REGISTRY_NAME_MAX + 8];
        component_address(c->sys, target, to, sizeof to);
        component_diag(c, WACTOR_LOG_DEBUG, "refused: message to %s: not a component (a supervisor takes no messages)", to);
    }
    if ((rc == -EAGAIN || rc == -EMSGSIZE) && component_log_wants(c, WACTOR_LOG_DEBUG)) {
        char to[REGISTRY_NAME_MAX + 8];
        component_address(c->sys, target, to, sizeof to);
        component_diag(c, WACTOR_LOG_DEBUG, "refused: message to %s: %s", to,
                       rc == -EAGAIN ? "its mailbox is full (mailbox / mailbox_bytes)"
                                     : "larger than its whole mailbox_bytes");
    }
    return rc;
}

/* The checks every message, request, monitor and link passes, in this order: the address is well formed
 * (-EINVAL), the payload within the sender's max_message_bytes (-EMSGSIZE), the target granted (-EPERM),
 * the target alive (-ENOENT; a lost message when `message`). Refusals are counted. On 0, *target is the
 * live actor (0: host). */
static int check_target(component *c, component_grant which, const char *op, const char *to, uint32_t to_len,
                        uint32_t payload_len, bool message, actor_id *target) {
    int rc = component_resolve(c->sys, to, to_len, target);
    if (rc == -EINVAL) return rc;
    int shown = to_len > REGISTRY_NAME_MAX ? REGISTRY_NAME_MAX : (int)to_len; /* a valid address is no longer */
    if (payload_len > c->max_message_bytes) {
        component_count(c, COUNT_REFUSED);
        component_diag(c, WACTOR_LOG_DEBUG, "refused: %s to %.*s: %" PRIu32 " bytes over max_message_bytes = %" PRIu32,
                       op, shown, to, payload_len, c->max_message_bytes);
        return -EMSGSIZE;
    }
    if (!component_caps_allow_target(c->caps, which, c->sys, to, to_len, rc == 0 ? *target : 0)) {
        component_count(c, COUNT_REFUSED);
        if (component_log_wants(c, WACTOR_LOG_DEBUG)) {
            char rule[512];
            component_caps_describe(c->caps, which == COMPONENT_GRANT_REQUEST ? "request" : "send", rule, sizeof rule);
            component_diag(c, WACTOR_LOG_DEBUG, "refused: %s to %.*s: not granted: %s", op, shown, to, rule);
        }
        return -EPERM;
    }
    if (rc == -ENOENT && message) { /* granted; nobody has it now */
        component_count(c, COUNT_DEAD_LETTER);
        component_diag(c, WACTOR_LOG_DEBUG, "dead letter: %s to %.*s: no such actor now", op, shown, to);
    }
    return rc;
}

/* A per-component limit was reached: counted as a refusal (logged at debug, naming the limit `what` and its
 * value), -EDQUOT (the guest sees WACTOR_ERR_LIMIT). */
static int limit_reached(component *c, const char *op, const char *what, uint32_t limit) {
    component_count(c, COUNT_REFUSED);
    component_diag(c, WACTOR_LOG_DEBUG, "refused: %s: %s = %" PRIu32 " reached", op, what, limit);
    return -EDQUOT;
}

/* ------------------------------------------------------------------ send, request, reply */

static int host_send(eng_call_ctx *ctx, const wactor_value *args, wactor_value *results, void *fn_data) {
    (void)fn_data;
    component *c = eng_ctx_user(ctx);
    results[0].type = WACTOR_I32;
    const char *to = guest_mem(ctx, ARG(0), ARG(1), "send: address");
    const void *payload = to ? guest_mem(ctx, ARG(2), ARG(3), "send: payload") : NULL;
    if (!payload) return -1;
    actor_id target = 0;
    int rc = check_target(c, COMPONENT_GRANT_SEND, "send", to, ARG(1), ARG(3), true, &target);
    if (!rc && target == 0) component_diag(c, WACTOR_LOG_DEBUG, "sent a message to host");
    else if (!rc && !(rc = receiver_takes(c, target, ARG(3))))
        rc = deliver(c, target, component_msg_message(c->id, payload, ARG(3)));
    results[0].of.i32 = guest_error(rc);
    return 0;
}

static int host_request(eng_call_ctx *ctx, const wactor_value *args, wactor_value *results, void *fn_data) {
    (void)fn_data;
    component *c = eng_ctx_user(ctx);
    results[0].type = WACTOR_I64;
    const char *to = guest_mem(ctx, ARG(0), ARG(1), "request: address");
    const void *payload = to ? guest_mem(ctx, ARG(2), ARG(3), "request: payload") : NULL;
    if (!payload) return -1;
    actor_id target = 0;
    int rc = check_target(c, COMPONENT_GRANT_REQUEST, "request", to, ARG(1), ARG(3), true, &target);
    if (!rc && target == 0) rc = -EINVAL; /* the host answers no requests */
    if (!rc) rc = receiver_takes(c, target, ARG(3));
    if (!rc && component_pending_count(c) >= c->max_requests) rc = limit_reached(c, "request", "max_requests", c->max_requests);
    if (rc) {
        results[0].of.i64 = guest_error(rc);
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
        results[0].of.i64 = guest_error(-ENOMEM);
        return 0;
    }
    m->reply = f; /* the target's reply (or the actor layer, if the message is dropped) completes it */
    m->corr = corr;
    timeout->corr = corr;
    int32_t timeout_ms = args[4].of.i32 > 0 ? args[4].of.i32 : WACTOR_DEFAULT_REQUEST_TIMEOUT_MS;
    rc = deliver(c, target, m);
    if (rc) { /* refused or dead: nothing was queued; the future's own answer (a REPLY) finds nothing pending */
        component_pending_take(c, corr);
        actor_msg_free(timeout);
        results[0].of.i64 = guest_error(rc);
        return 0;
    }
    uint64_t timer = 0;
    if (actor_timer_start(c->sys, c->id, timeout, (uint32_t)timeout_ms, &timer) == 0)
        component_pending_set_timer(c, corr, timer); /* handlers do not run meanwhile: still pending */
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
    int rc = 0;
    if (!req) rc = -EBUSY;
    else if (ARG(1) > c->max_message_bytes) { /* a reply is a message: the same limit (the request stays open) */
        component_count(c, COUNT_REFUSED);
        component_diag(c, WACTOR_LOG_DEBUG, "refused: reply: %" PRIu32 " bytes over max_message_bytes = %" PRIu32,
                       ARG(1), c->max_message_bytes);
        rc = -EMSGSIZE;
    }
    void *copy = rc ? NULL : malloc(ARG(1) ? ARG(1) : 1);
    if (!rc && !copy) rc = -ENOMEM;
    if (!rc) {
        memcpy(copy, payload, ARG(1));
        actor_future_complete(req->reply, 0, copy, ARG(1));
        actor_future_release(req->reply);
        req->reply = NULL; /* answered */
    }
    results[0].of.i32 = guest_error(rc);
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

/* ------------------------------------------------------------------ publish / subscribe */

static int host_publish(eng_call_ctx *ctx, const wactor_value *args, wactor_value *results, void *fn_data) {
    (void)fn_data;
    component *c = eng_ctx_user(ctx);
    results[0].type = WACTOR_I32;
    char topic[BROKER_SUBJECT_MAX + 1];
    int rc = guest_text(ctx, ARG(0), ARG(1), topic, sizeof topic, "publish: topic");
    if (rc == TRAPPED) return -1;
    const void *payload = guest_mem(ctx, ARG(2), ARG(3), "publish: payload");
    if (!payload) return -1;
    if (!rc && (!broker_subject_valid(topic, false) || !c->broker)) rc = -EINVAL;
    if (!rc && ARG(3) > c->max_message_bytes) rc = -EMSGSIZE;
    else if (!rc && !component_caps_allow_publish(c->caps, topic)) rc = -EPERM;
    if (rc == -EMSGSIZE || rc == -EPERM) component_count(c, COUNT_REFUSED);
    if (rc == -EMSGSIZE)
        component_diag(c, WACTOR_LOG_DEBUG, "refused: publish to %s: %" PRIu32 " bytes over max_message_bytes = %" PRIu32,
                       topic, ARG(3), c->max_message_bytes);
    if (rc == -EPERM && component_log_wants(c, WACTOR_LOG_DEBUG)) {
        char rule[512];
        component_diag(c, WACTOR_LOG_DEBUG, "refused: publish to %s: not granted: %s", topic,
                       component_caps_describe(c->caps, "publish", rule, sizeof rule));
    }
    if (rc) {
        results[0].of.i32 = guest_error(rc);
        return 0;
    }
    uint64_t subs[256], *out; /* on the heap only for more subscribers than that */
    ssize_t n = broker_match_all(c->broker, topic, subs, sizeof subs / sizeof subs[0], &out);
    int32_t delivered = 0;
    for (ssize_t i = 0; i < n; i++) /* each subscriber's own size limit applies: the others still get it */
        if (receiver_takes(c, out[i], ARG(3)) == 0 &&
            deliver(c, out[i], component_msg_publication(c->id, topic, payload, ARG(3))) == 0)
            delivered++;
    if (out != subs) free(out);
    results[0].of.i32 = n < 0 ? guest_error((int)n) : delivered;
    return 0;
}

/* Reads a subscription pattern; 0, -EINVAL (malformed, or no broker) or TRAPPED. */
static int guest_pattern(eng_call_ctx *ctx, component *c, const wactor_value *args, char *pattern, size_t cap,
                         const char *what) {
    int rc = guest_text(ctx, ARG(0), ARG(1), pattern, cap, what);
    if (!rc && (!broker_subject_valid(pattern, true) || !c->broker)) rc = -EINVAL;
    return rc;
}

static int host_subscribe(eng_call_ctx *ctx, const wactor_value *args, wactor_value *results, void *fn_data) {
    (void)fn_data;
    component *c = eng_ctx_user(ctx);
    results[0].type = WACTOR_I32;
    char pattern[BROKER_SUBJECT_MAX + 1];
    int rc = guest_pattern(ctx, c, args, pattern, sizeof pattern, "subscribe: pattern");
    if (rc == TRAPPED) return -1;
    if (!rc && !component_caps_allow_subscribe(c->caps, pattern)) {
        component_count(c, COUNT_REFUSED);
        rc = -EPERM;
        if (component_log_wants(c, WACTOR_LOG_DEBUG)) {
            char rule[512];
            component_diag(c, WACTOR_LOG_DEBUG, "refused: subscribe to %s: not granted: %s", pattern,
                           component_caps_describe(c->caps, "subscribe", rule, sizeof rule));
        }
    }
    if (!rc && c->subscriptions >= c->max_subscriptions)
        rc = limit_reached(c, "subscribe", "max_subscriptions", c->max_subscriptions);
    if (!rc) rc = broker_subscribe(c->broker, pattern, c->id); /* -EEXIST: it holds that pattern already */
    if (!rc) {
        c->subscribed = true;
        c->subscriptions++;
    }
    results[0].of.i32 = guest_error(rc);
    return 0;
}

static int host_unsubscribe(eng_call_ctx *ctx, const wactor_value *args, wactor_value *results, void *fn_data) {
    (void)fn_data;
    component *c = eng_ctx_user(ctx);
    results[0].type = WACTOR_I32;
    char pattern[BROKER_SUBJECT_MAX + 1];
    int rc = guest_pattern(ctx, c, args, pattern, sizeof pattern, "unsubscribe: pattern");
    if (rc == TRAPPED) return -1;
    if (!rc) rc = broker_unsubscribe(c->broker, pattern, c->id); /* -ENOENT: not subscribed so */
    if (!rc && c->subscriptions) c->subscriptions--;
    results[0].of.i32 = guest_error(rc);
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

/* ------------------------------------------------------------------ monitors and links */

/* The target of a monitor or link: granted by the send list, alive or not, never the host. */
static int watch_target(eng_call_ctx *ctx, component *c, const wactor_value *args, const char *what,
                        actor_id *target) {
    const char *to = guest_mem(ctx, ARG(0), ARG(1), what);
    if (!to) return TRAPPED;
    int rc = check_target(c, COMPONENT_GRANT_SEND, strncmp(what, "link", 4) == 0 ? "link" : "monitor", to, ARG(1), 0,
                          false, target);
    if (rc == -ENOENT && to[0] == '#') { /* a granted pid that is gone: the monitor says noproc at once */
        component_parse_pid(to, ARG(1), target);
        rc = 0;
    }
    if (!rc && *target == 0) rc = -EINVAL;
    return rc;
}

static int host_monitor(eng_call_ctx *ctx, const wactor_value *args, wactor_value *results, void *fn_data) {
    (void)fn_data;
    component *c = eng_ctx_user(ctx);
    results[0].type = WACTOR_I64;
    actor_id target = 0;
    int rc = watch_target(ctx, c, args, "monitor: address", &target);
    if (rc == TRAPPED) return -1;
    if (!rc && c->monitors >= c->max_monitors) rc = limit_reached(c, "monitor", "max_monitors", c->max_monitors);
    uint64_t ref = 0;
    if (!rc) rc = actor_monitor(c->sys, c->id, target, &ref);
    if (!rc) c->monitors++; /* held until its DOWN arrives (component_down_notice) or demonitor */
    results[0].of.i64 = rc ? guest_error(rc) : (int64_t)ref;
    return 0;
}

static int host_demonitor(eng_call_ctx *ctx, const wactor_value *args, wactor_value *results, void *fn_data) {
    (void)fn_data;
    component *c = eng_ctx_user(ctx);
    results[0].type = WACTOR_I32;
    uint64_t ref = (uint64_t)args[0].of.i64;
    int rc = component_idmap_get(&c->children, ref, NULL) ? -ENOENT /* the host's own monitor */
                                                           : actor_demonitor(c->sys, c->id, ref);
    if (!rc && c->monitors) c->monitors--;
    results[0].of.i32 = guest_error(rc);
    return 0;
}

static int host_link(eng_call_ctx *ctx, const wactor_value *args, wactor_value *results, void *fn_data) {
    (void)fn_data;
    component *c = eng_ctx_user(ctx);
    results[0].type = WACTOR_I32;
    actor_id target = 0;
    int rc = watch_target(ctx, c, args, "link: address", &target);
    if (rc == TRAPPED) return -1;
    /* Counted per successful call over the instance's life: a link that ends when its partner exits
     * normally is invisible to a non-trapping actor, so the count errs on the safe side. */
    if (!rc && c->links >= c->max_links) rc = limit_reached(c, "link", "max_links", c->max_links);
    if (!rc) rc = actor_link(c->sys, c->id, target);
    if (!rc) c->links++;
    results[0].of.i32 = guest_error(rc);
    return 0;
}

bool component_down_notice(component *c, actor_msg *msg) {
    uint64_t child = 0;
    if (!component_idmap_take(&c->children, msg->corr, &child)) {
        if (c->monitors) c->monitors--; /* one of the guest's monitors fired: no longer held */
        return false;
    }
    actor_msg_free(msg); /* a child it spawned ended: one fewer against max_spawned */
    return true;
}

/* ------------------------------------------------------------------ spawn */

static int host_spawn(eng_call_ctx *ctx, const wactor_value *args, wactor_value *results, void *fn_data) {
    (void)fn_data;
    component *c = eng_ctx_user(ctx);
    results[0].type = WACTOR_I64;
    char name[REGISTRY_NAME_MAX + 1];
    int rc = guest_text(ctx, ARG(0), ARG(1), name, sizeof name, "spawn: name");
    if (rc == TRAPPED) return -1;
    if (!rc && (!component_caps_allow_spawn(c->caps) || !c->spawn)) {
        component_count(c, COUNT_REFUSED);
        rc = -EPERM;
        if (component_log_wants(c, WACTOR_LOG_DEBUG)) {
            char rule[64];
            component_diag(c, WACTOR_LOG_DEBUG, "refused: spawn %s: not granted: %s", name,
                           c->spawn ? component_caps_describe(c->caps, "spawn", rule, sizeof rule)
                                    : "this runtime spawns nothing by name");
        }
    }
    /* live children: each is monitored by the host (not the guest) and counted out when its DOWN arrives */
    if (!rc && c->children.count >= c->max_spawned) rc = limit_reached(c, "spawn", "max_spawned", c->max_spawned);
    actor_id id = 0;
    if (!rc) rc = c->spawn(c->spawn_user, name, &id); /* 0 or a negative errno value */
    uint64_t ref = 0;
    if (!rc && actor_monitor(c->sys, c->id, id, &ref) == 0 && component_idmap_put(&c->children, ref, id) != 0)
        actor_demonitor(c->sys, c->id, ref); /* no memory to count it: the child runs uncounted */
    results[0].of.i64 = rc ? guest_error(rc) : (int64_t)id;
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
    actor_id id = 0; /* "#N" answers N only while N is alive; "host" and anything malformed answer 0 */
    results[0].type = WACTOR_I64;
    results[0].of.i64 = component_resolve(c->sys, name, ARG(1), &id) == 0 ? (int64_t)id : 0;
    return 0;
}

static int host_log(eng_call_ctx *ctx, const wactor_value *args, wactor_value *results, void *fn_data) {
    (void)results, (void)fn_data;
    component *c = eng_ctx_user(ctx);
    const char *text = guest_mem(ctx, ARG(1), ARG(2), "log: text");
    if (!text) return -1;
    component_log_line(c, component_log_level(args[0].of.i32), text, ARG(2));
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
    {"wactor", "subscribe", {2, 1, {I32, I32}, {I32}}, host_subscribe, NULL},
    {"wactor", "unsubscribe", {2, 1, {I32, I32}, {I32}}, host_unsubscribe, NULL},
    {"wactor", "topic", {2, 1, {I32, I32}, {I32}}, host_topic, NULL},
    {"wactor", "request", {5, 1, {I32, I32, I32, I32, I32}, {I64}}, host_request, NULL},
    {"wactor", "reply", {2, 1, {I32, I32}, {I32}}, host_reply, NULL},
    {"wactor", "request_id", {0, 1, {0}, {I64}}, host_request_id, NULL},
    {"wactor", "monitor", {2, 1, {I32, I32}, {I64}}, host_monitor, NULL},
    {"wactor", "demonitor", {1, 1, {I64}, {I32}}, host_demonitor, NULL},
    {"wactor", "link", {2, 1, {I32, I32}, {I32}}, host_link, NULL},
    {"wactor", "spawn", {2, 1, {I32, I32}, {I64}}, host_spawn, NULL},
};

const eng_host_func *component_host_funcs(size_t *count) {
    *count = sizeof host_funcs / sizeof host_funcs[0];
    return host_funcs;
}
