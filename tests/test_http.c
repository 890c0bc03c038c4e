/*
 * test_http.c — the admin HTTP server (include/wactor_http.h) against a real running system: a supervision
 * tree of WebAssembly components built from examples/ (crasher traps on demand, kv answers requests),
 * reached over real TCP connections. /metrics is checked by Prometheus's own parser (promtool check
 * metrics) and its values must move by exactly what the test did; the JSON API, the SSE stream, the POST
 * actions and every 4xx case are exercised as an attacker would.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "http_client.h"
#include "runtime_support.h"
#include "wactor.h"
#include "wactor_http.h"

#define TOKEN "test-token-0123456789abcdef"

static void quiet_log(void *user, wactor_log_level level, const char *name, const char *line, size_t len) {
    (void)user, (void)level, (void)name, (void)line, (void)len;
}

typedef struct sys {
    wactor_runtime *rt;
    wactor_module *crasher, *kv;
    wactor_pid root;
    wactor_http *http;
    uint16_t port;
} sys;

static void sys_start(sys *s, const char *token, size_t sse_buffer) {
    memset(s, 0, sizeof *s);
    wactor_config cfg = {.threads = 2, .log = quiet_log};
    assert_int_equal(wactor_runtime_create(&cfg, &s->rt), WACTOR_OK);
    wactor_http_opts o = {.token = token, .sse_buffer_bytes = sse_buffer};
    wactor_diag d = {0};
    assert_int_equal(wactor_http_start(s->rt, &o, &s->http, &d), WACTOR_OK);
    s->port = wactor_http_port(s->http);
    assert_true(s->port != 0);
    s->crasher = load_module(s->rt, WACTOR_EXAMPLES, "crasher");
    s->kv = load_module(s->rt, WACTOR_EXAMPLES, "kv");
    wactor_child_spec kids[] = {
        {.id = "crasher", .module = s->crasher, .spawn = {.name = "crasher"}, .restart = WACTOR_PERMANENT},
        {.id = "kv", .module = s->kv, .spawn = {.name = "kv"}, .restart = WACTOR_PERMANENT},
    };
    wactor_sup_spec spec = {.name = "root", .strategy = WACTOR_ONE_FOR_ONE, .intensity = 20, .period_ms = 60000,
                            .children = kids, .nchildren = 2};
    assert_int_equal(wactor_supervisor_start(s->rt, &spec, &s->root, &d), WACTOR_OK);
}

static void sys_stop(sys *s) {
    wactor_http_stop(s->http);
    wactor_runtime_destroy(s->rt);
    wactor_module_release(s->crasher);
    wactor_module_release(s->kv);
}

static char *get_ok(uint16_t port, const char *path, const char *token) {
    http_reply r;
    assert_int_equal(http_do(port, "GET", path, token, NULL, &r), 0);
    if (r.status != 200) fprintf(stderr, "GET %s: %d %s\n", path, r.status, r.body);
    assert_int_equal(r.status, 200);
    char *body = r.body;
    r.body = NULL;
    http_reply_free(&r);
    return body;
}

/* The value of the sample `series` (name and labels exactly as printed), or -1 if absent. */
static double metric(const char *text, const char *series) {
    size_t n = strlen(series);
    for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
        if (strncmp(p, series, n) == 0 && p[n] == ' ') return strtod(p + n + 1, NULL);
    return -1;
}

/* scrape() of a server without a token. */
static double scrape_open(uint16_t port, const char *series) {
    char *m = get_ok(port, "/metrics", NULL);
    double v = metric(m, series);
    free(m);
    return v;
}

static double scrape(uint16_t port, const char *series) {
    char *m = get_ok(port, "/metrics", TOKEN);
    double v = metric(m, series);
    free(m);
    return v;
}

/* promtool's exit status for `text` (Prometheus's own exposition-format parser and lint). */
static int promtool(const char *text) {
    char path[] = "/tmp/wactor_metrics_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_true(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
    close(fd);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "promtool check metrics < %s > %s.out 2>&1", path, path);
    int rc = system(cmd);
    char out[160];
    snprintf(out, sizeof out, "%s.out", path);
    if (rc != 0) {
        FILE *f = fopen(out, "r");
        char line[512];
        while (f && fgets(line, sizeof line, f)) fprintf(stderr, "promtool: %s", line);
        if (f) fclose(f);
    }
    unlink(path);
    unlink(out);
    return rc;
}

