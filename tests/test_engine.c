/*
 * test_engine.c — the engine layer (src/engine): module loading and cache, instances and memory caps, typed
 * and bounded calls, host functions, every engine-produced trap kind, and the built-in WASI functions.
 * Fixtures: tests/fixtures/engine_*.wat, compiled by the build into WACTOR_FIXTURES.
 */
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "engine/engine.h"

/* ------------------------------------------------------------------ helpers */

typedef struct {
    uint8_t *bytes;
    size_t len;
} blob;

static blob read_fixture(const char *name) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s.wasm", WACTOR_FIXTURES, name);
    FILE *f = fopen(path, "rb");
    if (!f) fail_msg("cannot open fixture %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    blob b = {malloc((size_t)n), (size_t)n};
    assert_non_null(b.bytes);
    assert_int_equal(fread(b.bytes, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    return b;
}

static eng_module *load(const char *name) {
    blob b = read_fixture(name);
    eng_module *m = NULL;
    wactor_diag d;
    if (eng_module_load(b.bytes, b.len, &m, &d) != 0) fail_msg("load %s: %s", name, d.message);
    free(b.bytes);
    return m;
}

/* Instantiates fixture `name` with `opts` (may be NULL); releases our module reference. */
static eng_instance *instantiate(const char *name, const eng_instance_opts *opts) {
    eng_module *m = load(name);
    eng_instance *inst = NULL;
    wactor_diag d;
    if (eng_instance_new(m, opts, &inst, &d) != 0) fail_msg("instantiate %s: %s", name, d.message);
    eng_module_release(m);
    return inst;
}

static wactor_value I32(int32_t v) { wactor_value x = {.type = WACTOR_I32, .of.i32 = v}; return x; }
static wactor_value I64(int64_t v) { wactor_value x = {.type = WACTOR_I64, .of.i64 = v}; return x; }
static wactor_value F32(float v) { wactor_value x = {.type = WACTOR_F32, .of.f32 = v}; return x; }
static wactor_value F64(double v) { wactor_value x = {.type = WACTOR_F64, .of.f64 = v}; return x; }

/* Calls `name` to completion and returns its single i32 result. */
static int32_t call_i32(eng_instance *inst, const char *name, const wactor_value *args, size_t nargs) {
    wactor_value r[4];
    size_t n = 0;
    wactor_diag d;
    eng_status st = eng_call_sync(inst, name, args, nargs, r, 4, &n, &d);
    if (st != ENG_DONE) fail_msg("%s: status %d: %s", name, (int)st, d.message);
    assert_int_equal(n, 1);
    assert_int_equal(r[0].type, WACTOR_I32);
    return r[0].of.i32;
}

static int64_t call_i64(eng_instance *inst, const char *name, const wactor_value *args, size_t nargs) {
    wactor_value r[4];
    size_t n = 0;
    wactor_diag d;
    eng_status st = eng_call_sync(inst, name, args, nargs, r, 4, &n, &d);
    if (st != ENG_DONE) fail_msg("%s: status %d: %s", name, (int)st, d.message);
    assert_int_equal(n, 1);
    assert_int_equal(r[0].type, WACTOR_I64);
    return r[0].of.i64;
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ------------------------------------------------------------------ modules */

static void test_load_valid_module_info(void **state) {
    (void)state;
    eng_module *m = load("engine_basic");
    assert_int_equal(eng_module_import_count(m), 0);
    assert_true(eng_module_export_count(m) >= 10);

    eng_functype t;
    assert_true(eng_module_has_func(m, "add", &t));
    assert_int_equal(t.nparams, 2);
    assert_int_equal(t.nresults, 1);
    assert_int_equal(t.params[0], WACTOR_I32);
    assert_true(eng_module_has_func(m, "multi", &t));
    assert_int_equal(t.nresults, 4);
    assert_int_equal(t.results[1], WACTOR_I64);
    assert_int_equal(t.results[2], WACTOR_F32);
    assert_int_equal(t.results[3], WACTOR_F64);
    assert_false(eng_module_has_func(m, "nope", NULL));
    assert_false(eng_module_has_func(m, "memory", NULL)); /* not a function */

    bool saw_memory = false, saw_global = false;
    for (size_t i = 0; i < eng_module_export_count(m); i++) {
        eng_extern_info info;
        assert_int_equal(eng_module_export(m, i, &info), 0);
        if (strcmp(info.name, "memory") == 0) {
            saw_memory = true;
            assert_int_equal(info.kind, ENG_EXTERN_MEMORY);
            assert_int_equal(info.mem_min, 1);
            assert_int_equal(info.mem_max, 100);
        }
        if (strcmp(info.name, "counter") == 0) {
            saw_global = true;
            assert_int_equal(info.kind, ENG_EXTERN_GLOBAL);
        }
    }
    assert_true(saw_memory);
    assert_true(saw_global);
    eng_extern_info info;
    assert_int_equal(eng_module_export(m, 1000, &info), -1);
    assert_int_equal(eng_module_import(m, 0, &info), -1);

    eng_module *h = load("engine_host");
    assert_int_equal(eng_module_import_count(h), 3);
    assert_int_equal(eng_module_import(h, 1, &info), 0);
    assert_string_equal(info.module, "wactor");
    assert_string_equal(info.name, "mix");
    assert_int_equal(info.kind, ENG_EXTERN_FUNC);
    assert_int_equal(info.type.nparams, 4);
    assert_int_equal(info.type.params[1], WACTOR_I64);
    assert_int_equal(info.type.results[0], WACTOR_F64);

    eng_module *m4 = load("engine_mem4");
    for (size_t i = 0; i < eng_module_export_count(m4); i++) {
        assert_int_equal(eng_module_export(m4, i, &info), 0);
        if (info.kind == ENG_EXTERN_MEMORY) {
            assert_int_equal(info.mem_min, 4);
            assert_int_equal(info.mem_max, UINT32_MAX);
        }
    }
    eng_module_release(m4);
    eng_module_release(h);
    eng_module_release(m);
}

static void test_load_errors(void **state) {
    (void)state;
    eng_module *m = (eng_module *)0x1;
    wactor_diag d;

    assert_int_equal(eng_module_load("", 0, &m, &d), -1);
    assert_null(m);
    assert_non_null(strstr(d.message, "empty"));

    const char garbage[] = "this is not a wasm module at all";
    assert_int_equal(eng_module_load(garbage, sizeof garbage, &m, &d), -1);
    assert_non_null(strstr(d.message, "magic"));

    /* The right magic, a wrong version. */
    const uint8_t badver[] = {0x00, 0x61, 0x73, 0x6d, 0x02, 0x00, 0x00, 0x00};
    assert_int_equal(eng_module_load(badver, sizeof badver, &m, &d), -1);
    assert_non_null(strstr(d.message, "version"));

    /* Truncated: the first 20 bytes of a real module. */
    blob b = read_fixture("engine_basic");
    assert_true(b.len > 40);
    assert_int_equal(eng_module_load(b.bytes, 20, &m, &d), -1);
    assert_non_null(strstr(d.message, "error"));
    assert_true(strlen(d.message) > 10);
    /* ... and cut in the middle of the code section. */
    assert_int_equal(eng_module_load(b.bytes, b.len - 7, &m, &d), -1);
    assert_non_null(strstr(d.message, "error"));
    free(b.bytes);

    /* Decodes, but does not validate: a () -> i32 function whose body is empty. */
    const uint8_t invalid[] = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, /* header */
                               0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7f,       /* type () -> i32 */
                               0x03, 0x02, 0x01, 0x00,                         /* func 0: type 0 */
                               0x0a, 0x04, 0x01, 0x02, 0x00, 0x0b};            /* body: end */
    assert_int_equal(eng_module_load(invalid, sizeof invalid, &m, &d), -1);
    assert_non_null(strstr(d.message, "type mismatch"));
    assert_null(m);

    /* Valid, but hostile: a function with 60000 locals (each call would push them all). */
    const uint8_t many_locals[] = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, /* header */
                                   0x01, 0x04, 0x01, 0x60, 0x00, 0x00,             /* type () -> () */
                                   0x03, 0x02, 0x01, 0x00,                         /* func 0: type 0 */
                                   0x0a, 0x08, 0x01, 0x06, 0x01, 0xe0, 0xd4, 0x03, 0x7f, 0x0b}; /* 60000 x i32 */
    assert_int_equal(eng_module_load(many_locals, sizeof many_locals, &m, &d), -1);
    assert_string_equal(d.message, "function 0 declares 60000 locals; at most 50000 are allowed");
}

static void test_module_cache(void **state) {
    (void)state;
    size_t before = eng_module_cache_size();
    blob b = read_fixture("engine_basic");
    uint8_t *copy = malloc(b.len);
    memcpy(copy, b.bytes, b.len);

    eng_module *m1 = NULL, *m2 = NULL, *m3 = NULL;
    wactor_diag d;
    assert_int_equal(eng_module_load(b.bytes, b.len, &m1, &d), 0);
    assert_int_equal(eng_module_cache_size(), before + 1);
    assert_int_equal(eng_module_load(copy, b.len, &m2, &d), 0); /* same content, different buffer */
    assert_ptr_equal(m1, m2);
    assert_int_equal(eng_module_cache_size(), before + 1);

    eng_module *other = load("engine_traps");
    assert_ptr_not_equal(other, m1);
    assert_int_equal(eng_module_cache_size(), before + 2);

    /* An instance keeps the module alive. */
    eng_instance *inst = NULL;
    assert_int_equal(eng_instance_new(m1, NULL, &inst, &d), 0);
    assert_ptr_equal(eng_instance_module(inst), m1);
    eng_module_release(m1);
    eng_module_release(m2);
    assert_int_equal(eng_module_cache_size(), before + 2);
    assert_int_equal(call_i32(inst, "add", (wactor_value[]){I32(2), I32(3)}, 2), 5);
    eng_instance_free(inst);
    assert_int_equal(eng_module_cache_size(), before + 1);

    /* Gone: loading again compiles afresh. */
    assert_int_equal(eng_module_load(b.bytes, b.len, &m3, &d), 0);
    assert_int_equal(eng_module_cache_size(), before + 2);
    eng_module_retain(m3);
    eng_module_release(m3);
    assert_int_equal(eng_module_cache_size(), before + 2);
    eng_module_release(m3);
    eng_module_release(other);
    assert_int_equal(eng_module_cache_size(), before);
    free(copy);
    free(b.bytes);
}

typedef struct {
    blob b;
    eng_module *out;
} load_job;

static void *load_thread(void *arg) {
    load_job *j = arg;
    wactor_diag d;
    if (eng_module_load(j->b.bytes, j->b.len, &j->out, &d) != 0) j->out = NULL;
    return NULL;
}

static void test_module_cache_concurrent(void **state) {
    (void)state;
    size_t before = eng_module_cache_size();
    blob b = read_fixture("engine_wasi");
    enum { N = 8 };
    pthread_t th[N];
    load_job jobs[N];
    for (int i = 0; i < N; i++) {
        jobs[i].b = b;
        jobs[i].out = NULL;
        assert_int_equal(pthread_create(&th[i], NULL, load_thread, &jobs[i]), 0);
    }
    for (int i = 0; i < N; i++) pthread_join(th[i], NULL);
    for (int i = 0; i < N; i++) {
        assert_non_null(jobs[i].out);
        assert_ptr_equal(jobs[i].out, jobs[0].out);
    }
    assert_int_equal(eng_module_cache_size(), before + 1);
    for (int i = 0; i < N; i++) eng_module_release(jobs[i].out);
    assert_int_equal(eng_module_cache_size(), before);
    free(b.bytes);
}

/* ------------------------------------------------------------------ instances and memory */

static void test_memory_cap(void **state) {
    (void)state;
    eng_instance_opts o = {.max_pages = 3};
    eng_instance *inst = instantiate("engine_basic", &o);
    uint32_t size = 0;
    assert_non_null(eng_instance_memory(inst, &size));
    assert_int_equal(size, ENG_PAGE_SIZE);
    assert_int_equal(call_i32(inst, "grow", (wactor_value[]){I32(1)}, 1), 1);
    assert_int_equal(call_i32(inst, "grow", (wactor_value[]){I32(1)}, 1), 2);
    assert_int_equal(call_i32(inst, "grow", (wactor_value[]){I32(1)}, 1), -1); /* past the cap */
    assert_int_equal(call_i32(inst, "grow", (wactor_value[]){I32(50)}, 1), -1);
    assert_int_equal(call_i32(inst, "size", NULL, 0), 3);
    assert_non_null(eng_instance_memory(inst, &size));
    assert_int_equal(size, 3 * ENG_PAGE_SIZE);
    /* Bounds-checked views. */
    assert_non_null(eng_instance_mem(inst, 0, 3 * ENG_PAGE_SIZE));
    assert_non_null(eng_instance_mem(inst, 3 * ENG_PAGE_SIZE, 0));
    assert_null(eng_instance_mem(inst, 3 * ENG_PAGE_SIZE - 1, 2));
    assert_null(eng_instance_mem(inst, UINT32_MAX, 2)); /* would wrap in 32 bits */
    assert_null(eng_instance_mem(inst, 1, UINT32_MAX));
    eng_instance_free(inst);

    /* No cap: the module's own maximum (100) applies. */
    inst = instantiate("engine_basic", NULL);
    assert_int_equal(call_i32(inst, "grow", (wactor_value[]){I32(10)}, 1), 1);
    assert_int_equal(call_i32(inst, "grow", (wactor_value[]){I32(90)}, 1), -1);
    assert_int_equal(call_i32(inst, "size", NULL, 0), 11);
    eng_instance_free(inst);

    /* A cap above the module's maximum does not raise it. */
    o.max_pages = 1000;
    inst = instantiate("engine_basic", &o);
    assert_int_equal(call_i32(inst, "grow", (wactor_value[]){I32(100)}, 1), -1);
    assert_int_equal(call_i32(inst, "grow", (wactor_value[]){I32(99)}, 1), 1);
    eng_instance_free(inst);
}

static void test_memory_min_above_cap(void **state) {
    (void)state;
    eng_module *m = load("engine_mem4");
    eng_instance *inst = (eng_instance *)0x1;
    wactor_diag d;
    eng_instance_opts o = {.max_pages = 2};
    assert_int_equal(eng_instance_new(m, &o, &inst, &d), -1);
    assert_null(inst);
    assert_non_null(strstr(d.message, "above the cap"));
    o.max_pages = 4;
    assert_int_equal(eng_instance_new(m, &o, &inst, &d), 0);
    assert_int_equal(call_i32(inst, "size", NULL, 0), 4);
    eng_instance_free(inst);
    eng_module_release(m);
}

static void test_instantiation_failure(void **state) {
    (void)state;
    eng_module *m = load("engine_baddata");
    eng_instance *inst = (eng_instance *)0x1;
    wactor_diag d;
    assert_int_equal(eng_instance_new(m, NULL, &inst, &d), -1);
    assert_null(inst);
    assert_non_null(strstr(d.message, "instantiation failed: out of bounds memory access"));
    eng_module_release(m);
}

static void test_instances_are_isolated(void **state) {
    (void)state;
    eng_instance *a = instantiate("engine_basic", NULL);
    eng_instance *b = instantiate("engine_basic", NULL);
    assert_ptr_equal(eng_instance_module(a), eng_instance_module(b));
    assert_int_equal(call_i32(a, "bump", NULL, 0), 43);
    assert_int_equal(call_i32(a, "bump", NULL, 0), 44);
    assert_int_equal(call_i32(b, "bump", NULL, 0), 43);
    uint8_t *ma = eng_instance_mem(a, 0, 1);
    uint8_t *mb = eng_instance_mem(b, 0, 1);
    *ma = 9;
    assert_int_equal(*mb, 0);
    eng_instance_free(a);
    eng_instance_free(b);
}

/* Module for the instance-reuse test (embedded: fixtures are shared with other layers). Its text:
 *   (module
 *     (memory (export "memory") 1 4)
 *     (global $g (mut i32) (i32.const 7))
 *     (data (i32.const 16) "hello")
 *     (data "PASV")
 *     (func (export "get_g") (result i32) (global.get $g))
 *     (func (export "set_g") (param i32) (global.set $g (local.get 0)))
 *     (func (export "store") (param i32 i32) (i32.store8 (local.get 0) (local.get 1)))
 *     (func (export "load") (param i32) (result i32) (i32.load8_u (local.get 0)))
 *     (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
 *     (func (export "size") (result i32) (memory.size))
 *     (func (export "init_active") (param i32) (memory.init 0 (i32.const 0) (i32.const 0) (local.get 0)))
 *     (func (export "init_passive") (memory.init 1 (i32.const 100) (i32.const 0) (i32.const 4)))
 *     (func (export "drop_passive") (data.drop 1)))
 */
static const uint8_t reuse_wasm[] = {
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x16, 0x05, 0x60,
  0x00, 0x01, 0x7f, 0x60, 0x01, 0x7f, 0x00, 0x60, 0x02, 0x7f, 0x7f, 0x00,
  0x60, 0x01, 0x7f, 0x01, 0x7f, 0x60, 0x00, 0x00, 0x03, 0x0a, 0x09, 0x00,
  0x01, 0x02, 0x03, 0x03, 0x00, 0x01, 0x04, 0x04, 0x05, 0x04, 0x01, 0x01,
  0x01, 0x04, 0x06, 0x06, 0x01, 0x7f, 0x01, 0x41, 0x07, 0x0b, 0x07, 0x63,
  0x0a, 0x06, 0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, 0x02, 0x00, 0x05, 0x67,
  0x65, 0x74, 0x5f, 0x67, 0x00, 0x00, 0x05, 0x73, 0x65, 0x74, 0x5f, 0x67,
  0x00, 0x01, 0x05, 0x73, 0x74, 0x6f, 0x72, 0x65, 0x00, 0x02, 0x04, 0x6c,
  0x6f, 0x61, 0x64, 0x00, 0x03, 0x04, 0x67, 0x72, 0x6f, 0x77, 0x00, 0x04,
  0x04, 0x73, 0x69, 0x7a, 0x65, 0x00, 0x05, 0x0b, 0x69, 0x6e, 0x69, 0x74,
  0x5f, 0x61, 0x63, 0x74, 0x69, 0x76, 0x65, 0x00, 0x06, 0x0c, 0x69, 0x6e,
  0x69, 0x74, 0x5f, 0x70, 0x61, 0x73, 0x73, 0x69, 0x76, 0x65, 0x00, 0x07,
  0x0c, 0x64, 0x72, 0x6f, 0x70, 0x5f, 0x70, 0x61, 0x73, 0x73, 0x69, 0x76,
  0x65, 0x00, 0x08, 0x0c, 0x01, 0x02, 0x0a, 0x4c, 0x09, 0x04, 0x00, 0x23,
  0x00, 0x0b, 0x06, 0x00, 0x20, 0x00, 0x24, 0x00, 0x0b, 0x09, 0x00, 0x20,
  0x00, 0x20, 0x01, 0x3a, 0x00, 0x00, 0x0b, 0x07, 0x00, 0x20, 0x00, 0x2d,
  0x00, 0x00, 0x0b, 0x06, 0x00, 0x20, 0x00, 0x40, 0x00, 0x0b, 0x04, 0x00,
  0x3f, 0x00, 0x0b, 0x0c, 0x00, 0x41, 0x00, 0x41, 0x00, 0x20, 0x00, 0xfc,
  0x08, 0x00, 0x00, 0x0b, 0x0d, 0x00, 0x41, 0xe4, 0x00, 0x41, 0x00, 0x41,
  0x04, 0xfc, 0x08, 0x01, 0x00, 0x0b, 0x05, 0x00, 0xfc, 0x09, 0x01, 0x0b,
  0x0b, 0x11, 0x02, 0x00, 0x41, 0x10, 0x0b, 0x05, 0x68, 0x65, 0x6c, 0x6c,
  0x6f, 0x01, 0x04, 0x50, 0x41, 0x53, 0x56
};

static eng_instance *reuse_instance(eng_module *m, uint32_t max_pages) {
    eng_instance_opts o;
    memset(&o, 0, sizeof o);
    o.max_pages = max_pages;
    eng_instance *inst = NULL;
    wactor_diag d;
    if (eng_instance_new(m, &o, &inst, &d) != 0) fail_msg("instantiate reuse: %s", d.message);
    return inst;
}

static eng_status reuse_call(eng_instance *inst, const char *name, int32_t a, int32_t b, int nargs, int32_t *out) {
    wactor_value args[2] = {{.type = WACTOR_I32, .of.i32 = a}, {.type = WACTOR_I32, .of.i32 = b}}, r;
    size_t nr = 0;
    wactor_diag d;
    eng_status st = eng_call_sync(inst, name, args, (size_t)nargs, &r, 1, &nr, &d);
    if (out && st == ENG_DONE && nr == 1) *out = r.of.i32;
    return st;
}

/* The state every new instance of reuse_wasm must start in, however dirty the previous ones were. */
static void assert_fresh_reuse_instance(eng_instance *inst) {
    int32_t v = -1;
    uint32_t size = 0;
    uint8_t *mem = eng_instance_memory(inst, &size);
    assert_non_null(mem);
    assert_int_equal(size, ENG_PAGE_SIZE);
    for (uint32_t i = 0; i < size; i++) {
        uint8_t want = (i >= 16 && i < 21) ? (uint8_t)"hello"[i - 16] : 0;
        if (mem[i] != want) fail_msg("byte %u is %u, expected %u", i, mem[i], want);
    }
    assert_int_equal(reuse_call(inst, "get_g", 0, 0, 0, &v), ENG_DONE);
    assert_int_equal(v, 7);
    assert_int_equal(reuse_call(inst, "size", 0, 0, 0, &v), ENG_DONE);
    assert_int_equal(v, 1);
}

/* Instances are recycled internally (memory buffers, module descriptions): a new instance must be
 * indistinguishable from one made in a fresh process: zeroed memory of the initial size, data segments
 * applied (and active ones dropped), passive ones intact, initial globals, the right memory limit. */
static void test_reused_instance_is_fresh(void **state) {
    (void)state;
    eng_module *m = NULL;
    wactor_diag d;
    assert_int_equal(eng_module_load(reuse_wasm, sizeof reuse_wasm, &m, &d), 0);
    int32_t v = 0;
    for (int round = 0; round < 3; round++) {
        eng_instance *inst = reuse_instance(m, 0);
        assert_fresh_reuse_instance(inst);
        /* the applied active segment is dropped: memory.init of 0 bytes works, of 1 byte traps */
        assert_int_equal(reuse_call(inst, "init_active", 0, 0, 1, NULL), ENG_DONE);
        eng_instance *other = reuse_instance(m, 0);
        assert_int_equal(reuse_call(other, "init_active", 1, 0, 1, NULL), ENG_TRAPPED);
        eng_instance_free(other);
        /* the passive segment is intact */
        assert_int_equal(reuse_call(inst, "init_passive", 0, 0, 0, NULL), ENG_DONE);
        assert_int_equal(reuse_call(inst, "load", 101, 0, 1, &v), ENG_DONE);
        assert_int_equal(v, 'A');
        /* dirty everything: globals, memory (first and last byte), grow to the maximum, drop the passive
         * segment, then free: the next round must not see any of it */
        assert_int_equal(reuse_call(inst, "set_g", 99, 0, 1, NULL), ENG_DONE);
        assert_int_equal(reuse_call(inst, "store", 0, 0xAB, 2, NULL), ENG_DONE);
        assert_int_equal(reuse_call(inst, "store", 65535, 0xCD, 2, NULL), ENG_DONE);
        assert_int_equal(reuse_call(inst, "grow", 3, 0, 1, &v), ENG_DONE);
        assert_int_equal(v, 1);
        assert_int_equal(reuse_call(inst, "grow", 1, 0, 1, &v), ENG_DONE);
        assert_int_equal(v, -1); /* the module's maximum of 4 pages */
        assert_int_equal(reuse_call(inst, "store", 4 * 65536 - 1, 0xEF, 2, NULL), ENG_DONE);
        assert_int_equal(reuse_call(inst, "drop_passive", 0, 0, 0, NULL), ENG_DONE);
        assert_int_equal(reuse_call(inst, "init_passive", 0, 0, 0, NULL), ENG_TRAPPED);
        eng_instance_free(inst);
    }
    /* a grown memory recycled into a new instance: growing again yields zeroed pages */
    eng_instance *inst = reuse_instance(m, 0);
    assert_fresh_reuse_instance(inst);
    assert_int_equal(reuse_call(inst, "grow", 3, 0, 1, &v), ENG_DONE);
    assert_int_equal(reuse_call(inst, "load", 4 * 65536 - 1, 0, 1, &v), ENG_DONE);
    assert_int_equal(v, 0);
    eng_instance_free(inst);
    /* another cap on the same module: its own limit, same initial state */
    inst = reuse_instance(m, 2);
    assert_fresh_reuse_instance(inst);
    assert_int_equal(reuse_call(inst, "grow", 2, 0, 1, &v), ENG_DONE);
    assert_int_equal(v, -1);
    assert_int_equal(reuse_call(inst, "grow", 1, 0, 1, &v), ENG_DONE);
    assert_int_equal(v, 1);
    eng_instance_free(inst);
    inst = reuse_instance(m, 0);
    assert_int_equal(reuse_call(inst, "grow", 3, 0, 1, &v), ENG_DONE);
    assert_int_equal(v, 1); /* the uncapped template still allows the module's maximum */
    eng_instance_free(inst);
    eng_module_release(m);
}

static void *reuse_churn_thread(void *arg) {
    eng_module *m = arg;
    for (int i = 0; i < 200; i++) {
        eng_instance *inst = reuse_instance(m, (uint32_t)(i % 3)); /* caps 0, 1, 2: three templates */
        assert_fresh_reuse_instance(inst);
        assert_int_equal(reuse_call(inst, "store", 1000 + i, 0x55, 2, NULL), ENG_DONE);
        assert_int_equal(reuse_call(inst, "set_g", i, 0, 1, NULL), ENG_DONE);
        eng_instance_free(inst);
    }
    return NULL;
}

/* Instances created and freed on several threads share the pools: still fresh every time. */
static void test_reuse_across_threads(void **state) {
    (void)state;
    eng_module *m = NULL;
    wactor_diag d;
    assert_int_equal(eng_module_load(reuse_wasm, sizeof reuse_wasm, &m, &d), 0);
    pthread_t t[3];
    for (int i = 0; i < 3; i++) assert_int_equal(pthread_create(&t[i], NULL, reuse_churn_thread, m), 0);
    for (int i = 0; i < 3; i++) pthread_join(t[i], NULL);
    eng_module_release(m);
}

static void test_start_function(void **state) {
    (void)state;
    eng_instance *inst = instantiate("engine_start", NULL);
    assert_int_equal(call_i32(inst, "get", NULL, 0), 1234);
    eng_instance_free(inst);

    eng_module *m = load("engine_start_trap");
    wactor_diag d;
    inst = NULL;
    assert_int_equal(eng_instance_new(m, NULL, &inst, &d), -1);
    assert_null(inst);
    assert_int_equal(d.trap, WACTOR_TRAP_UNREACHABLE);
    assert_non_null(strstr(d.message, "unreachable"));
    eng_module_release(m);
}

/* ------------------------------------------------------------------ calls */

static void test_typed_calls(void **state) {
    (void)state;
    eng_instance *inst = instantiate("engine_basic", NULL);
    assert_int_equal(call_i32(inst, "add", (wactor_value[]){I32(40), I32(2)}, 2), 42);
    assert_int_equal(call_i32(inst, "add", (wactor_value[]){I32(INT32_MAX), I32(1)}, 2), INT32_MIN);
    assert_int_equal(call_i64(inst, "i64_neg", (wactor_value[]){I64(INT64_C(1) << 40)}, 1), -(INT64_C(1) << 40));
    assert_int_equal(call_i32(inst, "sext8", (wactor_value[]){I32(0x80)}, 1), -128);
    assert_int_equal(call_i32(inst, "fill_sum", (wactor_value[]){I32(100)}, 1), 300);

    wactor_value r[4];
    size_t n = 0;
    wactor_diag d;
    wactor_value mix_args[] = {I32(-3), I64(INT64_C(1) << 33), F32(0.5f), F64(0.125)};
    assert_int_equal(eng_call_sync(inst, "mix", mix_args, 4, r, 4, &n, &d), ENG_DONE);
    assert_int_equal(n, 1);
    assert_int_equal(r[0].type, WACTOR_F64);
    assert_true(r[0].of.f64 == -3.0 + 8589934592.0 + 0.5 + 0.125);

    assert_int_equal(eng_call_sync(inst, "multi", (wactor_value[]){I32(7)}, 1, r, 4, &n, &d), ENG_DONE);
    assert_int_equal(n, 4);
    assert_int_equal(r[0].type, WACTOR_I32);
    assert_int_equal(r[0].of.i32, 7);
    assert_int_equal(r[1].type, WACTOR_I64);
    assert_int_equal(r[1].of.i64, 8);
    assert_int_equal(r[2].type, WACTOR_F32);
    assert_true(r[2].of.f32 == 7.5f);
    assert_int_equal(r[3].type, WACTOR_F64);
    assert_true(r[3].of.f64 == 7.25);

    /* Fewer slots than results: the count is still reported; only `cap` are written. */
    wactor_value one[1] = {I32(-1)};
    assert_int_equal(eng_call_sync(inst, "swap", (wactor_value[]){I32(5), I64(-6)}, 2, one, 1, &n, &d), ENG_DONE);
    assert_int_equal(n, 2);
    assert_int_equal(one[0].type, WACTOR_I64);
    assert_int_equal(one[0].of.i64, -6);
    assert_int_equal(eng_call_results(inst, r, 4), 2);
    assert_int_equal(r[1].type, WACTOR_I32);
    assert_int_equal(r[1].of.i32, 5);

    /* NaN passes through untouched. */
    wactor_value nan_args[] = {I32(0), I64(0), F32(0.0f), F64(NAN)};
    assert_int_equal(eng_call_sync(inst, "mix", nan_args, 4, r, 4, &n, &d), ENG_DONE);
    assert_true(isnan(r[0].of.f64));
    eng_instance_free(inst);
}

static void test_call_errors(void **state) {
    (void)state;
    eng_instance *inst = instantiate("engine_basic", NULL);
    wactor_diag d;
    wactor_value r[2];
    size_t n = 99;

    assert_int_equal(eng_call_sync(inst, "nope", NULL, 0, r, 2, &n, &d), ENG_ERROR);
    assert_string_equal(d.message, "unknown export nope");
    assert_int_equal(n, 0);
    assert_int_equal(eng_call_sync(inst, "memory", NULL, 0, r, 2, &n, &d), ENG_ERROR); /* not a function */
    assert_string_equal(d.message, "unknown export memory");

    assert_int_equal(eng_call_sync(inst, "add", (wactor_value[]){I32(1)}, 1, r, 2, &n, &d), ENG_ERROR);
    assert_non_null(strstr(d.message, "wrong number of arguments"));
    assert_non_null(strstr(d.message, "expected 2, got 1"));

    assert_int_equal(eng_call_sync(inst, "add", (wactor_value[]){I32(1), I64(2)}, 2, r, 2, &n, &d), ENG_ERROR);
    assert_non_null(strstr(d.message, "argument 2"));
    assert_non_null(strstr(d.message, "expected i32, got i64"));
    assert_int_equal(d.trap, WACTOR_TRAP_NONE);

    /* None of that hurt the instance. */
    assert_false(eng_instance_dead(inst));
    assert_int_equal(call_i32(inst, "add", (wactor_value[]){I32(1), I32(2)}, 2), 3);

    /* Nothing to resume. */
    assert_int_equal(eng_resume(inst, 10, NULL, &d), ENG_ERROR);
    assert_false(eng_instance_dead(inst));
    eng_instance_free(inst);
}

/* ------------------------------------------------------------------ bounded execution */

static void test_bounded_infinite_loop(void **state) {
    (void)state;
    eng_instance *inst = instantiate("engine_basic", NULL);
    wactor_diag d;
    uint64_t executed = 0;
    assert_int_equal(eng_call(inst, "spin", NULL, 0, 1000, &executed, &d), ENG_SUSPENDED);
    assert_int_equal(executed, 1000);
    /* A second call while one is suspended is refused. */
    assert_int_equal(eng_call(inst, "add", (wactor_value[]){I32(1), I32(2)}, 2, 10, NULL, &d), ENG_ERROR);
    assert_non_null(strstr(d.message, "in progress"));
    for (int i = 0; i < 50; i++) {
        assert_int_equal(eng_resume(inst, 1000, &executed, &d), ENG_SUSPENDED);
        assert_int_equal(executed, 1000);
    }
    assert_false(eng_instance_dead(inst));
    eng_abort(inst, WACTOR_TRAP_FUEL_EXHAUSTED, "fuel exhausted");
    assert_true(eng_instance_dead(inst));
    assert_int_equal(eng_resume(inst, 1000, NULL, &d), ENG_ERROR);
    assert_string_equal(d.message, "instance is dead");
    assert_int_equal(eng_call(inst, "add", (wactor_value[]){I32(1), I32(2)}, 2, 0, NULL, &d), ENG_ERROR);
    assert_string_equal(d.message, "instance is dead");
    eng_instance_free(inst);
}

/* A bulk instruction is charged by its length (docs/ABI.md): 64 KiB of memory.fill costs 1 + 1024, so a
 * slice of 10,000 instructions ends after about ten of them instead of running a thousand; a copy of 32 KiB
 * costs 1 + 512; a table.fill of 1024 elements 1 + 128. Unbounded, the same calls finish and report it all. */
static void test_bounded_bulk_memory(void **state) {
    (void)state;
    static const struct { const char *fn; uint64_t per_call; } cases[] = {
        {"fill_n", 1 + 65536 / 64}, {"copy_n", 1 + 32768 / 64}, {"tfill_n", 1 + 1024 / 8}};
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        eng_instance *inst = instantiate("engine_bulk", NULL);
        wactor_diag d;
        uint64_t executed = 0;
        assert_int_equal(eng_call(inst, cases[k].fn, (wactor_value[]){I32(1000)}, 1, 10000, &executed, &d),
                         ENG_SUSPENDED);
        assert_int_equal(executed, 10000); /* never more than the slice */
        eng_abort(inst, WACTOR_TRAP_FUEL_EXHAUSTED, "fuel exhausted");
        eng_instance_free(inst);

        inst = instantiate("engine_bulk", NULL);
        assert_int_equal(eng_call(inst, cases[k].fn, (wactor_value[]){I32(100)}, 1, 0, &executed, &d), ENG_DONE);
        if (executed < 100 * cases[k].per_call)
            fail_msg("%s: 100 calls charged %llu, want at least %llu", cases[k].fn, (unsigned long long)executed,
                     (unsigned long long)(100 * cases[k].per_call));
        eng_instance_free(inst);
    }
}

