/*
 * kv_service.c — a host service for components: a key-value store in SQLite, run as a *blocking host
 * actor* (include/wactor_host.h) under the same supervisor as the component that queries it.
 *
 *   build/kv_service build/examples [DB]       (DB: an SQLite file; default: an in-memory database)
 *
 * The host actor registers as `kv` and speaks the protocol of examples/kv.c, so examples/kv_client.c
 * queries it with `wactor.request` exactly as it would query the kv component:
 *   {"put":"k","value":"v"} -> {"ok":true}     {"get":"k"} -> {"value":"v"} or {"error":"not found"}
 * Every callback runs on the runtime's blocking pool, so an SQLite call (a disk write, a lock wait) never
 * holds a scheduler thread. The program:
 *   1. registers the behaviour as host actor kind "kv" and starts a supervisor with two children: the kind
 *      (named `kv`) and kv_client (granted `request: [kv]`);
 *   2. has kv_client run 50 puts and 50 gets against it, and asks it directly with wactor_ask;
 *   3. crashes it ({"crash":true} makes receive fail): the supervisor restarts it, the name `kv` moves to
 *      the new pid, and since the database outlives the instance (the kind's arg), the data is still there;
 *   4. runs kv_client again and shuts down.
 * It exits 0 only if every answer was as expected (so `make test` runs it as a test).
 */
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "wactor.h"
#include "wactor_host.h"

/* ------------------------------------------------------------------ the log (kv_client reports there) */

static pthread_mutex_t log_mu = PTHREAD_MUTEX_INITIALIZER;
static char log_text[1 << 16];

static void on_log(void *user, wactor_log_level level, const char *name, const char *line, size_t len) {
    (void)user, (void)level;
    printf("  [%s] %.*s\n", name, (int)(len > 300 ? 300 : len), line);
    fflush(stdout);
    pthread_mutex_lock(&log_mu);
    size_t n = strlen(log_text);
    if (n + len + 2 < sizeof log_text) {
        memcpy(log_text + n, line, len);
        log_text[n + len] = '\n';
        log_text[n + len + 1] = '\0';
    }
    pthread_mutex_unlock(&log_mu);
}

/* Waits up to 10 s for `needle` in the log. */
static int wait_log(const char *needle) {
    for (int i = 0; i < 1000; i++) {
        pthread_mutex_lock(&log_mu);
        int found = strstr(log_text, needle) != NULL;
        pthread_mutex_unlock(&log_mu);
        if (found) return 1;
        nanosleep(&(struct timespec){.tv_nsec = 10000000}, NULL);
    }
    fprintf(stderr, "kv_service: no \"%s\" in the log\n", needle);
    return 0;
}

/* ------------------------------------------------------------------ the SQLite host actor */

enum { STORE_TAG = 0x53544f52, INSTANCE_TAG = 0x494e5354 }; /* which of the two a state pointer is */

typedef struct store {
    int tag;                      /* STORE_TAG */
    sqlite3 *db;                  /* shared by every instance: the data outlives a restart */
    int starts, stops;
} store;

typedef struct instance {
    int tag;                      /* INSTANCE_TAG */
    store *st;
    sqlite3_stmt *put, *get;      /* per instance: prepared in pre_start, finalized in post_stop */
} instance;

static wactor_error kv_pre_start(wactor_host_ctx *ctx) {
    store *st = wactor_host_state(ctx); /* the kind's arg; replaced by this instance's own state */
    instance *in = calloc(1, sizeof *in);
    if (!in) return WACTOR_ENOMEM;
    in->tag = INSTANCE_TAG;
    in->st = st;
    if (sqlite3_prepare_v2(st->db, "INSERT OR REPLACE INTO kv(key, value) VALUES (?1, ?2)", -1, &in->put, NULL) ||
        sqlite3_prepare_v2(st->db, "SELECT value FROM kv WHERE key = ?1", -1, &in->get, NULL)) {
        fprintf(stderr, "kv: %s\n", sqlite3_errmsg(st->db));
        sqlite3_finalize(in->put);
        free(in);
        return WACTOR_EIO;
    }
    st->starts++;
    wactor_host_set_state(ctx, in);
    return WACTOR_OK;
}

static void kv_post_start(wactor_host_ctx *ctx) {
    instance *in = wactor_host_state(ctx);
    printf("kv: instance %d started as #%llu\n", in->st->starts, (unsigned long long)wactor_host_self(ctx));
}

