/*
 * test_engine_wasi.c — WASI preview1 (src/engine/wasi*.c) through the engine interface, on real
 * WebAssembly: tests/fixtures/wasi_fs.c (clang wasm32-wasi + wasi-libc) calls every preview1 function
 * through raw imports, so the tests control each pointer, length and flag, and runs libc programs
 * (stdio, dirent, unistd) on top of them.
 *
 * The tree each test gets (a fresh mkdtemp directory `root`):
 *   root/secret.txt         "TOP SECRET"          <- outside every preopen: must never be reached
 *   root/box/               preopened read-write as "/data" (guest fd 3)
 *   root/box/file.txt       "0123456789"
 *   root/box/secret.txt     "INSIDE"              (what a race must find instead of root/secret.txt)
 *   root/box/deep/x/
 *   root/box/up -> ..   root/box/uplink -> ../secret.txt   root/box/abs -> ROOT (absolute)
 *   root/box/absin -> ROOT/box/file.txt   root/box/inner -> file.txt   root/box/loop1 <-> loop2
 *   root/ro/r.txt "read only"  preopened read-only as "/ro" (guest fd 4)
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "engine/engine.h"
#include "support.h"

/* WASI errno values used below (preview1) */
enum {
    E_BADF = 8, E_BUSY = 10, E_EXIST = 20, E_FAULT = 21, E_INVAL = 28, E_ISDIR = 31, E_LOOP = 32, E_MFILE = 33,
    E_NAMETOOLONG = 37, E_NOENT = 44, E_NOSYS = 52, E_NOTDIR = 54, E_NOTEMPTY = 55, E_NOTSOCK = 57,
    E_NOTSUP = 58, E_PERM = 63, E_SPIPE = 70, E_NOTCAPABLE = 76,
};
enum { O_CREAT_W = 1, O_DIR_W = 2, O_EXCL_W = 4, O_TRUNC_W = 8 };
#define ALL_RIGHTS INT64_C(-1)
#define R_FD_READ (INT64_C(1) << 1)
#define R_FD_SEEK (INT64_C(1) << 2)
#define R_FD_WRITE (INT64_C(1) << 6)
#define R_FD_TELL (INT64_C(1) << 5)
#define READ_RIGHTS (R_FD_READ | R_FD_SEEK | R_FD_TELL | (INT64_C(1) << 21) | (INT64_C(1) << 14))
#define DIR_RIGHTS (ALL_RIGHTS & ~R_FD_WRITE) /* what a guest asks for a directory */
#define FOLLOW 1
#define PRE 3    /* "/data" */
#define PRE_RO 4 /* "/ro" */

/* ------------------------------------------------------------------ fixture plumbing */

typedef struct sink {
    size_t bytes[3];  /* per stream */
    int calls;
    char text[4096];  /* the first bytes of stdout */
    size_t ntext;
    const char *stdin_data;
    size_t stdin_pos;
} sink;

static void sink_write(void *user, int fd, const uint8_t *bytes, size_t len) {
    sink *s = user;
    s->calls++;
    s->bytes[fd] += len;
    if (fd == 1)
        for (size_t i = 0; i < len && s->ntext + 1 < sizeof s->text; i++) s->text[s->ntext++] = (char)bytes[i];
}

static long sink_read(void *user, uint8_t *buf, size_t len) {
    sink *s = user;
    size_t left = strlen(s->stdin_data) - s->stdin_pos;
    size_t n = left < len ? left : len;
    memcpy(buf, s->stdin_data + s->stdin_pos, n);
    s->stdin_pos += n;
    return (long)n;
}

typedef struct world {
    char root[256], box[300], ro[300];
    eng_wasi_preopen pre[2];
    eng_wasi w;
    sink out;
    eng_module *mod;
    eng_instance *inst;
} world;

static void put_file(const char *dir, const char *name, const char *text) {
    char p[600];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw) {
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(p);
}

static void make_tree(world *W) {
    snprintf(W->root, sizeof W->root, "/tmp/wactor-wasi-XXXXXX");
    assert_non_null(mkdtemp(W->root));
    snprintf(W->box, sizeof W->box, "%s/box", W->root);
    snprintf(W->ro, sizeof W->ro, "%s/ro", W->root);
    assert_int_equal(mkdir(W->box, 0755), 0);
    assert_int_equal(mkdir(W->ro, 0755), 0);
    put_file(W->root, "secret.txt", "TOP SECRET");
    put_file(W->box, "file.txt", "0123456789");
    put_file(W->box, "secret.txt", "INSIDE");
    put_file(W->ro, "r.txt", "read only");
    char p[700], q[700];
    snprintf(p, sizeof p, "%s/deep", W->box);
    assert_int_equal(mkdir(p, 0755), 0);
    snprintf(p, sizeof p, "%s/deep/x", W->box);
    assert_int_equal(mkdir(p, 0755), 0);
    snprintf(p, sizeof p, "%s/up", W->box);
    assert_int_equal(symlink("..", p), 0);
    snprintf(p, sizeof p, "%s/uplink", W->box);
    assert_int_equal(symlink("../secret.txt", p), 0);
    snprintf(p, sizeof p, "%s/abs", W->box);
    assert_int_equal(symlink(W->root, p), 0);
    snprintf(p, sizeof p, "%s/absin", W->box);
    snprintf(q, sizeof q, "%s/file.txt", W->box);
    assert_int_equal(symlink(q, p), 0);
    snprintf(p, sizeof p, "%s/inner", W->box);
    assert_int_equal(symlink("file.txt", p), 0);
    snprintf(p, sizeof p, "%s/loop1", W->box);
    assert_int_equal(symlink("loop2", p), 0);
    snprintf(p, sizeof p, "%s/loop2", W->box);
    assert_int_equal(symlink("loop1", p), 0);
}

static int fd_count(void) {
    int n = 0;
    DIR *d = opendir("/proc/self/fd");
    assert_non_null(d);
    while (readdir(d)) n++;
    closedir(d);
    return n;
}

static eng_module *load_fixture(const char *name) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s.wasm", WACTOR_FIXTURES, name);
    FILE *f = fopen(path, "rb");
    if (!f) fail_msg("cannot open fixture %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *b = malloc((size_t)n);
    assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    eng_module *m = NULL;
    wactor_diag d;
    if (eng_module_load(b, (size_t)n, &m, &d) != 0) fail_msg("load %s: %s", name, d.message);
    free(b);
    return m;
}

/* Builds the tree, opens the WASI config (two preopens unless `bare`) and instantiates wasi_fs. */
static world *world_new(bool bare, const eng_wasi_limits *lim) {
    world *W = calloc(1, sizeof *W);
    assert_non_null(W);
    make_tree(W);
    W->pre[0] = (eng_wasi_preopen){.host_path = W->box, .guest_path = "/data"};
    W->pre[1] = (eng_wasi_preopen){.host_path = W->ro, .guest_path = "/ro", .read_only = true};
    W->w.write = sink_write;
    W->w.write_user = &W->out;
    if (!bare) {
        W->w.preopens = W->pre;
        W->w.npreopens = 2;
    }
    if (lim) W->w.limits = *lim;
    wactor_diag d;
    if (eng_wasi_open(&W->w, &d) != 0) fail_msg("eng_wasi_open: %s", d.message);
    W->mod = load_fixture("wasi_fs");
    eng_instance_opts o = {.wasi = &W->w, .max_pages = 2048};
    if (eng_instance_new(W->mod, &o, &W->inst, &d) != 0) fail_msg("instantiate: %s", d.message);
    wactor_value r;
    size_t nr;
    assert_int_equal(eng_call_sync(W->inst, "_initialize", NULL, 0, &r, 1, &nr, &d), ENG_DONE);
    return W;
}