typedef struct {
    eng_instance *inst;
    int resumes;
    eng_status last;
    uint64_t executed;
} resume_job;

static void *resume_thread(void *arg) {
    resume_job *j = arg;
    wactor_diag d;
    j->resumes = 0;
    j->executed = 0;
    /* Resume a few times on this OS thread, then hand the call back. */
    for (int i = 0; i < 5; i++) {
        uint64_t e = 0;
        j->last = eng_resume(j->inst, 777, &e, &d);
        j->executed += e;
        j->resumes++;
        if (j->last != ENG_SUSPENDED) break;
    }
    return NULL;
}

static void test_bounded_finite_loop_matches_unbounded(void **state) {
    (void)state;
    const int32_t N = 20000;
    eng_instance *inst = instantiate("engine_basic", NULL);
    wactor_diag d;
    uint64_t unbounded_executed = 0;
    assert_int_equal(eng_call(inst, "sum", (wactor_value[]){I32(N)}, 1, 0, &unbounded_executed, &d), ENG_DONE);
    wactor_value r;
    assert_int_equal(eng_call_results(inst, &r, 1), 1);
    int64_t expect = (int64_t)N * (N + 1) / 2;
    assert_int_equal(r.of.i64, expect);
    assert_true(unbounded_executed > (uint64_t)N * 5);
    eng_instance_free(inst);

    inst = instantiate("engine_basic", NULL);
    uint64_t total = 0, e = 0;
    int suspensions = 0;
    eng_status st = eng_call(inst, "sum", (wactor_value[]){I32(N)}, 1, 777, &e, &d);
    total += e;
    while (st == ENG_SUSPENDED) {
        suspensions++;
        if (suspensions == 10) { /* continue on another OS thread for a while */
            resume_job j = {.inst = inst};
            pthread_t th;
            assert_int_equal(pthread_create(&th, NULL, resume_thread, &j), 0);
            pthread_join(th, NULL);
            assert_int_equal(j.last, ENG_SUSPENDED);
            assert_int_equal(j.resumes, 5);
            total += j.executed;
            suspensions += 5;
        }
        st = eng_resume(inst, 777, &e, &d);
        total += e;
    }
    assert_int_equal(st, ENG_DONE);
    assert_true(suspensions > 100);
    assert_int_equal(eng_call_results(inst, &r, 1), 1);
    assert_int_equal(r.type, WACTOR_I64);
    assert_int_equal(r.of.i64, expect);
    assert_int_equal(total, unbounded_executed); /* budgets count instructions exactly */
    /* The instance is reusable afterwards. */
    assert_int_equal(call_i32(inst, "add", (wactor_value[]){I32(1), I32(2)}, 2), 3);
    eng_instance_free(inst);
}

