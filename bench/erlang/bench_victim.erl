%% bench_victim — the gen_server that bench_restart's supervisor restarts: it tells the probe when its
%% init/1 is done and when it is about to crash.
-module(bench_victim).
-behaviour(gen_server).
-export([start_link/1, init/1, handle_call/3, handle_cast/2]).

start_link(Probe) -> gen_server:start_link({local, ?MODULE}, ?MODULE, Probe, []).

init(Probe) ->
    Probe ! {started, bench_util:now_ns()},
    {ok, Probe}.

handle_call(_Req, _From, Probe) -> {reply, ok, Probe}.

handle_cast(crash, Probe) ->
    Probe ! {crashing, bench_util:now_ns()},
    error(crash).
