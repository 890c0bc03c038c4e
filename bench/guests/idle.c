/* idle.c — the smallest useful component, for memory per idle component and the count of live components:
 * a 1-page linear memory (idle.cflags: 64 KiB initial memory, an 8 KiB stack) and a handle-message that
 * counts. The heap grows with memory.grow if a message ever needs more room. */
#define WACTOR_GUEST_IMPLEMENTATION /* this file defines cabi_realloc (sdk/c/wactor_guest.h) */
#include "wactor_guest.h"

static int32_t received;

static void on_message(const char *sender, size_t sender_len, const uint8_t *payload, size_t payload_len) {
    (void)sender, (void)sender_len, (void)payload, (void)payload_len;
    received++;
}
WACTOR_HANDLE_MESSAGE(on_message)

WACTOR_EXPORT("received") int32_t idle_received(void) { return received; }
