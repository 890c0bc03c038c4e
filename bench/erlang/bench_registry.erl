%% bench_registry — name lookup: 1,000 idle processes registered under 1,000 names; whereis/1 of names picked
%% at random (a precomputed tuple of atoms), in batches; ns per lookup (the loop included), median over the
%% batches.
%%
%% Differs from wactor: Erlang names are atoms (interned once; whereis hashes a pointer-sized term), wactor
%% names are strings (hashed and compared on every lookup), looked up through a sharded read-locked table.
-module(bench_registry).
-export([main/1]).

-define(NAMES, 1000).

main(Args) -> bench_util:main(fun run/1, Args).

run(Smoke) ->
    {Lookups, Repeats} = case Smoke of true -> {10000, 5}; false -> {200000, 21} end,
    Names = [list_to_atom("component-" ++ integer_to_list(I)) || I <- lists:seq(1, ?NAMES)],
    Pids = [begin P = spawn(fun idle/0), true = register(Name, P), P end || Name <- Names],
    NameTuple = list_to_tuple(Names),
    Picks = list_to_tuple([element(rand:uniform(?NAMES), NameTuple) || _ <- lists:seq(1, Lookups)]),
    bench_util:value("whereis_ns_1000", "ns", Repeats, fun() -> batch(Picks, Lookups) end),
    [exit(P, kill) || P <- Pids].

idle() -> receive stop -> ok end.

batch(Picks, N) ->
    T0 = bench_util:now_ns(),
    Found = lookup(Picks, N, 0),
    Ns = (bench_util:now_ns() - T0) / N,
    Found =:= N orelse error({not_found, N - Found}),
    Ns.

lookup(_Picks, 0, Found) -> Found;
lookup(Picks, I, Found) ->
    case whereis(element(I, Picks)) of
        undefined -> lookup(Picks, I - 1, Found);
        _ -> lookup(Picks, I - 1, Found + 1)
    end.
