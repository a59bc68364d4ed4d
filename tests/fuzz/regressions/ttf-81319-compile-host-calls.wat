(module
  (type (;0;) (func (result i32)))
  (type (;1;) (func (param i32)))
  (type (;2;) (func (param i64)))
  (type (;3;) (func (param v128)))
  (type (;4;) (func (param v128 v128 v128 i32 f64) (result v128)))
  (type (;5;) (func (param f32) (result f32)))
  (type (;6;) (func (param f64) (result f64)))
  (import "fuzzing-support" "log-i32" (func (;0;) (type 1) (param i32)))
  (import "fuzzing-support" "log-i64" (func (;1;) (type 2) (param i64)))
  (import "fuzzing-support" "log-v128" (func (;2;) (type 3) (param v128)))
  (memory (;0;) 16 17)
  (global (;0;) (mut i32) i32.const -30)
  (global (;1;) (mut f64) f64.const 0x0p+0 (;=0;))
  (global (;2;) (mut i32) i32.const 0)
  (global (;3;) (mut f32) f32.const -0x1p+17 (;=-131072;))
  (global (;4;) (mut f64) f64.const 0x1.9c9cp+14 (;=26407;))
  (global (;5;) (mut i64) i64.const -1)
  (global (;6;) (mut i32) i32.const 10)
  (export "" (func 4))
  (func (;3;) (type 0) (result i32)
    unreachable
  )
  (func (;4;) (type 4) (param v128 v128 v128 i32 f64) (result v128)
    (local f32 f32 f32 f32 f32 i32 i32 i32 i32 i32 i32 f64 f64 v128 v128 v128 v128 i64 i64 i64)
    nop
    global.get 6
    i32.eqz
    if ;; label = @1
      v128.const i32x4 0x7919c1c1 0xa78d1900 0x3bffad00 0x7100f4cb
      return
    end
    global.get 6
    i32.const 1
    i32.sub
    global.set 6
    block (result v128) ;; label = @1
      loop (result v128) ;; label = @2
        global.get 6
        i32.eqz
        if ;; label = @3
          v128.const i32x4 0xff8b0001 0x0001d306 0xffb9c578 0xffceff85
          return
        end
        global.get 6
        i32.const 1
        i32.sub
        global.set 6
        block ;; label = @3
          loop (result f64) ;; label = @4
            global.get 6
            i32.eqz
            if ;; label = @5
              v128.const i32x4 0xff51eb85 0x419fffff 0x00000000 0x40350000
              return
            end
            global.get 6
            i32.const 1
            i32.sub
            global.set 6
            loop ;; label = @5
              global.get 6
              i32.eqz
              if ;; label = @6
                local.get 2
                return
              end
              global.get 6
              i32.const 1
              i32.sub
              global.set 6
              v128.const i32x4 0xffffff80 0x5f800000 0x7f7fffff 0x4f7fffca
              block (result v128) ;; label = @6
                i64.const -176871561
                drop
                f64.const 0x0p+0 (;=0;)
                call 6
                drop
                i64.const -23803
                f64.const -0x1p-1022 (;=-0.000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000022250738585072014;)
                call 6
                v128.const i32x4 0x47201e00 0xdc800000 0xbf826e98 0xffffff83
                f32.const -0x1p+45 (;=-35184372000000;)
                call 5
                drop
                local.set 21
                drop
                drop
                local.get 21
              end
              f64x2.sqrt
              i32x4.min_s
              call 2
              loop ;; label = @6
                global.get 6
                i32.eqz
                if ;; label = @7
                  local.get 2
                  return
                end
                global.get 6
                i32.const 1
                i32.sub
                global.set 6
                call 3
                f64.load offset=22 align=1
                call 6
                local.set 17
                global.get 6
                i32.eqz
                if ;; label = @7
                  v128.const i32x4 0x00000029 0x00000000 0xffffffff 0x0000007f
                  return
                end
                global.get 6
                i32.const 1
                i32.sub
                global.set 6
                i32.const 1073741824
                if (result i32) ;; label = @7
                  global.get 2
                else
                  block (result i32) ;; label = @8
                    local.get 11
                    i32.const -581346689
                    i32.eqz
                    br_if 0 (;@8;)
                  end
                end
                local.tee 11
                local.set 10
                local.get 3
                i32.eqz
                br_if 3 (;@3;)
                call 3
                i32.eqz
                br_if 0 (;@6;)
              end
              global.get 6
              i32.eqz
              if ;; label = @6
                v128.const i32x4 0xffbd6100 0x00013d94 0x13004980 0x81c6ff03
                return
              end
              global.get 6
              i32.const 1
              i32.sub
              global.set 6
              call 3
              br_if 1 (;@4;)
              local.get 6
              local.tee 9
              local.get 8
              f32.max
              call 5
              local.set 6
              loop (result i32) ;; label = @6
                global.get 6
                i32.eqz
                if ;; label = @7
                  local.get 2
                  return
                end
                global.get 6
                i32.const 1
                i32.sub
                global.set 6
                i32.const -2049
                br_if 3 (;@3;)
                nop
                local.get 11
                if ;; label = @7
                  loop (result i64) ;; label = @8
                    global.get 6
                    i32.eqz
                    if ;; label = @9
                      local.get 1
                      return
                    end
                    global.get 6
                    i32.const 1
                    i32.sub
                    global.set 6
                    loop ;; label = @9
                      global.get 6
                      i32.eqz
                      if ;; label = @10
                        local.get 20
                        return
                      end
                      global.get 6
                      i32.const 1
                      i32.sub
                      global.set 6
                      nop
                      v128.const i32x4 0x790bac29 0x0000d900 0x00800080 0xffe10100
                      i8x16.extract_lane_u 8
                      i32.eqz
                      br_if 0 (;@9;)
                    end
                    nop
                    i32.const 0
                    i32.eqz
                    br_if 0 (;@8;)
                    i64.const -4194304
                    local.tee 22
                  end
                  drop
                else
                  local.get 3
                  if (result i64) ;; label = @8
                    i64.const -17592186044416
                  else
                    i64.const 1
                  end
                  local.tee 22
                  global.set 5
                end
                local.get 22
                i64x2.splat
                i16x8.extract_lane_u 2
                br_if 0 (;@6;)
                global.get 2
              end
              br_if 0 (;@5;)
            end
            block (result i32) ;; label = @5
              local.get 14
              global.get 2
              i32.eqz
              br_if 0 (;@5;)
              i32.const 15
              i32.and
              i32.const 14
              i32.const 9
              memory.init 2
              br 3 (;@2;)
            end
            local.set 10
            block ;; label = @5
              local.get 10
              i32.const 15
              i32.and
              i32.load16_u offset=22
              i32.const 15
              i32.and
              i32.load16_u offset=2
              i32.eqz
              if (result i64) ;; label = @6
                f64.const 0x1.4e74p+15 (;=42810;)
                call 6
                v128.const i32x4 0x00000001 0xffffffff 0x00007fff 0x00000000
                i32.const -16
                local.set 15
                drop
                drop
                local.get 15
                i32.eqz
                if (result i32) ;; label = @7
                  nop
                  global.get 0
                else
                  i32.const 1528383099
                  i32.eqz
                  if ;; label = @8
                    loop (result i32) ;; label = @9
                      global.get 6
                      i32.eqz
                      if ;; label = @10
                        local.get 2
                        return
                      end
                      global.get 6
                      i32.const 1
                      i32.sub
                      global.set 6
                      nop
                      i32.const 10095
                      br_if 0 (;@9;)
                      i32.const -10928
                    end
                    global.set 0
                  else
                    nop
                    i64.const -99463
                    local.set 22
                    nop
                    nop
                  end
                  i32.const -70
                  i32.eqz
                  if (result i32) ;; label = @8
                    i32.const -47
                  else
                    i32.const 126
                  end
                  local.tee 11
                end
                local.set 14
                br 1 (;@5;)
              else
                loop ;; label = @7
                  global.get 6
                  i32.eqz
                  if ;; label = @8
                    local.get 2
                    return
                  end
                  global.get 6
                  i32.const 1
                  i32.sub
                  global.set 6
                  nop
                  loop ;; label = @8
                    global.get 6
                    i32.eqz
                    if ;; label = @9
                      local.get 1
                      return
                    end
                    global.get 6
                    i32.const 1
                    i32.sub
                    global.set 6
                    i32.const -134217727
                    local.tee 3
                    local.set 10
                    i32.const 255
                    i32.eqz
                    br_if 0 (;@8;)
                  end
                  f64.const 0x0p+0 (;=0;)
                  local.set 17
                  local.get 10
                  br_if 0 (;@7;)
                end
                i64.const 32084
                i64.const -20236213406570727
                i64.rotl
                call 1
                local.get 22
                i64.extend16_s
              end
              i32.wrap_i64
              i32.eqz
              if ;; label = @6
                loop (result f64) ;; label = @7
                  global.get 6
                  i32.eqz
                  if ;; label = @8
                    local.get 20
                    return
                  end
                  global.get 6
                  i32.const 1
                  i32.sub
                  global.set 6
                  block (result f64) ;; label = @8
                    loop (result i32) ;; label = @9
                      global.get 6
                      i32.eqz
                      if ;; label = @10
                        local.get 20
                        return
                      end
                      global.get 6
                      i32.const 1
                      i32.sub
                      global.set 6
                      i32.const 605106758
                      i32.eqz
                      if (result i32) ;; label = @10
                        global.get 2
                      else
                        local.get 11
                      end
                      if (result i32) ;; label = @10
                        local.get 10
                      else
                        local.get 10
                        local.get 14
                        i32.gt_s
                      end
                    end
                    br_if 4 (;@4;)
                    global.get 5
                    local.tee 22
                    f64.reinterpret_i64
                    call 6
                    local.tee 4
                  end
                end
                local.set 17
              else
                call 3
                call 0
                nop
              end
            end
            loop (result i32) ;; label = @5
              global.get 6
              i32.eqz
              if ;; label = @6
                v128.const i32x4 0x7fff0800 0xffdd7fff 0x8000ff7f 0xffc30000
                return
              end
              global.get 6
              i32.const 1
              i32.sub
              global.set 6
              block (result i32) ;; label = @6
                local.get 11
                i32.const 15
                i32.and
                i32.const 3
                i32.const 10
                memory.init 3
                i32.const -57
                local.tee 11
                i32.const 15
                i32.and
                i32.load8_s offset=4
                global.get 3
                call 5
                local.get 9
                loop (result i32) ;; label = @7
                  global.get 6
                  i32.eqz
                  if ;; label = @8
                    v128.const i32x4 0x000000ca 0xc2b00000 0xffffffe4 0xffffffff
                    return
                  end
                  global.get 6
                  i32.const 1
                  i32.sub
                  global.set 6
                  nop
                  i32.const -134217728
                  i32.eqz
                  br_if 0 (;@7;)
                  local.get 5
                  local.get 6
                  f32.le
                end
                local.tee 10
                select
                global.get 3
                call 5
                local.tee 6
                f32.lt
                br_if 0 (;@6;)
              end
            end
            v128.const i32x4 0xc6836600 0x42e80000 0x431d0000 0x42be0000
            local.get 3
            br_if 3 (;@1;)
            local.tee 1
            i8x16.all_true
            loop (result i32) ;; label = @5
              global.get 6
              i32.eqz
              if ;; label = @6
                local.get 1
                return
              end
              global.get 6
              i32.const 1
              i32.sub
              global.set 6
              local.get 11
              local.tee 3
              local.set 3
              nop
              local.get 11
              br_if 0 (;@5;)
              local.get 14
              if (result i32) ;; label = @6
                i32.const -45
                i32.const 15
                i32.and
                i32.load8_s offset=2
              else
                local.get 10
              end
            end
            if (result i64) ;; label = @5
              nop
              br 2 (;@3;)
            else
              i64.const -2147483648
              local.tee 22
              i64.const 65481
              i64.const 9007
              global.get 0
              select
              local.get 11
              select
            end
            local.tee 22
            block ;; label = @5
              block ;; label = @6
                call 3
                br_if 0 (;@6;)
                local.get 14
                local.set 14
              end
              local.get 20
              return
            end
            unreachable
            select
            br_if 0 (;@4;)
            local.get 4
            local.tee 4
          end
          global.get 4
          call 6
          f64.mul
          call 6
          global.set 1
          global.get 6
          i32.eqz
          if ;; label = @4
            local.get 2
            return
          end
          global.get 6
          i32.const 1
          i32.sub
          global.set 6
          loop (result f32) ;; label = @4
            global.get 6
            i32.eqz
            if ;; label = @5
              local.get 20
              return
            end
            global.get 6
            i32.const 1
            i32.sub
            global.set 6
            block (result f32) ;; label = @5
              local.get 0
              call 2
              local.get 5
            end
          end
          i32.trunc_sat_f32_s
          local.tee 3
          i32.const 15
          i32.and
          i32.const 11
          i32.const 7
          memory.init 0
        end
        i32.const 67108864
        br_if 0 (;@2;)
        loop (result v128) ;; label = @3
          global.get 6
          i32.eqz
          if ;; label = @4
            local.get 20
            return
          end
          global.get 6
          global.set 6
          f32.const 0x1.4ep+7 (;=167;)
          call 5
          i32.const -16384
          local.set 15
          drop
          local.get 15
          i32.const 15
          i32.and
          f32.load offset=22 align=2
          call 5
          i32.trunc_f32_u
          i32.const 15
          i32.and
          i32.const 1
          i32.const 13
          memory.init 1
          local.get 8
          i32.trunc_sat_f32_u
          local.tee 3
          i32.const 15
          i32.and
          f32.const 0x0p+0 (;=0;)
          f32.store offset=2 align=1
          i32.const -35
          i32.eqz
          br_if 0 (;@3;)
          local.get 20
        end
      end
    end
  )
  (func (;5;) (type 5) (param f32) (result f32)
    f32.const -0x1.529358p+94 (;=-26196015000000000000000000000;)
  )
  (func (;6;) (type 6) (param f64) (result f64)
    f64.const 0x1.d2b197b3e66b2p+555 (;=215000557512567500000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000;)
  )
  (data (;0;) (i32.const 10) "")
  (data (;1;) "")
  (data (;2;) (i32.const 32) "")
  (data (;3;) (i32.const 56) "")
)
