"""Everything the harness needs from wasmrun beyond its public names, in one place.

The rest of :mod:`fuzz` imports only ``from wasmrun import ...``; when wasmrun's
packages move, this is the module to update.  What it reaches:

* the engine tiers as ``Interpreter`` options (:data:`TIERS`);
* the fuel meter an ``Interpreter(fuel=N)`` keeps (``fuel_meter``: ``budget``, ``fuel``, ``consumed``);
* the run-time value representation (``wasmrun.floats``: an f32 NaN is kept as a
  double with the payload shifted, so ``struct`` would lose signalling NaNs);
* the decoded module's records (``imports``, ``exports``, index-space types);
* instantiation with the imports given by position (``wasmrun.runtime.instance.instantiate``), charging
  the start function's call as the launcher does (``wasmrun.semantics.fuel.START_COST``);
* the trap texts of ``wasmrun.errors``;
* exception tags and exceptions (``wasmrun.runtime.tags``: the hosts make tags to import, and an exnref
  or an uncaught :class:`~wasmrun.errors.WasmException` is described by its tag and payload);
* the code generator's range claims, checked as the compiled code runs (``wasmrun.codegen.ranges.CHECKED``):
  a claim the analysis got wrong is a crash (``RangeClaimBroken``) where it is made, even when the
  results would not show it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any, cast

from fuzz.interface import Extern, Interface, Signature
from fuzz.values import EXCEPTION_DEPTH, Value, exception
from wasmrun import FunctionInstance, FuncType, Instance, Interpreter, Module, Trap, ValType
from wasmrun.codegen import ranges
from wasmrun.errors import (
    TRAP_CALL_STACK_EXHAUSTED,
    TRAP_INDIRECT_CALL_TYPE,
    TRAP_INTEGER_DIVIDE_BY_ZERO,
    TRAP_INTEGER_OVERFLOW,
    TRAP_INTERRUPT,
    TRAP_INVALID_CONVERSION,
    TRAP_MEMORY_OUT_OF_BOUNDS,
    TRAP_NULL_EXCEPTION_REFERENCE,
    TRAP_NULL_FUNCTION_REFERENCE,
    TRAP_NULL_REFERENCE,
    TRAP_OUT_OF_FUEL,
    TRAP_TABLE_OUT_OF_BOUNDS,
    TRAP_THROWN,
    TRAP_UNDEFINED_ELEMENT,
    TRAP_UNINITIALIZED_ELEMENT,
    TRAP_UNREACHABLE,
    WasmException,
)
from wasmrun.floats import f32_from_bits, f32_to_bits, f64_from_bits, f64_to_bits
from wasmrun.runtime.tags import TagInstance

TagNamer = Callable[[Any], str]
"""How a run names a tag (a :class:`TagInstance`) in a described exception: see :func:`fuzz.values.exception`."""


# The tiers every module runs under: name -> Interpreter options.
#
# The OSR tiers: under "auto" a function's counter starts at compile_threshold and is decremented by
# each call (at entry) and by each loop iteration; at zero the function is compiled, and if a loop head
# brought it there, the running call continues in compiled code from that loop (on-stack replacement).
# compile_threshold=1 would compile every function at its first entry, before any loop: no OSR ever.
# At 2 the first loop iteration of a function's first call switches to compiled code; at 50 the switch
# comes after some iterations, often in an inner loop with values on the operand stack.  The
# interpreter's runs are fused at once (hot_threshold=0) until then.
@contextlib.contextmanager
def checked_ranges() -> Iterator[None]:
    """Within: code generated checks its range claims as it runs (restored after: the switch is global)."""
    saved, ranges.CHECKED = ranges.CHECKED, True
    try:
        yield
    finally:
        ranges.CHECKED = saved


TIERS: dict[str, dict[str, Any]] = {
    "interp": {"engine": "interp"},
    "compile": {"engine": "compile"},
    "auto-osr": {"engine": "auto", "compile_threshold": 2, "hot_threshold": 0},
    "auto-osr-late": {"engine": "auto", "compile_threshold": 50, "hot_threshold": 0},
}

# The neutral trap kinds (fuzz.traps) of wasmrun's trap texts; the first matching prefix wins.
TRAP_KINDS: tuple[tuple[str, str], ...] = (
    (TRAP_UNDEFINED_ELEMENT, "table-out-of-bounds"),  # call_indirect past the table: Wasmtime's table trap
    (TRAP_UNINITIALIZED_ELEMENT, "uninitialized-element"),
    (TRAP_UNREACHABLE, "unreachable"),
    (TRAP_MEMORY_OUT_OF_BOUNDS, "memory-out-of-bounds"),
    (TRAP_TABLE_OUT_OF_BOUNDS, "table-out-of-bounds"),
    (TRAP_INDIRECT_CALL_TYPE, "indirect-call-type-mismatch"),
    (TRAP_INTEGER_DIVIDE_BY_ZERO, "integer-divide-by-zero"),
    (TRAP_INTEGER_OVERFLOW, "integer-overflow"),
    (TRAP_INVALID_CONVERSION, "invalid-conversion-to-integer"),
    (TRAP_CALL_STACK_EXHAUSTED, "call-stack-exhausted"),
    (TRAP_OUT_OF_FUEL, "out-of-fuel"),
    (TRAP_INTERRUPT, "interrupt"),
    # throw_ref of a null exnref (call_ref of a null funcref): the spec tests' texts, Wasmtime's one
    # NULL_REFERENCE trap code ("null reference")
    (TRAP_NULL_EXCEPTION_REFERENCE, "null-reference"),
    (TRAP_NULL_FUNCTION_REFERENCE, "null-reference"),
    (TRAP_NULL_REFERENCE, "null-reference"),
    (TRAP_THROWN, "thrown-exception"),  # an exception no try_table caught (its tag and payload: :func:`thrown`)
)


def make_interpreter(tier: str, fuel: int, options: dict[str, Any] | None = None) -> Interpreter:
    return Interpreter(fuel=fuel, **TIERS[tier], **(options or {}))


def instantiate(store: Any, module: Module, externs: list[Any], interpreter: Interpreter) -> Instance:
    """Instantiate with one extern per import, in import order (``Linker`` resolves by name, and smith
    modules may import two different things under one name; Wasmtime's ``Instance`` takes them by position).

    Wasmtime calls a start function through a wrapper that costs fuel: the run of a program
    (``wasmrun.launch.instantiate``) charges it, an embedding's instantiation does not, so this does."""
    from wasmrun.runtime.instance import instantiate as instantiate_positionally
    from wasmrun.semantics.fuel import START_COST

    meter = interpreter.fuel_meter

    def before_start(instance: Instance) -> None:
        if meter is not None and module.start is not None:
            checked, call = START_COST
            meter.use(checked)
            meter.fuel -= call

    return instantiate_positionally(store, module, externs, before_start)


def set_fuel(interpreter: Interpreter, fuel: int) -> None:
    meter = interpreter.fuel_meter
    assert meter is not None, "the interpreter was made without fuel"
    meter.budget = meter.fuel = fuel


def fuel_consumed(interpreter: Interpreter) -> int:
    meter = interpreter.fuel_meter
    assert meter is not None, "the interpreter was made without fuel"
    return int(meter.consumed)


def trap_kind(trap: Trap) -> str:
    for text, kind in TRAP_KINDS:
        if trap.message.startswith(text):
            return kind
    return f"other: {trap.message}"


def to_wasmrun(value: Value, valtype: str) -> Any:
    """A neutral value (:mod:`fuzz.values`) in wasmrun's run-time representation."""
    if isinstance(value, str):
        if value != "null":
            raise ValueError(f"only null references can be passed in, not {value!r}")
        return None
    if valtype == "f32":
        return f32_from_bits(value)
    if valtype == "f64":
        return f64_from_bits(value)
    return value


def from_wasmrun(value: Any, valtype: str, tag_name: TagNamer | None = None, depth: int = 0) -> Value:
    """A wasmrun run-time value as a neutral value (an exnref's tag named by ``tag_name``)."""
    if valtype == "funcref":
        return "null" if value is None else "func"
    if valtype == "externref":
        return "null" if value is None else "extern"
    if valtype == "exnref":
        if value is None:
            return "null"
        tag = tag_name(value.tag) if tag_name is not None else "tag ?"
        if depth >= EXCEPTION_DEPTH:
            return exception(tag, None)
        params = tuple(valtype.text for valtype in value.tag.type.params)
        return exception(tag, tuple(from_wasmrun(v, t, tag_name, depth + 1) for v, t in zip(value.payload, params)))
    if valtype == "f32":
        return f32_to_bits(value)
    if valtype == "f64":
        return f64_to_bits(value)
    return int(value)  # i32 results may be bools


def thrown(trap: Trap, tag_name: TagNamer) -> str:
    """The exception an uncaught :class:`WasmException` carries, described; "" for any other trap."""
    return str(from_wasmrun(trap.exception, "exnref", tag_name)) if isinstance(trap, WasmException) else ""


def make_tag(signature: Signature) -> TagInstance:
    """A host tag whose payload has the parameters of ``signature`` (to import)."""
    return TagInstance(FuncType(tuple(VALTYPES[t] for t in signature.params), ()))


def is_tag(extern: Any) -> bool:
    return isinstance(extern, TagInstance)


def is_wasm_function(extern: Any) -> bool:
    return isinstance(extern, FunctionInstance)


def _signature(function_type: Any) -> Signature:
    return Signature(
        tuple(valtype.text for valtype in function_type.params),
        tuple(valtype.text for valtype in function_type.results),
    )


def _extern(module_name: str, name: str, kind: str, extern_type: Any) -> Extern:
    if kind == "func":
        return Extern(module_name, name, kind, signature=_signature(extern_type))
    if kind == "global":
        return Extern(module_name, name, kind, valtype=extern_type.valtype.text, mutable=extern_type.mutable)
    if kind == "tag":  # its type: the function type of its payload
        return Extern(module_name, name, kind, signature=_signature(extern_type))
    limits = extern_type.limits
    element = extern_type.element.text if kind == "table" else ""
    return Extern(
        module_name, name, kind, minimum=limits.min, maximum=limits.max, valtype=element, address64=limits.address64
    )


def interface_of(module: Module) -> Interface:
    imports = []
    for imported in module.imports:
        kind = imported.kind.text
        desc: Any
        if kind == "func":
            desc = module.types[cast(int, imported.desc)]
        elif kind == "tag":
            desc = module.types[cast(Any, imported.desc).type_index]
        else:
            desc = imported.desc
        imports.append(_extern(imported.module, imported.name, kind, desc))
    spaces = {
        "func": lambda index: module.func_type(index),
        "table": lambda index: module.table_types[index],
        "memory": lambda index: module.memory_types[index],
        "global": lambda index: module.global_types[index],
        "tag": lambda index: module.tag_type(index),
    }
    exports = [
        _extern("", export.name, export.kind.text, spaces[export.kind.text](export.index)) for export in module.exports
    ]
    return Interface(tuple(imports), tuple(exports))


VALTYPES = {valtype.text: valtype for valtype in ValType}
