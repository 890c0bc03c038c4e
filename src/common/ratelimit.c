/* ratelimit.c — see ratelimit.h. */
#include "common/ratelimit.h"

void ratelimit_init(ratelimit *r, uint32_t limit, uint64_t window_ns, uint64_t now_ns) {
    *r = (ratelimit){.window_ns = window_ns ? window_ns : 1, .start_ns = now_ns, .limit = limit};
}

bool ratelimit_take(ratelimit *r, uint64_t now_ns, uint64_t *report) {
    *report = 0;
    if (now_ns - r->start_ns >= r->window_ns) { /* a new window (monotonic time) */
        r->start_ns = now_ns;
        r->used = 0;
    }
    if (r->used >= r->limit) {
        r->suppressed++;
        return false;
    }
    r->used++;
    *report = r->suppressed;
    r->suppressed = 0;
    return true;
}

uint64_t ratelimit_flush(ratelimit *r) {
    uint64_t n = r->suppressed;
    r->suppressed = 0;
    return n;
}