static void test_bounded_budget_one(void **state) {
    (void)state;
    eng_instance *inst = instantiate("engine_basic", NULL);
    wactor_diag d;
    uint64_t e = 0, total = 0;
    int steps = 0;
    eng_status st = eng_call(inst, "fib", (wactor_value[]){I32(10)}, 1, 1, &e, &d);
    total += e;
    while (st == ENG_SUSPENDED) {
        st = eng_resume(inst, 1, &e, &d);
        assert_int_equal(e, 1);
        total += e;
        steps++;
    }
    assert_int_equal(st, ENG_DONE);
    assert_int_equal(total, (uint64_t)steps + 1);
    wactor_value r;
    assert_int_equal(eng_call_results(inst, &r, 1), 1);
    assert_int_equal(r.of.i32, 55);
    eng_instance_free(inst);
}

/* ------------------------------------------------------------------ host functions */

typedef struct {
    char logged[64][32];
    int nlogged;
    wactor_value mix_args[4];
    eng_instance *inst;
    const char *reenter_export; /* what host_reenter calls: "double" unless a test changes it */
    eng_status reenter_status;
} host_state;

static int host_log(eng_call_ctx *ctx, const wactor_value *args, wactor_value *results, void *fn_data) {
    host_state *hs = eng_ctx_user(ctx);
    assert_ptr_equal(fn_data, (void *)&host_log);
    assert_ptr_equal(eng_ctx_instance(ctx), hs->inst);
    uint32_t ptr = (uint32_t)args[0].of.i32, len = (uint32_t)args[1].of.i32;
    const char *p = eng_ctx_mem(ctx, ptr, len);
    if (!p) {
        eng_host_trap(ctx, WACTOR_TRAP_HOST, 0, "log: bad pointer %u+%u", ptr, len);
        return -1;
    }
    if (hs->nlogged < 64 && len < 32) {
        memcpy(hs->logged[hs->nlogged], p, len);
        hs->logged[hs->nlogged][len] = '\0';
    }
    hs->nlogged++;
    results[0].of.i32 = (int32_t)len;
    return 0;
}

