/* test_common.c — src/common: the one conversion between the layers' errno values and the public
 * wactor_error codes (include/wactor_errors.h), both ways, for every listed pair. */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "common/errors.h"
#include "wactor.h"

typedef struct pair { wactor_error code; int err; int value; const char *name; } pair;

static const pair pairs[] = {
#define PAIR_(name, value, errno_name, text) {WACTOR_E##name, errno_name, value, #name},
    WACTOR_ERROR_LIST(PAIR_)
#undef PAIR_
};
#define NPAIRS (sizeof pairs / sizeof pairs[0])

/* Every code -> its errno -> the same code. */
static void test_code_roundtrip(void **state) {
    (void)state;
    for (size_t i = 0; i < NPAIRS; i++) {
        int e = wactor_error_to_errno(pairs[i].code);
        assert_int_equal(e, -pairs[i].err);
        assert_int_equal(wactor_error_from_errno(e), pairs[i].code);
        assert_int_equal((int)pairs[i].code, pairs[i].value);
    }
}

/* Every listed errno -> its code -> the same errno; and no two codes share an errno (a collision would
 * make one of them unreachable from inside the layers). */
static void test_errno_roundtrip(void **state) {
    (void)state;
    for (size_t i = 0; i < NPAIRS; i++) {
        wactor_error c = wactor_error_from_errno(-pairs[i].err);
        assert_int_equal(c, pairs[i].code);
        assert_int_equal(wactor_error_to_errno(c), -pairs[i].err);
        for (size_t k = 0; k < i; k++) {
            assert_int_not_equal(pairs[k].err, pairs[i].err);
            assert_int_not_equal(pairs[k].value, pairs[i].value);
        }
    }
}

/* The public values are the guest ABI: explicit, dense from 1, LIMIT is 17 (docs/ABI.md). */
static void test_values_fixed(void **state) {
    (void)state;
    for (size_t i = 0; i < NPAIRS; i++) assert_int_equal(pairs[i].value, (int)i + 1);
    assert_int_equal(WACTOR_ELIMIT, 17);
    assert_int_equal(WACTOR_ETRAP, 6);
    assert_int_equal(WACTOR_EFULL, 12);
    assert_int_equal(wactor_error_to_errno(WACTOR_ELIMIT), -EDQUOT);
    assert_int_equal(wactor_error_from_errno(-EDQUOT), WACTOR_ELIMIT);
}

/* The values that collided before the conversion: errno 11 and 12 are not codes 11 and 12. */
static void test_former_collisions(void **state) {
    (void)state;
    assert_int_equal(wactor_error_from_errno(-ENOMEM), WACTOR_ENOMEM); /* 12, not EFULL */
    assert_int_equal(wactor_error_from_errno(-EAGAIN), WACTOR_EFULL);  /* 11, not ESTATE */
    assert_int_equal(wactor_error_from_errno(-EBUSY), WACTOR_ESTATE);
    assert_int_equal(wactor_error_from_errno(-ENOENT), WACTOR_ENOENT);
    assert_int_equal(wactor_error_from_errno(-ETIMEDOUT), WACTOR_ETIMEDOUT);
}

/* 0 and positive values are success; ESHUTDOWN is NOENT one way only; anything unknown is EIO. */
static void test_zero_and_unknown(void **state) {
    (void)state;
    assert_int_equal(wactor_error_from_errno(0), WACTOR_OK);
    assert_int_equal(wactor_error_from_errno(1), WACTOR_OK);
    assert_int_equal(wactor_error_from_errno(INT_MAX), WACTOR_OK);
    assert_int_equal(wactor_error_to_errno(WACTOR_OK), 0);
    assert_int_equal(wactor_error_from_errno(-ESHUTDOWN), WACTOR_ENOENT);
    assert_int_equal(wactor_error_to_errno(WACTOR_ENOENT), -ENOENT);
    const int unknown[] = {-ECHILD, -ENXIO, -E2BIG, -EXDEV, -99999, INT_MIN, -INT_MAX};
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++)
        assert_int_equal(wactor_error_from_errno(unknown[i]), WACTOR_EIO);
    assert_int_equal(wactor_error_to_errno((wactor_error)0), 0);
    assert_int_equal(wactor_error_to_errno((wactor_error)18), -EIO);
    assert_int_equal(wactor_error_to_errno((wactor_error)-1), -EIO);
    assert_int_equal(wactor_error_to_errno((wactor_error)INT_MAX), -EIO);
}

/* Every code has its own description; unknown codes have a fixed one. */
static void test_strerror(void **state) {
    (void)state;
    assert_string_equal(wactor_strerror(WACTOR_OK), "success");
    for (size_t i = 0; i < NPAIRS; i++) {
        const char *s = wactor_strerror(pairs[i].code);
        assert_non_null(s);
        assert_string_not_equal(s, "unknown error");
        for (size_t k = 0; k < i; k++) assert_string_not_equal(wactor_strerror(pairs[k].code), s);
    }
    assert_string_equal(wactor_strerror((wactor_error)999), "unknown error");
    assert_string_equal(wactor_strerror((wactor_error)-3), "unknown error");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_code_roundtrip),   cmocka_unit_test(test_errno_roundtrip),
        cmocka_unit_test(test_values_fixed),     cmocka_unit_test(test_former_collisions),
        cmocka_unit_test(test_zero_and_unknown), cmocka_unit_test(test_strerror),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
