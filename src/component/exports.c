/*
 * exports.c — the exports the host calls, checked against the guest ABI (docs/ABI.md, "Exports") before an
 * instance is built.
 *
 * The host calls `cabi_realloc`, the handlers and the lifecycle exports with fixed signatures and reads
 * their results; an export with another signature would make it read a result that is not there (or pass
 * arguments the function does not take). So a module exporting one of these names with another type, or as
 * something else than a function, cannot be spawned: a clear error naming the export and the type expected,
 * instead of a component that misbehaves later. Exports with other names are free-form (typed invocation).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "codec/codec.h"
#include "common/diag.h"
#include "component/internal.h"

#define I32 WACTOR_I32
#define I64 WACTOR_I64

typedef struct expected_export {
    const char *name;
    eng_functype type;
    unsigned handler;   /* HANDLES_* bit, 0 for the others */
} expected_export;

static const expected_export expected[] = {
    {"cabi_realloc", {4, 1, {I32, I32, I32, I32}, {I32}}, 0},
    {"handle-message", {4, 0, {I32, I32, I32, I32}, {0}}, HANDLES_MESSAGE},
    {"handle-reply", {4, 0, {I64, I32, I32, I32}, {0}}, HANDLES_REPLY},
    {"handle-down", {4, 0, {I64, I64, I32, I32}, {0}}, HANDLES_DOWN},
    {"_health", {0, 1, {0}, {I32}}, 0},
    {"_cleanup", {0, 0, {0}, {0}}, 0},
    {"_initialize", {0, 0, {0}, {0}}, 0},
    {"_start", {0, 0, {0}, {0}}, 0},
};

static bool same_type(const eng_functype *a, const eng_functype *b) {
    if (a->nparams != b->nparams || a->nresults != b->nresults) return false;
    for (uint32_t i = 0; i < a->nparams; i++)
        if (a->params[i] != b->params[i]) return false;
    for (uint32_t i = 0; i < a->nresults; i++)
        if (a->results[i] != b->results[i]) return false;
    return true;
}

/* "(i32, i32) -> (i32)" into buf. */
static void format_type(const eng_functype *t, char *buf, size_t cap) {
    size_t n = 0;
    n += (size_t)snprintf(buf + n, cap - n, "(");
    for (uint32_t i = 0; i < t->nparams && n < cap; i++)
        n += (size_t)snprintf(buf + n, cap - n, "%s%s", i ? ", " : "", codec_valtype_name(t->params[i]));
    if (n < cap) n += (size_t)snprintf(buf + n, cap - n, ") -> (");
    for (uint32_t i = 0; i < t->nresults && n < cap; i++)
        n += (size_t)snprintf(buf + n, cap - n, "%s%s", i ? ", " : "", codec_valtype_name(t->results[i]));
    if (n < cap) snprintf(buf + n, cap - n, ")");
}

static const char *kind_name(eng_extern_kind k) {
    switch (k) {
    case ENG_EXTERN_FUNC: return "function";
    case ENG_EXTERN_TABLE: return "table";
    case ENG_EXTERN_MEMORY: return "memory";
    case ENG_EXTERN_GLOBAL: return "global";
    }
    return "?";
}

int component_check_exports(const eng_module *m, unsigned *handlers, wactor_diag *d) {
    unsigned found = 0, has_realloc = 0;
    char want[160], got[160];
    size_t n = eng_module_export_count(m);
    for (size_t i = 0; i < n; i++) {
        eng_extern_info info;
        if (eng_module_export(m, i, &info) != 0 || !info.name) continue;
        const expected_export *e = NULL;
        for (size_t k = 0; k < sizeof expected / sizeof expected[0]; k++)
            if (strcmp(info.name, expected[k].name) == 0) e = &expected[k];
        if (!e) continue;
        format_type(&e->type, want, sizeof want);
        if (info.kind != ENG_EXTERN_FUNC) {
            diag_set(d, WACTOR_TRAP_NONE, "export '%s' is a %s; the host calls it as a function %s", e->name,
                     kind_name(info.kind), want);
            return -ENOEXEC;
        }
        eng_functype sig;
        if (!eng_module_has_func(m, e->name, &sig)) { /* types the host cannot pass (v128, references) */
            diag_set(d, WACTOR_TRAP_NONE, "export '%s' has a type the host cannot call; expected %s", e->name, want);
            return -ENOEXEC;
        }
        if (!same_type(&sig, &e->type)) {
            format_type(&sig, got, sizeof got);
            diag_set(d, WACTOR_TRAP_NONE, "export '%s' has type %s; expected %s", e->name, got, want);
            return -ENOEXEC;
        }
        found |= e->handler;
        if (e == &expected[0]) has_realloc = 1;
    }
    if (found && !has_realloc) {
        format_type(&expected[0].type, want, sizeof want);
        diag_set(d, WACTOR_TRAP_NONE, "export '%s' needs a cabi_realloc export %s to receive its data",
                 found & HANDLES_MESSAGE ? "handle-message" : found & HANDLES_REPLY ? "handle-reply" : "handle-down",
                 want);
        return -ENOEXEC;
    }
    *handlers = found;
    return 0;
}
