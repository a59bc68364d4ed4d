;; Exceptions as control flow: for i in [0, n), parse(i) throws $bad (payload i) when i % 7 == 0, else
;; returns i * 3; the loop catches and counts. The same algorithm with an error code: exceptions_plain.wat.
(module
  (tag $bad (param i32))
  (func $parse (param $i i32) (result i32)
    (if (i32.eqz (i32.rem_u (local.get $i) (i32.const 7)))
      (then (throw $bad (local.get $i))))
    (i32.mul (local.get $i) (i32.const 3)))
  (func (export "bench") (param $n i32) (result i32) (local $i i32) (local $sum i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (block $caught (result i32)
          (local.set $sum (i32.add (local.get $sum)
            (try_table (result i32) (catch $bad $caught) (call $parse (local.get $i)))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $next))
        ;; the payload: an error counted as its value plus one
        (local.set $sum (i32.add (local.get $sum) (i32.add (i32.const 1))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $sum)))