static int post(uint16_t port, const char *path, const char *token, const char *body, char **answer) {
    http_reply r;
    assert_int_equal(http_do(port, "POST", path, token, body, &r), 0);
    int status = r.status;
    if (answer) {
        *answer = r.body;
        r.body = NULL;
    }
    http_reply_free(&r);
    return status;
}

static void test_metrics_parse_and_move(void **state) {
    (void)state;
    sys s;
    sys_start(&s, TOKEN, 0);
    http_reply r;
    assert_int_equal(http_do(s.port, "GET", "/metrics", TOKEN, NULL, &r), 0);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.head, "text/plain; version=0.0.4"));
    assert_int_equal(promtool(r.body), 0);
    assert_non_null(strstr(r.body, "# TYPE wactor_messages_delivered_total counter"));
    http_reply_free(&r);
    /* the parser is real: it refuses what is not the format */
    assert_true(promtool("# TYPE x counter\nx{a=\"unterminated} 1\n") != 0);

    const char *kv = "wactor_messages_delivered_total{component=\"kv\"}";
    assert_int_equal(wactor_wait_idle(s.rt, 10000), WACTOR_OK);
    double before = scrape(s.port, kv), fuel = scrape(s.port, "wactor_fuel_used_total{component=\"kv\"}");
    assert_true(before >= 0);
    for (int i = 0; i < 25; i++)
        assert_int_equal(post(s.port, "/api/send", TOKEN, "{\"to\":\"kv\",\"message\":{\"note\":1}}", NULL), 200);
    assert_int_equal(wactor_wait_idle(s.rt, 10000), WACTOR_OK);
    char *m = get_ok(s.port, "/metrics", TOKEN);
    assert_int_equal(promtool(m), 0);
    assert_true(metric(m, kv) == before + 25); /* exactly what was sent */
    assert_true(metric(m, "wactor_fuel_used_total{component=\"kv\"}") > fuel);
    assert_true(metric(m, "wactor_handler_seconds_total{component=\"kv\"}") > 0);
    assert_true(metric(m, "wactor_memory_pages{component=\"kv\"}") >= 1);
    assert_true(metric(m, "wactor_memory_bytes{component=\"kv\"}") == 65536 * metric(m, "wactor_memory_pages{component=\"kv\"}"));
    assert_true(metric(m, "wactor_mailbox_depth{component=\"kv\"}") == 0);
    assert_true(metric(m, "wactor_component_up{component=\"kv\",state=\"ready\"}") == 1);
    assert_true(metric(m, "wactor_live_components") == 2);
    assert_true(metric(m, "wactor_scheduler_threads{state=\"busy\"}") + metric(m, "wactor_scheduler_threads{state=\"idle\"}") == 2);
    assert_true(metric(m, "wactor_run_queue_length") >= 0);
    assert_true(metric(m, "process_resident_memory_bytes") > 1e6);
    assert_true(metric(m, "wactor_supervisor_children{supervisor=\"root\",state=\"running\"}") == 2);
    assert_true(metric(m, "wactor_node_messages_delivered_total") >= before + 25);
    free(m);
    /* the JSON view says the same */
    char *c = get_ok(s.port, "/api/components/kv", TOKEN);
    assert_non_null(strstr(c, "\"name\":\"kv\""));
    assert_non_null(strstr(c, "\"state\":\"ready\""));
    free(c);
    sys_stop(&s);
}

