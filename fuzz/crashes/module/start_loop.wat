;; Hang reproducer (fuzz/fuzz_module.c, FUZZ_WITH_START=1): a start function that never returns.
;; eng_instance_new runs start functions without an instruction budget (src/engine/engine.cpp, the
;; `for (const StartDesc &s : inst->tmpl->starts)` loop calling start_call(..., budget 0, ...)), so
;; instantiating this module never returns: `wactor call start_loop.wasm f` and wactor_spawn hang, and so
;; would a scheduler thread spawning it (guest `spawn`, a supervisor restart).
(module
  (func $forever (loop $l (br $l)))
  (func (export "f") (result i32) (i32.const 1))
  (start $forever))
