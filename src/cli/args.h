/* args.h — the `wactor` command line, parsed into options without running anything (no file opened, no
 * runtime created, nothing printed). main.c, call.c, run.c and command.c act on the result; fuzz/fuzz_cli.c
 * feeds it arbitrary argument vectors.
 *
 * The rules, the same for every command (POSIX utility conventions, getopt_long's spelling):
 *   - options are "--name" (a flag), "--name VALUE" or "--name=VALUE"; "-h" and "--help" ask for the
 *     command's help wherever they appear before "--"; any other argument starting with '-' is an unknown
 *     option and an error, before or after the positional arguments — except a negative number ("-1",
 *     "-.5", "-inf", "-nan", "-nan:0x1"), which is a positional argument, and "-" alone;
 *   - "--" ends the options: everything after it is positional ("wactor call m.wasm add -- -1 2");
 *   - `wactor run MODULE.wasm ARGS...`: everything after the module is the guest's (wasmtime's rule), even
 *     "--help".
 * Each command's options are one table (cli_command_info.options): to add an option, add a row there and a
 * field to the command's args struct, and handle it in the command's parse loop.
 *
 * Every pointer stored in an options struct points into the argv given (borrowed: valid as long as argv).
 * Every function is pure and thread-safe. Error messages are written NUL-terminated into err (truncated to
 * errlen; err may be NULL or errlen 0), without a trailing newline, starting "wactor CMD: ". */
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
    CLI_CMD_VERSION,  /* "version", "--version" */
    CLI_CMD_UNKNOWN   /* anything else */
} cli_command;

/* One option of a command: "--name" or "--name VALUE". */
typedef struct cli_option {
    const char *name;   /* with its dashes: "--json" */
    const char *value;  /* the value's placeholder for the help ("ARRAY"); NULL for a flag */
    const char *help;   /* one line */
} cli_option;

/* What `wactor help CMD` prints, and the options the parser knows. */
typedef struct cli_command_info {
    const char *name;           /* "call" */
    cli_command cmd;
    const char *usage;          /* one or more lines, each "wactor call ..." */
    const char *summary;        /* one line, for `wactor help` */
    const char *details;        /* paragraphs after the usage (exit statuses, ...); may be "" */
    const cli_option *options;  /* terminated by a row with name NULL */
} cli_command_info;

/* The commands, terminated by a row with name NULL. */
extern const cli_command_info cli_commands[];

/* The command called `name`, or NULL. */
const cli_command_info *cli_command_find(const char *name);

/* The subcommand named by argv[1] (the whole argv of main, argc entries). */
cli_command cli_parse_command(int argc, char **argv);

/* What a parse function found. */
enum { CLI_PARSE_OK = 0, CLI_PARSE_ERROR = -1, CLI_PARSE_HELP = 1 /* --help or -h: print the help */ };

/* `wactor call MODULE EXPORT [ARG...] [--json ARRAY | --cbor HEX | --borsh HEX]` */
typedef struct cli_call_args {
    const char *module, *export;
    const char *positional[WACTOR_MAX_PARAMS + 1]; /* positional arguments beyond WACTOR_MAX_PARAMS + 1 are
                                                      not kept (any more than the export's arity is an error
                                                      anyway) */
    int npositional;
    uint32_t codec;          /* 0: positional arguments; else WACTOR_CODEC_JSON / _CBOR / _BORSH */
    const char *encoded;     /* --json text or --cbor/--borsh hex */
} cli_call_args;

/* Parses the arguments after "call" (argc entries). Returns CLI_PARSE_OK, CLI_PARSE_HELP, or
 * CLI_PARSE_ERROR with the message in err: an unknown option ("wactor call: unknown option '--x'"), an
 * option without its value ("wactor call: --json needs a value"), a second codec option, a missing MODULE
 * or EXPORT (the usage line), or both positional and encoded arguments. */
int cli_parse_call(int argc, char **argv, cli_call_args *a, char *err, size_t errlen);

/* `wactor inspect MODULE` */
typedef struct cli_inspect_args {
    const char *module;
} cli_inspect_args;

/* Parses the arguments after "inspect". Errors: an unknown option, no module or more than one (usage). */
int cli_parse_inspect(int argc, char **argv, cli_inspect_args *a, char *err, size_t errlen);

/* `wactor run [OPTIONS] MANIFEST.yaml [OPTIONS]` or `wactor run [--env N=V]... [--dir H[::G]]... MODULE
 * [ARGS...]`. The first positional argument decides: a name ending in ".wasm" or ".wat" is a module (a WASI
 * command, command.c), anything else a manifest (run.c). */
typedef struct cli_run_args {
    bool command;            /* a module, not a manifest */
    const char *path;        /* the manifest or the module */
    /* manifest options */
    const char *events_path; /* --events FILE, "-" for stderr; NULL without --events */
    bool until_idle, stats, admin, fail_on_trap;
    const char *http;            /* --http HOST:PORT (the admin HTTP server); NULL without */
    const char *http_token_file; /* --http-token-file FILE; NULL without */
    /* both forms */
    cli_log_opts log;        /* --log-level / --log-format (cli/log.h); for a module: before MODULE */
    /* command options */
    const char **env;        /* nenv "NAME=VALUE" strings (NAME non-empty), into argv; malloc'd array */
    size_t nenv;
    const char **dirs;       /* ndirs "HOST" or "HOST::GUEST" strings (both parts non-empty), into argv;
                                malloc'd array */
    size_t ndirs;
    int module;              /* command: index in argv of the module; the guest's argv is argv[module..] */
} cli_run_args;

/* Parses the arguments after "run" (argc entries). Returns CLI_PARSE_OK (free with cli_run_args_free),
 * CLI_PARSE_HELP or CLI_PARSE_ERROR (nothing to free) with the message in err: an unknown option, an
 * option without its value, a second manifest ("wactor run: unexpected argument 'x'"), an option of the
 * other form ("wactor run: --until-idle is for a manifest, not a module"), "--env needs NAME=VALUE, not
 * 'X'", "--dir needs HOST or HOST::GUEST, not 'X'", no manifest or module (the usage lines), out of memory. */
int cli_parse_run(int argc, char **argv, cli_run_args *a, char *err, size_t errlen);
void cli_run_args_free(cli_run_args *a);

#endif
