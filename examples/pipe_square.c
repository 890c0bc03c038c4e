/* pipe_square — middle stage: squares each {"n":X} and forwards {"n":X*X} to `sink`. */
#define WACTOR_GUEST_IMPLEMENTATION /* this file defines cabi_realloc (sdk/c/wactor_guest.h) */
#include "wactor_guest.h"

#define NEXT "sink"

static void on_message(const char *sender, size_t sender_len, const uint8_t *payload, size_t len) {
    uint64_t codec;
    const uint8_t *body;
    size_t blen;
    int64_t x;
    if (wactor_payload_body(payload, len, &codec, &body, &blen) != 0 || codec != WACTOR_CODEC_JSON ||
        wactor_json_get_i64((const char *)body, blen, "n", &x) != 0) {
        wactor_logf(WACTOR_LOG_WARN, "square: expected {\"n\":X} from %.*s", (int)sender_len, sender);
        return;
    }
    if (x > 3037000499LL || x < -3037000499LL) { /* x*x would overflow int64 */
        wactor_logf(WACTOR_LOG_WARN, "square: %lld is too large to square, dropped", (long long)x);
        return;
    }
    int64_t sq = x * x;
    wactor_logf(WACTOR_LOG_INFO, "square: %lld^2 = %lld", (long long)x, (long long)sq);
    char json[48];
    snprintf(json, sizeof json, "{\"n\":%lld}", (long long)sq);
    int32_t rc = wactor_send_json(NEXT, json);
    if (rc != 0)
        wactor_logf(WACTOR_LOG_ERROR, "square: send to %s failed: %s (%d)", NEXT, wactor_error_name(rc), (int)rc);
}
WACTOR_HANDLE_MESSAGE(on_message)
