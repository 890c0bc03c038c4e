/*
 * document.c — YAML text -> a tree of mf_node, with libyaml's event parser (libyaml 0.2.5, the reference C
 * implementation; YAML 1.1 syntax, values read under the YAML 1.2 core schema by yaml.c).
 *
 * Why libyaml and not libfyaml (which this layer used before): on this input libfyaml 0.7.12 is not safe.
 *   - the two bytes `%` 0xFF make its directive scanner spin forever (no error, no progress);
 *   - building a mapping is quadratic in its keys: 5,000 keys took 7.4 s, 20,000 keys 145 s (45 s without
 *     resolving, 101 s with duplicate keys allowed), so a 300 KB file hangs the loader;
 *   - resolving aliases copies the anchored nodes: a 306-byte "billion laughs" file reached 22 GB RSS.
 * A byte guard in front of libfyaml fixes only the first, and not even all hangs of its kind: libFuzzer
 * (2 s per input) found `%#` 0xFC hanging it within a second; behind a guard that passes only valid UTF-8,
 * YAML's printable characters and no directives, it found in 2.8 million inputs a 23-byte text that makes
 * libfyaml write through a wild pointer (`? capabilities:\t:\t\t<\t*a`, in fy_indent_vacuum_internal).
 * libyaml reads UTF-8 strictly (invalid octets, control characters: errors), its parser is linear and
 * non-recursive, and it never expands an alias: this file does, by reference (an alias is a pointer to the
 * anchored node, never a copy), and bounds what a walk over the expanded tree would see instead. The same
 * libFuzzer harness over manifest_parse (ASan + UBSan, 2 s and 1 GB per input, seeded with the examples
 * and this layer's tests) ran 2.6 million inputs in 16 minutes with no hang, crash, leak or sanitizer error.
 *
 * Bounds (manifest.h): MANIFEST_MAX_BYTES of text, MANIFEST_MAX_DEPTH levels of nesting, and, counting every
 * alias as a copy of what it names, MANIFEST_MAX_NODES nodes and MANIFEST_MAX_EXPANDED_BYTES scalar bytes.
 * One document per manifest. Duplicate keys (equal scalar text) are errors, found by sorting, so a mapping
 * of n keys costs O(n log n). Anchors are found by hash. Merge keys (`<<`) are not supported (a key like
 * any other).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "common/hash.h"
#include "manifest/internal.h"

/* Nodes are allocated in chunks; each node owns its text and its child array. */
#define CHUNK_NODES 256

typedef struct chunk {
    struct chunk *next;
    size_t used;
    mf_node nodes[CHUNK_NODES];
} chunk;

struct mf_doc {
    chunk *chunks;
    mf_node *root;
};

/* An open collection while its events arrive. */
typedef struct frame {
    mf_node *node;
    mf_node **items; /* sequence items, or key, value, key, value ... for a mapping */
    size_t n, cap;
    char *anchor;    /* owned; registered when the collection ends */
} frame;

typedef struct anchor_slot {
    char *name; /* owned; NULL = empty slot */
    mf_node *node;
} anchor_slot;

typedef struct builder {
    const ctx *c;
    mf_doc *doc;
    frame *stack;
    size_t depth, stack_cap;
    anchor_slot *anchors;
    size_t nanchors, anchor_cap; /* anchor_cap: a power of two, or 0 */
    int docs;
    const char *text; /* the input, for positions of reader errors */
    size_t len;
} builder;

static pos mark_pos(yaml_mark_t m) { return (pos){(int)m.line + 1, (int)m.column + 1}; }

static uint64_t sat_add(uint64_t a, uint64_t b) { return a > UINT64_MAX - b ? UINT64_MAX : a + b; }

static mf_node *new_node(builder *b) {
    chunk *ch = b->doc->chunks;
    if (ch == NULL || ch->used == CHUNK_NODES) {
        ch = calloc(1, sizeof *ch);
        if (ch == NULL)
            return NULL;
        ch->next = b->doc->chunks;
        b->doc->chunks = ch;
    }
    return &ch->nodes[ch->used++];
}

/* ---- anchors: open addressing, keyed by name */

