;; A start function and data segments, active and passive.
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (global $ready (mut i32) (i32.const 0))
  (data (i32.const 16) "Hello, data!\n")
  (data (i32.const 1024) "\00\01\02\03\04\05\06\07")
  (data $message "late message")
  (func $init
    (memory.init $message (i32.const 64) (i32.const 0) (i32.const 12))
    (data.drop $message)
    (global.set $ready (i32.const 1)))
  (func (export "_start") (call $exit (i32.sub (i32.const 1) (global.get $ready))))
  (start $init))
