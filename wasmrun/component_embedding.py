"""The embedding API for components, in the shape of wasmtime-py's ``wasmtime.component``.

::

    from wasmrun import Component, ComponentLinker, Store

    component = Component.from_file("app.wasm")          # binary, or the component text format
    linker = ComponentLinker()
    with linker.root() as root:
        root.add_func("log", lambda text: print(text))    # an import, by name, as a Python callable
        with root.add_instance("my:app/host@1.0.0") as host:
            host.add_func("double", lambda n: 2 * n)
    linker.add_wasip2()                                   # the WASI 0.2 interfaces (store.set_wasi)
    with Store() as store:
        instance = linker.instantiate(store, component)
        greet = instance.get_func(store, "greet")         # or "iface#f", or "ns:pkg/iface.f"
        print(greet(store, "world"))

Values are the Python values of :mod:`wasmrun.component.types` (``str``, ``list``/``bytes``,
``dict`` records, ``tuple``, :class:`Variant`, enum case names, ``None``-or-value options,
:class:`Ok`/:class:`Err`, ``frozenset`` flags), but maps, which the host gets as ``dict`` (the last
value of a repeated key) and gives as any mapping or list of ``(key, value)`` pairs.  They are
checked on the way in (:mod:`wasmrun.component_values`): a value not of its type raises
:class:`TypeError` or :class:`ValueError` naming the argument (or the host function whose result
it is) and where in the value.  Resources of a type the host
defines are the host's Python objects; those of a guest-defined type are
:class:`~wasmrun.component_values.ResourceAny`.  ``ComponentLinker(record_factory=f)`` has records
given to the host as ``f(dict)`` instead of the dict (any mapping, or an object with the fields as
attributes, is taken back).

Where it differs from wasmtime-py: there is no ``Engine`` (``Component(data)``, ``ComponentLinker()``;
the :class:`~wasmrun.Store` says how code runs); host functions take the values alone (no store
argument), and what one without a result returns is ignored; ``post-return`` runs within each call
(``ComponentFunc.post_return`` does nothing).  Errors are those of :mod:`wasmrun.errors`: a
malformed component is a ``DecodeError`` or ``TextSyntaxError``, an invalid one a
``ValidationError``, an import the linker lacks a ``LinkError`` naming it (in Wasmtime's words), a
trap a ``Trap``; ``wasi:cli/exit`` raises :class:`~wasmrun.errors.ProcExit`; an exception a host
function raises goes through the guest to the caller as it is.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from wasmrun.component.types import FuncType, ResourceType
from wasmrun.component_values import (
    RecordFactory,
    ResourceAny,
    ended,
    from_guest,
    moved,
    show,
    to_guest,
    within,
)
from wasmrun.errors import TextSyntaxError
from wasmrun.features import ALL_FEATURES, Features

if TYPE_CHECKING:
    from wasmrun.component_runtime.instantiate import Modules
    from wasmrun.component_runtime.items import ComponentInstance as InstanceItems
    from wasmrun.component_runtime.items import Function
    from wasmrun.module import Module
    from wasmrun.runtime.store import Store

__all__ = [
    "Component",
    "ComponentFunc",
    "ComponentInstance",
    "ComponentLinker",
    "ComponentLinkerInstance",
    "ExportIndex",
    "ResourceAny",
]

_EXPORT_KINDS = {
    "func": "function",
    "instance": "instance",
    "type": "type",
    "component": "component",
    "core module": "module",
    "value": "value",
}


class Component:
    """A decoded and validated component, from its binary or its text format.

    ``data`` is the binary (``bytes``), or text (``str``, or bytes not starting with ``\\0asm``).
    ``features``: the proposals its core modules may use.  :attr:`imports` and :attr:`exports`
    give its names and their kinds (``function``, ``instance``, ``type``, ``module``, ...).
    """

    def __init__(self, data: bytes | bytearray | memoryview | str, *, features: Features = ALL_FEATURES) -> None:
        from wasmrun.component.decoder import decode_component
        from wasmrun.component.validate import validate_component

        record = decode_component(_binary(data))
        validate_component(record, features)
        self._record = record
        self.features = features
        self._modules: Modules | None = None

    @classmethod
    def from_bytes(cls, data: bytes | bytearray | memoryview | str, *, features: Features = ALL_FEATURES) -> Component:
        """The same as ``Component(data)``."""
        return cls(data, features=features)

    @classmethod
    def from_file(cls, path: str | Path, *, features: Features = ALL_FEATURES) -> Component:
        """Read a component's binary (``.wasm``) or text (``.wat``) file."""
        return cls(Path(path).read_bytes(), features=features)

    def __repr__(self) -> str:
        return f"<Component imports={list(self.imports)} exports={list(self.exports)}>"

    @property
    def imports(self) -> dict[str, str]:
        """Each import's name and kind, in order."""
        from wasmrun.component_runtime.imports import import_kind

        return {item.name.name: import_kind(item.type) for item in self._record.imports}

    @property
    def exports(self) -> dict[str, str]:
        """Each export's name and kind, in order."""
        return {item.name.name: _EXPORT_KINDS.get(item.item.sort.value, "") for item in self._record.exports}

    def _modules_cache(self) -> Modules:
        """Its core modules, decoded and validated at the first instantiation for all of them."""
        if self._modules is None:
            from wasmrun.component_runtime.instantiate import Modules

            self._modules = Modules(self.features)
        return self._modules


