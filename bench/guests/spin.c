/* spin.c — the benchmark's runaway: any message makes it loop forever (until fuel or shutdown ends it). */
#define WACTOR_GUEST_IMPLEMENTATION /* this file defines cabi_realloc (sdk/c/wactor_guest.h) */
#include "wactor_guest.h"

static volatile uint32_t spins;

static void on_message(const char *sender, size_t sender_len, const uint8_t *payload, size_t payload_len) {
    (void)sender, (void)sender_len, (void)payload, (void)payload_len;
    for (;;) spins++;
}
WACTOR_HANDLE_MESSAGE(on_message)