static void world_free(world *W) {
    if (W->inst) eng_instance_free(W->inst);
    eng_wasi_close(&W->w);
    if (W->mod) eng_module_release(W->mod);
    nftw(W->root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    free(W);
}

static wactor_value I32(int32_t v) { wactor_value x = {.type = WACTOR_I32, .of.i32 = v}; return x; }
static wactor_value I64(int64_t v) { wactor_value x = {.type = WACTOR_I64, .of.i64 = v}; return x; }

static int64_t callv(world *W, const char *name, const wactor_value *args, size_t n) {
    wactor_value r[2];
    size_t nr = 0;
    wactor_diag d;
    eng_status st = eng_call_sync(W->inst, name, args, n, r, 2, &nr, &d);
    if (st != ENG_DONE) fail_msg("%s: status %d: %s", name, (int)st, d.message);
    if (nr == 0) return 0;
    return r[0].type == WACTOR_I64 ? r[0].of.i64 : r[0].of.i32;
}
#define CALL(W, name, ...) callv(W, name, (wactor_value[]){__VA_ARGS__}, sizeof((wactor_value[]){__VA_ARGS__}) / sizeof(wactor_value))
#define CALL0(W, name) callv(W, name, NULL, 0)

static uint8_t *gmem(world *W, uint32_t off, uint32_t len) {
    uint8_t *p = eng_instance_mem(W->inst, off, len);
    assert_non_null(p);
    return p;
}
static uint32_t io_at(world *W) { return (uint32_t)CALL0(W, "io_ptr"); }

/* Writes a path (or any bytes) into io[off..) and returns its length. */
static int32_t put_io(world *W, uint32_t off, const char *s) {
    size_t n = strlen(s);
    memcpy(gmem(W, io_at(W) + off, (uint32_t)n), s, n);
    return (int32_t)n;
}

/* path_open of `path` below dirfd; returns the fd or -errno. */
static int32_t gopen(world *W, int dirfd, int lookup, const char *path, int oflags, int64_t rights) {
    int32_t n = put_io(W, 0, path);
    return (int32_t)CALL(W, "r_open", I32(dirfd), I32(lookup), I32(n), I32(oflags), I64(rights), I64(rights), I32(0));
}

/* Reads up to len bytes from fd into a NUL-terminated host string; returns the count or -errno. */
static int32_t gread(world *W, int fd, char *out, int len) {
    int32_t n = (int32_t)CALL(W, "r_read", I32(fd), I32(len), I32(1));
    if (n > 0) memcpy(out, gmem(W, io_at(W) + 32768, (uint32_t)n), (size_t)n);
    out[n > 0 ? n : 0] = 0;
    return n;
}

static int32_t gwrite(world *W, int fd, const char *text) {
    int32_t n = put_io(W, 32768, text);
    return (int32_t)CALL(W, "r_write", I32(fd), I32(n));
}

static bool host_exists(const char *dir, const char *name) {
    char p[700];
    struct stat st;
    snprintf(p, sizeof p, "%s/%s", dir, name);
    return lstat(p, &st) == 0;
}

static void host_read(const char *dir, const char *name, char *out, size_t cap) {
    char p[700];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "r");
    assert_non_null(f);
    size_t n = fread(out, 1, cap - 1, f);
    out[n] = 0;
    fclose(f);
}

/* ------------------------------------------------------------------ the table */

static void test_every_function_is_provided(void **state) {
    (void)state;
    static const char *const names[] = {
        "args_get", "args_sizes_get", "environ_get", "environ_sizes_get", "clock_res_get", "clock_time_get",
        "fd_advise", "fd_allocate", "fd_close", "fd_datasync", "fd_fdstat_get", "fd_fdstat_set_flags",
        "fd_fdstat_set_rights", "fd_filestat_get", "fd_filestat_set_size", "fd_filestat_set_times", "fd_pread",
        "fd_prestat_get", "fd_prestat_dir_name", "fd_pwrite", "fd_read", "fd_readdir", "fd_renumber", "fd_seek",
        "fd_sync", "fd_tell", "fd_write", "path_create_directory", "path_filestat_get",
        "path_filestat_set_times", "path_link", "path_open", "path_readlink", "path_remove_directory",
        "path_rename", "path_symlink", "path_unlink_file", "poll_oneoff", "proc_exit", "proc_raise",
        "sched_yield", "random_get", "sock_accept", "sock_recv", "sock_send", "sock_shutdown"};
    size_t n = 0;
    const eng_host_func *f = eng_wasi_funcs(&n);
    assert_int_equal(n, sizeof names / sizeof names[0]);
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        bool found = false;
        for (size_t j = 0; j < n; j++)
            if (strcmp(f[j].name, names[i]) == 0 && strcmp(f[j].module, "wasi_snapshot_preview1") == 0) found = true;
        if (!found) fail_msg("missing %s", names[i]);
    }
    /* The fixture imports 40 of them with the witx signatures: it instantiates (signatures match). */
    world *W = world_new(false, NULL);
    size_t nimp = eng_module_import_count(W->mod), nwasi = 0;
    for (size_t i = 0; i < nimp; i++) {
        eng_extern_info info;
        assert_int_equal(eng_module_import(W->mod, i, &info), 0);
        if (strcmp(info.module, "wasi_snapshot_preview1") == 0) nwasi++;
    }
    assert_true(nwasi >= 40);
    world_free(W);
}

/* ------------------------------------------------------------------ deny by default */

static void test_deny_by_default(void **state) {
    (void)state;
    world *W = world_new(true, NULL); /* zeroed config: no preopens, args, env */
    assert_int_equal(CALL(W, "r_prestat", I32(3), I32(-1)), -E_BADF);
    assert_int_equal(gopen(W, 3, FOLLOW, "file.txt", 0, ALL_RIGHTS), -E_BADF);
    assert_int_equal(CALL0(W, "c_escapes"), 0);
    assert_int_equal(CALL0(W, "c_getenv"), -1);
    assert_int_equal(CALL0(W, "c_files"), 1); /* fopen fails: there is no /data */
    /* the standard streams are there */
    assert_int_equal(CALL(W, "r_fdstat", I32(1)), 2);
    assert_int_equal(CALL(W, "r_fdstat", I32(3)), -E_BADF);
    world_free(W);

    /* Without eng_wasi_open at all: stdio only, path functions are ENOTCAPABLE, stdio stays put. */
    eng_wasi w = {0};
    eng_module *m = load_fixture("wasi_fs");
    eng_instance *inst;
    wactor_diag d;
    eng_instance_opts o = {.wasi = &w};
    assert_int_equal(eng_instance_new(m, &o, &inst, &d), 0);
    wactor_value r[1];
    size_t nr;
    assert_int_equal(eng_call_sync(inst, "r_open", (wactor_value[]){I32(3), I32(1), I32(1), I32(0), I64(-1), I64(-1), I32(0)},
                                   7, r, 1, &nr, &d), ENG_DONE);
    assert_int_equal(r[0].of.i32, -E_NOTCAPABLE);
    assert_int_equal(eng_call_sync(inst, "r_close", (wactor_value[]){I32(1)}, 1, r, 1, &nr, &d), ENG_DONE);
    assert_int_equal(r[0].of.i32, 0);
    assert_int_equal(eng_call_sync(inst, "r_fdstat", (wactor_value[]){I32(1)}, 1, r, 1, &nr, &d), ENG_DONE);
    assert_int_equal(r[0].of.i32, 2); /* still there */
    assert_int_equal(eng_call_sync(inst, "r_renumber", (wactor_value[]){I32(1), I32(2)}, 2, r, 1, &nr, &d), ENG_DONE);
    assert_int_equal(r[0].of.i32, -E_NOTSUP);
    eng_instance_free(inst);
    eng_module_release(m);
}

static void test_open_errors(void **state) {
    (void)state;
    int before = fd_count();
    eng_wasi_preopen pre[3] = {{.host_path = "/tmp", .guest_path = "/tmp"},
                               {.host_path = "/nonexistent/wactor", .guest_path = "/x"},
                               {.host_path = "/tmp", .guest_path = ""}};
    eng_wasi w = {.preopens = pre, .npreopens = 2};
    wactor_diag d;
    assert_int_equal(eng_wasi_open(&w, &d), -1);
    assert_non_null(strstr(d.message, "wasi: preopen /nonexistent/wactor: No such file or directory"));
    assert_null(w.fds);
    assert_int_equal(fd_count(), before); /* /tmp was opened, then closed again */
    pre[1] = (eng_wasi_preopen){.host_path = "/etc/hostname", .guest_path = "/x"};
    assert_int_equal(eng_wasi_open(&w, &d), -1);
    assert_non_null(strstr(d.message, "Not a directory"));
    w.preopens = pre + 2;
    w.npreopens = 1;
    assert_int_equal(eng_wasi_open(&w, &d), -1);
    assert_non_null(strstr(d.message, "empty or over-long guest path"));
    w.preopens = pre;
    w.npreopens = 1;
    w.limits.max_fds = 3;
    assert_int_equal(eng_wasi_open(&w, &d), -1);
    assert_non_null(strstr(d.message, "1 preopens exceed max_fds 3"));
    w.limits.max_fds = 0;
    assert_int_equal(eng_wasi_open(&w, &d), 0);
    assert_int_equal(eng_wasi_open(&w, &d), -1);
    assert_non_null(strstr(d.message, "already open"));
    eng_wasi_close(&w);
    eng_wasi_close(&w); /* twice is fine */
    assert_int_equal(fd_count(), before);
}

