/*
 * log.c — the component's log: `wactor.log` lines and WASI fd 1/2 output, bounded in line length and in
 * volume (docs/ABI.md, "Limits").
 *
 * - A line longer than WACTOR_DEFAULT_LOG_LINE_BYTES is cut at that many bytes (backing off to a UTF-8
 *   character boundary) and ends with " [truncated]"; from WASI output the rest of such a line, up to its
 *   newline, is skipped.
 * - Volume: a token bucket per component of log_bytes_per_sec bytes per second, holding at most one
 *   second's worth (the burst). A line costs its length as written, but at least LOG_MIN_LINE_COST bytes (a record has a fixed
 *   cost in the sink: a flood of empty lines is bounded too); a line that does not
 *   fit is dropped and counted, and the next one that fits is preceded by one notice
 *   "N log bytes dropped (M lines over log_bytes_per_sec = R)". A notice is also written when the
 *   component ends with drops still unreported. Notices and component_log_always() lines are not charged.
 * - Levels (wactor_log_level; the guest ABI's numbers, docs/ABI.md "The log"): a record below the
 *   component's log_level is dropped first, before it is cut, charged or formatted — it costs one
 *   comparison; a guest's level outside -1..3 is clamped (below -1: trace, above 3: error). WASI fd 1/2
 *   lines are info. Notices about dropped lines are warn.
 * - The host's diagnostics about the component (component_diag: refusals, dead letters, ...) share the sink
 *   but not the byte bucket: at most log_diag_per_sec records per one-second window (common/ratelimit.h);
 *   the rest are counted and reported in one "N diagnostics suppressed" notice by the next diagnostic
 *   allowed in a later window, or when the component ends.
 * Lengths are size_t from the guest's u32 to the sink (wactor_log_fn); nothing passes through int.
 *
 * Thread-safety: every function runs on the thread running the component's turn (one at a time) or in its
 * terminate callback; the state lives in the component and needs no lock.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/clock.h"
#include "component/internal.h"

#define TRUNCATED_MARK " [truncated]"
#define TRUNCATED_MARK_LEN (sizeof TRUNCATED_MARK - 1)

void component_log_init(component *c) {
    c->log_tokens = c->log_bytes_per_sec;
    c->log_refill_ns = clock_mono_ns();
    c->log_dropped_bytes = c->log_dropped_lines = 0;
    ratelimit_init(&c->diag_limit, c->log_diag_per_sec, 1000000000u, c->log_refill_ns);
}

/* Adds the tokens earned since the last refill; the bucket holds at most one second's worth. */
static void refill(component *c) {
    uint64_t now = clock_mono_ns(), rate = c->log_bytes_per_sec;
    uint64_t elapsed = now > c->log_refill_ns ? now - c->log_refill_ns : 0;
    if (elapsed >= 1000000000u) {
        c->log_tokens = rate;
        c->log_refill_ns = now;
        return;
    }
    uint64_t earned = elapsed * rate / 1000000000u; /* < 2^30 * 2^32: no overflow */
    if (!earned) return; /* keep the remainder for the next call */
    c->log_tokens = c->log_tokens + earned > rate ? rate : c->log_tokens + earned;
    c->log_refill_ns = now;
}

/* Hands one line to the sink, cut to the line limit. */
static void emit(component *c, wactor_log_level level, const char *text, size_t len) {
    if (len <= WACTOR_DEFAULT_LOG_LINE_BYTES) {
        c->log(c->log_user, level, c->name, text, len);
        return;
    }
    size_t cut = WACTOR_DEFAULT_LOG_LINE_BYTES;
    for (int back = 0; back < 3 && cut > 0 && ((unsigned char)text[cut] & 0xC0) == 0x80; back++) cut--;
    char buf[WACTOR_DEFAULT_LOG_LINE_BYTES + TRUNCATED_MARK_LEN];
    memcpy(buf, text, cut);
    memcpy(buf + cut, TRUNCATED_MARK, TRUNCATED_MARK_LEN);
    c->log(c->log_user, level, c->name, buf, cut + TRUNCATED_MARK_LEN);
}

