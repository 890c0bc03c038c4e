/*
 * ratelimit.h — a fixed-window rate limit for diagnostics: at most `limit` events per window of
 * `window_ns`; the events over it are counted, and the first event of a later window learns how many
 * were suppressed so it can say so ("N suppressed"). Used by the runtime's log diagnostics
 * (docs/ARCHITECTURE.md, "Logs").
 *
 * Not thread-safe: the caller serialises access (a component's own turn, or a lock).
 */
#ifndef WACTOR_COMMON_RATELIMIT_H
#define WACTOR_COMMON_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

typedef struct ratelimit {
    uint64_t window_ns;   /* length of a window, > 0 */
    uint64_t start_ns;    /* when the current window began */
    uint32_t limit;       /* events allowed per window; 0 = none (everything is suppressed) */
    uint32_t used;        /* events allowed in the current window */
    uint64_t suppressed;  /* events refused since the last report */
} ratelimit;

/* A limit of `limit` events per `window_ns` (> 0), its first window starting at now_ns. */
void ratelimit_init(ratelimit *r, uint32_t limit, uint64_t window_ns, uint64_t now_ns);

/* One event at now_ns (monotonic ns). Returns true if it may be written, false if it is suppressed (and
 * counted). When it returns true and the window has moved on since events were suppressed, *report is set
 * to their number (and the count reset) — the caller writes "N suppressed" before the event; else 0. */
bool ratelimit_take(ratelimit *r, uint64_t now_ns, uint64_t *report);

/* The events suppressed and not yet reported, reset to 0 (for a final report when the source ends). */
uint64_t ratelimit_flush(ratelimit *r);

#endif
