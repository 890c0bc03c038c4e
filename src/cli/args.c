/* args.c — the `wactor` command line parsed into options (args.h): the command table (help texts and the
 * options each command knows) and one option scanner shared by every command. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli/args.h"

static void set_err(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void set_err(char *err, size_t errlen, const char *fmt, ...) {
    if (!err || !errlen) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* ------------------------------------------------------------------ the command table */

static const cli_option call_options[] = {
    {"--json", "ARRAY", "the arguments as a JSON array: '[5,3]' (floats also \"nan\", \"inf\", \"-inf\")"},
    {"--cbor", "HEX", "the arguments as a CBOR array, in hex: 820503"},
    {"--borsh", "HEX", "the arguments Borsh-packed (little-endian), in hex: 0500000003000000"},
    {NULL, NULL, NULL},
};

static const cli_option inspect_options[] = {{NULL, NULL, NULL}};

/* Manifest options first, then those of both forms, then the module's (cli_parse_run relies on the order). */
static const cli_option run_options[] = {
    {"--until-idle", NULL, "manifest: stop once every mailbox is empty and nothing runs (health probes do "
                           "not count)"},
    {"--events", "FILE", "manifest: write supervision events as JSON lines to FILE ('-': stderr)"},
    {"--stats", NULL, "manifest: print per-component message counts at the end"},
    {"--admin", NULL, "manifest: read admin commands from stdin"},
    {"--fail-on-trap", NULL, "manifest: exit 1 if any component trapped (restarted or not)"},
    {"--http", "HOST:PORT", "manifest: serve the admin HTTP API (docs/OPERATIONS.md)"},
    {"--http-token-file", "FILE", "manifest: the bearer token the HTTP API requires"},
    {"--log-level", "LEVEL", "log records from LEVEL up: trace, debug, info (default), warn, error"},
    {"--log-format", "FORMAT", "log records on stderr as text (default) or json lines"},
    {"--env", "NAME=VALUE", "module: an environment variable for the guest (repeatable)"},
    {"--dir", "HOST[::GUEST]", "module: preopen directory HOST, seen by the guest as GUEST (repeatable)"},
    {NULL, NULL, NULL},
};
enum { RUN_FIRST_SHARED_OPTION = 7, RUN_FIRST_COMMAND_OPTION = 9 }; /* indexes of --log-level, --env */

static const cli_option no_options[] = {{NULL, NULL, NULL}};

