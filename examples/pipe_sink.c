/* pipe_sink — last stage: sums every {"n":X}, logs each partial sum; exports total() -> i64 and
 * received() -> i32. */
#define WACTOR_GUEST_IMPLEMENTATION /* this file defines cabi_realloc (sdk/c/wactor_guest.h) */
#include "wactor_guest.h"

static int64_t sum;
static int32_t received;

static void on_message(const char *sender, size_t sender_len, const uint8_t *payload, size_t len) {
    uint64_t codec;
    const uint8_t *body;
    size_t blen;
    int64_t x;
    if (wactor_payload_body(payload, len, &codec, &body, &blen) != 0 || codec != WACTOR_CODEC_JSON ||
        wactor_json_get_i64((const char *)body, blen, "n", &x) != 0) {
        wactor_logf(WACTOR_LOG_WARN, "sink: expected {\"n\":X} from %.*s", (int)sender_len, sender);
        return;
    }
    if ((x > 0 && sum > INT64_MAX - x) || (x < 0 && sum < INT64_MIN - x)) {
        wactor_logf(WACTOR_LOG_WARN, "sink: adding %lld would overflow, dropped", (long long)x);
        return;
    }
    sum += x;
    received++;
    wactor_logf(WACTOR_LOG_INFO, "sink: %+lld from %.*s, total %lld", (long long)x, (int)sender_len, sender,
                (long long)sum);
}
WACTOR_HANDLE_MESSAGE(on_message)

WACTOR_EXPORT("total") int64_t sink_total(void);
int64_t sink_total(void) { return sum; }

WACTOR_EXPORT("received") int32_t sink_received(void);
int32_t sink_received(void) { return received; }
