/* hash.h — the hash functions of the runtime's hash tables (registry names and ids, broker subject tokens).
 * Header-only, pure, thread-safe. */
#ifndef WACTOR_HASH_H
#define WACTOR_HASH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* A 64-bit finaliser (splitmix64's): spreads every input bit over the output, so `& mask` works as a bucket. */
static inline uint64_t hash_mix64(uint64_t x) {
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

/* `len` bytes at `s`: FNV-1a over 8-byte words (then the tail bytes), finalised with hash_mix64. */
static inline uint64_t hash_bytes(const char *s, size_t len) {
    uint64_t h = 0xcbf29ce484222325ULL;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        h = (h ^ w) * 0x100000001b3ULL;
        h ^= h >> 29;
    }
    for (; i < len; i++) h = (h ^ (unsigned char)s[i]) * 0x100000001b3ULL;
    return hash_mix64(h ^ len);
}

#endif
