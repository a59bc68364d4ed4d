(module
  (type (;0;) (func (result i32)))
  (type (;1;) (func (param i32)))
  (type (;2;) (func (param i64)))
  (type (;3;) (func (param f32)))
  (type (;4;) (func (param f64)))
  (type (;5;) (func (param v128)))
  (type (;6;) (func))
  (type (;7;) (func (param f32) (result f32)))
  (type (;8;) (func (param f64) (result f64)))
  (import "fuzzing-support" "log-i32" (func (;0;) (type 1) (param i32)))
  (import "fuzzing-support" "log-i64" (func (;1;) (type 2) (param i64)))
  (import "fuzzing-support" "log-f32" (func (;2;) (type 3) (param f32)))
  (import "fuzzing-support" "log-f64" (func (;3;) (type 4) (param f64)))
  (import "fuzzing-support" "log-v128" (func (;4;) (type 5) (param v128)))
  (table (;0;) 0 funcref)
  (memory (;0;) 16 17)
  (global (;0;) (mut v128) v128.const i32x4 0x00c409c5 0xf0f154ff 0x0133a608 0x018b0019)
  (global (;1;) (mut f64) f64.const -0x1p+47 (;=-140737488355328;))
  (global (;2;) (mut i64) i64.const -89)
  (global (;3;) (mut f64) f64.const -0x1.2p+4 (;=-18;))
  (global (;4;) (mut i32) i32.const 256)
  (global (;5;) (mut i32) i32.const -98)
  (global (;6;) (mut i64) i64.const -127)
  (global (;7;) (mut i64) i64.const -1099511627776)
  (global (;8;) (mut i32) i32.const -6878166)
  (global (;9;) (mut v128) v128.const i32x4 0x61508a01 0xe3dcffb3 0xceff0180 0x0123898c)
  (global (;10;) (mut f64) f64.const 0x1.f8p+5 (;=63;))
  (global (;11;) (mut f64) f64.const 0x1.ffffffc4p+31 (;=4294967266;))
  (global (;12;) (mut v128) v128.const i32x4 0xe5f1008e 0x01f94daf 0x007b0010 0x3000c100)
  (global (;13;) (mut f32) f32.const 0x0p+0 (;=0;))
  (global (;14;) (mut i32) i32.const 10)
  (export "hashMemory" (func 5))
  (export "memory" (memory 0))
  (export "hangLimitInitializer" (func 6))
  (elem (;0;) (i32.const 0) func)
  (func (;5;) (type 0) (result i32)
    (local i32)
    block ;; label = @1
      global.get 14
      i32.eqz
      if ;; label = @2
        i32.const -125
        return
      end
      global.get 14
      i32.const 1
      i32.sub
      global.set 14
    end
    block (result i32) ;; label = @1
      i32.const 5381
      local.set 0
      local.get 0
      i32.const 5
      i32.shl
      local.get 0
      i32.add
      i32.const 0
      i32.load8_u
      i32.xor
      local.set 0
      local.get 0
      i32.const 5
      i32.shl
      local.get 0
      i32.add
      i32.const 0
      i32.load8_u offset=1
      i32.xor
      local.set 0
      local.get 0
      i32.const 5
      i32.shl
      local.get 0
      i32.add
      i32.const 0
      i32.load8_u offset=2
      i32.xor
      local.set 0
      local.get 0
      i32.const 5
      i32.shl
      local.get 0
      i32.add
      i32.const 0
      i32.load8_u offset=3
      i32.xor
      local.set 0
      local.get 0
      i32.const 5
      i32.shl
      local.get 0
      i32.add
      i32.const 0
      i32.load8_u offset=4
      i32.xor
      local.set 0
      local.get 0
      i32.const 5
      i32.shl
      local.get 0
      i32.add
      i32.const 0
      i32.load8_u offset=5
      i32.xor
      local.set 0
      local.get 0
      i32.const 5
      i32.shl
      local.get 0
      i32.add
      i32.const 0
      i32.load8_u offset=6
      i32.xor
      local.set 0
      local.get 0
      i32.const 5
      i32.shl
      local.get 0
      i32.add
      i32.const 0
      i32.load8_u offset=7
      i32.xor
      local.set 0
      local.get 0
      i32.const 5
      i32.shl
      local.get 0
      i32.add
      i32.const 0
      i32.load8_u offset=8
      i32.xor
      local.set 0
      local.get 0
      i32.const 5
      i32.shl
      local.get 0
      i32.add
      i32.const 0
      i32.load8_u offset=9
      i32.xor
      local.set 0
      local.get 0
      i32.const 5
      i32.shl
      local.get 0
      i32.add
      i32.const 0
      i32.load8_u offset=10
      i32.xor
      local.set 0
      local.get 0
      i32.const 5
      i32.shl
      local.get 0
      i32.add
      i32.const 0
      i32.load8_u offset=11
      i32.xor
      local.set 0
      local.get 0
      i32.const 5
      i32.shl
      local.get 0
      i32.add
      i32.const 0
      i32.load8_u offset=12
      i32.xor
      local.set 0
      local.get 0
      i32.const 5
      i32.shl
      local.get 0
      i32.add
      i32.const 0
      i32.load8_u offset=13
      i32.xor
      local.set 0
      local.get 0
      i32.const 5
      i32.shl
      local.get 0
      i32.add
      i32.const 0
      i32.load8_u offset=14
      i32.xor
      local.set 0
      local.get 0
      i32.const 5
      i32.shl
      local.get 0
      i32.add
      i32.const 0
      i32.load8_u offset=15
      i32.xor
      local.set 0
      local.get 0
    end
  )
  (func (;6;) (type 6)
    i32.const 10
    global.set 14
  )
  (func (;7;) (type 7) (param f32) (result f32)
    local.get 0
    local.get 0
    f32.eq
    if (result f32) ;; label = @1
      local.get 0
    else
      f32.const 0x0p+0 (;=0;)
    end
  )
  (func (;8;) (type 8) (param f64) (result f64)
    local.get 0
    local.get 0
    f64.eq
    if (result f64) ;; label = @1
      local.get 0
    else
      f64.const 0x0p+0 (;=0;)
    end
  )
  (data (;0;) (i32.const 0) "\c8-u\82\d0\ea\fdA\e6\f6\9a<\85\03yr\cf\91wV\cb|\b6\a8\ff")
  (data (;1;) "\ef\aa\ff(\b4\cb\ad\99\0eC\5c\9ab\eeR\b1\7f&\12\b9\b5\f5\dd\ea\f8\a6")
  (data (;2;) "\ad\c2\d6F\e9\07\08\16dsU\98\c8M\87J0\09\1bV7<W\86\fb\80\ff\a3\15")
  (data (;3;) "}\93\0d\f8\e2\94_\85q\a8\0a7_\de\84\8f_\0d\9c\b7{")
  (data (;4;) (i32.const 25) "\c0\e8\f5Yc\11\b5")
  (data (;5;) (i32.const 32) "k3\9bm")
  (data (;6;) "L\df{\b1")
  (data (;7;) (i32.const 36) "\1d\dd")
)
