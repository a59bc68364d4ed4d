;; Linear memory and a data segment: sum the bytes of a string.
;;   wasmrun --invoke checksum examples/checksum.wat 0 13   (prints 1129: the bytes of "Hello, World!")
(module
  (memory (export "memory") 1)
  (data (i32.const 0) "Hello, World!")

  (func (export "checksum") (param $address i32) (param $length i32) (result i32)
    (local $sum i32)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $length)))
        (local.set $sum (i32.add (local.get $sum) (i32.load8_u (local.get $address))))
        (local.set $address (i32.add (local.get $address) (i32.const 1)))
        (local.set $length (i32.sub (local.get $length) (i32.const 1)))
        (br $next)))
    (local.get $sum)))
