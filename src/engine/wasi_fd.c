/*
 * wasi_fd.c — the per-instance WASI fd table and the preview1 functions that act on an fd as a whole:
 * fd_close, fd_renumber, fd_fdstat_get/_set_flags/_set_rights, fd_filestat_get/_set_size/_set_times,
 * fd_seek, fd_tell, fd_advise, fd_allocate, fd_sync, fd_datasync, fd_prestat_get, fd_prestat_dir_name.
 *
 * Reference: WebAssembly/WASI legacy/preview1/witx/wasi_snapshot_preview1.witx. Rights follow the witx
 * "rights" flags: each function needs the right named after it (fd_seek needs fd_seek, or fd_tell for a
 * seek of 0 from the current position), ENOTCAPABLE otherwise.
 */
#define _GNU_SOURCE
#include "engine/wasi_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Without eng_wasi_open(): the three standard streams, never modified. */
static wasi_fd std_only[3] = {
    {.kind = WASI_FD_STDIN, .filetype = WASI_FILETYPE_CHARACTER_DEVICE, .host = -1, .base = WASI_RIGHTS_STDIN},
    {.kind = WASI_FD_STDOUT, .filetype = WASI_FILETYPE_CHARACTER_DEVICE, .fdflags = WASI_FDFLAG_APPEND,
     .host = -1, .base = WASI_RIGHTS_STDOUT},
    {.kind = WASI_FD_STDERR, .filetype = WASI_FILETYPE_CHARACTER_DEVICE, .fdflags = WASI_FDFLAG_APPEND,
     .host = -1, .base = WASI_RIGHTS_STDOUT},
};

eng_wasi_fds *eng_wasi_fd_table(eng_call_ctx *ctx) {
    const eng_wasi *w = eng_ctx_wasi(ctx);
    return w ? w->fds : NULL;
}

wasi_fd *eng_wasi_fd_get(eng_call_ctx *ctx, uint32_t fd, uint64_t rights, int32_t *err) {
    eng_wasi_fds *t = eng_wasi_fd_table(ctx);
    wasi_fd *e = NULL;
    if (t) {
        if (fd < t->cap && t->fd[fd].kind != WASI_FD_FREE) e = &t->fd[fd];
    } else if (fd < 3) {
        e = &std_only[fd];
    }
    if (!e) {
        *err = WASI_EBADF;
        return NULL;
    }
    if ((e->base & rights) != rights) {
        *err = WASI_ENOTCAPABLE;
        return NULL;
    }
    *err = WASI_ESUCCESS;
    return e;
}

int64_t eng_wasi_fd_insert(eng_wasi_fds *t, const wasi_fd *e) {
    uint32_t i = 0;
    while (i < t->cap && t->fd[i].kind != WASI_FD_FREE) i++;
    if (i == t->cap) {
        if (t->cap >= t->max) return -1;
        uint64_t twice = (uint64_t)t->cap * 2;
        uint32_t ncap = twice < t->max ? (uint32_t)twice : t->max;
        wasi_fd *n = realloc(t->fd, (size_t)ncap * sizeof *n);
        if (!n) return -1;
        for (uint32_t j = t->cap; j < ncap; j++) n[j] = (wasi_fd){.kind = WASI_FD_FREE, .host = -1};
        t->fd = n;
        t->cap = ncap;
    }
    t->fd[i] = *e;
    return i;
}

void eng_wasi_fd_release(wasi_fd *e) {
    if (e->dir) closedir(e->dir);
    if (e->host >= 0) close(e->host);
    free(e->preopen);
    *e = (wasi_fd){.kind = WASI_FD_FREE, .host = -1};
}

static bool is_std(const wasi_fd *e) { return e->kind >= WASI_FD_STDIN && e->kind <= WASI_FD_STDERR; }

/* ------------------------------------------------------------------ close / renumber */

WASI_HOST_FN(fd_close) {
    (void)d;
    int32_t err;
    wasi_fd *e = eng_wasi_fd_get(ctx, WASI_ARG_U32(0), 0, &err);
    if (!e) WASI_RET(err);
    if (eng_wasi_fd_table(ctx)) eng_wasi_fd_release(e); /* without a table the standard streams stay */
    WASI_RET(WASI_ESUCCESS);
}

/* fd_renumber(from, to): `to` must be open too (it is closed first), as in wasmtime. */
WASI_HOST_FN(fd_renumber) {
    (void)d;
    int32_t err;
    wasi_fd *from = eng_wasi_fd_get(ctx, WASI_ARG_U32(0), 0, &err);
    if (!from) WASI_RET(err);
    wasi_fd *to = eng_wasi_fd_get(ctx, WASI_ARG_U32(1), 0, &err);
    if (!to) WASI_RET(err);
    if (!eng_wasi_fd_table(ctx)) WASI_RET(WASI_ENOTSUP);
    if (from == to) WASI_RET(WASI_ESUCCESS);
    eng_wasi_fd_release(to);
    *to = *from;
    *from = (wasi_fd){.kind = WASI_FD_FREE, .host = -1};
    WASI_RET(WASI_ESUCCESS);
}

