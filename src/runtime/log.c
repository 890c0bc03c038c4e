/*
 * log.c — the embedding API's log levels (wactor_log_level_name / _parse) and its default log sink.
 *
 * Levels follow the guest ABI's numbers (docs/ABI.md, "The log"); names are the lower-case words of the
 * common syslog-style ladder (trace < debug < info < warn < error).
 */
#include <stdio.h>
#include <string.h>

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
