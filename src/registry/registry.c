/*
 * registry.c — sharded open-addressing hash tables behind rwlocks.
 *
 * Layout: REG_SHARDS id shards and REG_SHARDS name shards; a key's shard is chosen by the top bits of its
 * 64-bit hash, its home slot inside the shard by the low bits. Each shard is a linear-probing table with
 * backward-shift deletion (no tombstones) that doubles at 3/4 load.
 *
 * Name records (name_node) are heap nodes shared by both sides: the name table's slot points at the node,
 * and the id slot keeps a singly-linked list (in registration order) of its nodes.
 *
 * Lock order: an id shard before a name shard, never two shards of the same kind at once. Lookups take a
 * single read lock.
 */
#include "common/hash.h"
#include "registry/registry.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define REG_SHARD_BITS 6
#define REG_SHARDS (1u << REG_SHARD_BITS)
#define REG_INIT_CAP 16u

typedef struct name_node {
    struct name_node *next; /* next name of the same id (registration order); under the id shard's lock */
    uint64_t id;
    uint64_t hash;
    size_t len;
    char name[];
} name_node;

typedef struct id_slot {
    uint64_t id;       /* 0: empty */
    void *obj;
    name_node *names;
} id_slot;

typedef struct name_slot {
    uint64_t hash;
    name_node *node;   /* NULL: empty */
} name_slot;

typedef struct id_shard {
    pthread_rwlock_t lock;
    id_slot *slots;
    size_t cap, count;
    char pad[64];
} id_shard;

typedef struct name_shard {
    pthread_rwlock_t lock;
    name_slot *slots;
    size_t cap, count;
    char pad[64];
} name_shard;

struct registry {
    void (*retain)(void *obj);
    atomic_size_t ids, names;
    id_shard idsh[REG_SHARDS];
    name_shard namesh[REG_SHARDS];
};

static inline unsigned shard_of(uint64_t h) { return (unsigned)(h >> (64 - REG_SHARD_BITS)); }

static int check_name(const char *name, size_t *len) {
    if (!name) return -EINVAL;
    size_t n = strnlen(name, REGISTRY_NAME_MAX + 1);
    if (n == 0 || n > REGISTRY_NAME_MAX) return -EINVAL;
    *len = n;
    return 0;
}

/* ------------------------------------------------------------------ id tables (shard lock held) */

static id_slot *id_find(id_shard *s, uint64_t id, uint64_t h) {
    if (!s->cap) return NULL;
    size_t mask = s->cap - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        id_slot *sl = &s->slots[i];
        if (sl->id == id) return sl;
        if (sl->id == 0) return NULL;
    }
}

static void id_place(id_slot *slots, size_t cap, id_slot v) {
    size_t mask = cap - 1;
    size_t i = hash_mix64(v.id) & mask;
    while (slots[i].id) i = (i + 1) & mask;
    slots[i] = v;
}

static int id_reserve(id_shard *s) {
    if ((s->count + 1) * 4 <= s->cap * 3) return 0;
    size_t ncap = s->cap ? s->cap * 2 : REG_INIT_CAP;
    id_slot *n = calloc(ncap, sizeof *n);
    if (!n) return -ENOMEM;
    for (size_t i = 0; i < s->cap; i++)
        if (s->slots[i].id) id_place(n, ncap, s->slots[i]);
    free(s->slots);
    s->slots = n;
    s->cap = ncap;
    return 0;
}

static void id_delete(id_shard *s, id_slot *sl) {
    size_t mask = s->cap - 1;
    size_t i = (size_t)(sl - s->slots), j = i;
    for (;;) {
        j = (j + 1) & mask;
        if (!s->slots[j].id) break;
        size_t k = hash_mix64(s->slots[j].id) & mask;
        /* move j back to i unless its home k lies cyclically in (i, j] */
        bool stay = (i <= j) ? (i < k && k <= j) : (i < k || k <= j);
        if (!stay) {
            s->slots[i] = s->slots[j];
            i = j;
        }
    }
    s->slots[i].id = 0;
    s->slots[i].obj = NULL;
    s->slots[i].names = NULL;
    s->count--;
}

