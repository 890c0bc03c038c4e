/*
 * component.c — the `components:` list: each entry's name, module path (resolved against the manifest's
 * directory), `limits:`, mailbox and message size; its `capabilities:` are read by caps.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "manifest/internal.h"

static int parse_limits(const ctx *c, struct fy_node *v, pos at, manifest_component *comp) {
    if (mf_is_null(v))
        return 0;
    if (!fy_node_is_mapping(v))
        return mf_fail(c, mf_node_pos(v, at), "'limits' must be a mapping, not %s", mf_kind_name(v));
    void *it = NULL;
    struct fy_node_pair *p;
    while ((p = fy_node_mapping_iterate(v, &it)) != NULL) {
        const char *k;
        size_t klen;
        pos kat;
        if (mf_get_key(c, p, at, &k, &klen, &kat) != 0)
            return -1;
        struct fy_node *val = fy_node_pair_value(p);
        pos vat = mf_node_pos(val, kat);
        uint64_t u;
        if (mf_key_is(k, klen, "memory_pages")) {
            if (mf_get_uint(c, val, vat, "memory_pages", MANIFEST_MAX_MEMORY_PAGES, &u) != 0)
                return -1;
            comp->memory_pages = (uint32_t)u;
        } else if (mf_key_is(k, klen, "fuel")) {
            if (mf_get_uint(c, val, vat, "fuel", UINT64_MAX, &u) != 0)
                return -1;
            comp->fuel = u;
        } else {
            return mf_fail(c, kat, "unknown key '%.*s' in limits (expected memory_pages, fuel)", SHOWN(klen), k);
        }
    }
    return 0;
}

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
    mf_free_wasi(comp);
}

static int parse_component(const ctx *c, struct fy_node *entry, pos at, const char *base,
                           manifest *m, manifest_component *comp) {
    at = mf_node_pos(entry, at);
    comp->line = at.line;
    if (!fy_node_is_mapping(entry))
        return mf_fail(c, at, "a component must be a mapping with 'name' and 'module', not %s",
                    mf_kind_name(entry));
    char *module = NULL;
    pos name_at = at;
    void *it = NULL;
    struct fy_node_pair *p;
    while ((p = fy_node_mapping_iterate(entry, &it)) != NULL) {
        const char *k;
        size_t klen;
        pos kat;
        if (mf_get_key(c, p, at, &k, &klen, &kat) != 0)
            goto fail;
        struct fy_node *val = fy_node_pair_value(p);
        pos vat = mf_node_pos(val, kat);
        if (mf_key_is(k, klen, "name")) {
            name_at = vat;
            if (mf_get_string(c, val, vat, "name", &comp->name) != 0)
                goto fail;
        } else if (mf_key_is(k, klen, "module")) {
            if (mf_get_string(c, val, vat, "module", &module) != 0)
                goto fail;
        } else if (mf_key_is(k, klen, "limits")) {
            if (parse_limits(c, val, kat, comp) != 0)
                goto fail;
        } else if (mf_key_is(k, klen, "capabilities")) {
            if (mf_parse_caps(c, val, kat, &comp->caps) != 0)
                goto fail;
        } else if (mf_key_is(k, klen, "mailbox")) {
            if (mf_get_uint_range(c, val, vat, "mailbox", 1, MANIFEST_MAX_MAILBOX, &comp->mailbox) != 0)
                goto fail;
        } else if (mf_key_is(k, klen, "wasi")) {
            if (mf_parse_wasi(c, val, kat, base, comp) != 0)
                goto fail;
        } else if (mf_key_is(k, klen, "max_message_bytes")) {
            if (mf_get_uint_range(c, val, vat, "max_message_bytes", 1, MANIFEST_MAX_PAYLOAD,
                               &comp->max_message_bytes) != 0)
                goto fail;
        } else {
            mf_fail(c, kat,
                 "unknown key '%.*s' in component (expected name, module, limits, capabilities, mailbox, "
                 "max_message_bytes) or wasi", SHOWN(klen), k);
            goto fail;
        }
    }
    if (comp->name == NULL) {
        mf_fail(c, at, "component is missing required key 'name'");
        goto fail;
    }
    if (module == NULL) {
        mf_fail(c, at, "component '%s' is missing required key 'module'", comp->name);
        goto fail;
    }
    if (strcmp(comp->name, "host") == 0 || comp->name[0] == '#') {
        mf_fail(c, name_at, "component name '%s' is reserved ('host' and '#<pid>' are addresses)", comp->name);
        goto fail;
    }
    for (size_t i = 0; i < m->ncomponents; i++) {
        if (strcmp(m->components[i].name, comp->name) == 0) {
            mf_fail(c, name_at, "duplicate component name '%s' (first declared on line %d)", comp->name,
                 m->components[i].line);
            goto fail;
        }
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

int mf_parse_components(const ctx *c, struct fy_node *v, pos at, const char *base, manifest *m) {
    if (!fy_node_is_sequence(v) || mf_is_null(v))
        return mf_fail(c, mf_node_pos(v, at), "'components' must be a list of components, not %s", mf_kind_name(v));
    int count = fy_node_sequence_item_count(v);
    if (count <= 0)
        return mf_fail(c, at, "'components' must list at least one component");
    m->components = calloc((size_t)count, sizeof *m->components);
    if (m->components == NULL)
        return mf_fail_oom(c);
    void *it = NULL;
    struct fy_node *entry;
    while ((entry = fy_node_sequence_iterate(v, &it)) != NULL) {
        manifest_component *comp = &m->components[m->ncomponents];
        if (parse_component(c, entry, at, base, m, comp) != 0) {
            mf_free_component(comp);
            memset(comp, 0, sizeof *comp);
            return -1;
        }
        m->ncomponents++;
    }
    return 0;
}

