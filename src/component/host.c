/*
 * host.c — the host functions of import module `wactor` (docs/ABI.md) and the component's log.
 *
 * Every pointer/length a guest passes is checked against its memory with eng_ctx_mem(); a bad one traps
 * that guest (WACTOR_TRAP_HOST) and nobody else.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "component/internal.h"
#include "registry/registry.h"

/* ------------------------------------------------------------------ log */

void component_log_line(component *c, int level, const char *text, size_t len) {
    (void)level;
    c->log(c->log_user, c->name, text, len);
}

void component_log_flush(component *c) {
    if (c->line_len) component_log_line(c, 1, c->line, c->line_len);
    c->line_len = 0;
}

void component_wasi_write(void *user, int fd, const uint8_t *bytes, size_t len) {
    (void)fd;
    component *c = user;
    for (size_t i = 0; i < len; i++) {
        if (bytes[i] == '\n') {
            component_log_line(c, 1, c->line, c->line_len);
            c->line_len = 0;
            continue;
        }
        if (c->line_len == sizeof c->line) component_log_flush(c); /* an over-long line is cut */
        c->line[c->line_len++] = (char)bytes[i];
    }
}

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

static int host_send(eng_call_ctx *ctx, const wactor_value *args, wactor_value *results, void *fn_data) {
    (void)fn_data;
    component *c = eng_ctx_user(ctx);
    const char *to = guest_mem(ctx, ARG(0), ARG(1), "send: address");
    if (!to) return -1;
    results[0].type = WACTOR_I32;
    if (ARG(3) > COMPONENT_MAX_MESSAGE) {
        results[0].of.i32 = -(int32_t)WACTOR_ETOOBIG;
        return 0;
    }
    const void *payload = guest_mem(ctx, ARG(2), ARG(3), "send: payload");
    if (!payload) return -1;
    actor_id target = 0;
    wactor_error err = resolve(c->sys, to, ARG(1), &target);
    if (err == WACTOR_OK && target == 0) {
        component_log_line(c, 0, "sent a message to host", 22);
    } else if (err == WACTOR_OK) {
        actor_msg *m = component_msg_message(c->id, payload, ARG(3));
        int rc = m ? actor_send(c->sys, target, m) : -ENOMEM;
        err = rc == 0 ? WACTOR_OK : rc == -ENOMEM ? WACTOR_ENOMEM : WACTOR_ENOENT;
    }
    results[0].of.i32 = -(int32_t)err;
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
    results[0].of.i64 = (int64_t)component_now_ns(CLOCK_MONOTONIC);
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
};

const eng_host_func *component_host_funcs(size_t *count) {
    *count = sizeof host_funcs / sizeof host_funcs[0];
    return host_funcs;
}
