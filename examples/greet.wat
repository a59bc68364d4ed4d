;; A component written by hand (the Component Model's text format): one core module does the work,
;; and `canon lift` gives its function the component type greet: func(name: string) -> string.
;; The canonical ABI passes the string as (pointer, length) in the module's memory, copied there
;; through the module's `realloc`; the result comes back through a pointer to (pointer, length).
(component
  (core module $greeter
    (memory (export "memory") 1)
    (data (i32.const 0) "Hello, ")
    (global $heap (mut i32) (i32.const 1024))
    ;; A bump allocator: enough for one call.
    (func $realloc (export "realloc") (param $old i32) (param $old_size i32) (param $align i32) (param $size i32)
      (result i32)
      (local $pointer i32)
      (local.set $pointer
        (i32.and (i32.add (global.get $heap) (i32.sub (local.get $align) (i32.const 1)))
                 (i32.sub (i32.const 0) (local.get $align))))
      (global.set $heap (i32.add (local.get $pointer) (local.get $size)))
      (local.get $pointer))
    (func (export "greet") (param $name i32) (param $length i32) (result i32)
      (local $text i32) (local $result i32)
      (local.set $text
        (call $realloc (i32.const 0) (i32.const 0) (i32.const 1) (i32.add (local.get $length) (i32.const 8))))
      (memory.copy (local.get $text) (i32.const 0) (i32.const 7))
      (memory.copy (i32.add (local.get $text) (i32.const 7)) (local.get $name) (local.get $length))
      (i32.store8 (i32.add (local.get $text) (i32.add (local.get $length) (i32.const 7))) (i32.const 33))
      (local.set $result (call $realloc (i32.const 0) (i32.const 0) (i32.const 4) (i32.const 8)))
      (i32.store (local.get $result) (local.get $text))
      (i32.store offset=4 (local.get $result) (i32.add (local.get $length) (i32.const 8)))
      (local.get $result)))
  (core instance $instance (instantiate $greeter))
  (func (export "greet") (param "name" string) (result string)
    (canon lift (core func $instance "greet") (memory $instance "memory") (realloc (func $instance "realloc")))))
