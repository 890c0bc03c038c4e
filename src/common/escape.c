/*
 * escape.c — see escape.h. UTF-8 well-formedness per the Unicode Standard, table 3-7.
 */
#include <stdbool.h>
#include <string.h>

#include "common/escape.h"

/* Length of the well-formed UTF-8 sequence at s (n bytes left) that encodes a code point >= U+00A0, or 0. */
static size_t utf8_ok(const unsigned char *s, size_t n) {
    unsigned char c = s[0];
    if (c < 0xc2 || c > 0xf4) return 0;
    size_t need = c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
    if (n < need) return 0;
    unsigned char lo = 0x80, hi = 0xbf;
    if (c == 0xc2) lo = 0xa0;               /* U+0080..U+009F are the C1 controls */
    else if (c == 0xe0) lo = 0xa0;          /* overlong */
    else if (c == 0xed) hi = 0x9f;          /* surrogates */
    else if (c == 0xf0) lo = 0x90;          /* overlong */
    else if (c == 0xf4) hi = 0x8f;          /* > U+10FFFF */
    if (s[1] < lo || s[1] > hi) return 0;
    for (size_t i = 2; i < need; i++)
        if (s[i] < 0x80 || s[i] > 0xbf) return 0;
    return need;
}

/* The escape of the byte at s[0] into e (at least 4 bytes); returns its length, or 0 if s[0..*run) passes
 * as it is (*run set to the length of the run that passes: 1 for ASCII, 2..4 for UTF-8). */
static size_t one(const unsigned char *s, size_t n, char *e, size_t *run) {
    static const char hex[] = "0123456789abcdef";
    unsigned char c = s[0];
    *run = 1;
    if (c >= 0x20 && c < 0x7f && c != '\\') return 0;
    switch (c) {
    case '\n': memcpy(e, "\\n", 2); return 2;
    case '\r': memcpy(e, "\\r", 2); return 2;
    case '\t': memcpy(e, "\\t", 2); return 2;
    case '\\': memcpy(e, "\\\\", 2); return 2;
    default: break;
    }
    if (c >= 0x80) {
        size_t u = utf8_ok(s, n);
        if (u) {
            *run = u;
            return 0;
        }
    }
    e[0] = '\\', e[1] = 'x', e[2] = hex[c >> 4], e[3] = hex[c & 15];
    return 4;
}

int escape_write(FILE *out, const char *text, size_t len) {
    const unsigned char *s = (const unsigned char *)text;
    size_t i = 0;
    while (i < len) {
        size_t start = i, run;
        char e[4];
        size_t elen = 0;
        while (i < len && (elen = one(s + i, len - i, e, &run)) == 0) i += run; /* what passes, in one piece */
        if (i > start && fwrite(s + start, 1, i - start, out) != i - start) return -1;
        if (i < len) {
            if (fwrite(e, 1, elen, out) != elen) return -1;
            i++;
        }
    }
    return 0;
}

size_t escape_to(char *buf, size_t cap, const char *text, size_t len) {
    const unsigned char *s = (const unsigned char *)text;
    size_t w = 0, total = 0;
    bool cut = false;
    for (size_t i = 0; i < len;) {
        char e[4];
        size_t run, elen = one(s + i, len - i, e, &run);
        const char *piece = elen ? e : (const char *)s + i;
        size_t plen = elen ? elen : run;
        if (!cut && w + plen < cap) {
            memcpy(buf + w, piece, plen);
            w += plen;
        } else {
            cut = true;
        }
        total += plen;
        i += elen ? 1 : run;
    }
    buf[w] = '\0';
    return total;
}
