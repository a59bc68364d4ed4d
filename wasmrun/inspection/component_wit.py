"""Component types as WIT-like text, read straight off the index-based records.

``func(x: u32, y: string) -> list<u8>``, ``record { x: s32, y: s32 }``,
``result<u64, stream-error>``, ``borrow<output-stream>``: a type index that has a name
(an export or import of a type, or an alias of an instance's type export) is written by
that name, as WIT does; any other is written out.  A :class:`TypeScope` is one type index
space (a component's, or that of a component or instance type's declarations) with its
enclosing scope, for outer aliases.  Nothing is resolved beyond names, so aliased types are
shown by name, and a type this printer cannot name is written ``type N``.
"""

from __future__ import annotations

from typing import Any

from wasmrun.component.aliases import CoreInstanceExportAlias, InstanceExportAlias, OuterAlias
from wasmrun.component.core_typedefs import CoreTypeDefinition
from wasmrun.component.records import Export
from wasmrun.component.sorts import Sort
from wasmrun.component.typedefs import (
    BorrowDefinition,
    ComponentExtern,
    ComponentTypeDefinition,
    EnumDefinition,
    ExportDeclaration,
    ExternType,
    FlagsDefinition,
    FuncExtern,
    FuncTypeDefinition,
    FutureDefinition,
    Import,
    InstanceExtern,
    InstanceTypeDefinition,
    ListDefinition,
    MapDefinition,
    ModuleExtern,
    OptionDefinition,
    OwnDefinition,
    RecordDefinition,
    ResourceDefinition,
    ResultDefinition,
    StreamDefinition,
    TupleDefinition,
    TypeDefinition,
    TypeExtern,
    ValType,
    ValueExtern,
    VariantDefinition,
)
from wasmrun.component.types import Primitive

MAX_DEPTH = 16  # types written out deeper than this are cut short with "..."


