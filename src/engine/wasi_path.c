/*
 * wasi_path.c — the WASI preview1 path functions, confined to the preopened directories: path_open,
 * path_create_directory, path_remove_directory, path_unlink_file, path_filestat_get,
 * path_filestat_set_times, path_readlink, path_rename, path_link, path_symlink.
 *
 * Confinement is the kernel's: every path a guest gives is resolved with openat2(2) and
 * RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS relative to the directory fd it names. The kernel then refuses
 * (EXDEV, reported as ENOTCAPABLE) any resolution that would leave that directory: "..", absolute paths,
 * absolute symlinks, relative symlinks that climb out, /proc magic links — and it detects renames racing
 * with the walk (EAGAIN, retried a few times). Operations that act on a name rather than on an open file
 * (mkdir, unlink, rename, link, symlink) first open the *parent* that way (O_PATH | O_DIRECTORY), then act
 * on the last component with the *at() call, which never follows it; a last component "." or ".." is
 * handled without touching it (it could name the directory above a preopen). A trailing slash is
 * stripped and checked (a name with one must be a directory), because the kernel would otherwise follow
 * a symlink in that position. Requires Linux >= 5.6 (openat2); without it every path call is ENOSYS.
 *
 * Rights (ENOTCAPABLE when missing) are checked on the directory fd as the witx names them. Without an
 * opened fd table (eng_wasi_open) there is no directory at all: every path function is ENOTCAPABLE.
 * Reference: wasi_snapshot_preview1.witx; openat2(2).
 */
#define _GNU_SOURCE
#include "engine/wasi_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define BENEATH_RETRIES 16 /* openat2 returns EAGAIN when a rename raced with the walk */

/* The directory entry a path is relative to: must be a directory with `rights`. */
static wasi_fd *dir_get(eng_call_ctx *ctx, uint32_t fd, uint64_t rights, int32_t *err) {
    if (!eng_wasi_fd_table(ctx)) {
        *err = WASI_ENOTCAPABLE;
        return NULL;
    }
    wasi_fd *e = eng_wasi_fd_get(ctx, fd, 0, err);
    if (!e) return NULL;
    if (e->kind != WASI_FD_DIR) {
        *err = WASI_ENOTDIR;
        return NULL;
    }
    if ((e->base & rights) != rights) {
        *err = WASI_ENOTCAPABLE;
        return NULL;
    }
    return e;
}

/* Copies the guest path (ptr, len) into a new NUL-terminated string. EFAULT, ENAMETOOLONG (over
 * max_path_bytes), EINVAL (a NUL byte inside), ENOMEM. */
static int32_t get_path(eng_call_ctx *ctx, uint32_t ptr, uint32_t len, char **out) {
    *out = NULL;
    const char *src = eng_ctx_mem(ctx, ptr, len);
    if (!src) return WASI_EFAULT;
    if (len > eng_wasi_limits_of(eng_ctx_wasi(ctx)).max_path_bytes) return WASI_ENAMETOOLONG;
    if (memchr(src, 0, len)) return WASI_EINVAL;
    char *s = malloc((size_t)len + 1);
    if (!s) return WASI_ENOMEM;
    memcpy(s, src, len);
    s[len] = 0;
    *out = s;
    return WASI_ESUCCESS;
}

/* openat2(dirfd, path, flags, mode) confined beneath dirfd. Returns a WASI errno; *out the host fd. */
static int32_t beneath(int dirfd, const char *path, int flags, mode_t mode, int *out) {
    *out = -1;
    if (path[0] == '/') return WASI_ENOTCAPABLE;
    struct open_how how = {.flags = (uint64_t)flags | O_CLOEXEC, .mode = (flags & O_CREAT) ? mode : 0,
                           .resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS};
    for (int i = 0; i < BENEATH_RETRIES; i++) {
        long fd = syscall(SYS_openat2, dirfd, path, &how, sizeof how);
        if (fd >= 0) {
            *out = (int)fd;
            return WASI_ESUCCESS;
        }
        if (errno == EAGAIN || errno == EINTR) continue;
        if (errno == EXDEV) return WASI_ENOTCAPABLE;
        return eng_wasi_errno(errno);
    }
    return WASI_EAGAIN;
}

