/*
 * command.c — `wactor run [--env NAME=VALUE]... [--dir HOST[::GUEST]]... MODULE.wasm [ARGS...]`: runs a
 * WASI command module the way wasmtime's CLI does (same option syntax): `_start` once, with argv
 * MODULE.wasm ARGS..., the given environment (nothing else) and preopened directories (nothing else);
 * the guest's stdout/stderr are the process's own, unprefixed, and its stdin is the process's; log records
 * (wactor.log, the runtime's diagnostics) go to stderr as `wactor run MANIFEST` writes them (cli/log.h). Everything
 * after the module is the guest's, even "--help". The process exit status is the guest's: 0 when `_start`
 * returns, N for proc_exit(N) with N <= 255; a larger N cannot be a process's status (256 would read as 0),
 * so it is reported ("wactor: MODULE: proc_exit(300): an exit status must be 0..255") and exits 1 — wasmtime
 * refuses proc_exit(N >= 126) the same way, with status 1. A trap prints "wactor: MODULE: trap: TEXT" to
 * stderr and exits 134 (as wasmtime: 128 + SIGABRT); bad input (usage, a missing or malformed module, a
 * module without `_start`, a directory that cannot be opened) exits 2.
 *
 * The module runs as one component (so every limit of the runtime applies) with no fuel limit, no
 * start-up fuel limit, a 4 GiB memory cap, and WASI polls that may block as long as the guest asks.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/args.h"
#include "cli/cli.h"
#include "cli/log.h"
#include "common/escape.h"

enum { CMD_TRAP_STATUS = 134 };

/* Log records (the guest's wactor.log lines, the runtime's diagnostics) go to stderr through cli/log.h, at
 * --log-level (default info) in --log-format, apart from the guest's own stdout/stderr, which stay raw. The
 * runtime's note on how the instance ended ("trap: ..." at error, "exit: ..." at info) is left out: that is
 * the command's outcome, which it reports itself (exit status, "wactor: MODULE: trap: ..."). */
static void command_log(void *user, wactor_log_level level, const char *name, const char *line, size_t len) {
    if ((level == WACTOR_LOG_ERROR && len >= 6 && memcmp(line, "trap: ", 6) == 0) ||
        (level == WACTOR_LOG_INFO && len >= 6 && memcmp(line, "exit: ", 6) == 0))
        return;
    cli_log_record(user, level, name, line, len);
}

int cli_run_command(const cli_run_args *args, int argc, char **argv) {
    const cli_run_args a = *args;
    wactor_wasi_dir *dirs = calloc(a.ndirs + 1, sizeof *dirs);
    char **dir_text = calloc(a.ndirs + 1, sizeof *dir_text);
    size_t ndirs = 0;
    int status = CLI_BAD_INPUT, i = a.module;
    char msg[128];
    wactor_runtime *rt = NULL;
    wactor_module *mod = NULL;
    if (!dirs || !dir_text) {
        cli_error(NULL, WACTOR_ENOMEM, NULL);
        goto out;
    }
    for (; ndirs < a.ndirs; ndirs++) { /* HOST or HOST::GUEST, both non-empty (checked by the parser) */
        char *copy = strdup(a.dirs[ndirs]);
        if (!copy) {
            cli_error(NULL, WACTOR_ENOMEM, NULL);
            goto out;
        }
        dir_text[ndirs] = copy;
        char *sep = strstr(copy, "::");
        if (sep) *sep = 0;
        dirs[ndirs] = (wactor_wasi_dir){.host = copy, .guest = sep ? sep + 2 : copy};
    }
    const char *path = argv[i];
    cli_log log;
    cli_log_init(&log, &a.log, WACTOR_LOG_INFO, CLI_LOG_TEXT, NULL);
    wactor_config cfg = {.threads = 1, .log = command_log, .log_user = &log, .log_level = log.level};
    wactor_error rc = wactor_runtime_create(&cfg, &rt);
    if (rc != WACTOR_OK) {
        cli_error("cannot start the runtime", rc, NULL);
        goto out;
    }
    wactor_diag d = {0};
    wactor_error err = wactor_module_load_file(rt, path, &mod, &d);
    if (err) {
        cli_load_error(err, &d);
        goto out;
    }
    if (wactor_module_func(mod, "_start", NULL) != WACTOR_OK) {
        cli_say(path, "not a command: no _start export");
        goto out;
    }
    wactor_wasi wasi = {.args = (const char *const *)(argv + i), .nargs = (size_t)(argc - i), .env = a.env,
                        .nenv = a.nenv, .dirs = dirs, .ndirs = ndirs, .inherit_stdio = true};
    wactor_spawn_opts opts = {.wasi = &wasi, .memory_pages = 65536, .start_fuel = UINT64_MAX};
    wactor_pid pid = 0;
    fflush(stdout);
    err = wactor_spawn(rt, mod, &opts, &pid, &d);
    unsigned code = 0;
    if (!err) {
        status = 0; /* _start returned */
        wactor_stop(rt, pid, 0);
    } else if (cli_proc_exit(err, &d, &code) && code <= 255) {
        status = (int)code;
    } else if (cli_proc_exit(err, &d, &code)) {
        snprintf(msg, sizeof msg, "proc_exit(%u): an exit status must be 0..255", code);
        cli_say(path, msg);
        status = CLI_TRAP;
    } else if (err == WACTOR_ETRAP) {
        char text[2 * WACTOR_DIAG_MAX];
        cli_trap_text(&d, text, sizeof text);
        static const char in_start[] = "_start trapped: "; /* a command's trap is in _start: say it once */
        const char *t = strncmp(text, in_start, sizeof in_start - 1) == 0 ? text + sizeof in_start - 1 : text;
        char what[4200];
        snprintf(what, sizeof what, "%.4000s: trap", path);
        cli_say(what, t);
        status = CMD_TRAP_STATUS;
    } else if (d.message[0]) {
        cli_say(path, d.message); /* the spawn's message says what failed: "wasi: preopen x: ..." */
    } else {
        cli_error(path, err, &d);
    }
out:
    if (mod) wactor_module_release(mod);
    wactor_runtime_destroy(rt);
    for (size_t k = 0; dir_text && k < ndirs; k++) free(dir_text[k]);
    free(dir_text);
    free(dirs);
    return status;
}
