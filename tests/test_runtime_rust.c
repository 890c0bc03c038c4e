/* test_runtime_rust.c — components written in Rust (sdk/rust, examples/rust: rs_kv, rs_agent, built by
 * cargo for wasm32-wasi) running next to components written in C (examples/ in C) through the embedding
 * API: request/reply both ways, pub/sub both ways, spawn + monitor + link, typed exports, health and
 * cleanup, bad input, and a panic in Rust restarted by a supervisor.
 *
 * Outcomes are read from the components' log lines (log_capture) and from host-side asks, subscriptions
 * and supervisor events. Without Debian's Rust toolchain the Rust examples are not built and every test
 * here is skipped (CMakeLists.txt, "Rust guests"). */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "runtime_support.h"
#include "wactor.h"

#define WAIT_MS 15000 /* hang guard only: waits end as soon as the line is there */

static bool have_rust(void) {
    return access(WACTOR_EXAMPLES "/rs_kv.wasm", R_OK) == 0 && access(WACTOR_EXAMPLES "/rs_agent.wasm", R_OK) == 0;
}

typedef struct fixture {
    wactor_runtime *rt;
    wactor_module *rs_kv, *rs_agent, *c_kv, *c_kv_client, *c_chat;
} fixture;

static int setup(void **state) {
    if (!have_rust()) {
        *state = NULL;
        return 0;
    }
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    log_reset();
    wactor_config cfg = {.threads = 2, .log = log_capture};
    assert_int_equal(wactor_runtime_create(&cfg, &f->rt), WACTOR_OK);
    *state = f;
    return 0;
}

/* The module of examples/`name`.wasm, loaded into the fixture's runtime on first use (compiling a
 * module is most of a test's time under ASan, so each test loads only what it uses). */
static wactor_module *module(fixture *f, wactor_module **slot, const char *name) {
    if (*slot == NULL) *slot = load_module(f->rt, WACTOR_EXAMPLES, name);
    return *slot;
}
#define RS_KV(f) module((f), &(f)->rs_kv, "rs_kv")
#define RS_AGENT(f) module((f), &(f)->rs_agent, "rs_agent")
#define C_KV(f) module((f), &(f)->c_kv, "kv")
#define C_KV_CLIENT(f) module((f), &(f)->c_kv_client, "kv_client")
#define C_CHAT(f) module((f), &(f)->c_chat, "chat_member")

static int teardown(void **state) {
    fixture *f = *state;
    if (f == NULL) return 0;
    wactor_runtime_destroy(f->rt);
    wactor_module_release(f->rs_kv); /* NULL (never loaded) is a no-op */
    wactor_module_release(f->rs_agent);
    wactor_module_release(f->c_kv);
    wactor_module_release(f->c_kv_client);
    wactor_module_release(f->c_chat);
    free(f);
    return 0;
}

#define FIXTURE()                                                                                              \
    fixture *f = *state;                                                                                       \
    if (f == NULL) {                                                                                           \
        fprintf(stderr, "no Rust examples in " WACTOR_EXAMPLES " (Debian rustc/cargo missing?): skipped\n");  \
        skip();                                                                                                \
    }

/* Waits for `needle` in the log; on failure prints the log and fails. */
#define EXPECT_LOG(needle)                                                                                     \
    do {                                                                                                       \
        if (!wait_log((needle), WAIT_MS)) {                                                                    \
            fprintf(stderr, "missing log line: %s\n---- log:\n%s----\n", (needle), log_capture_get()->text);   \
            fail();                                                                                            \
        }                                                                                                      \
    } while (0)

/* A JSON payload: the 2-byte multicodec prefix 0x0200 (80 04) and the text. */
static size_t json_payload(uint8_t *out, size_t cap, const char *json) {
    size_t n = strlen(json);
    assert_true(n + 2 <= cap);
    out[0] = 0x80, out[1] = 0x04;
    memcpy(out + 2, json, n);
    return n + 2;
}

