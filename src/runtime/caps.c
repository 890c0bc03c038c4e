/*
 * caps.c — capability sets (wactor_caps, docs/ABI.md "Capabilities") as the runtime hands them to
 * components: one deep copy per set the embedding program gives (a wactor_spawn, a child spec, a
 * declaration), shared by reference count by every instance started from it, and freed when the last
 * holder lets go — not one copy per spawn kept until the runtime ends.
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/internal.h"

struct runtime_caps_ref {
    atomic_uint refs;
    wactor_caps caps;              /* every list and string owned */
};

static const char **copy_list(const char *const *in, size_t n, bool *ok) {
    if (!n) return NULL;
    const char **out = calloc(n, sizeof *out);
    if (!out) {
        *ok = false;
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        if (!(out[i] = strdup(in && in[i] ? in[i] : ""))) *ok = false;
    return out;
}

static void free_list(const char *const *list, size_t n) {
    for (size_t i = 0; list && i < n; i++) free((char *)list[i]);
    free((void *)list);
}

static void caps_free(runtime_caps_ref *r) {
    wactor_caps *c = &r->caps;
    free_list(c->send, c->nsend);
    free_list(c->request, c->nrequest);
    free_list(c->publish, c->npublish);
    free_list(c->subscribe, c->nsubscribe);
    free(r);
}

runtime_caps_ref *runtime_caps_new(const wactor_caps *in) {
    if (!in) return NULL;
    runtime_caps_ref *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    atomic_init(&r->refs, 1);
    bool ok = true;
    r->caps = (wactor_caps){.nsend = in->nsend, .nrequest = in->nrequest, .npublish = in->npublish,
                            .nsubscribe = in->nsubscribe, .spawn = in->spawn};
    r->caps.send = copy_list(in->send, in->nsend, &ok);
    r->caps.request = copy_list(in->request, in->nrequest, &ok);
    r->caps.publish = copy_list(in->publish, in->npublish, &ok);
    r->caps.subscribe = copy_list(in->subscribe, in->nsubscribe, &ok);
    if (!ok) {
        caps_free(r);
        return NULL;
    }
    return r;
}

const wactor_caps *runtime_caps_get(const runtime_caps_ref *r) { return r ? &r->caps : NULL; }

void runtime_caps_retain(runtime_caps_ref *r) {
    if (r) atomic_fetch_add_explicit(&r->refs, 1, memory_order_relaxed);
}

void runtime_caps_release(runtime_caps_ref *r) {
    if (r && atomic_fetch_sub_explicit(&r->refs, 1, memory_order_acq_rel) == 1) caps_free(r);
}
