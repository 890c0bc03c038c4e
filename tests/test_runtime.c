/* test_runtime.c — the embedding API end to end: real components (examples and fixtures built from source)
 * running as actors. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "codec/codec.h"
#include "runtime_support.h"
#include "wactor.h"

static wactor_runtime *new_runtime(void) {
    log_reset();
    wactor_config cfg = {.threads = 2, .log = log_capture};
    wactor_runtime *rt = NULL;
    assert_int_equal(wactor_runtime_create(&cfg, &rt), WACTOR_OK);
    return rt;
}

static wactor_module *load(wactor_runtime *rt, const char *dir, const char *name) { return load_module(rt, dir, name); }

/* Every test component may send anywhere; capability denials have their own tests. */
static const char *const anyone[] = {"*"};
static const wactor_caps send_anywhere = {.send = anyone, .nsend = 1, .request = anyone, .nrequest = 1};

static wactor_pid spawn(wactor_runtime *rt, wactor_module *m, const char *name) {
    wactor_spawn_opts opts = {.name = name, .caps = &send_anywhere};
    wactor_pid pid = 0;
    wactor_diag d = {0};
    wactor_error err = wactor_spawn(rt, m, &opts, &pid, &d);
    if (err) fprintf(stderr, "spawn %s: %s\n", name ? name : "?", d.message);
    assert_int_equal(err, WACTOR_OK);
    assert_true(pid != 0);
    return pid;
}

static wactor_value i32(int32_t v) { return (wactor_value){.type = WACTOR_I32, .of.i32 = v}; }
static wactor_value f64(double v) { return (wactor_value){.type = WACTOR_F64, .of.f64 = v}; }

/* ------------------------------------------------------------------ typed invocation */

static void test_calc_typed_exports(void **state) {
    (void)state;
    wactor_runtime *rt = new_runtime();
    wactor_module *m = load(rt, WACTOR_EXAMPLES, "calc");
    wactor_pid pid = spawn(rt, m, "calc");
    wactor_value args[2] = {i32(5), i32(3)}, res[4];
    size_t n = 0;
    assert_int_equal(wactor_invoke_values(rt, pid, "add", args, 2, res, 4, &n, 5000, NULL), WACTOR_OK);
    assert_int_equal(n, 1);
    assert_int_equal(res[0].type, WACTOR_I32);
    assert_int_equal(res[0].of.i32, 8);

    wactor_value fargs[2] = {f64(2.5), f64(4.0)};
    assert_int_equal(wactor_invoke_values(rt, pid, "mul", fargs, 2, res, 4, &n, 5000, NULL), WACTOR_OK);
    assert_int_equal(n, 1);
    assert_true(res[0].of.f64 == 10.0);

    /* several results */
    wactor_value dm[2] = {i32(17), i32(5)};
    assert_int_equal(wactor_invoke_values(rt, pid, "divmod", dm, 2, res, 4, &n, 5000, NULL), WACTOR_OK);
    assert_int_equal(n, 2);
    assert_int_equal(res[0].of.i32, 3);
    assert_int_equal(res[1].of.i32, 2);

    /* bad requests are errors for the caller, and the component keeps serving */
    wactor_diag d = {0};
    assert_int_equal(wactor_invoke_values(rt, pid, "nope", args, 2, res, 4, &n, 5000, &d), WACTOR_ENOENT);
    assert_non_null(strstr(d.message, "nope"));
    assert_int_equal(wactor_invoke_values(rt, pid, "add", args, 1, res, 4, &n, 5000, &d), WACTOR_EARITY);
    assert_int_equal(wactor_invoke_values(rt, pid, "add", fargs, 2, res, 4, &n, 5000, &d), WACTOR_ETYPE);
    assert_int_equal(wactor_invoke_values(rt, pid, "add", args, 2, res, 4, &n, 5000, NULL), WACTOR_OK);

    /* a trap fails the component, names the trap, and the pid is dead afterwards */
    wactor_value zero[2] = {i32(1), i32(0)};
    assert_int_equal(wactor_invoke_values(rt, pid, "div", zero, 2, res, 4, &n, 5000, &d), WACTOR_ETRAP);
    assert_int_equal(d.trap, WACTOR_TRAP_INT_DIV_BY_ZERO);
    assert_non_null(strstr(d.message, "integer divide by zero"));
    wactor_actor_info info;
    assert_int_equal(wactor_info(rt, pid, &info), WACTOR_OK);
    assert_int_equal(info.state, WACTOR_FAILED);
    assert_int_equal(info.failure.trap, WACTOR_TRAP_INT_DIV_BY_ZERO);
    assert_true(info.started_ns >= info.created_ns);
    assert_int_equal(wactor_invoke_values(rt, pid, "add", args, 2, res, 4, &n, 5000, NULL), WACTOR_ENOENT);
    assert_int_equal(wactor_whereis(rt, "calc"), 0); /* the name was released */
    wactor_stats st;
    wactor_stats_get(rt, &st);
    assert_int_equal(st.traps, 1);
    wactor_runtime_destroy(rt);
    wactor_module_release(m);
}

