/* main.c — `wactor`: run WebAssembly components as actors. Dispatches to the subcommands, prints the help
 * (from the command table in args.c) and the version, and formats error lines (cli.h). */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cli/args.h"
#include "cli/cli.h"
#include "codec/codec.h"
#include "common/escape.h"

static void overview(FILE *out) {
    fputs("wactor — run WebAssembly components as supervised actors\n\nusage:\n", out);
    for (const cli_command_info *c = cli_commands; c->name; c++) {
        fprintf(out, "  %-9s %s\n", c->name, c->summary);
    }
    fputs("\n`wactor help COMMAND` or `wactor COMMAND --help` says more. Modules are .wasm binaries or .wat\n"
          "text. Exit status: 0 success, 1 a guest trapped, 2 bad input (see each command).\n",
          out);
}

void cli_print_help(FILE *out, const cli_command_info *c) {
    fputs("usage:\n", out);
    for (const char *p = c->usage; *p;) { /* each usage line indented */
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        fprintf(out, "  %.*s\n", (int)n, p);
        p += n + (nl ? 1 : 0);
    }
    fprintf(out, "\n%s.\n", c->summary);
    if (c->details[0]) fprintf(out, "\n%s\n", c->details);
    if (c->options[0].name) fputs("\noptions:\n", out);
    for (const cli_option *o = c->options; o->name; o++) {
        char left[64];
        snprintf(left, sizeof left, "%s%s%s", o->name, o->value ? " " : "", o->value ? o->value : "");
        fprintf(out, "  %-24s %s\n", left, o->help);
    }
    fprintf(out, "  %-24s %s\n", "-h, --help", "this help");
}

int cli_parse_failed(const char *cmd, int parse_result, const char *msg) {
    if (parse_result == CLI_PARSE_HELP) {
        cli_print_help(stdout, cli_command_find(cmd));
        return CLI_OK;
    }
    fprintf(stderr, "%s\n", msg);
    if (strncmp(msg, "usage: ", 7) == 0) fprintf(stderr, "(see `wactor help %s`)\n", cmd);
    return CLI_BAD_INPUT;
}

void cli_error(const char *what, wactor_error err, const wactor_diag *diag) {
    const char *se = wactor_strerror(err);
    const char *msg = diag ? diag->message : "";
    size_t mlen = diag ? strnlen(diag->message, sizeof diag->message) : 0;
    flockfile(stderr);
    fputs("wactor: ", stderr);
    if (what && what[0]) {
        escape_write(stderr, what, strlen(what));
        fputs(": ", stderr);
    }
    if (!mlen || strncasecmp(msg, se, strlen(se)) != 0) fprintf(stderr, "%s%s", se, mlen ? ": " : "");
    escape_write(stderr, msg, mlen);
    fputc('\n', stderr);
    funlockfile(stderr);
}

void cli_say(const char *what, const char *text) {
    flockfile(stderr);
    fputs("wactor: ", stderr);
    if (what && what[0]) {
        escape_write(stderr, what, strlen(what));
        fputs(": ", stderr);
    }
    escape_write(stderr, text, strlen(text));
    fputc('\n', stderr);
    funlockfile(stderr);
}

void cli_load_error(wactor_error err, const wactor_diag *diag) {
    if ((err == WACTOR_ENOENT || err == WACTOR_EIO) && diag && diag->message[0]) { /* "cannot open ..." */
        cli_say(NULL, diag->message);
        return;
    }
    cli_error(NULL, err, diag);
}

bool cli_proc_exit(wactor_error err, const wactor_diag *d, unsigned *code) {
    if (err != WACTOR_ETRAP && err != WACTOR_ENOENT) return false;
    /* a proc_exit during start-up is a start failure whose message says so (src/component/component.c) */
    if (d->trap == WACTOR_TRAP_EXIT || (d->trap == WACTOR_TRAP_START && strstr(d->message, " exited (proc_exit("))) {
        *code = (unsigned)d->exit_code;
        return true;
    }
    return false;
}

/* Whether `seg` (n bytes) is said again at the start of `next` ("unreachable" / "unreachable executed"). */
static bool repeated(const char *seg, size_t n, const char *next) {
    return n > 0 && strncasecmp(seg, next, n) == 0 && (next[n] == 0 || next[n] == ' ' || next[n] == ':');
}

