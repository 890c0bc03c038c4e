/*
 * component.c — the `components:` list: each entry's name, module path (resolved against the manifest's
 * directory), `limits:` (and `mailbox` / `max_message_bytes` beside it); its
 * `capabilities:` are read by caps.c, its `wasi:` by wasi.c.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "manifest/internal.h"

/* The per-component limits (wactor_spawn_opts in include/wactor.h has the same names): where each is stored
 * and its range (0, where accepted, = the WACTOR_DEFAULT_*). `mailbox` and `max_message_bytes` are written
 * beside `limits:`, not in it (as they always were). */
typedef struct limit_key {
    const char *key;
    size_t offset;
    bool wide; /* uint64_t, else uint32_t */
    uint64_t min, max;
    bool beside; /* a key of the component, not of `limits:` */
} limit_key;

#define U32(field, min, max) {#field, offsetof(manifest_component, field), false, min, max, false}
#define U64(field) {#field, offsetof(manifest_component, field), true, 0, UINT64_MAX, false}
static const limit_key LIMITS[] = {
    U32(memory_pages, 0, MANIFEST_MAX_MEMORY_PAGES),
    U64(fuel),
    {"mailbox", offsetof(manifest_component, mailbox), false, 1, MANIFEST_MAX_MAILBOX, true},
    {"max_message_bytes", offsetof(manifest_component, max_message_bytes), false, 1, MANIFEST_MAX_PAYLOAD, true},
    U64(mailbox_bytes),
    U64(start_fuel),
    U32(table_elements, 0, UINT32_MAX),
    U32(max_spawned, 0, UINT32_MAX),
    U32(max_requests, 0, UINT32_MAX),
    U32(max_subscriptions, 0, UINT32_MAX),
    U32(max_monitors, 0, UINT32_MAX),
    U32(max_links, 0, UINT32_MAX),
    U32(log_bytes_per_sec, 0, UINT32_MAX),
};
#define NLIMITS (sizeof LIMITS / sizeof LIMITS[0])
#define LIMIT_NAMES "memory_pages, fuel, mailbox_bytes, start_fuel, table_elements, " \
                    "max_spawned, max_requests, max_subscriptions, max_monitors, max_links, log_bytes_per_sec"

static int limit_index(const char *k, size_t klen, bool beside) {
    for (size_t i = 0; i < NLIMITS; i++)
        if (LIMITS[i].beside == beside && mf_key_is(k, klen, LIMITS[i].key))
            return (int)i;
    return -1;
}

/* Stores limit `i` from `val`. */
static int parse_limit(const ctx *c, size_t i, mf_node *val, pos vat, manifest_component *comp) {
    const limit_key *l = &LIMITS[i];
    uint64_t u;
    if (mf_get_uint(c, val, vat, l->key, l->max, &u) != 0)
        return -1;
    if (u < l->min)
        return mf_fail(c, vat, "'%s' is out of range: %llu (minimum %llu)", l->key, (unsigned long long)u,
                       (unsigned long long)l->min);
    char *field = (char *)comp + l->offset;
    if (l->wide) {
        memcpy(field, &u, sizeof u);
    } else {
        uint32_t v = (uint32_t)u;
        memcpy(field, &v, sizeof v);
    }
    return 0;
}

static int parse_limits(const ctx *c, mf_node *v, pos at, manifest_component *comp) {
    if (mf_is_null(v))
        return 0;
    if (!mf_is_map(v))
        return mf_fail(c, mf_node_pos(v, at), "'limits' must be a mapping, not %s", mf_kind_name(v));
    size_t it = 0;
    mf_entry e;
    int more;
    while ((more = mf_map_entry(c, v, at, &it, &e)) > 0) {
        int i = limit_index(e.key, e.klen, false);
        if (i < 0)
            return mf_fail(c, e.kat, "unknown key '%s' in limits (expected " LIMIT_NAMES ")", MF_SHOW(e.key, e.klen));
        if (parse_limit(c, (size_t)i, e.val, e.vat, comp) != 0)
            return -1;
    }
    if (more < 0)
        return -1;
    return 0;
}

