"""The rows of the instruction table: every instruction of the WebAssembly versions wasmrun runs, once.

One row per instruction::

    OPCODE MNEMONIC IMMEDIATE [EFFECT] [@WIDTH] [control=KIND] [fuel=CLASS]

* ``OPCODE``: the byte in hex, or ``PREFIX.SUB`` for a prefixed instruction
  (``FC.08`` is ``memory.init``: the byte 0xFC, then the subopcode 8 as a u32).
* ``IMMEDIATE``: how its immediates are encoded (see ``IMMEDIATE_KINDS`` in
  :mod:`wasmrun.instructions`): the decoder reads, the text parser writes and
  the printer shows them by this kind.
* ``EFFECT``: the fixed stack signature ``params>results``, one letter per value
  (``i`` i32, ``I`` i64, ``f`` f32, ``F`` f64, ``v`` v128); without it the
  validator types the instruction by its own rule (control, parametric,
  variable, reference and table instructions).
* ``@WIDTH``: the bytes a memory instruction accesses (its natural alignment).
* ``control=KIND``: how it moves control (``block``, ``loop``, ``if``,
  ``else``, ``end``, ``br``, ``br_if``, ``br_table``, ``return``, ``call``,
  ``call_indirect``, ``return_call``, ``return_call_indirect``, ``call_ref``,
  ``return_call_ref``, ``br_on_null``, ``br_on_non_null``, ``unreachable``);
  ``plain`` when absent.
* ``fuel=CLASS``: what Wasmtime charges: ``free`` (nothing), ``bulk`` (1 and its
  length: bytes, elements or pages); ``one`` when absent.

A ``[proposal]`` line starts the rows of the proposal that brought them (``mvp``
for WebAssembly 1.0); :class:`wasmrun.features.Features` switches proposals on
and off, and ``inspect`` names those a module uses.
"""

