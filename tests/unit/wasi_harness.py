"""A guest for the WASI tests: call preview1 functions on a real linear memory.

:class:`Guest` runs a :class:`~wasmrun.wasi.WasiContext` over a
:class:`~wasmrun.runtime.memory.MemoryInstance` of one page, with the directory
``<tmp>/sb`` preopened as ``/sb`` (guest fd 3) and stdout/stderr captured in
files.  Helpers lay arguments out in memory and read results back.

How the calls reach the context is the backend:

- ``direct``: Python method calls on the context;
- ``engine``: through wasm, as a program's calls go: the *wrapper module*
  (:func:`wrapper_module`: it imports the 46 functions and re-exports a
  wrapper ``call_<name>`` for each) is instantiated in wasmrun's own engine
  as :mod:`wasmrun.launch` does (WASI defined in its linker, the exported
  ``memory`` attached to the context), and each call goes wasm -> wasmrun's
  WASI host function -> back;
- ``oracle``: the same wrapper module in wasmtime-py, with Wasmtime's own WASI.

``tests/unit/conftest.py`` runs every test that makes a :class:`Guest` under
both ``direct`` and ``engine`` (:func:`use_backend`); with
``WASMRUN_WASI_ORACLE=1`` (and the ``wasmtime`` package installed) under the
oracle only.  That is how every expectation marked "Wasmtime" in these tests
was checked; tests of wasmrun-only matters are marked ``mine_only``.
"""

from __future__ import annotations

import contextlib
import os
import struct
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest

from wasmrun.engine.interpreter import Interpreter
from wasmrun.errors import ProcExit
from wasmrun.launch import Host, instantiate
from wasmrun.loader import load_module
from wasmrun.module import Module
from wasmrun.runtime.linker import Linker
from wasmrun.runtime.memory import MemoryInstance
from wasmrun.runtime.store import Store
from wasmrun.types import Limits, MemoryType
from wasmrun.wasi import FUNCTION_SIGNATURES, WasiContext, WasiTrap
from wasmrun.wasi.linking import define_wasi

ORACLE = os.environ.get("WASMRUN_WASI_ORACLE") == "1"
BACKENDS = ("oracle",) if ORACLE else ("direct", "engine")
"""The backends every Guest test runs under."""

_backend = BACKENDS[0]  # what Guest uses unless told (see use_backend)

# Rights a C library asks for; fd_read/fd_write are the ones that matter.
R = 1 << 1
W = 1 << 6
RW = R | W
SCRATCH = 1024  # where helpers put strings
RESULT = 48  # where the functions write their results (8-aligned)

mine_only = pytest.mark.skipif(ORACLE, reason="wasmrun-specific: not comparable with wasmtime-py")


@contextlib.contextmanager
def use_backend(name: str) -> Iterator[None]:
    """Within the block, a Guest uses the backend ``name`` (one of :data:`BACKENDS`)."""
    global _backend
    if name not in BACKENDS:
        raise ValueError(f"unknown WASI test backend {name!r}: not one of {BACKENDS}")
    previous, _backend = _backend, name
    try:
        yield
    finally:
        _backend = previous


class Trapped(Exception):
    """The call failed (a WasiTrap in wasmrun, an error in Wasmtime); ``causes`` as Wasmtime prints them."""

    def __init__(self, causes: list[str]) -> None:
        super().__init__(causes)
        self.causes = causes


class Exited(Exception):
    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


