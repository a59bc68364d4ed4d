;; tail_calls.wat's algorithm with a loop instead of tail calls.
(module
  (func $steps (param $x i32) (result i32) (local $steps i32)
    (block $done
      (loop $again
        (br_if $done (i32.le_u (local.get $x) (i32.const 1)))
        (local.set $steps (i32.add (local.get $steps) (i32.const 1)))
        (if (i32.and (local.get $x) (i32.const 1))
          (then (local.set $x (i32.add (i32.mul (local.get $x) (i32.const 3)) (i32.const 1))))
          (else (local.set $x (i32.shr_u (local.get $x) (i32.const 1)))))
        (br $again)))
    (local.get $steps))
  (func (export "bench") (param $n i32) (result i32) (local $k i32) (local $sum i32)
    (local.set $k (i32.const 1))
    (block $done
      (loop $next
        (br_if $done (i32.gt_u (local.get $k) (local.get $n)))
        (local.set $sum (i32.add (local.get $sum) (call $steps (local.get $k))))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $next)))
    (local.get $sum)))
