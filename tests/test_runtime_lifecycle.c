/* test_runtime_lifecycle.c — a component's lifecycle under attack, through the public API with real
 * fixtures (tests/fixtures/life_*.wat): bounded log lines and log volume, start-up budgeted by start_fuel,
 * export signatures checked at spawn, proc_exit as an exit (not a trap), `_cleanup` overruns reported as
 * `killed`, and an inbox bounded by max_message_bytes. */
#include <inttypes.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "runtime_support.h"
#include "wactor.h"

/* ------------------------------------------------------------------ log capture: every line, any length */

#define MAX_LINES 4096
typedef struct line_rec {
    char name[32];
    size_t len;          /* the full length the sink was given */
    char head[96];       /* its first bytes, NUL-terminated */
    char tail[32];       /* its last bytes, NUL-terminated */
} line_rec;

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static line_rec lines[MAX_LINES];
static size_t nlines;
static size_t max_len_seen;

static void capture(void *user, wactor_log_level level, const char *name, const char *line, size_t len) {
    (void)user, (void)level;
    pthread_mutex_lock(&log_lock);
    if (len > max_len_seen) max_len_seen = len;
    if (nlines < MAX_LINES) {
        line_rec *r = &lines[nlines++];
        snprintf(r->name, sizeof r->name, "%s", name);
        r->len = len;
        size_t h = len < sizeof r->head - 1 ? len : sizeof r->head - 1;
        memcpy(r->head, line, h);
        r->head[h] = 0;
        size_t t = len < sizeof r->tail - 1 ? len : sizeof r->tail - 1;
        memcpy(r->tail, line + len - t, t);
        r->tail[t] = 0;
    }
    pthread_mutex_unlock(&log_lock);
}

static void lines_reset(void) {
    pthread_mutex_lock(&log_lock);
    nlines = 0;
    max_len_seen = 0;
    pthread_mutex_unlock(&log_lock);
}

/* A copy of line `i` of component `name` (counting only its lines); false if there is none. */
static bool line_of(const char *name, size_t i, line_rec *out) {
    bool found = false;
    pthread_mutex_lock(&log_lock);
    for (size_t k = 0; k < nlines; k++)
        if (strcmp(lines[k].name, name) == 0 && i-- == 0) {
            *out = lines[k];
            found = true;
            break;
        }
    pthread_mutex_unlock(&log_lock);
    return found;
}

static size_t lines_of(const char *name) {
    size_t n = 0;
    pthread_mutex_lock(&log_lock);
    for (size_t k = 0; k < nlines; k++) n += strcmp(lines[k].name, name) == 0;
    pthread_mutex_unlock(&log_lock);
    return n;
}

/* How many of `name`'s lines are `len` bytes long. */
static size_t lines_of_len(const char *name, size_t len) {
    size_t n = 0;
    pthread_mutex_lock(&log_lock);
    for (size_t k = 0; k < nlines; k++) n += strcmp(lines[k].name, name) == 0 && lines[k].len == len;
    pthread_mutex_unlock(&log_lock);
    return n;
}

/* Index (among `name`'s lines) of the first line whose head contains `needle`, or -1. */
static long find_line(const char *name, const char *needle) {
    long idx = 0, at = -1;
    pthread_mutex_lock(&log_lock);
    for (size_t k = 0; k < nlines && at < 0; k++) {
        if (strcmp(lines[k].name, name) != 0) continue;
        if (strstr(lines[k].head, needle)) at = idx;
        idx++;
    }
    pthread_mutex_unlock(&log_lock);
    return at;
}

static bool wait_line(const char *name, const char *needle) {
    uint64_t end = now_ms() + 10000;
    while (find_line(name, needle) < 0 && now_ms() < end) sleep_ms(2);
    return find_line(name, needle) >= 0;
}

/* ------------------------------------------------------------------ supervisor events */

static pthread_mutex_t ev_lock = PTHREAD_MUTEX_INITIALIZER;
static char events[256][320];
static int nevents;

static void on_event(void *user, const char *json) {
    (void)user;
    pthread_mutex_lock(&ev_lock);
    if (nevents < 256) snprintf(events[nevents++], sizeof events[0], "%s", json);
    pthread_mutex_unlock(&ev_lock);
}

static int count_events(const char *needle) {
    int n = 0;
    pthread_mutex_lock(&ev_lock);
    for (int i = 0; i < nevents; i++) n += strstr(events[i], needle) != NULL;
    pthread_mutex_unlock(&ev_lock);
    return n;
}

static bool wait_event(const char *needle, int count) {
    uint64_t end = now_ms() + 10000;
    while (count_events(needle) < count && now_ms() < end) sleep_ms(2);
    return count_events(needle) >= count;
}

/* ------------------------------------------------------------------ helpers */

static wactor_runtime *new_runtime(void) {
    lines_reset();
    pthread_mutex_lock(&ev_lock);
    nevents = 0;
    pthread_mutex_unlock(&ev_lock);
    wactor_config cfg = {.threads = 2, .log = capture};
    wactor_runtime *rt = NULL;
    assert_int_equal(wactor_runtime_create(&cfg, &rt), WACTOR_OK);
    wactor_set_event_handler(rt, on_event, NULL);
    return rt;
}

static wactor_module *load(wactor_runtime *rt, const char *name) { return load_module(rt, WACTOR_FIXTURES, name); }

static wactor_pid spawn_opts(wactor_runtime *rt, wactor_module *m, const wactor_spawn_opts *opts) { return spawn_module(rt, m, opts); }

