#!/usr/bin/env bash
# The Erlang/OTP side of wactor's benchmarks: compiles bench/erlang/*.erl and runs each program in its own
# VM (2 schedulers, like wactor's 2 threads on this machine), printing one line per metric on stdout:
#   key <TAB> median <TAB> p99 <TAB> min <TAB> max <TAB> unit        (p99 is "-" for rates and sizes)
# Usage: bench/erlang/run.sh [--smoke]      (or WACTOR_BENCH_SMOKE=1). Exit 3 if Erlang is not installed.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
mode=full
[ "${WACTOR_BENCH_SMOKE:-0}" != 0 ] && mode=smoke
for arg in "$@"; do
  case "$arg" in
    --smoke) mode=smoke ;;
    *) echo "usage: $0 [--smoke]" >&2; exit 2 ;;
  esac
done
if ! command -v erl >/dev/null || ! command -v erlc >/dev/null; then
  echo "bench/erlang: erl/erlc not found — install Erlang/OTP (Debian: apt-get install erlang-nox)" >&2
  exit 3
fi

export ERL_CRASH_DUMP_SECONDS=0  # a failing program leaves no erl_crash.dump behind
ebin="$(mktemp -d)"
trap 'rm -rf "$ebin"' EXIT
erlc -o "$ebin" "$here"/*.erl

# +P: room for the million processes of bench_memory (plus the VM's own).
for prog in bench_spawn bench_pingpong bench_throughput bench_fanout bench_restart bench_memory bench_registry \
    bench_compute; do
  echo "bench/erlang: $prog ($mode)" >&2
  out="$(timeout 300 erl +S 2 +P 2000000 -noshell -noinput -pa "$ebin" -run "$prog" main "$mode")" || {
    echo "bench/erlang: $prog failed (exit $?)" >&2; exit 1; }
  [ -n "$out" ] || { echo "bench/erlang: $prog printed nothing" >&2; exit 1; }
  printf '%s\n' "$out"
done
