/*
 * wasi.c — a component's `wasi:` key: what WASI preview1 shows it (args_get, environ_get, preopened
 * directories). Deny by default: without `wasi:` there are no arguments, no environment, no directories.
 *
 *     wasi:
 *       args: [prog, --verbose]              # argv as given (strings; numbers are kept as written)
 *       env: {LANG: C, LEVEL: 3}             # NAME: VALUE; stored as "NAME=VALUE"
 *       dirs:
 *         - "data::/data"                    # HOST::GUEST (split at the first "::"), read-write
 *         - {host: cache, guest: /cache, read_only: true}
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "manifest/internal.h"

void mf_free_wasi(manifest_wasi *w) {
    mf_free_strings(w->args, w->nargs);
    mf_free_strings(w->env, w->nenv);
    for (size_t i = 0; i < w->ndirs; i++) {
        free(w->dirs[i].host);
        free(w->dirs[i].guest);
    }
    free(w->dirs);
    memset(w, 0, sizeof *w);
}

/* A scalar's text as a C string: no NUL byte, at most MANIFEST_MAX_STRING bytes, empty only if quoted. */
static int get_value(const ctx *c, mf_node *v, pos at, const char *label, char **out) {
    if (mf_is_null(v) || !mf_is_scalar(v))
        return mf_fail(c, at, "%s must be a string, not %s", label, mf_kind_name(v));
    size_t len;
    const char *s = mf_scalar(v, &len);
    if (memchr(s, '\0', len) != NULL)
        return mf_fail(c, at, "%s must not contain a NUL byte", label);
    if (len > MANIFEST_MAX_STRING)
        return mf_fail(c, at, "%s is longer than %u bytes", label, MANIFEST_MAX_STRING);
    *out = strdup(s);
    return *out ? 0 : mf_fail_oom(c);
}

/* `args:` a list of scalars, or nothing. */
static int parse_args(const ctx *c, mf_node *v, pos kat, manifest_wasi *w) {
    if (mf_is_null(v))
        return 0;
    if (!mf_is_seq(v))
        return mf_fail(c, mf_node_pos(v, kat), "'args' must be a list of strings, not %s", mf_kind_name(v));
    if (v->n > MANIFEST_MAX_WASI_ARGS)
        return mf_fail(c, mf_node_pos(v, kat), "'args' has %zu entries (at most %u)", v->n, MANIFEST_MAX_WASI_ARGS);
    if (v->n == 0)
        return 0;
    w->args = calloc(v->n, sizeof *w->args);
    if (w->args == NULL)
        return mf_fail_oom(c);
    size_t it = 0;
    mf_node *e;
    while ((e = mf_seq_next(v, &it)) != NULL) {
        if (get_value(c, e, mf_node_pos(e, kat), "a WASI argument", &w->args[w->nargs]) != 0)
            return -1;
        w->nargs++;
    }
    return 0;
}

static int parse_env(const ctx *c, mf_node *v, pos kat, manifest_wasi *w) {
    if (mf_is_null(v))
        return 0;
    if (!mf_is_map(v))
        return mf_fail(c, mf_node_pos(v, kat), "'env' must be a mapping of NAME: VALUE, not %s", mf_kind_name(v));
    if (v->n > MANIFEST_MAX_WASI_ENV)
        return mf_fail(c, mf_node_pos(v, kat), "'env' has %zu entries (at most %u)", v->n, MANIFEST_MAX_WASI_ENV);
    if (v->n == 0)
        return 0;
    w->env = calloc(v->n, sizeof *w->env);
    if (w->env == NULL)
        return mf_fail_oom(c);
    size_t it = 0;
    mf_entry e;
    int more;
    while ((more = mf_map_entry(c, v, kat, &it, &e)) > 0) {
        char *name = NULL, *value = NULL;
        if (mf_get_text(c, e.knode, e.kat, "an environment variable name", &name) != 0)
            return -1;
        int rc = 0;
        if (strchr(name, '=') != NULL)
            rc = mf_fail(c, e.kat, "environment variable name '%s' must not contain '='", name);
        else
            rc = get_value(c, e.val, e.vat, "an environment variable value", &value);
        size_t nlen = strlen(name), vlen = value ? strlen(value) : 0;
        if (rc == 0 && nlen + 1 + vlen > MANIFEST_MAX_STRING)
            rc = mf_fail(c, e.kat, "environment entry '%s=...' is longer than %u bytes", name, MANIFEST_MAX_STRING);
        char *entry = rc == 0 ? malloc(nlen + 1 + vlen + 1) : NULL;
        if (rc == 0 && entry == NULL)
            rc = mf_fail_oom(c);
        if (rc == 0) {
            memcpy(entry, name, nlen);
            entry[nlen] = '=';
            memcpy(entry + nlen + 1, value, vlen + 1);
            w->env[w->nenv++] = entry;
        }
        free(name);
        free(value);
        if (rc != 0)
            return -1;
    }
    if (more < 0)
        return -1;
    return 0;
}

