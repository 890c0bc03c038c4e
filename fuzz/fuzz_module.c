/*
 * fuzz_module.c — libFuzzer target for the engine layer (src/engine/engine.h): the input is a WebAssembly
 * binary. It is loaded (decode + validate), its imports and exports are described, and it is instantiated
 * with a 16-page memory cap: every function import resolves to a stub of the exact signature (WASI
 * preview1 imports that match a built-in one go to the built-in WASI functions). Then every callable
 * function export is called with arguments derived from the input, in slices of 2,000 instructions, at
 * most 40,000 in all per call; a call still running is abandoned with eng_abort(). A trapped instance is
 * replaced by a fresh one for the next export.
 *
 * Checks, beyond "no crash, no leak, no UB": a failed load or instantiation leaves a message; a trapped
 * call leaves the instance dead (it refuses the next call with ENG_ERROR); a finished call returns exactly
 * as many results as the signature says, of the right types; the executed-instruction counts of the
 * slices never exceed their budgets.
 *
 * Start functions are deferred (eng_instance_opts.defer_start) and run by eng_instance_start in the same
 * slices and budget, as a host of untrusted guests must (a start function that loops forever would
 * otherwise never let eng_instance_new return: corpus/module/start_loop.wat).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"

#define MAX_PAGES 16
#define SLICE 2000
#define CALL_BUDGET 40000
#define MAX_IMPORTS 256
#define MAX_EXPORT_CALLS 32

#define CHECK(cond)                                                                                    \
    do {                                                                                               \
        if (!(cond)) {                                                                                 \
            fprintf(stderr, "fuzz_module: check failed at line %d: %s\n", __LINE__, #cond);            \
            abort();                                                                                   \
        }                                                                                              \
    } while (0)

/* Host stub: touches the memory range its first two i32 arguments name (bounds-checked view), then
 * returns zeros, or traps on every 7th call to exercise host traps. */
static unsigned calls; /* host calls in this input; reset per input (deterministic runs) */

static int stub(eng_call_ctx *ctx, const wactor_value *args, wactor_value *results, void *fn_data) {
    const eng_functype *t = fn_data;
    if (t->nparams >= 2 && t->params[0] == WACTOR_I32 && t->params[1] == WACTOR_I32) {
        uint8_t *p = eng_ctx_mem(ctx, (uint32_t)args[0].of.i32, (uint32_t)args[1].of.i32);
        if (p && args[1].of.i32 > 0) p[(uint32_t)args[1].of.i32 - 1] ^= p[0];
    }
    for (uint32_t i = 0; i < t->nresults; i++) {
        results[i].type = t->results[i];
        memset(&results[i].of, 0, sizeof results[i].of);
    }
    if (++calls % 7 == 0) {
        eng_host_trap(ctx, WACTOR_TRAP_HOST, 0, "stub trap %u", calls);
        return -1;
    }
    return 0;
}

static void discard(void *user, int fd, const uint8_t *bytes, size_t len) {
    (void)user, (void)fd, (void)bytes, (void)len;
}

static int same_type(const eng_functype *a, const eng_functype *b) {
    if (a->nparams != b->nparams || a->nresults != b->nresults) return 0;
    for (uint32_t i = 0; i < a->nparams; i++) if (a->params[i] != b->params[i]) return 0;
    for (uint32_t i = 0; i < a->nresults; i++) if (a->results[i] != b->results[i]) return 0;
    return 1;
}

