%% bench_fanout — fan-out: a publisher process sends each 64-byte message to a list of 100 subscriber
%% processes; deliveries/s = publishes x 100 / time until every subscriber has handled its share.
%%
%% Differs from wactor: there is no topic here — the publisher holds the 100 pids (what a pg group or a
%% registry lookup would hand it); wactor's publish resolves the topic's subscribers in the runtime and
%% each delivery runs `handle-message` in interpreted WebAssembly.
-module(bench_fanout).
-export([main/1]).

-define(SUBSCRIBERS, 100).

main(Args) -> bench_util:main(fun run/1, Args).

run(Smoke) ->
    {Publishes, Repeats} = case Smoke of true -> {500, 3}; false -> {20000, 5} end,
    bench_util:value("fanout_100", "msg/s", Repeats, fun() -> rate(Publishes) end).

rate(Publishes) ->
    Subs = bench_util:sinks(?SUBSCRIBERS),
    Msg = binary:copy(<<"t">>, 64),
    T0 = bench_util:now_ns(),
    publish(Publishes, Subs, Msg),
    Delivered = bench_util:drain(Subs),
    Rate = Delivered / ((bench_util:now_ns() - T0) / 1.0e9),
    Delivered =:= Publishes * ?SUBSCRIBERS orelse error({lost, Publishes * ?SUBSCRIBERS - Delivered}),
    Rate.

publish(0, _Subs, _Msg) -> ok;
publish(N, Subs, Msg) ->
    lists:foreach(fun(S) -> S ! Msg end, Subs),
    publish(N - 1, Subs, Msg).
