/*
 * wasi_internal.h — what the WASI preview1 files (wasi*.c) share: the preview1 constants, the per-instance
 * fd table, guest-memory helpers and the host functions each file provides to the table in wasi.c.
 *
 * Reference: WebAssembly/WASI, legacy/preview1/witx/typenames.witx and wasi_snapshot_preview1.witx (the
 * values below are those of wasi-libc's <wasi/api.h>, generated from that witx). All multi-byte guest
 * values are little-endian and may be unaligned, so they are read and written bytewise.
 */
#ifndef WACTOR_ENGINE_WASI_INTERNAL_H
#define WACTOR_ENGINE_WASI_INTERNAL_H

#include <dirent.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "engine/engine.h"

/* errno */
enum {
    WASI_ESUCCESS = 0,
    WASI_E2BIG = 1,
    WASI_EACCES = 2,
    WASI_EAGAIN = 6,
    WASI_EBADF = 8,
    WASI_EBUSY = 10,
    WASI_EEXIST = 20,
    WASI_EFAULT = 21,
    WASI_EFBIG = 22,
    WASI_EINTR = 27,
    WASI_EINVAL = 28,
    WASI_EIO = 29,
    WASI_EISDIR = 31,
    WASI_ELOOP = 32,
    WASI_EMFILE = 33,
    WASI_EMLINK = 34,
    WASI_ENAMETOOLONG = 37,
    WASI_ENFILE = 41,
    WASI_ENOBUFS = 42,
    WASI_ENODEV = 43,
    WASI_ENOENT = 44,
    WASI_ENOMEM = 48,
    WASI_ENOSPC = 51,
    WASI_ENOSYS = 52,
    WASI_ENOTDIR = 54,
    WASI_ENOTEMPTY = 55,
    WASI_ENOTSOCK = 57,
    WASI_ENOTSUP = 58,
    WASI_ENOTTY = 59,
    WASI_ENXIO = 60,
    WASI_EOVERFLOW = 61,
    WASI_EPERM = 63,
    WASI_EPIPE = 64,
    WASI_ERANGE = 68,
    WASI_EROFS = 69,
    WASI_ESPIPE = 70,
    WASI_ESRCH = 71,
    WASI_ESTALE = 72,
    WASI_ETIMEDOUT = 73,
    WASI_ETXTBSY = 74,
    WASI_EXDEV = 75,
    WASI_ENOTCAPABLE = 76,
};

/* filetype */
enum {
    WASI_FILETYPE_UNKNOWN = 0,
    WASI_FILETYPE_BLOCK_DEVICE = 1,
    WASI_FILETYPE_CHARACTER_DEVICE = 2,
    WASI_FILETYPE_DIRECTORY = 3,
    WASI_FILETYPE_REGULAR_FILE = 4,
    WASI_FILETYPE_SOCKET_DGRAM = 5,
    WASI_FILETYPE_SOCKET_STREAM = 6,
    WASI_FILETYPE_SYMBOLIC_LINK = 7,
};

/* fdflags, oflags, lookupflags, fstflags, whence, subclockflags, eventtype */
enum { WASI_FDFLAG_APPEND = 1, WASI_FDFLAG_DSYNC = 2, WASI_FDFLAG_NONBLOCK = 4, WASI_FDFLAG_RSYNC = 8,
       WASI_FDFLAG_SYNC = 16 };
enum { WASI_O_CREAT = 1, WASI_O_DIRECTORY = 2, WASI_O_EXCL = 4, WASI_O_TRUNC = 8 };
enum { WASI_LOOKUP_SYMLINK_FOLLOW = 1 };
enum { WASI_FST_ATIM = 1, WASI_FST_ATIM_NOW = 2, WASI_FST_MTIM = 4, WASI_FST_MTIM_NOW = 8 };
enum { WASI_WHENCE_SET = 0, WASI_WHENCE_CUR = 1, WASI_WHENCE_END = 2 };
enum { WASI_SUBCLOCK_ABSTIME = 1 };
enum { WASI_EVENT_CLOCK = 0, WASI_EVENT_FD_READ = 1, WASI_EVENT_FD_WRITE = 2 };
enum { WASI_CLOCK_REALTIME = 0, WASI_CLOCK_MONOTONIC = 1 };

