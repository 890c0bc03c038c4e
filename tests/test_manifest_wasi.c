/*
 * test_manifest_wasi.c — a component's `wasi:` key (src/manifest/wasi.c): args, env and dirs in each form,
 * deny by default, relative host paths, and every malformed input with its line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "manifest/manifest.h"

static manifest *parse_ok(const char *yaml) {
    manifest *m = NULL;
    char err[256] = "";
    if (manifest_parse(yaml, strlen(yaml), "dir/t.yaml", &m, err, sizeof err) != 0) fail_msg("error: %s", err);
    return m;
}

static void expect_error(const char *yaml, int line, const char *needle) {
    manifest *m = NULL;
    char err[256] = "", prefix[32];
    assert_int_equal(manifest_parse(yaml, strlen(yaml), "dir/t.yaml", &m, err, sizeof err), -1);
    assert_null(m);
    snprintf(prefix, sizeof prefix, "dir/t.yaml:%d:", line);
    if (strncmp(err, prefix, strlen(prefix)) != 0 || !strstr(err, needle))
        fail_msg("expected '%s...%s', got '%s'", prefix, needle, err);
}

#define HEAD "components:\n  - name: a\n    module: a.wasm\n"

static void test_all_forms(void **state) {
    (void)state;
    manifest *m = parse_ok(HEAD "    wasi:\n"
                                "      args: [prog, \"two words\", \"\", 3]\n"
                                "      env: { LANG: C, COUNT: 3, EMPTY: \"\", NUL: ~ }\n"
                                "      dirs:\n"
                                "        - \"data::/data\"\n"
                                "        - cache\n"
                                "        - /abs/path::.\n"
                                "        - { host: static, guest: /www, read_only: true }\n"
                                "        - { host: same }\n");
    const manifest_component *c = &m->components[0];
    assert_true(c->has_wasi);
    assert_int_equal(c->wasi.nargs, 4);
    assert_string_equal(c->wasi.args[0], "prog");
    assert_string_equal(c->wasi.args[1], "two words");
    assert_string_equal(c->wasi.args[2], "");
    assert_string_equal(c->wasi.args[3], "3");
    assert_int_equal(c->wasi.nenv, 4);
    assert_string_equal(c->wasi.env[0], "LANG=C");
    assert_string_equal(c->wasi.env[1], "COUNT=3");
    assert_string_equal(c->wasi.env[2], "EMPTY=");
    assert_string_equal(c->wasi.env[3], "NUL=");
    assert_int_equal(c->wasi.ndirs, 5);
    assert_string_equal(c->wasi.dirs[0].host, "dir/data");
    assert_string_equal(c->wasi.dirs[0].guest, "/data");
    assert_false(c->wasi.dirs[0].read_only);
    assert_string_equal(c->wasi.dirs[1].host, "dir/cache");
    assert_string_equal(c->wasi.dirs[1].guest, "cache");
    assert_string_equal(c->wasi.dirs[2].host, "/abs/path");
    assert_string_equal(c->wasi.dirs[2].guest, ".");
    assert_string_equal(c->wasi.dirs[3].host, "dir/static");
    assert_string_equal(c->wasi.dirs[3].guest, "/www");
    assert_true(c->wasi.dirs[3].read_only);
    assert_string_equal(c->wasi.dirs[4].guest, "same");
    manifest_free(m);

    m = parse_ok(HEAD);
    assert_false(m->components[0].has_wasi); /* deny by default */
    assert_int_equal(m->components[0].wasi.nargs + m->components[0].wasi.nenv + m->components[0].wasi.ndirs, 0);
    manifest_free(m);
    m = parse_ok(HEAD "    wasi: {}\n");
    assert_true(m->components[0].has_wasi);
    assert_int_equal(m->components[0].wasi.ndirs, 0);
    manifest_free(m);
}

static void test_errors(void **state) {
    (void)state;
    expect_error(HEAD "    wasi: [a]\n", 4, "'wasi' must be a mapping");
    expect_error(HEAD "    wasi:\n      argz: []\n", 5, "unknown key 'argz' in wasi (expected args, env, dirs)");
    expect_error(HEAD "    wasi:\n      args: x\n", 5, "'wasi.args' must be a list");
    expect_error(HEAD "    wasi:\n      args: [[1]]\n", 5, "each of 'wasi.args' must be a string");
    expect_error(HEAD "    wasi:\n      env: [A=1]\n", 5, "'wasi.env' must be a mapping");
    expect_error(HEAD "    wasi:\n      env: { \"A=B\": 1 }\n", 5, "name 'A=B' must be non-empty, without '='");
    expect_error(HEAD "    wasi:\n      env: { \"\": 1 }\n", 5, "must be non-empty");
    expect_error(HEAD "    wasi:\n      env: { A: [1] }\n", 5, "a 'wasi.env' value must be a string");
    expect_error(HEAD "    wasi:\n      dirs: \"x\"\n", 5, "'wasi.dirs' must be a list");
    expect_error(HEAD "    wasi:\n      dirs: [\"::/x\"]\n", 5, "\"HOST::GUEST\" or \"HOST\"");
    expect_error(HEAD "    wasi:\n      dirs: [\"x::\"]\n", 5, "\"HOST::GUEST\" or \"HOST\"");
    expect_error(HEAD "    wasi:\n      dirs: [{guest: /x}]\n", 5, "missing required key 'host'");
    expect_error(HEAD "    wasi:\n      dirs: [{host: x, mode: ro}]\n", 5, "unknown key 'mode' in a 'wasi.dirs' entry");
    expect_error(HEAD "    wasi:\n      dirs: [{host: x, read_only: maybe}]\n", 5, "read_only");
    expect_error(HEAD "    wasi:\n      dirs: [\"\"]\n", 5, "must not be empty");
    expect_error(HEAD "    wasi:\n      args: [a]\n      args: [b]\n", 6, "duplicate");
    /* a list over WACTOR_WASI_MAX_STRINGS entries */
    size_t n = WACTOR_WASI_MAX_STRINGS + 1;
    char *yaml = malloc(strlen(HEAD) + 64 + n * 3);
    char *p = yaml + sprintf(yaml, HEAD "    wasi:\n      args: [");
    for (size_t i = 0; i < n; i++) p += sprintf(p, "%sa", i ? "," : "");
    sprintf(p, "]\n");
    expect_error(yaml, 5, "more than 4096 entries");
    free(yaml);
    /* more than WACTOR_WASI_MAX_BYTES of strings */
    size_t big = 300000;
    yaml = malloc(strlen(HEAD) + 64 + 4 * (big + 4));
    p = yaml + sprintf(yaml, HEAD "    wasi:\n      args: [");
    for (int k = 0; k < 4; k++) {
        *p++ = k ? ',' : ' ';
        memset(p, 'x', big);
        p += big;
    }
    sprintf(p, "]\n");
    expect_error(yaml, 5, "more than 1048576");
    free(yaml);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_all_forms),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
