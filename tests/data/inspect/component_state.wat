;; A component whose instantiation leaves state behind, for `inspect --instance` (nothing is called:
;; the start function runs as part of instantiation).
;;   * `$init`, the component's start function, keeps an owning handle of resource `r` (rep 42),
;;     makes a waitable set and raises the backpressure counter;
;;   * instance `$outer` of nested component `$middle` instantiates `$leaf` in turn; the root lowers
;;     `$outer`'s lifted export `answer` and gives it to its own core instance.
(component
  (core module $d (func (export "dtor") (param i32)))
  (core instance $di (instantiate $d))
  (type $r (resource (rep i32) (dtor (func $di "dtor"))))
  (core func $new (canon resource.new $r))
  (core func $waitable-set (canon waitable-set.new))
  (core func $backpressure (canon backpressure.inc))
  (core module $m
    (import "" "new" (func $new (param i32) (result i32)))
    (import "" "waitable-set" (func $waitable-set (result i32)))
    (import "" "backpressure" (func $backpressure))
    (import "child" "answer" (func $answer (result i32)))
    (table (export "table") 2 funcref)
    (elem (i32.const 0) func $answer $init)
    (global (export "handle") (mut i32) (i32.const 0))
    (func $init (export "init")
      (global.set 0 (call $new (i32.const 42)))
      (drop (call $waitable-set))
      (call $backpressure)))
  (component $middle
    (component $leaf
      (core module $l (func (export "f") (result i32) (i32.const 42)))
      (core instance $li (instantiate $l))
      (func (export "answer") (result u32) (canon lift (core func $li "f"))))
    (instance $inner (instantiate $leaf))
    (export "answer" (func $inner "answer")))
  (instance $outer (instantiate $middle))
  (core func $answer (canon lower (func $outer "answer")))
  (core instance $i (instantiate $m
    (with "" (instance
      (export "new" (func $new)) (export "waitable-set" (func $waitable-set)) (export "backpressure" (func $backpressure))))
    (with "child" (instance (export "answer" (func $answer))))))
  (func $init (canon lift (core func $i "init")))
  (start $init)
  (export "r" (type $r)))