/* A path split into the opened parent directory and its last component. */
typedef struct parent {
    int fd;        /* the parent directory (O_PATH), or the base directory itself when !own */
    bool own;
    const char *last; /* the last component, trailing slashes removed (points into the path) */
    bool slash;    /* the path ended in '/' */
    bool dots;     /* last is "." or ".." */
    int32_t dots_rc; /* for dots: whether the whole path resolves beneath the directory (0) or not */
} parent;

static void parent_close(parent *p) {
    if (p->own && p->fd >= 0) close(p->fd);
    p->fd = -1;
    p->own = false;
}

/* Splits `path` (modified in place) beneath dirfd. ENOTCAPABLE for absolute paths, ENOENT for "". */
static int32_t split(int dirfd, char *path, parent *p) {
    *p = (parent){.fd = -1};
    if (path[0] == '/') return WASI_ENOTCAPABLE;
    size_t n = strlen(path);
    while (n > 0 && path[n - 1] == '/') {
        path[--n] = 0;
        p->slash = true;
    }
    if (n == 0) return WASI_ENOENT;
    char *cut = strrchr(path, '/');
    const char *last = cut ? cut + 1 : path;
    p->dots = strcmp(last, ".") == 0 || strcmp(last, "..") == 0;
    if (p->dots) { /* "a/.." is fine, ".." is not: the whole path must resolve beneath dirfd */
        int fd;
        p->dots_rc = beneath(dirfd, path, O_PATH | O_DIRECTORY, 0, &fd);
        if (fd >= 0) close(fd);
    }
    if (!cut) {
        p->fd = dirfd;
        p->last = path;
        return WASI_ESUCCESS;
    }
    p->last = cut + 1;
    while (cut > path && cut[-1] == '/') cut--; /* "a//b" */
    *cut = 0;
    int32_t rc = beneath(dirfd, path, O_PATH | O_DIRECTORY, 0, &p->fd);
    if (rc) return rc;
    p->own = true;
    return WASI_ESUCCESS;
}

/* For a last component "." or "..": 0 if the path as a whole resolves beneath the directory. */
static int32_t check_dots(int dirfd, const parent *p) {
    (void)dirfd;
    return p->dots_rc;
}

/* Whether name (NOFOLLOW) under dirfd is a directory: 1 yes, 0 no, or -WASI errno. */
static int is_dir(int dirfd, const char *name) {
    struct stat st;
    if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) return -eng_wasi_errno(errno);
    return S_ISDIR(st.st_mode) ? 1 : 0;
}

static bool ends_with_slash(const char *s) {
    size_t n = strlen(s);
    return n && s[n - 1] == '/';
}

/* ------------------------------------------------------------------ path_open */

