"""The one opcode table: encoding, mnemonic, immediate kind and stack effect.

Opcodes are plain ints: a single-byte instruction is its byte; a prefixed one
(``0xFC``, ``0xFD``) is ``prefix << 8 | subopcode`` (``i32.trunc_sat_f32_s`` is
``0xFC00``, ``v128.load`` is ``0xFD00``).

Each row of :data:`_TABLE` is ``opcode mnemonic immediate [effect]``:

* the immediate kind says how the decoder reads, and the text parser writes, the
  instruction's immediates (see :data:`IMMEDIATE_KINDS`);
* the effect, when present, is the fixed stack signature ``params>results`` with
  one letter per value (``i`` i32, ``I`` i64, ``f`` f32, ``F`` f64, ``v`` v128);
  instructions without one (control, parametric, variable, reference, table
  instructions) are typed by the validator's own rules;
* memory instructions carry their access width in bytes as a fourth field
  (``@4``), from which the natural alignment follows.
"""

from __future__ import annotations

from dataclasses import dataclass

from wasmrun.types import ValType

# Immediate kinds and what the decoded immediate is (see binary/instructions.py):
IMMEDIATE_KINDS = {
    "none": "None",
    "blocktype": "int: the s33 encoding (-64 empty, -1 i32, ... or a type index >= 0)",
    "label": "int label index",
    "br_table": "(tuple of label indices, default label index)",
    "func": "int function index",
    "call_indirect": "(type index, table index)",
    "local": "int local index",
    "global": "int global index",
    "table": "int table index",
    "memarg": "(align exponent, offset)",
    "memory": "int memory index (a zero byte in 2.0)",
    "i32": "int, the canonical unsigned value",
    "i64": "int, the canonical unsigned value",
    "f32": "int, the raw IEEE-754 bits (NaN payloads kept)",
    "f64": "int, the raw IEEE-754 bits",
    "v128": "int, the 128 bits little-endian",
    "select_t": "tuple of ValType",
    "reftype": "ValType",
    "memory.init": "(data index, memory index)",
    "data": "int data index",
    "memory.copy": "(destination memory, source memory)",
    "table.init": "(element index, table index)",
    "elem": "int element index",
    "table.copy": "(destination table, source table)",
    "shuffle": "tuple of 16 lane indices",
    "lane": "int lane index",
    "memarg_lane": "(align exponent, offset, lane index)",
}