/* ------------------------------------------------------------------ name tables (shard lock held) */

static name_slot *name_find(name_shard *s, const char *name, size_t len, uint64_t h) {
    if (!s->cap) return NULL;
    size_t mask = s->cap - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        name_slot *sl = &s->slots[i];
        if (!sl->node) return NULL;
        if (sl->hash == h && sl->node->len == len && memcmp(sl->node->name, name, len) == 0) return sl;
    }
}

static void name_place(name_slot *slots, size_t cap, name_slot v) {
    size_t mask = cap - 1;
    size_t i = v.hash & mask;
    while (slots[i].node) i = (i + 1) & mask;
    slots[i] = v;
}

static int name_reserve(name_shard *s) {
    if ((s->count + 1) * 4 <= s->cap * 3) return 0;
    size_t ncap = s->cap ? s->cap * 2 : REG_INIT_CAP;
    name_slot *n = calloc(ncap, sizeof *n);
    if (!n) return -ENOMEM;
    for (size_t i = 0; i < s->cap; i++)
        if (s->slots[i].node) name_place(n, ncap, s->slots[i]);
    free(s->slots);
    s->slots = n;
    s->cap = ncap;
    return 0;
}

static void name_delete(name_shard *s, name_slot *sl) {
    size_t mask = s->cap - 1;
    size_t i = (size_t)(sl - s->slots), j = i;
    for (;;) {
        j = (j + 1) & mask;
        if (!s->slots[j].node) break;
        size_t k = s->slots[j].hash & mask;
        bool stay = (i <= j) ? (i < k && k <= j) : (i < k || k <= j);
        if (!stay) {
            s->slots[i] = s->slots[j];
            i = j;
        }
    }
    s->slots[i].node = NULL;
    s->slots[i].hash = 0;
    s->count--;
}

/* Removes every name node of an id slot from the name tables and frees them. Id shard write-locked. */
static int drop_names_locked(registry *r, id_slot *sl) {
    int n = 0;
    name_node *nd = sl->names;
    sl->names = NULL;
    while (nd) {
        name_node *next = nd->next;
        name_shard *ns = &r->namesh[shard_of(nd->hash)];
        pthread_rwlock_wrlock(&ns->lock);
        name_slot *x = name_find(ns, nd->name, nd->len, nd->hash);
        if (x && x->node == nd) name_delete(ns, x);
        pthread_rwlock_unlock(&ns->lock);
        free(nd);
        n++;
        nd = next;
    }
    atomic_fetch_sub_explicit(&r->names, (size_t)n, memory_order_relaxed);
    return n;
}

/* ------------------------------------------------------------------ public API */

registry *registry_new(void (*retain)(void *obj)) {
    size_t sz = (sizeof(registry) + 63) & ~(size_t)63;
    registry *r = aligned_alloc(64, sz);
    if (!r) return NULL;
    memset(r, 0, sizeof *r);
    r->retain = retain;
    atomic_init(&r->ids, 0);
    atomic_init(&r->names, 0);
    for (unsigned i = 0; i < REG_SHARDS; i++) {
        pthread_rwlock_init(&r->idsh[i].lock, NULL);
        pthread_rwlock_init(&r->namesh[i].lock, NULL);
    }
    return r;
}

void registry_free(registry *r) {
    if (!r) return;
    for (unsigned i = 0; i < REG_SHARDS; i++) {
        id_shard *s = &r->idsh[i];
        for (size_t j = 0; j < s->cap; j++) {
            name_node *nd = s->slots[j].names;
            while (nd) {
                name_node *next = nd->next;
                free(nd);
                nd = next;
            }
        }
        free(s->slots);
        free(r->namesh[i].slots);
        pthread_rwlock_destroy(&s->lock);
        pthread_rwlock_destroy(&r->namesh[i].lock);
    }
    free(r);
}