static anchor_slot *anchor_find(const builder *b, const char *name) {
    if (b->anchor_cap == 0)
        return NULL;
    size_t mask = b->anchor_cap - 1, len = strlen(name);
    for (size_t i = (size_t)hash_bytes(name, len) & mask;; i = (i + 1) & mask) {
        anchor_slot *s = &b->anchors[i];
        if (s->name == NULL || strcmp(s->name, name) == 0)
            return s;
    }
}

/* Records `name` (taken over) for `node`; a later anchor of the same name replaces it (YAML: an alias
 * refers to the most recent anchor). */
static int anchor_put(builder *b, char *name, mf_node *node) {
    if (2 * (b->nanchors + 1) > b->anchor_cap) {
        size_t cap = b->anchor_cap ? b->anchor_cap * 2 : 16;
        anchor_slot *old = b->anchors;
        size_t oldcap = b->anchor_cap;
        b->anchors = calloc(cap, sizeof *b->anchors);
        if (b->anchors == NULL) {
            b->anchors = old;
            free(name);
            return mf_fail_oom(b->c);
        }
        b->anchor_cap = cap;
        for (size_t i = 0; i < oldcap; i++)
            if (old[i].name != NULL)
                *anchor_find(b, old[i].name) = old[i];
        free(old);
    }
    anchor_slot *s = anchor_find(b, name);
    if (s->name != NULL) {
        free(s->name);
    } else {
        b->nanchors++;
    }
    s->name = name;
    s->node = node;
    return 0;
}

/* ---- building */

static int check_bounds(builder *b, const mf_node *n) {
    if (n->weight > MANIFEST_MAX_NODES)
        return mf_fail(b->c, n->at,
                       "the manifest has more than %u nodes (aliases count as copies of what they name)",
                       MANIFEST_MAX_NODES);
    if (n->bytes > MANIFEST_MAX_EXPANDED_BYTES)
        return mf_fail(b->c, n->at,
                       "the manifest has more than %u bytes of scalars (aliases count as copies of what they "
                       "name)", MANIFEST_MAX_EXPANDED_BYTES);
    return 0;
}

/* Adds a finished node (or an alias target) to the open collection, or makes it the root. */
static int attach(builder *b, mf_node *n) {
    if (b->depth == 0) {
        b->doc->root = n;
        return check_bounds(b, n);
    }
    frame *f = &b->stack[b->depth - 1];
    if (f->n == f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 8;
        mf_node **p = realloc(f->items, cap * sizeof *p);
        if (p == NULL)
            return mf_fail_oom(b->c);
        f->items = p;
        f->cap = cap;
    }
    f->items[f->n++] = n;
    /* the open collection's totals, so the bound trips as soon as they pass it, not at its end */
    f->node->weight = sat_add(f->node->weight, n->weight);
    f->node->bytes = sat_add(f->node->bytes, n->bytes);
    return check_bounds(b, f->node);
}

static char *take_anchor(const builder *b, yaml_char_t *anchor, int *rc) {
    *rc = 0;
    if (anchor == NULL)
        return NULL;
    char *s = strdup((const char *)anchor);
    if (s == NULL)
        *rc = mf_fail_oom(b->c);
    return s;
}

static int open_collection(builder *b, mf_kind kind, yaml_char_t *anchor, yaml_mark_t at) {
    pos p = mark_pos(at);
    if (b->depth >= MANIFEST_MAX_DEPTH)
        return mf_fail(b->c, p, "the manifest is nested more than %d levels deep", MANIFEST_MAX_DEPTH);
    if (b->depth == b->stack_cap) {
        size_t cap = b->stack_cap ? b->stack_cap * 2 : 16;
        frame *s = realloc(b->stack, cap * sizeof *s);
        if (s == NULL)
            return mf_fail_oom(b->c);
        b->stack = s;
        b->stack_cap = cap;
    }
    mf_node *n = new_node(b);
    if (n == NULL)
        return mf_fail_oom(b->c);
    n->kind = kind;
    n->at = p;
    n->weight = 1;
    int rc;
    char *name = take_anchor(b, anchor, &rc);
    if (rc != 0)
        return -1;
    b->stack[b->depth++] = (frame){.node = n, .anchor = name};
    return 0;
}

static int cmp_keys(const void *pa, const void *pb) {
    const mf_pair *a = *(const mf_pair *const *)pa, *b = *(const mf_pair *const *)pb;
    if (a->key->len != b->key->len)
        return a->key->len < b->key->len ? -1 : 1;
    int d = memcmp(a->key->s, b->key->s, a->key->len);
    if (d != 0)
        return d;
    return a < b ? -1 : a > b; /* pairs are in file order in their array */
}

