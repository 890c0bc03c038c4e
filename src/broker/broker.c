/*
 * broker.c — subject trie behind one writer-preferring rwlock.
 *
 * Layout: a trie whose edges are tokens. Each node has
 *   - a hash table of literal children (open addressing, linear probing, backward-shift deletion,
 *     doubling at 3/4 load), keyed by the token's 64-bit hash and compared by bytes;
 *   - at most one '*' child;
 *   - `subs`: subscribers whose pattern ends at this node;
 *   - `full`: subscribers whose pattern is this node's path followed by '>'. ('>' is always the last
 *     token, so it needs no node of its own.)
 * Subscriber lists are sorted, duplicate-free uint64_t arrays: -EEXIST is a binary search, a single
 * matching list is a memcpy, and several matching lists are deduplicated by merging (no hashing, no
 * per-subscriber state, so matches need no writes and run in parallel under the read lock).
 *
 * A second table maps each subscriber to the lists it is in (node + which list), so
 * broker_unsubscribe_all costs O(that subscriber's patterns), not O(trie). Nodes that become empty
 * (no children, no subscribers) are pruned up to the root, which is why every node knows its parent.
 *
 * All mutation happens under the write lock and is prepared (every allocation made) before anything
 * is committed, so -ENOMEM leaves the broker as it was.
 */
#define _GNU_SOURCE /* pthread_rwlockattr_setkind_np (glibc); harmless elsewhere */
#include "common/hash.h"
#include "broker/broker.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TOKENS ((BROKER_SUBJECT_MAX + 1) / 2) /* "a.a.a...": 128 */
#define MERGE_LINEAR_MAX 16                      /* above this many lists: concatenate + sort */
#define LOCAL_SPANS 32

/* ------------------------------------------------------------------ types */

enum { TK_LIT = 0, TK_STAR = 1, TK_GT = 2 };

typedef struct tokref {
    uint64_t hash;   /* literals only */
    uint16_t off, len;
    uint8_t kind;    /* TK_* */
} tokref;

typedef struct sublist {
    uint64_t *ids;   /* sorted ascending, no duplicates, no zero */
    uint32_t n, cap;
} sublist;

struct node;
typedef struct cslot {
    uint64_t hash;
    struct node *child; /* NULL: empty slot */
} cslot;

typedef struct node {
    struct node *parent; /* NULL for the root */
    cslot *slots;        /* literal children; scap is 0 or a power of two */
    uint32_t scap, nchild;
    struct node *star;
    sublist subs, full;
    uint64_t hash;       /* of the token on the edge from the parent (literal nodes) */
    uint16_t len;
    uint8_t kind;        /* TK_LIT or TK_STAR (root: TK_LIT with len 0) */
    char tok[];          /* the literal token (not NUL-terminated) */
} node;

typedef struct subref {
    node *n;
    bool full;           /* in n->full (pattern ends with '>') rather than n->subs */
} subref;

typedef struct owner {
    uint64_t id;         /* 0: empty slot */
    subref *refs;
    uint32_t n, cap;
} owner;

struct broker {
    pthread_rwlock_t lock;
    node *root;
    owner *owners;       /* subscriber -> its subscriptions; ocap is 0 or a power of two */
    size_t ocap, ocount;
    atomic_size_t count; /* subscriptions */
};

/* ------------------------------------------------------------------ tokenizing */

/* Validates `s` and splits it into tokens. Returns 0 or -EINVAL. */
static int tokenize(const char *s, bool wild, tokref *t, size_t *ntok) {
    if (!s) return -EINVAL;
    size_t n = 0, i = 0;
    for (;;) {
        size_t start = i;
        bool special = false; /* token contains '*' or '>' */
        for (; s[i] != '\0' && s[i] != '.'; i++) {
            if (i >= BROKER_SUBJECT_MAX) return -EINVAL;
            unsigned char c = (unsigned char)s[i];
            if (c < 0x21 || c > 0x7e) return -EINVAL;
            if (c == '*' || c == '>') special = true;
        }
        size_t len = i - start;
        if (len == 0) return -EINVAL; /* "", leading/trailing '.', ".." */
        uint8_t kind = TK_LIT;
        if (special) {
            if (!wild || len != 1) return -EINVAL;
            kind = s[start] == '*' ? TK_STAR : TK_GT;
        }
        /* a '>' token must be the last one */
        if (n > 0 && t[n - 1].kind == TK_GT) return -EINVAL;
        t[n].off = (uint16_t)start;
        t[n].len = (uint16_t)len;
        t[n].kind = kind;
        t[n].hash = kind == TK_LIT ? hash_bytes(s + start, len) : 0;
        n++;
        if (s[i] == '\0') break;
        i++; /* past '.' */
        if (i >= BROKER_SUBJECT_MAX) return -EINVAL; /* trailing '.' at the limit, or too long */
    }
    *ntok = n;
    return 0;
}

