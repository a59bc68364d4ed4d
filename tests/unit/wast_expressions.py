"""Spec-test cases for pure numeric functions, read straight from ``.wast`` files.

Test support for ``test_numeric.py`` and ``test_simd.py``: an S-expression
reader, the spec's literal syntax (integers, decimal and hexadecimal floats,
``nan:0x...``, ``v128.const`` with lane shapes) rounded exactly, and a tiny
evaluator for exported functions whose body is a straight-line expression over
parameters and constants.  Every ``assert_return`` / ``assert_trap`` that
invokes such a function becomes a :class:`Case`; anything else (memory,
control flow, locals being set, other modules' state) is counted as skipped.
This is deliberately independent of ``wasmrun.text`` so the numeric semantics
can be checked on their own.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from wasmrun.errors import Trap
from wasmrun.instructions import BY_MNEMONIC
from wasmrun.semantics.numeric import f32_from_bits, f32_to_bits, f64_from_bits, f64_to_bits

SExpr = Any  # str atom or list of SExpr (with a ``.line`` on lists)


class _List(list):  # type: ignore[type-arg]
    line = 0


_TOKEN = re.compile(r'\(;|;;[^\n]*|\(|\)|"(?:[^"\\]|\\.)*"|[^\s()";]+|\s+', re.S)


def read_sexprs(text: str) -> list[SExpr]:
    """The top-level S-expressions of a .wast file."""
    stack: list[_List] = [_List()]
    pos, line = 0, 1
    while pos < len(text):
        if text.startswith("(;", pos):  # nested block comment
            depth, pos = 1, pos + 2
            while depth:
                if text.startswith("(;", pos):
                    depth, pos = depth + 1, pos + 2
                elif text.startswith(";)", pos):
                    depth, pos = depth - 1, pos + 2
                else:
                    line += text[pos] == "\n"
                    pos += 1
            continue
        m = _TOKEN.match(text, pos)
        if m is None:
            raise ValueError(f"bad token at line {line}")
        tok = m.group()
        pos = m.end()
        if tok == "(":
            new = _List()
            new.line = line
            stack[-1].append(new)
            stack.append(new)
        elif tok == ")":
            stack.pop()
        elif not tok.isspace() and not tok.startswith(";;"):
            stack[-1].append(tok)
        line += tok.count("\n")
    return stack[0]


# ---------------------------------------------------------------------------
# Literals
# ---------------------------------------------------------------------------

_FORMATS = {32: (24, 8), 64: (53, 11)}  # significand bits (with the hidden one), exponent bits


def parse_int(text: str, bits: int) -> int:
    """An integer literal as the canonical unsigned value of its width."""
    t = text.replace("_", "")
    sign = -1 if t.startswith("-") else 1
    t = t.lstrip("+-")
    value = int(t, 16) if t.lower().startswith("0x") else int(t)
    return (sign * value) % (1 << bits)


def _exact(text: str) -> Fraction:
    t = text.lower()
    if t.startswith("0x"):
        mantissa, _, exponent = t[2:].partition("p")
        whole, _, frac = mantissa.partition(".")
        digits = int((whole + frac) or "0", 16)
        return Fraction(digits) * Fraction(2) ** (int(exponent or "0") - 4 * len(frac))
    return Fraction(t)


def round_to_bits(negative: bool, value: Fraction, bits: int) -> int:
    """The IEEE bits of ``-value`` or ``value`` rounded to nearest, ties to even."""
    p, ebits = _FORMATS[bits]
    bias = (1 << (ebits - 1)) - 1
    emin, emax = 1 - bias, bias
    sign = 1 << (bits - 1) if negative else 0
    if value == 0:
        return sign
    e = value.numerator.bit_length() - value.denominator.bit_length()
    if Fraction(2) ** e > value:
        e -= 1
    e = max(e, emin)
    m = round(value / Fraction(2) ** (e - p + 1))  # Fraction rounds half to even
    if m == 1 << p:
        m, e = m >> 1, e + 1
    if e > emax:
        return sign | (((1 << ebits) - 1) << (p - 1))
    if m < 1 << (p - 1):  # subnormal
        return sign | m
    return sign | ((e + bias) << (p - 1)) | (m - (1 << (p - 1)))


def parse_float_bits(text: str, bits: int) -> int:
    """A float literal (``1.5``, ``-0x1p-149``, ``inf``, ``-nan:0x200000``) as IEEE bits."""
    p, ebits = _FORMATS[bits]
    t = text.replace("_", "")
    negative = t.startswith("-")
    sign = 1 << (bits - 1) if negative else 0
    body = t.lstrip("+-")
    exponent_all_ones = ((1 << ebits) - 1) << (p - 1)
    if body == "inf":
        return sign | exponent_all_ones
    if body.startswith("nan"):
        payload = int(body[6:], 16) if body.startswith("nan:0x") else 1 << (p - 2)
        return sign | exponent_all_ones | payload
    return round_to_bits(negative, _exact(body), bits)


# ---------------------------------------------------------------------------
# Values and expected results
# ---------------------------------------------------------------------------


def runtime_value(valtype: str, text: str) -> Any:
    """A ``(T.const X)`` literal as the engine's runtime value."""
    if valtype == "i32":
        return parse_int(text, 32)
    if valtype == "i64":
        return parse_int(text, 64)
    if valtype == "f32":
        return f32_from_bits(parse_float_bits(text, 32))
    if valtype == "f64":
        return f64_from_bits(parse_float_bits(text, 64))
    raise ValueError(valtype)


