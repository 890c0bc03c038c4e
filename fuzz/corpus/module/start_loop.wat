;; Seed for fuzz_module (a regression input): a start function that never returns. It once hung
;; instantiation (start functions ran without an instruction budget); now the runtime gives start-up
;; start_fuel and fuzz_module defers the start function and runs it in slices.
(module
  (func $forever (loop $l (br $l)))
  (func (export "f") (result i32) (i32.const 1))
  (start $forever))
