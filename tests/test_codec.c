/* test_codec.c — the codec layer: varints, multicodec prefixes, typed arguments/results, CLI text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cbor.h>
#include <jansson.h>

#include "codec/codec.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------------ helpers */

/* Decodes `body` (no prefix) after wrapping it in `codec`; err receives the message. */
static wactor_error decode_body(uint32_t codec, const void *body, size_t len, const wactor_valtype *types,
                                size_t n, wactor_value *out, char *err, size_t errlen) {
    size_t plen;
    uint8_t *p = codec_wrap(codec, body, len, &plen);
    assert_non_null(p);
    err[0] = '\0';
    wactor_error e = codec_decode_args(p, plen, types, n, out, err, errlen);
    free(p);
    return e;
}

static wactor_error decode_json(const char *text, const wactor_valtype *types, size_t n, wactor_value *out,
                                char *err) {
    return decode_body(WACTOR_CODEC_JSON, text, strlen(text), types, n, out, err, 256);
}

static wactor_error decode_cbor(const uint8_t *bytes, size_t len, const wactor_valtype *types, size_t n,
                                wactor_value *out, char *err) {
    return decode_body(WACTOR_CODEC_CBOR, bytes, len, types, n, out, err, 256);
}

static wactor_value vi32(int32_t v) { return (wactor_value){.type = WACTOR_I32, .of.i32 = v}; }
static wactor_value vi64(int64_t v) { return (wactor_value){.type = WACTOR_I64, .of.i64 = v}; }
static wactor_value vf32(float v) { return (wactor_value){.type = WACTOR_F32, .of.f32 = v}; }
static wactor_value vf64(double v) { return (wactor_value){.type = WACTOR_F64, .of.f64 = v}; }

static void assert_value_equal(const wactor_value *a, const wactor_value *b) {
    assert_int_equal(a->type, b->type);
    switch (a->type) {
    case WACTOR_I32: assert_int_equal(a->of.i32, b->of.i32); break;
    case WACTOR_I64: assert_true(a->of.i64 == b->of.i64); break;
    case WACTOR_F32: assert_memory_equal(&a->of.f32, &b->of.f32, 4); break;
    case WACTOR_F64: assert_memory_equal(&a->of.f64, &b->of.f64, 8); break;
    }
}

/* ------------------------------------------------------------------ varint */

static void test_varint_round_trips(void **state) {
    (void)state;
    static const struct { uint64_t v; size_t len; } cases[] = {
        {0, 1}, {1, 1}, {127, 1}, {128, 2}, {255, 2}, {300, 2}, {16383, 2}, {16384, 3},
        {(1u << 21) - 1, 3}, {1u << 21, 4}, {(1ull << 56) - 1, 8}, {1ull << 56, 9},
        {(1ull << 63) - 1, 9}, {0x0200, 2}, {0x0701, 2}, {0x51, 1},
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        uint8_t buf[10];
        size_t n = codec_varint_encode(cases[i].v, buf);
        assert_int_equal(n, cases[i].len);
        uint64_t back = 12345;
        assert_int_equal(codec_varint_decode(buf, n, &back), (int)n);
        assert_true(back == cases[i].v);
        /* extra bytes after the varint are not consumed */
        uint8_t longer[12];
        memcpy(longer, buf, n);
        longer[n] = 0xff;
        longer[n + 1] = 0x00;
        assert_int_equal(codec_varint_decode(longer, n + 2, &back), (int)n);
        assert_true(back == cases[i].v);
    }
}

static void test_varint_known_bytes(void **state) {
    (void)state;
    uint8_t buf[10];
    assert_int_equal(codec_varint_encode(127, buf), 1);
    assert_int_equal(buf[0], 0x7f);
    assert_int_equal(codec_varint_encode(128, buf), 2);
    assert_memory_equal(buf, "\x80\x01", 2);
    assert_int_equal(codec_varint_encode(16383, buf), 2);
    assert_memory_equal(buf, "\xff\x7f", 2);
    assert_int_equal(codec_varint_encode(16384, buf), 3);
    assert_memory_equal(buf, "\x80\x80\x01", 3);
    assert_int_equal(codec_varint_encode((1ull << 63) - 1, buf), 9);
    assert_memory_equal(buf, "\xff\xff\xff\xff\xff\xff\xff\xff\x7f", 9);
}

static void test_varint_2_pow_63_is_beyond_spec(void **state) {
    (void)state;
    uint8_t buf[10];
    /* 2^63 needs a 10th byte: encodable as LEB128, but the multiformats spec caps varints at 9 bytes. */
    assert_int_equal(codec_varint_encode(1ull << 63, buf), 10);
    assert_memory_equal(buf, "\x80\x80\x80\x80\x80\x80\x80\x80\x80\x01", 10);
    uint64_t v = 7;
    assert_int_equal(codec_varint_decode(buf, 10, &v), -2);
    assert_int_equal(codec_varint_encode(UINT64_MAX, buf), 10);
    assert_int_equal(codec_varint_decode(buf, 10, &v), -2);
    assert_true(v == 7); /* untouched */
}

static void test_varint_truncated(void **state) {
    (void)state;
    uint64_t v = 99;
    assert_int_equal(codec_varint_decode(NULL, 0, &v), -1);
    assert_int_equal(codec_varint_decode((const uint8_t *)"\x80", 1, &v), -1);
    assert_int_equal(codec_varint_decode((const uint8_t *)"\xff\xff", 2, &v), -1);
    assert_int_equal(codec_varint_decode((const uint8_t *)"\x80\x80\x80\x80\x80\x80\x80\x80", 8, &v), -1);
    /* a complete varint cut short by len */
    assert_int_equal(codec_varint_decode((const uint8_t *)"\x80\x04", 1, &v), -1);
    assert_true(v == 99);
}

static void test_varint_non_minimal(void **state) {
    (void)state;
    uint64_t v = 99;
    assert_int_equal(codec_varint_decode((const uint8_t *)"\x80\x00", 2, &v), -2);
    assert_int_equal(codec_varint_decode((const uint8_t *)"\x81\x00", 2, &v), -2);
    assert_int_equal(codec_varint_decode((const uint8_t *)"\xff\x80\x00", 3, &v), -2);
    assert_int_equal(codec_varint_decode((const uint8_t *)"\xd1\x00", 2, &v), -2); /* 0x51 padded */
    /* 9 continuation bytes: overlong whatever follows */
    assert_int_equal(codec_varint_decode((const uint8_t *)"\x80\x80\x80\x80\x80\x80\x80\x80\x80\x01", 10, &v),
                     -2);
    assert_int_equal(codec_varint_decode((const uint8_t *)"\x80\x80\x80\x80\x80\x80\x80\x80\x80", 9, &v), -2);
    assert_true(v == 99);
    /* a lone zero is the minimal encoding of 0 */
    assert_int_equal(codec_varint_decode((const uint8_t *)"\x00", 1, &v), 1);
    assert_true(v == 0);
}

/* ------------------------------------------------------------------ multicodec */

static void test_multicodec_prefixes(void **state) {
    (void)state;
    static const struct { uint32_t code; const char *prefix; size_t plen; const char *name; } cases[] = {
        {WACTOR_CODEC_CBOR, "\x51", 1, "cbor"},
        {WACTOR_CODEC_JSON, "\x80\x04", 2, "json"},
        {WACTOR_CODEC_BORSH, "\x81\x0e", 2, "borsh"},
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        size_t len = 0;
        uint8_t *p = codec_wrap(cases[i].code, "abc", 3, &len);
        assert_non_null(p);
        assert_int_equal(len, cases[i].plen + 3);
        assert_memory_equal(p, cases[i].prefix, cases[i].plen);
        assert_memory_equal(p + cases[i].plen, "abc", 3);

        uint32_t code = 0;
        const uint8_t *body = NULL;
        size_t body_len = 0;
        char err[128] = "";
        assert_int_equal(codec_split(p, len, &code, &body, &body_len, err, sizeof err), WACTOR_OK);
        assert_int_equal(code, cases[i].code);
        assert_ptr_equal(body, p + cases[i].plen);
        assert_int_equal(body_len, 3);
        assert_string_equal(codec_name(cases[i].code), cases[i].name);
        assert_int_equal(codec_from_name(cases[i].name), cases[i].code);
        free(p);

        /* empty body */
        p = codec_wrap(cases[i].code, NULL, 0, &len);
        assert_non_null(p);
        assert_int_equal(len, cases[i].plen);
        assert_int_equal(codec_split(p, len, &code, &body, &body_len, NULL, 0), WACTOR_OK);
        assert_int_equal(body_len, 0);
        free(p);
    }
    assert_null(codec_name(0x55));
    assert_null(codec_name(0));
    assert_int_equal(codec_from_name("yaml"), 0);
    assert_int_equal(codec_from_name(NULL), 0);
}

