/*
 * clock.h — the runtime's clocks, in one place. Header-only, thread-safe (clock_gettime is).
 */
#ifndef WACTOR_COMMON_CLOCK_H
#define WACTOR_COMMON_CLOCK_H

#include <stdint.h>
#include <time.h>

/* `clock` (CLOCK_MONOTONIC, CLOCK_REALTIME, ...) in nanoseconds. */
static inline uint64_t clock_ns(clockid_t clock) {
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* CLOCK_MONOTONIC in nanoseconds / milliseconds: for deadlines and durations. */
static inline uint64_t clock_mono_ns(void) { return clock_ns(CLOCK_MONOTONIC); }
static inline uint64_t clock_mono_ms(void) { return clock_ns(CLOCK_MONOTONIC) / 1000000u; }

#endif
