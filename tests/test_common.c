/* test_common.c — src/common: the one conversion between the layers' errno values and the public
 * wactor_error codes (include/wactor_errors.h), both ways, for every listed pair. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "common/errors.h"
#include "common/escape.h"
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

/* ------------------------------------------------------------------ escaping guest text */

static char *escaped(const char *text, size_t len) {
    static char buf[4096];
    size_t n = escape_to(buf, sizeof buf, text, len);
    assert_true(n < sizeof buf);
    assert_int_equal(strlen(buf), n);
    return buf;
}

#define ESC(lit) escaped((lit), sizeof(lit) - 1)

static void test_escape_controls(void **state) {
    (void)state;
    assert_string_equal(ESC("plain text 123 ~!@"), "plain text 123 ~!@");
    assert_string_equal(ESC("a\nb"), "a\\nb");
    assert_string_equal(ESC("a\\b"), "a\\\\b");                    /* a backslash itself */
    assert_string_equal(ESC("line\n[other] forged"), "line\\n[other] forged"); /* no second line */
    assert_string_equal(ESC("x\n"), "x\\n");
    assert_string_equal(ESC("1\r2\t3"), "1\\r2\\t3");
    assert_string_equal(ESC("\x1b[2J\x07"), "\\x1b[2J\\x07");          /* ESC, BEL */
    assert_string_equal(ESC("nul\0here"), "nul\\x00here");
    assert_string_equal(ESC("\x7f"), "\\x7f");
    assert_string_equal(ESC("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"), "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
    assert_string_equal(ESC("\xc2\x9b" "31m"), "\\xc2\\x9b31m");        /* U+009B, the C1 CSI */
    assert_string_equal(ESC("\x9b"), "\\x9b");                             /* a raw 8-bit CSI */
    assert_string_equal(ESC("\xc0\xaf"), "\\xc0\\xaf");                 /* overlong '/' */
    assert_string_equal(ESC("\xed\xa0\x80"), "\\xed\\xa0\\x80");     /* a surrogate */
    assert_string_equal(ESC("\xf4\x90\x80\x80"), "\\xf4\\x90\\x80\\x80"); /* > U+10FFFF */
    assert_string_equal(ESC("\xe2\x82"), "\\xe2\\x82");                 /* truncated */
    /* no raw byte below 0x20 ever comes out, whatever goes in */
    char all[256];
    for (int i = 0; i < 256; i++) all[i] = (char)i;
    const char *e = escaped(all, sizeof all);
    for (const char *p = e; *p; p++) assert_true((unsigned char)*p >= 0x20 && (unsigned char)*p != 0x7f);
}

static void test_escape_bounds(void **state) {
    (void)state;
    char small[8];
    assert_int_equal(escape_to(small, sizeof small, "abcdefghij", 10), 10); /* cut: 7 bytes kept */
    assert_string_equal(small, "abcdefg");
    assert_int_equal(escape_to(small, sizeof small, "abcdef\n", 7), 8);   /* "\n" does not fit whole */
    assert_string_equal(small, "abcdef");
    assert_int_equal(escape_to(small, 1, "abc", 3), 3);
    assert_string_equal(small, "");
    /* escape_write streams any length in pieces: a 3 MiB line of controls and text, counted */
    size_t n = 3u << 20;
    char *big = malloc(n);
    assert_non_null(big);
    for (size_t i = 0; i < n; i++) big[i] = i % 3 == 0 ? '\x1b' : 'a';
    char *out = NULL;
    size_t outlen = 0;
    FILE *f = open_memstream(&out, &outlen);
    assert_non_null(f);
    assert_int_equal(escape_write(f, big, n), 0);
    fclose(f);
    assert_int_equal(outlen, n / 3 * 4 + (n - n / 3));
    assert_null(memchr(out, 0x1b, outlen));
    assert_memory_equal(out, "\\x1baa\\x1baa", 10);
    free(out);
    free(big);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_code_roundtrip),   cmocka_unit_test(test_errno_roundtrip),
        cmocka_unit_test(test_values_fixed),     cmocka_unit_test(test_former_collisions),
        cmocka_unit_test(test_zero_and_unknown), cmocka_unit_test(test_strerror),
        cmocka_unit_test(test_escape_controls),  cmocka_unit_test(test_escape_bounds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