/* `path` against the directory of `manifest_path` (absolute paths kept); malloc'd, NULL without memory. */
char *mf_resolve_path(const char *manifest_path, const char *module) {
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

void mf_free_component(manifest_component *comp) {
    free(comp->name);
    free(comp->module_path);
    mf_free_caps(&comp->caps);
    mf_free_wasi(&comp->wasi);
}

static int parse_component(const ctx *c, mf_node *entry, pos at, const char *base,
                           manifest *m, manifest_component *comp) {
    at = mf_node_pos(entry, at);
    comp->line = at.line;
    if (!mf_is_map(entry))
        return mf_fail(c, at, "a component must be a mapping with 'name' and 'module', not %s",
                    mf_kind_name(entry));
    char *module = NULL;
    pos name_at = at;
    size_t it = 0;
    mf_entry e;
    int more;
    while ((more = mf_map_entry(c, entry, at, &it, &e)) > 0) {
        if (mf_key_is(e.key, e.klen, "name")) {
            name_at = e.vat;
            if (mf_get_string(c, e.val, e.vat, "name", &comp->name) != 0)
                goto fail;
        } else if (mf_key_is(e.key, e.klen, "module")) {
            if (mf_get_string(c, e.val, e.vat, "module", &module) != 0)
                goto fail;
        } else if (mf_key_is(e.key, e.klen, "limits")) {
            if (parse_limits(c, e.val, e.kat, comp) != 0)
                goto fail;
        } else if (mf_key_is(e.key, e.klen, "wasi")) {
            if (mf_parse_wasi(c, e.val, e.kat, base, &comp->wasi) != 0)
                goto fail;
        } else if (mf_key_is(e.key, e.klen, "capabilities")) {
            if (mf_parse_caps(c, e.val, e.kat, &comp->caps) != 0)
                goto fail;
        } else if (mf_key_is(e.key, e.klen, "mailbox") || mf_key_is(e.key, e.klen, "max_message_bytes")) {
            if (parse_limit(c, (size_t)limit_index(e.key, e.klen, true), e.val, e.vat, comp) != 0)
                goto fail;
        } else {
            mf_fail(c, e.kat,
                 "unknown key '%s' in component (expected name, module, limits, capabilities, mailbox, "
                 "max_message_bytes, wasi)", MF_SHOW(e.key, e.klen));
            goto fail;
        }
    }
    if (more < 0)
        goto fail;
    if (comp->name == NULL) {
        mf_fail(c, at, "component is missing required key 'name'");
        goto fail;
    }
    if (module == NULL) {
        mf_fail(c, at, "component '%s' is missing required key 'module'", comp->name);
        goto fail;
    }
    if (strlen(comp->name) > MANIFEST_MAX_NAME) {
        mf_fail(c, name_at, "component name '%s' is longer than %u bytes", MF_SHOW(comp->name, strlen(comp->name)),
                MANIFEST_MAX_NAME);
        goto fail;
    }
    if (strcmp(comp->name, "host") == 0 || comp->name[0] == '#') {
        mf_fail(c, name_at, "component name '%s' is reserved ('host' and '#<pid>' are addresses)", comp->name);
        goto fail;
    }
    size_t first;
    if (mf_names_get(c->components, comp->name, &first)) {
        mf_fail(c, name_at, "duplicate component name '%s' (first declared on line %d)", comp->name,
                m->components[first].line);
        goto fail;
    }
    comp->module_path = mf_resolve_path(base, module);
    free(module);
    if (comp->module_path == NULL)
        return mf_fail_oom(c);
    return 0;
fail:
    free(module);
    return -1;
}

int mf_parse_components(const ctx *c, mf_node *v, pos at, const char *base, manifest *m) {
    if (!mf_is_seq(v) || mf_is_null(v))
        return mf_fail(c, mf_node_pos(v, at), "'components' must be a list of components, not %s", mf_kind_name(v));
    int count = mf_count(v);
    if (count <= 0)
        return mf_fail(c, at, "'components' must list at least one component");
    m->components = calloc((size_t)count, sizeof *m->components);
    if (m->components == NULL)
        return mf_fail_oom(c);
    size_t it = 0;
    mf_node *entry;
    while ((entry = mf_seq_next(v, &it)) != NULL) {
        manifest_component *comp = &m->components[m->ncomponents];
        if (parse_component(c, entry, at, base, m, comp) != 0) {
            mf_free_component(comp);
            memset(comp, 0, sizeof *comp);
            return -1;
        }
        if (mf_names_put(c->components, comp->name, m->ncomponents) != 0) {
            mf_free_component(comp);
            memset(comp, 0, sizeof *comp);
            return mf_fail_oom(c);
        }
        m->ncomponents++;
    }
    return 0;
}

