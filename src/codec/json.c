/* json.c — JSON bodies (RFC 8259): arguments parsed with jansson, results written directly. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "codec/internal.h"

static const char *json_kind(const json_t *j) {
    switch (json_typeof(j)) {
    case JSON_OBJECT: return "object";
    case JSON_ARRAY: return "array";
    case JSON_STRING: return "string";
    case JSON_INTEGER:
    case JSON_REAL: return "number";
    case JSON_TRUE:
    case JSON_FALSE: return "bool";
    case JSON_NULL: return "null";
    }
    return "unknown";
}

static const char *plural(size_t n) {
    return n == 1 ? "" : "s";
}

wactor_error codec_json_decode_args(const uint8_t *body, size_t len, const wactor_valtype *types,
                                    size_t ntypes, wactor_value *out, char *err, size_t errlen) {
    json_error_t jerr;
    json_t *root = json_loadb((const char *)body, len, JSON_DECODE_ANY, &jerr);
    if (!root) {
        if (json_error_code(&jerr) == json_error_numeric_overflow) {
            codec_seterr(err, errlen, "JSON number out of range: %s at line %d column %d", jerr.text,
                         jerr.line, jerr.column);
            return WACTOR_ETYPE;
        }
        codec_seterr(err, errlen, "malformed JSON: %s at line %d column %d", jerr.text, jerr.line,
                     jerr.column);
        return WACTOR_ECODEC;
    }
    wactor_error e = WACTOR_OK;
    if (!json_is_array(root)) {
        codec_seterr(err, errlen, "JSON arguments must be an array, got %s", json_kind(root));
        e = WACTOR_ECODEC;
        goto done;
    }
    size_t n = json_array_size(root);
    if (n != ntypes) {
        codec_seterr(err, errlen, "expected %zu argument%s, got %zu", ntypes, plural(ntypes), n);
        e = WACTOR_EARITY;
        goto done;
    }
    for (size_t i = 0; i < n && e == WACTOR_OK; i++) {
        const json_t *item = json_array_get(root, i);
        char prefix[40];
        snprintf(prefix, sizeof prefix, "argument %zu: ", i + 1);
        if (json_is_integer(item)) {
            json_int_t v = json_integer_value(item);
            bool neg = v < 0;
            uint64_t m = neg ? (uint64_t)(-(v + 1)) : (uint64_t)v;
            e = codec_int_to_value(neg, m, types[i], prefix, &out[i], err, errlen);
        } else if (json_is_real(item)) {
            e = codec_real_to_value(json_real_value(item), types[i], prefix, &out[i], err, errlen);
        } else if (json_is_string(item) && (types[i] == WACTOR_F32 || types[i] == WACTOR_F64)) {
            /* the non-finite values, which JSON numbers cannot carry: "nan", "-inf", "nan:0x1" (codec.h) */
            const char *text = json_string_value(item);
            size_t tlen = json_string_length(item);
            int nf = codec_parse_nonfinite(text, tlen, types[i], &out[i]);
            if (nf <= 0) {
                codec_seterr(err, errlen, "%sexpected %s, got string \"%.*s%s\" (strings stand for nan, inf, -inf, "
                             "nan:0xPAYLOAD)", prefix, codec_valtype_name(types[i]), tlen > 40 ? 40 : (int)tlen,
                             text, tlen > 40 ? "..." : "");
                e = WACTOR_ETYPE;
            }
        } else {
            codec_seterr(err, errlen, "%sexpected %s, got %s", prefix, codec_valtype_name(types[i]),
                         json_kind(item));
            e = WACTOR_ETYPE;
        }
    }
done:
    json_decref(root);
    return e;
}

size_t codec_json_results_max(size_t n) {
    const size_t per = CODEC_VALUE_TEXT_MAX + 1;
    return n > (SIZE_MAX - 2) / per ? SIZE_MAX : 2 + n * per;
}

size_t codec_json_encode_results(const wactor_value *vals, size_t n, uint8_t *dst) {
    char *p = (char *)dst;
    *p++ = '[';
    for (size_t i = 0; i < n; i++) {
        char num[CODEC_VALUE_TEXT_MAX];
        size_t len = codec_json_number(&vals[i], num);
        if (i > 0)
            *p++ = ',';
        memcpy(p, num, len);
        p += len;
    }
    *p++ = ']';
    return (size_t)(p - (char *)dst);
}

char *codec_values_to_json(const wactor_value *vals, size_t n) {
    if (n > 0 && !vals)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if (!codec_valtype_valid(vals[i].type))
            return NULL;
    size_t max = codec_json_results_max(n);
    if (max == SIZE_MAX)
        return NULL;
    char *s = malloc(max + 1);
    if (!s)
        return NULL;
    size_t len;
    if (n == 0) {
        len = 0;
    } else if (n == 1) {
        len = codec_json_number(&vals[0], s);
    } else {
        len = codec_json_encode_results(vals, n, (uint8_t *)s);
    }
    s[len] = '\0';
    return s;
}
