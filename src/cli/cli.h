/* cli.h — the `wactor` program's subcommands. Each returns the process exit status:
 * 0 success, 1 the guest trapped, 2 bad input (usage, missing file, malformed module, unknown export, bad
 * arguments). */
#ifndef WACTOR_CLI_H
#define WACTOR_CLI_H

#include <stdbool.h>

#include "wactor.h"

enum { CLI_OK = 0, CLI_TRAP = 1, CLI_BAD_INPUT = 2 };

int cli_call(int argc, char **argv);
int cli_inspect(int argc, char **argv);
int cli_run(int argc, char **argv);
/* command.c: `wactor run [--env NAME=VALUE]... [--dir HOST[::GUEST]]... MODULE.wasm [ARGS...]`; the
 * process exit status is the guest's. cli_run_is_command: whether the arguments after "run" name a module
 * (a .wasm file after the options) rather than a manifest. */
bool cli_run_is_command(int argc, char **argv);
int cli_run_command(int argc, char **argv);

/* signals.c: SIGINT/SIGTERM always stop the process. cli_signals_start (before the runtime is created)
 * blocks them in every thread and starts the thread that takes them: until cli_signals_running() a signal
 * ends the process at once (status 128 + signal); after it, cli_signals_wait() returns the signal (0: none
 * within timeout_ms) for a graceful stop, and a second signal ends the process at once. Returns 0, or -1
 * if the signals could not be taken (their default action then applies). */
int cli_signals_start(void);
void cli_signals_running(void);
int cli_signals_wait(int timeout_ms);

/* Prints "wactor: <what>: <strerror>[: diag message]" to stderr. */
void cli_error(const char *what, wactor_error err, const wactor_diag *diag);

/* Formats a function type as "(i32, i32) -> i32" into buf. */
void cli_format_functype(const wactor_functype *t, char *buf, size_t cap);

#endif
