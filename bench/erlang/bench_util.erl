%% bench_util — shared helpers for the Erlang/OTP side of the wactor benchmarks.
%%
%% Every program prints result lines on stdout, one per metric, tab-separated:
%%   key <TAB> median <TAB> p99 <TAB> min <TAB> max <TAB> unit
%% For a latency (unit us): median = median over the repeats of each repeat's p50, p99 = median over the
%% repeats of each repeat's p99, min / max = the smallest / largest single sample over all repeats.
%% For a rate or a size: median, min and max of the per-repeat values, and p99 is "-".
%% Progress and errors go to stderr, so stdout stays machine-readable.
-module(bench_util).
-export([main/2, now_ns/0, latency/4, value/4, values/3, info/2, sinks/1, drain/1]).

%% Runs Fun(Smoke) for `erl -run Mod main [smoke]` and halts: 0 on success, 1 on any failure.
main(Fun, Args) ->
    Smoke = lists:member("smoke", Args),
    try Fun(Smoke) of
        _ -> erlang:halt(0)
    catch
        Class:Reason:Stack ->
            io:format(standard_error, "bench failed: ~p:~p~n~p~n", [Class, Reason, Stack]),
            erlang:halt(1)
    end.

now_ns() -> erlang:monotonic_time(nanosecond).

info(Fmt, Args) -> io:format(standard_error, Fmt ++ "~n", Args).

%% Fun() returns one repeat's samples (a list of numbers, in Unit).
latency(Key, Unit, Repeats, Fun) ->
    Runs = [repeat(Fun) || _ <- lists:seq(1, Repeats)],
    Sorted = [list_to_tuple(lists:sort(S)) || S <- Runs],
    P50s = [pct(T, 0.5) || T <- Sorted],
    P99s = [pct(T, 0.99) || T <- Sorted],
    Min = lists:min([element(1, T) || T <- Sorted]),
    Max = lists:max([element(tuple_size(T), T) || T <- Sorted]),
    emit(Key, median(P50s), median(P99s), Min, Max, Unit).

%% Fun() returns one repeat's single figure (a rate, a time, a size), in Unit.
value(Key, Unit, Repeats, Fun) ->
    values(Key, Unit, [repeat(Fun) || _ <- lists:seq(1, Repeats)]).

%% One figure per repeat, measured already.
values(Key, Unit, Vs) ->
    emit(Key, median(Vs), undefined, lists:min(Vs), lists:max(Vs), Unit).

%% Each repeat starts from a collected heap, so one repeat's garbage is not the next one's pause.
repeat(Fun) ->
    erlang:garbage_collect(),
    Fun().

%% The same percentile rule as bench.c: element floor(P * (N - 1)) of the sorted samples (0-based);
%% the median is element N div 2.
pct(T, 0.5) -> element(tuple_size(T) div 2 + 1, T);
pct(T, P) -> element(trunc(P * (tuple_size(T) - 1)) + 1, T).

median(L) -> pct(list_to_tuple(lists:sort(L)), 0.5).

emit(Key, Med, P99, Min, Max, Unit) ->
    io:format("~s\t~s\t~s\t~s\t~s\t~s~n", [Key, fmt(Med), fmt(P99), fmt(Min), fmt(Max), Unit]).

fmt(undefined) -> "-";
fmt(X) -> io_lib:format("~.3f", [float(X)]).

%% N receiving processes that count the messages they get until asked for the count.
sinks(N) -> [spawn(fun() -> sink(0) end) || _ <- lists:seq(1, N)].

sink(Count) ->
    receive
        {count, From} -> From ! {counted, self(), Count};
        _Msg -> sink(Count + 1)
    end.

%% Asks every sink for its count (after all that was sent to it: messages between two processes arrive in
%% order) and returns the total; the sinks then exit.
drain(Sinks) ->
    [S ! {count, self()} || S <- Sinks],
    lists:sum([receive {counted, S, C} -> C end || S <- Sinks]).
