/*
 * wasi.c — WASI preview1 (module "wasi_snapshot_preview1"): the table of all 46 host functions, the
 * per-instance configuration (eng_wasi_open / eng_wasi_close), and the functions that touch no file:
 * args, environ, clocks, random_get, sched_yield, proc_exit, proc_raise and the sockets (none exist).
 * The fd table is in wasi_fd.c, reads and writes in wasi_io.c, fd_readdir in wasi_dir.c, the sandboxed
 * path_* functions in wasi_path.c, poll_oneoff in wasi_poll.c.
 *
 * Every guest pointer is bounds-checked with eng_ctx_mem(); a bad one returns WASI EFAULT.
 * Reference: WebAssembly/WASI, legacy/preview1/witx/typenames.witx and wasi_snapshot_preview1.witx.
 */
#define _GNU_SOURCE /* O_PATH */
#include "engine/wasi_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ------------------------------------------------------------------ shared helpers */

bool eng_wasi_store_u32(eng_call_ctx *ctx, uint32_t ptr, uint32_t v) {
    uint8_t *p = eng_ctx_mem(ctx, ptr, 4);
    if (!p) return false;
    wasi_put_u32(p, v);
    return true;
}

bool eng_wasi_store_u64(eng_call_ctx *ctx, uint32_t ptr, uint64_t v) {
    uint8_t *p = eng_ctx_mem(ctx, ptr, 8);
    if (!p) return false;
    wasi_put_u64(p, v);
    return true;
}

int32_t eng_wasi_errno(int e) {
    switch (e) {
    case 0: return WASI_ESUCCESS;
    case E2BIG: return WASI_E2BIG;
    case EACCES: return WASI_EACCES;
    case EAGAIN: return WASI_EAGAIN;
    case EBADF: return WASI_EBADF;
    case EBUSY: return WASI_EBUSY;
    case EEXIST: return WASI_EEXIST;
    case EFAULT: return WASI_EFAULT;
    case EFBIG: return WASI_EFBIG;
    case EINTR: return WASI_EINTR;
    case EINVAL: return WASI_EINVAL;
    case EIO: return WASI_EIO;
    case EISDIR: return WASI_EISDIR;
    case ELOOP: return WASI_ELOOP;
    case EMFILE: return WASI_EMFILE;
    case EMLINK: return WASI_EMLINK;
    case ENAMETOOLONG: return WASI_ENAMETOOLONG;
    case ENFILE: return WASI_ENFILE;
    case ENOBUFS: return WASI_ENOBUFS;
    case ENODEV: return WASI_ENODEV;
    case ENOENT: return WASI_ENOENT;
    case ENOMEM: return WASI_ENOMEM;
    case ENOSPC: return WASI_ENOSPC;
    case ENOSYS: return WASI_ENOSYS;
    case ENOTDIR: return WASI_ENOTDIR;
    case ENOTEMPTY: return WASI_ENOTEMPTY;
    case ENOTSOCK: return WASI_ENOTSOCK;
    case ENOTSUP: return WASI_ENOTSUP;
    case ENOTTY: return WASI_ENOTTY;
    case ENXIO: return WASI_ENXIO;
    case EOVERFLOW: return WASI_EOVERFLOW;
    case EPERM: return WASI_EPERM;
    case EPIPE: return WASI_EPIPE;
    case ERANGE: return WASI_ERANGE;
    case EROFS: return WASI_EROFS;
    case ESPIPE: return WASI_ESPIPE;
    case ESRCH: return WASI_ESRCH;
    case ESTALE: return WASI_ESTALE;
    case ETIMEDOUT: return WASI_ETIMEDOUT;
    case ETXTBSY: return WASI_ETXTBSY;
    case EXDEV: return WASI_EXDEV;
    default: return WASI_EIO;
    }
}

uint8_t eng_wasi_filetype_of_mode(unsigned mode) {
    switch (mode & S_IFMT) {
    case S_IFREG: return WASI_FILETYPE_REGULAR_FILE;
    case S_IFDIR: return WASI_FILETYPE_DIRECTORY;
    case S_IFLNK: return WASI_FILETYPE_SYMBOLIC_LINK;
    case S_IFCHR: return WASI_FILETYPE_CHARACTER_DEVICE;
    case S_IFBLK: return WASI_FILETYPE_BLOCK_DEVICE;
    case S_IFSOCK: return WASI_FILETYPE_SOCKET_STREAM;
    default: return WASI_FILETYPE_UNKNOWN;
    }
}