ROWS = """
[mvp]
00    unreachable                    none          control=unreachable fuel=free
01    nop                            none          fuel=free
02    block                          blocktype     control=block fuel=free
03    loop                           blocktype     control=loop fuel=free
04    if                             blocktype     control=if
05    else                           none          control=else fuel=free
0B    end                            none          control=end fuel=free
0C    br                             label         control=br
0D    br_if                          label         control=br_if
0E    br_table                       br_table      control=br_table
0F    return                         none          control=return fuel=free
10    call                           func          control=call
11    call_indirect                  call_indirect control=call_indirect
1A    drop                           none          fuel=free
1B    select                         none
20    local.get                      local
21    local.set                      local
22    local.tee                      local
23    global.get                     global
24    global.set                     global
28    i32.load                       memarg        i>i @4
29    i64.load                       memarg        i>I @8
2A    f32.load                       memarg        i>f @4
2B    f64.load                       memarg        i>F @8
2C    i32.load8_s                    memarg        i>i @1
2D    i32.load8_u                    memarg        i>i @1
2E    i32.load16_s                   memarg        i>i @2
2F    i32.load16_u                   memarg        i>i @2
30    i64.load8_s                    memarg        i>I @1
31    i64.load8_u                    memarg        i>I @1
32    i64.load16_s                   memarg        i>I @2
33    i64.load16_u                   memarg        i>I @2
34    i64.load32_s                   memarg        i>I @4
35    i64.load32_u                   memarg        i>I @4
36    i32.store                      memarg        ii> @4
37    i64.store                      memarg        iI> @8
38    f32.store                      memarg        if> @4
39    f64.store                      memarg        iF> @8
3A    i32.store8                     memarg        ii> @1
3B    i32.store16                    memarg        ii> @2
3C    i64.store8                     memarg        iI> @1
3D    i64.store16                    memarg        iI> @2
3E    i64.store32                    memarg        iI> @4
3F    memory.size                    memory        >i
40    memory.grow                    memory        i>i fuel=bulk
41    i32.const                      i32           >i
42    i64.const                      i64           >I
43    f32.const                      f32           >f
44    f64.const                      f64           >F
45    i32.eqz                        none          i>i
46    i32.eq                         none          ii>i
47    i32.ne                         none          ii>i
48    i32.lt_s                       none          ii>i
49    i32.lt_u                       none          ii>i
4A    i32.gt_s                       none          ii>i
4B    i32.gt_u                       none          ii>i
4C    i32.le_s                       none          ii>i
4D    i32.le_u                       none          ii>i
4E    i32.ge_s                       none          ii>i
4F    i32.ge_u                       none          ii>i
50    i64.eqz                        none          I>i
51    i64.eq                         none          II>i
52    i64.ne                         none          II>i
53    i64.lt_s                       none          II>i
54    i64.lt_u                       none          II>i
55    i64.gt_s                       none          II>i
56    i64.gt_u                       none          II>i
57    i64.le_s                       none          II>i
58    i64.le_u                       none          II>i
59    i64.ge_s                       none          II>i
5A    i64.ge_u                       none          II>i
5B    f32.eq                         none          ff>i
5C    f32.ne                         none          ff>i
5D    f32.lt                         none          ff>i
5E    f32.gt                         none          ff>i
5F    f32.le                         none          ff>i
60    f32.ge                         none          ff>i
61    f64.eq                         none          FF>i
62    f64.ne                         none          FF>i
63    f64.lt                         none          FF>i
64    f64.gt                         none          FF>i
65    f64.le                         none          FF>i
66    f64.ge                         none          FF>i
67    i32.clz                        none          i>i
68    i32.ctz                        none          i>i
69    i32.popcnt                     none          i>i
6A    i32.add                        none          ii>i
6B    i32.sub                        none          ii>i
6C    i32.mul                        none          ii>i
6D    i32.div_s                      none          ii>i
6E    i32.div_u                      none          ii>i
6F    i32.rem_s                      none          ii>i
70    i32.rem_u                      none          ii>i
71    i32.and                        none          ii>i
72    i32.or                         none          ii>i
73    i32.xor                        none          ii>i
74    i32.shl                        none          ii>i
75    i32.shr_s                      none          ii>i
76    i32.shr_u                      none          ii>i
77    i32.rotl                       none          ii>i
78    i32.rotr                       none          ii>i
79    i64.clz                        none          I>I
7A    i64.ctz                        none          I>I
7B    i64.popcnt                     none          I>I
7C    i64.add                        none          II>I
7D    i64.sub                        none          II>I
7E    i64.mul                        none          II>I
7F    i64.div_s                      none          II>I
80    i64.div_u                      none          II>I
81    i64.rem_s                      none          II>I
82    i64.rem_u                      none          II>I
83    i64.and                        none          II>I
84    i64.or                         none          II>I
85    i64.xor                        none          II>I
86    i64.shl                        none          II>I
87    i64.shr_s                      none          II>I
88    i64.shr_u                      none          II>I
89    i64.rotl                       none          II>I
8A    i64.rotr                       none          II>I
8B    f32.abs                        none          f>f
8C    f32.neg                        none          f>f
8D    f32.ceil                       none          f>f
8E    f32.floor                      none          f>f
8F    f32.trunc                      none          f>f
90    f32.nearest                    none          f>f
91    f32.sqrt                       none          f>f
92    f32.add                        none          ff>f
93    f32.sub                        none          ff>f
94    f32.mul                        none          ff>f
95    f32.div                        none          ff>f
96    f32.min                        none          ff>f
97    f32.max                        none          ff>f
98    f32.copysign                   none          ff>f
99    f64.abs                        none          F>F
9A    f64.neg                        none          F>F
9B    f64.ceil                       none          F>F
9C    f64.floor                      none          F>F
9D    f64.trunc                      none          F>F
9E    f64.nearest                    none          F>F
9F    f64.sqrt                       none          F>F
A0    f64.add                        none          FF>F
A1    f64.sub                        none          FF>F
A2    f64.mul                        none          FF>F
A3    f64.div                        none          FF>F
A4    f64.min                        none          FF>F
A5    f64.max                        none          FF>F
A6    f64.copysign                   none          FF>F
A7    i32.wrap_i64                   none          I>i
A8    i32.trunc_f32_s                none          f>i
A9    i32.trunc_f32_u                none          f>i
AA    i32.trunc_f64_s                none          F>i
AB    i32.trunc_f64_u                none          F>i
AC    i64.extend_i32_s               none          i>I
AD    i64.extend_i32_u               none          i>I
AE    i64.trunc_f32_s                none          f>I
AF    i64.trunc_f32_u                none          f>I
B0    i64.trunc_f64_s                none          F>I
B1    i64.trunc_f64_u                none          F>I
B2    f32.convert_i32_s              none          i>f
B3    f32.convert_i32_u              none          i>f
B4    f32.convert_i64_s              none          I>f
B5    f32.convert_i64_u              none          I>f
B6    f32.demote_f64                 none          F>f
B7    f64.convert_i32_s              none          i>F
B8    f64.convert_i32_u              none          i>F
B9    f64.convert_i64_s              none          I>F
BA    f64.convert_i64_u              none          I>F
BB    f64.promote_f32                none          f>F
BC    i32.reinterpret_f32            none          f>i
BD    i64.reinterpret_f64            none          F>I
BE    f32.reinterpret_i32            none          i>f
BF    f64.reinterpret_i64            none          I>F

[sign-extension]
C0    i32.extend8_s                  none          i>i
C1    i32.extend16_s                 none          i>i
C2    i64.extend8_s                  none          I>I
C3    i64.extend16_s                 none          I>I
C4    i64.extend32_s                 none          I>I

[nontrapping-float-to-int]
FC.00 i32.trunc_sat_f32_s            none          f>i
FC.01 i32.trunc_sat_f32_u            none          f>i
FC.02 i32.trunc_sat_f64_s            none          F>i
FC.03 i32.trunc_sat_f64_u            none          F>i
FC.04 i64.trunc_sat_f32_s            none          f>I
FC.05 i64.trunc_sat_f32_u            none          f>I
FC.06 i64.trunc_sat_f64_s            none          F>I
FC.07 i64.trunc_sat_f64_u            none          F>I

[bulk-memory]
FC.08 memory.init                    memory.init   iii> fuel=bulk
FC.09 data.drop                      data
FC.0A memory.copy                    memory.copy   fuel=bulk
FC.0B memory.fill                    memory        fuel=bulk
FC.0C table.init                     table.init    fuel=bulk
FC.0D elem.drop                      elem
FC.0E table.copy                     table.copy    fuel=bulk

[reference-types]
1C    select                         select_t
25    table.get                      table
26    table.set                      table
D0    ref.null                       reftype
D1    ref.is_null                    none
D2    ref.func                       func
FC.0F table.grow                     table         fuel=bulk
FC.10 table.size                     table
FC.11 table.fill                     table         fuel=bulk

[tail-call]
12    return_call                    func          control=return_call
13    return_call_indirect           call_indirect control=return_call_indirect

[function-references]
14    call_ref                       type          control=call_ref
15    return_call_ref                type          control=return_call_ref
D4    ref.as_non_null                none
D5    br_on_null                     label         control=br_on_null
D6    br_on_non_null                 label         control=br_on_non_null

[simd]
FD.00 v128.load                      memarg        i>v @16
FD.01 v128.load8x8_s                 memarg        i>v @8
FD.02 v128.load8x8_u                 memarg        i>v @8
FD.03 v128.load16x4_s                memarg        i>v @8
FD.04 v128.load16x4_u                memarg        i>v @8
FD.05 v128.load32x2_s                memarg        i>v @8
FD.06 v128.load32x2_u                memarg        i>v @8
FD.07 v128.load8_splat               memarg        i>v @1
FD.08 v128.load16_splat              memarg        i>v @2
FD.09 v128.load32_splat              memarg        i>v @4
FD.0A v128.load64_splat              memarg        i>v @8
FD.0B v128.store                     memarg        iv> @16
FD.0C v128.const                     v128          >v
FD.0D i8x16.shuffle                  shuffle       vv>v
FD.0E i8x16.swizzle                  none          vv>v
FD.0F i8x16.splat                    none          i>v
FD.10 i16x8.splat                    none          i>v
FD.11 i32x4.splat                    none          i>v
FD.12 i64x2.splat                    none          I>v
FD.13 f32x4.splat                    none          f>v
FD.14 f64x2.splat                    none          F>v
FD.15 i8x16.extract_lane_s           lane          v>i
FD.16 i8x16.extract_lane_u           lane          v>i
FD.17 i8x16.replace_lane             lane          vi>v
FD.18 i16x8.extract_lane_s           lane          v>i
FD.19 i16x8.extract_lane_u           lane          v>i
FD.1A i16x8.replace_lane             lane          vi>v
FD.1B i32x4.extract_lane             lane          v>i
FD.1C i32x4.replace_lane             lane          vi>v
FD.1D i64x2.extract_lane             lane          v>I
FD.1E i64x2.replace_lane             lane          vI>v
FD.1F f32x4.extract_lane             lane          v>f
FD.20 f32x4.replace_lane             lane          vf>v
FD.21 f64x2.extract_lane             lane          v>F
FD.22 f64x2.replace_lane             lane          vF>v
FD.23 i8x16.eq                       none          vv>v
FD.24 i8x16.ne                       none          vv>v
FD.25 i8x16.lt_s                     none          vv>v
FD.26 i8x16.lt_u                     none          vv>v
FD.27 i8x16.gt_s                     none          vv>v
FD.28 i8x16.gt_u                     none          vv>v
FD.29 i8x16.le_s                     none          vv>v
FD.2A i8x16.le_u                     none          vv>v
FD.2B i8x16.ge_s                     none          vv>v
FD.2C i8x16.ge_u                     none          vv>v
FD.2D i16x8.eq                       none          vv>v
FD.2E i16x8.ne                       none          vv>v
FD.2F i16x8.lt_s                     none          vv>v
FD.30 i16x8.lt_u                     none          vv>v
FD.31 i16x8.gt_s                     none          vv>v
FD.32 i16x8.gt_u                     none          vv>v
FD.33 i16x8.le_s                     none          vv>v
FD.34 i16x8.le_u                     none          vv>v
FD.35 i16x8.ge_s                     none          vv>v
FD.36 i16x8.ge_u                     none          vv>v
FD.37 i32x4.eq                       none          vv>v
FD.38 i32x4.ne                       none          vv>v
FD.39 i32x4.lt_s                     none          vv>v
FD.3A i32x4.lt_u                     none          vv>v
FD.3B i32x4.gt_s                     none          vv>v
FD.3C i32x4.gt_u                     none          vv>v
FD.3D i32x4.le_s                     none          vv>v
FD.3E i32x4.le_u                     none          vv>v
FD.3F i32x4.ge_s                     none          vv>v
FD.40 i32x4.ge_u                     none          vv>v
FD.41 f32x4.eq                       none          vv>v
FD.42 f32x4.ne                       none          vv>v
FD.43 f32x4.lt                       none          vv>v
FD.44 f32x4.gt                       none          vv>v
FD.45 f32x4.le                       none          vv>v
FD.46 f32x4.ge                       none          vv>v
FD.47 f64x2.eq                       none          vv>v
FD.48 f64x2.ne                       none          vv>v
FD.49 f64x2.lt                       none          vv>v
FD.4A f64x2.gt                       none          vv>v
FD.4B f64x2.le                       none          vv>v
FD.4C f64x2.ge                       none          vv>v
FD.4D v128.not                       none          v>v
FD.4E v128.and                       none          vv>v
FD.4F v128.andnot                    none          vv>v
FD.50 v128.or                        none          vv>v
FD.51 v128.xor                       none          vv>v
FD.52 v128.bitselect                 none          vvv>v
FD.53 v128.any_true                  none          v>i
FD.54 v128.load8_lane                memarg_lane   iv>v @1
FD.55 v128.load16_lane               memarg_lane   iv>v @2
FD.56 v128.load32_lane               memarg_lane   iv>v @4
FD.57 v128.load64_lane               memarg_lane   iv>v @8
FD.58 v128.store8_lane               memarg_lane   iv> @1
FD.59 v128.store16_lane              memarg_lane   iv> @2
FD.5A v128.store32_lane              memarg_lane   iv> @4
FD.5B v128.store64_lane              memarg_lane   iv> @8
FD.5C v128.load32_zero               memarg        i>v @4
FD.5D v128.load64_zero               memarg        i>v @8
FD.5E f32x4.demote_f64x2_zero        none          v>v
FD.5F f64x2.promote_low_f32x4        none          v>v
FD.60 i8x16.abs                      none          v>v
FD.61 i8x16.neg                      none          v>v
FD.62 i8x16.popcnt                   none          v>v
FD.63 i8x16.all_true                 none          v>i
FD.64 i8x16.bitmask                  none          v>i
FD.65 i8x16.narrow_i16x8_s           none          vv>v
FD.66 i8x16.narrow_i16x8_u           none          vv>v
FD.67 f32x4.ceil                     none          v>v
FD.68 f32x4.floor                    none          v>v
FD.69 f32x4.trunc                    none          v>v
FD.6A f32x4.nearest                  none          v>v
FD.6B i8x16.shl                      none          vi>v
FD.6C i8x16.shr_s                    none          vi>v
FD.6D i8x16.shr_u                    none          vi>v
FD.6E i8x16.add                      none          vv>v
FD.6F i8x16.add_sat_s                none          vv>v
FD.70 i8x16.add_sat_u                none          vv>v
FD.71 i8x16.sub                      none          vv>v
FD.72 i8x16.sub_sat_s                none          vv>v
FD.73 i8x16.sub_sat_u                none          vv>v
FD.74 f64x2.ceil                     none          v>v
FD.75 f64x2.floor                    none          v>v
FD.76 i8x16.min_s                    none          vv>v
FD.77 i8x16.min_u                    none          vv>v
FD.78 i8x16.max_s                    none          vv>v
FD.79 i8x16.max_u                    none          vv>v
FD.7A f64x2.trunc                    none          v>v
FD.7B i8x16.avgr_u                   none          vv>v
FD.7C i16x8.extadd_pairwise_i8x16_s  none          v>v
FD.7D i16x8.extadd_pairwise_i8x16_u  none          v>v
FD.7E i32x4.extadd_pairwise_i16x8_s  none          v>v
FD.7F i32x4.extadd_pairwise_i16x8_u  none          v>v
FD.80 i16x8.abs                      none          v>v
FD.81 i16x8.neg                      none          v>v
FD.82 i16x8.q15mulr_sat_s            none          vv>v
FD.83 i16x8.all_true                 none          v>i
FD.84 i16x8.bitmask                  none          v>i
FD.85 i16x8.narrow_i32x4_s           none          vv>v
FD.86 i16x8.narrow_i32x4_u           none          vv>v
FD.87 i16x8.extend_low_i8x16_s       none          v>v
FD.88 i16x8.extend_high_i8x16_s      none          v>v
FD.89 i16x8.extend_low_i8x16_u       none          v>v
FD.8A i16x8.extend_high_i8x16_u      none          v>v
FD.8B i16x8.shl                      none          vi>v
FD.8C i16x8.shr_s                    none          vi>v
FD.8D i16x8.shr_u                    none          vi>v
FD.8E i16x8.add                      none          vv>v
FD.8F i16x8.add_sat_s                none          vv>v
FD.90 i16x8.add_sat_u                none          vv>v
FD.91 i16x8.sub                      none          vv>v
FD.92 i16x8.sub_sat_s                none          vv>v
FD.93 i16x8.sub_sat_u                none          vv>v
FD.94 f64x2.nearest                  none          v>v
FD.95 i16x8.mul                      none          vv>v
FD.96 i16x8.min_s                    none          vv>v
FD.97 i16x8.min_u                    none          vv>v
FD.98 i16x8.max_s                    none          vv>v
FD.99 i16x8.max_u                    none          vv>v
FD.9B i16x8.avgr_u                   none          vv>v
FD.9C i16x8.extmul_low_i8x16_s       none          vv>v
FD.9D i16x8.extmul_high_i8x16_s      none          vv>v
FD.9E i16x8.extmul_low_i8x16_u       none          vv>v
FD.9F i16x8.extmul_high_i8x16_u      none          vv>v
FD.A0 i32x4.abs                      none          v>v
FD.A1 i32x4.neg                      none          v>v
FD.A3 i32x4.all_true                 none          v>i
FD.A4 i32x4.bitmask                  none          v>i
FD.A7 i32x4.extend_low_i16x8_s       none          v>v
FD.A8 i32x4.extend_high_i16x8_s      none          v>v
FD.A9 i32x4.extend_low_i16x8_u       none          v>v
FD.AA i32x4.extend_high_i16x8_u      none          v>v
FD.AB i32x4.shl                      none          vi>v
FD.AC i32x4.shr_s                    none          vi>v
FD.AD i32x4.shr_u                    none          vi>v
FD.AE i32x4.add                      none          vv>v
FD.B1 i32x4.sub                      none          vv>v
FD.B5 i32x4.mul                      none          vv>v
FD.B6 i32x4.min_s                    none          vv>v
FD.B7 i32x4.min_u                    none          vv>v
FD.B8 i32x4.max_s                    none          vv>v
FD.B9 i32x4.max_u                    none          vv>v
FD.BA i32x4.dot_i16x8_s              none          vv>v
FD.BC i32x4.extmul_low_i16x8_s       none          vv>v
FD.BD i32x4.extmul_high_i16x8_s      none          vv>v
FD.BE i32x4.extmul_low_i16x8_u       none          vv>v
FD.BF i32x4.extmul_high_i16x8_u      none          vv>v
FD.C0 i64x2.abs                      none          v>v
FD.C1 i64x2.neg                      none          v>v
FD.C3 i64x2.all_true                 none          v>i
FD.C4 i64x2.bitmask                  none          v>i
FD.C7 i64x2.extend_low_i32x4_s       none          v>v
FD.C8 i64x2.extend_high_i32x4_s      none          v>v
FD.C9 i64x2.extend_low_i32x4_u       none          v>v
FD.CA i64x2.extend_high_i32x4_u      none          v>v
FD.CB i64x2.shl                      none          vi>v
FD.CC i64x2.shr_s                    none          vi>v
FD.CD i64x2.shr_u                    none          vi>v
FD.CE i64x2.add                      none          vv>v
FD.D1 i64x2.sub                      none          vv>v
FD.D5 i64x2.mul                      none          vv>v
FD.D6 i64x2.eq                       none          vv>v
FD.D7 i64x2.ne                       none          vv>v
FD.D8 i64x2.lt_s                     none          vv>v
FD.D9 i64x2.gt_s                     none          vv>v
FD.DA i64x2.le_s                     none          vv>v
FD.DB i64x2.ge_s                     none          vv>v
FD.DC i64x2.extmul_low_i32x4_s       none          vv>v
FD.DD i64x2.extmul_high_i32x4_s      none          vv>v
FD.DE i64x2.extmul_low_i32x4_u       none          vv>v
FD.DF i64x2.extmul_high_i32x4_u      none          vv>v
FD.E0 f32x4.abs                      none          v>v
FD.E1 f32x4.neg                      none          v>v
FD.E3 f32x4.sqrt                     none          v>v
FD.E4 f32x4.add                      none          vv>v
FD.E5 f32x4.sub                      none          vv>v
FD.E6 f32x4.mul                      none          vv>v
FD.E7 f32x4.div                      none          vv>v
FD.E8 f32x4.min                      none          vv>v
FD.E9 f32x4.max                      none          vv>v
FD.EA f32x4.pmin                     none          vv>v
FD.EB f32x4.pmax                     none          vv>v
FD.EC f64x2.abs                      none          v>v
FD.ED f64x2.neg                      none          v>v
FD.EF f64x2.sqrt                     none          v>v
FD.F0 f64x2.add                      none          vv>v
FD.F1 f64x2.sub                      none          vv>v
FD.F2 f64x2.mul                      none          vv>v
FD.F3 f64x2.div                      none          vv>v
FD.F4 f64x2.min                      none          vv>v
FD.F5 f64x2.max                      none          vv>v
FD.F6 f64x2.pmin                     none          vv>v
FD.F7 f64x2.pmax                     none          vv>v
FD.F8 i32x4.trunc_sat_f32x4_s        none          v>v
FD.F9 i32x4.trunc_sat_f32x4_u        none          v>v
FD.FA f32x4.convert_i32x4_s          none          v>v
FD.FB f32x4.convert_i32x4_u          none          v>v
FD.FC i32x4.trunc_sat_f64x2_s_zero   none          v>v
FD.FD i32x4.trunc_sat_f64x2_u_zero   none          v>v
FD.FE f64x2.convert_low_i32x4_s      none          v>v
FD.FF f64x2.convert_low_i32x4_u      none          v>v

[exception-handling]
08    throw                          tag           control=throw
0A    throw_ref                      none          control=throw_ref
1F    try_table                      try_table     control=try_table
[wide-arithmetic]
FC.13 i64.add128                     none          IIII>II
FC.14 i64.sub128                     none          IIII>II
FC.15 i64.mul_wide_s                 none          II>II
FC.16 i64.mul_wide_u                 none          II>II

[relaxed-simd]
FD.100 i8x16.relaxed_swizzle                none  vv>v
FD.101 i32x4.relaxed_trunc_f32x4_s          none  v>v
FD.102 i32x4.relaxed_trunc_f32x4_u          none  v>v
FD.103 i32x4.relaxed_trunc_f64x2_s_zero     none  v>v
FD.104 i32x4.relaxed_trunc_f64x2_u_zero     none  v>v
FD.105 f32x4.relaxed_madd                   none  vvv>v
FD.106 f32x4.relaxed_nmadd                  none  vvv>v
FD.107 f64x2.relaxed_madd                   none  vvv>v
FD.108 f64x2.relaxed_nmadd                  none  vvv>v
FD.109 i8x16.relaxed_laneselect             none  vvv>v
FD.10A i16x8.relaxed_laneselect             none  vvv>v
FD.10B i32x4.relaxed_laneselect             none  vvv>v
FD.10C i64x2.relaxed_laneselect             none  vvv>v
FD.10D f32x4.relaxed_min                    none  vv>v
FD.10E f32x4.relaxed_max                    none  vv>v
FD.10F f64x2.relaxed_min                    none  vv>v
FD.110 f64x2.relaxed_max                    none  vv>v
FD.111 i16x8.relaxed_q15mulr_s              none  vv>v
FD.112 i16x8.relaxed_dot_i8x16_i7x16_s      none  vv>v
FD.113 i32x4.relaxed_dot_i8x16_i7x16_add_s  none  vvv>v

[gc]
D3    ref.eq                         none
FB.00 struct.new                     type
FB.01 struct.new_default             type
FB.02 struct.get                     type_field
FB.03 struct.get_s                   type_field
FB.04 struct.get_u                   type_field
FB.05 struct.set                     type_field
FB.06 array.new                      type       fuel=bulk
FB.07 array.new_default              type       fuel=bulk
FB.08 array.new_fixed                type_size
FB.09 array.new_data                 type_data  fuel=bulk
FB.0A array.new_elem                 type_elem  fuel=bulk
FB.0B array.get                      type
FB.0C array.get_s                    type
FB.0D array.get_u                    type
FB.0E array.set                      type
FB.0F array.len                      none
FB.10 array.fill                     type       fuel=bulk
FB.11 array.copy                     type_pair  fuel=bulk
FB.12 array.init_data                type_data  fuel=bulk
FB.13 array.init_elem                type_elem  fuel=bulk
FB.14 ref.test                       heaptype
FB.15 ref.test_null                  heaptype
FB.16 ref.cast                       heaptype
FB.17 ref.cast_null                  heaptype
FB.18 br_on_cast                     br_on_cast    control=br_on_cast
FB.19 br_on_cast_fail                br_on_cast    control=br_on_cast_fail
FB.1A any.convert_extern             none
FB.1B extern.convert_any             none
FB.1C ref.i31                        none
FB.1D i31.get_s                      none
FB.1E i31.get_u                      none

[threads]
FE.00 memory.atomic.notify           memarg        ii>i @4
FE.01 memory.atomic.wait32           memarg        iiI>i @4
FE.02 memory.atomic.wait64           memarg        iII>i @8
FE.03 atomic.fence                   memory
FE.10 i32.atomic.load                memarg        i>i @4
FE.11 i64.atomic.load                memarg        i>I @8
FE.12 i32.atomic.load8_u             memarg        i>i @1
FE.13 i32.atomic.load16_u            memarg        i>i @2
FE.14 i64.atomic.load8_u             memarg        i>I @1
FE.15 i64.atomic.load16_u            memarg        i>I @2
FE.16 i64.atomic.load32_u            memarg        i>I @4
FE.17 i32.atomic.store               memarg        ii> @4
FE.18 i64.atomic.store               memarg        iI> @8
FE.19 i32.atomic.store8              memarg        ii> @1
FE.1A i32.atomic.store16             memarg        ii> @2
FE.1B i64.atomic.store8              memarg        iI> @1
FE.1C i64.atomic.store16             memarg        iI> @2
FE.1D i64.atomic.store32             memarg        iI> @4
FE.1E i32.atomic.rmw.add             memarg        ii>i @4
FE.1F i64.atomic.rmw.add             memarg        iI>I @8
FE.20 i32.atomic.rmw8.add_u          memarg        ii>i @1
FE.21 i32.atomic.rmw16.add_u         memarg        ii>i @2
FE.22 i64.atomic.rmw8.add_u          memarg        iI>I @1
FE.23 i64.atomic.rmw16.add_u         memarg        iI>I @2
FE.24 i64.atomic.rmw32.add_u         memarg        iI>I @4
FE.25 i32.atomic.rmw.sub             memarg        ii>i @4
FE.26 i64.atomic.rmw.sub             memarg        iI>I @8
FE.27 i32.atomic.rmw8.sub_u          memarg        ii>i @1
FE.28 i32.atomic.rmw16.sub_u         memarg        ii>i @2
FE.29 i64.atomic.rmw8.sub_u          memarg        iI>I @1
FE.2A i64.atomic.rmw16.sub_u         memarg        iI>I @2
FE.2B i64.atomic.rmw32.sub_u         memarg        iI>I @4
FE.2C i32.atomic.rmw.and             memarg        ii>i @4
FE.2D i64.atomic.rmw.and             memarg        iI>I @8
FE.2E i32.atomic.rmw8.and_u          memarg        ii>i @1
FE.2F i32.atomic.rmw16.and_u         memarg        ii>i @2
FE.30 i64.atomic.rmw8.and_u          memarg        iI>I @1
FE.31 i64.atomic.rmw16.and_u         memarg        iI>I @2
FE.32 i64.atomic.rmw32.and_u         memarg        iI>I @4
FE.33 i32.atomic.rmw.or              memarg        ii>i @4
FE.34 i64.atomic.rmw.or              memarg        iI>I @8
FE.35 i32.atomic.rmw8.or_u           memarg        ii>i @1
FE.36 i32.atomic.rmw16.or_u          memarg        ii>i @2
FE.37 i64.atomic.rmw8.or_u           memarg        iI>I @1
FE.38 i64.atomic.rmw16.or_u          memarg        iI>I @2
FE.39 i64.atomic.rmw32.or_u          memarg        iI>I @4
FE.3A i32.atomic.rmw.xor             memarg        ii>i @4
FE.3B i64.atomic.rmw.xor             memarg        iI>I @8
FE.3C i32.atomic.rmw8.xor_u          memarg        ii>i @1
FE.3D i32.atomic.rmw16.xor_u         memarg        ii>i @2
FE.3E i64.atomic.rmw8.xor_u          memarg        iI>I @1
FE.3F i64.atomic.rmw16.xor_u         memarg        iI>I @2
FE.40 i64.atomic.rmw32.xor_u         memarg        iI>I @4
FE.41 i32.atomic.rmw.xchg            memarg        ii>i @4
FE.42 i64.atomic.rmw.xchg            memarg        iI>I @8
FE.43 i32.atomic.rmw8.xchg_u         memarg        ii>i @1
FE.44 i32.atomic.rmw16.xchg_u        memarg        ii>i @2
FE.45 i64.atomic.rmw8.xchg_u         memarg        iI>I @1
FE.46 i64.atomic.rmw16.xchg_u        memarg        iI>I @2
FE.47 i64.atomic.rmw32.xchg_u        memarg        iI>I @4
FE.48 i32.atomic.rmw.cmpxchg         memarg        iii>i @4
FE.49 i64.atomic.rmw.cmpxchg         memarg        iII>I @8
FE.4A i32.atomic.rmw8.cmpxchg_u      memarg        iii>i @1
FE.4B i32.atomic.rmw16.cmpxchg_u     memarg        iii>i @2
FE.4C i64.atomic.rmw8.cmpxchg_u      memarg        iII>I @1
FE.4D i64.atomic.rmw16.cmpxchg_u     memarg        iII>I @2
FE.4E i64.atomic.rmw32.cmpxchg_u     memarg        iII>I @4
"""