/* rights */
#define WASI_R(bit) (UINT64_C(1) << (bit))
#define WASI_RIGHT_FD_DATASYNC WASI_R(0)
#define WASI_RIGHT_FD_READ WASI_R(1)
#define WASI_RIGHT_FD_SEEK WASI_R(2)
#define WASI_RIGHT_FD_FDSTAT_SET_FLAGS WASI_R(3)
#define WASI_RIGHT_FD_SYNC WASI_R(4)
#define WASI_RIGHT_FD_TELL WASI_R(5)
#define WASI_RIGHT_FD_WRITE WASI_R(6)
#define WASI_RIGHT_FD_ADVISE WASI_R(7)
#define WASI_RIGHT_FD_ALLOCATE WASI_R(8)
#define WASI_RIGHT_PATH_CREATE_DIRECTORY WASI_R(9)
#define WASI_RIGHT_PATH_CREATE_FILE WASI_R(10)
#define WASI_RIGHT_PATH_LINK_SOURCE WASI_R(11)
#define WASI_RIGHT_PATH_LINK_TARGET WASI_R(12)
#define WASI_RIGHT_PATH_OPEN WASI_R(13)
#define WASI_RIGHT_FD_READDIR WASI_R(14)
#define WASI_RIGHT_PATH_READLINK WASI_R(15)
#define WASI_RIGHT_PATH_RENAME_SOURCE WASI_R(16)
#define WASI_RIGHT_PATH_RENAME_TARGET WASI_R(17)
#define WASI_RIGHT_PATH_FILESTAT_GET WASI_R(18)
#define WASI_RIGHT_PATH_FILESTAT_SET_SIZE WASI_R(19)
#define WASI_RIGHT_PATH_FILESTAT_SET_TIMES WASI_R(20)
#define WASI_RIGHT_FD_FILESTAT_GET WASI_R(21)
#define WASI_RIGHT_FD_FILESTAT_SET_SIZE WASI_R(22)
#define WASI_RIGHT_FD_FILESTAT_SET_TIMES WASI_R(23)
#define WASI_RIGHT_PATH_SYMLINK WASI_R(24)
#define WASI_RIGHT_PATH_REMOVE_DIRECTORY WASI_R(25)
#define WASI_RIGHT_PATH_UNLINK_FILE WASI_R(26)
#define WASI_RIGHT_POLL_FD_READWRITE WASI_R(27)
#define WASI_RIGHT_SOCK_SHUTDOWN WASI_R(28)
#define WASI_RIGHT_SOCK_ACCEPT WASI_R(29)

/* What a regular file / a directory can do at all, and what a read-only preopen takes away. */
#define WASI_RIGHTS_FILE                                                                                  \
    (WASI_RIGHT_FD_DATASYNC | WASI_RIGHT_FD_READ | WASI_RIGHT_FD_SEEK | WASI_RIGHT_FD_FDSTAT_SET_FLAGS |  \
     WASI_RIGHT_FD_SYNC | WASI_RIGHT_FD_TELL | WASI_RIGHT_FD_WRITE | WASI_RIGHT_FD_ADVISE |               \
     WASI_RIGHT_FD_ALLOCATE | WASI_RIGHT_FD_FILESTAT_GET | WASI_RIGHT_FD_FILESTAT_SET_SIZE |              \
     WASI_RIGHT_FD_FILESTAT_SET_TIMES | WASI_RIGHT_POLL_FD_READWRITE)
#define WASI_RIGHTS_DIR                                                                                   \
    (WASI_RIGHT_FD_DATASYNC | WASI_RIGHT_FD_FDSTAT_SET_FLAGS | WASI_RIGHT_FD_SYNC |                       \
     WASI_RIGHT_PATH_CREATE_DIRECTORY | WASI_RIGHT_PATH_CREATE_FILE | WASI_RIGHT_PATH_LINK_SOURCE |       \
     WASI_RIGHT_PATH_LINK_TARGET | WASI_RIGHT_PATH_OPEN | WASI_RIGHT_FD_READDIR |                         \
     WASI_RIGHT_PATH_READLINK | WASI_RIGHT_PATH_RENAME_SOURCE | WASI_RIGHT_PATH_RENAME_TARGET |           \
     WASI_RIGHT_PATH_FILESTAT_GET | WASI_RIGHT_PATH_FILESTAT_SET_SIZE |                                   \
     WASI_RIGHT_PATH_FILESTAT_SET_TIMES | WASI_RIGHT_FD_FILESTAT_GET | WASI_RIGHT_FD_FILESTAT_SET_TIMES | \
     WASI_RIGHT_PATH_SYMLINK | WASI_RIGHT_PATH_REMOVE_DIRECTORY | WASI_RIGHT_PATH_UNLINK_FILE |           \
     WASI_RIGHT_POLL_FD_READWRITE)