static uint64_t ts_ns(const struct timespec *ts) {
    return (uint64_t)ts->tv_sec * 1000000000u + (uint64_t)ts->tv_nsec;
}

/* filestat: dev @0, ino @8, filetype u8 @16, nlink @24, size @32, atim @40, mtim @48, ctim @56. */
void eng_wasi_filestat(uint8_t *out, const struct stat *st) {
    memset(out, 0, 64);
    wasi_put_u64(out + 0, (uint64_t)st->st_dev);
    wasi_put_u64(out + 8, (uint64_t)st->st_ino);
    out[16] = eng_wasi_filetype_of_mode(st->st_mode);
    wasi_put_u64(out + 24, (uint64_t)st->st_nlink);
    wasi_put_u64(out + 32, (uint64_t)st->st_size);
    wasi_put_u64(out + 40, ts_ns(&st->st_atim));
    wasi_put_u64(out + 48, ts_ns(&st->st_mtim));
    wasi_put_u64(out + 56, ts_ns(&st->st_ctim));
}

eng_wasi_limits eng_wasi_limits_of(const eng_wasi *w) {
    eng_wasi_limits l = w ? w->limits : (eng_wasi_limits){0};
    if (!l.max_fds) l.max_fds = ENG_WASI_DEFAULT_MAX_FDS;
    if (!l.max_io_bytes) l.max_io_bytes = ENG_WASI_DEFAULT_MAX_IO_BYTES;
    if (!l.max_iovecs) l.max_iovecs = ENG_WASI_DEFAULT_MAX_IOVECS;
    if (!l.max_poll_subscriptions) l.max_poll_subscriptions = ENG_WASI_DEFAULT_MAX_POLL_SUBSCRIPTIONS;
    if (!l.max_random_bytes) l.max_random_bytes = ENG_WASI_DEFAULT_MAX_RANDOM_BYTES;
    if (!l.max_readdir_bytes) l.max_readdir_bytes = ENG_WASI_DEFAULT_MAX_READDIR_BYTES;
    if (!l.max_path_bytes) l.max_path_bytes = ENG_WASI_DEFAULT_MAX_PATH_BYTES;
    if (!l.max_poll_block_us) l.max_poll_block_us = ENG_WASI_DEFAULT_MAX_POLL_BLOCK_US;
    return l;
}

/* ------------------------------------------------------------------ configuration */

static void set_diag(wactor_diag *diag, const char *fmt, const char *a, const char *b) {
    if (!diag) return;
    memset(diag, 0, sizeof *diag);
    snprintf(diag->message, sizeof diag->message, fmt, a, b);
}

