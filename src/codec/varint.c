/* varint.c — multiformats unsigned-varint (unsigned LEB128, at most 9 bytes, minimal encoding). */
#include "codec/codec.h"

size_t codec_varint_encode(uint64_t v, uint8_t out[10]) {
    size_t n = 0;
    while (v >= 0x80) {
        out[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    out[n++] = (uint8_t)v;
    return n;
}

int codec_varint_decode(const uint8_t *p, size_t len, uint64_t *v) {
    uint64_t value = 0;
    for (size_t i = 0; i < CODEC_VARINT_MAX_BYTES; i++) {
        if (i >= len)
            return -1;                      /* ran off the end mid-varint */
        uint8_t b = p[i];
        value |= (uint64_t)(b & 0x7f) << (7 * i);
        if (!(b & 0x80)) {
            if (b == 0 && i > 0)
                return -2;                  /* trailing zero group: not minimal */
            if (v)
                *v = value;
            return (int)(i + 1);
        }
    }
    return -2;                              /* a 10th byte would be needed: overlong */
}