static void invoke_encoded(wactor_runtime *rt, wactor_pid pid, uint32_t codec, const void *body, size_t len,
                           const char *expect_json) {
    size_t plen = 0;
    uint8_t *payload = codec_wrap(codec, body, len, &plen);
    void *out = NULL;
    size_t out_len = 0;
    wactor_diag d = {0};
    assert_int_equal(wactor_invoke(rt, pid, "add", payload, plen, 5000, &out, &out_len, &d), WACTOR_OK);
    wactor_valtype t = WACTOR_I32;
    wactor_value v;
    char err[128];
    assert_int_equal(codec_decode_args(out, out_len, &t, 1, &v, err, sizeof err), WACTOR_OK);
    char *json = codec_values_to_json(&v, 1);
    assert_string_equal(json, expect_json);
    uint32_t got_codec = 0;
    const uint8_t *b;
    size_t bl;
    assert_int_equal(codec_split(out, out_len, &got_codec, &b, &bl, err, sizeof err), WACTOR_OK);
    assert_int_equal(got_codec, codec); /* results come back in the caller's codec */
    free(json);
    free(out);
    free(payload);
}

static void test_invoke_multicodec(void **state) {
    (void)state;
    wactor_runtime *rt = new_runtime();
    wactor_module *m = load(rt, WACTOR_EXAMPLES, "calc");
    wactor_pid pid = spawn(rt, m, NULL);
    invoke_encoded(rt, pid, WACTOR_CODEC_JSON, "[5,3]", 5, "8");
    const uint8_t cbor[] = {0x82, 0x05, 0x03}; /* [5, 3] */
    invoke_encoded(rt, pid, WACTOR_CODEC_CBOR, cbor, sizeof cbor, "8");
    const uint8_t borsh[] = {5, 0, 0, 0, 0xfd, 0xff, 0xff, 0xff}; /* 5, -3 */
    invoke_encoded(rt, pid, WACTOR_CODEC_BORSH, borsh, sizeof borsh, "2");

    size_t plen = 0;
    uint8_t *bad = codec_wrap(WACTOR_CODEC_JSON, "[5,\"x\"]", 7, &plen);
    void *out = NULL;
    size_t out_len = 0;
    wactor_diag d = {0};
    assert_int_equal(wactor_invoke(rt, pid, "add", bad, plen, 5000, &out, &out_len, &d), WACTOR_ETYPE);
    free(bad);
    const uint8_t unknown[] = {0x99, 0x01, 0x00};
    assert_int_equal(wactor_invoke(rt, pid, "add", unknown, 3, 5000, &out, &out_len, &d), WACTOR_ECODEC);
    wactor_runtime_destroy(rt);
    wactor_module_release(m);
}

