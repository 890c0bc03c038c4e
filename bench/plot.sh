#!/usr/bin/env bash
# Draws messages/s against the number of receiving actors, wactor beside Erlang/OTP, as a PNG (gnuplot).
# Inputs are the benchmark TSVs (key<TAB>median<TAB>p99<TAB>min<TAB>max<TAB>unit); the series are the
# throughput_<N> lines (and native_throughput_<N> from wactor.tsv, the native-actor baseline, if present).
# Points are medians, bars min–max over the repeats.
#   bench/plot.sh [wactor.tsv [erlang.tsv [out.png]]]
#   defaults: bench/out/wactor.tsv bench/out/erlang.tsv docs/bench-throughput.png
# A missing input file is skipped with a warning; with no data at all it fails.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
wactor="${1:-$root/bench/out/wactor.tsv}"
erlang="${2:-$root/bench/out/erlang.tsv}"
out="${3:-$root/docs/bench-throughput.png}"
command -v gnuplot >/dev/null || { echo "plot: gnuplot not found (Debian: apt-get install gnuplot-nox)" >&2; exit 3; }

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# extract FILE PREFIX -> "N median min max" lines sorted by N, for the keys PREFIX<N>
extract() {
  awk -F'\t' -v p="$2" 'index($1, p) == 1 && substr($1, length(p) + 1) ~ /^[0-9]+$/ {
    print substr($1, length(p) + 1), $2, $4, $5 }' "$1" | sort -n
}

plots=()
add() { # add FILE PREFIX TITLE STYLE
  if [ ! -f "$1" ]; then echo "plot: $1 not found, no '$3' series" >&2; return; fi
  local dat="$tmp/${#plots[@]}.dat"
  extract "$1" "$2" > "$dat"
  if [ ! -s "$dat" ]; then echo "plot: no $2<N> lines in $1" >&2; return; fi
  plots+=("'$dat' using 1:2:3:4 with yerrorlines $4 title '$3'")
}
add "$wactor" throughput_ "wactor (WebAssembly components)" "lw 2 pt 7 lc rgb '#1f77b4'"
add "$wactor" native_throughput_ "wactor native actors (C, no sandbox)" "lw 1 dt 2 pt 6 lc rgb '#7f7f7f'"
add "$erlang" throughput_ "Erlang/OTP $(erl -noshell -eval 'io:put_chars(erlang:system_info(otp_release)), halt().' 2>/dev/null || true) processes" "lw 2 pt 5 lc rgb '#d62728'"
[ ${#plots[@]} -gt 0 ] || { echo "plot: no throughput data to draw" >&2; exit 1; }

mkdir -p "$(dirname "$out")"
{
  echo "set terminal pngcairo size 900,560 font 'sans,11'"
  echo "set output '$out'"
  echo "set title 'Messages/s into N receiving actors (64-byte messages, one sender, $(nproc) cores)'"
  echo "set xlabel 'receiving actors'; set ylabel 'messages/s (median, min-max bars)'"
  echo "set logscale xy; set grid xtics ytics mytics; set key bottom left"
  echo "set format y '10^{%L}'; set xrange [0.5:20000]"
  (IFS=,; echo "plot ${plots[*]}")
} > "$tmp/plot.gp"
gnuplot "$tmp/plot.gp"
echo "plot: wrote $out" >&2