/* ------------------------------------------------------------------ files through libc */

static void test_libc_files(void **state) {
    (void)state;
    world *W = world_new(false, NULL);
    assert_int_equal(CALL(W, "r_prestat", I32(3), I32(-1)), 5);
    assert_memory_equal(gmem(W, io_at(W) + 32768, 5), "/data", 5);
    assert_int_equal(CALL(W, "r_prestat", I32(4), I32(-1)), 3);
    assert_int_equal(CALL(W, "r_prestat", I32(3), I32(2)), -E_NAMETOOLONG);
    assert_int_equal(CALL0(W, "c_files"), 0);
    assert_false(host_exists(W->box, "hello.txt"));
    assert_false(host_exists(W->box, "sub"));
    assert_int_equal(CALL0(W, "c_escapes"), 0);
    char text[64];
    host_read(W->root, "secret.txt", text, sizeof text);
    assert_string_equal(text, "TOP SECRET");
    world_free(W);
}

/* ------------------------------------------------------------------ escapes */

static void test_escapes_open(void **state) {
    (void)state;
    world *W = world_new(false, NULL);
    static const char *const refused[] = {
        "..", "../secret.txt", "../box/file.txt", "/etc/passwd", "/", "//etc/passwd", "up", "up/secret.txt",
        "uplink", "abs", "abs/secret.txt", "absin", "deep/../../secret.txt", "deep/x/../../../secret.txt",
        "deep/x/../../..", "./../secret.txt", "up/box/file.txt", "/proc/self/root/etc/passwd",
        "deep/../up/secret.txt", "../../../../../../../../etc/passwd"};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        int32_t fd = gopen(W, PRE, FOLLOW, refused[i], 0, READ_RIGHTS);
        if (fd != -E_NOTCAPABLE) fail_msg("open %s: %d, expected -ENOTCAPABLE", refused[i], fd);
        fd = gopen(W, PRE, FOLLOW, refused[i], O_CREAT_W, ALL_RIGHTS);
        if (fd >= 0) fail_msg("create %s succeeded", refused[i]);
    }
    /* ...while what stays inside works, symlinks included */
    char buf[64];
    int32_t fd = gopen(W, PRE, FOLLOW, "inner", 0, READ_RIGHTS);
    assert_true(fd >= 0);
    assert_int_equal(gread(W, fd, buf, 63), 10);
    assert_string_equal(buf, "0123456789");
    fd = gopen(W, PRE, FOLLOW, "deep/x/../../secret.txt", 0, READ_RIGHTS);
    assert_true(fd >= 0);
    assert_int_equal(gread(W, fd, buf, 63), 6);
    assert_string_equal(buf, "INSIDE");
    /* without SYMLINK_FOLLOW a final symlink is not followed */
    assert_int_equal(gopen(W, PRE, 0, "inner", 0, READ_RIGHTS), -E_LOOP);
    assert_int_equal(gopen(W, PRE, FOLLOW, "loop1", 0, READ_RIGHTS), -E_LOOP);
    /* a subdirectory fd confines to itself */
    int32_t sub = gopen(W, PRE, FOLLOW, "deep", O_DIR_W, DIR_RIGHTS);
    assert_true(sub >= 0);
    assert_int_equal(gopen(W, sub, FOLLOW, "../file.txt", 0, READ_RIGHTS), -E_NOTCAPABLE);
    assert_true(gopen(W, sub, FOLLOW, "x/..", O_DIR_W, DIR_RIGHTS) >= 0);
    /* malformed paths */
    int32_t n = put_io(W, 0, "file.txt");
    gmem(W, io_at(W), 8)[4] = 0; /* "file\0txt" */
    assert_int_equal(CALL(W, "r_open", I32(PRE), I32(1), I32(n), I32(0), I64(READ_RIGHTS), I64(0), I32(0)), -E_INVAL);
    assert_int_equal(CALL(W, "r_open", I32(PRE), I32(1), I32(5000), I32(0), I64(READ_RIGHTS), I64(0), I32(0)),
                     -E_NAMETOOLONG);
    assert_int_equal(CALL(W, "r_open", I32(PRE), I32(1), I32(0), I32(0), I64(READ_RIGHTS), I64(0), I32(0)), -E_NOENT);
    uint32_t mem_size;
    eng_instance_memory(W->inst, &mem_size);
    assert_int_equal(CALL(W, "r_open_at", I32(PRE), I32((int32_t)mem_size - 2), I32(8), I32(0)), -E_FAULT);
    assert_int_equal(CALL(W, "r_open_at", I32(PRE), I32(0), I32(8), I32((int32_t)mem_size - 2)), -E_FAULT);
    assert_int_equal(CALL(W, "r_open", I32(PRE), I32(1), I32(4), I32(0x10), I64(0), I64(0), I32(0)), -E_INVAL);
    /* not a directory fd */
    assert_int_equal(gopen(W, 1, FOLLOW, "file.txt", 0, READ_RIGHTS), -E_NOTDIR);
    assert_int_equal(gopen(W, 77, FOLLOW, "file.txt", 0, READ_RIGHTS), -E_BADF);
    /* a FIFO would block the open (and every read): refused at once */
    char p[700];
    snprintf(p, sizeof p, "%s/fifo", W->box);
    assert_int_equal(mkfifo(p, 0644), 0);
    uint64_t t0 = now_ms();
    assert_int_equal(gopen(W, PRE, FOLLOW, "fifo", 0, READ_RIGHTS), -E_NOTSUP);
    assert_int_equal(gopen(W, PRE, FOLLOW, "fifo", 0, R_FD_WRITE), -60); /* ENXIO: no reader, no wait */
    assert_true(now_ms() - t0 < 1000);
    world_free(W);
}

