/* crasher — traps on command. A JSON message {"crash": KIND} traps with that kind:
 *   "unreachable"  the `unreachable` instruction           -> trap "unreachable"
 *   "div"          integer division by zero                -> "integer divide by zero"
 *   "overflow"     INT32_MIN / -1                          -> "integer overflow"
 *   "oob"          a load past the end of linear memory    -> "out of bounds memory access"
 *   "exit"         WASI proc_exit(3)                       -> "exit" with code 3
 * Any other message is logged and counted. Exports ping() -> i32 (returns 1) and handled() -> i32 (the
 * messages handled by this instance: a restarted instance starts from 0). */
#define WACTOR_GUEST_IMPLEMENTATION /* this file defines cabi_realloc (sdk/c/wactor_guest.h) */
#include "wactor_guest.h"

static int32_t handled;
/* volatile operands: the compiler must emit the trapping instructions instead of folding them */
static volatile int32_t seven = 7, zero = 0, minus_one = -1, int_min = INT32_MIN;
static volatile uintptr_t far_away = 0xfffffff0u;

static void crash(const char *kind, size_t len) {
    wactor_logf(WACTOR_LOG_WARN, "crasher: crashing with '%.*s'", (int)len, kind);
    if (len == 11 && memcmp(kind, "unreachable", 11) == 0) {
        __builtin_trap();
    } else if (len == 3 && memcmp(kind, "div", 3) == 0) {
        volatile int32_t r = seven / zero; /* not 1 / x: LLVM rewrites that without a division */
        (void)r;
    } else if (len == 8 && memcmp(kind, "overflow", 8) == 0) {
        volatile int32_t r = int_min / minus_one;
        (void)r;
    } else if (len == 3 && memcmp(kind, "oob", 3) == 0) {
        volatile int32_t r = *(volatile int32_t *)far_away;
        (void)r;
    } else if (len == 4 && memcmp(kind, "exit", 4) == 0) {
        exit(3);
    }
    wactor_logf(WACTOR_LOG_ERROR, "crasher: unknown crash kind '%.*s' (unreachable, div, overflow, oob, exit)",
                (int)len, kind);
}

static void on_message(const char *sender, size_t sender_len, const uint8_t *payload, size_t len) {
    uint64_t codec;
    const uint8_t *body;
    size_t blen;
    const char *kind;
    size_t klen;
    handled++;
    if (wactor_payload_body(payload, len, &codec, &body, &blen) != 0) {
        wactor_logf(WACTOR_LOG_WARN, "crasher: message %d from %.*s has no multicodec prefix", (int)handled,
                    (int)sender_len, sender);
        return;
    }
    if (codec == WACTOR_CODEC_JSON && wactor_json_get_str((const char *)body, blen, "crash", &kind, &klen) == 0) {
        crash(kind, klen);
        return;
    }
    if (codec == WACTOR_CODEC_JSON) {
        int shown = blen > 120 ? 120 : (int)blen;
        wactor_logf(WACTOR_LOG_INFO, "crasher: message %d from %.*s: %.*s", (int)handled, (int)sender_len,
                    sender, shown, (const char *)body);
    } else {
        wactor_logf(WACTOR_LOG_INFO, "crasher: message %d from %.*s: %zu bytes of codec 0x%llx", (int)handled,
                    (int)sender_len, sender, blen, (unsigned long long)codec);
    }
}
WACTOR_HANDLE_MESSAGE(on_message)

WACTOR_EXPORT("ping") int32_t crasher_ping(void);
int32_t crasher_ping(void) { return 1; }

WACTOR_EXPORT("handled") int32_t crasher_handled(void);
int32_t crasher_handled(void) { return handled; }
