;; The VMContext probe: 1 imported function, 1 imported mutable global, 1 memory, 1 table, 1 i64 global, 5 exports.
;; Wasmtime 50 compiles `call_f` to reach the import through vmctx+0x48 and `bump` to read the imported
;; global's pointer at vmctx+0x68 and the i64 global at vmctx+0x90.
(module
  (import "env" "f" (func $f (param i32) (result i32)))
  (import "env" "g" (global $g (mut i32)))
  (memory (export "memory") 1)
  (table (export "table") 1 funcref)
  (global $h (export "h") (mut i64) (i64.const 7))
  (func (export "call_f") (param i32) (result i32) (call $f (local.get 0)))
  (func (export "bump")
    (global.set $h (i64.add (global.get $h) (i64.extend_i32_u (global.get $g))))))
