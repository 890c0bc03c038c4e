/* query.c — what a node holds, as JSON: components, the supervision trees, node-wide figures. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin/admin.h"

static json_t *name_or_null(const char *name) {
    if (!name[0]) return json_null();
    json_t *v = json_string(name);
    return v ? v : json_null(); /* names come from the embedding program and are strings; never guests */
}

static json_t *time_or_null(uint64_t ns) {
    if (!ns) return json_null();
    char buf[40];
    admin_iso_time(ns, buf, sizeof buf);
    return json_string(buf);
}

/* The address to type back: the name, or "#pid". */
static json_t *address_of(wactor_pid pid, const char *name) {
    if (name[0]) return json_string(name);
    char buf[32];
    snprintf(buf, sizeof buf, "#%" PRIu64, pid);
    return json_string(buf);
}

json_t *admin_component_json(wactor_runtime *rt, wactor_pid pid) {
    wactor_actor_info info;
    if (wactor_info(rt, pid, &info) != WACTOR_OK) return NULL;
    char name[256];
    wactor_name_of(rt, pid, name, sizeof name);
    wactor_actor_info totals;
    bool named = name[0] && wactor_totals(rt, name, &totals) == WACTOR_OK;
    char hash[20];
    snprintf(hash, sizeof hash, "%016" PRIx64, info.module_hash);
    json_t *o = json_object();
    if (!o) return NULL;
    json_object_set_new(o, "pid", json_integer((json_int_t)pid));
    json_object_set_new(o, "address", address_of(pid, name));
    json_object_set_new(o, "name", name_or_null(name));
    json_object_set_new(o, "state", json_string(wactor_state_name(info.state)));
    json_object_set_new(o, "mailbox", json_integer(info.mailbox));
    json_object_set_new(o, "module", info.module_hash ? json_string(hash) : json_null()); /* null: a host actor */
    json_object_set_new(o, "messages", json_integer((json_int_t)info.messages));
    json_object_set_new(o, "refused", json_integer((json_int_t)info.refused));
    json_object_set_new(o, "dead_letters", json_integer((json_int_t)info.dead_letters));
    json_object_set_new(o, "traps", json_integer((json_int_t)(named ? totals.traps : info.traps)));
    json_object_set_new(o, "restarts",
                        json_integer((json_int_t)(named && totals.instances ? totals.instances - 1 : 0)));
    json_object_set_new(o, "memory_pages", json_integer(info.memory_pages));
    json_object_set_new(o, "memory_bytes", json_integer((json_int_t)info.memory_pages * 65536));
    json_object_set_new(o, "fuel_used", json_integer((json_int_t)info.fuel_used));
    json_object_set_new(o, "handler_seconds", json_real((double)info.handler_ns / 1e9));
    json_object_set_new(o, "created_at", time_or_null(info.created_ns));
    json_object_set_new(o, "started_at", time_or_null(info.started_ns));
    if (info.state == WACTOR_FAILED) {
        json_t *f = json_object();
        if (f) {
            json_object_set_new(f, "kind", json_string(wactor_trap_name(info.failure.trap)));
            json_t *m = json_stringn(info.failure.message, strnlen(info.failure.message, sizeof info.failure.message));
            json_object_set_new(f, "message", m ? m : json_string("(not UTF-8)"));
        }
        json_object_set_new(o, "failure", f ? f : json_null());
    } else {
        json_object_set_new(o, "failure", json_null());
    }
    if (named)
        json_object_set_new(o, "totals", json_pack("{s:I,s:I,s:I}", "messages", (json_int_t)totals.messages,
                                                   "refused", (json_int_t)totals.refused, "dead_letters",
                                                   (json_int_t)totals.dead_letters));
    return o;
}

/* The live pids in spawn order (malloc'd), at most ADMIN_MAX_COMPONENTS; *n their number. */
static wactor_pid *live_pids(wactor_runtime *rt, size_t *n) {
    size_t cap = 64;
    for (;;) {
        wactor_pid *v = malloc(cap * sizeof *v);
        if (!v) return NULL;
        wactor_components(rt, v, cap, n);
        if (*n <= cap || cap >= ADMIN_MAX_COMPONENTS) {
            if (*n > cap) *n = cap;
            return v;
        }
        free(v);
        cap = *n + 16 < ADMIN_MAX_COMPONENTS ? *n + 16 : ADMIN_MAX_COMPONENTS;
    }
}