/* path_open(fd, dirflags, path, path_len, oflags, rights_base, rights_inheriting, fdflags, fd_ptr). */
WASI_HOST_FN(path_open) {
    (void)d;
    uint32_t dirflags = WASI_ARG_U32(1), oflags = WASI_ARG_U32(4), fdflags = WASI_ARG_U32(7);
    uint64_t base = WASI_ARG_U64(5), inh = WASI_ARG_U64(6);
    int32_t err;
    uint64_t need = WASI_RIGHT_PATH_OPEN | ((oflags & WASI_O_CREAT) ? WASI_RIGHT_PATH_CREATE_FILE : 0) |
                    ((oflags & WASI_O_TRUNC) ? WASI_RIGHT_PATH_FILESTAT_SET_SIZE : 0);
    wasi_fd *e = dir_get(ctx, WASI_ARG_U32(0), need, &err);
    if (!e) WASI_RET(err);
    if (oflags & ~0xfu || fdflags & ~0x1fu || dirflags & ~1u) WASI_RET(WASI_EINVAL);
    uint8_t *fd_out = eng_ctx_mem(ctx, WASI_ARG_U32(8), 4);
    if (!fd_out) WASI_RET(WASI_EFAULT);
    char *path;
    int32_t rc = get_path(ctx, WASI_ARG_U32(2), WASI_ARG_U32(3), &path);
    if (rc) WASI_RET(rc);

    uint64_t nbase = base & e->inh, ninh = inh & e->inh;
    bool rd = nbase & (WASI_RIGHT_FD_READ | WASI_RIGHT_FD_READDIR);
    bool wr = nbase & (WASI_RIGHT_FD_WRITE | WASI_RIGHT_FD_FILESTAT_SET_SIZE);
    int flags = O_NOCTTY | O_NONBLOCK; /* a FIFO must not block the open; cleared below */
    if (oflags & WASI_O_DIRECTORY) /* a directory opened for writing is EISDIR, from the kernel */
        flags |= O_DIRECTORY | ((nbase & WASI_RIGHT_FD_WRITE) ? (rd ? O_RDWR : O_WRONLY) : O_RDONLY);
    else if (wr) flags |= rd ? O_RDWR : O_WRONLY;
    else flags |= O_RDONLY;
    if (oflags & WASI_O_CREAT) flags |= O_CREAT;
    if (oflags & WASI_O_EXCL) flags |= O_EXCL;
    if (oflags & WASI_O_TRUNC) flags |= O_TRUNC;
    if (!(dirflags & WASI_LOOKUP_SYMLINK_FOLLOW)) flags |= O_NOFOLLOW;
    if (fdflags & WASI_FDFLAG_APPEND) flags |= O_APPEND;
    if (fdflags & WASI_FDFLAG_DSYNC) flags |= O_DSYNC;
    if (fdflags & (WASI_FDFLAG_SYNC | WASI_FDFLAG_RSYNC)) flags |= O_SYNC;
    int hfd;
    rc = beneath(e->host, path, flags, 0666, &hfd);
    free(path);
    if (rc) WASI_RET(rc);
    struct stat st;
    if (fstat(hfd, &st) != 0) {
        rc = eng_wasi_errno(errno);
        close(hfd);
        WASI_RET(rc);
    }
    if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
        close(hfd);
        WASI_RET(WASI_ENOTSUP); /* FIFOs, sockets and devices would block or reach outside */
    }
    if (!(fdflags & WASI_FDFLAG_NONBLOCK)) fcntl(hfd, F_SETFL, fcntl(hfd, F_GETFL) & ~O_NONBLOCK);
    bool dir = S_ISDIR(st.st_mode);
    wasi_fd ne = {.kind = dir ? WASI_FD_DIR : WASI_FD_FILE, .filetype = eng_wasi_filetype_of_mode(st.st_mode),
                  .fdflags = (uint16_t)fdflags, .host = hfd,
                  .base = nbase & (dir ? WASI_RIGHTS_DIR : WASI_RIGHTS_FILE), .inh = ninh};
    int64_t nfd = eng_wasi_fd_insert(eng_wasi_fd_table(ctx), &ne);
    if (nfd < 0) {
        close(hfd);
        WASI_RET(WASI_EMFILE);
    }
    wasi_put_u32(fd_out, (uint32_t)nfd);
    WASI_RET(WASI_ESUCCESS);
}

/* ------------------------------------------------------------------ directories and names */

/* Gets the directory and the path for a name operation: common prologue. */
static int32_t name_op(eng_call_ctx *ctx, uint32_t fd, uint64_t right, uint32_t ptr, uint32_t len,
                       wasi_fd **e, char **path, parent *p) {
    int32_t err;
    *path = NULL;
    *p = (parent){.fd = -1};
    *e = dir_get(ctx, fd, right, &err);
    if (!*e) return err;
    err = get_path(ctx, ptr, len, path);
    if (err) return err;
    return split((*e)->host, *path, p);
}