static void test_trap_and_restart_counted(void **state) {
    (void)state;
    sys s;
    sys_start(&s, TOKEN, 0);
    wactor_pid old = wactor_whereis(s.rt, "crasher");
    assert_int_equal(scrape(s.port, "wactor_restarts_total{component=\"crasher\"}"), 0);
    assert_int_equal(post(s.port, "/api/send", TOKEN, "{\"to\":\"crasher\",\"message\":{\"crash\":\"div\"}}", NULL), 200);
    const char *traps = "wactor_traps_total{component=\"crasher\",kind=\"integer divide by zero\"}";
    WAIT_FOR(scrape(s.port, "wactor_restarts_total{component=\"crasher\"}") == 1);
    WAIT_FOR(scrape(s.port, traps) == 1);
    assert_true(wactor_whereis(s.rt, "crasher") != old);
    char *m = get_ok(s.port, "/metrics", TOKEN);
    assert_int_equal(promtool(m), 0);
    assert_true(metric(m, "wactor_supervisor_restarts_total{supervisor=\"root\"}") == 1);
    assert_true(metric(m, "wactor_node_traps_total") == 1);
    assert_true(metric(m, "wactor_traps_total{component=\"kv\",kind=\"integer divide by zero\"}") == -1);
    free(m);
    char *c = get_ok(s.port, "/api/components/crasher", TOKEN);
    assert_non_null(strstr(c, "\"traps\":1"));
    assert_non_null(strstr(c, "\"restarts\":1"));
    free(c);
    /* the old instance's tombstone, by pid */
    char path[64];
    snprintf(path, sizeof path, "/api/components/%%23%llu", (unsigned long long)old);
    c = get_ok(s.port, path, TOKEN);
    assert_non_null(strstr(c, "\"state\":\"failed\""));
    assert_non_null(strstr(c, "\"kind\":\"integer divide by zero\""));
    free(c);
    sys_stop(&s);
}

static void expect_status(uint16_t port, const char *method, const char *path, const char *token, const char *body,
                          int status, const char *needle) {
    http_reply r;
    assert_int_equal(http_do(port, method, path, token, body, &r), 0);
    if (r.status != status || (needle && !strstr(r.body, needle)))
        fail_msg("%s %s: got %d %s, want %d with '%s'", method, path, r.status, r.body, status, needle ? needle : "");
    assert_true(strncmp(r.body, "{\"error\":", 9) == 0 || status < 400);
    assert_non_null(strstr(r.head, "application/json"));
    http_reply_free(&r);
}

