# CLI: `wactor call` — results, traps (exit 1) and bad input (exit 2).
. "$(dirname "$0")/lib.bash"
CALC=$BUILD/examples/calc.wasm

exact "add 5 3 prints 8" "8" -- "$WACTOR" call "$CALC" add 5 3
exact "add negative" "-7" -- "$WACTOR" call "$CALC" add -10 3
exact "mul f64" "10" -- "$WACTOR" call "$CALC" mul 2.5 4
exact "several results are an array" "[3,2]" -- "$WACTOR" call "$CALC" divmod 17 5
exact "--json args" "8" -- "$WACTOR" call "$CALC" add --json '[5,3]'
exact "--cbor args" "8" -- "$WACTOR" call "$CALC" add --cbor 820503
exact "--borsh args" "8" -- "$WACTOR" call "$CALC" add --borsh 0500000003000000
expect "div by zero traps (exit 1)" 1 "" "integer divide by zero" -- "$WACTOR" call "$CALC" div 1 0
expect "unknown export (exit 2)" 2 "" "no function export 'nope'" -- "$WACTOR" call "$CALC" nope
expect "wrong arity (exit 2)" 2 "" "expects 2 arguments, got 1" -- "$WACTOR" call "$CALC" add 1
expect "wrong type (exit 2)" 2 "" "argument 2" -- "$WACTOR" call "$CALC" add 1 abc
expect "bad --json (exit 2)" 2 "" "." -- "$WACTOR" call "$CALC" add --json '[1,'
expect "bad hex (exit 2)" 2 "" "." -- "$WACTOR" call "$CALC" add --cbor 8Z
expect "missing file (exit 2)" 2 "" "No such file" -- "$WACTOR" call "$TMP/none.wasm" add 1 2
head -c 100 "$CALC" > "$TMP/truncated.wasm"
expect "truncated module (exit 2)" 2 "" "invalid WebAssembly module: .*truncated.wasm: .*error" -- "$WACTOR" call "$TMP/truncated.wasm" add 1 2
printf 'not wasm at all' > "$TMP/garbage.wasm"
expect "garbage module (exit 2)" 2 "" "invalid WebAssembly module" -- "$WACTOR" call "$TMP/garbage.wasm" add 1 2
expect "no arguments (exit 2)" 2 "" "usage" -- "$WACTOR" call
expect "unknown command (exit 2)" 2 "" "unknown command" -- "$WACTOR" frobnicate

# `--` ends the options; unknown options are errors wherever they appear; --help anywhere before `--`
exact "-- before negative arguments" "1" -- "$WACTOR" call "$CALC" add -- -1 2
exact "negative numbers need no --" "-3" -- "$WACTOR" call "$CALC" add -1 -2
exact "options after the positionals" "8" -- "$WACTOR" call "$CALC" add --json '[5,3]'
exact "options before the module" "8" -- "$WACTOR" call --json='[5,3]' "$CALC" add
expect "unknown option before" 2 "" "^wactor call: unknown option '--frob' \(see .wactor help call.\)$" -- "$WACTOR" call --frob "$CALC" add 1 2
expect "unknown option after" 2 "" "unknown option '--frob'" -- "$WACTOR" call "$CALC" add 1 2 --frob
expect "unknown short option" 2 "" "unknown option '-x'" -- "$WACTOR" call "$CALC" add -x 2
expect "a flag after -- is an argument" 2 "" "argument 1: expected i32, got '--frob'" -- "$WACTOR" call "$CALC" add -- --frob 2
expect "--help after -- is an argument" 2 "" "argument 1: expected i32, got '--help'" -- "$WACTOR" call "$CALC" add -- --help 2
expect "--help anywhere" 0 "^usage:" "" -- "$WACTOR" call "$CALC" add 1 --help
expect "-h" 0 "--json ARRAY" "" -- "$WACTOR" call -h
expect "--json twice" 2 "" "already given with --json" -- "$WACTOR" call "$CALC" add --json '[1,2]' --json '[1,2]'
expect "--json without its value" 2 "" "--json needs a value" -- "$WACTOR" call "$CALC" add --json
expect "a flag given a value" 2 "" "unknown option" -- "$WACTOR" call "$CALC" add --jsonx=1
expect "empty arguments" 2 "" "argument 1: expected i32, got ''" -- "$WACTOR" call "$CALC" add "" ""
expect "empty module name" 2 "" "cannot open : No such file" -- "$WACTOR" call "" add

# errors say each thing once, in the user's words
expect "trap message" 1 "" "^wactor: trap in div: integer divide by zero$" -- "$WACTOR" call "$CALC" div 1 0
grep -c "divide by zero" "$TMP/err" | grep -qx 1 && pass=$((pass+1)) || { fail=$((fail+1)); echo "FAIL: the trap is said more than once"; cat "$TMP/err"; }
expect "overflow trap" 1 "" "^wactor: trap in div: integer overflow$" -- "$WACTOR" call "$CALC" div -2147483648 -1
expect "missing file" 2 "" "^wactor: cannot open $TMP/none.wasm: No such file or directory$" -- "$WACTOR" call "$TMP/none.wasm" add 1 2
expect "start failure" 1 "" "^wactor: .*comp_badstart.wasm failed to start: _start trapped: unreachable executed$" -- \
  "$WACTOR" call "$BUILD/fixtures/comp_badstart.wasm" ok
