# CLI: log records of `wactor run` (src/cli/log.c): on stderr, "TS LEVEL [name] message" or one JSON object
# per line, --log-level / --log-format and the manifest's `log:`, for both forms of run; the runtime's
# diagnostics (capability refusals at debug naming the rule, restarts) in the same stream; hostile lines.
# Fixture: tests/fixtures/log_levels.wat.
. "$(dirname "$0")/lib.bash"
FX=$BUILD/fixtures
EX=$BUILD/examples
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $1"; [ -z "$2" ] || head -c 3000 "$2"; }
TS='[0-9]{4}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]\.[0-9]{3}Z'
# every line of FILE is a text record: TS, a level padded to 5, [name], the message
all_text() { ! grep -Ev "^$TS (TRACE|DEBUG|INFO |WARN |ERROR) \[[^]]*\] " "$1" | grep -q .; }
# every line of FILE is one JSON object with exactly ts, level, component, msg (in that order), ts in the
# same ISO-8601 form; prints the records as "level|component|msg" lines to FILE.tsv
all_json() {
  python3 - "$1" "$TS" > "$1.tsv" <<'PY'
import json, re, sys
ts = re.compile('^' + sys.argv[2] + '$')
n = 0
for line in open(sys.argv[1], encoding='ascii'):  # JSON lines are pure ASCII
    o = json.loads(line)
    assert list(o) == ['ts', 'level', 'component', 'msg'], o
    assert ts.match(o['ts']), o['ts']
    assert o['level'] in ('trace', 'debug', 'info', 'warn', 'error'), o
    print('%s|%s|%s' % (o['level'], o['component'], o['msg'].replace('\n', '\\n')))
    n += 1
assert n > 0
PY
}

cat > "$TMP/lv.yaml" <<YAML
components:
  - name: lv
    module: $FX/log_levels.wasm
    capabilities: { send: [store] }
send:
  - to: lv
    text: r
YAML

# default: info and above, text, on stderr; stdout has only the summary
expect "default level info" 0 "^summary: " "" -- "$WACTOR" run "$TMP/lv.yaml" --until-idle
all_text "$TMP/err" && ok || bad "text format" "$TMP/err"
grep -Eq "^$TS INFO  \[lv\] level info$" "$TMP/err" && grep -Eq "^$TS WARN  \[lv\] level warn$" "$TMP/err" &&
  grep -Eq "^$TS ERROR \[lv\] level error$" "$TMP/err" && grep -Eq "^$TS ERROR \[lv\] level 7$" "$TMP/err" &&
  grep -Eq "^$TS INFO  \[lv\] raw out$" "$TMP/err" && ok || bad "info, warn, error records" "$TMP/err"
grep -Eq "DEBUG|TRACE|level debug|level trace|refused" "$TMP/err" && bad "below info written" "$TMP/err" || ok
grep -q "level" "$TMP/out" && bad "log records on stdout" "$TMP/out" || ok

# --log-level trace: all five levels, clamped ones too, and the refusals (debug) naming the rule
expect "--log-level trace" 0 "" "" -- "$WACTOR" run "$TMP/lv.yaml" --until-idle --log-level trace
all_text "$TMP/err" && ok || bad "text format (trace)" "$TMP/err"
for l in "TRACE \[lv\] level trace" "DEBUG \[lv\] level debug" "TRACE \[lv\] level -5" \
         "DEBUG \[lv\] refused: send to stroe: not granted: capabilities.send grants \[store\]$"; do
  grep -Eq "^$TS $l" "$TMP/err" && ok || bad "trace: $l" "$TMP/err"
done
# 100 refusals, at most 20 per second written; the rest counted in "N diagnostics suppressed"
n=$(grep -c "refused: send to stroe" "$TMP/err")
s=$(sed -n 's/.*WARN  \[lv\] \([0-9]*\) diagnostics suppressed (over log_diag_per_sec = 20)$/\1/p' "$TMP/err" | awk '{ s += $1 } END { print s + 0 }')
[ "$n" -ge 20 ] && [ "$n" -lt 100 ] && [ $((n + ${s:-0})) -eq 100 ] && ok || bad "rate limit: $n written, $s suppressed" "$TMP/err"

# --log-level error (both spellings): only errors
expect "--log-level=error" 0 "" "" -- "$WACTOR" run "$TMP/lv.yaml" --until-idle --log-level=error
[ "$(grep -Evc "^$TS ERROR " "$TMP/err")" -eq 0 ] && grep -q "level error" "$TMP/err" && ok || bad "error only" "$TMP/err"

# JSON lines: every line parsed; levels as words; the message as written
expect "--log-format json" 0 "^summary: " "" -- "$WACTOR" run "$TMP/lv.yaml" --until-idle --log-format json --log-level debug
all_json "$TMP/err" && ok || bad "json lines" "$TMP/err"
grep -qx "debug|lv|level debug" "$TMP/err.tsv" && grep -qx "error|lv|level 7" "$TMP/err.tsv" &&
  grep -qx "debug|lv|refused: send to stroe: not granted: capabilities.send grants \[store\]" "$TMP/err.tsv" &&
  ! grep -q "^trace|" "$TMP/err.tsv" && ok || bad "json records" "$TMP/err.tsv"

