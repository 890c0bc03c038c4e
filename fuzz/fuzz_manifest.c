/*
 * fuzz_manifest.c — libFuzzer target for the YAML manifest parser (src/manifest/manifest.h), from memory:
 * manifest_parse() on the input bytes, no file read or written.
 *
 * Checks, beyond "no crash, no leak, no UB": a failure returns -1 with *out NULL and a NUL-terminated
 * "FILE:LINE:COL: message" naming the path given; a success returns a manifest whose fields keep the
 * promises of manifest.h (at least one component, names valid and unique, limits in range, every send
 * targets a declared component, payloads carry a known multicodec prefix and fit the size limit, the tree
 * places each component at most once, supervisors nest at most MANIFEST_MAX_TREE_DEPTH deep).
 *
 * YAML parsers can spin on some inputs (libfyaml 0.7.12 did on "%" then 0xFF, corpus/manifest/
 * regression-hang-percent-ff); run with -timeout so such an input is reported as a timeout instead of
 * stalling the run (fuzz/run.sh does). FUZZ_MANIFEST_SKIP_DIRECTIVES=1 in the environment makes this target
 * ignore every input with a line starting with '%' (a YAML directive): for fuzzing around such a hang
 * while it is open, so that any other timeout is a new finding.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/codec.h"
#include "manifest/manifest.h"

#define PATH "fuzz/dir/m.yaml"
#define CHECK(cond)                                                                                    \
    do {                                                                                               \
        if (!(cond)) {                                                                                 \
            fprintf(stderr, "fuzz_manifest: check failed at line %d: %s\n", __LINE__, #cond);          \
            abort();                                                                                   \
        }                                                                                              \
    } while (0)

static void check_name(const char *s) {
    CHECK(s && s[0] && s[0] != '#' && strcmp(s, "host") != 0);
    for (const char *p = s; *p; p++) CHECK((unsigned char)*p >= 0x20 && *p != 0x7f);
}

/* A capability list: NULL exactly when empty; entries non-empty, without control characters, targets at
 * most MANIFEST_MAX_TARGET bytes (max_len 0: no length rule). */
static void check_list(char **v, size_t n, size_t max_len) {
    CHECK((n == 0) == (v == NULL));
    for (size_t i = 0; i < n; i++) {
        CHECK(v[i] && v[i][0]);
        if (max_len) CHECK(strlen(v[i]) <= max_len);
        for (const char *p = v[i]; *p; p++) CHECK((unsigned char)*p >= 0x20);
    }
}

static void check_message(const manifest_message *msg, int is_send, const manifest *m) {
    CHECK(msg->target && msg->payload && msg->len > 0 && msg->len <= MANIFEST_MAX_PAYLOAD && msg->line >= 1);
    uint32_t codec = 0;
    CHECK(codec_split(msg->payload, msg->len, &codec, NULL, NULL, NULL, 0) == WACTOR_OK);
    if (is_send) {
        int found = 0;
        for (size_t i = 0; i < m->ncomponents; i++) found |= strcmp(m->components[i].name, msg->target) == 0;
        CHECK(found);
    } else {
        CHECK(msg->target[0] && !strchr(msg->target, '*') && !strchr(msg->target, '>'));
    }
}