def float_matches(bits_value: int, bits: int, expected: str) -> bool:
    """Does an f32/f64 result (as bits) match an expected literal (``nan:canonical`` etc.)?"""
    p, ebits = _FORMATS[bits]
    exponent_all_ones = ((1 << ebits) - 1) << (p - 1)
    quiet = 1 << (p - 2)
    magnitude = bits_value & ((1 << (bits - 1)) - 1)
    if expected in ("nan:canonical", "nan:arithmetic"):
        if magnitude & exponent_all_ones != exponent_all_ones or not magnitude & quiet:
            return False
        return expected == "nan:arithmetic" or magnitude == exponent_all_ones | quiet
    return bits_value == parse_float_bits(expected, bits)


def is_valid(valtype: str, value: Any) -> bool:
    """Is ``value`` in the engine's representation of ``valtype``?"""
    if valtype == "i32":
        return isinstance(value, int) and 0 <= value < 1 << 32
    if valtype == "i64":
        return isinstance(value, int) and 0 <= value < 1 << 64
    if valtype == "f64":
        return isinstance(value, float)
    if valtype == "f32":
        # An f32 is a double that survives the trip through its own bits.
        return isinstance(value, float) and f64_to_bits(f32_from_bits(f32_to_bits(value))) == f64_to_bits(value)
    if valtype == "v128":
        return isinstance(value, int) and 0 <= value < 1 << 128
    raise ValueError(valtype)


def matches(valtype: str, value: Any, expected: list[str]) -> bool:
    """Does a result match an expected ``(T.const ...)``'s tokens (after ``T.const``)?"""
    if valtype in ("i32", "i64"):
        return bool(value == parse_int(expected[0], int(valtype[1:])))
    if valtype == "f32":
        return float_matches(f32_to_bits(value), 32, expected[0])
    if valtype == "f64":
        return float_matches(f64_to_bits(value), 64, expected[0])
    if valtype == "v128":
        return v128_matches(value, expected)
    raise ValueError(valtype)


_LANES = {"i8x16": (8, 16), "i16x8": (16, 8), "i32x4": (32, 4), "i64x2": (64, 2), "f32x4": (32, 4), "f64x2": (64, 2)}


def parse_v128(tokens: list[str]) -> int:
    """``v128.const``'s immediates (shape then lanes) as the 128-bit value."""
    shape, lanes = tokens[0], tokens[1:]
    width, count = _LANES[shape]
    if len(lanes) != count:
        raise ValueError(f"{shape} needs {count} lanes")
    value = 0
    for i, lane in enumerate(lanes):
        bits = parse_float_bits(lane, width) if shape[0] == "f" else parse_int(lane, width)
        value |= bits << (i * width)
    return value


def v128_matches(value: int, expected: list[str]) -> bool:
    shape, lanes = expected[0], expected[1:]
    width, _ = _LANES[shape]
    mask = (1 << width) - 1
    for i, lane in enumerate(lanes):
        got = (value >> (i * width)) & mask
        if shape[0] == "f":
            if not float_matches(got, width, lane):
                return False
        elif got != parse_int(lane, width):
            return False
    return True


# ---------------------------------------------------------------------------
# Functions and cases
# ---------------------------------------------------------------------------


class Unsupported(Exception):
    """The function body is not a straight-line expression this evaluator knows."""


@dataclass(frozen=True)
class Function:
    params: tuple[str, ...]
    results: tuple[str, ...]
    local_types: tuple[str, ...]  # declared locals after the parameters
    names: dict[str, int]  # $name -> local index
    body: list[SExpr]


