# CLI: `wactor inspect` — imports, exports with signatures, lifecycle exports.
. "$(dirname "$0")/lib.bash"
expect "calc exports with signatures" 0 "func +add \(i32, i32\) -> i32" "" -- "$WACTOR" inspect "$BUILD/examples/calc.wasm"
expect "multi-value signature" 0 "func +divmod \(i32, i32\) -> \(i32, i32\)" "" -- "$WACTOR" inspect "$BUILD/examples/calc.wasm"
expect "counter imports" 0 "wactor\." "" -- "$WACTOR" inspect "$BUILD/examples/counter.wasm"
expect "lifecycle" 0 "handle-message +yes" "" -- "$WACTOR" inspect "$BUILD/examples/echo.wasm"
expect "lifecycle absent" 0 "_health +no" "" -- "$WACTOR" inspect "$BUILD/fixtures/comp_nohandler.wasm"
printf '\0asm\1\0\0' > "$TMP/t.wasm"
expect "malformed (exit 2)" 2 "" "invalid WebAssembly module" -- "$WACTOR" inspect "$TMP/t.wasm"
WAT=$(dirname "$0")/../fixtures/cli_once.wat
expect ".wat module" 0 "func +count \(\) -> i32" "" -- "$WACTOR" inspect "$WAT"
expect ".wat lifecycle" 0 "_start +yes" "" -- "$WACTOR" inspect "$WAT"
printf '(module (func (export "\\1b[2Jevil\\0a  func   forged") (nop)))' > "$TMP/evil.wat"
expect "export names are escaped" 0 'func +\\x1b\[2Jevil\\n  func   forged' "" -- "$WACTOR" inspect "$TMP/evil.wat"
if grep -q $'\x1b' "$TMP/out" || grep -q "^  func   forged" "$TMP/out"; then
  fail=$((fail+1)); echo "FAIL: a raw escape or a forged line got through"; cat -A "$TMP/out"
else pass=$((pass+1)); fi
printf '(module (func (export "f") (param i32) (i32.add)))' > "$TMP/bad.wat"
expect ".wat that does not validate" 2 "" "^wactor: invalid WebAssembly module: .*bad.wat:1:.*error: " -- "$WACTOR" inspect "$TMP/bad.wat"
printf '\0asm\r\0\1\0' > "$TMP/c.wasm"
expect "a component" 2 "" "this is a WebAssembly component .*; wactor runs core modules" -- "$WACTOR" inspect "$TMP/c.wasm"
expect "missing file" 2 "" "^wactor: cannot open $TMP/none.wasm: No such file or directory$" -- "$WACTOR" inspect "$TMP/none.wasm"
finish
