;; An exception thrown three calls deep and caught by a caller (WebAssembly 3.0 exception handling).
(module
  ;; Thrown on division by zero; its payload is the dividend.
  (tag $division_by_zero (export "division_by_zero") (param i32))

  (func $divide (param $a i32) (param $b i32) (result i32)
    (if (i32.eqz (local.get $b))
      (then (throw $division_by_zero (local.get $a))))
    (i32.div_s (local.get $a) (local.get $b)))

  ;; The average of a total over a count of cells: no exception handling of its own.
  (func $average (export "average") (param $total i32) (param $cells i32) (result i32)
    (call $divide (local.get $total) (local.get $cells)))

  ;; The average, or minus the total when there are no cells: the exception lands on $no_cells
  ;; with its payload, the dividend, on the stack.
  (func (export "safe_average") (param $total i32) (param $cells i32) (result i32)
    (block $no_cells (result i32)
      (try_table (result i32) (catch $division_by_zero $no_cells)
        (call $average (local.get $total) (local.get $cells)))
      (return))
    (i32.mul (i32.const -1))))
