/* test_common_ratelimit.c — common/ratelimit.h with explicit times: the limit per window, the count of what
 * was suppressed, its report by the first event of a later window (once), and the flush at the end. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "common/ratelimit.h"

#define SEC 1000000000ull

static void test_window(void **state) {
    (void)state;
    ratelimit r;
    uint64_t rep = 99;
    ratelimit_init(&r, 3, SEC, 10 * SEC);
    for (int i = 0; i < 3; i++) {
        assert_true(ratelimit_take(&r, 10 * SEC + (uint64_t)i, &rep));
        assert_int_equal(rep, 0);
    }
    for (int i = 0; i < 7; i++) assert_false(ratelimit_take(&r, 10 * SEC + SEC - 1, &rep)); /* same window */
    assert_true(ratelimit_take(&r, 11 * SEC, &rep)); /* a new window: the 7 are reported, once */
    assert_int_equal(rep, 7);
    assert_true(ratelimit_take(&r, 11 * SEC + 1, &rep));
    assert_int_equal(rep, 0);
    assert_true(ratelimit_take(&r, 11 * SEC + 2, &rep));
    assert_false(ratelimit_take(&r, 11 * SEC + 3, &rep));
    assert_false(ratelimit_take(&r, 11 * SEC + 4, &rep));
    assert_int_equal(ratelimit_flush(&r), 2); /* the end reports what is left ... */
    assert_int_equal(ratelimit_flush(&r), 0); /* ... once */
    assert_true(ratelimit_take(&r, 20 * SEC, &rep));
    assert_int_equal(rep, 0);
}

static void test_zero_limit(void **state) {
    (void)state;
    ratelimit r;
    uint64_t rep;
    ratelimit_init(&r, 0, SEC, 0);
    for (int i = 0; i < 5; i++) assert_false(ratelimit_take(&r, (uint64_t)i * SEC, &rep));
    assert_int_equal(ratelimit_flush(&r), 5);
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_window), cmocka_unit_test(test_zero_limit)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