WASI_HOST_FN(path_create_directory) {
    (void)d;
    wasi_fd *e;
    char *path;
    parent p;
    int32_t rc = name_op(ctx, WASI_ARG_U32(0), WASI_RIGHT_PATH_CREATE_DIRECTORY, WASI_ARG_U32(1),
                         WASI_ARG_U32(2), &e, &path, &p);
    if (!rc) {
        if (p.dots) {
            rc = check_dots(e->host, &p);
            if (!rc) rc = WASI_EEXIST;
        }
        else if (mkdirat(p.fd, p.last, 0777) != 0) rc = eng_wasi_errno(errno);
    }
    parent_close(&p);
    free(path);
    WASI_RET(rc);
}

WASI_HOST_FN(path_remove_directory) {
    (void)d;
    wasi_fd *e;
    char *path;
    parent p;
    int32_t rc = name_op(ctx, WASI_ARG_U32(0), WASI_RIGHT_PATH_REMOVE_DIRECTORY, WASI_ARG_U32(1),
                         WASI_ARG_U32(2), &e, &path, &p);
    if (!rc) {
        if (p.dots) {
            rc = check_dots(e->host, &p);
            if (!rc) rc = strcmp(p.last, ".") == 0 ? WASI_EINVAL : WASI_ENOTEMPTY;
        } else if (unlinkat(p.fd, p.last, AT_REMOVEDIR) != 0) {
            rc = eng_wasi_errno(errno);
        }
    }
    parent_close(&p);
    free(path);
    WASI_RET(rc);
}

WASI_HOST_FN(path_unlink_file) {
    (void)d;
    wasi_fd *e;
    char *path;
    parent p;
    int32_t rc = name_op(ctx, WASI_ARG_U32(0), WASI_RIGHT_PATH_UNLINK_FILE, WASI_ARG_U32(1), WASI_ARG_U32(2),
                         &e, &path, &p);
    if (!rc) {
        if (p.dots) {
            rc = check_dots(e->host, &p);
            if (!rc) rc = WASI_EISDIR;
        } else if (p.slash) {
            int dir = is_dir(p.fd, p.last);
            rc = dir < 0 ? -dir : dir ? WASI_EISDIR : WASI_ENOTDIR;
        } else if (unlinkat(p.fd, p.last, 0) != 0) {
            rc = eng_wasi_errno(errno);
        }
    }
    parent_close(&p);
    free(path);
    WASI_RET(rc);
}

/* ------------------------------------------------------------------ stat, times, readlink */

/* Opens the whole path as O_PATH beneath the directory: the final symlink is followed only with
 * SYMLINK_FOLLOW (or a trailing slash, which makes it a directory lookup). */
static int32_t open_whole(eng_call_ctx *ctx, uint32_t fd, uint64_t right, uint32_t lookup, uint32_t ptr,
                          uint32_t len, int extra, int *hfd) {
    int32_t err;
    *hfd = -1;
    wasi_fd *e = dir_get(ctx, fd, right, &err);
    if (!e) return err;
    if (lookup & ~1u) return WASI_EINVAL;
    char *path;
    err = get_path(ctx, ptr, len, &path);
    if (err) return err;
    int flags = O_PATH | extra;
    if (ends_with_slash(path)) flags |= O_DIRECTORY;
    else if (!(lookup & WASI_LOOKUP_SYMLINK_FOLLOW)) flags |= O_NOFOLLOW;
    err = beneath(e->host, path, flags, 0, hfd);
    free(path);
    return err;
}

/* path_filestat_get(fd, flags, path, path_len, buf) */
WASI_HOST_FN(path_filestat_get) {
    (void)d;
    uint8_t *out = eng_ctx_mem(ctx, WASI_ARG_U32(4), 64);
    int hfd;
    int32_t rc = open_whole(ctx, WASI_ARG_U32(0), WASI_RIGHT_PATH_FILESTAT_GET, WASI_ARG_U32(1), WASI_ARG_U32(2),
                            WASI_ARG_U32(3), 0, &hfd);
    if (!rc && !out) rc = WASI_EFAULT;
    if (!rc) {
        struct stat st;
        if (fstat(hfd, &st) != 0) rc = eng_wasi_errno(errno);
        else eng_wasi_filestat(out, &st);
    }
    if (hfd >= 0) close(hfd);
    WASI_RET(rc);
}