static void send_json(wactor_runtime *rt, wactor_pid to, const char *json) {
    uint8_t buf[1024];
    size_t n = json_payload(buf, sizeof buf, json);
    assert_int_equal(wactor_send(rt, to, buf, n), WACTOR_OK);
}

/* Asks `to` with JSON and returns the reply's JSON text (malloc'd, NUL-terminated), asserting that the
 * reply is JSON-prefixed. */
static char *ask_json(wactor_runtime *rt, wactor_pid to, const char *json) {
    uint8_t buf[1024];
    size_t n = json_payload(buf, sizeof buf, json);
    void *reply = NULL;
    size_t rlen = 0;
    wactor_diag d = {0};
    wactor_error err = wactor_ask(rt, to, buf, n, 10000, &reply, &rlen, &d);
    if (err) fprintf(stderr, "ask %s: %s %s\n", json, wactor_strerror(err), d.message);
    assert_int_equal(err, WACTOR_OK);
    assert_true(rlen >= 2);
    assert_memory_equal(reply, "\x80\x04", 2);
    char *text = malloc(rlen - 1);
    assert_non_null(text);
    memcpy(text, (uint8_t *)reply + 2, rlen - 2);
    text[rlen - 2] = '\0';
    free(reply);
    return text;
}

static void expect_answer(wactor_runtime *rt, wactor_pid to, const char *json, const char *want) {
    char *got = ask_json(rt, to, json);
    if (strcmp(got, want) != 0) fprintf(stderr, "ask %s: got %s, want %s\n", json, got, want);
    assert_string_equal(got, want);
    free(got);
}

/* ------------------------------------------------------------------ C client -> Rust service */

/* The C kv_client drives the Rust kv with its whole protocol: every answer is the one kv.c gives. */
static void test_c_client_requests_rust_kv(void **state) {
    FIXTURE();
    const char *rkv[] = {"rkv"};
    wactor_caps caps = {.request = rkv, .nrequest = 1};
    spawn_module(f->rt, RS_KV(f), &(wactor_spawn_opts){.name = "rkv"});
    wactor_pid client = spawn_module(f->rt, C_KV_CLIENT(f), &(wactor_spawn_opts){.name = "kv_client", .caps = &caps});
    send_json(f->rt, client, "{\"run\":5,\"to\":\"rkv\",\"timeout_ms\":5000}");
    EXPECT_LOG("[kv_client] kv_client: run of 5 against rkv done in");
    assert_true(log_has("11 requests, 11 answered as expected, 0 unexpected answers, 0 timed out, 0 failed, 0 refused"));
}

/* The host asks the Rust kv directly: exact answers, escapes decoded, values kept verbatim, bad input
 * answered with an error (never a trap), plain messages ignored, the typed export counting keys. */
