/* test_runtime_log.c — log records through the embedding API (include/wactor.h "logs"; docs/ABI.md "The
 * log"): the callback receives the guest's levels (the ABI's numbers, out-of-range ones clamped),
 * wactor_config.log_level filters, hostile lines arrive cut and intact, and the runtime's diagnostics — a
 * capability refusal at debug naming the rule, rate-limited with a count of what was suppressed — use the
 * same channel. Fixture: tests/fixtures/log_levels.wat. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "wactor.h"
#include "runtime_support.h"

/* ------------------------------------------------------------------ capture: every record, as given */
#define MAX_RECORDS 4096
typedef struct record {
    wactor_log_level level;
    char name[64];
    char *text; /* len bytes, copied (NULs included), plus a NUL */
    size_t len;
} record;

static struct {
    pthread_mutex_t lock;
    record r[MAX_RECORDS];
    size_t n, lost;
} cap = {.lock = PTHREAD_MUTEX_INITIALIZER};

static void capture(void *user, wactor_log_level level, const char *name, const char *line, size_t len) {
    (void)user;
    char *copy = malloc(len + 1);
    assert_non_null(copy);
    memcpy(copy, line, len);
    copy[len] = 0;
    pthread_mutex_lock(&cap.lock);
    if (cap.n < MAX_RECORDS) {
        record *r = &cap.r[cap.n++];
        r->level = level;
        snprintf(r->name, sizeof r->name, "%s", name);
        r->text = copy;
        r->len = len;
        copy = NULL;
    } else {
        cap.lost++;
    }
    pthread_mutex_unlock(&cap.lock);
    free(copy);
}

static void capture_reset(void) {
    pthread_mutex_lock(&cap.lock);
    for (size_t i = 0; i < cap.n; i++) free(cap.r[i].text);
    cap.n = cap.lost = 0;
    pthread_mutex_unlock(&cap.lock);
}

/* The first record whose text is exactly `text`, or NULL. */
static const record *find(const char *text) {
    const record *found = NULL;
    pthread_mutex_lock(&cap.lock);
    for (size_t i = 0; i < cap.n && !found; i++)
        if (cap.r[i].len == strlen(text) && memcmp(cap.r[i].text, text, cap.r[i].len) == 0) found = &cap.r[i];
    pthread_mutex_unlock(&cap.lock);
    return found;
}

/* Records whose text starts with `prefix`. */
static size_t count_prefix(const char *prefix) {
    size_t n = 0, k = strlen(prefix);
    pthread_mutex_lock(&cap.lock);
    for (size_t i = 0; i < cap.n; i++) n += cap.r[i].len >= k && memcmp(cap.r[i].text, prefix, k) == 0;
    pthread_mutex_unlock(&cap.lock);
    return n;
}

static wactor_runtime *runtime(wactor_log_level level, uint32_t diag_per_sec) {
    capture_reset();
    wactor_config cfg = {.threads = 2, .log = capture, .log_level = level, .log_diag_per_sec = diag_per_sec};
    wactor_runtime *rt = NULL;
    assert_int_equal(wactor_runtime_create(&cfg, &rt), WACTOR_OK);
    return rt;
}

/* The payload that makes the fixture do `op` ('r' refusals, 'h' hostile lines): JSON "r". */
static void tell(wactor_runtime *rt, wactor_pid pid, char op) {
    const char msg[] = {(char)0x80, 0x04, '"', op, '"'};
    assert_int_equal(wactor_send(rt, pid, msg, sizeof msg), WACTOR_OK);
    assert_int_equal(wactor_wait_idle(rt, 10000), WACTOR_OK);
}

/* ------------------------------------------------------------------ tests */

