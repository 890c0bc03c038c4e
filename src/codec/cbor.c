/* cbor.c — CBOR bodies (RFC 8949).
 *
 * Arguments are read with libcbor's streaming decoder in one pass, without building a tree: the pass
 * checks well-formedness (every item complete, breaks only where an indefinite item is open, no bytes
 * after the top-level item), converts the top-level array's elements as they arrive, and never allocates,
 * so a hostile header claiming 2^64 elements cannot make us reserve memory. Nesting is bounded by a fixed
 * stack (CBOR_MAX_DEPTH). Results are written with libcbor's encoding helpers, floats as their exact bits.
 *
 * NaN: a float argument keeps its exact bits — sign, quiet/signalling bit and payload (codec.h). libcbor
 * hands a half-precision float over already converted (every half NaN becomes the same quiet NaN) and a
 * single as a C float, so the floats' bits are read from the item itself: cbor_stream_decode decodes one
 * item per call, which starts at the current offset (reader.cur). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <cbor.h>

#include "codec/internal.h"

#define CBOR_MAX_DEPTH 64

enum frame_kind { FR_ARRAY, FR_MAP, FR_TAG, FR_BSTR, FR_TSTR, FR_NONE };

typedef struct frame {
    enum frame_kind kind;
    bool indef;
    uint64_t left;          /* definite: children still expected */
    uint64_t seen;          /* indefinite: children seen (maps need an even count) */
} frame;

typedef struct reader {
    frame stack[CBOR_MAX_DEPTH];
    size_t depth;
    bool root_done;
    bool failed;            /* structural error: msg holds it, ECODEC */
    char msg[160];
    size_t count;           /* top-level elements seen */
    const wactor_valtype *types;
    size_t ntypes;
    wactor_value *out;
    wactor_error type_err;  /* first element that did not convert */
    char type_msg[160];
    const uint8_t *cur;     /* the item being decoded (its head byte first) */
    size_t cur_len;         /* bytes readable at cur */
} reader;

/* What one decoder callback delivered. */
typedef struct citem {
    const char *what;       /* for "got ..." messages */
    int num;                /* 0: not a number, 1: integer (neg, m), 2: float (d) */
    bool neg;
    uint64_t m;
    double d;
    int fwidth;             /* floats: 2, 4 or 8 bytes (half, single, double) */
    uint64_t fbits;         /*   and their IEEE-754 bits */
    enum frame_kind push;   /* a container head (FR_NONE for a complete scalar) */
    bool indef;
    uint64_t children;      /* definite container: items it holds */
} citem;

static void fail(reader *r, const char *msg) {
    if (!r->failed) {
        r->failed = true;
        snprintf(r->msg, sizeof r->msg, "%s", msg);
    }
}

/* An item just finished: count it in its parent, closing every definite container it completes. */
static void complete(reader *r) {
    for (;;) {
        if (r->depth == 0) {
            r->root_done = true;
            return;
        }
        frame *f = &r->stack[r->depth - 1];
        if (f->indef) {
            f->seen++;
            return;
        }
        if (--f->left > 0)
            return;
        r->depth--;
    }
}

/* A NaN of `width` bytes (bits `bits`) as an f32/f64 value, bit-exact: the sign, the quiet bit (the top
 * mantissa bit) and the payload are kept, the payload top-aligned when the widths differ, as IEEE-754
 * conversions move it (but a signalling NaN stays signalling). A payload that only had bits below the
 * narrower mantissa keeps its lowest bit set, so it stays a NaN. */
static void nan_to_value(uint64_t bits, int width, wactor_valtype t, wactor_value *out) {
    int from = width == 2 ? 10 : width == 4 ? 23 : 52;
    int to = t == WACTOR_F32 ? 23 : 52;
    uint64_t sign = (bits >> (8 * width - 1)) & 1;
    uint64_t mant = bits & ((UINT64_C(1) << from) - 1);
    uint64_t m = to >= from ? mant << (to - from) : mant >> (from - to);
    if (m == 0)
        m = 1;
    out->type = t;
    if (t == WACTOR_F32) {
        uint32_t u = (uint32_t)(sign << 31 | UINT64_C(0xff) << 23 | m);
        memcpy(&out->of.f32, &u, 4);
    } else {
        uint64_t u = sign << 63 | UINT64_C(0x7ff) << 52 | m;
        memcpy(&out->of.f64, &u, 8);
    }
}

static void convert_element(reader *r, const citem *it) {
    size_t idx = r->count++;
    if (idx >= r->ntypes || r->type_err != WACTOR_OK)
        return;
    char prefix[40];
    snprintf(prefix, sizeof prefix, "argument %zu: ", idx + 1);
    wactor_valtype t = r->types[idx];
    if (it->num == 1) {
        r->type_err = codec_int_to_value(it->neg, it->m, t, prefix, &r->out[idx], r->type_msg,
                                         sizeof r->type_msg);
    } else if (it->num == 2 && isnan(it->d) && it->fwidth && (t == WACTOR_F32 || t == WACTOR_F64)) {
        nan_to_value(it->fbits, it->fwidth, t, &r->out[idx]);
    } else if (it->num == 2) {
        r->type_err = codec_real_to_value(it->d, t, prefix, &r->out[idx], r->type_msg, sizeof r->type_msg);
    } else {
        snprintf(r->type_msg, sizeof r->type_msg, "%sexpected %s, got %s", prefix, codec_valtype_name(t),
                 it->what);
        r->type_err = WACTOR_ETYPE;
    }
}