static void kv_post_stop(void *state, const wactor_exit_reason *reason) {
    if (*(const int *)state == INSTANCE_TAG) { /* an instance (pre_start ran), not the kind's bare arg */
        instance *in = state;
        printf("kv: instance stopped (%s)\n", reason->text);
        in->st->stops++;
        sqlite3_finalize(in->put);
        sqlite3_finalize(in->get);
        free(in);
    }
}

/* The JSON string value of "key" in `json` (no escapes allowed: answered as a bad request). */
static int json_str(const char *json, size_t len, const char *key, char *out, size_t cap) {
    char pat[32];
    int pl = snprintf(pat, sizeof pat, "\"%s\":\"", key);
    for (size_t i = 0; i + (size_t)pl <= len; i++) {
        if (memcmp(json + i, pat, (size_t)pl) != 0) continue;
        const char *p = json + i + pl, *end = json + len;
        const char *q = memchr(p, '"', (size_t)(end - p));
        if (!q || (size_t)(q - p) >= cap || memchr(p, '\\', (size_t)(q - p))) return 0;
        memcpy(out, p, (size_t)(q - p));
        out[q - p] = '\0';
        return 1;
    }
    return 0;
}

static wactor_error answer(wactor_host_ctx *ctx, const char *json) {
    char buf[1100];
    size_t n = strlen(json);
    buf[0] = (char)0x80, buf[1] = 0x04; /* multicodec JSON (0x0200) */
    memcpy(buf + 2, json, n);
    return wactor_host_reply(ctx, buf, n + 2);
}