admin_answer admin_components(wactor_runtime *rt) {
    size_t n = 0;
    wactor_pid *pids = live_pids(rt, &n);
    json_t *list = json_array();
    if (!pids || !list) {
        free(pids);
        json_decref(list);
        return admin_error(500, "out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        json_t *c = admin_component_json(rt, pids[i]);
        if (c) json_array_append_new(list, c); /* NULL: it ended meanwhile */
    }
    free(pids);
    return (admin_answer){json_pack("{s:o}", "components", list), 200};
}

admin_answer admin_component(wactor_runtime *rt, const char *address) {
    wactor_pid pid = 0;
    admin_answer err;
    if (admin_resolve(rt, address, address ? strlen(address) : 0, &pid, &err) != 0) return err;
    json_t *c = admin_component_json(rt, pid);
    if (!c) return admin_error(404, "%s is not a component (or ended too long ago)", address);
    return (admin_answer){c, 200};
}

admin_answer admin_ps(wactor_runtime *rt) {
    size_t n = 0;
    wactor_pid *pids = live_pids(rt, &n);
    json_t *list = json_array();
    if (!pids || !list) {
        free(pids);
        json_decref(list);
        return admin_error(500, "out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        wactor_actor_info info;
        if (wactor_info(rt, pids[i], &info) != WACTOR_OK) continue;
        char name[256];
        wactor_name_of(rt, pids[i], name, sizeof name);
        json_array_append_new(list, json_pack("{s:I,s:o,s:o,s:s,s:I}", "pid", (json_int_t)pids[i], "address",
                                              address_of(pids[i], name), "name", name_or_null(name), "state",
                                              wactor_state_name(info.state), "mailbox", (json_int_t)info.mailbox));
    }
    free(pids);
    return (admin_answer){list, 200};
}

static const char *const restart_names[] = {"permanent", "transient", "temporary"};

/* which_children of `sup` (malloc'd, at most ADMIN_MAX_CHILDREN); *n their number. */
wactor_error admin_children_of(wactor_runtime *rt, wactor_pid sup, wactor_child_info **out, size_t *n) {
    size_t cap = 32;
    *out = NULL;
    for (;;) {
        wactor_child_info *v = malloc(cap * sizeof *v);
        if (!v) return WACTOR_ENOMEM;
        wactor_error err = wactor_which_children(rt, sup, v, cap, n);
        if (err) {
            free(v);
            return err;
        }
        if (*n <= cap || cap >= ADMIN_MAX_CHILDREN) {
            if (*n > cap) *n = cap;
            *out = v;
            return WACTOR_OK;
        }
        free(v);
        cap = *n + 8 < ADMIN_MAX_CHILDREN ? *n + 8 : ADMIN_MAX_CHILDREN;
    }
}

json_t *admin_child_json(const wactor_child_info *k, bool with_state) {
    json_t *id = json_stringn(k->id, strnlen(k->id, sizeof k->id));
    json_t *o = json_pack("{s:o,s:I,s:b,s:s,s:I}", "id", id ? id : json_string("?"), "pid", (json_int_t)k->pid,
                          "supervisor", k->is_supervisor, "restart", restart_names[k->restart % 3], "restarts",
                          (json_int_t)k->restarts);
    if (o && with_state) json_object_set_new(o, "state", json_string(k->pid ? "running" : "stopped"));
    return o;
}

static json_t *tree_of(wactor_runtime *rt, wactor_pid sup, unsigned depth) {
    wactor_child_info *kids = NULL;
    size_t n = 0;
    json_t *list = json_array();
    if (!list) return NULL;
    if (depth < ADMIN_MAX_DEPTH && admin_children_of(rt, sup, &kids, &n) == WACTOR_OK) {
        for (size_t i = 0; i < n; i++) {
            json_t *c = admin_child_json(&kids[i], true);
            if (!c) continue;
            if (kids[i].is_supervisor && kids[i].pid) {
                json_t *sub = tree_of(rt, kids[i].pid, depth + 1);
                if (sub) json_object_set_new(c, "children", sub);
            }
            json_array_append_new(list, c);
        }
    }
    free(kids);
    return list;
}

admin_answer admin_tree(wactor_runtime *rt) {
    wactor_pid sups[64];
    size_t n = 0;
    wactor_supervisors(rt, sups, 64, &n);
    if (n > 64) n = 64;
    json_t *list = json_array();
    if (!list) return admin_error(500, "out of memory");
    for (size_t i = 0; i < n; i++) {
        char name[256];
        wactor_name_of(rt, sups[i], name, sizeof name);
        json_t *kids = tree_of(rt, sups[i], 0);
        json_array_append_new(list, json_pack("{s:I,s:o,s:o}", "pid", (json_int_t)sups[i], "name", name_or_null(name),
                                              "children", kids ? kids : json_array()));
    }
    return (admin_answer){json_pack("{s:o}", "supervisors", list), 200};
}

admin_answer admin_node(wactor_runtime *rt, double messages_per_second, double uptime_seconds) {
    wactor_stats st;
    wactor_stats_get(rt, &st);
    json_t *o = json_object();
    if (!o) return admin_error(500, "out of memory");
    json_object_set_new(o, "version", json_string(wactor_version()));
    json_object_set_new(o, "threads", json_integer(st.threads));
    json_object_set_new(o, "threads_busy", json_integer(st.threads - (st.threads_idle < st.threads ? st.threads_idle : st.threads)));
    json_object_set_new(o, "run_queue", json_integer((json_int_t)st.run_queue));
    json_object_set_new(o, "actors", json_integer((json_int_t)st.actors));
    json_object_set_new(o, "components", json_integer((json_int_t)st.components));
    json_object_set_new(o, "delivered", json_integer((json_int_t)st.delivered));
    json_object_set_new(o, "refused", json_integer((json_int_t)st.refused));
    json_object_set_new(o, "dead_letters", json_integer((json_int_t)st.dead_letters));
    json_object_set_new(o, "traps", json_integer((json_int_t)st.traps));
    json_object_set_new(o, "messages_per_second", messages_per_second < 0 ? json_null() : json_real(messages_per_second));
    json_object_set_new(o, "rss_bytes", json_integer((json_int_t)admin_rss_bytes()));
    json_object_set_new(o, "uptime_seconds", json_real(uptime_seconds));
    return (admin_answer){o, 200};
}

admin_answer admin_stats(wactor_runtime *rt) {
    wactor_stats st;
    wactor_stats_get(rt, &st);
    return (admin_answer){json_pack("{s:I,s:I,s:I,s:I,s:I}", "actors", (json_int_t)st.actors, "delivered",
                                    (json_int_t)st.delivered, "refused", (json_int_t)st.refused, "dead_letters",
                                    (json_int_t)st.dead_letters, "traps", (json_int_t)st.traps),
                          200};
}