/* "HOST::GUEST" */
static int parse_dir_string(const ctx *c, mf_node *e, pos at, const char *base, manifest_dir *d) {
    char *text = NULL;
    if (mf_get_text(c, e, at, "a 'dirs' entry", &text) != 0)
        return -1;
    char *sep = strstr(text, "::");
    int rc = 0;
    if (sep == NULL || sep == text || sep[2] == '\0') {
        rc = mf_fail(c, at, "'dirs' entry '%s' must be \"HOST::GUEST\" or {host: H, guest: G, read_only: bool}",
                     MF_SHOW(text, strlen(text)));
    } else {
        *sep = '\0';
        d->host = mf_resolve_path(base, text);
        d->guest = strdup(sep + 2);
        if (d->host == NULL || d->guest == NULL)
            rc = mf_fail_oom(c);
    }
    free(text);
    return rc;
}

static int parse_dir_map(const ctx *c, mf_node *map, pos at, const char *base, manifest_dir *d) {
    char *host = NULL;
    size_t it = 0;
    int rc = 0;
    mf_entry e;
    int more = 1;
    while (rc == 0 && (more = mf_map_entry(c, map, at, &it, &e)) > 0) {
        if (mf_key_is(e.key, e.klen, "host"))
            rc = mf_get_string(c, e.val, e.vat, "host", &host);
        else if (mf_key_is(e.key, e.klen, "guest"))
            rc = mf_get_string(c, e.val, e.vat, "guest", &d->guest);
        else if (mf_key_is(e.key, e.klen, "read_only"))
            rc = mf_get_bool(c, e.val, e.vat, "read_only", &d->read_only);
        else
            rc = mf_fail(c, e.kat, "unknown key '%s' in a 'dirs' entry (expected host, guest, read_only)",
                         MF_SHOW(e.key, e.klen));
    }
    if (more < 0)
        rc = -1;
    if (rc == 0 && (host == NULL || d->guest == NULL))
        rc = mf_fail(c, at, "a 'dirs' entry needs both 'host' and 'guest'");
    if (rc == 0 && (d->host = mf_resolve_path(base, host)) == NULL)
        rc = mf_fail_oom(c);
    free(host);
    return rc;
}

static int parse_dirs(const ctx *c, mf_node *v, pos kat, const char *base, manifest_wasi *w) {
    if (mf_is_null(v))
        return 0;
    if (!mf_is_seq(v))
        return mf_fail(c, mf_node_pos(v, kat), "'dirs' must be a list of directories, not %s", mf_kind_name(v));
    if (v->n > MANIFEST_MAX_WASI_DIRS)
        return mf_fail(c, mf_node_pos(v, kat), "'dirs' has %zu entries (at most %u)", v->n, MANIFEST_MAX_WASI_DIRS);
    if (v->n == 0)
        return 0;
    w->dirs = calloc(v->n, sizeof *w->dirs);
    if (w->dirs == NULL)
        return mf_fail_oom(c);
    size_t it = 0;
    mf_node *e;
    while ((e = mf_seq_next(v, &it)) != NULL) {
        pos at = mf_node_pos(e, kat);
        manifest_dir *d = &w->dirs[w->ndirs++]; /* counted first: freed even if half-parsed */
        d->line = at.line;
        int rc;
        if (mf_is_map(e))
            rc = parse_dir_map(c, e, at, base, d);
        else if (mf_is_scalar(e) && !mf_is_null(e))
            rc = parse_dir_string(c, e, at, base, d);
        else
            rc = mf_fail(c, at, "a 'dirs' entry must be \"HOST::GUEST\" or a mapping, not %s", mf_kind_name(e));
        if (rc != 0)
            return -1;
        for (size_t i = 0; i + 1 < w->ndirs; i++)
            if (strcmp(w->dirs[i].guest, d->guest) == 0)
                return mf_fail(c, at, "guest directory '%s' is given twice (first on line %d)",
                               MF_SHOW(d->guest, strlen(d->guest)), w->dirs[i].line);
    }
    return 0;
}

int mf_parse_wasi(const ctx *c, mf_node *v, pos at, const char *base, manifest_wasi *w) {
    if (mf_is_null(v))
        return 0;
    if (!mf_is_map(v))
        return mf_fail(c, mf_node_pos(v, at), "'wasi' must be a mapping with args, env, dirs, not %s",
                       mf_kind_name(v));
    size_t it = 0;
    mf_entry e;
    int more;
    while ((more = mf_map_entry(c, v, at, &it, &e)) > 0) {
        int rc;
        if (mf_key_is(e.key, e.klen, "args"))
            rc = parse_args(c, e.val, e.kat, w);
        else if (mf_key_is(e.key, e.klen, "env"))
            rc = parse_env(c, e.val, e.kat, w);
        else if (mf_key_is(e.key, e.klen, "dirs"))
            rc = parse_dirs(c, e.val, e.kat, base, w);
        else
            rc = mf_fail(c, e.kat, "unknown key '%s' in wasi (expected args, env, dirs)", MF_SHOW(e.key, e.klen));
        if (rc != 0)
            return -1;
    }
    if (more < 0)
        return -1;
    return 0;
}
