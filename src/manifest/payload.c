/*
 * payload.c — the payload of a `send:` / `publish:` entry as multicodec-prefixed bytes (docs/ABI.md,
 * "Payloads"): `json` (any YAML value as compact JSON text, RFC 8259, under the YAML 1.2 core schema),
 * `text` (a JSON string), `cbor` / `borsh` (hex bytes, decoded by the codec layer). The prefix is the
 * codec's unsigned varint (codec_varint_encode).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/codec.h"
#include "manifest/internal.h"

#define MAX_JSON_DEPTH 64

/* ------------------------------------------------------------------ byte buffer */

bool mf_buf_put(buf *b, const void *data, size_t n) {
    if (n > SIZE_MAX - b->len)
        return false;
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (cap < b->len + n)
            cap = cap > SIZE_MAX / 2 ? b->len + n : cap * 2;
        uint8_t *p = realloc(b->p, cap);
        if (p == NULL)
            return false;
        b->p = p;
        b->cap = cap;
    }
    if (n)
        memcpy(b->p + b->len, data, n);
    b->len += n;
    return true;
}

static bool buf_str(buf *b, const char *s) { return mf_buf_put(b, s, strlen(s)); }

/* The multicodec prefix: the codec's unsigned varint (codec layer). */
static bool buf_prefix(buf *b, uint64_t codec) {
    uint8_t v[10];
    return mf_buf_put(b, v, codec_varint_encode(codec, v));
}

/* s[0..len) as a JSON string literal; UTF-8 is passed through, control characters escaped. */
static bool buf_json_string(buf *b, const char *s, size_t len) {
    if (!mf_buf_put(b, "\"", 1))
        return false;
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)s[i];
        char esc[8];
        const char *e = NULL;
        switch (ch) {
        case '"': e = "\\\""; break;
        case '\\': e = "\\\\"; break;
        case '\n': e = "\\n"; break;
        case '\r': e = "\\r"; break;
        case '\t': e = "\\t"; break;
        case '\b': e = "\\b"; break;
        case '\f': e = "\\f"; break;
        default:
            if (ch < 0x20 || ch == 0x7f) {
                snprintf(esc, sizeof esc, "\\u%04x", ch);
                e = esc;
            }
        }
        if (e ? !buf_str(b, e) : !mf_buf_put(b, &s[i], 1))
            return false;
    }
    return mf_buf_put(b, "\"", 1);
}

/* ------------------------------------------------------------------ YAML -> JSON */

