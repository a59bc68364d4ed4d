;; Compiled with `wat2wasm --debug-names` into names.wasm: a module with a name section.
(module $calculator
  (func $add (export "add") (param $a i32) (param $b i32) (result i32)
    (i32.add (local.get $a) (local.get $b)))
  (func $twice (param $x i32) (result i32) (local $tmp i32)
    (local.set $tmp (call $add (local.get $x) (local.get $x)))
    (local.get $tmp))
  (func (export "quadruple") (param i32) (result i32)
    (call $twice (call $twice (local.get 0)))))
