%% bench_restart — supervisor restart latency: a permanent gen_server child (bench_victim) under a
%% one_for_one supervisor crashes on demand (an exception in handle_cast); time from the crash (stamped by
%% the child just before it raises) to the end of the restarted child's init/1.
%%
%% Differs from wactor: wactor times from the supervisor's child_exited event (the supervisor has already
%% learnt of the trap) to child_started, so this Erlang figure also holds the exit signal's trip to the
%% supervisor. The restart is a fresh process running native code; wactor's is a fresh WebAssembly instance
%% from the cached module. Crash/supervisor reports are switched off (logger level none), as wactor's bench
%% discards its log; OTP still builds the stack trace and the exit reason.
%% The supervisor's intensity is as high as wactor's bench sets it (10^6 restarts a second), so it never
%% gives up; a fresh supervisor per repeat.
-module(bench_restart).
-behaviour(supervisor).
-export([main/1, init/1]).

main(Args) -> bench_util:main(fun run/1, Args).

run(Smoke) ->
    {N, Repeats} = case Smoke of true -> {500, 3}; false -> {3000, 7} end,
    ok = logger:set_primary_config(level, none),
    process_flag(trap_exit, true),
    bench_util:latency("restart_us", "us", Repeats, fun() -> restarts(N) end).

restarts(N) ->
    {ok, Sup} = supervisor:start_link(?MODULE, self()),
    receive {started, _} -> ok end,
    Samples = [restart_once() || _ <- lists:seq(1, N)],
    exit(Sup, shutdown), % the supervisor stops its child before it exits
    receive {'EXIT', Sup, shutdown} -> ok end,
    Samples.

restart_once() ->
    gen_server:cast(bench_victim, crash),
    T0 = receive {crashing, T} -> T end,
    T1 = receive {started, S} -> S end,
    (T1 - T0) / 1000.

%% supervisor callback
init(Probe) ->
    Flags = #{strategy => one_for_one, intensity => 1000000, period => 1},
    Child = #{id => victim, start => {bench_victim, start_link, [Probe]}, restart => permanent},
    {ok, {Flags, [Child]}}.