@dataclass(frozen=True)
class Case:
    """One assertion: call ``function`` with ``args``, expect results or a trap."""

    file: str
    line: int
    name: str
    function: Function
    args: tuple[Any, ...]
    expected: tuple[tuple[str, list[str]], ...] | None  # (valtype, tokens after T.const)
    trap: str | None


def _parse_func(form: list[SExpr]) -> tuple[str | None, Function]:
    export = None
    params: list[str] = []
    results: list[str] = []
    local_types: list[str] = []
    names: dict[str, int] = {}
    body: list[SExpr] = []
    for item in form[1:]:
        kind = item[0] if isinstance(item, list) and item else None
        if kind == "export":
            export = item[1].strip('"')
        elif kind in ("param", "local"):
            declared = params if kind == "param" else local_types
            if len(item) == 3 and item[1].startswith("$"):
                names[item[1]] = len(params) + len(local_types)
                declared.append(item[2])
            else:
                declared.extend(item[1:])
        elif kind == "result":
            results.extend(item[1:])
        elif kind in ("type", "import"):
            raise Unsupported(kind)
        elif isinstance(item, str) and item.startswith("$"):
            continue
        else:
            body.append(item)
    return export, Function(tuple(params), tuple(results), tuple(local_types), names, body)


class ExpressionEvaluator:
    """Runs straight-line bodies through ``functions`` (mnemonic -> callable).

    ``immediates`` maps mnemonics that take immediates (``i8x16.extract_lane 3``,
    ``i8x16.shuffle 0 1 ...``) to how many atoms they take; those are parsed as
    ints and passed before the operands.  Arity comes from the opcode table.
    """

    def __init__(self, functions: dict[str, Callable[..., Any]], immediates: dict[str, int] | None = None) -> None:
        self.functions = functions
        self.immediates = immediates or {}

    def run(self, function: Function, args: tuple[Any, ...]) -> list[Any]:
        stack: list[Any] = []
        zeros = {"i32": 0, "i64": 0, "f32": 0.0, "f64": 0.0, "v128": 0}
        frame = [*args, *(zeros[t] for t in function.local_types)]
        self._sequence(function.body, stack, function, frame)
        return stack

    def supports(self, function: Function) -> bool:
        try:
            self._sequence(function.body, None, function, [])
        except Unsupported:
            return False
        return True

    # A None stack means "only walk the body and check every instruction is known".

    def _sequence(self, items: list[SExpr], stack: list[Any] | None, function: Function, args: list[Any]) -> None:
        i = 0
        while i < len(items):
            item = items[i]
            i += 1
            if isinstance(item, list):
                self._folded(item, stack, function, args)
                continue
            n = self._immediate_count(item, items[i:])
            if any(isinstance(x, list) for x in items[i : i + n]):
                raise Unsupported(item)
            self._execute(item, items[i : i + n], stack, function, args)
            i += n

    def _folded(self, form: list[SExpr], stack: list[Any] | None, function: Function, args: list[Any]) -> None:
        op = form[0]
        if not isinstance(op, str):
            raise Unsupported("nested list")
        if op == "if":
            self._if(form, stack, function, args)
            return
        k = 1
        while k < len(form) and not isinstance(form[k], list):
            k += 1
        for operand in form[k:]:
            self._folded(operand, stack, function, args)
        self._execute(op, form[1:k], stack, function, args)

    def _if(self, form: list[SExpr], stack: list[Any] | None, function: Function, args: list[Any]) -> None:
        """``(if (result T)? cond (then ...) (else ...)?)``: both arms are walked when only checking."""
        arms = {x[0]: x[1:] for x in form[1:] if isinstance(x, list) and x and x[0] in ("then", "else")}
        conditions = [x for x in form[1:] if isinstance(x, list) and x and x[0] not in ("then", "else", "result")]
        if any(isinstance(x, str) for x in form[1:]) or len(conditions) != 1 or "then" not in arms:
            raise Unsupported("if")
        self._folded(conditions[0], stack, function, args)
        if stack is None:
            self._sequence(arms["then"], None, function, args)
            self._sequence(arms.get("else", []), None, function, args)
        else:
            self._sequence(arms["then"] if stack.pop() else arms.get("else", []), stack, function, args)

    def _immediate_count(self, op: str, rest: list[SExpr]) -> int:
        if op == "v128.const":
            return 1 + _LANES[rest[0]][1]
        if op in ("local.get", "local.set", "local.tee") or op.endswith(".const"):
            return 1
        return self.immediates.get(op, 0)

    def _execute(self, op: str, imms: list[str], stack: list[Any] | None, function: Function, args: list[Any]) -> None:
        if op in ("local.get", "local.set", "local.tee"):
            ref = imms[0]
            index = function.names[ref] if ref.startswith("$") else int(ref)
            if stack is not None:
                if op == "local.get":
                    stack.append(args[index])
                else:
                    args[index] = stack[-1] if op == "local.tee" else stack.pop()
            return
        if op.endswith(".const"):
            if stack is not None:
                stack.append(parse_v128(imms) if op == "v128.const" else runtime_value(op[:-6], imms[0]))
            return
        if op == "select":
            if stack is not None:
                cond, b, a = stack.pop(), stack.pop(), stack.pop()
                stack.append(a if cond else b)
            return
        fn = self.functions.get(op)
        info = BY_MNEMONIC.get(op)
        if fn is None or info is None or info.params is None:
            raise Unsupported(op)
        if stack is None:
            return
        n = len(info.params)
        operands = stack[len(stack) - n :]
        del stack[len(stack) - n :]
        immediates = [int(x) for x in imms]
        # Several immediates (a shuffle's 16 lane indices) go in as one tuple.
        stack.append(fn(*([tuple(immediates)] if len(immediates) > 1 else immediates), *operands))


