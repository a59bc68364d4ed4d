;; Asks for a name on stdout, reads one chunk of stdin, answers: an interactive program through pipes.
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 100) "name? ")
  (data (i32.const 110) "hello, ")
  ;; iovec at 0: the text to write; result count at 8
  (func $write (param $address i32) (param $length i32)
    (i32.store (i32.const 0) (local.get $address))
    (i32.store (i32.const 4) (local.get $length))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))
  (func (export "_start")
    (call $write (i32.const 100) (i32.const 6))
    ;; read up to 64 bytes into 200
    (i32.store (i32.const 16) (i32.const 200))
    (i32.store (i32.const 20) (i32.const 64))
    (drop (call $fd_read (i32.const 0) (i32.const 16) (i32.const 1) (i32.const 24)))
    (call $write (i32.const 110) (i32.const 7))
    (call $write (i32.const 200) (i32.load (i32.const 24))))
)
