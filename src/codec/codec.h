/*
 * codec.h — the codec layer: multicodec-prefixed payloads and typed argument/result conversion.
 *
 * A wactor payload is `varint(code) || body` (docs/ABI.md, "Payloads"), where `code` is an unsigned varint
 * (multiformats unsigned-varint spec) naming the body's format in the multiformats multicodec table:
 *
 *     WACTOR_CODEC_CBOR  0x51    prefix bytes 51      body: CBOR (RFC 8949)
 *     WACTOR_CODEC_JSON  0x0200  prefix bytes 80 04   body: JSON text (RFC 8259), UTF-8
 *     WACTOR_CODEC_BORSH 0x0701  prefix bytes 81 0e   body: Borsh (borsh.io specification)
 *
 * Typed invocation turns such a payload into WebAssembly values (codec_decode_args) and results back into
 * a payload in the caller's codec (codec_encode_results). The CLI helpers at the end parse and print values
 * as text.
 *
 * Value conventions (shared by every codec and by the text helpers)
 *  - Integers are sign-agnostic, as in WebAssembly: an i32 parameter accepts any integer in
 *    [-2^31, 2^32-1] and an i64 parameter any integer in [-2^63, 2^64-1]; values above the signed maximum
 *    are stored as their two's-complement bit pattern (4294967295 -> i32 -1). Anything outside is
 *    WACTOR_ETYPE "argument N: <value> out of range for i32". (JSON integers are further limited by
 *    jansson to [-2^63, 2^63-1]; a larger one, or a JSON number beyond the double range such as 1e999, is
 *    WACTOR_ETYPE "JSON number out of range: too big integer near '...' at line 1 column 20", without an
 *    argument index.)
 *  - A number written as a float (JSON 5.0 / 1e3, a CBOR float) is accepted for an integer parameter only
 *    when it is integral and in range; otherwise WACTOR_ETYPE ("argument 1: expected i32, got non-integral
 *    number 2.5").
 *  - Any integer is accepted for a float parameter (converted with round-to-nearest). A finite float whose
 *    magnitude exceeds FLT_MAX is out of range for f32.
 *  - Booleans, null, strings, byte strings, arrays, maps/objects and tags are never numbers:
 *    WACTOR_ETYPE "argument 2: expected i32, got string" — except the JSON strings for non-finite floats
 *    below, for an f32/f64 parameter.
 *  - Results are printed with i32/i64 as signed decimal, floats in the shortest form that reads back to the
 *    same f32/f64 ("2.5", "6", "0.1", "1e+20"; negative zero as "-0.0").
 *  - NaN and infinities: JSON (RFC 8259) has no number for them, so they are JSON strings, spelled as in
 *    the WebAssembly text format (core spec 6.3.2): "inf", "-inf"; "nan" / "-nan" for the canonical NaN
 *    (only the quiet bit of the significand set: f32 0x7fc00000 / 0xffc00000, f64 0x7ff8000000000000 / ...);
 *    any other NaN "nan:0xPAYLOAD" / "-nan:0xPAYLOAD", PAYLOAD the significand field in lowercase hex
 *    without leading zeros (f32 bits 0x7fc00001 are "nan:0x400001", the signalling 0x7f800001 "nan:0x1").
 *    Encoding writes exactly these; decoding accepts them (and a leading '+') for f32/f64 parameters and
 *    gives the exact bits back, so every value survives a JSON round trip bit for bit. A payload that is 0,
 *    not hex, or wider than the significand (23 / 52 bits) is WACTOR_ETYPE; `null` stays refused for
 *    every parameter ("got null"). CBOR carries them natively and
 *    bit-exactly: a NaN argument keeps its sign, its quiet/signalling bit and its payload (a signalling NaN
 *    is NOT quieted), and results are written with the exact bits of the value. Between float widths
 *    (a half or single for an f64 parameter, a double for an f32) the payload is moved top-aligned, as
 *    IEEE-754 conversions move it (RFC 8949 §4.1 shortens NaNs the same way), keeping the signalling bit;
 *    a payload that lived only in the dropped low bits leaves the lowest mantissa bit set (still a NaN).
 *    Borsh: the Borsh specification forbids NaN floats; wactor deliberately does NOT enforce that and passes
 *    IEEE-754 bit patterns (NaN payloads included) through unchanged in both directions, because WebAssembly
 *    functions can legitimately take and return NaN. A strict Borsh reader (borsh-rs) will reject such a
 *    result.
 *
 * Error strings: functions taking `char *err, size_t errlen` write a NUL-terminated, human-readable message
 * (truncated to errlen bytes) on failure; err may be NULL or errlen 0 to discard it. On success err is left
 * untouched. Output parameters are unspecified after a failure unless stated otherwise.
 *
 * Thread-safety: every function here is pure and reentrant — no global state, no locks; they may be called
 * concurrently from any thread. Formatting and parsing of floats use the C library, which follows the
 * LC_NUMERIC locale: the process must keep the default "C" numeric locale (wactor never calls setlocale).
 */
