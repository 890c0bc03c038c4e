/*
 * spec_runner.c — runs the WebAssembly spec testsuite (the JSON command lists `wast2json` makes of the .wast
 * files) against the engine, through src/engine/engine.h only, so that any engine behind that interface can
 * be checked unchanged.
 *
 * Usage: spec_runner SPECTEST.wasm FILE.json...
 *   Prints one row per file (passed / failed / skipped commands), every failure with its .wast line, and the
 *   reasons commands were skipped with their counts. Exits 1 if any command failed (or a file could not be
 *   read), else 0.
 *
 * Semantics follow the reference interpreter's script runner (WebAssembly/spec interpreter/script/run.ml)
 * and wabt's spectest-interp:
 *   module                 decode, validate, instantiate; becomes the current module (and $name, if named)
 *   register "as" [$name]  imports from module "as" resolve to that instance's exports (eng_link)
 *   action / assert_return invoke an export or read a global; results compared bit for bit, except
 *                          "nan:canonical" (the canonical NaN of either sign) and "nan:arithmetic" (any NaN
 *                          with the quiet bit set)
 *   assert_trap            the invocation traps, with the wactor_trap_kind of the expected text (or the
 *                          module's instantiation fails)
 *   assert_exhaustion      the invocation traps with WACTOR_TRAP_STACK_EXHAUSTED
 *   assert_invalid         eng_module_load refuses the binary
 *   assert_malformed       likewise (binary modules only; text ones are .wat, which the engine does not read)
 *   assert_unlinkable      the module loads, eng_instance_new refuses it on its imports
 *   assert_uninstantiable  the module loads and links, instantiation fails (segment out of bounds, start)
 * Every instance of a file lives in one store group with the `spectest` module (spectest.wat), is made with
 * keep_after_trap (a trap ends the call, not the instance, as in the spec), and no table or memory cap
 * beyond the spec's own limits.
 * Commands whose values engine.h cannot carry (v128, funcref, externref) are skipped with that reason.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "engine/engine.h"

/* An unbounded call that runs this long is reported as a failure ("did not finish"), never a hang. */
#define CALL_BUDGET 4000000000ull

/* ------------------------------------------------------------------ results and skip reasons */

typedef struct {
    unsigned passed, failed, skipped;
} counts;

#define MAX_REASONS 32
static struct {
    const char *reason;
    unsigned count;
} g_reasons[MAX_REASONS];
static size_t g_nreasons;

static void note_skip(counts *c, const char *reason) {
    c->skipped++;
    for (size_t i = 0; i < g_nreasons; i++)
        if (strcmp(g_reasons[i].reason, reason) == 0) {
            g_reasons[i].count++;
            return;
        }
    if (g_nreasons < MAX_REASONS) {
        g_reasons[g_nreasons].reason = reason;
        g_reasons[g_nreasons].count = 1;
        g_nreasons++;
    }
}

static const char *g_file; /* the .json being run, for messages */

static void fail(counts *c, long line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void fail(counts *c, long line, const char *fmt, ...) {
    c->failed++;
    fprintf(stderr, "FAIL %s:%ld: ", g_file, line);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

/* ------------------------------------------------------------------ files and modules */

static uint8_t *read_all(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 4096, n = 0;
    uint8_t *buf = malloc(cap);
    while (buf) {
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (n < cap) break;
        uint8_t *bigger = realloc(buf, cap * 2);
        if (!bigger) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = bigger;
        cap *= 2;
    }
    fclose(f);
    *len = n;
    return buf;
}

typedef struct {
    char *name; /* "$M" or a registered name */
    eng_instance *inst;
} binding;

typedef struct {
    char dir[512];            /* the JSON's directory: module files are relative to it */
    eng_instance *spectest;   /* the store group's first member */
    eng_instance **all;       /* every instance made, freed at the end */
    size_t nall, capall;
    binding *names, *regs;    /* $name -> instance; registered name -> instance */
    size_t nnames, nregs, capnames, capregs;
    eng_instance *current;
    eng_instance *tainted[64]; /* instances that missed a skipped call (see taint) */
    size_t ntainted;
} file_state;

static void bind(binding **v, size_t *n, size_t *cap, const char *name, eng_instance *inst) {
    for (size_t i = 0; i < *n; i++)
        if (strcmp((*v)[i].name, name) == 0) {
            (*v)[i].inst = inst;
            return;
        }
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 16;
        *v = realloc(*v, *cap * sizeof **v);
        if (!*v) abort();
    }
    (*v)[*n].name = strdup(name);
    (*v)[*n].inst = inst;
    (*n)++;
}

static eng_instance *lookup(const binding *v, size_t n, const char *name) {
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i].name, name) == 0) return v[i].inst;
    return NULL;
}

