(module
  (type (;0;) (func (param f32 i32) (result i32)))
  (global (;0;) (mut i32) i32.const 0)
  (global (;1;) (mut v128) v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000)
  (global (;2;) (mut i64) i64.const 0)
  (global (;3;) (mut i32) i32.const 0)
  (global (;4;) (mut i64) i64.const 0)
  (export "" (func 0))
  (export "7" (func 1))
  (func (;0;) (type 0) (param f32 i32) (result i32)
    (local f64 f32 f32 f64 f64)
    local.get 0
    i32.trunc_sat_f32_s
    local.set 1
    i64.const 2933293727674741488
    f32.const 0x1.fep-142 (;=0.000000000000000000000000000000000000000000357;)
    f64.const 0x1.4691b2781dac6p+637 (;=727515752330728200000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000;)
    i64.reinterpret_f64
    loop ;; label = @1
      f64.const 0x1.6af00b2b6f9aap+120 (;=1884480126047048000000000000000000000;)
      f64.const 0x1.ffffffffff8p-1033 (;=0.00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000002172923689948;)
      f64.sub
      local.tee 2
      f64.const nan (;=NaN;)
      local.get 2
      local.get 2
      f64.eq
      select
      f32.const 0x1.437634p+106 (;=102509110000000000000000000000000;)
      i32.trunc_sat_f32_s
      if (result i64) ;; label = @2
        f32.const 0x1.p-130 (;=0.000000000000000000000000000000000000000734684;)
        i64.trunc_sat_f32_s
        i64.const 2097151
        i64.eq
        local.tee 1
        if ;; label = @3
          local.get 1
          br_if 0 (;@3;)
          local.get 0
          f32.const nan (;=NaN;)
          local.get 3
          local.get 3
          f32.eq
          select
          local.tee 4
          local.get 4
          f32.ne
          local.get 4
          f32.const inf (;=inf;)
          f32.eq
          local.get 4
          f32.const -inf (;=-inf;)
          f32.eq
          i32.or
          i32.or
          if ;; label = @4
            f32.const 0x0p+0 (;=0;)
            local.set 4
          end
          local.get 4
          f32.const 0x0p+0 (;=0;)
          f32.lt
          if ;; label = @4
            f32.const 0x0p+0 (;=0;)
            local.set 4
          end
          local.get 4
          f32.const 0x1.fffffep+30 (;=2147483500;)
          f32.gt
          if ;; label = @4
            f32.const 0x1.fffffep+30 (;=2147483500;)
            local.set 4
          end
          local.get 4
          i32.trunc_f32_u
          i32.ctz
          loop ;; label = @4
            data.drop 0
            i64.const -3523626524628480613
            block ;; label = @5
              ref.null extern
              i32.const 995503236
              data.drop 0
              data.drop 0
              i32.extend8_s
              loop ;; label = @6
                f64.const 0x1.66a19b6e94117p-643 (;=0.00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000003838141542308853;)
                i64.reinterpret_f64
                f64.reinterpret_i64
                local.get 1
                br_if 1 (;@5;)
                f64.trunc
                local.tee 5
                f64.const nan (;=NaN;)
                local.get 5
                local.get 5
                f64.eq
                select
                f64.floor
                local.tee 6
                f64.const nan (;=NaN;)
                local.get 6
                local.get 6
                f64.eq
                select
                f32.const 0x1.2050fp-110 (;=0.0000000000000000000000000000000008676199;)
                i32.trunc_sat_f32_u
                i32.popcnt
                global.get 0
                i32.xor
                global.set 0
                i64.reinterpret_f64
                global.get 2
                i64.xor
                global.set 2
              end
              global.get 0
              i32.xor
              global.set 0
              drop
            end
            global.get 4
            i64.xor
            global.set 4
          end
          global.get 0
          i32.xor
          global.set 0
        end
        i64.const 1241475932583155691
      else
        i64.const -5125802700657237942
      end
      global.get 4
      i64.xor
      global.set 4
      i64.reinterpret_f64
      global.get 2
      i64.xor
      global.set 2
    end
    global.get 4
    i64.xor
    global.set 4
    i32.reinterpret_f32
    global.get 3
    i32.xor
    global.set 3
    global.get 4
    i64.xor
    global.set 4
    i32.const -8388609
  )
  (func (;1;) (type 0) (param f32 i32) (result i32)
    unreachable
  )
  (data (;0;) "")
)