/* Every path function, aimed outside: refused, and nothing outside changes. */
static void test_escapes_path_functions(void **state) {
    (void)state;
    world *W = world_new(false, NULL);
    struct stat before, after;
    assert_int_equal(stat(W->root, &before), 0);
    int32_t n, n2;
    /* create / remove / unlink */
    static const char *const out_names[] = {"../made", "up/made", "abs/made", "/made", "deep/../../made"};
    for (size_t i = 0; i < 5; i++) {
        n = put_io(W, 0, out_names[i]);
        assert_int_equal(CALL(W, "r_mkdir", I32(PRE), I32(n)), -E_NOTCAPABLE);
        assert_int_equal(CALL(W, "r_symlink", I32(put_io(W, 0, "x")), I32(PRE), I32(put_io(W, 8192, out_names[i]))),
                         -E_NOTCAPABLE);
    }
    assert_false(host_exists(W->root, "made"));
    static const char *const out_files[] = {"../secret.txt", "up/secret.txt", "abs/secret.txt", "/tmp"};
    for (size_t i = 0; i < 4; i++) {
        n = put_io(W, 0, out_files[i]);
        assert_int_equal(CALL(W, "r_unlink", I32(PRE), I32(n)), -E_NOTCAPABLE);
        assert_int_equal(CALL(W, "r_rmdir", I32(PRE), I32(n)), -E_NOTCAPABLE);
        assert_int_equal(CALL(W, "r_stat", I32(PRE), I32(FOLLOW), I32(n)), -E_NOTCAPABLE);
        assert_int_equal(CALL(W, "r_stat", I32(PRE), I32(0), I32(n)), -E_NOTCAPABLE);
        assert_int_equal(CALL(W, "r_set_times", I32(PRE), I32(FOLLOW), I32(n), I64(0), I64(0), I32(4)), -E_NOTCAPABLE);
        assert_int_equal(CALL(W, "r_readlink", I32(PRE), I32(n), I32(100)), -E_NOTCAPABLE);
        /* rename and link, out of and into the preopen */
        n2 = put_io(W, 8192, "stolen");
        assert_int_equal(CALL(W, "r_rename", I32(PRE), I32(n), I32(PRE), I32(n2)), -E_NOTCAPABLE);
        assert_int_equal(CALL(W, "r_link", I32(PRE), I32(0), I32(n), I32(PRE), I32(n2)), -E_NOTCAPABLE);
        assert_int_equal(CALL(W, "r_link", I32(PRE), I32(FOLLOW), I32(n), I32(PRE), I32(n2)), -E_NOTCAPABLE);
    }
    n = put_io(W, 0, "file.txt");
    n2 = put_io(W, 8192, "../stolen");
    assert_int_equal(CALL(W, "r_rename", I32(PRE), I32(n), I32(PRE), I32(n2)), -E_NOTCAPABLE);
    assert_int_equal(CALL(W, "r_link", I32(PRE), I32(0), I32(n), I32(PRE), I32(n2)), -E_NOTCAPABLE);
    assert_false(host_exists(W->root, "stolen"));
    assert_false(host_exists(W->box, "stolen"));
    /* a symlink that leads out, followed by link(): refused; unfollowed, the link itself is linked */
    n = put_io(W, 0, "uplink");
    n2 = put_io(W, 8192, "hard");
    assert_int_equal(CALL(W, "r_link", I32(PRE), I32(FOLLOW), I32(n), I32(PRE), I32(n2)), -E_NOTCAPABLE);
    assert_false(host_exists(W->box, "hard"));
    /* the last component "." / ".." never reaches the directory above */
    n = put_io(W, 0, "..");
    assert_int_equal(CALL(W, "r_rmdir", I32(PRE), I32(n)), -E_NOTCAPABLE);
    assert_int_equal(CALL(W, "r_unlink", I32(PRE), I32(n)), -E_NOTCAPABLE);
    assert_int_equal(CALL(W, "r_mkdir", I32(PRE), I32(n)), -E_NOTCAPABLE);
    assert_int_equal(CALL(W, "r_set_times", I32(PRE), I32(0), I32(n), I64(0), I64(0), I32(4)), -E_NOTCAPABLE);
    n = put_io(W, 0, "deep/..");
    assert_int_equal(CALL(W, "r_rmdir", I32(PRE), I32(n)), -E_NOTEMPTY);
    assert_int_equal(CALL(W, "r_stat", I32(PRE), I32(0), I32(n)), 3);
    n = put_io(W, 0, ".");
    assert_int_equal(CALL(W, "r_rmdir", I32(PRE), I32(n)), -E_INVAL);
    assert_int_equal(CALL(W, "r_mkdir", I32(PRE), I32(n)), -E_EXIST);
    /* trailing slashes make a directory lookup: they must not follow a symlink out either */
    static const char *const slashed[] = {"uplink/", "up/", "abs/", "up//", "../"};
    for (size_t i = 0; i < 5; i++) {
        n = put_io(W, 0, slashed[i]);
        int32_t r = (int32_t)CALL(W, "r_stat", I32(PRE), I32(0), I32(n));
        if (r >= 0) fail_msg("stat %s reached %d", slashed[i], r);
        r = (int32_t)CALL(W, "r_set_times", I32(PRE), I32(0), I32(n), I64(0), I64(0), I32(4));
        assert_true(r < 0);
        r = (int32_t)CALL(W, "r_unlink", I32(PRE), I32(n));
        assert_true(r < 0);
        r = (int32_t)CALL(W, "r_rmdir", I32(PRE), I32(n));
        assert_true(r < 0);
    }
    assert_true(host_exists(W->root, "secret.txt"));
    assert_true(host_exists(W->box, "up"));
    /* absolute symlink targets are refused; relative ones are stored but cannot be followed out */
    n = put_io(W, 0, "/etc/passwd");
    n2 = put_io(W, 8192, "evil");
    assert_int_equal(CALL(W, "r_symlink", I32(n), I32(PRE), I32(n2)), -E_NOTCAPABLE);
    n = put_io(W, 0, "../secret.txt");
    assert_int_equal(CALL(W, "r_symlink", I32(n), I32(PRE), I32(n2)), 0);
    assert_int_equal(gopen(W, PRE, FOLLOW, "evil", 0, READ_RIGHTS), -E_NOTCAPABLE);
    n = put_io(W, 0, "evil");
    assert_int_equal(CALL(W, "r_readlink", I32(PRE), I32(n), I32(100)), 13);
    assert_memory_equal(gmem(W, io_at(W) + 32768, 13), "../secret.txt", 13);
    assert_int_equal(CALL(W, "r_readlink", I32(PRE), I32(n), I32(3)), 3); /* cut to the buffer */
    assert_int_equal(stat(W->root, &after), 0);
    assert_int_equal(before.st_mtim.tv_sec, after.st_mtim.tv_sec);
    assert_int_equal(before.st_mtim.tv_nsec, after.st_mtim.tv_nsec);
    char text[64];
    host_read(W->root, "secret.txt", text, sizeof text);
    assert_string_equal(text, "TOP SECRET");
    world_free(W);
}

/* A host thread swaps box/race between a directory and a symlink out (and box/mv in and out of the
 * preopen) while the guest opens through them: the guest must never read root/secret.txt. */
typedef struct racer {
    const char *box, *root;
    volatile int stop;
    long flips;
} racer;

static void *race_thread(void *arg) {
    racer *r = arg;
    char dir[700], tmp[700], link[700], mv[700], mvout[700];
    snprintf(dir, sizeof dir, "%s/race", r->box);
    snprintf(tmp, sizeof tmp, "%s/race.tmp", r->box);
    snprintf(link, sizeof link, "%s/race.lnk", r->box);
    snprintf(mv, sizeof mv, "%s/mv", r->box);
    snprintf(mvout, sizeof mvout, "%s/mv", r->root);
    while (!r->stop) {
        rename(link, dir);  /* race -> the root */
        rename(dir, link);
        rename(tmp, dir);   /* race -> a real directory */
        rename(dir, tmp);
        rename(mv, mvout);  /* mv leaves the preopen... */
        rename(mvout, mv);  /* ...and comes back */
        r->flips++;
    }
    return NULL;
}

static void test_escape_races(void **state) {
    (void)state;
    world *W = world_new(false, NULL);
    char p[700];
    snprintf(p, sizeof p, "%s/race.tmp", W->box);
    assert_int_equal(mkdir(p, 0755), 0);
    put_file(p, "secret.txt", "INSIDE");
    snprintf(p, sizeof p, "%s/race.lnk", W->box);
    assert_int_equal(symlink(W->root, p), 0);
    snprintf(p, sizeof p, "%s/mv", W->box);
    assert_int_equal(mkdir(p, 0755), 0);
    snprintf(p, sizeof p, "%s/mv/sub", W->box);
    assert_int_equal(mkdir(p, 0755), 0);
    racer r = {.box = W->box, .root = W->root};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, race_thread, &r), 0);
    int opened = 0, refused = 0;
    char buf[64];
    uint64_t t0 = now_ms();
    for (int i = 0; i < 4000 && now_ms() - t0 < 8000; i++) {
        const char *path = (i & 1) ? "race/secret.txt" : "mv/sub/../../secret.txt";
        int32_t fd = gopen(W, PRE, FOLLOW, path, 0, READ_RIGHTS);
        if (fd >= 0) {
            assert_int_equal(gread(W, fd, buf, 63), 6);
            if (strcmp(buf, "INSIDE") != 0) fail_msg("%s read \"%s\"", path, buf);
            CALL(W, "r_close", I32(fd));
            opened++;
        } else {
            refused++;
        }
        int32_t n = put_io(W, 0, path);
        int32_t st = (int32_t)CALL(W, "r_stat", I32(PRE), I32(FOLLOW), I32(n));
        if (st >= 0) assert_int_equal(CALL0(W, "r_stat_size"), 6); /* INSIDE, not TOP SECRET (10) */
    }
    r.stop = 1;
    pthread_join(th, NULL);
    print_message("race: %d opened inside, %d refused, %ld flips\n", opened, refused, r.flips);
    assert_true(opened > 0);
    assert_true(r.flips > 0);
    world_free(W);
}