def _binary(data: bytes | bytearray | memoryview | str) -> bytes:
    from wasmrun.component.text import encode_component_text

    if isinstance(data, str):
        return encode_component_text(data)
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError(f"expected the bytes or text of a component, got {type(data).__name__}")
    binary = bytes(data)
    if binary[:4] == b"\0asm":
        return binary
    try:
        text = binary.decode("utf-8")
    except UnicodeDecodeError as error:
        raise TextSyntaxError("malformed UTF-8 encoding", 1, error.start + 1) from None
    return encode_component_text(text)


# -- the linker ------------------------------------------------------------------------------------


class _HostFunc:
    """A host function defined in a linker: the embedder's callable, converted by the import's type."""

    __slots__ = ("func", "linker", "name")

    def __init__(self, name: str, func: Callable[..., Any], linker: ComponentLinker) -> None:
        self.name = name
        self.func = func
        self.linker = linker

    def __repr__(self) -> str:
        return f"<host function {self.name}>"

    def __call__(self, *args: Any) -> Any:
        raise TypeError(f"host function `{self.name}` has no type until a component imports it")

    def bind_type(self, func_type: FuncType) -> Callable[..., Any]:
        """The callable the canonical ABI calls for an import of ``func_type``."""
        name = self.name
        func = self.func
        factory = self.linker.record_factory
        params = [from_guest(param, factory) for _name, param in func_type.params]
        result_type = func_type.result
        result = None if result_type is None else to_guest(result_type)

        def call(*args: Any) -> Any:
            lent: list[ResourceAny] = []
            converted = [value if convert is None else convert(value, lent) for convert, value in zip(params, args)]
            try:
                value = func(*converted)
            finally:
                ended(lent)
            if result is None:
                return None
            moves: list[ResourceAny] = []
            try:
                value = result(value, moves)
            except (TypeError, ValueError) as error:
                raise within(f"the result of host function `{name}`", error) from None
            moved(moves)
            return value

        call.__name__ = name
        return call


