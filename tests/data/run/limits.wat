;; Programs that run into limits: loops without end, a runaway memory.grow, deep and unbounded
;; recursion, a trap deep in nested calls, and a read of stdin before a loop without end.
(module
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func $nothing)
  ;; `loop br 0`: no call, only a back edge
  (func (export "spin") (loop $again (br $again)))
  ;; calls in a loop, no recursion
  (func (export "calls") (loop $again (call $nothing) (br $again)))
  ;; grows by a page until memory.grow says -1, then returns the pages it has: the guest decides
  (func (export "grow_forever") (result i32)
    (block $full
      (loop $again
        (br_if $full (i32.eq (memory.grow (i32.const 1)) (i32.const -1)))
        (br $again)))
    (memory.size))
  ;; a trap 30 calls deep
  (func $leaf (param i32) (result i32) (i32.div_u (i32.const 1) (local.get 0)))
  (func $middle (param i32) (result i32)
    (if (result i32) (local.get 0)
      (then (call $middle (i32.sub (local.get 0) (i32.const 1))))
      (else (call $leaf (local.get 0)))))
  (func (export "deep") (result i32) (call $middle (i32.const 30)))
  ;; recursion without end: the call stack is exhausted
  (func $forever (param i32) (result i32) (call $forever (i32.add (local.get 0) (i32.const 1))))
  (func (export "exhaust") (result i32) (call $forever (i32.const 0)))
  ;; mutual recursion without end
  (func $ping (param i32) (result i32) (call $pong (local.get 0)))
  (func $pong (param i32) (result i32) (call $ping (i32.add (local.get 0) (i32.const 1))))
  (func (export "ping_pong") (result i32) (call $ping (i32.const 0)))
  ;; blocks in fd_read on stdin, then loops for ever
  (func (export "read_then_spin")
    (i32.store (i32.const 16) (i32.const 200))
    (i32.store (i32.const 20) (i32.const 64))
    (drop (call $fd_read (i32.const 0) (i32.const 16) (i32.const 1) (i32.const 24)))
    (loop $again (br $again)))
)