/* ------------------------------------------------------------------ rights */

static void test_read_only_preopen(void **state) {
    (void)state;
    world *W = world_new(false, NULL);
    assert_int_equal(CALL(W, "r_fdstat", I32(PRE_RO)), 3);
    int64_t base = CALL0(W, "r_rights"), inh = CALL0(W, "r_rights_inh");
    assert_false(inh & R_FD_WRITE);
    assert_false(base & (INT64_C(1) << 9)); /* path_create_directory */
    assert_int_equal(gopen(W, PRE_RO, FOLLOW, "new.txt", O_CREAT_W, ALL_RIGHTS), -E_NOTCAPABLE);
    assert_int_equal(gopen(W, PRE_RO, FOLLOW, "r.txt", O_TRUNC_W, ALL_RIGHTS), -E_NOTCAPABLE);
    int32_t fd = gopen(W, PRE_RO, FOLLOW, "r.txt", 0, ALL_RIGHTS); /* asks for all: gets read rights */
    assert_true(fd >= 0);
    assert_int_equal(CALL(W, "r_fdstat", I32(fd)), 4);
    assert_false(CALL0(W, "r_rights") & R_FD_WRITE);
    assert_int_equal(gwrite(W, fd, "overwrite"), -E_NOTCAPABLE);
    assert_int_equal(CALL(W, "r_pwrite", I32(fd), I32(3), I64(0)), -E_NOTCAPABLE);
    assert_int_equal(CALL(W, "r_set_size", I32(fd), I64(0)), -E_NOTCAPABLE);
    assert_int_equal(CALL(W, "r_fset_times", I32(fd), I64(0), I64(0), I32(4)), -E_NOTCAPABLE);
    char buf[64];
    assert_int_equal(gread(W, fd, buf, 63), 9);
    int32_t n = put_io(W, 0, "r.txt");
    int32_t n2 = put_io(W, 8192, "r2.txt");
    assert_int_equal(CALL(W, "r_unlink", I32(PRE_RO), I32(n)), -E_NOTCAPABLE);
    assert_int_equal(CALL(W, "r_rename", I32(PRE_RO), I32(n), I32(PRE_RO), I32(n2)), -E_NOTCAPABLE);
    assert_int_equal(CALL(W, "r_rename", I32(PRE_RO), I32(n), I32(PRE), I32(n2)), -E_NOTCAPABLE);
    assert_int_equal(CALL(W, "r_link", I32(PRE_RO), I32(0), I32(n), I32(PRE), I32(n2)), -E_NOTCAPABLE);
    assert_int_equal(CALL(W, "r_mkdir", I32(PRE_RO), I32(n2)), -E_NOTCAPABLE);
    assert_int_equal(CALL(W, "r_symlink", I32(n), I32(PRE_RO), I32(n2)), -E_NOTCAPABLE);
    assert_int_equal(CALL(W, "r_set_times", I32(PRE_RO), I32(0), I32(n), I64(0), I64(0), I32(4)), -E_NOTCAPABLE);
    assert_int_equal(CALL(W, "r_stat", I32(PRE_RO), I32(0), I32(n)), 4); /* reading is allowed */
    /* a directory opened below a read-only preopen is read-only too */
    n = put_io(W, 0, ".");
    int32_t sub = (int32_t)CALL(W, "r_open", I32(PRE_RO), I32(1), I32(n), I32(O_DIR_W), I64(ALL_RIGHTS),
                                I64(ALL_RIGHTS), I32(0));
    assert_true(sub >= 0);
    assert_int_equal(gopen(W, sub, FOLLOW, "new.txt", O_CREAT_W, ALL_RIGHTS), -E_NOTCAPABLE);
    host_read(W->ro, "r.txt", buf, sizeof buf);
    assert_string_equal(buf, "read only");
    assert_false(host_exists(W->ro, "r2.txt"));
    assert_false(host_exists(W->box, "r2.txt"));
    /* rights can be dropped, never regained */
    fd = gopen(W, PRE, FOLLOW, "file.txt", 0, ALL_RIGHTS);
    assert_true(fd >= 0);
    assert_int_equal(CALL(W, "r_set_rights", I32(fd), I64(R_FD_WRITE | R_FD_SEEK), I64(0)), 0);
    assert_int_equal(gread(W, fd, buf, 10), -E_NOTCAPABLE);
    assert_int_equal(CALL(W, "r_set_rights", I32(fd), I64(R_FD_WRITE | R_FD_READ), I64(0)), -E_NOTCAPABLE);
    assert_int_equal(CALL(W, "r_tell", I32(fd)), 0); /* fd_seek covers a tell */
    assert_int_equal(CALL(W, "r_fstat", I32(fd)), -E_NOTCAPABLE);
    /* a file opened with read rights only is opened read-only on the host too */
    fd = gopen(W, PRE, FOLLOW, "file.txt", 0, READ_RIGHTS);
    assert_int_equal(gwrite(W, fd, "x"), -E_NOTCAPABLE);
    world_free(W);
}

/* ------------------------------------------------------------------ the fd table */

static void test_fd_table(void **state) {
    (void)state;
    int host_before = fd_count();
    eng_wasi_limits lim = {.max_fds = 10};
    world *W = world_new(false, &lim);
    int host_open = fd_count();
    int fds[8], k = 0;
    for (;;) {
        int32_t fd = gopen(W, PRE, FOLLOW, "file.txt", 0, READ_RIGHTS);
        if (fd < 0) {
            assert_int_equal(fd, -E_MFILE);
            break;
        }
        assert_true(k < 8);
        fds[k++] = fd;
    }
    assert_int_equal(k, 10 - 5); /* 3 streams + 2 preopens + 5 files = max_fds */
    assert_int_equal(fd_count(), host_open + 5);
    assert_int_equal(CALL(W, "r_close", I32(fds[2])), 0);
    assert_int_equal(CALL(W, "r_close", I32(fds[2])), -E_BADF);
    assert_int_equal(gopen(W, PRE, FOLLOW, "file.txt", 0, READ_RIGHTS), fds[2]); /* the lowest free number */
    assert_int_equal(gopen(W, PRE, FOLLOW, "file.txt", 0, READ_RIGHTS), -E_MFILE);
    /* renumber: a file over stdout; writes to fd 1 then land in the file */
    int32_t wfd = fds[0];
    CALL(W, "r_close", I32(wfd));
    wfd = gopen(W, PRE, FOLLOW, "out.txt", O_CREAT_W | O_TRUNC_W, ALL_RIGHTS);
    assert_true(wfd >= 0);
    assert_int_equal(CALL(W, "r_renumber", I32(wfd), I32(1)), 0);
    assert_int_equal(CALL(W, "r_fdstat", I32(wfd)), -E_BADF);
    assert_int_equal(gwrite(W, 1, "to the file"), 11);
    char buf[64];
    host_read(W->box, "out.txt", buf, sizeof buf);
    assert_string_equal(buf, "to the file");
    assert_int_equal(W->out.bytes[1], 0);
    /* stderr moved to another number keeps going to stderr */
    assert_int_equal(CALL(W, "r_renumber", I32(2), I32(fds[1])), 0);
    assert_int_equal(gwrite(W, fds[1], "err"), 3);
    assert_int_equal(W->out.bytes[2], 3);
    assert_int_equal(CALL(W, "r_renumber", I32(fds[1]), I32(99)), -E_BADF);
    assert_int_equal(CALL(W, "r_renumber", I32(99), I32(fds[1])), -E_BADF);
    assert_int_equal(CALL(W, "r_renumber", I32(fds[1]), I32(fds[1])), 0);
    /* a preopen can be closed; it is then gone */
    assert_int_equal(CALL(W, "r_close", I32(PRE_RO)), 0);
    assert_int_equal(CALL(W, "r_prestat", I32(PRE_RO), I32(-1)), -E_BADF);
    world_free(W);
    assert_int_equal(fd_count(), host_before); /* every host fd closed */
}

