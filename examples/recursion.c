/* recursion — a hostile component: any message makes it recurse without bound until the host's call
 * depth limit traps it with "call stack exhausted".
 *
 * {"depth":N} recurses only N levels and logs the result (a well-behaved message, to show that the
 * limit is on depth, not on recursion as such); any other message recurses forever.
 * Exports ping() -> i32 (returns 1) and dive(i32) -> i64: recurse N levels, return the sum 1 + ... + N.
 *
 * Each level keeps nothing in linear memory (no address-taken locals), so the wasm call stack — not the
 * C shadow stack in linear memory — is what runs out. The volatile update after the recursive call keeps
 * it from being a tail call or a loop. */
#define WACTOR_GUEST_IMPLEMENTATION /* this file defines cabi_realloc (sdk/c/wactor_guest.h) */
#include "wactor_guest.h"

static volatile uint64_t deepest, sink;
static volatile uint64_t limit = UINT64_MAX; /* a runtime bound the compiler cannot see through */

__attribute__((noinline)) static uint64_t dive(uint64_t n) {
    deepest = n;
    if (n >= limit)
        return n;
    uint64_t r = dive(n + 1);
    sink = sink + r; /* work after the call: no tail call, no loop */
    return r + n;
}

static void on_message(const char *sender, size_t sender_len, const uint8_t *payload, size_t len) {
    uint64_t codec;
    const uint8_t *body;
    size_t blen;
    int64_t depth;
    if (wactor_payload_body(payload, len, &codec, &body, &blen) == 0 && codec == WACTOR_CODEC_JSON &&
        wactor_json_get_i64((const char *)body, blen, "depth", &depth) == 0 && depth > 0) {
        limit = (uint64_t)depth;
        uint64_t sum = dive(1);
        limit = UINT64_MAX;
        wactor_logf(WACTOR_LOG_INFO, "recursion: %lld levels for %.*s, sum %llu", (long long)depth,
                    (int)sender_len, sender, (unsigned long long)sum);
        return;
    }
    wactor_logf(WACTOR_LOG_WARN, "recursion: message from %.*s; recursing without bound", (int)sender_len,
                sender);
    limit = UINT64_MAX;
    dive(1);
    wactor_logf(WACTOR_LOG_ERROR, "recursion: unreachable: came back from %llu levels",
                (unsigned long long)deepest);
}
WACTOR_HANDLE_MESSAGE(on_message)

WACTOR_EXPORT("ping") int32_t recursion_ping(void);
int32_t recursion_ping(void) { return 1; }

WACTOR_EXPORT("dive") int64_t recursion_dive(int32_t n);
int64_t recursion_dive(int32_t n) {
    limit = n > 0 ? (uint64_t)n : 1;
    uint64_t sum = dive(1);
    limit = UINT64_MAX;
    return (int64_t)sum;
}
