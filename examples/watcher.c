/* watcher — monitors other components and logs how they end.
 *
 *   {"watch":"worker"}                 monitor the actor registered as `worker` (or "#pid")
 *   {"watch":"worker","then":V}        ... and then send it the JSON value V (e.g. {"crash":"div"}), so
 *                                      whatever V makes it do happens after the monitor is in place
 *   {"unwatch":"worker"}               cancel that monitor
 *
 * When a monitored actor ends, `handle-down` logs "down: #<pid> <reason> (<name>)". A monitor watches
 * one instance: after a supervisor restarts the component under the same name, send {"watch":...} again
 * to watch the new instance. Malformed messages are logged and ignored. */
#define WACTOR_GUEST_IMPLEMENTATION /* this file defines cabi_realloc (sdk/c/wactor_guest.h) */
#include "wactor_guest.h"

#define WATCH_MAX 32
#define NAME_MAX_ 64

typedef struct watch {
    char name[NAME_MAX_]; /* the address it was asked to watch */
    uint64_t pid;         /* the instance the address named then (0 if whereis did not know) */
    int64_t ref;          /* 0 = free slot */
} watch;

static watch watches[WATCH_MAX];
static uint32_t downs;

static watch *by_ref(int64_t ref) {
    for (size_t i = 0; i < WATCH_MAX; i++)
        if (watches[i].ref == ref)
            return &watches[i];
    return NULL;
}

static watch *by_name(const char *name) {
    for (size_t i = 0; i < WATCH_MAX; i++)
        if (watches[i].ref != 0 && strcmp(watches[i].name, name) == 0)
            return &watches[i];
    return NULL;
}

/* Sends the raw JSON value `then` to `name` after the monitor is in place. */
static void forward(const char *name, const char *then, size_t then_len) {
    int32_t rc = wactor_send_codec(name, strlen(name), WACTOR_CODEC_JSON, then, then_len);
    int shown = then_len > 120 ? 120 : (int)then_len;
    if (rc != 0)
        wactor_logf(WACTOR_LOG_ERROR, "watcher: cannot send %.*s to %s: %s (%d)", shown, then, name,
                    wactor_error_name(rc), (int)rc);
    else
        wactor_logf(WACTOR_LOG_INFO, "watcher: sent %.*s to %s", shown, then, name);
}

static void on_watch(const char *name, const char *json, size_t len) {
    const char *then = NULL;
    size_t then_len = 0;
    if (wactor_json_find(json, len, "then") != 0 && wactor_json_get_raw(json, len, "then", &then, &then_len) != 0) {
        wactor_log_str(WACTOR_LOG_WARN, "watcher: \"then\" is not a JSON value; ignoring the message");
        return;
    }
    uint64_t pid = wactor_whereis(name, strlen(name));
    watch *w = by_name(name);
    if (w != NULL && pid != 0 && w->pid == pid) {
        wactor_logf(WACTOR_LOG_INFO, "watcher: already watching %s (#%llu, monitor %lld)", name,
                    (unsigned long long)pid, (long long)w->ref);
    } else {
        watch *slot = by_ref(0);
        if (slot == NULL) {
            wactor_logf(WACTOR_LOG_WARN, "watcher: already watching %d actors; not watching %s", WATCH_MAX, name);
            return;
        }
        int64_t ref = wactor_monitor(name, strlen(name));
        if (ref <= 0) {
            wactor_logf(WACTOR_LOG_ERROR, "watcher: cannot monitor %s: %s (%lld)", name, wactor_error_name(ref),
                        (long long)ref);
            return;
        }
        memcpy(slot->name, name, strlen(name) + 1);
        slot->pid = pid;
        slot->ref = ref;
        wactor_logf(WACTOR_LOG_INFO, "watcher: watching %s (#%llu), monitor %lld", name, (unsigned long long)pid,
                    (long long)ref);
    }
    if (then != NULL)
        forward(name, then, then_len);
}

static void on_unwatch(const char *name) {
    watch *w = by_name(name);
    if (w == NULL) {
        wactor_logf(WACTOR_LOG_WARN, "watcher: not watching %s", name);
        return;
    }
    int32_t rc = wactor_demonitor(w->ref);
    if (rc != 0)
        wactor_logf(WACTOR_LOG_WARN, "watcher: demonitor %s (monitor %lld): %s (%d)", name, (long long)w->ref,
                    wactor_error_name(rc), (int)rc);
    else
        wactor_logf(WACTOR_LOG_INFO, "watcher: stopped watching %s", name);
    w->ref = 0; /* NOENT: its notice is on the way or delivered; either way this watch is over */
}

static void on_message(const char *sender, size_t sender_len, const uint8_t *payload, size_t len) {
    uint64_t codec;
    const uint8_t *body;
    size_t blen;
    if (wactor_payload_body(payload, len, &codec, &body, &blen) != 0 || codec != WACTOR_CODEC_JSON) {
        wactor_logf(WACTOR_LOG_WARN, "watcher: ignoring a non-JSON message from %.*s", (int)sender_len, sender);
        return;
    }
    const char *json = (const char *)body;
    char name[NAME_MAX_];
    long n;
    if ((n = wactor_json_get_string(json, blen, "watch", name, sizeof name)) >= 0 ||
        (n = wactor_json_get_string(json, blen, "unwatch", name, sizeof name)) >= 0) {
        if (n == 0 || n >= NAME_MAX_) {
            wactor_logf(WACTOR_LOG_WARN, "watcher: the address must be 1..%d bytes", NAME_MAX_ - 1);
        } else if (wactor_json_find(json, blen, "watch") != 0) {
            on_watch(name, json, blen);
        } else {
            on_unwatch(name);
        }
    } else {
        int shown = blen > 120 ? 120 : (int)blen;
        wactor_logf(WACTOR_LOG_WARN, "watcher: expected {\"watch\":\"<name>\"} or {\"unwatch\":\"<name>\"} from %.*s, "
                    "got %.*s", (int)sender_len, sender, shown, json);
    }
}
WACTOR_HANDLE_MESSAGE(on_message)

static void on_down(int64_t ref, uint64_t pid, const char *reason, size_t reason_len) {
    watch *w = by_ref(ref);
    downs++;
    if (w == NULL) {
        wactor_logf(WACTOR_LOG_INFO, "down: #%llu %.*s (monitor %lld, no longer watched)", (unsigned long long)pid,
                    (int)reason_len, reason, (long long)ref);
        return;
    }
    wactor_logf(WACTOR_LOG_INFO, "down: #%llu %.*s (%s)", (unsigned long long)pid, (int)reason_len, reason, w->name);
    w->ref = 0;
}
WACTOR_HANDLE_DOWN(on_down)

WACTOR_EXPORT("downs") int32_t watcher_downs(void);
int32_t watcher_downs(void) { return (int32_t)downs; }