/* ------------------------------------------------------------------ messages between components */

static void send_json(wactor_runtime *rt, wactor_pid to, const char *json) {
    size_t len = 0;
    uint8_t *p = codec_wrap(WACTOR_CODEC_JSON, json, strlen(json), &len);
    assert_int_equal(wactor_send(rt, to, p, len), WACTOR_OK);
    free(p);
}

static void test_counter_keeps_state(void **state) {
    (void)state;
    wactor_runtime *rt = new_runtime();
    wactor_module *m = load(rt, WACTOR_EXAMPLES, "counter");
    wactor_pid pid = spawn(rt, m, "counter");
    for (int i = 0; i < 10; i++) send_json(rt, pid, "{\"add\":2}");
    send_json(rt, pid, "{}");
    wactor_value res[2];
    size_t n = 0;
    /* invocations queue behind the messages: per-sender FIFO */
    assert_int_equal(wactor_invoke_values(rt, pid, "get", NULL, 0, res, 2, &n, 5000, NULL), WACTOR_OK);
    assert_int_equal(n, 1);
    assert_int_equal(res[0].of.i32, 21);
    wactor_actor_info info;
    assert_int_equal(wactor_info(rt, pid, &info), WACTOR_OK);
    assert_int_equal(info.state, WACTOR_READY);
    assert_int_equal(info.messages, 11);
    assert_int_equal(wactor_stop(rt, pid, 1000), WACTOR_OK);
    assert_int_equal(wactor_info(rt, pid, &info), WACTOR_OK);
    assert_int_equal(info.state, WACTOR_TERMINATED);
    assert_int_equal(wactor_send(rt, pid, "x", 1), WACTOR_ENOENT); /* dead address: an error, no crash */
    wactor_runtime_destroy(rt);
    wactor_module_release(m);
}

static void test_ping_pong_and_pipeline(void **state) {
    (void)state;
    wactor_runtime *rt = new_runtime();
    const char *names[] = {"ping", "pong", "pipe_source", "pipe_square", "pipe_sink"};
    const char *reg[] = {"ping", "pong", "source", "square", "sink"};
    wactor_module *mods[5];
    wactor_pid pids[5];
    for (int i = 0; i < 5; i++) {
        mods[i] = load(rt, WACTOR_EXAMPLES, names[i]);
        pids[i] = spawn(rt, mods[i], reg[i]);
    }
    send_json(rt, pids[0], "{\"count\":3}");
    send_json(rt, pids[2], "{\"numbers\":[1,2,3,4]}");
    assert_int_equal(wactor_wait_idle(rt, 10000), WACTOR_OK);
    assert_true(log_has("[ping] ping: done"));
    assert_true(log_count("[pong]") >= 3);
    wactor_value res;
    size_t n = 0;
    assert_int_equal(wactor_invoke_values(rt, pids[4], "total", NULL, 0, &res, 1, &n, 5000, NULL), WACTOR_OK);
    assert_int_equal(res.of.i64, 1 + 4 + 9 + 16);
    wactor_stats st;
    wactor_stats_get(rt, &st);
    assert_true(st.delivered >= 2 + 6 + 4 + 4);
    assert_int_equal(st.traps, 0);
    wactor_runtime_destroy(rt);
    for (int i = 0; i < 5; i++) wactor_module_release(mods[i]);
}

/* ------------------------------------------------------------------ lifecycle */

