/*
 * internal.h — private helpers shared by the manifest layer's source files. Not an interface: only the
 * .c files of src/manifest include it; everything else uses manifest.h.
 *
 *   manifest.c   entry points: load / parse / free, the top-level keys
 *   document.c   YAML text -> a tree of mf_node (libyaml's event parser), with the bounds on size, nesting,
 *                alias expansion, and duplicate keys
 *   yaml.c       reading typed values out of nodes (positions, strings, integers, booleans, ...)
 *   payload.c    `send:` / `publish:` payloads: YAML -> compact JSON, hex bytes, the multicodec prefix
 *   component.c  `components:` entries and their `limits:`
 *   caps.c       a component's `capabilities:`
 *   wasi.c       a component's `wasi:` (arguments, environment, preopened directories)
 *   message.c    the `send:` and `publish:` lists
 *   tree.c       the `supervisor:` tree
 *   names.c      a hash set of names (components, supervisors)
 *   log.c        the `log:` section (level, format)
 *   warnings.c   the warnings channel (manifest.warnings) and the check of capability targets
 *
 * Every parse function returns 0 or -1; on -1 it has written "FILE:LINE:COL: message" through mf_fail()
 * and the caller frees whatever the half-built manifest owns (each function leaves its output freeable).
 */
#ifndef WACTOR_MANIFEST_INTERNAL_H
#define WACTOR_MANIFEST_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "manifest/manifest.h"

/* A position in the manifest: 1-based line and column; 0 = unknown (printed as 1). */
typedef struct pos {
    int line, col;
} pos;

/* Names -> a value (an index), for O(1) duplicate and reference checks (names.c). Keys are borrowed: they
 * must outlive the table. */
typedef struct mf_names {
    const char **keys;
    size_t *vals;
    size_t n, cap; /* cap: 0 or a power of two */
} mf_names;
bool mf_names_get(const mf_names *t, const char *name, size_t *val);
int mf_names_put(mf_names *t, const char *name, size_t val); /* replaces; -1 without memory */
void mf_names_free(mf_names *t);

/* A capability target as written (warnings.c checks it against the declared names after the parse). */
typedef struct mf_ref {
    const char *grant;     /* "send" / "request" (static) */
    const char *name;      /* the target, owned by the manifest being built */
    pos at;
} mf_ref;
typedef struct mf_refs {
    mf_ref *v;
    size_t n, cap;
} mf_refs;

/* Where messages go, and the parse's indexes. */
typedef struct ctx {
    const char *file;      /* the name in messages */
    char *err;             /* may be NULL */
    size_t errlen;
    mf_names *components;  /* component name -> index in manifest.components */
    mf_refs *refs;         /* capability targets seen so far; may be NULL (not recorded) */
    manifest *out;         /* the manifest being built, whose warnings mf_warn() appends to; may be NULL */
} ctx;

/* A growing byte buffer (malloc'd; p is NULL until the first byte). */
typedef struct buf {
    uint8_t *p;
    size_t len, cap;
} buf;

/* A user-supplied string for a message: at most 60 bytes of it, with bytes outside printable ASCII (and
 * '\\') written as \xNN, "..." appended when cut. Returns `out`, which needs MF_SHOW_MAX bytes. */
#define MF_SHOW_MAX (60 * 4 + 4)
const char *mf_show(const char *s, size_t len, char out[MF_SHOW_MAX]);
/* mf_show() into a temporary that lives until the end of the enclosing block (for mf_fail arguments). */
#define MF_SHOW(s, len) mf_show((s), (len), (char[MF_SHOW_MAX]){0})

/* ---- document.c: the YAML tree. Every node belongs to its document; an alias is the node it names (so a
 * node may have several parents), never a copy. */
