/*
 * wasi_dir.c — WASI preview1 fd_readdir(fd, buf, buf_len, cookie, bufused_ptr).
 *
 * Entries are written as the witx `dirent` (u64 d_next @0, u64 d_ino @8, u32 d_namlen @16, u8 d_type @20;
 * 24 bytes) followed by the name, until the buffer is full; the last entry may be cut, and bufused ==
 * buf_len tells the guest to read on from the last whole entry's d_next (wasi-libc does). A cookie is the
 * host directory offset after the entry (glibc's telldir value, Linux's d_off); 0 starts from the
 * beginning. "." and ".." are listed, as the host lists them.
 * Bound: buf_len above max_readdir_bytes (default 64 KiB) is EINVAL — a shorter fill would read as the end
 * of the directory — so one call writes at most that many bytes and reads at most as many host entries.
 */
#define _GNU_SOURCE
#include "engine/wasi_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

static uint8_t dtype(unsigned char t) {
    switch (t) {
    case DT_REG: return WASI_FILETYPE_REGULAR_FILE;
    case DT_DIR: return WASI_FILETYPE_DIRECTORY;
    case DT_LNK: return WASI_FILETYPE_SYMBOLIC_LINK;
    case DT_CHR: return WASI_FILETYPE_CHARACTER_DEVICE;
    case DT_BLK: return WASI_FILETYPE_BLOCK_DEVICE;
    case DT_SOCK: return WASI_FILETYPE_SOCKET_STREAM;
    default: return WASI_FILETYPE_UNKNOWN;
    }
}

WASI_HOST_FN(fd_readdir) {
    (void)d;
    int32_t err;
    uint32_t buf = WASI_ARG_U32(1), len = WASI_ARG_U32(2);
    uint64_t cookie = WASI_ARG_U64(3);
    wasi_fd *e = eng_wasi_fd_get(ctx, WASI_ARG_U32(0), 0, &err);
    if (!e) WASI_RET(err);
    if (e->kind != WASI_FD_DIR) WASI_RET(WASI_ENOTDIR);
    if (!(e->base & WASI_RIGHT_FD_READDIR)) WASI_RET(WASI_ENOTCAPABLE);
    uint8_t *out = eng_ctx_mem(ctx, buf, len);
    uint8_t *used = eng_ctx_mem(ctx, WASI_ARG_U32(4), 4);
    if (!out || !used) WASI_RET(WASI_EFAULT);
    if (len > eng_wasi_limits_of(eng_ctx_wasi(ctx)).max_readdir_bytes) WASI_RET(WASI_EINVAL);
    if (cookie > (uint64_t)INT64_MAX) WASI_RET(WASI_EINVAL);
    if (!e->dir) {
        int dup_fd = fcntl(e->host, F_DUPFD_CLOEXEC, 0);
        if (dup_fd < 0) WASI_RET(eng_wasi_errno(errno));
        e->dir = fdopendir(dup_fd);
        if (!e->dir) {
            int en = errno;
            close(dup_fd);
            WASI_RET(eng_wasi_errno(en));
        }
    }
    if (cookie == 0) rewinddir(e->dir);
    else seekdir(e->dir, (long)cookie);
    uint32_t n = 0;
    while (n < len) {
        errno = 0;
        struct dirent *de = readdir(e->dir);
        if (!de) {
            if (errno) WASI_RET(eng_wasi_errno(errno));
            break;
        }
        size_t namlen = strlen(de->d_name);
        uint8_t hdr[24] = {0};
        wasi_put_u64(hdr, (uint64_t)de->d_off);
        wasi_put_u64(hdr + 8, (uint64_t)de->d_ino);
        wasi_put_u32(hdr + 16, (uint32_t)namlen);
        hdr[20] = dtype(de->d_type);
        uint32_t take = len - n < 24 ? len - n : 24;
        memcpy(out + n, hdr, take);
        n += take;
        take = len - n < namlen ? len - n : (uint32_t)namlen;
        memcpy(out + n, de->d_name, take);
        n += take;
    }
    wasi_put_u32(used, n);
    WASI_RET(WASI_ESUCCESS);
}
