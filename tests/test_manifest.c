/* Tests for src/manifest: valid manifests, payload bytes, and every error with its line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "manifest/manifest.h"
#include "support.h"

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

static void assert_payload(const manifest_message *s, const uint8_t *prefix, size_t plen, const char *body) {
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
    assert_string_equal(m->sends[0].target, "ping");
    assert_int_equal(m->sends[0].line, 13);
    assert_payload(&m->sends[0], JSON_PREFIX, 2, "{\"count\":3}");
    assert_string_equal(m->sends[1].target, "pong");
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
    assert_string_equal(m->sends[0].target, "ping");
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
                    "'borsh': invalid hex character 'g'");
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
    /* an unclosed flow sequence is reported where the parser notices (the next line), naming where it began */
    expect_error_at("components:\n  - name: a\n    module: [a.wasm\n  - name: b\n", 4,
                    "YAML syntax error: did not find expected ',' or ']' while parsing a flow sequence (line 3)");
    expect_error_at("components:\n  - name: a\n    module: a.wasm\n   - name: b\n", 4, "YAML syntax error");
    expect_error_at("components:\n  - name: a\n    name: b\n", 3, "YAML syntax error: duplicate key");
    expect_error_at("components:\n  - name: a\n    module: a.wasm\n  bad: *nope\n", 4, "YAML syntax error");
    expect_error_at("\tcomponents: []\n", 1, "YAML syntax error");
    expect_error_at("", 1, "the manifest is empty");
    expect_error_at("# only a comment\n", 1, "the manifest is empty");
    expect_error_at("~\n", 1, "the manifest is empty");
}

/* ------------------------------------------------------------------ capabilities, mailbox, publish */

static const manifest_component *component_named(const manifest *m, const char *name) {
    for (size_t i = 0; i < m->ncomponents; i++)
        if (strcmp(m->components[i].name, name) == 0)
            return &m->components[i];
    fail_msg("no component '%s'", name);
    return NULL;
}

/* Asserts that v[0..n) is exactly the NULL-terminated list of strings that follows. */
static void assert_strings(char *const *v, size_t n, ...) {
    va_list ap;
    va_start(ap, n);
    size_t i = 0;
    for (const char *want; (want = va_arg(ap, const char *)) != NULL; i++) {
        if (i >= n)
            fail_msg("list too short: %zu entries, want '%s' at %zu", n, want, i);
        assert_string_equal(v[i], want);
    }
    va_end(ap);
    assert_int_equal(n, i);
    if (n == 0)
        assert_null(v);
}

static bool caps_empty(const manifest_caps *c) {
    return c->send == NULL && c->nsend == 0 && c->request == NULL && c->nrequest == 0 && c->publish == NULL &&
           c->npublish == 0 && c->subscribe == NULL && c->nsubscribe == 0 && !c->spawn;
}

static const char *CAPS =
    "components:\n"                                                     /* 1 */
    "  - name: client\n"                                                /* 2 */
    "    module: client.wasm\n"
    "    capabilities:\n"                                               /* 4 */
    "      send: [kv, \"#12\", \"*\", host, \"#18446744073709551615\"]\n"
    "      request: [kv]\n"
    "      publish: [\"chat.>\", $SYS.x]\n"
    "      subscribe:\n"
    "        - chat.*\n"
    "        - \">\"\n"                                                 /* 10 */
    "      spawn: true\n"
    "    mailbox: 1000\n"
    "    max_message_bytes: 65536\n"
    "  - name: kv\n"                                                    /* 14 */
    "    module: kv.wasm\n"
    "  - name: edge\n"                                                  /* 16 */
    "    module: edge.wasm\n"
    "    capabilities: {spawn: False, send: [], request: ~}\n"
    "    mailbox: 10000000\n"
    "    max_message_bytes: 16777216\n"                                 /* 20 */
    "  - name: bare\n"
    "    module: bare.wasm\n"
    "    capabilities:\n"
    "    mailbox: 1\n"
    "    max_message_bytes: 1\n"                                        /* 25 */
    "publish:\n"
    "  - topic: chat.room1\n"                                           /* 27 */
    "    json: {\"text\": \"hello\"}\n"
    "  - text: hi\n"                                                    /* 29: keys in any order */
    "    topic: $SYS.a-b_c\n"
    "  - topic: bin.cbor\n"                                             /* 31 */
    "    cbor: a1 61 6e 01\n"
    "  - topic: bin.borsh\n"                                            /* 33 */
    "    borsh: 0x0300000000000000\n"
    "send:\n"
    "  - to: kv\n"                                                      /* 36 */
    "    text: first\n";

static void test_caps_fields(void **state) {
    (void)state;
    manifest *m = parse_ok(CAPS, "sys/caps.yaml");
    assert_int_equal(m->ncomponents, 4);

    const manifest_component *cl = component_named(m, "client");
    assert_strings(cl->caps.send, cl->caps.nsend, "kv", "#12", "*", "host", "#18446744073709551615", NULL);
    assert_strings(cl->caps.request, cl->caps.nrequest, "kv", NULL);
    assert_strings(cl->caps.publish, cl->caps.npublish, "chat.>", "$SYS.x", NULL);
    assert_strings(cl->caps.subscribe, cl->caps.nsubscribe, "chat.*", ">", NULL);
    assert_true(cl->caps.spawn);
    assert_int_equal(cl->mailbox, 1000);
    assert_int_equal(cl->max_message_bytes, 65536);

    const manifest_component *kv = component_named(m, "kv"); /* no capabilities: deny everything */
    assert_true(caps_empty(&kv->caps));
    assert_int_equal(kv->mailbox, 0);
    assert_int_equal(kv->max_message_bytes, 0);

    const manifest_component *edge = component_named(m, "edge");
    assert_true(caps_empty(&edge->caps));
    assert_int_equal(edge->mailbox, MANIFEST_MAX_MAILBOX);
    assert_int_equal(edge->max_message_bytes, MANIFEST_MAX_PAYLOAD);

    const manifest_component *bare = component_named(m, "bare");
    assert_true(caps_empty(&bare->caps));
    assert_int_equal(bare->mailbox, 1);
    assert_int_equal(bare->max_message_bytes, 1);

    assert_int_equal(WACTOR_DEFAULT_MAILBOX, 1024);
    assert_int_equal(WACTOR_DEFAULT_MAX_MESSAGE_BYTES, 16777216);

    assert_int_equal(m->nsends, 1);
    assert_string_equal(m->sends[0].target, "kv");
    assert_int_equal(m->sends[0].line, 36);
    manifest_free(m);
}

static void test_publish_entries(void **state) {
    (void)state;
    manifest *m = parse_ok(CAPS, "sys/caps.yaml");
    assert_int_equal(m->npublishes, 4);
    const manifest_message *p = m->publishes;

    static const uint8_t json[] = {0x80, 0x04, '{', '"', 't', 'e', 'x', 't', '"', ':', '"', 'h', 'e', 'l', 'l',
                                   'o', '"', '}'};
    assert_string_equal(p[0].target, "chat.room1");
    assert_int_equal(p[0].line, 27);
    assert_int_equal(p[0].len, sizeof json);
    assert_memory_equal(p[0].payload, json, sizeof json);

    static const uint8_t text[] = {0x80, 0x04, '"', 'h', 'i', '"'};
    assert_string_equal(p[1].target, "$SYS.a-b_c");
    assert_int_equal(p[1].line, 29);
    assert_int_equal(p[1].len, sizeof text);
    assert_memory_equal(p[1].payload, text, sizeof text);

    static const uint8_t cbor[] = {0x51, 0xa1, 0x61, 0x6e, 0x01};
    assert_string_equal(p[2].target, "bin.cbor");
    assert_int_equal(p[2].line, 31);
    assert_int_equal(p[2].len, sizeof cbor);
    assert_memory_equal(p[2].payload, cbor, sizeof cbor);

    static const uint8_t borsh[] = {0x81, 0x0e, 0x03, 0, 0, 0, 0, 0, 0, 0};
    assert_string_equal(p[3].target, "bin.borsh");
    assert_int_equal(p[3].line, 33);
    assert_int_equal(p[3].len, sizeof borsh);
    assert_memory_equal(p[3].payload, borsh, sizeof borsh);
    manifest_free(m);

    /* absent, empty or null: none; the same payload bytes as a send entry with the same value */
    m = parse_ok("components: [{name: a, module: a.wasm}]\npublish: []\n", NULL);
    assert_null(m->publishes);
    assert_int_equal(m->npublishes, 0);
    manifest_free(m);
    m = parse_ok("components: [{name: a, module: a.wasm}]\npublish:\n", NULL);
    assert_null(m->publishes);
    manifest_free(m);
    m = parse_ok("components: [{name: a, module: a.wasm}]\n"
                 "send: [{to: a, json: {x: [1, 2.50, null, \"s\"]}}]\n"
                 "publish: [{topic: t, json: {x: [1, 2.50, null, \"s\"]}}]\n", NULL);
    assert_int_equal(m->nsends, 1);
    assert_int_equal(m->npublishes, 1);
    assert_int_equal(m->publishes[0].len, m->sends[0].len);
    assert_memory_equal(m->publishes[0].payload, m->sends[0].payload, m->sends[0].len);
    assert_payload(&m->sends[0], JSON_PREFIX, 2, "{\"x\":[1,2.50,null,\"s\"]}");
    manifest_free(m);

    /* the longest topic the broker accepts (255 bytes) */
    char yaml[600];
    char topic[300];
    memset(topic, 'x', 255);
    topic[1] = '.';
    topic[255] = '\0';
    snprintf(yaml, sizeof yaml, "components: [{name: a, module: a.wasm}]\npublish: [{topic: %s, text: x}]\n", topic);
    m = parse_ok(yaml, NULL);
    assert_string_equal(m->publishes[0].target, topic);
    manifest_free(m);
}

#define CAP1 "components:\n  - name: a\n    module: a.wasm\n    capabilities:\n" /* lines 1-4 */

