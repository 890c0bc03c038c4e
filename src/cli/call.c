/* call.c — `wactor call MODULE.wasm EXPORT [ARG...]`: instantiate, call one export, print its results. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/args.h"
#include "cli/cli.h"
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

static int exit_for(wactor_error err, const char *what, const wactor_diag *d) {
    if (err == WACTOR_ETRAP) {
        char msg[4 * WACTOR_DIAG_MAX];
        escape_to(msg, sizeof msg, d->message, strnlen(d->message, sizeof d->message));
        fprintf(stderr, "wactor: trap: %s: %s\n", wactor_trap_name(d->trap), msg);
        return CLI_TRAP;
    }
    cli_error(what, err, d);
    return CLI_BAD_INPUT;
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
    if (err) {
        free(payload);
        return exit_for(err, "arguments", &d);
    }

    wactor_pid pid = 0;
    err = wactor_spawn(rt, mod, NULL, &pid, &d);
    if (err) {
        free(payload);
        return exit_for(err, "instantiate", &d);
    }
    if (a->codec) {
        void *result = NULL;
        size_t result_len = 0;
        err = wactor_invoke(rt, pid, a->export, payload, payload_len, 0, &result, &result_len, &d);
        free(payload);
        if (err) return exit_for(err, a->export, &d);
        wactor_value vals[WACTOR_MAX_PARAMS];
        err = codec_decode_args(result, result_len, sig->results, sig->nresults, vals, d.message, sizeof d.message);
        free(result);
        if (err) return exit_for(err, "results", &d);
        return print_values(vals, sig->nresults);
    }
    wactor_value results[WACTOR_MAX_PARAMS];
    size_t nresults = 0;
    err = wactor_invoke_values(rt, pid, a->export, args, sig->nparams, results, WACTOR_MAX_PARAMS, &nresults, 0, &d);
    if (err) return exit_for(err, a->export, &d);
    return print_values(results, nresults);
}

int cli_call(int argc, char **argv) {
    cli_call_args a;
    char msg[256];
    if (cli_parse_call(argc, argv, &a, msg, sizeof msg) != 0) {
        fprintf(stderr, "%s\n", msg);
        return CLI_BAD_INPUT;
    }
    cli_signals_start(); /* a signal ends the call at once, whatever the guest is doing */
    wactor_config cfg = {.threads = 1};
    wactor_runtime *rt = NULL;
    wactor_error err = wactor_runtime_create(&cfg, &rt);
    if (err) {
        cli_error("runtime", err, NULL);
        return CLI_BAD_INPUT;
    }
    wactor_module *mod = NULL;
    wactor_diag d = {0};
    int status = CLI_BAD_INPUT;
    err = wactor_module_load_file(rt, a.module, &mod, &d);
    if (err) {
        cli_error("load", err, &d);
    } else {
        wactor_functype sig;
        if (wactor_module_func(mod, a.export, &sig) != WACTOR_OK)
            fprintf(stderr, "wactor: %s has no function export '%s' (see `wactor inspect %s`)\n", a.module,
                    a.export, a.module);
        else
            status = call_export(rt, mod, &a, &sig);
    }
    wactor_runtime_destroy(rt);
    wactor_module_release(mod);
    return status;
}