class ComponentLinkerInstance:
    """The items of one instance of a :class:`ComponentLinker` (the root, or an instance in it), by name.

    A name defined twice is a :class:`ValueError` unless the linker's ``allow_shadowing`` is set.
    Usable as a context manager (for wasmtime-py's ``with linker.root() as root:``); nothing is locked.
    """

    def __init__(self, linker: ComponentLinker, path: str) -> None:
        self._linker = linker
        self._path = path
        self._items: dict[str, Any] = {}

    def __repr__(self) -> str:
        return f"<ComponentLinkerInstance {self._path or 'root'} {list(self._items)}>"

    def __enter__(self) -> ComponentLinkerInstance:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None
    ) -> None:
        return None

    def _full_name(self, name: str) -> str:
        return f"{self._path}#{name}" if self._path else name

    def _define(self, name: str, item: Any) -> None:
        if not isinstance(name, str):
            raise TypeError(f"expected a str for a name, got {show(name)}")
        if name in self._items and not self._linker.allow_shadowing:
            raise ValueError(f"`{self._full_name(name)}` is defined already (set allow_shadowing to replace it)")
        self._items[name] = item

    def add_instance(self, name: str) -> ComponentLinkerInstance:
        """The instance ``name`` (``wasi:cli/environment@0.2.0``, ``host``), made empty if it is not defined yet."""
        existing = self._items.get(name)
        if isinstance(existing, ComponentLinkerInstance):
            return existing
        instance = ComponentLinkerInstance(self._linker, self._full_name(name))
        self._define(name, instance)
        return instance

    def add_func(self, name: str, func: Callable[..., Any]) -> None:
        """Define the function ``name``: ``func`` takes the parameters' Python values and returns the result's."""
        if not callable(func):
            raise TypeError(f"expected a callable for host function `{self._full_name(name)}`, got {show(func)}")
        self._define(name, _HostFunc(self._full_name(name), func, self._linker))

    def add_resource(self, name: str, ty: ResourceType, dtor: Callable[[Any], object] | None = None) -> None:
        """Define the resource type ``name`` as ``ty`` (made with ``ResourceType("name", destructor, host=True)``).

        ``dtor``, if given, becomes its destructor: called with the Python object of each resource the
        guest drops its last owning handle of.
        """
        if not isinstance(ty, ResourceType):
            raise TypeError(f"expected a ResourceType for resource `{self._full_name(name)}`, got {show(ty)}")
        if dtor is not None:
            ty.destructor = dtor
        self._define(name, ty)

    def add_module(self, name: str, module: Module) -> None:
        """Define the core module ``name`` (a :class:`wasmrun.Module`)."""
        from wasmrun.module import Module

        if not isinstance(module, Module):
            raise TypeError(f"expected a Module for `{self._full_name(name)}`, got {show(module)}")
        self._define(name, module)

    def _mapping(self) -> dict[str, Any]:
        return {
            name: item._mapping() if isinstance(item, ComponentLinkerInstance) else item
            for name, item in self._items.items()
        }


class ComponentLinker:
    """Definitions of a component's imports by name, and instantiation with them (wasmtime-py's ``Linker``).

    An import is found by its exact name, or else (for a versioned name such as
    ``wasi:io/streams@0.2.3``) under the newest semver-compatible version defined, as Wasmtime does.
    ``record_factory``: see the module docstring.
    """

    def __init__(self, *, record_factory: RecordFactory | None = None) -> None:
        self.allow_shadowing = False
        self.record_factory = record_factory
        self._root = ComponentLinkerInstance(self, "")
        self._wasi = False

    def root(self) -> ComponentLinkerInstance:
        """The root instance: where the component's own imports are defined."""
        return self._root

    def add_wasip2(self) -> None:
        """Link every WASI 0.2 interface wasmrun provides (any 0.2.x version), bound to the store's WASI
        configuration (``store.set_wasi(WasiConfig(...))``; without one, no arguments and no stdio).
        The definitions of :meth:`root` come first."""
        self._wasi = True

    def instantiate(self, store: Store, component: Component) -> ComponentInstance:
        """Instantiate ``component`` in ``store`` with this linker's definitions.

        A ``LinkError`` names an import missing or of the wrong kind or type; a start function that traps
        is a ``Trap``.
        """
        from wasmrun.component_runtime.instantiate import instantiate_component

        if not isinstance(component, Component):
            raise TypeError(f"expected a Component, got {show(component)}")
        fallback: Mapping[str, Any] | None = None
        if self._wasi:
            from wasmrun.wasi.preview2.linking import wasi_imports

            fallback = wasi_imports(_wasi_host(store))
        imports = _Imports(self._root._mapping(), fallback)
        modules = component._modules_cache()
        inner = instantiate_component(component._record, store, imports, features=component.features, modules=modules)
        return ComponentInstance(inner, store, self.record_factory)