static const char *const anyone[] = {"*"};
static const wactor_caps watch_caps = {.send = anyone, .nsend = 1}; /* the watcher monitors anyone */

static wactor_value i32(int32_t v) { return (wactor_value){.type = WACTOR_I32, .of.i32 = v}; }

/* Calls export `fn` with up to 3 i32 arguments; returns the error, the first result in *r (may be NULL). */
static wactor_error call(wactor_runtime *rt, wactor_pid pid, const char *fn, size_t nargs, int32_t a, int32_t b,
                         int32_t c, int64_t *r, wactor_diag *d) {
    wactor_value args[3] = {i32(a), i32(b), i32(c)}, res[2];
    size_t n = 0;
    wactor_error err = wactor_invoke_values(rt, pid, fn, args, nargs, res, 2, &n, 30000, d);
    if (!err && r) *r = n == 0 ? 0 : res[0].type == WACTOR_I64 ? res[0].of.i64 : res[0].of.i32;
    return err;
}

#define LINE_MAX_BYTES ((size_t)WACTOR_DEFAULT_LOG_LINE_BYTES)
#define MARK " [truncated]"
#define MARK_LEN (sizeof MARK - 1)

/* ------------------------------------------------------------------ log lines are bounded */

/* wactor.log lines up to the limit pass whole; longer ones are cut at the limit and marked. */
static void test_log_line_cut(void **state) {
    (void)state;
    wactor_runtime *rt = new_runtime();
    wactor_module *m = load(rt, "life_log");
    wactor_spawn_opts o = {.name = "logger"};
    wactor_pid pid = spawn_opts(rt, m, &o);
    assert_int_equal(call(rt, pid, "fill", 1, 20000, 0, 0, NULL, NULL), WACTOR_OK);
    assert_int_equal(call(rt, pid, "log_at", 2, 0, (int32_t)LINE_MAX_BYTES, 0, NULL, NULL), WACTOR_OK);
    assert_int_equal(call(rt, pid, "log_at", 2, 0, (int32_t)LINE_MAX_BYTES + 1, 0, NULL, NULL), WACTOR_OK);
    assert_int_equal(call(rt, pid, "log_at", 2, 0, 20000, 0, NULL, NULL), WACTOR_OK);
    line_rec r;
    assert_true(line_of("logger", 0, &r));
    assert_int_equal(r.len, LINE_MAX_BYTES); /* exactly at the limit: whole, unmarked */
    assert_null(strstr(r.tail, "truncated"));
    for (size_t i = 1; i <= 2; i++) {
        assert_true(line_of("logger", i, &r));
        assert_int_equal(r.len, LINE_MAX_BYTES + MARK_LEN);
        assert_string_equal(r.tail + strlen(r.tail) - MARK_LEN, MARK);
        assert_int_equal(r.head[0], 'a');
    }
    assert_int_equal(lines_of("logger"), 3); /* one line each, never split into several */

    /* a two-byte UTF-8 character straddling the limit is not split: the cut backs off before it */
    assert_int_equal(call(rt, pid, "put", 2, (int32_t)LINE_MAX_BYTES - 1, 0xC3, 0, NULL, NULL), WACTOR_OK);
    assert_int_equal(call(rt, pid, "put", 2, (int32_t)LINE_MAX_BYTES, 0xA9, 0, NULL, NULL), WACTOR_OK);
    assert_int_equal(call(rt, pid, "log_at", 2, 0, 6000, 0, NULL, NULL), WACTOR_OK);
    assert_true(line_of("logger", 3, &r));
    assert_int_equal(r.len, LINE_MAX_BYTES - 1 + MARK_LEN);
    assert_int_equal((unsigned char)r.tail[strlen(r.tail) - MARK_LEN - 1], 'a');

    /* a pointer/length outside memory is the guest's fault: it traps, nothing is printed */
    wactor_diag d = {0};
    assert_int_equal(call(rt, pid, "log_at", 2, 100, -1, 0, NULL, &d), WACTOR_ETRAP);
    assert_int_equal(d.trap, WACTOR_TRAP_HOST);
    assert_true(max_len_seen <= LINE_MAX_BYTES + MARK_LEN);
    wactor_runtime_destroy(rt);
    wactor_module_release(m);
}

/* A log line longer than INT_MAX (2 GiB + 16 bytes of lazily mapped memory): cut like any other, the host
 * neither crashes nor reads past the limit, and the component keeps running. */
static void test_log_line_over_int_max(void **state) {
    (void)state;
    wactor_runtime *rt = new_runtime();
    wactor_module *m = load(rt, "life_bigmem_log");
    wactor_spawn_opts o = {.name = "huge", .memory_pages = 32769};
    wactor_pid pid = spawn_opts(rt, m, &o);
    assert_int_equal(call(rt, pid, "huge", 0, 0, 0, 0, NULL, NULL), WACTOR_OK);
    line_rec r;
    assert_true(line_of("huge", 0, &r));
    assert_int_equal(r.len, LINE_MAX_BYTES + MARK_LEN);
    assert_int_equal(r.head[0], 'z');
    assert_string_equal(r.tail + strlen(r.tail) - MARK_LEN, MARK);
    wactor_actor_info info;
    assert_int_equal(wactor_info(rt, pid, &info), WACTOR_OK);
    assert_int_equal(info.state, WACTOR_READY);
    wactor_runtime_destroy(rt);
    wactor_module_release(m);
}

/* WASI fd_write feeds the same path: an over-long line (in one write or in pieces) is one cut line, the
 * rest of it up to its newline is skipped, and the next line is whole. */
