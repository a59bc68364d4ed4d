;; The smallest useful module: one exported function.
;;   wasmrun validate examples/add.wat
;;   wasmrun --invoke add examples/add.wat 2 3     (prints 5)
(module
  (func (export "add") (param $a i32) (param $b i32) (result i32)
    local.get $a
    local.get $b
    i32.add))
