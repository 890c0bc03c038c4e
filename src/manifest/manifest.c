/*
 * manifest.c — YAML manifest -> struct manifest, with libfyaml's document API.
 *
 * Positions: libfyaml 0.7 exposes marks only for scalar tokens, so a collection's position is that of
 * its first scalar (for `- name: ping` that is the line of the entry), and a value without a token (an
 * empty value) is reported at its key.
 */
#include "manifest/manifest.h"

#include "broker/broker.h"

#include <errno.h>
#include <libfyaml.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FILE_SIZE (64u * 1024u * 1024u)
#define MAX_JSON_DEPTH 64

typedef struct pos {
    int line, col; /* 1-based; 0 = unknown */
} pos;

typedef struct ctx {
    const char *file; /* for messages */
    char *err;
    size_t errlen;
} ctx;

typedef struct buf {
    uint8_t *p;
    size_t len, cap;
} buf;

__attribute__((format(printf, 3, 4)))
static int fail(const ctx *c, pos at, const char *fmt, ...) {
    if (c->err == NULL || c->errlen == 0)
        return -1;
    int n = snprintf(c->err, c->errlen, "%s:%d:%d: ", c->file, at.line > 0 ? at.line : 1,
                     at.col > 0 ? at.col : 1);
    if (n < 0 || (size_t)n >= c->errlen)
        return -1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
    va_end(ap);
    return -1;
}

static int fail_oom(const ctx *c) { return fail(c, (pos){0, 0}, "out of memory"); }

/* ------------------------------------------------------------------ node helpers */

static pos node_pos(struct fy_node *n, pos fallback) {
    if (n == NULL)
        return fallback;
    if (fy_node_is_scalar(n)) {
        struct fy_token *t = fy_node_get_scalar_token(n);
        const struct fy_mark *m = t ? fy_token_start_mark(t) : NULL;
        return m ? (pos){m->line + 1, m->column + 1} : fallback;
    }
    void *it = NULL;
    if (fy_node_is_mapping(n)) {
        struct fy_node_pair *p = fy_node_mapping_iterate(n, &it);
        return p ? node_pos(fy_node_pair_key(p), fallback) : fallback;
    }
    if (fy_node_is_sequence(n))
        return node_pos(fy_node_sequence_iterate(n, &it), fallback);
    return fallback;
}

static bool is_plain(struct fy_node *n) {
    return fy_node_get_style(n) == FYNS_PLAIN || fy_node_get_style(n) == FYNS_ANY;
}

/* A null value: missing, or a plain empty / ~ / null scalar (YAML 1.2 core schema). */
static bool is_null(struct fy_node *n) {
    if (n == NULL)
        return true;
    if (!fy_node_is_scalar(n) || !is_plain(n))
        return false;
    size_t len;
    const char *s = fy_node_get_scalar(n, &len);
    if (s == NULL || len == 0)
        return true;
    return (len == 1 && s[0] == '~') ||
           (len == 4 && (!memcmp(s, "null", 4) || !memcmp(s, "Null", 4) || !memcmp(s, "NULL", 4)));
}

static const char *kind_name(struct fy_node *n) {
    if (is_null(n))
        return "nothing";
    if (fy_node_is_mapping(n))
        return "a mapping";
    if (fy_node_is_sequence(n))
        return "a list";
    return "a scalar";
}

static bool key_is(const char *k, size_t klen, const char *want) {
    return strlen(want) == klen && memcmp(k, want, klen) == 0;
}

/* Prints at most 60 bytes of a key in messages. */
#define SHOWN(len) ((int)((len) > 60 ? 60 : (len)))

/* Reads a mapping key; keys must be scalars. */
static int get_key(const ctx *c, struct fy_node_pair *p, pos fallback, const char **k, size_t *klen,
                   pos *at) {
    struct fy_node *key = fy_node_pair_key(p);
    *at = node_pos(key, fallback);
    if (key == NULL || !fy_node_is_scalar(key))
        return fail(c, *at, "mapping keys must be plain names");
    *k = fy_node_get_scalar(key, klen);
    if (*k == NULL)
        *k = "", *klen = 0;
    return 0;
}

/* A required non-empty string without control characters; *out is malloc'd. `label` names the value
 * in messages as a phrase ("'name'", "a 'send' target"). */
static int get_text(const ctx *c, struct fy_node *v, pos at, const char *label, char **out) {
    if (is_null(v) || !fy_node_is_scalar(v))
        return fail(c, at, "%s must be a string, not %s", label, kind_name(v));
    size_t len;
    const char *s = fy_node_get_scalar(v, &len);
    if (s == NULL || len == 0)
        return fail(c, at, "%s must not be empty", label);
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return fail(c, at, "%s must not contain control characters", label);
    *out = malloc(len + 1);
    if (*out == NULL)
        return fail_oom(c);
    memcpy(*out, s, len);
    (*out)[len] = '\0';
    return 0;
}

/* get_text() for the value of key `what`. */
static int get_string(const ctx *c, struct fy_node *v, pos at, const char *what, char **out) {
    char label[48];
    snprintf(label, sizeof label, "'%s'", what);
    return get_text(c, v, at, label, out);
}

/* A non-negative decimal integer written as a plain scalar, at most `max`. */
static int get_uint(const ctx *c, struct fy_node *v, pos at, const char *what, uint64_t max,
                    uint64_t *out) {
    if (is_null(v) || !fy_node_is_scalar(v))
        return fail(c, at, "'%s' must be a non-negative integer, not %s", what, kind_name(v));
    size_t len;
    const char *s = fy_node_get_scalar(v, &len);
    if (!is_plain(v))
        return fail(c, at, "'%s' must be a non-negative integer, not a quoted string", what);
    size_t i = 0;
    if (len > 0 && s[0] == '+')
        i = 1;
    if (len > 1 && s[0] == '-' && s[1] >= '0' && s[1] <= '9')
        return fail(c, at, "'%s' must not be negative (got %.*s)", what, SHOWN(len), s);
    if (i == len)
        return fail(c, at, "'%s' must be a non-negative integer (got '%.*s')", what, SHOWN(len), s);
    uint64_t val = 0;
    bool over = false;
    for (; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return fail(c, at, "'%s' must be a non-negative integer (got '%.*s')", what, SHOWN(len), s);
        unsigned d = (unsigned)(s[i] - '0');
        if (val > (UINT64_MAX - d) / 10)
            over = true;
        else
            val = val * 10 + d;
    }
    if (over || val > max)
        return fail(c, at, "'%s' is out of range: %.*s (maximum %llu)", what, SHOWN(len), s,
                    (unsigned long long)max);
    *out = val;
    return 0;
}

/* get_uint() with a lower bound too. */
static int get_uint_range(const ctx *c, struct fy_node *v, pos at, const char *what, uint64_t min,
                          uint64_t max, uint32_t *out) {
    uint64_t u;
    if (get_uint(c, v, at, what, max, &u) != 0)
        return -1;
    if (u < min)
        return fail(c, at, "'%s' is out of range: %llu (minimum %llu)", what, (unsigned long long)u,
                    (unsigned long long)min);
    *out = (uint32_t)u;
    return 0;
}

/* ------------------------------------------------------------------ byte buffer */

