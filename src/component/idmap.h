/*
 * idmap.h — a small hash map from non-zero 64-bit ids to 64-bit values (open addressing, linear probing,
 * backward-shift deletion, doubling at 3/4 load; never shrinks below what it grew to). O(1) expected per
 * operation. Used by one component for its own bookkeeping: not thread-safe (the component's turn owns it).
 */
#ifndef WACTOR_COMPONENT_IDMAP_H
#define WACTOR_COMPONENT_IDMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct component_idmap {
    struct component_idmap_slot { uint64_t key, value; } *slots; /* key 0: empty */
    size_t cap, count;                                         /* cap: 0 or a power of two */
} component_idmap;

/* Adds key -> value (key != 0, not yet present). Returns 0, -EINVAL (key 0), -EEXIST, -ENOMEM (unchanged). */
int component_idmap_put(component_idmap *m, uint64_t key, uint64_t value);
/* The value of `key` in *value (may be NULL); false if absent. */
bool component_idmap_get(const component_idmap *m, uint64_t key, uint64_t *value);
/* Sets the value of a present key; false if absent. */
bool component_idmap_set(component_idmap *m, uint64_t key, uint64_t value);
/* Removes `key`, giving its value in *value (may be NULL); false if absent. */
bool component_idmap_take(component_idmap *m, uint64_t key, uint64_t *value);
/* Calls fn(user, key, value) for every entry (any order), then empties the map and frees its memory. */
void component_idmap_clear(component_idmap *m, void (*fn)(void *user, uint64_t key, uint64_t value), void *user);

#endif
