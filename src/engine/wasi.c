/*
 * wasi.c — the WASI preview1 host functions (module "wasi_snapshot_preview1") that stock wasi-libc programs
 * need, with no filesystem: stdout/stderr go to eng_wasi.write, stdin is empty, there are no preopened
 * directories. Every guest pointer is bounds-checked with eng_ctx_mem(); a bad one returns WASI EFAULT.
 *
 * Reference: WebAssembly/WASI, legacy/preview1/witx/typenames.witx and wasi_snapshot_preview1.witx.
 * All multi-byte guest values are little-endian and may be unaligned, so they are read/written bytewise.
 */
#include "engine/engine.h"

#include <errno.h>
#include <sched.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

/* WASI errno values (preview1 `errno` enum). */
enum {
    WASI_ESUCCESS = 0,
    WASI_EBADF = 8,
    WASI_EFAULT = 21,
    WASI_EINVAL = 28,
    WASI_EIO = 29,
    WASI_ENOTSUP = 58,
    WASI_ESPIPE = 70,
    WASI_ENOTCAPABLE = 76,
};

/* clockid */
enum { WASI_CLOCK_REALTIME = 0, WASI_CLOCK_MONOTONIC = 1 };
/* filetype */
enum { WASI_FILETYPE_CHARACTER_DEVICE = 2 };
/* fdflags */
enum { WASI_FDFLAGS_APPEND = 1 };
/* rights for the standard streams: fd_read (1<<1), fd_write (1<<6), poll_fd_readwrite (1<<27), ... */
#define WASI_RIGHT_FD_READ (UINT64_C(1) << 1)
#define WASI_RIGHT_FD_WRITE (UINT64_C(1) << 6)
#define WASI_RIGHT_FD_FDSTAT_SET_FLAGS (UINT64_C(1) << 3)
#define WASI_RIGHT_POLL_FD_READWRITE (UINT64_C(1) << 27)

static void put_u16(uint8_t *p, uint16_t v) {
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}
static void put_u32(uint8_t *p, uint32_t v) {
    for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}