static wactor_error kv_receive(wactor_host_ctx *ctx, const wactor_host_msg *m) {
    instance *in = wactor_host_state(ctx);
    if ((m->kind != WACTOR_HOST_REQUEST && m->kind != WACTOR_HOST_MESSAGE) || m->len < 2 ||
        memcmp(m->payload, "\x80\x04", 2) != 0)
        return WACTOR_OK;
    const char *json = (const char *)m->payload + 2;
    size_t len = m->len - 2;
    if (len >= 8 && memcmp(json, "{\"crash\"", 8) == 0) return WACTOR_EIO; /* a failure: the supervisor acts */
    if (m->kind != WACTOR_HOST_REQUEST) return WACTOR_OK; /* a plain send has nowhere to answer */
    char key[256], value[512], out[1100];
    if (json_str(json, len, "put", key, sizeof key)) {
        if (!json_str(json, len, "value", value, sizeof value)) return answer(ctx, "{\"error\":\"bad value\"}");
        sqlite3_reset(in->put);
        sqlite3_bind_text(in->put, 1, key, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(in->put, 2, value, -1, SQLITE_TRANSIENT);
        int rc = sqlite3_step(in->put); /* blocking work: fine on the blocking pool */
        return answer(ctx, rc == SQLITE_DONE ? "{\"ok\":true}" : "{\"error\":\"database\"}");
    }
    if (json_str(json, len, "get", key, sizeof key)) {
        sqlite3_reset(in->get);
        sqlite3_bind_text(in->get, 1, key, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(in->get) != SQLITE_ROW) return answer(ctx, "{\"error\":\"not found\"}");
        snprintf(out, sizeof out, "{\"value\":\"%s\"}", (const char *)sqlite3_column_text(in->get, 0));
        return answer(ctx, out);
    }
    return answer(ctx, "{\"error\":\"expected put or get\"}");
}

static const wactor_host_behaviour kv_behaviour = {
    .name = "kv", .blocking = true, .pre_start = kv_pre_start, .post_start = kv_post_start,
    .receive = kv_receive, .post_stop = kv_post_stop,
};

/* ------------------------------------------------------------------ the program */

static int check(wactor_error err, const char *what, const wactor_diag *d) {
    if (err == WACTOR_OK) return 0;
    fprintf(stderr, "kv_service: %s: %s%s%s\n", what, wactor_strerror(err), d && d->message[0] ? ": " : "",
            d ? d->message : "");
    return 1;
}

int main(int argc, char **argv) {
    const char *dir = argc > 1 ? argv[1] : "build/examples";
    const char *db_path = argc > 2 ? argv[2] : ":memory:";
    char path[512];
    wactor_diag d = {0};
    store st = {.tag = STORE_TAG};
    if (sqlite3_open(db_path, &st.db) != SQLITE_OK ||
        sqlite3_exec(st.db, "CREATE TABLE IF NOT EXISTS kv(key TEXT PRIMARY KEY, value TEXT)", NULL, NULL, NULL)) {
        fprintf(stderr, "kv_service: %s: %s\n", db_path, sqlite3_errmsg(st.db));
        return 1;
    }

    wactor_config cfg = {.threads = 2, .log = on_log, .blocking_threads = 2};
    wactor_runtime *rt = NULL;
    if (check(wactor_runtime_create(&cfg, &rt), "runtime", NULL)) return 1;
    wactor_module *client = NULL;
    snprintf(path, sizeof path, "%s/kv_client.wasm", dir);
    if (check(wactor_module_load_file(rt, path, &client, &d), "load kv_client", &d)) return 1;

    /* 1. the kind, and a tree with the host actor and the component that asks it */
    if (check(wactor_host_register_kind(rt, "kv", &kv_behaviour, &st), "register kind", NULL)) return 1;
    static const char *const kv_only[] = {"kv"};
    wactor_caps client_caps = {.request = kv_only, .nrequest = 1};
    wactor_child_spec children[] = {
        {.host_kind = "kv", .spawn = {.name = "kv"}, .restart = WACTOR_PERMANENT},
        {.module = client, .spawn = {.name = "kv_client", .caps = &client_caps}, .restart = WACTOR_PERMANENT},
    };
    wactor_sup_spec spec = {.name = "services", .strategy = WACTOR_ONE_FOR_ONE, .intensity = 3, .period_ms = 5000,
                            .children = children, .nchildren = 2};
    wactor_pid sup = 0;
    if (check(wactor_supervisor_start(rt, &spec, &sup, &d), "supervisor", &d)) return 1;
    wactor_pid kv = wactor_whereis(rt, "kv"), kvc = wactor_whereis(rt, "kv_client");

    /* 2. kv_client asks with `request`, the host program with wactor_ask */
    const char run[] = "\x80\x04{\"run\":50,\"timeout_ms\":5000}";
    wactor_send(rt, kvc, run, sizeof run - 1);
    int ok = wait_log("101 requests, 101 answered as expected, 0 unexpected answers, 0 timed out, 0 failed, 0 refused");
    void *reply = NULL;
    size_t reply_len = 0;
    const char get[] = "\x80\x04{\"get\":\"k7\"}";
    if (check(wactor_ask(rt, kv, get, sizeof get - 1, 5000, &reply, &reply_len, &d), "ask kv", &d)) return 1;
    printf("host asks kv {\"get\":\"k7\"} -> %.*s\n", (int)reply_len - 2, (char *)reply + 2);
    ok &= reply_len == 16 && memcmp((char *)reply + 2, "{\"value\":\"v7\"}", 14) == 0;
    free(reply);

    /* 3. a crash: restarted by the supervisor, the name moves, the data (in SQLite) stays */
    const char crash[] = "\x80\x04{\"crash\":true}";
    wactor_send(rt, kv, crash, sizeof crash - 1);
    wactor_pid kv2 = 0;
    for (int i = 0; i < 1000 && ((kv2 = wactor_whereis(rt, "kv")) == 0 || kv2 == kv); i++)
        nanosleep(&(struct timespec){.tv_nsec = 10000000}, NULL);
    wactor_actor_info old;
    wactor_info(rt, kv, &old);
    printf("kv #%llu ended (%s: %s), restarted as #%llu\n", (unsigned long long)kv, wactor_state_name(old.state),
           old.failure.message, (unsigned long long)kv2);
    ok &= kv2 != 0 && kv2 != kv && old.state == WACTOR_FAILED;
    if (check(wactor_ask(rt, kv2, get, sizeof get - 1, 5000, &reply, &reply_len, &d), "ask kv again", &d)) return 1;
    printf("after the restart {\"get\":\"k7\"} -> %.*s\n", (int)reply_len - 2, (char *)reply + 2);
    ok &= reply_len == 16 && memcmp((char *)reply + 2, "{\"value\":\"v7\"}", 14) == 0;
    free(reply);

    /* 4. the component keeps asking the new instance */
    const char run2[] = "\x80\x04{\"run\":20,\"timeout_ms\":5000}";
    wactor_send(rt, kvc, run2, sizeof run2 - 1);
    ok &= wait_log("41 requests, 41 answered as expected, 0 unexpected answers, 0 timed out, 0 failed, 0 refused");
    wactor_actor_info totals;
    if (wactor_totals(rt, "kv", &totals) == WACTOR_OK)
        printf("kv over both instances: %llu messages handled\n", (unsigned long long)totals.messages);

    wactor_runtime_destroy(rt); /* stops the tree: kv's post_stop finalizes its statements */
    wactor_module_release(client);
    printf("kv: %d instances started, %d stopped\n", st.starts, st.stops);
    ok &= st.starts == 2 && st.stops == 2;
    sqlite3_close(st.db);
    printf("%s\n", ok ? "kv_service: ok" : "kv_service: FAILED");
    return ok ? 0 : 1;
}