static void test_log_fd_write_cut(void **state) {
    (void)state;
    wactor_runtime *rt = new_runtime();
    wactor_module *m = load(rt, "life_log");
    wactor_spawn_opts o = {.name = "printer"};
    wactor_pid pid = spawn_opts(rt, m, &o);
    assert_int_equal(call(rt, pid, "fill", 1, 20000, 0, 0, NULL, NULL), WACTOR_OK);
    int64_t wrote = 0;
    assert_int_equal(call(rt, pid, "print", 3, 1, 10000, 1, &wrote, NULL), WACTOR_OK);
    assert_int_equal(wrote, 1); /* the newline's write; the 10000-byte write was accepted whole */
    assert_int_equal(call(rt, pid, "print", 3, 2, 5, 1, NULL, NULL), WACTOR_OK);
    /* 3 x 3000 bytes without a newline, then one: still one cut line */
    for (int i = 0; i < 3; i++) assert_int_equal(call(rt, pid, "print", 3, 1, 3000, 0, NULL, NULL), WACTOR_OK);
    assert_int_equal(call(rt, pid, "print", 3, 1, 7, 1, NULL, NULL), WACTOR_OK);
    assert_int_equal(call(rt, pid, "print", 3, 1, 3, 1, NULL, NULL), WACTOR_OK);
    line_rec r;
    assert_int_equal(lines_of("printer"), 4);
    assert_true(line_of("printer", 0, &r));
    assert_int_equal(r.len, LINE_MAX_BYTES + MARK_LEN);
    assert_string_equal(r.tail + strlen(r.tail) - MARK_LEN, MARK);
    assert_true(line_of("printer", 1, &r));
    assert_int_equal(r.len, 5);
    assert_string_equal(r.head, "aaaaa");
    assert_true(line_of("printer", 2, &r));
    assert_int_equal(r.len, LINE_MAX_BYTES + MARK_LEN);
    assert_true(line_of("printer", 3, &r));
    assert_int_equal(r.len, 3);
    /* a partial line is written when the component ends */
    assert_int_equal(call(rt, pid, "print", 3, 1, 9, 0, NULL, NULL), WACTOR_OK);
    assert_int_equal(wactor_stop(rt, pid, 0), WACTOR_OK);
    assert_true(line_of("printer", 4, &r));
    assert_int_equal(r.len, 9);
    wactor_runtime_destroy(rt);
    wactor_module_release(m);
}

/* Parses "N log bytes dropped (M lines ...": true with *bytes, *nl. */
static bool parse_notice(const line_rec *r, uint64_t *bytes, uint64_t *nl) {
    return sscanf(r->head, "%" SCNu64 " log bytes dropped (%" SCNu64 " lines", bytes, nl) == 2;
}

/* log_bytes_per_sec: a flood is cut down to the bucket (one second's worth), the rest dropped and counted,
 * and one notice with the exact count comes before the next line once the bucket has refilled. */
static void test_log_rate_limit(void **state) {
    (void)state;
    wactor_runtime *rt = new_runtime();
    wactor_module *m = load(rt, "life_log");
    wactor_spawn_opts o = {.name = "flooder", .log_bytes_per_sec = 1000};
    wactor_pid pid = spawn_opts(rt, m, &o);
    assert_int_equal(call(rt, pid, "fill", 1, 1000, 0, 0, NULL, NULL), WACTOR_OK);
    uint64_t t0 = now_ms();
    assert_int_equal(call(rt, pid, "flood", 2, 100, 100, 0, NULL, NULL), WACTOR_OK);
    uint64_t took = now_ms() - t0;
    size_t passed = lines_of_len("flooder", 100);
    /* 1000 bytes of bucket = 10 lines of 100 bytes, plus 1 byte per ms the flood took */
    assert_true(passed >= 10);
    assert_true(passed <= 10 + took / 100 + 1);
    sleep_ms(1100);
    assert_int_equal(call(rt, pid, "log_at", 2, 0, 10, 0, NULL, NULL), WACTOR_OK);
    /* every dropped line is in exactly one notice (one per resumption, not one per line), and the last
     * notice comes right before the line that resumed logging */
    size_t n = lines_of("flooder"), notices = 0;
    uint64_t dropped_bytes = 0, dropped_lines = 0;
    line_rec r;
    for (size_t i = 0; i < n; i++) {
        assert_true(line_of("flooder", i, &r));
        uint64_t bytes = 0, nl = 0;
        if (!parse_notice(&r, &bytes, &nl)) continue;
        notices++;
        dropped_bytes += bytes;
        dropped_lines += nl;
    }
    assert_int_equal(passed + dropped_lines, 100);
    assert_int_equal(dropped_bytes, 100 * dropped_lines);
    assert_int_equal(n, passed + notices + 1);
    assert_true(notices >= 1);
    assert_true(notices <= 1 + took / 100 + 1);
    assert_true(line_of("flooder", n - 1, &r));
    assert_int_equal(r.len, 10);
    line_rec notice;
    uint64_t bytes = 0, nl = 0;
    assert_true(line_of("flooder", n - 2, &notice));
    assert_true(parse_notice(&notice, &bytes, &nl));

    /* drops still unreported when the component ends are reported then */
    assert_int_equal(call(rt, pid, "flood", 2, 50, 100, 0, NULL, NULL), WACTOR_OK);
    size_t before = lines_of("flooder");
    assert_int_equal(wactor_stop(rt, pid, 0), WACTOR_OK);
    assert_true(line_of("flooder", before, &notice));
    assert_true(parse_notice(&notice, &bytes, &nl));
    assert_true(nl > 0);
    wactor_runtime_destroy(rt);
    wactor_module_release(m);
}