static void test_lifecycle_exports(void **state) {
    (void)state;
    wactor_runtime *rt = new_runtime();
    wactor_module *m = load(rt, WACTOR_FIXTURES, "comp_lifecycle");
    wactor_pid pid = spawn(rt, m, "life");
    assert_true(wait_log("[life] started", 2000));
    wactor_health_status hs;
    char reason[64];
    assert_int_equal(wactor_health(rt, pid, 5000, &hs, reason, sizeof reason), WACTOR_OK);
    assert_int_equal(hs, WACTOR_HEALTHY);
    wactor_value a = i32(1), res;
    size_t n;
    assert_int_equal(wactor_invoke_values(rt, pid, "set_health", &a, 1, &res, 1, &n, 5000, NULL), WACTOR_OK);
    assert_int_equal(wactor_health(rt, pid, 5000, &hs, reason, sizeof reason), WACTOR_OK);
    assert_int_equal(hs, WACTOR_DEGRADED);
    assert_string_equal(reason, "disk almost full");
    a = i32(2);
    assert_int_equal(wactor_invoke_values(rt, pid, "set_health", &a, 1, &res, 1, &n, 5000, NULL), WACTOR_OK);
    assert_int_equal(wactor_health(rt, pid, 5000, &hs, reason, sizeof reason), WACTOR_OK);
    assert_int_equal(hs, WACTOR_UNHEALTHY);

    /* memory cap: the module allows 8 pages; growing past it returns -1 */
    a = i32(7);
    assert_int_equal(wactor_invoke_values(rt, pid, "grow", &a, 1, &res, 1, &n, 5000, NULL), WACTOR_OK);
    assert_int_equal(res.of.i32, 1);
    a = i32(1);
    assert_int_equal(wactor_invoke_values(rt, pid, "grow", &a, 1, &res, 1, &n, 5000, NULL), WACTOR_OK);
    assert_int_equal(res.of.i32, -1);

    assert_int_equal(wactor_stop(rt, pid, 1000), WACTOR_OK);
    assert_true(log_has("[life] cleaning up"));
    wactor_runtime_destroy(rt);
    wactor_module_release(m);
}

static void test_memory_cap_option(void **state) {
    (void)state;
    wactor_runtime *rt = new_runtime();
    wactor_module *m = load(rt, WACTOR_FIXTURES, "comp_lifecycle");
    wactor_spawn_opts opts = {.memory_pages = 2};
    wactor_pid pid;
    assert_int_equal(wactor_spawn(rt, m, &opts, &pid, NULL), WACTOR_OK);
    wactor_value a = i32(1), res;
    size_t n;
    assert_int_equal(wactor_invoke_values(rt, pid, "grow", &a, 1, &res, 1, &n, 5000, NULL), WACTOR_OK);
    assert_int_equal(res.of.i32, 1);
    assert_int_equal(wactor_invoke_values(rt, pid, "grow", &a, 1, &res, 1, &n, 5000, NULL), WACTOR_OK);
    assert_int_equal(res.of.i32, -1);
    wactor_runtime_destroy(rt);
    wactor_module_release(m);
}

static void test_host_trap_on_bad_pointer(void **state) {
    (void)state;
    wactor_runtime *rt = new_runtime();
    wactor_module *m = load(rt, WACTOR_FIXTURES, "comp_lifecycle");
    wactor_pid pid = spawn(rt, m, NULL);
    wactor_value res;
    size_t n;
    wactor_diag d = {0};
    assert_int_equal(wactor_invoke_values(rt, pid, "bad_log", NULL, 0, &res, 1, &n, 5000, &d), WACTOR_ETRAP);
    assert_int_equal(d.trap, WACTOR_TRAP_HOST);
    assert_non_null(strstr(d.message, "outside linear memory"));
    wactor_runtime_destroy(rt);
    wactor_module_release(m);
}

static void test_start_failure(void **state) {
    (void)state;
    wactor_runtime *rt = new_runtime();
    wactor_module *m = load(rt, WACTOR_FIXTURES, "comp_badstart");
    wactor_pid pid = 0;
    wactor_diag d = {0};
    wactor_spawn_opts opts = {.name = "bad"};
    wactor_error err = wactor_spawn(rt, m, &opts, &pid, &d);
    if (err != WACTOR_ETRAP) fprintf(stderr, "spawn: %s: %s\n", wactor_strerror(err), d.message);
    assert_int_equal(err, WACTOR_ETRAP);
    assert_int_equal(d.trap, WACTOR_TRAP_START);
    assert_non_null(strstr(d.message, "unreachable"));
    assert_int_equal(wactor_whereis(rt, "bad"), 0);
    wactor_runtime_destroy(rt);
    wactor_module_release(m);
}

