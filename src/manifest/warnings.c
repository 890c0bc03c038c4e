/*
 * warnings.c — the manifest's warnings channel (manifest.warnings: what is allowed but almost certainly
 * a mistake) and the check that fills it: a `send` / `request` capability target that names no component
 * or supervisor (or host actor child) of the manifest (a typo like `request: [stroe]` would otherwise deny every request
 * silently). Targets are recorded while the capabilities are parsed (mf_ref_add) and checked once the
 * whole manifest is known (mf_check_refs), since a component may grant a target declared below it.
 *
 * A warning is "FILE:LINE:COL: warning: ..." like an error, with "did you mean 'NAME'?" when a declared
 * name is within a small edit distance (optimal string alignment: insertions, deletions, substitutions
 * and transpositions of neighbours each cost 1; ASCII case is ignored, so `KV` suggests `kv`). Both are bounded against hostile manifests: at most
 * MANIFEST_MAX_WARNINGS warnings are kept (the rest are counted), and the search for suggestions stops
 * after MF_SUGGEST_BUDGET table cells in all.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "manifest/internal.h"

/* Edit-distance table cells (of the computed band) for suggestions per manifest, in all. */
#ifndef MF_SUGGEST_BUDGET
#define MF_SUGGEST_BUDGET 5000000u
#endif
/* Largest distance suggested: 1 for names of up to 4 bytes, else 2. */
#define MF_SUGGEST_MAX 2

int mf_warn(const ctx *c, pos at, const char *fmt, ...) {
    manifest *m = c->out;
    if (m == NULL)
        return 0;
    if (m->nwarnings >= MANIFEST_MAX_WARNINGS) {
        m->warnings_dropped++;
        return 0;
    }
    if (m->nwarnings == m->warnings_cap) {
        size_t cap = m->warnings_cap ? 2 * m->warnings_cap : 8;
        manifest_warning *w = realloc(m->warnings, cap * sizeof *w);
        if (w == NULL)
            return mf_fail_oom(c);
        m->warnings = w;
        m->warnings_cap = cap;
    }
    char text[1024];
    int line = at.line > 0 ? at.line : 1, col = at.col > 0 ? at.col : 1;
    int n = snprintf(text, sizeof text, "%s:%d:%d: warning: ", c->file, line, col);
    if (n < 0 || (size_t)n >= sizeof text)
        n = 0;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text + n, sizeof text - (size_t)n, fmt, ap);
    va_end(ap);
    char *copy = strdup(text);
    if (copy == NULL)
        return mf_fail_oom(c);
    m->warnings[m->nwarnings++] = (manifest_warning){copy, line, col};
    return 0;
}

void mf_free_warnings(manifest *m) {
    for (size_t i = 0; i < m->nwarnings; i++)
        free(m->warnings[i].message);
    free(m->warnings);
    m->warnings = NULL;
    m->nwarnings = m->warnings_cap = 0;
}

int mf_ref_add(const ctx *c, const char *grant, const char *name, pos at) {
    mf_refs *r = c->refs;
    if (r == NULL)
        return 0;
    if (r->n == r->cap) {
        size_t cap = r->cap ? 2 * r->cap : 16;
        mf_ref *v = realloc(r->v, cap * sizeof *v);
        if (v == NULL)
            return mf_fail_oom(c);
        r->v = v;
        r->cap = cap;
    }
    r->v[r->n++] = (mf_ref){grant, name, at};
    return 0;
}

void mf_refs_free(mf_refs *r) {
    free(r->v);
    memset(r, 0, sizeof *r);
}

static char lower(char ch) { return ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch; }

/* The optimal-string-alignment distance (ASCII letters compared without case) of a and b if it is <= max,
 * else max + 1. Only the band |i - j| <= max of the table is computed (cells outside it are more than max
 * apart), and a row whose every cell exceeds max ends the search. Charges the band's cells to *budget,
 * giving up (max + 1) once that is spent. Names are at most MANIFEST_MAX_NAME bytes. */
