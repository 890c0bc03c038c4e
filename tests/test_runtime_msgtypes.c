/* test_runtime_msgtypes.c — supervisors and components do not take each other's messages (docs/ABI.md,
 * "Kinds of actor"): each behaviour has its own range of message types, and a message of the wrong kind is
 * refused at the send with WACTOR_EINVAL (guests: WACTOR_ERR_INVAL) — never answered with the receiver's
 * data, never read as one of its own messages.
 *
 * Attacked through the embedding API (wactor_ask / _send / _invoke / _health to a supervisor; every
 * supervisor call on a component, a host actor and a host subscriber) and through the guest ABI (a guest
 * granted `send` and `request` to a supervisor's name: tests/fixtures/caps_probe.wat). After each refusal
 * the receiver is shown to be intact: the supervisor still answers which_children with its real children,
 * the component still runs and answers, the host actor's receive was never called. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "runtime_support.h"
#include "wactor.h"
#include "wactor_host.h"

static void quiet(void *user, wactor_log_level level, const char *name, const char *line, size_t len) {
    (void)user, (void)level, (void)name, (void)line, (void)len;
}

static wactor_runtime *new_runtime(void) {
    wactor_config cfg = {.threads = 2, .log = quiet};
    wactor_runtime *rt = NULL;
    assert_int_equal(wactor_runtime_create(&cfg, &rt), WACTOR_OK);
    return rt;
}

static wactor_value vi(int32_t v) { return (wactor_value){.type = WACTOR_I32, .of.i32 = v}; }

/* caps_probe's layout (see the fixture). */
enum { SCRATCH = 0, MSGS = 4096, REPLIES = 4100, REPLY_SIZE = 4108, PAYLOAD = 8192 };

static int64_t inv(wactor_runtime *rt, wactor_pid pid, const char *fn, const wactor_value *args, size_t n) {
    wactor_value res[1];
    size_t nres = 0;
    wactor_diag d = {0};
    wactor_error err = wactor_invoke_values(rt, pid, fn, args, n, res, 1, &nres, 10000, &d);
    if (err) fprintf(stderr, "invoke %s: %s: %s\n", fn, wactor_strerror(err), d.message);
    assert_int_equal(err, WACTOR_OK);
    if (!nres) return 0;
    return res[0].type == WACTOR_I64 ? res[0].of.i64 : res[0].of.i32;
}

static int32_t peek32(wactor_runtime *rt, wactor_pid pid, int32_t at) {
    wactor_value a = vi(at);
    return (int32_t)inv(rt, pid, "peek32", &a, 1);
}

static void poke32(wactor_runtime *rt, wactor_pid pid, int32_t at, int32_t v) {
    wactor_value a[2] = {vi(at), vi(v)};
    inv(rt, pid, "poke32", a, 2);
}

/* The probe calls import `fn` (do_send / do_request) on the address `to`, with a 4-byte payload. */
static int64_t guest_call(wactor_runtime *rt, wactor_pid pid, const char *fn, const char *to) {
    size_t len = strlen(to);
    for (size_t i = 0; i < len; i++) {
        wactor_value a[2] = {vi((int32_t)(SCRATCH + i)), vi((unsigned char)to[i])};
        inv(rt, pid, "poke8", a, 2);
    }
    if (strcmp(fn, "do_request") == 0) {
        wactor_value a[5] = {vi(SCRATCH), vi((int32_t)len), vi(PAYLOAD), vi(4), vi(5000)};
        return inv(rt, pid, fn, a, 5);
    }
    wactor_value a[4] = {vi(SCRATCH), vi((int32_t)len), vi(PAYLOAD), vi(4)};
    return inv(rt, pid, fn, a, 4);
}

/* A one_for_one supervisor "root" with one caps_probe child "w" (registered as "worker"). */
static wactor_pid start_tree(wactor_runtime *rt, wactor_module *m) {
    wactor_child_spec child = {.id = "w", .module = m, .spawn = {.name = "worker"}, .restart = WACTOR_PERMANENT};
    wactor_sup_spec spec = {.name = "root", .strategy = WACTOR_ONE_FOR_ONE, .children = &child, .nchildren = 1};
    wactor_pid sup = 0;
    wactor_diag d = {0};
    wactor_error err = wactor_supervisor_start(rt, &spec, &sup, &d);
    if (err) fprintf(stderr, "supervisor_start: %s\n", d.message);
    assert_int_equal(err, WACTOR_OK);
    return sup;
}