static void test_split_errors(void **state) {
    (void)state;
    char err[128];
    uint32_t code = 42;
    assert_int_equal(codec_split(NULL, 0, &code, NULL, NULL, err, sizeof err), WACTOR_ECODEC);
    assert_string_equal(err, "truncated multicodec prefix");
    assert_int_equal(codec_split((const uint8_t *)"\x80", 1, &code, NULL, NULL, err, sizeof err), WACTOR_ECODEC);
    assert_string_equal(err, "truncated multicodec prefix");
    assert_int_equal(codec_split((const uint8_t *)"\xb4\x24{}", 4, &code, NULL, NULL, err, sizeof err),
                     WACTOR_ECODEC);
    assert_string_equal(err, "unknown multicodec 0x1234");
    assert_int_equal(codec_split((const uint8_t *)"\x55", 1, &code, NULL, NULL, err, sizeof err), WACTOR_ECODEC);
    assert_string_equal(err, "unknown multicodec 0x55");
    assert_int_equal(codec_split((const uint8_t *)"\xd1\x00", 2, &code, NULL, NULL, err, sizeof err),
                     WACTOR_ECODEC);
    assert_string_equal(err, "non-minimal multicodec prefix");
    /* an unknown code wider than 32 bits */
    assert_int_equal(codec_split((const uint8_t *)"\x80\x80\x80\x80\x10", 5, &code, NULL, NULL, err, sizeof err),
                     WACTOR_ECODEC);
    assert_string_equal(err, "unknown multicodec 0x100000000");
    assert_int_equal(code, 42);
    /* err may be NULL */
    assert_int_equal(codec_split((const uint8_t *)"\x55", 1, NULL, NULL, NULL, NULL, 0), WACTOR_ECODEC);
    assert_int_equal(codec_split(NULL, 3, NULL, NULL, NULL, NULL, 0), WACTOR_EINVAL);
    /* a short err buffer is truncated, still NUL-terminated */
    char tiny[8];
    assert_int_equal(codec_split((const uint8_t *)"\x55", 1, NULL, NULL, NULL, tiny, sizeof tiny), WACTOR_ECODEC);
    assert_string_equal(tiny, "unknown");
}

static void test_decode_args_unknown_codec(void **state) {
    (void)state;
    char err[128];
    wactor_value out[1];
    wactor_valtype t[] = {WACTOR_I32};
    assert_int_equal(codec_decode_args((const uint8_t *)"\x55\x81\x01", 3, t, 1, out, err, sizeof err),
                     WACTOR_ECODEC);
    assert_string_equal(err, "unknown multicodec 0x55");
    assert_int_equal(codec_decode_args(NULL, 0, t, 1, out, err, sizeof err), WACTOR_ECODEC);
    assert_string_equal(err, "truncated multicodec prefix");
    assert_int_equal(codec_decode_args((const uint8_t *)"\x51\x81\x01", 3, NULL, 1, out, err, sizeof err),
                     WACTOR_EINVAL);
    wactor_valtype bad[] = {(wactor_valtype)9};
    assert_int_equal(codec_decode_args((const uint8_t *)"\x51\x81\x01", 3, bad, 1, out, err, sizeof err),
                     WACTOR_EINVAL);
}

/* ------------------------------------------------------------------ JSON arguments */

static void test_json_args_all_types(void **state) {
    (void)state;
    wactor_valtype t[] = {WACTOR_I32, WACTOR_I64, WACTOR_F32, WACTOR_F64};
    wactor_value out[4];
    char err[256];
    assert_int_equal(decode_json(" [5, -3, 2.5, 1e300]\n", t, 4, out, err), WACTOR_OK);
    wactor_value want[] = {vi32(5), vi64(-3), vf32(2.5f), vf64(1e300)};
    for (int i = 0; i < 4; i++)
        assert_value_equal(&out[i], &want[i]);

    /* extremes, integral floats for integer types, integers for float types */
    assert_int_equal(decode_json("[-2147483648, 9223372036854775807, 7, -8]", t, 4, out, err), WACTOR_OK);
    assert_int_equal(out[0].of.i32, INT32_MIN);
    assert_true(out[1].of.i64 == INT64_MAX);
    assert_true(out[2].of.f32 == 7.0f);
    assert_true(out[3].of.f64 == -8.0);
    assert_int_equal(decode_json("[5.0, -1e3, 0, 0.1]", t, 4, out, err), WACTOR_OK);
    assert_int_equal(out[0].of.i32, 5);
    assert_true(out[1].of.i64 == -1000);
    assert_true(out[3].of.f64 == 0.1);
    /* i32 is sign-agnostic: 2^32-1 is the bit pattern of -1 */
    assert_int_equal(decode_json("[4294967295, -9223372036854775808, 0, 0]", t, 4, out, err), WACTOR_OK);
    assert_int_equal(out[0].of.i32, -1);
    assert_true(out[1].of.i64 == INT64_MIN);
}

static void test_json_args_ten_params(void **state) {
    (void)state;
    wactor_valtype t[10];
    for (int i = 0; i < 10; i++)
        t[i] = (wactor_valtype)(i % 4);
    wactor_value out[10];
    char err[256];
    assert_int_equal(decode_json("[0,1,2.5,3.25,4,5,6.5,7.75,8,9]", t, 10, out, err), WACTOR_OK);
    wactor_value want[] = {vi32(0), vi64(1), vf32(2.5f), vf64(3.25), vi32(4),
                           vi64(5), vf32(6.5f), vf64(7.75), vi32(8), vi64(9)};
    for (int i = 0; i < 10; i++)
        assert_value_equal(&out[i], &want[i]);
}

static void test_json_args_arity(void **state) {
    (void)state;
    wactor_valtype t[] = {WACTOR_I32, WACTOR_I32};
    wactor_value out[2];
    char err[256];
    assert_int_equal(decode_json("[1,2,3]", t, 2, out, err), WACTOR_EARITY);
    assert_string_equal(err, "expected 2 arguments, got 3");
    assert_int_equal(decode_json("[1]", t, 2, out, err), WACTOR_EARITY);
    assert_string_equal(err, "expected 2 arguments, got 1");
    assert_int_equal(decode_json("[]", t, 1, out, err), WACTOR_EARITY);
    assert_string_equal(err, "expected 1 argument, got 0");
    assert_int_equal(decode_json("[7]", NULL, 0, NULL, err), WACTOR_EARITY);
    assert_string_equal(err, "expected 0 arguments, got 1");
    assert_int_equal(decode_json("[]", NULL, 0, NULL, err), WACTOR_OK);
    /* arity is reported before a type error */
    assert_int_equal(decode_json("[\"x\",2,3]", t, 2, out, err), WACTOR_EARITY);
}

static void test_json_args_types(void **state) {
    (void)state;
    wactor_valtype t[] = {WACTOR_I32, WACTOR_F64};
    wactor_value out[2];
    char err[256];
    assert_int_equal(decode_json("[\"5\", 1]", t, 2, out, err), WACTOR_ETYPE);
    assert_string_equal(err, "argument 1: expected i32, got string");
    assert_int_equal(decode_json("[5, null]", t, 2, out, err), WACTOR_ETYPE);
    assert_string_equal(err, "argument 2: expected f64, got null");
    assert_int_equal(decode_json("[true, 1]", t, 2, out, err), WACTOR_ETYPE);
    assert_string_equal(err, "argument 1: expected i32, got bool");
    assert_int_equal(decode_json("[1, [2]]", t, 2, out, err), WACTOR_ETYPE);
    assert_string_equal(err, "argument 2: expected f64, got array");
    assert_int_equal(decode_json("[1, {}]", t, 2, out, err), WACTOR_ETYPE);
    assert_string_equal(err, "argument 2: expected f64, got object");
    assert_int_equal(decode_json("[2.5, 1]", t, 2, out, err), WACTOR_ETYPE);
    assert_string_equal(err, "argument 1: expected i32, got non-integral number 2.5");
}

