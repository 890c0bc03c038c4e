;; The `spectest` host module of the WebAssembly spec interpreter (WebAssembly/spec,
;; interpreter/host/spectest.ml), written as a module so that the spec runner needs nothing but engine.h:
;; the print functions (they print nothing; no test checks their output), a table of 10..20 funcrefs, a
;; memory of 1..2 pages and the four globals with the values the reference interpreter gives them.
(module
  (func (export "print"))
  (func (export "print_i32") (param i32))
  (func (export "print_i64") (param i64))
  (func (export "print_f32") (param f32))
  (func (export "print_f64") (param f64))
  (func (export "print_i32_f32") (param i32 f32))
  (func (export "print_f64_f64") (param f64 f64))
  (table (export "table") 10 20 funcref)
  (memory (export "memory") 1 2)
  (global (export "global_i32") i32 (i32.const 666))
  (global (export "global_i64") i64 (i64.const 666))
  (global (export "global_f32") f32 (f32.const 666.6))
  (global (export "global_f64") f64 (f64.const 666.6)))