_TABLE = """
00 unreachable none
01 nop none
02 block blocktype
03 loop blocktype
04 if blocktype
05 else none
0B end none
0C br label
0D br_if label
0E br_table br_table
0F return none
10 call func
11 call_indirect call_indirect
1A drop none
1B select none
1C select select_t
20 local.get local
21 local.set local
22 local.tee local
23 global.get global
24 global.set global
25 table.get table
26 table.set table
28 i32.load memarg i>i @4
29 i64.load memarg i>I @8
2A f32.load memarg i>f @4
2B f64.load memarg i>F @8
2C i32.load8_s memarg i>i @1
2D i32.load8_u memarg i>i @1
2E i32.load16_s memarg i>i @2
2F i32.load16_u memarg i>i @2
30 i64.load8_s memarg i>I @1
31 i64.load8_u memarg i>I @1
32 i64.load16_s memarg i>I @2
33 i64.load16_u memarg i>I @2
34 i64.load32_s memarg i>I @4
35 i64.load32_u memarg i>I @4
36 i32.store memarg ii> @4
37 i64.store memarg iI> @8
38 f32.store memarg if> @4
39 f64.store memarg iF> @8
3A i32.store8 memarg ii> @1
3B i32.store16 memarg ii> @2
3C i64.store8 memarg iI> @1
3D i64.store16 memarg iI> @2
3E i64.store32 memarg iI> @4
3F memory.size memory >i
40 memory.grow memory i>i
41 i32.const i32 >i
42 i64.const i64 >I
43 f32.const f32 >f
44 f64.const f64 >F
45 i32.eqz none i>i
46 i32.eq none ii>i
47 i32.ne none ii>i
48 i32.lt_s none ii>i
49 i32.lt_u none ii>i
4A i32.gt_s none ii>i
4B i32.gt_u none ii>i
4C i32.le_s none ii>i
4D i32.le_u none ii>i
4E i32.ge_s none ii>i
4F i32.ge_u none ii>i
50 i64.eqz none I>i
51 i64.eq none II>i
52 i64.ne none II>i
53 i64.lt_s none II>i
54 i64.lt_u none II>i
55 i64.gt_s none II>i
56 i64.gt_u none II>i
57 i64.le_s none II>i
58 i64.le_u none II>i
59 i64.ge_s none II>i
5A i64.ge_u none II>i
5B f32.eq none ff>i
5C f32.ne none ff>i
5D f32.lt none ff>i
5E f32.gt none ff>i
5F f32.le none ff>i
60 f32.ge none ff>i
61 f64.eq none FF>i
62 f64.ne none FF>i
63 f64.lt none FF>i
64 f64.gt none FF>i
65 f64.le none FF>i
66 f64.ge none FF>i
67 i32.clz none i>i
68 i32.ctz none i>i
69 i32.popcnt none i>i
6A i32.add none ii>i
6B i32.sub none ii>i
6C i32.mul none ii>i
6D i32.div_s none ii>i
6E i32.div_u none ii>i
6F i32.rem_s none ii>i
70 i32.rem_u none ii>i
71 i32.and none ii>i
72 i32.or none ii>i
73 i32.xor none ii>i
74 i32.shl none ii>i
75 i32.shr_s none ii>i
76 i32.shr_u none ii>i
77 i32.rotl none ii>i
78 i32.rotr none ii>i
79 i64.clz none I>I
7A i64.ctz none I>I
7B i64.popcnt none I>I
7C i64.add none II>I
7D i64.sub none II>I
7E i64.mul none II>I
7F i64.div_s none II>I
80 i64.div_u none II>I
81 i64.rem_s none II>I
82 i64.rem_u none II>I
83 i64.and none II>I
84 i64.or none II>I
85 i64.xor none II>I
86 i64.shl none II>I
87 i64.shr_s none II>I
88 i64.shr_u none II>I
89 i64.rotl none II>I
8A i64.rotr none II>I
8B f32.abs none f>f
8C f32.neg none f>f
8D f32.ceil none f>f
8E f32.floor none f>f
8F f32.trunc none f>f
90 f32.nearest none f>f
91 f32.sqrt none f>f
92 f32.add none ff>f
93 f32.sub none ff>f
94 f32.mul none ff>f
95 f32.div none ff>f
96 f32.min none ff>f
97 f32.max none ff>f
98 f32.copysign none ff>f
99 f64.abs none F>F
9A f64.neg none F>F
9B f64.ceil none F>F
9C f64.floor none F>F
9D f64.trunc none F>F
9E f64.nearest none F>F
9F f64.sqrt none F>F
A0 f64.add none FF>F
A1 f64.sub none FF>F
A2 f64.mul none FF>F
A3 f64.div none FF>F
A4 f64.min none FF>F
A5 f64.max none FF>F
A6 f64.copysign none FF>F
A7 i32.wrap_i64 none I>i
A8 i32.trunc_f32_s none f>i
A9 i32.trunc_f32_u none f>i
AA i32.trunc_f64_s none F>i
AB i32.trunc_f64_u none F>i
AC i64.extend_i32_s none i>I
AD i64.extend_i32_u none i>I
AE i64.trunc_f32_s none f>I
AF i64.trunc_f32_u none f>I
B0 i64.trunc_f64_s none F>I
B1 i64.trunc_f64_u none F>I
B2 f32.convert_i32_s none i>f
B3 f32.convert_i32_u none i>f
B4 f32.convert_i64_s none I>f
B5 f32.convert_i64_u none I>f
B6 f32.demote_f64 none F>f
B7 f64.convert_i32_s none i>F
B8 f64.convert_i32_u none i>F
B9 f64.convert_i64_s none I>F
BA f64.convert_i64_u none I>F
BB f64.promote_f32 none f>F
BC i32.reinterpret_f32 none f>i
BD i64.reinterpret_f64 none F>I
BE f32.reinterpret_i32 none i>f
BF f64.reinterpret_i64 none I>F
C0 i32.extend8_s none i>i
C1 i32.extend16_s none i>i
C2 i64.extend8_s none I>I
C3 i64.extend16_s none I>I
C4 i64.extend32_s none I>I
D0 ref.null reftype
D1 ref.is_null none
D2 ref.func func
FC00 i32.trunc_sat_f32_s none f>i
FC01 i32.trunc_sat_f32_u none f>i
FC02 i32.trunc_sat_f64_s none F>i
FC03 i32.trunc_sat_f64_u none F>i
FC04 i64.trunc_sat_f32_s none f>I
FC05 i64.trunc_sat_f32_u none f>I
FC06 i64.trunc_sat_f64_s none F>I
FC07 i64.trunc_sat_f64_u none F>I
FC08 memory.init memory.init iii>
FC09 data.drop data
FC0A memory.copy memory.copy
FC0B memory.fill memory
FC0C table.init table.init
FC0D elem.drop elem
FC0E table.copy table.copy
FC0F table.grow table
FC10 table.size table
FC11 table.fill table
"""

