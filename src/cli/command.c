/*
 * command.c — `wactor run [--env NAME=VALUE]... [--dir HOST[::GUEST]]... MODULE.wasm [ARGS...]`: runs a
 * WASI command module the way wasmtime's CLI does (same option syntax): `_start` once, with argv
 * MODULE.wasm ARGS..., the given environment (nothing else) and preopened directories (nothing else);
 * the guest's stdout/stderr are the process's own, unprefixed, and its stdin is the process's; log records
 * (wactor.log, the runtime's diagnostics) go to stderr as `wactor run MANIFEST` writes them (cli/log.h). The process
 * exit status is the guest's: 0 when `_start` returns, N for proc_exit(N). A trap prints
 * "wactor: MODULE: trap: ..." to stderr and exits 134 (as wasmtime, 128 + SIGABRT); bad input (usage, a
 * missing or malformed module, a module without `_start`, a directory that cannot be opened) exits 2.
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

int cli_run_command(int argc, char **argv) {
    cli_command_args a;
    char msg[512];
    if (cli_parse_command_run(argc, argv, &a, msg, sizeof msg) != 0) {
        fprintf(stderr, "%s\n", msg);
        return CLI_BAD_INPUT;
    }
    wactor_wasi_dir *dirs = calloc(a.ndirs + 1, sizeof *dirs);
    char **dir_text = calloc(a.ndirs + 1, sizeof *dir_text);
    size_t ndirs = 0;
    int status = CLI_BAD_INPUT, i = a.module;
    wactor_runtime *rt = NULL;
    wactor_module *mod = NULL;
    if (!dirs || !dir_text) goto out;
    for (; ndirs < a.ndirs; ndirs++) { /* HOST or HOST::GUEST, both non-empty (checked by the parser) */
        char *copy = strdup(a.dirs[ndirs]);
        if (!copy) goto out;
        dir_text[ndirs] = copy;
        char *sep = strstr(copy, "::");
        if (sep) *sep = 0;
        dirs[ndirs] = (wactor_wasi_dir){.host = copy, .guest = sep ? sep + 2 : copy};
    }
    const char *path = argv[i];
    cli_log log;
    cli_log_init(&log, &a.log, WACTOR_LOG_INFO, CLI_LOG_TEXT, NULL);
    wactor_config cfg = {.threads = 1, .log = command_log, .log_user = &log, .log_level = log.level};
    if (wactor_runtime_create(&cfg, &rt) != WACTOR_OK) goto out;
    wactor_diag d = {0};
    wactor_error err = wactor_module_load_file(rt, path, &mod, &d);
    if (err) {
        cli_error(path, err, &d);
        goto out;
    }
    if (wactor_module_func(mod, "_start", NULL) != WACTOR_OK) {
        fprintf(stderr, "wactor: %s: not a command: no _start export\n", path);
        goto out;
    }
    wactor_wasi wasi = {.args = (const char *const *)(argv + i), .nargs = (size_t)(argc - i), .env = a.env,
                        .nenv = a.nenv, .dirs = dirs, .ndirs = ndirs, .inherit_stdio = true};
    wactor_spawn_opts opts = {.wasi = &wasi, .memory_pages = 65536, .start_fuel = UINT64_MAX};
    wactor_pid pid = 0;
    fflush(stdout);
    err = wactor_spawn(rt, mod, &opts, &pid, &d);
    if (!err) {
        status = 0; /* _start returned */
        wactor_stop(rt, pid, 0);
    } else if (err == WACTOR_ETRAP && (d.exit_code != 0 || strstr(d.message, "proc_exit(0)"))) {
        status = d.exit_code & 0xff; /* proc_exit(N) */
    } else if (err == WACTOR_ETRAP) {
        fprintf(stderr, "wactor: %s: trap: ", path);
        escape_write(stderr, d.message, strlen(d.message)); /* names in it may be the guest's */
        fputc('\n', stderr);
        status = CMD_TRAP_STATUS;
    } else {
        cli_error(path, err, &d);
    }
out:
    if (mod) wactor_module_release(mod);
    wactor_runtime_destroy(rt);
    for (size_t k = 0; dir_text && k < ndirs; k++) free(dir_text[k]);
    free(dir_text);
    free(dirs);
    cli_command_args_free(&a);
    return status;
}
