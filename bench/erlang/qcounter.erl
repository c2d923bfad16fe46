%% The counter of examples/counter.sm as a gen_server, with a map in its state for the swap
%% figures. The state is {Count, Map} (v1) or {Count, Map, N} (v2): code_change toggles between
%% the two shapes, the same O(1) migration as the Quiver store's derived migration and its
%% migrate-down.
-module(qcounter).
-behaviour(gen_server).
-export([start/0, init/1, handle_call/3, handle_cast/2, code_change/3]).

start() -> gen_server:start(?MODULE, [], []).

init([]) -> {ok, {0, #{}}}.

handle_call({incr, N}, _From, State) ->
    Count = element(1, State) + N,
    if Count >= 0 -> {reply, ok, setelement(1, State, Count)};
       true -> {reply, error, State}
    end;
handle_call({fill, From, To}, _From, State) ->
    Map = lists:foldl(fun(K, M) -> maps:put(K, K, M) end, element(2, State), lists:seq(From, To - 1)),
    {reply, ok, setelement(2, State, Map)};
handle_call(len, _From, State) ->
    {reply, maps:size(element(2, State)), State}.

handle_cast(_, State) -> {noreply, State}.

code_change(_OldVsn, {Count, Map}, _Extra) -> {ok, {Count, Map, 0}};
code_change(_OldVsn, {Count, Map, _N}, _Extra) -> {ok, {Count, Map}}.