/* The default volume (WACTOR_DEFAULT_LOG_BYTES_PER_SEC): 8 MiB of lines in a burst mostly do not pass. */
static void test_log_rate_default(void **state) {
    (void)state;
    wactor_runtime *rt = new_runtime();
    wactor_module *m = load(rt, "life_log");
    wactor_spawn_opts o = {.name = "burst"};
    wactor_pid pid = spawn_opts(rt, m, &o);
    assert_int_equal(call(rt, pid, "fill", 1, 4096, 0, 0, NULL, NULL), WACTOR_OK);
    uint64_t t0 = now_ms();
    assert_int_equal(call(rt, pid, "flood", 2, 2048, 4096, 0, NULL, NULL), WACTOR_OK);
    uint64_t took = now_ms() - t0;
    size_t passed = lines_of_len("burst", 4096); /* the guest's lines; the drop notices are not charged */
    uint64_t allowed = WACTOR_DEFAULT_LOG_BYTES_PER_SEC + (uint64_t)WACTOR_DEFAULT_LOG_BYTES_PER_SEC * (took + 1) / 1000;
    if (passed * 4096 > allowed) fprintf(stderr, "passed %zu lines in %" PRIu64 " ms, allowed %" PRIu64 " bytes\n", passed, took, allowed);
    assert_true(passed * 4096 <= allowed);
    assert_true(passed >= WACTOR_DEFAULT_LOG_BYTES_PER_SEC / 4096);
    wactor_runtime_destroy(rt);
    wactor_module_release(m);
}

/* ------------------------------------------------------------------ start-up runs on a budget */

static wactor_error try_spawn(wactor_runtime *rt, wactor_module *m, const wactor_spawn_opts *o, wactor_pid *pid,
                              wactor_diag *d) {
    *pid = 0;
    memset(d, 0, sizeof *d);
    return wactor_spawn(rt, m, o, pid, d);
}

/* `_start` that loops forever: spawn returns, the start failed with `fuel exhausted` under `start failure`. */
static void test_start_loop_runs_out_of_start_fuel(void **state) {
    (void)state;
    wactor_runtime *rt = new_runtime();
    wactor_module *m = load(rt, "life_spin_start");
    wactor_spawn_opts o = {.name = "spinner", .start_fuel = 2000000};
    wactor_pid pid;
    wactor_diag d;
    assert_int_equal(try_spawn(rt, m, &o, &pid, &d), WACTOR_ETRAP);
    assert_int_equal(d.trap, WACTOR_TRAP_START);
    assert_non_null(strstr(d.message, "start failure"));
    assert_non_null(strstr(d.message, "_start"));
    assert_non_null(strstr(d.message, "fuel exhausted"));
    assert_non_null(strstr(d.message, "2000000"));
    assert_int_equal(wactor_whereis(rt, "spinner"), 0);
    /* per-message fuel does not replace start_fuel: a tiny `fuel` still gets the start budget */
    wactor_spawn_opts o2 = {.name = "spinner", .start_fuel = 1000000, .fuel = 10};
    assert_int_equal(try_spawn(rt, m, &o2, &pid, &d), WACTOR_ETRAP);
    assert_non_null(strstr(d.message, "1000000"));
    wactor_runtime_destroy(rt);
    wactor_module_release(m);
}

/* With no start_fuel given, WACTOR_DEFAULT_START_FUEL bounds start-up: an endless `_start` still ends
 * (the one test that runs the whole default budget: ~1-3 s, ~50 s under ASan on a loaded machine). */
static void test_start_loop_default_start_fuel(void **state) {
    (void)state;
    wactor_runtime *rt = new_runtime();
    wactor_module *m = load(rt, "life_spin_start");
    wactor_pid pid;
    wactor_diag d;
    uint64_t t0 = now_ms();
    assert_int_equal(try_spawn(rt, m, NULL, &pid, &d), WACTOR_ETRAP);
    fprintf(stderr, "    default start_fuel (%u instructions) used up in %" PRIu64 " ms\n",
            WACTOR_DEFAULT_START_FUEL, now_ms() - t0);
    assert_int_equal(d.trap, WACTOR_TRAP_START);
    assert_non_null(strstr(d.message, "fuel exhausted"));
    wactor_runtime_destroy(rt);
    wactor_module_release(m);
}

/* `_initialize` is budgeted the same way, and named in the diag. */
static void test_initialize_loop(void **state) {
    (void)state;
    wactor_runtime *rt = new_runtime();
    wactor_module *m = load(rt, "life_spin_init");
    wactor_spawn_opts o = {.start_fuel = 500000};
    wactor_pid pid;
    wactor_diag d;
    assert_int_equal(try_spawn(rt, m, &o, &pid, &d), WACTOR_ETRAP);
    assert_int_equal(d.trap, WACTOR_TRAP_START);
    assert_non_null(strstr(d.message, "_initialize"));
    assert_non_null(strstr(d.message, "fuel exhausted"));
    wactor_runtime_destroy(rt);
    wactor_module_release(m);
}

/* start_fuel and fuel are separate budgets: a start-up bigger than `fuel` succeeds under start_fuel, the
 * same work in an invocation traps with fuel exhausted, and a start_fuel below the start-up's need fails. */
