/* call.c — `wactor call MODULE.wasm EXPORT [ARG...]`: instantiate, call one export, print its results. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/args.h"
#include "cli/cli.h"
#include "cli/log.h"
#include "codec/codec.h"
#include "common/escape.h"

/* Builds the multicodec payload for --json/--cbor/--borsh. */
static wactor_error encode_args(const cli_call_args *a, uint8_t **out, size_t *out_len, wactor_diag *d) {
    if (a->codec == WACTOR_CODEC_JSON) {
        *out = codec_wrap(a->codec, a->encoded, strlen(a->encoded), out_len);
        return *out ? WACTOR_OK : WACTOR_ENOMEM;
    }
    uint8_t *body = NULL;
    size_t body_len = 0;
    wactor_error err = codec_hex_decode(a->encoded, &body, &body_len, d->message, sizeof d->message);
    if (err) return err;
    *out = codec_wrap(a->codec, body, body_len, out_len);
    free(body);
    return *out ? WACTOR_OK : WACTOR_ENOMEM;
}

static int print_values(const wactor_value *vals, size_t n) {
    char *json = codec_values_to_json(vals, n);
    if (!json) return CLI_BAD_INPUT;
    if (*json) printf("%s\n", json);
    free(json);
    return CLI_OK;
}

/* The exit status for a proc_exit(code): the code when a process can carry it (0..255), else 1 and a
 * message (a shell would read 256 as 0: success). */
static int exit_status(const char *module, unsigned code) {
    if (code <= 255) return (int)code;
    fputs("wactor: ", stderr);
    escape_write(stderr, module, strlen(module));
    fprintf(stderr, ": proc_exit(%u): an exit status must be 0..255\n", code);
    return CLI_TRAP;
}

static int exit_for(const cli_call_args *a, wactor_error err, const char *what, const wactor_diag *d) {
    unsigned code = 0;
    if (cli_proc_exit(err, d, &code)) return exit_status(a->module, code);
    if (err == WACTOR_ETRAP) {
        cli_trap_error(d->trap == WACTOR_TRAP_START ? a->module : a->export, d);
        return CLI_TRAP;
    }
    cli_error(what, err, d);
    return CLI_BAD_INPUT;
}

/* `_initialize` and `_start` run when the instance starts (docs/ABI.md): calling them again would run them
 * twice. */
static bool is_start(const char *export) {
    return strcmp(export, "_start") == 0 || strcmp(export, "_initialize") == 0;
}

