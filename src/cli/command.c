/*
 * command.c — `wactor run [--env NAME=VALUE]... [--dir HOST[::GUEST]]... MODULE.wasm [ARGS...]`: runs a
 * WASI command module the way wasmtime's CLI does (same option syntax): `_start` once, with argv
 * MODULE.wasm ARGS..., the given environment (nothing else) and preopened directories (nothing else);
 * the guest's stdout/stderr are the process's own, unprefixed, and its stdin is the process's. The process
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

#include "cli/cli.h"

enum { CMD_TRAP_STATUS = 134 };

static void usage(void) {
    fputs("usage: wactor run [--env NAME=VALUE]... [--dir HOST[::GUEST]]... MODULE.wasm [ARGS...]\n", stderr);
}

static bool ends_with(const char *s, const char *suffix) {
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* The value of option `name` at argv[*i] ("--env X" or "--env=X"), advancing *i; NULL if not this option.
 * *missing is set when the option has no value. */
static const char *option(int argc, char **argv, int *i, const char *name, bool *missing) {
    size_t n = strlen(name);
    if (strncmp(argv[*i], name, n) != 0) return NULL;
    if (argv[*i][n] == '=') return argv[*i] + n + 1;
    if (argv[*i][n] != 0) return NULL;
    if (*i + 1 >= argc) {
        *missing = true;
        return NULL;
    }
    return argv[++*i];
}

bool cli_run_is_command(int argc, char **argv) {
    for (int i = 0; i < argc; i++) {
        bool missing = false;
        if (option(argc, argv, &i, "--env", &missing) || option(argc, argv, &i, "--dir", &missing)) continue;
        if (missing) return true; /* only a command takes these options: let it say what is wrong */
        return ends_with(argv[i], ".wasm");
    }
    return false;
}

/* Component log lines (the runtime's own notes, e.g. "trap: ..."): the command reports its outcome itself. */
static void quiet_log(void *user, const char *name, const char *line, size_t len) {
    (void)user;
    (void)name;
    (void)line;
    (void)len;
}

int cli_run_command(int argc, char **argv) {
    const char **env = calloc((size_t)argc + 1, sizeof *env);
    wactor_wasi_dir *dirs = calloc((size_t)argc + 1, sizeof *dirs);
    char **dir_text = calloc((size_t)argc + 1, sizeof *dir_text);
    size_t nenv = 0, ndirs = 0;
    int status = CLI_BAD_INPUT, i = 0;
    wactor_runtime *rt = NULL;
    wactor_module *mod = NULL;
    if (!env || !dirs || !dir_text) goto out;
    for (; i < argc; i++) {
        bool missing = false;
        const char *v;
        if ((v = option(argc, argv, &i, "--env", &missing))) {
            const char *eq = strchr(v, '=');
            if (!eq || eq == v) {
                fprintf(stderr, "wactor run: --env needs NAME=VALUE, not '%s'\n", v);
                goto out;
            }
            env[nenv++] = v;
        } else if ((v = option(argc, argv, &i, "--dir", &missing))) {
            char *copy = strdup(v);
            if (!copy) goto out;
            dir_text[ndirs] = copy;
            char *sep = strstr(copy, "::");
            if (sep) *sep = 0;
            dirs[ndirs] = (wactor_wasi_dir){.host = copy, .guest = sep ? sep + 2 : copy};
            if (!*dirs[ndirs].host || !*dirs[ndirs].guest) {
                fprintf(stderr, "wactor run: --dir needs HOST or HOST::GUEST, not '%s'\n", v);
                free(copy);
                dir_text[ndirs] = NULL;
                goto out;
            }
            ndirs++;
        } else if (missing) {
            fprintf(stderr, "wactor run: %s needs a value\n", argv[i]);
            goto out;
        } else {
            break;
        }
    }
    if (i >= argc) {
        usage();
        goto out;
    }
    const char *path = argv[i];
    wactor_config cfg = {.threads = 1, .log = quiet_log};
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
    wactor_wasi wasi = {.args = (const char *const *)(argv + i), .nargs = (size_t)(argc - i), .env = env,
                        .nenv = nenv, .dirs = dirs, .ndirs = ndirs, .inherit_stdio = true};
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
        fprintf(stderr, "wactor: %s: trap: %s\n", path, d.message);
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
    free(env);
    return status;
}