static void test_fd_operations(void **state) {
    (void)state;
    world *W = world_new(false, NULL);
    int32_t fd = gopen(W, PRE, FOLLOW, "file.txt", 0, ALL_RIGHTS);
    assert_true(fd >= 0);
    assert_int_equal(CALL(W, "r_fstat", I32(fd)), 4);
    assert_int_equal(CALL0(W, "r_stat_size"), 10);
    assert_int_equal(CALL(W, "r_seek", I32(fd), I64(4), I32(0)), 4);
    char buf[64];
    assert_int_equal(gread(W, fd, buf, 3), 3);
    assert_string_equal(buf, "456");
    assert_int_equal(CALL(W, "r_tell", I32(fd)), 7);
    assert_int_equal(CALL(W, "r_seek", I32(fd), I64(-2), I32(1)), 5);
    assert_int_equal(CALL(W, "r_seek", I32(fd), I64(-1), I32(2)), 9);
    assert_int_equal(CALL(W, "r_seek", I32(fd), I64(-100), I32(1)), -E_INVAL);
    assert_int_equal(CALL(W, "r_seek", I32(fd), I64(0), I32(3)), -E_INVAL);
    /* pread/pwrite do not move the offset */
    assert_int_equal(CALL(W, "r_pread", I32(fd), I32(4), I64(1)), 4);
    assert_memory_equal(gmem(W, io_at(W) + 32768, 4), "1234", 4);
    put_io(W, 32768, "AB");
    assert_int_equal(CALL(W, "r_pwrite", I32(fd), I32(2), I64(8)), 2);
    assert_int_equal(CALL(W, "r_tell", I32(fd)), 9);
    assert_int_equal(CALL(W, "r_pread", I32(fd), I32(4), I64(INT64_C(-1))), -E_INVAL);
    host_read(W->box, "file.txt", buf, sizeof buf);
    assert_string_equal(buf, "01234567AB");
    /* size, times, advice, sync */
    assert_int_equal(CALL(W, "r_set_size", I32(fd), I64(3)), 0);
    assert_int_equal(CALL(W, "r_fstat", I32(fd)), 4);
    assert_int_equal(CALL0(W, "r_stat_size"), 3);
    assert_int_equal(CALL(W, "r_set_size", I32(fd), I64(-1)), -E_INVAL);
    assert_int_equal(CALL(W, "r_fset_times", I32(fd), I64(0), I64(INT64_C(1500000000123456789)), I32(4)), 0);
    assert_int_equal(CALL(W, "r_fstat", I32(fd)), 4);
    assert_int_equal(CALL0(W, "r_stat_mtim"), INT64_C(1500000000123456789));
    assert_int_equal(CALL(W, "r_fset_times", I32(fd), I64(0), I64(0), I32(4 | 8)), -E_INVAL);
    assert_int_equal(CALL(W, "r_fset_times", I32(fd), I64(0), I64(0), I32(0x10)), -E_INVAL);
    assert_int_equal(CALL(W, "r_advise", I32(fd), I64(0), I64(100), I32(1)), 0);
    assert_int_equal(CALL(W, "r_advise", I32(fd), I64(0), I64(100), I32(9)), -E_INVAL);
    assert_int_equal(CALL(W, "r_allocate", I32(fd)), -E_NOTSUP);
    assert_int_equal(CALL(W, "r_sync", I32(fd)), 0);
    assert_int_equal(CALL(W, "r_datasync", I32(fd)), 0);
    /* append flag */
    assert_int_equal(CALL(W, "r_set_flags", I32(fd), I32(1)), 0);
    assert_int_equal(CALL(W, "r_fdstat", I32(fd)), 4);
    assert_int_equal(CALL0(W, "r_fdflags"), 1);
    assert_int_equal(CALL(W, "r_seek", I32(fd), I64(0), I32(0)), 0);
    assert_int_equal(gwrite(W, fd, "Z"), 1);
    host_read(W->box, "file.txt", buf, sizeof buf);
    assert_string_equal(buf, "012Z");
    assert_int_equal(CALL(W, "r_set_flags", I32(fd), I32(16)), -E_NOTSUP); /* sync cannot change */
    /* path_filestat_* and times by path */
    int32_t n = put_io(W, 0, "inner");
    assert_int_equal(CALL(W, "r_stat", I32(PRE), I32(0), I32(n)), 7);       /* the symlink itself */
    assert_int_equal(CALL(W, "r_stat", I32(PRE), I32(FOLLOW), I32(n)), 4);  /* its target */
    assert_int_equal(CALL(W, "r_set_times", I32(PRE), I32(FOLLOW), I32(n), I64(0), I64(INT64_C(2000000000)), I32(4)), 0);
    assert_int_equal(CALL(W, "r_fstat", I32(fd)), 4);
    assert_int_equal(CALL0(W, "r_stat_mtim"), INT64_C(2000000000));
    /* the standard streams */
    assert_int_equal(CALL(W, "r_seek", I32(1), I64(0), I32(1)), -E_SPIPE);
    assert_int_equal(CALL(W, "r_tell", I32(0)), -E_SPIPE);
    assert_int_equal(CALL(W, "r_fstat", I32(1)), 2);
    assert_int_equal(CALL(W, "r_fdstat", I32(0)), 2);
    assert_false(CALL0(W, "r_rights") & (R_FD_SEEK | R_FD_TELL)); /* isatty() */
    assert_int_equal(CALL(W, "r_pread", I32(0), I32(1), I64(0)), -E_SPIPE);
    assert_int_equal(CALL(W, "r_sync", I32(1)), -E_INVAL);
    assert_int_equal(gread(W, 1, buf, 4), -E_BADF);
    /* a directory is not a file; opened for writing it is EISDIR */
    assert_int_equal(gopen(W, PRE, 0, ".", O_DIR_W, R_FD_READ | R_FD_WRITE), -E_ISDIR);
    assert_true(gopen(W, PRE, 0, ".", O_DIR_W, 0) >= 0);
    assert_int_equal(gread(W, PRE, buf, 4), -E_ISDIR);
    assert_int_equal(CALL(W, "r_pread", I32(PRE), I32(1), I64(0)), -E_ISDIR);
    assert_int_equal(CALL(W, "r_set_size", I32(PRE), I64(0)), -E_NOTCAPABLE);
    /* name operations that work */
    n = put_io(W, 0, "newdir");
    assert_int_equal(CALL(W, "r_mkdir", I32(PRE), I32(n)), 0);
    assert_int_equal(CALL(W, "r_mkdir", I32(PRE), I32(n)), -E_EXIST);
    int32_t n2 = put_io(W, 8192, "deep/renamed");
    assert_int_equal(CALL(W, "r_rename", I32(PRE), I32(n), I32(PRE), I32(n2)), 0);
    assert_true(host_exists(W->box, "deep/renamed"));
    n = put_io(W, 0, "deep/renamed/");
    assert_int_equal(CALL(W, "r_rmdir", I32(PRE), I32(n)), 0);
    n = put_io(W, 0, "file.txt");
    n2 = put_io(W, 8192, "hard.txt");
    assert_int_equal(CALL(W, "r_link", I32(PRE), I32(0), I32(n), I32(PRE), I32(n2)), 0);
    assert_int_equal(CALL(W, "r_fstat", I32(fd)), 4);
    assert_int_equal(CALL0(W, "r_stat_nlink"), 2);
    n = put_io(W, 0, "inner");
    n2 = put_io(W, 8192, "hard2.txt");
    assert_int_equal(CALL(W, "r_link", I32(PRE), I32(FOLLOW), I32(n), I32(PRE), I32(n2)), 0); /* the target */
    assert_int_equal(CALL(W, "r_fstat", I32(fd)), 4);
    assert_int_equal(CALL0(W, "r_stat_nlink"), 3);
    n = put_io(W, 0, "hard.txt/");
    assert_int_equal(CALL(W, "r_unlink", I32(PRE), I32(n)), -E_NOTDIR);
    n = put_io(W, 0, "hard.txt");
    assert_int_equal(CALL(W, "r_unlink", I32(PRE), I32(n)), 0);
    n = put_io(W, 0, "deep");
    assert_int_equal(CALL(W, "r_unlink", I32(PRE), I32(n)), -E_ISDIR);
    assert_int_equal(CALL(W, "r_rmdir", I32(PRE), I32(n)), -E_NOTEMPTY);
    n = put_io(W, 0, "file.txt");
    assert_int_equal(CALL(W, "r_rmdir", I32(PRE), I32(n)), -E_NOTDIR);
    n = put_io(W, 0, "x");
    n2 = put_io(W, 8192, "file.txt");
    assert_int_equal(CALL(W, "r_symlink", I32(n), I32(PRE), I32(n2)), -E_EXIST);
    n2 = put_io(W, 8192, "missing/");
    assert_int_equal(CALL(W, "r_symlink", I32(n), I32(PRE), I32(n2)), -E_NOENT);
    n = put_io(W, 0, "file.txt");
    assert_int_equal(CALL(W, "r_readlink", I32(PRE), I32(n), I32(10)), -E_INVAL);
    n = put_io(W, 0, "deep");
    n2 = put_io(W, 8192, "..");
    assert_int_equal(CALL(W, "r_rename", I32(PRE), I32(n), I32(PRE), I32(n2)), -E_NOTCAPABLE);
    n2 = put_io(W, 8192, "deep/x/..");
    assert_int_equal(CALL(W, "r_rename", I32(PRE), I32(n), I32(PRE), I32(n2)), -E_BUSY);
    n = put_io(W, 0, "deep/x/..");
    n2 = put_io(W, 8192, "hard3");
    assert_int_equal(CALL(W, "r_link", I32(PRE), I32(0), I32(n), I32(PRE), I32(n2)), -E_PERM);
    /* sockets, signals, misc */
    for (int which = 0; which < 4; which++) {
        assert_int_equal(CALL(W, "r_sock", I32(which), I32(fd)), -E_NOTSOCK);
        assert_int_equal(CALL(W, "r_sock", I32(which), I32(99)), -E_BADF);
    }
    assert_int_equal(CALL(W, "r_raise", I32(9)), -E_NOSYS);
    assert_int_equal(CALL0(W, "r_yield"), 0);
    assert_true(CALL(W, "r_clock_res", I32(1)) > 0);
    assert_int_equal(CALL(W, "r_clock_res", I32(2)), -E_INVAL);
    world_free(W);
}

