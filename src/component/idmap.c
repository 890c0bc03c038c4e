/* idmap.c — see idmap.h. */
#include <errno.h>
#include <stdlib.h>

#include "common/hash.h"
#include "component/idmap.h"

static size_t slot_of(const component_idmap *m, uint64_t key) { return (size_t)hash_mix64(key) & (m->cap - 1); }

static struct component_idmap_slot *find(const component_idmap *m, uint64_t key) {
    if (!m->cap || !key) return NULL;
    for (size_t i = slot_of(m, key);; i = (i + 1) & (m->cap - 1)) {
        if (m->slots[i].key == key) return &m->slots[i];
        if (!m->slots[i].key) return NULL;
    }
}

static void place(component_idmap *m, uint64_t key, uint64_t value) {
    size_t i = slot_of(m, key);
    while (m->slots[i].key) i = (i + 1) & (m->cap - 1);
    m->slots[i].key = key;
    m->slots[i].value = value;
}

static int grow(component_idmap *m) {
    size_t cap = m->cap ? m->cap * 2 : 16;
    struct component_idmap_slot *old = m->slots, *ns = calloc(cap, sizeof *ns);
    if (!ns) return -ENOMEM;
    size_t oldcap = m->cap;
    m->slots = ns;
    m->cap = cap;
    for (size_t i = 0; i < oldcap; i++)
        if (old[i].key) place(m, old[i].key, old[i].value);
    free(old);
    return 0;
}

int component_idmap_put(component_idmap *m, uint64_t key, uint64_t value) {
    if (!key) return -EINVAL;
    if (find(m, key)) return -EEXIST;
    if ((m->count + 1) * 4 > m->cap * 3 && grow(m) != 0) return -ENOMEM;
    place(m, key, value);
    m->count++;
    return 0;
}

bool component_idmap_get(const component_idmap *m, uint64_t key, uint64_t *value) {
    struct component_idmap_slot *s = find(m, key);
    if (s && value) *value = s->value;
    return s != NULL;
}

bool component_idmap_set(component_idmap *m, uint64_t key, uint64_t value) {
    struct component_idmap_slot *s = find(m, key);
    if (s) s->value = value;
    return s != NULL;
}

bool component_idmap_take(component_idmap *m, uint64_t key, uint64_t *value) {
    struct component_idmap_slot *s = find(m, key);
    if (!s) return false;
    if (value) *value = s->value;
    /* backward-shift deletion: pull later members of the probe run into the hole */
    size_t hole = (size_t)(s - m->slots), mask = m->cap - 1;
    for (size_t i = (hole + 1) & mask; m->slots[i].key; i = (i + 1) & mask) {
        size_t home = slot_of(m, m->slots[i].key);
        /* move it if its home is not in (hole, i] cyclically */
        if (((i - home) & mask) >= ((i - hole) & mask)) {
            m->slots[hole] = m->slots[i];
            hole = i;
        }
    }
    m->slots[hole].key = 0;
    m->slots[hole].value = 0;
    m->count--;
    return true;
}

void component_idmap_clear(component_idmap *m, void (*fn)(void *user, uint64_t key, uint64_t value), void *user) {
    for (size_t i = 0; fn && i < m->cap; i++)
        if (m->slots[i].key) fn(user, m->slots[i].key, m->slots[i].value);
    free(m->slots);
    m->slots = NULL;
    m->cap = m->count = 0;
}
