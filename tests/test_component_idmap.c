/* test_component_idmap.c — the component's id -> value hash map (src/component/idmap.c), which holds its
 * pending requests and its spawned children: checked against a plain array model through random
 * put/take/get sequences (backward-shift deletion keeps every probe run reachable), and its errors. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "component/idmap.h"

static void test_errors_and_basics(void **state) {
    (void)state;
    component_idmap m = {0};
    uint64_t v = 0;
    assert_int_equal(component_idmap_put(&m, 0, 1), -EINVAL);
    assert_false(component_idmap_get(&m, 5, &v));
    assert_false(component_idmap_take(&m, 5, &v));
    assert_int_equal(component_idmap_put(&m, 5, 50), 0);
    assert_int_equal(component_idmap_put(&m, 5, 51), -EEXIST);
    assert_true(component_idmap_get(&m, 5, &v));
    assert_int_equal(v, 50);
    assert_true(component_idmap_set(&m, 5, 52));
    assert_false(component_idmap_set(&m, 6, 1));
    assert_true(component_idmap_take(&m, 5, &v));
    assert_int_equal(v, 52);
    assert_int_equal(m.count, 0);
    component_idmap_clear(&m, NULL, NULL);
}

static uint64_t summed;
static void sum(void *user, uint64_t key, uint64_t value) {
    (void)user;
    summed += key ^ value;
}

static void test_against_model(void **state) {
    (void)state;
    enum { KEYS = 4096, OPS = 400000 };
    static uint64_t model[KEYS]; /* model[k] = value + 1, or 0 when absent */
    component_idmap m = {0};
    srand(7);
    for (int i = 0; i < OPS; i++) {
        uint64_t k = (uint64_t)(rand() % KEYS) + 1, v = (uint64_t)rand();
        uint64_t got = 0;
        switch (rand() % 3) {
        case 0:
            assert_int_equal(component_idmap_put(&m, k * 0x9e3779b97f4a7c15ULL, v), model[k - 1] ? -EEXIST : 0);
            if (!model[k - 1]) model[k - 1] = v + 1;
            break;
        case 1:
            assert_int_equal(component_idmap_take(&m, k * 0x9e3779b97f4a7c15ULL, &got), model[k - 1] != 0);
            if (model[k - 1]) assert_int_equal(got, model[k - 1] - 1);
            model[k - 1] = 0;
            break;
        default:
            assert_int_equal(component_idmap_get(&m, k * 0x9e3779b97f4a7c15ULL, &got), model[k - 1] != 0);
            if (model[k - 1]) assert_int_equal(got, model[k - 1] - 1);
        }
    }
    size_t n = 0;
    uint64_t expect = 0;
    for (int k = 0; k < KEYS; k++)
        if (model[k]) {
            n++;
            expect += ((uint64_t)(k + 1) * 0x9e3779b97f4a7c15ULL) ^ (model[k] - 1);
        }
    assert_int_equal(m.count, n);
    summed = 0;
    component_idmap_clear(&m, sum, NULL);
    assert_int_equal(summed, expect);
    assert_int_equal(m.count, 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_errors_and_basics),
        cmocka_unit_test(test_against_model),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