# the manifest's log: section, and the command line over it
cat "$TMP/lv.yaml" > "$TMP/lvm.yaml"
printf 'log:\n  level: warn\n  format: json\n' >> "$TMP/lvm.yaml"
expect "manifest log: warn, json" 0 "" "" -- "$WACTOR" run "$TMP/lvm.yaml" --until-idle
all_json "$TMP/err" && grep -qx "warn|lv|level warn" "$TMP/err.tsv" && ! grep -q "^info|" "$TMP/err.tsv" && ok ||
  bad "manifest log section" "$TMP/err"
expect "command line over the manifest" 0 "" "" -- "$WACTOR" run "$TMP/lvm.yaml" --until-idle --log-format text --log-level info
all_text "$TMP/err" && grep -Eq "INFO  \[lv\] level info$" "$TMP/err" && ok || bad "override" "$TMP/err"

# bad values
expect "unknown --log-level" 2 "" "--log-level needs one of trace, debug, info, warn, error, not 'loud'" -- \
  "$WACTOR" run "$TMP/lv.yaml" --log-level loud
expect "--log-level without a value" 2 "" "--log-level needs a value" -- "$WACTOR" run "$TMP/lv.yaml" --log-level
expect "unknown --log-format" 2 "" "--log-format needs one of text, json, not 'xml'" -- \
  "$WACTOR" run "$TMP/lv.yaml" --log-format=xml
printf 'log: { level: loud }\n' >> "$TMP/lv.yaml"
expect "manifest: unknown level, with its line" 2 "" "lv.yaml:8:.*unknown log level 'loud'" -- "$WACTOR" run "$TMP/lv.yaml"

# hostile lines: 100,000 bytes cut and marked; NUL, invalid UTF-8 and ESC escaped in text, valid JSON in json
cat > "$TMP/evil.yaml" <<YAML
components:
  - name: evil
    module: $FX/log_levels.wasm
send:
  - to: evil
    text: h
YAML
expect "hostile lines, text" 0 "" "" -- "$WACTOR" run "$TMP/evil.yaml" --until-idle
all_text "$TMP/err" && grep -Eq "^$TS INFO  \[evil\] nul\\\\x00here \\\\xff end\\\\x1b\[2J$" "$TMP/err" &&
  grep -Eq "^$TS WARN  \[evil\] x{4096} \[truncated\]$" "$TMP/err" && ! grep -q $'\x1b' "$TMP/err" && ok ||
  bad "hostile text" "$TMP/err"
expect "hostile lines, json" 0 "" "" -- "$WACTOR" run "$TMP/evil.yaml" --until-idle --log-format json
all_json "$TMP/err" && ! grep -q $'\x1b' "$TMP/err" && grep -qi '"msg":"nul\\u0000here \\ufffd end\\u001b\[2J"' "$TMP/err" &&
  python3 -c "
import json, sys
m = [json.loads(l)['msg'] for l in open(sys.argv[1])]
assert 'nul\x00here \ufffd end\x1b[2J' in m
assert 'x' * 4096 + ' [truncated]' in m" "$TMP/err" && ok || bad "hostile json" "$TMP/err"

# diagnostics of the supervisors: a restart, by name, in the same channel
cat > "$TMP/sup.yaml" <<YAML
components:
  - name: crasher
    module: $EX/crasher.wasm
supervisor:
  name: root
  intensity: 5
  children:
    - component: crasher
send:
  - to: crasher
    json: {"crash": "div"}
YAML
expect "restart logged" 0 "" "" -- "$WACTOR" run "$TMP/sup.yaml" --until-idle
all_text "$TMP/err" && grep -Eq "^$TS ERROR \[crasher\] trap: integer divide by zero" "$TMP/err" &&
  grep -Eq "^$TS INFO  \[root\] child crasher exited: integer divide by zero \(pid [0-9]+\)$" "$TMP/err" &&
  grep -Eq "^$TS INFO  \[root\] child crasher restarted \(pid [0-9]+\)$" "$TMP/err" && ok || bad "restart records" "$TMP/err"

# a WASI command: its stdout stays raw and alone; log records go to stderr, at --log-level
got=$("$WACTOR" run --log-level debug "$FX/log_levels.wasm" 2>"$TMP/cerr"); st=$?
[ $st -eq 0 ] && [ "$got" = "raw out" ] && ok || bad "command stdout: '$got' ($st)" "$TMP/cerr"
all_text "$TMP/cerr" && grep -Eq "DEBUG \[#[0-9]+\] level debug$" "$TMP/cerr" && ! grep -q "level trace" "$TMP/cerr" &&
  ! grep -q "raw out" "$TMP/cerr" && ok || bad "command log records" "$TMP/cerr"
got=$("$WACTOR" run --log-format json "$FX/log_levels.wasm" 2>"$TMP/cerr"); st=$?
[ $st -eq 0 ] && [ "$got" = "raw out" ] && all_json "$TMP/cerr" && grep -qx "info|#[0-9]*|level info" "$TMP/cerr.tsv" &&
  ! grep -q "^debug|" "$TMP/cerr.tsv" && ok || bad "command json" "$TMP/cerr"
expect "command: bad --log-level" 2 "" "--log-level needs one of" -- "$WACTOR" run --log-level x "$FX/log_levels.wasm"
finish