#ifndef WACTOR_CODEC_H
#define WACTOR_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "wactor.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ unsigned varint */

/* Longest varint the multiformats unsigned-varint spec allows (63 bits of payload). */
#define CODEC_VARINT_MAX_BYTES 9

/* Encodes `v` as an unsigned LEB128 varint (7 bits per byte, least significant group first, high bit set on
 * every byte but the last), in the minimal number of bytes, into `out`. Returns the bytes written (1..10).
 * Values up to 2^63-1 take at most 9 bytes, as the multiformats unsigned-varint spec requires; a value
 * >= 2^63 takes 10 bytes, which that spec (and so codec_varint_decode) rejects — callers should not send
 * such values (every multicodec code fits easily). Never fails. */
size_t codec_varint_encode(uint64_t v, uint8_t out[10]);

/* Decodes one unsigned varint from the start of `p` (`len` bytes readable; p may be NULL when len is 0).
 * On success stores the value in *v (v may be NULL) and returns the bytes consumed (1..9).
 * Returns -1 when the input ends before the last byte of the varint (truncated, including len == 0), and -2
 * when the varint is not in the spec's canonical form: longer than 9 bytes (overlong), or ending with a
 * redundant 0x00 group such as 80 00 (non-minimal). *v is untouched on failure. */
int codec_varint_decode(const uint8_t *p, size_t len, uint64_t *v);

/* ------------------------------------------------------------------ multicodec */

/* Splits a payload into its multicodec code and body. On WACTOR_OK, *codec is one of WACTOR_CODEC_CBOR,
 * WACTOR_CODEC_JSON or WACTOR_CODEC_BORSH and *body / *body_len are the bytes after the prefix (a pointer
 * into `payload`, not a copy; *body_len may be 0). codec, body and body_len may each be NULL if not wanted.
 * Errors (all WACTOR_ECODEC, message in err):
 *   "truncated multicodec prefix"            empty payload or the varint runs off the end
 *   "non-minimal multicodec prefix"          overlong (> 9 bytes) or non-minimal varint
 *   "unknown multicodec 0x1234"              any code other than the three above (lowercase hex)
 * WACTOR_EINVAL if payload is NULL while len > 0. */
wactor_error codec_split(const uint8_t *payload, size_t len, uint32_t *codec, const uint8_t **body,
                         size_t *body_len, char *err, size_t errlen);

/* Returns a new buffer holding varint(codec) followed by the `body_len` bytes of `body` (body may be NULL
 * when body_len is 0), and its total length in *out_len (out_len may be NULL). Any code is accepted, known
 * or not. The buffer is malloc'd and owned by the caller (free()). Returns NULL on allocation failure (or if
 * the total length would overflow size_t). */
uint8_t *codec_wrap(uint32_t codec, const void *body, size_t body_len, size_t *out_len);

