/* test_manifest_log.c — the manifest's `log:` section (src/manifest/log.c): level and format, their
 * defaults, and every way to get them wrong, with the line of the mistake. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "manifest/manifest.h"

#define BASE "components: [{name: a, module: a.wasm}]\n"

static manifest *parse_ok(const char *yaml) {
    manifest *m = NULL;
    char err[512];
    int rc = manifest_parse(yaml, strlen(yaml), "t.yaml", &m, err, sizeof err);
    if (rc) fprintf(stderr, "%s\n", err);
    assert_int_equal(rc, 0);
    return m;
}

static void expect_error(const char *yaml, const char *where, const char *what) {
    manifest *m = NULL;
    char err[512] = "";
    assert_int_equal(manifest_parse(yaml, strlen(yaml), "t.yaml", &m, err, sizeof err), -1);
    assert_null(m);
    if (!strstr(err, where) || !strstr(err, what)) fprintf(stderr, "got: %s\n", err);
    assert_non_null(strstr(err, where));
    assert_non_null(strstr(err, what));
}

static void test_defaults(void **state) {
    (void)state;
    manifest *m = parse_ok(BASE);
    assert_int_equal(m->log.level, WACTOR_LOG_INFO);
    assert_int_equal(m->log.format, MANIFEST_LOG_TEXT);
    assert_false(m->log.level_given);
    assert_false(m->log.format_given);
    manifest_free(m);
    m = parse_ok(BASE "log:\n"); /* an empty section: the defaults */
    assert_int_equal(m->log.level, WACTOR_LOG_INFO);
    assert_false(m->log.level_given);
    manifest_free(m);
}

static void test_every_level_and_format(void **state) {
    (void)state;
    const char *names[] = {"trace", "debug", "info", "warn", "error"};
    for (int l = WACTOR_LOG_TRACE; l <= WACTOR_LOG_ERROR; l++) {
        char yaml[256];
        snprintf(yaml, sizeof yaml, BASE "log: {level: %s, format: json}\n", names[l + 1]);
        manifest *m = parse_ok(yaml);
        assert_int_equal(m->log.level, l);
        assert_true(m->log.level_given);
        assert_int_equal(m->log.format, MANIFEST_LOG_JSON);
        assert_true(m->log.format_given);
        manifest_free(m);
    }
    manifest *m = parse_ok(BASE "log:\n  format: text\n");
    assert_int_equal(m->log.format, MANIFEST_LOG_TEXT);
    assert_true(m->log.format_given);
    assert_false(m->log.level_given);
    manifest_free(m);
}

static void test_errors(void **state) {
    (void)state;
    expect_error(BASE "log:\n  level: loud\n", "t.yaml:3:", "unknown log level 'loud' (expected trace, debug, info, warn, error)");
    expect_error(BASE "log:\n  level: INFO\n", "t.yaml:3:", "unknown log level 'INFO'");
    expect_error(BASE "log:\n  format: xml\n", "t.yaml:3:", "unknown log format 'xml' (expected text, json)");
    expect_error(BASE "log:\n  level: [info]\n", "t.yaml:3:", "'log level' must be one of");
    expect_error(BASE "log:\n  levl: info\n", "t.yaml:3:", "unknown key 'levl' in log (expected level, format)");
    expect_error(BASE "log: debug\n", "t.yaml:2:", "'log' must be a mapping");
    expect_error(BASE "log: [debug]\n", "t.yaml:2:", "'log' must be a mapping");
    expect_error(BASE "log:\n  level: info\n  level: debug\n", "t.yaml:", "duplicate");
    expect_error(BASE "log:\n  level: \"in\\x1bfo\"\n", "t.yaml:3:", "unknown log level 'in\\x1bfo'"); /* escaped */
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_every_level_and_format),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
