/*
 * caps.c — a component's capabilities: what its manifest grants it (docs/ABI.md, "Capabilities"), as one
 * reference-counted object shared by every instance of that component. Deny by default: no caps object, or
 * an empty list, allows nothing.
 *
 * Targets (send/monitor/link, request) are authorised for the actor an address resolves to, never for
 * the text alone: a `#pid` is allowed when that pid is alive and holds a granted name now (or is granted
 * as `#pid` itself), so a grant of one name never opens another component through its pid. Every
 * comparison uses the full lengths of both strings (no fixed buffers, no truncation).
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "component/internal.h"
#include "registry/registry.h"

typedef struct grant_list {
    char **text;        /* NUL-terminated copies */
    size_t *len;        /* their lengths */
    actor_id *pid;      /* target lists: the pid a `#pid` grant names, else 0 */
    size_t n;
    bool any;           /* target lists: a "*" grant */
} grant_list;

struct component_caps {
    atomic_uint refs;
    grant_list send, request, publish, subscribe;
    bool spawn;
};

static void list_free(grant_list *l) {
    for (size_t i = 0; l->text && i < l->n; i++) free(l->text[i]);
    free(l->text);
    free(l->len);
    free(l->pid);
}

static bool list_copy(grant_list *l, const char *const *in, size_t n) {
    if (!n) return true;
    l->text = calloc(n, sizeof *l->text);
    l->len = calloc(n, sizeof *l->len);
    l->pid = calloc(n, sizeof *l->pid);
    if (!l->text || !l->len || !l->pid) return false;
    l->n = n;
    for (size_t i = 0; i < n; i++) {
        const char *s = in && in[i] ? in[i] : ""; /* a NULL grant grants nothing */
        if (!(l->text[i] = strdup(s))) return false;
        l->len[i] = strlen(s);
        if (l->len[i] == 1 && s[0] == '*') l->any = true;
        if (!component_parse_pid(s, l->len[i], &l->pid[i])) l->pid[i] = 0;
    }
    return true;
}

component_caps *component_caps_new(const wactor_caps *in) {
    component_caps *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    atomic_init(&c->refs, 1);
    if (in && !(list_copy(&c->send, in->send, in->nsend) && list_copy(&c->request, in->request, in->nrequest) &&
                list_copy(&c->publish, in->publish, in->npublish) &&
                list_copy(&c->subscribe, in->subscribe, in->nsubscribe))) {
        component_caps_release(c);
        return NULL;
    }
    c->spawn = in && in->spawn;
    return c;
}

void component_caps_retain(component_caps *caps) {
    if (caps) atomic_fetch_add_explicit(&caps->refs, 1, memory_order_relaxed);
}

void component_caps_release(component_caps *caps) {
    if (!caps || atomic_fetch_sub_explicit(&caps->refs, 1, memory_order_acq_rel) != 1) return;
    list_free(&caps->send);
    list_free(&caps->request);
    list_free(&caps->publish);
    list_free(&caps->subscribe);
    free(caps);
}

bool component_caps_allow_target(const component_caps *caps, component_grant which, actor_system *sys,
                                 const char *to, size_t to_len, actor_id resolved) {
    if (!caps) return false;
    const grant_list *l = which == COMPONENT_GRANT_REQUEST ? &caps->request : &caps->send;
    if (l->any) return true;
    for (size_t i = 0; i < l->n; i++) /* granted as written (also a dead target: the send says -3) */
        if (l->len[i] == to_len && memcmp(l->text[i], to, to_len) == 0) return true;
    if (!resolved) return false;
    registry *reg = actor_system_registry(sys);
    for (size_t i = 0; i < l->n; i++) /* the actor it resolves to is granted: by pid, or holds a granted name */
        if (l->pid[i] ? l->pid[i] == resolved : registry_whereis_len(reg, l->text[i], l->len[i]) == resolved)
            return true;
    return false;
}

bool component_caps_allow_publish(const component_caps *caps, const char *topic) {
    for (size_t i = 0; caps && i < caps->publish.n; i++)
        if (broker_subject_matches(caps->publish.text[i], topic)) return true;
    return false;
}

bool component_caps_allow_subscribe(const component_caps *caps, const char *pattern) {
    for (size_t i = 0; caps && i < caps->subscribe.n; i++)
        if (broker_pattern_covers(caps->subscribe.text[i], pattern)) return true;
    return false;
}

bool component_caps_allow_spawn(const component_caps *caps) { return caps && caps->spawn; }

const char *component_caps_describe(const component_caps *caps, const char *list, char *buf, size_t cap) {
    if (strcmp(list, "spawn") == 0) {
        snprintf(buf, cap, "capabilities.spawn is %s", component_caps_allow_spawn(caps) ? "true" : "false");
        return buf;
    }
    const grant_list *l = !caps                           ? NULL
                          : strcmp(list, "request") == 0   ? &caps->request
                          : strcmp(list, "publish") == 0   ? &caps->publish
                          : strcmp(list, "subscribe") == 0 ? &caps->subscribe
                                                           : &caps->send;
    if (!l || !l->n) {
        snprintf(buf, cap, "capabilities.%s grants nothing (deny by default)", list);
        return buf;
    }
    size_t n = (size_t)snprintf(buf, cap, "capabilities.%s grants [", list);
    for (size_t i = 0; i < l->n && n < cap; i++) {
        const char *sep = i ? ", " : "";
        if (n + strlen(sep) + l->len[i] + 8 > cap) { /* room for ", ...]" and the NUL */
            n += (size_t)snprintf(buf + n, cap - n, "%s...", sep);
            break;
        }
        n += (size_t)snprintf(buf + n, cap - n, "%s%s", sep, l->text[i]);
    }
    if (n < cap) snprintf(buf + n, cap - n, "]");
    return buf;
}