const cli_command_info cli_commands[] = {
    {"call", CLI_CMD_CALL,
     "wactor call [--json ARRAY | --cbor HEX | --borsh HEX] MODULE EXPORT [ARG...]",
     "call one export of a module, print its results as JSON",
     "MODULE is a .wasm binary or a .wat text file. It is instantiated once (its start section, _initialize\n"
     "and _start run as for any component; `call MODULE _start` runs _start once, as that start), then\n"
     "EXPORT is called with the ARGs parsed as its parameter types: integers (5, -3, 0x10), floats (2.5,\n"
     "1e-3, nan, -inf, nan:0x200000). Use `--` before arguments that start with '-' and are not numbers.\n"
     "Results print as JSON: one value bare, several as an array; NaN and infinities as the strings \"nan\",\n"
     "\"-nan\", \"nan:0xPAYLOAD\", \"inf\", \"-inf\"; 64-bit integers exactly.\n"
     "Exit status: 0 success, 1 the guest trapped, N the guest called proc_exit(N) (N up to 255; beyond\n"
     "that 1), 2 bad input (usage, unreadable or invalid module, unknown export, bad arguments).",
     call_options},
    {"inspect", CLI_CMD_INSPECT, "wactor inspect MODULE", "list a module's imports, exports and lifecycle exports",
     "MODULE is a .wasm binary or a .wat text file.\n"
     "Exit status: 0 success, 2 bad input (usage, unreadable or invalid module).",
     inspect_options},
    {"run", CLI_CMD_RUN,
     "wactor run [--until-idle] [--events FILE|-] [--stats] [--admin] [--fail-on-trap] [--http HOST:PORT\n"
     "           [--http-token-file FILE]] [--log-level L] [--log-format F] MANIFEST.yaml\n"
     "wactor run [--env NAME=VALUE]... [--dir HOST[::GUEST]]... [--log-level L] [--log-format F]\n"
     "           MODULE.wasm|MODULE.wat [ARGS...]",
     "run the system a manifest declares, or a WASI command module",
     "A manifest: starts its components and supervision tree, delivers its messages, writes log records on stderr\n"
     "(\"TIME LEVEL [name] line\" or JSON lines), runs until SIGINT/SIGTERM (or, with --until-idle, until idle); then stops\n"
     "everything gracefully and prints a summary (messages, traps, restarts). Manifest options may come\n"
     "before or after MANIFEST.yaml. Exit status: 0, 1 a component trapped at start-up (or, with\n"
     "--fail-on-trap, at any time), 2 bad input, 128+N after a second signal N.\n"
     "A module (a first argument ending in .wasm or .wat): runs it as a WASI command, as wasmtime does:\n"
     "_start once with argv MODULE ARGS..., only the environment given by --env and only the directories\n"
     "given by --dir; stdin, stdout and stderr are the process's own. Everything after MODULE is the\n"
     "guest's, even if it starts with '-'. Exit status: the guest's (0 when _start returns, N for\n"
     "proc_exit(N) with N up to 255; a larger N is reported and exits 1), 134 if it trapped (the trap on\n"
     "stderr), 2 bad input.",
     run_options},
    {"help", CLI_CMD_HELP, "wactor help [COMMAND]", "this overview, or a command's help",
     "`wactor COMMAND --help` prints the same.", no_options},
    {"version", CLI_CMD_VERSION, "wactor version\nwactor --version", "print the version (\"wactor 0.9.0\")", "",
     no_options},
    {NULL, CLI_CMD_UNKNOWN, NULL, NULL, NULL, NULL},
};

const cli_command_info *cli_command_find(const char *name) {
    for (const cli_command_info *c = cli_commands; name && c->name; c++)
        if (strcmp(c->name, name) == 0) return c;
    return NULL;
}

cli_command cli_parse_command(int argc, char **argv) {
    if (argc < 2) return CLI_CMD_NONE;
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) return CLI_CMD_HELP;
    if (strcmp(cmd, "--version") == 0) return CLI_CMD_VERSION;
    const cli_command_info *c = cli_command_find(cmd);
    return c ? c->cmd : CLI_CMD_UNKNOWN;
}

/* ------------------------------------------------------------------ the scanner */

/* "-1", "-.5", "-inf", "-nan", "-nan:0x1", "-infinity": a negative number, a positional argument. */
static bool negative_number(const char *s) {
    if (s[0] != '-') return false;
    const char *p = s + 1;
    if ((p[0] >= '0' && p[0] <= '9') || (p[0] == '.' && p[1] >= '0' && p[1] <= '9')) return true;
    return strncasecmp(p, "inf", 3) == 0 || strncasecmp(p, "nan", 3) == 0;
}

typedef enum { SCAN_END, SCAN_POSITIONAL, SCAN_OPTION, SCAN_HELP, SCAN_ERROR } scan_kind;

typedef struct scanner {
    int argc;
    char **argv;
    int i;                    /* next argument */
    bool rest_positional;     /* after "--" (or when the caller says so) */
    const char *cmd;          /* for messages */
    const cli_option *opts;
} scanner;

/* The next argument: a positional one (*val), an option (*opt its row, *val its value or NULL), the end,
 * a request for help, or an error (err set). *index is the argument's index in argv. */
