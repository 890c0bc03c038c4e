/* text.c — CLI text helpers: one value from its command-line spelling, and hex payloads. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "codec/internal.h"

static bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static int hex_digit(char c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static wactor_error junk(const char *s, size_t n, wactor_valtype t, char *err, size_t errlen) {
    codec_seterr(err, errlen, "expected %s, got '%.*s%s'", codec_valtype_name(t), n > 64 ? 64 : (int)n, s,
                 n > 64 ? "..." : "");
    return WACTOR_ETYPE;
}

static wactor_error range(const char *s, size_t n, wactor_valtype t, char *err, size_t errlen) {
    codec_seterr(err, errlen, "%.*s%s out of range for %s", n > 64 ? 64 : (int)n, s, n > 64 ? "..." : "",
                 codec_valtype_name(t));
    return WACTOR_ETYPE;
}

static wactor_error parse_int(const char *s, size_t n, wactor_valtype t, wactor_value *out, char *err,
                              size_t errlen) {
    const char *p = s, *end = s + n;
    bool neg = false;
    if (p < end && (*p == '+' || *p == '-'))
        neg = *p++ == '-';
    unsigned base = 10;
    if (end - p >= 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        base = 16;
        p += 2;
    }
    if (p == end)
        return junk(s, n, t, err, errlen);
    uint64_t mag = 0;
    bool overflow = false;
    for (; p < end; p++) {
        int d = hex_digit(*p);
        if (d < 0 || (unsigned)d >= base)
            return junk(s, n, t, err, errlen);
        if (mag > (UINT64_MAX - (unsigned)d) / base)
            overflow = true;
        else
            mag = mag * base + (unsigned)d;
    }
    if (overflow)
        return range(s, n, t, err, errlen);
    wactor_error e = neg && mag > 0 ? codec_int_to_value(true, mag - 1, t, "", out, NULL, 0)
                                    : codec_int_to_value(false, mag, t, "", out, NULL, 0);
    if (e == WACTOR_ETYPE)
        return range(s, n, t, err, errlen);
    return e;
}

wactor_error codec_parse_value(const char *text, wactor_valtype type, wactor_value *out, char *err,
                               size_t errlen) {
    if (!text || !out || !codec_valtype_valid(type)) {
        codec_seterr(err, errlen, "invalid argument to codec_parse_value");
        return WACTOR_EINVAL;
    }
    const char *s = text;
    while (is_space(*s))
        s++;
    size_t n = 0;
    while (s[n])
        n++;
    while (n > 0 && is_space(s[n - 1]))
        n--;

    if (type == WACTOR_I32 || type == WACTOR_I64)
        return parse_int(s, n, type, out, err, errlen);

    if (n == 0 || (s[0] != '+' && s[0] != '-' && s[0] != '.' && !isalnum((unsigned char)s[0])))
        return junk(s, n, type, err, errlen);
    int nf = codec_parse_nonfinite(s, n, type, out); /* "nan:0x1" keeps its payload; strtod would not */
    if (nf > 0)
        return WACTOR_OK;
    if (nf < 0) {
        codec_seterr(err, errlen, "%.*s%s: a NaN payload must be 1 to %s bits of hex", n > 64 ? 64 : (int)n, s,
                     n > 64 ? "..." : "", type == WACTOR_F32 ? "23" : "52");
        return WACTOR_ETYPE;
    }
    char *endp;
    errno = 0;
    double d = 0;
    float f = 0;
    if (type == WACTOR_F64)
        d = strtod(s, &endp);
    else
        f = strtof(s, &endp);
    if (endp != s + n)
        return junk(s, n, type, err, errlen);
    if (errno == ERANGE && (type == WACTOR_F64 ? isinf(d) : isinf(f)))
        return range(s, n, type, err, errlen);
    out->type = type;
    if (type == WACTOR_F64)
        out->of.f64 = d;
    else
        out->of.f32 = f;
    return WACTOR_OK;
}

wactor_error codec_hex_decode(const char *hex, uint8_t **out, size_t *out_len, char *err, size_t errlen) {
    if (!hex || !out || !out_len) {
        codec_seterr(err, errlen, "invalid argument to codec_hex_decode");
        return WACTOR_EINVAL;
    }
    const char *p = hex;
    while (is_space(*p))
        p++;
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
        p += 2;
    const char *digits = p;
    size_t ndigits = 0;
    for (; *p; p++) {
        if (is_space(*p))
            continue;
        if (hex_digit(*p) < 0) {
            unsigned char c = (unsigned char)*p;
            if (isprint(c))
                codec_seterr(err, errlen, "invalid hex character '%c' at offset %zu", c, (size_t)(p - hex));
            else
                codec_seterr(err, errlen, "invalid hex character 0x%02x at offset %zu", c, (size_t)(p - hex));
            return WACTOR_ECODEC;
        }
        ndigits++;
    }
    if (ndigits % 2 != 0) {
        codec_seterr(err, errlen, "odd number of hex digits (%zu)", ndigits);
        return WACTOR_ECODEC;
    }
    uint8_t *buf = malloc(ndigits / 2 > 0 ? ndigits / 2 : 1);
    if (!buf) {
        codec_seterr(err, errlen, "out of memory");
        return WACTOR_ENOMEM;
    }
    size_t k = 0;
    int hi = -1;
    for (p = digits; *p; p++) {
        if (is_space(*p))
            continue;
        int d = hex_digit(*p);
        if (hi < 0) {
            hi = d;
        } else {
            buf[k++] = (uint8_t)(hi << 4 | d);
            hi = -1;
        }
    }
    *out = buf;
    *out_len = k;
    return WACTOR_OK;
}
