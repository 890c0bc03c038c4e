/*
 * message.c — the initial messages: `send:` entries (to a declared component) and `publish:` entries (to a
 * NATS subject), each with one payload (payload.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker/broker.h"
#include "manifest/internal.h"

typedef manifest_message msg;

/* What differs between the two lists. */
typedef struct msg_kind {
    const char *section;  /* the top-level key, "send" / "publish" */
    const char *addr_key; /* "to" / "topic" */
    int (*check_addr)(const ctx *c, const manifest *m, const char *addr, pos at);
} msg_kind;

static int check_send_to(const ctx *c, const manifest *m, const char *to, pos at) {
    (void)m;
    if (mf_names_get(c->components, to, NULL))
        return 0;
    return mf_fail(c, at, "send.to '%s' names no declared component", to);
}

static int check_topic(const ctx *c, const manifest *m, const char *topic, pos at) {
    (void)m;
    if (broker_subject_valid(topic, false))
        return 0;
    if (broker_subject_valid(topic, true))
        return mf_fail(c, at, "publish topic '%s' must not contain wildcards ('*', '>'): it names one subject",
                    MF_SHOW(topic, strlen(topic)));
    return mf_fail(c, at, "publish topic '%s' is not a valid NATS subject (" NATS_SYNTAX ")",
                MF_SHOW(topic, strlen(topic)));
}

static const msg_kind SEND_KIND = {"send", "to", check_send_to};
static const msg_kind PUBLISH_KIND = {"publish", "topic", check_topic};

void mf_free_messages(msg *v, size_t n) {
    for (size_t i = 0; i < n; i++) {
        free(v[i].target);
        free(v[i].payload);
    }
    free(v);
}

static int parse_msg(const ctx *c, const manifest *m, const msg_kind *k, mf_node *entry, pos at,
                     msg *out) {
    at = mf_node_pos(entry, at);
    out->line = at.line;
    if (!mf_is_map(entry))
        return mf_fail(c, at, "a %s entry must be a mapping with '%s' and a payload, not %s", k->section,
                    k->addr_key, mf_kind_name(entry));
    int form = -1;
    mf_node *body = NULL;
    pos body_at = at, addr_at = at;
    size_t it = 0;
    mf_entry e;
    int more;
    while ((more = mf_map_entry(c, entry, at, &it, &e)) > 0) {
        if (mf_key_is(e.key, e.klen, k->addr_key)) {
            addr_at = e.vat;
            if (mf_get_string(c, e.val, addr_at, k->addr_key, &out->target) != 0)
                return -1;
            continue;
        }
        int f = -1;
        for (int i = 0; i < MF_NFORMS; i++)
            if (mf_key_is(e.key, e.klen, MF_PAYLOAD_FORMS[i]))
                f = i;
        if (f < 0)
            return mf_fail(c, e.kat, "unknown key '%s' in %s entry (expected %s, json, text, cbor, borsh)",
                        MF_SHOW(e.key, e.klen), k->section, k->addr_key);
        if (form >= 0)
            return mf_fail(c, e.kat, "%s entry has both '%s' and '%s'; give exactly one payload", k->section,
                        MF_PAYLOAD_FORMS[form], MF_PAYLOAD_FORMS[f]);
        form = f;
        body = e.val;
        body_at = e.kat;
    }
    if (more < 0)
        return -1;
    if (out->target == NULL)
        return mf_fail(c, at, "%s entry is missing required key '%s'", k->section, k->addr_key);
    if (form < 0)
        return mf_fail(c, at, "%s entry to '%s' needs a payload: one of 'json', 'text', 'cbor', 'borsh'",
                    k->section, out->target);
    if (k->check_addr(c, m, out->target, addr_at) != 0)
        return -1;
    return mf_parse_payload(c, form, body, body_at, &out->payload, &out->len);
}

/* The list under top-level key k->section, in file order; *out is NULL when *n == 0. */
static int parse_msgs(const ctx *c, const manifest *m, const msg_kind *k, mf_node *v, pos at, msg **out,
                      size_t *n) {
    *out = NULL;
    *n = 0;
    if (mf_is_null(v))
        return 0;
    if (!mf_is_seq(v))
        return mf_fail(c, mf_node_pos(v, at), "'%s' must be a list of messages, not %s", k->section, mf_kind_name(v));
    int count = mf_count(v);
    if (count <= 0)
        return 0;
    msg *msgs = calloc((size_t)count, sizeof *msgs);
    if (msgs == NULL)
        return mf_fail_oom(c);
    size_t got = 0;
    size_t it = 0;
    mf_node *entry;
    while ((entry = mf_seq_next(v, &it)) != NULL && got < (size_t)count) {
        if (parse_msg(c, m, k, entry, at, &msgs[got++]) != 0) { /* counted first: freed if half-parsed */
            mf_free_messages(msgs, got);
            return -1;
        }
    }
    *out = msgs;
    *n = got;
    return 0;
}

int mf_parse_sends(const ctx *c, mf_node *v, pos at, manifest *m) {
    return parse_msgs(c, m, &SEND_KIND, v, at, &m->sends, &m->nsends);
}

int mf_parse_publishes(const ctx *c, mf_node *v, pos at, manifest *m) {
    return parse_msgs(c, m, &PUBLISH_KIND, v, at, &m->publishes, &m->npublishes);
}