/* The short name of a supported codec: "json", "cbor", "borsh"; NULL for any other code. Static string. */
const char *codec_name(uint32_t codec);

/* The supported codec named `name` ("json", "cbor", "borsh", case-sensitive), or 0 if none. */
uint32_t codec_from_name(const char *name);

/* ------------------------------------------------------------------ typed arguments and results */

/* Decodes a whole multicodec payload (prefix included, `len` bytes) into exactly `ntypes` values, the
 * i-th converted to types[i] and written to out[i] (with out[i].type = types[i]). `out` must have room for
 * ntypes values; types/out may be NULL when ntypes is 0. Body formats:
 *   JSON   one array of numbers, e.g. [1, -2, 2.5, 1e3]; whitespace around it is allowed, nothing else.
 *   CBOR   exactly one data item: an array (definite or indefinite length) of integers (major types 0/1)
 *          or floats (half, single, double). Read in one streaming pass that allocates nothing (a header
 *          claiming 2^64 elements costs nothing); nesting deeper than 64 levels is refused as malformed, and
 *          so are unassigned simple values (e0..f3, f8 xx), which libcbor 0.8's decoder does not support.
 *   Borsh  the values packed in parameter order, little-endian, with no framing: i32 4 bytes (two's
 *          complement), i64 8, f32 4 and f64 8 (IEEE-754 binary32/binary64); exactly that many bytes.
 *          Borsh carries no count or types, so arity and type errors show up as a length mismatch.
 * Errors, checked in this order (message in err):
 *   WACTOR_EINVAL  payload NULL with len > 0, types/out NULL with ntypes > 0, or an invalid type.
 *   WACTOR_ECODEC  codec_split() errors; malformed JSON ("malformed JSON: <jansson's reason> at line L
 *                  column C") or CBOR ("malformed CBOR: unexpected break", ...); truncated input
 *                  ("truncated CBOR arguments (3 bytes)"); bytes after the array ("trailing bytes after CBOR
 *                  arguments (1 of 4 bytes unused)"); a body that is not an array ("JSON arguments must be
 *                  an array, got object"); Borsh of the wrong size ("truncated Borsh arguments: expected 12
 *                  bytes, got 8" / "trailing bytes after Borsh arguments: expected 4 bytes, got 5").
 *                  (Exception: a JSON number jansson cannot hold is WACTOR_ETYPE at this stage, see top.)
 *   WACTOR_EARITY  the array has the wrong number of elements: "expected 2 arguments, got 3".
 *   WACTOR_ETYPE   the first element that does not fit its parameter (1-based): "argument 2: expected i32,
 *                  got string", "argument 1: 4294967296 out of range for i32", "argument 1: expected i64,
 *                  got non-integral number 2.5".
 * Allocates only temporarily (jansson's tree for JSON); nothing to free afterwards. */
wactor_error codec_decode_args(const uint8_t *payload, size_t len, const wactor_valtype *types, size_t ntypes,
                               wactor_value *out, char *err, size_t errlen);

/* Encodes `n` values (vals may be NULL when n is 0) as a whole multicodec payload in `codec`, prefix
 * included. On WACTOR_OK, *out is a malloc'd buffer owned by the caller (free()) of *out_len bytes.
 *   JSON   always an array, even for 0 or 1 values: "[]", "[8]", "[1,-2,2.5]" (no spaces); i32/i64 as signed
 *          decimal integers, floats in shortest round-trip form, NaN/Inf as strings (see top of file).
 *   CBOR   always a definite-length array (even for 0 or 1 values) in preferred serialization for its
 *          integers (RFC 8949 §4.2.1: the shortest head); f32 as a single-precision float (fa ...), f64 as a
 *          double-precision float (fb ...), never shortened, so the width survives; NaN/Inf as is.
 *   Borsh  the values packed little-endian as described for codec_decode_args (0 values: empty body).
 * Errors: WACTOR_ECODEC (unknown codec; *out untouched), WACTOR_ENOMEM, WACTOR_EINVAL (out/out_len NULL,
 * vals NULL with n > 0, or a value with an invalid type). */
