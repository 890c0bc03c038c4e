# lib.sh — tiny assertion helpers for CLI tests. Source it; call `finish` at the end.
# Usage of a test script: bash test.sh WACTOR_BIN BUILD_DIR
WACTOR=$1
BUILD=$2
pass=0
fail=0
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# expect NAME WANT_STATUS WANT_STDOUT_REGEX WANT_STDERR_REGEX -- CMD...
expect() {
  local name=$1 want_status=$2 want_out=$3 want_err=$4
  shift 5
  "$@" >"$TMP/out" 2>"$TMP/err" </dev/null
  local status=$?
  local ok=1
  [ "$status" -eq "$want_status" ] || ok=0
  [ -z "$want_out" ] || grep -Eq -- "$want_out" "$TMP/out" || ok=0
  [ -z "$want_err" ] || grep -Eq -- "$want_err" "$TMP/err" || ok=0
  if [ $ok -eq 1 ]; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    echo "FAIL: $name (status $status, want $want_status)"
    echo "--- stdout:"; head -c 2000 "$TMP/out"
    echo "--- stderr:"; head -c 2000 "$TMP/err"
  fi
}

# exact NAME WANT_STDOUT -- CMD... : stdout must equal WANT_STDOUT exactly and status be 0
exact() {
  local name=$1 want=$2
  shift 3
  local got
  got=$("$@" 2>"$TMP/err" </dev/null)
  local status=$?
  if [ "$status" -eq 0 ] && [ "$got" = "$want" ]; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    echo "FAIL: $name: got '$got' (status $status), want '$want'"
    head -c 2000 "$TMP/err"
  fi
}

finish() {
  echo "$pass passed, $fail failed"
  [ "$fail" -eq 0 ]
}