/* path_filestat_set_times(fd, flags, path, path_len, atim, mtim, fst_flags) */
WASI_HOST_FN(path_filestat_set_times) {
    (void)d;
    struct timespec ts[2];
    if (!eng_wasi_times(WASI_ARG_U64(4), WASI_ARG_U64(5), WASI_ARG_U32(6), ts)) {
        int32_t err;
        if (!dir_get(ctx, WASI_ARG_U32(0), 0, &err)) WASI_RET(err);
        WASI_RET(WASI_EINVAL);
    }
    int hfd;
    int32_t rc = open_whole(ctx, WASI_ARG_U32(0), WASI_RIGHT_PATH_FILESTAT_SET_TIMES, WASI_ARG_U32(1),
                            WASI_ARG_U32(2), WASI_ARG_U32(3), 0, &hfd);
    if (!rc && utimensat(hfd, "", ts, AT_EMPTY_PATH) != 0) rc = eng_wasi_errno(errno);
    if (hfd >= 0) close(hfd);
    WASI_RET(rc);
}

/* path_readlink(fd, path, path_len, buf, buf_len, bufused_ptr): the target, cut to buf_len (no NUL). */
WASI_HOST_FN(path_readlink) {
    (void)d;
    uint32_t buf_len = WASI_ARG_U32(4);
    uint8_t *out = eng_ctx_mem(ctx, WASI_ARG_U32(3), buf_len);
    uint8_t *used = eng_ctx_mem(ctx, WASI_ARG_U32(5), 4);
    int hfd;
    int32_t rc = open_whole(ctx, WASI_ARG_U32(0), WASI_RIGHT_PATH_READLINK, 0, WASI_ARG_U32(1), WASI_ARG_U32(2),
                            0, &hfd);
    if (!rc && (!out || !used)) rc = WASI_EFAULT;
    if (!rc) {
        char tmp[4096];
        ssize_t n = readlinkat(hfd, "", tmp, sizeof tmp);
        if (n < 0) rc = errno == ENOENT ? WASI_EINVAL : eng_wasi_errno(errno); /* not a symlink */
        else {
            size_t k = (size_t)n < buf_len ? (size_t)n : buf_len;
            memcpy(out, tmp, k);
            wasi_put_u32(used, (uint32_t)k);
        }
    }
    if (hfd >= 0) close(hfd);
    WASI_RET(rc);
}

/* ------------------------------------------------------------------ rename, link, symlink */

/* path_rename(fd, old_path, old_len, new_fd, new_path, new_len) */
WASI_HOST_FN(path_rename) {
    (void)d;
    wasi_fd *e1, *e2;
    char *p1s = NULL, *p2s = NULL;
    parent a = {.fd = -1}, b = {.fd = -1};
    int32_t rc = name_op(ctx, WASI_ARG_U32(0), WASI_RIGHT_PATH_RENAME_SOURCE, WASI_ARG_U32(1), WASI_ARG_U32(2),
                         &e1, &p1s, &a);
    if (!rc) rc = name_op(ctx, WASI_ARG_U32(3), WASI_RIGHT_PATH_RENAME_TARGET, WASI_ARG_U32(4), WASI_ARG_U32(5),
                          &e2, &p2s, &b);
    if (!rc && (a.dots || b.dots)) {
        rc = a.dots ? check_dots(e1->host, &a) : 0;
        if (!rc && b.dots) rc = check_dots(e2->host, &b);
        if (!rc) rc = WASI_EBUSY;
    }
    if (!rc && (a.slash || b.slash)) {
        int dir = is_dir(a.fd, a.last);
        if (dir < 0) rc = -dir;
        else if (!dir) rc = WASI_ENOTDIR;
    }
    if (!rc && renameat(a.fd, a.last, b.fd, b.last) != 0) rc = eng_wasi_errno(errno);
    parent_close(&a);
    parent_close(&b);
    free(p1s);
    free(p2s);
    WASI_RET(rc);
}

/* The new name of a link or symlink: "." / ".." and existing names are EEXIST; a trailing slash on a
 * missing name is ENOENT. Returns 0 when the name may be created. */
