;; Seed for fuzz_module: the shape of a wactor component (docs/ABI.md) — cabi_realloc, handle-message,
;; lifecycle exports.
(module
  (import "wactor" "send" (func $send (param i32 i32 i32 i32) (result i32)))
  (import "wactor" "self" (func $self (result i64)))
  (memory (export "memory") 1)
  (global $heap (mut i32) (i32.const 1024))
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32)
    (global.get $heap) (global.set $heap (i32.add (global.get $heap) (local.get 3))))
  (func (export "_initialize"))
  (func (export "_start") (drop (call $self)))
  (func (export "handle-message") (param i32 i32 i32 i32)
    (drop (call $send (local.get 0) (local.get 1) (local.get 2) (local.get 3))))
  (func (export "_health") (result i32) (i32.const 1))
  (func (export "_cleanup")))