# SIMD (0xFD prefix): ``sub mnemonic immediate effect [@width]``, sub in decimal
# as the SIMD proposal's opcode table numbers them.
_SIMD_TABLE = """
0 v128.load memarg i>v @16
1 v128.load8x8_s memarg i>v @8
2 v128.load8x8_u memarg i>v @8
3 v128.load16x4_s memarg i>v @8
4 v128.load16x4_u memarg i>v @8
5 v128.load32x2_s memarg i>v @8
6 v128.load32x2_u memarg i>v @8
7 v128.load8_splat memarg i>v @1
8 v128.load16_splat memarg i>v @2
9 v128.load32_splat memarg i>v @4
10 v128.load64_splat memarg i>v @8
11 v128.store memarg iv> @16
12 v128.const v128 >v
13 i8x16.shuffle shuffle vv>v
14 i8x16.swizzle none vv>v
15 i8x16.splat none i>v
16 i16x8.splat none i>v
17 i32x4.splat none i>v
18 i64x2.splat none I>v
19 f32x4.splat none f>v
20 f64x2.splat none F>v
21 i8x16.extract_lane_s lane v>i
22 i8x16.extract_lane_u lane v>i
23 i8x16.replace_lane lane vi>v
24 i16x8.extract_lane_s lane v>i
25 i16x8.extract_lane_u lane v>i
26 i16x8.replace_lane lane vi>v
27 i32x4.extract_lane lane v>i
28 i32x4.replace_lane lane vi>v
29 i64x2.extract_lane lane v>I
30 i64x2.replace_lane lane vI>v
31 f32x4.extract_lane lane v>f
32 f32x4.replace_lane lane vf>v
33 f64x2.extract_lane lane v>F
34 f64x2.replace_lane lane vF>v
35 i8x16.eq none vv>v
36 i8x16.ne none vv>v
37 i8x16.lt_s none vv>v
38 i8x16.lt_u none vv>v
39 i8x16.gt_s none vv>v
40 i8x16.gt_u none vv>v
41 i8x16.le_s none vv>v
42 i8x16.le_u none vv>v
43 i8x16.ge_s none vv>v
44 i8x16.ge_u none vv>v
45 i16x8.eq none vv>v
46 i16x8.ne none vv>v
47 i16x8.lt_s none vv>v
48 i16x8.lt_u none vv>v
49 i16x8.gt_s none vv>v
50 i16x8.gt_u none vv>v
51 i16x8.le_s none vv>v
52 i16x8.le_u none vv>v
53 i16x8.ge_s none vv>v
54 i16x8.ge_u none vv>v
55 i32x4.eq none vv>v
56 i32x4.ne none vv>v
57 i32x4.lt_s none vv>v
58 i32x4.lt_u none vv>v
59 i32x4.gt_s none vv>v
60 i32x4.gt_u none vv>v
61 i32x4.le_s none vv>v
62 i32x4.le_u none vv>v
63 i32x4.ge_s none vv>v
64 i32x4.ge_u none vv>v
65 f32x4.eq none vv>v
66 f32x4.ne none vv>v
67 f32x4.lt none vv>v
68 f32x4.gt none vv>v
69 f32x4.le none vv>v
70 f32x4.ge none vv>v
71 f64x2.eq none vv>v
72 f64x2.ne none vv>v
73 f64x2.lt none vv>v
74 f64x2.gt none vv>v
75 f64x2.le none vv>v
76 f64x2.ge none vv>v
77 v128.not none v>v
78 v128.and none vv>v
79 v128.andnot none vv>v
80 v128.or none vv>v
81 v128.xor none vv>v
82 v128.bitselect none vvv>v
83 v128.any_true none v>i
84 v128.load8_lane memarg_lane iv>v @1
85 v128.load16_lane memarg_lane iv>v @2
86 v128.load32_lane memarg_lane iv>v @4
87 v128.load64_lane memarg_lane iv>v @8
88 v128.store8_lane memarg_lane iv> @1
89 v128.store16_lane memarg_lane iv> @2
90 v128.store32_lane memarg_lane iv> @4
91 v128.store64_lane memarg_lane iv> @8
92 v128.load32_zero memarg i>v @4
93 v128.load64_zero memarg i>v @8
94 f32x4.demote_f64x2_zero none v>v
95 f64x2.promote_low_f32x4 none v>v
96 i8x16.abs none v>v
97 i8x16.neg none v>v
98 i8x16.popcnt none v>v
99 i8x16.all_true none v>i
100 i8x16.bitmask none v>i
101 i8x16.narrow_i16x8_s none vv>v
102 i8x16.narrow_i16x8_u none vv>v
103 f32x4.ceil none v>v
104 f32x4.floor none v>v
105 f32x4.trunc none v>v
106 f32x4.nearest none v>v
107 i8x16.shl none vi>v
108 i8x16.shr_s none vi>v
109 i8x16.shr_u none vi>v
110 i8x16.add none vv>v
111 i8x16.add_sat_s none vv>v
112 i8x16.add_sat_u none vv>v
113 i8x16.sub none vv>v
114 i8x16.sub_sat_s none vv>v
115 i8x16.sub_sat_u none vv>v
116 f64x2.ceil none v>v
117 f64x2.floor none v>v
118 i8x16.min_s none vv>v
119 i8x16.min_u none vv>v
120 i8x16.max_s none vv>v
121 i8x16.max_u none vv>v
122 f64x2.trunc none v>v
123 i8x16.avgr_u none vv>v
124 i16x8.extadd_pairwise_i8x16_s none v>v
125 i16x8.extadd_pairwise_i8x16_u none v>v
126 i32x4.extadd_pairwise_i16x8_s none v>v
127 i32x4.extadd_pairwise_i16x8_u none v>v
128 i16x8.abs none v>v
129 i16x8.neg none v>v
130 i16x8.q15mulr_sat_s none vv>v
131 i16x8.all_true none v>i
132 i16x8.bitmask none v>i
133 i16x8.narrow_i32x4_s none vv>v
134 i16x8.narrow_i32x4_u none vv>v
135 i16x8.extend_low_i8x16_s none v>v
136 i16x8.extend_high_i8x16_s none v>v
137 i16x8.extend_low_i8x16_u none v>v
138 i16x8.extend_high_i8x16_u none v>v
139 i16x8.shl none vi>v
140 i16x8.shr_s none vi>v
141 i16x8.shr_u none vi>v
142 i16x8.add none vv>v
143 i16x8.add_sat_s none vv>v
144 i16x8.add_sat_u none vv>v
145 i16x8.sub none vv>v
146 i16x8.sub_sat_s none vv>v
147 i16x8.sub_sat_u none vv>v
148 f64x2.nearest none v>v
149 i16x8.mul none vv>v
150 i16x8.min_s none vv>v
151 i16x8.min_u none vv>v
152 i16x8.max_s none vv>v
153 i16x8.max_u none vv>v
155 i16x8.avgr_u none vv>v
156 i16x8.extmul_low_i8x16_s none vv>v
157 i16x8.extmul_high_i8x16_s none vv>v
158 i16x8.extmul_low_i8x16_u none vv>v
159 i16x8.extmul_high_i8x16_u none vv>v
160 i32x4.abs none v>v
161 i32x4.neg none v>v
163 i32x4.all_true none v>i
164 i32x4.bitmask none v>i
167 i32x4.extend_low_i16x8_s none v>v
168 i32x4.extend_high_i16x8_s none v>v
169 i32x4.extend_low_i16x8_u none v>v
170 i32x4.extend_high_i16x8_u none v>v
171 i32x4.shl none vi>v
172 i32x4.shr_s none vi>v
173 i32x4.shr_u none vi>v
174 i32x4.add none vv>v
177 i32x4.sub none vv>v
181 i32x4.mul none vv>v
182 i32x4.min_s none vv>v
183 i32x4.min_u none vv>v
184 i32x4.max_s none vv>v
185 i32x4.max_u none vv>v
186 i32x4.dot_i16x8_s none vv>v
188 i32x4.extmul_low_i16x8_s none vv>v
189 i32x4.extmul_high_i16x8_s none vv>v
190 i32x4.extmul_low_i16x8_u none vv>v
191 i32x4.extmul_high_i16x8_u none vv>v
192 i64x2.abs none v>v
193 i64x2.neg none v>v
195 i64x2.all_true none v>i
196 i64x2.bitmask none v>i
199 i64x2.extend_low_i32x4_s none v>v
200 i64x2.extend_high_i32x4_s none v>v
201 i64x2.extend_low_i32x4_u none v>v
202 i64x2.extend_high_i32x4_u none v>v
203 i64x2.shl none vi>v
204 i64x2.shr_s none vi>v
205 i64x2.shr_u none vi>v
206 i64x2.add none vv>v
209 i64x2.sub none vv>v
213 i64x2.mul none vv>v
214 i64x2.eq none vv>v
215 i64x2.ne none vv>v
216 i64x2.lt_s none vv>v
217 i64x2.gt_s none vv>v
218 i64x2.le_s none vv>v
219 i64x2.ge_s none vv>v
220 i64x2.extmul_low_i32x4_s none vv>v
221 i64x2.extmul_high_i32x4_s none vv>v
222 i64x2.extmul_low_i32x4_u none vv>v
223 i64x2.extmul_high_i32x4_u none vv>v
224 f32x4.abs none v>v
225 f32x4.neg none v>v
227 f32x4.sqrt none v>v
228 f32x4.add none vv>v
229 f32x4.sub none vv>v
230 f32x4.mul none vv>v
231 f32x4.div none vv>v
232 f32x4.min none vv>v
233 f32x4.max none vv>v
234 f32x4.pmin none vv>v
235 f32x4.pmax none vv>v
236 f64x2.abs none v>v
237 f64x2.neg none v>v
239 f64x2.sqrt none v>v
240 f64x2.add none vv>v
241 f64x2.sub none vv>v
242 f64x2.mul none vv>v
243 f64x2.div none vv>v
244 f64x2.min none vv>v
245 f64x2.max none vv>v
246 f64x2.pmin none vv>v
247 f64x2.pmax none vv>v
248 i32x4.trunc_sat_f32x4_s none v>v
249 i32x4.trunc_sat_f32x4_u none v>v
250 f32x4.convert_i32x4_s none v>v
251 f32x4.convert_i32x4_u none v>v
252 i32x4.trunc_sat_f64x2_s_zero none v>v
253 i32x4.trunc_sat_f64x2_u_zero none v>v
254 f64x2.convert_low_i32x4_s none v>v
255 f64x2.convert_low_i32x4_u none v>v
"""

