/* fib.c — compute in a component: the recursive Fibonacci function, exported as fib(i32) -> i64.
 * bench/compute.c compiles the same function natively (keep the two identical). */
#define WACTOR_GUEST_IMPLEMENTATION /* this file defines cabi_realloc (sdk/c/wactor_guest.h) */
#include "wactor_guest.h"

static int64_t fib(int32_t n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

WACTOR_EXPORT("fib") int64_t fib_export(int32_t n) { return fib(n); }
