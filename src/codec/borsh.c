/* borsh.c — Borsh bodies: fixed-width little-endian values packed in parameter order, no framing. */
#include <string.h>

#include "codec/internal.h"

static uint64_t load_le(const uint8_t *p, size_t n) {
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

static void store_le(uint8_t *p, uint64_t v, size_t n) {
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

wactor_error codec_borsh_decode_args(const uint8_t *body, size_t len, const wactor_valtype *types,
                                     size_t ntypes, wactor_value *out, char *err, size_t errlen) {
    size_t need = 0;
    for (size_t i = 0; i < ntypes; i++)
        need += codec_valtype_size(types[i]);
    if (len < need) {
        codec_seterr(err, errlen, "truncated Borsh arguments: expected %zu bytes, got %zu", need, len);
        return WACTOR_ECODEC;
    }
    if (len > need) {
        codec_seterr(err, errlen, "trailing bytes after Borsh arguments: expected %zu bytes, got %zu", need,
                     len);
        return WACTOR_ECODEC;
    }
    const uint8_t *p = body;
    for (size_t i = 0; i < ntypes; i++) {
        size_t sz = codec_valtype_size(types[i]);
        uint64_t bits = load_le(p, sz);
        out[i].type = types[i];
        switch (types[i]) {
        case WACTOR_I32: { uint32_t u = (uint32_t)bits; memcpy(&out[i].of.i32, &u, 4); break; }
        case WACTOR_I64: memcpy(&out[i].of.i64, &bits, 8); break;
        case WACTOR_F32: { uint32_t u = (uint32_t)bits; memcpy(&out[i].of.f32, &u, 4); break; }
        case WACTOR_F64: memcpy(&out[i].of.f64, &bits, 8); break;
        }
        p += sz;
    }
    return WACTOR_OK;
}

size_t codec_borsh_results_max(size_t n) {
    return n > SIZE_MAX / 8 ? SIZE_MAX : n * 8;
}

size_t codec_borsh_encode_results(const wactor_value *vals, size_t n, uint8_t *dst) {
    uint8_t *p = dst;
    for (size_t i = 0; i < n; i++) {
        uint64_t bits = 0;
        switch (vals[i].type) {
        case WACTOR_I32: { uint32_t u; memcpy(&u, &vals[i].of.i32, 4); bits = u; break; }
        case WACTOR_I64: memcpy(&bits, &vals[i].of.i64, 8); break;
        case WACTOR_F32: { uint32_t u; memcpy(&u, &vals[i].of.f32, 4); bits = u; break; }
        case WACTOR_F64: memcpy(&bits, &vals[i].of.f64, 8); break;
        }
        size_t sz = codec_valtype_size(vals[i].type);
        store_le(p, bits, sz);
        p += sz;
    }
    return (size_t)(p - dst);
}
