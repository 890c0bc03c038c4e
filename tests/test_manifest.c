/* Tests for src/manifest: valid manifests, payload bytes, and every error with its line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "manifest/manifest.h"

static char tmpdir[256];

static int setup_tmpdir(void **state) {
    (void)state;
    const char *base = getenv("TMPDIR");
    snprintf(tmpdir, sizeof tmpdir, "%s/wactor-manifest-XXXXXX", base && *base ? base : "/tmp");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown_tmpdir(void **state) {
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

/* Writes `text` to tmpdir/name and returns the path (static buffer). */
static const char *write_fixture(const char *name, const char *text) {
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
    assert_int_equal(fclose(f), 0);
    return path;
}

static manifest *parse_ok(const char *yaml, const char *path) {
    manifest *m = NULL;
    char err[256] = "";
    int rc = manifest_parse(yaml, strlen(yaml), path, &m, err, sizeof err);
    if (rc != 0)
        fail_msg("unexpected error: %s", err);
    assert_non_null(m);
    return m;
}

/* Parses `yaml` as "t.yaml", expects failure at `line`, and a message containing `needle`. */
static void expect_error_at(const char *yaml, int line, const char *needle) {
    manifest *m = (manifest *)0x1;
    char err[256] = "";
    assert_int_equal(manifest_parse(yaml, strlen(yaml), "dir/t.yaml", &m, err, sizeof err), -1);
    assert_null(m);
    char prefix[32];
    snprintf(prefix, sizeof prefix, "dir/t.yaml:%d:", line);
    if (strncmp(err, prefix, strlen(prefix)) != 0 || strstr(err, needle) == NULL)
        fail_msg("expected '%s...%s', got '%s'", prefix, needle, err);
}

static void assert_payload(const manifest_send *s, const uint8_t *prefix, size_t plen, const char *body) {
    size_t blen = strlen(body);
    if (s->len != plen + blen || memcmp(s->payload, prefix, plen) != 0 ||
        memcmp(s->payload + plen, body, blen) != 0)
        fail_msg("payload mismatch: got %zu bytes '%.*s', want '%s'", s->len,
                 (int)(s->len > plen ? s->len - plen : 0), (const char *)s->payload + plen, body);
}

static const uint8_t JSON_PREFIX[] = {0x80, 0x04};

/* ------------------------------------------------------------------ valid manifests */

static const char *VALID =
    "# a comment\n"
    "components:\n"
    "  - name: ping\n"                                        /* line 3 */
    "    module: ping.wasm\n"
    "    limits: { memory_pages: 16, fuel: 1000000 }\n"
    "  - name: pong\n"                                        /* line 6 */
    "    module: /abs/pong.wasm\n"
    "  - module: sub/dir/echo.wasm\n"                         /* line 8: keys in any order */
    "    name: echo\n"
    "    limits:\n"
    "      fuel: 18446744073709551615\n"
    "send:\n"
    "  - to: ping\n"                                          /* line 13 */
    "    json: {\"count\": 3}\n"
    "  - to: pong\n"                                          /* line 15 */
    "    text: \"hello\"\n";

static void test_valid_fields(void **state) {
    (void)state;
    manifest *m = parse_ok(VALID, "/srv/sys/demo.yaml");
    assert_string_equal(m->path, "/srv/sys/demo.yaml");
    assert_int_equal(m->ncomponents, 3);
    assert_string_equal(m->components[0].name, "ping");
    assert_string_equal(m->components[0].module_path, "/srv/sys/ping.wasm");
    assert_int_equal(m->components[0].memory_pages, 16);
    assert_int_equal(m->components[0].fuel, 1000000);
    assert_int_equal(m->components[0].line, 3);
    assert_string_equal(m->components[1].name, "pong");
    assert_string_equal(m->components[1].module_path, "/abs/pong.wasm");
    assert_int_equal(m->components[1].memory_pages, 0);
    assert_int_equal(m->components[1].fuel, 0);
    assert_int_equal(m->components[1].line, 6);
    assert_string_equal(m->components[2].name, "echo");
    assert_string_equal(m->components[2].module_path, "/srv/sys/sub/dir/echo.wasm");
    assert_true(m->components[2].fuel == UINT64_MAX);
    assert_int_equal(m->components[2].line, 8);

    assert_int_equal(m->nsends, 2);
    assert_string_equal(m->sends[0].to, "ping");
    assert_int_equal(m->sends[0].line, 13);
    assert_payload(&m->sends[0], JSON_PREFIX, 2, "{\"count\":3}");
    assert_string_equal(m->sends[1].to, "pong");
    assert_int_equal(m->sends[1].line, 15);
    assert_payload(&m->sends[1], JSON_PREFIX, 2, "\"hello\"");
    manifest_free(m);
}

