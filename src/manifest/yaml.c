/*
 * yaml.c — typed values out of document nodes (document.c), with their positions for messages.
 *
 * Positions: a collection's position is that of its first scalar (for `- name: ping` that is the line of
 * the entry, for `components: [` then a newline the line of the first item), and an empty value is reported
 * at its key. Scalars follow the YAML 1.2 core schema (null, true/false, decimal
 * integers); quoted scalars are always strings.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "manifest/internal.h"

int mf_fail(const ctx *c, pos at, const char *fmt, ...) {
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

int mf_fail_oom(const ctx *c) { return mf_fail(c, (pos){0, 0}, "out of memory"); }

const char *mf_show(const char *s, size_t len, char out[MF_SHOW_MAX]) {
    size_t o = 0, shown = len > 60 ? 60 : len;
    for (size_t i = 0; i < shown; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch >= 0x20 && ch < 0x7f && ch != '\\')
            out[o++] = (char)ch;
        else
            o += (size_t)snprintf(out + o, 5, "\\x%02x", ch);
    }
    if (shown < len)
        memcpy(out + o, "...", 3), o += 3;
    out[o] = '\0';
    return out;
}

pos mf_node_pos(mf_node *n, pos fallback) {
    if (n == NULL)
        return fallback;
    if (mf_is_scalar(n)) {
        /* an empty value is reported where its key is */
        return n->plain && n->len == 0 ? fallback : n->at;
    }
    size_t it = 0;
    if (mf_is_map(n)) {
        mf_pair *p = mf_map_next(n, &it);
        return p ? mf_node_pos(p->key, fallback) : fallback;
    }
    if (mf_is_seq(n))
        return mf_node_pos(mf_seq_next(n, &it), fallback);
    return fallback;
}

bool mf_is_plain(mf_node *n) { return n != NULL && n->kind == MF_SCALAR && n->plain; }

/* A null value: missing, or a plain empty / ~ / null scalar (YAML 1.2 core schema). */
bool mf_is_null(mf_node *n) {
    if (n == NULL)
        return true;
    if (!mf_is_scalar(n) || !mf_is_plain(n))
        return false;
    size_t len;
    const char *s = mf_scalar(n, &len);
    if (s == NULL || len == 0)
        return true;
    return (len == 1 && s[0] == '~') ||
           (len == 4 && (!memcmp(s, "null", 4) || !memcmp(s, "Null", 4) || !memcmp(s, "NULL", 4)));
}

const char *mf_kind_name(mf_node *n) {
    if (mf_is_null(n))
        return "nothing";
    if (mf_is_map(n))
        return "a mapping";
    if (mf_is_seq(n))
        return "a list";
    return "a scalar";
}

bool mf_key_is(const char *k, size_t klen, const char *want) {
    return strlen(want) == klen && memcmp(k, want, klen) == 0;
}

/* Prints at most 60 bytes of a key in messages. */

/* Reads a mapping key; keys must be scalars. */
int mf_get_key(const ctx *c, mf_pair *p, pos fallback, const char **k, size_t *klen,
                   pos *at) {
    mf_node *key = p->key;
    *at = mf_node_pos(key, fallback);
    if (key == NULL || !mf_is_scalar(key))
        return mf_fail(c, *at, "mapping keys must be plain names");
    *k = mf_scalar(key, klen);
    if (*k == NULL)
        *k = "", *klen = 0;
    return 0;
}

int mf_map_entry(const ctx *c, const mf_node *map, pos at, size_t *it, mf_entry *e) {
    mf_pair *p = mf_map_next(map, it);
    if (p == NULL)
        return 0;
    if (mf_get_key(c, p, at, &e->key, &e->klen, &e->kat) != 0)
        return -1;
    e->knode = p->key;
    e->val = p->value;
    e->vat = mf_node_pos(p->value, e->kat);
    return 1;
}

/* A required non-empty string without control characters; *out is malloc'd. `label` names the value
 * in messages as a phrase ("'name'", "a 'send' target"). */
int mf_get_text(const ctx *c, mf_node *v, pos at, const char *label, char **out) {
    if (mf_is_null(v) || !mf_is_scalar(v))
        return mf_fail(c, at, "%s must be a string, not %s", label, mf_kind_name(v));
    size_t len;
    const char *s = mf_scalar(v, &len);
    if (s == NULL || len == 0)
        return mf_fail(c, at, "%s must not be empty", label);
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return mf_fail(c, at, "%s must not contain control characters", label);
    if (len > MANIFEST_MAX_STRING)
        return mf_fail(c, at, "%s is longer than %u bytes", label, MANIFEST_MAX_STRING);
    *out = malloc(len + 1);
    if (*out == NULL)
        return mf_fail_oom(c);
    memcpy(*out, s, len);
    (*out)[len] = '\0';
    return 0;
}

/* mf_get_text() for the value of key `what`. */
int mf_get_string(const ctx *c, mf_node *v, pos at, const char *what, char **out) {
    char label[48];
    snprintf(label, sizeof label, "'%s'", what);
    return mf_get_text(c, v, at, label, out);
}