static scan_kind scan(scanner *s, const cli_option **opt, const char **val, int *index, char *err, size_t errlen) {
    for (;;) {
        if (s->i >= s->argc) return SCAN_END;
        *index = s->i;
        const char *arg = s->argv[s->i++];
        if (s->rest_positional || arg[0] != '-' || arg[1] == 0 || negative_number(arg)) {
            *val = arg;
            return SCAN_POSITIONAL;
        }
        if (strcmp(arg, "--") == 0) {
            s->rest_positional = true;
            continue;
        }
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) return SCAN_HELP;
        const char *eq = strchr(arg, '=');
        size_t n = eq ? (size_t)(eq - arg) : strlen(arg);
        for (const cli_option *o = s->opts; o->name; o++) {
            if (strlen(o->name) != n || strncmp(o->name, arg, n) != 0) continue;
            *opt = o;
            if (!o->value) {
                if (eq) {
                    set_err(err, errlen, "wactor %s: %s takes no value", s->cmd, o->name);
                    return SCAN_ERROR;
                }
                *val = NULL;
            } else if (eq) {
                *val = eq + 1;
            } else if (s->i < s->argc) {
                *val = s->argv[s->i++];
            } else {
                set_err(err, errlen, "wactor %s: %s needs a value (%s %s)", s->cmd, o->name, o->name, o->value);
                return SCAN_ERROR;
            }
            return SCAN_OPTION;
        }
        set_err(err, errlen, "wactor %s: unknown option '%.200s' (see `wactor help %s`)", s->cmd, arg, s->cmd);
        return SCAN_ERROR;
    }
}

static scanner scanner_for(const char *cmd, int argc, char **argv) {
    const cli_command_info *c = cli_command_find(cmd);
    return (scanner){.argc = argc, .argv = argv, .cmd = cmd, .opts = c ? c->options : no_options};
}

/* ------------------------------------------------------------------ call, inspect */

int cli_parse_call(int argc, char **argv, cli_call_args *a, char *err, size_t errlen) {
    memset(a, 0, sizeof *a);
    scanner s = scanner_for("call", argc, argv);
    const cli_option *o = NULL;
    const char *v = NULL;
    int at = 0;
    for (scan_kind k; (k = scan(&s, &o, &v, &at, err, errlen)) != SCAN_END;) {
        if (k == SCAN_HELP) return CLI_PARSE_HELP;
        if (k == SCAN_ERROR) return CLI_PARSE_ERROR;
        if (k == SCAN_OPTION) {
            if (a->codec) {
                set_err(err, errlen, "wactor call: %s: the arguments were already given with --%s", o->name,
                        a->codec == WACTOR_CODEC_JSON ? "json" : a->codec == WACTOR_CODEC_CBOR ? "cbor" : "borsh");
                return CLI_PARSE_ERROR;
            }
            a->codec = strcmp(o->name, "--json") == 0   ? WACTOR_CODEC_JSON
                       : strcmp(o->name, "--cbor") == 0 ? WACTOR_CODEC_CBOR
                                                        : WACTOR_CODEC_BORSH;
            a->encoded = v;
        } else if (!a->module) {
            a->module = v;
        } else if (!a->export) {
            a->export = v;
        } else if (a->npositional <= WACTOR_MAX_PARAMS) {
            a->positional[a->npositional++] = v;
        }
    }
    if (!a->module || !a->export) {
        set_err(err, errlen, "usage: %s", cli_command_find("call")->usage);
        return CLI_PARSE_ERROR;
    }
    if (a->codec && a->npositional) {
        set_err(err, errlen, "%s",
                "wactor call: give arguments either positionally or with --json/--cbor/--borsh, not both");
        return CLI_PARSE_ERROR;
    }
    return CLI_PARSE_OK;
}

int cli_parse_inspect(int argc, char **argv, cli_inspect_args *a, char *err, size_t errlen) {
    memset(a, 0, sizeof *a);
    scanner s = scanner_for("inspect", argc, argv);
    const cli_option *o = NULL;
    const char *v = NULL;
    int at = 0, n = 0;
    for (scan_kind k; (k = scan(&s, &o, &v, &at, err, errlen)) != SCAN_END;) {
        if (k == SCAN_HELP) return CLI_PARSE_HELP;
        if (k == SCAN_ERROR) return CLI_PARSE_ERROR;
        if (k == SCAN_POSITIONAL && n++ == 0) a->module = v;
    }
    if (n != 1) {
        set_err(err, errlen, "usage: %s", cli_command_find("inspect")->usage);
        a->module = NULL;
        return CLI_PARSE_ERROR;
    }
    return CLI_PARSE_OK;
}

