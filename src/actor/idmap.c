/*
 * idmap.c — the sets behind links and monitors: a map from non-zero 64-bit keys (actor ids, monitor refs)
 * to 64-bit values, so that adding, finding and removing one link or monitor costs O(1) however many an
 * actor holds (arrays with linear search made tearing down n monitors O(n^2): 200,000 took 2.7 s).
 *
 * Open addressing with linear probing over a power-of-two table of {key, val} slots (key 0 = empty), a
 * salted 64-bit mix as the hash (see home()), and
 * backward-shift deletion (no tombstones, so lookups never slow down after many removals; Knuth, TAOCP
 * vol. 3, 6.4, Algorithm R). The table doubles when it would pass 3/4 full and halves when it falls below
 * 1/8 full (never below IDMAP_MIN slots): every operation is O(1) amortised and the memory follows the
 * number of entries, not the largest it ever was. A map that never held anything owns no memory; one that
 * emptied keeps its IDMAP_MIN slots (128 bytes) until actor_idmap_free, so a set that keeps going between
 * empty and one entry (a pending timer started and cancelled per request) does not allocate each time.
 */
#include "actor/actor_internal.h"

#include <errno.h>
#include <stdlib.h>

#define IDMAP_MIN 8

/* Each table gets its own salt: two maps holding the same keys (a watcher's monitors and its target's)
 * then order them differently. With one hash for all, removing every key of one map in the slot order of
 * the other (a target's end delivers its DOWNs in its own slot order; the watcher removes each) empties the
 * table front to back, and each shrink packs the keys left — all from the back of the hash range — into
 * the back of a smaller table at a local load far above 1: probe runs grew to thousands of slots and
 * 2,000,000 DOWNs took 187 s. */
static atomic_uint_fast64_t salt_counter;

static uint64_t mix(uint64_t x) { /* MurmurHash3's 64-bit finaliser: every input bit affects every output bit */
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ull;
    x ^= x >> 33;
    return x;
}

static size_t home(const actor_idmap *m, uint64_t key) {
    return (size_t)(mix(key ^ m->salt) >> (64 - __builtin_ctzll((unsigned long long)m->cap)));
}

/* The slot holding `key`, or the empty slot where it would go. m->cap > 0. */
static size_t find(const actor_idmap *m, uint64_t key) {
    size_t mask = m->cap - 1, i = home(m, key);
    while (m->slots[i].key && m->slots[i].key != key) i = (i + 1) & mask;
    return i;
}

/* Rehashes into `cap` slots (a power of two > n). Returns 0 or -ENOMEM (the map is unchanged then). */
static int resize(actor_idmap *m, size_t cap) {
    actor_idmap_slot *ns = calloc(cap, sizeof *ns);
    if (!ns) return -ENOMEM;
    actor_idmap old = *m;
    m->slots = ns;
    m->cap = cap;
    for (size_t i = 0; i < old.cap; i++)
        if (old.slots[i].key) m->slots[find(m, old.slots[i].key)] = old.slots[i];
    free(old.slots);
    return 0;
}

int actor_idmap_put(actor_idmap *m, uint64_t key, uint64_t val) {
    if (!key) return -EINVAL;
    size_t i = 0;
    if (m->cap) {
        i = find(m, key);
        if (m->slots[i].key) return 1;
    }
    if ((m->n + 1) * 4 > m->cap * 3) {
        if (m->cap > SIZE_MAX / 2 / sizeof(actor_idmap_slot)) return -ENOMEM;
        if (!m->cap) /* a new table: a new salt (Weyl sequence, mixed) */
            m->salt = mix(atomic_fetch_add_explicit(&salt_counter, 0x9E3779B97F4A7C15ull, memory_order_relaxed));
        int rc = resize(m, m->cap ? m->cap * 2 : IDMAP_MIN);
        if (rc) return rc;
        i = find(m, key); /* the slot found before belongs to the old table */
    }
    m->slots[i].key = key;
    m->slots[i].val = val;
    m->n++;
    return 0;
}

bool actor_idmap_get(const actor_idmap *m, uint64_t key, uint64_t *val) {
    if (!m->cap || !key) return false;
    size_t i = find(m, key);
    if (!m->slots[i].key) return false;
    if (val) *val = m->slots[i].val;
    return true;
}

bool actor_idmap_set(actor_idmap *m, uint64_t key, uint64_t val) {
    if (!m->cap || !key) return false;
    size_t i = find(m, key);
    if (!m->slots[i].key) return false;
    m->slots[i].val = val;
    return true;
}

bool actor_idmap_del(actor_idmap *m, uint64_t key, uint64_t *val) {
    if (!m->cap || !key) return false;
    size_t mask = m->cap - 1, i = find(m, key);
    if (!m->slots[i].key) return false;
    if (val) *val = m->slots[i].val;
    /* backward shift: pull up every later entry of the run that may live at i (its home is not in (i, j]) */
    for (size_t j = (i + 1) & mask; m->slots[j].key; j = (j + 1) & mask) {
        size_t k = home(m, m->slots[j].key);
        bool stays = i <= j ? (i < k && k <= j) : (i < k || k <= j);
        if (stays) continue;
        m->slots[i] = m->slots[j];
        i = j;
    }
    m->slots[i].key = 0;
    m->slots[i].val = 0;
    m->n--;
    if (m->cap > IDMAP_MIN && m->n * 8 < m->cap) {
        (void)resize(m, m->cap / 2); /* no memory to shrink: keep the larger table */
    }
    return true;
}

void actor_idmap_free(actor_idmap *m) {
    free(m->slots);
    m->slots = NULL;
    m->n = m->cap = 0;
}
