/* counter — state that survives across messages: {"add":N} adds N, any other message adds 1.
 * Exports get() -> i32 and reset(); logs on _start and _cleanup; _health reports healthy. */
#define WACTOR_GUEST_IMPLEMENTATION /* this file defines cabi_realloc (sdk/c/wactor_guest.h) */
#include "wactor_guest.h"

static int32_t count;
static uint32_t messages;

static void on_message(const char *sender, size_t sender_len, const uint8_t *payload, size_t len) {
    uint64_t codec;
    const uint8_t *body;
    size_t body_len;
    int64_t add = 1;
    if (wactor_payload_body(payload, len, &codec, &body, &body_len) == 0 && codec == WACTOR_CODEC_JSON &&
        wactor_json_find((const char *)body, body_len, "add") != 0 &&
        (wactor_json_get_i64((const char *)body, body_len, "add", &add) != 0 || add < INT32_MIN ||
         add > INT32_MAX)) {
        wactor_logf(WACTOR_LOG_WARN, "counter: bad \"add\" from %.*s; counting +1", (int)sender_len, sender);
        add = 1;
    }
    count = (int32_t)(uint32_t)((uint32_t)count + (uint32_t)(int32_t)add); /* wraps, never UB */
    messages++;
    wactor_logf(WACTOR_LOG_INFO, "counter: %+lld from %.*s -> %d", (long long)add, (int)sender_len, sender,
                (int)count);
}
WACTOR_HANDLE_MESSAGE(on_message)

WACTOR_EXPORT("get") int32_t counter_get(void);
int32_t counter_get(void) { return count; }

WACTOR_EXPORT("reset") void counter_reset(void);
void counter_reset(void) {
    count = 0;
    wactor_log_str(WACTOR_LOG_INFO, "counter: reset");
}

WACTOR_EXPORT("_start") void counter_start(void);
void counter_start(void) {
    wactor_logf(WACTOR_LOG_INFO, "counter: started (pid %llu)", (unsigned long long)wactor_self());
}

WACTOR_EXPORT("_cleanup") void counter_cleanup(void);
void counter_cleanup(void) {
    wactor_logf(WACTOR_LOG_INFO, "counter: stopping, final count %d after %u messages", (int)count,
                (unsigned)messages);
}

WACTOR_EXPORT("_health") int32_t counter_health(void);
int32_t counter_health(void) {
    char reason[64];
    int n = snprintf(reason, sizeof reason, "count=%d", (int)count);
    wactor_health_reason(reason, (size_t)n);
    return WACTOR_HEALTH_OK;
}
