;; GC types for inspect: a recursion group with an open type and its final subtype, an array, a
;; function type, and a second equal group (the same canonical types as the first).
(module
  (rec
    (type $node (sub (struct (field $value i32) (field $next (ref null $node)))))
    (type $leaf (sub final $node (struct (field $value i32) (field $next (ref null $node)) (field $tag i8)))))
  (type $bytes (array (mut i8)))
  (type $make (func (param i32) (result anyref)))
  (rec
    (type $node2 (sub (struct (field i32) (field (ref null $node2)))))
    (type $leaf2 (sub final $node2 (struct (field i32) (field (ref null $node2)) (field i8)))))
  (global $list (mut (ref null $node))
    (struct.new $node (i32.const 1) (struct.new $leaf (i32.const 2) (ref.null $node) (i32.const 7))))
  (global $buffer (ref $bytes) (array.new_default $bytes (i32.const 100)))
  (func (export "make") (type $make) (array.new_default $bytes (local.get 0))))