static void test_host_asks_rust_kv(void **state) {
    FIXTURE();
    wactor_pid kv = spawn_module(f->rt, RS_KV(f), &(wactor_spawn_opts){.name = "rkv"});
    expect_answer(f->rt, kv, "{\"get\":\"nope\"}", "{\"error\":\"not found\"}");
    expect_answer(f->rt, kv, "{\"put\":\"k\\u0031\",\"value\":{\"a\":[1,2.5,\"x\\\"y\"],\"big\":18446744073709551615}}",
                  "{\"ok\":true}");
    expect_answer(f->rt, kv, "{\"get\":\"k1\"}", "{\"value\":{\"a\":[1,2.5,\"x\\\"y\"],\"big\":18446744073709551615}}");
    expect_answer(f->rt, kv, "{\"put\":\"k2\"}", "{\"error\":\"put needs a \\\"value\\\"\"}");
    expect_answer(f->rt, kv, "{\"put\":\"k2\",\"value\":1,}", "{\"error\":\"malformed JSON\"}");
    expect_answer(f->rt, kv, "[\"get\",\"k1\"]",
                  "{\"error\":\"expected {\\\"put\\\":\\\"k\\\",\\\"value\\\":v} or {\\\"get\\\":\\\"k\\\"}\"}");
    char deep[300];
    memset(deep, '[', 200);
    deep[200] = '\0';
    expect_answer(f->rt, kv, deep, "{\"error\":\"malformed JSON\"}");
    char longkey[400];
    snprintf(longkey, sizeof longkey, "{\"put\":\"%0256d\",\"value\":1}", 0);
    expect_answer(f->rt, kv, longkey, "{\"error\":\"key too long\"}");

    /* Not JSON: a CBOR payload, and bytes without any multicodec prefix. */
    void *reply = NULL;
    size_t rlen = 0;
    wactor_diag d = {0};
    assert_int_equal(wactor_ask(f->rt, kv, "\x51\xf5", 2, 10000, &reply, &rlen, &d), WACTOR_OK);
    assert_int_equal(rlen, 2 + strlen("{\"error\":\"expected JSON\"}"));
    assert_memory_equal(reply, "\x80\x04{\"error\":\"expected JSON\"}", rlen);
    free(reply);
    assert_int_equal(wactor_ask(f->rt, kv, "\xff", 1, 10000, &reply, &rlen, &d), WACTOR_OK);
    assert_memory_equal(reply, "\x80\x04{\"error\":\"expected JSON\"}", rlen);
    free(reply);

    send_json(f->rt, kv, "{\"get\":\"k1\"}");
    EXPECT_LOG("[rkv] rs_kv: ignoring a plain message from host (not a request): {\"get\":\"k1\"}");

    wactor_value res[1];
    size_t nres = 0;
    assert_int_equal(wactor_invoke_values(f->rt, kv, "size", NULL, 0, res, 1, &nres, 10000, &d), WACTOR_OK);
    assert_int_equal(nres, 1);
    assert_int_equal(res[0].of.i32, 1);

    wactor_actor_info info;
    assert_int_equal(wactor_info(f->rt, kv, &info), WACTOR_OK);
    assert_int_equal(info.state, WACTOR_READY); /* none of the above trapped */

    assert_int_equal(wactor_stop(f->rt, kv, 5000), WACTOR_OK);
    EXPECT_LOG("[rkv] rs_kv: stopping with 1 keys after 10 answers");
}

/* The host's inbox in Rust memory grows through the SDK's cabi_realloc (Rust's realloc) as messages get
 * bigger — 100 B to 70 KB (larger ones only make the interpreted JSON parse slow under ASan) — and stays
 * usable: every answer is right, small ones after big ones too. */
static void test_rust_inbox_grows(void **state) {
    FIXTURE();
    wactor_pid kv = spawn_module(f->rt, RS_KV(f), &(wactor_spawn_opts){.name = "rkv"});
    /* (Megabyte inboxes: test_inbox_grows_by_megabytes in test_runtime_messaging.) */
    static const size_t sizes[] = {100, 300, 4000, 5000, 70000, 100, 30000, 10};
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        size_t vlen = sizes[k];
        size_t cap = vlen + 64;
        uint8_t *buf = malloc(cap);
        assert_non_null(buf);
        int n = snprintf((char *)buf, cap, "\x80\x04{\"put\":\"k%zu\",\"value\":\"", k);
        memset(buf + n, 'a' + (int)(k % 26), vlen);
        memcpy(buf + n + vlen, "\"}", 2);
        void *reply = NULL;
        size_t rlen = 0;
        wactor_diag d = {0};
        wactor_error err = wactor_ask(f->rt, kv, buf, (size_t)n + vlen + 2, 60000, &reply, &rlen, &d);
        if (err) fprintf(stderr, "ask with a %zu-byte value: %s: %s\n", vlen, wactor_strerror(err), d.message);
        assert_int_equal(err, WACTOR_OK);
        /* values up to 4096 bytes of JSON text are stored; longer ones are refused, never a trap */
        const char *want = vlen + 2 <= 4096 ? "\x80\x04{\"ok\":true}" : "\x80\x04{\"error\":\"value too big\"}";
        assert_int_equal(rlen, strlen(want));
        assert_memory_equal(reply, want, rlen);
        free(reply);
        free(buf);
    }
    char want[8192];
    memset(want, 0, sizeof want);
    strcpy(want, "{\"value\":\"");
    memset(want + strlen(want), 'a' + 2, 4000);
    strcat(want, "\"}");
    expect_answer(f->rt, kv, "{\"get\":\"k2\"}", want);
    expect_answer(f->rt, kv, "{\"get\":\"k7\"}", "{\"value\":\"hhhhhhhhhh\"}");
    expect_answer(f->rt, kv, "{\"get\":\"k6\"}", "{\"error\":\"not found\"}");
    wactor_actor_info info;
    assert_int_equal(wactor_info(f->rt, kv, &info), WACTOR_OK);
    assert_int_equal(info.state, WACTOR_READY);
}

