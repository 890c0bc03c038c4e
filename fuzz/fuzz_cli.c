/*
 * fuzz_cli.c — libFuzzer target for the `wactor` command line (src/cli/args.h), without running anything.
 *
 * The input is split at NUL bytes into an argument vector (at most 64 entries) after "wactor"; the first
 * entry picks the subcommand. The parsed options are then carried as far as `wactor call` / `wactor run`
 * would before touching a file: positional call arguments are parsed as values of the export types the
 * input implies (codec_parse_value), --json text is wrapped as a payload, and --cbor/--borsh hex decoded and
 * wrapped, and the payload decoded as arguments (codec_decode_args).
 *
 * Checks, beyond "no crash, no leak, no UB": the options point into the given argv; a call has its module
 * and export, at most WACTOR_MAX_PARAMS + 1 positional arguments kept, an encoded value exactly when a
 * codec was chosen, never both; a run has a manifest path that is not an option; every failure has a
 * message of its command (or help was asked for with -h/--help); `run MODULE.wasm|.wat` (a WASI command) has
 * its --env NAME=VALUE and --dir HOST[::GUEST] values well-formed and pointing into argv, a module index after
 * them, and no manifest option; a manifest run has no command option.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/args.h"
#include "codec/codec.h"

#define MAX_ARGS 64
#define CHECK(cond)                                                                                    \
    do {                                                                                               \
        if (!(cond)) {                                                                                 \
            fprintf(stderr, "fuzz_cli: check failed at line %d: %s\n", __LINE__, #cond);               \
            abort();                                                                                   \
        }                                                                                              \
    } while (0)

static int in_argv(const char *p, char **argv, int argc) {
    for (int i = 0; i < argc; i++) if (p == argv[i]) return 1;
    return 0;
}

/* True if p points into one of the argv strings (at its start or inside it). */
static int inside_argv(const char *p, char **argv, int argc) {
    for (int i = 0; i < argc; i++)
        if (p >= argv[i] && p <= argv[i] + strlen(argv[i])) return 1;
    return 0;
}

static void check_call(int argc, char **argv, const cli_call_args *a) {
    CHECK(a->module && a->export && in_argv(a->module, argv, argc) && in_argv(a->export, argv, argc));
    CHECK(a->npositional >= 0 && a->npositional <= WACTOR_MAX_PARAMS + 1);
    for (int i = 0; i < a->npositional; i++) CHECK(in_argv(a->positional[i], argv, argc));
    CHECK((a->codec == 0) == (a->encoded == NULL));
    CHECK(a->codec == 0 || codec_name(a->codec) != NULL);
    CHECK(!(a->codec && a->npositional));
    if (a->encoded) CHECK(inside_argv(a->encoded, argv, argc)); /* "--json=[1]": inside its argument */

    /* The export's signature as `call` would learn it: one type per positional argument, from its length. */
    wactor_valtype types[WACTOR_MAX_PARAMS];
    size_t ntypes = (size_t)(a->npositional < WACTOR_MAX_PARAMS ? a->npositional : WACTOR_MAX_PARAMS);
    for (size_t i = 0; i < ntypes; i++) types[i] = (wactor_valtype)(strlen(a->positional[i]) % 4);
    char err[WACTOR_DIAG_MAX];
    for (size_t i = 0; i < ntypes; i++) {
        wactor_value v;
        wactor_error e = codec_parse_value(a->positional[i], types[i], &v, err, sizeof err);
        if (e != WACTOR_OK) {
            CHECK(e == WACTOR_ETYPE && err[0]);
            continue;
        }
        char *json = codec_values_to_json(&v, 1);
        CHECK(json && json[0]);
        free(json);
    }
    if (!a->codec) return;
    uint8_t *payload = NULL;
    size_t len = 0;
    if (a->codec == WACTOR_CODEC_JSON) {
        payload = codec_wrap(a->codec, a->encoded, strlen(a->encoded), &len);
        CHECK(payload);
    } else {
        uint8_t *body = NULL;
        size_t body_len = 0;
        wactor_error e = codec_hex_decode(a->encoded, &body, &body_len, err, sizeof err);
        if (e != WACTOR_OK) {
            CHECK(e == WACTOR_ECODEC && err[0]);
            return;
        }
        payload = codec_wrap(a->codec, body, body_len, &len);
        CHECK(payload);
        free(body);
    }
    /* A signature implied by the module name's length: 0..4 parameters of rotating types. */
    size_t n = strlen(a->module) % 5;
    wactor_valtype sig[4];
    for (size_t i = 0; i < n && i < 4; i++) sig[i] = (wactor_valtype)((strlen(a->export) + i) % 4);
    wactor_value vals[4];
    wactor_error e = codec_decode_args(payload, len, sig, n < 4 ? n : 4, vals, err, sizeof err);
    CHECK(e == WACTOR_OK || ((e == WACTOR_ECODEC || e == WACTOR_EARITY || e == WACTOR_ETYPE) && err[0]));
    free(payload);
}