static void item(reader *r, const citem *it) {
    if (r->failed)
        return;
    if (r->depth > 0) {
        frame *top = &r->stack[r->depth - 1];
        if (top->kind == FR_BSTR || top->kind == FR_TSTR) {
            /* Inside an indefinite-length string only definite chunks of the same major type may appear. */
            bool ok = it->push == FR_NONE &&
                      strcmp(it->what, top->kind == FR_BSTR ? "byte string" : "string") == 0;
            if (!ok)
                fail(r, "malformed CBOR: bad chunk in an indefinite-length string");
            return;
        }
        if (r->depth == 1)
            convert_element(r, it);
    } else if (it->push != FR_ARRAY) {
        char msg[80];
        snprintf(msg, sizeof msg, "CBOR arguments must be an array, got %s", it->what);
        fail(r, msg);
        return;
    }
    if (it->push != FR_NONE && (it->indef || it->children > 0)) {
        if (r->depth == CBOR_MAX_DEPTH) {
            fail(r, "malformed CBOR: nesting deeper than 64 levels");
            return;
        }
        r->stack[r->depth++] = (frame){.kind = it->push, .indef = it->indef, .left = it->children};
    } else {
        complete(r);
    }
}

static void on_uint(void *ctx, uint64_t v) {
    item(ctx, &(citem){.what = "integer", .num = 1, .m = v, .push = FR_NONE});
}
static void on_uint8(void *ctx, uint8_t v) { on_uint(ctx, v); }
static void on_uint16(void *ctx, uint16_t v) { on_uint(ctx, v); }
static void on_uint32(void *ctx, uint32_t v) { on_uint(ctx, v); }
static void on_negint(void *ctx, uint64_t v) {
    item(ctx, &(citem){.what = "integer", .num = 1, .neg = true, .m = v, .push = FR_NONE});
}
static void on_negint8(void *ctx, uint8_t v) { on_negint(ctx, v); }
static void on_negint16(void *ctx, uint16_t v) { on_negint(ctx, v); }
static void on_negint32(void *ctx, uint32_t v) { on_negint(ctx, v); }
/* A float item of `width` bytes whose value libcbor decoded as d; its exact bits are read from the item. */
static void on_real(void *ctx, double d, int width) {
    reader *r = ctx;
    citem it = {.what = "float", .num = 2, .d = d, .push = FR_NONE};
    static const uint8_t heads[9] = {[2] = 0xf9, [4] = 0xfa, [8] = 0xfb};
    if (r->cur_len > (size_t)width && r->cur[0] == heads[width]) {
        it.fwidth = width;
        for (int i = 1; i <= width; i++)
            it.fbits = it.fbits << 8 | r->cur[i];
    }
    item(r, &it);
}
static void on_half(void *ctx, float f) { on_real(ctx, f, 2); }
static void on_float(void *ctx, float f) { on_real(ctx, f, 4); }
static void on_double(void *ctx, double d) { on_real(ctx, d, 8); }
static void on_bstr(void *ctx, cbor_data data, size_t len) {
    (void)data, (void)len;
    item(ctx, &(citem){.what = "byte string", .push = FR_NONE});
}
static void on_tstr(void *ctx, cbor_data data, size_t len) {
    (void)data, (void)len;
    item(ctx, &(citem){.what = "string", .push = FR_NONE});
}
static void on_bstr_start(void *ctx) {
    item(ctx, &(citem){.what = "byte string", .push = FR_BSTR, .indef = true});
}
static void on_tstr_start(void *ctx) {
    item(ctx, &(citem){.what = "string", .push = FR_TSTR, .indef = true});
}
static void on_array(void *ctx, size_t n) {
    item(ctx, &(citem){.what = "array", .push = FR_ARRAY, .children = n});
}
static void on_indef_array(void *ctx) {
    item(ctx, &(citem){.what = "array", .push = FR_ARRAY, .indef = true});
}
static void on_map(void *ctx, size_t n) {
    uint64_t children = (uint64_t)n > UINT64_MAX / 2 ? UINT64_MAX : 2 * (uint64_t)n;
    item(ctx, &(citem){.what = "map", .push = FR_MAP, .children = children});
}
static void on_indef_map(void *ctx) {
    item(ctx, &(citem){.what = "map", .push = FR_MAP, .indef = true});
}
static void on_tag(void *ctx, uint64_t tag) {
    (void)tag;
    item(ctx, &(citem){.what = "tag", .push = FR_TAG, .children = 1});
}
static void on_null(void *ctx) { item(ctx, &(citem){.what = "null", .push = FR_NONE}); }
static void on_undefined(void *ctx) { item(ctx, &(citem){.what = "undefined", .push = FR_NONE}); }
static void on_bool(void *ctx, bool b) {
    (void)b;
    item(ctx, &(citem){.what = "bool", .push = FR_NONE});
}
static void on_break(void *ctx) {
    reader *r = ctx;
    if (r->failed)
        return;
    frame *top = r->depth > 0 ? &r->stack[r->depth - 1] : NULL;
    if (!top || !top->indef) {
        fail(r, "malformed CBOR: unexpected break");
        return;
    }
    if (top->kind == FR_MAP && top->seen % 2 != 0) {
        fail(r, "malformed CBOR: indefinite-length map with a key but no value");
        return;
    }
    r->depth--;
    complete(r);
}