#define WASI_RIGHTS_WRITING                                                                               \
    (WASI_RIGHT_FD_WRITE | WASI_RIGHT_FD_ALLOCATE | WASI_RIGHT_PATH_CREATE_DIRECTORY |                    \
     WASI_RIGHT_PATH_CREATE_FILE | WASI_RIGHT_PATH_LINK_SOURCE | WASI_RIGHT_PATH_LINK_TARGET |            \
     WASI_RIGHT_PATH_RENAME_SOURCE | WASI_RIGHT_PATH_RENAME_TARGET | WASI_RIGHT_PATH_FILESTAT_SET_SIZE |  \
     WASI_RIGHT_PATH_FILESTAT_SET_TIMES | WASI_RIGHT_FD_FILESTAT_SET_SIZE |                               \
     WASI_RIGHT_FD_FILESTAT_SET_TIMES | WASI_RIGHT_PATH_SYMLINK | WASI_RIGHT_PATH_REMOVE_DIRECTORY |      \
     WASI_RIGHT_PATH_UNLINK_FILE)
#define WASI_RIGHTS_STDIN \
    (WASI_RIGHT_FD_READ | WASI_RIGHT_FD_FDSTAT_SET_FLAGS | WASI_RIGHT_FD_FILESTAT_GET | WASI_RIGHT_POLL_FD_READWRITE)
#define WASI_RIGHTS_STDOUT \
    (WASI_RIGHT_FD_WRITE | WASI_RIGHT_FD_FDSTAT_SET_FLAGS | WASI_RIGHT_FD_FILESTAT_GET | WASI_RIGHT_POLL_FD_READWRITE)

/* ------------------------------------------------------------------ the fd table (wasi_fd.c) */

typedef enum wasi_fd_kind {
    WASI_FD_FREE = 0,
    WASI_FD_STDIN,  /* the virtual standard streams: eng_wasi.read / eng_wasi.write */
    WASI_FD_STDOUT,
    WASI_FD_STDERR,
    WASI_FD_FILE,   /* a host regular file */
    WASI_FD_DIR,    /* a host directory (a preopen, or opened beneath one) */
} wasi_fd_kind;

typedef struct wasi_fd {
    uint8_t kind;         /* wasi_fd_kind */
    uint8_t filetype;     /* WASI filetype */
    uint16_t fdflags;     /* WASI fdflags */
    int host;             /* host fd (FILE, DIR), else -1 */
    uint64_t base, inh;   /* rights */
    char *preopen;        /* guest path of a preopened directory, else NULL */
    DIR *dir;             /* fd_readdir's stream (over a dup of host), made on first use */
} wasi_fd;

struct eng_wasi_fds {
    wasi_fd *fd;          /* cap entries; free ones have kind WASI_FD_FREE */
    uint32_t cap, max;    /* max = the limit max_fds */
};

/* The effective limits (defaults filled in). */
eng_wasi_limits eng_wasi_limits_of(const eng_wasi *w);

/* The entry for guest fd `fd`, or NULL with *err = EBADF. With rights != 0, also *err = ENOTCAPABLE (and
 * NULL) unless the fd holds all of them. Without an opened table, fds 0-2 resolve to read-only static
 * entries (the caller must not modify them: see eng_wasi_fd_table). */
wasi_fd *eng_wasi_fd_get(eng_call_ctx *ctx, uint32_t fd, uint64_t rights, int32_t *err);
/* The opened table, or NULL (no eng_wasi_open: nothing can be opened, closed or renumbered). */
eng_wasi_fds *eng_wasi_fd_table(eng_call_ctx *ctx);
/* Puts `e` into the lowest free slot; returns the guest fd, or -1 (table at max_fds: EMFILE). On failure
 * the caller still owns e's host fd. */
