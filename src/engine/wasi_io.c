/*
 * wasi_io.c — WASI preview1 reads and writes: fd_read, fd_write, fd_pread, fd_pwrite.
 *
 * Bounded host work (eng_wasi_limits): at most max_iovecs iovecs per call (more is EINVAL, as readv(2)
 * beyond IOV_MAX) and at most max_io_bytes moved per call — a larger request is served in part and the
 * count says how much, as POSIX allows (wasi-libc and Rust's std loop on short counts). Every iovec is
 * checked against guest memory before any byte moves, so a bad one (EFAULT) reads or writes nothing.
 * Reference: wasi_snapshot_preview1.witx (iovec/ciovec: u32 buf, u32 buf_len; 8 bytes each).
 */
#define _GNU_SOURCE
#include "engine/wasi_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/uio.h>
#include <unistd.h>

typedef struct iolist {
    struct iovec *v;
    int n;
    size_t total;              /* bytes in v (already cut to max_io_bytes) */
    struct iovec small[16];
} iolist;

static void iolist_free(iolist *l) {
    if (l->v != l->small) free(l->v);
}

/* Checks the guest iovec array (n entries at `iovs`) and every buffer in it; fills `out` with host iovecs
 * that together hold at most max_io_bytes. Returns a WASI errno. */
static int32_t gather(eng_call_ctx *ctx, uint32_t iovs, uint32_t n, iolist *out) {
    out->v = out->small;
    out->n = 0;
    out->total = 0;
    if ((uint64_t)n * 8u > UINT32_MAX) return WASI_EFAULT;
    const uint8_t *vec = eng_ctx_mem(ctx, iovs, n * 8u);
    if (!vec) return WASI_EFAULT;
    eng_wasi_limits lim = eng_wasi_limits_of(eng_ctx_wasi(ctx));
    if (n > lim.max_iovecs) return WASI_EINVAL;
    for (uint32_t i = 0; i < n; i++) /* check them all first */
        if (!eng_ctx_mem(ctx, wasi_get_u32(vec + 8 * i), wasi_get_u32(vec + 8 * i + 4))) return WASI_EFAULT;
    if (n > sizeof out->small / sizeof out->small[0]) {
        out->v = malloc(n * sizeof *out->v);
        if (!out->v) {
            out->v = out->small;
            return WASI_ENOMEM;
        }
    }
    size_t room = lim.max_io_bytes;
    for (uint32_t i = 0; i < n && room; i++) {
        uint32_t buf = wasi_get_u32(vec + 8 * i), len = wasi_get_u32(vec + 8 * i + 4);
        if (!len) continue;
        if (len > room) len = (uint32_t)room;
        out->v[out->n].iov_base = eng_ctx_mem(ctx, buf, len);
        out->v[out->n].iov_len = len;
        out->n++;
        out->total += len;
        room -= len;
    }
    return WASI_ESUCCESS;
}

/* fd_write(fd, iovs, iovs_len, nwritten_ptr) -> errno. */
WASI_HOST_FN(fd_write) {
    (void)d;
    uint32_t fd = WASI_ARG_U32(0);
    int32_t err;
    wasi_fd *e = eng_wasi_fd_get(ctx, fd, 0, &err);
    if (!e) WASI_RET(err);
    if (e->kind == WASI_FD_STDIN) WASI_RET(WASI_EBADF); /* stdin is not writable */
    if (!(e->base & WASI_RIGHT_FD_WRITE)) WASI_RET(WASI_ENOTCAPABLE);
    iolist l;
    int32_t rc = gather(ctx, WASI_ARG_U32(1), WASI_ARG_U32(2), &l);
    uint8_t *nw = rc ? NULL : eng_ctx_mem(ctx, WASI_ARG_U32(3), 4);
    if (!rc && !nw) rc = WASI_EFAULT;
    if (rc) {
        iolist_free(&l);
        WASI_RET(rc);
    }
    size_t done = 0;
    if (e->kind == WASI_FD_STDOUT || e->kind == WASI_FD_STDERR) {
        const eng_wasi *w = eng_ctx_wasi(ctx);
        int stream = e->kind == WASI_FD_STDOUT ? 1 : 2;
        for (int i = 0; i < l.n; i++)
            if (w && w->write) w->write(w->write_user, stream, l.v[i].iov_base, l.v[i].iov_len);
        done = l.total;
    } else if (l.n) {
        ssize_t r = writev(e->host, l.v, l.n);
        if (r < 0) rc = eng_wasi_errno(errno);
        else done = (size_t)r;
    }
    iolist_free(&l);
    if (rc) WASI_RET(rc);
    wasi_put_u32(nw, (uint32_t)done);
    WASI_RET(WASI_ESUCCESS);
}

