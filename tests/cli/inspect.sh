# CLI: `wactor inspect` — imports, exports with signatures, lifecycle exports.
. "$(dirname "$0")/lib.bash"
expect "calc exports with signatures" 0 "func +add \(i32, i32\) -> i32" "" -- "$WACTOR" inspect "$BUILD/examples/calc.wasm"
expect "multi-value signature" 0 "func +divmod \(i32, i32\) -> \(i32, i32\)" "" -- "$WACTOR" inspect "$BUILD/examples/calc.wasm"
expect "counter imports" 0 "wactor\." "" -- "$WACTOR" inspect "$BUILD/examples/counter.wasm"
expect "lifecycle" 0 "handle-message +yes" "" -- "$WACTOR" inspect "$BUILD/examples/echo.wasm"
expect "lifecycle absent" 0 "_health +no" "" -- "$WACTOR" inspect "$BUILD/fixtures/comp_nohandler.wasm"
printf '\0asm\1\0\0' > "$TMP/t.wasm"
expect "malformed (exit 2)" 2 "" "invalid WebAssembly module" -- "$WACTOR" inspect "$TMP/t.wasm"
finish