static void test_dead_letters_and_names(void **state) {
    (void)state;
    wactor_runtime *rt = new_runtime();
    wactor_module *m = load(rt, WACTOR_FIXTURES, "comp_nohandler");
    wactor_pid pid = spawn(rt, m, "quiet");
    assert_int_equal(wactor_whereis(rt, "quiet"), pid);
    wactor_pid other;
    wactor_spawn_opts opts = {.name = "quiet"};
    assert_int_equal(wactor_spawn(rt, m, &opts, &other, NULL), WACTOR_EEXIST);
    assert_int_equal(wactor_send(rt, pid, "\x80\x04{}", 4), WACTOR_OK);
    assert_int_equal(wactor_send(rt, pid, "\x80\x04{}", 4), WACTOR_OK);
    assert_int_equal(wactor_wait_idle(rt, 5000), WACTOR_OK);
    wactor_actor_info info;
    assert_int_equal(wactor_info(rt, pid, &info), WACTOR_OK);
    assert_int_equal(info.dead_letters, 2);
    assert_int_equal(info.state, WACTOR_READY); /* a warning, not a crash */
    assert_true(log_has("no handle-message"));
    assert_int_equal(wactor_send(rt, 999999, "x", 1), WACTOR_ENOENT);
    assert_int_equal(wactor_register(rt, pid, "alias"), WACTOR_OK);
    assert_int_equal(wactor_whereis(rt, "alias"), pid);
    assert_int_equal(wactor_unregister(rt, "alias"), WACTOR_OK);
    assert_int_equal(wactor_whereis(rt, "alias"), 0);
    wactor_runtime_destroy(rt);
    wactor_module_release(m);
}

/* ------------------------------------------------------------------ runaway components */

static void test_fuel_and_fairness(void **state) {
    (void)state;
    wactor_runtime *rt = new_runtime();
    wactor_module *loop = load(rt, WACTOR_FIXTURES, "comp_looper");
    wactor_module *calc = load(rt, WACTOR_EXAMPLES, "calc");
    /* two components spin forever in handle-message on a 2-thread runtime */
    wactor_pid s1 = spawn(rt, loop, "spin1"), s2 = spawn(rt, loop, "spin2");
    assert_int_equal(wactor_send(rt, s1, "\x80\x04{}", 4), WACTOR_OK);
    assert_int_equal(wactor_send(rt, s2, "\x80\x04{}", 4), WACTOR_OK);
    wactor_pid c = spawn(rt, calc, "calc");
    wactor_value args[2] = {i32(20), i32(22)}, res;
    size_t n;
    for (int i = 0; i < 20; i++) { /* the neighbour keeps answering */
        assert_int_equal(wactor_invoke_values(rt, c, "add", args, 2, &res, 1, &n, 5000, NULL), WACTOR_OK);
        assert_int_equal(res.of.i32, 42);
    }
    /* fuel turns a runaway into a trap */
    wactor_spawn_opts opts = {.fuel = 100000};
    wactor_pid f;
    assert_int_equal(wactor_spawn(rt, loop, &opts, &f, NULL), WACTOR_OK);
    wactor_value cnt = {.type = WACTOR_I64, .of.i64 = 1000};
    assert_int_equal(wactor_invoke_values(rt, f, "count", &cnt, 1, &res, 1, &n, 5000, NULL), WACTOR_OK);
    assert_int_equal(res.of.i64, 1000); /* under the limit: fine, and fuel is per invocation */
    assert_int_equal(wactor_invoke_values(rt, f, "count", &cnt, 1, &res, 1, &n, 5000, NULL), WACTOR_OK);
    wactor_diag d = {0};
    assert_int_equal(wactor_invoke_values(rt, f, "spin", NULL, 0, &res, 1, &n, 5000, &d), WACTOR_ETRAP);
    assert_int_equal(d.trap, WACTOR_TRAP_FUEL_EXHAUSTED);
    /* shutdown with spinning components still ends (they are killed after the timeout) */
    wactor_runtime_destroy(rt);
    wactor_module_release(loop);
    wactor_module_release(calc);
}