static void test_json_args_range(void **state) {
    (void)state;
    wactor_valtype t32[] = {WACTOR_I32}, t64[] = {WACTOR_I64}, tf32[] = {WACTOR_F32}, tf64[] = {WACTOR_F64};
    wactor_value out[1];
    char err[256];
    assert_int_equal(decode_json("[4294967296]", t32, 1, out, err), WACTOR_ETYPE);
    assert_string_equal(err, "argument 1: 4294967296 out of range for i32");
    assert_int_equal(decode_json("[-2147483649]", t32, 1, out, err), WACTOR_ETYPE);
    assert_string_equal(err, "argument 1: -2147483649 out of range for i32");
    assert_int_equal(decode_json("[5e9]", t32, 1, out, err), WACTOR_ETYPE);
    assert_string_equal(err, "argument 1: 5000000000 out of range for i32");
    assert_int_equal(decode_json("[1e39]", tf32, 1, out, err), WACTOR_ETYPE);
    assert_string_equal(err, "argument 1: 1e+39 out of range for f32");
    assert_int_equal(decode_json("[3e38]", tf32, 1, out, err), WACTOR_OK);
    /* beyond what jansson can hold: still a type error, not a codec error */
    assert_int_equal(decode_json("[9223372036854775808]", t64, 1, out, err), WACTOR_ETYPE);
    assert_non_null(strstr(err, "JSON number out of range"));
    assert_int_equal(decode_json("[1e999]", tf64, 1, out, err), WACTOR_ETYPE);
    assert_non_null(strstr(err, "JSON number out of range"));
}

static void test_json_args_malformed(void **state) {
    (void)state;
    wactor_valtype t[] = {WACTOR_I32};
    wactor_value out[1];
    char err[256];
    const char *bad[] = {"", "[1,", "[1 2]", "[1] x", "[1]]", "[01]", "nul", "[NaN]", "[\"\\u0000\"]"};
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        assert_int_equal(decode_json(bad[i], t, 1, out, err), WACTOR_ECODEC);
        assert_true(strncmp(err, "malformed JSON: ", 16) == 0);
    }
    assert_int_equal(decode_json("{\"a\":1}", t, 1, out, err), WACTOR_ECODEC);
    assert_string_equal(err, "JSON arguments must be an array, got object");
    assert_int_equal(decode_json("5", t, 1, out, err), WACTOR_ECODEC);
    assert_string_equal(err, "JSON arguments must be an array, got number");
    assert_int_equal(decode_json("null", t, 1, out, err), WACTOR_ECODEC);
    assert_string_equal(err, "JSON arguments must be an array, got null");
    /* a NUL byte inside the body */
    assert_int_equal(decode_body(WACTOR_CODEC_JSON, "[1]\0", 4, t, 1, out, err, sizeof err), WACTOR_ECODEC);
}

/* ------------------------------------------------------------------ CBOR arguments */

static void test_cbor_args_all_types(void **state) {
    (void)state;
    wactor_valtype t[] = {WACTOR_I32, WACTOR_I64, WACTOR_F32, WACTOR_F64};
    wactor_value out[4];
    char err[256];
    /* [5, -3, 2.5 (single), 1.5 (double)] */
    static const uint8_t a[] = {0x84, 0x05, 0x22, 0xfa, 0x40, 0x20, 0x00, 0x00,
                                0xfb, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0};
    assert_int_equal(decode_cbor(a, sizeof a, t, 4, out, err), WACTOR_OK);
    wactor_value want[] = {vi32(5), vi64(-3), vf32(2.5f), vf64(1.5)};
    for (int i = 0; i < 4; i++)
        assert_value_equal(&out[i], &want[i]);

    /* indefinite array: [_ -2^31, 2^64-1, 1.5 (half), 7 (int for f64)] */
    static const uint8_t b[] = {0x9f, 0x3a, 0x7f, 0xff, 0xff, 0xff,
                                0x1b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                0xf9, 0x3e, 0x00, 0x07, 0xff};
    assert_int_equal(decode_cbor(b, sizeof b, t, 4, out, err), WACTOR_OK);
    assert_int_equal(out[0].of.i32, INT32_MIN);
    assert_true(out[1].of.i64 == -1); /* 2^64-1 is the bit pattern of -1 */
    assert_true(out[2].of.f32 == 1.5f);
    assert_true(out[3].of.f64 == 7.0);

    /* NaN and infinities travel in CBOR */
    static const uint8_t c[] = {0x84, 0x00, 0x00, 0xf9, 0x7c, 0x00, 0xfb, 0x7f, 0xf8, 0, 0, 0, 0, 0, 0};
    assert_int_equal(decode_cbor(c, sizeof c, t, 4, out, err), WACTOR_OK);
    assert_true(isinf(out[2].of.f32) && out[2].of.f32 > 0);
    assert_true(isnan(out[3].of.f64));

    /* integral float for an integer parameter */
    static const uint8_t d[] = {0x84, 0xf9, 0x44, 0x00, 0xfb, 0xc0, 0x08, 0, 0, 0, 0, 0, 0, 0x01, 0x01};
    assert_int_equal(decode_cbor(d, sizeof d, t, 4, out, err), WACTOR_OK);
    assert_int_equal(out[0].of.i32, 4);
    assert_true(out[1].of.i64 == -3);
}

static void test_cbor_args_ten_params_built_with_libcbor(void **state) {
    (void)state;
    wactor_valtype t[10];
    cbor_item_t *arr = cbor_new_definite_array(10);
    assert_non_null(arr);
    for (int i = 0; i < 10; i++) {
        t[i] = (wactor_valtype)(i % 4);
        cbor_item_t *it;
        switch (i % 4) {
        case 0: it = cbor_build_uint32((uint32_t)i * 1000u); break;
        case 1: it = cbor_build_negint64((uint64_t)i * 10000000000ull); break;
        case 2: it = cbor_build_float4((float)i + 0.5f); break;
        default: it = cbor_build_float8((double)i + 0.25); break;
        }
        assert_true(cbor_array_push(arr, cbor_move(it)));
    }
    unsigned char *buf = NULL;
    size_t cap = 0;
    size_t len = cbor_serialize_alloc(arr, &buf, &cap);
    cbor_decref(&arr);
    assert_true(len > 0);
    wactor_value out[10];
    char err[256];
    assert_int_equal(decode_cbor(buf, len, t, 10, out, err), WACTOR_OK);
    free(buf);
    for (int i = 0; i < 10; i++) {
        switch (i % 4) {
        case 0: assert_int_equal(out[i].of.i32, i * 1000); break;
        case 1: assert_true(out[i].of.i64 == -1 - (int64_t)i * 10000000000ll); break;
        case 2: assert_true(out[i].of.f32 == (float)i + 0.5f); break;
        default: assert_true(out[i].of.f64 == (double)i + 0.25); break;
        }
    }
}

static void test_cbor_args_errors(void **state) {
    (void)state;
    wactor_valtype t[] = {WACTOR_I32, WACTOR_I64};
    wactor_value out[2];
    char err[256];
#define CB(...) ((const uint8_t[]){__VA_ARGS__}), sizeof((const uint8_t[]){__VA_ARGS__})
    /* not an array */
    assert_int_equal(decode_cbor(CB(0xa1, 0x01, 0x02), t, 2, out, err), WACTOR_ECODEC);
    assert_string_equal(err, "CBOR arguments must be an array, got map");
    assert_int_equal(decode_cbor(CB(0x05), t, 2, out, err), WACTOR_ECODEC);
    assert_string_equal(err, "CBOR arguments must be an array, got integer");
    assert_int_equal(decode_cbor(CB(0x62, 'h', 'i'), t, 2, out, err), WACTOR_ECODEC);
    assert_string_equal(err, "CBOR arguments must be an array, got string");
    /* truncated */
    assert_int_equal(decode_cbor(NULL, 0, t, 2, out, err), WACTOR_ECODEC);
    assert_non_null(strstr(err, "truncated CBOR"));
    assert_int_equal(decode_cbor(CB(0x82, 0x01), t, 2, out, err), WACTOR_ECODEC);
    assert_non_null(strstr(err, "truncated CBOR"));
    assert_int_equal(decode_cbor(CB(0x9f, 0x01, 0x02), t, 2, out, err), WACTOR_ECODEC);
    assert_int_equal(decode_cbor(CB(0x82, 0x01, 0x1a, 0x00), t, 2, out, err), WACTOR_ECODEC);
    /* a header claiming 2^64-1 elements: truncated, and nothing is allocated for it */
    assert_int_equal(decode_cbor(CB(0x9b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01), t, 2, out, err),
                     WACTOR_ECODEC);
    assert_int_equal(decode_cbor(CB(0x82, 0x01, 0x5b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff), t, 2,
                                 out, err),
                     WACTOR_ECODEC);
    /* trailing bytes */
    assert_int_equal(decode_cbor(CB(0x82, 0x01, 0x02, 0x00), t, 2, out, err), WACTOR_ECODEC);
    assert_non_null(strstr(err, "trailing bytes"));
    /* malformed */
    assert_int_equal(decode_cbor(CB(0xff), t, 2, out, err), WACTOR_ECODEC);
    assert_int_equal(decode_cbor(CB(0x82, 0x01, 0xff), t, 2, out, err), WACTOR_ECODEC);
    assert_string_equal(err, "malformed CBOR: unexpected break");
    assert_int_equal(decode_cbor(CB(0x82, 0x01, 0x1c), t, 2, out, err), WACTOR_ECODEC); /* reserved */
    assert_int_equal(decode_cbor(CB(0x82, 0x01, 0xbf, 0x01, 0xff), t, 2, out, err), WACTOR_ECODEC);
    assert_int_equal(decode_cbor(CB(0x82, 0x01, 0x5f, 0x61, 0x61, 0xff), t, 2, out, err), WACTOR_ECODEC);
    assert_non_null(strstr(err, "indefinite-length string"));
    /* nesting bounded */
    uint8_t deep[100];
    deep[0] = 0x82;
    deep[1] = 0x01;
    for (size_t i = 2; i < sizeof deep - 1; i++)
        deep[i] = 0x81;
    deep[sizeof deep - 1] = 0x01;
    assert_int_equal(decode_cbor(deep, sizeof deep, t, 2, out, err), WACTOR_ECODEC);
    assert_non_null(strstr(err, "nesting"));
    /* moderate nesting is fine structurally, and is a type error */
    assert_int_equal(decode_cbor(CB(0x82, 0x01, 0x81, 0x81, 0x81, 0x9f, 0xa1, 0x01, 0x5f, 0x41, 0x00, 0xff, 0xff),
                                 t, 2, out, err),
                     WACTOR_ETYPE);
    assert_string_equal(err, "argument 2: expected i64, got array");
#undef CB
}