/* ------------------------------------------------------------------ Rust client -> C service */

static void test_rust_requests_c_kv(void **state) {
    FIXTURE();
    const char *targets[] = {"kv", "nokv"};
    wactor_caps caps = {.request = targets, .nrequest = 2};
    spawn_module(f->rt, C_KV(f), &(wactor_spawn_opts){.name = "kv"});
    wactor_pid agent = spawn_module(f->rt, RS_AGENT(f), &(wactor_spawn_opts){.name = "agent", .caps = &caps});
    send_json(f->rt, agent, "{\"ask\":\"kv\",\"body\":{\"put\":\"k\",\"value\":[42,\"\\u00e9\"]}}");
    EXPECT_LOG("[agent] rs_agent: reply 1 from kv: {\"ok\":true}");
    send_json(f->rt, agent, "{\"ask\":\"kv\",\"body\":{\"get\":\"k\"}}");
    EXPECT_LOG("[agent] rs_agent: reply 2 from kv: {\"value\":[42,\"\xc3\xa9\"]}");
    /* Refusals come back at once as the host's errors: not granted, granted but nobody there. */
    send_json(f->rt, agent, "{\"ask\":\"store\",\"body\":{}}");
    EXPECT_LOG("[agent] rs_agent: request to store refused: not permitted by the component's capabilities (-16)");
    send_json(f->rt, agent, "{\"ask\":\"nokv\",\"body\":{}}");
    EXPECT_LOG("[agent] rs_agent: request to nokv refused: no such actor, name, export or file (-3)");
    /* A request that the C side does not answer in time arrives at handle-reply as timed out. */
    send_json(f->rt, agent, "{\"ask\":\"kv\",\"body\":{\"get\":\"k\"},\"timeout_ms\":1}");
    EXPECT_LOG("[agent] rs_agent: request 3 to kv");
    EXPECT_LOG("[agent] rs_agent: reply 3 from kv");
}

/* ------------------------------------------------------------------ pub/sub both ways */

typedef struct seen {
    pthread_mutex_t lock;
    int n;
    char topic[64];
    wactor_pid from;
    uint8_t payload[256];
    size_t len;
} seen;

static void on_publication(void *user, const char *topic, wactor_pid from, const void *payload, size_t len) {
    seen *s = user;
    pthread_mutex_lock(&s->lock);
    s->n++;
    snprintf(s->topic, sizeof s->topic, "%s", topic);
    s->from = from;
    s->len = len < sizeof s->payload ? len : sizeof s->payload;
    memcpy(s->payload, payload, s->len);
    pthread_mutex_unlock(&s->lock);
}

static int seen_count(seen *s) {
    pthread_mutex_lock(&s->lock);
    int n = s->n;
    pthread_mutex_unlock(&s->lock);
    return n;
}