/* The supervisor is intact: it answers with its one real child, running as `worker`, never restarted. */
static void assert_tree_intact(wactor_runtime *rt, wactor_pid sup) {
    wactor_child_info ci[4];
    size_t n = 0;
    assert_int_equal(wactor_which_children(rt, sup, ci, 4, &n), WACTOR_OK);
    assert_int_equal(n, 1);
    assert_string_equal(ci[0].id, "w");
    assert_int_equal(ci[0].pid, wactor_whereis(rt, "worker"));
    assert_true(ci[0].pid != 0);
    assert_int_equal(ci[0].restarts, 0);
    wactor_child_counts cc;
    assert_int_equal(wactor_count_children(rt, sup, &cc), WACTOR_OK);
    assert_int_equal(cc.specs, 1);
    assert_int_equal(cc.active, 1);
    assert_int_equal(cc.workers, 1);
}

/* ------------------------------------------------------------------ the embedding API to a supervisor */

static void test_ask_send_invoke_health_to_supervisor_refused(void **st) {
    (void)st;
    wactor_runtime *rt = new_runtime();
    wactor_module *m = load_module(rt, WACTOR_FIXTURES, "caps_probe");
    wactor_pid sup = start_tree(rt, m);

    /* ask: refused at once, no reply bytes (before the fix: its which_children array, 176 bytes) */
    void *reply = (void *)&reply; /* not NULL: must be left alone or cleared, never a supervisor's data */
    size_t reply_len = 12345;
    wactor_diag d = {0};
    static const uint8_t payload[] = {0x80, 0x04, 'h', 'i'};
    assert_int_equal(wactor_ask(rt, sup, payload, sizeof payload, 5000, &reply, &reply_len, &d), WACTOR_EINVAL);
    assert_non_null(strstr(d.message, "not a component"));
    assert_true(reply == (void *)&reply || reply == NULL);
    assert_true(reply_len == 12345 || reply_len == 0);
    /* an empty request too (the size of the payload is not what decides) */
    assert_int_equal(wactor_ask(rt, sup, NULL, 0, 5000, &reply, &reply_len, NULL), WACTOR_EINVAL);

    /* send: refused too — not queued, not a dead letter: the sender learns it at once */
    assert_int_equal(wactor_send(rt, sup, payload, sizeof payload), WACTOR_EINVAL);
    assert_int_equal(wactor_send(rt, sup, NULL, 0), WACTOR_EINVAL);

    /* invoke / invoke_values / health: a supervisor has no exports and no _health */
    void *res = NULL;
    size_t res_len = 0;
    memset(&d, 0, sizeof d);
    assert_int_equal(wactor_invoke(rt, sup, "peek32", NULL, 0, 5000, &res, &res_len, &d), WACTOR_EINVAL);
    assert_null(res);
    assert_non_null(strstr(d.message, "not a component"));
    wactor_value a = vi(MSGS), r[1];
    size_t nr = 0;
    assert_int_equal(wactor_invoke_values(rt, sup, "peek32", &a, 1, r, 1, &nr, 5000, NULL), WACTOR_EINVAL);
    wactor_health_status hs = WACTOR_HEALTHY;
    assert_int_equal(wactor_health(rt, sup, 5000, &hs, NULL, 0), WACTOR_EINVAL);

    /* the supervisor read none of it as a request of its own, and nobody was restarted */
    assert_tree_intact(rt, sup);
    wactor_pid w = wactor_whereis(rt, "worker");
    assert_int_equal(peek32(rt, w, MSGS), 0); /* nothing was forwarded to the child either */

    /* its child still takes component messages: the ranges did not break ordinary traffic */
    assert_int_equal(wactor_send(rt, w, payload, sizeof payload), WACTOR_OK);
    WAIT_FOR(peek32(rt, w, MSGS) == 1);
    poke32(rt, w, REPLY_SIZE, 3);
    reply = NULL;
    assert_int_equal(wactor_ask(rt, w, payload, sizeof payload, 5000, &reply, &reply_len, NULL), WACTOR_OK);
    assert_int_equal(reply_len, 3);
    free(reply);

    /* a stopped supervisor's pid is still "no such actor", not "wrong kind" */
    assert_int_equal(wactor_stop(rt, sup, 5000), WACTOR_OK);
    assert_int_equal(wactor_send(rt, sup, payload, sizeof payload), WACTOR_ENOENT);
    assert_int_equal(wactor_which_children(rt, sup, NULL, 0, &nr), WACTOR_ENOENT);
    wactor_module_release(m);
    wactor_runtime_destroy(rt);
}

