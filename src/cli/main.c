/* main.c — `wactor`: run WebAssembly components as actors. Dispatches to the subcommands. */
#include <stdio.h>
#include <string.h>

#include "cli/args.h"
#include "cli/cli.h"
#include "codec/codec.h"
#include "common/escape.h"

static void usage(FILE *out) {
    fputs("usage:\n"
          "  wactor call MODULE.wasm EXPORT [ARG...]      call an export, print its results as JSON\n"
          "         [--json '[5,3]' | --cbor HEX | --borsh HEX]   arguments as a multicodec payload body\n"
          "  wactor inspect MODULE.wasm                   imports, exports and lifecycle exports\n"
          "  wactor run MANIFEST.yaml [--until-idle] [--events FILE|-] [--stats] [--admin]\n"
          "                                               run the components a manifest declares\n"
          "  wactor run [--env NAME=VALUE]... [--dir HOST[::GUEST]]... MODULE.wasm [ARGS...]\n"
          "                                               run a WASI command (_start); exit status: the guest's\n"
          "         [--log-level trace|debug|info|warn|error] [--log-format text|json]   (either form of run)\n"
          "                                               log records on stderr (default info, text)\n"
          "exit status: 0 ok, 1 the component trapped, 2 bad input\n",
          out);
}

/* `what` and the diag's message may carry a guest's words (export names, trap texts): escaped. */
void cli_error(const char *what, wactor_error err, const wactor_diag *diag) {
    flockfile(stderr);
    fputs("wactor: ", stderr);
    escape_write(stderr, what, strlen(what));
    fprintf(stderr, ": %s", wactor_strerror(err));
    if (diag && diag->message[0]) {
        fputs(": ", stderr);
        escape_write(stderr, diag->message, strnlen(diag->message, sizeof diag->message));
    }
    fputc('\n', stderr);
    funlockfile(stderr);
}

void cli_format_functype(const wactor_functype *t, char *buf, size_t cap) {
    size_t n = 0;
    n += (size_t)snprintf(buf + n, cap - n, "(");
    for (uint32_t i = 0; i < t->nparams && n < cap; i++)
        n += (size_t)snprintf(buf + n, cap - n, "%s%s", i ? ", " : "", codec_valtype_name(t->params[i]));
    if (n < cap) n += (size_t)snprintf(buf + n, cap - n, ") -> ");
    if (n < cap && t->nresults != 1) n += (size_t)snprintf(buf + n, cap - n, "(");
    for (uint32_t i = 0; i < t->nresults && n < cap; i++)
        n += (size_t)snprintf(buf + n, cap - n, "%s%s", i ? ", " : "", codec_valtype_name(t->results[i]));
    if (n < cap && t->nresults != 1) snprintf(buf + n, cap - n, ")");
}

int main(int argc, char **argv) {
    switch (cli_parse_command(argc, argv)) {
    case CLI_CMD_NONE:
        usage(stderr);
        return CLI_BAD_INPUT;
    case CLI_CMD_CALL: return cli_call(argc - 2, argv + 2);
    case CLI_CMD_INSPECT: return cli_inspect(argc - 2, argv + 2);
    case CLI_CMD_RUN: return cli_run(argc - 2, argv + 2);
    case CLI_CMD_HELP:
        usage(stdout);
        return CLI_OK;
    case CLI_CMD_UNKNOWN: break;
    }
    const char *cmd = argv[1];
    fprintf(stderr, "wactor: unknown command '%s'\n", cmd);
    usage(stderr);
    return CLI_BAD_INPUT;
}