static int host_mix(eng_call_ctx *ctx, const wactor_value *args, wactor_value *results, void *fn_data) {
    (void)fn_data;
    host_state *hs = eng_ctx_user(ctx);
    memcpy(hs->mix_args, args, sizeof hs->mix_args);
    results[0].of.f64 = (double)args[0].of.i32 + (double)args[1].of.i64 + args[2].of.f32 + args[3].of.f64;
    return 0;
}

/* Calls back into the guest ("double") from inside a host function. */
static int host_reenter(eng_call_ctx *ctx, const wactor_value *args, wactor_value *results, void *fn_data) {
    (void)fn_data;
    host_state *hs = eng_ctx_user(ctx);
    wactor_value r;
    size_t n = 0;
    wactor_diag d;
    hs->reenter_status = eng_call_sync(eng_ctx_instance(ctx), hs->reenter_export, args, 1, &r, 1, &n, &d);
    if (hs->reenter_status != ENG_DONE) return -1;
    results[0].of.i32 = r.of.i32;
    return 0;
}

static eng_functype ft(uint32_t np, const wactor_valtype *p, uint32_t nr, const wactor_valtype *r) {
    eng_functype t;
    memset(&t, 0, sizeof t);
    t.nparams = np;
    t.nresults = nr;
    for (uint32_t i = 0; i < np; i++) t.params[i] = p[i];
    for (uint32_t i = 0; i < nr; i++) t.results[i] = r[i];
    return t;
}

/* The imports engine_host needs. */
static void host_table(eng_host_func f[3]) {
    static const wactor_valtype ii[] = {WACTOR_I32, WACTOR_I32};
    static const wactor_valtype mix[] = {WACTOR_I32, WACTOR_I64, WACTOR_F32, WACTOR_F64};
    static const wactor_valtype i[] = {WACTOR_I32};
    static const wactor_valtype d[] = {WACTOR_F64};
    f[0] = (eng_host_func){"wactor", "log", ft(2, ii, 1, i), host_log, (void *)&host_log};
    f[1] = (eng_host_func){"wactor", "mix", ft(4, mix, 1, d), host_mix, NULL};
    f[2] = (eng_host_func){"wactor", "reenter", ft(1, i, 1, i), host_reenter, NULL};
}

static eng_instance *host_instance(host_state *hs, eng_host_func funcs[3]) {
    memset(hs, 0, sizeof *hs);
    host_table(funcs);
    eng_instance_opts o = {.imports = funcs, .nimports = 3, .user = hs};
    eng_instance *inst = instantiate("engine_host", &o);
    hs->inst = inst;
    hs->reenter_export = "double";
    assert_ptr_equal(eng_instance_user(inst), hs);
    return inst;
}

static void test_host_functions(void **state) {
    (void)state;
    host_state hs;
    eng_host_func funcs[3];
    eng_instance *inst = host_instance(&hs, funcs);
    assert_int_equal(call_i32(inst, "say", NULL, 0), 10);
    assert_int_equal(hs.nlogged, 1);
    assert_string_equal(hs.logged[0], "hello host");

    wactor_value r;
    size_t n;
    wactor_diag d;
    assert_int_equal(eng_call_sync(inst, "callmix", NULL, 0, &r, 1, &n, &d), ENG_DONE);
    assert_int_equal(hs.mix_args[0].type, WACTOR_I32);
    assert_int_equal(hs.mix_args[0].of.i32, -1);
    assert_int_equal(hs.mix_args[1].type, WACTOR_I64);
    assert_int_equal(hs.mix_args[1].of.i64, INT64_C(1099511627776));
    assert_int_equal(hs.mix_args[2].type, WACTOR_F32);
    assert_true(hs.mix_args[2].of.f32 == 1.5f);
    assert_int_equal(hs.mix_args[3].type, WACTOR_F64);
    assert_true(hs.mix_args[3].of.f64 == 0.25);
    assert_int_equal(r.type, WACTOR_F64);
    assert_true(r.of.f64 == -1.0 + 1099511627776.0 + 1.5 + 0.25);

    /* A host function calling back into the guest. */
    assert_int_equal(call_i32(inst, "reenter", (wactor_value[]){I32(20)}, 1), 41);
    assert_int_equal(hs.reenter_status, ENG_DONE);
    assert_false(eng_instance_dead(inst));
    assert_int_equal(call_i32(inst, "say", NULL, 0), 10); /* still usable after the nested call */

    /* The nested call traps: the outer call traps with the same kind, the instance is dead. */
    hs.reenter_export = "boom";
    assert_int_equal(eng_call_sync(inst, "reenter", (wactor_value[]){I32(1)}, 1, &r, 1, &n, &d), ENG_TRAPPED);
    assert_int_equal(hs.reenter_status, ENG_TRAPPED);
    assert_int_equal(d.trap, WACTOR_TRAP_UNREACHABLE);
    assert_true(eng_instance_dead(inst));
    eng_instance_free(inst);
}

static void test_host_bad_pointer_traps(void **state) {
    (void)state;
    const char *exports[] = {"say_oob", "say_wrap"};
    for (int k = 0; k < 2; k++) {
        host_state hs;
        eng_host_func funcs[3];
        eng_instance *inst = host_instance(&hs, funcs);
        wactor_value r;
        size_t n;
        wactor_diag d;
        assert_int_equal(eng_call_sync(inst, exports[k], NULL, 0, &r, 1, &n, &d), ENG_TRAPPED);
        assert_int_equal(d.trap, WACTOR_TRAP_HOST);
        assert_non_null(strstr(d.message, "log: bad pointer"));
        assert_int_equal(hs.nlogged, 0);
        assert_true(eng_instance_dead(inst));
        assert_int_equal(eng_call_sync(inst, "say", NULL, 0, &r, 1, &n, &d), ENG_ERROR);
        assert_string_equal(d.message, "instance is dead");
        eng_instance_free(inst);
    }
}

static void test_host_calls_in_sliced_run(void **state) {
    (void)state;
    host_state hs;
    eng_host_func funcs[3];
    eng_instance *inst = host_instance(&hs, funcs);
    wactor_diag d;
    uint64_t e;
    int suspensions = 0;
    eng_status st = eng_call(inst, "loop_log", (wactor_value[]){I32(50)}, 1, 7, &e, &d);
    while (st == ENG_SUSPENDED) {
        suspensions++;
        st = eng_resume(inst, 7, &e, &d);
    }
    assert_int_equal(st, ENG_DONE);
    assert_true(suspensions > 50);
    assert_int_equal(hs.nlogged, 50);
    assert_string_equal(hs.logged[49], "hello");
    wactor_value r;
    assert_int_equal(eng_call_results(inst, &r, 1), 1);
    assert_int_equal(r.of.i32, 250);
    eng_instance_free(inst);
}

static void test_unresolved_and_mismatched_imports(void **state) {
    (void)state;
    eng_module *m = load("engine_unresolved");
    eng_instance *inst = NULL;
    wactor_diag d;
    assert_int_equal(eng_instance_new(m, NULL, &inst, &d), -1);
    assert_null(inst);
    assert_string_equal(d.message, "unknown import wactor.foo");

    /* Same name, wrong module: still unknown. */
    eng_host_func f = {"other", "foo", ft(1, (wactor_valtype[]){WACTOR_I32}, 0, NULL), host_log, NULL};
    eng_instance_opts o = {.imports = &f, .nimports = 1};
    assert_int_equal(eng_instance_new(m, &o, &inst, &d), -1);
    assert_string_equal(d.message, "unknown import wactor.foo");

    /* Right name, wrong signature. */
    f = (eng_host_func){"wactor", "foo", ft(1, (wactor_valtype[]){WACTOR_I64}, 0, NULL), host_log, NULL};
    assert_int_equal(eng_instance_new(m, &o, &inst, &d), -1);
    assert_non_null(strstr(d.message, "import wactor.foo signature mismatch"));
    assert_non_null(strstr(d.message, "module expects (i32) -> ()"));
    assert_non_null(strstr(d.message, "host provides (i64) -> ()"));
    f.type = ft(1, (wactor_valtype[]){WACTOR_I32}, 1, (wactor_valtype[]){WACTOR_I32});
    assert_int_equal(eng_instance_new(m, &o, &inst, &d), -1);
    assert_non_null(strstr(d.message, "signature mismatch"));

    /* WASI imports resolve only when WASI is configured. */
    eng_module *w = load("engine_wasi");
    assert_int_equal(eng_instance_new(w, NULL, &inst, &d), -1);
    assert_non_null(strstr(d.message, "unknown import wasi_snapshot_preview1."));
    eng_module_release(w);
    eng_module_release(m);
}

