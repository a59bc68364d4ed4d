;; A module without imports: a memory, a global, three functions, two exports.
(module
  (memory 1 2)
  (global $counter (mut i32) (i32.const 0))
  (func $square (param $x i32) (result i32)
    (i32.mul (local.get $x) (local.get $x)))
  (func $bump (result i32)
    (global.set $counter (i32.add (global.get $counter) (i32.const 1)))
    (global.get $counter))
  (func $sum_squares (param $n i32) (result i32) (local $i i32) (local $total i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $total (i32.add (local.get $total) (call $square (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $total))
  (export "sum_squares" (func $sum_squares))
  (export "bump" (func $bump)))