static size_t distance(const char *a, size_t la, const char *b, size_t lb, size_t max, size_t *budget) {
    const size_t inf = max + 1;
    if ((la > lb ? la - lb : lb - la) > max || la > MANIFEST_MAX_NAME || lb > MANIFEST_MAX_NAME)
        return inf;
    size_t cells = (la + 1) * (2 * max + 1);
    if (*budget < cells)
        return inf;
    *budget -= cells;
    size_t rows[3][MANIFEST_MAX_NAME + 2]; /* rows i-2, i-1, i of the table, rotating */
    for (size_t j = 0; j <= lb + 1 && j <= MANIFEST_MAX_NAME + 1; j++)
        rows[0][j] = j <= max && j <= lb ? j : inf;
    for (size_t i = 1; i <= la; i++) {
        size_t *cur = rows[i % 3], *prev = rows[(i - 1) % 3], *prev2 = rows[(i + 1) % 3];
        size_t lo = i > max ? i - max : 1, hi = i + max < lb ? i + max : lb;
        cur[0] = i <= max ? i : inf;
        cur[lo - 1] = lo > 1 ? inf : cur[0];
        size_t best = lo > 1 ? inf : cur[0];
        for (size_t j = lo; j <= hi; j++) {
            size_t d = prev[j - 1] + (lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1);
            if (prev[j] + 1 < d)
                d = prev[j] + 1;
            if (cur[j - 1] + 1 < d)
                d = cur[j - 1] + 1;
            if (i > 1 && j > 1 && lower(a[i - 1]) == lower(b[j - 2]) && lower(a[i - 2]) == lower(b[j - 1]) &&
                prev2[j - 2] + 1 < d)
                d = prev2[j - 2] + 1;
            cur[j] = d < inf ? d : inf;
            if (cur[j] < best)
                best = cur[j];
        }
        if (hi < lb)
            cur[hi + 1] = inf; /* the next row reads it as "above" */
        if (best > max)
            return inf; /* every later row is at least this far */
    }
    return rows[la % 3][lb];
}

typedef struct suggester {
    const char *target;
    size_t tlen, max, best_d;
    const char *best;
    size_t *budget;
} suggester;

static void consider(suggester *s, const char *name) {
    size_t d = distance(s->target, s->tlen, name, strlen(name), s->max, s->budget);
    if (d <= s->max && (s->best == NULL || d < s->best_d)) {
        s->best = name;
        s->best_d = d;
    }
}

/* Visits the names the tree registers — supervisors and host actor children — into `names` and/or `s`. */
static void declare(const char *name, mf_names *names, suggester *s, int *oom) {
    if (names != NULL && mf_names_put(names, name, 0) != 0)
        *oom = 1;
    if (s != NULL)
        consider(s, name);
}

static void walk_tree(const manifest_supervisor *sup, mf_names *names, suggester *s, int *oom) {
    if (sup == NULL)
        return;
    declare(sup->name, names, s, oom);
    for (size_t i = 0; i < sup->nchildren; i++) {
        const manifest_child *ch = &sup->children[i];
        if (ch->host_kind != NULL)
            declare(ch->host_name != NULL ? ch->host_name : ch->host_kind, names, s, oom);
        walk_tree(ch->supervisor, names, s, oom);
    }
}

int mf_check_refs(const ctx *c, manifest *m) {
    mf_refs *r = c->refs;
    if (r == NULL || r->n == 0)
        return 0;
    mf_names sups = {0};
    int oom = 0;
    walk_tree(m->supervisor, &sups, NULL, &oom);
    if (oom) {
        mf_names_free(&sups);
        return mf_fail_oom(c);
    }
    size_t budget = MF_SUGGEST_BUDGET;
    int rc = 0;
    for (size_t i = 0; i < r->n && rc == 0; i++) {
        const mf_ref *ref = &r->v[i];
        const char *t = ref->name;
        if (t[0] == '#' || strcmp(t, "*") == 0 || strcmp(t, "host") == 0)
            continue; /* a pid, any target, the host: addresses, not names */
        if (mf_names_get(c->components, t, NULL) || mf_names_get(&sups, t, NULL))
            continue;
        if (m->nwarnings >= MANIFEST_MAX_WARNINGS) {
            m->warnings_dropped++;
            continue;
        }
        size_t tlen = strlen(t);
        suggester s = {t, tlen, tlen <= 4 ? 1 : MF_SUGGEST_MAX, 0, NULL, &budget};
        for (size_t k = 0; k < m->ncomponents; k++)
            consider(&s, m->components[k].name);
        walk_tree(m->supervisor, NULL, &s, &oom);
        char hint[MANIFEST_MAX_NAME * 4 + 32] = "";
        if (s.best != NULL)
            snprintf(hint, sizeof hint, "; did you mean '%s'?", MF_SHOW(s.best, strlen(s.best)));
        rc = mf_warn(c, ref->at,
                     "capability '%s' target '%s' names no component, supervisor or host actor of this "
                     "manifest, so it grants nothing unless something registers that name at run time%s",
                     ref->grant, MF_SHOW(t, tlen), hint);
    }
    mf_names_free(&sups);
    return rc;
}