static void test_error_caps(void **state) {
    (void)state;
    expect_error_at(CAP1 "      send: [b]\n      sned: [b]\n", 6,
                    "unknown key 'sned' in capabilities (expected send, request, publish, subscribe, spawn)");
    expect_error_at("components:\n  - name: a\n    module: a.wasm\n    capabilities: [send]\n", 4,
                    "'capabilities' must be a mapping, not a list");
    expect_error_at("components:\n  - name: a\n    module: a.wasm\n    capabilities: all\n", 4,
                    "'capabilities' must be a mapping, not a scalar");
    /* non-list grants */
    expect_error_at(CAP1 "      send: b\n", 5, "capability 'send' must be a list of targets, not a scalar");
    expect_error_at(CAP1 "      request: \"*\"\n", 5, "capability 'request' must be a list of targets, not a scalar");
    expect_error_at(CAP1 "      publish: {a: 1}\n", 5, "capability 'publish' must be a list of patterns, not a mapping");
    expect_error_at(CAP1 "      subscribe: chat.*\n", 5, "capability 'subscribe' must be a list of patterns");
    /* entries */
    expect_error_at(CAP1 "      send:\n        - b\n        - ''\n", 7, "a 'send' target must not be empty");
    expect_error_at(CAP1 "      request: [b, [c]]\n", 5, "a 'request' target must be a string, not a list");
    /* an empty item has no token: reported at its key */
    expect_error_at(CAP1 "      send:\n        - b\n        -\n", 5, "a 'send' target must be a string, not nothing");
    expect_error_at(CAP1 "      send: [\"b\\tc\"]\n", 5, "a 'send' target must not contain control characters");
    expect_error_at(CAP1 "      send: [\"b\\u007f\"]\n", 5, "a 'send' target must not contain control characters");
    expect_error_at(CAP1 "      subscribe: [\"\"]\n", 5, "a 'subscribe' pattern must not be empty");
    static const char *const bad_pids[] = {"#", "#abc", "#0", "#012", "#1x", "#-1", "#+1", "# 1",
                                           "#18446744073709551616", "#99999999999999999999999"};
    for (size_t i = 0; i < sizeof bad_pids / sizeof *bad_pids; i++) {
        char yaml[200];
        snprintf(yaml, sizeof yaml, CAP1 "      request:\n        - b\n        - \"%s\"\n", bad_pids[i]);
        expect_error_at(yaml, 7, "'request' target");
        expect_error_at(yaml, 7, "is not a pid address");
    }
    /* a target longer than any address */
    char yaml[700], name[300];
    memset(name, 'n', 256);
    name[256] = '\0';
    snprintf(yaml, sizeof yaml, CAP1 "      send: [%s]\n", name);
    expect_error_at(yaml, 5, "is longer than 255 bytes");
    name[255] = '\0';
    snprintf(yaml, sizeof yaml, CAP1 "      send: [%s]\n", name);
    manifest *m = parse_ok(yaml, NULL);
    assert_string_equal(m->components[0].caps.send[0], name);
    manifest_free(m);
    /* NATS patterns */
    static const char *const bad_patterns[] = {"chat..x", ".chat", "chat.", "a.>.b", "foo*", "a.b>", "a b",
                                               "caf\xc3\xa9", ">>", "*.>x"};
    for (size_t i = 0; i < sizeof bad_patterns / sizeof *bad_patterns; i++) {
        snprintf(yaml, sizeof yaml, CAP1 "      publish: [ok.*]\n      subscribe:\n        - \"%s\"\n",
                 bad_patterns[i]);
        expect_error_at(yaml, 7, "'subscribe' pattern");
        expect_error_at(yaml, 7, "is not a valid NATS subject pattern");
        snprintf(yaml, sizeof yaml, CAP1 "      publish: [ok.*, \"%s\"]\n", bad_patterns[i]);
        expect_error_at(yaml, 5, "'publish' pattern");
    }
    memset(name, 'p', 256);
    name[256] = '\0';
    snprintf(yaml, sizeof yaml, CAP1 "      subscribe: [%s]\n", name);
    expect_error_at(yaml, 5, "is not a valid NATS subject pattern");
    /* spawn */
    expect_error_at(CAP1 "      spawn: yes\n", 5, "'spawn' must be true or false (got 'yes')");
    expect_error_at(CAP1 "      spawn: \"true\"\n", 5, "'spawn' must be true or false (got a quoted 'true')");
    expect_error_at(CAP1 "      spawn: [true]\n", 5, "'spawn' must be true or false, not a list");
    expect_error_at(CAP1 "      spawn:\n", 5, "'spawn' must be true or false, not nothing");
    expect_error_at(CAP1 "      spawn: 1\n", 5, "'spawn' must be true or false (got '1')");
}

#define MB1 "components:\n  - name: a\n    module: a.wasm\n" /* lines 1-3 */

static void test_error_mailbox_and_message_size(void **state) {
    (void)state;
    expect_error_at(MB1 "    mailbox: 0\n", 4, "'mailbox' is out of range: 0 (minimum 1)");
    expect_error_at(MB1 "    mailbox: 10000001\n", 4, "'mailbox' is out of range: 10000001 (maximum 10000000)");
    expect_error_at(MB1 "    mailbox: 99999999999999999999999\n", 4, "'mailbox' is out of range");
    expect_error_at(MB1 "    mailbox: -1\n", 4, "'mailbox' must not be negative");
    expect_error_at(MB1 "    mailbox: \"64\"\n", 4, "'mailbox' must be a non-negative integer, not a quoted string");
    expect_error_at(MB1 "    mailbox: [64]\n", 4, "'mailbox' must be a non-negative integer, not a list");
    expect_error_at(MB1 "    mailbox: 1.5\n", 4, "'mailbox' must be a non-negative integer (got '1.5')");
    expect_error_at(MB1 "    max_message_bytes: 0\n", 4, "'max_message_bytes' is out of range: 0 (minimum 1)");
    expect_error_at(MB1 "    max_message_bytes: 16777217\n", 4,
                    "'max_message_bytes' is out of range: 16777217 (maximum 16777216)");
    expect_error_at(MB1 "    max_message_bytes:\n", 4, "'max_message_bytes' must be a non-negative integer, not nothing");
    expect_error_at(MB1 "    limits: {mailbox: 5}\n", 4, "unknown key 'mailbox' in limits");
    expect_error_at(MB1 "    mailbx: 5\n", 4,
                    "unknown key 'mailbx' in component (expected name, module, limits, capabilities, mailbox, "
                    "max_message_bytes, wasi)");
}

#define P1 "components: [{name: a, module: a.wasm}]\npublish:\n" /* lines 1-2 */

static void test_error_publish(void **state) {
    (void)state;
    expect_error_at(P1 "  - topic: chat.*\n    json: 1\n", 3, "publish topic 'chat.*' must not contain wildcards");
    expect_error_at(P1 "  - json: 1\n    topic: \">\"\n", 4, "publish topic '>' must not contain wildcards");
    expect_error_at(P1 "  - topic: ok.1\n    json: 1\n  - topic: \"chat.>\"\n    json: 2\n", 5,
                    "must not contain wildcards");
    expect_error_at(P1 "  - topic: \"chat..x\"\n    text: x\n", 3, "publish topic 'chat..x' is not a valid NATS subject");
    expect_error_at(P1 "  - topic: \"a b\"\n    text: x\n", 3, "is not a valid NATS subject");
    expect_error_at(P1 "  - topic: \"\"\n    text: x\n", 3, "'topic' must not be empty");
    expect_error_at(P1 "  - topic: [t]\n    json: 1\n", 3, "'topic' must be a string, not a list");
    expect_error_at(P1 "  - json: 1\n", 3, "publish entry is missing required key 'topic'");
    expect_error_at(P1 "  - topic: t\n", 3, "publish entry to 't' needs a payload: one of 'json', 'text', 'cbor', 'borsh'");
    expect_error_at(P1 "  - topic: t\n    to: a\n    json: 1\n", 4,
                    "unknown key 'to' in publish entry (expected topic, json, text, cbor, borsh)");
    expect_error_at(P1 "  - topic: t\n    json: 1\n    cbor: 00\n", 5,
                    "publish entry has both 'json' and 'cbor'; give exactly one payload");
    expect_error_at(P1 "  - topic: t\n    borsh: 0g\n", 4, "'borsh': invalid hex character 'g'");
    expect_error_at(P1 "  - topic: t\n    cbor: abc\n", 4, "odd number of hex digits");
    expect_error_at(P1 "  - topic: t\n    json: [1, .nan]\n", 4, "'.nan' has no JSON representation");
    expect_error_at(P1 "  - topic: t\n    text: {a: 1}\n", 4, "'text' must be a string, not a mapping");
    expect_error_at(P1 "  - chat.x\n", 3, "a publish entry must be a mapping with 'topic' and a payload, not a scalar");
    expect_error_at("components: [{name: a, module: a.wasm}]\npublish: {topic: t, json: 1}\n", 2,
                    "'publish' must be a list of messages, not a mapping");
    expect_error_at("components: [{name: a, module: a.wasm}]\npublsh: []\n", 2,
                    "unknown key 'publsh' at top level (expected version, components, supervisor, send, publish, log, http)");
    char yaml[700], topic[300];
    memset(topic, 't', 256);
    topic[256] = '\0';
    snprintf(yaml, sizeof yaml, P1 "  - topic: %s\n    text: x\n", topic);
    expect_error_at(yaml, 3, "is not a valid NATS subject");
}

