%% Measures gen_server:call throughput and the hot-code-swap window of qcounter; see run.sh.
-module(qbench).
-export([main/1]).

main([Mode]) ->
    Budget = case Mode of "quick" -> 60; _ -> 1500 end,
    Sizes = case Mode of "quick" -> [0, 10000]; _ -> [0, 10000, 100000, 1000000] end,
    Repeats = case Mode of "quick" -> 5; _ -> 21 end,
    lists:foreach(fun(C) -> io:format("calls ~b ~.1f~n", [C, calls(C, Budget)]) end, [1, 4]),
    {ok, Pid} = qcounter:start(),
    {qcounter, Bin, File} = code:get_object_code(qcounter),
    lists:foldl(fun(Size, Filled) ->
        ok = gen_server:call(Pid, {fill, Filled, Size}, infinity),
        Pauses = lists:sort([swap(Pid, Bin, File) || _ <- lists:seq(1, Repeats)]),
        Median = lists:nth((length(Pauses) + 1) div 2, Pauses),
        io:format("pause ~b ~b ~b~n", [Size, Median, lists:last(Pauses)]),
        Size
    end, 0, Sizes).

%% Calls per second of C callers, each on its own server, for about Budget milliseconds.
calls(C, Budget) ->
    Self = self(),
    Start = erlang:monotonic_time(microsecond),
    Deadline = Start + Budget * 1000,
    [spawn_link(fun() -> {ok, P} = qcounter:start(), Self ! {done, caller(P, Deadline, 0)} end)
     || _ <- lists:seq(1, C)],
    Total = lists:sum([receive {done, N} -> N end || _ <- lists:seq(1, C)]),
    Total * 1000000 / (erlang:monotonic_time(microsecond) - Start).

caller(P, Deadline, Done) ->
    case erlang:monotonic_time(microsecond) < Deadline of
        false -> Done;
        true -> [ok = gen_server:call(P, {incr, 1}) || _ <- lists:seq(1, 64)],
                caller(P, Deadline, Done + 64)
    end.

%% One swap window in microseconds: suspend, load the new code, migrate, resume, first call.
swap(Pid, Bin, File) ->
    code:purge(qcounter),
    T0 = erlang:monotonic_time(microsecond),
    ok = sys:suspend(Pid),
    {module, qcounter} = code:load_binary(qcounter, File, Bin),
    ok = sys:change_code(Pid, qcounter, undefined, []),
    ok = sys:resume(Pid),
    _ = gen_server:call(Pid, len),
    T1 = erlang:monotonic_time(microsecond),
    T1 - T0.