bool broker_subject_valid(const char *subject, bool allow_wildcards) {
    tokref t[MAX_TOKENS];
    size_t n;
    return tokenize(subject, allow_wildcards, t, &n) == 0;
}

/* ------------------------------------------------------------------ sorted subscriber lists */

/* Index of `id` in l, or of where it would go; *found says which. */
static size_t list_search(const sublist *l, uint64_t id, bool *found) {
    size_t lo = 0, hi = l->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (l->ids[mid] < id) lo = mid + 1;
        else hi = mid;
    }
    *found = lo < l->n && l->ids[lo] == id;
    return lo;
}

static int list_reserve(sublist *l) {
    if (l->n < l->cap) return 0;
    if (l->cap >= UINT32_MAX / 2) return -ENOMEM;
    uint32_t nc = l->cap ? l->cap * 2 : 4;
    uint64_t *p = realloc(l->ids, (size_t)nc * sizeof *p);
    if (!p) return -ENOMEM;
    l->ids = p;
    l->cap = nc;
    return 0;
}

static void list_insert_at(sublist *l, size_t at, uint64_t id) {
    memmove(&l->ids[at + 1], &l->ids[at], (l->n - at) * sizeof *l->ids);
    l->ids[at] = id;
    l->n++;
}

static void list_remove_at(sublist *l, size_t at) {
    memmove(&l->ids[at], &l->ids[at + 1], (l->n - at - 1) * sizeof *l->ids);
    if (--l->n == 0) {
        free(l->ids);
        l->ids = NULL;
        l->cap = 0;
    } else if (l->cap > 16 && l->n < l->cap / 4) {
        uint64_t *p = realloc(l->ids, (size_t)(l->cap / 2) * sizeof *p);
        if (p) {
            l->ids = p;
            l->cap /= 2;
        }
    }
}

/* ------------------------------------------------------------------ trie nodes (write lock held) */

static node *child_find(const node *n, const char *tok, size_t len, uint64_t h) {
    if (n->nchild == 0) return NULL;
    size_t mask = n->scap - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        const node *c = n->slots[i].child;
        if (!c) return NULL;
        if (n->slots[i].hash == h && c->len == len && memcmp(c->tok, tok, len) == 0) return (node *)c;
    }
}

static void child_place(cslot *slots, uint32_t cap, node *c) {
    size_t mask = cap - 1;
    size_t i = c->hash & mask;
    while (slots[i].child) i = (i + 1) & mask;
    slots[i].hash = c->hash;
    slots[i].child = c;
}

/* Makes room for one more literal child. */
static int child_reserve(node *n) {
    if ((size_t)(n->nchild + 1) * 4 <= (size_t)n->scap * 3) return 0;
    uint32_t nc = n->scap ? n->scap * 2 : 4;
    cslot *s = calloc(nc, sizeof *s);
    if (!s) return -ENOMEM;
    for (uint32_t i = 0; i < n->scap; i++)
        if (n->slots[i].child) child_place(s, nc, n->slots[i].child);
    free(n->slots);
    n->slots = s;
    n->scap = nc;
    return 0;
}

static void child_delete(node *n, node *c) {
    size_t mask = n->scap - 1;
    size_t i = c->hash & mask;
    while (n->slots[i].child != c) i = (i + 1) & mask;
    /* backward-shift deletion */
    for (size_t j = (i + 1) & mask; n->slots[j].child; j = (j + 1) & mask) {
        size_t home = n->slots[j].hash & mask;
        /* move j into the hole at i unless its home lies cyclically in (i, j] */
        bool stays = (i <= j) ? (home > i && home <= j) : (home > i || home <= j);
        if (!stays) {
            n->slots[i] = n->slots[j];
            i = j;
        }
    }
    n->slots[i].child = NULL;
    n->slots[i].hash = 0;
    if (--n->nchild == 0) {
        free(n->slots);
        n->slots = NULL;
        n->scap = 0;
    }
}

static node *node_new(node *parent, uint8_t kind, const char *tok, size_t len, uint64_t h) {
    node *n = calloc(1, sizeof *n + len);
    if (!n) return NULL;
    n->parent = parent;
    n->kind = kind;
    n->len = (uint16_t)len;
    n->hash = h;
    if (len) memcpy(n->tok, tok, len);
    return n;
}

static bool node_empty(const node *n) {
    return n->nchild == 0 && !n->star && n->subs.n == 0 && n->full.n == 0;
}

