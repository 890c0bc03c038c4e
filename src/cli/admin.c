/*
 * admin.c — `wactor run --admin`: a line-oriented admin console on stdin, answering on stdout with one JSON
 * object per command. It reaches the running system through the embedding API only:
 *
 *   which_children SUP            [{"id":"worker","pid":7,"supervisor":false,"restart":"permanent","restarts":0},...]
 *   count_children SUP            {"specs":3,"active":3,"supervisors":1,"workers":2}
 *   start_child SUP               (simple_one_for_one) {"pid":12}
 *   terminate_child SUP ID|#PID   {"ok":true}
 *   restart_child SUP ID          {"ok":true}
 *   delete_child SUP ID           {"ok":true}
 *   health NAME                   {"status":"healthy","reason":""}
 *   info NAME                     {"state":"ready","messages":3,"refused":0,"dead_letters":0}
 *   stats                         {"actors":8,"delivered":29,"refused":0,"dead_letters":0,"traps":0}
 *   send NAME JSON                {"ok":true}            (a JSON-multicodec message to handle-message)
 *   ask NAME JSON                 {"reply":<its JSON>}   (a request; waits up to 5 s for the guest's reply)
 *   publish TOPIC JSON            {"delivered":3}
 *
 * SUP and NAME are registered names or "#pid". Errors: {"error":"no such actor, name, export or file"}.
 * Every answer is built and printed by jansson (names, reasons and a guest's reply are escaped, never pasted).
 */
#include <inttypes.h>
#include <jansson.h>
#include <stdbool.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/admin.h"

static pthread_mutex_t *out_lock;

/* Prints `v` (stolen) as one line of JSON: jansson escapes every string (names, reasons, a guest's reply).
 * A value jansson cannot encode (text that is not UTF-8) is reported as an error object instead. */