wactor_error codec_encode_results(uint32_t codec, const wactor_value *vals, size_t n, uint8_t **out,
                                  size_t *out_len);

/* ------------------------------------------------------------------ CLI helpers */

/* Parses one command-line value of `type` into *out (out->type = type). Surrounding whitespace is ignored.
 *   i32/i64  an optional sign, then decimal digits or 0x/0X and hex digits: "5", "-3", "+7", "0x10",
 *            "-0x10"; range as described at the top (i32 accepts -2147483648..4294967295). Leading zeros are
 *            decimal, not octal. No fractions or exponents.
 *   f32/f64  the non-finite spellings of the top of this file ("nan", "-inf", "nan:0x1": exact bits), else
 *            anything strtod()/strtof() accept as a whole: "2.5", "-1e-3", "0x1p4", "nan", "inf",
 *            "-infinity"; f32 is rounded directly from the text (strtof). Underflow to a subnormal or zero
 *            is accepted; overflow of a finite literal is out of range.
 * Errors: WACTOR_ETYPE for junk ("expected i32, got 'abc'") or an out-of-range number ("4294967296 out of
 * range for i32", "1e999 out of range for f64"); WACTOR_EINVAL if text/out is NULL or type is invalid. */
wactor_error codec_parse_value(const char *text, wactor_valtype type, wactor_value *out, char *err,
                               size_t errlen);

/* Formats values for the CLI, as JSON: "" for 0 values, the bare value for 1 ("8", "-1", "2.5", "6"), a JSON
 * array without spaces for several ("[1,2]"). Same number formatting as codec_encode_results' JSON (i32
 * signed, floats shortest round-trip, NaN/Inf as the JSON strings "nan", "-inf", "nan:0x1", ...). vals may
 * be NULL when n is 0. Returns a malloc'd NUL-terminated string owned by the caller (free()), or NULL on allocation failure / invalid type. */
char *codec_values_to_json(const wactor_value *vals, size_t n);

/* Formats one value as display text into buf (NUL-terminated, truncated to buflen): like the JSON form, but
 * non-finite floats print without quotes ("nan", "-nan", "nan:0x1", "inf", "-inf"); codec_parse_value reads
 * every text back to the same bits. Returns the length the full text
 * needs (excluding the NUL), like snprintf; 0 with buf untouched if v is NULL or its type invalid.
 * CODEC_VALUE_TEXT_MAX bytes always suffice. */
#define CODEC_VALUE_TEXT_MAX 32
size_t codec_format_value(const wactor_value *v, char *buf, size_t buflen);

/* Decodes hexadecimal text into bytes: an optional leading "0x"/"0X" (after any leading whitespace), then
 * hex digit pairs in either case; whitespace (space, tab, newline, CR) is ignored anywhere. "" and "0x"
 * decode to 0 bytes. On WACTOR_OK, *out is a malloc'd buffer owned by the caller (free(); non-NULL even for
 * 0 bytes) and *out_len its length.
 * Errors: WACTOR_ECODEC ("odd number of hex digits (3)", "invalid hex character 'g' at offset 3";
 * offsets count from the start of `hex`),
 * WACTOR_ENOMEM, WACTOR_EINVAL (hex/out/out_len NULL). */
wactor_error codec_hex_decode(const char *hex, uint8_t **out, size_t *out_len, char *err, size_t errlen);

/* "i32", "i64", "f32", "f64"; "invalid" for any other value. Static string. */
const char *codec_valtype_name(wactor_valtype t);

/* Parses "i32"/"i64"/"f32"/"f64" into *out. Returns 0, or -1 for any other name (out untouched). */
int codec_valtype_from_name(const char *name, wactor_valtype *out);

#ifdef __cplusplus
}
#endif
#endif /* WACTOR_CODEC_H */