static void check_run(int argc, char **argv, const cli_run_args *a) {
    CHECK(a->path && in_argv(a->path, argv, argc));
    CHECK(a->module >= 0 && a->module < argc && argv[a->module] == a->path);
    if (a->events_path) CHECK(inside_argv(a->events_path, argv, argc));
    if (!a->command) {
        CHECK(a->nenv == 0 && a->ndirs == 0);
        return;
    }
    size_t n = strlen(a->path);
    CHECK((n >= 5 && strcmp(a->path + n - 5, ".wasm") == 0) || (n >= 4 && strcmp(a->path + n - 4, ".wat") == 0));
    CHECK(!a->until_idle && !a->stats && !a->admin && !a->fail_on_trap && !a->events_path);
    CHECK(a->nenv + a->ndirs <= (size_t)a->module);
    for (size_t i = 0; i < a->nenv; i++) {
        CHECK(inside_argv(a->env[i], argv, argc));
        const char *eq = strchr(a->env[i], '=');
        CHECK(eq && eq != a->env[i]);
    }
    for (size_t i = 0; i < a->ndirs; i++) {
        CHECK(inside_argv(a->dirs[i], argv, argc) && a->dirs[i][0]);
        const char *sep = strstr(a->dirs[i], "::");
        CHECK(sep != a->dirs[i] && (!sep || sep[2]));
    }
}

/* A failure has a message of the command; help was asked for only with -h/--help in argv. */
static void check_failure(int rc, const char *err, const char *cmd, int argc, char **argv) {
    if (rc == CLI_PARSE_HELP) {
        int asked = 0;
        for (int i = 0; i < argc; i++) asked |= !strcmp(argv[i], "--help") || !strcmp(argv[i], "-h");
        CHECK(asked);
        return;
    }
    CHECK(rc == CLI_PARSE_ERROR);
    char prefix[32];
    snprintf(prefix, sizeof prefix, "wactor %s: ", cmd);
    CHECK(strncmp(err, "usage: ", 7) == 0 || strncmp(err, prefix, strlen(prefix)) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *buf = malloc(size + 1);
    if (!buf) return 0;
    memcpy(buf, data, size);
    buf[size] = '\0';
    char *argv[MAX_ARGS + 2];
    int argc = 0;
    argv[argc++] = "wactor";
    for (char *p = buf; argc < MAX_ARGS + 1;) {
        argv[argc++] = p;
        char *end = memchr(p, '\0', (size_t)(buf + size - p) + 1);
        if (end == buf + size) break;
        p = end + 1;
    }
    if (size == 0) argc = 1; /* "wactor" alone */
    argv[argc] = NULL;

    char err[512];
    switch (cli_parse_command(argc, argv)) {
    case CLI_CMD_NONE: CHECK(argc < 2); break;
    case CLI_CMD_CALL: {
        cli_call_args a;
        err[0] = '\0';
        int rc = cli_parse_call(argc - 2, argv + 2, &a, err, sizeof err);
        if (rc == CLI_PARSE_OK) check_call(argc - 2, argv + 2, &a);
        else check_failure(rc, err, "call", argc - 2, argv + 2);
        break;
    }
    case CLI_CMD_INSPECT: {
        cli_inspect_args a;
        err[0] = '\0';
        int rc = cli_parse_inspect(argc - 2, argv + 2, &a, err, sizeof err);
        if (rc == CLI_PARSE_OK) CHECK(a.module && in_argv(a.module, argv + 2, argc - 2));
        else check_failure(rc, err, "inspect", argc - 2, argv + 2);
        break;
    }
    case CLI_CMD_RUN: {
        cli_run_args a;
        err[0] = '\0';
        int rc = cli_parse_run(argc - 2, argv + 2, &a, err, sizeof err);
        if (rc == CLI_PARSE_OK) {
            check_run(argc - 2, argv + 2, &a);
            cli_run_args_free(&a);
        } else {
            check_failure(rc, err, "run", argc - 2, argv + 2);
        }
        break;
    }
    case CLI_CMD_HELP:
    case CLI_CMD_VERSION:
    case CLI_CMD_UNKNOWN: CHECK(argc >= 2); break;
    }
    /* every command in the table is found by its name */
    for (const cli_command_info *c = cli_commands; c->name; c++) CHECK(cli_command_find(c->name) == c);
    free(buf);
    return 0;
}