static void test_level_names(void **state) {
    (void)state;
    const char *names[] = {"trace", "debug", "info", "warn", "error"};
    for (int l = WACTOR_LOG_TRACE; l <= WACTOR_LOG_ERROR; l++) {
        assert_string_equal(wactor_log_level_name((wactor_log_level)l), names[l + 1]);
        wactor_log_level back = WACTOR_LOG_ERROR;
        assert_int_equal(wactor_log_level_parse(names[l + 1], &back), WACTOR_OK);
        assert_int_equal(back, l);
    }
    /* the ABI's numbers (docs/ABI.md): trace -1, debug 0, info 1, warn 2, error 3 */
    assert_int_equal(WACTOR_LOG_TRACE, -1);
    assert_int_equal(WACTOR_LOG_DEBUG, 0);
    assert_int_equal(WACTOR_LOG_ERROR, 3);
    assert_string_equal(wactor_log_level_name((wactor_log_level)4), "unknown");
    assert_string_equal(wactor_log_level_name((wactor_log_level)-2), "unknown");
    wactor_log_level l = WACTOR_LOG_INFO;
    assert_int_equal(wactor_log_level_parse("INFO", &l), WACTOR_EINVAL); /* exact, lower case */
    assert_int_equal(wactor_log_level_parse("warning", &l), WACTOR_EINVAL);
    assert_int_equal(wactor_log_level_parse("", &l), WACTOR_EINVAL);
    assert_int_equal(wactor_log_level_parse(NULL, &l), WACTOR_EINVAL);
    assert_int_equal(wactor_log_level_parse("info", NULL), WACTOR_EINVAL);
    assert_int_equal(l, WACTOR_LOG_INFO); /* untouched on error */
}

/* Every guest level reaches the callback as given; 7 and -5 are clamped to error and trace. */
static void test_callback_receives_levels(void **state) {
    (void)state;
    wactor_runtime *rt = runtime(WACTOR_LOG_TRACE, 0);
    wactor_module *m = load_module(rt, WACTOR_FIXTURES, "log_levels");
    wactor_spawn_opts o = {.name = "lv"};
    spawn_module(rt, m, &o);
    assert_int_equal(wactor_wait_idle(rt, 5000), WACTOR_OK);
    const struct { const char *text; wactor_log_level level; } want[] = {
        {"raw out", WACTOR_LOG_INFO}, /* WASI fd 1 is info */
        {"level trace", WACTOR_LOG_TRACE}, {"level debug", WACTOR_LOG_DEBUG}, {"level info", WACTOR_LOG_INFO},
        {"level warn", WACTOR_LOG_WARN},   {"level error", WACTOR_LOG_ERROR}, {"level 7", WACTOR_LOG_ERROR},
        {"level -5", WACTOR_LOG_TRACE},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        const record *r = find(want[i].text);
        if (!r) fprintf(stderr, "missing record '%s'\n", want[i].text);
        assert_non_null(r);
        assert_int_equal(r->level, want[i].level);
        assert_string_equal(r->name, "lv");
    }
    wactor_runtime_destroy(rt);
    wactor_module_release(m);
}

/* log_level drops what is below it: at warn only warn and error arrive (and nothing at a lower level). */
static void test_level_filter(void **state) {
    (void)state;
    wactor_runtime *rt = runtime(WACTOR_LOG_WARN, 0);
    wactor_module *m = load_module(rt, WACTOR_FIXTURES, "log_levels");
    wactor_spawn_opts o = {.name = "lv"};
    wactor_pid pid = spawn_module(rt, m, &o);
    assert_int_equal(wactor_wait_idle(rt, 5000), WACTOR_OK);
    tell(rt, pid, 'r'); /* 100 refusals at debug: none may arrive */
    wactor_stop(rt, pid, 1000);
    assert_non_null(find("level warn"));
    assert_non_null(find("level error"));
    assert_non_null(find("level 7"));
    assert_null(find("level info"));
    assert_null(find("raw out"));
    assert_null(find("level debug"));
    assert_null(find("level trace"));
    assert_null(find("level -5"));
    assert_int_equal(count_prefix("refused:"), 0);
    assert_int_equal(count_prefix("100 diagnostics suppressed"), 0); /* filtered ones are not even counted */
    pthread_mutex_lock(&cap.lock);
    for (size_t i = 0; i < cap.n; i++) assert_true(cap.r[i].level >= WACTOR_LOG_WARN);
    pthread_mutex_unlock(&cap.lock);
    wactor_runtime_destroy(rt);

    /* the zero-initialised default is debug: everything but trace */
    rt = runtime((wactor_log_level)0, 0);
    spawn_module(rt, m, &o);
    assert_int_equal(wactor_wait_idle(rt, 5000), WACTOR_OK);
    assert_non_null(find("level debug"));
    assert_null(find("level trace"));
    wactor_runtime_destroy(rt);
    wactor_module_release(m);
}