static void check_supervisor(const manifest_supervisor *s, const manifest *m, int depth, unsigned char *placed) {
    CHECK(depth <= MANIFEST_MAX_TREE_DEPTH);
    check_name(s->name);
    for (size_t i = 0; i < m->ncomponents; i++) CHECK(strcmp(m->components[i].name, s->name) != 0);
    CHECK(s->intensity <= MANIFEST_MAX_INTENSITY);
    CHECK(s->period_ms >= 1 && s->period_ms <= MANIFEST_MAX_MS);
    if (s->backoff_initial_ms) {
        CHECK(s->backoff_multiplier >= 1.0 && s->backoff_multiplier <= MANIFEST_MAX_MULTIPLIER);
        CHECK(s->backoff_max_ms >= s->backoff_initial_ms && s->backoff_max_ms <= MANIFEST_MAX_MS);
    }
    CHECK((s->nchildren == 0) == (s->children == NULL));
    if (s->strategy == WACTOR_SIMPLE_ONE_FOR_ONE) CHECK(s->nchildren == 1 && !s->children[0].is_supervisor);
    for (size_t i = 0; i < s->nchildren; i++) {
        const manifest_child *c = &s->children[i];
        CHECK(c->line >= 1);
        CHECK(c->shutdown_ms > 0 || c->shutdown_ms == WACTOR_BRUTAL_KILL || c->shutdown_ms == WACTOR_INFINITY);
        if (c->is_supervisor) {
            CHECK(c->supervisor && c->health_interval_ms == 0);
            check_supervisor(c->supervisor, m, depth + 1, placed);
        } else if (c->host_kind) { /* a host actor child: a kind and a name, no component */
            CHECK(!c->supervisor && c->host_kind[0] && s->strategy != WACTOR_SIMPLE_ONE_FOR_ONE);
            CHECK(strlen(c->host_name ? c->host_name : c->host_kind) <= MANIFEST_MAX_NAME);
        } else {
            CHECK(!c->supervisor && c->component < m->ncomponents);
            CHECK(!placed[c->component]);
            placed[c->component] = 1;
            CHECK(m->components[c->component].in_tree);
            if (c->health_interval_ms == 0) CHECK(c->health_timeout_ms == 0 && c->health_threshold == 0);
            else CHECK(c->health_threshold >= 1 && c->health_timeout_ms >= 1); /* may exceed the interval: one probe in flight */
        }
    }
}

static int skip_directives;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc, (void)argv;
    const char *v = getenv("FUZZ_MANIFEST_SKIP_DIRECTIVES");
    skip_directives = v && strcmp(v, "0") != 0;
    return 0;
}

/* True if some line of the input starts with '%'. */
static int has_directive(const uint8_t *data, size_t size) {
    for (size_t i = 0; i < size; i++)
        if (data[i] == '%' && (i == 0 || data[i - 1] == '\n' || data[i - 1] == '\r')) return 1;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (skip_directives && has_directive(data, size)) return 0;
    char err[512];
    memset(err, 'x', sizeof err);
    manifest *m = (manifest *)1;
    int rc = manifest_parse((const char *)data, size, PATH, &m, err, sizeof err);
    if (rc != 0) {
        CHECK(rc == -1 && m == NULL);
        CHECK(memchr(err, '\0', sizeof err) != NULL);
        CHECK(strncmp(err, PATH ":", strlen(PATH) + 1) == 0);
        return 0;
    }
    CHECK(m && m->ncomponents >= 1 && m->components);
    CHECK(m->path && strcmp(m->path, PATH) == 0);
    for (size_t i = 0; i < m->ncomponents; i++) {
        const manifest_component *c = &m->components[i];
        check_name(c->name);
        for (size_t j = 0; j < i; j++) CHECK(strcmp(m->components[j].name, c->name) != 0);
        CHECK(c->module_path && c->module_path[0] && c->line >= 1);
        CHECK(c->memory_pages <= MANIFEST_MAX_MEMORY_PAGES);
        CHECK(c->mailbox <= MANIFEST_MAX_MAILBOX);
        CHECK(c->max_message_bytes <= MANIFEST_MAX_PAYLOAD);
        CHECK(c->module_path[0] == '/' || strncmp(c->module_path, "fuzz/dir/", 9) == 0);
        check_list(c->caps.send, c->caps.nsend, MANIFEST_MAX_TARGET);
        check_list(c->caps.request, c->caps.nrequest, MANIFEST_MAX_TARGET);
        check_list(c->caps.publish, c->caps.npublish, 0);
        check_list(c->caps.subscribe, c->caps.nsubscribe, 0);
    }
    CHECK((m->nsends == 0) == (m->sends == NULL));
    CHECK((m->npublishes == 0) == (m->publishes == NULL));
    for (size_t i = 0; i < m->nsends; i++) check_message(&m->sends[i], 1, m);
    for (size_t i = 0; i < m->npublishes; i++) check_message(&m->publishes[i], 0, m);
    if (m->supervisor) {
        unsigned char *placed = calloc(m->ncomponents, 1);
        CHECK(placed);
        check_supervisor(m->supervisor, m, 1, placed);
        for (size_t i = 0; i < m->ncomponents; i++) CHECK(m->components[i].in_tree == (placed[i] != 0));
        free(placed);
    } else {
        for (size_t i = 0; i < m->ncomponents; i++) CHECK(!m->components[i].in_tree);
    }
    manifest_free(m);
    return 0;
}
