/* multicodec.c — the payload prefix: multicodec code as an unsigned varint, followed by the body. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "codec/internal.h"

const char *codec_name(uint32_t codec) {
    switch (codec) {
    case WACTOR_CODEC_JSON: return "json";
    case WACTOR_CODEC_CBOR: return "cbor";
    case WACTOR_CODEC_BORSH: return "borsh";
    default: return NULL;
    }
}

uint32_t codec_from_name(const char *name) {
    if (!name)
        return 0;
    if (strcmp(name, "json") == 0)
        return WACTOR_CODEC_JSON;
    if (strcmp(name, "cbor") == 0)
        return WACTOR_CODEC_CBOR;
    if (strcmp(name, "borsh") == 0)
        return WACTOR_CODEC_BORSH;
    return 0;
}

wactor_error codec_split(const uint8_t *payload, size_t len, uint32_t *codec, const uint8_t **body,
                         size_t *body_len, char *err, size_t errlen) {
    if (!payload && len > 0) {
        codec_seterr(err, errlen, "NULL payload");
        return WACTOR_EINVAL;
    }
    uint64_t code = 0;
    int n = codec_varint_decode(payload, len, &code);
    if (n == -1) {
        codec_seterr(err, errlen, "truncated multicodec prefix");
        return WACTOR_ECODEC;
    }
    if (n < 0) {
        codec_seterr(err, errlen, "non-minimal multicodec prefix");
        return WACTOR_ECODEC;
    }
    if (code > UINT32_MAX || !codec_name((uint32_t)code)) {
        codec_seterr(err, errlen, "unknown multicodec 0x%" PRIx64, code);
        return WACTOR_ECODEC;
    }
    if (codec)
        *codec = (uint32_t)code;
    if (body)
        *body = payload + n;
    if (body_len)
        *body_len = len - (size_t)n;
    return WACTOR_OK;
}

uint8_t *codec_wrap(uint32_t codec, const void *body, size_t body_len, size_t *out_len) {
    uint8_t prefix[10];
    size_t plen = codec_varint_encode(codec, prefix);
    if (body_len > SIZE_MAX - plen)
        return NULL;
    uint8_t *buf = malloc(plen + body_len);
    if (!buf)
        return NULL;
    memcpy(buf, prefix, plen);
    if (body_len)
        memcpy(buf + plen, body, body_len);
    if (out_len)
        *out_len = plen + body_len;
    return buf;
}