static void test_start_fuel_and_fuel_are_separate(void **state) {
    (void)state;
    wactor_runtime *rt = new_runtime();
    wactor_module *m = load(rt, "life_count_start");
    wactor_spawn_opts o = {.fuel = 50000};
    wactor_pid pid = spawn_opts(rt, m, &o);
    wactor_diag d = {0};
    assert_int_equal(call(rt, pid, "spin", 1, 100, 0, 0, NULL, &d), WACTOR_OK);
    assert_int_equal(call(rt, pid, "spin", 1, 20000, 0, 0, NULL, &d), WACTOR_ETRAP);
    assert_int_equal(d.trap, WACTOR_TRAP_FUEL_EXHAUSTED);
    wactor_spawn_opts tight = {.start_fuel = 50000};
    assert_int_equal(try_spawn(rt, m, &tight, &pid, &d), WACTOR_ETRAP);
    assert_int_equal(d.trap, WACTOR_TRAP_START);
    assert_non_null(strstr(d.message, "fuel exhausted"));
    wactor_spawn_opts enough = {.start_fuel = 1000000};
    assert_int_equal(try_spawn(rt, m, &enough, &pid, &d), WACTOR_OK);
    wactor_runtime_destroy(rt);
    wactor_module_release(m);
}

/* A start section that loops forever: it runs in slices on start_fuel, so spawn returns — also when `fuel`
 * is set (the per-message budget never applied to the start section, which ran inside instantiation). */
static void test_start_section_loop(void **state) {
    (void)state;
    wactor_runtime *rt = new_runtime();
    wactor_module *m = load(rt, "life_spin_section");
    wactor_pid pid;
    wactor_diag d;
    wactor_spawn_opts o = {.name = "section", .start_fuel = 1000000, .fuel = 1000};
    assert_int_equal(try_spawn(rt, m, &o, &pid, &d), WACTOR_ETRAP);
    assert_int_equal(d.trap, WACTOR_TRAP_START);
    assert_non_null(strstr(d.message, "start section"));
    assert_non_null(strstr(d.message, "fuel exhausted"));
    wactor_actor_info info;
    assert_int_equal(wactor_totals(rt, "section", &info), WACTOR_OK);
    assert_int_equal(info.state, WACTOR_FAILED);
    assert_int_equal(info.failure.trap, WACTOR_TRAP_START);
    wactor_runtime_destroy(rt);
    wactor_module_release(m);
}

/* A trap in the start section is a start failure naming it; a start section that returns completes
 * instantiation before `_start` (which sees its effect), and its instructions count against start_fuel. */
static void test_start_section_trap_and_order(void **state) {
    (void)state;
    wactor_runtime *rt = new_runtime();
    wactor_module *trap = load(rt, "life_trap_section"), *count = load(rt, "life_count_section");
    wactor_pid pid;
    wactor_diag d;
    assert_int_equal(try_spawn(rt, trap, NULL, &pid, &d), WACTOR_ETRAP);
    assert_int_equal(d.trap, WACTOR_TRAP_START);
    assert_non_null(strstr(d.message, "start section trapped: unreachable"));
    assert_int_equal(try_spawn(rt, count, NULL, &pid, &d), WACTOR_OK);
    int64_t started = 0;
    assert_int_equal(call(rt, pid, "started", 0, 0, 0, 0, &started, NULL), WACTOR_OK);
    assert_int_equal(started, 1);
    wactor_spawn_opts tight = {.start_fuel = 20000}; /* the section alone needs ~100,000 */
    assert_int_equal(try_spawn(rt, count, &tight, &pid, &d), WACTOR_ETRAP);
    assert_non_null(strstr(d.message, "start section"));
    assert_non_null(strstr(d.message, "fuel exhausted"));
    wactor_runtime_destroy(rt);
    wactor_module_release(trap);
    wactor_module_release(count);
}

/* ------------------------------------------------------------------ table elements are capped */

/* table_elements caps a table's growth (table.grow past it returns -1, the guest keeps running), and a
 * module whose table minimum is above the cap (the default: 100,000) does not instantiate. */
static void test_table_elements(void **state) {
    (void)state;
    wactor_runtime *rt = new_runtime();
    wactor_module *m = load(rt, "life_table"), *big = load(rt, "life_bigtable");
    wactor_spawn_opts o = {.table_elements = 100};
    wactor_pid pid = spawn_opts(rt, m, &o);
    int64_t r = 0;
    assert_int_equal(call(rt, pid, "grow", 1, 50, 0, 0, &r, NULL), WACTOR_OK);
    assert_int_equal(r, 10);
    assert_int_equal(call(rt, pid, "grow", 1, 41, 0, 0, &r, NULL), WACTOR_OK);
    assert_int_equal(r, -1);
    assert_int_equal(call(rt, pid, "grow", 1, 40, 0, 0, &r, NULL), WACTOR_OK);
    assert_int_equal(r, 60);
    assert_int_equal(call(rt, pid, "size", 0, 0, 0, 0, &r, NULL), WACTOR_OK);
    assert_int_equal(r, 100);
    /* the default cap */
    wactor_pid dflt = spawn_opts(rt, m, NULL);
    assert_int_equal(call(rt, dflt, "grow", 1, (int32_t)WACTOR_DEFAULT_TABLE_ELEMENTS, 0, 0, &r, NULL), WACTOR_OK);
    assert_int_equal(r, -1);
    assert_int_equal(call(rt, dflt, "grow", 1, (int32_t)WACTOR_DEFAULT_TABLE_ELEMENTS - 10, 0, 0, &r, NULL),
                     WACTOR_OK);
    assert_int_equal(r, 10);
    wactor_diag d;
    assert_int_equal(try_spawn(rt, big, NULL, &pid, &d), WACTOR_EMODULE);
    assert_non_null(strstr(d.message, "table"));
    wactor_spawn_opts roomy = {.table_elements = 200000};
    assert_int_equal(try_spawn(rt, big, &roomy, &pid, &d), WACTOR_OK);
    wactor_runtime_destroy(rt);
    wactor_module_release(m);
    wactor_module_release(big);
}