static void test_pubsub_between_rust_and_c(void **state) {
    FIXTURE();
    /* rs_agent subscribes in _start to what RS_AGENT_SUBSCRIBE (WASI env) names; "secret.>" is not granted. */
    const char *env[] = {"RS_AGENT_SUBSCRIBE=chat.>,secret.>"};
    wactor_wasi wasi = {.env = env, .nenv = 1};
    const char *agent_pub[] = {"news.>", "chat.>"}, *agent_sub[] = {"chat.>"};
    wactor_caps agent_caps = {.publish = agent_pub, .npublish = 2, .subscribe = agent_sub, .nsubscribe = 1};
    wactor_pid agent = spawn_module(f->rt, RS_AGENT(f),
                                    &(wactor_spawn_opts){.name = "agent", .caps = &agent_caps, .wasi = &wasi});
    EXPECT_LOG("[agent] rs_agent: subscribe chat.>: ok");
    EXPECT_LOG("[agent] rs_agent: subscribe secret.>: refused: not permitted by the component's capabilities (-16)");

    /* C -> Rust: a chat member (C) joins chat.room1 and publishes its hello; the Rust agent hears it. */
    const char *chat_pub[] = {"chat.>"}, *chat_sub[] = {"chat.*"};
    wactor_caps chat_caps = {.publish = chat_pub, .npublish = 1, .subscribe = chat_sub, .nsubscribe = 1};
    wactor_pid alice = spawn_module(f->rt, C_CHAT(f), &(wactor_spawn_opts){.name = "alice", .caps = &chat_caps});
    send_json(f->rt, alice, "{\"nick\":\"alice\",\"room\":\"chat.room1\"}");
    EXPECT_LOG("[agent] rs_agent: chat.room1 from alice: {\"from\":\"alice\",\"hello\":true}");

    /* Rust -> C: the agent speaks in the room; the C member logs the line. */
    send_json(f->rt, agent, "{\"publish\":\"chat.room1\",\"body\":{\"from\":\"rusty\",\"text\":\"hi from Rust\"}}");
    EXPECT_LOG("[agent] rs_agent: published to chat.room1: reached 2"); /* alice and the agent itself */
    EXPECT_LOG("[alice] rusty: hi from Rust");

    /* Rust -> host: the exact bytes and the publisher's pid. */
    seen s = {.lock = PTHREAD_MUTEX_INITIALIZER};
    wactor_pid sub = 0;
    assert_int_equal(wactor_subscribe(f->rt, "news.*", on_publication, &s, &sub), WACTOR_OK);
    send_json(f->rt, agent, "{\"publish\":\"news.rust\",\"body\":{\"n\":1}}");
    WAIT_FOR(seen_count(&s) == 1);
    pthread_mutex_lock(&s.lock);
    assert_string_equal(s.topic, "news.rust");
    assert_int_equal(s.from, agent);
    assert_int_equal(s.len, 2 + 7);
    assert_memory_equal(s.payload, "\x80\x04{\"n\":1}", 9);
    pthread_mutex_unlock(&s.lock);

    /* A CBOR payload built with the SDK's writer: 51, then [ "h\u00e9", -1000 ]. */
    send_json(f->rt, agent, "{\"publish_cbor\":\"news.cbor\",\"text\":\"h\u00e9\",\"n\":-1000}");
    WAIT_FOR(seen_count(&s) == 2);
    pthread_mutex_lock(&s.lock);
    assert_string_equal(s.topic, "news.cbor");
    static const uint8_t want_cbor[] = {0x51, 0x82, 0x63, 'h', 0xc3, 0xa9, 0x39, 0x03, 0xe7};
    assert_int_equal(s.len, sizeof want_cbor);
    assert_memory_equal(s.payload, want_cbor, sizeof want_cbor);
    pthread_mutex_unlock(&s.lock);

    /* Not granted, malformed: the host's errors, nothing published. */
    send_json(f->rt, agent, "{\"publish\":\"secret.x\",\"body\":1}");
    EXPECT_LOG("[agent] rs_agent: publish to secret.x refused: not permitted by the component's capabilities (-16)");
    send_json(f->rt, agent, "{\"publish\":\"news.*\",\"body\":1}");
    EXPECT_LOG("[agent] rs_agent: publish to news.* refused: invalid argument (-1)");
    send_json(f->rt, agent, "{\"subscribe\":\"chat.>\"}");
    EXPECT_LOG("[agent] rs_agent: subscribe chat.>: refused: name already registered (-4)");
    send_json(f->rt, agent, "{\"unsubscribe\":\"chat.>\"}");
    EXPECT_LOG("[agent] rs_agent: unsubscribe chat.>: ok");
    send_json(f->rt, agent, "{\"unsubscribe\":\"chat.>\"}");
    EXPECT_LOG("[agent] rs_agent: unsubscribe chat.>: refused: no such actor, name, export or file (-3)");
    assert_int_equal(seen_count(&s), 2);
    wactor_stop(f->rt, sub, 5000);
}