/* stdin through eng_wasi.read (NULL: end of file). Fills iovecs in order until a short read. */
static int32_t read_stdin(eng_call_ctx *ctx, const iolist *l, size_t *done) {
    const eng_wasi *w = eng_ctx_wasi(ctx);
    *done = 0;
    if (!w || !w->read) return WASI_ESUCCESS;
    for (int i = 0; i < l->n; i++) {
        long r = w->read(w->read_user, l->v[i].iov_base, l->v[i].iov_len);
        if (r < 0) return *done ? WASI_ESUCCESS : WASI_EIO;
        if ((size_t)r > l->v[i].iov_len) r = (long)l->v[i].iov_len; /* a misbehaving callback */
        *done += (size_t)r;
        if ((size_t)r < l->v[i].iov_len) break;
    }
    return WASI_ESUCCESS;
}

/* fd_read(fd, iovs, iovs_len, nread_ptr) -> errno. */
WASI_HOST_FN(fd_read) {
    (void)d;
    int32_t err;
    wasi_fd *e = eng_wasi_fd_get(ctx, WASI_ARG_U32(0), 0, &err);
    if (!e) WASI_RET(err);
    if (e->kind == WASI_FD_STDOUT || e->kind == WASI_FD_STDERR) WASI_RET(WASI_EBADF);
    if (!(e->base & WASI_RIGHT_FD_READ)) WASI_RET(e->kind == WASI_FD_DIR ? WASI_EISDIR : WASI_ENOTCAPABLE);
    iolist l;
    int32_t rc = gather(ctx, WASI_ARG_U32(1), WASI_ARG_U32(2), &l);
    uint8_t *nr = rc ? NULL : eng_ctx_mem(ctx, WASI_ARG_U32(3), 4);
    if (!rc && !nr) rc = WASI_EFAULT;
    size_t done = 0;
    if (!rc) {
        if (e->kind == WASI_FD_STDIN) {
            rc = read_stdin(ctx, &l, &done);
        } else if (l.n) {
            ssize_t r = readv(e->host, l.v, l.n);
            if (r < 0) rc = eng_wasi_errno(errno);
            else done = (size_t)r;
        }
    }
    iolist_free(&l);
    if (rc) WASI_RET(rc);
    wasi_put_u32(nr, (uint32_t)done);
    WASI_RET(WASI_ESUCCESS);
}

/* fd_pread / fd_pwrite (fd, iovs, iovs_len, offset: u64, n_ptr): files only, the offset is not moved. */
static int32_t positional(eng_call_ctx *ctx, const wactor_value *args, bool write) {
    int32_t err;
    wasi_fd *e = eng_wasi_fd_get(ctx, WASI_ARG_U32(0), 0, &err);
    if (!e) return err;
    if (e->kind != WASI_FD_FILE) {
        if (e->kind == WASI_FD_DIR) return WASI_EISDIR;
        if (e->kind == WASI_FD_STDIN && write) return WASI_EBADF;
        if (e->kind != WASI_FD_STDIN && !write) return WASI_EBADF;
        return WASI_ESPIPE;
    }
    uint64_t need = (write ? WASI_RIGHT_FD_WRITE : WASI_RIGHT_FD_READ) | WASI_RIGHT_FD_SEEK;
    if ((e->base & need) != need) return WASI_ENOTCAPABLE;
    uint64_t off = WASI_ARG_U64(3);
    if (off > INT64_MAX) return WASI_EINVAL;
    iolist l;
    int32_t rc = gather(ctx, WASI_ARG_U32(1), WASI_ARG_U32(2), &l);
    uint8_t *np = rc ? NULL : eng_ctx_mem(ctx, WASI_ARG_U32(4), 4);
    if (!rc && !np) rc = WASI_EFAULT;
    size_t done = 0;
    if (!rc && l.n) {
        ssize_t r = write ? pwritev(e->host, l.v, l.n, (off_t)off) : preadv(e->host, l.v, l.n, (off_t)off);
        if (r < 0) rc = eng_wasi_errno(errno);
        else done = (size_t)r;
    }
    iolist_free(&l);
    if (rc) return rc;
    wasi_put_u32(np, (uint32_t)done);
    return WASI_ESUCCESS;
}

WASI_HOST_FN(fd_pread) {
    (void)d;
    WASI_RET(positional(ctx, args, false));
}

WASI_HOST_FN(fd_pwrite) {
    (void)d;
    WASI_RET(positional(ctx, args, true));
}