expect "a directory as module" 2 "" "^wactor: .*invalid WebAssembly module|cannot (open|read)" -- "$WACTOR" call "$TMP" add 1 2
expect "bad --json says where" 2 "" "^wactor: --json: malformed JSON: .*line 1 column" -- "$WACTOR" call "$CALC" add --json '[1,'

# `call FILE _start` runs _start once (it is the instance's start-up); proc_exit(N) in call exits N
ONCE=$BUILD/fixtures/cli_once.wasm
expect "_start runs once" 0 "" "started" -- "$WACTOR" call "$ONCE" _start
[ "$(grep -c started "$TMP/err")" = 1 ] && pass=$((pass+1)) || { fail=$((fail+1)); echo "FAIL: _start ran $(grep -c started "$TMP/err") times"; }
exact "start-up ran _start once before the call" "1" -- "$WACTOR" call "$ONCE" count
expect "proc_exit(7) in call exits 7" 7 "" "" -- "$WACTOR" call "$ONCE" exit 7
expect "proc_exit(0) in call exits 0" 0 "" "" -- "$WACTOR" call "$ONCE" exit 0
expect "proc_exit(255)" 255 "" "" -- "$WACTOR" call "$ONCE" exit 255
expect "proc_exit(256) cannot be a status" 1 "" "proc_exit\(256\): an exit status must be 0..255" -- "$WACTOR" call "$ONCE" exit 256
expect "proc_exit(-1)" 1 "" "proc_exit\(4294967295\)" -- "$WACTOR" call "$ONCE" exit -1
expect "proc_exit in _start exits its code" 64 "" "" -- "$WACTOR" call "$BUILD/fixtures/wasi_cmd.wasm" _start

# .wat modules, with line:col for a syntax error
WAT=$(dirname "$0")/../fixtures/cli_once.wat
exact ".wat module" "1" -- "$WACTOR" call "$WAT" count
printf '(module\n  (func (export "f") (result i32)\n    i32.const x))\n' > "$TMP/bad.wat"
expect ".wat syntax error: line:col" 2 "" "bad.wat:3:15: error: unexpected token \"x\"" -- "$WACTOR" call "$TMP/bad.wat" f
printf '(module (func (export "f") (result i32)))' > "$TMP/invalid.wat"
expect ".wat that does not validate" 2 "" "invalid.wat:1:.*error: type mismatch" -- "$WACTOR" call "$TMP/invalid.wat" f
head -c 3000000 /dev/zero | tr '\0' '(' > "$TMP/deep.wat"
expect ".wat nested too deep (no stack overflow)" 2 "" "deep.wat:1:1001: error: parentheses nested deeper than 1000" -- "$WACTOR" call "$TMP/deep.wat" f
printf '' > "$TMP/empty.wat"
expect "empty .wat" 2 "" "empty.wat" -- "$WACTOR" call "$TMP/empty.wat" f
printf '(module (func (export "f") (result i32) (i32.const 5)))' > "$TMP/bare.wat"
exact "small .wat" "5" -- "$WACTOR" call "$TMP/bare.wat" f

# a Component-Model binary says so, whole or truncated
printf '\0asm\r\0\1\0\0\0\0\0' > "$TMP/comp.wasm"
expect "component binary" 2 "" "this is a WebAssembly component .*; wactor runs core modules" -- "$WACTOR" call "$TMP/comp.wasm" f
printf '\0asm\r\0\1\0' > "$TMP/comp8.wasm"
expect "truncated component binary" 2 "" "this is a WebAssembly component" -- "$WACTOR" call "$TMP/comp8.wasm" f
printf '\0asm\r\0' > "$TMP/comp6.wasm"
expect "component header cut short" 2 "" "invalid WebAssembly module" -- "$WACTOR" call "$TMP/comp6.wasm" f

# NaN and infinities print as strings and are read back; 64-bit integers stay exact
exact "NaN with a payload" '"nan:0x400001"' -- "$WACTOR" call "$ONCE" nan32
exact "negative canonical NaN" '"-nan"' -- "$WACTOR" call "$ONCE" nan64
exact "-infinity" '"-inf"' -- "$WACTOR" call "$ONCE" inf
exact "i64 beyond 2^53 is exact" "9007199254740993" -- "$WACTOR" call "$ONCE" big
exact "i64 beyond 2^53 through add64" "9007199254740993" -- "$WACTOR" call "$CALC" add64 9007199254740992 1
exact "--json nan payload back in" "2143289345" -- "$WACTOR" call "$ONCE" bits32 --json '["nan:0x400001"]'
exact "positional nan payload" "2139095041" -- "$WACTOR" call "$ONCE" bits32 nan:0x1
exact "--json -inf" "-4503599627370496" -- "$WACTOR" call "$ONCE" bits64 --json '["-inf"]'
exact "nan through mul" '"nan"' -- "$WACTOR" call "$CALC" mul --json '["nan", 1]'
exact "inf through mul" '"inf"' -- "$WACTOR" call "$CALC" mul inf 2
expect "a bad NaN payload" 2 "" "a NaN payload must be 1 to 23 bits" -- "$WACTOR" call "$ONCE" bits32 nan:0x0
expect "bad hex says so" 2 "" "^wactor: --cbor: invalid hex character 'Z'" -- "$WACTOR" call "$CALC" add --cbor 8Z
expect "wrong --borsh size" 2 "" "^wactor: --borsh: truncated Borsh arguments" -- "$WACTOR" call "$CALC" add --borsh 05
expect "a word that is not a number" 2 "" "expected f64, got string \"infinite\"" -- "$WACTOR" call "$CALC" mul --json '["infinite", 1]'
finish
