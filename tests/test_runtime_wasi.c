/*
 * test_runtime_wasi.c — WASI configuration through the embedding API (wactor_spawn_opts.wasi): arguments,
 * environment and directories reach the guest; deny by default; bad configurations are refused with a
 * clear error; the configuration is copied (a caller's struct may go away) and serves every restart.
 * Fixture: tests/fixtures/wasi_cmd.c (a command: its main runs in `_start` at spawn).
 */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <ftw.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "wactor.h"

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static char log_text[1 << 16];
static size_t log_len;

static void capture_log(void *user, wactor_log_level level, const char *name, const char *line, size_t len) {
    (void)user, (void)level;
    pthread_mutex_lock(&log_lock);
    int n = snprintf(log_text + log_len, sizeof log_text - log_len, "[%s] %.*s\n", name, (int)len, line);
    if (n > 0 && log_len + (size_t)n < sizeof log_text) log_len += (size_t)n;
    pthread_mutex_unlock(&log_lock);
}

static bool log_has(const char *s) {
    pthread_mutex_lock(&log_lock);
    bool r = strstr(log_text, s) != NULL;
    pthread_mutex_unlock(&log_lock);
    return r;
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw) {
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(p);
}

typedef struct env {
    wactor_runtime *rt;
    wactor_module *mod;
    char dir[64];
} env;

static int setup(void **state) {
    env *e = calloc(1, sizeof *e);
    wactor_config cfg = {.threads = 2, .log = capture_log};
    assert_int_equal(wactor_runtime_create(&cfg, &e->rt), WACTOR_OK);
    wactor_diag d;
    assert_int_equal(wactor_module_load_file(e->rt, WACTOR_FIXTURES "/wasi_cmd.wasm", &e->mod, &d), WACTOR_OK);
    snprintf(e->dir, sizeof e->dir, "/tmp/wactor-rtwasi-XXXXXX");
    assert_non_null(mkdtemp(e->dir));
    log_len = 0;
    log_text[0] = 0;
    *state = e;
    return 0;
}

static int teardown(void **state) {
    env *e = *state;
    wactor_module_release(e->mod);
    wactor_runtime_destroy(e->rt);
    nftw(e->dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
    free(e);
    return 0;
}

static bool file_is(const char *dir, const char *name, const char *want) {
    char p[256], got[256] = {0};
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "r");
    if (!f) return false;
    size_t n = fread(got, 1, sizeof got - 1, f);
    fclose(f);
    got[n] = 0;
    return strcmp(got, want) == 0;
}

static void test_args_env_dirs_reach_the_guest(void **state) {
    env *e = *state;
    const char *args[] = {"cmd", "write", "/out/hello.txt", "written by the guest"};
    wactor_wasi_dir dirs[] = {{.host = e->dir, .guest = "/out"}};
    wactor_wasi w = {.args = args, .nargs = 4, .dirs = dirs, .ndirs = 1};
    wactor_spawn_opts o = {.name = "writer", .wasi = &w};
    wactor_pid pid;
    wactor_diag d = {0};
    assert_int_equal(wactor_spawn(e->rt, e->mod, &o, &pid, &d), WACTOR_OK);
    assert_true(file_is(e->dir, "hello.txt", "written by the guest"));

    const char *args2[] = {"cmd", "env", "GREETING", "HOME"};
    const char *vars[] = {"GREETING=hi", "X="};
    wactor_wasi w2 = {.args = args2, .nargs = 4, .env = vars, .nenv = 2};
    o = (wactor_spawn_opts){.name = "envy", .wasi = &w2};
    assert_int_equal(wactor_spawn(e->rt, e->mod, &o, &pid, &d), WACTOR_OK);
    assert_true(log_has("[envy] GREETING=hi\n"));
    assert_true(log_has("[envy] HOME unset\n"));
    assert_true(log_has("[envy] 2 variables\n"));
}

/* A component's sleep does not hold its scheduler thread: poll_oneoff never blocks there. */
static void test_component_sleep_does_not_block(void **state) {
    env *e = *state;
    const char *args[] = {"cmd", "sleep", "5000"};
    wactor_wasi w = {.args = args, .nargs = 3};
    wactor_spawn_opts o = {.name = "sleeper", .wasi = &w};
    wactor_pid pid;
    wactor_diag d = {0};
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    assert_int_equal(wactor_spawn(e->rt, e->mod, &o, &pid, &d), WACTOR_OK);
    clock_gettime(CLOCK_MONOTONIC, &b);
    assert_true(b.tv_sec - a.tv_sec < 2);
    assert_true(log_has("[sleeper] slept\n"));
}