/* ------------------------------------------------------------------ exports the host calls are checked */

static void test_export_signatures_checked(void **state) {
    (void)state;
    static const struct { const char *fixture, *export, *expected; } cases[] = {
        {"life_sig_realloc", "cabi_realloc", "(i32, i32, i32, i32) -> (i32)"},
        {"life_sig_norealloc", "cabi_realloc", "(i32, i32, i32, i32) -> (i32)"},
        {"life_sig_message", "handle-message", "(i32, i32, i32, i32) -> ()"},
        {"life_sig_reply", "handle-reply", "(i64, i32, i32, i32) -> ()"},
        {"life_sig_down", "handle-down", "(i64, i64, i32, i32) -> ()"},
        {"life_sig_health", "_health", "() -> (i32)"},
        {"life_sig_cleanup", "_cleanup", "() -> ()"},
        {"life_sig_init", "_initialize", "() -> ()"},
        {"life_sig_start", "_start", "() -> ()"},
        {"life_sig_global", "_cleanup", "() -> ()"},
        {"life_sig_v128", "_start", "() -> ()"},
    };
    wactor_runtime *rt = new_runtime();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        wactor_module *m = load(rt, cases[i].fixture);
        wactor_spawn_opts o = {.name = "sig"};
        wactor_pid pid;
        wactor_diag d;
        wactor_error err = try_spawn(rt, m, &o, &pid, &d);
        if (err != WACTOR_EMODULE || !strstr(d.message, cases[i].export) || !strstr(d.message, cases[i].expected))
            fprintf(stderr, "%s: %s: %s\n", cases[i].fixture, wactor_strerror(err), d.message);
        assert_int_equal(err, WACTOR_EMODULE);
        assert_non_null(strstr(d.message, cases[i].export));
        assert_non_null(strstr(d.message, cases[i].expected));
        assert_int_equal(wactor_whereis(rt, "sig"), 0);
        wactor_module_release(m);
    }
    /* the runtime stayed sound: a good module still spawns under the same name */
    wactor_module *ok = load(rt, "life_exit");
    wactor_spawn_opts o = {.name = "sig"};
    spawn_opts(rt, ok, &o);
    wactor_runtime_destroy(rt);
    wactor_module_release(ok);
}

/* ------------------------------------------------------------------ proc_exit is an exit */

static wactor_child_spec transient_child(const char *id, wactor_module *m) {
    wactor_child_spec c = {.id = id, .module = m, .restart = WACTOR_TRANSIENT, .shutdown_ms = 1000};
    c.spawn.name = id;
    return c;
}

static wactor_pid wait_whereis_not(wactor_runtime *rt, const char *name, wactor_pid old) {
    uint64_t end = now_ms() + 10000;
    wactor_pid p;
    while (((p = wactor_whereis(rt, name)) == 0 || p == old) && now_ms() < end) sleep_ms(2);
    return p == old ? 0 : p;
}

/* proc_exit(0): reason `normal`, so a transient child is not restarted (OTP); the instance is Terminated,
 * not Failed, and counts no trap. proc_exit(7): reason "exit 7", restarted, Failed with the code. */
static void test_proc_exit_under_transient_supervision(void **state) {
    (void)state;
    wactor_runtime *rt = new_runtime();
    wactor_module *m = load(rt, "life_exit");
    wactor_child_spec kids[] = {transient_child("quitter", m)};
    wactor_sup_spec spec = {.name = "root", .strategy = WACTOR_ONE_FOR_ONE, .intensity = 5, .period_ms = 60000,
                            .children = kids, .nchildren = 1};
    wactor_pid root = 0;
    wactor_diag d = {0};
    assert_int_equal(wactor_supervisor_start(rt, &spec, &root, &d), WACTOR_OK);

    /* a non-zero code: abnormal */
    wactor_pid p1 = wactor_whereis(rt, "quitter");
    assert_true(p1 != 0);
    assert_int_equal(call(rt, p1, "quit", 1, 7, 0, 0, NULL, &d), WACTOR_ETRAP);
    assert_int_equal(d.trap, WACTOR_TRAP_EXIT);
    assert_int_equal(d.exit_code, 7);
    assert_true(wait_event("\"reason\":\"exit 7\"", 1));
    wactor_pid p2 = wait_whereis_not(rt, "quitter", p1);
    assert_true(p2 != 0); /* restarted */
    wactor_actor_info info;
    assert_int_equal(wactor_info(rt, p1, &info), WACTOR_OK);
    assert_int_equal(info.state, WACTOR_FAILED);
    assert_int_equal(info.failure.trap, WACTOR_TRAP_EXIT);
    assert_int_equal(info.failure.exit_code, 7);

    /* zero: normal, not restarted */
    wactor_stats before;
    wactor_stats_get(rt, &before);
    assert_int_equal(call(rt, p2, "quit", 1, 0, 0, 0, NULL, &d), WACTOR_ENOENT); /* it ended before answering */
    assert_true(wait_event("\"reason\":\"normal\"", 1));
    sleep_ms(200); /* room for a (wrong) restart */
    assert_int_equal(wactor_whereis(rt, "quitter"), 0);
    assert_int_equal(count_events("child_started"), 2); /* the first start and the restart after exit 7 */
    assert_int_equal(wactor_info(rt, p2, &info), WACTOR_OK);
    assert_int_equal(info.state, WACTOR_TERMINATED);
    wactor_stats after;
    wactor_stats_get(rt, &after);
    assert_int_equal(after.traps, before.traps);
    assert_true(find_line("quitter", "proc_exit(0)") >= 0);
    wactor_runtime_destroy(rt);
    wactor_module_release(m);
}

