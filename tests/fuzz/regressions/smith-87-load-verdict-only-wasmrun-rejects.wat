(module
  (type (;0;) (func))
  (global (;0;) (mut i32) i32.const 0)
  (func (;0;) (type 0)
    (local f32 f32)
    ref.null exn
    ref.is_null
    i32.clz
    i32.eqz
    f32.convert_i32_s
    local.tee 1
    local.get 1
    f32.ne
    local.get 1
    f32.const inf (;=inf;)
    f32.eq
    local.get 1
    f32.const -inf (;=-inf;)
    f32.eq
    i32.or
    i32.or
    if ;; label = @1
    end
    i32.const 1
    if ;; label = @1
    end
    i32.const 1
    if ;; label = @1
    end
  )
)
