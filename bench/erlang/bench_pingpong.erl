%% bench_pingpong — round trip between two processes: the pinger sends {ping, self()}, the ponger replies
%% pong; each round trip is timed on its own.
%%
%% Differs from wactor: on 2 schedulers the two processes may sit on one scheduler (a round trip is then two
%% context switches in one OS thread) or on two (a cross-thread wake-up); the VM decides, as wactor's
%% scheduler does. Erlang's schedulers also spin briefly before sleeping (the default +sbwt), which shortens
%% wake-ups at the cost of CPU.
-module(bench_pingpong).
-export([main/1]).

main(Args) -> bench_util:main(fun run/1, Args).

run(Smoke) ->
    {N, Repeats} = case Smoke of true -> {5000, 3}; false -> {50000, 7} end,
    bench_util:latency("pingpong_us", "us", Repeats, fun() -> round_trips(N) end).

round_trips(N) ->
    Pong = spawn(fun pong/0),
    Samples = ping(Pong, N, []),
    Pong ! stop,
    Samples.

ping(_Pong, 0, Acc) -> Acc;
ping(Pong, N, Acc) ->
    T0 = bench_util:now_ns(),
    Pong ! {ping, self()},
    receive pong -> ok end,
    ping(Pong, N - 1, [(bench_util:now_ns() - T0) / 1000 | Acc]).

pong() ->
    receive
        {ping, From} -> From ! pong, pong();
        stop -> ok
    end.