_LETTER = {"i": ValType.I32, "I": ValType.I64, "f": ValType.F32, "F": ValType.F64, "v": ValType.V128}

PREFIX_MISC = 0xFC
PREFIX_SIMD = 0xFD


@dataclass(frozen=True, slots=True)
class OpInfo:
    """What the table says about one instruction."""

    opcode: int
    mnemonic: str
    immediate: str
    # Fixed stack signature, or None when the validator types it by its own rule.
    params: tuple[ValType, ...] | None
    results: tuple[ValType, ...] | None
    # Bytes accessed, for memory instructions (natural alignment = log2 of it).
    width: int | None

    @property
    def is_prefixed(self) -> bool:
        return self.opcode > 0xFF

    @property
    def encoding(self) -> bytes:
        """The opcode's bytes (the subopcode of a prefixed one as a u32 LEB128)."""
        if self.opcode <= 0xFF:
            return bytes((self.opcode,))
        prefix, sub = self.opcode >> 8, self.opcode & 0xFF
        out = bytearray((prefix,))
        while True:
            byte = sub & 0x7F
            sub >>= 7
            if sub:
                out.append(byte | 0x80)
            else:
                out.append(byte)
                return bytes(out)

    @property
    def natural_alignment(self) -> int:
        """log2 of the access width: the largest alignment exponent allowed."""
        assert self.width is not None, "only memory instructions have an alignment"
        return self.width.bit_length() - 1