static void test_cleanup_timeout(void **state) {
    (void)state;
    wactor_runtime *rt = new_runtime();
    wactor_module *m = load(rt, WACTOR_FIXTURES, "comp_slowcleanup");
    wactor_pid pid = spawn(rt, m, NULL);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(wactor_stop(rt, pid, 200), WACTOR_OK);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
    assert_true(ms >= 150 && ms < 3000);
    assert_true(log_has("_cleanup timed out"));
    wactor_runtime_destroy(rt);
    wactor_module_release(m);
}

static void test_malformed_module(void **state) {
    (void)state;
    wactor_runtime *rt = new_runtime();
    wactor_module *m = NULL;
    wactor_diag d = {0};
    const uint8_t truncated[] = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00};
    assert_int_equal(wactor_module_load(rt, truncated, sizeof truncated, &m, &d), WACTOR_EMODULE);
    assert_true(strlen(d.message) > 0);
    assert_int_equal(wactor_module_load_file(rt, "/nonexistent.wasm", &m, &d), WACTOR_ENOENT);
    wactor_runtime_destroy(rt);
}

/* ------------------------------------------------------------------ the embedding program subscribes */

static pthread_mutex_t pub_lock = PTHREAD_MUTEX_INITIALIZER;
static char pub_topics[256];
static int pub_count;

static void on_publication(void *user, const char *topic, wactor_pid from, const void *payload, size_t len) {
    (void)from;
    pthread_mutex_lock(&pub_lock);
    pub_count++;
    size_t n = strlen(pub_topics);
    snprintf(pub_topics + n, sizeof pub_topics - n, "%s%s=%.*s;", (const char *)user, topic, (int)len - 2,
             (const char *)payload + 2);
    pthread_mutex_unlock(&pub_lock);
}

static void test_host_subscription(void **state) {
    (void)state;
    wactor_runtime *rt = new_runtime();
    wactor_pid sub = 0;
    assert_int_equal(wactor_subscribe(rt, "t.bad..x", on_publication, "", &sub), WACTOR_EINVAL);
    assert_int_equal(wactor_subscribe(rt, "t.>", on_publication, "", &sub), WACTOR_OK);
    size_t reached = 0;
    assert_int_equal(wactor_publish(rt, "t.x", "\x80\x04" "1", 3, &reached), WACTOR_OK);
    assert_int_equal(reached, 1);
    assert_int_equal(wactor_publish(rt, "u.x", "\x80\x04" "2", 3, &reached), WACTOR_OK);
    assert_int_equal(reached, 0);
    assert_int_equal(wactor_publish(rt, "t.y.z", "\x80\x04" "3", 3, &reached), WACTOR_OK);
    assert_int_equal(wactor_publish(rt, "t.*", "\x80\x04" "4", 3, &reached), WACTOR_EINVAL); /* no wildcards */
    assert_int_equal(wactor_wait_idle(rt, 5000), WACTOR_OK);
    pthread_mutex_lock(&pub_lock);
    assert_int_equal(pub_count, 2);
    assert_string_equal(pub_topics, "t.x=1;t.y.z=3;");
    pthread_mutex_unlock(&pub_lock);
    assert_int_equal(wactor_stop(rt, sub, 1000), WACTOR_OK); /* ends the subscription */
    assert_int_equal(wactor_publish(rt, "t.x", "\x80\x04" "5", 3, &reached), WACTOR_OK);
    assert_int_equal(reached, 0);
    wactor_runtime_destroy(rt);
}

