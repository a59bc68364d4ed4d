"""Handler factories, generated from the superinstruction families on first use.

A key ``(family, op, shape)`` (see :mod:`wasmrun.interp.translate`) names one
factory: ``factory(ctx, meter, *args, nxt)`` (``ctx`` the instance, ``meter`` the run's
:class:`~wasmrun.engine.meters.FuelMeter` or None) returns the handler,
``handler(R) -> next pc``, holding the values it uses (see :func:`bound_names`): a bound method of the
key's one handler function over their tuple, or, for a fused run, a function with them as defaults.  Its
source comes from the family's template (:data:`wasmrun.interp.fusion.
FAMILIES`): ``{E}`` becomes the instruction's expression (a
:data:`~wasmrun.semantics.numeric.NUMERIC_TEMPLATES` template, or a call of its
numeric or SIMD function over the sources, see :mod:`wasmrun.interp.
simd_handlers`), each source ``{x}`` becomes ``R[x]`` (shape ``r``; read
once into a local if the body uses it more than once) or the bound constant
(shape ``c``; a signed view of a constant is computed once, in the factory).

Factories are compiled lazily, one ``exec`` per key (some 0.1 ms), and cached
for the life of the process: a program uses a few hundred keys of the
thousands possible.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Callable, Mapping
from types import CodeType, MethodType
from typing import Any

from wasmrun import errors
from wasmrun.errors import TRAP_MEMORY_OUT_OF_BOUNDS, Trap, WasmException
from wasmrun.interp.fusion import EXTRA_EXPRESSIONS, FAMILIES, key_may_trap
from wasmrun.runtime.functions import TailCall, resolve_indirect, tail_callee
from wasmrun.runtime.tags import ExceptionInstance
from wasmrun.semantics import numeric
from wasmrun.semantics.access import LOADS, STORES, STRUCT_NAMES
from wasmrun.semantics.atomics import ATOMIC_FUNCTIONS
from wasmrun.semantics.gc import GC_FUNCTIONS

Key = tuple[str, Any, str]
Factory = Callable[..., Callable[[list[Any]], int]]


def check_bounds(memory: Any, address: int, width: int) -> None:
    """Raise the out-of-bounds trap if ``[address, address + width)`` is outside ``memory``."""
    if address + width > len(memory.view):
        raise Trap(TRAP_MEMORY_OUT_OF_BOUNDS) from None


_NAMESPACE: dict[str, Any] = {
    **{mnemonic.replace(".", "_"): function for mnemonic, function in numeric.NUMERIC_FUNCTIONS.items()},
    **numeric.TEMPLATE_GLOBALS,
    **{name: getattr(errors, name) for name in dir(errors) if name.startswith("TRAP_")},
    "Trap": Trap,
    "WasmException": WasmException,
    "ExceptionInstance": ExceptionInstance,
    **ATOMIC_FUNCTIONS,
    **GC_FUNCTIONS,
    "check_bounds": check_bounds,
    "resolve_indirect": resolve_indirect,
    "TailCall": TailCall,
    "MethodType": MethodType,
    "tail_callee": tail_callee,
    "f32_from_bits": numeric.f32_from_bits,
    "f32_to_bits": numeric.f32_to_bits,
    # An address of a 64-bit memory may be past what a C ssize_t holds: OverflowError or IndexError.
    "STRUCT_ERROR": (struct.error, OverflowError, IndexError),
}
for _format, _name in STRUCT_NAMES.items():
    _NAMESPACE[f"{_name}_UNPACK"] = struct.Struct(_format).unpack_from
    _NAMESPACE[f"{_name}_PACK"] = struct.Struct(_format).pack_into

# The signed views the numeric templates write (see numeric.NUMERIC_TEMPLATES), with ``{x}`` for the operand.
_SIGNED_VIEWS = (
    ("s32", "({x} - 4294967296 if {x} > 2147483647 else {x})"),
    ("s64", "({x} - 18446744073709551616 if {x} > 9223372036854775807 else {x})"),
)

_FACTORIES: dict[Key, Factory] = {}


def factory(key: Key) -> Factory:
    """The factory for ``key`` (compiled on first use)."""
    made = _FACTORIES.get(key)
    if made is None:
        made = _FACTORIES[key] = _compile(key)
    return made


def expression(op: str, names: tuple[str, ...]) -> str:
    """The expression of instruction ``op`` over the sources ``names`` (as ``{name}`` tokens)."""
    template = numeric.NUMERIC_TEMPLATES.get(op) or EXTRA_EXPRESSIONS.get(op)
    if template is None:
        # A call of the instruction's function over the sources (a SIMD immediate is the first).
        return op.replace(".", "_") + "(" + ", ".join("{" + name + "}" for name in names) + ")"
    template = template.replace("{a}", "{" + names[0] + "}")
    if len(names) > 1:
        template = template.replace("{b}", "{" + names[1] + "}")
    return template


def _component(key: Key, suffix: str) -> tuple[list[str], list[str], list[str], bool]:
    """One family's part of a factory: ``(params, prologue lines, handler lines, falls through)``.

    With a ``suffix``, every name of the family's own (arguments, prologue
    names) gets it, so that several components can share one closure.
    """
    family_name, op, shape = key
    family = FAMILIES[family_name]
    body = family.body
    if "{E}" in body:
        if op is None:
            raise ValueError(f"family {family_name} needs an instruction")
        body = body.replace("{E}", expression(op, family.sources))
    if "{OP}" in body:  # an atomic access: its function (wasmrun.semantics.atomics)
        assert op is not None
        body = body.replace("{OP}", op.replace(".", "_"))
    if family_name in ("load", "store"):
        assert op is not None
        access, convert = (LOADS if family_name == "load" else STORES)[op]
        if access == "byte":
            width, error = 1, "IndexError"
            text = "mem.view[ea]" if family_name == "load" else "mem.view[ea] = v"
        else:
            width, error = struct.calcsize(access), "STRUCT_ERROR"
            name = STRUCT_NAMES[access]
            text = f"{name}_UNPACK(mem.view, ea)[0]" if family_name == "load" else f"{name}_PACK(mem.view, ea, v)"
        body = (
            body.replace("{ACCESS}", text)
            .replace("{ERROR}", error)
            .replace("{WIDTH}", str(width))
            .replace("{CONVERT}", convert)
        )
    if len(shape) != len(family.sources):
        raise ValueError(f"shape {shape!r} does not fit the sources {family.sources} of {family_name}")

    prologue = [f"{name} = ctx.{attribute}[{name}]" for name, attribute in family.objects.items()]
    prologue += [line for line in family.prologue.splitlines() if line]
    prelude = []
    for name, kind in zip(family.sources, shape):
        token = "{" + name + "}"
        if kind == "r":
            if body.count(token) > 1:
                prelude.append(f"{name}_ = R[{name}]")
                body = body.replace(token, f"{name}_")
            else:
                body = body.replace(token, f"R[{name}]")
        elif kind == "c":
            for view_suffix, view in _SIGNED_VIEWS:
                text = view.replace("{x}", token)
                if text in body:
                    prologue.append(f"{name}_{view_suffix} = {view.replace('{x}', name)}")
                    body = body.replace(text, f"{name}_{view_suffix}")
            body = body.replace(token, name)
        else:
            raise ValueError(f"bad shape {shape!r}")
    lines = prelude + body.splitlines()
    params = list(family.args)
    own = set(params) | {line.split("=")[0].strip() for line in prologue}
    if suffix and own:
        # A name, not an attribute (``ctx.datas`` keeps its ``datas``).
        pattern = re.compile(r"(?<![.\w])(" + "|".join(sorted(own, key=len, reverse=True)) + r")\b")

        def rename(text: str) -> str:
            return pattern.sub(lambda match: match.group(1) + suffix, text)

        params = [name + suffix for name in params]
        prologue = [rename(line) for line in prologue]
        lines = [rename(line) for line in lines]
    return params, prologue, lines, family.falls_through


def source(key: Key) -> str:
    """The Python source of the factory for ``key``."""
    if key[0] == "run":
        components = key[1]
        params = ["ctx", "meter", "offsets"]
        prologue: list[str] = []
        lines: list[str] = []
        # Members that may trap, after the first, record their own offset (see fusion, item 5): the
        # run's offset (its first member's) would name the wrong instruction.
        wrap = [position > 0 and key_may_trap(component) for position, component in enumerate(components)]
        for position, component in enumerate(components):
            suffix = f"_{position}"
            own_params, own_prologue, own_lines, falls_through = _component(component, suffix)
            params += own_params
            prologue += own_prologue
            if position < len(components) - 1 and not falls_through:
                raise ValueError(f"{component} ends control flow: it can only end a run")
            if wrap[position]:
                prologue.append(f"at{suffix} = offsets[{position}]")
                own_lines = [
                    "try:",
                    *[f"    {line}" for line in own_lines],
                    "except Trap as trap:",
                    f"    trap.at = at{suffix}",
                    "    raise",
                ]
            lines += own_lines
        name = "run"
    else:
        own_params, prologue, lines, _falls = _component(key, "")
        params = ["ctx", "meter", *own_params]
        name = "_".join(part for part in (key[0], key[1] or "", key[2]) if part).replace(".", "_")
    last = lines[-1] if lines else ""  # an unindented last line: the body's own last statement
    if not (last.startswith("return") or last.startswith("raise")):
        lines.append("return nxt")
    params.append("nxt")
    names = bound_names(params, prologue, lines)
    if key[0] == "run":
        # A fused run (hot code): a function of its own, what it uses its defaults.
        out = [f"def make({', '.join(params)}):"]
        out += [f"    {line}" for line in prologue]
        out.append(f"    def {name}({', '.join(['R', *(f'{used}={used}' for used in names)])}):")
        out += [f"        {line}" for line in lines]
        out.append(f"    return {name}")
        return "\n".join(out) + "\n"
    # One handler per instruction a program runs, most of them a few times: one function shared by all
    # of them, each handler a bound method of it over the tuple of what it uses (140 bytes, against 230
    # for a function of its own).
    out = [f"def {name}(B, R):"]
    if names:
        out.append(f"    {', '.join(names)}, = B")
    out += [f"    {line}" for line in lines]
    out.append(f"def make({', '.join(params)}, _method=MethodType, _handler={name}):")
    out += [f"    {line}" for line in prologue]
    out.append(f"    return _method(_handler, ({''.join(f'{used}, ' for used in names)}))")
    return "\n".join(out) + "\n"


def bound_names(params: list[str], prologue: list[str], lines: list[str]) -> list[str]:
    """The factory's names the handler uses: bound as values, not cells.

    A value costs the handler a pointer (in its tuple, or its defaults); a free variable a cell too (40
    more bytes, and a program binds a handler per instruction it runs), and reading it is no faster.
    """
    names = [*params, *(line.split("=")[0].strip() for line in prologue)]
    text = "\n".join(lines)
    return [name for name in dict.fromkeys(names) if re.search(rf"(?<![.\w]){name}\b", text)]


def _compile(key: Key) -> Factory:
    code = _CODES.get(key)
    if code is None:
        code = _CODES[key] = compile(source(key), f"<wasmrun handler {key}>", "exec")
    if not _SIMD_LOADED and _names_simd(code):
        _load_simd()
    scope: dict[str, Any] = {}
    exec(code, _NAMESPACE, scope)
    made: Factory = scope["make"]
    return made


# The code objects of the factories, by key: compiled here, or given by the code cache (which keeps them
# across runs: compiling a factory's source is most of its cost).
_CODES: dict[Key, CodeType] = {}


def factory_codes() -> dict[Key, CodeType]:
    """The code object of every factory compiled (or provided) so far, by key."""
    return dict(_CODES)


def provide_factory_codes(codes: Mapping[Key, CodeType]) -> None:
    """Code objects to make factories from instead of compiling their sources (what :func:`factory_codes`
    gave, in an earlier run of the same wasmrun and Python)."""
    for key, code in codes.items():
        _CODES.setdefault(key, code)


def _names_simd(code: CodeType) -> bool:
    """Whether ``code`` (or a function defined in it) names a SIMD function."""
    return any(SIMD_NAME.match(name) for name in code.co_names) or any(
        _names_simd(constant) for constant in code.co_consts if isinstance(constant, CodeType)
    )


# The SIMD functions join the namespace with the first handler that needs them: most programs have none,
# and importing them costs start-up time.
# Every name simd_handlers.NAMESPACE defines starts so (tests/unit/test_simd.py holds it).
SIMD_NAME = re.compile(r"\b(v128|i8x16|i16x8|i32x4|i64x2|f32x4|f64x2|V128)")
_SIMD_LOADED = False


def _load_simd() -> None:
    global _SIMD_LOADED
    from wasmrun.interp import simd_handlers

    _NAMESPACE.update(simd_handlers.NAMESPACE)
    _SIMD_LOADED = True
