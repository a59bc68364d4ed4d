;; A reactor: `_initialize` prints `init` and sets up state that `ready` returns; `bad_pointer` makes
;; fd_write read an iovec outside memory (a failed WASI call, not a trap).
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (global $state (mut i32) (i32.const 0))
  (data (i32.const 16) "init\n")
  (func (export "_initialize")
    (global.set $state (i32.const 42))
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 5))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))
  (func (export "ready") (result i32) (global.get $state))
  (func (export "bad_pointer") (result i32)
    (call $fd_write (i32.const 1) (i32.const 70000) (i32.const 1) (i32.const 8)))
)
