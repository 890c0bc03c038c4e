/*
 * caps.c — a component's `capabilities:` (docs/ABI.md, "Capabilities"): target lists for send / request,
 * NATS subject patterns for publish / subscribe (checked with the broker's own syntax), the spawn flag.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker/broker.h"
#include "manifest/internal.h"

void mf_free_strings(char **v, size_t n) {
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

void mf_free_caps(manifest_caps *caps) {
    mf_free_strings(caps->send, caps->nsend);
    mf_free_strings(caps->request, caps->nrequest);
    mf_free_strings(caps->publish, caps->npublish);
    mf_free_strings(caps->subscribe, caps->nsubscribe);
    memset(caps, 0, sizeof *caps);
}

/* Checks a `send` / `request` target: any name, "#<pid>" in canonical decimal, or "*". */
static int check_target(const ctx *c, const char *grant, const char *t, pos at) {
    size_t len = strlen(t);
    if (len > MANIFEST_MAX_TARGET)
        return mf_fail(c, at, "'%s' target '%s' is longer than %u bytes (no address is)", grant, MF_SHOW(t, len),
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
        return mf_fail(c, at,
                    "'%s' target '%s' is not a pid address ('#' then the pid in decimal without leading "
                    "zeros, e.g. \"#12\"; names cannot start with '#')", grant, MF_SHOW(t, len));
    return 0;
}

/* Checks a `publish` / `subscribe` grant: a NATS subject pattern (wildcards allowed). */
static int check_pattern(const ctx *c, const char *grant, const char *p, pos at) {
    if (broker_subject_valid(p, true))
        return 0;
    return mf_fail(c, at, "'%s' pattern '%s' is not a valid NATS subject pattern (" NATS_SYNTAX ")", grant,
                MF_SHOW(p, strlen(p)));
}

typedef int (*grant_check)(const ctx *c, const char *grant, const char *item, pos at);

/* A grant list: a YAML list of strings, each checked by `check`. Nothing (`send:`) grants nothing. */
static int parse_grant_list(const ctx *c, mf_node *v, pos kat, const char *grant, const char *item,
                            grant_check check, char ***out, size_t *n) {
    if (mf_is_null(v))
        return 0;
    if (!mf_is_seq(v))
        return mf_fail(c, mf_node_pos(v, kat), "capability '%s' must be a list of %ss, not %s", grant, item,
                    mf_kind_name(v));
    int count = mf_count(v);
    if (count <= 0)
        return 0;
    *out = calloc((size_t)count, sizeof **out);
    if (*out == NULL)
        return mf_fail_oom(c);
    char label[48];
    snprintf(label, sizeof label, "a '%s' %s", grant, item);
    size_t it = 0;
    mf_node *entry;
    while ((entry = mf_seq_next(v, &it)) != NULL && *n < (size_t)count) {
        pos at = mf_node_pos(entry, kat);
        if (mf_get_text(c, entry, at, label, &(*out)[*n]) != 0)
            return -1;
        (*n)++; /* counted first: freed even if the check fails */
        if (check(c, grant, (*out)[*n - 1], at) != 0)
            return -1;
        if (check == check_target && mf_ref_add(c, grant, (*out)[*n - 1], at) != 0)
            return -1;
    }
    return 0;
}

int mf_parse_caps(const ctx *c, mf_node *v, pos at, manifest_caps *caps) {
    if (mf_is_null(v))
        return 0;
    if (!mf_is_map(v))
        return mf_fail(c, mf_node_pos(v, at), "'capabilities' must be a mapping, not %s", mf_kind_name(v));
    size_t it = 0;
    mf_entry e;
    int more;
    while ((more = mf_map_entry(c, v, at, &it, &e)) > 0) {
        int rc;
        if (mf_key_is(e.key, e.klen, "send"))
            rc = parse_grant_list(c, e.val, e.kat, "send", "target", check_target, &caps->send, &caps->nsend);
        else if (mf_key_is(e.key, e.klen, "request"))
            rc = parse_grant_list(c, e.val, e.kat, "request", "target", check_target, &caps->request,
                                  &caps->nrequest);
        else if (mf_key_is(e.key, e.klen, "publish"))
            rc = parse_grant_list(c, e.val, e.kat, "publish", "pattern", check_pattern, &caps->publish,
                                  &caps->npublish);
        else if (mf_key_is(e.key, e.klen, "subscribe"))
            rc = parse_grant_list(c, e.val, e.kat, "subscribe", "pattern", check_pattern, &caps->subscribe,
                                  &caps->nsubscribe);
        else if (mf_key_is(e.key, e.klen, "spawn"))
            rc = mf_get_bool(c, e.val, e.vat, "spawn", &caps->spawn);
        else
            rc = mf_fail(c, e.kat,
                      "unknown key '%s' in capabilities (expected send, request, publish, subscribe, spawn)",
                      MF_SHOW(e.key, e.klen));
        if (rc != 0)
            return -1;
    }
    if (more < 0)
        return -1;
    return 0;
}