class Guest:
    """One guest program's view: a context, its memory, its sandbox ``root/sb``."""

    def __init__(
        self,
        root: Path,
        *,
        args: tuple[str, ...] = ("prog",),
        env: tuple[tuple[str, str], ...] = (),
        stdin: bytes | None = None,
        preopens: list[tuple[str, str]] | None = None,
        memory: bool = True,
        blocking_sleep: bool = False,
    ) -> None:
        self.root = root
        self.sandbox = root / "sb"
        self.sandbox.mkdir(exist_ok=True)
        self.stdout_path = root / "stdout"
        self.stderr_path = root / "stderr"
        stdin_path = None
        if stdin is not None:
            stdin_path = root / "stdin"
            stdin_path.write_bytes(stdin)
        if preopens is None:
            preopens = [(str(self.sandbox), "/sb")]
        self.backend: Any
        self.backend_name = _backend
        if _backend == "oracle":
            self.backend = _Oracle(args, env, preopens, stdin_path, self.stdout_path, self.stderr_path, memory)
        else:
            backend = _Engine if _backend == "engine" else _Mine
            self.backend = backend(args, env, preopens, stdin_path, self.stdout_path, self.stderr_path, memory)
            self.backend.context.blocking_sleep = blocking_sleep

    @property
    def context(self) -> WasiContext:
        context: WasiContext = self.backend.context
        return context

    def close(self) -> None:
        self.backend.close()

    # -- memory --------------------------------------------------------------------------

    def write(self, address: int, data: bytes) -> None:
        self.backend.write(address, data)

    def read(self, address: int, length: int) -> bytes:
        data: bytes = self.backend.read(address, length)
        return data

    def u16(self, address: int) -> int:
        return int(struct.unpack("<H", self.read(address, 2))[0])

    def u32(self, address: int = RESULT) -> int:
        return int(struct.unpack("<I", self.read(address, 4))[0])

    def u64(self, address: int = RESULT) -> int:
        return int(struct.unpack("<Q", self.read(address, 8))[0])

    def string(self, text: str | bytes, address: int = SCRATCH) -> tuple[int, int]:
        data = text.encode() if isinstance(text, str) else text
        self.write(address, data)
        return address, len(data)

    def iovecs(self, address: int, *buffers: bytes | int) -> tuple[int, int]:
        """(c)iovecs at ``address``, their buffers right after; an int is an empty buffer of that size."""
        data_at = address + 8 * len(buffers)
        for index, buffer in enumerate(buffers):
            size = buffer if isinstance(buffer, int) else len(buffer)
            self.write(address + 8 * index, struct.pack("<II", data_at, size))
            if not isinstance(buffer, int):
                self.write(data_at, buffer)
            data_at += size
        return address, len(buffers)

    # -- calls ---------------------------------------------------------------------------

    def call(self, name: str, *args: int) -> int:
        """The errno; Trapped or Exited when the call does not return one."""
        params = FUNCTION_SIGNATURES[name][0]
        canonical = [
            arg & (0xFFFFFFFF if valtype.text == "i32" else 0xFFFFFFFFFFFFFFFF) for arg, valtype in zip(args, params)
        ]
        result: int = self.backend.call(name, canonical)
        return result

    def trap(self, name: str, *args: int) -> list[str]:
        """The causes of a call that must fail (Wasmtime's "Caused by" lines, outermost first)."""
        with pytest.raises(Trapped) as failure:
            self.call(name, *args)
        return failure.value.causes

    def open(
        self,
        path: str | bytes,
        oflags: int = 0,
        rights: int = RW,
        fdflags: int = 0,
        *,
        follow: bool = True,
        dirfd: int = 3,
    ) -> tuple[int, int | None]:
        """``path_open``: (errno, new fd or None)."""
        pointer, length = self.string(path)
        errno = self.call("path_open", dirfd, int(follow), pointer, length, oflags, rights, 0, fdflags, RESULT)
        return errno, self.u32() if errno == 0 else None

    def path(self, name: str, dirfd: int, path: str | bytes, *rest: int) -> int:
        """A path function whose arguments are ``(fd, path, path_len, *rest)``."""
        pointer, length = self.string(path)
        return self.call(name, dirfd, pointer, length, *rest)

    def stdout(self) -> bytes:
        return self.stdout_path.read_bytes()

    def stderr(self) -> bytes:
        return self.stderr_path.read_bytes()


class _Mine:
    """Python calls on the context's methods."""

    def __init__(
        self,
        args: tuple[str, ...],
        env: tuple[tuple[str, str], ...],
        preopens: list[tuple[str, str]],
        stdin: Path | None,
        stdout: Path,
        stderr: Path,
        memory: bool,
    ) -> None:
        self.fds = [
            os.open(stdout, os.O_WRONLY | os.O_CREAT | os.O_TRUNC),
            os.open(stderr, os.O_WRONLY | os.O_CREAT | os.O_TRUNC),
        ]
        stdin_fd = None
        if stdin is not None:
            stdin_fd = os.open(stdin, os.O_RDONLY)
            self.fds.append(stdin_fd)
        self.context = WasiContext(args, env, preopens, stdin=stdin_fd, stdout=self.fds[0], stderr=self.fds[1])
        self.memory = self._memory(memory)

    def _memory(self, attached: bool) -> MemoryInstance:
        """The guest's memory, attached to the context if ``attached``."""
        memory = MemoryInstance(MemoryType(Limits(1)))
        if attached:
            self.context.memory = memory
        return memory

    def close(self) -> None:
        self.context.close()
        self.memory.close()
        for fd in self.fds:
            os.close(fd)

    def write(self, address: int, data: bytes) -> None:
        self.memory.write(address, data)

    def read(self, address: int, length: int) -> bytes:
        return self.memory.read(address, length)

    def call(self, name: str, args: list[int]) -> int:
        function: Callable[..., int] = getattr(self.context, name)
        try:
            return int(function(*args))
        except WasiTrap as trap:
            raise Trapped(list(trap.causes)) from None
        except ProcExit as exit_:
            raise Exited(exit_.code) from None