static void test_cbor_args_arity_types_range(void **state) {
    (void)state;
    wactor_valtype t[] = {WACTOR_I32, WACTOR_I64};
    wactor_value out[2];
    char err[256];
#define CB(...) ((const uint8_t[]){__VA_ARGS__}), sizeof((const uint8_t[]){__VA_ARGS__})
    assert_int_equal(decode_cbor(CB(0x83, 0x01, 0x02, 0x03), t, 2, out, err), WACTOR_EARITY);
    assert_string_equal(err, "expected 2 arguments, got 3");
    assert_int_equal(decode_cbor(CB(0x9f, 0x01, 0xff), t, 2, out, err), WACTOR_EARITY);
    assert_string_equal(err, "expected 2 arguments, got 1");
    assert_int_equal(decode_cbor(CB(0x83, 0x61, 'x', 0x02, 0x03), t, 2, out, err), WACTOR_EARITY);
    assert_int_equal(decode_cbor(CB(0x80), NULL, 0, NULL, err), WACTOR_OK);

    assert_int_equal(decode_cbor(CB(0x82, 0x01, 0x61, 'x'), t, 2, out, err), WACTOR_ETYPE);
    assert_string_equal(err, "argument 2: expected i64, got string");
    assert_int_equal(decode_cbor(CB(0x82, 0x41, 0x00, 0x01), t, 2, out, err), WACTOR_ETYPE);
    assert_string_equal(err, "argument 1: expected i32, got byte string");
    assert_int_equal(decode_cbor(CB(0x82, 0xc2, 0x41, 0x01, 0x01), t, 2, out, err), WACTOR_ETYPE);
    assert_string_equal(err, "argument 1: expected i32, got tag");
    assert_int_equal(decode_cbor(CB(0x82, 0xf5, 0x01), t, 2, out, err), WACTOR_ETYPE);
    assert_string_equal(err, "argument 1: expected i32, got bool");
    assert_int_equal(decode_cbor(CB(0x82, 0x01, 0xf6), t, 2, out, err), WACTOR_ETYPE);
    assert_string_equal(err, "argument 2: expected i64, got null");
    assert_int_equal(decode_cbor(CB(0x82, 0x01, 0xa0), t, 2, out, err), WACTOR_ETYPE);
    assert_string_equal(err, "argument 2: expected i64, got map");
    assert_int_equal(decode_cbor(CB(0x82, 0xf9, 0x3e, 0x00, 0x01), t, 2, out, err), WACTOR_ETYPE);
    assert_string_equal(err, "argument 1: expected i32, got non-integral number 1.5");

    assert_int_equal(decode_cbor(CB(0x82, 0x1b, 0, 0, 0, 1, 0, 0, 0, 0, 0x01), t, 2, out, err), WACTOR_ETYPE);
    assert_string_equal(err, "argument 1: 4294967296 out of range for i32");
    assert_int_equal(decode_cbor(CB(0x82, 0x3a, 0x80, 0, 0, 0, 0x01), t, 2, out, err), WACTOR_ETYPE);
    assert_string_equal(err, "argument 1: -2147483649 out of range for i32");
    assert_int_equal(decode_cbor(CB(0x82, 0x01, 0x3b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff), t, 2, out,
                                 err),
                     WACTOR_ETYPE);
    assert_string_equal(err, "argument 2: -18446744073709551616 out of range for i64");
    assert_int_equal(decode_cbor(CB(0x82, 0x01, 0x3b, 0x80, 0, 0, 0, 0, 0, 0, 0), t, 2, out, err), WACTOR_ETYPE);
    assert_string_equal(err, "argument 2: -9223372036854775809 out of range for i64");
    assert_int_equal(decode_cbor(CB(0x82, 0x01, 0x3b, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff), t, 2, out,
                                 err),
                     WACTOR_OK);
    assert_true(out[1].of.i64 == INT64_MIN);
#undef CB
}

/* ------------------------------------------------------------------ Borsh arguments */

static void test_borsh_args(void **state) {
    (void)state;
    wactor_valtype t[] = {WACTOR_I32, WACTOR_I64, WACTOR_F32, WACTOR_F64};
    wactor_value out[4];
    char err[256];
    static const uint8_t b[] = {
        0xfb, 0xff, 0xff, 0xff,                         /* i32 -5 */
        0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, /* i64 2^32 */
        0x00, 0x00, 0x20, 0x40,                         /* f32 2.5 */
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xf8, 0xbf, /* f64 -1.5 */
    };
    assert_int_equal(decode_body(WACTOR_CODEC_BORSH, b, sizeof b, t, 4, out, err, sizeof err), WACTOR_OK);
    wactor_value want[] = {vi32(-5), vi64(1ll << 32), vf32(2.5f), vf64(-1.5)};
    for (int i = 0; i < 4; i++)
        assert_value_equal(&out[i], &want[i]);

    assert_int_equal(decode_body(WACTOR_CODEC_BORSH, b, sizeof b - 1, t, 4, out, err, sizeof err), WACTOR_ECODEC);
    assert_string_equal(err, "truncated Borsh arguments: expected 24 bytes, got 23");
    uint8_t longer[sizeof b + 1];
    memcpy(longer, b, sizeof b);
    longer[sizeof b] = 0;
    assert_int_equal(decode_body(WACTOR_CODEC_BORSH, longer, sizeof longer, t, 4, out, err, sizeof err),
                     WACTOR_ECODEC);
    assert_string_equal(err, "trailing bytes after Borsh arguments: expected 24 bytes, got 25");
    assert_int_equal(decode_body(WACTOR_CODEC_BORSH, NULL, 0, NULL, 0, NULL, err, sizeof err), WACTOR_OK);
    assert_int_equal(decode_body(WACTOR_CODEC_BORSH, "\x01", 1, NULL, 0, NULL, err, sizeof err), WACTOR_ECODEC);
    assert_int_equal(decode_body(WACTOR_CODEC_BORSH, NULL, 0, t, 1, out, err, sizeof err), WACTOR_ECODEC);
    assert_string_equal(err, "truncated Borsh arguments: expected 4 bytes, got 0");

    /* ten parameters */
    wactor_valtype t10[10];
    uint8_t body[80];
    size_t off = 0;
    for (int i = 0; i < 10; i++) {
        t10[i] = (i % 2) ? WACTOR_I64 : WACTOR_I32;
        size_t sz = (i % 2) ? 8 : 4;
        for (size_t k = 0; k < sz; k++)
            body[off + k] = k == 0 ? (uint8_t)(i + 1) : 0;
        off += sz;
    }
    wactor_value out10[10];
    assert_int_equal(decode_body(WACTOR_CODEC_BORSH, body, off, t10, 10, out10, err, sizeof err), WACTOR_OK);
    for (int i = 0; i < 10; i++) {
        if (i % 2)
            assert_true(out10[i].of.i64 == i + 1);
        else
            assert_int_equal(out10[i].of.i32, i + 1);
    }
}

