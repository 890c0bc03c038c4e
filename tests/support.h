/* support.h — small helpers shared by the test programs (C11, POSIX). */
#ifndef WACTOR_TEST_SUPPORT_H
#define WACTOR_TEST_SUPPORT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "wactor.h" /* wactor_log_level, for log_capture */

/* CLOCK_MONOTONIC in milliseconds. */
static inline uint64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Sleeps about `ms` milliseconds. */
static inline void sleep_ms(int ms) {
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* ------------------------------------------------------------------ log capture
 * A wactor_log_fn (log_capture) that appends "[name] line\n" to one buffer of LOG_CAPTURE_MAX bytes
 * (later lines that do not fit are dropped), and searches in it. The text is kept raw, as the guest wrote
 * it (the tests look for exact lines). Thread-safe. */
#define LOG_CAPTURE_MAX (1 << 17)

typedef struct log_capture_state {
    pthread_mutex_t lock;
    char text[LOG_CAPTURE_MAX];
    size_t len;
} log_capture_state;

static inline log_capture_state *log_capture_get(void) {
    static log_capture_state st = {.lock = PTHREAD_MUTEX_INITIALIZER};
    return &st;
}

static inline void log_capture(void *user, wactor_log_level level, const char *name, const char *line, size_t len) {
    (void)user, (void)level;
    log_capture_state *st = log_capture_get();
    size_t nlen = strlen(name);
    pthread_mutex_lock(&st->lock);
    if (nlen + len + 4 < sizeof st->text - st->len) { /* "[" name "] " line "\n", and the NUL */
        char *p = st->text + st->len;
        *p++ = '[';
        memcpy(p, name, nlen), p += nlen;
        *p++ = ']', *p++ = ' ';
        memcpy(p, line, len), p += len;
        *p++ = '\n';
        *p = '\0';
        st->len = (size_t)(p - st->text);
    }
    pthread_mutex_unlock(&st->lock);
}

/* Forgets everything captured so far. */
static inline void log_reset(void) {
    log_capture_state *st = log_capture_get();
    pthread_mutex_lock(&st->lock);
    st->len = 0;
    st->text[0] = '\0';
    pthread_mutex_unlock(&st->lock);
}

/* Offset of the first occurrence of `needle` in the log, or -1. */
static inline long log_find(const char *needle) {
    log_capture_state *st = log_capture_get();
    pthread_mutex_lock(&st->lock);
    const char *p = strstr(st->text, needle);
    long at = p ? (long)(p - st->text) : -1;
    pthread_mutex_unlock(&st->lock);
    return at;
}

static inline bool log_has(const char *needle) { return log_find(needle) >= 0; }

/* Occurrences of `needle` (overlapping ones too). */
static inline int log_count(const char *needle) {
    log_capture_state *st = log_capture_get();
    int n = 0;
    pthread_mutex_lock(&st->lock);
    for (const char *p = st->text; (p = strstr(p, needle)); p++) n++;
    pthread_mutex_unlock(&st->lock);
    return n;
}

/* Polls for `needle` every 5 ms for at most `ms` ms. */
static inline bool wait_log(const char *needle, int ms) {
    uint64_t end = now_ms() + (uint64_t)ms;
    while (!log_has(needle) && now_ms() < end) sleep_ms(5);
    return log_has(needle);
}

#endif