static const struct cbor_callbacks callbacks = {
    .uint8 = on_uint8, .uint16 = on_uint16, .uint32 = on_uint32, .uint64 = on_uint,
    .negint8 = on_negint8, .negint16 = on_negint16, .negint32 = on_negint32, .negint64 = on_negint,
    .byte_string = on_bstr, .byte_string_start = on_bstr_start,
    .string = on_tstr, .string_start = on_tstr_start,
    .array_start = on_array, .indef_array_start = on_indef_array,
    .map_start = on_map, .indef_map_start = on_indef_map,
    .tag = on_tag,
    .float2 = on_half, .float4 = on_float, .float8 = on_double,
    .undefined = on_undefined, .null = on_null, .boolean = on_bool,
    .indef_break = on_break,
};

wactor_error codec_cbor_decode_args(const uint8_t *body, size_t len, const wactor_valtype *types,
                                    size_t ntypes, wactor_value *out, char *err, size_t errlen) {
    reader r = {.types = types, .ntypes = ntypes, .out = out, .type_err = WACTOR_OK};
    size_t off = 0;
    while (!r.root_done && !r.failed) {
        r.cur = body + off;
        r.cur_len = len - off;
        struct cbor_decoder_result res = cbor_stream_decode(body + off, len - off, &callbacks, &r);
        if (res.status == CBOR_DECODER_NEDATA) {
            codec_seterr(err, errlen, "truncated CBOR arguments (%zu bytes)", len);
            return WACTOR_ECODEC;
        }
        if (res.status != CBOR_DECODER_FINISHED || res.read == 0) {
            codec_seterr(err, errlen, "malformed CBOR: invalid or unsupported item at byte %zu", off);
            return WACTOR_ECODEC;
        }
        off += res.read;
    }
    if (r.failed) {
        codec_seterr(err, errlen, "%s", r.msg);
        return WACTOR_ECODEC;
    }
    if (off < len) {
        codec_seterr(err, errlen, "trailing bytes after CBOR arguments (%zu of %zu bytes unused)", len - off,
                     len);
        return WACTOR_ECODEC;
    }
    if (r.count != ntypes) {
        codec_seterr(err, errlen, "expected %zu argument%s, got %zu", ntypes, ntypes == 1 ? "" : "s", r.count);
        return WACTOR_EARITY;
    }
    if (r.type_err != WACTOR_OK) {
        codec_seterr(err, errlen, "%s", r.type_msg);
        return r.type_err;
    }
    return WACTOR_OK;
}

size_t codec_cbor_results_max(size_t n) {
    return n > (SIZE_MAX - 9) / 9 ? SIZE_MAX : 9 + n * 9;
}

/* A float item: head byte, then `width` bytes of bits, big-endian. Returns the bytes written (0 if no room). */
static size_t put_float(uint8_t head, uint64_t bits, int width, unsigned char *p, size_t room) {
    if (room < (size_t)width + 1)
        return 0;
    p[0] = head;
    for (int i = 0; i < width; i++)
        p[1 + i] = (uint8_t)(bits >> (8 * (width - 1 - i)));
    return (size_t)width + 1;
}

size_t codec_cbor_encode_results(const wactor_value *vals, size_t n, uint8_t *dst, size_t cap) {
    size_t off = cbor_encode_array_start(n, dst, cap);
    for (size_t i = 0; i < n; i++) {
        unsigned char *p = dst + off;
        size_t room = cap - off;
        const wactor_value *v = &vals[i];
        switch (v->type) {
        case WACTOR_I32:
            off += v->of.i32 >= 0 ? cbor_encode_uint((uint64_t)v->of.i32, p, room)
                                  : cbor_encode_negint((uint64_t)(-1 - (int64_t)v->of.i32), p, room);
            break;
        case WACTOR_I64:
            off += v->of.i64 >= 0 ? cbor_encode_uint((uint64_t)v->of.i64, p, room)
                                  : cbor_encode_negint((uint64_t)(-1 - v->of.i64), p, room);
            break;
        case WACTOR_F32: { /* fa + the bits, big-endian: exact for every NaN */
            uint32_t u;
            memcpy(&u, &v->of.f32, 4);
            off += put_float(0xfa, u, 4, p, room);
            break;
        }
        case WACTOR_F64: {
            uint64_t u;
            memcpy(&u, &v->of.f64, 8);
            off += put_float(0xfb, u, 8, p, room);
            break;
        }
        }
    }
    return off;
}
