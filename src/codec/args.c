/* args.c — typed arguments: a multicodec payload -> wactor values (dispatch to the per-codec decoders). */
#include <stdio.h>

#include "codec/internal.h"

wactor_error codec_decode_args(const uint8_t *payload, size_t len, const wactor_valtype *types, size_t ntypes,
                               wactor_value *out, char *err, size_t errlen) {
    if (ntypes > 0 && (!types || !out)) {
        codec_seterr(err, errlen, "NULL parameter types or output");
        return WACTOR_EINVAL;
    }
    for (size_t i = 0; i < ntypes; i++) {
        if (!codec_valtype_valid(types[i])) {
            codec_seterr(err, errlen, "parameter %zu: invalid type %d", i + 1, (int)types[i]);
            return WACTOR_EINVAL;
        }
    }
    uint32_t codec;
    const uint8_t *body;
    size_t body_len;
    wactor_error e = codec_split(payload, len, &codec, &body, &body_len, err, errlen);
    if (e != WACTOR_OK)
        return e;
    switch (codec) {
    case WACTOR_CODEC_JSON: return codec_json_decode_args(body, body_len, types, ntypes, out, err, errlen);
    case WACTOR_CODEC_CBOR: return codec_cbor_decode_args(body, body_len, types, ntypes, out, err, errlen);
    default: return codec_borsh_decode_args(body, body_len, types, ntypes, out, err, errlen);
    }
}