/* The runtime keeps what it knows of ended components in a ring of the 4096 most recent (RUNTIME_EXIT_RING):
 * wactor_info of an older, reaped pid is ENOENT, of a recent one still works; wactor_totals keeps counting
 * every instance ever started under the name (the reaped ones are folded in when they end). */
static void test_info_bounded(void **state) {
    (void)state;
    wactor_runtime *rt = new_runtime();
    wactor_module *m = load(rt, WACTOR_FIXTURES, "msg_silent");
    enum { N = 4096 + 300 };
    wactor_pid first = 0, last = 0;
    const uint8_t msg[] = {0x80, 0x04, '1'};
    for (int i = 0; i < N; i++) {
        wactor_pid pid = spawn(rt, m, "soak"); /* with capabilities: each instance holds a reference */
        assert_int_equal(wactor_send(rt, pid, msg, sizeof msg), WACTOR_OK); /* a dead letter: no handler */
        assert_int_equal(wactor_stop(rt, pid, 1000), WACTOR_OK);
        if (!first) first = pid;
        last = pid;
    }
    assert_int_equal(wactor_wait_idle(rt, 10000), WACTOR_OK);
    wactor_actor_info info;
    for (int tries = 0; wactor_info(rt, first, &info) != WACTOR_ENOENT && tries < 200; tries++) sleep_ms(10);
    assert_int_equal(wactor_info(rt, first, &info), WACTOR_ENOENT); /* reaped */
    assert_int_equal(wactor_info(rt, first + 1, &info), WACTOR_ENOENT);
    assert_int_equal(wactor_info(rt, last, &info), WACTOR_OK);     /* recent */
    assert_int_equal(info.state, WACTOR_TERMINATED);
    assert_int_equal(info.dead_letters, 1);
    assert_int_equal(wactor_info(rt, 0, &info), WACTOR_ENOENT);
    assert_int_equal(wactor_info(rt, UINT64_MAX, &info), WACTOR_ENOENT);
    wactor_actor_info tot;
    assert_int_equal(wactor_totals(rt, "soak", &tot), WACTOR_OK);
    assert_int_equal(tot.dead_letters, N);                         /* every instance, reaped ones too */
    assert_int_equal(tot.state, WACTOR_TERMINATED);
    assert_true(tot.created_ns > 0 && tot.created_ns <= info.created_ns);
    assert_int_equal(wactor_totals(rt, "never", &tot), WACTOR_ENOENT);
    /* a live one is counted live, then folded: the sum does not change when it ends */
    wactor_pid live = spawn(rt, m, "soak");
    assert_int_equal(wactor_send(rt, live, msg, sizeof msg), WACTOR_OK);
    assert_int_equal(wactor_wait_idle(rt, 5000), WACTOR_OK);
    assert_int_equal(wactor_totals(rt, "soak", &tot), WACTOR_OK);
    assert_int_equal(tot.dead_letters, N + 1);
    assert_int_equal(tot.state, WACTOR_READY);
    assert_int_equal(wactor_stop(rt, live, 1000), WACTOR_OK);
    assert_int_equal(wactor_wait_idle(rt, 5000), WACTOR_OK);
    assert_int_equal(wactor_totals(rt, "soak", &tot), WACTOR_OK);
    assert_int_equal(tot.dead_letters, N + 1);
    assert_int_equal(tot.state, WACTOR_TERMINATED);
    wactor_stats st;
    wactor_stats_get(rt, &st);
    assert_int_equal(st.actors, 0); /* the runtime's own bookkeeping actor is not counted */
    wactor_module_release(m);
    wactor_runtime_destroy(rt);
}

/* Totals are kept per whole name: two names alike in their first 100 bytes are two components (the record
 * used to keep 63 bytes of the name, so such names shared one total). */