int registry_add(registry *r, uint64_t id, void *obj) {
    if (!id || !obj) return -EINVAL;
    uint64_t h = hash_mix64(id);
    id_shard *s = &r->idsh[shard_of(h)];
    int rc = 0;
    pthread_rwlock_wrlock(&s->lock);
    if (id_find(s, id, h)) {
        rc = -EEXIST;
    } else if ((rc = id_reserve(s)) == 0) {
        id_place(s->slots, s->cap, (id_slot){.id = id, .obj = obj, .names = NULL});
        s->count++;
        atomic_fetch_add_explicit(&r->ids, 1, memory_order_relaxed);
    }
    pthread_rwlock_unlock(&s->lock);
    return rc;
}

void *registry_get(registry *r, uint64_t id) {
    if (!id) return NULL;
    uint64_t h = hash_mix64(id);
    id_shard *s = &r->idsh[shard_of(h)];
    void *obj = NULL;
    pthread_rwlock_rdlock(&s->lock);
    id_slot *sl = id_find(s, id, h);
    if (sl) {
        obj = sl->obj;
        if (r->retain) r->retain(obj);
    }
    pthread_rwlock_unlock(&s->lock);
    return obj;
}

int registry_remove(registry *r, uint64_t id) {
    if (!id) return -ENOENT;
    uint64_t h = hash_mix64(id);
    id_shard *s = &r->idsh[shard_of(h)];
    int rc = 0;
    pthread_rwlock_wrlock(&s->lock);
    id_slot *sl = id_find(s, id, h);
    if (!sl) {
        rc = -ENOENT;
    } else {
        drop_names_locked(r, sl);
        id_delete(s, sl);
        atomic_fetch_sub_explicit(&r->ids, 1, memory_order_relaxed);
    }
    pthread_rwlock_unlock(&s->lock);
    return rc;
}

int registry_drop_names(registry *r, uint64_t id) {
    if (!id) return -ENOENT;
    uint64_t h = hash_mix64(id);
    id_shard *s = &r->idsh[shard_of(h)];
    int rc;
    pthread_rwlock_wrlock(&s->lock);
    id_slot *sl = id_find(s, id, h);
    rc = sl ? drop_names_locked(r, sl) : -ENOENT;
    pthread_rwlock_unlock(&s->lock);
    return rc;
}

int registry_register_name(registry *r, const char *name, uint64_t id) {
    size_t len;
    if (check_name(name, &len) || !id) return -EINVAL;
    uint64_t nh = hash_bytes(name, len);
    name_node *nd = malloc(sizeof *nd + len + 1);
    if (!nd) return -ENOMEM;
    nd->next = NULL;
    nd->id = id;
    nd->hash = nh;
    nd->len = len;
    memcpy(nd->name, name, len + 1);

    uint64_t h = hash_mix64(id);
    id_shard *s = &r->idsh[shard_of(h)];
    name_shard *ns = &r->namesh[shard_of(nh)];
    int rc = 0;
    pthread_rwlock_wrlock(&s->lock);
    id_slot *sl = id_find(s, id, h);
    if (!sl) {
        rc = -ENOENT;
    } else {
        pthread_rwlock_wrlock(&ns->lock);
        if (name_find(ns, name, len, nh)) {
            rc = -EEXIST;
        } else if ((rc = name_reserve(ns)) == 0) {
            name_place(ns->slots, ns->cap, (name_slot){.hash = nh, .node = nd});
            ns->count++;
        }
        pthread_rwlock_unlock(&ns->lock);
        if (rc == 0) {
            name_node **tail = &sl->names;
            while (*tail) tail = &(*tail)->next;
            *tail = nd;
            atomic_fetch_add_explicit(&r->names, 1, memory_order_relaxed);
        }
    }
    pthread_rwlock_unlock(&s->lock);
    if (rc) free(nd);
    return rc;
}

