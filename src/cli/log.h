/* log.h — the `wactor` program's log sink: every log record of a run (a component's log line or one of the
 * runtime's diagnostics) as one line on stderr, in text or JSON, with an ISO-8601 UTC timestamp (ms).
 *
 *   text:  2026-12-01T23:30:00.123Z INFO  [name] message         (name and message escaped: common/escape.h)
 *   json:  {"ts":"2026-12-01T23:30:00.123Z","level":"info","component":"name","msg":"message"}
 *
 * JSON lines are built by jansson and are pure ASCII (JSON_ENSURE_ASCII): control characters and NULs
 * become \uXXXX escapes, bytes that are not well-formed UTF-8 become U+FFFD; every line is valid JSON.
 * Standard output stays for answers and results. */
#ifndef WACTOR_CLI_LOG_H
#define WACTOR_CLI_LOG_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "wactor.h"

typedef enum cli_log_format { CLI_LOG_TEXT, CLI_LOG_JSON } cli_log_format;

/* --log-level / --log-format as given on the command line (*_set false: not given). */
typedef struct cli_log_opts {
    wactor_log_level level;
    cli_log_format format;
    bool level_set, format_set;
} cli_log_opts;

/* If argv[*i] is --log-level or --log-format ("--log-level debug" or "--log-level=debug"), stores its value
 * in *o, advances *i past it and returns 1; returns 0 (nothing touched) for any other argument; returns -1
 * with a message in err (errlen bytes, NUL-terminated; err may be NULL) for a missing or unknown value:
 * "wactor run: --log-level needs one of trace, debug, info, warn, error, not 'x'". Pure, thread-safe. */
int cli_log_option(int argc, char **argv, int *i, cli_log_opts *o, char *err, size_t errlen);

/* The sink's state: pass it as wactor_config.log_user with cli_log_record as .log, and `level` as
 * wactor_config.log_level (the sink checks it too). `lock` serialises every writer of `out` (may be NULL). */
typedef struct cli_log {
    wactor_log_level level;
    cli_log_format format;
    FILE *out;
    pthread_mutex_t *lock;
} cli_log;

/* The sink for `wactor run`: the command line's choice over the manifest's `log:` (manifest_level /
 * manifest_format, already defaulted to info / text), written to stderr. */
void cli_log_init(cli_log *l, const cli_log_opts *cli, wactor_log_level manifest_level,
                  cli_log_format manifest_format, pthread_mutex_t *lock);

/* A wactor_log_fn (user: a cli_log): writes the record as one line and flushes it. Records below l->level
 * are skipped. Thread-safe (under l->lock). */
void cli_log_record(void *user, wactor_log_level level, const char *name, const char *line, size_t len);

/* Formats the current UTC time as "YYYY-MM-DDTHH:MM:SS.mmmZ" into buf (at least 25 bytes). */
void cli_log_timestamp(char *buf, size_t cap);

#endif