static eng_instance *instantiate(eng_module *m, const eng_instance_opts *opts) {
    eng_instance *inst = NULL;
    wactor_diag d = {0};
    if (eng_instance_new(m, opts, &inst, &d) != 0) {
        CHECK(inst == NULL && d.message[0]);
        return NULL;
    }
    CHECK(inst && !eng_instance_dead(inst));
    uint64_t total = 0, executed = 0;
    eng_status st = eng_instance_start(inst, SLICE, &executed, &d);
    CHECK(executed <= SLICE);
    total += executed;
    while (st == ENG_SUSPENDED && total < CALL_BUDGET) {
        st = eng_resume(inst, SLICE, &executed, &d);
        CHECK(executed <= SLICE);
        total += executed;
    }
    if (st == ENG_SUSPENDED) eng_abort(inst, WACTOR_TRAP_FUEL_EXHAUSTED, "fuzz budget");
    if (st != ENG_DONE) {
        CHECK(eng_instance_dead(inst));
        eng_instance_free(inst);
        return NULL;
    }
    uint32_t size = 0;
    uint8_t *mem = eng_instance_memory(inst, &size);
    if (mem) {
        CHECK(size <= MAX_PAGES * ENG_PAGE_SIZE);
        CHECK(eng_instance_mem(inst, size, 0) != NULL);
        CHECK(eng_instance_mem(inst, size, 1) == NULL);
        CHECK(eng_instance_mem(inst, UINT32_MAX, 2) == NULL);
    }
    return inst;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    eng_module *m = NULL;
    wactor_diag d = {0};
    calls = 0;
    if (eng_module_load(data, size, &m, &d) != 0) {
        CHECK(m == NULL && d.message[0]);
        return 0;
    }
    size_t nimp = eng_module_import_count(m), nexp = eng_module_export_count(m);
    eng_extern_info info;
    CHECK(eng_module_import(m, nimp, &info) == -1 && eng_module_export(m, nexp, &info) == -1);

    static eng_host_func imports[MAX_IMPORTS];
    static eng_functype types[MAX_IMPORTS];
    size_t nwasi = 0, n = 0;
    const eng_host_func *wasi = eng_wasi_funcs(&nwasi);
    int resolvable = nimp <= MAX_IMPORTS;
    for (size_t i = 0; i < nimp && resolvable; i++) {
        CHECK(eng_module_import(m, i, &info) == 0 && info.module && info.name);
        if (info.kind != ENG_EXTERN_FUNC) continue; /* refused by eng_instance_new, as documented */
        int builtin = 0;
        for (size_t w = 0; w < nwasi && !builtin; w++)
            builtin = strcmp(info.module, wasi[w].module) == 0 && strcmp(info.name, wasi[w].name) == 0 &&
                      same_type(&info.type, &wasi[w].type);
        if (builtin) continue;
        types[n] = info.type;
        imports[n] = (eng_host_func){info.module, info.name, info.type, stub, &types[n]};
        n++;
    }
    for (size_t i = 0; i < nexp; i++) CHECK(eng_module_export(m, i, &info) == 0 && info.name && !info.module);

    if (!resolvable) {
        eng_module_release(m);
        return 0;
    }
    static const char *const argv[] = {"fuzz", "x"};
    static const char *const env[] = {"A=1"};
    eng_wasi wcfg = {.write = discard, .argv = argv, .argc = 2, .environ = env, .nenviron = 1};
    eng_instance_opts opts = {.max_pages = MAX_PAGES, .imports = imports, .nimports = n, .wasi = &wcfg,
                              .defer_start = true};
    eng_instance *inst = instantiate(m, &opts);

    uint64_t seed = 0x9e3779b97f4a7c15u ^ size;
    int ncalls = 0;
    for (size_t i = 0; inst && i < nexp && ncalls < MAX_EXPORT_CALLS; i++) {
        CHECK(eng_module_export(m, i, &info) == 0);
        eng_functype ft;
        if (info.kind != ENG_EXTERN_FUNC || !eng_module_has_func(m, info.name, &ft)) continue;
        ncalls++;
        wactor_value args[ENG_MAX_PARAMS];
        for (uint32_t a = 0; a < ft.nparams; a++) {
            seed = seed * 6364136223846793005u + 1442695040888963407u;
            args[a].type = ft.params[a];
            uint64_t v = (seed >> 33) % 4 == 0 ? 0 : (seed >> 33) % 4 == 1 ? 1 : seed;
            memcpy(&args[a].of, &v, sizeof args[a].of);
        }
        uint64_t total = 0, executed = 0;
        eng_status st = eng_call(inst, info.name, args, ft.nparams, SLICE, &executed, &d);
        CHECK(executed <= SLICE);
        total += executed;
        while (st == ENG_SUSPENDED && total < CALL_BUDGET) {
            st = eng_resume(inst, SLICE, &executed, &d);
            CHECK(executed <= SLICE);
            total += executed;
        }
        if (st == ENG_SUSPENDED) {
            eng_abort(inst, WACTOR_TRAP_FUEL_EXHAUSTED, "fuzz budget");
            CHECK(eng_instance_dead(inst));
        }
        if (st == ENG_DONE) {
            wactor_value res[ENG_MAX_PARAMS];
            size_t nres = eng_call_results(inst, res, ENG_MAX_PARAMS);
            CHECK(nres == ft.nresults);
            for (size_t r = 0; r < nres; r++) CHECK(res[r].type == ft.results[r]);
        } else if (st == ENG_TRAPPED) {
            CHECK(eng_instance_dead(inst) && d.trap != WACTOR_TRAP_NONE);
            CHECK(eng_call(inst, info.name, args, ft.nparams, SLICE, NULL, &d) == ENG_ERROR);
        } else if (st == ENG_ERROR) {
            CHECK(d.message[0]);
        }
        if (eng_instance_dead(inst)) {
            eng_instance_free(inst);
            inst = instantiate(m, &opts);
        }
    }
    eng_instance_free(inst);
    eng_module_release(m);
    return 0;
}