int registry_unregister_name(registry *r, const char *name) {
    size_t len;
    if (check_name(name, &len)) return -EINVAL;
    uint64_t nh = hash_bytes(name, len);
    name_shard *ns = &r->namesh[shard_of(nh)];
    for (;;) {
        /* find the owner id, then lock in order (id shard, name shard) and re-check */
        pthread_rwlock_rdlock(&ns->lock);
        name_slot *x = name_find(ns, name, len, nh);
        uint64_t id = x ? x->node->id : 0;
        pthread_rwlock_unlock(&ns->lock);
        if (!id) return -ENOENT;

        uint64_t h = hash_mix64(id);
        id_shard *s = &r->idsh[shard_of(h)];
        pthread_rwlock_wrlock(&s->lock);
        pthread_rwlock_wrlock(&ns->lock);
        x = name_find(ns, name, len, nh);
        if (x && x->node->id == id) {
            name_node *nd = x->node;
            name_delete(ns, x);
            pthread_rwlock_unlock(&ns->lock);
            id_slot *sl = id_find(s, id, h);
            if (sl) {
                for (name_node **pp = &sl->names; *pp; pp = &(*pp)->next)
                    if (*pp == nd) {
                        *pp = nd->next;
                        break;
                    }
            }
            pthread_rwlock_unlock(&s->lock);
            free(nd);
            atomic_fetch_sub_explicit(&r->names, 1, memory_order_relaxed);
            return 0;
        }
        pthread_rwlock_unlock(&ns->lock);
        pthread_rwlock_unlock(&s->lock);
        if (!x) return -ENOENT;
        /* the name moved to another id meanwhile: retry */
    }
}

uint64_t registry_whereis(registry *r, const char *name) {
    size_t len;
    if (check_name(name, &len)) return 0;
    return registry_whereis_len(r, name, len);
}

uint64_t registry_whereis_len(registry *r, const char *name, size_t len) {
    if (!name || len == 0 || len > REGISTRY_NAME_MAX || memchr(name, 0, len)) return 0;
    uint64_t nh = hash_bytes(name, len);
    name_shard *ns = &r->namesh[shard_of(nh)];
    pthread_rwlock_rdlock(&ns->lock);
    name_slot *x = name_find(ns, name, len, nh);
    uint64_t id = x ? x->node->id : 0;
    pthread_rwlock_unlock(&ns->lock);
    return id;
}

void *registry_get_by_name(registry *r, const char *name, uint64_t *id_out) {
    size_t len;
    if (check_name(name, &len)) return NULL;
    uint64_t nh = hash_bytes(name, len);
    name_shard *ns = &r->namesh[shard_of(nh)];
    for (;;) {
        pthread_rwlock_rdlock(&ns->lock);
        name_slot *x = name_find(ns, name, len, nh);
        uint64_t id = x ? x->node->id : 0;
        pthread_rwlock_unlock(&ns->lock);
        if (!id) return NULL;
        /* take the id shard, then confirm the name still maps to this id (lock order id -> name) */
        uint64_t h = hash_mix64(id);
        id_shard *s = &r->idsh[shard_of(h)];
        pthread_rwlock_rdlock(&s->lock);
        pthread_rwlock_rdlock(&ns->lock);
        x = name_find(ns, name, len, nh);
        bool same = x && x->node->id == id;
        bool gone = !x;
        pthread_rwlock_unlock(&ns->lock);
        void *obj = NULL;
        if (same) {
            id_slot *sl = id_find(s, id, h);
            if (sl) {
                obj = sl->obj;
                if (r->retain) r->retain(obj);
                if (id_out) *id_out = id;
            }
        }
        pthread_rwlock_unlock(&s->lock);
        if (same || gone) return obj;
    }
}

int registry_name_of(registry *r, uint64_t id, char *buf, size_t cap) {
    if (!id) return -ENOENT;
    uint64_t h = hash_mix64(id);
    id_shard *s = &r->idsh[shard_of(h)];
    int rc = 0;
    pthread_rwlock_rdlock(&s->lock);
    id_slot *sl = id_find(s, id, h);
    if (!sl || !sl->names) {
        rc = -ENOENT;
    } else {
        name_node *nd = sl->names;
        if (nd->len + 1 > cap) {
            rc = -ERANGE;
            if (cap) {
                memcpy(buf, nd->name, cap - 1);
                buf[cap - 1] = '\0';
            }
        } else {
            memcpy(buf, nd->name, nd->len + 1);
        }
    }
    pthread_rwlock_unlock(&s->lock);
    return rc;
}

size_t registry_count(registry *r) { return atomic_load_explicit(&r->ids, memory_order_relaxed); }

size_t registry_name_count(registry *r) { return atomic_load_explicit(&r->names, memory_order_relaxed); }
