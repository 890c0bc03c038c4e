/*
 * engine_rss.c — measures what one more instance of a module costs in resident memory (RSS), through
 * engine.h. Not a unit test (nothing is timed or asserted; run it by hand): it builds a module of
 * NFUNCS functions in memory, loads it once, then instantiates it COUNT times and reports the growth of
 * the process's resident set per instance, next to a 1-function module for comparison.
 *
 * Usage: engine_rss [NFUNCS [COUNT]]   (defaults: 100000 functions, 20 instances)
 * Output: one line per module: functions, module bytes, RSS after load, RSS per instance (KiB).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/engine.h"

static long rss_kib(void) {
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f) return -1;
    long size = 0, resident = 0;
    if (fscanf(f, "%ld %ld", &size, &resident) != 2) resident = -1;
    fclose(f);
    return resident < 0 ? -1 : resident * (sysconf(_SC_PAGESIZE) / 1024);
}

typedef struct {
    uint8_t *p;
    size_t n, cap;
} buf;

static void put(buf *b, uint8_t byte) {
    if (b->n == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 256;
        b->p = realloc(b->p, b->cap);
        if (!b->p) abort();
    }
    b->p[b->n++] = byte;
}

static void put_u32(buf *b, uint32_t v) { /* unsigned LEB128 */
    do {
        uint8_t byte = v & 0x7f;
        v >>= 7;
        put(b, byte | (v ? 0x80 : 0));
    } while (v);
}

static void put_section(buf *out, uint8_t id, const buf *body) {
    put(out, id);
    put_u32(out, (uint32_t)body->n);
    for (size_t i = 0; i < body->n; i++) put(out, body->p[i]);
}

/* A module of `nfuncs` functions `(func (param i32) (result i32) local.get 0 i32.const k i32.add)`, one
 * page of memory, and an export "f0" of the first. */
static buf make_module(uint32_t nfuncs) {
    buf out = {0}, s = {0};
    static const uint8_t header[] = {0, 'a', 's', 'm', 1, 0, 0, 0};
    for (size_t i = 0; i < sizeof header; i++) put(&out, header[i]);
    /* type section: (i32) -> (i32) */
    put_u32(&s, 1);
    put(&s, 0x60);
    put_u32(&s, 1);
    put(&s, 0x7f);
    put_u32(&s, 1);
    put(&s, 0x7f);
    put_section(&out, 1, &s);
    s.n = 0;
    /* function section */
    put_u32(&s, nfuncs);
    for (uint32_t i = 0; i < nfuncs; i++) put_u32(&s, 0);
    put_section(&out, 3, &s);
    s.n = 0;
    /* memory section: 1 page */
    put_u32(&s, 1);
    put(&s, 0);
    put_u32(&s, 1);
    put_section(&out, 5, &s);
    s.n = 0;
    /* export section */
    put_u32(&s, 1);
    put_u32(&s, 2);
    put(&s, 'f');
    put(&s, '0');
    put(&s, 0);
    put_u32(&s, 0);
    put_section(&out, 7, &s);
    s.n = 0;
    /* code section */
    put_u32(&s, nfuncs);
    for (uint32_t i = 0; i < nfuncs; i++) {
        buf body = {0};
        put_u32(&body, 0); /* no locals */
        put(&body, 0x20);  /* local.get 0 */
        put_u32(&body, 0);
        put(&body, 0x41); /* i32.const k (signed LEB; k < 2^20 fits positive) */
        uint32_t k = i & 0x3f;
        put(&body, (uint8_t)k);
        put(&body, 0x6a); /* i32.add */
        put(&body, 0x0b); /* end */
        put_u32(&s, (uint32_t)body.n);
        for (size_t j = 0; j < body.n; j++) put(&s, body.p[j]);
        free(body.p);
    }
    put_section(&out, 10, &s);
    free(s.p);
    return out;
}

static int measure(uint32_t nfuncs, int count) {
    buf mod = make_module(nfuncs);
    eng_module *m = NULL;
    wactor_diag d;
    long before_load = rss_kib();
    if (eng_module_load(mod.p, mod.n, &m, &d) != 0) {
        fprintf(stderr, "load: %s\n", d.message);
        return 1;
    }
    eng_instance **inst = calloc((size_t)count + 1, sizeof *inst);
    if (!inst) return 1;
    /* the first instance builds the template (one more copy of the description, shared by all) */
    if (eng_instance_new(m, NULL, &inst[0], &d) != 0) {
        fprintf(stderr, "instantiate: %s\n", d.message);
        return 1;
    }
    long after_first = rss_kib();
    for (int i = 1; i <= count; i++) {
        if (eng_instance_new(m, NULL, &inst[i], &d) != 0) {
            fprintf(stderr, "instantiate: %s\n", d.message);
            return 1;
        }
        wactor_value arg = {.type = WACTOR_I32, .of.i32 = 1}, r;
        size_t n = 0;
        if (eng_call_sync(inst[i], "f0", &arg, 1, &r, 1, &n, &d) != ENG_DONE || r.of.i32 != 1) {
            fprintf(stderr, "call: %s\n", d.message);
            return 1;
        }
    }
    long after_all = rss_kib();
    printf("%8u functions  module %8zu bytes  load+first instance %8ld KiB  per further instance %8.1f KiB\n",
           nfuncs, mod.n, after_first - before_load, (double)(after_all - after_first) / count);
    for (int i = 0; i <= count; i++) eng_instance_free(inst[i]);
    free(inst);
    eng_module_release(m);
    free(mod.p);
    return 0;
}

int main(int argc, char **argv) {
    uint32_t nfuncs = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 10) : 100000;
    int count = argc > 2 ? atoi(argv[2]) : 20;
    if (count < 1) count = 1;
    if (measure(1, count) != 0) return 1;
    return measure(nfuncs, count);
}
