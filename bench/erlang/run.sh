#!/bin/sh
# The Erlang/OTP baseline of quiver-bench: gen_server:call throughput of the same counter
# (1 caller; 4 callers on 4 servers) and the hot-code-swap window (sys:suspend ->
# code:load_binary -> sys:change_code -> sys:resume -> first call served) with a state map of
# 0, 10k, 100k and 1M entries and an equal O(1) migration.
#
# Usage: bench/erlang/run.sh [--quick]
# Installs `erlang-base` from the OS packages when `erl` is missing (needs root and apt-get).
# Prints one figure per line: `calls <callers> <calls/s>`, `pause <entries> <median_us> <max_us>`.
# Exits non-zero, with the reason on stderr, when Erlang is unavailable.
set -eu
here="$(cd "$(dirname "$0")" && pwd)"
case "${1:-}" in --quick) mode=quick ;; *) mode=full ;; esac

if ! command -v erl >/dev/null 2>&1; then
    echo "erl not found: installing erlang-base" >&2
    if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
        (apt-get install -y -q erlang-base >/dev/null 2>&1 ||
            { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q erlang-base >/dev/null 2>&1; }) ||
            { echo "installing erlang-base failed" >&2; exit 2; }
    else
        echo "cannot install erlang-base (needs root and apt-get)" >&2
        exit 2
    fi
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp "$here/qcounter.erl" "$here/qbench.erl" "$work/"
cd "$work"
erl -noshell -eval '
    {ok, _} = compile:file("qbench.erl", [{outdir, "."}]),
    {ok, _} = compile:file("qcounter.erl", [{outdir, "."}]),
    halt(0).' >&2
erl -noshell +S 2 -pa "$work" -run qbench main "$mode" -s init stop