static bool all_digits(const char *s, size_t len) {
    if (len == 0)
        return false;
    for (size_t i = 0; i < len; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

/* Writes digits without leading zeros (keeping one). */
static bool buf_digits(buf *b, const char *s, size_t len) {
    while (len > 1 && s[0] == '0')
        s++, len--;
    return mf_buf_put(b, s, len);
}

static bool parse_radix(const char *s, size_t len, unsigned radix, uint64_t *out) {
    if (len == 0)
        return false;
    uint64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned d;
        char ch = s[i];
        if (ch >= '0' && ch <= '9')
            d = (unsigned)(ch - '0');
        else if (ch >= 'a' && ch <= 'f')
            d = (unsigned)(ch - 'a' + 10);
        else if (ch >= 'A' && ch <= 'F')
            d = (unsigned)(ch - 'A' + 10);
        else
            return false;
        if (d >= radix || v > (UINT64_MAX - d) / radix)
            return false;
        v = v * radix + d;
    }
    *out = v;
    return true;
}

/* A plain scalar under the YAML 1.2 core schema: null, bool, int, float, or else a string.
 * Returns 1 if written, 0 if it is a string (caller writes it), -1 for .inf/.nan, -2 on OOM. */
static int plain_scalar_json(buf *b, const char *s, size_t len) {
    if (len == 0 || (len == 1 && s[0] == '~') ||
        (len == 4 && (!memcmp(s, "null", 4) || !memcmp(s, "Null", 4) || !memcmp(s, "NULL", 4))))
        return buf_str(b, "null") ? 1 : -2;
    int truth = mf_bool_word(s, len);
    if (truth >= 0)
        return buf_str(b, truth ? "true" : "false") ? 1 : -2;

    const char *p = s;
    size_t n = len;
    bool neg = false;
    if (n > 0 && (p[0] == '-' || p[0] == '+')) {
        neg = p[0] == '-';
        p++, n--;
    }
    /* .inf / .nan have no JSON form */
    if ((n == 4 && (!memcmp(p, ".inf", 4) || !memcmp(p, ".Inf", 4) || !memcmp(p, ".INF", 4))) ||
        (len == 4 && (!memcmp(s, ".nan", 4) || !memcmp(s, ".NaN", 4) || !memcmp(s, ".NAN", 4))))
        return -1;
    if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'o')) {
        uint64_t v;
        if (parse_radix(s + 2, len - 2, s[1] == 'x' ? 16 : 8, &v)) {
            char num[24];
            snprintf(num, sizeof num, "%llu", (unsigned long long)v);
            return buf_str(b, num) ? 1 : -2;
        }
        return 0;
    }
    /* int: [-+]?[0-9]+   float: [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? */
    size_t i = 0, int_start, int_len, frac_start = 0, frac_len = 0, exp_start = 0, exp_len = 0;
    bool dot = false, has_exp = false;
    int_start = i;
    while (i < n && p[i] >= '0' && p[i] <= '9')
        i++;
    int_len = i - int_start;
    if (i < n && p[i] == '.') {
        dot = true;
        frac_start = ++i;
        while (i < n && p[i] >= '0' && p[i] <= '9')
            i++;
        frac_len = i - frac_start;
    }
    if (int_len == 0 && frac_len == 0)
        return 0;
    if (i < n && (p[i] == 'e' || p[i] == 'E')) {
        has_exp = true;
        exp_start = ++i;
        if (i < n && (p[i] == '-' || p[i] == '+'))
            i++;
        if (!all_digits(p + i, n - i))
            return 0;
        exp_len = n - exp_start;
        i = n;
    }
    if (i != n)
        return 0;
    bool ok = (!neg || mf_buf_put(b, "-", 1)) &&
              (int_len ? buf_digits(b, p + int_start, int_len) : mf_buf_put(b, "0", 1));
    if (dot || has_exp) {
        if (dot)
            ok = ok && mf_buf_put(b, ".", 1) &&
                 (frac_len ? mf_buf_put(b, p + frac_start, frac_len) : mf_buf_put(b, "0", 1));
        if (has_exp) {
            const char *e = p + exp_start;
            size_t elen = exp_len;
            ok = ok && mf_buf_put(b, "e", 1);
            if (elen && (e[0] == '-' || e[0] == '+')) {
                ok = ok && (e[0] == '+' || mf_buf_put(b, "-", 1));
                e++, elen--;
            }
            ok = ok && buf_digits(b, e, elen);
        }
    }
    return ok ? 1 : -2;
}

static int emit_json(const ctx *c, buf *b, mf_node *n, pos at, int depth) {
    at = mf_node_pos(n, at);
    /* stop as soon as the text passes the maximum: aliases may make it far larger than the file */
    if (b->len > MANIFEST_MAX_PAYLOAD || (mf_is_scalar(n) && n->len > MANIFEST_MAX_PAYLOAD - b->len))
        return mf_fail(c, at, "'json' value exceeds the maximum message size (%u bytes)", MANIFEST_MAX_PAYLOAD);
    if (depth > MAX_JSON_DEPTH)
        return mf_fail(c, at, "'json' value is nested more than %d levels deep", MAX_JSON_DEPTH);
    if (n == NULL)
        return buf_str(b, "null") ? 0 : mf_fail_oom(c);
    size_t it = 0;
    if (mf_is_map(n)) {
        if (!mf_buf_put(b, "{", 1))
            return mf_fail_oom(c);
        bool first = true;
        mf_entry e;
        int more;
        while ((more = mf_map_entry(c, n, at, &it, &e)) > 0) {
            if ((!first && !mf_buf_put(b, ",", 1)) || !buf_json_string(b, e.key, e.klen) || !mf_buf_put(b, ":", 1))
                return mf_fail_oom(c);
            first = false;
            if (emit_json(c, b, e.val, e.kat, depth + 1) != 0)
                return -1;
        }
        if (more < 0)
            return -1;
        return mf_buf_put(b, "}", 1) ? 0 : mf_fail_oom(c);
    }
    if (mf_is_seq(n)) {
        if (!mf_buf_put(b, "[", 1))
            return mf_fail_oom(c);
        mf_node *item;
        bool first = true;
        while ((item = mf_seq_next(n, &it)) != NULL) {
            if (!first && !mf_buf_put(b, ",", 1))
                return mf_fail_oom(c);
            first = false;
            if (emit_json(c, b, item, at, depth + 1) != 0)
                return -1;
        }
        return mf_buf_put(b, "]", 1) ? 0 : mf_fail_oom(c);
    }
    size_t len = 0;
    const char *s = mf_scalar(n, &len);
    if (mf_is_plain(n) && !n->str_tag) {
        int r = plain_scalar_json(b, s, len);
        if (r == 1)
            return 0;
        if (r == -1)
            return mf_fail(c, at, "'%s' has no JSON representation", MF_SHOW(s, len));
        if (r == -2)
            return mf_fail_oom(c);
    }
    return buf_json_string(b, s, len) ? 0 : mf_fail_oom(c);
}

