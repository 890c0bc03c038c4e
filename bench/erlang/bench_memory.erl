%% bench_memory — memory per idle process, and a million processes: time to spawn them and memory used.
%%
%% mem_idle_process_bytes: process_info(P, memory) of one process blocked in receive (heap, stack and
%%   process struct; the default 233-word minimum heap).
%% procs_*: one process spawns procs_count (1,000,000; 10,000 in smoke mode) processes that block in
%%   receive (none is linked, no list of their pids is kept while measuring): the spawn time, and the growth
%%   of erlang:memory(total) while they all live. The process table is allocated when the VM starts (+P),
%%   so it is not in that growth.
%% Differs from wactor: an idle wactor component holds a WebAssembly instance (at least one 64 KiB linear
%% memory page, its stack and tables); an idle Erlang process holds a ~2.7 KB heap and no sandbox.
-module(bench_memory).
-export([main/1]).

main(Args) -> bench_util:main(fun run/1, Args).

run(Smoke) ->
    {N, Repeats} = case Smoke of true -> {10000, 3}; false -> {1000000, 5} end,
    bench_util:value("mem_idle_process_bytes", "bytes", Repeats, fun idle_process_bytes/0),
    Runs = [many(N) || _ <- lists:seq(1, Repeats)],
    bench_util:values("procs_count", "processes", [N]),
    bench_util:values("procs_spawn_ms", "ms", [Ms || {Ms, _} <- Runs]),
    bench_util:values("procs_mem_mib", "MiB", [B / (1 bsl 20) || {_, B} <- Runs]),
    bench_util:values("procs_bytes_per_proc", "bytes", [B / N || {_, B} <- Runs]).

idle_process_bytes() ->
    Self = self(),
    P = spawn(fun() -> Self ! {ready, self()}, receive stop -> ok end end),
    receive {ready, P} -> ok end,
    {memory, Bytes} = process_info(P, memory),
    P ! stop,
    Bytes.

%% Returns {spawn time in ms, memory growth in bytes} for N idle processes, then kills them.
many(N) ->
    erlang:garbage_collect(),
    Before = maps:from_list([{P, []} || P <- erlang:processes()]),
    M0 = erlang:memory(total),
    Self = self(),
    T0 = bench_util:now_ns(),
    Spawner = spawn(fun() -> spawn_idle(N), Self ! spawned end),
    receive spawned -> ok end,
    Ms = (bench_util:now_ns() - T0) / 1.0e6,
    Bytes = erlang:memory(total) - M0,
    Live = erlang:system_info(process_count) - map_size(Before),
    Live >= N orelse error({live, Live}),
    [exit(P, kill) || P <- erlang:processes(), P =/= Spawner, not is_map_key(P, Before)],
    wait_count(map_size(Before)),
    {Ms, Bytes}.

spawn_idle(0) -> ok;
spawn_idle(N) -> spawn(fun idle/0), spawn_idle(N - 1).

idle() -> receive stop -> ok end.

wait_count(Count) ->
    case erlang:system_info(process_count) > Count of
        true -> timer:sleep(10), wait_count(Count);
        false -> ok
    end.
