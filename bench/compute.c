/*
 * compute.c — pure computation: the recursive Fibonacci function in a component (guests/fib.c, clang -O2
 * to wasm32, run by wabt's interpreter) against the same C function compiled into this program (the host
 * compiler at the bench's optimisation level). Each is timed REPEATS times; the component's time is the
 * invoke round trip (its few microseconds are noise here). fuel 0: unlimited, so the long call runs slice
 * after slice to the end.
 */
#include <stdio.h>
#include <stdlib.h>

#include "bench.h"

/* Keep identical to guests/fib.c. noinline + a volatile argument: computed at run time, not folded. */
__attribute__((noinline)) static int64_t fib(int32_t n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

void phase_fib(bench_ctx *b) {
    const int32_t arg = SMOKE ? 24 : 30;
    const int64_t expect = SMOKE ? 46368 : 832040;
    volatile int32_t input = arg;
    double native[16], wasm[16];
    int reps = REPEATS;
    for (int r = 0; r < reps; r++) {
        double t0 = now_us();
        int64_t v = fib(input);
        native[r] = (now_us() - t0) / 1000.0;
        if (v != expect) {
            fprintf(stderr, "bench: native fib(%d) = %lld\n", arg, (long long)v);
            exit(1);
        }
    }
    wactor_pid pid;
    wactor_diag d;
    if (wactor_spawn(b->rt, b->fib, &(wactor_spawn_opts){.fuel = 0}, &pid, &d)) {
        fprintf(stderr, "bench: fib: spawn: %s\n", d.message);
        exit(1);
    }
    for (int r = 0; r < reps; r++) {
        wactor_value a = {.type = WACTOR_I32, .of.i32 = input}, v = {0};
        size_t nr;
        double t0 = now_us();
        wactor_error e = wactor_invoke_values(b->rt, pid, "fib", &a, 1, &v, 1, &nr, 0, &d);
        wasm[r] = (now_us() - t0) / 1000.0;
        if (e || v.of.i64 != expect) {
            fprintf(stderr, "bench: fib(%d) in a component: %s %s (got %lld)\n", arg, wactor_strerror(e),
                    e ? d.message : "", (long long)v.of.i64);
            exit(1);
        }
    }
    wactor_stop(b->rt, pid, 100);
    char name[96], key[64], native_key[64];
    snprintf(key, sizeof key, "fib%d_ms", arg);
    snprintf(native_key, sizeof native_key, "native_fib%d_ms", arg);
    stat ws = summarize_values(wasm, reps), ns = summarize_values(native, reps);
    snprintf(name, sizeof name, "compute: fib(%d) in a component (wabt interpreter)", arg);
    row_ref(name, "ms", ws, (ref){.key = key});
    snprintf(name, sizeof name, "  native C, the same function");
    row_ref(name, "ms", ns, (ref){.key = native_key, .erlang = key});
    snprintf(name, sizeof name, "compute: fib(%d) component / native (medians)", arg);
    row_ref(name, "x", single(ws.p50 / ns.p50), (ref){.key = "fib_wasm_vs_native", .erlang = ""});
}