/* The notice for lines dropped since the last one, if any. */
static void report_dropped(component *c) {
    if (!c->log_dropped_bytes && !c->log_dropped_lines) return;
    char notice[160];
    int n = snprintf(notice, sizeof notice,
                     "%" PRIu64 " log bytes dropped (%" PRIu64 " lines over log_bytes_per_sec = %" PRIu32 ")",
                     c->log_dropped_bytes, c->log_dropped_lines, c->log_bytes_per_sec);
    c->log_dropped_bytes = c->log_dropped_lines = 0;
    if (n > 0 && component_log_wants(c, WACTOR_LOG_WARN))
        c->log(c->log_user, WACTOR_LOG_WARN, c->name, notice, (size_t)n < sizeof notice ? (size_t)n : sizeof notice - 1);
}

/* The least a line costs against log_bytes_per_sec: at the default, at most 32,768 lines per second. */
#define LOG_MIN_LINE_COST 32u

wactor_log_level component_log_level(int32_t level) {
    return level < WACTOR_LOG_TRACE ? WACTOR_LOG_TRACE : level > WACTOR_LOG_ERROR ? WACTOR_LOG_ERROR : (wactor_log_level)level;
}

void component_log_line(component *c, wactor_log_level level, const char *text, size_t len) {
    if (!component_log_wants(c, level)) return;
    size_t cost = len > WACTOR_DEFAULT_LOG_LINE_BYTES ? WACTOR_DEFAULT_LOG_LINE_BYTES + TRUNCATED_MARK_LEN : len;
    if (cost < LOG_MIN_LINE_COST) cost = LOG_MIN_LINE_COST;
    refill(c);
    if (cost > c->log_tokens) {
        c->log_dropped_bytes += len;
        c->log_dropped_lines++;
        return;
    }
    c->log_tokens -= cost;
    report_dropped(c);
    emit(c, level, text, len);
}

void component_log_always(component *c, wactor_log_level level, const char *text, size_t len) {
    if (!component_log_wants(c, level)) return;
    report_dropped(c);
    emit(c, level, text, len);
}

/* "N diagnostics suppressed (over log_diag_per_sec = R)" at warn, for n > 0. */
static void report_suppressed(component *c, uint64_t n) {
    if (!n || !component_log_wants(c, WACTOR_LOG_WARN)) return;
    char notice[128];
    int len = snprintf(notice, sizeof notice, "%" PRIu64 " diagnostics suppressed (over log_diag_per_sec = %" PRIu32 ")",
                       n, c->log_diag_per_sec);
    if (len > 0) emit(c, WACTOR_LOG_WARN, notice, (size_t)len < sizeof notice ? (size_t)len : sizeof notice - 1);
}

void component_diag(component *c, wactor_log_level level, const char *fmt, ...) {
    if (!component_log_wants(c, level)) return; /* not even formatted */
    uint64_t suppressed;
    if (!ratelimit_take(&c->diag_limit, clock_mono_ns(), &suppressed)) return; /* counted */
    report_suppressed(c, suppressed);
    char line[WACTOR_DIAG_MAX + 512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n > 0) emit(c, level, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
}

void component_log_flush(component *c) {
    if (c->line_len) component_log_line(c, WACTOR_LOG_INFO, c->line, c->line_len);
    c->line_len = 0;
    c->line_cut = false;
    report_dropped(c);
    report_suppressed(c, ratelimit_flush(&c->diag_limit));
}

void component_wasi_write(void *user, int fd, const uint8_t *bytes, size_t len) {
    (void)fd;
    component *c = user;
    size_t i = 0;
    while (i < len) {
        const uint8_t *nl = memchr(bytes + i, '\n', len - i);
        size_t end = nl ? (size_t)(nl - bytes) : len; /* this piece: [i, end) */
        if (!c->line_cut) {
            size_t room = sizeof c->line - c->line_len, take = end - i < room ? end - i : room;
            memcpy(c->line + c->line_len, bytes + i, take);
            c->line_len += take;
            if (take < end - i) { /* over-long: write what fits, marked, and skip the rest of the line */
                char buf[sizeof c->line + 1];
                memcpy(buf, c->line, c->line_len);
                buf[c->line_len] = (char)bytes[i + take]; /* one byte over: emit() cuts (UTF-8 aware) */
                component_log_line(c, WACTOR_LOG_INFO, buf, c->line_len + 1);
                c->line_len = 0;
                c->line_cut = true;
            }
        }
        if (!nl) break;
        if (!c->line_cut) component_log_line(c, WACTOR_LOG_INFO, c->line, c->line_len);
        c->line_len = 0;
        c->line_cut = false;
        i = end + 1;
    }
}
