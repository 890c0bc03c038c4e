#!/usr/bin/env bash
# fuzz/run.sh — runs the libFuzzer targets of build-fuzz/ one after the other.
#   fuzz/run.sh [--smoke] SECONDS [TARGET...]     (targets: codec module manifest abi cli; default all)
# Each target fuzzes for SECONDS with its seeds (fuzz/corpus/<target>/, plus the .wasm and .yaml files the
# build produces for module / manifest), its dictionary (fuzz/dict/<target>.dict) and a per-input timeout;
# what it learns goes to build-fuzz/fuzz/work/<target>/ (kept between runs), crashes and timeouts to
# build-fuzz/fuzz/artifacts/<target>/. At the end a table gives executions, executions/s and the result.
# Exit status 1 if any target crashed, leaked, hit UB or timed out.
#
# --smoke only shortens the per-input timeouts.
set -uo pipefail
cd "$(dirname "$0")/.."
smoke=0
if [ "${1:-}" = "--smoke" ]; then smoke=1; shift; fi
secs=${1:-300}
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(codec module manifest abi cli)
B=build-fuzz
export ASAN_OPTIONS="detect_container_overflow=0:detect_leaks=1:allocator_may_return_null=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"

summary=()
failed=0
for t in "${targets[@]}"; do
  bin=$B/fuzz/fuzz_$t
  if [ ! -x "$bin" ]; then echo "run.sh: $bin missing (make fuzz builds it)"; exit 2; fi
  work=$B/fuzz/work/$t
  art=$B/fuzz/artifacts/$t
  mkdir -p "$work" "$art"
  seeds=()
  case $t in
    module) seeds=("$B/fuzz/seeds/module" "$B/fixtures" "$B/examples" "$B/fuzz/abi") ;;
    manifest) seeds=(fuzz/corpus/manifest "$B/examples" "$B/fixtures") ;;
    *) seeds=("fuzz/corpus/$t") ;;
  esac
  timeout_s=10
  maxlen=()
  case $t in
    abi) timeout_s=30; maxlen=(-max_len=4096) ;;
    cli) maxlen=(-max_len=1024) ;;
    codec) maxlen=(-max_len=4096) ;;
    manifest) maxlen=(-max_len=16384) ;;
  esac
  [ $smoke -eq 1 ] && [ $t != abi ] && timeout_s=5
  dict=()
  [ -f fuzz/dict/$t.dict ] && dict=(-dict=fuzz/dict/$t.dict)
  log=$B/fuzz/$t.log
  echo "run.sh: fuzzing $t for ${secs}s (log: $log)"
  start=$(date +%s)
  "$bin" -max_total_time="$secs" -timeout=$timeout_s -rss_limit_mb=2560 -print_final_stats=1 \
    -artifact_prefix="$art/" "${maxlen[@]}" "${dict[@]}" "$work" "${seeds[@]}" >"$log" 2>&1
  rc=$?
  elapsed=$(( $(date +%s) - start ))
  execs=$(grep -E '^stat::number_of_executed_units:' "$log" | tail -1 | awk '{print $2}')
  execs=${execs:-0}
  rate=$(( elapsed > 0 ? execs / elapsed : execs ))
  result=ok
  if [ $rc -ne 0 ]; then
    result="FAILED (exit $rc)"
    failed=1
    grep -E 'ERROR: |SUMMARY: |check failed|Test unit written' "$log" | head -5 | sed "s/^/  $t: /"
  fi
  summary+=("$(printf '%-9s %6ss %12s %9s  %s' "$t" "$elapsed" "$execs" "$rate" "$result")")
done
printf '\n%-9s %7s %12s %9s  %s\n' target time execs execs/s result
printf '%s\n' "${summary[@]}"
exit $failed