int eng_wasi_open(eng_wasi *w, wactor_diag *diag) {
    if (!w) {
        set_diag(diag, "wasi: no configuration%s%s", "", "");
        return -1;
    }
    if (w->fds) {
        set_diag(diag, "wasi: already open%s%s", "", "");
        return -1;
    }
    eng_wasi_limits lim = eng_wasi_limits_of(w);
    if (w->npreopens > lim.max_fds || w->npreopens + 3 > lim.max_fds) {
        char n[32], m[32];
        snprintf(n, sizeof n, "%zu", w->npreopens);
        snprintf(m, sizeof m, "%u", lim.max_fds);
        set_diag(diag, "wasi: %s preopens exceed max_fds %s", n, m);
        return -1;
    }
    eng_wasi_fds *t = calloc(1, sizeof *t);
    uint32_t cap = (uint32_t)w->npreopens + 3;
    if (cap < 16) cap = 16 < lim.max_fds ? 16 : lim.max_fds;
    if (t) t->fd = calloc(cap, sizeof *t->fd);
    if (!t || !t->fd) {
        free(t);
        set_diag(diag, "wasi: out of memory%s%s", "", "");
        return -1;
    }
    t->cap = cap;
    t->max = lim.max_fds;
    for (uint32_t i = 0; i < cap; i++) t->fd[i].host = -1;
    t->fd[0] = (wasi_fd){.kind = WASI_FD_STDIN, .filetype = WASI_FILETYPE_CHARACTER_DEVICE, .host = -1,
                         .base = WASI_RIGHTS_STDIN};
    t->fd[1] = (wasi_fd){.kind = WASI_FD_STDOUT, .filetype = WASI_FILETYPE_CHARACTER_DEVICE,
                         .fdflags = WASI_FDFLAG_APPEND, .host = -1, .base = WASI_RIGHTS_STDOUT};
    t->fd[2] = t->fd[1];
    t->fd[2].kind = WASI_FD_STDERR;
    w->fds = t;
    for (size_t i = 0; i < w->npreopens; i++) {
        const eng_wasi_preopen *p = &w->preopens[i];
        char idx[32];
        snprintf(idx, sizeof idx, "%zu", i);
        if (!p->host_path || !*p->host_path) {
            set_diag(diag, "wasi: preopen %s: empty host path%s", idx, "");
            goto fail;
        }
        if (!p->guest_path || !*p->guest_path || strlen(p->guest_path) > lim.max_path_bytes) {
            set_diag(diag, "wasi: preopen %s: empty or over-long guest path%s", idx, "");
            goto fail;
        }
        int fd = open(p->host_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0 && errno == EACCES) fd = open(p->host_path, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0) {
            set_diag(diag, "wasi: preopen %s: %s", p->host_path, strerror(errno));
            goto fail;
        }
        uint64_t ro = p->read_only ? WASI_RIGHTS_WRITING : 0;
        wasi_fd *e = &t->fd[3 + i];
        *e = (wasi_fd){.kind = WASI_FD_DIR, .filetype = WASI_FILETYPE_DIRECTORY, .host = fd,
                       .base = WASI_RIGHTS_DIR & ~ro, .inh = (WASI_RIGHTS_DIR | WASI_RIGHTS_FILE) & ~ro,
                       .preopen = strdup(p->guest_path)};
        if (!e->preopen) {
            set_diag(diag, "wasi: out of memory%s%s", "", "");
            goto fail;
        }
    }
    return 0;
fail:
    eng_wasi_close(w);
    return -1;
}

void eng_wasi_close(eng_wasi *w) {
    if (!w || !w->fds) return;
    eng_wasi_fds *t = w->fds;
    for (uint32_t i = 0; i < t->cap; i++) eng_wasi_fd_release(&t->fd[i]);
    free(t->fd);
    free(t);
    w->fds = NULL;
}

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
        wasi_put_u32(ptrs + 4 * i, (uint32_t)off);
        off += len;
    }
    return WASI_ESUCCESS;
}

static int32_t put_sizes(eng_call_ctx *ctx, const char *const *strs, int n, uint32_t count_ptr, uint32_t size_ptr) {
    uint64_t size = 0;
    if (n < 0 || !strs) n = 0;
    for (int i = 0; i < n; i++) size += strlen(strs[i] ? strs[i] : "") + 1;
    if (size > UINT32_MAX) return WASI_EINVAL;
    if (!eng_wasi_store_u32(ctx, count_ptr, (uint32_t)n) || !eng_wasi_store_u32(ctx, size_ptr, (uint32_t)size))
        return WASI_EFAULT;
    return WASI_ESUCCESS;
}

static WASI_HOST_FN(args_get) {
    (void)d;
    const eng_wasi *w = eng_ctx_wasi(ctx);
    WASI_RET(put_strings(ctx, w ? w->argv : NULL, w ? w->argc : 0, WASI_ARG_U32(0), WASI_ARG_U32(1)));
}

static WASI_HOST_FN(args_sizes_get) {
    (void)d;
    const eng_wasi *w = eng_ctx_wasi(ctx);
    WASI_RET(put_sizes(ctx, w ? w->argv : NULL, w ? w->argc : 0, WASI_ARG_U32(0), WASI_ARG_U32(1)));
}

static WASI_HOST_FN(environ_get) {
    (void)d;
    const eng_wasi *w = eng_ctx_wasi(ctx);
    WASI_RET(put_strings(ctx, w ? w->environ : NULL, w ? w->nenviron : 0, WASI_ARG_U32(0), WASI_ARG_U32(1)));
}

static WASI_HOST_FN(environ_sizes_get) {
    (void)d;
    const eng_wasi *w = eng_ctx_wasi(ctx);
    WASI_RET(put_sizes(ctx, w ? w->environ : NULL, w ? w->nenviron : 0, WASI_ARG_U32(0), WASI_ARG_U32(1)));
}

/* ------------------------------------------------------------------ clocks, random, scheduling */

