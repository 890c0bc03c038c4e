/* pipe_source — first stage of the pipeline source -> square -> sink. On {"numbers":[1,2,3]} it sends
 * each number as {"n":X} to `square`; on {"count":N} it sends 1..N (N capped at 10000). */
#define WACTOR_GUEST_IMPLEMENTATION /* this file defines cabi_realloc (sdk/c/wactor_guest.h) */
#include "wactor_guest.h"

#define NEXT "square"
#define MAX_NUMBERS 256
#define MAX_COUNT 10000

static int forward(int64_t x) {
    char json[48];
    snprintf(json, sizeof json, "{\"n\":%lld}", (long long)x);
    int32_t rc = wactor_send_json(NEXT, json);
    if (rc != 0)
        wactor_logf(WACTOR_LOG_ERROR, "source: send to %s failed: %s (%d)", NEXT, wactor_error_name(rc), (int)rc);
    return rc;
}

static void on_message(const char *sender, size_t sender_len, const uint8_t *payload, size_t len) {
    uint64_t codec;
    const uint8_t *body;
    size_t blen;
    if (wactor_payload_body(payload, len, &codec, &body, &blen) != 0 || codec != WACTOR_CODEC_JSON) {
        wactor_logf(WACTOR_LOG_WARN, "source: ignoring a non-JSON message from %.*s", (int)sender_len, sender);
        return;
    }
    const char *json = (const char *)body;
    int64_t numbers[MAX_NUMBERS], count;
    long n = wactor_json_get_i64_array(json, blen, "numbers", numbers, MAX_NUMBERS);
    if (n >= 0) {
        if (n > MAX_NUMBERS) {
            wactor_logf(WACTOR_LOG_WARN, "source: %ld numbers, only the first %d are sent", n, MAX_NUMBERS);
            n = MAX_NUMBERS;
        }
        wactor_logf(WACTOR_LOG_INFO, "source: sending %ld numbers to %s", n, NEXT);
        for (long i = 0; i < n; i++)
            if (forward(numbers[i]) != 0)
                return;
    } else if (wactor_json_get_i64(json, blen, "count", &count) == 0) {
        if (count < 0 || count > MAX_COUNT) {
            wactor_logf(WACTOR_LOG_WARN, "source: count %lld outside 0..%d", (long long)count, MAX_COUNT);
            return;
        }
        wactor_logf(WACTOR_LOG_INFO, "source: sending 1..%lld to %s", (long long)count, NEXT);
        for (int64_t i = 1; i <= count; i++)
            if (forward(i) != 0)
                return;
    } else {
        wactor_log_str(WACTOR_LOG_WARN, "source: expected {\"numbers\":[...]} or {\"count\":N}");
    }
}
WACTOR_HANDLE_MESSAGE(on_message)