/* ------------------------------------------------------------------ spawn, monitor, link */

static void test_rust_spawns_and_monitors(void **state) {
    FIXTURE();
    assert_int_equal(wactor_declare(f->rt, "worker", RS_KV(f), &(wactor_spawn_opts){0}), WACTOR_OK);
    const char *any[] = {"*"};
    wactor_caps caps = {.send = any, .nsend = 1, .spawn = true};
    wactor_pid agent = spawn_module(f->rt, RS_AGENT(f), &(wactor_spawn_opts){.name = "agent", .caps = &caps});
    (void)agent;
    send_json(f->rt, agent, "{\"spawn\":\"worker\"}");
    EXPECT_LOG("[agent] rs_agent: spawned worker as #");
    /* The child's pid, from the log line "spawned worker as #<pid>, monitor ok <ref>". */
    long at = log_find("spawned worker as #");
    assert_true(at >= 0);
    unsigned long long child = strtoull(log_capture_get()->text + at + strlen("spawned worker as #"), NULL, 10);
    assert_true(child > 0);
    at = log_find(", monitor ok ");
    assert_true(at >= 0);
    unsigned long long ref = strtoull(log_capture_get()->text + at + strlen(", monitor ok "), NULL, 10);
    assert_true(ref > 0);
    send_json(f->rt, agent, "{\"spawn\":\"nobody\"}");
    EXPECT_LOG("[agent] rs_agent: spawn nobody refused: no such actor, name, export or file (-3)");
    send_json(f->rt, agent, "{\"monitor\":\"ghost\"}");
    EXPECT_LOG("[agent] rs_agent: monitor ghost: refused: no such actor, name, export or file (-3)");
    send_json(f->rt, agent, "{\"demonitor\":77}");
    EXPECT_LOG("[agent] rs_agent: demonitor 77: refused: no such actor, name, export or file (-3)");
    send_json(f->rt, agent, "{\"whereis\":\"agent\"}");
    char line[128];
    snprintf(line, sizeof line, "[agent] rs_agent: whereis agent: #%llu", (unsigned long long)agent);
    EXPECT_LOG(line);

    /* The host stops the child: the agent's monitor fires with reason normal. */
    assert_int_equal(wactor_stop(f->rt, (wactor_pid)child, 5000), WACTOR_OK);
    snprintf(line, sizeof line, "[agent] rs_agent: down: monitor %llu #%llu ended: normal", ref, child);
    EXPECT_LOG(line);
    /* Monitoring a pid that is gone delivers noproc at once. */
    char cmd[128];
    snprintf(cmd, sizeof cmd, "{\"monitor\":\"#%llu\"}", child);
    send_json(f->rt, agent, cmd);
    snprintf(line, sizeof line, "[agent] rs_agent: monitor #%llu: ok ", child);
    EXPECT_LOG(line);
    at = log_find(line);
    unsigned long long ref2 = strtoull(log_capture_get()->text + at + strlen(line), NULL, 10);
    assert_true(ref2 > 0 && ref2 != ref);
    snprintf(line, sizeof line, "[agent] rs_agent: down: monitor %llu #%llu ended: noproc", ref2, child);
    EXPECT_LOG(line);
}

