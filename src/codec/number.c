/* number.c — conversion of decoded numbers to typed values (range rules) and number formatting. */
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/internal.h"

void codec_seterr(char *err, size_t errlen, const char *fmt, ...) {
    if (!err || errlen == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

const char *codec_valtype_name(wactor_valtype t) {
    switch (t) {
    case WACTOR_I32: return "i32";
    case WACTOR_I64: return "i64";
    case WACTOR_F32: return "f32";
    case WACTOR_F64: return "f64";
    }
    return "invalid";
}

int codec_valtype_from_name(const char *name, wactor_valtype *out) {
    static const wactor_valtype all[] = {WACTOR_I32, WACTOR_I64, WACTOR_F32, WACTOR_F64};
    if (!name || !out)
        return -1;
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        if (strcmp(name, codec_valtype_name(all[i])) == 0) {
            *out = all[i];
            return 0;
        }
    }
    return -1;
}

/* Two's-complement reinterpretation without implementation-defined conversions. */
static int32_t bits_to_i32(uint32_t u) {
    return u <= INT32_MAX ? (int32_t)u : (int32_t)(u - 0x80000000u) + INT32_MIN;
}
static int64_t bits_to_i64(uint64_t u) {
    return u <= INT64_MAX ? (int64_t)u : (int64_t)(u - 0x8000000000000000u) + INT64_MIN;
}

/* Shortest "%.*g" text that reads back as the same double (or float, when f32). d must be finite.
 * buf holds CODEC_VALUE_TEXT_MAX bytes. */
static size_t format_finite(double d, bool f32, char *buf) {
    if (d == 0 && signbit(d)) {
        memcpy(buf, "-0.0", 5);             /* "-0" would read back as the integer 0 */
        return 4;
    }
    if (d > -1e17 && d < 1e17 && d == (double)(int64_t)d) /* whole numbers print as such: 10, not 1e+01 */
        return (size_t)snprintf(buf, CODEC_VALUE_TEXT_MAX, "%.0f", d);
    int n = 0;
    for (int prec = 1; prec <= 17; prec++) {
        n = snprintf(buf, CODEC_VALUE_TEXT_MAX, "%.*g", prec, d);
        if (f32 ? strtof(buf, NULL) == (float)d : strtod(buf, NULL) == d)
            break;
    }
    return (size_t)n;
}

/* Whether finite d has no fractional part (without libm, which this layer does not link). */
static bool is_integral(double d) {
    if (d >= 0x1p52 || d <= -0x1p52)
        return true;                        /* no fraction bits left at this magnitude */
    return d == (double)(int64_t)d;
}

static size_t format_real(double d, bool f32, char *buf) {
    if (isnan(d))
        return (size_t)snprintf(buf, CODEC_VALUE_TEXT_MAX, "%s", signbit(d) ? "-nan" : "nan");
    if (isinf(d))
        return (size_t)snprintf(buf, CODEC_VALUE_TEXT_MAX, "%s", d < 0 ? "-inf" : "inf");
    return format_finite(d, f32, buf);
}

/* The IEEE-754 fields of a float value, from its bits (no floating-point operation: a signalling NaN
 * stays as it is). */
static void float_fields(const wactor_value *v, bool *neg, bool *all_ones, uint64_t *mantissa, uint64_t *quiet) {
    if (v->type == WACTOR_F32) {
        uint32_t b;
        memcpy(&b, &v->of.f32, 4);
        *neg = b >> 31;
        *all_ones = ((b >> 23) & 0xff) == 0xff;
        *mantissa = b & 0x7fffffu;
        *quiet = 0x400000u;
    } else {
        uint64_t b;
        memcpy(&b, &v->of.f64, 8);
        *neg = b >> 63;
        *all_ones = ((b >> 52) & 0x7ff) == 0x7ff;
        *mantissa = b & 0xfffffffffffffull;
        *quiet = 0x8000000000000ull;
    }
}

/* A non-finite float's text: "inf", "-inf", "nan" / "-nan" (the canonical NaN: only the quiet bit set), else
 * "nan:0xPAYLOAD" / "-nan:0xPAYLOAD", the WebAssembly text format's spelling (core spec 6.3.2: the payload
 * is the significand field, hex). Returns 0 (buf untouched) for a finite value or an integer type. */
static size_t format_nonfinite(const wactor_value *v, char *buf) {
    if (v->type != WACTOR_F32 && v->type != WACTOR_F64)
        return 0;
    bool neg, all_ones;
    uint64_t m, quiet;
    float_fields(v, &neg, &all_ones, &m, &quiet);
    if (!all_ones)
        return 0;
    const char *sign = neg ? "-" : "";
    if (m == 0)
        return (size_t)snprintf(buf, CODEC_VALUE_TEXT_MAX, "%sinf", sign);
    if (m == quiet)
        return (size_t)snprintf(buf, CODEC_VALUE_TEXT_MAX, "%snan", sign);
    return (size_t)snprintf(buf, CODEC_VALUE_TEXT_MAX, "%snan:0x%" PRIx64, sign, m);
}

int codec_parse_nonfinite(const char *s, size_t n, wactor_valtype t, wactor_value *out) {
    if (t != WACTOR_F32 && t != WACTOR_F64)
        return 0;
    const char *p = s, *end = s + n;
    bool neg = false;
    if (p < end && (*p == '+' || *p == '-'))
        neg = *p++ == '-';
    size_t rest = (size_t)(end - p);
    bool f32 = t == WACTOR_F32;
    uint64_t quiet = f32 ? 0x400000u : 0x8000000000000ull, max = f32 ? 0x7fffffu : 0xfffffffffffffull;
    uint64_t m;
    if (rest == 3 && memcmp(p, "inf", 3) == 0) {
        m = 0;
    } else if (rest == 3 && memcmp(p, "nan", 3) == 0) {
        m = quiet;
    } else if (rest > 6 && memcmp(p, "nan:0x", 6) == 0) {
        m = 0;
        for (p += 6; p < end; p++) {
            int d = *p >= '0' && *p <= '9' ? *p - '0'
                    : *p >= 'a' && *p <= 'f' ? *p - 'a' + 10
                    : *p >= 'A' && *p <= 'F' ? *p - 'A' + 10
                                             : -1;
            if (d < 0 || m > max >> 4)
                return -1;      /* not hex, or more bits than the significand has */
            m = m << 4 | (uint64_t)d;
        }
        if (m == 0 || m > max)
            return -1;          /* a zero payload would be an infinity */
    } else {
        return 0;
    }
    out->type = t;
    if (f32) {
        uint32_t b = (neg ? 0x80000000u : 0) | 0x7f800000u | (uint32_t)m;
        memcpy(&out->of.f32, &b, 4);
    } else {
        uint64_t b = (neg ? 0x8000000000000000ull : 0) | 0x7ff0000000000000ull | m;
        memcpy(&out->of.f64, &b, 8);
    }
    return 1;
}

size_t codec_json_number(const wactor_value *v, char *buf) {
    switch (v->type) {
    case WACTOR_I32: return (size_t)snprintf(buf, CODEC_VALUE_TEXT_MAX, "%" PRId32, v->of.i32);
    case WACTOR_I64: return (size_t)snprintf(buf, CODEC_VALUE_TEXT_MAX, "%" PRId64, v->of.i64);
    case WACTOR_F32:
    case WACTOR_F64: {
        char text[CODEC_VALUE_TEXT_MAX];
        size_t n = format_nonfinite(v, text);
        if (n) /* JSON has no number for it: a string (RFC 8259 section 6) */
            return (size_t)snprintf(buf, CODEC_VALUE_TEXT_MAX, "\"%s\"", text);
        return v->type == WACTOR_F32 ? format_finite(v->of.f32, true, buf) : format_finite(v->of.f64, false, buf);
    }
    }
    memcpy(buf, "null", 5);
    return 4;
}

size_t codec_format_value(const wactor_value *v, char *buf, size_t buflen) {
    if (!v || !codec_valtype_valid(v->type))
        return 0;
    char tmp[CODEC_VALUE_TEXT_MAX];
    size_t n = format_nonfinite(v, tmp);
    if (!n)
        n = codec_json_number(v, tmp);
    if (buf && buflen > 0)
        snprintf(buf, buflen, "%s", tmp);
    return n;
}

static void int_text(bool neg, uint64_t m, char buf[32]) {
    if (!neg)
        snprintf(buf, 32, "%" PRIu64, m);
    else if (m == UINT64_MAX)
        snprintf(buf, 32, "-18446744073709551616");
    else
        snprintf(buf, 32, "-%" PRIu64, m + 1);
}

static wactor_error out_of_range(const char *num, wactor_valtype t, const char *prefix, char *err,
                                 size_t errlen) {
    codec_seterr(err, errlen, "%s%s out of range for %s", prefix, num, codec_valtype_name(t));
    return WACTOR_ETYPE;
}

wactor_error codec_int_to_value(bool neg, uint64_t m, wactor_valtype t, const char *prefix, wactor_value *out,
                                char *err, size_t errlen) {
    char num[32];
    switch (t) {
    case WACTOR_I32:
        if (neg ? m > (uint64_t)INT32_MAX : m > UINT32_MAX)
            break;
        out->of.i32 = neg ? -1 - (int32_t)m : bits_to_i32((uint32_t)m);
        out->type = t;
        return WACTOR_OK;
    case WACTOR_I64:
        if (neg && m > (uint64_t)INT64_MAX)
            break;
        out->of.i64 = neg ? -1 - (int64_t)m : bits_to_i64(m);
        out->type = t;
        return WACTOR_OK;
    case WACTOR_F32:
        out->of.f32 = !neg ? (float)m : m == UINT64_MAX ? -0x1p64f : -(float)(m + 1);
        out->type = t;
        return WACTOR_OK;
    case WACTOR_F64:
        out->of.f64 = !neg ? (double)m : m == UINT64_MAX ? -0x1p64 : -(double)(m + 1);
        out->type = t;
        return WACTOR_OK;
    default:
        codec_seterr(err, errlen, "%sinvalid parameter type %d", prefix, (int)t);
        return WACTOR_EINVAL;
    }
    int_text(neg, m, num);
    return out_of_range(num, t, prefix, err, errlen);
}

wactor_error codec_real_to_value(double d, wactor_valtype t, const char *prefix, wactor_value *out,
                                 char *err, size_t errlen) {
    char num[CODEC_VALUE_TEXT_MAX];
    switch (t) {
    case WACTOR_I32:
    case WACTOR_I64:
        if (!isfinite(d) || !is_integral(d)) {
            format_real(d, false, num);
            codec_seterr(err, errlen, "%sexpected %s, got non-integral number %s", prefix,
                         codec_valtype_name(t), num);
            return WACTOR_ETYPE;
        }
        if (t == WACTOR_I32) {
            if (d < -0x1p31 || d > 4294967295.0)
                break;
            out->of.i32 = d < 0 ? (int32_t)d : bits_to_i32((uint32_t)d);
        } else {
            if (d < -0x1p63 || d >= 0x1p64)
                break;
            out->of.i64 = d < 0 ? (int64_t)d : bits_to_i64((uint64_t)d);
        }
        out->type = t;
        return WACTOR_OK;
    case WACTOR_F32:
        /* Out of range only if it would round to infinity: |d| >= FLT_MAX + half an ulp (2^128 - 2^103);
         * the shortest decimal for FLT_MAX, 3.4028235e38, is itself a little above FLT_MAX. */
        if (isfinite(d) && (d >= 0x1.ffffffp127 || d <= -0x1.ffffffp127))
            break;
        out->of.f32 = (float)d;
        out->type = t;
        return WACTOR_OK;
    case WACTOR_F64:
        out->of.f64 = d;
        out->type = t;
        return WACTOR_OK;
    default:
        codec_seterr(err, errlen, "%sinvalid parameter type %d", prefix, (int)t);
        return WACTOR_EINVAL;
    }
    if ((t == WACTOR_I32 || t == WACTOR_I64) && d > -1e21 && d < 1e21)
        snprintf(num, sizeof num, "%.0f", d);   /* an integral number: print it as one (5e9 -> 5000000000) */
    else
        format_real(d, false, num);
    return out_of_range(num, t, prefix, err, errlen);
}