class _Engine(_Mine):
    """The wrapper module in wasmrun's engine, calling the context's functions through wasm."""

    _modules: ClassVar[dict[bool, Module]] = {}

    def _memory(self, attached: bool) -> MemoryInstance:
        """The wrapper module's memory; :func:`wasmrun.launch.instantiate` attaches it if exported as ``memory``."""
        module = _Engine._modules.get(attached)
        if module is None:
            module = _Engine._modules[attached] = load_module(wrapper_module(attached).encode())
        interpreter = Interpreter()
        self.store = Store(interpreter)
        linker = Linker(self.store)
        define_wasi(linker, self.context, module)
        instance = instantiate(Host(linker, self.context, interpreter), module)
        self.functions = {name: instance.exports["call_" + name] for name in FUNCTION_SIGNATURES}
        memory = instance.exports["memory" if attached else "scratch"]
        if not isinstance(memory, MemoryInstance):
            raise TypeError(f"the wrapper module exports {memory!r}, not a memory")
        return memory

    def close(self) -> None:
        super().close()
        self.store.close()

    def call(self, name: str, args: list[int]) -> int:
        function: Any = self.functions[name]
        try:
            (errno,) = function.invoke(args)
        except WasiTrap as trap:
            raise Trapped(list(trap.causes)) from None
        except ProcExit as exit_:
            raise Exited(exit_.code) from None
        return int(errno)


class _Oracle:
    """wasmtime-py's own WASI, behind the same interface (see the module docstring)."""

    _modules: ClassVar[dict[bool, Any]] = {}

    def __init__(
        self,
        args: tuple[str, ...],
        env: tuple[tuple[str, str], ...],
        preopens: list[tuple[str, str]],
        stdin: Path | None,
        stdout: Path,
        stderr: Path,
        memory: bool,
    ) -> None:
        import wasmtime

        self.wasmtime = wasmtime
        config = wasmtime.WasiConfig()
        config.argv = list(args)
        config.env = [list(pair) for pair in env]
        for host, guest in preopens:
            config.preopen_dir(host, guest)
        if stdin is not None:
            config.stdin_file = str(stdin)
        config.stdout_file = str(stdout)
        config.stderr_file = str(stderr)
        engine = _Oracle._engine()
        self.store = wasmtime.Store(engine)
        self.store.set_wasi(config)
        linker = wasmtime.Linker(engine)
        linker.define_wasi()
        module = _Oracle._modules.get(memory)
        if module is None:
            module = _Oracle._modules[memory] = wasmtime.Module(engine, wrapper_module(memory))
        self.exports: Any = linker.instantiate(self.store, module).exports(self.store)
        self.context = None

    _engine_instance: Any = None

    @staticmethod
    def _engine() -> Any:
        import wasmtime

        if _Oracle._engine_instance is None:
            _Oracle._engine_instance = wasmtime.Engine()
        return _Oracle._engine_instance

    def close(self) -> None:
        pass

    def write(self, address: int, data: bytes) -> None:
        self.exports["memory"].write(self.store, data, address)

    def read(self, address: int, length: int) -> bytes:
        return bytes(self.exports["memory"].read(self.store, address, address + length))

    def call(self, name: str, args: list[int]) -> int:
        params = FUNCTION_SIGNATURES[name][0]
        signed = [_signed(arg, 32 if valtype.text == "i32" else 64) for arg, valtype in zip(args, params)]
        try:
            return int(self.exports["call_" + name](self.store, *signed))
        except self.wasmtime.ExitTrap as exit_:
            raise Exited(exit_.code) from None
        except self.wasmtime.WasmtimeError as error:
            raise Trapped(_causes(str(error))) from None


def _signed(value: int, bits: int) -> int:
    return value - (1 << bits) if value >> (bits - 1) else value


def _causes(text: str) -> list[str]:
    """The "Caused by" lines of a Wasmtime error, without their numbers."""
    lines = [line.strip() for line in text.split("Caused by:", 1)[1].splitlines() if line.strip()]
    return [line.split(": ", 1)[1] if line.split(":", 1)[0].isdigit() else line for line in lines]


def wrapper_module(memory: bool) -> str:
    """The WAT of a module importing the 46 preview1 functions and exporting ``call_<name>`` for each.

    Its memory is exported as ``memory`` (what WASI uses), or, for a guest
    without memory, as ``scratch``.
    """
    parts = ["(module"]
    for name, (params, results) in FUNCTION_SIGNATURES.items():
        signature = (
            " ".join(f"(param {t.text})" for t in params) + " " + " ".join(f"(result {t.text})" for t in results)
        )
        parts.append(f'(import "wasi_snapshot_preview1" "{name}" (func ${name} {signature}))')
    if memory:
        parts.append('(memory (export "memory") 1)')
    else:
        parts.append('(memory (export "scratch") 1)')
    for name, (params, results) in FUNCTION_SIGNATURES.items():
        signature = (
            " ".join(f"(param {t.text})" for t in params) + " " + " ".join(f"(result {t.text})" for t in results)
        )
        arguments = " ".join(f"(local.get {index})" for index in range(len(params)))
        parts.append(f'(func (export "call_{name}") {signature} (call ${name} {arguments}))')
    parts.append(")")
    return "\n".join(parts)