/* A link from the Rust agent to a C component: when the C side traps, the agent ends with it. */
static void test_rust_link_propagates_trap(void **state) {
    FIXTURE();
    wactor_module *crasher = load_module(f->rt, WACTOR_EXAMPLES, "crasher");
    wactor_pid c = spawn_module(f->rt, crasher, &(wactor_spawn_opts){.name = "crasher"});
    const char *targets[] = {"crasher"};
    wactor_caps caps = {.send = targets, .nsend = 1};
    wactor_pid agent = spawn_module(f->rt, RS_AGENT(f), &(wactor_spawn_opts){.name = "agent", .caps = &caps});
    send_json(f->rt, agent, "{\"link\":\"kv\"}");
    EXPECT_LOG("[agent] rs_agent: link kv: refused: not permitted by the component's capabilities (-16)");
    send_json(f->rt, agent, "{\"link\":\"crasher\"}");
    EXPECT_LOG("[agent] rs_agent: link crasher: ok");
    wactor_actor_info before;
    assert_int_equal(wactor_info(f->rt, agent, &before), WACTOR_OK);
    assert_int_equal(before.state, WACTOR_READY);
    send_json(f->rt, c, "{\"crash\":\"div\"}");
    /* The agent ends with its partner (an exit signal: it does not trap itself, so its state is
     * terminated, not failed); the crasher failed with the trap. */
    wactor_actor_info info;
    WAIT_FOR(wactor_info(f->rt, agent, &info) == WACTOR_OK && info.state == WACTOR_TERMINATED);
    assert_int_equal(wactor_info(f->rt, c, &info), WACTOR_OK);
    assert_int_equal(info.state, WACTOR_FAILED);
    assert_non_null(strstr(info.failure.message, "integer divide by zero"));
    assert_int_equal(wactor_whereis(f->rt, "agent"), 0);
    wactor_module_release(crasher);
}

/* ------------------------------------------------------------------ typed exports, health */

static void test_rust_typed_exports_and_health(void **state) {
    FIXTURE();
    wactor_pid agent = spawn_module(f->rt, RS_AGENT(f), &(wactor_spawn_opts){.name = "agent"});
    void *res = NULL;
    size_t rlen = 0;
    wactor_diag d = {0};
    assert_int_equal(wactor_invoke(f->rt, agent, "add", "\x80\x04[2147483647,1]", 16, 10000, &res, &rlen, &d),
                     WACTOR_OK);
    assert_int_equal(rlen, 2 + strlen("[-2147483648]"));
    assert_memory_equal(res, "\x80\x04[-2147483648]", rlen);
    free(res);
    assert_int_equal(wactor_invoke(f->rt, agent, "add", "\x80\x04[1]", 5, 10000, &res, &rlen, &d), WACTOR_EARITY);

    wactor_health_status hs;
    char reason[256] = "";
    assert_int_equal(wactor_health(f->rt, agent, 5000, &hs, reason, sizeof reason), WACTOR_OK);
    assert_int_equal(hs, WACTOR_HEALTHY);
    send_json(f->rt, agent, "{\"health\":\"degraded\"}");
    EXPECT_LOG("[agent] rs_agent: health is now Degraded");
    assert_int_equal(wactor_health(f->rt, agent, 5000, &hs, reason, sizeof reason), WACTOR_OK);
    assert_int_equal(hs, WACTOR_DEGRADED);
    assert_string_equal(reason, "told so by a message");

    /* Not a command, not JSON: logged, never a trap. */
    assert_int_equal(wactor_send(f->rt, agent, "\x51\xf5", 2), WACTOR_OK);
    EXPECT_LOG("[agent] rs_agent: not a JSON command from host: <1 bytes of codec 0x51>");
    send_json(f->rt, agent, "{\"frobnicate\":1}");
    EXPECT_LOG("[agent] rs_agent: unknown command from host: {\"frobnicate\":1}");
    wactor_value out[1];
    size_t nout = 0;
    assert_int_equal(wactor_invoke_values(f->rt, agent, "handled", NULL, 0, out, 1, &nout, 10000, &d), WACTOR_OK);
    assert_int_equal(out[0].of.i64, 3);
    wactor_actor_info info;
    assert_int_equal(wactor_info(f->rt, agent, &info), WACTOR_OK);
    assert_int_equal(info.state, WACTOR_READY);
}