def _parse_effect(effect: str) -> tuple[tuple[ValType, ...], tuple[ValType, ...]]:
    params, results = effect.split(">")
    return tuple(_LETTER[c] for c in params), tuple(_LETTER[c] for c in results)


def _build() -> dict[int, OpInfo]:
    table: dict[int, OpInfo] = {}
    rows = [(int(code, 16), rest) for code, *rest in (line.split() for line in _TABLE.strip().splitlines())]
    rows += [
        ((PREFIX_SIMD << 8) | int(code), rest)
        for code, *rest in (line.split() for line in _SIMD_TABLE.strip().splitlines())
    ]
    for opcode, fields in rows:
        mnemonic, immediate, *extra = fields
        params = results = None
        width = None
        for field in extra:
            if field.startswith("@"):
                width = int(field[1:])
            else:
                params, results = _parse_effect(field)
        if opcode in table and mnemonic != "select":
            raise RuntimeError(f"duplicate opcode {opcode:#x}")
        table[opcode] = OpInfo(opcode, mnemonic, immediate, params, results, width)
    return table


OPCODES: dict[int, OpInfo] = _build()
"""Opcode (int, see module docstring) → :class:`OpInfo`."""

BY_MNEMONIC: dict[str, OpInfo] = {}
for _info in OPCODES.values():
    # ``select`` has two encodings; the text name means the untyped one unless
    # a result type follows, which the text parser handles.
    BY_MNEMONIC.setdefault(_info.mnemonic, _info)
del _info

# Named opcodes used by code that switches on structure.
UNREACHABLE = 0x00
NOP = 0x01
BLOCK = 0x02
LOOP = 0x03
IF = 0x04
ELSE = 0x05
END = 0x0B
BR = 0x0C
BR_IF = 0x0D
BR_TABLE = 0x0E
RETURN = 0x0F
CALL = 0x10
CALL_INDIRECT = 0x11
DROP = 0x1A
SELECT = 0x1B
SELECT_T = 0x1C
LOCAL_GET = 0x20
LOCAL_SET = 0x21
LOCAL_TEE = 0x22
GLOBAL_GET = 0x23
GLOBAL_SET = 0x24
TABLE_GET = 0x25
TABLE_SET = 0x26
I32_CONST = 0x41
I64_CONST = 0x42
F32_CONST = 0x43
F64_CONST = 0x44
REF_NULL = 0xD0
REF_IS_NULL = 0xD1
REF_FUNC = 0xD2
V128_CONST = (PREFIX_SIMD << 8) | 12

BLOCKTYPE_EMPTY = -64
