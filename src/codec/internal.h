/*
 * internal.h — private helpers shared by the codec layer's source files. Not an interface: only the
 * .c files of src/codec include it; everything else uses codec.h.
 */
#ifndef WACTOR_CODEC_INTERNAL_H
#define WACTOR_CODEC_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "codec/codec.h"

/* printf-style message into err (NULL/0 discards it). */
void codec_seterr(char *err, size_t errlen, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static inline bool codec_valtype_valid(wactor_valtype t) {
    return t == WACTOR_I32 || t == WACTOR_I64 || t == WACTOR_F32 || t == WACTOR_F64;
}

/* Size of a value in the Borsh encoding (4 or 8). */
static inline size_t codec_valtype_size(wactor_valtype t) {
    return (t == WACTOR_I64 || t == WACTOR_F64) ? 8 : 4;
}

/* Converts the integer `neg ? -1 - m : m` (CBOR's sign/magnitude form, covering -2^64 .. 2^64-1) to type t
 * under the layer's range rules. `prefix` ("argument 2: " or "") starts any error message. ETYPE on range. */
wactor_error codec_int_to_value(bool neg, uint64_t m, wactor_valtype t, const char *prefix, wactor_value *out,
                                char *err, size_t errlen);

/* Converts a number that arrived as a float. Integer types need it integral and in range (ETYPE). */
wactor_error codec_real_to_value(double d, wactor_valtype t, const char *prefix, wactor_value *out,
                                 char *err, size_t errlen);

/* Writes the JSON form of one value (non-finite floats as the strings of codec.h: "\"nan\"", "\"-inf\"",
 * "\"nan:0x1\"") to buf, which must hold CODEC_VALUE_TEXT_MAX bytes. Returns the length. */
size_t codec_json_number(const wactor_value *v, char *buf);

/* Parses the non-finite spellings of codec.h ("inf", "nan", "nan:0xPAYLOAD", each with an optional sign;
 * exactly n bytes) as a value of float type t. Returns 1 with *out set, 0 if the text is none of them (or t
 * is an integer type), -1 for "nan:0x" with a payload that is not hex, zero, or wider than the
 * significand (23 bits for f32, 52 for f64). */
int codec_parse_nonfinite(const char *s, size_t n, wactor_valtype t, wactor_value *out);

/* Per-codec argument decoders and result encoders (body only, no prefix). The encoders append to `dst`,
 * which has at least the room the matching *_max function returned, and return the bytes written. */
wactor_error codec_json_decode_args(const uint8_t *body, size_t len, const wactor_valtype *types,
                                    size_t ntypes, wactor_value *out, char *err, size_t errlen);
wactor_error codec_cbor_decode_args(const uint8_t *body, size_t len, const wactor_valtype *types,
                                    size_t ntypes, wactor_value *out, char *err, size_t errlen);
wactor_error codec_borsh_decode_args(const uint8_t *body, size_t len, const wactor_valtype *types,
                                     size_t ntypes, wactor_value *out, char *err, size_t errlen);

/* Upper bounds on an encoded body for n values; SIZE_MAX if that would overflow. */
size_t codec_json_results_max(size_t n);
size_t codec_cbor_results_max(size_t n);
size_t codec_borsh_results_max(size_t n);
size_t codec_json_encode_results(const wactor_value *vals, size_t n, uint8_t *dst);
size_t codec_cbor_encode_results(const wactor_value *vals, size_t n, uint8_t *dst, size_t cap);
size_t codec_borsh_encode_results(const wactor_value *vals, size_t n, uint8_t *dst);

#endif /* WACTOR_CODEC_INTERNAL_H */