/* Frees `n` and its now-empty ancestors (never the root). */
static void prune(node *n) {
    while (n->parent && node_empty(n)) {
        node *p = n->parent;
        if (n->kind == TK_STAR) p->star = NULL;
        else child_delete(p, n);
        free(n);
        n = p;
    }
}

static void node_free_all(node *n) {
    if (!n) return;
    for (uint32_t i = 0; i < n->scap; i++) node_free_all(n->slots[i].child);
    node_free_all(n->star);
    free(n->slots);
    free(n->subs.ids);
    free(n->full.ids);
    free(n);
}

/* The list a pattern's subscribers go in, walking (create: building) the path. NULL when absent (or,
 * when creating, -ENOMEM: then *leaf is the deepest node reached, for pruning). */
static sublist *pattern_list(node *root, const char *s, const tokref *t, size_t nt, bool create,
                             node **leaf) {
    node *n = root;
    *leaf = n;
    for (size_t i = 0; i < nt; i++) {
        if (t[i].kind == TK_GT) return &n->full; /* always the last token */
        node *next;
        if (t[i].kind == TK_STAR) {
            next = n->star;
            if (!next && create) {
                if (!(next = node_new(n, TK_STAR, NULL, 0, 0))) return NULL;
                n->star = next;
            }
        } else {
            next = child_find(n, s + t[i].off, t[i].len, t[i].hash);
            if (!next && create) {
                if (child_reserve(n) != 0) return NULL;
                if (!(next = node_new(n, TK_LIT, s + t[i].off, t[i].len, t[i].hash))) return NULL;
                child_place(n->slots, n->scap, next);
                n->nchild++;
            }
        }
        if (!next) return NULL;
        n = next;
        *leaf = n;
    }
    return &n->subs;
}

/* ------------------------------------------------------------------ subscriber table (write lock held) */

static owner *owner_find(broker *b, uint64_t id) {
    if (!b->ocap) return NULL;
    size_t mask = b->ocap - 1;
    for (size_t i = hash_mix64(id) & mask;; i = (i + 1) & mask) {
        if (b->owners[i].id == id) return &b->owners[i];
        if (b->owners[i].id == 0) return NULL;
    }
}

static owner *owner_place(owner *tab, size_t cap, owner v) {
    size_t mask = cap - 1;
    size_t i = hash_mix64(v.id) & mask;
    while (tab[i].id) i = (i + 1) & mask;
    tab[i] = v;
    return &tab[i];
}

/* Finds or inserts (empty) the entry of `id`. NULL on ENOMEM. */
static owner *owner_get(broker *b, uint64_t id) {
    owner *o = owner_find(b, id);
    if (o) return o;
    if ((b->ocount + 1) * 4 > b->ocap * 3) {
        size_t nc = b->ocap ? b->ocap * 2 : 16;
        owner *tab = calloc(nc, sizeof *tab);
        if (!tab) return NULL;
        for (size_t i = 0; i < b->ocap; i++)
            if (b->owners[i].id) owner_place(tab, nc, b->owners[i]);
        free(b->owners);
        b->owners = tab;
        b->ocap = nc;
    }
    b->ocount++;
    return owner_place(b->owners, b->ocap, (owner){.id = id});
}

static void owner_delete(broker *b, owner *o) {
    free(o->refs);
    size_t mask = b->ocap - 1;
    size_t i = (size_t)(o - b->owners);
    for (size_t j = (i + 1) & mask; b->owners[j].id; j = (j + 1) & mask) {
        size_t home = hash_mix64(b->owners[j].id) & mask;
        bool stays = (i <= j) ? (home > i && home <= j) : (home > i || home <= j);
        if (!stays) {
            b->owners[i] = b->owners[j];
            i = j;
        }
    }
    b->owners[i] = (owner){0};
    b->ocount--;
}

static int owner_reserve(owner *o) {
    if (o->n < o->cap) return 0;
    if (o->cap >= UINT32_MAX / 2) return -ENOMEM;
    uint32_t nc = o->cap ? o->cap * 2 : 4;
    subref *p = realloc(o->refs, (size_t)nc * sizeof *p);
    if (!p) return -ENOMEM;
    o->refs = p;
    o->cap = nc;
    return 0;
}

/* ------------------------------------------------------------------ lifecycle */