static void test_bad_requests(void **state) {
    (void)state;
    sys s;
    sys_start(&s, TOKEN, 0);
    uint16_t p = s.port;
    /* with a token configured every request needs it */
    expect_status(p, "GET", "/api/components", NULL, NULL, 401, "Bearer");
    expect_status(p, "GET", "/api/components", "wrong-token-0123456789", NULL, 403, "wrong bearer token");
    expect_status(p, "POST", "/api/send", NULL, "{}", 401, NULL);
    expect_status(p, "GET", "/nope", TOKEN, NULL, 404, "no such path");
    expect_status(p, "GET", "/api/components/nosuch", TOKEN, NULL, 404, NULL);
    expect_status(p, "GET", "/api/components/%2301", TOKEN, NULL, 400, "malformed pid");
    expect_status(p, "GET", "/api/send", TOKEN, NULL, 405, "POST");
    expect_status(p, "POST", "/metrics", TOKEN, "", 405, "GET");
    expect_status(p, "DELETE", "/api/tree", TOKEN, NULL, 405, NULL);
    expect_status(p, "POST", "/api/send", TOKEN, "{\"to\":\"kv\",", 400, "invalid JSON");
    expect_status(p, "POST", "/api/send", TOKEN, "[1,2]", 400, "object");
    expect_status(p, "POST", "/api/send", TOKEN, "", 400, "body");
    expect_status(p, "POST", "/api/send", TOKEN, "{\"to\":\"kv\"}", 400, "message");
    expect_status(p, "POST", "/api/send", TOKEN, "{\"to\":7,\"message\":1}", 400, "\\\"to\\\"");
    expect_status(p, "POST", "/api/send", TOKEN, "{\"to\":\"#1x\",\"message\":1}", 400, "malformed pid");
    expect_status(p, "POST", "/api/send", TOKEN, "{\"to\":\"k\\u0000v\",\"message\":1}", 400, "NUL");
    expect_status(p, "POST", "/api/send", TOKEN, "{\"to\":\"a\",\"to\":\"b\",\"message\":1}", 400, "duplicate");
    expect_status(p, "POST", "/api/publish", TOKEN, "{\"topic\":\"a.*\",\"message\":1}", 400, "topic");
    expect_status(p, "POST", "/api/ask", TOKEN, "{\"to\":\"kv\",\"message\":1,\"timeout_ms\":0}", 400, "timeout_ms");
    expect_status(p, "POST", "/api/supervisors/root/children/x", TOKEN, "", 404, NULL);
    expect_status(p, "POST", "/api/command", TOKEN, "{\"command\":\"bogus\"}", 400, "unknown command");
    /* a body over the limit: refused by its Content-Length, and when it comes chunked */
    size_t big = WACTOR_HTTP_DEFAULT_MAX_BODY_BYTES + 1;
    char *body = malloc(big + 1);
    memset(body, ' ', big);
    body[big] = 0;
    expect_status(p, "POST", "/api/send", TOKEN, body, 413, "body over");
    http_reply r;
    char *chunked = malloc(big + 512);
    int n = snprintf(chunked, 512, "POST /api/send HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: Bearer "
                     TOKEN "\r\nTransfer-Encoding: chunked\r\n\r\n%zx\r\n", big);
    memcpy(chunked + n, body, big);
    memcpy(chunked + n + big, "\r\n0\r\n\r\n", 7);
    assert_int_equal(http_raw(p, chunked, (size_t)n + big + 7, &r), 0);
    assert_int_equal(r.status, 413);
    http_reply_free(&r);
    free(chunked);
    free(body);
    /* garbage is refused by the HTTP parser, and the server goes on */
    static const char garbage[] = "\x01\x02 GARBAGE\r\n\r\n";
    if (http_raw(p, garbage, sizeof garbage - 1, &r) == 0) {
        assert_true(r.status >= 400 && r.status < 500);
        http_reply_free(&r);
    }
    char *ok = get_ok(p, "/api/node", TOKEN);
    assert_non_null(strstr(ok, "\"threads\":2"));
    free(ok);
    sys_stop(&s);

    /* no token configured: reading works, every POST is refused saying why */
    sys_start(&s, NULL, 0);
    expect_status(s.port, "POST", "/api/send", NULL, "{\"to\":\"kv\",\"message\":1}", 403, "needs a bearer token");
    expect_status(s.port, "POST", "/api/supervisors/root/children/kv/restart", NULL, "", 403, "token");
    ok = get_ok(s.port, "/api/tree", NULL);
    free(ok);
    sys_stop(&s);
}

