/* tree.c — a manifest's supervision tree as an embedding-API supervisor spec. */
#include <stdlib.h>

#include "cli/tree.h"

wactor_caps cli_caps(const manifest_caps *c) {
    return (wactor_caps){
        .send = (const char *const *)c->send, .nsend = c->nsend,
        .request = (const char *const *)c->request, .nrequest = c->nrequest,
        .publish = (const char *const *)c->publish, .npublish = c->npublish,
        .subscribe = (const char *const *)c->subscribe, .nsubscribe = c->nsubscribe, .spawn = c->spawn,
    };
}

wactor_spawn_opts cli_spawn_opts(const manifest_component *mc, const wactor_caps *caps) {
    return (wactor_spawn_opts){
        .name = mc->name, .memory_pages = mc->memory_pages, .fuel = mc->fuel, .caps = caps,
        .mailbox = mc->mailbox, .max_message_bytes = mc->max_message_bytes,
        .wasi = mc->has_wasi ? &mc->wasi : NULL,
    };
}

static bool convert(const manifest *m, const manifest_supervisor *in, wactor_module *const *mods,
                    const wactor_caps *caps, wactor_sup_spec *out) {
    wactor_child_spec *children = calloc(in->nchildren ? in->nchildren : 1, sizeof *children);
    if (!children) return false;
    *out = (wactor_sup_spec){
        .name = in->name, .strategy = (wactor_strategy)in->strategy,
        .intensity = in->intensity ? in->intensity : WACTOR_INTENSITY_ZERO, /* absent is 1 (the manifest's default) */
        .period_ms = in->period_ms, .backoff_initial_ms = in->backoff_initial_ms,
        .backoff_multiplier = in->backoff_multiplier, .backoff_max_ms = in->backoff_max_ms,
        .children = children, .nchildren = in->nchildren,
    };
    for (size_t i = 0; i < in->nchildren; i++) {
        const manifest_child *c = &in->children[i];
        wactor_child_spec *s = &children[i];
        s->restart = (wactor_restart)c->restart;
        s->shutdown_ms = c->shutdown_ms;
        s->health_interval_ms = c->health_interval_ms;
        s->health_timeout_ms = c->health_timeout_ms;
        s->health_threshold = c->health_threshold;
        if (c->is_supervisor) {
            wactor_sup_spec *nested = calloc(1, sizeof *nested);
            s->supervisor = nested;
            if (!nested || !convert(m, c->supervisor, mods, caps, nested)) return false;
            continue;
        }
        const manifest_component *mc = &m->components[c->component];
        s->id = mc->name;
        s->module = mods[c->component];
        /* simple_one_for_one instances are anonymous: the name is the template's id only */
        s->spawn = cli_spawn_opts(mc, &caps[c->component]);
        if (in->strategy == WACTOR_SIMPLE_ONE_FOR_ONE) s->spawn.name = NULL;
    }
    return true;
}

wactor_sup_spec *cli_tree_spec(const manifest *m, wactor_module *const *mods, const wactor_caps *caps) {
    if (!m->supervisor) return NULL;
    wactor_sup_spec *spec = calloc(1, sizeof *spec);
    if (spec && !convert(m, m->supervisor, mods, caps, spec)) {
        cli_tree_free(spec);
        return NULL;
    }
    return spec;
}

static void free_children(wactor_sup_spec *s) {
    for (size_t i = 0; s->children && i < s->nchildren; i++) {
        wactor_sup_spec *nested = (wactor_sup_spec *)s->children[i].supervisor;
        if (nested) {
            free_children(nested);
            free(nested);
        }
    }
    free((void *)s->children);
}

void cli_tree_free(wactor_sup_spec *spec) {
    if (!spec) return;
    free_children(spec);
    free(spec);
}