/* ------------------------------------------------------------------ traps */

typedef struct {
    const char *export;
    wactor_value arg;
    int nargs;
    wactor_trap_kind kind;
    const char *message; /* a substring of wabt's message */
} trap_case;

static void test_every_engine_trap_kind(void **state) {
    (void)state;
    const trap_case cases[] = {
        {"unreachable", {0}, 0, WACTOR_TRAP_UNREACHABLE, "unreachable"},
        {"div0", {.type = WACTOR_I32, .of.i32 = 0}, 1, WACTOR_TRAP_INT_DIV_BY_ZERO, "integer divide by zero"},
        {"rem0", {.type = WACTOR_I64, .of.i64 = 0}, 1, WACTOR_TRAP_INT_DIV_BY_ZERO, "integer divide by zero"},
        {"overflow", {0}, 0, WACTOR_TRAP_INT_OVERFLOW, "integer overflow"},
        {"conv_nan", {0}, 0, WACTOR_TRAP_INVALID_CONVERSION, "invalid conversion"},
        /* out-of-range (not NaN) conversions are "integer overflow", in wabt as in the spec tests */
        {"conv_range", {0}, 0, WACTOR_TRAP_INT_OVERFLOW, "integer overflow"},
        {"oob_load", {0}, 0, WACTOR_TRAP_OOB_MEMORY, "out of bounds memory access"},
        {"oob_store", {0}, 0, WACTOR_TRAP_OOB_MEMORY, "out of bounds memory access"},
        {"oob_fill", {0}, 0, WACTOR_TRAP_OOB_MEMORY, "out of bounds memory access"},
        {"oob_call_indirect", {0}, 0, WACTOR_TRAP_OOB_TABLE, "undefined table index"},
        {"oob_table_get", {0}, 0, WACTOR_TRAP_OOB_TABLE, "out of bounds table access"},
        {"uninit", {0}, 0, WACTOR_TRAP_UNINITIALIZED_ELEMENT, "uninitialized table element"},
        {"sig", {0}, 0, WACTOR_TRAP_INDIRECT_CALL_TYPE, "indirect call signature mismatch"},
        {"recurse", {.type = WACTOR_I32, .of.i32 = 0}, 1, WACTOR_TRAP_STACK_EXHAUSTED, "call stack exhausted"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const trap_case *c = &cases[i];
        eng_instance *inst = instantiate("engine_traps", NULL);
        assert_int_equal(call_i32(inst, "ok", NULL, 0), 7);
        wactor_value r;
        size_t n;
        wactor_diag d;
        eng_status st = eng_call_sync(inst, c->export, &c->arg, (size_t)c->nargs, &r, 1, &n, &d);
        if (st != ENG_TRAPPED || d.trap != c->kind || !strstr(d.message, c->message))
            fail_msg("%s: status %d, trap %d (want %d), message \"%s\"", c->export, (int)st, (int)d.trap,
                     (int)c->kind, d.message);
        assert_int_equal(eng_trap_kind_from_message(d.message), c->kind);
        assert_true(eng_instance_dead(inst));
        assert_int_equal(eng_call_sync(inst, "ok", NULL, 0, &r, 1, &n, &d), ENG_ERROR);
        assert_string_equal(d.message, "instance is dead");
        eng_instance_free(inst);
    }
}

static void test_traps_in_sliced_run(void **state) {
    (void)state;
    /* A trap while running under a budget, after suspensions: same kind, instance dead. */
    eng_instance_opts o = {.max_call_depth = 300};
    eng_instance *inst = instantiate("engine_traps", &o);
    wactor_diag d;
    uint64_t e;
    int suspensions = 0;
    eng_status st = eng_call(inst, "recurse", (wactor_value[]){I32(0)}, 1, 50, &e, &d);
    while (st == ENG_SUSPENDED) {
        suspensions++;
        st = eng_resume(inst, 50, &e, &d);
    }
    assert_int_equal(st, ENG_TRAPPED);
    assert_true(suspensions > 5);
    assert_int_equal(d.trap, WACTOR_TRAP_STACK_EXHAUSTED);
    assert_true(eng_instance_dead(inst));
    assert_int_equal(eng_resume(inst, 50, &e, &d), ENG_ERROR);
    eng_instance_free(inst);
}

static void test_call_depth(void **state) {
    (void)state;
    /* Default: 1024 frames. */
    eng_instance *inst = instantiate("engine_basic", NULL);
    assert_int_equal(call_i32(inst, "depth", (wactor_value[]){I32(1000)}, 1), 1000);
    wactor_value r;
    size_t n;
    wactor_diag d;
    assert_int_equal(eng_call_sync(inst, "depth", (wactor_value[]){I32(1024)}, 1, &r, 1, &n, &d), ENG_TRAPPED);
    assert_int_equal(d.trap, WACTOR_TRAP_STACK_EXHAUSTED);
    eng_instance_free(inst);

    eng_instance_opts o = {.max_call_depth = 100};
    inst = instantiate("engine_basic", &o);
    assert_int_equal(call_i32(inst, "depth", (wactor_value[]){I32(99)}, 1), 99);
    assert_int_equal(eng_call_sync(inst, "depth", (wactor_value[]){I32(100)}, 1, &r, 1, &n, &d), ENG_TRAPPED);
    assert_int_equal(d.trap, WACTOR_TRAP_STACK_EXHAUSTED);
    eng_instance_free(inst);

    o.max_call_depth = 20000;
    inst = instantiate("engine_basic", &o);
    assert_int_equal(call_i32(inst, "depth", (wactor_value[]){I32(19000)}, 1), 19000);
    eng_instance_free(inst);
}

static void test_value_stack_limit(void **state) {
    (void)state;
    /* f: () -> () with 40000 locals calling itself: 640 KiB of value stack per frame. The engine stops it at
     * its value-stack limit (32 MiB) long before the 1024-frame call-depth limit. */
    const uint8_t fat[] = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, /* header */
                           0x01, 0x04, 0x01, 0x60, 0x00, 0x00,             /* type () -> () */
                           0x03, 0x02, 0x01, 0x00,                         /* func 0: type 0 */
                           0x07, 0x05, 0x01, 0x01, 'f', 0x00, 0x00,        /* export "f" = func 0 */
                           0x0a, 0x0a, 0x01, 0x08, 0x01, 0xc0, 0xb8, 0x02, 0x7f, /* 40000 x i32 */
                           0x10, 0x00, 0x0b};                              /* call 0; end */
    eng_module *m = NULL;
    eng_instance *inst = NULL;
    wactor_diag d;
    assert_int_equal(eng_module_load(fat, sizeof fat, &m, &d), 0);
    assert_int_equal(eng_instance_new(m, NULL, &inst, &d), 0);
    uint64_t executed = 0;
    assert_int_equal(eng_call(inst, "f", NULL, 0, 0, &executed, &d), ENG_TRAPPED);
    assert_int_equal(d.trap, WACTOR_TRAP_STACK_EXHAUSTED);
    assert_string_equal(d.message, "value stack exhausted");
    assert_true(executed < 200);
    assert_true(eng_instance_dead(inst));
    eng_instance_free(inst);
    eng_module_release(m);
}

static void test_memory_limit_trap(void **state) {
    (void)state;
    /* Capped at 3 pages: the guest's grow is refused at the cap, then it traps -> memory limit. */
    eng_instance_opts o = {.max_pages = 3};
    eng_instance *inst = instantiate("engine_traps", &o);
    wactor_value r;
    size_t n;
    wactor_diag d;
    assert_int_equal(eng_call_sync(inst, "grow_until_full", NULL, 0, &r, 1, &n, &d), ENG_TRAPPED);
    assert_int_equal(d.trap, WACTOR_TRAP_MEMORY_LIMIT);
    assert_non_null(strstr(d.message, "unreachable")); /* wabt's own words */
    eng_instance_free(inst);

    /* Without a cap the module's own maximum stops it: an ordinary trap. */
    inst = instantiate("engine_traps", NULL);
    assert_int_equal(eng_call_sync(inst, "grow_until_full", NULL, 0, &r, 1, &n, &d), ENG_TRAPPED);
    assert_int_equal(d.trap, WACTOR_TRAP_UNREACHABLE);
    eng_instance_free(inst);

    /* Capped, but below the cap: traps keep their kind. */
    o.max_pages = 3;
    inst = instantiate("engine_traps", &o);
    assert_int_equal(eng_call_sync(inst, "oob_load", NULL, 0, &r, 1, &n, &d), ENG_TRAPPED);
    assert_int_equal(d.trap, WACTOR_TRAP_OOB_MEMORY);
    eng_instance_free(inst);
}

static void test_trap_kind_from_message(void **state) {
    (void)state;
    assert_int_equal(eng_trap_kind_from_message("unreachable executed"), WACTOR_TRAP_UNREACHABLE);
    assert_int_equal(eng_trap_kind_from_message("integer divide by zero"), WACTOR_TRAP_INT_DIV_BY_ZERO);
    assert_int_equal(eng_trap_kind_from_message("integer overflow"), WACTOR_TRAP_INT_OVERFLOW);
    assert_int_equal(eng_trap_kind_from_message("invalid conversion to integer"), WACTOR_TRAP_INVALID_CONVERSION);
    assert_int_equal(eng_trap_kind_from_message("out of bounds memory access: access at 65535+4 >= max value 65536"),
                     WACTOR_TRAP_OOB_MEMORY);
    assert_int_equal(eng_trap_kind_from_message("out of bounds table access: table.get at 10 >= max value 4"),
                     WACTOR_TRAP_OOB_TABLE);
    assert_int_equal(eng_trap_kind_from_message("undefined table index"), WACTOR_TRAP_OOB_TABLE);
    assert_int_equal(eng_trap_kind_from_message("uninitialized table element"), WACTOR_TRAP_UNINITIALIZED_ELEMENT);
    assert_int_equal(eng_trap_kind_from_message("indirect call signature mismatch"), WACTOR_TRAP_INDIRECT_CALL_TYPE);
    assert_int_equal(eng_trap_kind_from_message("call stack exhausted"), WACTOR_TRAP_STACK_EXHAUSTED);
    assert_int_equal(eng_trap_kind_from_message("value stack exhausted"), WACTOR_TRAP_STACK_EXHAUSTED);
    assert_int_equal(eng_trap_kind_from_message("something new"), WACTOR_TRAP_OTHER);
    assert_int_equal(eng_trap_kind_from_message(""), WACTOR_TRAP_OTHER);
    assert_int_equal(eng_trap_kind_from_message(NULL), WACTOR_TRAP_OTHER);
}

/* ------------------------------------------------------------------ WASI */

typedef struct {
    char out[256];
    size_t nout;
    char err[256];
    size_t nerr;
    int calls;
} wasi_sink;

static void sink_write(void *user, int fd, const uint8_t *bytes, size_t len) {
    wasi_sink *s = user;
    s->calls++;
    char *buf = fd == 1 ? s->out : s->err;
    size_t *n = fd == 1 ? &s->nout : &s->nerr;
    if (*n + len < 255) {
        memcpy(buf + *n, bytes, len);
        *n += len;
        buf[*n] = '\0';
    }
}