static void reply_json(json_t *v) {
    char *text = v ? json_dumps(v, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
    json_decref(v);
    pthread_mutex_lock(out_lock);
    fputs(text ? text : "{\"error\":\"out of memory\"}", stdout);
    putchar('\n');
    fflush(stdout);
    pthread_mutex_unlock(out_lock);
    free(text);
}

/* A string member from bytes that may not be UTF-8 (a guest's text): kept if valid, else escaped as \xHH. */
static json_t *text_value(const char *s, size_t len) {
    json_t *v = json_stringn(s, len);
    if (v) return v;
    char buf[1024];
    size_t i = 0;
    for (size_t k = 0; k < len && i + 5 < sizeof buf; k++) {
        unsigned char c = (unsigned char)s[k];
        if (c < 0x80) buf[i++] = (char)c;
        else i += (size_t)snprintf(buf + i, sizeof buf - i, "\\x%02x", c);
    }
    return json_stringn(buf, i);
}

static void reply_error(const char *text) { reply_json(json_pack("{s:s}", "error", text)); }
static void reply_err(wactor_error err) { reply_error(wactor_strerror(err)); }

static wactor_pid lookup(wactor_runtime *rt, const char *name) {
    if (!name) return 0;
    if (name[0] == '#') return strtoull(name + 1, NULL, 10);
    return wactor_whereis(rt, name);
}

static const char *const restart_names[] = {"permanent", "transient", "temporary"};
static const char *const health_names[] = {"healthy", "degraded", "unhealthy"};

static void which(wactor_runtime *rt, wactor_pid sup) {
    wactor_child_info kids[256];
    size_t n = 0;
    wactor_error err = wactor_which_children(rt, sup, kids, 256, &n);
    if (err) {
        reply_err(err);
        return;
    }
    json_t *list = json_array();
    for (size_t i = 0; list && i < n && i < 256; i++)
        json_array_append_new(list, json_pack("{s:o,s:I,s:b,s:s,s:I}", "id",
                                              text_value(kids[i].id, strnlen(kids[i].id, sizeof kids[i].id)),
                                              "pid", (json_int_t)kids[i].pid, "supervisor", kids[i].is_supervisor,
                                              "restart", restart_names[kids[i].restart % 3], "restarts",
                                              (json_int_t)kids[i].restarts));
    reply_json(list);
}

/* send / ask / publish: the rest of the line is the JSON body of a JSON-multicodec payload. */
static void message_command(wactor_runtime *rt, const char *cmd, const char *to, const char *json) {
    size_t len = json ? strlen(json) : 0;
    while (len && (json[len - 1] == '\n' || json[len - 1] == '\r')) len--;
    uint8_t *payload = malloc(len + 2);
    if (!payload || !to || !len) {
        free(payload);
        char usage[64];
        snprintf(usage, sizeof usage, "usage: %s NAME|TOPIC JSON", cmd);
        reply_error(usage);
        return;
    }
    payload[0] = 0x80, payload[1] = 0x04; /* multicodec JSON, 0x0200 */
    memcpy(payload + 2, json, len);
    wactor_error err;
    if (strcmp(cmd, "publish") == 0) {
        size_t n = 0;
        if (!(err = wactor_publish(rt, to, payload, len + 2, &n))) reply_json(json_pack("{s:I}", "delivered", (json_int_t)n));
    } else if (strcmp(cmd, "send") == 0) {
        if (!(err = wactor_send(rt, lookup(rt, to), payload, len + 2))) reply_json(json_pack("{s:b}", "ok", 1));
    } else {
        void *answer = NULL;
        size_t alen = 0;
        wactor_diag d = {0};
        if (!(err = wactor_ask(rt, lookup(rt, to), payload, len + 2, WACTOR_DEFAULT_REQUEST_TIMEOUT_MS, &answer,
                               &alen, &d))) {
            const uint8_t *a = answer;
            json_t *body = NULL;
            /* the guest's reply is parsed, never pasted: it cannot break out of the answer object */
            if (alen >= 2 && a[0] == 0x80 && a[1] == 0x04)
                body = json_loadb((const char *)a + 2, alen - 2, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, NULL);
            if (body) reply_json(json_pack("{s:o}", "reply", body));
            else reply_json(json_pack("{s:I}", "reply_bytes", (json_int_t)alen));
        }
        free(answer);
    }
    if (err) reply_err(err);
    free(payload);
}

static void run_command(wactor_runtime *rt, char *line) {
    char *save = NULL;
    char *cmd = strtok_r(line, " \t\r\n", &save);
    char *a = strtok_r(NULL, " \t\r\n", &save);
    if (cmd && a && (!strcmp(cmd, "send") || !strcmp(cmd, "ask") || !strcmp(cmd, "publish"))) {
        message_command(rt, cmd, a, save ? save + strspn(save, " \t") : NULL);
        return;
    }
    char *b = strtok_r(NULL, " \t\r\n", &save);
    if (!cmd) return;
    wactor_error err = WACTOR_OK;
    if (strcmp(cmd, "stats") == 0) {
        wactor_stats st;
        wactor_stats_get(rt, &st);
        reply_json(json_pack("{s:I,s:I,s:I,s:I,s:I}", "actors", (json_int_t)st.actors, "delivered",
                             (json_int_t)st.delivered, "refused", (json_int_t)st.refused, "dead_letters",
                             (json_int_t)st.dead_letters, "traps", (json_int_t)st.traps));
        return;
    }
    wactor_pid pid = lookup(rt, a);
    if (strcmp(cmd, "which_children") == 0) {
        which(rt, pid);
        return;
    } else if (strcmp(cmd, "count_children") == 0) {
        wactor_child_counts c;
        if (!(err = wactor_count_children(rt, pid, &c))) {
            reply_json(json_pack("{s:I,s:I,s:I,s:I}", "specs", (json_int_t)c.specs, "active", (json_int_t)c.active,
                                 "supervisors", (json_int_t)c.supervisors, "workers", (json_int_t)c.workers));
            return;
        }
    } else if (strcmp(cmd, "start_child") == 0) {
        wactor_pid child = 0;
        if (!(err = wactor_start_child(rt, pid, NULL, &child))) {
            reply_json(json_pack("{s:I}", "pid", (json_int_t)child));
            return;
        }
    } else if (strcmp(cmd, "terminate_child") == 0) {
        bool by_pid = b && b[0] == '#';
        err = wactor_terminate_child(rt, pid, by_pid ? NULL : b, by_pid ? lookup(rt, b) : 0);
    } else if (strcmp(cmd, "restart_child") == 0) {
        err = wactor_restart_child(rt, pid, b);
    } else if (strcmp(cmd, "delete_child") == 0) {
        err = wactor_delete_child(rt, pid, b);
    } else if (strcmp(cmd, "health") == 0) {
        wactor_health_status hs;
        char reason[256] = "";
        if (!(err = wactor_health(rt, pid, 2000, &hs, reason, sizeof reason))) {
            reply_json(json_pack("{s:s,s:o}", "status", health_names[hs % 3], "reason",
                                 text_value(reason, strnlen(reason, sizeof reason))));
            return;
        }
    } else if (strcmp(cmd, "info") == 0) {
        wactor_actor_info info;
        if (!(err = wactor_info(rt, pid, &info))) {
            reply_json(json_pack("{s:s,s:I,s:I,s:I}", "state", wactor_state_name(info.state), "messages",
                                 (json_int_t)info.messages, "refused", (json_int_t)info.refused, "dead_letters",
                                 (json_int_t)info.dead_letters));
            return;
        }
    } else {
        char what[96];
        snprintf(what, sizeof what, "unknown command '%.60s'", cmd);
        json_t *v = text_value(what, strlen(what));
        reply_json(v ? json_pack("{s:o}", "error", v) : NULL);
        return;
    }
    if (err) reply_err(err);
    else reply_json(json_pack("{s:b}", "ok", 1));
}
static void *console(void *arg) {
    wactor_runtime *rt = arg;
    char line[1024];
    while (fgets(line, sizeof line, stdin)) run_command(rt, line);
    return NULL;
}

int cli_admin_start(wactor_runtime *rt, pthread_mutex_t *lock) {
    out_lock = lock;
    pthread_t t;
    if (pthread_create(&t, NULL, console, rt) != 0) return -1;
    pthread_detach(t); /* it ends with the process; stdin may never close */
    return 0;
}
