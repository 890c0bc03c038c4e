/* steady — a well-behaved component that keeps answering, to show that its neighbours' crashes, loops
 * and restarts do not disturb it.
 *
 *   {"ping":N}                       -> replies {"pong":N} to the sender (logs every 1000th)
 *   {"rally":N, "peer":"name"}       -> plays N ping/pong rounds with `peer` (another steady), logging
 *                                       every 1000th round with the time those 1000 rounds took, and
 *                                       "rally done" at the end
 *   {"pong":N}                       -> the next round of a rally
 * Exports ping() -> i32 (returns 1) and rounds() -> i64 (rounds played in the current/last rally). */
#define WACTOR_GUEST_IMPLEMENTATION /* this file defines cabi_realloc (sdk/c/wactor_guest.h) */
#include "wactor_guest.h"

#define REPORT_EVERY 1000

static char peer[64];
static int64_t target, rounds, answered;
static uint64_t lap_start_ns;

static void send_ping(int64_t n) {
    char json[48];
    snprintf(json, sizeof json, "{\"ping\":%lld}", (long long)n);
    int32_t rc = wactor_send_json(peer, json);
    if (rc != 0) {
        wactor_logf(WACTOR_LOG_ERROR, "steady: rally stopped at round %lld: cannot send to %s: %s",
                    (long long)n, peer, wactor_error_name(rc));
        target = 0;
    }
}

static void on_message(const char *sender, size_t sender_len, const uint8_t *payload, size_t len) {
    uint64_t codec;
    const uint8_t *pbody;
    size_t blen;
    if (wactor_payload_body(payload, len, &codec, &pbody, &blen) != 0 || codec != WACTOR_CODEC_JSON) {
        wactor_logf(WACTOR_LOG_WARN, "steady: ignoring a non-JSON message from %.*s", (int)sender_len, sender);
        return;
    }
    const char *body = (const char *)pbody;
    const char *name;
    size_t nlen;
    int64_t n;
    if (wactor_json_get_i64(body, blen, "ping", &n) == 0) {
        if (++answered % REPORT_EVERY == 0)
            wactor_logf(WACTOR_LOG_INFO, "steady: answered %lld pings (latest %lld from %.*s)",
                        (long long)answered, (long long)n, (int)sender_len, sender);
        char json[48];
        snprintf(json, sizeof json, "{\"pong\":%lld}", (long long)n);
        wactor_send_to_sender_json(sender, sender_len, json);
    } else if (wactor_json_get_i64(body, blen, "rally", &n) == 0) {
        if (wactor_json_get_str(body, blen, "peer", &name, &nlen) != 0 || nlen == 0 || nlen >= sizeof peer) {
            wactor_log_str(WACTOR_LOG_WARN, "steady: a rally needs \"peer\":\"<name>\"");
            return;
        }
        memcpy(peer, name, nlen);
        peer[nlen] = '\0';
        target = n, rounds = 0;
        lap_start_ns = wactor_now();
        wactor_logf(WACTOR_LOG_INFO, "steady: rally of %lld rounds with %s", (long long)n, peer);
        if (n > 0)
            send_ping(1);
    } else if (wactor_json_get_i64(body, blen, "pong", &n) == 0) {
        if (target == 0)
            return;
        rounds = n;
        if (n % REPORT_EVERY == 0) {
            uint64_t now = wactor_now();
            wactor_logf(WACTOR_LOG_INFO, "steady: round %lld of %lld with %s (last %d rounds: %.1f ms)",
                        (long long)n, (long long)target, peer, REPORT_EVERY, (double)(now - lap_start_ns) / 1e6);
            lap_start_ns = now;
        }
        if (n >= target) {
            wactor_logf(WACTOR_LOG_INFO, "steady: rally done: %lld rounds with %s", (long long)n, peer);
            target = 0;
        } else {
            send_ping(n + 1);
        }
    } else {
        int shown = blen > 120 ? 120 : (int)blen;
        wactor_logf(WACTOR_LOG_WARN, "steady: unexpected %.*s from %.*s", shown, body, (int)sender_len, sender);
    }
}
WACTOR_HANDLE_MESSAGE(on_message)

WACTOR_EXPORT("ping") int32_t steady_ping(void);
int32_t steady_ping(void) { return 1; }

WACTOR_EXPORT("rounds") int64_t steady_rounds(void);
int64_t steady_rounds(void) { return rounds; }
