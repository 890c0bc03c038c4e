/* looper — a hostile component: any message makes it spin forever in `handle-message`.
 *
 * Without a fuel limit the scheduler pauses and resumes it slice by slice (its neighbours keep their
 * latency, but this actor never finishes the message); with `limits: { fuel: N }` the call traps with
 * "fuel exhausted" and its supervisor restarts it. Exports ping() -> i32 (returns 1), callable while
 * idle: `wactor call looper.wasm ping`.
 *
 * The loop updates a volatile counter: a loop without side effects may be assumed to terminate in C
 * (C11 6.8.5p6), so the compiler could delete it. */
#define WACTOR_GUEST_IMPLEMENTATION /* this file defines cabi_realloc (sdk/c/wactor_guest.h) */
#include "wactor_guest.h"

static volatile uint64_t spins;

static void on_message(const char *sender, size_t sender_len, const uint8_t *payload, size_t len) {
    (void)payload;
    wactor_logf(WACTOR_LOG_WARN, "looper: %zu-byte message from %.*s; spinning forever", len,
                (int)sender_len, sender);
    for (;;)
        spins = spins + 1;
}
WACTOR_HANDLE_MESSAGE(on_message)

WACTOR_EXPORT("ping") int32_t looper_ping(void);
int32_t looper_ping(void) { return 1; }

/* How many loop iterations ran (the counter survives only until the instance traps). */
WACTOR_EXPORT("spins") int64_t looper_spins(void);
int64_t looper_spins(void) { return (int64_t)spins; }