/* A send the capabilities refuse is logged at debug with the rule that refused it, as is the absence of
 * any grant; other components' grants are not consulted. */
static void test_refusal_names_rule(void **state) {
    (void)state;
    wactor_runtime *rt = runtime(WACTOR_LOG_DEBUG, 1000);
    wactor_module *m = load_module(rt, WACTOR_FIXTURES, "log_levels");
    const char *grants[] = {"store", "#7"};
    wactor_caps caps = {.send = grants, .nsend = 2};
    wactor_spawn_opts o = {.name = "typo", .caps = &caps};
    wactor_pid pid = spawn_module(rt, m, &o);
    assert_int_equal(wactor_wait_idle(rt, 5000), WACTOR_OK);
    tell(rt, pid, 'r');
    const record *r = find("refused: send to stroe: not granted: capabilities.send grants [store, #7]");
    assert_non_null(r);
    assert_int_equal(r->level, WACTOR_LOG_DEBUG);
    assert_string_equal(r->name, "typo");
    assert_int_equal(count_prefix("refused: send to stroe"), 100); /* the limit (1000/s) is not reached */
    wactor_actor_info info;
    assert_int_equal(wactor_info(rt, pid, &info), WACTOR_OK);
    assert_int_equal(info.refused, 100); /* logged and counted */

    wactor_spawn_opts none = {.name = "nogrant"};
    pid = spawn_module(rt, m, &none);
    assert_int_equal(wactor_wait_idle(rt, 5000), WACTOR_OK);
    tell(rt, pid, 'r');
    assert_non_null(find("refused: send to stroe: not granted: capabilities.send grants nothing (deny by default)"));
    wactor_runtime_destroy(rt);
    wactor_module_release(m);
}

/* Diagnostics are rate-limited: of 100 refusals at most log_diag_per_sec (5) per window are written, every
 * other one is counted, and the counts come back in "N diagnostics suppressed" notices (at warn) — by the
 * end of the component at the latest. The sum is exact whatever the timing. */
static void test_diag_rate_limit(void **state) {
    (void)state;
    wactor_runtime *rt = runtime(WACTOR_LOG_DEBUG, 5);
    wactor_module *m = load_module(rt, WACTOR_FIXTURES, "log_levels");
    wactor_spawn_opts o = {.name = "flood"};
    wactor_pid pid = spawn_module(rt, m, &o);
    assert_int_equal(wactor_wait_idle(rt, 5000), WACTOR_OK);
    tell(rt, pid, 'r');
    size_t written = count_prefix("refused: send to stroe");
    assert_true(written >= 5 && written < 100);
    wactor_stop(rt, pid, 1000); /* the end reports what is still counted */
    uint64_t suppressed = 0;
    size_t notices = 0;
    pthread_mutex_lock(&cap.lock);
    for (size_t i = 0; i < cap.n; i++) {
        unsigned long long n = 0;
        char rest[64];
        if (sscanf(cap.r[i].text, "%llu diagnostics suppressed (over log_diag_per_sec = %63[^)])", &n, rest) == 2) {
            assert_string_equal(rest, "5");
            assert_int_equal(cap.r[i].level, WACTOR_LOG_WARN);
            assert_string_equal(cap.r[i].name, "flood");
            suppressed += n;
            notices++;
        }
    }
    pthread_mutex_unlock(&cap.lock);
    assert_true(notices >= 1);
    assert_int_equal(written + suppressed, 100);
    /* a guest's own lines are not charged to the diagnostics' limit */
    assert_non_null(find("level info"));
    wactor_runtime_destroy(rt);
    wactor_module_release(m);
}

