/* echo — logs every message and sends the payload back, unchanged, to its sender (unless the sender is
 * the host). */
#define WACTOR_GUEST_IMPLEMENTATION /* this file defines cabi_realloc (sdk/c/wactor_guest.h) */
#include "wactor_guest.h"

static void on_message(const char *sender, size_t sender_len, const uint8_t *payload, size_t len) {
    uint64_t codec;
    const uint8_t *body;
    size_t body_len;
    if (wactor_payload_body(payload, len, &codec, &body, &body_len) != 0) {
        wactor_logf(WACTOR_LOG_WARN, "echo: %zu bytes from %.*s without a multicodec prefix", len,
                    (int)sender_len, sender);
    } else if (codec == WACTOR_CODEC_JSON) {
        int shown = body_len > 200 ? 200 : (int)body_len;
        wactor_logf(WACTOR_LOG_INFO, "echo: from %.*s: %.*s%s", (int)sender_len, sender, shown,
                    (const char *)body, (size_t)shown < body_len ? "..." : "");
    } else {
        wactor_logf(WACTOR_LOG_INFO, "echo: from %.*s: %zu bytes (codec 0x%llx)", (int)sender_len,
                    sender, body_len, (unsigned long long)codec);
    }
    if (wactor_sender_is_host(sender, sender_len))
        return;
    int32_t rc = wactor_send_to_sender(sender, sender_len, payload, len);
    if (rc != 0)
        wactor_logf(WACTOR_LOG_WARN, "echo: reply to %.*s failed: %s (%d)", (int)sender_len, sender,
                    wactor_error_name(rc), (int)rc);
}
WACTOR_HANDLE_MESSAGE(on_message)
