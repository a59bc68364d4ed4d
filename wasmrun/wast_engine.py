"""The execution engine the WAST runner uses (:class:`wasmrun.wast.Engine`).

One :class:`ScriptEngine` per script: a store with the ``spectest`` module, a
linker for ``register``, and the conversion between the script's values
(floats as raw bits) and the engine's canonical values; and a store of its own
for each component instance (:meth:`ScriptEngine.component_store`).  Use it as the
runner's factory: ``ScriptRunner(engine_factory=ScriptEngine)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import IO, Any

from wasmrun.engine.interpreter import Interpreter
from wasmrun.engine.options import EngineOptions
from wasmrun.errors import LinkError
from wasmrun.floats import f32_from_bits, f32_to_bits, f64_from_bits, f64_to_bits
from wasmrun.module import Module
from wasmrun.runtime import gc
from wasmrun.runtime.functions import FunctionInstance
from wasmrun.runtime.globals import GlobalInstance
from wasmrun.runtime.instance import Instance
from wasmrun.runtime.linker import Linker
from wasmrun.runtime.store import Store
from wasmrun.spectest import define_spectest
from wasmrun.text.script import Value
from wasmrun.types import HEAP_ANY, HEAP_EXTERN, HEAP_I31, RefType, ValType, ValueType, as_ref


def value_from_script(value: Value) -> Any:
    """A script value (floats as bits) as the engine's canonical value."""
    if value.type is ValType.F32:
        return f32_from_bits(value.bits or 0)
    if value.type is ValType.F64:
        return f64_from_bits(value.bits or 0)
    reference = as_ref(value.type)
    if reference is not None and reference.heap == HEAP_ANY and value.bits is not None:
        return gc.Internalized(value.bits)  # ``ref.host N``: a host value inside the any hierarchy
    return value.bits  # ints; None or an int for references (``ref.extern N`` is the int N)


def value_to_script(value: Any, valtype: ValueType) -> Value:
    """A canonical value as a script value (floats as bits; a non-null funcref as bits 0)."""
    if valtype is ValType.F32:
        return Value(valtype, f32_to_bits(value))
    if valtype is ValType.F64:
        return Value(valtype, f64_to_bits(value))
    if valtype is ValType.FUNCREF:
        return Value(valtype, None if value is None else 0)
    if valtype is ValType.EXTERNREF:
        return Value(valtype, value)
    reference = as_ref(valtype)
    if reference is not None:  # a typed reference
        if value.__class__ is gc.Internalized:  # a host value inside the any hierarchy: ``ref.host N``
            return Value(RefType(False, HEAP_ANY), value.value)
        kind = gc.value_kind(value)
        if kind is not None:  # a struct, array or i31: its kind (what ``(ref.struct)`` ... match)
            return Value(RefType(False, kind), value.value if kind == HEAP_I31 else 0)
        if value.__class__ is gc.Externalized:
            return Value(valtype, 0)
        if reference.heap == HEAP_EXTERN:
            return Value(valtype, value)
        return Value(valtype, None if value is None else 0)
    return Value(valtype, int(value))


class ScriptEngine:
    """Instantiates, invokes and reads globals for one script (see the module docstring).

    The interpreter is made from ``options`` and ``settings`` as
    :class:`~wasmrun.engine.interpreter.Interpreter` takes them
    (``ScriptEngine(engine="compile")``).
    """

    def __init__(
        self,
        options: EngineOptions | None = None,
        *,
        stream: IO[str] | None = None,
        memory_cap_bytes: int | None = None,
        **settings: Any,
    ) -> None:
        interpreter = Interpreter(options, **settings)
        self.store = (
            Store(interpreter) if memory_cap_bytes is None else Store(interpreter, memory_cap_bytes=memory_cap_bytes)
        )
        self.linker = Linker(self.store)
        define_spectest(self.linker, stream)

    def instantiate(self, module: Module) -> Instance:
        return self.linker.instantiate(module)

    def component_store(self, memory_cap_bytes: int | None = None) -> Store:
        """A new store for one component instance (as in Wasmtime's harness), run by the same tier, with the
        engine's memory cap unless given another; it is released when the instance is."""
        cap = self.store.memory_cap_bytes if memory_cap_bytes is None else memory_cap_bytes
        return Store(self.store.executor, memory_cap_bytes=cap)

    def register(self, name: str, instance: object) -> None:
        if not isinstance(instance, Instance):
            raise TypeError(f"not an instance: {instance!r}")
        self.linker.define_instance(name, instance)

    def _export(self, instance: object, name: str) -> Any:
        if not isinstance(instance, Instance):
            raise TypeError(f"not an instance: {instance!r}")
        try:
            return instance.exports[name]
        except KeyError:
            raise LinkError(f"unknown export `{name}`") from None

    def invoke(self, instance: object, name: str, args: Sequence[Value]) -> list[Value]:
        function = self._export(instance, name)
        if not isinstance(function, FunctionInstance):
            raise LinkError(f"export `{name}` is not a function")
        results = function.invoke([value_from_script(arg) for arg in args])
        return [value_to_script(value, valtype) for value, valtype in zip(results, function.type.results)]

    def get(self, instance: object, name: str) -> Value:
        global_ = self._export(instance, name)
        if not isinstance(global_, GlobalInstance):
            raise LinkError(f"export `{name}` is not a global")
        return value_to_script(global_.value, global_.type.valtype)

    def close(self) -> None:
        self.store.close()