/* ------------------------------------------------------------------ the guest ABI to a supervisor */

static void test_guest_send_request_to_supervisor_refused(void **st) {
    (void)st;
    wactor_runtime *rt = new_runtime();
    wactor_module *m = load_module(rt, WACTOR_FIXTURES, "caps_probe");
    wactor_pid sup = start_tree(rt, m);
    static const char *const grant[] = {"root"};
    wactor_caps caps = {.send = grant, .nsend = 1, .request = grant, .nrequest = 1};
    wactor_spawn_opts o = {.name = "asker", .caps = &caps};
    wactor_pid g = spawn_module(rt, m, &o);
    wactor_actor_info before;
    assert_int_equal(wactor_info(rt, g, &before), WACTOR_OK);

    const int32_t INVAL = -(int32_t)WACTOR_EINVAL;
    /* granted, alive, and still refused: a supervisor takes no component messages */
    assert_int_equal(guest_call(rt, g, "do_request", "root"), INVAL);
    assert_int_equal(guest_call(rt, g, "do_send", "root"), INVAL);
    char pid[32];
    snprintf(pid, sizeof pid, "#%llu", (unsigned long long)sup);
    /* by pid: granted too (it holds the granted name "root", docs/ABI.md "Targets"), refused the same way */
    assert_int_equal(guest_call(rt, g, "do_request", pid), INVAL);

    /* no reply ever reaches the guest (before the fix: the which_children array as a reply) */
    assert_int_equal(peek32(rt, g, REPLIES), 0);
    wactor_actor_info after;
    assert_int_equal(wactor_info(rt, g, &after), WACTOR_OK);
    assert_int_equal(after.refused, before.refused + 3); /* counted as refusals */
    assert_int_equal(after.state, WACTOR_READY);

    /* a request to a component still works from the same guest (the worker answers 2 bytes) */
    wactor_pid w = wactor_whereis(rt, "worker");
    poke32(rt, w, REPLY_SIZE, 2);
    static const char *const both[] = {"root", "worker"};
    wactor_caps caps2 = {.send = both, .nsend = 2, .request = both, .nrequest = 2};
    wactor_spawn_opts o2 = {.name = "asker2", .caps = &caps2};
    wactor_pid g2 = spawn_module(rt, m, &o2);
    assert_true(guest_call(rt, g2, "do_request", "worker") > 0); /* a request id */
    WAIT_FOR(peek32(rt, g2, REPLIES) == 1);
    assert_int_equal(guest_call(rt, g2, "do_request", "root"), INVAL);
    sleep_ms(50); /* a stray reply would be queued already: the refusal is synchronous */
    assert_int_equal(peek32(rt, g2, REPLIES), 1);

    assert_tree_intact(rt, sup);
    wactor_module_release(m);
    wactor_runtime_destroy(rt);
}

/* ------------------------------------------------------------------ supervisor calls on other actors */

typedef struct host_counts {
    int received;
} host_counts;

static wactor_error count_receive(wactor_host_ctx *ctx, const wactor_host_msg *msg) {
    (void)msg;
    host_counts *c = wactor_host_state(ctx);
    __atomic_fetch_add(&c->received, 1, __ATOMIC_SEQ_CST);
    return WACTOR_OK;
}

static void subscriber_fn(void *user, const char *topic, wactor_pid from, const void *payload, size_t len) {
    (void)user, (void)topic, (void)from, (void)payload, (void)len;
}

