/*
 * test_runtime_guest_sdk.c — the C guest SDK (sdk/c/wactor_guest.h) in a component of two files:
 * tests/fixtures/sdk_twofile/ is main.c (the one file with WACTOR_GUEST_IMPLEMENTATION: cabi_realloc and
 * handle-message) and store.c (the header included plain; its own exports), linked into one module by the
 * build. Proves that it links (the build), that the host uses the allocator of one file while the other
 * file's code runs on the same heap, that the inbox grows through cabi_realloc for a message far larger
 * than its first size, and that requests are answered from either file's state.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "runtime_support.h"
#include "wactor.h"

static int64_t invoke_i64(wactor_runtime *rt, wactor_pid pid, const char *fn) {
    wactor_value res;
    size_t n = 0;
    wactor_diag d = {0};
    wactor_error err = wactor_invoke_values(rt, pid, fn, NULL, 0, &res, 1, &n, 30000, &d); /* a hang guard only */
    if (err) fprintf(stderr, "invoke %s: %s\n", fn, d.message);
    assert_int_equal(err, WACTOR_OK);
    assert_int_equal(n, 1);
    return res.type == WACTOR_I64 ? res.of.i64 : (int64_t)res.of.i32;
}

/* JSON-multicodec payload (prefix 0x0200 = bytes 80 04) of `json`; caller frees. */
static uint8_t *json_payload(const char *json, size_t *len) {
    size_t n = strlen(json);
    uint8_t *p = malloc(n + 2);
    assert_non_null(p);
    p[0] = 0x80, p[1] = 0x04;
    memcpy(p + 2, json, n);
    *len = n + 2;
    return p;
}

/* Asks `json` and checks the reply is exactly {"total":want}. */
static void ask_total(wactor_runtime *rt, wactor_pid pid, const char *json, long long want) {
    size_t len;
    uint8_t *msg = json_payload(json, &len);
    void *reply = NULL;
    size_t reply_len = 0;
    wactor_diag d = {0};
    wactor_error err = wactor_ask(rt, pid, msg, len, 5000, &reply, &reply_len, &d);
    if (err) fprintf(stderr, "ask: %s\n", d.message);
    assert_int_equal(err, WACTOR_OK);
    char expect[64];
    int n = snprintf(expect, sizeof expect, "\x80\x04{\"total\":%lld}", want);
    assert_int_equal(reply_len, (size_t)n);
    assert_memory_equal(reply, expect, (size_t)n);
    free(reply);
    free(msg);
}

static void test_two_file_component(void **state) {
    (void)state;
    wactor_config cfg = {.threads = 2};
    wactor_runtime *rt = NULL;
    assert_int_equal(wactor_runtime_create(&cfg, &rt), WACTOR_OK);
    wactor_module *m = load_module(rt, WACTOR_FIXTURES, "sdk_twofile");
    wactor_pid pid = spawn_module(rt, m, &(wactor_spawn_opts){.name = "twofile"});

    /* plain sends, handled in main.c, stored by store.c */
    for (int i = 1; i <= 3; i++) {
        char json[32];
        snprintf(json, sizeof json, "{\"add\":%d}", i);
        size_t len;
        uint8_t *msg = json_payload(json, &len);
        assert_int_equal(wactor_send(rt, pid, msg, len), WACTOR_OK);
        free(msg);
    }
    ask_total(rt, pid, "{\"add\":10}", 16); /* mailbox order: the sends first */
    assert_int_equal(invoke_i64(rt, pid, "total"), 16);

    /* 256 KiB: the inbox (first made >= 256 bytes by cabi_realloc) grows to it through the same allocator */
    size_t big_len = 256 * 1024;
    char *big = malloc(big_len + 1);
    assert_non_null(big);
    int head = snprintf(big, big_len, "{\"add\":100,\"pad\":\"");
    int64_t sum = 0;
    for (size_t i = (size_t)head; i < big_len - 2; i++) big[i] = (char)('a' + i % 26);
    memcpy(big + big_len - 2, "\"}", 3);
    for (size_t i = 0; i < big_len; i++) sum += (unsigned char)big[i];
    ask_total(rt, pid, big, 116);
    assert_int_equal(invoke_i64(rt, pid, "last_len"), (int64_t)big_len);
    assert_int_equal(invoke_i64(rt, pid, "last_sum"), sum); /* store.c's copy is byte-exact */
    free(big);

    /* a payload that is not JSON is counted by main.c and leaves store.c's total alone */
    assert_int_equal(wactor_send(rt, pid, "\x51\xa0", 2), WACTOR_OK); /* CBOR {} */
    WAIT_FOR(invoke_i64(rt, pid, "bad") == 1);
    assert_int_equal(invoke_i64(rt, pid, "total"), 116);
    ask_total(rt, pid, "{\"add\":-16}", 100);

    wactor_runtime_destroy(rt);
    wactor_module_release(m);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_two_file_component),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
