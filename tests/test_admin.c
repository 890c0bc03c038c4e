/*
 * test_admin.c — the operator's command layer (src/admin/), shared by the stdin console and the admin HTTP
 * server, against real components (examples/crasher, kv): the console's parsing (one strict pid syntax,
 * arity, JSON validated before anything is sent, line bounds), what the answers say (ps, a request that
 * got no reply, start_child on a supervisor that cannot), and which commands end the session.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "admin/admin.h"
#include "runtime_support.h"

static void quiet_log(void *user, wactor_log_level level, const char *name, const char *line, size_t len) {
    (void)user, (void)level, (void)name, (void)line, (void)len;
}

static wactor_runtime *rt;
static wactor_module *crasher, *kv;
static wactor_pid root, pool;

static int setup(void **state) {
    (void)state;
    wactor_config cfg = {.threads = 2, .log = quiet_log};
    if (wactor_runtime_create(&cfg, &rt)) return -1;
    crasher = load_module(rt, WACTOR_EXAMPLES, "crasher");
    kv = load_module(rt, WACTOR_EXAMPLES, "kv");
    wactor_child_spec kids[] = {
        {.id = "crasher", .module = crasher, .spawn = {.name = "crasher"}},
        {.id = "kv", .module = kv, .spawn = {.name = "kv"}},
    };
    wactor_sup_spec spec = {.name = "root", .strategy = WACTOR_ONE_FOR_ONE, .intensity = 20, .period_ms = 60000,
                            .children = kids, .nchildren = 2};
    wactor_diag d = {0};
    if (wactor_supervisor_start(rt, &spec, &root, &d)) return -1;
    wactor_child_spec tmpl[] = {{.id = "worker", .module = kv, .restart = WACTOR_TEMPORARY}};
    wactor_sup_spec pspec = {.name = "pool", .strategy = WACTOR_SIMPLE_ONE_FOR_ONE, .children = tmpl, .nchildren = 1};
    return wactor_supervisor_start(rt, &pspec, &pool, &d) ? -1 : 0;
}

static int teardown(void **state) {
    (void)state;
    wactor_runtime_destroy(rt);
    wactor_module_release(crasher);
    wactor_module_release(kv);
    return 0;
}

/* Runs `line`; returns the answer as compact JSON text (malloc'd) and its status. */
static char *run(const char *line, int *status, bool *end) {
    admin_session s;
    admin_session_init(&s);
    bool e = false;
    admin_answer a = admin_command(rt, &s, line, strlen(line), &e);
    if (end) *end = e;
    if (status) *status = a.status;
    char *text = a.json ? json_dumps(a.json, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
    json_decref(a.json);
    return text;
}

static void expect(const char *line, int status, const char *needle) {
    int st = 0;
    char *t = run(line, &st, NULL);
    if (st != status || !t || !strstr(t, needle)) fail_msg("'%s': got %d %s, want %d with '%s'", line, st, t, status, needle);
    free(t);
}

static uint64_t delivered(const char *name) {
    wactor_actor_info i;
    assert_int_equal(wactor_totals(rt, name, &i), WACTOR_OK);
    return i.messages;
}

static void test_ps_and_addresses(void **state) {
    (void)state;
    wactor_pid k = wactor_whereis(rt, "kv");
    char want[128], line[64];
    snprintf(want, sizeof want, "{\"pid\":%llu,\"address\":\"kv\",\"name\":\"kv\",\"state\":\"ready\",\"mailbox\":0}",
             (unsigned long long)k);
    expect("ps", 200, want);
    expect("list\r\n", 200, want);
    expect("ps extra", 400, "no arguments");
    /* one pid syntax: #N, strictly */
    snprintf(line, sizeof line, "info #%llu", (unsigned long long)k);
    expect(line, 200, "\"state\":\"ready\",\"messages\":");
    expect("info #01", 400, "malformed pid '#01'");
    expect("info #1x", 400, "malformed pid");
    expect("info #", 400, "malformed pid");
    expect("info #-1", 400, "malformed pid");
    expect("info #99999999999999999999", 400, "malformed pid");
    expect("info nosuch", 404, "no such actor");
    expect("info", 400, "one argument");
    expect("bogus", 400, "unknown command 'bogus'");
    expect("tree", 200, "{\"supervisors\":[{\"pid\":");
    expect("node", 200, "\"threads\":2");
    int st = 0;
    char *t = run("   ", &st, NULL);
    assert_null(t); /* an empty line: nothing to print */
    char *big = malloc(ADMIN_MAX_LINE + 2);
    memset(big, 'x', ADMIN_MAX_LINE + 1);
    big[ADMIN_MAX_LINE + 1] = 0;
    expect(big, 413, "line too long");
    free(big);
}

static void test_json_validated(void **state) {
    (void)state;
    assert_int_equal(wactor_wait_idle(rt, 10000), WACTOR_OK);
    uint64_t before = delivered("kv");
    expect("send kv {\"a\":", 400, "invalid JSON");
    expect("send kv {\"a\":1} trailing", 400, "invalid JSON");
    expect("send kv {\"a\":1,\"a\":2}", 400, "invalid JSON");
    expect("send kv", 400, "usage: send ADDRESS JSON");
    expect("publish a.b not-json", 400, "invalid JSON");
    expect("publish a.* 1", 400, "malformed topic");
    assert_int_equal(wactor_wait_idle(rt, 10000), WACTOR_OK);
    assert_int_equal(delivered("kv"), before); /* nothing was sent */
    expect("send kv {\"a\":1}", 200, "{\"ok\":true}");
    expect("send kv  [1, 2, 3]", 200, "{\"ok\":true}");
    assert_int_equal(wactor_wait_idle(rt, 10000), WACTOR_OK);
    assert_int_equal(delivered("kv"), before + 2);
    expect("ask kv {\"put\":\"x\",\"value\":\"\\u00e9\"}", 200, "{\"reply\":{\"ok\":true}}");
    expect("ask kv {\"get\":\"x\"}", 200, "{\"reply\":{\"value\":\"\xc3\xa9\"}}");
    /* a component that returns without replying: said so, not "no handler" */
    expect("ask crasher {\"hello\":1}", 409, "crasher did not reply");
}

static void test_supervisor_commands(void **state) {
    (void)state;
    expect("start_child root", 409, "not a simple_one_for_one supervisor");
    expect("start_child kv", 404, "not a supervisor");
    expect("which_children kv", 404, "not a supervisor");
    expect("terminate_child kv x", 404, "not a supervisor");
    expect("info kv", 200, "\"state\":\"ready\""); /* untouched */
    /* and the other way round: messages are for components only */
    expect("health root", 404, "root is not a component");
    expect("ask root {}", 404, "root is not a component");
    expect("send root {}", 404, "root is not a component");
    expect("count_children root", 200, "{\"specs\":2,\"active\":2");
    expect("which_children nosuch", 404, "no such actor");
    expect("count_children root", 200, "{\"specs\":2,\"active\":2,\"supervisors\":0,\"workers\":2}");
    expect("restart_child root kv", 409, "running");
    expect("terminate_child root", 400, "two arguments");
    int st = 0;
    char *t = run("start_child pool", &st, NULL);
    assert_int_equal(st, 200);
    unsigned long long child = 0;
    assert_int_equal(sscanf(t, "{\"pid\":%llu}", &child), 1);
    free(t);
    assert_true(child != 0);
    expect("count_children pool", 200, "\"active\":1");
    char line[64];
    snprintf(line, sizeof line, "terminate_child pool #%llu", child);
    expect(line, 200, "{\"ok\":true}");
    expect("terminate_child pool #0", 400, "malformed pid");
    wactor_actor_info ci;
    WAIT_FOR(wactor_info(rt, (wactor_pid)child, &ci) == WACTOR_OK && ci.state == WACTOR_TERMINATED);
    expect("count_children pool", 200, "\"active\":0");
}

static void test_session_end(void **state) {
    (void)state;
    bool end = false;
    int st = 0;
    char *t = run("help", &st, &end);
    assert_true(end);
    assert_non_null(strstr(t, "{\"commands\":[\"ps | list"));
    free(t);
    t = run("quit", &st, &end);
    assert_true(end);
    free(t);
    t = run("exit", &st, &end);
    assert_true(end);
    free(t);
    t = run("stats", &st, &end);
    assert_false(end);
    assert_non_null(strstr(t, "{\"actors\":"));
    free(t);
}

/* Hostile input: 20,000 lines built from command words, addresses, JSON fragments and random bytes
 * (a fixed seed: the same lines every run). Every answer is an object or array with a status, and the
 * system is unharmed afterwards. */
static void test_random_lines(void **state) {
    (void)state;
    static const char *const parts[] = {
        "ps", "info", "send", "ask", "publish", "health", "which_children", "count_children", "start_child",
        "terminate_child", "restart_child", "delete_child", "stats", "node", "tree", "root", "kv", "#", "#0",
        "#1", "#18446744073709551616", "{", "}", "[", "]", "\"", ":", ",", "1e999", "null", "\\u0000", "a.b",
        "a.*", ">", " ", "\t", "\r", "\xff\xfe", "\x00", "{\"get\":\"k\"}", "{\"crash\":1}"};
    uint64_t x = 0x9e3779b97f4a7c15u;
    char line[256];
    for (int i = 0; i < 20000; i++) {
        size_t n = 0;
        int words = 1 + (int)(x % 5);
        for (int w = 0; w < words; w++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            const char *p = parts[x % (sizeof parts / sizeof *parts)];
            if (x % 11 == 0) { /* a random byte */
                line[n++] = (char)(x >> 24);
            } else {
                size_t k = strlen(p);
                if (n + k + 1 >= sizeof line) break;
                memcpy(line + n, p, k);
                n += k;
            }
            if (x % 3) line[n++] = ' ';
        }
        /* never kill the supervisor's children on purpose: those commands are tested above */
        if (n >= 9 && (!memcmp(line, "terminate", 9) || !memcmp(line, "delete_ch", 9) || !memcmp(line, "send kv {", 9)))
            continue;
        admin_session s;
        admin_session_init(&s);
        bool end = false;
        admin_answer a = admin_command(rt, &s, line, n, &end);
        if (a.json) assert_true(json_is_object(a.json) || json_is_array(a.json));
        assert_true(a.status >= 200 && a.status < 600);
        json_decref(a.json);
    }
    expect("info kv", 200, "\"state\":\"ready\"");
    expect("count_children root", 200, "\"active\":2");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ps_and_addresses), cmocka_unit_test(test_json_validated),
        cmocka_unit_test(test_supervisor_commands), cmocka_unit_test(test_session_end),
        cmocka_unit_test(test_random_lines),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
