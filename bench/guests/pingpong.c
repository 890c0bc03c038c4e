/* pingpong.c — two components bouncing a message with plain sends (no request/reply, no timers).
 * `run(n)` makes this instance the pinger: it sends the ball to "ponger", and each time the ball comes back
 * it sends it again, n round trips in all, timed with the host clock (wactor.now) from the first send to
 * the last return, and each round trip's own time is kept (the last RTT_KEPT, `rtt_ns(i)`). Any other instance
 * is a ponger: it sends every message back to its sender. */
#define WACTOR_GUEST_IMPLEMENTATION /* this file defines cabi_realloc (sdk/c/wactor_guest.h) */
#include "wactor_guest.h"

static int32_t remaining, round_trips, failed, finished;
static int64_t started, ended, served;
#define RTT_KEPT 4096
static int64_t rtt[RTT_KEPT];
static const char ball[] = "\x80\x04{\"ball\":1}";

static void serve(const char *to, size_t to_len) {
    served = (int64_t)wactor_now();
    int32_t rc = wactor_send(to, to_len, ball, sizeof ball - 1);
    if (rc != 0) {
        wactor_logf(WACTOR_LOG_WARN, "send to %.*s refused: %d", (int)to_len, to, (int)rc);
        failed++;
        remaining = 0;
        ended = (int64_t)wactor_now();
        finished = 1;
    }
}

static void on_message(const char *sender, size_t sender_len, const uint8_t *p, size_t len) {
    (void)p, (void)len;
    if (remaining == 0) { /* the ponger (or a pinger that is done): return the ball */
        serve(sender, sender_len);
        return;
    }
    rtt[round_trips % RTT_KEPT] = (int64_t)wactor_now() - served;
    round_trips++;
    if (--remaining > 0) {
        serve(sender, sender_len);
    } else {
        ended = (int64_t)wactor_now();
        finished = 1;
    }
}
WACTOR_HANDLE_MESSAGE(on_message)

WACTOR_EXPORT("run") void pp_run(int32_t n) {
    remaining = n;
    round_trips = failed = finished = 0;
    started = (int64_t)wactor_now();
    if (n > 0) serve("ponger", 6);
}

WACTOR_EXPORT("finished") int32_t pp_finished(void) { return finished; }
WACTOR_EXPORT("round_trips") int32_t pp_round_trips(void) { return round_trips; }
WACTOR_EXPORT("failed") int32_t pp_failed(void) { return failed; }
WACTOR_EXPORT("elapsed_ns") int64_t pp_elapsed_ns(void) { return ended - started; }
WACTOR_EXPORT("rtt_ns") int64_t pp_rtt_ns(int32_t i) { return i >= 0 ? rtt[i % RTT_KEPT] : -1; }
