/*
 * wasi.c — a component's `wasi:` mapping (WASI preview1, deny by default):
 *
 *     wasi:
 *       args: [prog, "--name", ""]                 # strings (may be empty), argv[0] first
 *       env: { LANG: C, COUNT: 3, EMPTY: "" }      # NAME: scalar value; NAME non-empty, without '='
 *       dirs:                                      # preopened directories
 *         - "data::/data"                          # HOST::GUEST
 *         - "cache"                                # HOST, seen by the guest at the same path
 *         - { host: static, guest: /www, read_only: true }
 *
 * Host paths are resolved against the manifest's directory (like `module`); whether they exist is checked
 * when the component starts. Strings may not contain NUL bytes (they become C strings) and are bounded by
 * WACTOR_WASI_MAX_STRINGS entries per list and WACTOR_WASI_MAX_BYTES of args + env.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "manifest/internal.h"

void mf_free_wasi(manifest_component *comp) {
    wactor_wasi *w = &comp->wasi;
    for (size_t i = 0; i < w->nargs; i++) free((void *)w->args[i]);
    for (size_t i = 0; i < w->nenv; i++) free((void *)w->env[i]);
    for (size_t i = 0; i < w->ndirs; i++) {
        free((void *)w->dirs[i].host);
        free((void *)w->dirs[i].guest);
    }
    free((void *)w->args);
    free((void *)w->env);
    free((void *)w->dirs);
    memset(w, 0, sizeof *w);
    comp->has_wasi = false;
}

/* A scalar (empty allowed; null is ""), without NUL bytes, copied. */
static int get_scalar(const ctx *c, struct fy_node *v, pos at, const char *label, char **out) {
    if (v && !fy_node_is_scalar(v))
        return mf_fail(c, at, "%s must be a string, not %s", label, mf_kind_name(v));
    size_t len = 0;
    const char *s = mf_is_null(v) ? "" : fy_node_get_scalar(v, &len);
    if (!s) s = "";
    if (memchr(s, 0, len)) return mf_fail(c, at, "%s must not contain NUL bytes", label);
    *out = malloc(len + 1);
    if (!*out) return mf_fail_oom(c);
    memcpy(*out, s, len);
    (*out)[len] = 0;
    return 0;
}

static int check_count(const ctx *c, struct fy_node *v, pos at, const char *what, bool mapping, int *n) {
    if (mf_is_null(v)) {
        *n = 0;
        return 0;
    }
    if (mapping ? !fy_node_is_mapping(v) : !fy_node_is_sequence(v))
        return mf_fail(c, at, "'wasi.%s' must be %s, not %s", what, mapping ? "a mapping" : "a list", mf_kind_name(v));
    *n = mapping ? fy_node_mapping_item_count(v) : fy_node_sequence_item_count(v);
    if (*n < 0 || (unsigned)*n > WACTOR_WASI_MAX_STRINGS)
        return mf_fail(c, at, "'wasi.%s' has more than %u entries", what, WACTOR_WASI_MAX_STRINGS);
    return 0;
}

static int parse_args(const ctx *c, struct fy_node *v, pos at, wactor_wasi *w, size_t *bytes) {
    int n;
    if (check_count(c, v, at, "args", false, &n) != 0) return -1;
    if (n == 0) return 0;
    const char **args = calloc((size_t)n, sizeof *args);
    if (!args) return mf_fail_oom(c);
    w->args = args;
    void *it = NULL;
    struct fy_node *item;
    while ((item = fy_node_sequence_iterate(v, &it)) != NULL) {
        char *s;
        if (get_scalar(c, item, mf_node_pos(item, at), "each of 'wasi.args'", &s) != 0) return -1;
        args[w->nargs++] = s;
        *bytes += strlen(s) + 1;
    }
    return 0;
}

static int parse_env(const ctx *c, struct fy_node *v, pos at, wactor_wasi *w, size_t *bytes) {
    int n;
    if (check_count(c, v, at, "env", true, &n) != 0) return -1;
    if (n == 0) return 0;
    const char **env = calloc((size_t)n, sizeof *env);
    if (!env) return mf_fail_oom(c);
    w->env = env;
    void *it = NULL;
    struct fy_node_pair *p;
    while ((p = fy_node_mapping_iterate(v, &it)) != NULL) {
        const char *k;
        size_t klen;
        pos kat;
        if (mf_get_key(c, p, at, &k, &klen, &kat) != 0) return -1;
        if (klen == 0 || memchr(k, '=', klen) || memchr(k, 0, klen))
            return mf_fail(c, kat, "'wasi.env' name '%.*s' must be non-empty, without '=' or NUL", SHOWN(klen), k);
        char *value;
        if (get_scalar(c, fy_node_pair_value(p), kat, "a 'wasi.env' value", &value) != 0) return -1;
        size_t vlen = strlen(value);
        char *entry = malloc(klen + 1 + vlen + 1);
        if (!entry) {
            free(value);
            return mf_fail_oom(c);
        }
        memcpy(entry, k, klen);
        entry[klen] = '=';
        memcpy(entry + klen + 1, value, vlen + 1);
        free(value);
        env[w->nenv++] = entry;
        *bytes += klen + vlen + 2;
    }
    return 0;
}

