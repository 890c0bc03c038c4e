/* pong — answers every {"ping":N} with {"pong":N}, sent back to whoever asked. */
#define WACTOR_GUEST_IMPLEMENTATION /* this file defines cabi_realloc (sdk/c/wactor_guest.h) */
#include "wactor_guest.h"

static void on_message(const char *sender, size_t sender_len, const uint8_t *payload, size_t len) {
    uint64_t codec;
    const uint8_t *body;
    size_t blen;
    int64_t n;
    if (wactor_payload_body(payload, len, &codec, &body, &blen) != 0 || codec != WACTOR_CODEC_JSON ||
        wactor_json_get_i64((const char *)body, blen, "ping", &n) != 0) {
        wactor_logf(WACTOR_LOG_WARN, "pong: expected {\"ping\":N} from %.*s", (int)sender_len, sender);
        return;
    }
    wactor_logf(WACTOR_LOG_INFO, "pong: ping %lld from %.*s", (long long)n, (int)sender_len, sender);
    char json[48];
    snprintf(json, sizeof json, "{\"pong\":%lld}", (long long)n);
    int32_t rc = wactor_send_to_sender_json(sender, sender_len, json);
    if (rc != 0)
        wactor_logf(WACTOR_LOG_WARN, "pong: reply to %.*s failed: %s (%d)", (int)sender_len, sender,
                    wactor_error_name(rc), (int)rc);
}
WACTOR_HANDLE_MESSAGE(on_message)