/* ------------------------------------------------------------------ results */

static void test_results_json(void **state) {
    (void)state;
    uint8_t *p;
    size_t len;
    assert_int_equal(codec_encode_results(WACTOR_CODEC_JSON, NULL, 0, &p, &len), WACTOR_OK);
    assert_int_equal(len, 4);
    assert_memory_equal(p, "\x80\x04[]", 4);
    free(p);

    wactor_value one[] = {vi32(8)};
    assert_int_equal(codec_encode_results(WACTOR_CODEC_JSON, one, 1, &p, &len), WACTOR_OK);
    assert_int_equal(len, 5);
    assert_memory_equal(p, "\x80\x04[8]", 5);
    free(p);

    wactor_value several[] = {vi32(-1), vi64(INT64_MIN), vf32(2.5f), vf64(6.0), vf64(0.1), vf32(0.1f),
                              vf64(NAN), vf32(-INFINITY)};
    assert_int_equal(codec_encode_results(WACTOR_CODEC_JSON, several, ARRAY_LEN(several), &p, &len), WACTOR_OK);
    const char *want = "[-1,-9223372036854775808,2.5,6,0.1,0.1,\"nan\",\"-inf\"]"; /* non-finite: strings */
    assert_int_equal(len, 2 + strlen(want));
    assert_memory_equal(p + 2, want, strlen(want));
    json_error_t jerr;
    json_t *j = json_loadb((const char *)p + 2, len - 2, 0, &jerr);
    assert_non_null(j);
    assert_true(json_is_array(j));
    assert_int_equal(json_array_size(j), ARRAY_LEN(several));
    assert_true(json_integer_value(json_array_get(j, 0)) == -1);
    assert_true(json_integer_value(json_array_get(j, 1)) == INT64_MIN);
    assert_true(json_real_value(json_array_get(j, 2)) == 2.5);
    assert_true(json_number_value(json_array_get(j, 3)) == 6.0);
    assert_true(json_real_value(json_array_get(j, 4)) == 0.1);
    assert_true((float)json_real_value(json_array_get(j, 5)) == 0.1f);
    assert_string_equal(json_string_value(json_array_get(j, 6)), "nan");
    assert_string_equal(json_string_value(json_array_get(j, 7)), "-inf");
    json_decref(j);
    free(p);
}

static void test_results_cbor(void **state) {
    (void)state;
    uint8_t *p;
    size_t len;
    assert_int_equal(codec_encode_results(WACTOR_CODEC_CBOR, NULL, 0, &p, &len), WACTOR_OK);
    assert_int_equal(len, 2);
    assert_memory_equal(p, "\x51\x80", 2);
    free(p);

    wactor_value one[] = {vi32(8)};
    assert_int_equal(codec_encode_results(WACTOR_CODEC_CBOR, one, 1, &p, &len), WACTOR_OK);
    assert_int_equal(len, 3);
    assert_memory_equal(p, "\x51\x81\x08", 3);
    free(p);

    wactor_value several[] = {vi32(-1), vi64(INT64_MIN), vf32(2.5f), vf64(6.0), vi32(INT32_MAX), vi64(1000),
                              vf64(NAN)};
    assert_int_equal(codec_encode_results(WACTOR_CODEC_CBOR, several, ARRAY_LEN(several), &p, &len), WACTOR_OK);
    assert_int_equal(p[0], 0x51);
    struct cbor_load_result res;
    cbor_item_t *item = cbor_load(p + 1, len - 1, &res);
    assert_non_null(item);
    assert_int_equal(res.error.code, CBOR_ERR_NONE);
    assert_int_equal(res.read, len - 1);
    assert_true(cbor_isa_array(item));
    assert_true(cbor_array_is_definite(item));
    assert_int_equal(cbor_array_size(item), ARRAY_LEN(several));
    cbor_item_t **h = cbor_array_handle(item);
    assert_true(cbor_isa_negint(h[0]) && cbor_get_int(h[0]) == 0);
    assert_true(cbor_isa_negint(h[1]) && cbor_get_int(h[1]) == (uint64_t)INT64_MAX);
    assert_true(cbor_isa_float_ctrl(h[2]) && cbor_float_get_width(h[2]) == CBOR_FLOAT_32);
    assert_true(cbor_float_get_float4(h[2]) == 2.5f);
    assert_true(cbor_float_get_width(h[3]) == CBOR_FLOAT_64 && cbor_float_get_float8(h[3]) == 6.0);
    assert_true(cbor_isa_uint(h[4]) && cbor_get_int(h[4]) == INT32_MAX);
    assert_true(cbor_isa_uint(h[5]) && cbor_int_get_width(h[5]) == CBOR_INT_16 && cbor_get_int(h[5]) == 1000);
    assert_true(isnan(cbor_float_get_float8(h[6])));
    cbor_decref(&item);
    free(p);
}

static void test_results_borsh(void **state) {
    (void)state;
    uint8_t *p;
    size_t len;
    assert_int_equal(codec_encode_results(WACTOR_CODEC_BORSH, NULL, 0, &p, &len), WACTOR_OK);
    assert_int_equal(len, 2);
    assert_memory_equal(p, "\x81\x0e", 2);
    free(p);
    wactor_value vals[] = {vi32(-5), vi64(1ll << 32), vf32(2.5f), vf64(-1.5)};
    assert_int_equal(codec_encode_results(WACTOR_CODEC_BORSH, vals, 4, &p, &len), WACTOR_OK);
    static const uint8_t want[] = {
        0x81, 0x0e, 0xfb, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x20, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xf8, 0xbf,
    };
    assert_int_equal(len, sizeof want);
    assert_memory_equal(p, want, sizeof want);
    free(p);
}

static void test_results_round_trip_every_codec(void **state) {
    (void)state;
    const uint32_t codecs[] = {WACTOR_CODEC_JSON, WACTOR_CODEC_CBOR, WACTOR_CODEC_BORSH};
    wactor_value vals[] = {vi32(INT32_MIN), vi32(INT32_MAX), vi32(0), vi64(INT64_MIN), vi64(INT64_MAX),
                           vf32(0.1f), vf32(-3.4028235e38f), vf32(1e-45f), vf64(0.1), vf64(-2.2250738585072014e-308),
                           vf64(1.7976931348623157e308), vf64(-0.0)};
    const size_t n = ARRAY_LEN(vals);
    wactor_valtype types[ARRAY_LEN(vals)];
    for (size_t i = 0; i < n; i++)
        types[i] = vals[i].type;
    for (size_t c = 0; c < ARRAY_LEN(codecs); c++) {
        for (size_t count = 0; count <= n; count += (count < 2 ? 1 : n - 2)) { /* 0, 1, 2, n values */
            uint8_t *p;
            size_t len;
            assert_int_equal(codec_encode_results(codecs[c], vals, count, &p, &len), WACTOR_OK);
            wactor_value back[ARRAY_LEN(vals)];
            char err[256] = "";
            wactor_error e = codec_decode_args(p, len, types, count, back, err, sizeof err);
            if (e != WACTOR_OK)
                fail_msg("%s, %zu values: %s", codec_name(codecs[c]), count, err);
            for (size_t i = 0; i < count; i++)
                assert_value_equal(&back[i], &vals[i]);
            free(p);
        }
    }
    /* NaN survives CBOR and Borsh */
    wactor_value nan2[] = {vf32(NAN), vf64(-NAN)};
    wactor_valtype nt[] = {WACTOR_F32, WACTOR_F64};
    for (size_t c = 1; c < 3; c++) {
        uint8_t *p;
        size_t len;
        assert_int_equal(codec_encode_results(codecs[c], nan2, 2, &p, &len), WACTOR_OK);
        wactor_value back[2];
        assert_int_equal(codec_decode_args(p, len, nt, 2, back, NULL, 0), WACTOR_OK);
        assert_true(isnan(back[0].of.f32) && isnan(back[1].of.f64));
        free(p);
    }
    /* ...and JSON, as the strings "nan" and "-nan", bit for bit */
    uint8_t *p;
    size_t len;
    assert_int_equal(codec_encode_results(WACTOR_CODEC_JSON, nan2, 2, &p, &len), WACTOR_OK);
    assert_int_equal(len, 2 + strlen("[\"nan\",\"-nan\"]"));
    assert_memory_equal(p + 2, "[\"nan\",\"-nan\"]", len - 2);
    wactor_value back[2];
    char err[256];
    assert_int_equal(codec_decode_args(p, len, nt, 2, back, err, sizeof err), WACTOR_OK);
    assert_memory_equal(&back[0].of.f32, &nan2[0].of.f32, 4);
    assert_memory_equal(&back[1].of.f64, &nan2[1].of.f64, 8);
    free(p);
}