static void test_paths_relative_and_null(void **state) {
    (void)state;
    manifest *m = parse_ok("components: [{name: a, module: a.wasm}]\n", "demo.yaml");
    assert_string_equal(m->components[0].module_path, "a.wasm");
    assert_string_equal(m->path, "demo.yaml");
    assert_null(m->sends);
    assert_int_equal(m->nsends, 0);
    manifest_free(m);

    m = parse_ok("components: [{name: a, module: x/a.wasm}]\n", "rel/dir/demo.yaml");
    assert_string_equal(m->components[0].module_path, "rel/dir/x/a.wasm");
    manifest_free(m);

    m = parse_ok("components: [{name: a, module: a.wasm}]\nsend:\n", NULL);
    assert_string_equal(m->components[0].module_path, "a.wasm");
    assert_null(m->path);
    manifest_free(m);

    char err[128];
    assert_int_equal(manifest_parse("components: 3\n", 14, NULL, &m, err, sizeof err), -1);
    assert_true(strncmp(err, "<string>:1:", 11) == 0);
}

static void test_json_payload_conversion(void **state) {
    (void)state;
    static const struct {
        const char *yaml, *json;
    } cases[] = {
        {"{\"count\": 3}", "{\"count\":3}"},
        {"{a: [1, -2, +3, 007, 3.5, .5, 1., 1e3, -1.5E-2, \"x\", true, false, null, ~]}",
         "{\"a\":[1,-2,3,7,3.5,0.5,1.0,1e3,-1.5e-2,\"x\",true,false,null,null]}"},
        {"{s: 'it''s', q: \"say \\\"hi\\\"\\n\\ttab\\\\\", n: '3', t: !!str 42, u: \"\\u00e9\\x01\"}",
         "{\"s\":\"it's\",\"q\":\"say \\\"hi\\\"\\n\\ttab\\\\\",\"n\":\"3\",\"t\":\"42\",\"u\":\"\xc3\xa9\\u0001\"}"},
        {"[]", "[]"},
        {"{}", "{}"},
        {"hello world", "\"hello world\""},
        {"12345678901234567890123", "12345678901234567890123"},
        {"0x1F", "31"},
        {"0o17", "15"},
        {"yes", "\"yes\""},
        {"--", "\"--\""},
        {"1.2.3", "\"1.2.3\""},
        {"{nested: {deep: [[1], {k: v}]}}", "{\"nested\":{\"deep\":[[1],{\"k\":\"v\"}]}}"},
        {"", "null"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char yaml[512];
        snprintf(yaml, sizeof yaml, "components: [{name: a, module: a.wasm}]\nsend:\n  - to: a\n    json: %s\n",
                 cases[i].yaml);
        manifest *m = parse_ok(yaml, "t.yaml");
        assert_int_equal(m->nsends, 1);
        assert_payload(&m->sends[0], JSON_PREFIX, 2, cases[i].json);
        manifest_free(m);
    }
    /* block-style json and anchors/aliases */
    manifest *m = parse_ok("components:\n  - name: a\n    module: a.wasm\n"
                           "send:\n  - to: a\n    json:\n      count: &n 3\n      list:\n        - *n\n        - x\n",
                           "t.yaml");
    assert_payload(&m->sends[0], JSON_PREFIX, 2, "{\"count\":3,\"list\":[3,\"x\"]}");
    manifest_free(m);
}

static void test_text_cbor_borsh_payloads(void **state) {
    (void)state;
    manifest *m = parse_ok("components: [{name: a, module: a.wasm}]\n"
                           "send:\n"
                           "  - {to: a, text: \"line\\nwith \\\"quotes\\\"\"}\n"
                           "  - {to: a, text: 42}\n"
                           "  - {to: a, cbor: a1 61 6E 01}\n"
                           "  - {to: a, borsh: \"0x0300000000000000\"}\n"
                           "  - {to: a, cbor: ''}\n"
                           "  - to: a\n"
                           "    borsh: |\n"
                           "      01 02\n"
                           "      03\n",
                           "t.yaml");
    assert_int_equal(m->nsends, 6);
    assert_payload(&m->sends[0], JSON_PREFIX, 2, "\"line\\nwith \\\"quotes\\\"\"");
    assert_payload(&m->sends[1], JSON_PREFIX, 2, "\"42\"");
    static const uint8_t cbor[] = {0x51, 0xa1, 0x61, 0x6e, 0x01};
    assert_int_equal(m->sends[2].len, sizeof cbor);
    assert_memory_equal(m->sends[2].payload, cbor, sizeof cbor);
    static const uint8_t borsh[] = {0x81, 0x0e, 3, 0, 0, 0, 0, 0, 0, 0};
    assert_int_equal(m->sends[3].len, sizeof borsh);
    assert_memory_equal(m->sends[3].payload, borsh, sizeof borsh);
    assert_int_equal(m->sends[4].len, 1);
    assert_int_equal(m->sends[4].payload[0], 0x51);
    static const uint8_t borsh2[] = {0x81, 0x0e, 1, 2, 3};
    assert_int_equal(m->sends[5].len, sizeof borsh2);
    assert_memory_equal(m->sends[5].payload, borsh2, sizeof borsh2);
    manifest_free(m);
}

static void test_load_file(void **state) {
    (void)state;
    write_fixture("ping.wasm", "");
    const char *path = write_fixture("manifest_load.yaml", VALID);
    manifest *m = NULL;
    char err[256] = "";
    if (manifest_load(path, &m, err, sizeof err) != 0)
        fail_msg("%s", err);
    char want[600];
    snprintf(want, sizeof want, "%s/ping.wasm", tmpdir);
    assert_string_equal(m->components[0].module_path, want);
    assert_string_equal(m->path, path);
    assert_int_equal(m->nsends, 2);
    FILE *f = fopen(m->components[0].module_path, "r"); /* really beside the manifest */
    assert_non_null(f);
    fclose(f);
    manifest_free(m);

    path = write_fixture("manifest_bad.yaml", "components:\n  - name: a\n    modul: a.wasm\n");
    assert_int_equal(manifest_load(path, &m, err, sizeof err), -1);
    assert_null(m);
    char prefix[600];
    snprintf(prefix, sizeof prefix, "%s:3:5: unknown key 'modul' in component", path);
    assert_true(strncmp(err, prefix, strlen(prefix)) == 0);
}

static void test_load_missing_file(void **state) {
    (void)state;
    manifest *m = (manifest *)0x1;
    char err[256];
    assert_int_equal(manifest_load("/nonexistent/dir/x.yaml", &m, err, sizeof err), -1);
    assert_null(m);
    assert_string_equal(err, "/nonexistent/dir/x.yaml: cannot read: No such file or directory");
    /* a directory is not a manifest */
    assert_int_equal(manifest_load(tmpdir, &m, err, sizeof err), -1);
    assert_non_null(strstr(err, "cannot read"));
    /* NULL err and tiny err buffers are fine */
    assert_int_equal(manifest_load("/nonexistent/x.yaml", &m, NULL, 0), -1);
    char tiny[8];
    assert_int_equal(manifest_parse("x", 1, "a-rather-long-file-name.yaml", &m, tiny, sizeof tiny), -1);
    assert_int_equal(strlen(tiny), 7);
    assert_int_equal(manifest_parse(NULL, 0, NULL, &m, NULL, 0), -1);
}

static void test_demo_manifest(void **state) {
    (void)state;
    manifest *m = NULL;
    char err[256] = "";
    if (manifest_load(WACTOR_EXAMPLES "/demo.yaml", &m, err, sizeof err) != 0)
        fail_msg("%s", err);
    assert_true(m->ncomponents >= 7);
    assert_true(m->nsends >= 3);
    for (size_t i = 0; i < m->ncomponents; i++) {
        FILE *f = fopen(m->components[i].module_path, "rb");
        if (f == NULL)
            fail_msg("demo module %s not built", m->components[i].module_path);
        fclose(f);
    }
    assert_string_equal(m->sends[0].to, "ping");
    assert_payload(&m->sends[0], JSON_PREFIX, 2, "{\"count\":3}");
    manifest_free(m);
}

/* ------------------------------------------------------------------ errors, each at its line */

static void test_error_unknown_keys(void **state) {
    (void)state;
    expect_error_at("components:\n  - name: a\n    modul: a.wasm\n", 3, "unknown key 'modul' in component");
    expect_error_at("components:\n  - {name: a, module: a.wasm}\nsned:\n  - to: a\n", 3,
                    "unknown key 'sned' at top level");
    expect_error_at("components:\n  - name: a\n    module: a.wasm\n    limits:\n      memory: 3\n", 5,
                    "unknown key 'memory' in limits");
    expect_error_at("components: [{name: a, module: a.wasm}]\nsend:\n  - to: a\n    jsn: 1\n", 4,
                    "unknown key 'jsn' in send entry");
}

static void test_error_missing_keys(void **state) {
    (void)state;
    expect_error_at("send: []\n", 1, "missing required key 'components'");
    expect_error_at("components:\n  - name: a\n    module: a.wasm\n  - module: b.wasm\n", 4,
                    "missing required key 'name'");
    expect_error_at("components:\n  - name: a\n    module: a.wasm\n\n  - name: b\n    limits: {fuel: 1}\n", 5,
                    "component 'b' is missing required key 'module'");
    expect_error_at("components: [{name: a, module: a.wasm}]\nsend:\n  - json: 1\n", 3,
                    "missing required key 'to'");
    expect_error_at("components: [{name: a, module: a.wasm}]\nsend:\n  - to: a\n", 3,
                    "needs a payload: one of 'json', 'text', 'cbor', 'borsh'");
    expect_error_at("components: []\n", 1, "at least one component");
}

static void test_error_wrong_types(void **state) {
    (void)state;
    expect_error_at("components: ping.wasm\n", 1, "'components' must be a list");
    expect_error_at("components:\n", 1, "'components' must be a list of components, not nothing");
    expect_error_at("- a\n- b\n", 1, "the manifest must be a mapping");
    expect_error_at("components:\n  - ping\n", 2, "a component must be a mapping");
    expect_error_at("components:\n  - name: [a, b]\n    module: a.wasm\n", 2, "'name' must be a string, not a list");
    expect_error_at("components:\n  - name: a\n    module:\n", 3, "'module' must be a string, not nothing");
    expect_error_at("components:\n  - name: a\n    module: a.wasm\n    limits: 5\n", 4, "'limits' must be a mapping");
    expect_error_at("components:\n  - name: a\n    module: a.wasm\n    limits:\n      fuel: \"100\"\n", 5,
                    "'fuel' must be a non-negative integer, not a quoted string");
    expect_error_at("components:\n  - name: a\n    module: a.wasm\n    limits: {memory_pages: 1.5}\n", 4,
                    "'memory_pages' must be a non-negative integer (got '1.5')");
    expect_error_at("components:\n  - name: a\n    module: a.wasm\n    limits: {fuel: [1]}\n", 4,
                    "'fuel' must be a non-negative integer, not a list");
    expect_error_at("components: [{name: a, module: a.wasm}]\nsend: {to: a}\n", 2, "'send' must be a list");
    expect_error_at("components: [{name: a, module: a.wasm}]\nsend:\n  - to: a\n    text: [1]\n", 4,
                    "'text' must be a string, not a list");
    expect_error_at("components: [{name: a, module: a.wasm}]\nsend:\n  - to: {x: 1}\n    text: hi\n", 3,
                    "'to' must be a string, not a mapping");
    expect_error_at("components:\n  - name: \"a\\tb\"\n    module: a.wasm\n", 2, "control characters");
}

static void test_error_limits_range(void **state) {
    (void)state;
    expect_error_at("components:\n  - name: a\n    module: a.wasm\n    limits: {memory_pages: -1}\n", 4,
                    "'memory_pages' must not be negative");
    expect_error_at("components:\n  - name: a\n    module: a.wasm\n    limits:\n      fuel: -5\n", 5,
                    "'fuel' must not be negative");
    expect_error_at("components:\n  - name: a\n    module: a.wasm\n    limits:\n      fuel: 18446744073709551616\n", 5,
                    "'fuel' is out of range");
    expect_error_at("components:\n  - name: a\n    module: a.wasm\n    limits:\n"
                    "      memory_pages: 65537\n", 5, "'memory_pages' is out of range: 65537 (maximum 65536)");
    expect_error_at("components:\n  - name: a\n    module: a.wasm\n    limits:\n"
                    "      memory_pages: 99999999999999999999999\n", 5, "'memory_pages' is out of range");
    manifest *m = parse_ok("components:\n  - {name: a, module: a.wasm, limits: {memory_pages: 65536, fuel: 0}}\n",
                           NULL);
    assert_int_equal(m->components[0].memory_pages, 65536);
    manifest_free(m);
}

static void test_error_names(void **state) {
    (void)state;
    expect_error_at("components:\n  - name: a\n    module: a.wasm\n  - name: b\n    module: b.wasm\n"
                    "  - name: a\n    module: c.wasm\n", 6,
                    "duplicate component name 'a' (first declared on line 2)");
    expect_error_at("components:\n  - name: host\n    module: a.wasm\n", 2, "reserved");
    expect_error_at("components:\n  - name: \"#3\"\n    module: a.wasm\n", 2, "reserved");
    expect_error_at("components:\n  - name: ''\n    module: a.wasm\n", 2, "'name' must not be empty");
    expect_error_at("components:\n  - name: a\n    module: a.wasm\nsend:\n  - to: a\n    json: 1\n"
                    "  - to: nobody\n    json: 2\n", 7, "send.to 'nobody' names no declared component");
    /* send may come before components */
    expect_error_at("send:\n  - to: b\n    text: x\ncomponents:\n  - name: a\n    module: a.wasm\n", 2,
                    "send.to 'b' names no declared component");
}

static void test_error_payloads(void **state) {
    (void)state;
    expect_error_at("components: [{name: a, module: a.wasm}]\nsend:\n  - to: a\n    json: 1\n    text: x\n", 5,
                    "send entry has both 'json' and 'text'");
    expect_error_at("components: [{name: a, module: a.wasm}]\nsend:\n  - to: a\n    cbor: a 16\n", 4,
                    "'cbor': hex digits must come in pairs");
    expect_error_at("components: [{name: a, module: a.wasm}]\nsend:\n  - to: a\n    borsh: 0g\n", 4,
                    "'borsh': invalid hex digit 'g'");
    expect_error_at("components: [{name: a, module: a.wasm}]\nsend:\n  - to: a\n    cbor: abc\n", 4,
                    "odd number of hex digits");
    expect_error_at("components: [{name: a, module: a.wasm}]\nsend:\n  - to: a\n    cbor:\n", 4,
                    "'cbor' must be a string of hex digits");
    expect_error_at("components: [{name: a, module: a.wasm}]\nsend:\n  - to: a\n    json:\n      x: [1,\n"
                    "          .inf]\n", 6, "'.inf' has no JSON representation");
    expect_error_at("components: [{name: a, module: a.wasm}]\nsend:\n  - to: a\n    json: {? [1]: 2}\n", 4,
                    "mapping keys must be plain names");
}

static void test_error_yaml_syntax(void **state) {
    (void)state;
    /* an unclosed flow sequence is reported where the parser notices: at the end of the input */
    expect_error_at("components:\n  - name: a\n    module: [a.wasm\n  - name: b\n", 5,
                    "YAML syntax error: flow sequence without a closing bracket");
    expect_error_at("components:\n  - name: a\n    module: a.wasm\n   - name: b\n", 4, "YAML syntax error");
    expect_error_at("components:\n  - name: a\n    name: b\n", 3, "YAML syntax error: duplicate key");
    expect_error_at("components:\n  - name: a\n    module: a.wasm\n  bad: *nope\n", 4, "YAML syntax error");
    expect_error_at("\tcomponents: []\n", 1, "YAML syntax error");
    expect_error_at("", 1, "the manifest is empty");
    expect_error_at("# only a comment\n", 1, "the manifest is empty");
    expect_error_at("~\n", 1, "the manifest is empty");
}

/* Every prefix of a valid manifest either parses or fails cleanly (ASan/UBSan watch for the rest). */
static void test_truncations_never_crash(void **state) {
    (void)state;
    size_t len = strlen(VALID);
    int ok = 0, failed = 0;
    for (size_t n = 0; n <= len; n++) {
        manifest *m = NULL;
        char err[256] = "";
        if (manifest_parse(VALID, n, "t.yaml", &m, err, sizeof err) == 0) {
            ok++;
            manifest_free(m);
        } else {
            failed++;
            assert_true(strncmp(err, "t.yaml:", 7) == 0);
            assert_null(m);
        }
    }
    assert_true(ok > 0 && failed > 0);
    manifest_free(NULL);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_fields),
        cmocka_unit_test(test_paths_relative_and_null),
        cmocka_unit_test(test_json_payload_conversion),
        cmocka_unit_test(test_text_cbor_borsh_payloads),
        cmocka_unit_test(test_load_file),
        cmocka_unit_test(test_load_missing_file),
        cmocka_unit_test(test_demo_manifest),
        cmocka_unit_test(test_error_unknown_keys),
        cmocka_unit_test(test_error_missing_keys),
        cmocka_unit_test(test_error_wrong_types),
        cmocka_unit_test(test_error_limits_range),
        cmocka_unit_test(test_error_names),
        cmocka_unit_test(test_error_payloads),
        cmocka_unit_test(test_error_yaml_syntax),
        cmocka_unit_test(test_truncations_never_crash),
    };
    return cmocka_run_group_tests(tests, setup_tmpdir, teardown_tmpdir);
}