static bool wasi_clock(uint32_t id, clockid_t *out) {
    switch (id) {
    case WASI_CLOCK_REALTIME: *out = CLOCK_REALTIME; return true;
    case WASI_CLOCK_MONOTONIC: *out = CLOCK_MONOTONIC; return true;
    default: return false; /* process/thread CPU time clocks are meaningless for a migrating actor */
    }
}

static WASI_HOST_FN(clock_res_get) {
    (void)d;
    clockid_t id;
    struct timespec ts;
    if (!wasi_clock(WASI_ARG_U32(0), &id)) WASI_RET(WASI_EINVAL);
    if (clock_getres(id, &ts) != 0) WASI_RET(WASI_EINVAL);
    if (!eng_wasi_store_u64(ctx, WASI_ARG_U32(1), ts_ns(&ts))) WASI_RET(WASI_EFAULT);
    WASI_RET(WASI_ESUCCESS);
}

/* clock_time_get(id: i32, precision: i64, time_ptr: i32) -> errno; the time is in nanoseconds. */
static WASI_HOST_FN(clock_time_get) {
    (void)d;
    clockid_t id;
    struct timespec ts;
    if (!wasi_clock(WASI_ARG_U32(0), &id)) WASI_RET(WASI_EINVAL);
    if (clock_gettime(id, &ts) != 0) WASI_RET(WASI_EINVAL);
    if (!eng_wasi_store_u64(ctx, WASI_ARG_U32(2), ts_ns(&ts))) WASI_RET(WASI_EFAULT);
    WASI_RET(WASI_ESUCCESS);
}

/* random_get(buf, len): at most max_random_bytes (EINVAL above; the call fills all of buf or fails). */
static WASI_HOST_FN(random_get) {
    (void)d;
    uint32_t len = WASI_ARG_U32(1);
    uint8_t *buf = eng_ctx_mem(ctx, WASI_ARG_U32(0), len);
    if (!buf) WASI_RET(WASI_EFAULT);
    if (len > eng_wasi_limits_of(eng_ctx_wasi(ctx)).max_random_bytes) WASI_RET(WASI_EINVAL);
    size_t done = 0;
    while (done < len) {
        ssize_t n = getrandom(buf + done, len - done, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            WASI_RET(WASI_EIO);
        }
        done += (size_t)n;
    }
    WASI_RET(WASI_ESUCCESS);
}

static WASI_HOST_FN(sched_yield) {
    (void)ctx;
    (void)args;
    (void)d;
    /* An actor's slice is bounded by the scheduler already; a yield is a no-op. */
    WASI_RET(WASI_ESUCCESS);
}

static WASI_HOST_FN(proc_exit) {
    (void)results;
    (void)d;
    eng_host_trap(ctx, WACTOR_TRAP_EXIT, args[0].of.i32, "proc_exit(%d)", args[0].of.i32);
    return -1;
}

/* proc_raise (removed from later WASI): no signals. */
static WASI_HOST_FN(proc_raise) {
    (void)ctx;
    (void)args;
    (void)d;
    WASI_RET(WASI_ENOSYS);
}

/* ------------------------------------------------------------------ sockets: none can exist */

static int32_t not_a_socket(eng_call_ctx *ctx, uint32_t fd) {
    int32_t err;
    return eng_wasi_fd_get(ctx, fd, 0, &err) ? WASI_ENOTSOCK : err;
}

static WASI_HOST_FN(sock_accept) {
    (void)d;
    WASI_RET(not_a_socket(ctx, WASI_ARG_U32(0)));
}
static WASI_HOST_FN(sock_recv) {
    (void)d;
    WASI_RET(not_a_socket(ctx, WASI_ARG_U32(0)));
}
static WASI_HOST_FN(sock_send) {
    (void)d;
    WASI_RET(not_a_socket(ctx, WASI_ARG_U32(0)));
}
static WASI_HOST_FN(sock_shutdown) {
    (void)d;
    WASI_RET(not_a_socket(ctx, WASI_ARG_U32(0)));
}

/* ------------------------------------------------------------------ the table */