/* Loads a module file of this script. Returns 0, or -1 with diag (or errno) filled. */
static int load_module(file_state *fs, const char *filename, eng_module **m, wactor_diag *d) {
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", fs->dir, filename);
    size_t len = 0;
    uint8_t *bytes = read_all(path, &len);
    if (!bytes) {
        snprintf(d->message, sizeof d->message, "cannot read %.200s: %.40s", path, strerror(errno));
        return -1;
    }
    int rc = eng_module_load(bytes, len, m, d);
    free(bytes);
    return rc;
}

/* Instantiates in the file's store group, linked to every registered instance. Returns 0 or -1 (diag). */
static int instantiate(file_state *fs, eng_module *m, eng_instance **out, wactor_diag *d) {
    eng_link *links = calloc(fs->nregs + 1, sizeof *links);
    if (!links) abort();
    for (size_t i = 0; i < fs->nregs; i++) {
        links[i].module = fs->regs[i].name;
        links[i].instance = fs->regs[i].inst;
    }
    eng_instance_opts o;
    memset(&o, 0, sizeof o);
    o.links = links;
    o.nlinks = fs->nregs;
    o.share_store = fs->spectest;
    o.keep_after_trap = true;
    o.max_table_elems = UINT32_MAX; /* the spec's own limit */
    int rc = eng_instance_new(m, &o, out, d);
    free(links);
    if (rc == 0) {
        if (fs->nall == fs->capall) {
            fs->capall = fs->capall ? fs->capall * 2 : 16;
            fs->all = realloc(fs->all, fs->capall * sizeof *fs->all);
            if (!fs->all) abort();
        }
        fs->all[fs->nall++] = *out;
    }
    return rc;
}

/* ------------------------------------------------------------------ values */

enum { NOT_NAN, NAN_CANONICAL, NAN_ARITHMETIC };

typedef struct {
    wactor_value v;
    int nan; /* for expected floats */
} spec_value;

/* Parses {"type": T, "value": V}. Returns 0, or the reason the engine cannot carry it. */
static const char *parse_value(json_t *j, spec_value *out) {
    const char *type = json_string_value(json_object_get(j, "type"));
    const char *value = json_string_value(json_object_get(j, "value"));
    memset(out, 0, sizeof *out);
    if (!type) return "malformed value in the JSON";
    if (strcmp(type, "v128") == 0) return "v128 values (SIMD) do not cross engine.h";
    if (strcmp(type, "funcref") == 0 || strcmp(type, "externref") == 0)
        return "reference values (funcref/externref) do not cross engine.h";
    if (!value) return "malformed value in the JSON";
    if (strncmp(value, "nan:", 4) == 0) {
        out->nan = strcmp(value, "nan:canonical") == 0 ? NAN_CANONICAL : NAN_ARITHMETIC;
        value = "0";
    }
    uint64_t bits = strtoull(value, NULL, 10);
    if (strcmp(type, "i32") == 0) {
        out->v.type = WACTOR_I32;
        out->v.of.i32 = (int32_t)(uint32_t)bits;
    } else if (strcmp(type, "i64") == 0) {
        out->v.type = WACTOR_I64;
        out->v.of.i64 = (int64_t)bits;
    } else if (strcmp(type, "f32") == 0) {
        uint32_t b = (uint32_t)bits;
        out->v.type = WACTOR_F32;
        memcpy(&out->v.of.f32, &b, sizeof b);
    } else if (strcmp(type, "f64") == 0) {
        out->v.type = WACTOR_F64;
        memcpy(&out->v.of.f64, &bits, sizeof bits);
    } else {
        return "value types engine.h does not know";
    }
    return NULL;
}