static void test_post_children(void **state) {
    (void)state;
    sys s;
    sys_start(&s, TOKEN, 0);
    uint16_t p = s.port;
    wactor_pid old = wactor_whereis(s.rt, "crasher");
    expect_status(p, "POST", "/api/supervisors/root/children/crasher/restart", TOKEN, "", 409, "running");
    expect_status(p, "POST", "/api/supervisors/root/children/crasher/delete", TOKEN, "", 409, "running");
    expect_status(p, "POST", "/api/supervisors/root/children/nosuch/terminate", TOKEN, "", 404, NULL);
    expect_status(p, "POST", "/api/supervisors/nosuch/children/crasher/terminate", TOKEN, "", 404, NULL);
    expect_status(p, "POST", "/api/supervisors/root/children/crasher/explode", TOKEN, "", 404, "action");
    expect_status(p, "POST", "/api/supervisors/root/children", TOKEN, "", 409, "simple_one_for_one");
    expect_status(p, "POST", "/api/supervisors/root/children/crasher/terminate", TOKEN, "", 200, NULL);
    assert_int_equal(wactor_whereis(s.rt, "crasher"), 0);
    char *t = get_ok(p, "/api/tree", TOKEN);
    assert_non_null(strstr(t, "{\"id\":\"crasher\",\"pid\":0,\"supervisor\":false,\"restart\":\"permanent\",\"restarts\":0,\"state\":\"stopped\"}"));
    free(t);
    expect_status(p, "POST", "/api/supervisors/root/children/crasher/restart", TOKEN, "", 200, NULL);
    wactor_pid now = wactor_whereis(s.rt, "crasher");
    assert_true(now != 0 && now != old);
    t = get_ok(p, "/api/tree", TOKEN);
    char want[160];
    snprintf(want, sizeof want, "{\"id\":\"crasher\",\"pid\":%llu,", (unsigned long long)now);
    assert_non_null(strstr(t, want));
    free(t);
    /* ask: a reply, and a component that returns without replying */
    char *a = NULL;
    assert_int_equal(post(p, "/api/ask", TOKEN, "{\"to\":\"kv\",\"message\":{\"put\":\"k\",\"value\":[1,2]}}", &a), 200);
    assert_string_equal(a, "{\"reply\":{\"ok\":true}}");
    free(a);
    assert_int_equal(post(p, "/api/ask", TOKEN, "{\"to\":\"kv\",\"message\":{\"get\":\"k\"}}", &a), 200);
    assert_string_equal(a, "{\"reply\":{\"value\":[1,2]}}");
    free(a);
    assert_int_equal(post(p, "/api/ask", TOKEN, "{\"to\":\"crasher\",\"message\":{\"hi\":1}}", &a), 409);
    assert_non_null(strstr(a, "did not reply"));
    free(a);
    assert_int_equal(post(p, "/api/publish", TOKEN, "{\"topic\":\"nobody.here\",\"message\":1}", &a), 200);
    assert_string_equal(a, "{\"delivered\":0}");
    free(a);
    assert_int_equal(post(p, "/api/command", TOKEN, "{\"command\":\"count_children root\"}", &a), 200);
    assert_string_equal(a, "{\"specs\":2,\"active\":2,\"supervisors\":0,\"workers\":2}");
    free(a);
    sys_stop(&s);
}

/* An SSE connection: the request is sent, the stream read on demand. */
static int sse_open(uint16_t port) {
    int fd = http_connect(port);
    assert_true(fd >= 0);
    static const char req[] = "GET /api/events HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n"
                              "Authorization: Bearer " TOKEN "\r\n\r\n";
    assert_true(http_write_all(fd, req, sizeof req - 1));
    return fd;
}

static void test_sse_events(void **state) {
    (void)state;
    sys s;
    sys_start(&s, TOKEN, 0);
    int a = sse_open(s.port), b = sse_open(s.port);
    char *ba = NULL, *bb = NULL;
    size_t la = 0, ca = 0, lb = 0, cb = 0;
    http_read_until(a, &ba, &la, &ca, "retry:", 10000);
    http_read_until(b, &bb, &lb, &cb, "retry:", 10000);
    assert_non_null(ba);
    assert_non_null(strstr(ba, "text/event-stream"));
    wactor_pid old = wactor_whereis(s.rt, "crasher");
    assert_int_equal(post(s.port, "/api/send", TOKEN, "{\"to\":\"crasher\",\"message\":{\"crash\":\"unreachable\"}}", NULL), 200);
    const char *exited = "\"event\":\"child_exited\",\"supervisor\":\"root\",\"child\":\"crasher\",\"reason\":\"unreachable\"";
    http_read_until(a, &ba, &la, &ca, exited, 10000);
    http_read_until(b, &bb, &lb, &cb, exited, 10000);
    assert_non_null(strstr(ba, exited)); /* both clients got it */
    assert_non_null(strstr(bb, exited));
    char pidtext[64];
    snprintf(pidtext, sizeof pidtext, "\"pid\":%llu}", (unsigned long long)old);
    assert_non_null(strstr(ba, pidtext));
    assert_non_null(strstr(ba, "event: supervisor\ndata: {"));
    http_read_until(a, &ba, &la, &ca, "\"event\":\"child_started\",\"supervisor\":\"root\",\"child\":\"crasher\"", 10000);
    assert_non_null(strstr(ba, "\"event\":\"child_started\",\"supervisor\":\"root\",\"child\":\"crasher\""));
    http_read_until(a, &ba, &la, &ca, "event: stats\n", 10000); /* the 1 s tick */
    assert_non_null(strstr(ba, "event: stats\ndata: {\"node\":{"));
    assert_true(scrape(s.port, "wactor_http_sse_clients") == 2);
    close(a);
    free(ba);
    free(bb);
    wactor_http_stop(s.http); /* with a stream still open: it ends (no hang), its client sees the end */
    s.http = NULL;
    bb = NULL;
    lb = cb = 0;
    http_read_until(b, &bb, &lb, &cb, NULL, 10000);
    close(b);
    free(bb);
    sys_stop(&s);
}

