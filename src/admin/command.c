/* command.c — one console line parsed and run: `CMD [ARG [ARG]]`, or `CMD TARGET JSON` for send, ask and
 * publish (the rest of the line is the JSON, validated before anything is sent). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "admin/admin.h"

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void admin_session_init(admin_session *s) {
    memset(s, 0, sizeof *s);
    s->started_ns = s->last_ns = now_ns();
}

static const char *const help_lines[] = {
    "ps | list                      components: pid, address, name, state, mailbox",
    "components | tree | node       the HTTP API's /api/components, /api/tree, /api/node",
    "which_children SUP             children of a supervisor, in start order",
    "count_children SUP             {specs, active, supervisors, workers}",
    "start_child SUP                a new child of a simple_one_for_one supervisor",
    "terminate_child SUP ID|#PID    stop a child (its spec stays)",
    "restart_child SUP ID           start a terminated child again",
    "delete_child SUP ID            forget a terminated child",
    "health ADDRESS                 ask a component's _health",
    "info ADDRESS                   a component's state and counters",
    "stats                          node-wide counters",
    "send ADDRESS JSON              send a JSON message to handle-message",
    "ask ADDRESS JSON               send a request, wait up to 5 s for the reply",
    "publish TOPIC JSON             publish a JSON message",
    "help | quit | exit             end the session",
    "ADDRESS is a registered name or #pid (e.g. #12); answers are one JSON value per line",
};

static admin_answer help(void) {
    json_t *list = json_array();
    for (size_t i = 0; list && i < sizeof help_lines / sizeof *help_lines; i++)
        json_array_append_new(list, json_string(help_lines[i]));
    return (admin_answer){json_pack("{s:o}", "commands", list ? list : json_array()), 200};
}

/* The next whitespace-separated word of [*p, end) as a NUL-terminated string in buf; NULL if none. */
static const char *word(const char **p, const char *end, char *buf, size_t cap, bool *too_long) {
    const char *s = *p;
    while (s < end && (*s == ' ' || *s == '\t')) s++;
    const char *e = s;
    while (e < end && *e != ' ' && *e != '\t') e++;
    *p = e;
    if (e == s) return NULL;
    if ((size_t)(e - s) >= cap) {
        *too_long = true;
        return NULL;
    }
    memcpy(buf, s, (size_t)(e - s));
    buf[e - s] = 0;
    return buf;
}

static admin_answer message_command(wactor_runtime *rt, const char *cmd, const char *to, const char *json,
                                    size_t len) {
    while (len && (*json == ' ' || *json == '\t')) json++, len--;
    if (!to || !len) return admin_error(400, "usage: %s %s JSON", cmd, strcmp(cmd, "publish") ? "ADDRESS" : "TOPIC");
    json_error_t jerr;
    json_t *msg = json_loadb(json, len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &jerr);
    if (!msg) return admin_error(400, "invalid JSON at column %d: %s; nothing was sent", jerr.column, jerr.text);
    admin_answer a = strcmp(cmd, "send") == 0  ? admin_send(rt, to, msg)
                     : strcmp(cmd, "ask") == 0 ? admin_ask(rt, to, msg, WACTOR_DEFAULT_REQUEST_TIMEOUT_MS)
                                               : admin_publish(rt, to, msg);
    json_decref(msg);
    return a;
}

admin_answer admin_command(wactor_runtime *rt, admin_session *s, const char *line, size_t len, bool *end) {
    *end = false;
    if (len > ADMIN_MAX_LINE) return admin_error(413, "line too long (over %u bytes)", ADMIN_MAX_LINE);
    while (len && (line[len - 1] == '\n' || line[len - 1] == '\r')) len--;
    const char *p = line, *stop = line + len;
    char cbuf[64], abuf[512], bbuf[512];
    bool too_long = false;
    const char *cmd = word(&p, stop, cbuf, sizeof cbuf, &too_long);
    if (!cmd && !too_long) return (admin_answer){NULL, 200};
    if (too_long) return admin_error(400, "unknown command (over %zu bytes)", sizeof cbuf - 1);
    const char *a = word(&p, stop, abuf, sizeof abuf, &too_long);
    if (too_long) return admin_error(400, "%s: argument too long (over %zu bytes)", cmd, sizeof abuf - 1);
    if (!strcmp(cmd, "send") || !strcmp(cmd, "ask") || !strcmp(cmd, "publish"))
        return message_command(rt, cmd, a, p, (size_t)(stop - p));
    const char *b = word(&p, stop, bbuf, sizeof bbuf, &too_long);
    if (too_long) return admin_error(400, "%s: argument too long (over %zu bytes)", cmd, sizeof bbuf - 1);
    char extra[8];
    bool more = word(&p, stop, extra, sizeof extra, &too_long) || too_long;
    int nargs = (a != NULL) + (b != NULL) + more;

    static const struct { const char *name; int args; } arity[] = {
        {"help", 0}, {"quit", 0}, {"exit", 0}, {"ps", 0}, {"list", 0}, {"components", 0}, {"tree", 0},
        {"node", 0}, {"stats", 0}, {"which_children", 1}, {"count_children", 1}, {"start_child", 1},
        {"health", 1}, {"info", 1}, {"terminate_child", 2}, {"restart_child", 2}, {"delete_child", 2},
    };
    int want = -1;
    for (size_t i = 0; i < sizeof arity / sizeof *arity; i++)
        if (strcmp(cmd, arity[i].name) == 0) want = arity[i].args;
    if (want < 0) return admin_error(400, "unknown command '%.60s'", cmd);
    if (nargs != want)
        return admin_error(400, "%s takes %s (help lists the commands)", cmd,
                           want == 0 ? "no arguments" : want == 1 ? "one argument" : "two arguments");

    if (!strcmp(cmd, "help")) {
        *end = true;
        return help();
    }
    if (!strcmp(cmd, "quit") || !strcmp(cmd, "exit")) {
        *end = true;
        return (admin_answer){json_pack("{s:b}", "bye", 1), 200};
    }
    if (!strcmp(cmd, "ps") || !strcmp(cmd, "list")) return admin_ps(rt);
    if (!strcmp(cmd, "components")) return admin_components(rt);
    if (!strcmp(cmd, "tree")) return admin_tree(rt);
    if (!strcmp(cmd, "stats")) return admin_stats(rt);
    if (!strcmp(cmd, "node")) {
        wactor_stats st;
        wactor_stats_get(rt, &st);
        uint64_t t = now_ns();
        double rate = s->sampled && t > s->last_ns
                          ? (double)(st.delivered - s->last_delivered) * 1e9 / (double)(t - s->last_ns) : -1;
        s->sampled = true;
        s->last_ns = t;
        s->last_delivered = st.delivered;
        return admin_node(rt, rate, (double)(t - s->started_ns) / 1e9);
    }
    if (!strcmp(cmd, "which_children")) return admin_which_children(rt, a);
    if (!strcmp(cmd, "count_children")) return admin_count_children(rt, a);
    if (!strcmp(cmd, "start_child")) return admin_start_child(rt, a);
    if (!strcmp(cmd, "health")) return admin_health(rt, a);
    if (!strcmp(cmd, "info")) return admin_info(rt, a);
    if (!strcmp(cmd, "terminate_child")) return admin_terminate_child(rt, a, b);
    if (!strcmp(cmd, "restart_child")) return admin_restart_child(rt, a, b);
    return admin_delete_child(rt, a, b);
}
