/* args.h — the `wactor` command line, parsed into options without running anything (no file opened, no
 * runtime created, nothing printed). main.c, call.c and run.c act on the result; fuzz/fuzz_cli.c feeds it
 * arbitrary argument vectors.
 *
 * Every pointer stored in an options struct points into the argv given (borrowed: valid as long as argv).
 * Every function is pure and thread-safe. Error messages are written NUL-terminated into err (truncated to
 * errlen; err may be NULL or errlen 0), without a trailing newline. */
#ifndef WACTOR_CLI_ARGS_H
#define WACTOR_CLI_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli/log.h"
#include "wactor.h"

typedef enum cli_command {
    CLI_CMD_NONE,     /* no subcommand given (argc < 2) */
    CLI_CMD_CALL,     /* "call" */
    CLI_CMD_INSPECT,  /* "inspect" */
    CLI_CMD_RUN,      /* "run" */
    CLI_CMD_HELP,     /* "help", "--help", "-h" */
    CLI_CMD_UNKNOWN   /* anything else */
} cli_command;

/* The subcommand named by argv[1] (the whole argv of main, argc entries). */
cli_command cli_parse_command(int argc, char **argv);

/* `wactor call MODULE.wasm EXPORT [ARG...] [--json ARRAY | --cbor HEX | --borsh HEX]` */
typedef struct cli_call_args {
    const char *module, *export;
    const char *positional[WACTOR_MAX_PARAMS + 1]; /* positional arguments beyond WACTOR_MAX_PARAMS + 1 are
                                                      not kept (any more than the export's arity is an error
                                                      anyway) */
    int npositional;
    uint32_t codec;          /* 0: positional arguments; else WACTOR_CODEC_JSON / _CBOR / _BORSH */
    const char *encoded;     /* --json text or --cbor/--borsh hex */
} cli_call_args;

/* Parses the arguments after "call" (argc entries). Returns 0, or -1 with the message in err: an option
 * without its value or given twice ("wactor call: --json needs one value, given once"), a missing MODULE or
 * EXPORT (the usage line), or both positional and encoded arguments. */
int cli_parse_call(int argc, char **argv, cli_call_args *a, char *err, size_t errlen);

/* `wactor run MANIFEST.yaml [--until-idle] [--events FILE|-] [--stats] [--admin] [--http HOST:PORT
 *  [--http-token-file FILE]] [--log-level L] [--log-format F]` */
typedef struct cli_run_args {
    const char *path;        /* the manifest */
    const char *events_path; /* --events FILE, "-" for stderr; NULL without --events */
    bool until_idle, stats, admin;
    const char *http;            /* --http HOST:PORT (the admin HTTP server); NULL without */
    const char *http_token_file; /* --http-token-file FILE; NULL without */
    cli_log_opts log;        /* --log-level / --log-format (cli/log.h) */
} cli_run_args;

/* Parses the arguments after "run" (argc entries). Returns 0, or -1 with the message in err: an unexpected
 * argument ("wactor run: unexpected argument '--x'"), or no manifest (the usage line). */
int cli_parse_run(int argc, char **argv, cli_run_args *a, char *err, size_t errlen);

/* `wactor run [--env NAME=VALUE]... [--dir HOST[::GUEST]]... MODULE.wasm [ARGS...]`: a WASI command
 * (command.c). Options as wasmtime's CLI writes them: "--env X" or "--env=X". */
typedef struct cli_command_args {
    const char **env;        /* nenv "NAME=VALUE" strings (NAME non-empty), into argv; malloc'd array */
    size_t nenv;
    const char **dirs;       /* ndirs "HOST" or "HOST::GUEST" strings (both parts non-empty), into argv;
                                malloc'd array */
    size_t ndirs;
    int module;              /* index in argv of MODULE.wasm: the guest's argv is argv[module..argc-1] */
    cli_log_opts log;        /* --log-level / --log-format before MODULE.wasm (cli/log.h) */
} cli_command_args;

/* Whether the arguments after "run" name a module (a .wasm file after the options) rather than a
 * manifest; also true when --env/--dir lacks its value (only a command takes them: let it say so). */
bool cli_run_is_command(int argc, char **argv);

/* Parses the arguments after "run" of a command. Returns 0 (free with cli_command_args_free), or -1 with
 * the message in err and nothing to free: "wactor run: --env needs NAME=VALUE, not 'X'", "wactor run: --dir
 * needs HOST or HOST::GUEST, not 'X'", "wactor run: --env needs a value", the usage line (no module),
 * "wactor run: out of memory". */
int cli_parse_command_run(int argc, char **argv, cli_command_args *a, char *err, size_t errlen);
void cli_command_args_free(cli_command_args *a);

#endif