/* ------------------------------------------------------------------ readdir */

typedef struct dent {
    uint64_t next;
    char name[64];
} dent;

/* Parses whole entries of a readdir buffer; returns how many; *last_next = the cookie to go on from. */
static int parse_dirents(const uint8_t *b, uint32_t used, dent *out, int cap, uint64_t *last_next) {
    int n = 0;
    uint32_t off = 0;
    while (off + 24 <= used) {
        uint64_t next;
        uint32_t namlen;
        memcpy(&next, b + off, 8);
        memcpy(&namlen, b + off + 16, 4);
        if (off + 24 + namlen > used) break; /* cut: read again from the previous cookie */
        assert_true(n < cap);
        assert_true(namlen < sizeof out[n].name);
        memcpy(out[n].name, b + off + 24, namlen);
        out[n].name[namlen] = 0;
        out[n].next = next;
        *last_next = next;
        n++;
        off += 24 + namlen;
    }
    return n;
}

static void test_readdir(void **state) {
    (void)state;
    world *W = world_new(false, NULL);
    char p[700];
    snprintf(p, sizeof p, "%s/many", W->box);
    assert_int_equal(mkdir(p, 0755), 0);
    enum { N = 300 };
    for (int i = 0; i < N; i++) {
        char name[64];
        snprintf(name, sizeof name, "entry-with-a-longish-name-%03d", i);
        put_file(p, name, "");
    }
    int32_t dfd = gopen(W, PRE, FOLLOW, "many", O_DIR_W, DIR_RIGHTS);
    assert_true(dfd >= 0);
    static dent all[N + 8];
    int total = 0, calls = 0;
    uint64_t cookie = 0;
    for (;;) {
        int32_t used = (int32_t)CALL(W, "r_readdir", I32(dfd), I32(1024), I64((int64_t)cookie));
        assert_true(used >= 0);
        calls++;
        int got = parse_dirents(gmem(W, io_at(W) + 32768, (uint32_t)used), (uint32_t)used, all + total,
                                N + 8 - total, &cookie);
        total += got;
        if (used < 1024) break;
        assert_true(got > 0);
    }
    assert_int_equal(total, N + 2); /* . and .. too */
    int seen[N] = {0}, dots = 0;
    for (int i = 0; i < total; i++) {
        int k;
        if (strcmp(all[i].name, ".") == 0 || strcmp(all[i].name, "..") == 0) dots++;
        else if (sscanf(all[i].name, "entry-with-a-longish-name-%d", &k) == 1 && k >= 0 && k < N) seen[k]++;
        else fail_msg("unexpected entry %s", all[i].name);
    }
    assert_int_equal(dots, 2);
    for (int i = 0; i < N; i++) assert_int_equal(seen[i], 1);
    assert_true(calls > 10);
    /* a tiny buffer is filled with part of an entry: bufused == buf_len says "more" */
    assert_int_equal(CALL(W, "r_readdir", I32(dfd), I32(10), I64(0)), 10);
    /* bounds and bad input */
    assert_int_equal(CALL(W, "r_readdir", I32(dfd), I32((64 << 10) + 1), I64(0)), -E_INVAL);
    assert_int_equal(CALL(W, "r_readdir", I32(dfd), I32(64), I64(-1)), -E_INVAL);
    assert_true(CALL(W, "r_readdir", I32(dfd), I32(64), I64(INT64_C(0x7fffffffffff))) >= 0); /* no crash */
    int32_t ffd = gopen(W, PRE, FOLLOW, "file.txt", 0, ALL_RIGHTS);
    assert_int_equal(CALL(W, "r_readdir", I32(ffd), I32(64), I64(0)), -E_NOTDIR);
    assert_int_equal(CALL(W, "r_readdir", I32(1), I32(64), I64(0)), -E_NOTDIR);
    world_free(W);
}

/* ------------------------------------------------------------------ bounded host work */

static void test_write_bounds(void **state) {
    (void)state;
    world *W = world_new(false, NULL);
    /* The report's case: one fd_write of 63 iovecs of 64 MiB each (all over the same 64 MiB). */
    assert_true(CALL(W, "grow", I32(1100)) > 0);
    uint32_t io = io_at(W);
    uint8_t *vec = gmem(W, io + 16384, 63 * 8);
    for (int i = 0; i < 63; i++) {
        uint32_t base = 0, len = 64u << 20;
        memcpy(vec + 8 * i, &base, 4);
        memcpy(vec + 8 * i + 4, &len, 4);
    }
    uint64_t t0 = now_ms();
    assert_int_equal(CALL(W, "r_writev", I32(1), I32(63)), 1 << 20); /* a short count of 1 MiB */
    uint64_t ms = now_ms() - t0;
    print_message("fd_write of 63 x 64 MiB to stdout: %d sink calls, %zu bytes, %llu ms\n", W->out.calls,
                  W->out.bytes[1], (unsigned long long)ms);
    assert_int_equal(W->out.bytes[1], 1 << 20);
    assert_int_equal(W->out.calls, 1);
    assert_true(ms < 1000);
    /* a file write is cut the same way */
    int32_t fd = gopen(W, PRE, FOLLOW, "big.bin", O_CREAT_W, ALL_RIGHTS);
    assert_true(fd >= 0);
    assert_int_equal(CALL(W, "r_writev", I32(fd), I32(63)), 1 << 20);
    struct stat st;
    char p[700];
    snprintf(p, sizeof p, "%s/big.bin", W->box);
    assert_int_equal(stat(p, &st), 0);
    assert_int_equal(st.st_size, 1 << 20);
    /* reads too */
    assert_int_equal(CALL(W, "r_seek", I32(fd), I64(0), I32(0)), 0);
    assert_int_equal(CALL(W, "r_readv", I32(fd), I32(63)), 1 << 20);
    /* libc loops on short counts: 3 MiB through fwrite arrive whole, in bounded calls */
    W->out.bytes[1] = 0;
    W->out.calls = 0;
    assert_int_equal(CALL(W, "c_stdout", I32(3 << 20)), 3 << 20);
    assert_int_equal(W->out.bytes[1], 3u << 20);
    assert_true(W->out.calls >= 3);
    /* iovec count bound (EINVAL), checked after the array itself is valid (EFAULT) */
    assert_int_equal(CALL(W, "r_writev", I32(1), I32(1025)), -E_INVAL);
    assert_int_equal(CALL(W, "r_writev", I32(1), I32(0x20000000)), -E_FAULT);
    /* a bad iovec anywhere: nothing is written */
    uint32_t bad = 0xfffffff0u, len = 100;
    memcpy(vec + 8 * 62, &bad, 4);
    memcpy(vec + 8 * 62 + 4, &len, 4);
    size_t before = W->out.bytes[1];
    assert_int_equal(CALL(W, "r_writev", I32(1), I32(63)), -E_FAULT);
    assert_int_equal(W->out.bytes[1], before);
    /* random_get: 1 MiB is fine, more is EINVAL */
    assert_int_equal(CALL(W, "r_random", I32(0), I32(1 << 20)), 0);
    assert_int_equal(CALL(W, "r_random", I32(0), I32((1 << 20) + 1)), -E_INVAL);
    world_free(W);

    /* the bounds are configurable */
    eng_wasi_limits lim = {.max_io_bytes = 100, .max_iovecs = 2, .max_random_bytes = 8};
    W = world_new(false, &lim);
    assert_int_equal(CALL(W, "c_stdout", I32(1000)), 1000);
    assert_true(W->out.calls >= 10);
    assert_int_equal(CALL(W, "r_writev", I32(1), I32(3)), -E_INVAL);
    assert_int_equal(CALL(W, "r_random", I32(io), I32(9)), -E_INVAL);
    world_free(W);
}