static uint32_t f32_bits(const wactor_value *v) {
    uint32_t u;
    memcpy(&u, &v->of.f32, 4);
    return u;
}
static uint64_t f64_bits(const wactor_value *v) {
    uint64_t u;
    memcpy(&u, &v->of.f64, 8);
    return u;
}
static wactor_value f32_of_bits(uint32_t u) {
    wactor_value v = {.type = WACTOR_F32};
    memcpy(&v.of.f32, &u, 4);
    return v;
}
static wactor_value f64_of_bits(uint64_t u) {
    wactor_value v = {.type = WACTOR_F64};
    memcpy(&v.of.f64, &u, 8);
    return v;
}

/* CBOR keeps a NaN's exact bits: signalling NaNs are not quieted, payloads and signs survive, in both
 * directions; between widths the payload moves top-aligned (found by fuzz/fuzz_codec.c: an f32 signalling
 * NaN came back quiet). */
static void test_cbor_nan_bits_exact(void **state) {
    (void)state;
    wactor_value out[8];
    char err[256];
    /* [sNaN f32 7f800001, -sNaN f32 ff9a9ae8, qNaN f32 with payload 7fc12345, sNaN f64 7ff0000000000001,
     *  f32 sNaN ff800001 for an f64, f64 sNaN 7ff0000000000001 for an f32 (payload only in dropped bits),
     *  half qNaN 7e01 for an f32, half sNaN 7c01 for an f64] */
    static const uint8_t body[] = {0x88,
                                   0xfa, 0x7f, 0x80, 0x00, 0x01,
                                   0xfa, 0xff, 0x9a, 0x9a, 0xe8,
                                   0xfa, 0x7f, 0xc1, 0x23, 0x45,
                                   0xfb, 0x7f, 0xf0, 0, 0, 0, 0, 0, 0x01,
                                   0xfa, 0xff, 0x80, 0x00, 0x01,
                                   0xfb, 0x7f, 0xf0, 0, 0, 0, 0, 0, 0x01,
                                   0xf9, 0x7e, 0x01,
                                   0xf9, 0x7c, 0x01};
    wactor_valtype t[] = {WACTOR_F32, WACTOR_F32, WACTOR_F32, WACTOR_F64,
                          WACTOR_F64, WACTOR_F32, WACTOR_F32, WACTOR_F64};
    assert_int_equal(decode_cbor(body, sizeof body, t, 8, out, err), WACTOR_OK);
    assert_int_equal(f32_bits(&out[0]), 0x7f800001u);
    assert_int_equal(f32_bits(&out[1]), 0xff9a9ae8u);
    assert_int_equal(f32_bits(&out[2]), 0x7fc12345u);
    assert_true(f64_bits(&out[3]) == UINT64_C(0x7ff0000000000001));
    assert_true(f64_bits(&out[4]) == UINT64_C(0xfff0000020000000)); /* payload 1 << 29 */
    assert_int_equal(f32_bits(&out[5]), 0x7f800001u);               /* still a signalling NaN */
    assert_int_equal(f32_bits(&out[6]), 0x7fc02000u);               /* half payload 0x201 << 13 */
    assert_true(f64_bits(&out[7]) == UINT64_C(0x7ff0040000000000)); /* half sNaN 0x001 << 42 */
    for (int i = 0; i < 8; i++)
        assert_true(t[i] == WACTOR_F32 ? isnan(out[i].of.f32) : isnan(out[i].of.f64));

    /* ...and an integer parameter still refuses a NaN */
    wactor_valtype ti = WACTOR_I32;
    static const uint8_t one_nan[] = {0x81, 0xfa, 0x7f, 0x80, 0x00, 0x01};
    assert_int_equal(decode_cbor(one_nan, sizeof one_nan, &ti, 1, out, err), WACTOR_ETYPE);
    assert_string_equal(err, "argument 1: expected i32, got non-integral number nan");

    /* Results: the exact bits go out, and come back */
    wactor_value vals[] = {f32_of_bits(0x7f800001u), f32_of_bits(0xffbfffffu), f64_of_bits(UINT64_C(0xfff0000000000abc))};
    wactor_valtype vt[] = {WACTOR_F32, WACTOR_F32, WACTOR_F64};
    uint8_t *p;
    size_t len;
    assert_int_equal(codec_encode_results(WACTOR_CODEC_CBOR, vals, 3, &p, &len), WACTOR_OK);
    static const uint8_t want[] = {0x51, 0x83, 0xfa, 0x7f, 0x80, 0x00, 0x01, 0xfa, 0xff, 0xbf, 0xff, 0xff,
                                   0xfb, 0xff, 0xf0, 0, 0, 0, 0, 0x0a, 0xbc};
    assert_int_equal(len, sizeof want);
    assert_memory_equal(p, want, sizeof want);
    wactor_value back[3];
    assert_int_equal(codec_decode_args(p, len, vt, 3, back, err, sizeof err), WACTOR_OK);
    for (int i = 0; i < 3; i++)
        assert_value_equal(&back[i], &vals[i]);
    free(p);
}

static void test_results_errors(void **state) {
    (void)state;
    uint8_t *p = (uint8_t *)"untouched";
    size_t len = 0;
    wactor_value v[] = {vi32(1)};
    assert_int_equal(codec_encode_results(0x55, v, 1, &p, &len), WACTOR_ECODEC);
    assert_string_equal((const char *)p, "untouched");
    assert_int_equal(codec_encode_results(WACTOR_CODEC_JSON, v, 1, NULL, &len), WACTOR_EINVAL);
    assert_int_equal(codec_encode_results(WACTOR_CODEC_JSON, NULL, 1, &p, &len), WACTOR_EINVAL);
    wactor_value bad = {.type = (wactor_valtype)7};
    assert_int_equal(codec_encode_results(WACTOR_CODEC_CBOR, &bad, 1, &p, &len), WACTOR_EINVAL);
}

/* ------------------------------------------------------------------ CLI text */

static void test_parse_value_integers(void **state) {
    (void)state;
    wactor_value v;
    char err[256];
    static const struct { const char *text; wactor_valtype t; int64_t want; } ok[] = {
        {"5", WACTOR_I32, 5}, {"-3", WACTOR_I32, -3}, {"+7", WACTOR_I32, 7}, {"0x10", WACTOR_I32, 16},
        {"0XfF", WACTOR_I32, 255}, {"-0x10", WACTOR_I32, -16}, {"010", WACTOR_I32, 10}, {" 42\n", WACTOR_I32, 42},
        {"-0", WACTOR_I32, 0}, {"2147483647", WACTOR_I32, INT32_MAX}, {"-2147483648", WACTOR_I32, INT32_MIN},
        {"4294967295", WACTOR_I32, -1}, {"0xffffffff", WACTOR_I32, -1}, {"0x80000000", WACTOR_I32, INT32_MIN},
        {"-9223372036854775808", WACTOR_I64, INT64_MIN}, {"9223372036854775807", WACTOR_I64, INT64_MAX},
        {"18446744073709551615", WACTOR_I64, -1}, {"0x7fffffffffffffff", WACTOR_I64, INT64_MAX},
    };
    for (size_t i = 0; i < ARRAY_LEN(ok); i++) {
        assert_int_equal(codec_parse_value(ok[i].text, ok[i].t, &v, err, sizeof err), WACTOR_OK);
        assert_int_equal(v.type, ok[i].t);
        if (ok[i].t == WACTOR_I32)
            assert_int_equal(v.of.i32, (int32_t)ok[i].want);
        else
            assert_true(v.of.i64 == ok[i].want);
    }
    assert_int_equal(codec_parse_value("4294967296", WACTOR_I32, &v, err, sizeof err), WACTOR_ETYPE);
    assert_string_equal(err, "4294967296 out of range for i32");
    assert_int_equal(codec_parse_value("-2147483649", WACTOR_I32, &v, err, sizeof err), WACTOR_ETYPE);
    assert_string_equal(err, "-2147483649 out of range for i32");
    assert_int_equal(codec_parse_value("0x100000000", WACTOR_I32, &v, err, sizeof err), WACTOR_ETYPE);
    assert_string_equal(err, "0x100000000 out of range for i32");
    assert_int_equal(codec_parse_value("18446744073709551616", WACTOR_I64, &v, err, sizeof err), WACTOR_ETYPE);
    assert_string_equal(err, "18446744073709551616 out of range for i64");
    assert_int_equal(codec_parse_value("-9223372036854775809", WACTOR_I64, &v, err, sizeof err), WACTOR_ETYPE);
    assert_string_equal(err, "-9223372036854775809 out of range for i64");
    assert_int_equal(codec_parse_value("99999999999999999999999", WACTOR_I64, &v, err, sizeof err),
                     WACTOR_ETYPE);
    assert_string_equal(err, "99999999999999999999999 out of range for i64");

    const char *junk[] = {"", " ", "abc", "1.5", "1e3", "0x", "-", "5 5", "12abc", "0x1g", "--1", "nan", "0b101"};
    for (size_t i = 0; i < ARRAY_LEN(junk); i++)
        assert_int_equal(codec_parse_value(junk[i], WACTOR_I32, &v, err, sizeof err), WACTOR_ETYPE);
    assert_int_equal(codec_parse_value("abc", WACTOR_I32, &v, err, sizeof err), WACTOR_ETYPE);
    assert_string_equal(err, "expected i32, got 'abc'");
    assert_int_equal(codec_parse_value("1.5", WACTOR_I64, &v, err, sizeof err), WACTOR_ETYPE);
    assert_string_equal(err, "expected i64, got '1.5'");
    assert_int_equal(codec_parse_value(NULL, WACTOR_I32, &v, err, sizeof err), WACTOR_EINVAL);
    assert_int_equal(codec_parse_value("1", (wactor_valtype)5, &v, err, sizeof err), WACTOR_EINVAL);
}