def _wasi_host(store: Store) -> Any:
    """The WASI 0.2 host of ``store`` (a :class:`wasmrun.Store`'s ``set_wasi``, made empty if never called)."""
    opened = getattr(store, "wasi", None)
    if opened is None:
        set_wasi = getattr(store, "set_wasi", None)
        if set_wasi is None:
            raise TypeError("linking WASI 0.2 needs a wasmrun.Store (it holds the WASI configuration)")
        from wasmrun.wasi_config import WasiConfig

        set_wasi(WasiConfig())
        opened = store.wasi  # type: ignore[attr-defined]
    return opened.host


def _semver_key(name: str) -> tuple[str, str, tuple[int, int, int]] | None:
    """(name without version, the part every compatible version shares, the version) for ``x@1.2.3``."""
    base, at, version = name.rpartition("@")
    parts = version.split(".")
    if not at or len(parts) != 3 or not all(part.isdigit() for part in parts):
        return None
    major, minor, patch = (int(part) for part in parts)
    shared = str(major) if major else f"0.{minor}" if minor else f"0.0.{patch}"
    return base, shared, (major, minor, patch)


class _Imports(Mapping[str, Any]):
    """The imports object: the linker's root items by name (or a compatible version), then WASI's."""

    def __init__(self, defined: dict[str, Any], fallback: Mapping[str, Any] | None) -> None:
        self.defined = defined
        self.fallback = fallback
        self.versions: dict[tuple[str, str], list[tuple[tuple[int, int, int], str]]] = {}
        for name in defined:
            key = _semver_key(name)
            if key is not None:
                self.versions.setdefault(key[:2], []).append((key[2], name))

    def __getitem__(self, name: str) -> Any:
        item = self.defined.get(name)
        if item is not None:
            return item
        key = _semver_key(name)
        candidates = None if key is None else self.versions.get(key[:2])
        if candidates:
            return self.defined[max(candidates)[1]]
        if self.fallback is not None and name in self.fallback:
            return self.fallback[name]
        raise KeyError(name)

    def __iter__(self) -> Iterator[str]:
        return iter(self.defined)

    def __len__(self) -> int:
        return len(self.defined)


# -- instances and functions -----------------------------------------------------------------------


class ExportIndex:
    """An export of an instance, found once by :meth:`ComponentInstance.get_export_index`."""

    __slots__ = ("item", "name")

    def __init__(self, item: Any, name: str) -> None:
        self.item = item
        self.name = name

    def __repr__(self) -> str:
        return f"<ExportIndex {self.name}>"