static void test_sse_slow_client_dropped(void **state) {
    (void)state;
    sys s;
    sys_start(&s, TOKEN, 1024); /* smaller than one stats event */
    int fd = sse_open(s.port);
    char *buf = NULL;
    size_t len = 0, cap = 0;
    http_read_until(fd, &buf, &len, &cap, "event: dropped", 10000);
    assert_non_null(buf);
    assert_non_null(strstr(buf, "event: dropped"));
    WAIT_FOR(scrape(s.port, "wactor_http_sse_dropped_total") == 1);
    WAIT_FOR(scrape(s.port, "wactor_http_sse_clients") == 0); /* its stream ended */
    /* the runtime went on meanwhile */
    char *a = NULL;
    assert_int_equal(post(s.port, "/api/ask", TOKEN, "{\"to\":\"kv\",\"message\":{\"get\":\"none\"}}", &a), 200);
    free(a);
    close(fd);
    free(buf);
    sys_stop(&s);
}

/* Hostile requests: 400 built from methods, paths, headers and bodies that are almost right (a fixed seed).
 * Each is answered with a status (or closed by the HTTP parser); afterwards the system and the server are
 * as before. */
static void test_random_requests(void **state) {
    (void)state;
    sys s;
    sys_start(&s, TOKEN, 0);
    static const char *const methods[] = {"GET", "POST", "PUT", "HEAD", "OPTIONS", "G\x01T", "POST "};
    static const char *const paths[] = {
        "/", "/metrics", "/api/components", "/api/components/", "/api/components/%23", "/api/components/%2300",
        "/api/components/..%2F..", "/api/tree", "/api/node", "/api/send", "/api/ask", "/api/publish",
        "/api/command", "/api/supervisors/root/children", "/api/supervisors/root/children/kv/delete",
        "/api/supervisors//children//restart", "/api/supervisors/root/children/%00/terminate", "//api",
        "/api/components/kv?x=1", "*", "/%ff%fe"};
    static const char *const bodies[] = {
        "", "{}", "[]", "null", "{\"to\":\"kv\",\"message\":{\"get\":\"x\"}}", "{\"to\":\"kv\"",
        "{\"to\":\"#0\",\"message\":1}", "{\"topic\":\"\",\"message\":1}", "{\"command\":\"ps\"}",
        "{\"command\":\"count_children root\"}", "{\"to\":\"kv\",\"message\":1,\"timeout_ms\":1e9}",
        "\xff\xfe\x00", "{\"to\":\"kv\",\"message\":\"\\ud800\"}"};
    static const char *const auths[] = {"Authorization: Bearer " TOKEN "\r\n", "Authorization: Bearer\r\n",
                                        "Authorization: Basic eDp5\r\n", "", "Authorization: Bearer " TOKEN "x\r\n"};
    uint64_t x = 0x2545f4914f6cdd1du;
#define PICK(a) (x ^= x << 13, x ^= x >> 7, x ^= x << 17, a[x % (sizeof a / sizeof *a)])
    for (int i = 0; i < 400; i++) {
        const char *m = PICK(methods), *p = PICK(paths), *b = PICK(bodies), *a = PICK(auths);
        char req[1024];
        int n = snprintf(req, sizeof req, "%s %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n%sContent-Length: %zu\r\n\r\n%s",
                         m, p, a, strlen(b), b);
        http_reply r;
        if (http_raw(s.port, req, (size_t)n, &r) == 0) {
            assert_true(r.status >= 200 && r.status < 600);
            http_reply_free(&r);
        }
    }
#undef PICK
    char *ok = get_ok(s.port, "/api/tree", TOKEN);
    assert_non_null(strstr(ok, "\"id\":\"crasher\""));
    free(ok);
    sys_stop(&s);
}