static void test_deny_by_default(void **state) {
    env *e = *state;
    wactor_pid pid;
    wactor_diag d = {0};
    /* no wasi at all: argc 0, so main returns 64 -> proc_exit(64) during start */
    wactor_spawn_opts o = {.name = "bare"};
    assert_int_equal(wactor_spawn(e->rt, e->mod, &o, &pid, &d), WACTOR_ETRAP);
    assert_int_equal(d.exit_code, 64);
    /* args but no directories: the file is out of reach */
    char path[128];
    snprintf(path, sizeof path, "%s/x.txt", e->dir);
    const char *args[] = {"cmd", "write", path, "nope"};
    wactor_wasi w = {.args = args, .nargs = 4};
    o = (wactor_spawn_opts){.name = "nodirs", .wasi = &w};
    assert_int_equal(wactor_spawn(e->rt, e->mod, &o, &pid, &d), WACTOR_ETRAP);
    assert_int_equal(d.exit_code, 1);
    assert_true(log_has("[nodirs] write "));
    assert_false(file_is(e->dir, "x.txt", "nope"));
    /* a read-only directory */
    const char *args2[] = {"cmd", "write", "/ro/x.txt", "nope"};
    wactor_wasi_dir dirs[] = {{.host = e->dir, .guest = "/ro", .read_only = true}};
    wactor_wasi w2 = {.args = args2, .nargs = 4, .dirs = dirs, .ndirs = 1};
    o = (wactor_spawn_opts){.name = "ro", .wasi = &w2};
    assert_int_equal(wactor_spawn(e->rt, e->mod, &o, &pid, &d), WACTOR_ETRAP);
    assert_true(log_has("[ro] write /ro/x.txt: Capabilities insufficient"));
    assert_false(file_is(e->dir, "x.txt", "nope"));
}

static void test_bad_configurations(void **state) {
    env *e = *state;
    wactor_pid pid;
    wactor_diag d = {0};
    const char *bad_env[] = {"NOEQUALS"};
    wactor_wasi w = {.env = bad_env, .nenv = 1};
    wactor_spawn_opts o = {.wasi = &w};
    assert_int_equal(wactor_spawn(e->rt, e->mod, &o, &pid, &d), WACTOR_EINVAL);
    assert_non_null(strstr(d.message, "env entry 0 is not NAME=VALUE"));
    const char *bad_env2[] = {"=x"};
    w = (wactor_wasi){.env = bad_env2, .nenv = 1};
    assert_int_equal(wactor_spawn(e->rt, e->mod, &o, &pid, &d), WACTOR_EINVAL);
    w = (wactor_wasi){.nargs = 2}; /* args NULL */
    assert_int_equal(wactor_spawn(e->rt, e->mod, &o, &pid, &d), WACTOR_EINVAL);
    wactor_wasi_dir dirs[] = {{.host = "", .guest = "/x"}};
    w = (wactor_wasi){.dirs = dirs, .ndirs = 1};
    assert_int_equal(wactor_spawn(e->rt, e->mod, &o, &pid, &d), WACTOR_EINVAL);
    assert_non_null(strstr(d.message, "dir 0 has no host path"));
    w = (wactor_wasi){.nargs = WACTOR_WASI_MAX_STRINGS + 1, .args = bad_env};
    assert_int_equal(wactor_spawn(e->rt, e->mod, &o, &pid, &d), WACTOR_EINVAL);
    /* a directory that does not exist: the module cannot be instantiated there */
    dirs[0] = (wactor_wasi_dir){.host = "/nonexistent/wactor", .guest = "/x"};
    w = (wactor_wasi){.dirs = dirs, .ndirs = 1};
    assert_int_equal(wactor_spawn(e->rt, e->mod, &o, &pid, &d), WACTOR_EMODULE);
    assert_non_null(strstr(d.message, "wasi: preopen /nonexistent/wactor: No such file or directory"));
}

/* The supervisor keeps its own copy: the caller's struct is wiped after the start, and a restart still
 * gets the same arguments and directory. */
static void test_restart_keeps_the_configuration(void **state) {
    env *e = *state;
    char host[64], guest[8] = "/out", a0[8] = "cmd", a1[8] = "write", a2[32] = "/out/again.txt", a3[8] = "v1";
    snprintf(host, sizeof host, "%s", e->dir);
    const char *args[] = {a0, a1, a2, a3};
    wactor_wasi_dir dirs[] = {{.host = host, .guest = guest}};
    wactor_wasi w = {.args = args, .nargs = 4, .dirs = dirs, .ndirs = 1};
    wactor_child_spec child = {.id = "w", .module = e->mod, .spawn = {.name = "sup-writer", .wasi = &w}};
    wactor_sup_spec spec = {.name = "sup", .strategy = WACTOR_ONE_FOR_ONE, .children = &child, .nchildren = 1};
    wactor_pid sup;
    wactor_diag d = {0};
    assert_int_equal(wactor_supervisor_start(e->rt, &spec, &sup, &d), WACTOR_OK);
    assert_true(file_is(e->dir, "again.txt", "v1"));
    memset(host, 0, sizeof host);
    memset(a2, 0, sizeof a2);
    memset(a3, 'x', sizeof a3 - 1);
    memset(&w, 0, sizeof w);
    char p[128];
    snprintf(p, sizeof p, "%s/again.txt", e->dir);
    assert_int_equal(unlink(p), 0);
    assert_int_equal(wactor_terminate_child(e->rt, sup, "w", 0), WACTOR_OK);
    assert_int_equal(wactor_restart_child(e->rt, sup, "w"), WACTOR_OK);
    assert_true(file_is(e->dir, "again.txt", "v1"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_args_env_dirs_reach_the_guest, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deny_by_default, setup, teardown),
        cmocka_unit_test_setup_teardown(test_component_sleep_does_not_block, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_configurations, setup, teardown),
        cmocka_unit_test_setup_teardown(test_restart_keeps_the_configuration, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