typedef enum mf_kind { MF_SCALAR, MF_SEQ, MF_MAP } mf_kind;
typedef struct mf_node mf_node;
typedef struct mf_pair {
    mf_node *key, *value; /* never NULL (an empty value is an empty plain scalar) */
} mf_pair;
struct mf_node {
    mf_kind kind;
    pos at;          /* where the node starts */
    bool plain;      /* scalar: plain style (not quoted, not a block scalar) */
    bool str_tag;    /* scalar: tagged !!str (always a string) */
    const char *s;   /* scalar: its text, NUL-terminated (it may contain NULs: use len) */
    size_t len;
    size_t n;        /* sequence items, mapping pairs */
    mf_node **items; /* sequence */
    mf_pair *pairs;  /* mapping, in file order */
    uint64_t weight; /* nodes in it, aliases expanded (saturating) */
    uint64_t bytes;  /* scalar bytes in it, aliases expanded (saturating) */
};
typedef struct mf_doc mf_doc;

/* Parses `len` bytes into a document (*out, freed with mf_doc_free), within the bounds of manifest.h.
 * The root is NULL for a stream without a document. */
int mf_doc_parse(const ctx *c, const char *text, size_t len, mf_doc **out);
mf_node *mf_doc_root(const mf_doc *doc);
void mf_doc_free(mf_doc *doc);

static inline bool mf_is_scalar(const mf_node *n) { return n != NULL && n->kind == MF_SCALAR; }
static inline bool mf_is_map(const mf_node *n) { return n != NULL && n->kind == MF_MAP; }
static inline bool mf_is_seq(const mf_node *n) { return n != NULL && n->kind == MF_SEQ; }
static inline const char *mf_scalar(const mf_node *n, size_t *len) {
    *len = n->len;
    return n->s;
}
static inline int mf_count(const mf_node *n) { return (int)n->n; }
/* Iteration: `size_t it = 0;` then `while ((p = mf_map_next(n, &it)) != NULL)`. */
static inline mf_pair *mf_map_next(const mf_node *n, size_t *it) {
    return mf_is_map(n) && *it < n->n ? &n->pairs[(*it)++] : NULL;
}
static inline mf_node *mf_seq_next(const mf_node *n, size_t *it) {
    return mf_is_seq(n) && *it < n->n ? n->items[(*it)++] : NULL;
}

/* How a NATS subject (pattern) looks, for messages (broker_subject_valid() decides). */
#define NATS_SYNTAX "tokens of printable ASCII separated by '.', '*' and '>' only as whole tokens, '>' last, " \
                    "at most 255 bytes"