broker *broker_new(void) {
    broker *b = calloc(1, sizeof *b);
    if (!b) return NULL;
    if (!(b->root = node_new(NULL, TK_LIT, NULL, 0, 0))) {
        free(b);
        return NULL;
    }
    pthread_rwlockattr_t attr;
    int rc = pthread_rwlockattr_init(&attr);
    if (rc == 0) {
#if defined(__GLIBC__)
        /* Publishes are frequent and concurrent; without this a steady stream of them starves
         * subscribe/unsubscribe. */
        pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
#endif
        rc = pthread_rwlock_init(&b->lock, &attr);
        pthread_rwlockattr_destroy(&attr);
    }
    if (rc != 0) {
        free(b->root);
        free(b);
        return NULL;
    }
    atomic_init(&b->count, 0);
    return b;
}

void broker_free(broker *b) {
    if (!b) return;
    node_free_all(b->root);
    for (size_t i = 0; i < b->ocap; i++) free(b->owners[i].refs);
    free(b->owners);
    pthread_rwlock_destroy(&b->lock);
    free(b);
}

/* ------------------------------------------------------------------ subscribe / unsubscribe */

int broker_subscribe(broker *b, const char *pattern, uint64_t subscriber) {
    tokref t[MAX_TOKENS];
    size_t nt;
    if (subscriber == 0 || tokenize(pattern, true, t, &nt) != 0) return -EINVAL;

    pthread_rwlock_wrlock(&b->lock);
    int rc = 0;
    node *leaf;
    sublist *l = pattern_list(b->root, pattern, t, nt, true, &leaf);
    if (!l) {
        rc = -ENOMEM;
        goto fail;
    }
    bool found;
    size_t at = list_search(l, subscriber, &found);
    if (found) {
        rc = -EEXIST;
        goto fail;
    }
    if (list_reserve(l) != 0) {
        rc = -ENOMEM;
        goto fail;
    }
    owner *o = owner_get(b, subscriber);
    if (!o) {
        rc = -ENOMEM;
        goto fail;
    }
    if (owner_reserve(o) != 0) {
        if (o->n == 0) owner_delete(b, o);
        rc = -ENOMEM;
        goto fail;
    }
    /* commit */
    list_insert_at(l, at, subscriber);
    o->refs[o->n++] = (subref){.n = leaf, .full = l == &leaf->full};
    atomic_fetch_add_explicit(&b->count, 1, memory_order_relaxed);
    pthread_rwlock_unlock(&b->lock);
    return 0;

fail:
    prune(leaf); /* drops nodes this call created (and only those: older ones are not empty) */
    pthread_rwlock_unlock(&b->lock);
    return rc;
}

int broker_unsubscribe(broker *b, const char *pattern, uint64_t subscriber) {
    tokref t[MAX_TOKENS];
    size_t nt;
    if (subscriber == 0 || tokenize(pattern, true, t, &nt) != 0) return -EINVAL;

    pthread_rwlock_wrlock(&b->lock);
    int rc = -ENOENT;
    node *leaf;
    sublist *l = pattern_list(b->root, pattern, t, nt, false, &leaf);
    bool found = false;
    size_t at = l ? list_search(l, subscriber, &found) : 0;
    if (found) {
        bool full = l == &leaf->full;
        list_remove_at(l, at);
        owner *o = owner_find(b, subscriber);
        for (uint32_t i = 0; o && i < o->n; i++) {
            if (o->refs[i].n == leaf && o->refs[i].full == full) {
                o->refs[i] = o->refs[--o->n];
                break;
            }
        }
        if (o && o->n == 0) owner_delete(b, o);
        prune(leaf);
        atomic_fetch_sub_explicit(&b->count, 1, memory_order_relaxed);
        rc = 0;
    }
    pthread_rwlock_unlock(&b->lock);
    return rc;
}

size_t broker_unsubscribe_all(broker *b, uint64_t subscriber) {
    if (subscriber == 0) return 0;
    pthread_rwlock_wrlock(&b->lock);
    size_t removed = 0;
    owner *o = owner_find(b, subscriber);
    if (o) {
        /* Pruning one node cannot free a node referenced further on: that one still lists us. */
        for (uint32_t i = 0; i < o->n; i++) {
            node *n = o->refs[i].n;
            sublist *l = o->refs[i].full ? &n->full : &n->subs;
            bool found;
            size_t at = list_search(l, subscriber, &found);
            if (found) {
                list_remove_at(l, at);
                removed++;
            }
            prune(n);
        }
        owner_delete(b, o);
        atomic_fetch_sub_explicit(&b->count, removed, memory_order_relaxed);
    }
    pthread_rwlock_unlock(&b->lock);
    return removed;
}

size_t broker_subscription_count(broker *b) {
    return atomic_load_explicit(&b->count, memory_order_relaxed);
}

/* ------------------------------------------------------------------ matching (read lock held) */

typedef struct span {
    const uint64_t *ids;
    size_t n;
} span;