static void test_parse_value_floats(void **state) {
    (void)state;
    wactor_value v;
    char err[256];
    assert_int_equal(codec_parse_value("2.5", WACTOR_F64, &v, err, sizeof err), WACTOR_OK);
    assert_int_equal(v.type, WACTOR_F64);
    assert_true(v.of.f64 == 2.5);
    assert_int_equal(codec_parse_value("-1e-3", WACTOR_F64, &v, err, sizeof err), WACTOR_OK);
    assert_true(v.of.f64 == -1e-3);
    assert_int_equal(codec_parse_value("5", WACTOR_F32, &v, err, sizeof err), WACTOR_OK);
    assert_int_equal(v.type, WACTOR_F32);
    assert_true(v.of.f32 == 5.0f);
    assert_int_equal(codec_parse_value("0x10", WACTOR_F64, &v, err, sizeof err), WACTOR_OK);
    assert_true(v.of.f64 == 16.0);
    assert_int_equal(codec_parse_value("0.1", WACTOR_F32, &v, err, sizeof err), WACTOR_OK);
    assert_true(v.of.f32 == 0.1f);
    assert_int_equal(codec_parse_value("nan", WACTOR_F32, &v, err, sizeof err), WACTOR_OK);
    assert_true(isnan(v.of.f32));
    assert_int_equal(codec_parse_value("NaN", WACTOR_F64, &v, err, sizeof err), WACTOR_OK);
    assert_true(isnan(v.of.f64));
    assert_int_equal(codec_parse_value("-inf", WACTOR_F64, &v, err, sizeof err), WACTOR_OK);
    assert_true(isinf(v.of.f64) && v.of.f64 < 0);
    assert_int_equal(codec_parse_value("infinity", WACTOR_F32, &v, err, sizeof err), WACTOR_OK);
    assert_true(isinf(v.of.f32) && v.of.f32 > 0);
    assert_int_equal(codec_parse_value("1e-400", WACTOR_F64, &v, err, sizeof err), WACTOR_OK); /* underflow */
    assert_true(v.of.f64 == 0.0);

    assert_int_equal(codec_parse_value("1e999", WACTOR_F64, &v, err, sizeof err), WACTOR_ETYPE);
    assert_string_equal(err, "1e999 out of range for f64");
    assert_int_equal(codec_parse_value("1e39", WACTOR_F32, &v, err, sizeof err), WACTOR_ETYPE);
    assert_string_equal(err, "1e39 out of range for f32");
    const char *junk[] = {"", "x", "2.5x", "1,5", "--1", " ", "0x", "\t+ 1"};
    for (size_t i = 0; i < ARRAY_LEN(junk); i++)
        assert_int_equal(codec_parse_value(junk[i], WACTOR_F64, &v, err, sizeof err), WACTOR_ETYPE);
    assert_int_equal(codec_parse_value("2.5x", WACTOR_F32, &v, err, sizeof err), WACTOR_ETYPE);
    assert_string_equal(err, "expected f32, got '2.5x'");
}

static void check_json(const wactor_value *vals, size_t n, const char *want) {
    char *s = codec_values_to_json(vals, n);
    assert_non_null(s);
    assert_string_equal(s, want);
    free(s);
}

static void test_values_to_json(void **state) {
    (void)state;
    check_json(NULL, 0, "");
    check_json((wactor_value[]){vi32(8)}, 1, "8");
    check_json((wactor_value[]){vi32(-1)}, 1, "-1");
    check_json((wactor_value[]){vf64(2.5)}, 1, "2.5");
    check_json((wactor_value[]){vf64(6.0)}, 1, "6");
    check_json((wactor_value[]){vf32(6.0f)}, 1, "6");
    check_json((wactor_value[]){vf64(0.1)}, 1, "0.1");
    check_json((wactor_value[]){vf32(0.1f)}, 1, "0.1");
    check_json((wactor_value[]){vf64(1.0 / 3.0)}, 1, "0.3333333333333333");
    check_json((wactor_value[]){vf32(3.14159265f)}, 1, "3.1415927");
    check_json((wactor_value[]){vf64(1e20)}, 1, "1e+20");
    check_json((wactor_value[]){vf64(-0.0)}, 1, "-0.0");
    check_json((wactor_value[]){vf64(NAN)}, 1, "\"nan\"");
    check_json((wactor_value[]){vf32(INFINITY)}, 1, "\"inf\"");
    check_json((wactor_value[]){vi64(9007199254740993)}, 1, "9007199254740993"); /* 2^53 + 1: exact */
    check_json((wactor_value[]){vi64(INT64_MAX)}, 1, "9223372036854775807");
    check_json((wactor_value[]){vi64(INT64_MIN)}, 1, "-9223372036854775808");
    check_json((wactor_value[]){vf64(1.7976931348623157e308)}, 1, "1.7976931348623157e+308");
    check_json((wactor_value[]){vi32(1), vi32(2)}, 2, "[1,2]");
    check_json((wactor_value[]){vi32(1), vi64(-2), vf32(2.5f), vf64(6.0)}, 4, "[1,-2,2.5,6]");
    wactor_value bad = {.type = (wactor_valtype)9};
    assert_null(codec_values_to_json(&bad, 1));
}