static bool value_matches(const spec_value *want, const wactor_value *got) {
    if (want->v.type != got->type) return false;
    switch (got->type) {
    case WACTOR_I32: return want->v.of.i32 == got->of.i32;
    case WACTOR_I64: return want->v.of.i64 == got->of.i64;
    case WACTOR_F32: {
        uint32_t w, g;
        memcpy(&w, &want->v.of.f32, 4);
        memcpy(&g, &got->of.f32, 4);
        if (want->nan == NAN_CANONICAL) return (g & 0x7fffffffu) == 0x7fc00000u;
        if (want->nan == NAN_ARITHMETIC) return (g & 0x7fc00000u) == 0x7fc00000u;
        return w == g;
    }
    case WACTOR_F64: {
        uint64_t w, g;
        memcpy(&w, &want->v.of.f64, 8);
        memcpy(&g, &got->of.f64, 8);
        if (want->nan == NAN_CANONICAL) return (g & 0x7fffffffffffffffull) == 0x7ff8000000000000ull;
        if (want->nan == NAN_ARITHMETIC) return (g & 0x7ff8000000000000ull) == 0x7ff8000000000000ull;
        return w == g;
    }
    }
    return false;
}

static void format_value(const wactor_value *v, char *buf, size_t n) {
    switch (v->type) {
    case WACTOR_I32: snprintf(buf, n, "i32:%" PRIu32, (uint32_t)v->of.i32); break;
    case WACTOR_I64: snprintf(buf, n, "i64:%" PRIu64, (uint64_t)v->of.i64); break;
    case WACTOR_F32: {
        uint32_t b;
        memcpy(&b, &v->of.f32, 4);
        snprintf(buf, n, "f32:0x%08" PRIx32 " (%g)", b, (double)v->of.f32);
        break;
    }
    case WACTOR_F64: {
        uint64_t b;
        memcpy(&b, &v->of.f64, 8);
        snprintf(buf, n, "f64:0x%016" PRIx64 " (%g)", b, v->of.f64);
        break;
    }
    }
}

/* ------------------------------------------------------------------ actions */

typedef enum { ACT_DONE, ACT_TRAPPED, ACT_ERROR, ACT_SKIP } act_result;

typedef struct {
    wactor_value results[ENG_MAX_PARAMS];
    size_t nresults;
    wactor_diag diag;
    const char *skip_reason;
    bool tainted; /* the instance missed an earlier, skipped call (see taint) */
} act_out;

#define TAINTED_REASON "results of an instance after a skipped call with reference arguments (its state diverged)"

static void taint(file_state *fs, eng_instance *inst) {
    for (size_t i = 0; i < fs->ntainted; i++)
        if (fs->tainted[i] == inst) return;
    if (fs->ntainted < sizeof fs->tainted / sizeof fs->tainted[0]) fs->tainted[fs->ntainted++] = inst;
}

static bool tainted(const file_state *fs, const eng_instance *inst) {
    for (size_t i = 0; i < fs->ntainted; i++)
        if (fs->tainted[i] == inst) return true;
    return false;
}

