;; exceptions.wat's algorithm with an error code instead of an exception (-1: the error; the value in $err).
(module
  (global $err (mut i32) (i32.const 0))
  (func $parse (param $i i32) (result i32)
    (if (i32.eqz (i32.rem_u (local.get $i) (i32.const 7)))
      (then (global.set $err (local.get $i)) (return (i32.const -1))))
    (i32.mul (local.get $i) (i32.const 3)))
  (func (export "bench") (param $n i32) (result i32) (local $i i32) (local $sum i32) (local $r i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $r (call $parse (local.get $i)))
        (if (i32.eq (local.get $r) (i32.const -1))
          (then (local.set $sum (i32.add (local.get $sum) (i32.add (global.get $err) (i32.const 1)))))
          (else (local.set $sum (i32.add (local.get $sum) (local.get $r)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $sum)))