/* Duplicate scalar keys: the pair whose key repeats an earlier one, the first such in file order. */
static int check_duplicates(builder *b, mf_node *map) {
    size_t n = map->n;
    if (n < 2)
        return 0;
    const mf_pair **v = malloc(n * sizeof *v);
    if (v == NULL)
        return mf_fail_oom(b->c);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (map->pairs[i].key->kind == MF_SCALAR)
            v[k++] = &map->pairs[i];
    qsort(v, k, sizeof *v, cmp_keys);
    const mf_pair *dup = NULL, *first = NULL;
    for (size_t i = 1; i < k; i++) {
        bool same = v[i]->key->len == v[i - 1]->key->len &&
                    memcmp(v[i]->key->s, v[i - 1]->key->s, v[i]->key->len) == 0;
        if (same && (i < 2 || !(v[i - 1]->key->len == v[i - 2]->key->len &&
                                memcmp(v[i - 1]->key->s, v[i - 2]->key->s, v[i - 1]->key->len) == 0))) {
            /* v[i] is the second occurrence of its key; v[i - 1] the first */
            if (dup == NULL || v[i] < dup)
                dup = v[i], first = v[i - 1];
        }
    }
    int rc = 0;
    if (dup != NULL) {
        char shown[MF_SHOW_MAX];
        rc = mf_fail(b->c, dup->key->at, "YAML syntax error: duplicate key '%s' (first on line %d)",
                     mf_show(dup->key->s, dup->key->len, shown), first->key->at.line);
    }
    free(v);
    return rc;
}

static int close_collection(builder *b) {
    frame f = b->stack[--b->depth];
    mf_node *n = f.node;
    int rc = 0;
    if (n->kind == MF_SEQ) {
        n->items = f.items;
        n->n = f.n;
        f.items = NULL;
    } else {
        /* f.n is even: libyaml sends a value (perhaps an empty scalar) for every key */
        n->n = f.n / 2;
        n->pairs = n->n ? malloc(n->n * sizeof *n->pairs) : NULL;
        if (n->n && n->pairs == NULL) {
            n->n = 0;
            rc = mf_fail_oom(b->c);
        }
        for (size_t i = 0; rc == 0 && i < n->n; i++)
            n->pairs[i] = (mf_pair){f.items[2 * i], f.items[2 * i + 1]};
        free(f.items);
        f.items = NULL;
        if (rc == 0)
            rc = check_duplicates(b, n);
    }
    if (rc == 0 && f.anchor != NULL) {
        rc = anchor_put(b, f.anchor, n);
        f.anchor = NULL;
    }
    free(f.anchor);
    return rc == 0 ? attach(b, n) : -1;
}

static int on_scalar(builder *b, const yaml_event_t *e) {
    mf_node *n = new_node(b);
    if (n == NULL)
        return mf_fail_oom(b->c);
    n->kind = MF_SCALAR;
    n->at = mark_pos(e->start_mark);
    n->plain = e->data.scalar.style == YAML_PLAIN_SCALAR_STYLE || e->data.scalar.style == YAML_ANY_SCALAR_STYLE;
    n->str_tag = e->data.scalar.tag != NULL && strcmp((const char *)e->data.scalar.tag, YAML_STR_TAG) == 0;
    n->len = e->data.scalar.length;
    char *s = malloc(n->len + 1);
    if (s == NULL)
        return mf_fail_oom(b->c);
    memcpy(s, e->data.scalar.value, n->len);
    s[n->len] = '\0';
    n->s = s;
    n->weight = 1;
    n->bytes = n->len;
    int rc;
    char *name = take_anchor(b, e->data.scalar.anchor, &rc);
    if (rc != 0 || (name != NULL && anchor_put(b, name, n) != 0))
        return -1;
    return attach(b, n);
}

static int on_alias(builder *b, const yaml_event_t *e) {
    const char *name = (const char *)e->data.alias.anchor;
    anchor_slot *s = anchor_find(b, name);
    if (s == NULL || s->name == NULL) {
        char shown[MF_SHOW_MAX];
        return mf_fail(b->c, mark_pos(e->start_mark), "YAML syntax error: unknown alias '*%s'",
                       mf_show(name, strlen(name), shown));
    }
    /* An anchor is registered when its node is complete, so `&a [*a]` is an unknown alias, not a cycle. */
    return attach(b, s->node);
}