/* ------------------------------------------------------------------ poll_oneoff */

static void sub_clock(uint8_t *s, uint64_t userdata, uint32_t id, uint64_t timeout, uint16_t flags) {
    memset(s, 0, 48);
    memcpy(s, &userdata, 8);
    s[8] = 0;
    memcpy(s + 16, &id, 4);
    memcpy(s + 24, &timeout, 8);
    memcpy(s + 40, &flags, 2);
}

static void sub_fd(uint8_t *s, uint64_t userdata, uint8_t tag, uint32_t fd) {
    memset(s, 0, 48);
    memcpy(s, &userdata, 8);
    s[8] = tag;
    memcpy(s + 16, &fd, 4);
}

static uint64_t ev_user(world *W, int i) {
    uint64_t u;
    memcpy(&u, gmem(W, io_at(W) + 16384 + 32 * (uint32_t)i, 8), 8);
    return u;
}
static uint16_t ev_err(world *W, int i) {
    uint16_t e;
    memcpy(&e, gmem(W, io_at(W) + 16384 + 32 * (uint32_t)i + 8, 2), 2);
    return e;
}

static void test_poll(void **state) {
    (void)state;
    world *W = world_new(false, NULL);
    uint8_t *in = gmem(W, io_at(W), 48 * 70);
    /* a 5 ms relative clock: blocks about that long */
    sub_clock(in, 7, 1, 5000000, 0);
    uint64_t t0 = now_ms();
    assert_int_equal(CALL(W, "r_poll", I32(1)), 1);
    uint64_t ms = now_ms() - t0;
    assert_true(ms >= 4 && ms < 1000);
    assert_int_equal(ev_user(W, 0), 7);
    assert_int_equal(ev_err(W, 0), 0);
    /* a 10 s clock is cut to the 10 ms bound: an early wake-up, not a stalled thread */
    sub_clock(in, 8, 1, UINT64_C(10000000000), 0);
    t0 = now_ms();
    assert_int_equal(CALL(W, "r_poll", I32(1)), 1);
    ms = now_ms() - t0;
    assert_true(ms >= 9 && ms < 1000);
    /* an absolute clock in the past fires at once; of two clocks only the earlier fires */
    sub_clock(in, 9, 0, 1, 1);
    sub_clock(in + 48, 10, 1, UINT64_C(5000000000), 0);
    t0 = now_ms();
    assert_int_equal(CALL(W, "r_poll", I32(2)), 1);
    assert_true(now_ms() - t0 < 5);
    assert_int_equal(ev_user(W, 0), 9);
    /* fds are always ready: no wait even beside a long clock; bad ones report their error */
    int32_t fd = gopen(W, PRE, FOLLOW, "file.txt", 0, ALL_RIGHTS);
    sub_clock(in, 1, 1, UINT64_C(5000000000), 0);
    sub_fd(in + 48, 2, 1, (uint32_t)fd);
    sub_fd(in + 96, 3, 2, 1);
    sub_fd(in + 144, 4, 1, 99);
    sub_clock(in + 192, 5, 7, 0, 0);
    t0 = now_ms();
    assert_int_equal(CALL(W, "r_poll", I32(5)), 4);
    assert_true(now_ms() - t0 < 5);
    assert_int_equal(ev_user(W, 0), 2);
    uint64_t nbytes;
    memcpy(&nbytes, gmem(W, io_at(W) + 16384 + 16, 8), 8);
    assert_int_equal(nbytes, 10);
    assert_int_equal(ev_user(W, 1), 3);
    assert_int_equal(ev_err(W, 2), E_BADF);
    assert_int_equal(ev_err(W, 3), E_INVAL); /* clock id 7 */
    /* bounds */
    assert_int_equal(CALL(W, "r_poll", I32(0)), -E_INVAL);
    for (int i = 0; i < 65; i++) sub_fd(in + 48 * i, (uint64_t)i, 1, 0);
    assert_int_equal(CALL(W, "r_poll", I32(64)), 64);
    assert_int_equal(CALL(W, "r_poll", I32(65)), -E_INVAL);
    in[8] = 3; /* unknown tag */
    assert_int_equal(CALL(W, "r_poll", I32(1)), -E_INVAL);
    /* libc's nanosleep: cut to the bound by default */
    t0 = now_ms();
    CALL(W, "c_sleep_ms", I32(2000));
    assert_true(now_ms() - t0 < 1000);
    world_free(W);

    /* a command may block as long as it likes */
    eng_wasi_limits lim = {.max_poll_block_us = UINT64_MAX};
    W = world_new(false, &lim);
    int32_t slept = (int32_t)CALL(W, "c_sleep_ms", I32(60));
    assert_true(slept >= 59 && slept < 2000);
    world_free(W);
}

/* ------------------------------------------------------------------ stdin, env, exit */

static void test_stdin_env_exit(void **state) {
    (void)state;
    world *W = calloc(1, sizeof *W);
    make_tree(W);
    static const char *const env[] = {"GREETING=hello there", "OTHER=1"};
    W->w = (eng_wasi){.write = sink_write, .write_user = &W->out, .read = sink_read, .read_user = &W->out,
                      .environ = env, .nenviron = 2};
    W->out.stdin_data = "line one\nline two\n";
    wactor_diag d;
    assert_int_equal(eng_wasi_open(&W->w, &d), 0);
    W->mod = load_fixture("wasi_fs");
    eng_instance_opts o = {.wasi = &W->w};
    assert_int_equal(eng_instance_new(W->mod, &o, &W->inst, &d), 0);
    wactor_value r;
    size_t nr;
    assert_int_equal(eng_call_sync(W->inst, "_initialize", NULL, 0, &r, 1, &nr, &d), ENG_DONE);
    assert_int_equal(CALL0(W, "c_stdin"), 18);
    assert_memory_equal(gmem(W, io_at(W), 18), "line one\nline two\n", 18);
    assert_int_equal(CALL0(W, "c_getenv"), 11);
    assert_memory_equal(gmem(W, io_at(W), 14), "hello there", 11);
    assert_int_equal(eng_call_sync(W->inst, "c_exit", (wactor_value[]){I32(7)}, 1, &r, 1, &nr, &d), ENG_TRAPPED);
    assert_int_equal(d.trap, WACTOR_TRAP_EXIT);
    assert_int_equal(d.exit_code, 7);
    world_free(W);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_function_is_provided),
        cmocka_unit_test(test_deny_by_default),
        cmocka_unit_test(test_open_errors),
        cmocka_unit_test(test_libc_files),
        cmocka_unit_test(test_escapes_open),
        cmocka_unit_test(test_escapes_path_functions),
        cmocka_unit_test(test_escape_races),
        cmocka_unit_test(test_read_only_preopen),
        cmocka_unit_test(test_fd_table),
        cmocka_unit_test(test_fd_operations),
        cmocka_unit_test(test_readdir),
        cmocka_unit_test(test_write_bounds),
        cmocka_unit_test(test_poll),
        cmocka_unit_test(test_stdin_env_exit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
