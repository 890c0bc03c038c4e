# CLI: `wactor run MANIFEST --until-idle` — the demo system, manifest errors, signals.
. "$(dirname "$0")/lib.bash"
EX=$BUILD/examples
# log records go to stderr ("TS LEVEL [name] message", cli/log.h); stdout keeps the summary
expect "demo: ping/pong flow and exit 0" 0 "" "INFO  \[ping\].*done" -- "$WACTOR" run "$EX/demo.yaml" --until-idle
grep -q "INFO  \[pong\]" "$TMP/err" && pass=$((pass+1)) || { fail=$((fail+1)); echo "FAIL: pong logged nothing"; }
grep -Eq "^summary: [0-9]+ components, [1-9][0-9]* messages delivered, 0 refused, 0 dead letters, 0 traps" "$TMP/out" \
  && pass=$((pass+1)) || { fail=$((fail+1)); echo "FAIL: summary"; cat "$TMP/out"; }

cat > "$TMP/bad.yaml" <<YAML
components:
  - name: a
    module: $EX/echo.wasm
    modul: x
YAML
expect "unknown key has a line number" 2 "" "bad.yaml:4.*modul" -- "$WACTOR" run "$TMP/bad.yaml" --until-idle

cat > "$TMP/missing.yaml" <<YAML
components:
  - name: a
    module: nowhere.wasm
YAML
expect "missing module file" 2 "" "nowhere.wasm" -- "$WACTOR" run "$TMP/missing.yaml" --until-idle

cat > "$TMP/trap.yaml" <<YAML
components:
  - name: calc
    module: $EX/calc.wasm
  - name: quiet
    module: $BUILD/fixtures/comp_nohandler.wasm
send:
  - to: quiet
    json: {"hello": 1}
YAML
expect "dead letter counted in the summary" 0 "1 dead letters" "" -- "$WACTOR" run "$TMP/trap.yaml" --until-idle

# SIGTERM: graceful shutdown, `_cleanup` runs (counter logs its final count), exit 0
cat > "$TMP/forever.yaml" <<YAML
components:
  - name: counter
    module: $EX/counter.wasm
YAML
"$WACTOR" run "$TMP/forever.yaml" > "$TMP/sig.out" 2>&1 &
pid=$!
sleep 1
kill -TERM $pid
wait $pid
status=$?
if [ $status -eq 0 ] && grep -q "summary:" "$TMP/sig.out"; then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL: SIGTERM ($status)"; cat "$TMP/sig.out"; fi
# --events: supervisor events as JSON lines, in order, naming the trap
cat > "$TMP/sup.yaml" <<YAML
components:
  - name: crasher
    module: $EX/crasher.wasm
supervisor:
  name: root
  strategy: one_for_one
  intensity: 5
  children:
    - component: crasher
      restart: permanent
send:
  - to: crasher
    json: {"crash": "div"}
YAML
expect "--events run" 0 "summary: .* 1 traps" "" -- "$WACTOR" run "$TMP/sup.yaml" --until-idle --events "$TMP/events.jsonl"
if grep -q '"event":"child_started","supervisor":"root","child":"crasher"' "$TMP/events.jsonl" &&
   grep -q '"event":"child_exited","supervisor":"root","child":"crasher","reason":"integer divide by zero"' "$TMP/events.jsonl" &&
   [ "$(grep -c '"event":"child_started"' "$TMP/events.jsonl")" -ge 2 ]; then
  pass=$((pass+1))
else
  fail=$((fail+1)); echo "FAIL: events"; cat "$TMP/events.jsonl"
fi
# Signals always stop the process, also while a `_start` spins during start-up: SIGINT and SIGTERM end it
# at once with 128 + the signal (timeout -k: a KILL after 10 s would be status 137, a failure).
# (the signal comes 1.5 s in: one that lands before the handler is installed also ends the process with 130,
# but without the message these checks look for; start_fuel is raised so that start-up is still spinning then;
# `call` has no start_fuel setting: its signal comes 0.5 s in, well before the default 100M instructions run out)
cat > "$TMP/startloop.yaml" <<YAML
components:
  - name: stuck
    module: $BUILD/fixtures/cli_startloop.wasm
    limits: { start_fuel: 100000000000 }
YAML
expect "SIGINT during start-up of run" 130 "" "SIGINT during start-up" -- \
  timeout --preserve-status -s INT -k 10 1.5 "$WACTOR" run "$TMP/startloop.yaml"
expect "SIGTERM during start-up of run" 143 "" "SIGTERM during start-up" -- \
  timeout --preserve-status -s TERM -k 10 1.5 "$WACTOR" run "$TMP/startloop.yaml"
cat > "$TMP/startloop_tree.yaml" <<YAML
components:
  - name: stuck
    module: $BUILD/fixtures/cli_startloop.wasm
    limits: { start_fuel: 100000000000 }
supervisor:
  name: root
  children:
    - component: stuck
YAML
expect "SIGINT while a supervised child starts" 130 "" "SIGINT during start-up" -- \
  timeout --preserve-status -s INT -k 10 1.5 "$WACTOR" run "$TMP/startloop_tree.yaml"
expect "SIGINT during start-up of call" 130 "" "SIGINT during start-up" -- \
  timeout --preserve-status -s INT -k 10 0.5 "$WACTOR" call "$BUILD/fixtures/cli_startloop.wasm" ok

# intensity: 0 is OTP's: no restart at all — the first crash shuts the tree down; absent is 1
cat > "$TMP/zero.yaml" <<YAML
components:
  - name: crasher
    module: $EX/crasher.wasm
