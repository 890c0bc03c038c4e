/*
 * metrics.c — GET /metrics in the Prometheus text exposition format, version 0.0.4
 * (prometheus.io/docs/instrumenting/exposition_formats): one `# HELP` and `# TYPE` per family, its samples
 * together, label values escaped (backslash, double quote, line feed) and kept valid UTF-8 (an invalid byte
 * becomes U+FFFD). Names follow Prometheus conventions: `_total` counters, base units (`_bytes`,
 * `_seconds`). docs/OPERATIONS.md lists every family.
 *
 * A scrape reads each live component's counters once (wactor_info / wactor_totals copy them under the
 * runtime's lock) into an array, then formats with no lock held.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin/admin.h"
#include "http/internal.h"

typedef struct row {
    char label[264];      /* the registered name, or "#pid" */
    wactor_actor_info v;  /* a named component: totals over its instances; else the instance */
} row;

typedef struct sup_row {
    char label[264];
    uint64_t running, stopped, restarts;
} sup_row;

/* Length of the well-formed UTF-8 sequence at s (n bytes left), 0 if malformed (RFC 3629). */
static size_t utf8_len(const unsigned char *s, size_t n) {
    if (s[0] < 0x80) return 1;
    size_t k = s[0] >= 0xC2 && s[0] <= 0xDF ? 2 : s[0] >= 0xE0 && s[0] <= 0xEF ? 3 : s[0] >= 0xF0 && s[0] <= 0xF4 ? 4 : 0;
    if (!k || k > n) return 0;
    for (size_t i = 1; i < k; i++)
        if ((s[i] & 0xC0) != 0x80) return 0;
    if (k == 3 && ((s[0] == 0xE0 && s[1] < 0xA0) || (s[0] == 0xED && s[1] >= 0xA0))) return 0; /* overlong, surrogate */
    if (k == 4 && ((s[0] == 0xF0 && s[1] < 0x90) || (s[0] == 0xF4 && s[1] >= 0x90))) return 0; /* overlong, > U+10FFFF */
    return k;
}

static void label_value(http_buf *b, const char *s) {
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\\') http_buf_add(b, "\\\\", 2), i++;
        else if (c == '"') http_buf_add(b, "\\\"", 2), i++;
        else if (c == '\n') http_buf_add(b, "\\n", 2), i++;
        else {
            size_t k = utf8_len((const unsigned char *)s + i, n - i);
            if (k) http_buf_add(b, s + i, k), i += k;
            else http_buf_add(b, "\xEF\xBF\xBD", 3), i++;
        }
    }
}

