# CLI: Rust components (examples/rust, built with Debian's cargo) in a manifest beside C ones, and as
# modules of `wactor call`. Skipped (0 passed) where the Rust examples were not built.
. "$(dirname "$0")/lib.bash"
EX=$BUILD/examples
if [ ! -f "$EX/rs_kv.wasm" ] || [ ! -f "$EX/rs_agent.wasm" ]; then
  echo "no Rust examples in $EX (Debian rustc/cargo/libstd-rust-dev-wasm32 missing?): skipped"
  finish
  exit $?
fi
"$WACTOR" run "$EX/rust.yaml" --until-idle > "$TMP/rust.out" 2> "$TMP/rust.err"
status=$?
# log records are on stderr as "TIMESTAMP LEVEL [name] line": checked without the time and level
sed -E 's/^[0-9T:.-]+Z [A-Z]+ +//' "$TMP/rust.err" >> "$TMP/rust.out"
check() { # NAME REGEX
  if grep -Eq -- "$2" "$TMP/rust.out"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $1"; fi
}
[ $status -eq 0 ] && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL: rust.yaml exit status $status"; }
check "C client -> Rust kv: every answer as kv.c gives it" \
  '^\[kv_client\] kv_client: run of 3 against rkv done in [0-9]+ us: 7 requests, 7 answered as expected, 0 unexpected answers, 0 timed out, 0 failed, 0 refused$'
check "Rust agent -> C kv: put answered" '^\[agent\] rs_agent: reply 1 from kv: \{"ok":true\}$'
check "Rust agent -> C kv: get answered" '^\[agent\] rs_agent: reply 2 from kv: \{"value":"Rust"\}$'
check "subscribed in _start from the WASI environment" '^\[agent\] rs_agent: subscribe chat\.>: ok$'
check "C publication reaches the Rust subscriber" \
  '^\[agent\] rs_agent: chat\.room1 from alice: \{"from":"alice","hello":true\}$'
check "the panic message reaches the log" "^\[crashy\] .*panicked at 'rs_agent: crash requested'"
check "the trap is unreachable" '^\[crashy\] trap: unreachable'
[ "$(grep -c '^\[crashy\] rs_agent: started as #' "$TMP/rust.out")" -eq 2 ] && pass=$((pass + 1)) ||
  { fail=$((fail + 1)); echo "FAIL: crashy restarted once"; }
check "summary counts the trap" '^summary: 6 components, .* 0 dead letters, 1 traps, 1 restart$'
[ $fail -eq 0 ] || { head -c 3000 "$TMP/rust.out"; head -c 2000 "$TMP/rust.err"; }
# typed exports of Rust modules
exact "call a Rust export" "-2147483648" -- "$WACTOR" call "$EX/rs_agent.wasm" add 2147483647 1
exact "call a Rust export with no arguments" "0" -- "$WACTOR" call "$EX/rs_kv.wasm" size
expect "wrong arity is bad input" 2 "" "" -- "$WACTOR" call "$EX/rs_agent.wasm" add 1
finish
