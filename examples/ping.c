/* ping — the host starts a round with {"count":N}; ping sends {"ping":1} to the actor registered as
 * `pong`, and on each {"pong":K} reply logs it and sends {"ping":K+1} until K reaches N, then logs
 * "done". */
#define WACTOR_GUEST_IMPLEMENTATION /* this file defines cabi_realloc (sdk/c/wactor_guest.h) */
#include "wactor_guest.h"

#define PONG "pong"

static int64_t target; /* rounds wanted in the current game; 0 = idle */

static void send_ping(int64_t n) {
    char json[48];
    snprintf(json, sizeof json, "{\"ping\":%lld}", (long long)n);
    int32_t rc = wactor_send_json(PONG, json);
    if (rc != 0) {
        wactor_logf(WACTOR_LOG_ERROR, "ping: cannot send to %s: %s (%d)", PONG, wactor_error_name(rc), (int)rc);
        target = 0;
    }
}

static void on_message(const char *sender, size_t sender_len, const uint8_t *payload, size_t len) {
    uint64_t codec;
    const uint8_t *body;
    size_t blen;
    if (wactor_payload_body(payload, len, &codec, &body, &blen) != 0 || codec != WACTOR_CODEC_JSON) {
        wactor_logf(WACTOR_LOG_WARN, "ping: ignoring a non-JSON message from %.*s", (int)sender_len, sender);
        return;
    }
    const char *json = (const char *)body;
    int64_t n;
    if (wactor_json_get_i64(json, blen, "count", &n) == 0) {
        if (target != 0)
            wactor_logf(WACTOR_LOG_WARN, "ping: new game replaces the running one");
        if (n <= 0) {
            target = 0;
            wactor_log_str(WACTOR_LOG_INFO, "ping: count <= 0, done");
            return;
        }
        target = n;
        wactor_logf(WACTOR_LOG_INFO, "ping: playing %lld rounds with %s", (long long)n, PONG);
        send_ping(1);
    } else if (wactor_json_get_i64(json, blen, "pong", &n) == 0) {
        wactor_logf(WACTOR_LOG_INFO, "ping: pong %lld from %.*s", (long long)n, (int)sender_len, sender);
        if (target == 0) {
            wactor_log_str(WACTOR_LOG_WARN, "ping: pong outside a game, ignored");
        } else if (n >= target) {
            target = 0;
            wactor_log_str(WACTOR_LOG_INFO, "ping: done");
        } else {
            send_ping(n + 1);
        }
    } else {
        int shown = blen > 120 ? 120 : (int)blen;
        wactor_logf(WACTOR_LOG_WARN, "ping: expected {\"count\":N} or {\"pong\":N}, got %.*s", shown, json);
    }
}
WACTOR_HANDLE_MESSAGE(on_message)
