"""Module instances and instantiation (spec 4.5.4), in the spec's order.

:func:`instantiate` takes a validated module and one extern per import:

1. check each extern against its import (``incompatible import type``, a
   :class:`LinkError`; extern subtyping on limits, equality elsewhere);
2. allocate the module's functions, tables, memories, then its globals (each
   initialiser evaluated in turn: ``global.get`` of an import, ``ref.func``);
3. build the exports;
4. run the active element segments (``table.init`` semantics, then drop; a
   declarative segment is only dropped), then the active data segments
   (``memory.init``, then drop);
5. call the start function.

A trap in step 4 or 5 propagates as :class:`Trap`, and the writes made before
it stay (2.0 semantics: segments are not checked up front), which shared
tables and memories make visible to other instances.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, cast

from wasmrun.deftypes import DefinedType, canonical_valtype, value_matches
from wasmrun.errors import LinkError
from wasmrun.floats import f32_from_bits, f64_from_bits
from wasmrun.instructions import OPCODES
from wasmrun.module import ConstExpr, Module, SegmentMode
from wasmrun.runtime import gc
from wasmrun.runtime.functions import CallerHostFunction, FunctionInstance, WasmFunction
from wasmrun.runtime.globals import GlobalInstance
from wasmrun.runtime.memory import MemoryInstance
from wasmrun.runtime.table import TableInstance
from wasmrun.runtime.tags import TagInstance
from wasmrun.types import (
    ExternKind,
    ExternType,
    FuncType,
    GlobalType,
    Limits,
    MemoryType,
    RefType,
    TableType,
    TagType,
)

if TYPE_CHECKING:
    from wasmrun.runtime.store import Store

Extern = Any
"""A FunctionInstance, TableInstance, MemoryInstance, GlobalInstance or TagInstance."""


class Instance:
    """A module instance: the module's index spaces resolved to the store's objects.

    ``datas`` and ``elements`` hold each segment's contents until it is
    dropped (then ``b""`` / ``()``): ``memory.init`` and ``table.init`` read
    them, ``data.drop`` and ``elem.drop`` write them.
    """

    def __init__(self, module: Module, store: Store) -> None:
        self.module = module
        self.store = store
        # Canonical (see wasmrun.deftypes): the same objects for equal types of any module.
        self.types: list[DefinedType] = module.canonical_types()
        self.functions: list[FunctionInstance] = []
        self.tables: list[TableInstance] = []
        self.memories: list[MemoryInstance] = []
        self.globals: list[GlobalInstance] = []
        self.tags: list[TagInstance] = []
        self.exports: dict[str, Extern] = {}
        self.datas: list[bytes] = [segment.data for segment in module.datas]
        self.elements: list[Sequence[Any]] = []
        # The compiled tier's globals for this instance's code (wasmrun.codegen.compiled), made on first use.
        self.namespace: dict[str, Any] | None = None

    def __repr__(self) -> str:
        name = self.module.names.module
        return f"<Instance {name or ''} exports={list(self.exports)}>"

    @property
    def memory(self) -> MemoryInstance | None:
        """The memory exported as ``memory``, or else the first memory, if any (for embedders)."""
        exported = self.exports.get("memory")
        if isinstance(exported, MemoryInstance):
            return exported
        return self.memories[0] if self.memories else None


# --- extern types and matching (spec 4.5.2 "import matching") -------------------------------------


def extern_kind(extern: Extern) -> ExternKind:
    if isinstance(extern, FunctionInstance):
        return ExternKind.FUNC
    if isinstance(extern, TableInstance):
        return ExternKind.TABLE
    if isinstance(extern, MemoryInstance):
        return ExternKind.MEMORY
    if isinstance(extern, GlobalInstance):
        return ExternKind.GLOBAL
    if isinstance(extern, TagInstance):
        return ExternKind.TAG
    raise TypeError(f"not an extern: {extern!r}")


def extern_type(extern: Extern) -> ExternType:
    """The extern's current type: a table's or memory's minimum is its current size."""
    kind = extern_kind(extern)
    if kind is ExternKind.FUNC or kind is ExternKind.TAG:
        return extern.type  # a tag's: the function type of its payload
    if kind is ExternKind.TABLE:
        table_type: TableType = extern.type
        return TableType(
            table_type.element, Limits(len(extern.elements), table_type.limits.max, table_type.limits.address64)
        )
    if kind is ExternKind.MEMORY:
        memory_type: MemoryType = extern.type
        return MemoryType(
            Limits(extern.pages, memory_type.limits.max, memory_type.limits.address64),
            memory_type.page_size_log2,
            memory_type.shared,
        )
    return extern.type


