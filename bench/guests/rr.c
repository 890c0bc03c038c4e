/* rr.c — request/reply round trips between two components: as "responder" it answers every request with
 * its payload; `run(n)` makes it a requester that sends n requests one after another to "responder"
 * (each after the previous answer), and `done()` tells when the last answer arrived. */
#define WACTOR_GUEST_IMPLEMENTATION /* this file defines cabi_realloc (sdk/c/wactor_guest.h) */
#include "wactor_guest.h"

static int32_t remaining, answered, failed;
static const char payload[] = "\x80\x04{\"q\":1}";

static void on_message(const char *sender, size_t sender_len, const uint8_t *p, size_t len) {
    (void)sender, (void)sender_len;
    wactor_reply(p, len);
}
WACTOR_HANDLE_MESSAGE(on_message)

static void next(void) {
    while (remaining-- > 0) {
        int64_t rc = wactor_request("responder", 9, payload, sizeof payload - 1, 10000);
        if (rc > 0) return; /* its answer (or timeout) drives the next one */
        wactor_logf(WACTOR_LOG_WARN, "request refused: %lld", (long long)rc);
        failed++;
    }
}

static void on_reply(int64_t corr, int32_t status, const uint8_t *p, size_t len) {
    (void)corr, (void)p, (void)len;
    if (status == 0) answered++;
    else {
        wactor_logf(WACTOR_LOG_WARN, "request %lld failed: %d", (long long)corr, (int)status);
        failed++;
    }
    next();
}
WACTOR_HANDLE_REPLY(on_reply)

WACTOR_EXPORT("run") void rr_run(int32_t n) {
    remaining = n;
    answered = failed = 0;
    next();
}

WACTOR_EXPORT("answered") int32_t rr_answered(void) { return answered; }
WACTOR_EXPORT("failed") int32_t rr_failed(void) { return failed; }