/* One `dirs` entry into d (host already resolved). */
static int parse_dir(const ctx *c, struct fy_node *v, pos at, const char *base, wactor_wasi_dir *d) {
    char *host = NULL, *guest = NULL;
    bool ro = false;
    if (fy_node_is_mapping(v)) {
        void *it = NULL;
        struct fy_node_pair *p;
        while ((p = fy_node_mapping_iterate(v, &it)) != NULL) {
            const char *k;
            size_t klen;
            pos kat;
            if (mf_get_key(c, p, at, &k, &klen, &kat) != 0) goto fail;
            struct fy_node *val = fy_node_pair_value(p);
            pos vat = mf_node_pos(val, kat);
            char **dst = mf_key_is(k, klen, "host") ? &host : mf_key_is(k, klen, "guest") ? &guest : NULL;
            if (dst) {
                free(*dst);
                *dst = NULL;
                if (mf_get_text(c, val, vat, mf_key_is(k, klen, "host") ? "'host'" : "'guest'", dst) != 0) goto fail;
            } else if (mf_key_is(k, klen, "read_only")) {
                if (mf_get_bool(c, val, vat, "read_only", &ro) != 0) goto fail;
            } else {
                mf_fail(c, kat, "unknown key '%.*s' in a 'wasi.dirs' entry (expected host, guest, read_only)",
                        SHOWN(klen), k);
                goto fail;
            }
        }
        if (!host) {
            mf_fail(c, at, "a 'wasi.dirs' entry is missing required key 'host'");
            goto fail;
        }
        if (!guest && !(guest = strdup(host))) goto oom;
    } else {
        char *text;
        if (mf_get_text(c, v, at, "each of 'wasi.dirs'", &text) != 0) return -1;
        char *sep = strstr(text, "::");
        if (sep) {
            *sep = 0;
            host = strdup(text);
            guest = strdup(sep + 2);
        } else {
            host = strdup(text);
            guest = strdup(text);
        }
        free(text);
        if (!host || !guest) goto oom;
        if (!*host || !*guest) {
            mf_fail(c, at, "a 'wasi.dirs' entry must be \"HOST::GUEST\" or \"HOST\" with both non-empty");
            goto fail;
        }
    }
    char *resolved = mf_resolve_path(base, host);
    if (!resolved) goto oom;
    free(host);
    *d = (wactor_wasi_dir){.host = resolved, .guest = guest, .read_only = ro};
    return 0;
oom:
    mf_fail_oom(c);
fail:
    free(host);
    free(guest);
    return -1;
}

static int parse_dirs(const ctx *c, struct fy_node *v, pos at, const char *base, wactor_wasi *w) {
    int n;
    if (check_count(c, v, at, "dirs", false, &n) != 0) return -1;
    if (n == 0) return 0;
    wactor_wasi_dir *dirs = calloc((size_t)n, sizeof *dirs);
    if (!dirs) return mf_fail_oom(c);
    w->dirs = dirs;
    void *it = NULL;
    struct fy_node *item;
    while ((item = fy_node_sequence_iterate(v, &it)) != NULL) {
        if (parse_dir(c, item, mf_node_pos(item, at), base, &dirs[w->ndirs]) != 0) return -1;
        w->ndirs++;
    }
    return 0;
}

int mf_parse_wasi(const ctx *c, struct fy_node *v, pos at, const char *base, manifest_component *comp) {
    at = mf_node_pos(v, at);
    if (comp->has_wasi) return mf_fail(c, at, "duplicate key 'wasi'");
    comp->has_wasi = true; /* even `wasi: {}` (nothing granted either way) */
    if (mf_is_null(v)) return 0;
    if (!fy_node_is_mapping(v)) return mf_fail(c, at, "'wasi' must be a mapping, not %s", mf_kind_name(v));
    size_t bytes = 0;
    void *it = NULL;
    struct fy_node_pair *p;
    bool seen[3] = {false, false, false};
    while ((p = fy_node_mapping_iterate(v, &it)) != NULL) {
        const char *k;
        size_t klen;
        pos kat;
        if (mf_get_key(c, p, at, &k, &klen, &kat) != 0) return -1;
        struct fy_node *val = fy_node_pair_value(p);
        pos vat = mf_node_pos(val, kat);
        int which = mf_key_is(k, klen, "args") ? 0 : mf_key_is(k, klen, "env") ? 1 : mf_key_is(k, klen, "dirs") ? 2 : -1;
        if (which < 0)
            return mf_fail(c, kat, "unknown key '%.*s' in wasi (expected args, env, dirs)", SHOWN(klen), k);
        if (seen[which]) return mf_fail(c, kat, "duplicate key '%.*s' in wasi", SHOWN(klen), k);
        seen[which] = true;
        int rc = which == 0 ? parse_args(c, val, vat, &comp->wasi, &bytes)
                 : which == 1 ? parse_env(c, val, vat, &comp->wasi, &bytes)
                              : parse_dirs(c, val, vat, base, &comp->wasi);
        if (rc != 0) return -1;
    }
    if (bytes > WACTOR_WASI_MAX_BYTES)
        return mf_fail(c, at, "'wasi' args and env take %zu bytes, more than %u", bytes, WACTOR_WASI_MAX_BYTES);
    return 0;
}
