/*
 * fuzz_codec.c — libFuzzer target for the codec layer (src/codec/codec.h).
 *
 * Input layout (every byte string is a valid input):
 *   byte 0        low nibble: number of parameters n (0..12, taken mod 13); high nibble & 3: a prefix to
 *                 put before the rest (0 none: the rest is the whole payload, prefix included; 1 JSON 80 04;
 *                 2 CBOR 51; 3 Borsh 81 0e)
 *   bytes 1..3    the parameter types, 2 bits each (i32, i64, f32, f64), least significant first
 *   bytes 4..     the payload body
 *
 * What it checks, beyond "no crash, no leak, no UB" (ASan/UBSan):
 *   - codec_decode_args: on success every out[i].type is types[i]; on failure the code is one the header
 *     documents and err is a NUL-terminated, non-empty message;
 *   - round trips: decoded values encoded again in each codec and decoded with the same types give the
 *     same values — bit for bit in every codec, NaN payloads and signalling NaNs included (JSON writes
 *     non-finite floats as the strings "nan", "-inf", "nan:0x1", ... of codec.h and reads them back);
 *   - the body's bytes taken as raw value bits (types as above) round-trip the same way;
 *   - codec_varint_decode -> codec_varint_encode gives back the bytes consumed (the canonical form);
 *   - codec_hex_decode / codec_parse_value / codec_format_value / codec_values_to_json on the body as text:
 *     formatting a parsed value and parsing it again gives the same bits (NaNs included).
 */
#include <assert.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/codec.h"