static void put_u64(uint8_t *p, uint64_t v) {
    for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i));
}
static uint32_t get_u32(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Writes a u32/u64 result to guest memory; false if the pointer is bad. */
static bool store_u32(eng_call_ctx *ctx, uint32_t ptr, uint32_t v) {
    uint8_t *p = eng_ctx_mem(ctx, ptr, 4);
    if (!p) return false;
    put_u32(p, v);
    return true;
}
static bool store_u64(eng_call_ctx *ctx, uint32_t ptr, uint64_t v) {
    uint8_t *p = eng_ctx_mem(ctx, ptr, 8);
    if (!p) return false;
    put_u64(p, v);
    return true;
}

#define ARG_U32(i) ((uint32_t)args[i].of.i32)
#define RET(errno_value)                              \
    do {                                              \
        results[0].type = WACTOR_I32;                 \
        results[0].of.i32 = (int32_t)(errno_value);   \
        return 0;                                     \
    } while (0)

static bool is_std_fd(uint32_t fd) { return fd <= 2; }

/* ------------------------------------------------------------------ args / environ */

/* Writes `n` strings as WASI wants them: pointers at `vec`, NUL-terminated bytes at `buf`. */
static int32_t put_strings(eng_call_ctx *ctx, const char *const *strs, int n, uint32_t vec, uint32_t buf) {
    if (n <= 0 || !strs) return WASI_ESUCCESS;
    if ((uint64_t)n * 4u > UINT32_MAX) return WASI_EFAULT;
    uint8_t *ptrs = eng_ctx_mem(ctx, vec, (uint32_t)n * 4u); /* memory cannot move during a host call */
    if (!ptrs) return WASI_EFAULT;
    uint64_t off = buf;
    for (int i = 0; i < n; i++) {
        const char *s = strs[i] ? strs[i] : "";
        size_t len = strlen(s) + 1;
        if (off + len > UINT32_MAX) return WASI_EFAULT;
        uint8_t *dst = eng_ctx_mem(ctx, (uint32_t)off, (uint32_t)len);
        if (!dst) return WASI_EFAULT;
        memcpy(dst, s, len);
        put_u32(ptrs + 4 * i, (uint32_t)off);
        off += len;
    }
    return WASI_ESUCCESS;
}

static int32_t put_sizes(eng_call_ctx *ctx, const char *const *strs, int n, uint32_t count_ptr, uint32_t size_ptr) {
    uint64_t size = 0;
    if (n < 0 || !strs) n = 0;
    for (int i = 0; i < n; i++) size += strlen(strs[i] ? strs[i] : "") + 1;
    if (size > UINT32_MAX) return WASI_EINVAL;
    if (!store_u32(ctx, count_ptr, (uint32_t)n) || !store_u32(ctx, size_ptr, (uint32_t)size)) return WASI_EFAULT;
    return WASI_ESUCCESS;
}

static int w_args_get(eng_call_ctx *ctx, const wactor_value *args, wactor_value *results, void *d) {
    (void)d;
    const eng_wasi *w = eng_ctx_wasi(ctx);
    RET(put_strings(ctx, w ? w->argv : NULL, w ? w->argc : 0, ARG_U32(0), ARG_U32(1)));
}

static int w_args_sizes_get(eng_call_ctx *ctx, const wactor_value *args, wactor_value *results, void *d) {
    (void)d;
    const eng_wasi *w = eng_ctx_wasi(ctx);
    RET(put_sizes(ctx, w ? w->argv : NULL, w ? w->argc : 0, ARG_U32(0), ARG_U32(1)));
}

static int w_environ_get(eng_call_ctx *ctx, const wactor_value *args, wactor_value *results, void *d) {
    (void)d;
    const eng_wasi *w = eng_ctx_wasi(ctx);
    RET(put_strings(ctx, w ? w->environ : NULL, w ? w->nenviron : 0, ARG_U32(0), ARG_U32(1)));
}

static int w_environ_sizes_get(eng_call_ctx *ctx, const wactor_value *args, wactor_value *results, void *d) {
    (void)d;
    const eng_wasi *w = eng_ctx_wasi(ctx);
    RET(put_sizes(ctx, w ? w->environ : NULL, w ? w->nenviron : 0, ARG_U32(0), ARG_U32(1)));
}

/* ------------------------------------------------------------------ clocks, random, scheduling */

static bool wasi_clock(uint32_t id, clockid_t *out) {
    switch (id) {
    case WASI_CLOCK_REALTIME: *out = CLOCK_REALTIME; return true;
    case WASI_CLOCK_MONOTONIC: *out = CLOCK_MONOTONIC; return true;
    default: return false; /* process/thread CPU time clocks are meaningless for a migrating actor */
    }
}

static int w_clock_res_get(eng_call_ctx *ctx, const wactor_value *args, wactor_value *results, void *d) {
    (void)d;
    clockid_t id;
    struct timespec ts;
    if (!wasi_clock(ARG_U32(0), &id)) RET(WASI_EINVAL);
    if (clock_getres(id, &ts) != 0) RET(WASI_EINVAL);
    if (!store_u64(ctx, ARG_U32(1), (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec)) RET(WASI_EFAULT);
    RET(WASI_ESUCCESS);
}

/* clock_time_get(id: i32, precision: i64, time_ptr: i32) -> errno; the time is in nanoseconds. */
static int w_clock_time_get(eng_call_ctx *ctx, const wactor_value *args, wactor_value *results, void *d) {
    (void)d;
    clockid_t id;
    struct timespec ts;
    if (!wasi_clock(ARG_U32(0), &id)) RET(WASI_EINVAL);
    if (clock_gettime(id, &ts) != 0) RET(WASI_EINVAL);
    if (!store_u64(ctx, ARG_U32(2), (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec)) RET(WASI_EFAULT);
    RET(WASI_ESUCCESS);
}

static int w_random_get(eng_call_ctx *ctx, const wactor_value *args, wactor_value *results, void *d) {
    (void)d;
    uint32_t len = ARG_U32(1);
    uint8_t *buf = eng_ctx_mem(ctx, ARG_U32(0), len);
    if (!buf) RET(WASI_EFAULT);
    size_t done = 0;
    while (done < len) {
        ssize_t n = getrandom(buf + done, len - done, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            RET(WASI_EIO);
        }
        done += (size_t)n;
    }
    RET(WASI_ESUCCESS);
}

static int w_sched_yield(eng_call_ctx *ctx, const wactor_value *args, wactor_value *results, void *d) {
    (void)ctx;
    (void)args;
    (void)d;
    /* An actor's slice is bounded by the scheduler already; a yield is a no-op. */
    RET(WASI_ESUCCESS);
}

static int w_poll_oneoff(eng_call_ctx *ctx, const wactor_value *args, wactor_value *results, void *d) {
    (void)ctx;
    (void)args;
    (void)d;
    RET(WASI_ENOTSUP); /* blocking would stall a scheduler thread */
}

static int w_proc_exit(eng_call_ctx *ctx, const wactor_value *args, wactor_value *results, void *d) {
    (void)results;
    (void)d;
    eng_host_trap(ctx, WACTOR_TRAP_EXIT, args[0].of.i32, "proc_exit(%d)", args[0].of.i32);
    return -1;
}

/* ------------------------------------------------------------------ file descriptors */

/* fd_write(fd, iovs, iovs_len, nwritten_ptr) -> errno. iovs: iovs_len x { u32 buf, u32 len }. */
static int w_fd_write(eng_call_ctx *ctx, const wactor_value *args, wactor_value *results, void *d) {
    (void)d;
    uint32_t fd = ARG_U32(0), iovs = ARG_U32(1), n = ARG_U32(2), nwritten_ptr = ARG_U32(3);
    if (fd != 1 && fd != 2) RET(WASI_EBADF);
    if ((uint64_t)n * 8u > UINT32_MAX) RET(WASI_EFAULT);
    const uint8_t *vec = eng_ctx_mem(ctx, iovs, n * 8u);
    if (!vec) RET(WASI_EFAULT);
    /* Check every buffer before writing anything, so a bad iovec writes nothing. */
    uint64_t total = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t buf = get_u32(vec + 8 * i), len = get_u32(vec + 8 * i + 4);
        if (!eng_ctx_mem(ctx, buf, len)) RET(WASI_EFAULT);
        total += len;
    }
    if (total > UINT32_MAX) RET(WASI_EINVAL);
    uint8_t *nw = eng_ctx_mem(ctx, nwritten_ptr, 4);
    if (!nw) RET(WASI_EFAULT);
    const eng_wasi *w = eng_ctx_wasi(ctx);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t buf = get_u32(vec + 8 * i), len = get_u32(vec + 8 * i + 4);
        if (len && w && w->write) w->write(w->write_user, (int)fd, eng_ctx_mem(ctx, buf, len), len);
    }
    put_u32(nw, (uint32_t)total);
    RET(WASI_ESUCCESS);
}

/* fd_read(fd, iovs, iovs_len, nread_ptr) -> errno: stdin is always at end of file. */
static int w_fd_read(eng_call_ctx *ctx, const wactor_value *args, wactor_value *results, void *d) {
    (void)d;
    if (ARG_U32(0) != 0) RET(WASI_EBADF);
    if (!store_u32(ctx, ARG_U32(3), 0)) RET(WASI_EFAULT);
    RET(WASI_ESUCCESS);
}

static int w_fd_close(eng_call_ctx *ctx, const wactor_value *args, wactor_value *results, void *d) {
    (void)ctx;
    (void)d;
    RET(is_std_fd(ARG_U32(0)) ? WASI_ESUCCESS : WASI_EBADF);
}

/* fd_seek(fd, offset: i64, whence, newoffset_ptr) -> errno: the standard streams are not seekable. */
static int w_fd_seek(eng_call_ctx *ctx, const wactor_value *args, wactor_value *results, void *d) {
    (void)ctx;
    (void)d;
    RET(is_std_fd(ARG_U32(0)) ? WASI_ESPIPE : WASI_EBADF);
}

/* fd_fdstat_get(fd, ptr) -> errno. fdstat: u8 filetype @0, u16 flags @2, u64 rights_base @8,
 * u64 rights_inheriting @16; 24 bytes. */
static int w_fd_fdstat_get(eng_call_ctx *ctx, const wactor_value *args, wactor_value *results, void *d) {
    (void)d;
    uint32_t fd = ARG_U32(0);
    if (!is_std_fd(fd)) RET(WASI_EBADF);
    uint8_t *p = eng_ctx_mem(ctx, ARG_U32(1), 24);
    if (!p) RET(WASI_EFAULT);
    memset(p, 0, 24);
    p[0] = WASI_FILETYPE_CHARACTER_DEVICE;
    put_u16(p + 2, fd == 0 ? 0 : WASI_FDFLAGS_APPEND);
    uint64_t rights = (fd == 0 ? WASI_RIGHT_FD_READ : WASI_RIGHT_FD_WRITE) | WASI_RIGHT_FD_FDSTAT_SET_FLAGS |
                      WASI_RIGHT_POLL_FD_READWRITE;
    put_u64(p + 8, rights);
    put_u64(p + 16, 0);
    RET(WASI_ESUCCESS);
}

static int w_fd_fdstat_set_flags(eng_call_ctx *ctx, const wactor_value *args, wactor_value *results, void *d) {
    (void)ctx;
    (void)d;
    RET(is_std_fd(ARG_U32(0)) ? WASI_ESUCCESS : WASI_EBADF);
}

/* No preopened directories: wasi-libc's startup enumerates fds from 3 until EBADF. */
static int w_fd_prestat_get(eng_call_ctx *ctx, const wactor_value *args, wactor_value *results, void *d) {
    (void)ctx;
    (void)args;
    (void)d;
    RET(WASI_EBADF);
}

static int w_fd_prestat_dir_name(eng_call_ctx *ctx, const wactor_value *args, wactor_value *results, void *d) {
    (void)ctx;
    (void)args;
    (void)d;
    RET(WASI_EBADF);
}

static int w_path_open(eng_call_ctx *ctx, const wactor_value *args, wactor_value *results, void *d) {
    (void)ctx;
    (void)args;
    (void)d;
    RET(WASI_ENOTCAPABLE);
}

/* ------------------------------------------------------------------ the table */

#define I32 WACTOR_I32
#define I64 WACTOR_I64
#define WASI_FN(fname, np, nr, P, R) \
    { "wasi_snapshot_preview1", #fname, { np, nr, P, R }, w_##fname, NULL }
#define PARAMS(...) { __VA_ARGS__ }
#define ERRNO { I32 }
#define NONE { I32 } /* unused slot; nresults = 0 */

static const eng_host_func wasi_funcs[] = {
    WASI_FN(args_get, 2, 1, PARAMS(I32, I32), ERRNO),
    WASI_FN(args_sizes_get, 2, 1, PARAMS(I32, I32), ERRNO),
    WASI_FN(environ_get, 2, 1, PARAMS(I32, I32), ERRNO),
    WASI_FN(environ_sizes_get, 2, 1, PARAMS(I32, I32), ERRNO),
    WASI_FN(clock_res_get, 2, 1, PARAMS(I32, I32), ERRNO),
    WASI_FN(clock_time_get, 3, 1, PARAMS(I32, I64, I32), ERRNO),
    WASI_FN(random_get, 2, 1, PARAMS(I32, I32), ERRNO),
    WASI_FN(sched_yield, 0, 1, PARAMS(I32), ERRNO),
    WASI_FN(poll_oneoff, 4, 1, PARAMS(I32, I32, I32, I32), ERRNO),
    WASI_FN(proc_exit, 1, 0, PARAMS(I32), NONE),
    WASI_FN(fd_write, 4, 1, PARAMS(I32, I32, I32, I32), ERRNO),
    WASI_FN(fd_read, 4, 1, PARAMS(I32, I32, I32, I32), ERRNO),
    WASI_FN(fd_close, 1, 1, PARAMS(I32), ERRNO),
    WASI_FN(fd_seek, 4, 1, PARAMS(I32, I64, I32, I32), ERRNO),
    WASI_FN(fd_fdstat_get, 2, 1, PARAMS(I32, I32), ERRNO),
    WASI_FN(fd_fdstat_set_flags, 2, 1, PARAMS(I32, I32), ERRNO),
    WASI_FN(fd_prestat_get, 2, 1, PARAMS(I32, I32), ERRNO),
    WASI_FN(fd_prestat_dir_name, 3, 1, PARAMS(I32, I32, I32), ERRNO),
    WASI_FN(path_open, 9, 1, PARAMS(I32, I32, I32, I32, I32, I64, I64, I32, I32), ERRNO),
};

const eng_host_func *eng_wasi_funcs(size_t *count) {
    if (count) *count = sizeof wasi_funcs / sizeof wasi_funcs[0];
    return wasi_funcs;
}