static void test_totals_long_names(void **state) {
    (void)state;
    wactor_runtime *rt = new_runtime();
    wactor_module *m = load(rt, WACTOR_FIXTURES, "msg_silent");
    char a[201], b[201];
    memset(a, 'n', 200);
    a[200] = '\0';
    memcpy(b, a, sizeof b);
    b[199] = 'x';
    const uint8_t msg[] = {0x80, 0x04, '1'};
    wactor_pid pa = spawn(rt, m, a), pb = spawn(rt, m, b);
    for (int i = 0; i < 3; i++) assert_int_equal(wactor_send(rt, pa, msg, sizeof msg), WACTOR_OK);
    assert_int_equal(wactor_send(rt, pb, msg, sizeof msg), WACTOR_OK);
    assert_int_equal(wactor_wait_idle(rt, 5000), WACTOR_OK);
    wactor_actor_info ta, tb;
    assert_int_equal(wactor_totals(rt, a, &ta), WACTOR_OK);
    assert_int_equal(wactor_totals(rt, b, &tb), WACTOR_OK);
    assert_int_equal(ta.dead_letters, 3);
    assert_int_equal(tb.dead_letters, 1);
    a[100] = '\0'; /* a prefix is no name of theirs */
    assert_int_equal(wactor_totals(rt, a, &ta), WACTOR_ENOENT);
    wactor_runtime_destroy(rt);
    wactor_module_release(m);
}

/* The embedding API's default log sink (config.log == NULL: stderr) escapes guest text: no forged line, no
 * terminal sequence, no raw NUL. */
static void test_default_log_sink_escapes(void **state) {
    (void)state;
    char path[] = "/tmp/wactor-test-stderr-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    fflush(stderr);
    int saved = dup(STDERR_FILENO);
    assert_true(saved >= 0);
    assert_true(dup2(fd, STDERR_FILENO) >= 0);
    wactor_config cfg = {.threads = 2};
    wactor_runtime *rt = NULL;
    assert_int_equal(wactor_runtime_create(&cfg, &rt), WACTOR_OK);
    wactor_module *m = load(rt, WACTOR_FIXTURES, "cli_evillog");
    wactor_spawn_opts opts = {.name = "evil\x1b]0;title\x07"}; /* the name is escaped too */
    wactor_pid pid = 0;
    assert_int_equal(wactor_spawn(rt, m, &opts, &pid, NULL), WACTOR_OK);
    assert_int_equal(wactor_wait_idle(rt, 5000), WACTOR_OK);
    wactor_runtime_destroy(rt);
    wactor_module_release(m);
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    char buf[4096] = "";
    ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
    close(fd);
    unlink(path);
    assert_true(n > 0);
    buf[n] = '\0';
    assert_non_null(strstr(buf, "[evil\\x1b]0;title\\x07] hi\\n[other] forged\\x1b[2J\\x07\n"));
    assert_non_null(strstr(buf, "] nul\\x00here \\xff end\n"));
    assert_null(strstr(buf, "\n[other]"));
    assert_null(memchr(buf, 0x1b, (size_t)n));
    assert_null(memchr(buf, 0x07, (size_t)n));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_calc_typed_exports),     cmocka_unit_test(test_invoke_multicodec),
        cmocka_unit_test(test_counter_keeps_state),    cmocka_unit_test(test_ping_pong_and_pipeline),
        cmocka_unit_test(test_lifecycle_exports),      cmocka_unit_test(test_memory_cap_option),
        cmocka_unit_test(test_host_trap_on_bad_pointer), cmocka_unit_test(test_start_failure),
        cmocka_unit_test(test_dead_letters_and_names), cmocka_unit_test(test_fuel_and_fairness),
        cmocka_unit_test(test_cleanup_timeout),        cmocka_unit_test(test_malformed_module),
        cmocka_unit_test(test_host_subscription),      cmocka_unit_test(test_info_bounded),
        cmocka_unit_test(test_default_log_sink_escapes),
        cmocka_unit_test(test_totals_long_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
