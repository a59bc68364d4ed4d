"""The core function types of the ``canon`` built-ins of the async, error-context and threading proposals.

One place for the validator (what a core module importing a built-in must declare) and the runtime
(the type of the host function it makes): Explainer.md, "Canonical ABI signature" of each.  A table
for the built-ins whose type depends on their memory at most; functions for ``context.get``/``set``
(their slot type) and ``task.return`` (its result type).  ``thread.new-indirect``'s depends on its
table and is the runtime's alone (the validator does not check it).
"""

from __future__ import annotations

from wasmrun.component.flattening import CoreSignature, flatten_functype
from wasmrun.component.types import FuncType, ValueType
from wasmrun.types import FuncType as CoreFuncType
from wasmrun.types import ValType

_I32, _I64 = ValType.I32, ValType.I64

# The core types of the built-ins of the async, error-context and threading proposals that take no
# pointer (Explainer.md, "Canonical ABI signature" of each).
_BUILTIN_TYPES: dict[str, CoreFuncType] = {
    "backpressure.inc": CoreFuncType((), ()),
    "backpressure.dec": CoreFuncType((), ()),
    "task.cancel": CoreFuncType((), ()),
    "subtask.cancel": CoreFuncType((_I32,), (_I32,)),
    "subtask.drop": CoreFuncType((_I32,), ()),
    "stream.new": CoreFuncType((), (_I64,)),
    "future.new": CoreFuncType((), (_I64,)),
    "stream.cancel-read": CoreFuncType((_I32,), (_I32,)),
    "stream.cancel-write": CoreFuncType((_I32,), (_I32,)),
    "future.cancel-read": CoreFuncType((_I32,), (_I32,)),
    "future.cancel-write": CoreFuncType((_I32,), (_I32,)),
    "stream.drop-readable": CoreFuncType((_I32,), ()),
    "stream.drop-writable": CoreFuncType((_I32,), ()),
    "future.drop-readable": CoreFuncType((_I32,), ()),
    "future.drop-writable": CoreFuncType((_I32,), ()),
    "error-context.drop": CoreFuncType((_I32,), ()),
    "waitable-set.new": CoreFuncType((), (_I32,)),
    "waitable-set.drop": CoreFuncType((_I32,), ()),
    "waitable.join": CoreFuncType((_I32, _I32), ()),
    "thread.index": CoreFuncType((), (_I32,)),
    "thread.resume-later": CoreFuncType((_I32,), ()),
    "thread.suspend": CoreFuncType((), (_I32,)),
    "thread.yield": CoreFuncType((), (_I32,)),
    "thread.suspend-then-resume": CoreFuncType((_I32,), (_I32,)),
    "thread.yield-then-resume": CoreFuncType((_I32,), (_I32,)),
    "thread.suspend-then-promote": CoreFuncType((_I32,), (_I32,)),
    "thread.yield-then-promote": CoreFuncType((_I32,), (_I32,)),
}

# The built-ins taking pointers into a memory (``memory.addrtype``: i64 for a 64-bit memory):
# their parameters and results, ``P`` for a pointer.
_POINTER_BUILTINS: dict[str, tuple[str, str]] = {
    "waitable-set.wait": ("iP", "i"),
    "waitable-set.poll": ("iP", "i"),
    "stream.read": ("iPP", "P"),
    "stream.write": ("iPP", "P"),
    "future.read": ("iP", "i"),
    "future.write": ("iP", "i"),
    "error-context.new": ("PP", "i"),
    "error-context.debug-message": ("iP", ""),
}


def builtin_core_type(name: str, ptr64: bool = False) -> CoreFuncType | None:
    """The core type of built-in ``name`` whose pointers (if any) are i64 when ``ptr64``; None when it
    depends on more than that."""
    known = _BUILTIN_TYPES.get(name)
    if known is not None:
        return known
    shape = _POINTER_BUILTINS.get(name)
    if shape is None:
        return None
    letters = {"i": _I32, "P": _I64 if ptr64 else _I32}
    params, results = shape
    return CoreFuncType(tuple(letters[c] for c in params), tuple(letters[c] for c in results))


def context_slot_type(valtype: object) -> ValType:
    """The type of a ``context.get``/``set`` slot: i64 when its immediate says so, else i32."""
    return _I64 if valtype is ValType.I64 else _I32


def context_core_type(name: str, slot_type: ValType) -> CoreFuncType:
    """``context.get`` (``[] -> [t]``) or ``context.set`` (``[t] -> []``) of a slot of ``slot_type``."""
    return CoreFuncType((), (slot_type,)) if name == "context.get" else CoreFuncType((slot_type,), ())


def task_return_signature(result: ValueType | None, ptr64: bool) -> CoreSignature:
    """``task.return``'s core signature: the result passed as a lowering's parameters would be
    (UnsupportedInstruction for a type whose canonical ABI is not supported)."""
    params = () if result is None else (("v", result),)
    return flatten_functype(FuncType(params, None), "lower", ptr64)