def _limits_match(actual: Limits, expected: Limits) -> bool:
    if actual.address64 != expected.address64:
        return False
    if actual.min < expected.min:
        return False
    if expected.max is None:
        return True
    return actual.max is not None and actual.max <= expected.max


def extern_matches(actual: ExternType, expected: ExternType) -> bool:
    """Whether an extern of type ``actual`` can be imported as ``expected`` (both canonical types)."""
    if isinstance(expected, DefinedType):
        # A function's type: canonical identities; a function may be of a subtype (a tag may not: see
        # check_imports).
        return isinstance(actual, DefinedType) and actual.is_subtype_of(expected)
    if isinstance(expected, FuncType):
        return isinstance(actual, FuncType) and actual == expected
    if isinstance(expected, TableType):
        return (
            isinstance(actual, TableType)
            and actual.element == expected.element
            and _limits_match(actual.limits, expected.limits)
        )
    if isinstance(expected, MemoryType):
        return (
            isinstance(actual, MemoryType)
            and actual.page_size_log2 == expected.page_size_log2
            and actual.shared == expected.shared
            and _limits_match(actual.limits, expected.limits)
        )
    if not isinstance(actual, GlobalType) or not isinstance(expected, GlobalType):
        return False
    if actual == expected:
        return True
    # An immutable global's type may be a subtype (typed references).
    return not actual.mutable and not expected.mutable and value_matches(actual.valtype, expected.valtype)


def canonical_extern_type(extern_type: ExternType, canonical: Sequence[DefinedType]) -> ExternType:
    """A table's or global's type with the type index of a typed reference replaced by the type itself."""
    if isinstance(extern_type, TableType) and extern_type.element.__class__ is RefType:
        return TableType(canonical_valtype(extern_type.element, canonical), extern_type.limits)
    if isinstance(extern_type, GlobalType) and extern_type.valtype.__class__ is RefType:
        return GlobalType(canonical_valtype(extern_type.valtype, canonical), extern_type.mutable)
    return extern_type


def describe_extern_type(extern_type: ExternType) -> str:
    if isinstance(extern_type, (FuncType, DefinedType)):
        return f"func {extern_type}"
    if isinstance(extern_type, GlobalType):
        return f"global {'mut ' if extern_type.mutable else ''}{extern_type.valtype.text}"
    if isinstance(extern_type, TagType):
        return f"tag {extern_type.type_index}"
    limits = extern_type.limits
    bounds = f"{limits.min}" if limits.max is None else f"{limits.min}..{limits.max}"
    if limits.address64:
        bounds = f"i64 {bounds}"
    if isinstance(extern_type, TableType):
        return f"table {bounds} {extern_type.element.text}"
    return f"memory {bounds}"


def import_type(module: Module, index: int, canonical: Sequence[DefinedType] | None = None) -> Any:
    """The type of import ``index`` (a tag's: the function type of its payload); with ``canonical`` (the
    module's canonical types), canonical."""
    desc = module.imports[index].desc
    if isinstance(desc, TagType):
        return (canonical if canonical is not None else module.types)[desc.type_index]
    if canonical is None:
        return module.types[desc] if isinstance(desc, int) else desc
    return canonical[desc] if isinstance(desc, int) else canonical_extern_type(desc, canonical)