static eng_instance *wasi_instance(wasi_sink *sink, eng_wasi *w) {
    static const char *const argv[] = {"prog", "--flag"};
    static const char *const env[] = {"A=1", "HOME=/nowhere", "EMPTY="};
    memset(sink, 0, sizeof *sink);
    *w = (eng_wasi){.write = sink_write, .write_user = sink, .argv = argv, .argc = 2, .environ = env, .nenviron = 3};
    eng_instance_opts o = {.wasi = w};
    return instantiate("engine_wasi", &o);
}

static void test_wasi_fd_write(void **state) {
    (void)state;
    wasi_sink sink;
    eng_wasi w;
    eng_instance *inst = wasi_instance(&sink, &w);
    assert_int_equal(call_i32(inst, "hello", (wactor_value[]){I32(1)}, 1), 0);
    assert_string_equal(sink.out, "hello, world\n");
    assert_int_equal(call_i32(inst, "hello", (wactor_value[]){I32(2)}, 1), 0);
    assert_string_equal(sink.err, "hello, world\n");
    uint32_t *nwritten = eng_instance_mem(inst, 300, 4);
    assert_int_equal(*nwritten, 13);
    int calls = sink.calls;
    assert_int_equal(call_i32(inst, "hello", (wactor_value[]){I32(5)}, 1), 8);  /* EBADF */
    assert_int_equal(call_i32(inst, "hello", (wactor_value[]){I32(0)}, 1), 8);  /* stdin is not writable */
    assert_int_equal(call_i32(inst, "write_bad_buf", NULL, 0), 21);           /* EFAULT */
    assert_int_equal(call_i32(inst, "write_bad_vec", NULL, 0), 21);
    assert_int_equal(call_i32(inst, "write_huge_count", NULL, 0), 21);
    assert_int_equal(sink.calls, calls); /* nothing was written */
    assert_int_equal(call_i32(inst, "read_stdin", NULL, 0), 0);
    assert_int_equal(*(uint32_t *)eng_instance_mem(inst, 300, 4), 0); /* EOF */
    assert_false(eng_instance_dead(inst));
    eng_instance_free(inst);
}

static void test_wasi_fds_and_paths(void **state) {
    (void)state;
    wasi_sink sink;
    eng_wasi w;
    eng_instance *inst = wasi_instance(&sink, &w);
    assert_int_equal(call_i32(inst, "fdstat", (wactor_value[]){I32(1)}, 1), 0);
    uint8_t *st = eng_instance_mem(inst, 400, 24);
    assert_int_equal(st[0], 2); /* character device */
    assert_int_equal(call_i32(inst, "fdstat", (wactor_value[]){I32(3)}, 1), 8);
    assert_int_equal(call_i32(inst, "prestat", (wactor_value[]){I32(3)}, 1), 8); /* no preopens */
    assert_int_equal(call_i32(inst, "open", NULL, 0), 76);                      /* ENOTCAPABLE */
    eng_instance_free(inst);
}

static void test_wasi_clock_and_random(void **state) {
    (void)state;
    wasi_sink sink;
    eng_wasi w;
    eng_instance *inst = wasi_instance(&sink, &w);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    int64_t host_now = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
    int64_t guest_now = call_i64(inst, "now", (wactor_value[]){I32(0)}, 1);
    assert_true(llabs(guest_now - host_now) < INT64_C(5000000000));
    int64_t m1 = call_i64(inst, "now", (wactor_value[]){I32(1)}, 1);
    int64_t m2 = call_i64(inst, "now", (wactor_value[]){I32(1)}, 1);
    assert_true(m1 > 0);
    assert_true(m2 >= m1);
    assert_int_equal(call_i64(inst, "now", (wactor_value[]){I32(9)}, 1), -28); /* EINVAL */
    assert_int_equal(call_i32(inst, "clock_bad_ptr", NULL, 0), 21);

    assert_int_equal(call_i32(inst, "random", (wactor_value[]){I32(1000), I32(64)}, 2), 0);
    uint8_t a[64], zero[64] = {0};
    memcpy(a, eng_instance_mem(inst, 1000, 64), 64);
    assert_memory_not_equal(a, zero, 64);
    assert_int_equal(call_i32(inst, "random", (wactor_value[]){I32(1000), I32(64)}, 2), 0);
    assert_memory_not_equal(a, eng_instance_mem(inst, 1000, 64), 64);
    assert_int_equal(call_i32(inst, "random", (wactor_value[]){I32(65530), I32(100)}, 2), 21);
    assert_int_equal(call_i32(inst, "random", (wactor_value[]){I32(0), I32(65536)}, 2), 0);
    eng_instance_free(inst);
}

static void test_wasi_args_environ(void **state) {
    (void)state;
    wasi_sink sink;
    eng_wasi w;
    eng_instance *inst = wasi_instance(&sink, &w);
    assert_int_equal(call_i32(inst, "args_sizes", NULL, 0), 0);
    uint32_t *sizes = eng_instance_mem(inst, 500, 8);
    assert_int_equal(sizes[0], 2);
    assert_int_equal(sizes[1], strlen("prog") + 1 + strlen("--flag") + 1);
    assert_int_equal(call_i32(inst, "args", NULL, 0), 0);
    uint32_t *ptrs = eng_instance_mem(inst, 600, 8);
    assert_int_equal(ptrs[0], 700);
    assert_string_equal((char *)eng_instance_mem(inst, ptrs[0], 5), "prog");
    assert_string_equal((char *)eng_instance_mem(inst, ptrs[1], 7), "--flag");

    assert_int_equal(call_i32(inst, "env_sizes", NULL, 0), 0);
    sizes = eng_instance_mem(inst, 500, 8);
    assert_int_equal(sizes[0], 3);
    assert_int_equal(sizes[1], 4 + 14 + 7);
    assert_int_equal(call_i32(inst, "env", NULL, 0), 0);
    ptrs = eng_instance_mem(inst, 600, 12);
    assert_string_equal((char *)eng_instance_mem(inst, ptrs[1], 14), "HOME=/nowhere");
    assert_string_equal((char *)eng_instance_mem(inst, ptrs[2], 7), "EMPTY=");
    eng_instance_free(inst);
}

static void test_wasi_proc_exit(void **state) {
    (void)state;
    wasi_sink sink;
    eng_wasi w;
    eng_instance *inst = wasi_instance(&sink, &w);
    wactor_value r;
    size_t n;
    wactor_diag d;
    assert_int_equal(eng_call_sync(inst, "exit", (wactor_value[]){I32(3)}, 1, &r, 1, &n, &d), ENG_TRAPPED);
    assert_int_equal(d.trap, WACTOR_TRAP_EXIT);
    assert_int_equal(d.exit_code, 3);
    assert_non_null(strstr(d.message, "proc_exit(3)"));
    assert_true(eng_instance_dead(inst));
    assert_int_equal(eng_call_sync(inst, "hello", (wactor_value[]){I32(1)}, 1, &r, 1, &n, &d), ENG_ERROR);
    eng_instance_free(inst);

    /* exit(0) is an exit too (the guest is finished). */
    inst = wasi_instance(&sink, &w);
    assert_int_equal(eng_call_sync(inst, "exit", (wactor_value[]){I32(0)}, 1, &r, 1, &n, &d), ENG_TRAPPED);
    assert_int_equal(d.trap, WACTOR_TRAP_EXIT);
    assert_int_equal(d.exit_code, 0);
    eng_instance_free(inst);
}

/* ------------------------------------------------------------------ timing (reported, loosely bounded) */

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void test_timing(void **state) {
    (void)state;
    enum { N = 1000 };
    static double t[N];
    eng_module *m = load("engine_basic");
    wactor_diag d;
    for (int i = 0; i < N; i++) {
        eng_instance *inst;
        double t0 = now_s();
        assert_int_equal(eng_instance_new(m, NULL, &inst, &d), 0);
        t[i] = now_s() - t0;
        eng_instance_free(inst);
    }
    qsort(t, N, sizeof t[0], cmp_double);
    double inst_us = t[N / 2] * 1e6;

    eng_instance *inst;
    assert_int_equal(eng_instance_new(m, NULL, &inst, &d), 0);
    wactor_value args[2] = {I32(1), I32(2)}, r;
    size_t n;
    const int calls = 200000;
    double t0 = now_s();
    for (int i = 0; i < calls; i++) eng_call_sync(inst, "add", args, 2, &r, 1, &n, &d);
    double call_ns = (now_s() - t0) / calls * 1e9;
    assert_int_equal(r.of.i32, 3);
    t0 = now_s();
    assert_int_equal(call_i32(inst, "fib", (wactor_value[]){I32(25)}, 1), 75025);
    double fib_ms = (now_s() - t0) * 1e3;
    eng_instance_free(inst);
    eng_module_release(m);
    print_message("engine timing: instantiate median %.1f us (engine_basic, 1 page), add() %.0f ns/call, "
                  "fib(25) %.1f ms\n", inst_us, call_ns, fib_ms);
    assert_true(inst_us < 5000); /* sanity only; sanitizer builds are slow */
}

/* ------------------------------------------------------------------ fixes found by the spec suite and review */

static int host_id(eng_call_ctx *ctx, const wactor_value *args, wactor_value *results, void *data) {
    (void)ctx;
    (void)data;
    results[0].of.i32 = args[0].of.i32;
    return 0;
}

/* Re-enters the calling instance: via_host(n). A nested trap makes this host function fail. */
static int host_again(eng_call_ctx *ctx, const wactor_value *args, wactor_value *results, void *data) {
    (void)data;
    wactor_value r;
    size_t n = 0;
    wactor_diag d;
    if (eng_call_sync(eng_ctx_instance(ctx), "via_host", args, 1, &r, 1, &n, &d) != ENG_DONE) return -1;
    results[0].of.i32 = r.of.i32;
    return 0;
}

static eng_instance *deep_instance(eng_host_func f[2], uint32_t depth) {
    static const wactor_valtype i[] = {WACTOR_I32};
    f[0] = (eng_host_func){"host", "id", ft(1, i, 1, i), host_id, NULL};
    f[1] = (eng_host_func){"host", "again", ft(1, i, 1, i), host_again, NULL};
    eng_instance_opts o = {.imports = f, .nimports = 2, .max_call_depth = depth};
    return instantiate("engine_deep", &o);
}

/* Recursion past the call-depth limit traps STACK_EXHAUSTED through every kind of call; before the fix a
 * call_indirect (or imported call) past the limit was skipped and the caller went on with a wrong value. */
static void test_deep_recursion_every_call_kind(void **state) {
    (void)state;
    static const char *const exports[] = {"direct", "indirect", "via_import", "via_host"};
    eng_host_func f[2];
    for (size_t k = 0; k < 4; k++) {
        /* below the limit: the right answer */
        eng_instance *inst = deep_instance(f, 0);
        int32_t shallow = k == 3 ? 100 : 300; /* via_host costs two frames (wasm + host) per level */
        assert_int_equal(call_i32(inst, exports[k], (wactor_value[]){I32(shallow)}, 1), 3 * shallow);
        /* far past it: a trap, never a result */
        wactor_value r;
        size_t n = 0;
        wactor_diag d;
        eng_status st = eng_call_sync(inst, exports[k], (wactor_value[]){I32(100000)}, 1, &r, 1, &n, &d);
        if (st != ENG_TRAPPED)
            fail_msg("%s(100000): status %d, result %d (expected a trap)", exports[k], (int)st, n ? r.of.i32 : -1);
        assert_int_equal(d.trap, WACTOR_TRAP_STACK_EXHAUSTED);
        assert_true(eng_instance_dead(inst));
        eng_instance_free(inst);

        /* the same, in slices of 7 instructions */
        inst = deep_instance(f, 64);
        uint64_t ran = 0;
        st = eng_call(inst, exports[k], (wactor_value[]){I32(100000)}, 1, 7, &ran, &d);
        for (int slices = 0; st == ENG_SUSPENDED && slices < 1000000; slices++) st = eng_resume(inst, 7, &ran, &d);
        assert_int_equal(st, ENG_TRAPPED);
        assert_int_equal(d.trap, WACTOR_TRAP_STACK_EXHAUSTED);
        eng_instance_free(inst);
    }
}