static int syntax_error(builder *b, const yaml_parser_t *p) {
    const char *problem = p->problem ? p->problem : "unknown error";
    if (p->error == YAML_MEMORY_ERROR)
        return mf_fail_oom(b->c);
    if (p->error == YAML_READER_ERROR) {
        /* the reader reports a byte offset only: find its line and column */
        pos at = {1, 1};
        for (size_t i = 0; i < p->problem_offset && i < b->len; i++) {
            if (b->text[i] == '\n')
                at.line++, at.col = 1;
            else if (((unsigned char)b->text[i] & 0xc0) != 0x80)
                at.col++;
        }
        if (p->problem_value >= 0)
            return mf_fail(b->c, at, "YAML syntax error: %s (byte 0x%02x)", problem, (unsigned)p->problem_value);
        return mf_fail(b->c, at, "YAML syntax error: %s", problem);
    }
    if (p->context != NULL)
        return mf_fail(b->c, mark_pos(p->problem_mark), "YAML syntax error: %s %s (line %zu)", problem,
                       p->context, p->context_mark.line + 1);
    return mf_fail(b->c, mark_pos(p->problem_mark), "YAML syntax error: %s", problem);
}

static int on_event(builder *b, const yaml_event_t *e) {
    switch (e->type) {
    case YAML_DOCUMENT_START_EVENT:
        if (++b->docs > 1)
            return mf_fail(b->c, mark_pos(e->start_mark),
                           "a manifest is one YAML document (found a second '---' document)");
        return 0;
    case YAML_SCALAR_EVENT:
        return on_scalar(b, e);
    case YAML_ALIAS_EVENT:
        return on_alias(b, e);
    case YAML_SEQUENCE_START_EVENT:
        return open_collection(b, MF_SEQ, e->data.sequence_start.anchor, e->start_mark);
    case YAML_MAPPING_START_EVENT:
        return open_collection(b, MF_MAP, e->data.mapping_start.anchor, e->start_mark);
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT:
        return close_collection(b);
    default:
        return 0;
    }
}

int mf_doc_parse(const ctx *c, const char *text, size_t len, mf_doc **out) {
    *out = NULL;
    if (len > MANIFEST_MAX_BYTES)
        return mf_fail(c, (pos){1, 1}, "the manifest is larger than %u bytes", MANIFEST_MAX_BYTES);
    mf_doc *doc = calloc(1, sizeof *doc);
    if (doc == NULL)
        return mf_fail_oom(c);
    builder b = {.c = c, .doc = doc, .text = text, .len = len};
    yaml_parser_t p;
    if (!yaml_parser_initialize(&p)) {
        free(doc);
        return mf_fail_oom(c);
    }
    yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
    int rc = 0;
    for (bool done = false; rc == 0 && !done;) {
        yaml_event_t e;
        if (!yaml_parser_parse(&p, &e)) {
            rc = syntax_error(&b, &p);
            break;
        }
        done = e.type == YAML_STREAM_END_EVENT;
        rc = on_event(&b, &e);
        yaml_event_delete(&e);
    }
    yaml_parser_delete(&p);
    for (size_t i = 0; i < b.depth; i++) {
        free(b.stack[i].items);
        free(b.stack[i].anchor);
    }
    free(b.stack);
    for (size_t i = 0; i < b.anchor_cap; i++)
        free(b.anchors[i].name);
    free(b.anchors);
    if (rc != 0) {
        mf_doc_free(doc);
        return -1;
    }
    *out = doc;
    return 0;
}

mf_node *mf_doc_root(const mf_doc *doc) { return doc->root; }

void mf_doc_free(mf_doc *doc) {
    if (doc == NULL)
        return;
    for (chunk *ch = doc->chunks, *next; ch != NULL; ch = next) {
        next = ch->next;
        for (size_t i = 0; i < ch->used; i++) {
            mf_node *n = &ch->nodes[i];
            free((char *)n->s);
            free(n->items);
            free(n->pairs);
        }
        free(ch);
    }
    free(doc);
}