def check_imports(module: Module, externs: Sequence[Extern]) -> None:
    """LinkError unless there is one extern per import, each of a matching type."""
    if len(externs) != len(module.imports):
        raise LinkError(f"expected {len(module.imports)} imports, got {len(externs)}")
    canonical = module.canonical_types()
    for index, (imported, extern) in enumerate(zip(module.imports, externs)):
        expected = import_type(module, index, canonical)
        name = f"`{imported.module}::{imported.name}`"
        try:
            kind = extern_kind(extern)
        except TypeError:
            raise LinkError(f"incompatible import type for {name}: {extern!r} is not an extern") from None
        if kind is not imported.kind:
            raise LinkError(f"incompatible import type for {name}: expected {imported.kind.text}, found {kind.text}")
        actual = extern_type(extern)
        # A tag matches only its own type (the spec: each type matches the other), not a subtype.
        matched = actual is expected if kind is ExternKind.TAG else extern_matches(actual, expected)
        if not matched:
            raise LinkError(
                f"incompatible import type for {name}: expected {describe_extern_type(expected)}, "
                f"found {describe_extern_type(actual)}"
            )


# --- constant expressions -------------------------------------------------------------------------

_EXTENDED_CONST = {
    "i32.add": lambda a, b: (a + b) & 0xFFFFFFFF,
    "i32.sub": lambda a, b: (a - b) & 0xFFFFFFFF,
    "i32.mul": lambda a, b: (a * b) & 0xFFFFFFFF,
    "i64.add": lambda a, b: (a + b) & 0xFFFFFFFFFFFFFFFF,
    "i64.sub": lambda a, b: (a - b) & 0xFFFFFFFFFFFFFFFF,
    "i64.mul": lambda a, b: (a * b) & 0xFFFFFFFFFFFFFFFF,
}


def _struct_new(stack: list[Any], type_index: int, instance: Instance) -> None:
    defined = instance.types[type_index]
    count = len(defined.composite.fields)
    values = stack[len(stack) - count :]
    del stack[len(stack) - count :]
    stack.append(gc.struct_new(defined, values))


def _array_new(stack: list[Any], type_index: int, instance: Instance) -> None:
    length = stack.pop()
    stack.append(gc.array_new(instance.types[type_index], stack.pop(), length))


def _array_new_fixed(stack: list[Any], immediate: tuple[int, int], instance: Instance) -> None:
    type_index, count = immediate
    values = stack[len(stack) - count :]
    del stack[len(stack) - count :]
    stack.append(gc.array_new_fixed(instance.types[type_index], values))


_GC_CONSTANT: dict[str, Callable[[list[Any], Any, Instance], None]] = {
    "struct.new": _struct_new,
    "struct.new_default": lambda stack, t, instance: stack.append(gc.struct_new_default(instance.types[t])),
    "array.new": _array_new,
    "array.new_default": lambda stack, t, instance: stack.append(gc.array_new_default(instance.types[t], stack.pop())),
    "array.new_fixed": _array_new_fixed,
    "ref.i31": lambda stack, _immediate, _instance: stack.append(gc.I31(stack.pop())),
    "any.convert_extern": lambda stack, _immediate, _instance: stack.append(gc.any_convert_extern(stack.pop())),
    "extern.convert_any": lambda stack, _immediate, _instance: stack.append(gc.extern_convert_any(stack.pop())),
}
"""The constant GC instructions, each over the constant expression's stack."""


def evaluate_const(expr: ConstExpr, instance: Instance) -> Any:
    """The value of a (validated) constant expression in ``instance``."""
    stack: list[Any] = []
    for opcode, immediate, _offset in expr.instructions:
        mnemonic = OPCODES[opcode].mnemonic
        if mnemonic in ("i32.const", "i64.const", "v128.const"):
            stack.append(immediate)
        elif mnemonic == "f32.const":
            stack.append(f32_from_bits(immediate))
        elif mnemonic == "f64.const":
            stack.append(f64_from_bits(immediate))
        elif mnemonic == "ref.null":
            stack.append(None)
        elif mnemonic == "ref.func":
            stack.append(instance.functions[immediate])
        elif mnemonic == "global.get":
            stack.append(instance.globals[immediate].value)
        elif mnemonic in _EXTENDED_CONST:
            right = stack.pop()
            stack.append(_EXTENDED_CONST[mnemonic](stack.pop(), right))
        elif mnemonic in _GC_CONSTANT:
            _GC_CONSTANT[mnemonic](stack, immediate, instance)
        else:
            raise ValueError(f"{mnemonic} is not a constant instruction")  # validation excludes this
    return stack[-1]