static bool buf_put(buf *b, const void *data, size_t n) {
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

static bool buf_str(buf *b, const char *s) { return buf_put(b, s, strlen(s)); }

static bool buf_prefix(buf *b, uint64_t codec) {
    uint8_t v[10];
    size_t n = 0;
    do {
        v[n] = (uint8_t)(codec & 0x7f);
        codec >>= 7;
        if (codec)
            v[n] |= 0x80;
        n++;
    } while (codec);
    return buf_put(b, v, n);
}

/* s[0..len) as a JSON string literal; UTF-8 is passed through, control characters escaped. */
static bool buf_json_string(buf *b, const char *s, size_t len) {
    if (!buf_put(b, "\"", 1))
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
        if (e ? !buf_str(b, e) : !buf_put(b, &s[i], 1))
            return false;
    }
    return buf_put(b, "\"", 1);
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
    return buf_put(b, s, len);
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

/* 1 for a YAML 1.2 core-schema true (true, True, TRUE), 0 for false, -1 for anything else. */
static int bool_word(const char *s, size_t len) {
    if (len == 4 && (!memcmp(s, "true", 4) || !memcmp(s, "True", 4) || !memcmp(s, "TRUE", 4)))
        return 1;
    if (len == 5 && (!memcmp(s, "false", 5) || !memcmp(s, "False", 5) || !memcmp(s, "FALSE", 5)))
        return 0;
    return -1;
}

/* A plain scalar under the YAML 1.2 core schema: null, bool, int, float, or else a string.
 * Returns 1 if written, 0 if it is a string (caller writes it), -1 for .inf/.nan, -2 on OOM. */
static int plain_scalar_json(buf *b, const char *s, size_t len) {
    if (len == 0 || (len == 1 && s[0] == '~') ||
        (len == 4 && (!memcmp(s, "null", 4) || !memcmp(s, "Null", 4) || !memcmp(s, "NULL", 4))))
        return buf_str(b, "null") ? 1 : -2;
    int truth = bool_word(s, len);
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
    bool ok = (!neg || buf_put(b, "-", 1)) &&
              (int_len ? buf_digits(b, p + int_start, int_len) : buf_put(b, "0", 1));
    if (dot || has_exp) {
        if (dot)
            ok = ok && buf_put(b, ".", 1) &&
                 (frac_len ? buf_put(b, p + frac_start, frac_len) : buf_put(b, "0", 1));
        if (has_exp) {
            const char *e = p + exp_start;
            size_t elen = exp_len;
            ok = ok && buf_put(b, "e", 1);
            if (elen && (e[0] == '-' || e[0] == '+')) {
                ok = ok && (e[0] == '+' || buf_put(b, "-", 1));
                e++, elen--;
            }
            ok = ok && buf_digits(b, e, elen);
        }
    }
    return ok ? 1 : -2;
}

static int emit_json(const ctx *c, buf *b, struct fy_node *n, pos at, int depth) {
    at = node_pos(n, at);
    if (depth > MAX_JSON_DEPTH)
        return fail(c, at, "'json' value is nested more than %d levels deep", MAX_JSON_DEPTH);
    if (n == NULL)
        return buf_str(b, "null") ? 0 : fail_oom(c);
    void *it = NULL;
    if (fy_node_is_mapping(n)) {
        if (!buf_put(b, "{", 1))
            return fail_oom(c);
        struct fy_node_pair *p;
        bool first = true;
        while ((p = fy_node_mapping_iterate(n, &it)) != NULL) {
            const char *k;
            size_t klen;
            pos kat;
            if (get_key(c, p, at, &k, &klen, &kat) != 0)
                return -1;
            if ((!first && !buf_put(b, ",", 1)) || !buf_json_string(b, k, klen) || !buf_put(b, ":", 1))
                return fail_oom(c);
            first = false;
            if (emit_json(c, b, fy_node_pair_value(p), kat, depth + 1) != 0)
                return -1;
        }
        return buf_put(b, "}", 1) ? 0 : fail_oom(c);
    }
    if (fy_node_is_sequence(n)) {
        if (!buf_put(b, "[", 1))
            return fail_oom(c);
        struct fy_node *item;
        bool first = true;
        while ((item = fy_node_sequence_iterate(n, &it)) != NULL) {
            if (!first && !buf_put(b, ",", 1))
                return fail_oom(c);
            first = false;
            if (emit_json(c, b, item, at, depth + 1) != 0)
                return -1;
        }
        return buf_put(b, "]", 1) ? 0 : fail_oom(c);
    }
    size_t len = 0, tlen = 0;
    const char *s = fy_node_get_scalar(n, &len);
    if (s == NULL)
        s = "", len = 0;
    const char *tag = fy_node_get_tag(n, &tlen);
    bool str_tag = tag != NULL && tlen == 21 && memcmp(tag, "tag:yaml.org,2002:str", 21) == 0;
    if (is_plain(n) && !str_tag) {
        int r = plain_scalar_json(b, s, len);
        if (r == 1)
            return 0;
        if (r == -1)
            return fail(c, at, "'%.*s' has no JSON representation", SHOWN(len), s);
        if (r == -2)
            return fail_oom(c);
    }
    return buf_json_string(b, s, len) ? 0 : fail_oom(c);
}

static int hex_payload(const ctx *c, buf *b, struct fy_node *v, pos at, const char *what) {
    if (is_null(v) || !fy_node_is_scalar(v))
        return fail(c, at, "'%s' must be a string of hex digits, not %s", what, kind_name(v));
    size_t len;
    const char *s = fy_node_get_scalar(v, &len);
    size_t i = 0;
    if (len >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
        i = 2;
    int hi = -1;
    for (; i < len; i++) {
        char ch = s[i];
        int d;
        if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r') {
            if (hi >= 0)
                return fail(c, at, "'%s': hex digits must come in pairs", what);
            continue;
        }
        if (ch >= '0' && ch <= '9')
            d = ch - '0';
        else if (ch >= 'a' && ch <= 'f')
            d = ch - 'a' + 10;
        else if (ch >= 'A' && ch <= 'F')
            d = ch - 'A' + 10;
        else if ((unsigned char)ch >= 0x20 && (unsigned char)ch < 0x7f)
            return fail(c, at, "'%s': invalid hex digit '%c'", what, ch);
        else
            return fail(c, at, "'%s': invalid hex digit (byte 0x%02x)", what, (unsigned char)ch);
        if (hi < 0) {
            hi = d;
        } else {
            uint8_t byte = (uint8_t)(hi << 4 | d);
            if (!buf_put(b, &byte, 1))
                return fail_oom(c);
            hi = -1;
        }
    }
    if (hi >= 0)
        return fail(c, at, "'%s': odd number of hex digits", what);
    return 0;
}

/* ------------------------------------------------------------------ sections */

static int parse_limits(const ctx *c, struct fy_node *v, pos at, manifest_component *comp) {
    if (is_null(v))
        return 0;
    if (!fy_node_is_mapping(v))
        return fail(c, node_pos(v, at), "'limits' must be a mapping, not %s", kind_name(v));
    void *it = NULL;
    struct fy_node_pair *p;
    while ((p = fy_node_mapping_iterate(v, &it)) != NULL) {
        const char *k;
        size_t klen;
        pos kat;
        if (get_key(c, p, at, &k, &klen, &kat) != 0)
            return -1;
        struct fy_node *val = fy_node_pair_value(p);
        pos vat = node_pos(val, kat);
        uint64_t u;
        if (key_is(k, klen, "memory_pages")) {
            if (get_uint(c, val, vat, "memory_pages", MANIFEST_MAX_MEMORY_PAGES, &u) != 0)
                return -1;
            comp->memory_pages = (uint32_t)u;
        } else if (key_is(k, klen, "fuel")) {
            if (get_uint(c, val, vat, "fuel", UINT64_MAX, &u) != 0)
                return -1;
            comp->fuel = u;
        } else {
            return fail(c, kat, "unknown key '%.*s' in limits (expected memory_pages, fuel)", SHOWN(klen), k);
        }
    }
    return 0;
}

static char *resolve_module(const char *manifest_path, const char *module) {
    const char *slash = manifest_path ? strrchr(manifest_path, '/') : NULL;
    size_t dirlen = slash ? (size_t)(slash - manifest_path) + 1 : 0;
    if (module[0] == '/')
        dirlen = 0;
    size_t mlen = strlen(module);
    char *out = malloc(dirlen + mlen + 1);
    if (out == NULL)
        return NULL;
    if (dirlen)
        memcpy(out, manifest_path, dirlen);
    memcpy(out + dirlen, module, mlen + 1);
    return out;
}

/* ------------------------------------------------------------------ capabilities */

static void free_strings(char **v, size_t n) {
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

static void free_caps(manifest_caps *caps) {
    free_strings(caps->send, caps->nsend);
    free_strings(caps->request, caps->nrequest);
    free_strings(caps->publish, caps->npublish);
    free_strings(caps->subscribe, caps->nsubscribe);
    memset(caps, 0, sizeof *caps);
}

static void free_component(manifest_component *comp) {
    free(comp->name);
    free(comp->module_path);
    free_caps(&comp->caps);
}

/* Checks a `send` / `request` target: any name, "#<pid>" in canonical decimal, or "*". */
static int check_target(const ctx *c, const char *grant, const char *t, pos at) {
    size_t len = strlen(t);
    if (len > MANIFEST_MAX_TARGET)
        return fail(c, at, "'%s' target '%.*s...' is longer than %u bytes (no address is)", grant, SHOWN(len), t,
                    MANIFEST_MAX_TARGET);
    if (t[0] != '#')
        return 0;
    bool ok = len >= 2 && t[1] != '0';
    uint64_t pid = 0;
    for (size_t i = 1; ok && i < len; i++) {
        unsigned d = (unsigned)(t[i] - '0');
        ok = t[i] >= '0' && t[i] <= '9' && pid <= (UINT64_MAX - d) / 10;
        pid = pid * 10 + d;
    }
    if (!ok)
        return fail(c, at,
                    "'%s' target '%.*s' is not a pid address ('#' then the pid in decimal without leading "
                    "zeros, e.g. \"#12\"; names cannot start with '#')", grant, SHOWN(len), t);
    return 0;
}

#define NATS_SYNTAX "tokens of printable ASCII separated by '.', '*' and '>' only as whole tokens, '>' last, " \
                    "at most 255 bytes"

/* Checks a `publish` / `subscribe` grant: a NATS subject pattern (wildcards allowed). */
static int check_pattern(const ctx *c, const char *grant, const char *p, pos at) {
    if (broker_subject_valid(p, true))
        return 0;
    return fail(c, at, "'%s' pattern '%.*s' is not a valid NATS subject pattern (" NATS_SYNTAX ")", grant,
                SHOWN(strlen(p)), p);
}

typedef int (*grant_check)(const ctx *c, const char *grant, const char *item, pos at);

/* A grant list: a YAML list of strings, each checked by `check`. Nothing (`send:`) grants nothing. */
static int parse_grant_list(const ctx *c, struct fy_node *v, pos kat, const char *grant, const char *item,
                            grant_check check, char ***out, size_t *n) {
    if (is_null(v))
        return 0;
    if (!fy_node_is_sequence(v))
        return fail(c, node_pos(v, kat), "capability '%s' must be a list of %ss, not %s", grant, item,
                    kind_name(v));
    int count = fy_node_sequence_item_count(v);
    if (count <= 0)
        return 0;
    *out = calloc((size_t)count, sizeof **out);
    if (*out == NULL)
        return fail_oom(c);
    char label[48];
    snprintf(label, sizeof label, "a '%s' %s", grant, item);
    void *it = NULL;
    struct fy_node *entry;
    while ((entry = fy_node_sequence_iterate(v, &it)) != NULL && *n < (size_t)count) {
        pos at = node_pos(entry, kat);
        if (get_text(c, entry, at, label, &(*out)[*n]) != 0)
            return -1;
        (*n)++; /* counted first: freed even if the check fails */
        if (check(c, grant, (*out)[*n - 1], at) != 0)
            return -1;
    }
    return 0;
}

/* true / false (plain, YAML 1.2 core schema). */
static int get_bool(const ctx *c, struct fy_node *v, pos at, const char *what, bool *out) {
    if (is_null(v) || !fy_node_is_scalar(v))
        return fail(c, at, "'%s' must be true or false, not %s", what, kind_name(v));
    size_t len;
    const char *s = fy_node_get_scalar(v, &len);
    if (s == NULL)
        s = "", len = 0;
    int truth = is_plain(v) ? bool_word(s, len) : -1;
    if (truth < 0)
        return fail(c, at, "'%s' must be true or false (got %s'%.*s')", what,
                    is_plain(v) ? "" : "a quoted ", SHOWN(len), s);
    *out = truth == 1;
    return 0;
}

static int parse_caps(const ctx *c, struct fy_node *v, pos at, manifest_caps *caps) {
    if (is_null(v))
        return 0;
    if (!fy_node_is_mapping(v))
        return fail(c, node_pos(v, at), "'capabilities' must be a mapping, not %s", kind_name(v));
    void *it = NULL;
    struct fy_node_pair *p;
    while ((p = fy_node_mapping_iterate(v, &it)) != NULL) {
        const char *k;
        size_t klen;
        pos kat;
        if (get_key(c, p, at, &k, &klen, &kat) != 0)
            return -1;
        struct fy_node *val = fy_node_pair_value(p);
        int rc;
        if (key_is(k, klen, "send"))
            rc = parse_grant_list(c, val, kat, "send", "target", check_target, &caps->send, &caps->nsend);
        else if (key_is(k, klen, "request"))
            rc = parse_grant_list(c, val, kat, "request", "target", check_target, &caps->request,
                                  &caps->nrequest);
        else if (key_is(k, klen, "publish"))
            rc = parse_grant_list(c, val, kat, "publish", "pattern", check_pattern, &caps->publish,
                                  &caps->npublish);
        else if (key_is(k, klen, "subscribe"))
            rc = parse_grant_list(c, val, kat, "subscribe", "pattern", check_pattern, &caps->subscribe,
                                  &caps->nsubscribe);
        else if (key_is(k, klen, "spawn"))
            rc = get_bool(c, val, node_pos(val, kat), "spawn", &caps->spawn);
        else
            rc = fail(c, kat,
                      "unknown key '%.*s' in capabilities (expected send, request, publish, subscribe, spawn)",
                      SHOWN(klen), k);
        if (rc != 0)
            return -1;
    }
    return 0;
}

/* ------------------------------------------------------------------ components */

static int parse_component(const ctx *c, struct fy_node *entry, pos at, const char *base,
                           manifest *m, manifest_component *comp) {
    at = node_pos(entry, at);
    comp->line = at.line;
    if (!fy_node_is_mapping(entry))
        return fail(c, at, "a component must be a mapping with 'name' and 'module', not %s",
                    kind_name(entry));
    char *module = NULL;
    pos name_at = at;
    void *it = NULL;
    struct fy_node_pair *p;
    while ((p = fy_node_mapping_iterate(entry, &it)) != NULL) {
        const char *k;
        size_t klen;
        pos kat;
        if (get_key(c, p, at, &k, &klen, &kat) != 0)
            goto fail;
        struct fy_node *val = fy_node_pair_value(p);
        pos vat = node_pos(val, kat);
        if (key_is(k, klen, "name")) {
            name_at = vat;
            if (get_string(c, val, vat, "name", &comp->name) != 0)
                goto fail;
        } else if (key_is(k, klen, "module")) {
            if (get_string(c, val, vat, "module", &module) != 0)
                goto fail;
        } else if (key_is(k, klen, "limits")) {
            if (parse_limits(c, val, kat, comp) != 0)
                goto fail;
        } else if (key_is(k, klen, "capabilities")) {
            if (parse_caps(c, val, kat, &comp->caps) != 0)
                goto fail;
        } else if (key_is(k, klen, "mailbox")) {
            if (get_uint_range(c, val, vat, "mailbox", 1, MANIFEST_MAX_MAILBOX, &comp->mailbox) != 0)
                goto fail;
        } else if (key_is(k, klen, "max_message_bytes")) {
            if (get_uint_range(c, val, vat, "max_message_bytes", 1, MANIFEST_MAX_PAYLOAD,
                               &comp->max_message_bytes) != 0)
                goto fail;
        } else {
            fail(c, kat,
                 "unknown key '%.*s' in component (expected name, module, limits, capabilities, mailbox, "
                 "max_message_bytes)", SHOWN(klen), k);
            goto fail;
        }
    }
    if (comp->name == NULL) {
        fail(c, at, "component is missing required key 'name'");
        goto fail;
    }
    if (module == NULL) {
        fail(c, at, "component '%s' is missing required key 'module'", comp->name);
        goto fail;
    }
    if (strcmp(comp->name, "host") == 0 || comp->name[0] == '#') {
        fail(c, name_at, "component name '%s' is reserved ('host' and '#<pid>' are addresses)", comp->name);
        goto fail;
    }
    for (size_t i = 0; i < m->ncomponents; i++) {
        if (strcmp(m->components[i].name, comp->name) == 0) {
            fail(c, name_at, "duplicate component name '%s' (first declared on line %d)", comp->name,
                 m->components[i].line);
            goto fail;
        }
    }
    comp->module_path = resolve_module(base, module);
    free(module);
    if (comp->module_path == NULL)
        return fail_oom(c);
    return 0;
fail:
    free(module);
    return -1;
}

static int parse_components(const ctx *c, struct fy_node *v, pos at, const char *base, manifest *m) {
    if (!fy_node_is_sequence(v) || is_null(v))
        return fail(c, node_pos(v, at), "'components' must be a list of components, not %s", kind_name(v));
    int count = fy_node_sequence_item_count(v);
    if (count <= 0)
        return fail(c, at, "'components' must list at least one component");
    m->components = calloc((size_t)count, sizeof *m->components);
    if (m->components == NULL)
        return fail_oom(c);
    void *it = NULL;
    struct fy_node *entry;
    while ((entry = fy_node_sequence_iterate(v, &it)) != NULL) {
        manifest_component *comp = &m->components[m->ncomponents];
        if (parse_component(c, entry, at, base, m, comp) != 0) {
            free_component(comp);
            memset(comp, 0, sizeof *comp);
            return -1;
        }
        m->ncomponents++;
    }
    return 0;
}

/* ------------------------------------------------------------------ messages: `send:` and `publish:` */

/* The payload forms of an entry, and their multicodec codes. */
static const char *const PAYLOAD_FORMS[] = {"json", "text", "cbor", "borsh"};
static const uint64_t PAYLOAD_CODECS[] = {0x0200, 0x0200, 0x51, 0x0701};
#define NFORMS 4

/* The value of payload form `form` (an index into PAYLOAD_FORMS), written at `body_at`, as
 * multicodec-prefixed bytes. */
static int parse_payload(const ctx *c, int form, struct fy_node *body, pos body_at, uint8_t **payload,
                         size_t *len) {
    buf b = {0};
    int rc = 0;
    if (!buf_prefix(&b, PAYLOAD_CODECS[form])) {
        rc = fail_oom(c);
    } else if (form == 0) {
        rc = emit_json(c, &b, body, body_at, 0);
    } else if (form == 1) {
        pos vat = node_pos(body, body_at);
        if (is_null(body) || !fy_node_is_scalar(body)) {
            rc = fail(c, vat, "'text' must be a string, not %s", kind_name(body));
        } else {
            size_t tlen;
            const char *t = fy_node_get_scalar(body, &tlen);
            if (!buf_json_string(&b, t ? t : "", t ? tlen : 0))
                rc = fail_oom(c);
        }
    } else {
        rc = hex_payload(c, &b, body, node_pos(body, body_at), PAYLOAD_FORMS[form]);
    }
    if (rc == 0 && b.len > MANIFEST_MAX_PAYLOAD)
        rc = fail(c, body_at, "payload of %zu bytes exceeds the maximum message size (%u bytes)", b.len,
                  MANIFEST_MAX_PAYLOAD);
    if (rc != 0) {
        free(b.p);
        return -1;
    }
    *payload = b.p;
    *len = b.len;
    return 0;
}

typedef manifest_message msg;

/* What differs between the two lists. */
typedef struct msg_kind {
    const char *section;  /* the top-level key, "send" / "publish" */
    const char *addr_key; /* "to" / "topic" */
    int (*check_addr)(const ctx *c, const manifest *m, const char *addr, pos at);
} msg_kind;

static int check_send_to(const ctx *c, const manifest *m, const char *to, pos at) {
    for (size_t i = 0; i < m->ncomponents; i++)
        if (strcmp(m->components[i].name, to) == 0)
            return 0;
    return fail(c, at, "send.to '%s' names no declared component", to);
}

static int check_topic(const ctx *c, const manifest *m, const char *topic, pos at) {
    (void)m;
    if (broker_subject_valid(topic, false))
        return 0;
    if (broker_subject_valid(topic, true))
        return fail(c, at, "publish topic '%.*s' must not contain wildcards ('*', '>'): it names one subject",
                    SHOWN(strlen(topic)), topic);
    return fail(c, at, "publish topic '%.*s' is not a valid NATS subject (" NATS_SYNTAX ")",
                SHOWN(strlen(topic)), topic);
}

static const msg_kind SEND_KIND = {"send", "to", check_send_to};
static const msg_kind PUBLISH_KIND = {"publish", "topic", check_topic};

static void free_msgs(msg *v, size_t n) {
    for (size_t i = 0; i < n; i++) {
        free(v[i].target);
        free(v[i].payload);
    }
    free(v);
}

static int parse_msg(const ctx *c, const manifest *m, const msg_kind *k, struct fy_node *entry, pos at,
                     msg *out) {
    at = node_pos(entry, at);
    out->line = at.line;
    if (!fy_node_is_mapping(entry))
        return fail(c, at, "a %s entry must be a mapping with '%s' and a payload, not %s", k->section,
                    k->addr_key, kind_name(entry));
    int form = -1;
    struct fy_node *body = NULL;
    pos body_at = at, addr_at = at;
    void *it = NULL;
    struct fy_node_pair *p;
    while ((p = fy_node_mapping_iterate(entry, &it)) != NULL) {
        const char *key;
        size_t klen;
        pos kat;
        if (get_key(c, p, at, &key, &klen, &kat) != 0)
            return -1;
        struct fy_node *val = fy_node_pair_value(p);
        if (key_is(key, klen, k->addr_key)) {
            addr_at = node_pos(val, kat);
            if (get_string(c, val, addr_at, k->addr_key, &out->target) != 0)
                return -1;
            continue;
        }
        int f = -1;
        for (int i = 0; i < NFORMS; i++)
            if (key_is(key, klen, PAYLOAD_FORMS[i]))
                f = i;
        if (f < 0)
            return fail(c, kat, "unknown key '%.*s' in %s entry (expected %s, json, text, cbor, borsh)",
                        SHOWN(klen), key, k->section, k->addr_key);
        if (form >= 0)
            return fail(c, kat, "%s entry has both '%s' and '%s'; give exactly one payload", k->section,
                        PAYLOAD_FORMS[form], PAYLOAD_FORMS[f]);
        form = f;
        body = val;
        body_at = kat;
    }
    if (out->target == NULL)
        return fail(c, at, "%s entry is missing required key '%s'", k->section, k->addr_key);
    if (form < 0)
        return fail(c, at, "%s entry to '%s' needs a payload: one of 'json', 'text', 'cbor', 'borsh'",
                    k->section, out->target);
    if (k->check_addr(c, m, out->target, addr_at) != 0)
        return -1;
    return parse_payload(c, form, body, body_at, &out->payload, &out->len);
}

/* The list under top-level key k->section, in file order; *out is NULL when *n == 0. */
static int parse_msgs(const ctx *c, const manifest *m, const msg_kind *k, struct fy_node *v, pos at, msg **out,
                      size_t *n) {
    *out = NULL;
    *n = 0;
    if (is_null(v))
        return 0;
    if (!fy_node_is_sequence(v))
        return fail(c, node_pos(v, at), "'%s' must be a list of messages, not %s", k->section, kind_name(v));
    int count = fy_node_sequence_item_count(v);
    if (count <= 0)
        return 0;
    msg *msgs = calloc((size_t)count, sizeof *msgs);
    if (msgs == NULL)
        return fail_oom(c);
    size_t got = 0;
    void *it = NULL;
    struct fy_node *entry;
    while ((entry = fy_node_sequence_iterate(v, &it)) != NULL && got < (size_t)count) {
        if (parse_msg(c, m, k, entry, at, &msgs[got++]) != 0) { /* counted first: freed if half-parsed */
            free_msgs(msgs, got);
            return -1;
        }
    }
    *out = msgs;
    *n = got;
    return 0;
}

static int parse_sends(const ctx *c, struct fy_node *v, pos at, manifest *m) {
    return parse_msgs(c, m, &SEND_KIND, v, at, &m->sends, &m->nsends);
}

static int parse_publishes(const ctx *c, struct fy_node *v, pos at, manifest *m) {
    return parse_msgs(c, m, &PUBLISH_KIND, v, at, &m->publishes, &m->npublishes);
}

/* ------------------------------------------------------------------ supervision tree */

typedef struct tree {
    const ctx *c;
    manifest *m;
    int *placed_line;                 /* per component: line of the child that placed it, 0 = not placed */
    const manifest_supervisor **sups; /* every supervisor named so far, for duplicate checks */
    size_t nsups, capsups;
} tree;

/* A bare word from `names` (a plain or quoted scalar); returns its index via *out. */
static int get_word(const ctx *c, struct fy_node *v, pos at, const char *what, const char *const *names,
                    size_t n, const char *expected, int *out) {
    if (is_null(v) || !fy_node_is_scalar(v))
        return fail(c, at, "'%s' must be one of %s, not %s", what, expected, kind_name(v));
    size_t len;
    const char *s = fy_node_get_scalar(v, &len);
    if (s == NULL)
        s = "", len = 0;
    for (size_t i = 0; i < n; i++)
        if (key_is(s, len, names[i])) {
            *out = (int)i;
            return 0;
        }
    return fail(c, at, "unknown %s '%.*s' (expected %s)", what, SHOWN(len), s, expected);
}

/* A plain decimal number: [+-](digits[.digits]|.digits)[(e|E)[+-]digits], parsed without the locale
 * (strtod would want the locale's decimal point). Precise enough for a backoff multiplier. */
static int get_double(const ctx *c, struct fy_node *v, pos at, const char *what, double *out) {
    if (is_null(v) || !fy_node_is_scalar(v))
        return fail(c, at, "'%s' must be a number, not %s", what, kind_name(v));
    if (!is_plain(v))
        return fail(c, at, "'%s' must be a number, not a quoted string", what);
    size_t len;
    const char *s = fy_node_get_scalar(v, &len);
    if (s == NULL)
        s = "", len = 0;
    size_t i = 0, digits = 0;
    bool neg = false, ok = true;
    uint64_t mant = 0;
    long exp10 = 0;
    if (len > 0 && (s[0] == '+' || s[0] == '-'))
        neg = s[i++] == '-';
    for (int part = 0; part < 2; part++) {
        for (; i < len && s[i] >= '0' && s[i] <= '9'; i++, digits++) {
            if (mant < UINT64_MAX / 10 - 9)
                mant = mant * 10 + (uint64_t)(s[i] - '0'), exp10 -= part;
            else
                exp10 += 1 - part; /* digits beyond ~19 significant ones only scale */
        }
        if (part == 0 && !(i < len && s[i] == '.'))
            break;
        if (part == 0)
            i++;
    }
    if (digits > 0 && i < len && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        bool eneg = false;
        if (i < len && (s[i] == '+' || s[i] == '-'))
            eneg = s[i++] == '-';
        long e = 0;
        size_t edigits = 0;
        for (; i < len && s[i] >= '0' && s[i] <= '9'; i++, edigits++)
            if (e < 100000)
                e = e * 10 + (s[i] - '0');
        ok = edigits > 0;
        exp10 += eneg ? -e : e;
    }
    if (!ok || digits == 0 || i != len)
        return fail(c, at, "'%s' must be a number (got '%.*s')", what, SHOWN(len), s);
    double d = (double)mant;
    for (; exp10 > 0 && d < 1e300; exp10--)
        d *= 10.0;
    double scale = 1.0;
    for (; exp10 < 0 && scale < 1e300; exp10++)
        scale *= 10.0;
    if (exp10 > 0)
        d = 1e308 * 10.0; /* +inf: out of range for every caller */
    *out = neg ? -(d / scale) : d / scale;
    return 0;
}

/* Checks a supervisor name against reserved names, components and earlier supervisors, and records it. */
static int claim_sup_name(tree *t, manifest_supervisor *sup, pos at) {
    const ctx *c = t->c;
    if (strcmp(sup->name, "host") == 0 || sup->name[0] == '#')
        return fail(c, at, "supervisor name '%s' is reserved ('host' and '#<pid>' are addresses)", sup->name);
    for (size_t i = 0; i < t->m->ncomponents; i++)
        if (strcmp(t->m->components[i].name, sup->name) == 0)
            return fail(c, at, "supervisor name '%s' clashes with the component declared on line %d",
                        sup->name, t->m->components[i].line);
    for (size_t i = 0; i < t->nsups; i++)
        if (strcmp(t->sups[i]->name, sup->name) == 0)
            return fail(c, at, "duplicate supervisor name '%s' (first declared on line %d)", sup->name,
                        t->sups[i]->line);
    if (t->nsups == t->capsups) {
        size_t cap = t->capsups ? t->capsups * 2 : 8;
        const manifest_supervisor **p = realloc(t->sups, cap * sizeof *p);
        if (p == NULL)
            return fail_oom(c);
        t->sups = p;
        t->capsups = cap;
    }
    t->sups[t->nsups++] = sup;
    return 0;
}

static int parse_backoff(const ctx *c, struct fy_node *v, pos at, manifest_supervisor *sup) {
    if (!fy_node_is_mapping(v) || is_null(v))
        return fail(c, node_pos(v, at), "'backoff' must be a mapping with 'initial_ms', not %s", kind_name(v));
    bool have_initial = false, have_max = false;
    pos max_at = at;
    void *it = NULL;
    struct fy_node_pair *p;
    sup->backoff_multiplier = MANIFEST_DEFAULT_BACKOFF_MULT;
    while ((p = fy_node_mapping_iterate(v, &it)) != NULL) {
        const char *k;
        size_t klen;
        pos kat;
        if (get_key(c, p, at, &k, &klen, &kat) != 0)
            return -1;
        struct fy_node *val = fy_node_pair_value(p);
        pos vat = node_pos(val, kat);
        if (key_is(k, klen, "initial_ms")) {
            if (get_uint_range(c, val, vat, "initial_ms", 1, MANIFEST_MAX_MS, &sup->backoff_initial_ms) != 0)
                return -1;
            have_initial = true;
        } else if (key_is(k, klen, "max_ms")) {
            if (get_uint_range(c, val, vat, "max_ms", 1, MANIFEST_MAX_MS, &sup->backoff_max_ms) != 0)
                return -1;
            have_max = true;
            max_at = vat;
        } else if (key_is(k, klen, "multiplier")) {
            double d = 0;
            if (get_double(c, val, vat, "multiplier", &d) != 0)
                return -1;
            if (!(d >= 1.0))
                return fail(c, vat, "'multiplier' must be at least 1 (got %g)", d);
            if (!(d <= MANIFEST_MAX_MULTIPLIER))
                return fail(c, vat, "'multiplier' is out of range: %g (maximum %g)", d, MANIFEST_MAX_MULTIPLIER);
            sup->backoff_multiplier = d;
        } else {
            return fail(c, kat, "unknown key '%.*s' in backoff (expected initial_ms, multiplier, max_ms)",
                        SHOWN(klen), k);
        }
    }
    if (!have_initial)
        return fail(c, node_pos(v, at), "'backoff' is missing required key 'initial_ms'");
    if (!have_max) {
        sup->backoff_max_ms = MANIFEST_DEFAULT_BACKOFF_MAX_MS;
        if (sup->backoff_max_ms < sup->backoff_initial_ms)
            sup->backoff_max_ms = sup->backoff_initial_ms;
    } else if (sup->backoff_max_ms < sup->backoff_initial_ms) {
        return fail(c, max_at, "backoff 'max_ms' (%u) is less than 'initial_ms' (%u)", sup->backoff_max_ms,
                    sup->backoff_initial_ms);
    }
    return 0;
}

static int parse_health(const ctx *c, struct fy_node *v, pos at, manifest_child *ch) {
    if (!fy_node_is_mapping(v) || is_null(v))
        return fail(c, node_pos(v, at), "'health' must be a mapping with 'interval_ms', not %s", kind_name(v));
    bool have_timeout = false, have_threshold = false;
    void *it = NULL;
    struct fy_node_pair *p;
    while ((p = fy_node_mapping_iterate(v, &it)) != NULL) {
        const char *k;
        size_t klen;
        pos kat;
        if (get_key(c, p, at, &k, &klen, &kat) != 0)
            return -1;
        struct fy_node *val = fy_node_pair_value(p);
        pos vat = node_pos(val, kat);
        if (key_is(k, klen, "interval_ms")) {
            if (get_uint_range(c, val, vat, "interval_ms", 1, MANIFEST_MAX_MS, &ch->health_interval_ms) != 0)
                return -1;
        } else if (key_is(k, klen, "timeout_ms")) {
            if (get_uint_range(c, val, vat, "timeout_ms", 1, MANIFEST_MAX_MS, &ch->health_timeout_ms) != 0)
                return -1;
            have_timeout = true;
        } else if (key_is(k, klen, "threshold")) {
            if (get_uint_range(c, val, vat, "threshold", 1, MANIFEST_MAX_THRESHOLD, &ch->health_threshold) != 0)
                return -1;
            have_threshold = true;
        } else {
            return fail(c, kat, "unknown key '%.*s' in health (expected interval_ms, timeout_ms, threshold)",
                        SHOWN(klen), k);
        }
    }
    if (ch->health_interval_ms == 0)
        return fail(c, node_pos(v, at), "'health' is missing required key 'interval_ms'");
    if (!have_timeout)
        ch->health_timeout_ms = ch->health_interval_ms < MANIFEST_DEFAULT_HEALTH_TIMEOUT_MS
                                    ? ch->health_interval_ms
                                    : MANIFEST_DEFAULT_HEALTH_TIMEOUT_MS;
    if (!have_threshold)
        ch->health_threshold = MANIFEST_DEFAULT_HEALTH_THRESHOLD;
    return 0;
}

/* `shutdown: brutal_kill | infinity | <ms>` or `shutdown_ms: <ms>`. */
static int parse_shutdown(const ctx *c, struct fy_node *v, pos at, bool word_allowed, int *out) {
    const char *what = word_allowed ? "shutdown" : "shutdown_ms";
    if (word_allowed && fy_node_is_scalar(v) && !is_null(v)) {
        size_t len;
        const char *s = fy_node_get_scalar(v, &len);
        if (s != NULL && key_is(s, len, "brutal_kill")) {
            *out = SUP_BRUTAL_KILL;
            return 0;
        }
        if (s != NULL && key_is(s, len, "infinity")) {
            *out = SUP_INFINITY;
            return 0;
        }
        if (s == NULL || len == 0 || !((s[0] >= '0' && s[0] <= '9') || s[0] == '-' || s[0] == '+') ||
            !is_plain(v))
            return fail(c, at, "unknown shutdown '%.*s' (expected brutal_kill, infinity or milliseconds)",
                        SHOWN(s ? len : 0), s ? s : "");
    }
    uint64_t ms;
    if (get_uint(c, v, at, what, MANIFEST_MAX_MS, &ms) != 0)
        return -1;
    if (ms == 0)
        return fail(c, at, "'%s' must be at least 1 (use 'shutdown: brutal_kill' to kill at once)", what);
    *out = (int)ms;
    return 0;
}

static int parse_supervisor(tree *t, struct fy_node *v, pos at, int depth, manifest_supervisor *sup);

static int parse_child(tree *t, struct fy_node *entry, pos at, int depth, manifest_child *ch) {
    const ctx *c = t->c;
    at = node_pos(entry, at);
    ch->line = at.line;
    ch->restart = SUP_PERMANENT;
    if (!fy_node_is_mapping(entry) || is_null(entry))
        return fail(c, at, "a child must be a mapping with 'component' or 'supervisor', not %s", kind_name(entry));
    struct fy_node *comp = NULL, *sub = NULL, *health = NULL;
    pos comp_at = at, sub_at = at, health_at = at;
    bool have_comp = false, have_sub = false, have_shutdown = false;
    const char *shutdown_key = NULL;
    void *it = NULL;
    struct fy_node_pair *p;
    int shutdown = 0;
    while ((p = fy_node_mapping_iterate(entry, &it)) != NULL) {
        const char *k;
        size_t klen;
        pos kat;
        if (get_key(c, p, at, &k, &klen, &kat) != 0)
            return -1;
        struct fy_node *val = fy_node_pair_value(p);
        pos vat = node_pos(val, kat);
        if (key_is(k, klen, "component")) {
            comp = val, comp_at = vat, have_comp = true;
        } else if (key_is(k, klen, "supervisor")) {
            sub = val, sub_at = kat, have_sub = true;
        } else if (key_is(k, klen, "restart")) {
            static const char *const names[] = {"permanent", "transient", "temporary"};
            static const sup_restart vals[] = {SUP_PERMANENT, SUP_TRANSIENT, SUP_TEMPORARY};
            int i;
            if (get_word(c, val, vat, "restart", names, 3, "permanent, transient, temporary", &i) != 0)
                return -1;
            ch->restart = vals[i];
        } else if (key_is(k, klen, "shutdown") || key_is(k, klen, "shutdown_ms")) {
            bool word = key_is(k, klen, "shutdown");
            if (have_shutdown)
                return fail(c, kat, "child has both '%s' and '%s'; give one", shutdown_key,
                            word ? "shutdown" : "shutdown_ms");
            shutdown_key = word ? "shutdown" : "shutdown_ms";
            if (parse_shutdown(c, val, vat, word, &shutdown) != 0)
                return -1;
            have_shutdown = true;
        } else if (key_is(k, klen, "health")) {
            health = val, health_at = kat;
        } else {
            return fail(c, kat,
                        "unknown key '%.*s' in child (expected component, supervisor, restart, shutdown, "
                        "shutdown_ms, health)", SHOWN(klen), k);
        }
    }
    if (have_comp && have_sub)
        return fail(c, at, "a child has both 'component' and 'supervisor'; give one");
    if (!have_comp && !have_sub)
        return fail(c, at, "a child needs 'component' (a component name) or 'supervisor' (a mapping)");
    if (have_comp) {
        char *name = NULL;
        if (get_string(c, comp, comp_at, "component", &name) != 0)
            return -1;
        size_t idx = SIZE_MAX;
        for (size_t i = 0; i < t->m->ncomponents && idx == SIZE_MAX; i++)
            if (strcmp(t->m->components[i].name, name) == 0)
                idx = i;
        int rc = 0;
        if (idx == SIZE_MAX)
            rc = fail(c, comp_at, "child component '%s' names no declared component", name);
        else if (t->placed_line[idx] != 0)
            rc = fail(c, comp_at, "component '%s' is placed in the supervision tree twice (first on line %d)",
                      name, t->placed_line[idx]);
        free(name);
        if (rc != 0)
            return -1;
        t->placed_line[idx] = ch->line;
        t->m->components[idx].in_tree = true;
        ch->component = idx;
        ch->shutdown_ms = have_shutdown ? shutdown : MANIFEST_DEFAULT_SHUTDOWN_MS;
        if (!is_null(health) && parse_health(c, health, health_at, ch) != 0)
            return -1;
        return 0;
    }
    if (!is_null(health))
        return fail(c, health_at, "'health' applies to component children only, not to a supervisor");
    ch->is_supervisor = true;
    ch->shutdown_ms = have_shutdown ? shutdown : SUP_INFINITY;
    ch->supervisor = calloc(1, sizeof *ch->supervisor);
    if (ch->supervisor == NULL)
        return fail_oom(c);
    return parse_supervisor(t, sub, sub_at, depth + 1, ch->supervisor);
}

static int parse_supervisor(tree *t, struct fy_node *v, pos at, int depth, manifest_supervisor *sup) {
    const ctx *c = t->c;
    at = node_pos(v, at);
    sup->line = at.line;
    sup->strategy = SUP_ONE_FOR_ONE;
    sup->intensity = MANIFEST_DEFAULT_INTENSITY;
    sup->period_ms = MANIFEST_DEFAULT_PERIOD_MS;
    sup->backoff_multiplier = 1.0;
    if (!fy_node_is_mapping(v) || is_null(v))
        return fail(c, at, "'supervisor' must be a mapping with 'name' and 'children', not %s", kind_name(v));
    if (depth > MANIFEST_MAX_TREE_DEPTH)
        return fail(c, at, "supervisors are nested more than %d levels deep", MANIFEST_MAX_TREE_DEPTH);

    /* The name first, so that duplicates are reported at the later supervisor in file order. */
    void *it = NULL;
    struct fy_node_pair *p;
    while ((p = fy_node_mapping_iterate(v, &it)) != NULL) {
        const char *k;
        size_t klen;
        pos kat;
        if (get_key(c, p, at, &k, &klen, &kat) != 0)
            return -1;
        if (key_is(k, klen, "name")) {
            struct fy_node *val = fy_node_pair_value(p);
            pos vat = node_pos(val, kat);
            if (get_string(c, val, vat, "name", &sup->name) != 0 || claim_sup_name(t, sup, vat) != 0)
                return -1;
        }
    }
    if (sup->name == NULL)
        return fail(c, at, "supervisor is missing required key 'name'");

    struct fy_node *children = NULL;
    pos children_at = at;
    bool have_children = false;
    it = NULL;
    while ((p = fy_node_mapping_iterate(v, &it)) != NULL) {
        const char *k;
        size_t klen;
        pos kat;
        if (get_key(c, p, at, &k, &klen, &kat) != 0)
            return -1;
        struct fy_node *val = fy_node_pair_value(p);
        pos vat = node_pos(val, kat);
        if (key_is(k, klen, "name")) {
            continue;
        } else if (key_is(k, klen, "strategy")) {
            static const char *const names[] = {"one_for_one", "one_for_all", "rest_for_one",
                                                "simple_one_for_one"};
            static const sup_strategy vals[] = {SUP_ONE_FOR_ONE, SUP_ONE_FOR_ALL, SUP_REST_FOR_ONE,
                                                SUP_SIMPLE_ONE_FOR_ONE};
            int i;
            if (get_word(c, val, vat, "strategy", names, 4,
                         "one_for_one, one_for_all, rest_for_one, simple_one_for_one", &i) != 0)
                return -1;
            sup->strategy = vals[i];
        } else if (key_is(k, klen, "intensity")) {
            if (get_uint_range(c, val, vat, "intensity", 0, MANIFEST_MAX_INTENSITY, &sup->intensity) != 0)
                return -1;
        } else if (key_is(k, klen, "period_ms")) {
            if (get_uint_range(c, val, vat, "period_ms", 1, MANIFEST_MAX_MS, &sup->period_ms) != 0)
                return -1;
        } else if (key_is(k, klen, "backoff")) {
            if (!is_null(val) && parse_backoff(c, val, kat, sup) != 0)
                return -1;
        } else if (key_is(k, klen, "children")) {
            children = val, children_at = kat, have_children = true;
        } else {
            return fail(c, kat,
                        "unknown key '%.*s' in supervisor (expected name, strategy, intensity, period_ms, "
                        "backoff, children)", SHOWN(klen), k);
        }
    }
    if (!have_children)
        return fail(c, at, "supervisor '%s' is missing required key 'children'", sup->name);
    int count = 0;
    if (!is_null(children)) {
        if (!fy_node_is_sequence(children))
            return fail(c, node_pos(children, children_at), "'children' must be a list of children, not %s",
                        kind_name(children));
        count = fy_node_sequence_item_count(children);
    }
    if (sup->strategy == SUP_SIMPLE_ONE_FOR_ONE && count != 1)
        return fail(c, children_at,
                    "simple_one_for_one supervisor '%s' needs exactly one child (the template), not %d",
                    sup->name, count < 0 ? 0 : count);
    if (count <= 0)
        return 0;
    sup->children = calloc((size_t)count, sizeof *sup->children);
    if (sup->children == NULL)
        return fail_oom(c);
    it = NULL;
    struct fy_node *entry;
    while ((entry = fy_node_sequence_iterate(children, &it)) != NULL && sup->nchildren < (size_t)count) {
        manifest_child *ch = &sup->children[sup->nchildren++]; /* counted first: freed even if half-parsed */
        if (parse_child(t, entry, children_at, depth, ch) != 0)
            return -1;
        if (sup->strategy == SUP_SIMPLE_ONE_FOR_ONE && ch->is_supervisor)
            return fail(c, (pos){ch->line, 0},
                        "the child of simple_one_for_one supervisor '%s' must be a component (the template), "
                        "not a supervisor", sup->name);
    }
    return 0;
}

static int parse_tree(const ctx *c, struct fy_node *v, pos at, manifest *m) {
    if (is_null(v))
        return 0;
    tree t = {.c = c, .m = m};
    t.placed_line = calloc(m->ncomponents, sizeof *t.placed_line);
    m->supervisor = calloc(1, sizeof *m->supervisor);
    int rc;
    if (t.placed_line == NULL || m->supervisor == NULL)
        rc = fail_oom(c);
    else
        rc = parse_supervisor(&t, v, at, 1, m->supervisor);
    free(t.placed_line);
    free(t.sups);
    return rc;
}

static void free_supervisor(manifest_supervisor *s) {
    if (s == NULL)
        return;
    for (size_t i = 0; i < s->nchildren; i++)
        free_supervisor(s->children[i].supervisor);
    free(s->children);
    free(s->name);
    free(s);
}

/* ------------------------------------------------------------------ entry points */

static void quiet_output(struct fy_diag *diag, void *user, const char *b, size_t len) {
    (void)diag, (void)user, (void)b, (void)len;
}

static int parse_document(const ctx *c, struct fy_document *doc, const char *base, manifest *m) {
    struct fy_node *root = fy_document_root(doc);
    pos top = {1, 1};
    if (root == NULL || is_null(root))
        return fail(c, top, "the manifest is empty (expected a mapping with 'components')");
    if (!fy_node_is_mapping(root))
        return fail(c, node_pos(root, top), "the manifest must be a mapping with 'components', not %s",
                    kind_name(root));
    struct fy_node *components = NULL, *send = NULL, *publish = NULL, *supervisor = NULL;
    pos components_at = top, send_at = top, publish_at = top, supervisor_at = top;
    bool have_components = false;
    void *it = NULL;
    struct fy_node_pair *p;
    while ((p = fy_node_mapping_iterate(root, &it)) != NULL) {
        const char *k;
        size_t klen;
        pos kat;
        if (get_key(c, p, top, &k, &klen, &kat) != 0)
            return -1;
        if (key_is(k, klen, "components")) {
            components = fy_node_pair_value(p);
            components_at = kat;
            have_components = true;
        } else if (key_is(k, klen, "send")) {
            send = fy_node_pair_value(p);
            send_at = kat;
        } else if (key_is(k, klen, "publish")) {
            publish = fy_node_pair_value(p);
            publish_at = kat;
        } else if (key_is(k, klen, "supervisor")) {
            supervisor = fy_node_pair_value(p);
            supervisor_at = kat;
        } else {
            return fail(c, kat,
                        "unknown key '%.*s' at top level (expected components, supervisor, send, publish)",
                        SHOWN(klen), k);
        }
    }
    if (!have_components)
        return fail(c, top, "the manifest is missing required key 'components'");
    if (parse_components(c, components, components_at, base, m) != 0)
        return -1;
    if (parse_sends(c, send, send_at, m) != 0 || parse_publishes(c, publish, publish_at, m) != 0)
        return -1;
    return parse_tree(c, supervisor, supervisor_at, m);
}

int manifest_parse(const char *text, size_t len, const char *path, manifest **out, char *err,
                   size_t errlen) {
    ctx c = {path ? path : "<string>", err, errlen};
    if (err && errlen)
        err[0] = '\0';
    if (out == NULL || text == NULL)
        return fail(&c, (pos){0, 0}, "invalid argument");
    *out = NULL;

    manifest *m = calloc(1, sizeof *m);
    if (m == NULL)
        return fail_oom(&c);
    if (path && (m->path = strdup(path)) == NULL) {
        free(m);
        return fail_oom(&c);
    }

    struct fy_diag_cfg dcfg;
    fy_diag_cfg_default(&dcfg);
    dcfg.fp = NULL;
    dcfg.output_fn = quiet_output;
    dcfg.colorize = false;
    struct fy_diag *diag = fy_diag_create(&dcfg);
    if (diag == NULL) {
        manifest_free(m);
        return fail_oom(&c);
    }
    fy_diag_set_collect_errors(diag, true);
    struct fy_parse_cfg pcfg;
    memset(&pcfg, 0, sizeof pcfg);
    pcfg.flags = FYPCF_QUIET | FYPCF_RESOLVE_DOCUMENT | FYPCF_COLLECT_DIAG;
    pcfg.diag = diag;

    int rc;
    struct fy_document *doc = fy_document_build_from_string(&pcfg, len ? text : "", len);
    if (doc == NULL) {
        struct fy_diag_error *e, *first = NULL;
        void *it = NULL;
        while ((e = fy_diag_errors_iterate(diag, &it)) != NULL)
            if (first == NULL && e->type >= FYET_ERROR)
                first = e;
        if (first != NULL)
            rc = fail(&c, (pos){first->line, first->column}, "YAML syntax error: %s",
                      first->msg ? first->msg : "unknown");
        else
            rc = fail(&c, (pos){1, 1}, "the manifest is empty (expected a mapping with 'components')");
    } else {
        rc = parse_document(&c, doc, path, m);
        fy_document_destroy(doc);
    }
    fy_diag_destroy(diag);
    if (rc != 0) {
        manifest_free(m);
        return -1;
    }
    *out = m;
    return 0;
}

int manifest_load(const char *path, manifest **out, char *err, size_t errlen) {
    if (err && errlen)
        err[0] = '\0';
    if (path == NULL || out == NULL) {
        if (err && errlen)
            snprintf(err, errlen, "<manifest>: invalid argument");
        return -1;
    }
    *out = NULL;
    char reason[128];
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        if (strerror_r(errno, reason, sizeof reason) != 0)
            snprintf(reason, sizeof reason, "error %d", errno);
        if (err && errlen)
            snprintf(err, errlen, "%s: cannot read: %s", path, reason);
        return -1;
    }
    buf b = {0};
    uint8_t chunk[8192];
    size_t n;
    bool too_big = false, oom = false;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (b.len + n > MAX_FILE_SIZE) {
            too_big = true;
            break;
        }
        if (!buf_put(&b, chunk, n)) {
            oom = true;
            break;
        }
    }
    int read_errno = ferror(f) ? errno : 0;
    bool read_failed = ferror(f) != 0;
    fclose(f);
    if (read_failed || too_big || oom) {
        if (too_big)
            snprintf(reason, sizeof reason, "larger than %u bytes", MAX_FILE_SIZE);
        else if (oom)
            snprintf(reason, sizeof reason, "out of memory");
        else if (read_errno == 0 || strerror_r(read_errno, reason, sizeof reason) != 0)
            snprintf(reason, sizeof reason, "read error");
        if (err && errlen)
            snprintf(err, errlen, "%s: cannot read: %s", path, reason);
        free(b.p);
        return -1;
    }
    int rc = manifest_parse(b.p ? (const char *)b.p : "", b.len, path, out, err, errlen);
    free(b.p);
    return rc;
}

void manifest_free(manifest *m) {
    if (m == NULL)
        return;
    for (size_t i = 0; i < m->ncomponents; i++)
        free_component(&m->components[i]);
    free(m->components);
    for (size_t i = 0; i < m->nsends; i++) {
        free(m->sends[i].target);
        free(m->sends[i].payload);
    }
    free(m->sends);
    for (size_t i = 0; i < m->npublishes; i++) {
        free(m->publishes[i].target);
        free(m->publishes[i].payload);
    }
    free(m->publishes);
    free_supervisor(m->supervisor);
    free(m->path);
    free(m);
}