static act_result perform(file_state *fs, json_t *action, act_out *out) {
    memset(out, 0, sizeof *out);
    const char *type = json_string_value(json_object_get(action, "type"));
    const char *field = json_string_value(json_object_get(action, "field"));
    const char *modname = json_string_value(json_object_get(action, "module"));
    eng_instance *inst = modname ? lookup(fs->names, fs->nnames, modname) : fs->current;
    if (!type || !field) {
        snprintf(out->diag.message, sizeof out->diag.message, "malformed action");
        return ACT_ERROR;
    }
    if (strlen(field) != json_string_length(json_object_get(action, "field"))) {
        out->skip_reason = "export names containing NUL do not cross engine.h (C strings)";
        return ACT_SKIP;
    }
    if (!inst) {
        snprintf(out->diag.message, sizeof out->diag.message, "no module %s", modname ? modname : "(current)");
        return ACT_ERROR;
    }
    if (strcmp(type, "get") == 0) {
        if (eng_instance_global(inst, field, &out->results[0]) != 0) {
            snprintf(out->diag.message, sizeof out->diag.message, "no numeric global export %s", field);
            return ACT_ERROR;
        }
        out->nresults = 1;
        return ACT_DONE;
    }
    if (strcmp(type, "invoke") != 0) {
        snprintf(out->diag.message, sizeof out->diag.message, "unknown action type %s", type);
        return ACT_ERROR;
    }
    json_t *args = json_object_get(action, "args");
    size_t nargs = json_array_size(args);
    if (nargs > ENG_MAX_PARAMS) {
        out->skip_reason = "more arguments than ENG_MAX_PARAMS";
        return ACT_SKIP;
    }
    wactor_value argv[ENG_MAX_PARAMS];
    for (size_t i = 0; i < nargs; i++) {
        spec_value sv;
        const char *why = parse_value(json_array_get(args, i), &sv);
        if (why) {
            /* The call may have changed the instance (a table.set of the reference, ...): what later
             * commands see of it is no longer what the script expects. */
            taint(fs, inst);
            out->skip_reason = why;
            return ACT_SKIP;
        }
        argv[i] = sv.v;
    }
    out->tainted = tainted(fs, inst);
    if (!eng_module_has_func(eng_instance_module(inst), field, NULL)) {
        const eng_module *m = eng_instance_module(inst);
        eng_extern_info info;
        for (size_t i = 0; eng_module_export(m, i, &info) == 0; i++)
            if (info.kind == ENG_EXTERN_FUNC && strcmp(info.name, field) == 0) {
                out->skip_reason = "functions with v128/reference parameters or results are not callable through engine.h";
                return ACT_SKIP;
            }
    }
    uint64_t executed = 0;
    eng_status st = eng_call(inst, field, argv, nargs, CALL_BUDGET, &executed, &out->diag);
    if (st == ENG_SUSPENDED) {
        eng_abort(inst, WACTOR_TRAP_FUEL_EXHAUSTED, "spec runner budget");
        snprintf(out->diag.message, sizeof out->diag.message, "did not finish within %llu instructions",
                 (unsigned long long)CALL_BUDGET);
        return ACT_ERROR;
    }
    if (st == ENG_TRAPPED) return ACT_TRAPPED;
    if (st == ENG_ERROR) return ACT_ERROR;
    out->nresults = eng_call_results(inst, out->results, ENG_MAX_PARAMS);
    return ACT_DONE;
}

/* ------------------------------------------------------------------ commands */

static long line_of(json_t *cmd) { return (long)json_integer_value(json_object_get(cmd, "line")); }

static void cmd_module(file_state *fs, json_t *cmd, counts *c) {
    const char *filename = json_string_value(json_object_get(cmd, "filename"));
    const char *name = json_string_value(json_object_get(cmd, "name"));
    eng_module *m = NULL;
    eng_instance *inst = NULL;
    wactor_diag d;
    memset(&d, 0, sizeof d);
    fs->current = NULL;
    if (!filename || load_module(fs, filename, &m, &d) != 0) {
        fail(c, line_of(cmd), "module %s does not load: %s", filename ? filename : "?", d.message);
        return;
    }
    int rc = instantiate(fs, m, &inst, &d);
    eng_module_release(m);
    if (rc != 0) {
        fail(c, line_of(cmd), "module %s does not instantiate: %s", filename, d.message);
        return;
    }
    fs->current = inst;
    if (name) bind(&fs->names, &fs->nnames, &fs->capnames, name, inst);
    c->passed++;
}

static void cmd_register(file_state *fs, json_t *cmd, counts *c) {
    const char *as = json_string_value(json_object_get(cmd, "as"));
    const char *name = json_string_value(json_object_get(cmd, "name"));
    eng_instance *inst = name ? lookup(fs->names, fs->nnames, name) : fs->current;
    if (!as || !inst) {
        fail(c, line_of(cmd), "register: no module %s", name ? name : "(current)");
        return;
    }
    bind(&fs->regs, &fs->nregs, &fs->capregs, as, inst);
    c->passed++;
}

