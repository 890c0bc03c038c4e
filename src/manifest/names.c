/*
 * names.c — a set of names with a value each (open addressing, hash_bytes), so that checking a name
 * against the components or supervisors declared so far costs O(1) instead of a scan: a manifest of
 * 50,000 components and 50,000 sends took minutes with scans.
 */
#include <stdlib.h>
#include <string.h>

#include "common/hash.h"
#include "manifest/internal.h"

static size_t slot_of(const mf_names *t, const char *name) {
    size_t mask = t->cap - 1;
    size_t i = (size_t)hash_bytes(name, strlen(name)) & mask;
    while (t->keys[i] != NULL && strcmp(t->keys[i], name) != 0)
        i = (i + 1) & mask;
    return i;
}

bool mf_names_get(const mf_names *t, const char *name, size_t *val) {
    if (t->cap == 0)
        return false;
    size_t i = slot_of(t, name);
    if (t->keys[i] == NULL)
        return false;
    if (val != NULL)
        *val = t->vals[i];
    return true;
}

int mf_names_put(mf_names *t, const char *name, size_t val) {
    if (2 * (t->n + 1) > t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 64;
        mf_names bigger = {calloc(cap, sizeof *bigger.keys), calloc(cap, sizeof *bigger.vals), 0, cap};
        if (bigger.keys == NULL || bigger.vals == NULL) {
            free(bigger.keys);
            free(bigger.vals);
            return -1;
        }
        for (size_t i = 0; i < t->cap; i++)
            if (t->keys[i] != NULL) {
                size_t j = slot_of(&bigger, t->keys[i]);
                bigger.keys[j] = t->keys[i];
                bigger.vals[j] = t->vals[i];
            }
        bigger.n = t->n;
        free(t->keys);
        free(t->vals);
        *t = bigger;
    }
    size_t i = slot_of(t, name);
    if (t->keys[i] == NULL)
        t->n++;
    t->keys[i] = name;
    t->vals[i] = val;
    return 0;
}

void mf_names_free(mf_names *t) {
    free(t->keys);
    free(t->vals);
    memset(t, 0, sizeof *t);
}
