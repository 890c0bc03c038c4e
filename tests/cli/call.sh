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
finish