void cli_trap_text(const wactor_diag *d, char *buf, size_t cap) {
    char full[2 * WACTOR_DIAG_MAX];
    const char *msg = d->message;
    size_t mlen = strnlen(msg, sizeof d->message);
    snprintf(full, sizeof full, "%s%s%.*s", wactor_trap_name(d->trap), mlen ? ": " : "", (int)mlen, msg);
    /* drop every "A: " whose next segment starts by saying A again */
    size_t w = 0;
    const char *p = full;
    if (d->trap == WACTOR_TRAP_START) { /* "start failure: " is said by the caller ("failed to start") */
        const char *k = wactor_trap_name(WACTOR_TRAP_START);
        while (strncmp(p, k, strlen(k)) == 0 && strncmp(p + strlen(k), ": ", 2) == 0) p += strlen(k) + 2;
    }
    if (cap == 0) return;
    for (;;) {
        const char *sep = strstr(p, ": ");
        if (!sep) break;
        if (!repeated(p, (size_t)(sep - p), sep + 2)) {
            size_t n = (size_t)(sep - p) + 2;
            if (w + n >= cap) n = cap - 1 - w;
            memcpy(buf + w, p, n);
            w += n;
        }
        p = sep + 2;
    }
    size_t n = strlen(p);
    if (w + n >= cap) n = cap - 1 - w;
    memcpy(buf + w, p, n);
    buf[w + n] = 0;
}

void cli_trap_error(const char *where, const wactor_diag *d) {
    char text[2 * WACTOR_DIAG_MAX];
    cli_trap_text(d, text, sizeof text);
    flockfile(stderr);
    fputs(d->trap == WACTOR_TRAP_START ? "wactor: " : "wactor: trap in ", stderr);
    escape_write(stderr, where, strlen(where));
    fputs(d->trap == WACTOR_TRAP_START ? " failed to start: " : ": ", stderr);
    escape_write(stderr, text, strlen(text));
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

/* `wactor help [COMMAND]` */
static int help(int argc, char **argv) {
    if (argc == 0) {
        overview(stdout);
        return CLI_OK;
    }
    bool self = strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0; /* `wactor help --help` */
    const cli_command_info *c = cli_command_find(self ? "help" : argv[0]);
    if (!c || argc > 1) {
        fputs("wactor help: ", stderr);
        if (!c) {
            fputs("unknown command '", stderr);
            escape_write(stderr, argv[0], strlen(argv[0]));
            fputs("'\n", stderr);
        } else {
            fputs("one command at a time\n", stderr);
        }
        overview(stderr);
        return CLI_BAD_INPUT;
    }
    cli_print_help(stdout, c);
    return CLI_OK;
}

/* `wactor version`, `wactor --version` */
static int version(int argc, char **argv) {
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            cli_print_help(stdout, cli_command_find("version"));
            return CLI_OK;
        }
    }
    if (argc > 0) {
        fputs("wactor version: unexpected argument '", stderr);
        escape_write(stderr, argv[0], strlen(argv[0]));
        fputs("'\n", stderr);
        return CLI_BAD_INPUT;
    }
    printf("wactor %s\n", wactor_version());
    return CLI_OK;
}

int main(int argc, char **argv) {
    switch (cli_parse_command(argc, argv)) {
    case CLI_CMD_NONE:
        overview(stderr);
        return CLI_BAD_INPUT;
    case CLI_CMD_CALL: return cli_call(argc - 2, argv + 2);
    case CLI_CMD_INSPECT: return cli_inspect(argc - 2, argv + 2);
    case CLI_CMD_RUN: return cli_run(argc - 2, argv + 2);
    case CLI_CMD_HELP: return help(argc - 2, argv + 2);
    case CLI_CMD_VERSION: return version(argc - 2, argv + 2);
    case CLI_CMD_UNKNOWN: break;
    }
    const char *cmd = argv[1];
    fprintf(stderr, "wactor: unknown %s '", cmd[0] == '-' ? "option" : "command");
    escape_write(stderr, cmd, strlen(cmd));
    fputs("'\n", stderr);
    overview(stderr);
    return CLI_BAD_INPUT;
}