/* Writes "FILE:LINE:COL: <message>" into c->err; always returns -1. */
int mf_fail(const ctx *c, pos at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int mf_fail_oom(const ctx *c);

/* ---- yaml.c: values out of nodes. `at` is the position to report when the node has none. */

pos mf_node_pos(mf_node *n, pos fallback);
bool mf_is_plain(mf_node *n);
bool mf_is_null(mf_node *n);          /* missing, or a plain empty / ~ / null scalar */
const char *mf_kind_name(mf_node *n); /* "nothing", "a mapping", "a list", "a scalar" */
bool mf_key_is(const char *k, size_t klen, const char *want);
int mf_bool_word(const char *s, size_t len); /* 1 true, 0 false (YAML 1.2 core), -1 neither */
/* A mapping key (a scalar); *k points into the document (not NUL-terminated). */
int mf_get_key(const ctx *c, mf_pair *p, pos fallback, const char **k, size_t *klen, pos *at);
/* One entry of a mapping as the section parsers read it: the key's text (pointing into the document, not
 * NUL-terminated; "" for an empty key) and node, where the key is, the value, and where the value is. */
typedef struct mf_entry {
    const char *key;
    size_t klen;
    pos kat;
    mf_node *knode;
    mf_node *val;
    pos vat;
} mf_entry;
/* The next entry of mapping `map` (start with `size_t it = 0`; `at` is reported for nodes without a
 * position): 1 with *e filled, 0 after the last entry, -1 after reporting a key that is not a scalar
 * ("mapping keys must be plain names", as mf_get_key). */
int mf_map_entry(const ctx *c, const mf_node *map, pos at, size_t *it, mf_entry *e);
/* A non-empty string without control characters (no NUL), copied to a malloc'd *out. `label` is a phrase for messages ("'name'"); get_string builds it from a key. */
int mf_get_text(const ctx *c, mf_node *v, pos at, const char *label, char **out);
int mf_get_string(const ctx *c, mf_node *v, pos at, const char *what, char **out);
/* A plain non-negative decimal integer <= max (and >= min). */
int mf_get_uint(const ctx *c, mf_node *v, pos at, const char *what, uint64_t max, uint64_t *out);
int mf_get_uint_range(const ctx *c, mf_node *v, pos at, const char *what, uint64_t min, uint64_t max,
                      uint32_t *out);
int mf_get_bool(const ctx *c, mf_node *v, pos at, const char *what, bool *out);
/* One of `n` words; its index in *out. `expected` lists them for the message. */
int mf_get_word(const ctx *c, mf_node *v, pos at, const char *what, const char *const *names, size_t n,
                const char *expected, int *out);
/* A plain decimal number (locale-independent). */
int mf_get_double(const ctx *c, mf_node *v, pos at, const char *what, double *out);

/* ---- payload.c */

bool mf_buf_put(buf *b, const void *data, size_t n);
/* The payload of form "json" / "text" / "cbor" / "borsh" (`form`, an index into MF_PAYLOAD_FORMS) as
 * multicodec-prefixed malloc'd bytes, at most MANIFEST_MAX_PAYLOAD. */
#define MF_NFORMS 4
extern const char *const MF_PAYLOAD_FORMS[MF_NFORMS];
int mf_parse_payload(const ctx *c, int form, mf_node *body, pos body_at, uint8_t **payload, size_t *len);

/* ---- component.c, caps.c */

int mf_parse_components(const ctx *c, mf_node *v, pos at, const char *base, manifest *m);
void mf_free_component(manifest_component *comp);
int mf_parse_caps(const ctx *c, mf_node *v, pos at, manifest_caps *caps);
void mf_free_caps(manifest_caps *caps);
void mf_free_strings(char **v, size_t n);
char *mf_resolve_path(const char *manifest_path, const char *path);

/* ---- wasi.c */

int mf_parse_wasi(const ctx *c, mf_node *v, pos at, const char *base, manifest_wasi *w);
void mf_free_wasi(manifest_wasi *w);

/* ---- message.c */

int mf_parse_sends(const ctx *c, mf_node *v, pos at, manifest *m);
int mf_parse_publishes(const ctx *c, mf_node *v, pos at, manifest *m);
void mf_free_messages(manifest_message *v, size_t n);

/* ---- http.c */

int mf_parse_http(const ctx *c, mf_node *v, pos at, const char *base, manifest_http *h);
void mf_free_http(manifest_http *h);
/* ---- log.c: the `log:` section into *out (defaults when v is absent or null) */

int mf_parse_log(const ctx *c, mf_node *v, pos at, manifest_log *out);
/* ---- warnings.c */

/* Appends "FILE:LINE:COL: warning: <message>" to c->out's warnings (or counts it in warnings_dropped past
 * MANIFEST_MAX_WARNINGS). Returns 0, or -1 (after mf_fail_oom) without memory. */
int mf_warn(const ctx *c, pos at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void mf_free_warnings(manifest *m);
/* Records a capability target for mf_check_refs; 0 or -1 (out of memory). `grant` and `name` must outlive
 * the parse. */
int mf_ref_add(const ctx *c, const char *grant, const char *name, pos at);
void mf_refs_free(mf_refs *r);
/* Warns about every recorded target that names no component or supervisor of `m`. 0 or -1 (memory). */
int mf_check_refs(const ctx *c, manifest *m);

/* ---- tree.c */

int mf_parse_tree(const ctx *c, mf_node *v, pos at, manifest *m);
void mf_free_supervisor(manifest_supervisor *s);

#endif