static void cmd_assert_return(file_state *fs, json_t *cmd, counts *c, bool check_results) {
    json_t *expected = json_object_get(cmd, "expected");
    size_t nexp = json_array_size(expected);
    spec_value want[ENG_MAX_PARAMS];
    if (nexp > ENG_MAX_PARAMS) {
        note_skip(c, "more results than ENG_MAX_PARAMS");
        return;
    }
    for (size_t i = 0; check_results && i < nexp; i++) {
        const char *why = parse_value(json_array_get(expected, i), &want[i]);
        if (why) {
            note_skip(c, why);
            return;
        }
    }
    act_out out;
    act_result r = perform(fs, json_object_get(cmd, "action"), &out);
    if (r == ACT_SKIP) {
        note_skip(c, out.skip_reason);
        return;
    }
    if (r != ACT_DONE && out.tainted) {
        note_skip(c, TAINTED_REASON);
        return;
    }
    if (r != ACT_DONE) {
        fail(c, line_of(cmd), "%s: %s", r == ACT_TRAPPED ? "trapped" : "error", out.diag.message);
        return;
    }
    if (!check_results) {
        c->passed++;
        return;
    }
    if (out.nresults != nexp) {
        fail(c, line_of(cmd), "%zu results, expected %zu", out.nresults, nexp);
        return;
    }
    for (size_t i = 0; i < nexp; i++) {
        if (!value_matches(&want[i], &out.results[i]) && out.tainted) {
            note_skip(c, TAINTED_REASON);
            return;
        }
        if (!value_matches(&want[i], &out.results[i])) {
            char got[64], exp[64];
            format_value(&out.results[i], got, sizeof got);
            format_value(&want[i].v, exp, sizeof exp);
            fail(c, line_of(cmd), "result %zu is %s, expected %s%s", i, got, exp,
                 want[i].nan == NAN_CANONICAL ? " (nan:canonical)" : want[i].nan == NAN_ARITHMETIC ? " (nan:arithmetic)" : "");
            return;
        }
    }
    c->passed++;
}

/* The trap kind engine.h must report for the reference interpreter's trap text (WebAssembly/spec
 * interpreter/exec/eval.ml); WACTOR_TRAP_NONE for a text not listed (then any trap passes). */
static wactor_trap_kind kind_of_spec_text(const char *text) {
    static const struct {
        const char *prefix;
        wactor_trap_kind kind;
    } table[] = {
        {"unreachable", WACTOR_TRAP_UNREACHABLE},
        {"integer divide by zero", WACTOR_TRAP_INT_DIV_BY_ZERO},
        {"integer overflow", WACTOR_TRAP_INT_OVERFLOW},
        {"invalid conversion to integer", WACTOR_TRAP_INVALID_CONVERSION},
        {"out of bounds memory access", WACTOR_TRAP_OOB_MEMORY},
        {"out of bounds table access", WACTOR_TRAP_OOB_TABLE},
        {"undefined element", WACTOR_TRAP_OOB_TABLE},
        {"uninitialized element", WACTOR_TRAP_UNINITIALIZED_ELEMENT},
        {"indirect call type mismatch", WACTOR_TRAP_INDIRECT_CALL_TYPE},
        {"call stack exhausted", WACTOR_TRAP_STACK_EXHAUSTED},
    };
    for (size_t i = 0; text && i < sizeof table / sizeof table[0]; i++)
        if (strncmp(text, table[i].prefix, strlen(table[i].prefix)) == 0) return table[i].kind;
    return WACTOR_TRAP_NONE;
}

/* Loads the module file a command names and instantiates it: 1 if it instantiated (the instance stays the
 * file's, freed with it), 0 if instantiation failed (*d says why), -1 if it does not load (counted as a
 * failure). */
static int try_instantiate(file_state *fs, json_t *cmd, counts *c, wactor_diag *d) {
    const char *filename = json_string_value(json_object_get(cmd, "filename"));
    eng_module *m = NULL;
    eng_instance *inst = NULL;
    memset(d, 0, sizeof *d);
    if (!filename || load_module(fs, filename, &m, d) != 0) {
        fail(c, line_of(cmd), "module does not load: %s", d->message);
        return -1;
    }
    int rc = instantiate(fs, m, &inst, d);
    eng_module_release(m);
    return rc == 0 ? 1 : 0;
}

