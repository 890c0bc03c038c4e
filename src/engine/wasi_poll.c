/*
 * wasi_poll.c — WASI preview1 poll_oneoff(in, out, nsubscriptions, nevents_ptr).
 *
 * subscription (48 bytes): u64 userdata @0, u8 tag @8 (0 clock, 1 fd_read, 2 fd_write); clock: u32 id @16,
 * u64 timeout @24 (ns), u64 precision @32, u16 flags @40 (1 = absolute); fd_read/fd_write: u32 fd @16.
 * event (32 bytes): u64 userdata @0, u16 error @8, u8 type @10, u64 nbytes @16, u16 flags @24.
 *
 * Files, directories and the standard streams are always ready (as poll(2) says of regular files), so
 * only a poll of clocks alone can wait. The wait blocks the calling thread at most max_poll_block_us
 * (default 10 ms; ENG_WASI_POLL_NEVER_BLOCKS: not at all): a guest cannot hold its thread longer, however
 * many polls it makes per slice (a host call counts as one instruction); when the bound ends first, the
 * earliest clock is reported as fired (an early wake-up — a sleep is cut short — rather than no event,
 * which Rust's std treats as a bug). Bounds: 1..max_poll_subscriptions subscriptions (EINVAL otherwise).
 * Unknown clock ids and bad fds are reported in their event's error field, as the witx says.
 */
#define _GNU_SOURCE
#include "engine/wasi_internal.h"

#include <errno.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_ns(clockid_t id) {
    struct timespec ts;
    clock_gettime(id, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void put_event(uint8_t *ev, const uint8_t *sub, uint16_t error, uint8_t type, uint64_t nbytes) {
    memset(ev, 0, 32);
    memcpy(ev, sub, 8); /* userdata */
    wasi_put_u16(ev + 8, error);
    ev[10] = type;
    wasi_put_u64(ev + 16, nbytes);
}

/* The readiness of an fd subscription: its event error, and bytes available for a read of a file. */
static uint16_t fd_ready(eng_call_ctx *ctx, uint32_t fd, bool write, uint64_t *nbytes) {
    int32_t err;
    *nbytes = 0;
    wasi_fd *e = eng_wasi_fd_get(ctx, fd, WASI_RIGHT_POLL_FD_READWRITE, &err);
    if (!e) return (uint16_t)err;
    if (e->kind == WASI_FD_STDIN && write) return WASI_EBADF;
    if ((e->kind == WASI_FD_STDOUT || e->kind == WASI_FD_STDERR) && !write) return WASI_EBADF;
    if (e->kind == WASI_FD_FILE && !write) {
        struct stat st;
        off_t pos = lseek(e->host, 0, SEEK_CUR);
        if (fstat(e->host, &st) == 0 && pos >= 0 && st.st_size > pos) *nbytes = (uint64_t)(st.st_size - pos);
    }
    return WASI_ESUCCESS;
}

WASI_HOST_FN(poll_oneoff) {
    (void)d;
    uint32_t n = WASI_ARG_U32(2);
    eng_wasi_limits lim = eng_wasi_limits_of(eng_ctx_wasi(ctx));
    if (n == 0 || n > lim.max_poll_subscriptions) WASI_RET(WASI_EINVAL);
    const uint8_t *in = eng_ctx_mem(ctx, WASI_ARG_U32(0), n * 48u); /* n <= 2^32/48 is not assumed: */
    uint8_t *out = eng_ctx_mem(ctx, WASI_ARG_U32(1), n * 32u);       /* max_poll_subscriptions is u32 */
    uint8_t *nev = eng_ctx_mem(ctx, WASI_ARG_U32(3), 4);
    if ((uint64_t)n * 48u > UINT32_MAX || !in || !out || !nev) WASI_RET(WASI_EFAULT);
    for (uint32_t i = 0; i < n; i++)
        if (in[48 * i + 8] > WASI_EVENT_FD_WRITE) WASI_RET(WASI_EINVAL);

    /* First pass: every fd (always ready) and bad clock is an event now; for the good clocks, the time
     * left is kept in their own (still unused) event slot, and the earliest is found. */
    uint32_t nout = 0;
    uint64_t wait = UINT64_MAX; /* ns until the earliest clock */
    for (uint32_t i = 0; i < n; i++) {
        const uint8_t *s = in + 48 * i;
        uint8_t tag = s[8];
        if (tag == WASI_EVENT_CLOCK) {
            uint32_t id = wasi_get_u32(s + 16);
            uint64_t left = wasi_get_u64(s + 24);
            if (id != WASI_CLOCK_REALTIME && id != WASI_CLOCK_MONOTONIC) {
                put_event(out + 32 * nout++, s, WASI_EINVAL, tag, 0);
                continue;
            }
            if (wasi_get_u16(s + 40) & WASI_SUBCLOCK_ABSTIME) {
                uint64_t now = now_ns(id == WASI_CLOCK_REALTIME ? CLOCK_REALTIME : CLOCK_MONOTONIC);
                left = left > now ? left - now : 0;
            }
            wasi_put_u64(out + 32 * i + 16, left); /* slot i >= nout: not overwritten while nout stays 0 */
            if (left < wait) wait = left;
        } else {
            uint64_t nbytes;
            uint16_t err = fd_ready(ctx, wasi_get_u32(s + 16), tag == WASI_EVENT_FD_WRITE, &nbytes);
            put_event(out + 32 * nout++, s, err, tag, nbytes);
        }
    }
    if (nout == 0) {
        /* Only clocks: sleep until the earliest, within the bound; then it (and any as early) fires. */
        uint64_t bound_ns = lim.max_poll_block_us >= UINT64_MAX / 1000u ? UINT64_MAX : lim.max_poll_block_us * 1000u;
        uint64_t sleep = wait < bound_ns ? wait : bound_ns;
        if (lim.max_poll_block_us == ENG_WASI_POLL_NEVER_BLOCKS) sleep = 0;
        struct timespec ts = {.tv_sec = (time_t)(sleep / 1000000000u), .tv_nsec = (long)(sleep % 1000000000u)};
        while (sleep && nanosleep(&ts, &ts) != 0 && errno == EINTR) {
        }
        for (uint32_t i = 0; i < n; i++) {
            uint64_t left = wasi_get_u64(out + 32 * i + 16); /* read before slot nout <= i is written */
            if (left == wait) put_event(out + 32 * nout++, in + 48 * i, WASI_ESUCCESS, WASI_EVENT_CLOCK, 0);
        }
    }
    wasi_put_u32(nev, nout);
    WASI_RET(WASI_ESUCCESS);
}