#define MAX_N 12
#define CHECK(cond)                                                                                    \
    do {                                                                                               \
        if (!(cond)) {                                                                                 \
            fprintf(stderr, "fuzz_codec: check failed at line %d: %s\n", __LINE__, #cond);             \
            abort();                                                                                   \
        }                                                                                              \
    } while (0)

static const uint32_t codecs[3] = {WACTOR_CODEC_JSON, WACTOR_CODEC_CBOR, WACTOR_CODEC_BORSH};

static int same_bits(const wactor_value *a, const wactor_value *b) {
    if (a->type != b->type) return 0;
    switch (a->type) {
    case WACTOR_I32:
    case WACTOR_F32: return memcmp(&a->of, &b->of, 4) == 0;
    default: return memcmp(&a->of, &b->of, 8) == 0;
    }
}

static void check_err(wactor_error e, const char *err) {
    CHECK(e == WACTOR_ECODEC || e == WACTOR_EARITY || e == WACTOR_ETYPE);
    CHECK(memchr(err, '\0', 256) != NULL);
    CHECK(err[0] != '\0');
}

/* Encodes vals in codec, decodes the result with the same types and compares. */
static void round_trip(uint32_t codec, const wactor_value *vals, const wactor_valtype *types, size_t n) {
    uint8_t *p = NULL;
    size_t len = 0;
    CHECK(codec_encode_results(codec, vals, n, &p, &len) == WACTOR_OK);
    wactor_value back[MAX_N];
    char err[256] = "";
    wactor_error e = codec_decode_args(p, len, types, n, back, err, sizeof err);
    if (e != WACTOR_OK) fprintf(stderr, "round trip in %s: %s\n", codec_name(codec), err);
    CHECK(e == WACTOR_OK);
    for (size_t i = 0; i < n; i++) {
        if (!same_bits(&vals[i], &back[i]))
            fprintf(stderr, "round trip in %s: value %zu changed\n", codec_name(codec), i + 1);
        CHECK(same_bits(&vals[i], &back[i]));
    }
    free(p);
}

static void check_values(const wactor_value *vals, const wactor_valtype *types, size_t n) {
    for (int c = 0; c < 3; c++) round_trip(codecs[c], vals, types, n);

    /* The CLI's JSON text reads back as the same values, bit for bit, non-finite ones included. */
    char *json = codec_values_to_json(vals, n);
    CHECK(json != NULL);
    if (n > 0) {
        size_t jl = strlen(json);
        char *arr = malloc(jl + 3);
        CHECK(arr);
        snprintf(arr, jl + 3, n == 1 ? "[%s]" : "%s", json);
        size_t plen = 0;
        uint8_t *payload = codec_wrap(WACTOR_CODEC_JSON, arr, strlen(arr), &plen);
        CHECK(payload);
        wactor_value back[MAX_N];
        char err[256];
        CHECK(codec_decode_args(payload, plen, types, n, back, err, sizeof err) == WACTOR_OK);
        for (size_t i = 0; i < n; i++) CHECK(same_bits(&vals[i], &back[i]));
        free(payload);
        free(arr);
    }
    free(json);

    /* Display text: bounded, and it parses back to the same bits. */
    for (size_t i = 0; i < n; i++) {
        char buf[CODEC_VALUE_TEXT_MAX];
        size_t need = codec_format_value(&vals[i], buf, sizeof buf);
        CHECK(need > 0 && need < CODEC_VALUE_TEXT_MAX && strlen(buf) == need);
        wactor_value v;
        char err[256];
        wactor_error e = codec_parse_value(buf, vals[i].type, &v, err, sizeof err);
        if (e != WACTOR_OK) fprintf(stderr, "format/parse '%s': %s\n", buf, err);
        CHECK(e == WACTOR_OK);
        CHECK(same_bits(&vals[i], &v));
    }
}

static void check_text(const uint8_t *body, size_t len, const wactor_valtype *types, size_t n) {
    char *text = malloc(len + 1);
    CHECK(text);
    memcpy(text, body, len);
    text[len] = '\0';

    uint8_t *bytes = NULL;
    size_t nbytes = 0;
    char err[256] = "";
    wactor_error e = codec_hex_decode(text, &bytes, &nbytes, err, sizeof err);
    if (e == WACTOR_OK) {
        CHECK(bytes != NULL && nbytes * 2 <= strlen(text));
        char *hex = malloc(nbytes * 2 + 1);
        CHECK(hex);
        for (size_t i = 0; i < nbytes; i++) snprintf(hex + 2 * i, 3, "%02x", bytes[i]);
        hex[nbytes * 2] = '\0';
        uint8_t *again = NULL;
        size_t nagain = 0;
        CHECK(codec_hex_decode(hex, &again, &nagain, err, sizeof err) == WACTOR_OK);
        CHECK(nagain == nbytes && memcmp(again, bytes, nbytes) == 0);
        free(again);
        free(hex);
        free(bytes);
    } else {
        CHECK(e == WACTOR_ECODEC && err[0]);
    }

    for (int t = 0; t < 4; t++) {
        wactor_value v;
        e = codec_parse_value(text, (wactor_valtype)t, &v, err, sizeof err);
        if (e != WACTOR_OK) {
            CHECK(e == WACTOR_ETYPE && err[0]);
            continue;
        }
        CHECK(v.type == (wactor_valtype)t);
        wactor_valtype one = (wactor_valtype)t;
        check_values(&v, &one, 1);
    }
    (void)types, (void)n;
    free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 4) return 0;
    size_t n = (data[0] & 0x0f) % (MAX_N + 1);
    unsigned mode = (data[0] >> 4) & 3;
    uint32_t bits = (uint32_t)data[1] | (uint32_t)data[2] << 8 | (uint32_t)data[3] << 16;
    wactor_valtype types[MAX_N];
    for (size_t i = 0; i < n; i++) types[i] = (wactor_valtype)((bits >> (2 * i)) & 3);
    const uint8_t *body = data + 4;
    size_t body_len = size - 4;

    /* 1. the payload as given (with an optional prefix put in front) */
    size_t payload_len = body_len;
    uint8_t *payload = mode == 0 ? malloc(body_len ? body_len : 1)
                                 : codec_wrap(codecs[mode - 1], body, body_len, &payload_len);
    CHECK(payload);
    if (mode == 0 && body_len) memcpy(payload, body, body_len);

    uint32_t codec = 0;
    char err[256] = "";
    if (codec_split(payload, payload_len, &codec, NULL, NULL, err, sizeof err) == WACTOR_OK)
        CHECK(codec_name(codec) != NULL);
    else
        CHECK(err[0]);

    wactor_value vals[MAX_N];
    err[0] = '\0';
    wactor_error e = codec_decode_args(payload, payload_len, types, n, vals, err, sizeof err);
    if (e == WACTOR_OK) {
        for (size_t i = 0; i < n; i++) CHECK(vals[i].type == types[i]);
        check_values(vals, types, n);
    } else {
        check_err(e, err);
    }
    free(payload);

    /* 2. varint canonical form */
    uint64_t v = 0;
    int used = codec_varint_decode(body, body_len, &v);
    if (used > 0) {
        uint8_t enc[10];
        CHECK(codec_varint_encode(v, enc) == (size_t)used);
        CHECK(memcmp(enc, body, (size_t)used) == 0);
    } else {
        CHECK(used == -1 || used == -2);
    }

    /* 3. the body as raw value bits */
    size_t need = 0;
    for (size_t i = 0; i < n; i++) need += types[i] == WACTOR_I64 || types[i] == WACTOR_F64 ? 8 : 4;
    if (body_len >= need) {
        const uint8_t *p = body;
        for (size_t i = 0; i < n; i++) {
            vals[i].type = types[i];
            size_t sz = types[i] == WACTOR_I64 || types[i] == WACTOR_F64 ? 8 : 4;
            memcpy(&vals[i].of, p, sz);
            p += sz;
        }
        check_values(vals, types, n);
    }

    /* 4. the body as text */
    check_text(body, body_len > 64 ? 64 : body_len, types, n);
    return 0;
}
