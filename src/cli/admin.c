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
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/admin.h"

static pthread_mutex_t *out_lock;

static void reply(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void reply(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    pthread_mutex_lock(out_lock);
    vprintf(fmt, ap);
    putchar('\n');
    fflush(stdout);
    pthread_mutex_unlock(out_lock);
    va_end(ap);
}

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
        reply("{\"error\":\"%s\"}", wactor_strerror(err));
        return;
    }
    char line[256 * 128] = "[";
    size_t len = 1;
    for (size_t i = 0; i < n && i < 256; i++)
        len += (size_t)snprintf(line + len, sizeof line - len,
                                "%s{\"id\":\"%s\",\"pid\":%" PRIu64 ",\"supervisor\":%s,\"restart\":\"%s\",\"restarts\":%u}",
                                i ? "," : "", kids[i].id, kids[i].pid, kids[i].is_supervisor ? "true" : "false",
                                restart_names[kids[i].restart % 3], kids[i].restarts);
    reply("%s]", line);
}

/* send / ask / publish: the rest of the line is the JSON body of a JSON-multicodec payload. */
static void message_command(wactor_runtime *rt, const char *cmd, const char *to, const char *json) {
    size_t len = json ? strlen(json) : 0;
    while (len && (json[len - 1] == '\n' || json[len - 1] == '\r')) len--;
    uint8_t *payload = malloc(len + 2);
    if (!payload || !to || !len) {
        free(payload);
        reply("{\"error\":\"usage: %s NAME|TOPIC JSON\"}", cmd);
        return;
    }
    payload[0] = 0x80, payload[1] = 0x04; /* multicodec JSON, 0x0200 */
    memcpy(payload + 2, json, len);
    wactor_error err;
    if (strcmp(cmd, "publish") == 0) {
        size_t n = 0;
        if (!(err = wactor_publish(rt, to, payload, len + 2, &n))) reply("{\"delivered\":%zu}", n);
    } else if (strcmp(cmd, "send") == 0) {
        if (!(err = wactor_send(rt, lookup(rt, to), payload, len + 2))) reply("{\"ok\":true}");
    } else {
        void *answer = NULL;
        size_t alen = 0;
        wactor_diag d = {0};
        if (!(err = wactor_ask(rt, lookup(rt, to), payload, len + 2, WACTOR_DEFAULT_REQUEST_TIMEOUT_MS, &answer, &alen, &d))) {
            const uint8_t *a = answer;
            if (alen >= 2 && a[0] == 0x80 && a[1] == 0x04) reply("{\"reply\":%.*s}", (int)(alen - 2), (const char *)a + 2);
            else reply("{\"reply_bytes\":%zu}", alen);
        }
        free(answer);
    }
    if (err) reply("{\"error\":\"%s\"}", wactor_strerror(err));
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
        reply("{\"actors\":%" PRIu64 ",\"delivered\":%" PRIu64 ",\"refused\":%" PRIu64 ",\"dead_letters\":%" PRIu64
              ",\"traps\":%" PRIu64 "}",
              st.actors, st.delivered, st.refused, st.dead_letters, st.traps);
        return;
    }
    wactor_pid pid = lookup(rt, a);
    if (strcmp(cmd, "which_children") == 0) {
        which(rt, pid);
        return;
    } else if (strcmp(cmd, "count_children") == 0) {
        wactor_child_counts c;
        if (!(err = wactor_count_children(rt, pid, &c))) {
            reply("{\"specs\":%u,\"active\":%u,\"supervisors\":%u,\"workers\":%u}", c.specs, c.active, c.supervisors,
                  c.workers);
            return;
        }
    } else if (strcmp(cmd, "start_child") == 0) {
        wactor_pid child = 0;
        if (!(err = wactor_start_child(rt, pid, NULL, &child))) {
            reply("{\"pid\":%" PRIu64 "}", child);
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
            for (char *p = reason; *p; p++)
                if (*p == '"' || *p == '\\' || (unsigned char)*p < 0x20) *p = ' ';
            reply("{\"status\":\"%s\",\"reason\":\"%s\"}", health_names[hs % 3], reason);
            return;
        }
    } else if (strcmp(cmd, "info") == 0) {
        wactor_actor_info info;
        if (!(err = wactor_info(rt, pid, &info))) {
            reply("{\"state\":\"%s\",\"messages\":%" PRIu64 ",\"refused\":%" PRIu64 ",\"dead_letters\":%" PRIu64 "}",
                  wactor_state_name(info.state), info.messages, info.refused, info.dead_letters);
            return;
        }
    } else {
        reply("{\"error\":\"unknown command '%.60s'\"}", cmd);
        return;
    }
    if (err) reply("{\"error\":\"%s\"}", wactor_strerror(err));
    else reply("{\"ok\":true}");
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