/* (memory 0 0) and (memory 0) instantiate; the first can never grow, the second grows to its cap. */
static void test_memory_zero_pages(void **state) {
    (void)state;
    eng_instance *inst = instantiate("engine_mem0", NULL);
    assert_int_equal(call_i32(inst, "size", NULL, 0), 0);
    assert_int_equal(call_i32(inst, "grow", (wactor_value[]){I32(0)}, 1), 0);
    assert_int_equal(call_i32(inst, "grow", (wactor_value[]){I32(1)}, 1), -1);
    uint32_t size = 123;
    eng_instance_memory(inst, &size);
    assert_int_equal(size, 0);
    assert_non_null(eng_instance_mem(inst, 0, 0)); /* an empty range of an empty memory */
    assert_null(eng_instance_mem(inst, 0, 1));
    wactor_value r;
    size_t n;
    wactor_diag d;
    assert_int_equal(eng_call_sync(inst, "load", (wactor_value[]){I32(0)}, 1, &r, 1, &n, &d), ENG_TRAPPED);
    assert_int_equal(d.trap, WACTOR_TRAP_OOB_MEMORY);
    eng_instance_free(inst);

    /* also under a cap (the cap is above the maximum of 0) */
    eng_instance_opts o = {.max_pages = 4};
    inst = instantiate("engine_mem0", &o);
    assert_int_equal(call_i32(inst, "grow", (wactor_value[]){I32(1)}, 1), -1);
    eng_instance_free(inst);

    for (int capped = 0; capped < 2; capped++) {
        eng_instance_opts oc = {.max_pages = capped ? 2 : 0};
        inst = instantiate("engine_mem0_open", &oc);
        assert_int_equal(call_i32(inst, "size", NULL, 0), 0);
        assert_int_equal(call_i32(inst, "grow", (wactor_value[]){I32(1)}, 1), 0);
        assert_int_equal(eng_call_sync(inst, "store", (wactor_value[]){I32(65532), I32(77)}, 2, &r, 1, &n, &d), ENG_DONE);
        assert_int_equal(call_i32(inst, "load", (wactor_value[]){I32(65532)}, 1), 77);
        assert_int_equal(call_i32(inst, "grow", (wactor_value[]){I32(1)}, 1), 1);
        assert_int_equal(call_i32(inst, "grow", (wactor_value[]){I32(1)}, 1), capped ? -1 : 2);
        eng_instance_free(inst);
    }
}

static int load_bytes(const uint8_t *bytes, size_t len, wactor_diag *d) {
    eng_module *m = NULL;
    int rc = eng_module_load(bytes, len, &m, d);
    eng_module_release(m);
    return rc;
}

/* Custom sections (WebAssembly core spec 5.5.3): the name must be valid UTF-8 and the section must hold
 * its name; the contents are otherwise free. */
static void test_custom_sections(void **state) {
    (void)state;
    wactor_diag d;
    /* a well-formed custom section with arbitrary contents, and an undecodable "name" section: both load */
    static const uint8_t ok[] = {0, 'a', 's', 'm', 1, 0, 0, 0, 0, 6, 3, 'x', 'y', 'z', 0xff, 0x00};
    assert_int_equal(load_bytes(ok, sizeof ok, &d), 0);
    static const uint8_t name_garbage[] = {0, 'a', 's', 'm', 1, 0, 0, 0, 0, 7, 4, 'n', 'a', 'm', 'e', 0x7f, 0x7f};
    assert_int_equal(load_bytes(name_garbage, sizeof name_garbage, &d), 0);
    /* the tool conventions' sections (which wabt parses) with contents wabt cannot parse: still valid */
    static const uint8_t linking[] = {0, 'a', 's', 'm', 1, 0, 0, 0, 0, 9, 7, 'l', 'i', 'n', 'k', 'i', 'n', 'g', 0x7f};
    assert_int_equal(load_bytes(linking, sizeof linking, &d), 0);
    static const uint8_t reloc[] = {0, 'a', 's', 'm', 1, 0, 0, 0, 0, 9, 7, 'r', 'e', 'l', 'o', 'c', '.', 'x', 0x7f};
    assert_int_equal(load_bytes(reloc, sizeof reloc, &d), 0);
    static const uint8_t dylink[] = {0, 'a', 's', 'm', 1, 0, 0, 0, 0, 10, 8, 'd', 'y', 'l', 'i', 'n', 'k', '.', '0', 0x7f};
    assert_int_equal(load_bytes(dylink, sizeof dylink, &d), 0);
    static const uint8_t features[] = {0, 'a', 's', 'm', 1, 0, 0, 0, 0, 17, 15, 't', 'a', 'r', 'g', 'e', 't', '_',
                                       'f', 'e', 'a', 't', 'u', 'r', 'e', 's', 0x7f};
    assert_int_equal(load_bytes(features, sizeof features, &d), 0);
    /* UTF-8 at its edges: U+10FFFF and U+FFFF are fine; a surrogate (U+D800) and U+110000 are not */
    static const uint8_t max_cp[] = {0, 'a', 's', 'm', 1, 0, 0, 0, 0, 8, 7, 0xf4, 0x8f, 0xbf, 0xbf, 0xef, 0xbf, 0xbf};
    assert_int_equal(load_bytes(max_cp, sizeof max_cp, &d), 0);
    static const uint8_t surrogate[] = {0, 'a', 's', 'm', 1, 0, 0, 0, 0, 4, 3, 0xed, 0xa0, 0x80};
    assert_int_equal(load_bytes(surrogate, sizeof surrogate, &d), -1);
    assert_non_null(strstr(d.message, "UTF-8"));
    static const uint8_t too_big[] = {0, 'a', 's', 'm', 1, 0, 0, 0, 0, 5, 4, 0xf4, 0x90, 0x80, 0x80};
    assert_int_equal(load_bytes(too_big, sizeof too_big, &d), -1);
    /* invalid UTF-8 in the name (a lone continuation byte, an overlong encoding of '/') */
    static const uint8_t bad_utf8[] = {0, 'a', 's', 'm', 1, 0, 0, 0, 0, 2, 1, 0x80};
    assert_int_equal(load_bytes(bad_utf8, sizeof bad_utf8, &d), -1);
    static const uint8_t overlong[] = {0, 'a', 's', 'm', 1, 0, 0, 0, 0, 3, 2, 0xc0, 0xaf};
    assert_int_equal(load_bytes(overlong, sizeof overlong, &d), -1);
    /* the name's length runs past the section, or past the module */
    static const uint8_t name_too_long[] = {0, 'a', 's', 'm', 1, 0, 0, 0, 0, 2, 5, 'a', 'b', 'c', 'd', 'e'};
    assert_int_equal(load_bytes(name_too_long, sizeof name_too_long, &d), -1);
    static const uint8_t section_too_long[] = {0, 'a', 's', 'm', 1, 0, 0, 0, 0, 9, 1, 'a'};
    assert_int_equal(load_bytes(section_too_long, sizeof section_too_long, &d), -1);
    /* an empty custom section (no room for the name) and a section size with unused bits set */
    static const uint8_t empty[] = {0, 'a', 's', 'm', 1, 0, 0, 0, 0, 0};
    assert_int_equal(load_bytes(empty, sizeof empty, &d), -1);
    static const uint8_t leb[] = {0, 'a', 's', 'm', 1, 0, 0, 0, 0, 0x83, 0x80, 0x80, 0x80, 0x10, 1, '1', '2'};
    assert_int_equal(load_bytes(leb, sizeof leb, &d), -1);
    assert_true(d.message[0] != '\0');
}

/* A trap is named by its cause, also when the memory is at its cap: only an out-of-bounds access or
 * `unreachable` after a refused memory.grow in the same call is a memory limit. */
static void test_trap_names_at_cap(void **state) {
    (void)state;
    static const struct {
        const char *name;
        uint32_t cap;
        wactor_trap_kind kind;
    } cases[] = {
        {"recurse", 2, WACTOR_TRAP_STACK_EXHAUSTED},
        {"undefined_index", 2, WACTOR_TRAP_OOB_TABLE},
        {"oob", 2, WACTOR_TRAP_OOB_MEMORY},
        {"unreachable", 2, WACTOR_TRAP_UNREACHABLE},
        {"grow_then_oob", 2, WACTOR_TRAP_MEMORY_LIMIT},
        {"grow_then_div0", 2, WACTOR_TRAP_INT_DIV_BY_ZERO},
        {"huge_grow_then_unreachable", 4, WACTOR_TRAP_MEMORY_LIMIT}, /* refused below the cap too */
        {"huge_grow_then_unreachable", 0, WACTOR_TRAP_UNREACHABLE},  /* no cap: the module's own limit */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        for (int sliced = 0; sliced < 2; sliced++) {
            eng_instance_opts o = {.max_pages = cases[i].cap};
            eng_instance *inst = instantiate("engine_capped", &o);
            wactor_value args[1] = {I32(0)};
            size_t nargs = strcmp(cases[i].name, "recurse") == 0;
            wactor_diag d;
            eng_status st = eng_call(inst, cases[i].name, args, nargs, sliced ? 1 : 0, NULL, &d);
            while (st == ENG_SUSPENDED) st = eng_resume(inst, 1, NULL, &d);
            assert_int_equal(st, ENG_TRAPPED);
            if (d.trap != cases[i].kind)
                fail_msg("%s (cap %u, sliced %d): trap %d (%s), expected %d", cases[i].name, cases[i].cap, sliced,
                         (int)d.trap, d.message, (int)cases[i].kind);
            eng_instance_free(inst);
        }
    }
    /* a grow refused in an earlier call does not make a later call's trap a memory limit */
    eng_instance_opts o = {.max_pages = 2};
    eng_instance *inst = instantiate("engine_capped", &o);
    assert_int_equal(call_i32(inst, "grow", (wactor_value[]){I32(1)}, 1), -1);
    wactor_value r;
    size_t n;
    wactor_diag d;
    assert_int_equal(eng_call_sync(inst, "oob", NULL, 0, &r, 1, &n, &d), ENG_TRAPPED);
    assert_int_equal(d.trap, WACTOR_TRAP_OOB_MEMORY);
    eng_instance_free(inst);
}

/* A start function runs as an ordinary sliced call when deferred: a start that never returns comes back
 * with work left after each budget and can be abandoned. */
