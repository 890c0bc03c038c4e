/* sink.c — the benchmark's receiving component: counts messages and does nothing else, so the figures
 * measure the runtime (delivery, placement through cabi_realloc, the handle-message call), not a handler. */
#define WACTOR_GUEST_IMPLEMENTATION /* this file defines cabi_realloc (sdk/c/wactor_guest.h) */
#include "wactor_guest.h"

static int64_t received;

static void on_message(const char *sender, size_t sender_len, const uint8_t *payload, size_t payload_len) {
    (void)sender, (void)sender_len, (void)payload, (void)payload_len;
    received++;
}
WACTOR_HANDLE_MESSAGE(on_message)

WACTOR_EXPORT("received") int64_t sink_received(void) { return received; }

/* For restart latency: trap on demand. */
WACTOR_EXPORT("crash") void sink_crash(void) { __builtin_trap(); }

/* For fan-out: subscribe to the benchmark's topic. */
WACTOR_EXPORT("sub") int32_t sink_sub(void) { return wactor_subscribe("bench.fanout", 12); }