/* Non-finite floats in JSON: the strings of codec.h, out and back in with their exact bits; bad strings. */
static void test_json_nonfinite(void **state) {
    (void)state;
    struct { wactor_value v; const char *text; } cases[] = {
        {f32_of_bits(0x7fc00000u), "nan"},          {f32_of_bits(0xffc00000u), "-nan"},
        {f32_of_bits(0x7fc00001u), "nan:0x400001"}, {f32_of_bits(0x7f800001u), "nan:0x1"}, /* signalling */
        {f32_of_bits(0xff800000u), "-inf"},         {f32_of_bits(0x7f800000u), "inf"},
        {f64_of_bits(0x7ff8000000000000ull), "nan"}, {f64_of_bits(0xfff0000000000001ull), "-nan:0x1"},
        {f64_of_bits(0x7fffffffffffffffull), "nan:0xfffffffffffff"}, {f64_of_bits(0xfff0000000000000ull), "-inf"},
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        char want[64], buf[CODEC_VALUE_TEXT_MAX];
        snprintf(want, sizeof want, "\"%s\"", cases[i].text);
        check_json(&cases[i].v, 1, want);
        assert_int_equal(codec_format_value(&cases[i].v, buf, sizeof buf), strlen(cases[i].text));
        assert_string_equal(buf, cases[i].text);
        /* back through --json and through the command line, bit for bit */
        char arr[80];
        snprintf(arr, sizeof arr, "[%s]", want);
        wactor_value out[1];
        char err[256] = "";
        wactor_valtype t = cases[i].v.type;
        assert_int_equal(decode_json(arr, &t, 1, out, err), WACTOR_OK);
        assert_memory_equal(&out[0].of, &cases[i].v.of, t == WACTOR_F32 ? 4 : 8);
        wactor_value pv;
        assert_int_equal(codec_parse_value(cases[i].text, t, &pv, err, sizeof err), WACTOR_OK);
        assert_memory_equal(&pv.of, &cases[i].v.of, t == WACTOR_F32 ? 4 : 8);
    }
    /* "+nan" and "+inf" are accepted too (the WebAssembly text format's optional sign) */
    wactor_valtype f = WACTOR_F64;
    wactor_value out[1];
    char err[256];
    assert_int_equal(decode_json("[\"+inf\"]", &f, 1, out, err), WACTOR_OK);
    assert_true(isinf(out[0].of.f64) && out[0].of.f64 > 0);
    /* hostile strings: a zero or too wide payload, not hex, other words, strings for integers */
    const char *bad[] = {"[\"nan:0x0\"]", "[\"nan:0x\"]", "[\"nan:0x10000000000000\"]", "[\"nan:0xg\"]",
                         "[\"NaN\"]", "[\"infinity\"]", "[\"\"]", "[\"1.5\"]", "[\"nan \"]"};
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        assert_int_equal(decode_json(bad[i], &f, 1, out, err), WACTOR_ETYPE);
        assert_non_null(strstr(err, "argument 1: expected f64, got string"));
    }
    wactor_valtype f32 = WACTOR_F32;
    assert_int_equal(decode_json("[\"nan:0x800000\"]", &f32, 1, out, err), WACTOR_ETYPE); /* 24 bits */
    assert_int_equal(decode_json("[\"nan:0x7fffff\"]", &f32, 1, out, err), WACTOR_OK);
    wactor_valtype i32 = WACTOR_I32;
    assert_int_equal(decode_json("[\"nan\"]", &i32, 1, out, err), WACTOR_ETYPE);
    assert_string_equal(err, "argument 1: expected i32, got string");
    assert_int_equal(codec_parse_value("nan:0x0", WACTOR_F32, out, err, sizeof err), WACTOR_ETYPE);
    assert_string_equal(err, "nan:0x0: a NaN payload must be 1 to 23 bits of hex");
    assert_int_equal(codec_parse_value("-nan:0x10000000000000", WACTOR_F64, out, err, sizeof err), WACTOR_ETYPE);
    /* integers beyond 2^53 go through JSON exactly, both ways */
    wactor_valtype i64 = WACTOR_I64;
    assert_int_equal(decode_json("[9007199254740993]", &i64, 1, out, err), WACTOR_OK);
    assert_true(out[0].of.i64 == 9007199254740993LL);
    uint8_t *p;
    size_t len;
    assert_int_equal(codec_encode_results(WACTOR_CODEC_JSON, out, 1, &p, &len), WACTOR_OK);
    assert_memory_equal(p + 2, "[9007199254740993]", len - 2);
    free(p);
}

static void test_format_value(void **state) {
    (void)state;
    char buf[CODEC_VALUE_TEXT_MAX];
    assert_int_equal(codec_format_value(&(wactor_value){.type = WACTOR_F64, .of.f64 = NAN}, buf, sizeof buf), 3);
    assert_string_equal(buf, "nan");
    codec_format_value(&(wactor_value){.type = WACTOR_F32, .of.f32 = -INFINITY}, buf, sizeof buf);
    assert_string_equal(buf, "-inf");
    codec_format_value(&(wactor_value){.type = WACTOR_F32, .of.f32 = 2.5f}, buf, sizeof buf);
    assert_string_equal(buf, "2.5");
    codec_format_value(&(wactor_value){.type = WACTOR_I32, .of.i32 = -7}, buf, sizeof buf);
    assert_string_equal(buf, "-7");
    char tiny[3];
    assert_int_equal(codec_format_value(&(wactor_value){.type = WACTOR_I32, .of.i32 = 12345}, tiny, sizeof tiny),
                     5);
    assert_string_equal(tiny, "12");
}

static void test_hex_decode(void **state) {
    (void)state;
    uint8_t *out;
    size_t len;
    char err[256];
    assert_int_equal(codec_hex_decode("0x51 82 01 02", &out, &len, err, sizeof err), WACTOR_OK);
    assert_int_equal(len, 4);
    assert_memory_equal(out, "\x51\x82\x01\x02", 4);
    free(out);
    assert_int_equal(codec_hex_decode("  DEADbeef\n", &out, &len, err, sizeof err), WACTOR_OK);
    assert_int_equal(len, 4);
    assert_memory_equal(out, "\xde\xad\xbe\xef", 4);
    free(out);
    assert_int_equal(codec_hex_decode("", &out, &len, err, sizeof err), WACTOR_OK);
    assert_int_equal(len, 0);
    assert_non_null(out);
    free(out);
    assert_int_equal(codec_hex_decode("0X", &out, &len, err, sizeof err), WACTOR_OK);
    assert_int_equal(len, 0);
    free(out);

    assert_int_equal(codec_hex_decode("abc", &out, &len, err, sizeof err), WACTOR_ECODEC);
    assert_string_equal(err, "odd number of hex digits (3)");
    assert_int_equal(codec_hex_decode("zz", &out, &len, err, sizeof err), WACTOR_ECODEC);
    assert_string_equal(err, "invalid hex character 'z' at offset 0");
    assert_int_equal(codec_hex_decode("0x5g", &out, &len, err, sizeof err), WACTOR_ECODEC);
    assert_string_equal(err, "invalid hex character 'g' at offset 3");
    assert_int_equal(codec_hex_decode("0x0x12", &out, &len, err, sizeof err), WACTOR_ECODEC);
    assert_int_equal(codec_hex_decode("12\x01", &out, &len, err, sizeof err), WACTOR_ECODEC);
    assert_string_equal(err, "invalid hex character 0x01 at offset 2");
    assert_int_equal(codec_hex_decode(NULL, &out, &len, err, sizeof err), WACTOR_EINVAL);

    /* a hex payload straight into typed arguments */
    assert_int_equal(codec_hex_decode("8004 5b312c 325d", &out, &len, err, sizeof err), WACTOR_OK);
    wactor_valtype t[] = {WACTOR_I32, WACTOR_I32};
    wactor_value v[2];
    assert_int_equal(codec_decode_args(out, len, t, 2, v, err, sizeof err), WACTOR_OK);
    assert_int_equal(v[0].of.i32, 1);
    assert_int_equal(v[1].of.i32, 2);
    free(out);
}

static void test_valtype_names(void **state) {
    (void)state;
    const char *names[] = {"i32", "i64", "f32", "f64"};
    for (int i = 0; i < 4; i++) {
        assert_string_equal(codec_valtype_name((wactor_valtype)i), names[i]);
        wactor_valtype t = WACTOR_F64;
        assert_int_equal(codec_valtype_from_name(names[i], &t), 0);
        assert_int_equal(t, (wactor_valtype)i);
    }
    assert_string_equal(codec_valtype_name((wactor_valtype)42), "invalid");
    wactor_valtype t = WACTOR_I32;
    assert_int_equal(codec_valtype_from_name("u32", &t), -1);
    assert_int_equal(t, WACTOR_I32);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_varint_round_trips),
        cmocka_unit_test(test_varint_known_bytes),
        cmocka_unit_test(test_varint_2_pow_63_is_beyond_spec),
        cmocka_unit_test(test_varint_truncated),
        cmocka_unit_test(test_varint_non_minimal),
        cmocka_unit_test(test_multicodec_prefixes),
        cmocka_unit_test(test_split_errors),
        cmocka_unit_test(test_decode_args_unknown_codec),
        cmocka_unit_test(test_json_args_all_types),
        cmocka_unit_test(test_json_args_ten_params),
        cmocka_unit_test(test_json_args_arity),
        cmocka_unit_test(test_json_args_types),
        cmocka_unit_test(test_json_args_range),
        cmocka_unit_test(test_json_args_malformed),
        cmocka_unit_test(test_cbor_args_all_types),
        cmocka_unit_test(test_cbor_args_ten_params_built_with_libcbor),
        cmocka_unit_test(test_cbor_args_errors),
        cmocka_unit_test(test_cbor_args_arity_types_range),
        cmocka_unit_test(test_borsh_args),
        cmocka_unit_test(test_results_json),
        cmocka_unit_test(test_results_cbor),
        cmocka_unit_test(test_results_borsh),
        cmocka_unit_test(test_results_round_trip_every_codec),
        cmocka_unit_test(test_cbor_nan_bits_exact),
        cmocka_unit_test(test_results_errors),
        cmocka_unit_test(test_parse_value_integers),
        cmocka_unit_test(test_parse_value_floats),
        cmocka_unit_test(test_values_to_json),
        cmocka_unit_test(test_format_value),
        cmocka_unit_test(test_json_nonfinite),
        cmocka_unit_test(test_hex_decode),
        cmocka_unit_test(test_valtype_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