#define I32 WACTOR_I32
#define I64 WACTOR_I64
#define WASI_FN(fname, np, nr, P, R) \
    { "wasi_snapshot_preview1", #fname, { np, nr, P, R }, eng_wasi_##fname, NULL }
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
    WASI_FN(fd_advise, 4, 1, PARAMS(I32, I64, I64, I32), ERRNO),
    WASI_FN(fd_allocate, 3, 1, PARAMS(I32, I64, I64), ERRNO),
    WASI_FN(fd_close, 1, 1, PARAMS(I32), ERRNO),
    WASI_FN(fd_datasync, 1, 1, PARAMS(I32), ERRNO),
    WASI_FN(fd_fdstat_get, 2, 1, PARAMS(I32, I32), ERRNO),
    WASI_FN(fd_fdstat_set_flags, 2, 1, PARAMS(I32, I32), ERRNO),
    WASI_FN(fd_fdstat_set_rights, 3, 1, PARAMS(I32, I64, I64), ERRNO),
    WASI_FN(fd_filestat_get, 2, 1, PARAMS(I32, I32), ERRNO),
    WASI_FN(fd_filestat_set_size, 2, 1, PARAMS(I32, I64), ERRNO),
    WASI_FN(fd_filestat_set_times, 4, 1, PARAMS(I32, I64, I64, I32), ERRNO),
    WASI_FN(fd_pread, 5, 1, PARAMS(I32, I32, I32, I64, I32), ERRNO),
    WASI_FN(fd_prestat_get, 2, 1, PARAMS(I32, I32), ERRNO),
    WASI_FN(fd_prestat_dir_name, 3, 1, PARAMS(I32, I32, I32), ERRNO),
    WASI_FN(fd_pwrite, 5, 1, PARAMS(I32, I32, I32, I64, I32), ERRNO),
    WASI_FN(fd_read, 4, 1, PARAMS(I32, I32, I32, I32), ERRNO),
    WASI_FN(fd_readdir, 5, 1, PARAMS(I32, I32, I32, I64, I32), ERRNO),
    WASI_FN(fd_renumber, 2, 1, PARAMS(I32, I32), ERRNO),
    WASI_FN(fd_seek, 4, 1, PARAMS(I32, I64, I32, I32), ERRNO),
    WASI_FN(fd_sync, 1, 1, PARAMS(I32), ERRNO),
    WASI_FN(fd_tell, 2, 1, PARAMS(I32, I32), ERRNO),
    WASI_FN(fd_write, 4, 1, PARAMS(I32, I32, I32, I32), ERRNO),
    WASI_FN(path_create_directory, 3, 1, PARAMS(I32, I32, I32), ERRNO),
    WASI_FN(path_filestat_get, 5, 1, PARAMS(I32, I32, I32, I32, I32), ERRNO),
    WASI_FN(path_filestat_set_times, 7, 1, PARAMS(I32, I32, I32, I32, I64, I64, I32), ERRNO),
    WASI_FN(path_link, 7, 1, PARAMS(I32, I32, I32, I32, I32, I32, I32), ERRNO),
    WASI_FN(path_open, 9, 1, PARAMS(I32, I32, I32, I32, I32, I64, I64, I32, I32), ERRNO),
    WASI_FN(path_readlink, 6, 1, PARAMS(I32, I32, I32, I32, I32, I32), ERRNO),
    WASI_FN(path_remove_directory, 3, 1, PARAMS(I32, I32, I32), ERRNO),
    WASI_FN(path_rename, 6, 1, PARAMS(I32, I32, I32, I32, I32, I32), ERRNO),
    WASI_FN(path_symlink, 5, 1, PARAMS(I32, I32, I32, I32, I32), ERRNO),
    WASI_FN(path_unlink_file, 3, 1, PARAMS(I32, I32, I32), ERRNO),
    WASI_FN(poll_oneoff, 4, 1, PARAMS(I32, I32, I32, I32), ERRNO),
    WASI_FN(proc_exit, 1, 0, PARAMS(I32), NONE),
    WASI_FN(proc_raise, 1, 1, PARAMS(I32), ERRNO),
    WASI_FN(sched_yield, 0, 1, PARAMS(I32), ERRNO),
    WASI_FN(random_get, 2, 1, PARAMS(I32, I32), ERRNO),
    WASI_FN(sock_accept, 3, 1, PARAMS(I32, I32, I32), ERRNO),
    WASI_FN(sock_recv, 6, 1, PARAMS(I32, I32, I32, I32, I32, I32), ERRNO),
    WASI_FN(sock_send, 5, 1, PARAMS(I32, I32, I32, I32, I32), ERRNO),
    WASI_FN(sock_shutdown, 2, 1, PARAMS(I32, I32), ERRNO),
};

const eng_host_func *eng_wasi_funcs(size_t *count) {
    if (count) *count = sizeof wasi_funcs / sizeof wasi_funcs[0];
    return wasi_funcs;
}