int64_t eng_wasi_fd_insert(eng_wasi_fds *t, const wasi_fd *e);
/* Closes the entry's host resources and frees the slot. */
void eng_wasi_fd_release(wasi_fd *e);

/* ------------------------------------------------------------------ helpers (wasi.c) */

int32_t eng_wasi_errno(int host_errno); /* host errno -> WASI errno (EIO for the unexpected) */

static inline void wasi_put_u16(uint8_t *p, uint16_t v) {
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}
static inline void wasi_put_u32(uint8_t *p, uint32_t v) {
    for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}
static inline void wasi_put_u64(uint8_t *p, uint64_t v) {
    for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i));
}
static inline uint32_t wasi_get_u32(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline uint64_t wasi_get_u64(const uint8_t *p) {
    return (uint64_t)wasi_get_u32(p) | (uint64_t)wasi_get_u32(p + 4) << 32;
}
static inline uint16_t wasi_get_u16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }

/* Writes a u32/u64 result to guest memory; false if the pointer is bad. */
bool eng_wasi_store_u32(eng_call_ctx *ctx, uint32_t ptr, uint32_t v);
bool eng_wasi_store_u64(eng_call_ctx *ctx, uint32_t ptr, uint64_t v);

/* Fills a 64-byte WASI filestat from a host stat. */
struct stat;
void eng_wasi_filestat(uint8_t *out, const struct stat *st);
uint8_t eng_wasi_filetype_of_mode(unsigned mode);

#define WASI_ARG_U32(i) ((uint32_t)args[i].of.i32)
#define WASI_ARG_U64(i) ((uint64_t)args[i].of.i64)
#define WASI_RET(errno_value)                           \
    do {                                                \
        results[0].type = WACTOR_I32;                   \
        results[0].of.i32 = (int32_t)(errno_value);     \
        return 0;                                       \
    } while (0)

/* The host functions, one per preview1 import, in the files named. */
#define WASI_HOST_FN(name) int eng_wasi_##name(eng_call_ctx *ctx, const wactor_value *args, wactor_value *results, void *d)
/* wasi_fd.c */
WASI_HOST_FN(fd_advise); WASI_HOST_FN(fd_allocate); WASI_HOST_FN(fd_close); WASI_HOST_FN(fd_datasync);
WASI_HOST_FN(fd_fdstat_get); WASI_HOST_FN(fd_fdstat_set_flags); WASI_HOST_FN(fd_fdstat_set_rights);
WASI_HOST_FN(fd_filestat_get); WASI_HOST_FN(fd_filestat_set_size); WASI_HOST_FN(fd_filestat_set_times);
WASI_HOST_FN(fd_prestat_get); WASI_HOST_FN(fd_prestat_dir_name); WASI_HOST_FN(fd_renumber);
WASI_HOST_FN(fd_seek); WASI_HOST_FN(fd_sync); WASI_HOST_FN(fd_tell);
/* wasi_io.c */
WASI_HOST_FN(fd_read); WASI_HOST_FN(fd_write); WASI_HOST_FN(fd_pread); WASI_HOST_FN(fd_pwrite);
/* wasi_dir.c */
WASI_HOST_FN(fd_readdir);
/* wasi_path.c */
WASI_HOST_FN(path_create_directory); WASI_HOST_FN(path_filestat_get); WASI_HOST_FN(path_filestat_set_times);
WASI_HOST_FN(path_link); WASI_HOST_FN(path_open); WASI_HOST_FN(path_readlink);
WASI_HOST_FN(path_remove_directory); WASI_HOST_FN(path_rename); WASI_HOST_FN(path_symlink);
WASI_HOST_FN(path_unlink_file);
/* wasi_poll.c */
WASI_HOST_FN(poll_oneoff);

/* wasi_fd.c: times for futimens/utimensat from WASI (atim, mtim, fst_flags); false = EINVAL. */
bool eng_wasi_times(uint64_t atim, uint64_t mtim, uint32_t fst, struct timespec ts[2]);

#endif
