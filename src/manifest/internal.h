/*
 * internal.h — private helpers shared by the manifest layer's source files. Not an interface: only the
 * .c files of src/manifest include it; everything else uses manifest.h.
 *
 *   manifest.c   entry points: load / parse / free, the top-level keys
 *   yaml.c       reading typed values out of libfyaml nodes (positions, strings, integers, booleans, ...)
 *   payload.c    `send:` / `publish:` payloads: YAML -> compact JSON, hex bytes, the multicodec prefix
 *   component.c  `components:` entries and their `limits:`
 *   caps.c       a component's `capabilities:`
 *   wasi.c       a component's `wasi:` (args, env, dirs)
 *   message.c    the `send:` and `publish:` lists
 *   tree.c       the `supervisor:` tree
 *
 * Every parse function returns 0 or -1; on -1 it has written "FILE:LINE:COL: message" through mf_fail()
 * and the caller frees whatever the half-built manifest owns (each function leaves its output freeable).
 */
#ifndef WACTOR_MANIFEST_INTERNAL_H
#define WACTOR_MANIFEST_INTERNAL_H

#include <libfyaml.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "manifest/manifest.h"

/* A position in the manifest: 1-based line and column; 0 = unknown (printed as 1). */
typedef struct pos {
    int line, col;
} pos;

/* Where messages go. */
typedef struct ctx {
    const char *file; /* the name in messages */
    char *err;        /* may be NULL */
    size_t errlen;
} ctx;

/* A growing byte buffer (malloc'd; p is NULL until the first byte). */
typedef struct buf {
    uint8_t *p;
    size_t len, cap;
} buf;

/* Prints at most 60 bytes of a user-supplied string in messages. */
#define SHOWN(len) ((int)((len) > 60 ? 60 : (len)))

/* How a NATS subject (pattern) looks, for messages (broker_subject_valid() decides). */
#define NATS_SYNTAX "tokens of printable ASCII separated by '.', '*' and '>' only as whole tokens, '>' last, " \
                    "at most 255 bytes"

/* Writes "FILE:LINE:COL: <message>" into c->err; always returns -1. */
int mf_fail(const ctx *c, pos at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int mf_fail_oom(const ctx *c);

/* ---- yaml.c: values out of libfyaml nodes. `at` is the position to report when the node has none. */

pos mf_node_pos(struct fy_node *n, pos fallback);
bool mf_is_plain(struct fy_node *n);
bool mf_is_null(struct fy_node *n);          /* missing, or a plain empty / ~ / null scalar */
const char *mf_kind_name(struct fy_node *n); /* "nothing", "a mapping", "a list", "a scalar" */
bool mf_key_is(const char *k, size_t klen, const char *want);
int mf_bool_word(const char *s, size_t len); /* 1 true, 0 false (YAML 1.2 core), -1 neither */
/* A mapping key (a scalar); *k points into the document (not NUL-terminated). */
int mf_get_key(const ctx *c, struct fy_node_pair *p, pos fallback, const char **k, size_t *klen, pos *at);
/* A non-empty string without control characters (no NUL), copied to a malloc'd *out. `label` is a phrase for messages ("'name'"); get_string builds it from a key. */
int mf_get_text(const ctx *c, struct fy_node *v, pos at, const char *label, char **out);
int mf_get_string(const ctx *c, struct fy_node *v, pos at, const char *what, char **out);
/* A plain non-negative decimal integer <= max (and >= min). */
int mf_get_uint(const ctx *c, struct fy_node *v, pos at, const char *what, uint64_t max, uint64_t *out);
int mf_get_uint_range(const ctx *c, struct fy_node *v, pos at, const char *what, uint64_t min, uint64_t max,
                      uint32_t *out);
int mf_get_bool(const ctx *c, struct fy_node *v, pos at, const char *what, bool *out);
/* One of `n` words; its index in *out. `expected` lists them for the message. */
int mf_get_word(const ctx *c, struct fy_node *v, pos at, const char *what, const char *const *names, size_t n,
                const char *expected, int *out);
/* A plain decimal number (locale-independent). */
int mf_get_double(const ctx *c, struct fy_node *v, pos at, const char *what, double *out);

/* ---- payload.c */

bool mf_buf_put(buf *b, const void *data, size_t n);
/* The payload of form "json" / "text" / "cbor" / "borsh" (`form`, an index into MF_PAYLOAD_FORMS) as
 * multicodec-prefixed malloc'd bytes, at most MANIFEST_MAX_PAYLOAD. */
#define MF_NFORMS 4
extern const char *const MF_PAYLOAD_FORMS[MF_NFORMS];
int mf_parse_payload(const ctx *c, int form, struct fy_node *body, pos body_at, uint8_t **payload, size_t *len);

/* ---- component.c, caps.c */

int mf_parse_components(const ctx *c, struct fy_node *v, pos at, const char *base, manifest *m);
void mf_free_component(manifest_component *comp);
int mf_parse_caps(const ctx *c, struct fy_node *v, pos at, manifest_caps *caps);
void mf_free_caps(manifest_caps *caps);
void mf_free_strings(char **v, size_t n);

/* ---- wasi.c: `wasi:` into comp->wasi (comp->has_wasi); `base` is the manifest path (relative dirs) */

int mf_parse_wasi(const ctx *c, struct fy_node *v, pos at, const char *base, manifest_component *comp);
void mf_free_wasi(manifest_component *comp);
/* `module` (or a dir) resolved against the manifest's directory: malloc'd, NULL on ENOMEM (component.c) */
char *mf_resolve_path(const char *manifest_path, const char *path);

/* ---- message.c */

int mf_parse_sends(const ctx *c, struct fy_node *v, pos at, manifest *m);
int mf_parse_publishes(const ctx *c, struct fy_node *v, pos at, manifest *m);
void mf_free_messages(manifest_message *v, size_t n);

/* ---- tree.c */

int mf_parse_tree(const ctx *c, struct fy_node *v, pos at, manifest *m);
void mf_free_supervisor(manifest_supervisor *s);

#endif