/* ------------------------------------------------------------------ fdstat */

/* fdstat: u8 filetype @0, u16 flags @2, u64 rights_base @8, u64 rights_inheriting @16; 24 bytes. */
WASI_HOST_FN(fd_fdstat_get) {
    (void)d;
    int32_t err;
    wasi_fd *e = eng_wasi_fd_get(ctx, WASI_ARG_U32(0), 0, &err);
    if (!e) WASI_RET(err);
    uint8_t *p = eng_ctx_mem(ctx, WASI_ARG_U32(1), 24);
    if (!p) WASI_RET(WASI_EFAULT);
    memset(p, 0, 24);
    p[0] = e->filetype;
    wasi_put_u16(p + 2, e->fdflags);
    wasi_put_u64(p + 8, e->base);
    wasi_put_u64(p + 16, e->inh);
    WASI_RET(WASI_ESUCCESS);
}

/* Only append and nonblock can change on an open host fd (Linux ignores the sync flags in F_SETFL). */
WASI_HOST_FN(fd_fdstat_set_flags) {
    (void)d;
    int32_t err;
    uint32_t flags = WASI_ARG_U32(1);
    wasi_fd *e = eng_wasi_fd_get(ctx, WASI_ARG_U32(0), WASI_RIGHT_FD_FDSTAT_SET_FLAGS, &err);
    if (!e) WASI_RET(err);
    if (flags > 0x1f) WASI_RET(WASI_EINVAL);
    if (!eng_wasi_fd_table(ctx)) WASI_RET(WASI_ESUCCESS); /* the static streams keep their flags */
    const uint32_t sync = WASI_FDFLAG_DSYNC | WASI_FDFLAG_RSYNC | WASI_FDFLAG_SYNC;
    if ((flags & sync) != (e->fdflags & sync)) WASI_RET(WASI_ENOTSUP);
    if (e->host >= 0 && e->kind == WASI_FD_FILE) {
        int fl = fcntl(e->host, F_GETFL);
        if (fl < 0) WASI_RET(eng_wasi_errno(errno));
        fl &= ~(O_APPEND | O_NONBLOCK);
        if (flags & WASI_FDFLAG_APPEND) fl |= O_APPEND;
        if (flags & WASI_FDFLAG_NONBLOCK) fl |= O_NONBLOCK;
        if (fcntl(e->host, F_SETFL, fl) < 0) WASI_RET(eng_wasi_errno(errno));
    }
    e->fdflags = (uint16_t)flags;
    WASI_RET(WASI_ESUCCESS);
}

/* Rights can only be dropped, never gained. */
WASI_HOST_FN(fd_fdstat_set_rights) {
    (void)d;
    int32_t err;
    uint64_t base = WASI_ARG_U64(1), inh = WASI_ARG_U64(2);
    wasi_fd *e = eng_wasi_fd_get(ctx, WASI_ARG_U32(0), 0, &err);
    if (!e) WASI_RET(err);
    if ((base & ~e->base) || (inh & ~e->inh)) WASI_RET(WASI_ENOTCAPABLE);
    if (!eng_wasi_fd_table(ctx)) WASI_RET(WASI_ENOTSUP);
    e->base = base;
    e->inh = inh;
    WASI_RET(WASI_ESUCCESS);
}

/* ------------------------------------------------------------------ filestat */

WASI_HOST_FN(fd_filestat_get) {
    (void)d;
    int32_t err;
    wasi_fd *e = eng_wasi_fd_get(ctx, WASI_ARG_U32(0), WASI_RIGHT_FD_FILESTAT_GET, &err);
    if (!e) WASI_RET(err);
    uint8_t *p = eng_ctx_mem(ctx, WASI_ARG_U32(1), 64);
    if (!p) WASI_RET(WASI_EFAULT);
    if (is_std(e)) {
        memset(p, 0, 64);
        p[16] = WASI_FILETYPE_CHARACTER_DEVICE;
        WASI_RET(WASI_ESUCCESS);
    }
    struct stat st;
    if (fstat(e->host, &st) != 0) WASI_RET(eng_wasi_errno(errno));
    eng_wasi_filestat(p, &st);
    WASI_RET(WASI_ESUCCESS);
}