static void test_deferred_start(void **state) {
    (void)state;
    eng_module *m = load("engine_start_loop");
    eng_instance_opts o = {.defer_start = true};
    eng_instance *inst = NULL;
    wactor_diag d;
    assert_int_equal(eng_instance_new(m, &o, &inst, &d), 0);
    /* nothing else runs before the start function returned */
    wactor_value r;
    size_t n;
    assert_int_equal(eng_call_sync(inst, "count", NULL, 0, &r, 1, &n, &d), ENG_ERROR);
    assert_non_null(strstr(d.message, "start function has not run"));
    uint64_t ran = 0, total = 0;
    assert_int_equal(eng_instance_start(inst, 1000, &ran, &d), ENG_SUSPENDED);
    assert_int_equal(ran, 1000);
    total += ran;
    for (int i = 0; i < 50; i++) {
        assert_int_equal(eng_resume(inst, 1000, &ran, &d), ENG_SUSPENDED);
        total += ran;
    }
    assert_int_equal(total, 51000);
    assert_int_equal(eng_instance_start(inst, 10, NULL, &d), ENG_ERROR); /* a call is in progress */
    eng_abort(inst, WACTOR_TRAP_FUEL_EXHAUSTED, "start-up fuel");
    assert_true(eng_instance_dead(inst));
    assert_int_equal(eng_call_sync(inst, "count", NULL, 0, &r, 1, &n, &d), ENG_ERROR);
    eng_instance_free(inst);
    eng_module_release(m);

    /* a start function that finishes: sliced to the end, the same state as an undeferred instantiation */
    m = load("engine_start_slow");
    assert_int_equal(eng_instance_new(m, &o, &inst, &d), 0);
    wactor_value g;
    assert_int_equal(eng_instance_global(inst, "ready", &g), 0);
    assert_int_equal(g.of.i32, 0);
    eng_status st = eng_instance_start(inst, 100, &ran, &d);
    int slices = 1;
    total = ran;
    while (st == ENG_SUSPENDED) {
        st = eng_resume(inst, 100, &ran, &d);
        total += ran;
        slices++;
    }
    assert_int_equal(st, ENG_DONE);
    assert_true(slices > 100);
    assert_int_equal(call_i32(inst, "ready?", NULL, 0), 1);
    assert_int_equal(eng_instance_start(inst, 0, NULL, &d), ENG_DONE); /* nothing left to start */
    eng_instance_free(inst);
    eng_instance *plain = NULL;
    assert_int_equal(eng_instance_new(m, NULL, &plain, &d), 0); /* the old behaviour: start already ran */
    assert_int_equal(call_i32(plain, "ready?", NULL, 0), 1);
    eng_instance_free(plain);
    eng_module_release(m);

    /* a module without a start function: eng_instance_start is DONE at once; a trapping start traps */
    inst = instantiate("engine_basic", &o);
    assert_int_equal(eng_instance_start(inst, 5, &ran, &d), ENG_DONE);
    assert_int_equal(ran, 0);
    eng_instance_free(inst);
    inst = instantiate("engine_start_trap", &o);
    assert_int_equal(eng_instance_start(inst, 0, NULL, &d), ENG_TRAPPED);
    assert_int_equal(d.trap, WACTOR_TRAP_UNREACHABLE);
    assert_true(eng_instance_dead(inst));
    eng_instance_free(inst);
}

/* The table-element cap: minimum above it refused, table.grow past it -1; the default is 100,000. */
static void test_table_cap(void **state) {
    (void)state;
    eng_module *m = load("engine_table_big");
    eng_instance *inst = NULL;
    wactor_diag d;
    assert_int_equal(eng_instance_new(m, NULL, &inst, &d), -1);
    assert_null(inst);
    assert_string_equal(d.message, "table minimum of 200000 elements is above the cap of 100000 elements");
    eng_instance_opts big = {.max_table_elems = 200000};
    assert_int_equal(eng_instance_new(m, &big, &inst, &d), 0);
    assert_int_equal(call_i32(inst, "f", NULL, 0), 1);
    eng_instance_free(inst);
    eng_module_release(m);

    inst = instantiate("engine_table", NULL); /* default cap */
    assert_int_equal(call_i32(inst, "grow", (wactor_value[]){I32(ENG_DEFAULT_TABLE_ELEMS)}, 1), -1);
    assert_int_equal(call_i32(inst, "grow", (wactor_value[]){I32(ENG_DEFAULT_TABLE_ELEMS - 1)}, 1), 1);
    assert_int_equal(call_i32(inst, "size", NULL, 0), (int32_t)ENG_DEFAULT_TABLE_ELEMS);
    assert_int_equal(call_i32(inst, "grow", (wactor_value[]){I32(1)}, 1), -1);
    assert_int_equal(call_i32(inst, "grow", (wactor_value[]){I32(-1)}, 1), -1); /* 2^32-1 more */
    eng_instance_free(inst);

    eng_instance_opts o = {.max_table_elems = 10};
    inst = instantiate("engine_table", &o);
    assert_int_equal(call_i32(inst, "grow", (wactor_value[]){I32(9)}, 1), 1);
    assert_int_equal(call_i32(inst, "grow", (wactor_value[]){I32(1)}, 1), -1);
    assert_int_equal(call_i32(inst, "size", NULL, 0), 10);
    eng_instance_free(inst);
}

/* Linking (eng_link): every kind of import from another instance of the same store, shared for real; kind
 * mismatches and other stores refused; either instance may be freed first. */
static void test_linking(void **state) {
    (void)state;
    for (int exporter_first = 0; exporter_first < 2; exporter_first++) {
        eng_instance *ex = instantiate("engine_exporter", NULL);
        eng_link link = {"ex", ex};
        eng_instance_opts o = {.links = &link, .nlinks = 1};
        eng_instance *im = instantiate("engine_importer", &o);
        assert_int_equal(call_i32(im, "call_seven", NULL, 0), 7);
        assert_int_equal(call_i32(im, "via_table", (wactor_value[]){I32(0)}, 1), 7);
        assert_int_equal(call_i32(im, "via_table", (wactor_value[]){I32(1)}, 1), 8);
        assert_int_equal(call_i32(ex, "peek", (wactor_value[]){I32(100)}, 1), 42); /* the importer's data */
        assert_int_equal(call_i32(im, "g", NULL, 0), 41);
        assert_int_equal(call_i32(ex, "bump", NULL, 0), 42);
        assert_int_equal(call_i32(im, "g", NULL, 0), 42);
        wactor_value r;
        size_t n;
        wactor_diag d;
        assert_int_equal(eng_call_sync(im, "set_g", (wactor_value[]){I32(-5)}, 1, &r, 1, &n, &d), ENG_DONE);
        wactor_value g;
        assert_int_equal(eng_instance_global(ex, "g", &g), 0);
        assert_int_equal(g.type, WACTOR_I32);
        assert_int_equal(g.of.i32, -5);
        assert_int_equal(eng_instance_global(ex, "pi", &g), 0);
        assert_true(g.type == WACTOR_F64 && g.of.f64 == 3.25);
        assert_int_equal(eng_instance_global(ex, "seven", &g), -1); /* a function */
        assert_int_equal(eng_instance_global(ex, "nope", &g), -1);

        /* a kind mismatch, an instance of another store, a missing export */
        eng_module *bad = load("engine_importer_badkind");
        eng_instance *x = NULL;
        assert_int_equal(eng_instance_new(bad, &o, &x, &d), -1);
        assert_non_null(strstr(d.message, "incompatible import type"));
        eng_module_release(bad);
        eng_instance *other = instantiate("engine_exporter", NULL);
        eng_module *imp = load("engine_importer");
        eng_instance_opts o2 = {.links = &link, .nlinks = 1, .share_store = other};
        assert_int_equal(eng_instance_new(imp, &o2, &x, &d), -1);
        assert_non_null(strstr(d.message, "another store"));
        eng_link wrong = {"ex", other};
        eng_instance_opts o3 = {.links = &wrong, .nlinks = 1, .share_store = ex};
        assert_int_equal(eng_instance_new(imp, &o3, &x, &d), -1);
        eng_instance_opts o4 = {0};
        assert_int_equal(eng_instance_new(imp, &o4, &x, &d), -1); /* no links: memory imports unresolved */
        assert_non_null(strstr(d.message, "unknown import ex."));
        eng_module_release(imp);
        eng_instance_free(other);

        if (exporter_first) {
            eng_instance_free(ex);
            /* the importer still reaches the exporter's memory, table, global and function */
            assert_int_equal(call_i32(im, "via_table", (wactor_value[]){I32(0)}, 1), 7);
            assert_int_equal(call_i32(im, "call_seven", NULL, 0), 7);
            assert_int_equal(call_i32(im, "g", NULL, 0), -5);
            eng_instance_free(im);
        } else {
            eng_instance_free(im);
            assert_int_equal(call_i32(ex, "peek", (wactor_value[]){I32(100)}, 1), 42);
            eng_instance_free(ex);
        }
    }
}

/* A host function of an instance that was freed, reached through a table another member of its store
 * group imported: a host trap, never a call into freed memory. */
static void test_linked_host_function_outlives_instance(void **state) {
    (void)state;
    static const wactor_valtype i[] = {WACTOR_I32};
    eng_host_func f = {"host", "id", ft(1, i, 1, i), host_id, NULL};
    eng_instance_opts o = {.imports = &f, .nimports = 1};
    eng_instance *ex = instantiate("engine_hostexporter", &o);
    eng_link link = {"ex", ex};
    eng_instance_opts o2 = {.links = &link, .nlinks = 1};
    eng_instance *caller = instantiate("engine_tablecaller", &o2);
    assert_int_equal(call_i32(caller, "call0", (wactor_value[]){I32(31)}, 1), 31);
    eng_instance_free(ex);
    wactor_value r;
    size_t n;
    wactor_diag d;
    assert_int_equal(eng_call_sync(caller, "call0", (wactor_value[]){I32(31)}, 1, &r, 1, &n, &d), ENG_TRAPPED);
    assert_non_null(strstr(d.message, "belongs to a freed instance"));
    eng_instance_free(caller);
}

/* keep_after_trap: a trap ends the call, the instance (and its state) lives on. */
static void test_keep_after_trap(void **state) {
    (void)state;
    eng_instance_opts o = {.keep_after_trap = true};
    eng_instance *inst = instantiate("engine_traps", &o);
    wactor_value r;
    size_t n;
    wactor_diag d;
    assert_int_equal(eng_call_sync(inst, "unreachable", NULL, 0, &r, 1, &n, &d), ENG_TRAPPED);
    assert_false(eng_instance_dead(inst));
    assert_int_equal(call_i32(inst, "ok", NULL, 0), 7);
    assert_int_equal(eng_call_sync(inst, "recurse", (wactor_value[]){I32(0)}, 1, &r, 1, &n, &d), ENG_TRAPPED);
    assert_int_equal(d.trap, WACTOR_TRAP_STACK_EXHAUSTED);
    assert_int_equal(call_i32(inst, "ok", NULL, 0), 7); /* a fresh interpreter stack, not the dead frames */
    eng_instance_free(inst);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_load_valid_module_info),
        cmocka_unit_test(test_load_errors),
        cmocka_unit_test(test_module_cache),
        cmocka_unit_test(test_module_cache_concurrent),
        cmocka_unit_test(test_memory_cap),
        cmocka_unit_test(test_memory_min_above_cap),
        cmocka_unit_test(test_instantiation_failure),
        cmocka_unit_test(test_instances_are_isolated),
        cmocka_unit_test(test_reused_instance_is_fresh),
        cmocka_unit_test(test_reuse_across_threads),
        cmocka_unit_test(test_start_function),
        cmocka_unit_test(test_typed_calls),
        cmocka_unit_test(test_call_errors),
        cmocka_unit_test(test_bounded_infinite_loop),
        cmocka_unit_test(test_bounded_bulk_memory),
        cmocka_unit_test(test_bounded_finite_loop_matches_unbounded),
        cmocka_unit_test(test_bounded_budget_one),
        cmocka_unit_test(test_host_functions),
        cmocka_unit_test(test_host_bad_pointer_traps),
        cmocka_unit_test(test_host_calls_in_sliced_run),
        cmocka_unit_test(test_unresolved_and_mismatched_imports),
        cmocka_unit_test(test_every_engine_trap_kind),
        cmocka_unit_test(test_traps_in_sliced_run),
        cmocka_unit_test(test_call_depth),
        cmocka_unit_test(test_value_stack_limit),
        cmocka_unit_test(test_memory_limit_trap),
        cmocka_unit_test(test_trap_kind_from_message),
        cmocka_unit_test(test_wasi_fd_write),
        cmocka_unit_test(test_wasi_fds_and_paths),
        cmocka_unit_test(test_wasi_clock_and_random),
        cmocka_unit_test(test_wasi_args_environ),
        cmocka_unit_test(test_wasi_proc_exit),
        cmocka_unit_test(test_deep_recursion_every_call_kind),
        cmocka_unit_test(test_memory_zero_pages),
        cmocka_unit_test(test_custom_sections),
        cmocka_unit_test(test_trap_names_at_cap),
        cmocka_unit_test(test_deferred_start),
        cmocka_unit_test(test_table_cap),
        cmocka_unit_test(test_linking),
        cmocka_unit_test(test_linked_host_function_outlives_instance),
        cmocka_unit_test(test_keep_after_trap),
        cmocka_unit_test(test_timing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