class TypeScope:
    """One type index space: for each index, its name (if it has one) and what defines it."""

    def __init__(self, parent: TypeScope | None = None, instance_names: dict[int, str] | None = None) -> None:
        self.parent = parent
        self.names: list[str | None] = []
        self.definitions: list[Any] = []
        self.instance_names = instance_names or {}  # instance index -> its import name (for `use`)
        self.origins: list[str | None] = []  # where a named type comes from: an instance's name

    def add(self, definition: Any) -> None:
        """Add the type index (or indices) ``definition`` gives, in binary order."""
        if isinstance(definition, CoreTypeDefinition):
            return  # core types have their own index space
        name: str | None = None
        origin: str | None = None
        target: Any = definition
        if isinstance(definition, (Export, ExportDeclaration, Import)):
            name = definition.name.name
            if isinstance(definition, Export):
                target = ("index", definition.item.index)
            elif isinstance(definition.type, TypeExtern) and definition.type.equal_to is not None:
                target = ("index", definition.type.equal_to)
            else:
                target = "resource"
        elif isinstance(definition, InstanceExportAlias):
            name = definition.name
            origin = self.instance_names.get(definition.instance)
            target = "alias"
        elif isinstance(definition, OuterAlias):
            scope = self.outer(definition.count)
            if scope is not None and 0 <= definition.index < len(scope.names):
                name = scope.names[definition.index]
                origin = scope.origins[definition.index]
                target = scope.definitions[definition.index]
            else:
                target = "alias"
        elif isinstance(definition, CoreInstanceExportAlias):
            target = "alias"
        self.names.append(name)
        self.origins.append(origin)
        self.definitions.append(target)

    def outer(self, count: int) -> TypeScope | None:
        scope: TypeScope | None = self
        for _ in range(count):
            scope = scope.parent if scope is not None else None
        return scope

    def nested(self, declarations: tuple[Any, ...]) -> TypeScope:
        """The scope of a component or instance type's declarations."""
        scope = TypeScope(self)
        for declaration in declarations:
            if _adds_type(declaration):
                scope.add(declaration)
        return scope

    # --- text ---------------------------------------------------------------------------------

    def valtype(self, valtype: ValType | None, depth: int = 0) -> str:
        if valtype is None:
            return "_"
        if isinstance(valtype, Primitive):
            return valtype.value
        return self.index(valtype, depth)

    def index(self, index: int, depth: int = 0) -> str:
        """Type index ``index`` by name, else written out."""
        if not 0 <= index < len(self.names):
            return f"type {index}"
        name = self.names[index]
        if name is not None:
            return name
        return self.defined(index, depth + 1)

    def defined(self, index: int, depth: int = 0) -> str:
        """Type index ``index`` written out (one level: what it names inside goes by name)."""
        if depth > MAX_DEPTH:
            return "..."
        definition = self.definitions[index]
        if isinstance(definition, tuple) and definition[0] == "index":
            return self.index(definition[1], depth) if definition[1] < index else f"type {definition[1]}"
        if isinstance(definition, TypeDefinition):
            return self.deftype(definition.type, depth)
        if definition == "resource":
            return "resource"
        return f"type {index}"

    def deftype(self, defined: Any, depth: int = 0) -> str:
        value = self.valtype
        if isinstance(defined, Primitive):
            return defined.value
        if isinstance(defined, RecordDefinition):
            return "record { " + ", ".join(f"{label}: {value(t, depth)}" for label, t in defined.fields) + " }"
        if isinstance(defined, VariantDefinition):
            cases = (label if t is None else f"{label}({value(t, depth)})" for label, t in defined.cases)
            return "variant { " + ", ".join(cases) + " }"
        if isinstance(defined, EnumDefinition):
            return "enum { " + ", ".join(defined.names) + " }"
        if isinstance(defined, FlagsDefinition):
            return "flags { " + ", ".join(defined.names) + " }"
        if isinstance(defined, ListDefinition):
            length = "" if defined.length is None else f", {defined.length}"
            return f"list<{value(defined.element, depth)}{length}>"
        if isinstance(defined, TupleDefinition):
            return "tuple<" + ", ".join(value(t, depth) for t in defined.elements) + ">"
        if isinstance(defined, OptionDefinition):
            return f"option<{value(defined.value, depth)}>"
        if isinstance(defined, ResultDefinition):
            if defined.ok is None and defined.error is None:
                return "result"
            if defined.error is None:
                return f"result<{value(defined.ok, depth)}>"
            return f"result<{value(defined.ok, depth)}, {value(defined.error, depth)}>"
        if isinstance(defined, OwnDefinition):
            return f"own<{self.index(defined.resource, depth)}>"
        if isinstance(defined, BorrowDefinition):
            return f"borrow<{self.index(defined.resource, depth)}>"
        if isinstance(defined, StreamDefinition):
            return "stream" if defined.element is None else f"stream<{value(defined.element, depth)}>"
        if isinstance(defined, FutureDefinition):
            return "future" if defined.value is None else f"future<{value(defined.value, depth)}>"
        if isinstance(defined, MapDefinition):
            return f"map<{value(defined.key, depth)}, {value(defined.value, depth)}>"
        if isinstance(defined, FuncTypeDefinition):
            return self.functype(defined, depth)
        if isinstance(defined, ResourceDefinition):
            destructor = "" if defined.destructor is None else f" (dtor {defined.destructor})"
            return f"resource (rep {defined.representation.text}){destructor}"
        if isinstance(defined, InstanceTypeDefinition):
            return f"instance ({_count(defined.declarations, 'export')})"
        if isinstance(defined, ComponentTypeDefinition):
            imports = _count(defined.declarations, "import")
            return f"component ({imports}, {_count(defined.declarations, 'export')})"
        return type(defined).__name__

    def functype(self, func: FuncTypeDefinition, depth: int = 0) -> str:
        params = ", ".join(f"{label}: {self.valtype(t, depth)}" for label, t in func.params)
        prefix = "async func" if func.is_async else "func"
        result = "" if func.result is None else f" -> {self.valtype(func.result, depth)}"
        return f"{prefix}({params}){result}"

    def func_index(self, index: int) -> str:
        """A function type by index, written out (never by name: WIT writes functions in full)."""
        if 0 <= index < len(self.definitions):
            definition = self.definitions[index]
            if isinstance(definition, TypeDefinition) and isinstance(definition.type, FuncTypeDefinition):
                return self.functype(definition.type)
            if isinstance(definition, tuple) and definition[0] == "index" and definition[1] < index:
                return self.func_index(definition[1])
        return f"func (type {index})"

    def extern(self, extern: ExternType) -> str:
        """What an import or export declares, after its name: ``func(...)``, ``interface``, ..."""
        if isinstance(extern, FuncExtern):
            return self.func_index(extern.type)
        if isinstance(extern, InstanceExtern):
            return "interface"
        if isinstance(extern, ComponentExtern):
            return "component"
        if isinstance(extern, ModuleExtern):
            return "core module"
        if isinstance(extern, ValueExtern):
            return f"value<{self.valtype(extern.type)}>"
        return "resource" if extern.equal_to is None else f"type {self.index(extern.equal_to)}"

    def type_item(self, keyword: str, name: str, extern: TypeExtern) -> str:
        """A type import or export, WIT-like: ``resource r;``, ``record point { ... }``, ``type t = u32;``."""
        if extern.equal_to is None:
            return f"{keyword}resource {name};"
        return self.named_type(keyword, name, extern.equal_to)

    def named_type(self, keyword: str, name: str, index: int) -> str:
        text = self.defined(index) if 0 <= index < len(self.names) else f"type {index}"
        for kind in ("record", "variant", "enum", "flags"):
            if text.startswith(kind + " {"):
                return f"{keyword}{kind} {name} {text[len(kind) + 1 :]}"
        if 0 <= index < len(self.names) and self.names[index] == name and self.origins[index]:
            return f"{keyword}use {self.origins[index]}.{{{name}}};"
        if text == "resource" or text.startswith("resource ("):
            return f"{keyword}resource {name};"
        return f"{keyword}type {name} = {text};"

    def instance_items(self, declarations: tuple[Any, ...]) -> tuple[str, ...]:
        """The exports of an instance type, one WIT-like line each."""
        scope = TypeScope(self)
        lines = []
        for declaration in declarations:
            if isinstance(declaration, ExportDeclaration):
                if isinstance(declaration.type, TypeExtern):
                    if declaration.type.equal_to is not None:
                        lines.append(scope.named_type("", declaration.name.name, declaration.type.equal_to))
                    else:
                        lines.append(f"resource {declaration.name.name};")
                else:
                    lines.append(f"{declaration.name.name}: {scope.extern(declaration.type)};")
            if _adds_type(declaration):
                scope.add(declaration)
        return tuple(lines)


def _adds_type(declaration: Any) -> bool:
    if isinstance(declaration, (Import, ExportDeclaration)):
        return isinstance(declaration.type, TypeExtern)
    if isinstance(declaration, (InstanceExportAlias, OuterAlias)):
        return declaration.sort is Sort.TYPE
    return isinstance(declaration, TypeDefinition)


def _count(declarations: tuple[Any, ...], kind: str) -> str:
    number = sum(
        1 for declaration in declarations if isinstance(declaration, Import if kind == "import" else ExportDeclaration)
    )
    return f"{number} {kind}" + ("" if number == 1 else "s")