/* After the window a new one starts: the first diagnostic allowed in it brings the notice. */
static void test_diag_window_ends(void **state) {
    (void)state;
    wactor_runtime *rt = runtime(WACTOR_LOG_DEBUG, 5);
    wactor_module *m = load_module(rt, WACTOR_FIXTURES, "log_levels");
    wactor_spawn_opts o = {.name = "flood"};
    wactor_pid pid = spawn_module(rt, m, &o);
    assert_int_equal(wactor_wait_idle(rt, 5000), WACTOR_OK);
    tell(rt, pid, 'r');
    size_t first = count_prefix("refused: send to stroe");
    sleep_ms(1100); /* past the one-second window */
    tell(rt, pid, 'r');
    assert_true(count_prefix("refused: send to stroe") > first); /* the new window writes again */
    assert_true(count_prefix("") > 0);
    size_t notices = 0;
    pthread_mutex_lock(&cap.lock);
    for (size_t i = 0; i < cap.n; i++) notices += strstr(cap.r[i].text, "diagnostics suppressed") != NULL;
    pthread_mutex_unlock(&cap.lock);
    assert_true(notices >= 1); /* before the component ended */
    wactor_runtime_destroy(rt);
    wactor_module_release(m);
}

/* Hostile lines: 100,000 bytes arrive cut at 4096 and marked, at the level given; NULs, invalid UTF-8 and
 * ESC arrive unchanged (escaping is the sink's job), with their length. */
static void test_hostile_lines(void **state) {
    (void)state;
    wactor_runtime *rt = runtime(WACTOR_LOG_TRACE, 0);
    wactor_module *m = load_module(rt, WACTOR_FIXTURES, "log_levels");
    wactor_spawn_opts o = {.name = "evil"};
    wactor_pid pid = spawn_module(rt, m, &o);
    assert_int_equal(wactor_wait_idle(rt, 5000), WACTOR_OK);
    tell(rt, pid, 'h');
    const record *big = NULL, *nul = NULL;
    pthread_mutex_lock(&cap.lock);
    for (size_t i = 0; i < cap.n; i++) {
        if (cap.r[i].len > 4000) big = &cap.r[i];
        if (cap.r[i].len == 18 && memcmp(cap.r[i].text, "nul\0here \xff end\x1b[2J", 18) == 0) nul = &cap.r[i];
    }
    pthread_mutex_unlock(&cap.lock);
    assert_non_null(big);
    assert_int_equal(big->level, WACTOR_LOG_WARN);
    assert_int_equal(big->len, 4096 + strlen(" [truncated]"));
    assert_memory_equal(big->text + 4096, " [truncated]", 12);
    for (size_t i = 0; i < 4096; i++) assert_int_equal(big->text[i], 'x');
    assert_non_null(nul);
    assert_int_equal(nul->level, WACTOR_LOG_INFO);
    wactor_actor_info info;
    assert_int_equal(wactor_info(rt, pid, &info), WACTOR_OK);
    assert_int_equal(info.state, WACTOR_READY); /* none of it hurt the component */
    wactor_runtime_destroy(rt);
    wactor_module_release(m);
}

static int teardown(void **state) {
    (void)state;
    capture_reset();
    return 0;
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_level_names, teardown),
        cmocka_unit_test_teardown(test_callback_receives_levels, teardown),
        cmocka_unit_test_teardown(test_level_filter, teardown),
        cmocka_unit_test_teardown(test_refusal_names_rule, teardown),
        cmocka_unit_test_teardown(test_diag_rate_limit, teardown),
        cmocka_unit_test_teardown(test_diag_window_ends, teardown),
        cmocka_unit_test_teardown(test_hostile_lines, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
