%% bench_spawn — process spawn: spawn a process, which signals it is ready; the spawner waits for that
%% signal before the next spawn. The processes stay alive (blocked in receive) until the repeat ends, as the
%% components in wactor's spawn bench stay alive.
%%
%% spawn_cycle_us: spawn a process and wait for its ready signal (timed), then stop it and wait for its 'DOWN'
%% (not timed) before the next, as wactor's spawn+stop cycle times wactor_spawn only.
%%
%% Differs from wactor: an Erlang process is a native function with a 233-word heap; a wactor spawn
%% instantiates an interpreted WebAssembly module (linear memory, `_initialize`) behind a sandbox.
-module(bench_spawn).
-export([main/1]).

main(Args) -> bench_util:main(fun run/1, Args).

run(Smoke) ->
    {N, Repeats} = case Smoke of true -> {1000, 3}; false -> {10000, 7} end,
    bench_util:latency("spawn_us", "us", Repeats, fun() -> element(1, spawn_ready(N)) end),
    bench_util:value("spawn_per_s", "spawn/s", Repeats, fun() -> element(2, spawn_ready(N)) end),
    bench_util:latency("spawn_cycle_us", "us", Repeats, fun() -> spawn_cycle(N) end).

%% Returns {per-spawn latencies in us, spawns per second over the whole loop}.
spawn_ready(N) ->
    T0 = bench_util:now_ns(),
    {Samples, Pids} = spawn_loop(N, self(), [], []),
    Rate = N / ((bench_util:now_ns() - T0) / 1.0e9),
    [exit(P, kill) || P <- Pids],
    {Samples, Rate}.

spawn_loop(0, _Self, Samples, Pids) -> {Samples, Pids};
spawn_loop(N, Self, Samples, Pids) ->
    T0 = bench_util:now_ns(),
    P = spawn(fun() -> Self ! {ready, self()}, receive stop -> ok end end),
    receive {ready, P} -> ok end,
    T = (bench_util:now_ns() - T0) / 1000,
    spawn_loop(N - 1, Self, [T | Samples], [P | Pids]).

%% Per-spawn latencies in us of N spawn (timed) + stop (untimed) cycles.
spawn_cycle(N) -> [cycle_once(self()) || _ <- lists:seq(1, N)].

cycle_once(Self) ->
    T0 = bench_util:now_ns(),
    P = spawn(fun() -> Self ! {ready, self()}, receive stop -> ok end end),
    receive {ready, P} -> ok end,
    T = (bench_util:now_ns() - T0) / 1000,
    Ref = monitor(process, P),
    P ! stop,
    receive {'DOWN', Ref, process, P, _} -> ok end,
    T.