WASI_HOST_FN(fd_filestat_set_size) {
    (void)d;
    int32_t err;
    uint64_t size = WASI_ARG_U64(1);
    wasi_fd *e = eng_wasi_fd_get(ctx, WASI_ARG_U32(0), WASI_RIGHT_FD_FILESTAT_SET_SIZE, &err);
    if (!e) WASI_RET(err);
    if (e->kind != WASI_FD_FILE) WASI_RET(e->kind == WASI_FD_DIR ? WASI_EISDIR : WASI_EINVAL);
    if (size > INT64_MAX) WASI_RET(WASI_EINVAL);
    if (ftruncate(e->host, (off_t)size) != 0) WASI_RET(eng_wasi_errno(errno));
    WASI_RET(WASI_ESUCCESS);
}

bool eng_wasi_times(uint64_t atim, uint64_t mtim, uint32_t fst, struct timespec ts[2]) {
    if (fst & ~0xfu) return false;
    if ((fst & WASI_FST_ATIM) && (fst & WASI_FST_ATIM_NOW)) return false;
    if ((fst & WASI_FST_MTIM) && (fst & WASI_FST_MTIM_NOW)) return false;
    uint64_t v[2] = {atim, mtim};
    uint32_t set[2] = {WASI_FST_ATIM, WASI_FST_MTIM}, now[2] = {WASI_FST_ATIM_NOW, WASI_FST_MTIM_NOW};
    for (int i = 0; i < 2; i++) {
        if (fst & now[i]) {
            ts[i] = (struct timespec){.tv_sec = 0, .tv_nsec = UTIME_NOW};
        } else if (fst & set[i]) {
            ts[i] = (struct timespec){.tv_sec = (time_t)(v[i] / 1000000000u), .tv_nsec = (long)(v[i] % 1000000000u)};
        } else {
            ts[i] = (struct timespec){.tv_sec = 0, .tv_nsec = UTIME_OMIT};
        }
    }
    return true;
}

WASI_HOST_FN(fd_filestat_set_times) {
    (void)d;
    int32_t err;
    wasi_fd *e = eng_wasi_fd_get(ctx, WASI_ARG_U32(0), WASI_RIGHT_FD_FILESTAT_SET_TIMES, &err);
    if (!e) WASI_RET(err);
    struct timespec ts[2];
    if (!eng_wasi_times(WASI_ARG_U64(1), WASI_ARG_U64(2), WASI_ARG_U32(3), ts)) WASI_RET(WASI_EINVAL);
    if (e->host < 0) WASI_RET(WASI_ENOTSUP);
    /* AT_EMPTY_PATH works for O_PATH fds too (a preopen opened without read permission). */
    if (utimensat(e->host, "", ts, AT_EMPTY_PATH) != 0) WASI_RET(eng_wasi_errno(errno));
    WASI_RET(WASI_ESUCCESS);
}

/* ------------------------------------------------------------------ offsets, advice, sync */

/* fd_seek(fd, offset: i64, whence, newoffset_ptr) -> errno. */
WASI_HOST_FN(fd_seek) {
    (void)d;
    int32_t err;
    int64_t off = args[1].of.i64;
    uint32_t whence = WASI_ARG_U32(2);
    wasi_fd *e = eng_wasi_fd_get(ctx, WASI_ARG_U32(0), 0, &err);
    if (!e) WASI_RET(err);
    if (is_std(e)) WASI_RET(WASI_ESPIPE); /* the standard streams are not seekable */
    uint64_t need = (off == 0 && whence == WASI_WHENCE_CUR) ? WASI_RIGHT_FD_TELL : WASI_RIGHT_FD_SEEK;
    if (!(e->base & need) && !(e->base & WASI_RIGHT_FD_SEEK)) WASI_RET(WASI_ENOTCAPABLE);
    int hw;
    switch (whence) {
    case WASI_WHENCE_SET: hw = SEEK_SET; break;
    case WASI_WHENCE_CUR: hw = SEEK_CUR; break;
    case WASI_WHENCE_END: hw = SEEK_END; break;
    default: WASI_RET(WASI_EINVAL);
    }
    uint8_t *p = eng_ctx_mem(ctx, WASI_ARG_U32(3), 8);
    if (!p) WASI_RET(WASI_EFAULT);
    off_t r = lseek(e->host, (off_t)off, hw);
    if (r < 0) WASI_RET(eng_wasi_errno(errno));
    wasi_put_u64(p, (uint64_t)r);
    WASI_RET(WASI_ESUCCESS);
}

WASI_HOST_FN(fd_tell) {
    (void)d;
    int32_t err;
    wasi_fd *e = eng_wasi_fd_get(ctx, WASI_ARG_U32(0), 0, &err);
    if (!e) WASI_RET(err);
    if (is_std(e)) WASI_RET(WASI_ESPIPE);
    if (!(e->base & (WASI_RIGHT_FD_TELL | WASI_RIGHT_FD_SEEK))) WASI_RET(WASI_ENOTCAPABLE); /* seek can tell */
    uint8_t *p = eng_ctx_mem(ctx, WASI_ARG_U32(1), 8);
    if (!p) WASI_RET(WASI_EFAULT);
    off_t r = lseek(e->host, 0, SEEK_CUR);
    if (r < 0) WASI_RET(eng_wasi_errno(errno));
    wasi_put_u64(p, (uint64_t)r);
    WASI_RET(WASI_ESUCCESS);
}

