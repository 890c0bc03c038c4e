/* test_manifest_host.c — the manifest's host actor children (`host: KIND`, include/wactor_host.h): what is
 * accepted, the defaults, and each refusal with its line. That the kind is registered is the runtime's check
 * (tests/test_runtime_host.c, tests/cli/host.sh). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "manifest/manifest.h"

static manifest *parse_ok(const char *yaml) {
    manifest *m = NULL;
    char err[256] = "";
    if (manifest_parse(yaml, strlen(yaml), "t.yaml", &m, err, sizeof err) != 0) fail_msg("unexpected error: %s", err);
    assert_non_null(m);
    return m;
}

static void expect_error_at(const char *yaml, int line, const char *needle) {
    manifest *m = NULL;
    char err[256] = "";
    if (manifest_parse(yaml, strlen(yaml), "t.yaml", &m, err, sizeof err) != -1) {
        manifest_free(m);
        fail_msg("accepted: %s", yaml);
    }
    assert_null(m);
    char prefix[32];
    snprintf(prefix, sizeof prefix, "t.yaml:%d:", line);
    if (strncmp(err, prefix, strlen(prefix)) != 0 || strstr(err, needle) == NULL)
        fail_msg("expected '%s...%s', got '%s'", prefix, needle, err);
}

static void test_host_children(void **st) {
    (void)st;
    manifest *m = parse_ok("components:\n"
                           "  - name: client\n"
                           "    module: kv_client.wasm\n"
                           "supervisor:\n"
                           "  name: root\n"
                           "  children:\n"
                           "    - host: kv\n"
                           "    - host: kv\n"
                           "      name: cache\n"
                           "      restart: transient\n"
                           "      shutdown: brutal_kill\n"
                           "      capabilities: {send: [client], publish: [\"kv.>\"]}\n"
                           "      health: {interval_ms: 100}\n"
                           "    - component: client\n");
    const manifest_supervisor *s = m->supervisor;
    assert_int_equal(s->nchildren, 3);
    const manifest_child *a = &s->children[0], *b = &s->children[1];
    assert_string_equal(a->host_kind, "kv");
    assert_null(a->host_name);
    assert_false(a->is_supervisor);
    assert_int_equal(a->shutdown_ms, WACTOR_DEFAULT_SHUTDOWN_MS);
    assert_int_equal(a->restart, WACTOR_PERMANENT);
    assert_int_equal(a->host_caps.nsend, 0);
    assert_string_equal(b->host_kind, "kv");
    assert_string_equal(b->host_name, "cache");
    assert_int_equal(b->restart, WACTOR_TRANSIENT);
    assert_int_equal(b->shutdown_ms, WACTOR_BRUTAL_KILL);
    assert_int_equal(b->host_caps.nsend, 1);
    assert_string_equal(b->host_caps.send[0], "client");
    assert_int_equal(b->host_caps.npublish, 1);
    assert_int_equal(b->health_interval_ms, 100);
    assert_null(s->children[2].host_kind);
    manifest_free(m);
}

#define HEAD "components:\n  - name: client\n    module: c.wasm\nsupervisor:\n  name: root\n  children:\n"

static void test_host_children_refused(void **st) {
    (void)st;
    expect_error_at(HEAD "    - host: kv\n      component: client\n", 7, "'host' and also 'component'");
    expect_error_at(HEAD "    - host: client\n", 7, "clashes with the component");
    expect_error_at(HEAD "    - host: kv\n      name: root\n", 8, "clashes with the supervisor");
    expect_error_at(HEAD "    - host: kv\n      name: host\n", 8, "reserved");
    expect_error_at(HEAD "    - host: kv\n      name: \"#12\"\n", 8, "reserved");
    expect_error_at(HEAD "    - host: \"\"\n", 7, "host");
    expect_error_at(HEAD "    - host: [kv]\n", 7, "host");
    expect_error_at(HEAD "    - host: kv\n      capabilities: {send: [\"#01\"]}\n", 8, "#01");
    expect_error_at(HEAD "    - host: kv\n      capabilities: {fly: true}\n", 8, "unknown key 'fly'");
    expect_error_at(HEAD "    - component: client\n      name: x\n", 8, "host actor children only");
    expect_error_at(HEAD "    - host: kv\n      bogus: 1\n", 8, "unknown key 'bogus'");
    char long_kind[400];
    snprintf(long_kind, sizeof long_kind, HEAD "    - host: %0300d\n", 1);
    expect_error_at(long_kind, 7, "longer than");
    expect_error_at("components:\n  - name: client\n    module: c.wasm\nsupervisor:\n  name: root\n"
                    "  strategy: simple_one_for_one\n  children:\n    - host: kv\n",
                    8, "not a host actor");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_host_children),
        cmocka_unit_test(test_host_children_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
