;; Binary trees with GC structs: binarytrees.c's algorithm, each node a WebAssembly 3.0 struct of two
;; nullable references instead of a block of linear memory from an allocator of its own (the engine's
;; collector frees the trees). bench(n) is binarytrees' checksum: for maximum depth n (4 <= n <= 20), a
;; stretch tree of depth n + 1, one long-lived tree of depth n, and for each depth d = 4, 6, ..., n,
;; 2^(n - d + 4) trees of depth d, each built and walked.
(module
  (type $node (struct (field $left (ref null $node)) (field $right (ref null $node))))

  (func $bottom_up (param $depth i32) (result (ref $node))
    (if (result (ref $node)) (i32.gt_s (local.get $depth) (i32.const 0))
      (then
        (local.set $depth (i32.sub (local.get $depth) (i32.const 1)))
        (struct.new $node (call $bottom_up (local.get $depth)) (call $bottom_up (local.get $depth))))
      (else (struct.new_default $node))))

  ;; A leaf has no left child (nor a right one).
  (func $check (param $node (ref $node)) (result i32)
    (local $left (ref null $node))
    (local.set $left (struct.get $node $left (local.get $node)))
    (if (result i32) (ref.is_null (local.get $left))
      (then (i32.const 1))
      (else
        (i32.add
          (i32.add (i32.const 1) (call $check (ref.as_non_null (local.get $left))))
          (call $check (ref.as_non_null (struct.get $node $right (local.get $node))))))))

  (func (export "bench") (param $n i32) (result i32)
    (local $checksum i32) (local $long_lived (ref null $node))
    (local $depth i32) (local $iterations i32) (local $i i32) (local $nodes i32)
    (if (i32.lt_s (local.get $n) (i32.const 4)) (then (local.set $n (i32.const 4))))
    (if (i32.gt_s (local.get $n) (i32.const 20)) (then (local.set $n (i32.const 20))))
    (local.set $checksum (call $check (call $bottom_up (i32.add (local.get $n) (i32.const 1)))))
    (local.set $long_lived (call $bottom_up (local.get $n)))
    (local.set $depth (i32.const 4))
    (block $depths_done
      (loop $depths
        (br_if $depths_done (i32.gt_s (local.get $depth) (local.get $n)))
        (local.set $iterations
          (i32.shl (i32.const 1) (i32.add (i32.sub (local.get $n) (local.get $depth)) (i32.const 4))))
        (local.set $nodes (i32.const 0))
        (local.set $i (i32.const 0))
        (block $trees_done
          (loop $trees
            (br_if $trees_done (i32.ge_s (local.get $i) (local.get $iterations)))
            (local.set $nodes (i32.add (local.get $nodes) (call $check (call $bottom_up (local.get $depth)))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $trees)))
        (local.set $checksum (i32.add (i32.mul (local.get $checksum) (i32.const 31)) (local.get $nodes)))
        (local.set $depth (i32.add (local.get $depth) (i32.const 2)))
        (br $depths)))
    (i32.add
      (i32.mul (local.get $checksum) (i32.const 31))
      (call $check (ref.as_non_null (local.get $long_lived))))))
