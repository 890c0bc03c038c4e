/* results.c — typed results: wactor values -> a multicodec payload (dispatch to the per-codec encoders). */
#include <stdlib.h>

#include "codec/internal.h"

wactor_error codec_encode_results(uint32_t codec, const wactor_value *vals, size_t n, uint8_t **out,
                                  size_t *out_len) {
    if (!out || !out_len || (n > 0 && !vals))
        return WACTOR_EINVAL;
    for (size_t i = 0; i < n; i++)
        if (!codec_valtype_valid(vals[i].type))
            return WACTOR_EINVAL;

    size_t max;
    switch (codec) {
    case WACTOR_CODEC_JSON: max = codec_json_results_max(n); break;
    case WACTOR_CODEC_CBOR: max = codec_cbor_results_max(n); break;
    case WACTOR_CODEC_BORSH: max = codec_borsh_results_max(n); break;
    default: return WACTOR_ECODEC;
    }
    uint8_t prefix[10];
    size_t plen = codec_varint_encode(codec, prefix);
    if (max > SIZE_MAX - plen)
        return WACTOR_ENOMEM;
    uint8_t *buf = malloc(plen + max);
    if (!buf)
        return WACTOR_ENOMEM;
    for (size_t i = 0; i < plen; i++)
        buf[i] = prefix[i];

    size_t body;
    switch (codec) {
    case WACTOR_CODEC_JSON: body = codec_json_encode_results(vals, n, buf + plen); break;
    case WACTOR_CODEC_CBOR: body = codec_cbor_encode_results(vals, n, buf + plen, max); break;
    default: body = codec_borsh_encode_results(vals, n, buf + plen); break;
    }
    if (body < max) {                      /* give back the slack of the worst-case estimate */
        uint8_t *shrunk = realloc(buf, plen + body > 0 ? plen + body : 1);
        if (shrunk)
            buf = shrunk;
    }
    *out = buf;
    *out_len = plen + body;
    return WACTOR_OK;
}
