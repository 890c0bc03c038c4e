/*
 * log.c — the embedding API's log levels (wactor_log_level_name / _parse), its default log sink, and the
 * supervisors' diagnostics as log records.
 *
 * Levels follow the guest ABI's numbers (docs/ABI.md, "The log"); names are the lower-case words of the
 * common syslog-style ladder (trace < debug < info < warn < error).
 *
 * Supervisor events (the same JSON objects wactor_event_fn receives) become records named after the
 * supervisor: a restart ("child X restarted (pid N)") and an abnormal exit at info, a failed start at
 * error, a shutdown for reached_max_restart_intensity at error (normal or shutdown: debug, any other reason:
 * warn), a health report at
 * warn (healthy: info), the rest (first starts, normal exits, a restart being scheduled) at debug. They are
 * limited together to log_diag_per_sec records per one-second window (common/ratelimit.h); the rest are
 * counted, and "N diagnostics suppressed (...)" under the name "wactor" precedes the next record allowed in
 * a later window, or is written when the runtime is destroyed.
 */
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "common/clock.h"

#include "common/escape.h"
#include "runtime/internal.h"

static const char *const level_names[] = {"trace", "debug", "info", "warn", "error"};
#define NLEVELS (sizeof level_names / sizeof level_names[0])

const char *wactor_log_level_name(wactor_log_level level) {
    int i = (int)level - (int)WACTOR_LOG_TRACE;
    return i >= 0 && (size_t)i < NLEVELS ? level_names[i] : "unknown";
}

wactor_error wactor_log_level_parse(const char *text, wactor_log_level *out) {
    if (!text || !out) return WACTOR_EINVAL;
    for (size_t i = 0; i < NLEVELS; i++)
        if (strcmp(text, level_names[i]) == 0) {
            *out = (wactor_log_level)((int)i + (int)WACTOR_LOG_TRACE);
            return WACTOR_OK;
        }
    return WACTOR_EINVAL;
}

void runtime_stderr_log(void *user, wactor_log_level level, const char *name, const char *line, size_t len) {
    (void)user;
    flockfile(stderr);
    fputs(wactor_log_level_name(level), stderr);
    fputs(" [", stderr);
    escape_write(stderr, name, strlen(name));
    fputs("] ", stderr);
    escape_write(stderr, line, len);
    fputc('\n', stderr);
    funlockfile(stderr);
}

void runtime_log_init(wactor_runtime *rt) {
    pthread_mutex_init(&rt->diag_lock, NULL);
    ratelimit_init(&rt->diag_limit, rt->log_diag_per_sec, 1000000000u, clock_mono_ns());
}

static void report_suppressed(wactor_runtime *rt, uint64_t n) {
    if (!n || WACTOR_LOG_WARN < rt->log_level) return;
    char notice[128];
    int len = snprintf(notice, sizeof notice, "%" PRIu64 " diagnostics suppressed (over log_diag_per_sec = %" PRIu32 ")",
                       n, rt->log_diag_per_sec);
    if (len > 0) rt->log(rt->log_user, WACTOR_LOG_WARN, "wactor", notice, (size_t)len < sizeof notice ? (size_t)len : sizeof notice - 1);
}

void runtime_log_end(wactor_runtime *rt) {
    report_suppressed(rt, ratelimit_flush(&rt->diag_limit));
    pthread_mutex_destroy(&rt->diag_lock);
}

static const char *field(json_t *ev, const char *key) {
    const char *s = json_string_value(json_object_get(ev, key));
    return s ? s : "";
}

/* The record for one supervisor event into line (cap bytes); returns its level. */
static wactor_log_level describe(json_t *ev, char *line, size_t cap) {
    const char *event = field(ev, "event"), *child = field(ev, "child"), *reason = field(ev, "reason");
    json_int_t pid = json_integer_value(json_object_get(ev, "pid"));
    if (strcmp(event, "child_started") == 0) {
        bool restart = json_is_true(json_object_get(ev, "restart"));
        snprintf(line, cap, "child %s %s (pid %" JSON_INTEGER_FORMAT ")", child, restart ? "restarted" : "started", pid);
        return restart ? WACTOR_LOG_INFO : WACTOR_LOG_DEBUG;
    }
    if (strcmp(event, "child_exited") == 0) {
        bool normal = strcmp(reason, "normal") == 0 || strcmp(reason, "shutdown") == 0;
        snprintf(line, cap, "child %s exited: %s (pid %" JSON_INTEGER_FORMAT ")", child, reason, pid);
        return normal ? WACTOR_LOG_DEBUG : WACTOR_LOG_INFO;
    }
    if (strcmp(event, "child_restarting") == 0) {
        snprintf(line, cap, "restarting child %s in %" JSON_INTEGER_FORMAT " ms", child,
                 json_integer_value(json_object_get(ev, "delay_ms")));
        return WACTOR_LOG_DEBUG;
    }
    if (strcmp(event, "start_failed") == 0) {
        if (*child) snprintf(line, cap, "child %s failed to start: %s", child, reason);
        else snprintf(line, cap, "supervisor failed to start: %s", reason);
        return WACTOR_LOG_ERROR;
    }
    if (strcmp(event, "supervisor_shutdown") == 0) {
        snprintf(line, cap, "supervisor shutting down: %s", *reason ? reason : "normal");
        if (strcmp(reason, "reached_max_restart_intensity") == 0) return WACTOR_LOG_ERROR;
        return !*reason || strcmp(reason, "normal") == 0 || strcmp(reason, "shutdown") == 0 ? WACTOR_LOG_DEBUG
                                                                                            : WACTOR_LOG_WARN;
    }
    if (strcmp(event, "health") == 0) {
        const char *status = field(ev, "status");
        snprintf(line, cap, "child %s health: %s%s%s", child, status, *reason ? ": " : "", reason);
        return strcmp(status, "healthy") == 0 ? WACTOR_LOG_INFO : WACTOR_LOG_WARN;
    }
    snprintf(line, cap, "%s: child %s%s%s", event, child, *reason ? ": " : "", reason);
    return WACTOR_LOG_DEBUG;
}

void runtime_log_event(wactor_runtime *rt, const char *json) {
    if (rt->log_level > WACTOR_LOG_ERROR) return; /* no event is above error: nothing to parse */
    json_t *ev = json_loads(json, 0, NULL);
    if (!ev) return;
    char line[WACTOR_DIAG_MAX + 512];
    wactor_log_level level = describe(ev, line, sizeof line);
    if (level >= rt->log_level) {
        uint64_t suppressed;
        pthread_mutex_lock(&rt->diag_lock);
        bool ok = ratelimit_take(&rt->diag_limit, clock_mono_ns(), &suppressed);
        pthread_mutex_unlock(&rt->diag_lock);
        if (ok) {
            report_suppressed(rt, suppressed);
            const char *sup = json_string_value(json_object_get(ev, "supervisor"));
            rt->log(rt->log_user, level, sup ? sup : "supervisor", line, strlen(line));
        }
    }
    json_decref(ev);
}
