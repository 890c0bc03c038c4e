/*
 * runtime_support.h — what the embedding-API tests (tests/test_runtime*.c) share: loading a fixture and
 * spawning with assertions, and polling for a condition. Include after <cmocka.h>.
 */
#ifndef WACTOR_TESTS_RUNTIME_SUPPORT_H
#define WACTOR_TESTS_RUNTIME_SUPPORT_H

#include <stdio.h>

#include "support.h"
#include "wactor.h"

/* Polls `cond` every 10 ms for at most 5 s, then asserts it. */
#define WAIT_FOR(cond)                                                                                         \
    do {                                                                                                       \
        for (int wait_i_ = 0; wait_i_ < 500 && !(cond); wait_i_++) sleep_ms(10);                               \
        assert_true(cond);                                                                                     \
    } while (0)

/* Loads `dir`/`name`.wasm; fails the test (printing the diag) if it does not load. */
static inline wactor_module *load_module(wactor_runtime *rt, const char *dir, const char *name) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s.wasm", dir, name);
    wactor_module *m = NULL;
    wactor_diag d = {0};
    wactor_error err = wactor_module_load_file(rt, path, &m, &d);
    if (err) fprintf(stderr, "load %s: %s\n", path, d.message);
    assert_int_equal(err, WACTOR_OK);
    return m;
}

/* Spawns `m` with `opts`; fails the test (printing the diag) unless it starts. */
static inline wactor_pid spawn_module(wactor_runtime *rt, wactor_module *m, const wactor_spawn_opts *opts) {
    wactor_pid pid = 0;
    wactor_diag d = {0};
    wactor_error err = wactor_spawn(rt, m, opts, &pid, &d);
    if (err) fprintf(stderr, "spawn %s: %s\n", opts && opts->name ? opts->name : "?", d.message);
    assert_int_equal(err, WACTOR_OK);
    assert_true(pid != 0);
    return pid;
}

#endif