/* max_connections: the connections beyond it are closed at once, the server keeps answering once they go. */
static void test_connection_limit(void **state) {
    (void)state;
    wactor_runtime *rt = NULL;
    wactor_config cfg = {.threads = 1, .log = quiet_log};
    assert_int_equal(wactor_runtime_create(&cfg, &rt), WACTOR_OK);
    wactor_http *h = NULL;
    wactor_http_opts o = {.max_connections = 2};
    assert_int_equal(wactor_http_start(rt, &o, &h, NULL), WACTOR_OK);
    uint16_t port = wactor_http_port(h);
    int held[2];
    for (int i = 0; i < 2; i++) { /* two streams hold both connections */
        held[i] = http_connect(port);
        static const char req[] = "GET /api/events HTTP/1.1\r\nHost: x\r\n\r\n";
        assert_true(http_write_all(held[i], req, sizeof req - 1));
        char *b = NULL;
        size_t len = 0, cap = 0;
        http_read_until(held[i], &b, &len, &cap, "retry:", 10000);
        assert_non_null(b);
        free(b);
    }
    /* a third waits (in the listen backlog: no thread is started for it) while both are held ... */
    int third = http_connect(port);
    assert_true(third >= 0);
    static const char req3[] = "GET /api/node HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    assert_true(http_write_all(third, req3, sizeof req3 - 1));
    char *b = NULL;
    size_t len = 0, cap = 0;
    http_read_until(third, &b, &len, &cap, "HTTP/1.1", 1000);
    assert_true(b == NULL || strstr(b, "HTTP/1.1") == NULL);
    /* ... and is answered once the held streams' clients leave (seen within HTTP_SSE_CHECK_MS, not at the
     * next keepalive) */
    close(held[0]);
    close(held[1]);
    http_read_until(third, &b, &len, &cap, "\"threads\":1", 10000);
    assert_non_null(b);
    assert_non_null(strstr(b, "HTTP/1.1 200"));
    free(b);
    close(third);
    WAIT_FOR(scrape_open(port, "wactor_http_sse_clients") == 0);
    wactor_http_stop(h);
    wactor_runtime_destroy(rt);
}

static void test_start_refusals(void **state) {
    (void)state;
    wactor_runtime *rt = NULL;
    wactor_config cfg = {.threads = 1, .log = quiet_log};
    assert_int_equal(wactor_runtime_create(&cfg, &rt), WACTOR_OK);
    wactor_http *h = NULL;
    wactor_diag d = {0};
    wactor_http_opts any = {.address = "0.0.0.0"};
    assert_int_equal(wactor_http_start(rt, &any, &h, &d), WACTOR_EPERM);
    assert_non_null(strstr(d.message, "token"));
    assert_null(h);
    wactor_http_opts shorty = {.token = "short"};
    assert_int_equal(wactor_http_start(rt, &shorty, &h, &d), WACTOR_EINVAL);
    wactor_http_opts spaced = {.token = "has a space in the middle!!"};
    assert_int_equal(wactor_http_start(rt, &spaced, &h, &d), WACTOR_EINVAL);
    wactor_http_opts bad = {.address = "localhost"};
    assert_int_equal(wactor_http_start(rt, &bad, &h, &d), WACTOR_EINVAL);
    assert_int_equal(wactor_http_start(rt, NULL, &h, &d), WACTOR_OK);
    wactor_http *h2 = NULL;
    wactor_http_opts same = {.port = wactor_http_port(h)};
    assert_int_equal(wactor_http_start(rt, &same, &h2, &d), WACTOR_EIO); /* the port is taken */
    assert_null(h2);
    wactor_http_stop(h);
    wactor_http_stop(NULL);
    wactor_runtime_destroy(rt);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_metrics_parse_and_move), cmocka_unit_test(test_trap_and_restart_counted),
        cmocka_unit_test(test_bad_requests),           cmocka_unit_test(test_post_children),
        cmocka_unit_test(test_sse_events),             cmocka_unit_test(test_sse_slow_client_dropped),
        cmocka_unit_test(test_start_refusals),         cmocka_unit_test(test_connection_limit),
        cmocka_unit_test(test_random_requests),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
