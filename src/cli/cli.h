/* cli.h — the `wactor` program's subcommands. Each returns the process exit status:
 * 0 success, 1 the guest trapped, 2 bad input (usage, missing file, malformed module, unknown export, bad
 * arguments); `wactor call` also N for a guest's proc_exit(N), a WASI command its own statuses (command.c). */
#ifndef WACTOR_CLI_H
#define WACTOR_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "cli/args.h"
#include "wactor.h"

enum { CLI_OK = 0, CLI_TRAP = 1, CLI_BAD_INPUT = 2 };

int cli_call(int argc, char **argv);
int cli_inspect(int argc, char **argv);
int cli_run(int argc, char **argv);
/* command.c: `wactor run [--env NAME=VALUE]... [--dir HOST[::GUEST]]... MODULE [ARGS...]` (a parsed by
 * cli_parse_run, a->command set; argv as given to it); the process exit status is the guest's. */
int cli_run_command(const cli_run_args *a, int argc, char **argv);

/* main.c: prints `wactor help CMD` (usage, details, options) to out. */
void cli_print_help(FILE *out, const cli_command_info *c);
/* For a parse result of CLI_PARSE_HELP / CLI_PARSE_ERROR: prints the help to stdout (status 0) or the
 * message and a pointer to the help to stderr (status 2). Returns the exit status. */
int cli_parse_failed(const char *cmd, int parse_result, const char *msg);

/* signals.c: SIGINT/SIGTERM always stop the process. cli_signals_start (before the runtime is created)
 * blocks them in every thread and starts the thread that takes them: until cli_signals_running() a signal
 * ends the process at once (status 128 + signal); after it, cli_signals_wait() returns the signal (0: none
 * within timeout_ms) for a graceful stop, and a second signal ends the process at once. Returns 0, or -1
 * if the signals could not be taken (their default action then applies). */
int cli_signals_start(void);
void cli_signals_running(void);
int cli_signals_wait(int timeout_ms);

/* Error lines on stderr, each "wactor: ..." with everything that may carry a guest's or a file's words
 * escaped (common/escape.h), saying each thing once:
 *   cli_error:      "wactor: WHAT: STRERROR: MESSAGE" — STRERROR is wactor_strerror(err), left out when
 *                   the diag's MESSAGE starts by saying it; ": MESSAGE" is left out without a diag
 *                   message; "WHAT: " is left out when WHAT is NULL or "".
 *   cli_trap_error: "wactor: trap in WHERE: TEXT" — TEXT from cli_trap_text. */
void cli_error(const char *what, wactor_error err, const wactor_diag *diag);
/* "wactor: [WHAT: ]TEXT", both escaped: for messages that say everything themselves. */
void cli_say(const char *what, const char *text);
void cli_trap_error(const char *where, const wactor_diag *diag);

/* The trap a diag describes, in one phrase: the kind's name and the engine's message without saying a
 * thing twice ("integer divide by zero", not "integer divide by zero: integer divide by zero"; "_start
 * trapped: unreachable executed" for a start failure). Writes NUL-terminated text into buf (cap bytes),
 * unescaped. */
void cli_trap_text(const wactor_diag *diag, char *buf, size_t cap);

/* A failed wactor_module_load_file: "wactor: cannot open x.wasm: No such file or directory" (the runtime's
 * sentence), "wactor: invalid WebAssembly module: x.wasm: 0000008: error: ...". */
void cli_load_error(wactor_error err, const wactor_diag *diag);

/* Whether a failed spawn or call is the guest's WASI proc_exit (at start-up or later), not a trap: then
 * *code is its exit code (0..2^32-1; what proc_exit was given). */
bool cli_proc_exit(wactor_error err, const wactor_diag *diag, unsigned *code);

/* Formats a function type as "(i32, i32) -> i32" into buf. */
void cli_format_functype(const wactor_functype *t, char *buf, size_t cap);

#endif
