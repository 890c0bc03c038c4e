/* args.c — the `wactor` command line parsed into options (args.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/args.h"

static void set_err(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void set_err(char *err, size_t errlen, const char *fmt, ...) {
    if (!err || !errlen) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

cli_command cli_parse_command(int argc, char **argv) {
    if (argc < 2) return CLI_CMD_NONE;
    const char *cmd = argv[1];
    if (strcmp(cmd, "call") == 0) return CLI_CMD_CALL;
    if (strcmp(cmd, "inspect") == 0) return CLI_CMD_INSPECT;
    if (strcmp(cmd, "run") == 0) return CLI_CMD_RUN;
    if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) return CLI_CMD_HELP;
    return CLI_CMD_UNKNOWN;
}

int cli_parse_call(int argc, char **argv, cli_call_args *a, char *err, size_t errlen) {
    memset(a, 0, sizeof *a);
    for (int i = 0; i < argc; i++) {
        uint32_t codec = strcmp(argv[i], "--json") == 0    ? WACTOR_CODEC_JSON
                         : strcmp(argv[i], "--cbor") == 0  ? WACTOR_CODEC_CBOR
                         : strcmp(argv[i], "--borsh") == 0 ? WACTOR_CODEC_BORSH
                                                           : 0;
        if (codec) {
            if (i + 1 >= argc || a->codec) {
                set_err(err, errlen, "wactor call: %s needs one value, given once", argv[i]);
                return -1;
            }
            a->codec = codec;
            a->encoded = argv[++i];
        } else if (!a->module) {
            a->module = argv[i];
        } else if (!a->export) {
            a->export = argv[i];
        } else if (a->npositional <= WACTOR_MAX_PARAMS) {
            a->positional[a->npositional++] = argv[i];
        }
    }
    if (!a->module || !a->export) {
        set_err(err, errlen, "%s",
                "usage: wactor call MODULE.wasm EXPORT [ARG...] [--json ARRAY | --cbor HEX | --borsh HEX]");
        return -1;
    }
    if (a->codec && a->npositional) {
        set_err(err, errlen, "%s",
                "wactor call: give arguments either positionally or with --json/--cbor/--borsh, not both");
        return -1;
    }
    return 0;
}

int cli_parse_run(int argc, char **argv, cli_run_args *a, char *err, size_t errlen) {
    memset(a, 0, sizeof *a);
    for (int i = 0; i < argc; i++) {
        int lo = cli_log_option(argc, argv, &i, &a->log, err, errlen);
        if (lo < 0) return -1;
        if (lo > 0) continue;
        if (strcmp(argv[i], "--until-idle") == 0) a->until_idle = true;
        else if (strcmp(argv[i], "--events") == 0 && i + 1 < argc) a->events_path = argv[++i];
        else if (strcmp(argv[i], "--stats") == 0) a->stats = true;
        else if (strcmp(argv[i], "--admin") == 0) a->admin = true;
        else if (strcmp(argv[i], "--http") == 0 && i + 1 < argc) a->http = argv[++i];
        else if (strcmp(argv[i], "--http-token-file") == 0 && i + 1 < argc) a->http_token_file = argv[++i];
        else if (!a->path && argv[i][0] != '-') a->path = argv[i];
        else {
            set_err(err, errlen, "wactor run: unexpected argument '%s'", argv[i]);
            return -1;
        }
    }
    if (!a->path) {
        set_err(err, errlen, "%s", "usage: wactor run MANIFEST.yaml [--until-idle] [--events FILE|-] [--stats] [--admin] "
                "[--http HOST:PORT [--http-token-file FILE]] [--log-level L] [--log-format F]");
        return -1;
    }
    return 0;
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
        if (missing) return true;
        cli_log_opts lo = {0};
        int k = cli_log_option(argc, argv, &i, &lo, NULL, 0);
        if (k > 0) continue;
        if (k < 0) continue; /* a bad value: the parser that runs next says so */ /* only a command takes these options: let it say what is wrong */
        return ends_with(argv[i], ".wasm");
    }
    return false;
}

void cli_command_args_free(cli_command_args *a) {
    free(a->env);
    free(a->dirs);
    a->env = a->dirs = NULL;
    a->nenv = a->ndirs = 0;
}

int cli_parse_command_run(int argc, char **argv, cli_command_args *a, char *err, size_t errlen) {
    memset(a, 0, sizeof *a);
    a->env = calloc((size_t)argc + 1, sizeof *a->env);
    a->dirs = calloc((size_t)argc + 1, sizeof *a->dirs);
    if (!a->env || !a->dirs) {
        cli_command_args_free(a);
        set_err(err, errlen, "wactor run: out of memory");
        return -1;
    }
    int i = 0, lo;
    for (; i < argc; i++) {
        bool missing = false;
        const char *v;
        if ((v = option(argc, argv, &i, "--env", &missing))) {
            const char *eq = strchr(v, '=');
            if (!eq || eq == v) {
                set_err(err, errlen, "wactor run: --env needs NAME=VALUE, not '%s'", v);
                cli_command_args_free(a);
                return -1;
            }
            a->env[a->nenv++] = v;
        } else if ((v = option(argc, argv, &i, "--dir", &missing))) {
            const char *sep = strstr(v, "::");
            if (!*v || sep == v || (sep && !sep[2])) {
                set_err(err, errlen, "wactor run: --dir needs HOST or HOST::GUEST, not '%s'", v);
                cli_command_args_free(a);
                return -1;
            }
            a->dirs[a->ndirs++] = v;
        } else if (missing) {
            set_err(err, errlen, "wactor run: %s needs a value", argv[i]);
            cli_command_args_free(a);
            return -1;
        } else if ((lo = cli_log_option(argc, argv, &i, &a->log, err, errlen)) != 0) {
            if (lo > 0) continue;
            cli_command_args_free(a);
            return -1;
        } else {
            break;
        }
    }
    if (i >= argc) {
        set_err(err, errlen, "%s", "usage: wactor run [--env NAME=VALUE]... [--dir HOST[::GUEST]]... [--log-level L] [--log-format F] MODULE.wasm [ARGS...]");
        cli_command_args_free(a);
        return -1;
    }
    a->module = i;
    return 0;
}