static void cmd_assert_trap(file_state *fs, json_t *cmd, counts *c, bool exhaustion) {
    const char *text = json_string_value(json_object_get(cmd, "text"));
    json_t *action = json_object_get(cmd, "action");
    if (!action) { /* (assert_trap (module ...)): instantiation traps */
        wactor_diag d;
        int rc = try_instantiate(fs, cmd, c, &d);
        if (rc > 0) fail(c, line_of(cmd), "instantiated, expected a trap (%s)", text ? text : "");
        else if (rc == 0) c->passed++;
        return;
    }
    act_out out;
    act_result r = perform(fs, action, &out);
    if (r == ACT_SKIP) {
        note_skip(c, out.skip_reason);
        return;
    }
    if (r != ACT_TRAPPED && out.tainted) {
        note_skip(c, TAINTED_REASON);
        return;
    }
    if (r != ACT_TRAPPED) {
        fail(c, line_of(cmd), "%s, expected the trap \"%s\"", r == ACT_DONE ? "returned" : out.diag.message,
             text ? text : "");
        return;
    }
    wactor_trap_kind want = exhaustion ? WACTOR_TRAP_STACK_EXHAUSTED : kind_of_spec_text(text);
    if (want != WACTOR_TRAP_NONE && out.diag.trap != want) {
        fail(c, line_of(cmd), "trapped with kind %d (\"%s\"), expected kind %d (\"%s\")", (int)out.diag.trap,
             out.diag.message, (int)want, text ? text : "");
        return;
    }
    if (exhaustion && out.diag.trap != WACTOR_TRAP_STACK_EXHAUSTED) {
        fail(c, line_of(cmd), "trapped with \"%s\", expected stack exhaustion", out.diag.message);
        return;
    }
    c->passed++;
}

/* assert_invalid / assert_malformed: the module must not load. */
static void cmd_assert_bad_module(file_state *fs, json_t *cmd, counts *c) {
    const char *module_type = json_string_value(json_object_get(cmd, "module_type"));
    const char *filename = json_string_value(json_object_get(cmd, "filename"));
    const char *text = json_string_value(json_object_get(cmd, "text"));
    if (module_type && strcmp(module_type, "text") == 0) {
        note_skip(c, "malformed text modules (.wat): the engine reads binaries only");
        return;
    }
    eng_module *m = NULL;
    wactor_diag d;
    memset(&d, 0, sizeof d);
    if (filename && load_module(fs, filename, &m, &d) == 0) {
        eng_module_release(m);
        fail(c, line_of(cmd), "%s loaded, expected it refused (\"%s\")", filename, text ? text : "");
        return;
    }
    if (strncmp(d.message, "cannot read ", 12) == 0) {
        fail(c, line_of(cmd), "%s", d.message);
        return;
    }
    c->passed++;
}

/* assert_unlinkable / assert_uninstantiable: loads, does not instantiate. */
static void cmd_assert_no_instance(file_state *fs, json_t *cmd, counts *c) {
    const char *filename = json_string_value(json_object_get(cmd, "filename"));
    const char *text = json_string_value(json_object_get(cmd, "text"));
    wactor_diag d;
    int rc = try_instantiate(fs, cmd, c, &d);
    if (rc < 0) return;
    if (rc > 0) {
        fail(c, line_of(cmd), "%s instantiated, expected \"%s\"", filename, text ? text : "");
        return;
    }
    /* Linking fails on the imports (names, kinds, types, limits); instantiation after linking fails in a
     * segment or the start function. The two must not be confused. */
    bool link_error = strstr(d.message, "import") || strstr(d.message, "mismatch") || strstr(d.message, " size (");
    bool want_link_error = strcmp(json_string_value(json_object_get(cmd, "type")), "assert_unlinkable") == 0;
    if (link_error != want_link_error) {
        fail(c, line_of(cmd), "%s failed to %s (%s), expected a %s failure (\"%s\")", filename,
             link_error ? "link" : "instantiate", d.message, want_link_error ? "link" : "post-link", text ? text : "");
        return;
    }
    c->passed++;
}

/* ------------------------------------------------------------------ files */

