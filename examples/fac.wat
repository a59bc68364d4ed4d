;; Factorial, recursive and iterative, on 64-bit integers.
;;   wasmrun --invoke fac examples/fac.wat 20       (prints 2432902008176640000)
;;   wasmrun --invoke fac-iter examples/fac.wat 20  (the same, with a loop)
(module
  (func $fac (export "fac") (param $n i64) (result i64)
    (if (result i64) (i64.le_u (local.get $n) (i64.const 1))
      (then (i64.const 1))
      (else
        (i64.mul
          (local.get $n)
          (call $fac (i64.sub (local.get $n) (i64.const 1)))))))

  (func (export "fac-iter") (param $n i64) (result i64)
    (local $result i64)
    (local.set $result (i64.const 1))
    (block $done
      (loop $next
        (br_if $done (i64.le_u (local.get $n) (i64.const 1)))
        (local.set $result (i64.mul (local.get $result) (local.get $n)))
        (local.set $n (i64.sub (local.get $n) (i64.const 1)))
        (br $next)))
    (local.get $result)))