/* fd_advise(fd, offset, len, advice): posix_fadvise. */
WASI_HOST_FN(fd_advise) {
    (void)d;
    int32_t err;
    uint64_t off = WASI_ARG_U64(1), len = WASI_ARG_U64(2);
    uint32_t advice = WASI_ARG_U32(3);
    wasi_fd *e = eng_wasi_fd_get(ctx, WASI_ARG_U32(0), WASI_RIGHT_FD_ADVISE, &err);
    if (!e) WASI_RET(err);
    static const int map[] = {POSIX_FADV_NORMAL, POSIX_FADV_SEQUENTIAL, POSIX_FADV_RANDOM,
                              POSIX_FADV_WILLNEED, POSIX_FADV_DONTNEED, POSIX_FADV_NOREUSE};
    if (advice > 5 || off > INT64_MAX || len > INT64_MAX) WASI_RET(WASI_EINVAL);
    if (e->kind != WASI_FD_FILE) WASI_RET(e->kind == WASI_FD_DIR ? WASI_EISDIR : WASI_ESPIPE);
    int rc = posix_fadvise(e->host, (off_t)off, (off_t)len, map[advice]);
    WASI_RET(eng_wasi_errno(rc));
}

/* fd_allocate: refused, as wasmtime does (it would reserve host disk space on the guest's word). */
WASI_HOST_FN(fd_allocate) {
    (void)d;
    int32_t err;
    wasi_fd *e = eng_wasi_fd_get(ctx, WASI_ARG_U32(0), WASI_RIGHT_FD_ALLOCATE, &err);
    if (!e) WASI_RET(err);
    WASI_RET(WASI_ENOTSUP);
}

static int32_t do_sync(eng_call_ctx *ctx, uint32_t fd, uint64_t right, bool data) {
    int32_t err;
    wasi_fd *e = eng_wasi_fd_get(ctx, fd, 0, &err);
    if (!e) return err;
    if (is_std(e)) return WASI_EINVAL; /* as fsync(2) on a terminal or pipe */
    if (!(e->base & right)) return WASI_ENOTCAPABLE;
    if ((data ? fdatasync(e->host) : fsync(e->host)) != 0) return eng_wasi_errno(errno);
    return WASI_ESUCCESS;
}

WASI_HOST_FN(fd_sync) {
    (void)d;
    WASI_RET(do_sync(ctx, WASI_ARG_U32(0), WASI_RIGHT_FD_SYNC, false));
}

WASI_HOST_FN(fd_datasync) {
    (void)d;
    WASI_RET(do_sync(ctx, WASI_ARG_U32(0), WASI_RIGHT_FD_DATASYNC, true));
}

/* ------------------------------------------------------------------ preopens */

/* prestat: u8 tag @0 (0 = dir), u32 pr_name_len @4. EBADF for fds that are not preopened directories
 * (wasi-libc's start-up enumerates fds from 3 until EBADF). */
WASI_HOST_FN(fd_prestat_get) {
    (void)d;
    int32_t err;
    wasi_fd *e = eng_wasi_fd_get(ctx, WASI_ARG_U32(0), 0, &err);
    if (!e) WASI_RET(err);
    if (!e->preopen) WASI_RET(WASI_EBADF);
    uint8_t *p = eng_ctx_mem(ctx, WASI_ARG_U32(1), 8);
    if (!p) WASI_RET(WASI_EFAULT);
    memset(p, 0, 8);
    wasi_put_u32(p + 4, (uint32_t)strlen(e->preopen));
    WASI_RET(WASI_ESUCCESS);
}

/* Copies the guest path (no NUL). A buffer shorter than the name is ENAMETOOLONG. */
WASI_HOST_FN(fd_prestat_dir_name) {
    (void)d;
    int32_t err;
    wasi_fd *e = eng_wasi_fd_get(ctx, WASI_ARG_U32(0), 0, &err);
    if (!e) WASI_RET(err);
    if (!e->preopen) WASI_RET(WASI_EBADF);
    uint32_t len = WASI_ARG_U32(2);
    uint8_t *p = eng_ctx_mem(ctx, WASI_ARG_U32(1), len);
    if (!p) WASI_RET(WASI_EFAULT);
    size_t n = strlen(e->preopen);
    if (len < n) WASI_RET(WASI_ENAMETOOLONG);
    memcpy(p, e->preopen, n);
    WASI_RET(WASI_ESUCCESS);
}