/* Every supervisor call on `pid` (not a supervisor) fails with WACTOR_EINVAL. */
static void assert_not_a_supervisor(wactor_runtime *rt, wactor_pid pid, wactor_module *m) {
    wactor_child_info ci[4];
    size_t n = 77;
    assert_int_equal(wactor_which_children(rt, pid, ci, 4, &n), WACTOR_EINVAL);
    assert_int_equal(wactor_which_children(rt, pid, NULL, 0, &n), WACTOR_EINVAL);
    wactor_child_counts cc = {0};
    assert_int_equal(wactor_count_children(rt, pid, &cc), WACTOR_EINVAL);
    wactor_child_spec spec = {.id = "x", .module = m, .restart = WACTOR_TEMPORARY};
    wactor_pid out = 0;
    assert_int_equal(wactor_start_child(rt, pid, &spec, &out), WACTOR_EINVAL);
    assert_int_equal(out, 0);
    assert_int_equal(wactor_start_child(rt, pid, NULL, &out), WACTOR_EINVAL);
    assert_int_equal(wactor_terminate_child(rt, pid, "x", 0), WACTOR_EINVAL);
    assert_int_equal(wactor_terminate_child(rt, pid, NULL, pid), WACTOR_EINVAL);
    assert_int_equal(wactor_restart_child(rt, pid, "x"), WACTOR_EINVAL);
    assert_int_equal(wactor_delete_child(rt, pid, "x"), WACTOR_EINVAL);
}

static void test_supervisor_calls_on_non_supervisors(void **st) {
    (void)st;
    wactor_runtime *rt = new_runtime();
    wactor_module *m = load_module(rt, WACTOR_FIXTURES, "caps_probe");

    /* a component: refused, and it is untouched (before the fix start_child said "the component trapped") */
    wactor_spawn_opts o = {.name = "comp"};
    wactor_pid comp = spawn_module(rt, m, &o);
    assert_not_a_supervisor(rt, comp, m);
    wactor_actor_info info;
    assert_int_equal(wactor_info(rt, comp, &info), WACTOR_OK);
    assert_int_equal(info.state, WACTOR_READY);
    assert_int_equal(info.traps, 0);
    assert_int_equal(peek32(rt, comp, MSGS), 0);
    static const uint8_t payload[] = {0x80, 0x04, 'h', 'i'};
    assert_int_equal(wactor_send(rt, comp, payload, sizeof payload), WACTOR_OK);
    WAIT_FOR(peek32(rt, comp, MSGS) == 1);

    /* a host actor: refused; its receive never saw any of it, and it still receives its own messages */
    host_counts *hc = calloc(1, sizeof *hc);
    assert_non_null(hc);
    wactor_host_behaviour hb = {.name = "counter", .receive = count_receive};
    wactor_pid host = 0;
    assert_int_equal(wactor_host_spawn(rt, &hb, hc, NULL, &host, NULL), WACTOR_OK);
    assert_not_a_supervisor(rt, host, m);
    assert_int_equal(wactor_send(rt, host, payload, sizeof payload), WACTOR_OK);
    WAIT_FOR(__atomic_load_n(&hc->received, __ATOMIC_SEQ_CST) == 1);
    sleep_ms(20);
    assert_int_equal(__atomic_load_n(&hc->received, __ATOMIC_SEQ_CST), 1); /* only the send */

    /* a host subscriber (a native actor): refused too */
    wactor_pid sub = 0;
    assert_int_equal(wactor_subscribe(rt, "t.>", subscriber_fn, NULL, &sub), WACTOR_OK);
    assert_not_a_supervisor(rt, sub, m);

    /* a dead pid stays "no such supervisor" */
    assert_int_equal(wactor_stop(rt, comp, 5000), WACTOR_OK);
    size_t n = 0;
    assert_int_equal(wactor_which_children(rt, comp, NULL, 0, &n), WACTOR_ENOENT);
    assert_int_equal(wactor_restart_child(rt, comp, "x"), WACTOR_ENOENT);

    wactor_module_release(m);
    wactor_runtime_destroy(rt);
    free(hc); /* the host actor's state: it has no post_stop, so it stays ours */
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ask_send_invoke_health_to_supervisor_refused),
        cmocka_unit_test(test_guest_send_request_to_supervisor_refused),
        cmocka_unit_test(test_supervisor_calls_on_non_supervisors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
