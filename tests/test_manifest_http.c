/* test_manifest_http.c — the manifest's `http:` section (src/manifest/http.c): where the admin HTTP server
 * listens, its token file (resolved beside the manifest) and limits; every malformed form is a
 * FILE:LINE:COL error. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "manifest/manifest.h"

#define C1 "components: [{name: a, module: a.wasm}]\n"

static manifest *parse(const char *yaml, char *err, size_t errlen) {
    manifest *m = NULL;
    if (manifest_parse(yaml, strlen(yaml), "dir/t.yaml", &m, err, errlen) != 0) return NULL;
    return m;
}

static void expect_error(const char *yaml, int line, const char *needle) {
    char err[256] = "", prefix[32];
    manifest *m = parse(yaml, err, sizeof err);
    assert_null(m);
    snprintf(prefix, sizeof prefix, "dir/t.yaml:%d:", line);
    if (strncmp(err, prefix, strlen(prefix)) != 0 || !strstr(err, needle))
        fail_msg("expected '%s...%s', got '%s'", prefix, needle, err);
}

static void test_http_section(void **state) {
    (void)state;
    char err[256];
    manifest *m = parse(C1 "http:\n  listen: 127.0.0.1:9100\n  token_file: secret/admin.token\n"
                           "  max_body_bytes: 1000\n  max_connections: 4\n", err, sizeof err);
    assert_non_null(m);
    assert_true(m->http.present);
    assert_string_equal(m->http.host, "127.0.0.1");
    assert_int_equal(m->http.port, 9100);
    assert_string_equal(m->http.token_file, "dir/secret/admin.token");
    assert_int_equal(m->http.max_body_bytes, 1000);
    assert_int_equal(m->http.max_connections, 4);
    assert_int_equal(m->http.line, 3);
    manifest_free(m);
    m = parse(C1 "http: {listen: \"0.0.0.0:0\"}\n", err, sizeof err);
    assert_non_null(m);
    assert_int_equal(m->http.port, 0);
    assert_null(m->http.token_file);
    assert_int_equal(m->http.max_body_bytes, 0); /* the default */
    manifest_free(m);
    m = parse(C1, err, sizeof err);
    assert_false(m->http.present);
    manifest_free(m);
}

static void test_http_errors(void **state) {
    (void)state;
    expect_error(C1 "http: 9100\n", 2, "'http' must be a mapping with 'listen', not a scalar");
    expect_error(C1 "http: {}\n", 2, "'http' needs 'listen: HOST:PORT'");
    expect_error(C1 "http: {listen: \"127.0.0.1\"}\n", 2, "'listen' must be HOST:PORT");
    expect_error(C1 "http: {listen: \"127.0.0.1:65536\"}\n", 2, "'listen' must be HOST:PORT");
    expect_error(C1 "http: {listen: \"127.0.0.1:-1\"}\n", 2, "'listen' must be HOST:PORT");
    expect_error(C1 "http: {listen: \":80\"}\n", 2, "'listen' must be HOST:PORT");
    expect_error(C1 "http: {listen: \"::1:80\"}\n", 2, "'listen' must be HOST:PORT");
    expect_error(C1 "http: {listen: \"a b:80\"}\n", 2, "'listen' must be HOST:PORT");
    expect_error(C1 "http: {listen: \"h:8080x\"}\n", 2, "'listen' must be HOST:PORT");
    expect_error(C1 "http: {listen: [1]}\n", 2, "'listen'");
    expect_error(C1 "http: {listen: \"h:1\", max_body_bytes: 0}\n", 2, "max_body_bytes");
    expect_error(C1 "http: {listen: \"h:1\", max_connections: 5000}\n", 2, "max_connections");
    expect_error(C1 "http: {listen: \"h:1\", tokn_file: x}\n", 2, "unknown key 'tokn_file' in 'http'");
    expect_error(C1 "http: {listen: \"h:1\"}\nhttp: {listen: \"h:2\"}\n", 3, "duplicate");
    char *host = NULL;
    uint16_t port = 1;
    assert_int_equal(manifest_split_listen("localhost:0", &host, &port), 0);
    assert_string_equal(host, "localhost");
    assert_int_equal(port, 0);
    free(host);
    assert_int_equal(manifest_split_listen(NULL, &host, &port), -1);
    assert_int_equal(manifest_split_listen("x:", &host, &port), -1);
    assert_int_equal(manifest_split_listen("x:123456", &host, &port), -1);
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_http_section), cmocka_unit_test(test_http_errors)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