/* Every prefix of the capabilities manifest parses or fails cleanly and frees what it built (LSan). */
static void test_caps_truncations(void **state) {
    (void)state;
    size_t len = strlen(CAPS);
    int ok = 0;
    for (size_t n = 0; n <= len; n++) {
        manifest *m = NULL;
        char err[256] = "";
        if (manifest_parse(CAPS, n, "t.yaml", &m, err, sizeof err) == 0) {
            ok++;
            manifest_free(m);
        } else {
            assert_true(strncmp(err, "t.yaml:", 7) == 0);
            assert_null(m);
        }
    }
    assert_true(ok > 0);
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

/* ------------------------------------------------------------------ supervision tree */

static const char *TREE =
    "components:\n"                                                     /* 1 */
    "  - name: db\n"                                                    /* 2 */
    "    module: db.wasm\n"
    "  - name: cache\n"                                                 /* 4 */
    "    module: cache.wasm\n"
    "  - name: web\n"                                                   /* 6 */
    "    module: web.wasm\n"
    "  - name: job\n"                                                   /* 8 */
    "    module: job.wasm\n"
    "  - name: loner\n"                                                 /* 10 */
    "    module: loner.wasm\n"
    "supervisor:\n"                                                     /* 12 */
    "  name: root\n"                                                    /* 13 */
    "  strategy: one_for_all\n"
    "  intensity: 3\n"
    "  period_ms: 10000\n"
    "  backoff: { initial_ms: 10, multiplier: 1.5, max_ms: 1000 }\n"
    "  children:\n"                                                     /* 18 */
    "    - component: db\n"                                             /* 19 */
    "      restart: transient\n"
    "      shutdown_ms: 1000\n"
    "      health: { interval_ms: 200, timeout_ms: 100, threshold: 4 }\n"
    "    - supervisor:\n"                                               /* 23 */
    "        name: inner\n"                                             /* 24 */
    "        strategy: rest_for_one\n"
    "        children:\n"
    "          - component: cache\n"                                    /* 27 */
    "            shutdown: brutal_kill\n"
    "          - {component: web, restart: temporary, shutdown: infinity, health: {interval_ms: 500}}\n" /* 29 */
    "      restart: transient\n"
    "      shutdown: 2000\n"
    "    - supervisor: {name: pool, strategy: simple_one_for_one, children: [{component: job, restart: temporary}]}\n" /* 32 */
    "    - restart: temporary\n"                                        /* 33: keys in any order */
    "      supervisor: {name: empty, intensity: 0, children: []}\n";

static void test_tree_fields(void **state) {
    (void)state;
    manifest *m = parse_ok(TREE, "sys/tree.yaml");
    assert_int_equal(m->ncomponents, 5);
    assert_true(m->components[0].in_tree && m->components[1].in_tree && m->components[2].in_tree &&
                m->components[3].in_tree);
    assert_false(m->components[4].in_tree); /* loner */

    const manifest_supervisor *root = m->supervisor;
    assert_non_null(root);
    assert_string_equal(root->name, "root");
    assert_int_equal(root->line, 13);
    assert_int_equal(root->strategy, WACTOR_ONE_FOR_ALL);
    assert_int_equal(root->intensity, 3);
    assert_int_equal(root->period_ms, 10000);
    assert_int_equal(root->backoff_initial_ms, 10);
    assert_true(root->backoff_multiplier == 1.5);
    assert_int_equal(root->backoff_max_ms, 1000);
    assert_int_equal(root->nchildren, 4);

    const manifest_child *db = &root->children[0];
    assert_false(db->is_supervisor);
    assert_null(db->supervisor);
    assert_int_equal(db->component, 0);
    assert_int_equal(db->restart, WACTOR_TRANSIENT);
    assert_int_equal(db->shutdown_ms, 1000);
    assert_int_equal(db->health_interval_ms, 200);
    assert_int_equal(db->health_timeout_ms, 100);
    assert_int_equal(db->health_threshold, 4);
    assert_int_equal(db->line, 19);

    const manifest_child *ic = &root->children[1];
    assert_true(ic->is_supervisor);
    assert_int_equal(ic->restart, WACTOR_TRANSIENT);
    assert_int_equal(ic->shutdown_ms, 2000);
    assert_int_equal(ic->health_interval_ms, 0);
    assert_int_equal(ic->health_timeout_ms, 0);
    assert_int_equal(ic->health_threshold, 0);
    assert_int_equal(ic->line, 23);
    const manifest_supervisor *inner = ic->supervisor;
    assert_non_null(inner);
    assert_string_equal(inner->name, "inner");
    assert_int_equal(inner->line, 24);
    assert_int_equal(inner->strategy, WACTOR_REST_FOR_ONE);
    assert_int_equal(inner->intensity, WACTOR_DEFAULT_INTENSITY);
    assert_int_equal(inner->period_ms, WACTOR_DEFAULT_PERIOD_MS);
    assert_int_equal(inner->backoff_initial_ms, 0);
    assert_true(inner->backoff_multiplier == 1.0);
    assert_int_equal(inner->backoff_max_ms, 0);
    assert_int_equal(inner->nchildren, 2);
    const manifest_child *cache = &inner->children[0], *web = &inner->children[1];
    assert_int_equal(cache->component, 1);
    assert_int_equal(cache->restart, WACTOR_PERMANENT);
    assert_int_equal(cache->shutdown_ms, WACTOR_BRUTAL_KILL);
    assert_int_equal(cache->health_interval_ms, 0);
    assert_int_equal(cache->line, 27);
    assert_int_equal(web->component, 2);
    assert_int_equal(web->restart, WACTOR_TEMPORARY);
    assert_int_equal(web->shutdown_ms, WACTOR_INFINITY);
    assert_int_equal(web->health_interval_ms, 500);
    assert_int_equal(web->health_timeout_ms, 500); /* default 1000, capped at the interval */
    assert_int_equal(web->health_threshold, WACTOR_DEFAULT_HEALTH_THRESHOLD);
    assert_int_equal(web->line, 29);

    const manifest_child *pc = &root->children[2];
    assert_true(pc->is_supervisor);
    assert_int_equal(pc->restart, WACTOR_PERMANENT);
    assert_int_equal(pc->shutdown_ms, WACTOR_INFINITY);
    assert_int_equal(pc->line, 32);
    assert_string_equal(pc->supervisor->name, "pool");
    assert_int_equal(pc->supervisor->strategy, WACTOR_SIMPLE_ONE_FOR_ONE);
    assert_int_equal(pc->supervisor->line, 32);
    assert_int_equal(pc->supervisor->nchildren, 1);
    assert_int_equal(pc->supervisor->children[0].component, 3);
    assert_int_equal(pc->supervisor->children[0].restart, WACTOR_TEMPORARY);
    assert_int_equal(pc->supervisor->children[0].shutdown_ms, WACTOR_DEFAULT_SHUTDOWN_MS);
    assert_int_equal(pc->supervisor->children[0].line, 32);

    const manifest_child *ec = &root->children[3];
    assert_int_equal(ec->line, 33);
    assert_int_equal(ec->restart, WACTOR_TEMPORARY);
    assert_string_equal(ec->supervisor->name, "empty");
    assert_int_equal(ec->supervisor->intensity, 0);
    assert_int_equal(ec->supervisor->nchildren, 0);
    assert_null(ec->supervisor->children);
    manifest_free(m);
}

static void test_tree_defaults_and_forms(void **state) {
    (void)state;
    /* no tree */
    manifest *m = parse_ok("components: [{name: a, module: a.wasm}]\n", NULL);
    assert_null(m->supervisor);
    assert_false(m->components[0].in_tree);
    manifest_free(m);
    m = parse_ok("components: [{name: a, module: a.wasm}]\nsupervisor:\n", NULL);
    assert_null(m->supervisor);
    manifest_free(m);

    /* a minimal tree, before `components:` in the file */
    m = parse_ok("supervisor: {name: top, children: [{component: a}]}\ncomponents: [{name: a, module: a.wasm}]\n",
                 NULL);
    assert_non_null(m->supervisor);
    assert_string_equal(m->supervisor->name, "top");
    assert_int_equal(m->supervisor->line, 1);
    assert_int_equal(m->supervisor->strategy, WACTOR_ONE_FOR_ONE);
    assert_int_equal(m->supervisor->intensity, 1);
    assert_int_equal(m->supervisor->period_ms, 5000);
    assert_int_equal(m->supervisor->backoff_initial_ms, 0);
    assert_int_equal(m->supervisor->nchildren, 1);
    assert_int_equal(m->supervisor->children[0].restart, WACTOR_PERMANENT);
    assert_int_equal(m->supervisor->children[0].shutdown_ms, 5000);
    assert_int_equal(m->supervisor->children[0].health_interval_ms, 0);
    assert_true(m->components[0].in_tree);
    manifest_free(m);

    /* an explicit health timeout may exceed the interval (one probe in flight; the next tick is armed when it
     * ends), only the default is capped at the interval */
    m = parse_ok("components: [{name: a, module: a.wasm}]\n"
                 "supervisor: {name: s, children: [{component: a, health: {interval_ms: 10, timeout_ms: 5000}}]}\n",
                 NULL);
    assert_int_equal(m->supervisor->children[0].health_interval_ms, 10);
    assert_int_equal(m->supervisor->children[0].health_timeout_ms, 5000);
    manifest_free(m);

    /* backoff defaults and number forms; `shutdown:` with milliseconds */
    static const struct {
        const char *backoff;
        uint32_t initial, max;
        double mult;
    } cases[] = {
        {"{initial_ms: 50}", 50, 30000, 2.0},
        {"{initial_ms: 60000}", 60000, 60000, 2.0},
        {"{initial_ms: 1, multiplier: 1}", 1, 30000, 1.0},
        {"{initial_ms: 1, multiplier: +3, max_ms: 1}", 1, 1, 3.0},
        {"{initial_ms: 1, multiplier: 2.5e0}", 1, 30000, 2.5},
        {"{initial_ms: 1, multiplier: 15E-1}", 1, 30000, 1.5},
        {"{initial_ms: 1, multiplier: 1000.}", 1, 30000, 1000.0},
        {"{initial_ms: 1, multiplier: 0.1e1}", 1, 30000, 1.0},
        {"{initial_ms: 1, max_ms: 86400000}", 1, 86400000, 2.0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char yaml[256];
        snprintf(yaml, sizeof yaml,
                 "components: [{name: a, module: a.wasm}]\nsupervisor:\n  name: s\n  backoff: %s\n"
                 "  children: [{component: a, shutdown: 250}]\n", cases[i].backoff);
        m = parse_ok(yaml, NULL);
        assert_int_equal(m->supervisor->backoff_initial_ms, cases[i].initial);
        assert_int_equal(m->supervisor->backoff_max_ms, cases[i].max);
        if (m->supervisor->backoff_multiplier != cases[i].mult)
            fail_msg("%s: multiplier %g, want %g", cases[i].backoff, m->supervisor->backoff_multiplier,
                     cases[i].mult);
        assert_int_equal(m->supervisor->children[0].shutdown_ms, 250);
        manifest_free(m);
    }
}

static void test_chaos_manifest(void **state) {
    (void)state;
    manifest *m = NULL;
    char err[256] = "";
    if (manifest_load(WACTOR_EXAMPLES "/chaos.yaml", &m, err, sizeof err) != 0)
        fail_msg("%s", err);
    assert_non_null(m->supervisor);
    assert_int_equal(m->supervisor->strategy, WACTOR_ONE_FOR_ONE);
    bool nested_rest_for_one = false, health = false;
    for (size_t i = 0; i < m->supervisor->nchildren; i++) {
        const manifest_child *ch = &m->supervisor->children[i];
        if (ch->is_supervisor && ch->supervisor->strategy == WACTOR_REST_FOR_ONE)
            nested_rest_for_one = true;
        if (!ch->is_supervisor && ch->health_interval_ms > 0)
            health = true;
    }
    assert_true(nested_rest_for_one);
    assert_true(health);
    for (size_t i = 0; i < m->ncomponents; i++) {
        FILE *f = fopen(m->components[i].module_path, "rb");
        if (f == NULL)
            fail_msg("chaos module %s not built", m->components[i].module_path);
        fclose(f);
    }
    manifest_free(m);
}

/* Least privilege in the example manifests: each component may send to exactly whom its source sends. */
static void test_example_grants(void **state) {
    (void)state;
    manifest *m = NULL;
    char err[256] = "";
    if (manifest_load(WACTOR_EXAMPLES "/demo.yaml", &m, err, sizeof err) != 0)
        fail_msg("%s", err);
    const manifest_caps *c;
    c = &component_named(m, "ping")->caps;
    assert_strings(c->send, c->nsend, "pong", NULL);
    c = &component_named(m, "pong")->caps;
    assert_strings(c->send, c->nsend, "ping", NULL);
    c = &component_named(m, "source")->caps;
    assert_strings(c->send, c->nsend, "square", NULL);
    c = &component_named(m, "square")->caps;
    assert_strings(c->send, c->nsend, "sink", NULL);
    c = &component_named(m, "echo")->caps;
    assert_strings(c->send, c->nsend, "*", NULL);
    static const char *const silent[] = {"sink", "counter", "calc"};
    for (size_t i = 0; i < 3; i++)
        assert_true(caps_empty(&component_named(m, silent[i])->caps));
    for (size_t i = 0; i < m->ncomponents; i++) {
        c = &m->components[i].caps;
        assert_true(c->nrequest == 0 && c->npublish == 0 && c->nsubscribe == 0 && !c->spawn);
    }
    manifest_free(m);

    if (manifest_load(WACTOR_EXAMPLES "/chaos.yaml", &m, err, sizeof err) != 0)
        fail_msg("%s", err);
    c = &component_named(m, "steady")->caps;
    assert_strings(c->send, c->nsend, "steady2", NULL);
    c = &component_named(m, "steady2")->caps;
    assert_strings(c->send, c->nsend, "steady", NULL);
    static const char *const hostile[] = {"looper", "membomb", "flaky", "crasher", "recursion"};
    for (size_t i = 0; i < 5; i++)
        assert_true(caps_empty(&component_named(m, hostile[i])->caps));
    for (size_t i = 0; i < m->ncomponents; i++) {
        c = &m->components[i].caps;
        assert_true(c->nrequest == 0 && c->npublish == 0 && c->nsubscribe == 0 && !c->spawn);
    }
    manifest_free(m);
}

#define C1 "components:\n  - {name: a, module: a.wasm}\n  - {name: b, module: b.wasm}\n" /* lines 1-3 */

static void test_tree_errors(void **state) {
    (void)state;
    /* unknown keys */
    expect_error_at(C1 "supervisor:\n  name: r\n  stratgy: one_for_one\n  children: []\n", 6,
                    "unknown key 'stratgy' in supervisor");
    expect_error_at(C1 "supervisor:\n  name: r\n  children:\n    - component: a\n      restrat: permanent\n", 8,
                    "unknown key 'restrat' in child");
    expect_error_at(C1 "supervisor:\n  name: r\n  backoff:\n    initial_ms: 5\n    factor: 2\n  children: []\n", 8,
                    "unknown key 'factor' in backoff");
    expect_error_at(C1 "supervisor:\n  name: r\n  children:\n    - component: a\n      health:\n"
                    "        interval_ms: 5\n        every: 3\n", 10, "unknown key 'every' in health");
    /* missing keys and child forms */
    expect_error_at(C1 "supervisor:\n  strategy: one_for_one\n  children: []\n", 5,
                    "supervisor is missing required key 'name'");
    expect_error_at(C1 "supervisor:\n  name: r\n  strategy: one_for_all\n", 5,
                    "supervisor 'r' is missing required key 'children'");
    expect_error_at(C1 "supervisor:\n  name: r\n  children:\n    - restart: permanent\n", 7,
                    "a child needs 'component' (a component name) or 'supervisor'");
    expect_error_at(C1 "supervisor:\n  name: r\n  children:\n    - component: a\n"
                    "      supervisor: {name: s, children: []}\n", 7, "a child has both 'component' and 'supervisor'");
    expect_error_at(C1 "supervisor:\n  name: r\n  children:\n    - a\n", 7, "a child must be a mapping");
    expect_error_at(C1 "supervisor: root\n", 4, "'supervisor' must be a mapping");
    expect_error_at(C1 "supervisor:\n  name: r\n  children: a\n", 6, "'children' must be a list of children");
    expect_error_at(C1 "supervisor:\n  name: r\n  children:\n    - supervisor: inner\n", 7,
                    "'supervisor' must be a mapping");
    expect_error_at(C1 "supervisor:\n  name: r\n  backoff: 5\n  children: []\n", 6, "'backoff' must be a mapping");
    expect_error_at(C1 "supervisor:\n  name: r\n  backoff: {max_ms: 5}\n  children: []\n", 6,
                    "'backoff' is missing required key 'initial_ms'");
    expect_error_at(C1 "supervisor:\n  name: r\n  children:\n    - component: a\n      health: {timeout_ms: 5}\n", 8,
                    "'health' is missing required key 'interval_ms'");
    expect_error_at(C1 "supervisor:\n  name: r\n  children:\n    - supervisor: {name: s, children: []}\n"
                    "      health: {interval_ms: 5}\n", 8, "'health' applies to component children only");
    /* names */
    expect_error_at(C1 "supervisor:\n  name: r\n  children:\n    - component: a\n    - component: nobody\n", 8,
                    "child component 'nobody' names no declared component");
    expect_error_at(C1 "supervisor:\n  name: r\n  children:\n    - component: a\n    - component: b\n"
                    "    - supervisor:\n        name: s\n        children:\n          - component: a\n", 12,
                    "component 'a' is placed in the supervision tree twice (first on line 7)");
    expect_error_at(C1 "supervisor:\n  name: r\n  children:\n    - supervisor:\n        name: r\n"
                    "        children: []\n", 8, "duplicate supervisor name 'r' (first declared on line 5)");
    expect_error_at(C1 "supervisor:\n  children:\n    - supervisor: {name: x, children: []}\n"
                    "    - supervisor: {name: x, children: []}\n  name: r\n", 7,
                    "duplicate supervisor name 'x' (first declared on line 6)");
    expect_error_at(C1 "supervisor:\n  name: b\n  children: []\n", 5,
                    "supervisor name 'b' clashes with the component declared on line 3");
    expect_error_at(C1 "supervisor:\n  name: host\n  children: []\n", 5, "reserved");
    expect_error_at(C1 "supervisor:\n  name: ''\n  children: []\n", 5, "'name' must not be empty");
    expect_error_at(C1 "supervisor:\n  name: r\n  children:\n    - component: [a]\n", 7,
                    "'component' must be a string, not a list");
    /* enum values */
    expect_error_at(C1 "supervisor:\n  name: r\n  strategy: one_for_son\n  children: []\n", 6,
                    "unknown strategy 'one_for_son' (expected one_for_one, one_for_all, rest_for_one, "
                    "simple_one_for_one)");
    expect_error_at(C1 "supervisor:\n  name: r\n  strategy: [one_for_one]\n  children: []\n", 6,
                    "'strategy' must be one of");
    expect_error_at(C1 "supervisor:\n  name: r\n  children:\n    - component: a\n      restart: always\n", 8,
                    "unknown restart 'always' (expected permanent, transient, temporary)");
    expect_error_at(C1 "supervisor:\n  name: r\n  children:\n    - component: a\n      shutdown: gently\n", 8,
                    "unknown shutdown 'gently' (expected brutal_kill, infinity or milliseconds)");
    expect_error_at(C1 "supervisor:\n  name: r\n  children:\n    - component: a\n      shutdown_ms: infinity\n", 8,
                    "'shutdown_ms' must be a non-negative integer (got 'infinity')");
    expect_error_at(C1 "supervisor:\n  name: r\n  children:\n    - component: a\n      shutdown_ms: 0\n", 8,
                    "'shutdown_ms' must be at least 1 (use 'shutdown: brutal_kill'");
    expect_error_at(C1 "supervisor:\n  name: r\n  children:\n    - component: a\n      shutdown: -1\n", 8,
                    "'shutdown' must not be negative");
    expect_error_at(C1 "supervisor:\n  name: r\n  children:\n    - component: a\n      shutdown: 1\n"
                    "      shutdown_ms: 2\n", 9, "child has both 'shutdown' and 'shutdown_ms'");
    expect_error_at(C1 "supervisor:\n  name: r\n  children:\n    - component: a\n      shutdown_ms: 86400001\n", 8,
                    "'shutdown_ms' is out of range: 86400001 (maximum 86400000)");
    /* simple_one_for_one */
    expect_error_at(C1 "supervisor:\n  name: r\n  strategy: simple_one_for_one\n  children:\n"
                    "    - component: a\n    - component: b\n", 7,
                    "simple_one_for_one supervisor 'r' needs exactly one child (the template), not 2");
    expect_error_at(C1 "supervisor:\n  name: r\n  strategy: simple_one_for_one\n  children: []\n", 7,
                    "needs exactly one child (the template), not 0");
    expect_error_at(C1 "supervisor:\n  name: r\n  children:\n    - supervisor:\n        name: s\n"
                    "        strategy: simple_one_for_one\n        children:\n", 10,
                    "simple_one_for_one supervisor 's' needs exactly one child");
    expect_error_at(C1 "supervisor:\n  name: r\n  strategy: simple_one_for_one\n  children:\n"
                    "    - supervisor: {name: s, children: []}\n", 8,
                    "the child of simple_one_for_one supervisor 'r' must be a component");
    /* ranges */
    expect_error_at(C1 "supervisor:\n  name: r\n  intensity: -1\n  children: []\n", 6, "'intensity' must not be negative");
    expect_error_at(C1 "supervisor:\n  name: r\n  intensity: 1000001\n  children: []\n", 6,
                    "'intensity' is out of range: 1000001 (maximum 1000000)");
    expect_error_at(C1 "supervisor:\n  name: r\n  period_ms: 0\n  children: []\n", 6,
                    "'period_ms' is out of range: 0 (minimum 1)");
    expect_error_at(C1 "supervisor:\n  name: r\n  period_ms: 1.5\n  children: []\n", 6,
                    "'period_ms' must be a non-negative integer (got '1.5')");
    expect_error_at(C1 "supervisor:\n  name: r\n  backoff: {initial_ms: 0}\n  children: []\n", 6,
                    "'initial_ms' is out of range: 0 (minimum 1)");
    expect_error_at(C1 "supervisor:\n  name: r\n  backoff:\n    initial_ms: 100\n    max_ms: 99\n  children: []\n",
                    8, "backoff 'max_ms' (99) is less than 'initial_ms' (100)");
    expect_error_at(C1 "supervisor:\n  name: r\n  backoff:\n    initial_ms: 100\n    multiplier: 0.5\n", 8,
                    "'multiplier' must be at least 1 (got 0.5)");
    expect_error_at(C1 "supervisor:\n  name: r\n  backoff:\n    initial_ms: 100\n    multiplier: -2\n", 8,
                    "'multiplier' must be at least 1 (got -2)");
    expect_error_at(C1 "supervisor:\n  name: r\n  backoff:\n    initial_ms: 100\n    multiplier: 1001\n", 8,
                    "'multiplier' is out of range: 1001 (maximum 1000)");
    expect_error_at(C1 "supervisor:\n  name: r\n  backoff:\n    initial_ms: 100\n    multiplier: 1e999\n", 8,
                    "'multiplier' is out of range");
    expect_error_at(C1 "supervisor:\n  name: r\n  backoff:\n    initial_ms: 100\n    multiplier: .inf\n", 8,
                    "'multiplier' must be a number (got '.inf')");
    expect_error_at(C1 "supervisor:\n  name: r\n  backoff:\n    initial_ms: 100\n    multiplier: \"2\"\n", 8,
                    "'multiplier' must be a number, not a quoted string");
    expect_error_at(C1 "supervisor:\n  name: r\n  backoff:\n    initial_ms: 100\n    multiplier: 2x\n", 8,
                    "'multiplier' must be a number (got '2x')");
    expect_error_at(C1 "supervisor:\n  name: r\n  backoff:\n    initial_ms: 100\n    multiplier: 1e\n", 8,
                    "'multiplier' must be a number (got '1e')");
    expect_error_at(C1 "supervisor:\n  name: r\n  children:\n    - component: a\n      health:\n"
                    "        interval_ms: 0\n", 9, "'interval_ms' is out of range: 0 (minimum 1)");
    expect_error_at(C1 "supervisor:\n  name: r\n  children:\n    - component: a\n      health:\n"
                    "        interval_ms: 10\n        threshold: 0\n", 10, "'threshold' is out of range: 0 (minimum 1)");
    expect_error_at(C1 "supervisor:\n  name: r\n  children:\n    - component: a\n      health:\n"
                    "        interval_ms: 10\n        timeout_ms: 86400001\n", 10, "'timeout_ms' is out of range");
}

/* Supervisors nested deeper than MANIFEST_MAX_TREE_DEPTH are refused (no unbounded recursion). */
static void test_tree_depth(void **state) {
    (void)state;
    char yaml[8192];
    for (int depth = MANIFEST_MAX_TREE_DEPTH; depth <= MANIFEST_MAX_TREE_DEPTH + 1; depth++) {
        size_t n = (size_t)snprintf(yaml, sizeof yaml, "components: [{name: a, module: a.wasm}]\nsupervisor: ");
        for (int i = 0; i < depth; i++)
            n += (size_t)snprintf(yaml + n, sizeof yaml - n, "{name: s%d, children: [%s", i,
                                  i + 1 < depth ? "{supervisor: " : "{component: a}");
        for (int i = 0; i < depth; i++)
            n += (size_t)snprintf(yaml + n, sizeof yaml - n, i + 1 < depth ? "]}}" : "]}");
        snprintf(yaml + n, sizeof yaml - n, "\n");
        manifest *m = NULL;
        char err[256] = "";
        int rc = manifest_parse(yaml, strlen(yaml), "t.yaml", &m, err, sizeof err);
        if (depth <= MANIFEST_MAX_TREE_DEPTH) {
            if (rc != 0)
                fail_msg("depth %d: %s", depth, err);
            manifest_free(m);
        } else {
            assert_int_equal(rc, -1);
            assert_non_null(strstr(err, "nested more than"));
        }
    }
}

/* Every prefix of the tree manifest parses or fails cleanly, and frees what it built (LSan). */
static void test_tree_truncations(void **state) {
    (void)state;
    size_t len = strlen(TREE);
    for (size_t n = 0; n <= len; n++) {
        manifest *m = NULL;
        char err[256] = "";
        if (manifest_parse(TREE, n, "t.yaml", &m, err, sizeof err) == 0)
            manifest_free(m);
        else
            assert_true(strncmp(err, "t.yaml:", 7) == 0);
    }
}

/* ------------------------------------------------------------------ hostile input */

/* expect_error_at() for `len` bytes that may hold NULs. */
static void expect_error_n(const char *yaml, size_t len, int line, const char *needle) {
    manifest *m = (manifest *)0x1;
    char err[512] = "";
    assert_int_equal(manifest_parse(yaml, len, "dir/t.yaml", &m, err, sizeof err), -1);
    assert_null(m);
    char prefix[32];
    snprintf(prefix, sizeof prefix, "dir/t.yaml:%d:", line);
    if (strncmp(err, prefix, strlen(prefix)) != 0 || strstr(err, needle) == NULL)
        fail_msg("expected '%s...%s', got '%s'", prefix, needle, err);
    for (const char *p = err; *p; p++) /* messages never carry raw control bytes */
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            fail_msg("raw control byte 0x%02x in '%s'", (unsigned char)*p, err);
}

/* The process's CPU time, not the wall clock: these bounds catch quadratic parsing, and must not fail
 * because the machine is busy with other work (a loaded CI host took 20 s of wall time for 1.6 s of CPU). */
static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* `%` then 0xFF made libfyaml 0.7.12 spin forever in its directive scanner; every such start is an error. */
static void test_hostile_directives_and_encoding(void **state) {
    (void)state;
    expect_error_n("%\xff", 2, 1, "YAML syntax error: invalid leading UTF-8 octet (byte 0xff)");
    expect_error_n("%", 1, 1, "YAML syntax error");
    expect_error_n("%#\xfc", 3, 1, "invalid leading UTF-8 octet"); /* libfyaml's fuzzed hang no. 2 */
    /* valid UTF-8 that made libfyaml write through a wild pointer (fy_indent_vacuum_internal), found by
     * fuzzing it behind a UTF-8 / printable / no-directive guard */
    expect_error_n("? capabilities:\t:\t\t<\t*a", 23, 1, "YAML syntax error");
    expect_error_n("%\x80\n", 3, 1, "invalid leading UTF-8 octet");
    expect_error_n("%YAML\xff\n", 7, 1, "invalid leading UTF-8 octet");
    expect_error_n("%YAML 1.1\n%YAML 1.1\n---\na: 1\n", 28, 2, "YAML syntax error: found duplicate %YAML directive");
    expect_error_n("%TAG !x! \xff\n", 12, 1, "invalid leading UTF-8 octet");
    expect_error_n("%FOO\n", 5, 1, "YAML syntax error: found unknown directive name");
    /* a bad byte is reported on its own line, a NUL byte too (never a truncated string) */
    expect_error_n("components:\n  - name: a\n    module: \xc3\x28\n", 38, 3, "invalid trailing UTF-8 octet");
    expect_error_n("components:\n  - name: a\0b\n    module: a\n", 40, 2, "control characters are not allowed (byte 0x00)");
    expect_error_n("a: \x1b[31m\n", 9, 1, "control characters are not allowed (byte 0x1b)");
    /* a lone surrogate and an overlong form are not UTF-8 */
    expect_error_n("a: \xed\xa0\x80\n", 7, 1, "YAML syntax error");
    expect_error_n("a: \xc0\xaf\n", 6, 1, "YAML syntax error");
    /* a valid %YAML directive is fine */
    manifest *m = parse_ok("%YAML 1.1\n---\ncomponents: [{name: a, module: a.wasm}]\n", NULL);
    manifest_free(m);
    /* one document per manifest: a second one is not silently dropped */
    expect_error_at("components: [{name: a, module: a.wasm}]\n---\ncomponents: [{name: b, module: b.wasm}]\n", 2,
                    "a manifest is one YAML document");
}

/* A "billion laughs" file (under 1 KB; libfyaml reached 22 GB resolving it) is refused at once. */
static void test_hostile_alias_bomb(void **state) {
    (void)state;
    manifest *m = (manifest *)0x1;
    char err[512] = "";
    double t0 = now_s();
    assert_int_equal(manifest_load(WACTOR_FIXTURES "/manifest_billion_laughs.yaml", &m, err, sizeof err), -1);
    double took = now_s() - t0;
    assert_null(m);
    if (strstr(err, "manifest_billion_laughs.yaml:15:") == NULL ||
        strstr(err, "the manifest has more than 1000000 nodes (aliases count as copies of what they name)") == NULL)
        fail_msg("got '%s'", err);
    if (took > 5.0)
        fail_msg("refusing the alias bomb took %.1f s", took);

    /* the same with bytes: one 1 MiB scalar named 100 times */
    size_t big = 1u << 20;
    char *yaml = malloc(big + 4096);
    assert_non_null(yaml);
    size_t n = (size_t)sprintf(yaml, "components: [{name: a, module: a.wasm}]\nsend:\n  - to: a\n    json:\n"
                                     "      big: &s ");
    memset(yaml + n, 'x', big);
    n += big;
    n += (size_t)sprintf(yaml + n, "\n      many: [");
    for (int i = 0; i < 100; i++)
        n += (size_t)sprintf(yaml + n, "*s, ");
    n += (size_t)sprintf(yaml + n, "*s]\n");
    expect_error_n(yaml, n, 6, "the manifest has more than 67108864 bytes of scalars");
    free(yaml);

    /* within the node and byte bounds, but a payload over 16 MiB: refused while it is written */
    yaml = malloc(big + 4096);
    assert_non_null(yaml);
    n = (size_t)sprintf(yaml, "components: [{name: a, module: a.wasm}]\nsend:\n  - to: a\n    text: &s ");
    memset(yaml + n, 'x', big);
    n += big;
    n += (size_t)sprintf(yaml + n, "\n  - to: a\n    json: [*s, *s, *s, *s, *s, *s, *s, *s, *s, *s, *s, *s, *s, "
                                   "*s, *s, *s, *s]\n");
    /* (reported where the aliased scalar is written: an alias has no position of its own) */
    expect_error_n(yaml, n, 4, "'json' value exceeds the maximum message size (16777216 bytes)");
    free(yaml);

    /* aliases within the bounds are expanded where they are used */
    m = parse_ok("components: [{name: a, module: a.wasm}]\nsend:\n  - to: a\n    json: {x: &v [1, {k: s}], y: *v}\n",
                 NULL);
    assert_payload(&m->sends[0], JSON_PREFIX, 2, "{\"x\":[1,{\"k\":\"s\"}],\"y\":[1,{\"k\":\"s\"}]}");
    manifest_free(m);
    expect_error_at("components: [{name: a, module: a.wasm}]\nx: &a [1, *a]\n", 2, "YAML syntax error: unknown alias '*a'");
    /* merge keys are not supported: `<<` is a key like any other */
    expect_error_at("base: &b {name: a, module: a.wasm}\ncomponents:\n  - <<: *b\n", 1, "unknown key 'base' at top level");
    expect_error_at("components:\n  - &b {name: a, module: a.wasm}\n  - <<: *b\n    name: c\n", 3,
                    "unknown key '<<' in component");
}

/* Mappings cost O(n log n) to build (libfyaml: 20,000 keys took 145 s); duplicates are found anywhere. */
static void test_hostile_wide_and_deep(void **state) {
    (void)state;
    size_t nkeys = 100000;
    char *yaml = malloc(nkeys * 24 + 256);
    assert_non_null(yaml);
    size_t n = (size_t)sprintf(yaml, "components: [{name: a, module: a.wasm}]\nsend:\n  - to: a\n    json:\n");
    for (size_t i = 0; i < nkeys; i++)
        n += (size_t)sprintf(yaml + n, "      k%zu: %zu\n", i, i);
    double t0 = now_s();
    manifest *m = NULL;
    char err[512] = "";
    if (manifest_parse(yaml, n, NULL, &m, err, sizeof err) != 0)
        fail_msg("%s", err);
    double took = now_s() - t0;
    if (took > 20.0)
        fail_msg("100,000 keys took %.1f s", took);
    assert_true(m->sends[0].len > nkeys * 8);
    assert_memory_equal(m->sends[0].payload, "\x80\x04{\"k0\":0,\"k1\":1,", 16);
    manifest_free(m);
    /* a duplicate after them all, reported where it repeats */
    n += (size_t)sprintf(yaml + n, "      k77: again\n");
    expect_error_n(yaml, n, 5 + (int)nkeys, "YAML syntax error: duplicate key 'k77' (first on line 82)");
    free(yaml);

    /* 50,000 components, 50,000 sends and a tree of 50,000 children: names are looked up, not scanned */
    size_t ncomp = 50000;
    yaml = malloc(ncomp * 80 + 256);
    assert_non_null(yaml);
    n = (size_t)sprintf(yaml, "components:\n");
    for (size_t i = 0; i < ncomp; i++)
        n += (size_t)sprintf(yaml + n, "  - {name: c%zu, module: m}\n", i);
    n += (size_t)sprintf(yaml + n, "send:\n");
    for (size_t i = 0; i < ncomp; i++)
        n += (size_t)sprintf(yaml + n, "  - {to: c%zu, json: 1}\n", ncomp - 1 - i);
    n += (size_t)sprintf(yaml + n, "supervisor:\n  name: root\n  children:\n");
    for (size_t i = 0; i < ncomp; i++)
        n += (size_t)sprintf(yaml + n, "    - component: c%zu\n", i);
    t0 = now_s();
    if (manifest_parse(yaml, n, NULL, &m, err, sizeof err) != 0)
        fail_msg("%s", err);
    took = now_s() - t0;
    if (took > 20.0)
        fail_msg("50,000 components took %.1f s", took);
    assert_int_equal(m->ncomponents, ncomp);
    assert_int_equal(m->nsends, ncomp);
    assert_string_equal(m->sends[0].target, "c49999");
    assert_int_equal(m->supervisor->nchildren, ncomp);
    assert_int_equal(m->supervisor->children[ncomp - 1].component, ncomp - 1);
    manifest_free(m);
    n += (size_t)sprintf(yaml + n, "    - component: c7\n");
    expect_error_n(yaml, n, (int)(3 * ncomp + 6), "component 'c7' is placed in the supervision tree twice (first on line 100013)");
    free(yaml);

    /* nesting: 64 levels are fine (the root mapping is one), 65 are refused, 100,000 too (no recursion) */
    char deep[400];
    for (int levels = 63; levels <= 64; levels++) {
        int k = snprintf(deep, sizeof deep, "components: [{name: a, module: a.wasm}]\nx: ");
        for (int i = 0; i < levels; i++)
            deep[k++] = '[';
        for (int i = 0; i < levels; i++)
            deep[k++] = ']';
        deep[k++] = '\n';
        if (levels == 63) {
            expect_error_n(deep, (size_t)k, 2, "unknown key 'x' at top level");
        } else {
            expect_error_n(deep, (size_t)k, 2, "the manifest is nested more than 64 levels deep");
        }
    }
    size_t depth = 100000;
    char *tower = malloc(2 * depth + 8);
    assert_non_null(tower);
    memcpy(tower, "x: ", 3);
    memset(tower + 3, '[', depth);
    memset(tower + 3 + depth, ']', depth);
    expect_error_n(tower, 3 + 2 * depth, 1, "nested more than 64 levels deep");
    memset(tower, '{', depth);
    expect_error_n(tower, depth, 1, "nested more than 64 levels deep");
    free(tower);
    /* block indentation nests too */
    char *steps = malloc(70 * 72);
    assert_non_null(steps);
    size_t s = 0;
    for (int i = 0; i < 70; i++)
        s += (size_t)sprintf(steps + s, "%*s- \n", i, "");
    expect_error_n(steps, s, 65, "nested more than 64 levels deep");
    free(steps);

    /* more text than MANIFEST_MAX_BYTES is refused before it is parsed */
    size_t huge = MANIFEST_MAX_BYTES + 1;
    char *blank = malloc(huge);
    assert_non_null(blank);
    memset(blank, ' ', huge);
    expect_error_n(blank, huge, 1, "the manifest is larger than 67108864 bytes");
    free(blank);
}

#define A1 "components:\n  - name: a\n    module: a.wasm\n" /* lines 1-3 */

/* Every limit key: wrong types, negative and huge numbers, each with its line. */
static void test_hostile_limit_values(void **state) {
    (void)state;
    static const struct { const char *key; bool wide; } keys[] = {
        {"memory_pages", false}, {"fuel", true}, {"mailbox_bytes", true}, {"start_fuel", true},
        {"table_elements", false}, {"max_spawned", false}, {"max_requests", false},
        {"max_subscriptions", false}, {"max_monitors", false}, {"max_links", false},
        {"log_bytes_per_sec", false},
    };
    char yaml[512], want[160];
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        const char *k = keys[i].key;
        static const struct { const char *value, *needle; } bad[] = {
            {"-1", "must not be negative"},
            {"-0x10", "must not be negative"},
            {"0x10", "must be a non-negative integer (got '0x10')"},
            {"1.5", "must be a non-negative integer (got '1.5')"},
            {"1e3", "must be a non-negative integer"},
            {"\"5\"", "must be a non-negative integer, not a quoted string"},
            {"[5]", "must be a non-negative integer, not a list"},
            {"{a: 1}", "must be a non-negative integer, not a mapping"},
            {"", "must be a non-negative integer, not nothing"},
            {"true", "must be a non-negative integer (got 'true')"},
            {"99999999999999999999999999999999", "is out of range"},
            {"18446744073709551616", "is out of range"},
        };
        for (size_t j = 0; j < sizeof bad / sizeof bad[0]; j++) {
            snprintf(yaml, sizeof yaml, A1 "    limits:\n      %s: %s\n", k, bad[j].value);
            snprintf(want, sizeof want, "'%s' %s", k, bad[j].needle);
            expect_error_at(yaml, 5, want);
        }
        if (!keys[i].wide) {
            snprintf(yaml, sizeof yaml, A1 "    limits: {%s: 4294967296}\n", k);
            snprintf(want, sizeof want, "'%s' is out of range: 4294967296", k);
            expect_error_at(yaml, 4, want);
        }
    }
    /* a key with an escape sequence is shown escaped */
    expect_error_at(A1 "    limits: {\"\\e[31m\": 1}\n", 4, "unknown key '\\x1b[31m' in limits");
    expect_error_at(A1 "    limits: {\"a\\0b\": 1}\n", 4, "unknown key 'a\\x00b' in limits");
}

/* Names, paths and strings: too long, NUL, control characters, wrong types. */
static void test_hostile_strings(void **state) {
    (void)state;
    char name[300];
    memset(name, 'n', 256);
    name[256] = '\0';
    char yaml[6000];
    snprintf(yaml, sizeof yaml, "components:\n  - name: %s\n    module: a.wasm\n", name);
    expect_error_at(yaml, 2, "is longer than 255 bytes");
    name[255] = '\0';
    snprintf(yaml, sizeof yaml, "components:\n  - name: %s\n    module: a.wasm\n", name);
    manifest *m = parse_ok(yaml, NULL);
    assert_int_equal(strlen(m->components[0].name), 255);
    manifest_free(m);
    snprintf(yaml, sizeof yaml, A1 "supervisor:\n  name: %s5\n  children: []\n", name);
    expect_error_at(yaml, 5, "supervisor name");
    char path[4200];
    memset(path, 'p', 4097);
    path[4097] = '\0';
    snprintf(yaml, sizeof yaml, "components:\n  - name: a\n    module: %s\n", path);
    expect_error_at(yaml, 3, "'module' is longer than 4096 bytes");
    expect_error_at("components:\n  - name: \"a\\0b\"\n    module: a.wasm\n", 2, "'name' must not contain control characters");
    expect_error_at("components:\n  - name: a\n    module: \"a\\0.wasm\"\n", 3, "'module' must not contain control characters");
    expect_error_at("components:\n  - name: [a]\n    module: a.wasm\n", 2, "'name' must be a string, not a list");
    expect_error_at("components:\n  - name: {a: 1}\n    module: a.wasm\n", 2, "'name' must be a string, not a mapping");
    expect_error_at("components:\n  - name: a\n    module:\n", 3, "'module' must be a string, not nothing");
    expect_error_at("components: {name: a}\n", 1, "'components' must be a list of components, not a mapping");
    expect_error_at("components: [[a]]\n", 1, "a component must be a mapping");
    expect_error_at("? [a]\n: 1\n", 1, "mapping keys must be plain names");
    /* hex payloads: whitespace may not split a byte, no NUL */
    expect_error_at("components: [{name: a, module: a.wasm}]\nsend:\n  - to: a\n    cbor: a1 6 1\n", 4,
                    "'cbor': hex digits must come in pairs");
    expect_error_at("components: [{name: a, module: a.wasm}]\nsend:\n  - to: a\n    cbor: \"a1\\0\"\n", 4,
                    "'cbor': invalid hex digit (byte 0x00)");
    m = parse_ok("components: [{name: a, module: a.wasm}]\nsend:\n  - to: a\n    cbor: \" 0xA1 61\\n6e 01 \"\n", NULL);
    static const uint8_t cbor[] = {0x51, 0xa1, 0x61, 0x6e, 0x01};
    assert_int_equal(m->sends[0].len, sizeof cbor);
    assert_memory_equal(m->sends[0].payload, cbor, sizeof cbor);
    manifest_free(m);
    /* JSON text: control characters and NUL escaped */
    m = parse_ok("components: [{name: a, module: a.wasm}]\nsend:\n  - to: a\n    text: \"a\\0b\\e\"\n", NULL);
    assert_payload(&m->sends[0], JSON_PREFIX, 2, "\"a\\u0000b\\u001b\"");
    manifest_free(m);
}

/* The limits of wactor_spawn_opts, stored under the same names; 0 / absent = the default. */
static void test_limits_all_keys(void **state) {
    (void)state;
    manifest *m = parse_ok(A1 "    limits:\n      memory_pages: 7\n      fuel: 8\n      mailbox_bytes: 18446744073709551615\n"
                           "      start_fuel: 9\n      table_elements: 10\n      max_spawned: 11\n      max_requests: 12\n"
                           "      max_subscriptions: 13\n      max_monitors: 14\n      max_links: 15\n"
                           "      log_bytes_per_sec: 4294967295\n    mailbox: 16\n    max_message_bytes: 17\n"
                           "  - name: b\n    module: b.wasm\n    limits: {max_spawned: 0}\n", NULL);
    const manifest_component *a = &m->components[0], *b = &m->components[1];
    assert_int_equal(a->memory_pages, 7);
    assert_int_equal(a->fuel, 8);
    assert_true(a->mailbox_bytes == UINT64_MAX);
    assert_int_equal(a->start_fuel, 9);
    assert_int_equal(a->table_elements, 10);
    assert_int_equal(a->max_spawned, 11);
    assert_int_equal(a->max_requests, 12);
    assert_int_equal(a->max_subscriptions, 13);
    assert_int_equal(a->max_monitors, 14);
    assert_int_equal(a->max_links, 15);
    assert_true(a->log_bytes_per_sec == UINT32_MAX);
    assert_int_equal(a->mailbox, 16);
    assert_int_equal(a->max_message_bytes, 17);
    assert_int_equal(b->mailbox_bytes, 0);
    assert_int_equal(b->start_fuel, 0);
    assert_int_equal(b->max_spawned, 0);
    assert_int_equal(b->log_bytes_per_sec, 0);
    assert_int_equal(b->wasi.nargs + b->wasi.nenv + b->wasi.ndirs, 0);
    assert_null(b->wasi.args);
    assert_null(b->wasi.env);
    assert_null(b->wasi.dirs);
    manifest_free(m);
    expect_error_at(A1 "    limits: {max_spawnd: 1}\n", 4,
                    "unknown key 'max_spawnd' in limits (expected memory_pages, fuel, mailbox_bytes, start_fuel, "
                    "table_elements, max_spawned, max_requests, max_subscriptions, max_monitors, max_links, "
                    "log_bytes_per_sec)");
    expect_error_at(A1 "    limits: [1]\n", 4, "'limits' must be a mapping, not a list");
}

static void test_wasi(void **state) {
    (void)state;
    manifest *m = parse_ok(A1 "    wasi:\n"
                           "      args: [prog, --level, 3, \"\", \"two words\"]\n"          /* line 5 */
                           "      env: {LANG: C.UTF-8, LEVEL: 3, EMPTY: \"\", PATHS: \"a=b\"}\n"
                           "      dirs:\n"
                           "        - \"data::/data\"\n"                                     /* line 8 */
                           "        - {host: /abs/cache, guest: /cache, read_only: true}\n"
                           "        - host: ../up\n"                                         /* line 10 */
                           "          guest: up\n"
                           "          read_only: false\n",
                           "/srv/sys/m.yaml");
    const manifest_wasi *w = &m->components[0].wasi;
    assert_int_equal(w->nargs, 5);
    assert_string_equal(w->args[0], "prog");
    assert_string_equal(w->args[1], "--level");
    assert_string_equal(w->args[2], "3");
    assert_string_equal(w->args[3], "");
    assert_string_equal(w->args[4], "two words");
    assert_int_equal(w->nenv, 4);
    assert_string_equal(w->env[0], "LANG=C.UTF-8");
    assert_string_equal(w->env[1], "LEVEL=3");
    assert_string_equal(w->env[2], "EMPTY=");
    assert_string_equal(w->env[3], "PATHS=a=b");
    assert_int_equal(w->ndirs, 3);
    assert_string_equal(w->dirs[0].host, "/srv/sys/data");
    assert_string_equal(w->dirs[0].guest, "/data");
    assert_false(w->dirs[0].read_only);
    assert_int_equal(w->dirs[0].line, 8);
    assert_string_equal(w->dirs[1].host, "/abs/cache");
    assert_string_equal(w->dirs[1].guest, "/cache");
    assert_true(w->dirs[1].read_only);
    assert_string_equal(w->dirs[2].host, "/srv/sys/../up");
    assert_string_equal(w->dirs[2].guest, "up");
    assert_false(w->dirs[2].read_only);
    assert_int_equal(w->dirs[2].line, 10);
    manifest_free(m);

#define W1 A1 "    wasi:\n" /* lines 1-4 */
    expect_error_at(W1 "      argv: [a]\n", 5, "unknown key 'argv' in wasi (expected args, env, dirs)");
    expect_error_at(A1 "    wasi: [a]\n", 4, "'wasi' must be a mapping");
    expect_error_at(W1 "      args: a\n", 5, "'args' must be a list of strings, not a scalar");
    expect_error_at(W1 "      args: [a, [b]]\n", 5, "a WASI argument must be a string, not a list");
    expect_error_at(W1 "      args: [a, ~]\n", 5, "a WASI argument must be a string, not nothing");
    expect_error_at(W1 "      args: [\"a\\0b\"]\n", 5, "a WASI argument must not contain a NUL byte");
    expect_error_at(W1 "      env: [A=1]\n", 5, "'env' must be a mapping of NAME: VALUE, not a list");
    expect_error_at(W1 "      env: {\"A=B\": 1}\n", 5, "environment variable name 'A=B' must not contain '='");
    expect_error_at(W1 "      env: {\"\": 1}\n", 5, "an environment variable name must not be empty");
    expect_error_at(W1 "      env: {\"A\\nB\": 1}\n", 5, "an environment variable name must not contain control");
    expect_error_at(W1 "      env: {A: \"x\\0y\"}\n", 5, "an environment variable value must not contain a NUL byte");
    expect_error_at(W1 "      env: {A: {b: 1}}\n", 5, "an environment variable value must be a string, not a mapping");
    expect_error_at(W1 "      env: {A: }\n", 5, "an environment variable value must be a string, not nothing");
    expect_error_at(W1 "      env:\n        A: 1\n        A: 2\n", 7, "duplicate key 'A'");
    expect_error_at(W1 "      dirs: data::/d\n", 5, "'dirs' must be a list of directories, not a scalar");
    expect_error_at(W1 "      dirs: [data]\n", 5, "'dirs' entry 'data' must be \"HOST::GUEST\"");
    expect_error_at(W1 "      dirs: [\"::/d\"]\n", 5, "must be \"HOST::GUEST\"");
    expect_error_at(W1 "      dirs: [\"d::\"]\n", 5, "must be \"HOST::GUEST\"");
    expect_error_at(W1 "      dirs: [[d]]\n", 5, "a 'dirs' entry must be \"HOST::GUEST\" or a mapping, not a list");
    expect_error_at(W1 "      dirs: [{host: d}]\n", 5, "a 'dirs' entry needs both 'host' and 'guest'");
    expect_error_at(W1 "      dirs: [{host: d, guest: g, read_only: yes}]\n", 5, "'read_only' must be true or false");
    expect_error_at(W1 "      dirs: [{host: d, guest: g, mode: rw}]\n", 5, "unknown key 'mode' in a 'dirs' entry");
    expect_error_at(W1 "      dirs: [\"a::/g\", {host: b, guest: /g}]\n", 5, "guest directory '/g' is given twice");
    char *many = malloc(1100 * 4 + 256);
    assert_non_null(many);
    size_t n = (size_t)sprintf(many, W1 "      args: [");
    for (int i = 0; i < 1025; i++)
        n += (size_t)sprintf(many + n, "a,");
    n += (size_t)sprintf(many + n, "]\n");
    expect_error_n(many, n, 5, "'args' has 1025 entries (at most 1024)");
    free(many);
}

/* OTP: intensity 0 means no restart at all; absent keeps the default 1. The two stay distinct. */
static void test_intensity_zero(void **state) {
    (void)state;
    manifest *m = parse_ok(A1 "supervisor: {name: r, intensity: 0, children: [{component: a}]}\n", NULL);
    assert_int_equal(m->supervisor->intensity, 0);
    assert_true(m->supervisor->intensity_given);
    manifest_free(m);
    m = parse_ok(A1 "supervisor: {name: r, children: [{component: a}]}\n", NULL);
    assert_int_equal(m->supervisor->intensity, WACTOR_DEFAULT_INTENSITY);
    assert_false(m->supervisor->intensity_given);
    manifest_free(m);
    m = parse_ok(A1 "supervisor: {name: r, intensity: 1, children: [{component: a}]}\n", NULL);
    assert_int_equal(m->supervisor->intensity, 1);
    assert_true(m->supervisor->intensity_given);
    manifest_free(m);
}

/* ------------------------------------------------------------------ warnings, version */

/* Asserts that warning i of `m` is exactly `want`. */
static void expect_warning(const manifest *m, size_t i, const char *want) {
    if (i >= m->nwarnings)
        fail_msg("expected warning %zu '%s', but there are only %zu", i, want, m->nwarnings);
    if (strcmp(m->warnings[i].message, want) != 0)
        fail_msg("warning %zu: expected '%s', got '%s'", i, want, m->warnings[i].message);
}

static void test_warning_undeclared_targets(void **state) {
    (void)state;
    const char *yaml =
        "components:\n"                                                         /* 1 */
        "  - name: client\n"
        "    module: client.wasm\n"
        "    capabilities:\n"
        "      request: [stroe, store, later, \"#12\", \"*\", host]\n"          /* 5 */
        "      send:\n"
        "        - ghost\n"                                                     /* 7 */
        "        - root\n"
        "        - inner\n"
        "        - clinet\n"                                                    /* 10 */
        "      publish: [stroe]\n"                                              /* topics are not targets */
        "  - name: store\n"
        "    module: store.wasm\n"
        "  - name: later\n"                                                     /* declared below its grant */
        "    module: later.wasm\n"                                              /* 15 */
        "supervisor:\n"
        "  name: root\n"
        "  children:\n"
        "    - supervisor: {name: inner, children: [{component: store}]}\n";
    manifest *m = parse_ok(yaml, "sys/app.yaml");
    assert_int_equal(m->nwarnings, 3);
    assert_int_equal(m->warnings_dropped, 0);
    expect_warning(m, 0, "sys/app.yaml:5:17: warning: capability 'request' target 'stroe' names no component, "
                         "supervisor or host actor of this manifest, so it grants nothing unless something registers "
                         "that name at run time; did you mean 'store'?");
    assert_int_equal(m->warnings[0].line, 5);
    assert_int_equal(m->warnings[0].col, 17);
    expect_warning(m, 1, "sys/app.yaml:7:11: warning: capability 'send' target 'ghost' names no component, "
                         "supervisor or host actor of this manifest, so it grants nothing unless something registers "
                         "that name at run time");
    expect_warning(m, 2, "sys/app.yaml:10:11: warning: capability 'send' target 'clinet' names no component, "
                         "supervisor or host actor of this manifest, so it grants nothing unless something registers "
                         "that name at run time; did you mean 'client'?");
    assert_int_equal(m->version, 1);
    manifest_free(m);

    /* Host actor children register names too (their own, or their kind's); their grants are checked. */
    m = parse_ok("components:\n"
                 "  - {name: c, module: c.wasm, capabilities: {request: [db, cache, dbb]}}\n"   /* 2 */
                 "supervisor:\n"
                 "  name: root\n"
                 "  children:\n"
                 "    - {host: sqlite, name: db}\n"
                 "    - {host: cache}\n"
                 "    - {host: http, capabilities: {send: [c, root, cahce]}}\n", "h.yaml");       /* 8 */
    assert_int_equal(m->nwarnings, 2);
    assert_non_null(strstr(m->warnings[0].message, "h.yaml:2:67: warning: capability 'request' target 'dbb'"));
    assert_non_null(strstr(m->warnings[0].message, "; did you mean 'db'?"));
    assert_non_null(strstr(m->warnings[1].message, "h.yaml:8:51: warning: capability 'send' target 'cahce'"));
    assert_non_null(strstr(m->warnings[1].message, "; did you mean 'cache'?"));
    manifest_free(m);

    /* A manifest whose targets are all declared (or addresses) has none; the list is NULL. */
    m = parse_ok("components:\n  - {name: a, module: a.wasm, capabilities: {send: [b, \"#7\", \"*\", host]}}\n"
                 "  - {name: b, module: b.wasm, capabilities: {request: [a, b]}}\n", NULL);
    assert_int_equal(m->nwarnings, 0);
    assert_null(m->warnings);
    manifest_free(m);
}

static void test_warning_suggestions(void **state) {
    (void)state;
    /* The closest name wins; short names (<= 4 bytes) only get a suggestion at distance 1; a transposition
     * costs 1; case is ignored; names far off get none. Positions are of the entries in a flow list. */
    const char *yaml =
        "components:\n"
        "  - {name: kv, module: kv.wasm}\n"
        "  - {name: orders, module: o.wasm}\n"
        "  - {name: orderz2, module: o.wasm}\n"
        "  - name: c\n"                                                         /* 5 */
        "    module: c.wasm\n"
        "    capabilities: {send: [kx, xy, ordres, ordersss, payments, KV]}\n"; /* 7 */
    manifest *m = parse_ok(yaml, "t.yaml");
    assert_int_equal(m->nwarnings, 6);
    assert_non_null(strstr(m->warnings[0].message, "t.yaml:7:27: warning: capability 'send' target 'kx'"));
    assert_non_null(strstr(m->warnings[0].message, "; did you mean 'kv'?"));
    assert_null(strstr(m->warnings[1].message, "did you mean")); /* xy: 2 edits from kv, too short */
    assert_non_null(strstr(m->warnings[2].message, "target 'ordres'"));
    assert_non_null(strstr(m->warnings[2].message, "; did you mean 'orders'?"));
    assert_non_null(strstr(m->warnings[3].message, "; did you mean 'orders'?")); /* 2 deletions */
    assert_null(strstr(m->warnings[4].message, "did you mean"));
    assert_non_null(strstr(m->warnings[5].message, "; did you mean 'kv'?")); /* case is ignored */
    manifest_free(m);
}

static void test_warning_bounds(void **state) {
    (void)state;
    /* 150 bad targets: 100 warnings kept, 50 counted. */
    size_t cap = 64 * 1024;
    char *yaml = malloc(cap);
    assert_non_null(yaml);
    size_t n = (size_t)snprintf(yaml, cap, "components:\n  - name: a\n    module: a.wasm\n    capabilities:\n      send:\n");
    for (int i = 0; i < 150; i++)
        n += (size_t)snprintf(yaml + n, cap - n, "        - nobody%d\n", i);
    manifest *m = parse_ok(yaml, NULL);
    assert_int_equal(m->nwarnings, MANIFEST_MAX_WARNINGS);
    assert_int_equal(m->warnings_dropped, 50);
    assert_non_null(strstr(m->warnings[0].message, "<string>:6:11: warning: capability 'send' target 'nobody0'"));
    assert_non_null(strstr(m->warnings[99].message, "target 'nobody99'"));
    manifest_free(m);

    /* Hostile: 3000 components with 255-byte names one edit apart from 100 255-byte typos. The suggestion
     * search is bounded (MF_SUGGEST_BUDGET cells), so this parses quickly; warnings are all there. */
    cap = 8u << 20;
    yaml = realloc(yaml, cap);
    assert_non_null(yaml);
    char name[256];
    memset(name, 'n', 255);
    name[255] = '\0';
    n = (size_t)snprintf(yaml, cap, "components:\n");
    for (int i = 0; i < 3000; i++) {
        snprintf(name + 250, 6, "%05d", i);
        n += (size_t)snprintf(yaml + n, cap - n, "  - {name: %s, module: m.wasm}\n", name);
    }
    n += (size_t)snprintf(yaml + n, cap - n, "  - name: c\n    module: c.wasm\n    capabilities:\n      request:\n");
    for (int i = 0; i < 100; i++) {
        snprintf(name + 250, 6, "x%04d", i);
        n += (size_t)snprintf(yaml + n, cap - n, "        - %s\n", name);
    }
    uint64_t t0 = now_ms();
    m = parse_ok(yaml, NULL);
    fprintf(stderr, "hostile suggestions: %llu ms\n", (unsigned long long)(now_ms() - t0));
    assert_int_equal(m->nwarnings, 100);
    assert_non_null(strstr(m->warnings[0].message, "did you mean 'nnn")); /* found within the budget */
    manifest_free(m);
    free(yaml);
}

static void test_version_key(void **state) {
    (void)state;
    manifest *m = parse_ok("version: 1\ncomponents: [{name: a, module: a.wasm}]\n", NULL);
    assert_int_equal(m->version, 1);
    manifest_free(m);
    m = parse_ok("components: [{name: a, module: a.wasm}]\nversion: 1\n", NULL); /* anywhere at top level */
    assert_int_equal(m->version, MANIFEST_VERSION);
    manifest_free(m);
    m = parse_ok("components: [{name: a, module: a.wasm}]\n", NULL); /* absent = 1 */
    assert_int_equal(m->version, 1);
    manifest_free(m);
    expect_error_at("version: 2\ncomponents: [{name: a, module: a.wasm}]\n", 1,
                    "unsupported manifest version 2 (this wactor reads version 1)");
    expect_error_at("components: [{name: a, module: a.wasm}]\nversion: 0\n", 2, "unsupported manifest version 0");
    expect_error_at("version: 99999999999999999999999\ncomponents: [{name: a, module: a.wasm}]\n", 1,
                    "'version' must be a plain integer (this wactor reads version 1), not '99999999999999999999999'");
    expect_error_at("version: \"1\"\ncomponents: [{name: a, module: a.wasm}]\n", 1,
                    "'version' must be a plain integer (this wactor reads version 1), not '1'");
    expect_error_at("version: 1.0\ncomponents: [{name: a, module: a.wasm}]\n", 1, "not '1.0'");
    expect_error_at("version: -1\ncomponents: [{name: a, module: a.wasm}]\n", 1, "not '-1'");
    expect_error_at("version: [1]\ncomponents: [{name: a, module: a.wasm}]\n", 1, "not a list");
    expect_error_at("version:\ncomponents: [{name: a, module: a.wasm}]\n", 1, "'version' must be a plain integer");
    expect_error_at("version: 1\nversion: 1\ncomponents: [{name: a, module: a.wasm}]\n", 2, "duplicate");
    expect_error_at("verison: 1\ncomponents: [{name: a, module: a.wasm}]\n", 1,
                    "unknown key 'verison' at top level (expected version, components, supervisor, send, publish, log, http)");
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
        cmocka_unit_test(test_tree_fields),
        cmocka_unit_test(test_tree_defaults_and_forms),
        cmocka_unit_test(test_tree_errors),
        cmocka_unit_test(test_tree_depth),
        cmocka_unit_test(test_tree_truncations),
        cmocka_unit_test(test_chaos_manifest),
        cmocka_unit_test(test_caps_fields),
        cmocka_unit_test(test_publish_entries),
        cmocka_unit_test(test_error_caps),
        cmocka_unit_test(test_error_mailbox_and_message_size),
        cmocka_unit_test(test_error_publish),
        cmocka_unit_test(test_caps_truncations),
        cmocka_unit_test(test_example_grants),
        cmocka_unit_test(test_hostile_directives_and_encoding),
        cmocka_unit_test(test_hostile_alias_bomb),
        cmocka_unit_test(test_hostile_wide_and_deep),
        cmocka_unit_test(test_hostile_limit_values),
        cmocka_unit_test(test_hostile_strings),
        cmocka_unit_test(test_limits_all_keys),
        cmocka_unit_test(test_wasi),
        cmocka_unit_test(test_intensity_zero),
        cmocka_unit_test(test_warning_undeclared_targets),
        cmocka_unit_test(test_warning_suggestions),
        cmocka_unit_test(test_warning_bounds),
        cmocka_unit_test(test_version_key),
    };
    return cmocka_run_group_tests(tests, setup_tmpdir, teardown_tmpdir);
}
