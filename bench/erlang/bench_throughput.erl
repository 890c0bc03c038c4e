%% bench_throughput — many-to-one: one sending process sends Total 64-byte binaries round-robin to N
%% receiving processes, which count them; messages/s = Total / time until every receiver has handled its
%% share (the sender then asks each for its count, which arrives after all its messages).
%% The receivers are spawned before the clock starts.
%%
%% Differs from wactor: a 64-byte binary is a heap binary, copied into the receiver's heap on each send, as
%% wactor copies the payload into the component's linear memory; but the Erlang receiver is native code
%% (a receive and an increment), while a wactor receiver runs interpreted WebAssembly (`handle-message`).
%% The sender is an Erlang process here and the host thread in wactor's bench.
-module(bench_throughput).
-export([main/1]).

main(Args) -> bench_util:main(fun run/1, Args).

run(Smoke) ->
    {Total, Repeats} = case Smoke of true -> {20000, 3}; false -> {1000000, 5} end,
    [bench_util:value("throughput_" ++ integer_to_list(N), "msg/s", Repeats, fun() -> rate(N, Total) end)
     || N <- [1, 10, 100, 1000, 10000]].

rate(N, Total) ->
    Sinks = bench_util:sinks(N),
    Msg = binary:copy(<<"x">>, 64),
    T0 = bench_util:now_ns(),
    send(list_to_tuple(Sinks), N, Total, Msg),
    Handled = bench_util:drain(Sinks),
    Rate = Handled / ((bench_util:now_ns() - T0) / 1.0e9),
    Handled =:= Total orelse error({lost, Total - Handled}),
    Rate.

send(_Sinks, _N, 0, _Msg) -> ok;
send(Sinks, N, I, Msg) ->
    element(I rem N + 1, Sinks) ! Msg,
    send(Sinks, N, I - 1, Msg).