static int32_t check_new_name(const parent *p, int dirfd) {
    if (p->dots) {
        int32_t rc = check_dots(dirfd, p);
        return rc ? rc : WASI_EEXIST;
    }
    if (p->slash) {
        struct stat st;
        return fstatat(p->fd, p->last, &st, AT_SYMLINK_NOFOLLOW) == 0 ? WASI_EEXIST : WASI_ENOENT;
    }
    return WASI_ESUCCESS;
}

/* path_link(old_fd, old_flags, old_path, old_len, new_fd, new_path, new_len) */
WASI_HOST_FN(path_link) {
    (void)d;
    uint32_t old_flags = WASI_ARG_U32(1);
    wasi_fd *e1, *e2;
    char *p1s = NULL, *p2s = NULL;
    parent a = {.fd = -1}, b = {.fd = -1};
    int src = -1;
    int32_t rc = name_op(ctx, WASI_ARG_U32(4), WASI_RIGHT_PATH_LINK_TARGET, WASI_ARG_U32(5), WASI_ARG_U32(6),
                         &e2, &p2s, &b);
    if (!rc) rc = check_new_name(&b, e2->host);
    if (!rc && (old_flags & WASI_LOOKUP_SYMLINK_FOLLOW)) {
        /* resolve the source (following, beneath), then link what it is through its /proc magic link */
        rc = open_whole(ctx, WASI_ARG_U32(0), WASI_RIGHT_PATH_LINK_SOURCE, WASI_LOOKUP_SYMLINK_FOLLOW,
                        WASI_ARG_U32(2), WASI_ARG_U32(3), 0, &src);
        if (!rc) {
            char proc[64];
            snprintf(proc, sizeof proc, "/proc/self/fd/%d", src);
            if (linkat(AT_FDCWD, proc, b.fd, b.last, AT_SYMLINK_FOLLOW) != 0) rc = eng_wasi_errno(errno);
        }
    } else if (!rc) {
        if (old_flags & ~1u) rc = WASI_EINVAL;
        if (!rc) rc = name_op(ctx, WASI_ARG_U32(0), WASI_RIGHT_PATH_LINK_SOURCE, WASI_ARG_U32(2), WASI_ARG_U32(3),
                              &e1, &p1s, &a);
        if (!rc && a.dots) {
            rc = check_dots(e1->host, &a);
            if (!rc) rc = WASI_EPERM; /* directories cannot be linked */
        }
        if (!rc && a.slash) {
            int dir = is_dir(a.fd, a.last);
            rc = dir < 0 ? -dir : dir ? WASI_EPERM : WASI_ENOTDIR;
        }
        if (!rc && linkat(a.fd, a.last, b.fd, b.last, 0) != 0) rc = eng_wasi_errno(errno);
    }
    if (src >= 0) close(src);
    parent_close(&a);
    parent_close(&b);
    free(p1s);
    free(p2s);
    WASI_RET(rc);
}

/* path_symlink(old_path, old_len, fd, new_path, new_len): creates new_path -> old_path. The target text is
 * stored as given — it is never followed out of a preopen by a guest — but an absolute target is refused
 * (ENOTCAPABLE), so that the host does not meet one either. */
WASI_HOST_FN(path_symlink) {
    (void)d;
    wasi_fd *e;
    char *target = NULL, *path = NULL;
    parent p = {.fd = -1};
    int32_t rc = name_op(ctx, WASI_ARG_U32(2), WASI_RIGHT_PATH_SYMLINK, WASI_ARG_U32(3), WASI_ARG_U32(4), &e,
                         &path, &p);
    if (!rc) rc = get_path(ctx, WASI_ARG_U32(0), WASI_ARG_U32(1), &target);
    if (!rc && target[0] == '/') rc = WASI_ENOTCAPABLE;
    if (!rc && target[0] == 0) rc = WASI_ENOENT;
    if (!rc) rc = check_new_name(&p, e->host);
    if (!rc && symlinkat(target, p.fd, p.last) != 0) rc = eng_wasi_errno(errno);
    parent_close(&p);
    free(path);
    free(target);
    WASI_RET(rc);
}