/* A non-negative decimal integer written as a plain scalar, at most `max`. */
int mf_get_uint(const ctx *c, mf_node *v, pos at, const char *what, uint64_t max,
                    uint64_t *out) {
    if (mf_is_null(v) || !mf_is_scalar(v))
        return mf_fail(c, at, "'%s' must be a non-negative integer, not %s", what, mf_kind_name(v));
    size_t len;
    const char *s = mf_scalar(v, &len);
    if (!mf_is_plain(v))
        return mf_fail(c, at, "'%s' must be a non-negative integer, not a quoted string", what);
    size_t i = 0;
    if (len > 0 && s[0] == '+')
        i = 1;
    if (len > 1 && s[0] == '-' && s[1] >= '0' && s[1] <= '9')
        return mf_fail(c, at, "'%s' must not be negative (got %s)", what, MF_SHOW(s, len));
    if (i == len)
        return mf_fail(c, at, "'%s' must be a non-negative integer (got '%s')", what, MF_SHOW(s, len));
    uint64_t val = 0;
    bool over = false;
    for (; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return mf_fail(c, at, "'%s' must be a non-negative integer (got '%s')", what, MF_SHOW(s, len));
        unsigned d = (unsigned)(s[i] - '0');
        if (val > (UINT64_MAX - d) / 10)
            over = true;
        else
            val = val * 10 + d;
    }
    if (over || val > max)
        return mf_fail(c, at, "'%s' is out of range: %s (maximum %llu)", what, MF_SHOW(s, len),
                    (unsigned long long)max);
    *out = val;
    return 0;
}

/* mf_get_uint() with a lower bound too. */
int mf_get_uint_range(const ctx *c, mf_node *v, pos at, const char *what, uint64_t min,
                          uint64_t max, uint32_t *out) {
    uint64_t u;
    if (mf_get_uint(c, v, at, what, max, &u) != 0)
        return -1;
    if (u < min)
        return mf_fail(c, at, "'%s' is out of range: %llu (minimum %llu)", what, (unsigned long long)u,
                    (unsigned long long)min);
    *out = (uint32_t)u;
    return 0;
}

/* 1 for a YAML 1.2 core-schema true (true, True, TRUE), 0 for false, -1 for anything else. */
int mf_bool_word(const char *s, size_t len) {
    if (len == 4 && (!memcmp(s, "true", 4) || !memcmp(s, "True", 4) || !memcmp(s, "TRUE", 4)))
        return 1;
    if (len == 5 && (!memcmp(s, "false", 5) || !memcmp(s, "False", 5) || !memcmp(s, "FALSE", 5)))
        return 0;
    return -1;
}

/* true / false (plain, YAML 1.2 core schema). */
int mf_get_bool(const ctx *c, mf_node *v, pos at, const char *what, bool *out) {
    if (mf_is_null(v) || !mf_is_scalar(v))
        return mf_fail(c, at, "'%s' must be true or false, not %s", what, mf_kind_name(v));
    size_t len;
    const char *s = mf_scalar(v, &len);
    if (s == NULL)
        s = "", len = 0;
    int truth = mf_is_plain(v) ? mf_bool_word(s, len) : -1;
    if (truth < 0)
        return mf_fail(c, at, "'%s' must be true or false (got %s'%s')", what,
                    mf_is_plain(v) ? "" : "a quoted ", MF_SHOW(s, len));
    *out = truth == 1;
    return 0;
}
/* A bare word from `names` (a plain or quoted scalar); returns its index via *out. */
int mf_get_word(const ctx *c, mf_node *v, pos at, const char *what, const char *const *names,
                    size_t n, const char *expected, int *out) {
    if (mf_is_null(v) || !mf_is_scalar(v))
        return mf_fail(c, at, "'%s' must be one of %s, not %s", what, expected, mf_kind_name(v));
    size_t len;
    const char *s = mf_scalar(v, &len);
    if (s == NULL)
        s = "", len = 0;
    for (size_t i = 0; i < n; i++)
        if (mf_key_is(s, len, names[i])) {
            *out = (int)i;
            return 0;
        }
    return mf_fail(c, at, "unknown %s '%s' (expected %s)", what, MF_SHOW(s, len), expected);
}

/* A plain decimal number: [+-](digits[.digits]|.digits)[(e|E)[+-]digits], parsed without the locale
 * (strtod would want the locale's decimal point). Precise enough for a backoff multiplier. */
int mf_get_double(const ctx *c, mf_node *v, pos at, const char *what, double *out) {
    if (mf_is_null(v) || !mf_is_scalar(v))
        return mf_fail(c, at, "'%s' must be a number, not %s", what, mf_kind_name(v));
    if (!mf_is_plain(v))
        return mf_fail(c, at, "'%s' must be a number, not a quoted string", what);
    size_t len;
    const char *s = mf_scalar(v, &len);
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
        return mf_fail(c, at, "'%s' must be a number (got '%s')", what, MF_SHOW(s, len));
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

