/*
 * subject.c — NATS subject pattern algebra for capability grants (broker.h: broker_subject_matches,
 * broker_pattern_covers). Follows "Subject-Based Messaging" in the NATS docs: '*' is one token, '>' one or
 * more trailing tokens. Both arguments are validated with broker_subject_valid() first, so the token walk
 * below sees only well-formed subjects of at most BROKER_SUBJECT_MAX bytes.
 */
#include <string.h>

#include "broker/broker.h"

/* The next token of a validated subject: sets *len and returns its start, or NULL past the end. */
static const char *next_token(const char **p, size_t *len) {
    if (!*p) return NULL;
    const char *start = *p, *dot = strchr(start, '.');
    *len = dot ? (size_t)(dot - start) : strlen(start);
    *p = dot ? dot + 1 : NULL;
    return start;
}

static bool is_wild(const char *tok, size_t len, char w) { return len == 1 && *tok == w; }

bool broker_subject_matches(const char *pattern, const char *subject) {
    if (!broker_subject_valid(pattern, true) || !broker_subject_valid(subject, false)) return false;
    const char *p = pattern, *s = subject;
    for (;;) {
        size_t pl = 0, sl = 0;
        const char *pt = next_token(&p, &pl), *st = next_token(&s, &sl);
        if (!pt) return !st;
        if (is_wild(pt, pl, '>')) return st != NULL; /* one or more remaining tokens */
        if (!st) return false;
        if (!is_wild(pt, pl, '*') && (pl != sl || memcmp(pt, st, pl) != 0)) return false;
    }
}

bool broker_pattern_covers(const char *grant, const char *want) {
    if (!broker_subject_valid(grant, true) || !broker_subject_valid(want, true)) return false;
    const char *g = grant, *w = want;
    for (;;) {
        size_t gl = 0, wl = 0;
        const char *gt = next_token(&g, &gl), *wt = next_token(&w, &wl);
        if (!gt) return !wt;
        if (is_wild(gt, gl, '>')) return wt != NULL;
        if (!wt) return false;
        if (is_wild(wt, wl, '>')) return false; /* only a '>' grant covers '>' */
        if (is_wild(gt, gl, '*')) continue;      /* covers a literal or '*' */
        if (gl != wl || memcmp(gt, wt, gl) != 0) return false; /* a literal covers only itself ('*' too) */
    }
}