class ComponentInstance:
    """An instantiated component: its exported functions, with :meth:`get_func`."""

    def __init__(self, inner: InstanceItems, store: Store, record_factory: RecordFactory | None) -> None:
        self._inner = inner
        self._store = store
        self._record_factory = record_factory

    def __repr__(self) -> str:
        return f"<ComponentInstance exports={list(self._inner.exports)}>"

    def _check_store(self, store: object) -> None:
        _same_store(store, self._store)

    def get_export_index(self, store: Store, name: str, instance: ExportIndex | None = None) -> ExportIndex | None:
        """The export ``name`` of this instance (or of its exported ``instance``); None if there is none.

        A versioned name (``wasi:cli/run@0.2.0``) finds the newest semver-compatible version exported.
        """
        from wasmrun.component_runtime.items import ComponentInstance as InstanceItems

        self._check_store(store)
        holder = self._inner if instance is None else instance.item
        if not isinstance(holder, InstanceItems):
            return None
        item = _compatible(holder.exports, name)
        if item is None:
            return None
        return ExportIndex(item, name if instance is None else f"{instance.name}#{name}")

    def get_func(self, store: Store, index: ExportIndex | str) -> ComponentFunc | None:
        """The exported function ``index``; None if there is none.

        A name is an export's (``greet``, ``[method]counter.incr``), a function of an exported instance
        (``wasi:cli/run@0.2.0#run``, the instance's version matched as in :meth:`get_export_index`), or a
        WIT item name (``ns:pkg/iface.f@1.0.0``, ``iface.f``).
        """
        from wasmrun.component.wave import ItemNameError
        from wasmrun.component_runtime.lookup import find_function

        self._check_store(store)
        if isinstance(index, ExportIndex):
            function = _function(index.item)
            name = index.name
        elif isinstance(index, str):
            name = index
            function = _function(self._inner.exports.get(name))
            if function is None and "#" in name:
                holder_name, _, function_name = name.rpartition("#")
                holder = self.get_export_index(store, holder_name)
                found = None if holder is None else self.get_export_index(store, function_name, holder)
                function = None if found is None else _function(found.item)
            elif function is None:
                try:
                    function = find_function(self._inner, name)
                except ItemNameError:
                    function = None
        else:
            raise TypeError(f"expected an export's name or an ExportIndex, got {show(index)}")
        return None if function is None else ComponentFunc(function, name, self._store, self._record_factory)

    def get_resource_type(self, store: Store, name: str) -> ResourceType | None:
        """The resource type exported as ``name`` (to compare with a :class:`ResourceAny`'s ``type``)."""
        self._check_store(store)
        item = self._inner.exports.get(name)
        return item if isinstance(item, ResourceType) else None


def _compatible(exports: Mapping[str, Any], name: str) -> Any:
    """The export ``name``, or the newest one of a semver-compatible version; None if there is none."""
    item = exports.get(name)
    key = None if item is not None else _semver_key(name)
    if key is None:
        return item
    versions = [(found[2], other) for other in exports if (found := _semver_key(other)) and found[:2] == key[:2]]
    return exports[max(versions)[1]] if versions else None


def _function(item: Any) -> Function | None:
    from wasmrun.component_runtime.canonical import LiftedFunction
    from wasmrun.component_runtime.items import ComponentFunction

    return item if isinstance(item, LiftedFunction | ComponentFunction) else None


def _same_store(store: object, expected: object) -> None:
    if store is not expected:
        raise ValueError(f"expected the store the instance was made in, got {show(store)}")


class ComponentFunc:
    """An exported function: call it as ``func(store, *values)``; it returns the result's value (or None)."""

    def __init__(self, function: Function, name: str, store: Store, record_factory: RecordFactory | None) -> None:
        self._function = function
        self.name = name
        self._store = store
        func_type: FuncType = function.func_type
        self._func_type = func_type
        self._params = [(param_name, to_guest(param)) for param_name, param in func_type.params]
        result_type = func_type.result
        self._result = None if result_type is None else from_guest(result_type, record_factory)

    def __repr__(self) -> str:
        return f"<ComponentFunc {self.name}>"

    def type(self, store: Store) -> FuncType:
        """Its type: ``params`` (name and :mod:`~wasmrun.component.types` type each) and ``result``."""
        _same_store(store, self._store)
        return self._func_type

    def __call__(self, store: Store, *params: Any) -> Any:
        _same_store(store, self._store)
        expected = self._params
        if len(params) != len(expected):
            names = ", ".join(name for name, _convert in expected)
            raise TypeError(f"`{self.name}` takes {len(expected)} arguments ({names}), {len(params)} given")
        moves: list[ResourceAny] = []
        args = []
        for (name, convert), value in zip(expected, params):
            try:
                args.append(convert(value, moves))
            except (TypeError, ValueError) as error:
                raise within(f"argument `{name}` of `{self.name}`", error) from None
        moved(moves)
        result = self._function(*args)
        convert_result = self._result
        return result if convert_result is None else convert_result(result, [])

    def post_return(self, store: Store) -> None:
        """Nothing to do: each call runs the function's ``post-return`` itself (kept for wasmtime-py's shape)."""
        _same_store(store, self._store)
