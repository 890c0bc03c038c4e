/* flaky — starts healthy and turns unhealthy, for health monitoring (`health:` in a manifest).
 *
 * `_health` reports 0 (healthy) until the instance has handled `fail_after` messages (default 3; a
 * message {"fail_after":N} sets it, 0 = never), then 2 (unhealthy) with a reason. The export
 * set_health(i32) forces the status: 0 healthy, 1 degraded, 2 unhealthy, -1 back to automatic.
 * Every message is logged; status changes are logged when `_health` first reports them. A restarted
 * instance starts healthy again. */
#define WACTOR_GUEST_IMPLEMENTATION /* this file defines cabi_realloc (sdk/c/wactor_guest.h) */
#include "wactor_guest.h"

static int64_t fail_after = 3;
static int64_t messages;
static int32_t forced = -1;   /* -1 = automatic */
static int32_t last_reported = 0;

static void on_message(const char *sender, size_t sender_len, const uint8_t *payload, size_t len) {
    uint64_t codec;
    const uint8_t *body;
    size_t blen;
    int64_t n;
    messages++;
    if (wactor_payload_body(payload, len, &codec, &body, &blen) == 0 && codec == WACTOR_CODEC_JSON &&
        wactor_json_get_i64((const char *)body, blen, "fail_after", &n) == 0 && n >= 0)
        fail_after = n;
    wactor_logf(WACTOR_LOG_INFO, "flaky: message %lld from %.*s (unhealthy after %lld)", (long long)messages,
                (int)sender_len, sender, (long long)fail_after);
}
WACTOR_HANDLE_MESSAGE(on_message)

WACTOR_EXPORT("_health") int32_t flaky_health(void);
int32_t flaky_health(void) {
    int32_t status = WACTOR_HEALTH_OK;
    char reason[96] = "";
    if (forced >= 0) {
        status = forced;
        snprintf(reason, sizeof reason, "forced by set_health(%d)", (int)forced);
    } else if (fail_after > 0 && messages >= fail_after) {
        status = WACTOR_HEALTH_UNHEALTHY;
        snprintf(reason, sizeof reason, "worn out after %lld messages", (long long)messages);
    }
    if (reason[0] && status != WACTOR_HEALTH_OK)
        wactor_health_reason(reason, strlen(reason));
    if (status != last_reported) {
        wactor_logf(WACTOR_LOG_WARN, "flaky: health %d -> %d%s%s", (int)last_reported, (int)status,
                    reason[0] ? ": " : "", reason);
        last_reported = status;
    }
    return status;
}

WACTOR_EXPORT("set_health") void flaky_set_health(int32_t status);
void flaky_set_health(int32_t status) {
    forced = status < 0 ? -1 : status;
    wactor_logf(WACTOR_LOG_INFO, "flaky: set_health(%d)", (int)status);
}

WACTOR_EXPORT("ping") int32_t flaky_ping(void);
int32_t flaky_ping(void) { return 1; }