/* proc_exit(0) inside `_cleanup` of a child its supervisor stops: the stop's reason, `shutdown`, stands
 * (monitors see it), rather than the plain `normal` of an exit on its own. */
static void test_proc_exit_in_cleanup(void **state) {
    (void)state;
    wactor_runtime *rt = new_runtime();
    wactor_module *m = load(rt, "life_exit_cleanup"), *watcher = load(rt, "life_watcher");
    wactor_spawn_opts wo = {.name = "watcher", .caps = &watch_caps};
    wactor_pid w = spawn_opts(rt, watcher, &wo);
    wactor_child_spec kids[] = {transient_child("target", m)};
    wactor_sup_spec spec = {.name = "root", .strategy = WACTOR_ONE_FOR_ONE, .children = kids, .nchildren = 1};
    wactor_pid root = 0;
    wactor_diag d = {0};
    assert_int_equal(wactor_supervisor_start(rt, &spec, &root, &d), WACTOR_OK);
    int64_t ref = 0;
    assert_int_equal(call(rt, w, "watch", 0, 0, 0, 0, &ref, NULL), WACTOR_OK);
    assert_true(ref > 0);
    assert_int_equal(wactor_terminate_child(rt, root, "target", 0), WACTOR_OK);
    assert_true(wait_line("watcher", "down: shutdown"));
    assert_true(find_line("target", "proc_exit(0)") >= 0);
    wactor_runtime_destroy(rt);
    wactor_module_release(m);
    wactor_module_release(watcher);
}

/* proc_exit during `_start`: the component never became ready, so the start fails (and says why). */
static void test_proc_exit_in_start(void **state) {
    (void)state;
    wactor_runtime *rt = new_runtime();
    wactor_module *m = load(rt, "life_exit_start");
    wactor_pid pid;
    wactor_diag d;
    assert_int_equal(try_spawn(rt, m, NULL, &pid, &d), WACTOR_ETRAP);
    assert_int_equal(d.trap, WACTOR_TRAP_START);
    assert_non_null(strstr(d.message, "proc_exit(0)"));
    wactor_runtime_destroy(rt);
    wactor_module_release(m);
}

/* ------------------------------------------------------------------ _cleanup overrun is `killed` */


/* A monitor of a component whose `_cleanup` overruns wactor_stop's timeout sees `killed` (OTP: a child
 * that does not stop in time is killed); one without `_cleanup` stopped by the host sees `normal`. */
static void test_cleanup_overrun_is_killed(void **state) {
    (void)state;
    wactor_runtime *rt = new_runtime();
    wactor_module *slow = load(rt, "comp_slowcleanup"), *plain = load(rt, "life_exit"),
                  *watcher = load(rt, "life_watcher");
    wactor_spawn_opts wo = {.name = "watcher", .caps = &watch_caps};
    wactor_pid w = spawn_opts(rt, watcher, &wo);

    wactor_spawn_opts to = {.name = "target"};
    wactor_pid t = spawn_opts(rt, plain, &to);
    int64_t ref = 0;
    assert_int_equal(call(rt, w, "watch", 0, 0, 0, 0, &ref, NULL), WACTOR_OK);
    assert_true(ref > 0);
    assert_int_equal(wactor_stop(rt, t, 100), WACTOR_OK);
    assert_true(wait_line("watcher", "down: normal"));

    t = spawn_opts(rt, slow, &to);
    assert_int_equal(call(rt, w, "watch", 0, 0, 0, 0, &ref, NULL), WACTOR_OK);
    assert_int_equal(wactor_stop(rt, t, 100), WACTOR_OK);
    assert_true(wait_line("watcher", "down: killed"));
    /* its own deadline ended it (at 100 ms), not wactor_stop's fallback kill (1 s later) */
    assert_true(find_line("target", "_cleanup timed out") >= 0);
    wactor_runtime_destroy(rt);
    wactor_module_release(slow);
    wactor_module_release(plain);
    wactor_module_release(watcher);
}

/* Under a supervisor, the same child shut down with shutdown_ms 100 is reported `killed`, not `shutdown`. */
static void test_cleanup_overrun_supervised(void **state) {
    (void)state;
    wactor_runtime *rt = new_runtime();
    wactor_module *slow = load(rt, "comp_slowcleanup");
    wactor_child_spec kids[] = {{.id = "slow", .module = slow, .restart = WACTOR_PERMANENT, .shutdown_ms = 100}};
    kids[0].spawn.name = "slow";
    wactor_sup_spec spec = {.name = "root", .strategy = WACTOR_ONE_FOR_ONE, .children = kids, .nchildren = 1};
    wactor_pid root = 0;
    wactor_diag d = {0};
    assert_int_equal(wactor_supervisor_start(rt, &spec, &root, &d), WACTOR_OK);
    assert_int_equal(wactor_terminate_child(rt, root, "slow", 0), WACTOR_OK);
    assert_true(wait_event("\"reason\":\"killed\"", 1));
    assert_int_equal(count_events("\"reason\":\"shutdown\""), 0);
    wactor_runtime_destroy(rt);
    wactor_module_release(slow);
}

/* ------------------------------------------------------------------ the inbox is bounded */

