""":class:`Module`: a compiled module of an engine, from text or binary, its import and export types,
and its precompiled form (``wasmrun compile``'s ``.cwasm``, :mod:`wasmrun.cache.precompiled`)."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from wasmrun.api.config import Engine
from wasmrun.api.errors import translated_errors
from wasmrun.api.types import (
    ExportType,
    ExternType,
    FuncType,
    ImportType,
    TagType,
    extern_type_of,
)
from wasmrun.loader import load_module, to_binary
from wasmrun.module import Module as ModuleRecord
from wasmrun.types import ExternKind

if TYPE_CHECKING:
    from wasmrun.engine.code_store import CodeStore
    from wasmrun.engine.interpreter import Interpreter

PathLike = str | bytes | os.PathLike[str]


def wat2wasm(wat: str | bytes) -> bytearray:
    """The binary form of the module in WebAssembly text ``wat`` (WasmtimeError if it does not parse)."""
    data = wat.encode("utf-8") if isinstance(wat, str) else bytes(wat)
    with translated_errors():
        return bytearray(to_binary(data))


def _module_bytes(wasm: Any) -> bytes:
    if isinstance(wasm, str):
        return wasm.encode("utf-8")
    if isinstance(wasm, bytes | bytearray | memoryview):
        return bytes(wasm)
    raise TypeError("expected str or bytes")


class Module:
    """A decoded, validated module: ``Module(engine, wasm)`` with ``wasm`` its binary or its text."""

    _module: ModuleRecord
    _code: CodeStore | None = None
    """The code of a deserialized module, made for the default engine options (see :func:`use_code`)."""

    def __init__(self, engine: Engine, wasm: str | bytes | bytearray) -> None:
        if not isinstance(engine, Engine):
            raise TypeError("expected an Engine")
        data = _module_bytes(wasm)
        with translated_errors():
            self._module = load_module(data, features=engine.features)
        self._engine = engine

    @classmethod
    def _of(cls, engine: Engine, record: ModuleRecord) -> Module:
        module = cls.__new__(cls)
        module._module = record
        module._engine = engine
        return module

    @classmethod
    def from_file(cls, engine: Engine, path: PathLike) -> Module:
        """The module in the file at ``path`` (binary or text)."""
        with open(path, "rb") as file:
            return cls(engine, file.read())

    @classmethod
    def validate(cls, engine: Engine, wasm: bytes | bytearray) -> None:
        """Raise WasmtimeError unless ``wasm`` is a valid module under ``engine``'s proposals."""
        with translated_errors():
            load_module(_module_bytes(wasm), features=engine.features)

    @property
    def imports(self) -> list[ImportType]:
        """The module's imports, in order, with their types."""
        module = self._module
        canonical = module.canonical_types()
        from wasmrun.runtime.instance import import_type

        return [
            ImportType(
                imported.module, imported.name, self._typed(imported.kind, import_type(module, index, canonical))
            )
            for index, imported in enumerate(module.imports)
        ]

    @property
    def exports(self) -> list[ExportType]:
        """The module's exports, in order, with their types."""
        module = self._module
        canonical = module.canonical_types()
        from wasmrun.runtime.instance import canonical_extern_type

        spaces: dict[ExternKind, Any] = {
            ExternKind.FUNC: lambda index: canonical[module.func_type_indices[index]],
            ExternKind.TABLE: lambda index: canonical_extern_type(module.table_types[index], canonical),
            ExternKind.MEMORY: lambda index: module.memory_types[index],
            ExternKind.GLOBAL: lambda index: canonical_extern_type(module.global_types[index], canonical),
            ExternKind.TAG: lambda index: canonical[module.tag_type_indices[index]],
        }
        return [
            ExportType(export.name, self._typed(export.kind, spaces[export.kind](export.index)))
            for export in module.exports
        ]

    @staticmethod
    def _typed(kind: ExternKind, record: Any) -> ExternType:
        if kind is ExternKind.TAG:  # a tag's type is its payload's function type
            return TagType(FuncType._of(record))
        return extern_type_of(record)

    def serialize(self) -> bytearray:
        """The module precompiled (a ``.cwasm``: only this build of wasmrun on this Python reads it)."""
        from wasmrun.cache.precompiled import compile_module

        with translated_errors():
            return bytearray(compile_module(self._module.raw, self._engine.features))

    @classmethod
    def deserialize(cls, engine: Engine, encoded: bytes | bytearray) -> Module:
        """The module :meth:`serialize` made (WasmtimeError, with the reason, if this wasmrun cannot run it)."""
        from wasmrun.cache.entry import Source
        from wasmrun.cache.precompiled import load_precompiled
        from wasmrun.engine.options import EngineOptions

        with translated_errors():
            record, code = load_precompiled(Source(bytes(encoded)), engine.features, EngineOptions())
        module = cls._of(engine, record)
        module._code = code
        return module

    @classmethod
    def deserialize_file(cls, engine: Engine, path: str) -> Module:
        """The module in a file written from :meth:`serialize`."""
        with open(path, "rb") as file:
            return cls.deserialize(engine, file.read())

    def __repr__(self) -> str:
        return f"<Module {len(self._module.imports)} imports, {len(self._module.exports)} exports>"


def use_code(interpreter: Interpreter, module: Module) -> None:
    """Let ``interpreter`` run a deserialized ``module`` from its precompiled code, if the interpreter has
    the options that code was made for and no other code store (one per interpreter)."""
    from wasmrun.engine.options import EngineOptions

    code = module._code
    if (
        code is not None
        and interpreter.code_store is None
        and interpreter.options.code_key() == EngineOptions().code_key()
    ):
        interpreter.use_code_store(code)