def collect_cases(path: Path, evaluator: ExpressionEvaluator) -> tuple[list[Case], int]:
    """The evaluable assertions in ``path``, and how many assertions were skipped."""
    cases: list[Case] = []
    skipped = 0
    functions: dict[str, Function | None] = {}
    for form in read_sexprs(path.read_text()):
        if not isinstance(form, list) or not form:
            continue
        head = form[0]
        if head == "module":
            functions = {}
            if any(isinstance(x, str) and x in ("binary", "quote") for x in form[1:3]):
                continue
            for item in form[1:]:
                if isinstance(item, list) and item and item[0] == "func":
                    try:
                        export, fn = _parse_func(item)
                    except Unsupported:
                        export = next(
                            (x[1].strip('"') for x in item if isinstance(x, list) and x and x[0] == "export"), None
                        )
                        fn = None
                    if export is not None:
                        functions[export] = fn if fn is not None and evaluator.supports(fn) else None
        elif head in ("assert_return", "assert_trap"):
            action = form[1]
            if not (isinstance(action, list) and action[0] == "invoke" and len(action[1:]) >= 1):
                skipped += 1
                continue
            name = action[1].strip('"')
            fn = functions.get(name)
            if fn is None:
                skipped += 1
                continue
            args = []
            for const in action[2:]:
                if const[0] == "v128.const":
                    args.append(parse_v128(const[1:]))
                else:
                    args.append(runtime_value(const[0][:-6], const[1]))
            if head == "assert_trap":
                cases.append(Case(path.name, form.line, name, fn, tuple(args), None, form[2].strip('"')))
            else:
                expected = tuple((r[0][:-6], list(r[1:])) for r in form[2:])
                if any(v not in ("i32", "i64", "f32", "f64", "v128") for v, _ in expected):
                    skipped += 1
                    continue
                cases.append(Case(path.name, form.line, name, fn, tuple(args), expected, None))
    return cases, skipped


def check(case: Case, evaluator: ExpressionEvaluator) -> str | None:
    """Run one case; None if it passes, else a description of the failure."""
    where = f"{case.file}:{case.line} {case.name}{case.args!r}"
    try:
        results = evaluator.run(case.function, case.args)
    except Trap as trap:
        if case.trap is not None and case.trap in trap.message:
            return None
        return f"{where}: unexpected trap {trap.message!r}"
    if case.trap is not None:
        return f"{where}: expected trap {case.trap!r}, got {results!r}"
    assert case.expected is not None
    if len(results) != len(case.expected):
        return f"{where}: {len(results)} results, expected {len(case.expected)}"
    for value, (valtype, tokens) in zip(results, case.expected):
        if not is_valid(valtype, value):
            return f"{where}: {value!r} is not a valid {valtype}"
        if not matches(valtype, value, tokens):
            shown = hex(f32_to_bits(value)) if valtype == "f32" else value
            shown = hex(f64_to_bits(value)) if valtype == "f64" else shown
            return f"{where}: got {shown!r} ({value!r}), expected {valtype} {' '.join(tokens)}"
    return None


def iter_failures(cases: list[Case], evaluator: ExpressionEvaluator) -> Iterator[str]:
    for case in cases:
        failure = check(case, evaluator)
        if failure is not None:
            yield failure