/* The call itself, once the module is loaded and its export known. */
static int call_export(wactor_runtime *rt, wactor_module *mod, const cli_call_args *a, const wactor_functype *sig) {
    wactor_diag d = {0};
    wactor_value args[WACTOR_MAX_PARAMS];
    uint8_t *payload = NULL;
    size_t payload_len = 0;
    wactor_error err = WACTOR_OK;
    if (a->codec) {
        err = encode_args(a, &payload, &payload_len, &d);
        /* checked here as the component will check them, so that bad input is the user's error, not a
         * failed call */
        if (!err) err = codec_decode_args(payload, payload_len, sig->params, sig->nparams, args, d.message,
                                          sizeof d.message);
    } else if ((uint32_t)a->npositional != sig->nparams) {
        snprintf(d.message, sizeof d.message, "%s expects %u arguments, got %d", a->export, sig->nparams,
                 a->npositional);
        err = WACTOR_EARITY;
    } else {
        for (int i = 0; !err && i < a->npositional; i++) {
            err = codec_parse_value(a->positional[i], sig->params[i], &args[i], d.message, sizeof d.message);
            if (err) {
                char msg[WACTOR_DIAG_MAX];
                memcpy(msg, d.message, sizeof msg);
                snprintf(d.message, sizeof d.message, "argument %d: %.200s", i + 1, msg);
            }
        }
    }
    if (err) { /* the message says which argument and why */
        free(payload);
        if (!d.message[0]) return exit_for(a, err, NULL, &d);
        static const char *const option[] = {[0] = NULL, [1] = "--json", [2] = "--cbor", [3] = "--borsh"};
        int k = a->codec == WACTOR_CODEC_JSON ? 1 : a->codec == WACTOR_CODEC_CBOR ? 2 : a->codec ? 3 : 0;
        cli_say(option[k], d.message);
        return CLI_BAD_INPUT;
    }

    wactor_pid pid = 0;
    err = wactor_spawn(rt, mod, NULL, &pid, &d);
    if (err) {
        free(payload);
        return exit_for(a, err, a->module, &d);
    }
    if (is_start(a->export)) { /* it ran as the instance's start-up, once: that was the call */
        free(payload);
        wactor_stop(rt, pid, 0);
        return CLI_OK;
    }
    if (a->codec) {
        void *result = NULL;
        size_t result_len = 0;
        err = wactor_invoke(rt, pid, a->export, payload, payload_len, 0, &result, &result_len, &d);
        free(payload);
        if (err) return exit_for(a, err, a->export, &d);
        wactor_value vals[WACTOR_MAX_PARAMS];
        err = codec_decode_args(result, result_len, sig->results, sig->nresults, vals, d.message, sizeof d.message);
        free(result);
        if (err) return exit_for(a, err, "results", &d);
        return print_values(vals, sig->nresults);
    }
    wactor_value results[WACTOR_MAX_PARAMS];
    size_t nresults = 0;
    err = wactor_invoke_values(rt, pid, a->export, args, sig->nparams, results, WACTOR_MAX_PARAMS, &nresults, 0, &d);
    if (err) return exit_for(a, err, a->export, &d);
    return print_values(results, nresults);
}

/* Log records of the instance go to stderr through cli/log.h (text, from info up), the guest's and the
 * runtime's; its notes on how the call ended ("trap: ..." at error, "exit: ..." at info) are left out, since
 * `call` reports that itself. */
static void call_log(void *user, wactor_log_level level, const char *name, const char *line, size_t len) {
    if ((level == WACTOR_LOG_ERROR && len >= 6 && memcmp(line, "trap: ", 6) == 0) ||
        (level == WACTOR_LOG_INFO && len >= 6 && memcmp(line, "exit: ", 6) == 0))
        return;
    cli_log_record(user, level, name, line, len);
}

int cli_call(int argc, char **argv) {
    cli_call_args a;
    char msg[512];
    int rc = cli_parse_call(argc, argv, &a, msg, sizeof msg);
    if (rc != CLI_PARSE_OK) return cli_parse_failed("call", rc, msg);
    cli_signals_start(); /* a signal ends the call at once, whatever the guest is doing */
    cli_log log;
    cli_log_init(&log, NULL, WACTOR_LOG_INFO, CLI_LOG_TEXT, NULL);
    wactor_config cfg = {.threads = 1, .log = call_log, .log_user = &log, .log_level = log.level};
    wactor_runtime *rt = NULL;
    wactor_error err = wactor_runtime_create(&cfg, &rt);
    if (err) {
        cli_error("cannot start the runtime", err, NULL);
        return CLI_BAD_INPUT;
    }
    wactor_module *mod = NULL;
    wactor_diag d = {0};
    int status = CLI_BAD_INPUT;
    err = wactor_module_load_file(rt, a.module, &mod, &d);
    if (err) {
        cli_load_error(err, &d);
    } else {
        wactor_functype sig;
        if (wactor_module_func(mod, a.export, &sig) != WACTOR_OK) {
            fputs("wactor: ", stderr);
            escape_write(stderr, a.module, strlen(a.module));
            fputs(" has no function export '", stderr);
            escape_write(stderr, a.export, strlen(a.export));
            fputs("' (see `wactor inspect ", stderr);
            escape_write(stderr, a.module, strlen(a.module));
            fputs("`)\n", stderr);
        } else {
            status = call_export(rt, mod, &a, &sig);
        }
    }
    wactor_runtime_destroy(rt);
    wactor_module_release(mod);
    return status;
}
