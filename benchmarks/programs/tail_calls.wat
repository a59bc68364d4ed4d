;; Tail calls: the Collatz step count of every k in [1, n], each step a return_call (a state machine of
;; two mutually tail-calling functions). The same algorithm with a loop: tail_calls_plain.wat.
(module
  (func $step (param $x i32) (param $steps i32) (result i32)
    (if (i32.le_u (local.get $x) (i32.const 1)) (then (return (local.get $steps))))
    (if (i32.and (local.get $x) (i32.const 1))
      (then (return_call $odd (local.get $x) (local.get $steps))))
    (return_call $step (i32.shr_u (local.get $x) (i32.const 1)) (i32.add (local.get $steps) (i32.const 1))))
  (func $odd (param $x i32) (param $steps i32) (result i32)
    (return_call $step (i32.add (i32.mul (local.get $x) (i32.const 3)) (i32.const 1))
      (i32.add (local.get $steps) (i32.const 1))))
  (func (export "bench") (param $n i32) (result i32) (local $k i32) (local $sum i32)
    (local.set $k (i32.const 1))
    (block $done
      (loop $next
        (br_if $done (i32.gt_u (local.get $k) (local.get $n)))
        (local.set $sum (i32.add (local.get $sum) (call $step (local.get $k) (i32.const 0))))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $next)))
    (local.get $sum)))