supervisor:
  name: root
  intensity: 0
  children:
    - component: crasher
      restart: permanent
send:
  - to: crasher
    json: {"crash": "unreachable"}
YAML
expect "intensity 0: no restart" 0 "" "" -- "$WACTOR" run "$TMP/zero.yaml" --until-idle --events "$TMP/zero.events"
if grep -q 'reached_max_restart_intensity' "$TMP/zero.events" && [ "$(grep -c '"child_started"' "$TMP/zero.events")" -eq 1 ]; then
  pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL: intensity 0"; cat "$TMP/zero.events"; fi
sed -i '/intensity: 0/d' "$TMP/zero.yaml"
expect "intensity absent: one restart" 0 "" "" -- "$WACTOR" run "$TMP/zero.yaml" --until-idle --events "$TMP/one.events"
if ! grep -q 'reached_max_restart_intensity' "$TMP/one.events" && [ "$(grep -c '"child_started"' "$TMP/one.events")" -eq 2 ]; then
  pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL: intensity absent"; cat "$TMP/one.events"; fi
# Guest text is escaped where it is printed: a log line cannot forge another component's line nor send
# terminal sequences; NULs and invalid UTF-8 become visible escapes too.
cat > "$TMP/evil.yaml" <<YAML
components:
  - name: evil
    module: $BUILD/fixtures/cli_evillog.wasm
YAML
expect "evil log: escaped" 0 "" ' \[evil\] hi\\n\[other\] forged\\x1b\[2J\\x07$' -- "$WACTOR" run "$TMP/evil.yaml" --until-idle
if grep -q '^\[other\]' "$TMP/err" || grep -q $'\x1b' "$TMP/err" || grep -q $'\x07' "$TMP/err" || [ "$(grep -c . "$TMP/err")" -ne 2 ]; then
  fail=$((fail+1)); echo "FAIL: a forged line or a raw control byte got through"; cat -A "$TMP/err"
else pass=$((pass+1)); fi
grep -q ' \[evil\] nul\\x00here \\xff end$' "$TMP/err" && pass=$((pass+1)) || { fail=$((fail+1)); echo "FAIL: NUL/invalid UTF-8"; cat -A "$TMP/err"; }
# --until-idle returns although health probes keep ticking (their timers are not work); hang guard only
FIX=$(cd "$(dirname "$0")/../fixtures" && pwd)
cat > "$TMP/health.yaml" <<YAML
components:
  - name: healthy
    module: $FIX/cli_once.wat
supervisor:
  name: root
  children:
    - component: healthy
      health: { interval_ms: 10, timeout_ms: 5000 }
YAML
expect "--until-idle with health checks returns (a .wat component)" 0 "" "INFO  \[healthy\] started$" -- \
  timeout -k 5 60 "$WACTOR" run "$TMP/health.yaml" --until-idle --events "$TMP/health.events"
grep -q "^summary: 1 components, .* 0 traps, 0 restarts$" "$TMP/out" && pass=$((pass+1)) || { fail=$((fail+1)); echo "FAIL: health summary"; cat "$TMP/out"; }

# --fail-on-trap; the summary counts restarts
expect "a trap with --fail-on-trap: exit 1" 1 "summary: .* 1 traps, 1 restart$" "^wactor: 1 trap \(--fail-on-trap\)$" -- \
  "$WACTOR" run "$TMP/sup.yaml" --until-idle --fail-on-trap
expect "--fail-on-trap before the manifest" 1 "" "fail-on-trap" -- "$WACTOR" run --fail-on-trap --until-idle "$TMP/sup.yaml"
expect "no trap with --fail-on-trap: exit 0" 0 "0 traps, 0 restarts" "" -- "$WACTOR" run "$EX/demo.yaml" --until-idle --fail-on-trap
expect "watch: several restarts counted" 0 "summary: .* [3-9] traps, [3-9] restarts$" "" -- "$WACTOR" run "$EX/watch.yaml" --until-idle

# messages: each thing once, in the user's words
expect "missing module: cannot open, with the manifest line" 2 "" \
  "^wactor: .*missing.yaml:2: component a: cannot open .*nowhere.wasm: No such file or directory$" -- "$WACTOR" run "$TMP/missing.yaml" --until-idle
cat > "$TMP/badstart.yaml" <<YAML
components:
  - name: bad
    module: $BUILD/fixtures/comp_badstart.wasm
YAML
expect "start-up trap said once" 1 "" "^wactor: .*badstart.yaml:2: component bad failed to start: _start trapped: unreachable executed$" -- \
  "$WACTOR" run "$TMP/badstart.yaml" --until-idle
printf '(module (func $f (export "_start") (call $g)))' > "$TMP/typo.wat"
cat > "$TMP/typo.yaml" <<YAML
components:
  - name: typo
    module: typo.wat
YAML
expect "a .wat in a manifest with an error: line:col" 2 "" "typo.yaml:2: component typo: invalid WebAssembly module: .*typo.wat:1:.*undefined function variable" -- \
  "$WACTOR" run "$TMP/typo.yaml" --until-idle
printf '\0asm\r\0\1\0' > "$TMP/comp.wasm"
cat > "$TMP/comp.yaml" <<YAML
components:
  - name: comp
    module: comp.wasm
YAML
expect "a component in a manifest" 2 "" "this is a WebAssembly component .*; wactor runs core modules" -- "$WACTOR" run "$TMP/comp.yaml" --until-idle
finish