/* The inbox grows by doubling but never past max_message_bytes (+ room for the sender's address); a
 * message or request over max_message_bytes is refused (a dead letter; a request answered ETOOBIG) and
 * never makes the host ask the guest for more memory. */
static void test_inbox_bounded_by_max_message(void **state) {
    (void)state;
    wactor_runtime *rt = new_runtime();
    wactor_module *m = load(rt, "life_inbox");
    wactor_spawn_opts o = {.name = "inbox", .max_message_bytes = 1100};
    wactor_pid pid = spawn_opts(rt, m, &o);
    static uint8_t payload[1 << 20];
    memset(payload, 'p', sizeof payload);
    assert_int_equal(wactor_send(rt, pid, payload, 1100), WACTOR_OK);
    int64_t count = 0, max = 0;
    assert_int_equal(call(rt, pid, "count", 0, 0, 0, 0, &count, NULL), WACTOR_OK);
    assert_int_equal(count, 1);
    assert_int_equal(call(rt, pid, "max_inbox", 0, 0, 0, 0, &max, NULL), WACTOR_OK);
    assert_true(max >= 1100 + 8);
    assert_true(max <= 1100 + 512); /* doubling alone would have asked for 2048 */

    wactor_actor_info before, after;
    assert_int_equal(wactor_info(rt, pid, &before), WACTOR_OK);
    /* 1 MiB: refused at once, before delivery (the receiver's max_message_bytes is checked by the sender) */
    assert_int_equal(wactor_send(rt, pid, payload, sizeof payload), WACTOR_ETOOBIG);
    void *reply = NULL;
    size_t reply_len = 0;
    wactor_diag d = {0};
    assert_int_equal(wactor_ask(rt, pid, payload, 1101, 5000, &reply, &reply_len, &d), WACTOR_ETOOBIG);
    assert_int_equal(call(rt, pid, "count", 0, 0, 0, 0, &count, NULL), WACTOR_OK);
    assert_int_equal(count, 1); /* never handed to the guest */
    assert_int_equal(call(rt, pid, "max_inbox", 0, 0, 0, 0, &max, NULL), WACTOR_OK);
    assert_true(max <= 1100 + 512);
    assert_int_equal(wactor_info(rt, pid, &after), WACTOR_OK);
    assert_int_equal(after.dead_letters, before.dead_letters); /* refused, not lost */
    assert_int_equal(after.state, WACTOR_READY);

    /* without a tight limit the inbox still doubles (one cabi_realloc per doubling, not per message) */
    wactor_spawn_opts wide = {.name = "wide"};
    wactor_pid w = spawn_opts(rt, m, &wide);
    assert_int_equal(wactor_send(rt, w, payload, 1100), WACTOR_OK);
    assert_int_equal(call(rt, w, "max_inbox", 0, 0, 0, 0, &max, NULL), WACTOR_OK);
    assert_int_equal(max, 2048);
    wactor_runtime_destroy(rt);
    wactor_module_release(m);
}

/* ------------------------------------------------------------------ the mailbox is bounded in bytes */

/* mailbox_bytes: while the component is busy, queued payloads may not pass the byte bound (a send gets
 * EFULL, nothing queued), and a message bigger than the whole bound is refused at once (ETOOBIG). */
static void test_mailbox_bytes(void **state) {
    (void)state;
    wactor_runtime *rt = new_runtime();
    wactor_module *m = load(rt, "comp_looper");
    wactor_spawn_opts o = {.name = "busy", .mailbox_bytes = 20000};
    wactor_pid pid = spawn_opts(rt, m, &o);
    static uint8_t payload[30000];
    memset(payload, 'q', sizeof payload);
    assert_int_equal(wactor_send(rt, pid, payload, 10), WACTOR_OK); /* it spins on this one from now on */
    sleep_ms(50);
    int accepted = 0;
    wactor_error err = WACTOR_OK;
    while (accepted < 100 && (err = wactor_send(rt, pid, payload, 1000)) == WACTOR_OK) accepted++;
    assert_int_equal(err, WACTOR_EFULL);
    assert_true(accepted >= 14);
    assert_true(accepted <= 20);
    assert_int_equal(wactor_send(rt, pid, payload, sizeof payload), WACTOR_ETOOBIG);
    assert_int_equal(wactor_send(rt, pid, payload, 1000), WACTOR_EFULL); /* still full: nothing was taken */
    wactor_runtime_destroy(rt);
    wactor_module_release(m);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_log_line_cut),
        cmocka_unit_test(test_log_line_over_int_max),
        cmocka_unit_test(test_log_fd_write_cut),
        cmocka_unit_test(test_log_rate_limit),
        cmocka_unit_test(test_log_rate_default),
        cmocka_unit_test(test_start_loop_runs_out_of_start_fuel),
        cmocka_unit_test(test_start_loop_default_start_fuel),
        cmocka_unit_test(test_initialize_loop),
        cmocka_unit_test(test_start_fuel_and_fuel_are_separate),
        cmocka_unit_test(test_start_section_loop),
        cmocka_unit_test(test_start_section_trap_and_order),
        cmocka_unit_test(test_table_elements),
        cmocka_unit_test(test_export_signatures_checked),
        cmocka_unit_test(test_proc_exit_under_transient_supervision),
        cmocka_unit_test(test_proc_exit_in_cleanup),
        cmocka_unit_test(test_proc_exit_in_start),
        cmocka_unit_test(test_cleanup_overrun_is_killed),
        cmocka_unit_test(test_cleanup_overrun_supervised),
        cmocka_unit_test(test_inbox_bounded_by_max_message),
        cmocka_unit_test(test_mailbox_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