typedef struct mctx {
    const char *s;
    const tokref *t;
    size_t nt;
    span *spans;
    size_t nspans, cap;
    span local[LOCAL_SPANS];
} mctx;

static int add_span(mctx *m, const sublist *l) {
    if (l->n == 0) return 0;
    if (m->nspans == m->cap) {
        size_t nc = m->cap * 2;
        span *p;
        if (m->spans == m->local) {
            p = malloc(nc * sizeof *p);
            if (p) memcpy(p, m->local, m->nspans * sizeof *p);
        } else {
            p = realloc(m->spans, nc * sizeof *p);
        }
        if (!p) return -ENOMEM;
        m->spans = p;
        m->cap = nc;
    }
    m->spans[m->nspans++] = (span){l->ids, l->n};
    return 0;
}

static int walk(mctx *m, const node *n, size_t i) {
    if (i == m->nt) return add_span(m, &n->subs);
    int rc = add_span(m, &n->full); /* '>' takes tokens i.. (at least one remains) */
    if (rc) return rc;
    const node *c = child_find(n, m->s + m->t[i].off, m->t[i].len, m->t[i].hash);
    if (c && (rc = walk(m, c, i + 1))) return rc;
    if (n->star) return walk(m, n->star, i + 1);
    return 0;
}

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Merges the sorted spans into out[0..cap) without duplicates; returns the distinct total or -ENOMEM. */
static ssize_t merge_spans(const span *sp, size_t k, uint64_t *out, size_t cap) {
    if (k == 0) return 0;
    if (k == 1) {
        if (cap) memcpy(out, sp[0].ids, (sp[0].n < cap ? sp[0].n : cap) * sizeof *out);
        return (ssize_t)sp[0].n;
    }
    size_t total = 0;
    if (k <= MERGE_LINEAR_MAX) {
        size_t pos[MERGE_LINEAR_MAX] = {0};
        for (;;) {
            bool any = false;
            uint64_t min = 0;
            for (size_t j = 0; j < k; j++) {
                if (pos[j] < sp[j].n && (!any || sp[j].ids[pos[j]] < min)) {
                    min = sp[j].ids[pos[j]];
                    any = true;
                }
            }
            if (!any) break;
            for (size_t j = 0; j < k; j++)
                if (pos[j] < sp[j].n && sp[j].ids[pos[j]] == min) pos[j]++;
            if (total < cap) out[total] = min;
            total++;
        }
        return (ssize_t)total;
    }
    size_t sum = 0;
    for (size_t j = 0; j < k; j++) sum += sp[j].n;
    uint64_t *tmp = malloc(sum * sizeof *tmp);
    if (!tmp) return -ENOMEM;
    size_t o = 0;
    for (size_t j = 0; j < k; j++) {
        memcpy(tmp + o, sp[j].ids, sp[j].n * sizeof *tmp);
        o += sp[j].n;
    }
    qsort(tmp, sum, sizeof *tmp, cmp_u64);
    for (size_t i = 0; i < sum; i++) {
        if (i > 0 && tmp[i] == tmp[i - 1]) continue;
        if (total < cap) out[total] = tmp[i];
        total++;
    }
    free(tmp);
    return (ssize_t)total;
}

ssize_t broker_match(broker *b, const char *subject, uint64_t *out, size_t cap) {
    tokref t[MAX_TOKENS];
    mctx m;
    if (tokenize(subject, false, t, &m.nt) != 0) return -EINVAL;
    if (!out) cap = 0;
    m.s = subject;
    m.t = t;
    m.spans = m.local;
    m.nspans = 0;
    m.cap = LOCAL_SPANS;

    pthread_rwlock_rdlock(&b->lock);
    ssize_t rc = walk(&m, b->root, 0);
    if (rc == 0) rc = merge_spans(m.spans, m.nspans, out, cap);
    pthread_rwlock_unlock(&b->lock);
    if (m.spans != m.local) free(m.spans);
    return rc;
}

ssize_t broker_match_all(broker *b, const char *subject, uint64_t *local, size_t cap, uint64_t **out) {
    uint64_t *buf = local;
    ssize_t n;
    while ((n = broker_match(b, subject, buf, cap)) >= 0 && (size_t)n > cap) {
        cap = (size_t)n * 2; /* room for a few more subscribing meanwhile */
        uint64_t *grown = realloc(buf == local ? NULL : buf, cap * sizeof *buf);
        if (!grown) {
            n = -ENOMEM;
            break;
        }
        buf = grown;
    }
    if (n < 0 && buf != local) {
        free(buf);
        buf = local;
    }
    *out = buf;
    return n;
}