static int run_file(const char *json_path, const char *spectest_path, counts *c) {
    memset(c, 0, sizeof *c);
    g_file = json_path;
    json_error_t jerr;
    json_t *root = json_load_file(json_path, JSON_ALLOW_NUL, &jerr);
    if (!root) {
        fprintf(stderr, "FAIL %s: %s (line %d)\n", json_path, jerr.text, jerr.line);
        c->failed++;
        return -1;
    }
    file_state fs;
    memset(&fs, 0, sizeof fs);
    snprintf(fs.dir, sizeof fs.dir, "%s", json_path);
    char *slash = strrchr(fs.dir, '/');
    if (slash) *slash = '\0';
    else snprintf(fs.dir, sizeof fs.dir, ".");

    /* spectest: the store group's first member, registered under its own name */
    size_t len = 0;
    uint8_t *bytes = read_all(spectest_path, &len);
    eng_module *m = NULL;
    wactor_diag d;
    memset(&d, 0, sizeof d);
    eng_instance_opts o;
    memset(&o, 0, sizeof o);
    o.keep_after_trap = true;
    if (!bytes || eng_module_load(bytes, len, &m, &d) != 0 || eng_instance_new(m, &o, &fs.spectest, &d) != 0) {
        fprintf(stderr, "FAIL %s: spectest module: %s\n", spectest_path, bytes ? d.message : strerror(errno));
        free(bytes);
        eng_module_release(m);
        json_decref(root);
        c->failed++;
        return -1;
    }
    free(bytes);
    eng_module_release(m);
    bind(&fs.regs, &fs.nregs, &fs.capregs, "spectest", fs.spectest);

    json_t *commands = json_object_get(root, "commands");
    for (size_t i = 0; i < json_array_size(commands); i++) {
        json_t *cmd = json_array_get(commands, i);
        const char *type = json_string_value(json_object_get(cmd, "type"));
        if (!type) {
            fail(c, line_of(cmd), "command without a type");
        } else if (strcmp(type, "module") == 0) {
            cmd_module(&fs, cmd, c);
        } else if (strcmp(type, "register") == 0) {
            cmd_register(&fs, cmd, c);
        } else if (strcmp(type, "assert_return") == 0) {
            cmd_assert_return(&fs, cmd, c, true);
        } else if (strcmp(type, "action") == 0) {
            cmd_assert_return(&fs, cmd, c, false);
        } else if (strcmp(type, "assert_trap") == 0) {
            cmd_assert_trap(&fs, cmd, c, false);
        } else if (strcmp(type, "assert_exhaustion") == 0) {
            cmd_assert_trap(&fs, cmd, c, true);
        } else if (strcmp(type, "assert_invalid") == 0 || strcmp(type, "assert_malformed") == 0) {
            cmd_assert_bad_module(&fs, cmd, c);
        } else if (strcmp(type, "assert_unlinkable") == 0 || strcmp(type, "assert_uninstantiable") == 0) {
            cmd_assert_no_instance(&fs, cmd, c);
        } else {
            fail(c, line_of(cmd), "unknown command %s", type);
        }
    }

    for (size_t i = 0; i < fs.nall; i++) eng_instance_free(fs.all[i]);
    eng_instance_free(fs.spectest);
    for (size_t i = 0; i < fs.nnames; i++) free(fs.names[i].name);
    for (size_t i = 0; i < fs.nregs; i++) free(fs.regs[i].name);
    free(fs.names);
    free(fs.regs);
    free(fs.all);
    json_decref(root);
    return 0;
}

static const char *base_name(const char *path) {
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s SPECTEST.wasm FILE.json...\n", argv[0]);
        return 2;
    }
    counts total = {0, 0, 0};
    counts *per = calloc((size_t)argc, sizeof *per);
    if (!per) return 2;
    for (int i = 2; i < argc; i++) {
        run_file(argv[i], argv[1], &per[i]);
        total.passed += per[i].passed;
        total.failed += per[i].failed;
        total.skipped += per[i].skipped;
    }
    printf("%-40s %8s %8s %8s\n", "file", "passed", "failed", "skipped");
    for (int i = 2; i < argc; i++) {
        char name[64];
        snprintf(name, sizeof name, "%s", base_name(argv[i]));
        char *dot = strrchr(name, '.');
        if (dot) *dot = '\0';
        printf("%-40s %8u %8u %8u\n", name, per[i].passed, per[i].failed, per[i].skipped);
    }
    printf("%-40s %8u %8u %8u\n", "TOTAL", total.passed, total.failed, total.skipped);
    if (g_nreasons) printf("\nskipped commands, by reason:\n");
    for (size_t i = 0; i < g_nreasons; i++) printf("  %6u  %s\n", g_reasons[i].count, g_reasons[i].reason);
    free(per);
    return total.failed ? 1 : 0;
}