/* ------------------------------------------------------------------ a panic, restarted */

static pthread_mutex_t ev_lock = PTHREAD_MUTEX_INITIALIZER;
static char events[8192];

static void on_event(void *user, const char *json) {
    (void)user;
    pthread_mutex_lock(&ev_lock);
    size_t n = strlen(events);
    snprintf(events + n, sizeof events - n, "%s\n", json);
    pthread_mutex_unlock(&ev_lock);
}

static bool events_have(const char *needle) {
    pthread_mutex_lock(&ev_lock);
    bool yes = strstr(events, needle) != NULL;
    pthread_mutex_unlock(&ev_lock);
    return yes;
}

static void test_rust_panic_restarted_by_supervisor(void **state) {
    FIXTURE();
    events[0] = '\0';
    wactor_set_event_handler(f->rt, on_event, NULL);
    wactor_child_spec kids[] = {
        {.id = "kv", .module = C_KV(f), .spawn = {.name = "kv"}, .restart = WACTOR_PERMANENT},
        {.id = "agent", .module = RS_AGENT(f), .spawn = {.name = "agent"}, .restart = WACTOR_PERMANENT},
    };
    wactor_sup_spec spec = {.name = "root", .strategy = WACTOR_ONE_FOR_ONE, .intensity = 5, .period_ms = 60000,
                            .children = kids, .nchildren = 2};
    wactor_pid sup = 0;
    wactor_diag d = {0};
    assert_int_equal(wactor_supervisor_start(f->rt, &spec, &sup, &d), WACTOR_OK);
    wactor_pid first = wactor_whereis(f->rt, "agent");
    wactor_pid kv = wactor_whereis(f->rt, "kv");
    assert_true(first != 0 && kv != 0);

    char want[128];
    snprintf(want, sizeof want, "{\"pong\":\"a\",\"count\":1,\"pid\":%llu}", (unsigned long long)first);
    expect_answer(f->rt, first, "{\"ping\":\"a\"}", want);
    snprintf(want, sizeof want, "{\"pong\":2,\"count\":2,\"pid\":%llu}", (unsigned long long)first);
    expect_answer(f->rt, first, "{\"ping\":2}", want);

    send_json(f->rt, first, "{\"crash\":\"panic\"}");
    EXPECT_LOG("rs_agent: crash requested"); /* Rust's panic message, written to stderr = the log */
    WAIT_FOR(wactor_whereis(f->rt, "agent") != 0 && wactor_whereis(f->rt, "agent") != first);
    wactor_pid second = wactor_whereis(f->rt, "agent");
    WAIT_FOR(events_have("\"event\":\"child_exited\",\"supervisor\":\"root\",\"child\":\"agent\""));
    assert_true(events_have("\"reason\":\"unreachable\""));
    /* A fresh instance: its state starts again; the C sibling was left alone (one_for_one). */
    snprintf(want, sizeof want, "{\"pong\":true,\"count\":1,\"pid\":%llu}", (unsigned long long)second);
    expect_answer(f->rt, second, "{\"ping\":true}", want);
    assert_int_equal(wactor_whereis(f->rt, "kv"), kv);
    wactor_actor_info info;
    assert_int_equal(wactor_info(f->rt, first, &info) == WACTOR_OK ? info.state : WACTOR_FAILED,
                     WACTOR_FAILED);
    assert_int_equal(wactor_stop(f->rt, sup, 10000), WACTOR_OK);
    wactor_set_event_handler(f->rt, NULL, NULL);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_c_client_requests_rust_kv, setup, teardown),
        cmocka_unit_test_setup_teardown(test_host_asks_rust_kv, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rust_inbox_grows, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rust_requests_c_kv, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pubsub_between_rust_and_c, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rust_spawns_and_monitors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rust_link_propagates_trap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rust_typed_exports_and_health, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rust_panic_restarted_by_supervisor, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