static void family(http_buf *b, const char *name, const char *type, const char *help) {
    http_buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* name{l1="v1"[,l2="v2"]} value */
static void sample(http_buf *b, const char *name, const char *l1, const char *v1, const char *l2, const char *v2,
                   const char *value) {
    http_buf_str(b, name);
    if (l1) {
        http_buf_printf(b, "{%s=\"", l1);
        label_value(b, v1);
        if (l2) {
            http_buf_printf(b, "\",%s=\"", l2);
            label_value(b, v2);
        }
        http_buf_str(b, "\"}");
    }
    http_buf_printf(b, " %s\n", value);
}

static void sample_u(http_buf *b, const char *name, const char *l1, const char *v1, const char *l2,
                     const char *v2, uint64_t value) {
    char num[32];
    snprintf(num, sizeof num, "%" PRIu64, value);
    sample(b, name, l1, v1, l2, v2, num);
}

static void sample_d(http_buf *b, const char *name, double value) {
    char num[64];
    snprintf(num, sizeof num, "%.17g", value);
    sample(b, name, NULL, NULL, NULL, NULL, num);
}

static int by_label(const void *a, const void *b) { return strcmp(((const row *)a)->label, ((const row *)b)->label); }

/* One row per named component (totals) and per live unnamed instance; sorted by label, names once. */
static row *collect(wactor_runtime *rt, size_t *nrows) {
    *nrows = 0;
    size_t n = 0, cap = 256;
    wactor_pid *pids = NULL;
    for (;;) {
        free(pids);
        pids = malloc(cap * sizeof *pids);
        if (!pids) return NULL;
        wactor_components(rt, pids, cap, &n);
        if (n <= cap || cap >= ADMIN_MAX_COMPONENTS) break;
        cap = n + 64 < ADMIN_MAX_COMPONENTS ? n + 64 : ADMIN_MAX_COMPONENTS;
    }
    if (n > cap) n = cap;
    row *rows = calloc(n ? n : 1, sizeof *rows);
    if (!rows) {
        free(pids);
        return NULL;
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        row *r = &rows[k];
        char name[256];
        if (wactor_name_of(rt, pids[i], name, sizeof name) == WACTOR_OK && wactor_totals(rt, name, &r->v) == WACTOR_OK) {
            snprintf(r->label, sizeof r->label, "%s", name);
            k++;
        } else if (wactor_info(rt, pids[i], &r->v) == WACTOR_OK) {
            snprintf(r->label, sizeof r->label, "#%" PRIu64, pids[i]);
            k++;
        }
    }
    free(pids);
    qsort(rows, k, sizeof *rows, by_label);
    size_t u = 0; /* a name with two live instances (one ending, one starting) is listed once */
    for (size_t i = 0; i < k; i++)
        if (u == 0 || strcmp(rows[u - 1].label, rows[i].label) != 0) rows[u++] = rows[i];
    *nrows = u;
    return rows;
}

static void walk_sups(wactor_runtime *rt, wactor_pid sup, const char *label, unsigned depth, sup_row **rows,
                      size_t *n, size_t *cap) {
    if (depth >= ADMIN_MAX_DEPTH || *n >= 4096) return;
    wactor_child_info *kids = NULL;
    size_t nk = 0;
    if (admin_children_of(rt, sup, &kids, &nk) != WACTOR_OK) return;
    if (*n == *cap) {
        size_t c2 = *cap ? *cap * 2 : 16;
        sup_row *r2 = realloc(*rows, c2 * sizeof *r2);
        if (!r2) {
            free(kids);
            return;
        }
        *rows = r2;
        *cap = c2;
    }
    size_t me = (*n)++;
    sup_row *r = &(*rows)[me];
    memset(r, 0, sizeof *r);
    snprintf(r->label, sizeof r->label, "%s", label);
    for (size_t i = 0; i < nk; i++) {
        if (kids[i].pid) (*rows)[me].running++;
        else (*rows)[me].stopped++;
        (*rows)[me].restarts += kids[i].restarts;
    }
    for (size_t i = 0; i < nk; i++)
        if (kids[i].is_supervisor && kids[i].pid) {
            char name[256];
            if (wactor_name_of(rt, kids[i].pid, name, sizeof name) != WACTOR_OK)
                snprintf(name, sizeof name, "%.*s", (int)sizeof kids[i].id, kids[i].id);
            walk_sups(rt, kids[i].pid, name, depth + 1, rows, n, cap);
        }
    free(kids);
}

void http_metrics(wactor_runtime *rt, http_hub *hub, http_buf *b) {
    size_t n = 0;
    row *rows = collect(rt, &n);
    if (!rows) {
        b->failed = true;
        return;
    }
    char num[64];
#define PER_COMPONENT(name, type, help, expr)                                                                       \
    do {                                                                                                            \
        family(b, name, type, help);                                                                                \
        for (size_t i = 0; i < n; i++) sample_u(b, name, "component", rows[i].label, NULL, NULL, (uint64_t)(expr)); \
    } while (0)
    PER_COMPONENT("wactor_messages_delivered_total", "counter", "Messages whose handler returned.", rows[i].v.messages);
    PER_COMPONENT("wactor_messages_refused_total", "counter",
                  "Sends of the component refused (capability, size, full mailbox).", rows[i].v.refused);
    PER_COMPONENT("wactor_dead_letters_total", "counter",
                  "Messages sent by the component that had no taker, or sent to it without a handler.",
                  rows[i].v.dead_letters);
    family(b, "wactor_traps_total", "counter", "Instances of the component ended by a trap, by trap kind.");
    for (size_t i = 0; i < n; i++)
        for (int k = 1; k <= WACTOR_TRAP_OTHER; k++)
            if (rows[i].v.traps_by_kind[k])
                sample_u(b, "wactor_traps_total", "component", rows[i].label, "kind",
                         wactor_trap_name((wactor_trap_kind)k), rows[i].v.traps_by_kind[k]);
    PER_COMPONENT("wactor_restarts_total", "counter", "Instances started under the component's name, minus one.",
                  rows[i].v.instances ? rows[i].v.instances - 1 : 0);
    PER_COMPONENT("wactor_mailbox_depth", "gauge", "Messages queued for the component now.", rows[i].v.mailbox);
    PER_COMPONENT("wactor_memory_pages", "gauge", "Linear memory of the component, in 64 KiB pages.",
                  rows[i].v.memory_pages);
    PER_COMPONENT("wactor_memory_bytes", "gauge", "Linear memory of the component, in bytes.",
                  (uint64_t)rows[i].v.memory_pages * 65536u);
    PER_COMPONENT("wactor_fuel_used_total", "counter", "Instructions executed by the component's guest code.",
                  rows[i].v.fuel_used);
    family(b, "wactor_handler_seconds_total", "counter", "Wall time spent in the component's guest code.");
    for (size_t i = 0; i < n; i++) {
        snprintf(num, sizeof num, "%.9f", (double)rows[i].v.handler_ns / 1e9);
        sample(b, "wactor_handler_seconds_total", "component", rows[i].label, NULL, NULL, num);
    }
    family(b, "wactor_component_up", "gauge", "1 for the lifecycle state the component's newest instance is in.");
    for (size_t i = 0; i < n; i++)
        sample(b, "wactor_component_up", "component", rows[i].label, "state", wactor_state_name(rows[i].v.state), "1");
#undef PER_COMPONENT
    free(rows);

    /* supervisors */
    sup_row *sups = NULL;
    size_t nsup = 0, supcap = 0;
    wactor_pid tops[64];
    size_t ntop = 0;
    wactor_supervisors(rt, tops, 64, &ntop);
    for (size_t i = 0; i < ntop && i < 64; i++) {
        char name[256];
        if (wactor_name_of(rt, tops[i], name, sizeof name) != WACTOR_OK) snprintf(name, sizeof name, "#%" PRIu64, tops[i]);
        walk_sups(rt, tops[i], name, 0, &sups, &nsup, &supcap);
    }
    family(b, "wactor_supervisor_children", "gauge", "Children of the supervisor, running (with a pid) or stopped.");
    for (size_t i = 0; i < nsup; i++) {
        sample_u(b, "wactor_supervisor_children", "supervisor", sups[i].label, "state", "running", sups[i].running);
        sample_u(b, "wactor_supervisor_children", "supervisor", sups[i].label, "state", "stopped", sups[i].stopped);
    }
    family(b, "wactor_supervisor_restarts_total", "counter", "Restarts of the supervisor's children.");
    for (size_t i = 0; i < nsup; i++)
        sample_u(b, "wactor_supervisor_restarts_total", "supervisor", sups[i].label, NULL, NULL, sups[i].restarts);
    free(sups);
    http_hub_figures fig;
    http_hub_figures_get(hub, &fig);
    family(b, "wactor_supervisor_intensity_shutdowns_total", "counter",
           "Times the supervisor gave up (supervisor_shutdown events seen by the admin server).");
    for (size_t i = 0; i < fig.nshutdowns; i++)
        sample_u(b, "wactor_supervisor_intensity_shutdowns_total", "supervisor", fig.shutdowns[i].name, NULL, NULL,
                 fig.shutdowns[i].count);
    if (fig.other_shutdowns)
        sample_u(b, "wactor_supervisor_intensity_shutdowns_total", "supervisor", "(other)", NULL, NULL, fig.other_shutdowns);
    free(fig.shutdowns);

    /* the node */
    wactor_stats st;
    wactor_stats_get(rt, &st);
    uint32_t idle = st.threads_idle < st.threads ? st.threads_idle : st.threads;
    family(b, "wactor_scheduler_threads", "gauge", "Scheduler threads running a turn (busy) or waiting for work (idle).");
    sample_u(b, "wactor_scheduler_threads", "state", "busy", NULL, NULL, st.threads - idle);
    sample_u(b, "wactor_scheduler_threads", "state", "idle", NULL, NULL, idle);
    family(b, "wactor_run_queue_length", "gauge", "Actors runnable now, waiting for a scheduler thread.");
    sample_u(b, "wactor_run_queue_length", NULL, NULL, NULL, NULL, st.run_queue);
    family(b, "wactor_messages_per_second", "gauge", "Node-wide deliveries per second over the last second.");
    sample_d(b, "wactor_messages_per_second", fig.rate < 0 ? 0 : fig.rate);
    family(b, "wactor_live_components", "gauge", "Components alive.");
    sample_u(b, "wactor_live_components", NULL, NULL, NULL, NULL, st.components);
    family(b, "wactor_actors", "gauge", "Actors alive: components, supervisors, host subscriptions.");
    sample_u(b, "wactor_actors", NULL, NULL, NULL, NULL, st.actors);
    family(b, "wactor_node_messages_delivered_total", "counter", "Node-wide messages whose handler returned.");
    sample_u(b, "wactor_node_messages_delivered_total", NULL, NULL, NULL, NULL, st.delivered);
    family(b, "wactor_node_messages_refused_total", "counter", "Node-wide sends refused.");
    sample_u(b, "wactor_node_messages_refused_total", NULL, NULL, NULL, NULL, st.refused);
    family(b, "wactor_node_dead_letters_total", "counter", "Node-wide dead letters.");
    sample_u(b, "wactor_node_dead_letters_total", NULL, NULL, NULL, NULL, st.dead_letters);
    family(b, "wactor_node_traps_total", "counter", "Node-wide instances failed by a trap.");
    sample_u(b, "wactor_node_traps_total", NULL, NULL, NULL, NULL, st.traps);
    family(b, "process_resident_memory_bytes", "gauge", "Resident memory size in bytes.");
    sample_u(b, "process_resident_memory_bytes", NULL, NULL, NULL, NULL, admin_rss_bytes());
    family(b, "wactor_http_sse_clients", "gauge", "Clients connected to /api/events.");
    sample_u(b, "wactor_http_sse_clients", NULL, NULL, NULL, NULL, fig.clients);
    family(b, "wactor_http_sse_dropped_total", "counter", "Clients of /api/events dropped for falling behind.");
    sample_u(b, "wactor_http_sse_dropped_total", NULL, NULL, NULL, NULL, fig.dropped);
    family(b, "wactor_build_info", "gauge", "The wactor version; always 1.");
    sample(b, "wactor_build_info", "version", wactor_version(), NULL, NULL, "1");
}
