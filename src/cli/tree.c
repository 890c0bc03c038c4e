/* tree.c — a manifest's supervision tree as an embedding-API supervisor spec. */
#include <errno.h>
#include <stdlib.h>

#include "cli/tree.h"

int cli_grants_init(cli_grants *g, const manifest_component *mc) {
    const manifest_caps *c = &mc->caps;
    const manifest_wasi *w = &mc->wasi;
    *g = (cli_grants){
        .caps = {
            .send = (const char *const *)c->send, .nsend = c->nsend,
            .request = (const char *const *)c->request, .nrequest = c->nrequest,
            .publish = (const char *const *)c->publish, .npublish = c->npublish,
            .subscribe = (const char *const *)c->subscribe, .nsubscribe = c->nsubscribe, .spawn = c->spawn,
        },
        .wasi = {.args = (const char *const *)w->args, .nargs = w->nargs,
                 .env = (const char *const *)w->env, .nenv = w->nenv},
    };
    if (w->ndirs) {
        g->dirs = calloc(w->ndirs, sizeof *g->dirs);
        if (!g->dirs) return -ENOMEM;
        for (size_t i = 0; i < w->ndirs; i++)
            g->dirs[i] = (wactor_wasi_dir){.host = w->dirs[i].host, .guest = w->dirs[i].guest,
                                           .read_only = w->dirs[i].read_only};
        g->wasi.dirs = g->dirs;
        g->wasi.ndirs = w->ndirs;
    }
    return 0;
}

void cli_grants_free(cli_grants *g) {
    if (g) free(g->dirs);
}

wactor_spawn_opts cli_spawn_opts(const manifest_component *mc, const cli_grants *g) {
    return (wactor_spawn_opts){
        .name = mc->name, .memory_pages = mc->memory_pages, .fuel = mc->fuel, .caps = &g->caps,
        .mailbox = mc->mailbox, .max_message_bytes = mc->max_message_bytes,
        .mailbox_bytes = mc->mailbox_bytes, .start_fuel = mc->start_fuel, .table_elements = mc->table_elements,
        .max_spawned = mc->max_spawned, .max_requests = mc->max_requests,
        .max_subscriptions = mc->max_subscriptions, .max_monitors = mc->max_monitors,
        .max_links = mc->max_links, .log_bytes_per_sec = mc->log_bytes_per_sec, .wasi = &g->wasi,
    };
}

static bool convert(const manifest *m, const manifest_supervisor *in, wactor_module *const *mods,
                    const cli_grants *grants, wactor_sup_spec *out) {
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
            if (!nested || !convert(m, c->supervisor, mods, grants, nested)) return false;
            continue;
        }
        if (c->host_kind) { /* a host actor kind the embedding program registered (wactor_host_register_kind) */
            wactor_caps *caps = calloc(1, sizeof *caps);
            if (!caps) return false;
            const manifest_caps *g = &c->host_caps;
            *caps = (wactor_caps){
                .send = (const char *const *)g->send, .nsend = g->nsend,
                .request = (const char *const *)g->request, .nrequest = g->nrequest,
                .publish = (const char *const *)g->publish, .npublish = g->npublish,
                .subscribe = (const char *const *)g->subscribe, .nsubscribe = g->nsubscribe, .spawn = g->spawn,
            };
            s->host_kind = c->host_kind;
            s->spawn.name = c->host_name ? c->host_name : c->host_kind;
            s->spawn.caps = caps; /* owned by the spec (cli_tree_free) */
            continue;
        }
        const manifest_component *mc = &m->components[c->component];
        s->id = mc->name;
        s->module = mods[c->component];
        /* simple_one_for_one instances are anonymous: the name is the template's id only */
        s->spawn = cli_spawn_opts(mc, &grants[c->component]);
        if (in->strategy == WACTOR_SIMPLE_ONE_FOR_ONE) s->spawn.name = NULL;
    }
    return true;
}

wactor_sup_spec *cli_tree_spec(const manifest *m, wactor_module *const *mods, const cli_grants *grants) {
    if (!m->supervisor) return NULL;
    wactor_sup_spec *spec = calloc(1, sizeof *spec);
    if (spec && !convert(m, m->supervisor, mods, grants, spec)) {
        cli_tree_free(spec);
        return NULL;
    }
    return spec;
}

static void free_children(wactor_sup_spec *s) {
    for (size_t i = 0; s->children && i < s->nchildren; i++) {
        if (s->children[i].host_kind) free((void *)s->children[i].spawn.caps);
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