# --- instantiation --------------------------------------------------------------------------------


def instantiate(
    store: Store,
    module: Module,
    externs: Sequence[Extern],
    before_start: Callable[[Instance], None] | None = None,
) -> Instance:
    """Instantiate a validated ``module`` with one extern per import (in import order).

    ``before_start`` sees the instance once its exports exist and its segments are
    applied, before the start function runs: a host (WASI) that reaches guest
    memory through the exports must be able to serve calls from the start function.
    """
    previous = gc.activate(store.gc_heap)  # constant expressions and the start function allocate in its heap
    try:
        return _instantiate(store, module, externs, before_start)
    finally:
        gc.activate(previous)


def _instantiate(
    store: Store,
    module: Module,
    externs: Sequence[Extern],
    before_start: Callable[[Instance], None] | None,
) -> Instance:
    check_imports(module, externs)
    store.admit(len(module.tables), len(module.memories))
    instance = Instance(module, store)
    for imported, extern in zip(module.imports, externs):
        kind = imported.kind
        if kind is ExternKind.FUNC:
            # A host function that takes its caller gets one bound to this instance (its calls from here).
            instance.functions.append(
                extern.bind_caller(instance) if extern.__class__ is CallerHostFunction else extern
            )
        elif kind is ExternKind.TABLE:
            instance.tables.append(extern)
        elif kind is ExternKind.MEMORY:
            instance.memories.append(extern)
        elif kind is ExternKind.TAG:
            instance.tags.append(extern)
        else:
            instance.globals.append(extern)

    first_defined = len(instance.functions)
    for position, type_index in enumerate(module.functions):
        function = WasmFunction(instance.types[type_index], instance, first_defined + position)
        instance.functions.append(function)
        store.functions.append(function)
    canonical = instance.types
    table_inits = module.table_inits or (None,) * len(module.tables)
    for table_type, table_init in zip(module.tables, table_inits):
        value = None if table_init is None else evaluate_const(table_init, instance)
        canonical_table = cast(TableType, canonical_extern_type(table_type, canonical))
        instance.tables.append(store.allocate_table(canonical_table, value))
    for memory_type in module.memories:
        instance.memories.append(store.allocate_memory(memory_type))
    for type_index in module.tags:
        instance.tags.append(TagInstance(instance.types[type_index]))
    for global_ in module.globals:
        global_type = cast(GlobalType, canonical_extern_type(global_.type, canonical))
        instance.globals.append(store.allocate_global(global_type, evaluate_const(global_.init, instance)))

    spaces: dict[ExternKind, list[Any]] = {
        ExternKind.FUNC: instance.functions,
        ExternKind.TABLE: instance.tables,
        ExternKind.MEMORY: instance.memories,
        ExternKind.GLOBAL: instance.globals,
        ExternKind.TAG: instance.tags,
    }
    for export in module.exports:
        instance.exports[export.name] = spaces[export.kind][export.index]
    store.instances.append(instance)

    # In place: handlers bind the list object itself (``elem.drop`` writes into it).
    instance.elements.extend(
        tuple(evaluate_const(item, instance) for item in segment.init) for segment in module.elements
    )
    for index, segment in enumerate(module.elements):
        if segment.mode is SegmentMode.ACTIVE:
            assert segment.offset is not None  # the decoder gives every active segment an offset
            destination = evaluate_const(segment.offset, instance)
            items = instance.elements[index]
            instance.tables[segment.table_index].init(destination, items, 0, len(items))
            instance.elements[index] = ()
        elif segment.mode is SegmentMode.DECLARATIVE:
            instance.elements[index] = ()
    for index, data_segment in enumerate(module.datas):
        if data_segment.mode is SegmentMode.ACTIVE:
            assert data_segment.offset is not None
            destination = evaluate_const(data_segment.offset, instance)
            data = instance.datas[index]
            instance.memories[data_segment.memory_index].init(destination, data, 0, len(data))
            instance.datas[index] = b""

    if before_start is not None:
        before_start(instance)
    if module.start is not None:
        store.executor.invoke(instance.functions[module.start], ())
    return instance
