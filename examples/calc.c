/* calc — typed exports for `wactor call` / wactor_invoke():
 *   add(i32,i32)->i32  mul(f64,f64)->f64  addf(f32,f32)->f32  div(i32,i32)->i32 (traps on 0)
 *   add64(i64,i64)->i64  fact(i64)->i64 (wraps modulo 2^64 past 20!)
 *   divmod(i32,i32)->(i32,i32)  a multi-value export (built with calc.cflags: the experimental-mv ABI
 *   returns small structs as multiple values).
 * No handle-message: messages to calc are dead letters. */
#define WACTOR_GUEST_IMPLEMENTATION /* this file defines cabi_realloc (sdk/c/wactor_guest.h) */
#include "wactor_guest.h"

WACTOR_EXPORT("add") int32_t calc_add(int32_t a, int32_t b);
int32_t calc_add(int32_t a, int32_t b) { return (int32_t)((uint32_t)a + (uint32_t)b); }

WACTOR_EXPORT("mul") double calc_mul(double a, double b);
double calc_mul(double a, double b) { return a * b; }

WACTOR_EXPORT("addf") float calc_addf(float a, float b);
float calc_addf(float a, float b) { return a + b; }

/* The divisor goes through a volatile so clang cannot reason about it: a runtime 0 reaches
 * i32.div_s and the engine raises WebAssembly's own "integer divide by zero" trap (and INT_MIN / -1
 * its "integer overflow" trap). */
WACTOR_EXPORT("div") int32_t calc_div(int32_t a, int32_t b);
int32_t calc_div(int32_t a, int32_t b) {
    volatile int32_t divisor = b;
    return a / divisor;
}

WACTOR_EXPORT("add64") int64_t calc_add64(int64_t a, int64_t b);
int64_t calc_add64(int64_t a, int64_t b) { return (int64_t)((uint64_t)a + (uint64_t)b); }

WACTOR_EXPORT("fact") int64_t calc_fact(int64_t n);
int64_t calc_fact(int64_t n) {
    uint64_t r = 1;
    for (int64_t i = 2; i <= n; i++)
        r *= (uint64_t)i;
    return (int64_t)r;
}

typedef struct divmod_result {
    int32_t quot;
    int32_t rem;
} divmod_result;

WACTOR_EXPORT("divmod") divmod_result calc_divmod(int32_t a, int32_t b);
divmod_result calc_divmod(int32_t a, int32_t b) {
    volatile int32_t divisor = b;
    int32_t d = divisor;
    divmod_result r = {a / d, a % d};
    return r;
}
