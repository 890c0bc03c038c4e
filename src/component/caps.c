/*
 * caps.c — capability checks: what a component's manifest grants it (docs/ABI.md, "Capabilities").
 * Deny by default: no caps, or an empty list, allows nothing.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "component/internal.h"
#include "registry/registry.h"

static bool grant_is(const char *grant, const char *text, size_t len) {
    return strlen(grant) == len && memcmp(grant, text, len) == 0;
}

bool caps_allow_target(const component *c, const char *const *grants, size_t n, const char *to, size_t to_len) {
    if (!c->caps) return false;
    for (size_t i = 0; i < n; i++) /* the common case first: granted as written (no registry lookup) */
        if (strcmp(grants[i], "*") == 0 || grant_is(grants[i], to, to_len)) return true;
    char alias[128] = ""; /* "#17" may be granted by the name registered for pid 17, and vice versa */
    char buf[128];
    if (to_len > 1 && to[0] == '#' && to_len < sizeof buf) {
        memcpy(buf, to + 1, to_len - 1);
        buf[to_len - 1] = 0;
        uint64_t id = strtoull(buf, NULL, 10);
        if (id) registry_name_of(actor_system_registry(c->sys), id, alias, sizeof alias);
    } else if (to_len < sizeof buf) {
        memcpy(buf, to, to_len);
        buf[to_len] = 0;
        uint64_t id = registry_whereis(actor_system_registry(c->sys), buf);
        if (id) snprintf(alias, sizeof alias, "#%" PRIu64, id);
    }
    for (size_t i = 0; alias[0] && i < n; i++)
        if (strcmp(grants[i], alias) == 0) return true;
    return false;
}

/* Next token of a subject: sets *len, returns its start or NULL at the end. */
static const char *token(const char **p, size_t *len) {
    if (!*p) return NULL;
    const char *start = *p, *dot = strchr(start, '.');
    *len = dot ? (size_t)(dot - start) : strlen(start);
    *p = dot ? dot + 1 : NULL;
    return start;
}

bool caps_subject_matches(const char *pattern, const char *subject) {
    const char *p = pattern, *s = subject;
    size_t pl, sl;
    for (;;) {
        const char *pt = token(&p, &pl), *st = token(&s, &sl);
        if (!pt) return !st;
        if (pl == 1 && *pt == '>') return st != NULL; /* one or more remaining tokens */
        if (!st) return false;
        if (!(pl == 1 && *pt == '*') && (pl != sl || memcmp(pt, st, pl) != 0)) return false;
    }
}

/* Does grant `g` cover every subject that pattern `want` can match? Token by token: `>` in the grant covers
 * the rest; `*` in the grant covers a literal or `*`; a literal covers only itself. */
static bool covers(const char *g, const char *want) {
    const char *p = g, *s = want;
    size_t gl, wl;
    for (;;) {
        const char *gt = token(&p, &gl), *wt = token(&s, &wl);
        if (!gt) return !wt;
        if (gl == 1 && *gt == '>') return wt != NULL;
        if (!wt) return false;
        if (wl == 1 && *wt == '>') return false; /* only a `>` grant covers `>` */
        if (gl == 1 && *gt == '*') continue;
        if (gl != wl || memcmp(gt, wt, gl) != 0) return false;
    }
}

bool caps_allow_publish(const wactor_caps *caps, const char *topic) {
    for (size_t i = 0; caps && i < caps->npublish; i++)
        if (caps_subject_matches(caps->publish[i], topic)) return true;
    return false;
}

bool caps_allow_subscribe(const wactor_caps *caps, const char *pattern) {
    for (size_t i = 0; caps && i < caps->nsubscribe; i++)
        if (covers(caps->subscribe[i], pattern)) return true;
    return false;
}
