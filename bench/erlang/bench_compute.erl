%% bench_compute — computation: the recursive Fibonacci function, fib(30), timed in ms per call.
%%
%% Differs from wactor: BEAM code (JIT-compiled on x86_64 since OTP 24) on bignum-capable integers; wactor
%% runs the same function as interpreted WebAssembly (i64), and its native row is C compiled by gcc.
-module(bench_compute).
-export([main/1]).

main(Args) -> bench_util:main(fun run/1, Args).

run(Smoke) ->
    Repeats = case Smoke of true -> 3; false -> 5 end,
    bench_util:value("fib30_ms", "ms", Repeats, fun() -> timed_fib(30) end).

timed_fib(N) ->
    T0 = bench_util:now_ns(),
    832040 = fib(N),
    (bench_util:now_ns() - T0) / 1.0e6.

fib(N) when N < 2 -> N;
fib(N) -> fib(N - 1) + fib(N - 2).