/* ------------------------------------------------------------------ run */

static bool ends_with(const char *s, const char *suffix) {
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

void cli_run_args_free(cli_run_args *a) {
    free(a->env);
    free(a->dirs);
    a->env = a->dirs = NULL;
    a->nenv = a->ndirs = 0;
}

static int run_fail(cli_run_args *a) {
    cli_run_args_free(a);
    return CLI_PARSE_ERROR;
}

int cli_parse_run(int argc, char **argv, cli_run_args *a, char *err, size_t errlen) {
    memset(a, 0, sizeof *a);
    a->env = calloc((size_t)argc + 1, sizeof *a->env);
    a->dirs = calloc((size_t)argc + 1, sizeof *a->dirs);
    if (!a->env || !a->dirs) {
        set_err(err, errlen, "wactor run: out of memory");
        return run_fail(a);
    }
    scanner s = scanner_for("run", argc, argv);
    const cli_option *o = NULL, *manifest_opt = NULL, *command_opt = NULL;
    const char *v = NULL;
    int at = 0;
    for (scan_kind k; (k = scan(&s, &o, &v, &at, err, errlen)) != SCAN_END;) {
        if (k == SCAN_HELP) {
            cli_run_args_free(a);
            return CLI_PARSE_HELP;
        }
        if (k == SCAN_ERROR) return run_fail(a);
        if (k == SCAN_POSITIONAL) {
            if (a->path) {
                set_err(err, errlen, "wactor run: unexpected argument '%.200s' (one manifest only)", v);
                return run_fail(a);
            }
            a->path = v;
            a->module = at;
            a->command = ends_with(v, ".wasm") || ends_with(v, ".wat");
            if (a->command) break; /* the rest is the guest's */
            continue;
        }
        if (o - run_options < RUN_FIRST_SHARED_OPTION) manifest_opt = o;
        else if (o - run_options >= RUN_FIRST_COMMAND_OPTION) command_opt = o;
        if (strcmp(o->name, "--until-idle") == 0) a->until_idle = true;
        else if (strcmp(o->name, "--events") == 0) a->events_path = v;
        else if (strcmp(o->name, "--stats") == 0) a->stats = true;
        else if (strcmp(o->name, "--admin") == 0) a->admin = true;
        else if (strcmp(o->name, "--fail-on-trap") == 0) a->fail_on_trap = true;
        else if (strcmp(o->name, "--http") == 0) a->http = v;
        else if (strcmp(o->name, "--http-token-file") == 0) a->http_token_file = v;
        else if (strcmp(o->name, "--log-level") == 0 || strcmp(o->name, "--log-format") == 0) {
            char *pair[] = {(char *)o->name, (char *)v, NULL}; /* cli_log_option reads, never writes */
            int j = 0;
            if (cli_log_option(2, pair, &j, &a->log, err, errlen) <= 0) return run_fail(a);
        }
        else if (strcmp(o->name, "--env") == 0) {
            const char *eq = strchr(v, '=');
            if (!eq || eq == v) {
                set_err(err, errlen, "wactor run: --env needs NAME=VALUE, not '%.200s'", v);
                return run_fail(a);
            }
            a->env[a->nenv++] = v;
        } else if (strcmp(o->name, "--dir") == 0) {
            const char *sep = strstr(v, "::");
            if (!*v || sep == v || (sep && !sep[2])) {
                set_err(err, errlen, "wactor run: --dir needs HOST or HOST::GUEST, not '%.200s'", v);
                return run_fail(a);
            }
            a->dirs[a->ndirs++] = v;
        }
    }
    if (!a->path) {
        set_err(err, errlen, "usage: %s", cli_command_find("run")->usage);
        return run_fail(a);
    }
    if (a->command && manifest_opt) {
        set_err(err, errlen, "wactor run: %s is for a manifest, not a module", manifest_opt->name);
        return run_fail(a);
    }
    if (!a->command && command_opt) {
        set_err(err, errlen, "wactor run: %s is for a module (.wasm or .wat), not a manifest", command_opt->name);
        return run_fail(a);
    }
    return CLI_PARSE_OK;
}