/* Hex bytes: codec_hex_decode()'s syntax (an optional 0x, digits in either case, whitespace ignored), with
 * one rule of the manifest's own checked first: whitespace may separate bytes but not the two digits of
 * one ("a 16" is refused rather than read as a1 6.), and no NUL (codec_hex_decode reads C strings). */
static int hex_payload(const ctx *c, buf *b, mf_node *v, pos at, const char *what) {
    if (mf_is_null(v) || !mf_is_scalar(v))
        return mf_fail(c, at, "'%s' must be a string of hex digits, not %s", what, mf_kind_name(v));
    size_t len;
    const char *s = mf_scalar(v, &len);
    if (s == NULL)
        s = "", len = 0;
    size_t run = 0; /* hex digits since the last whitespace */
    for (size_t i = 0; i < len; i++) {
        if (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
            if (run % 2 != 0)
                return mf_fail(c, at, "'%s': hex digits must come in pairs", what);
            run = 0;
        } else if (s[i] == '\0') {
            return mf_fail(c, at, "'%s': invalid hex digit (byte 0x00)", what);
        } else if (!(i == 1 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))) {
            run++;
        } else {
            run = 0; /* the 0x prefix */
        }
    }
    char *text = malloc(len + 1);
    if (text == NULL)
        return mf_fail_oom(c);
    memcpy(text, s, len);
    text[len] = '\0';
    uint8_t *bytes = NULL;
    size_t n = 0;
    char why[128];
    wactor_error e = codec_hex_decode(text, &bytes, &n, why, sizeof why);
    free(text);
    if (e == WACTOR_ENOMEM)
        return mf_fail_oom(c);
    if (e != WACTOR_OK)
        return mf_fail(c, at, "'%s': %s", what, why);
    bool ok = mf_buf_put(b, bytes, n);
    free(bytes);
    return ok ? 0 : mf_fail_oom(c);
}

/* ------------------------------------------------------------------ payloads */

/* The payload forms of an entry, and their multicodec codes. */
const char *const MF_PAYLOAD_FORMS[MF_NFORMS] = {"json", "text", "cbor", "borsh"};
static const uint64_t PAYLOAD_CODECS[MF_NFORMS] = {WACTOR_CODEC_JSON, WACTOR_CODEC_JSON, WACTOR_CODEC_CBOR,
                                                   WACTOR_CODEC_BORSH};

/* The value of payload form `form` (an index into PAYLOAD_FORMS), written at `body_at`, as
 * multicodec-prefixed bytes. */
int mf_parse_payload(const ctx *c, int form, mf_node *body, pos body_at, uint8_t **payload,
                         size_t *len) {
    buf b = {0};
    int rc = 0;
    if (!buf_prefix(&b, PAYLOAD_CODECS[form])) {
        rc = mf_fail_oom(c);
    } else if (form == 0) {
        rc = emit_json(c, &b, body, body_at, 0);
    } else if (form == 1) {
        pos vat = mf_node_pos(body, body_at);
        if (mf_is_null(body) || !mf_is_scalar(body)) {
            rc = mf_fail(c, vat, "'text' must be a string, not %s", mf_kind_name(body));
        } else {
            size_t tlen;
            const char *t = mf_scalar(body, &tlen);
            if (!buf_json_string(&b, t ? t : "", t ? tlen : 0))
                rc = mf_fail_oom(c);
        }
    } else {
        rc = hex_payload(c, &b, body, mf_node_pos(body, body_at), MF_PAYLOAD_FORMS[form]);
    }
    if (rc == 0 && b.len > MANIFEST_MAX_PAYLOAD)
        rc = mf_fail(c, body_at, "payload of %zu bytes exceeds the maximum message size (%u bytes)", b.len,
                  MANIFEST_MAX_PAYLOAD);
    if (rc != 0) {
        free(b.p);
        return -1;
    }
    *payload = b.p;
    *len = b.len;
    return 0;
}

