"""The WASI preview1 context: the state of one guest program and its 46 functions.

Binding it to an engine (the glue the runtime owns)::

    ctx = WasiContext(args, env, preopens)
    for name, (function_type, function) in ctx.imports().items():
        linker.define(MODULE_NAME, name, HostFunction(function_type, function, name))
    instance = linker.instantiate(module)
    ctx.memory = instance.exports["memory"]       # a MemoryInstance (anything with `view`)
    instance.exports["_start"]()                  # ProcExit(code) for proc_exit; WasiTrap is a Trap

Each function is the method of the same name: it takes the wasm arguments as
canonical ints (i32 and i64 unsigned) and returns the errno (0 for success);
``proc_exit`` raises :class:`~wasmrun.errors.ProcExit`.  A call made while no
memory is attached fails with :class:`~wasmrun.wasi.guest.WasiTrap` ("missing
required memory export"), as in Wasmtime.

The function families (:mod:`~wasmrun.wasi.files`, :mod:`~wasmrun.wasi.paths`,
...) are mixed in on first use, not at import: a run that imports four
functions should not pay for loading all 46 at start-up.  Looking up a
function the class lacks (:meth:`WasiContext.__getattr__`) imports its family
and adds it to the class's bases, in the order of :data:`FAMILIES`, so the
method resolution order is the one the class would have with every family.
Any other missing attribute loads every family before it is declared missing.
Type checkers see the class with all its families.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Iterable
from types import TracebackType
from typing import TYPE_CHECKING, Any

from wasmrun.types import FuncType
from wasmrun.wasi.base import ContextBase, host_text
from wasmrun.wasi.fdtable import STDERR, STDIN, STDOUT, DirectoryEntry, StreamEntry
from wasmrun.wasi.guest import GuestMemory
from wasmrun.wasi.signatures import FUNCTION_TYPES

Text = str | bytes

FAMILIES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("wasmrun.wasi.args", "ArgsFunctions", ("args_", "environ_")),
    ("wasmrun.wasi.poll", "PollFunctions", ("poll_",)),
    ("wasmrun.wasi.clocks", "ClockFunctions", ("clock_",)),
    ("wasmrun.wasi.paths", "PathFunctions", ("path_",)),
    ("wasmrun.wasi.files", "FdFunctions", ("fd_",)),
    ("wasmrun.wasi.process", "ProcessFunctions", ("proc_", "random_", "sched_")),
    ("wasmrun.wasi.sockets", "SocketFunctions", ("sock_",)),
)
"""(module, class, prefixes of its function names) of each family, in method resolution order."""

if TYPE_CHECKING:
    from wasmrun.wasi.args import ArgsFunctions
    from wasmrun.wasi.paths import PathFunctions
    from wasmrun.wasi.poll import PollFunctions
    from wasmrun.wasi.process import ProcessFunctions
    from wasmrun.wasi.sockets import SocketFunctions

    class _Families(ArgsFunctions, PollFunctions, PathFunctions, ProcessFunctions, SocketFunctions):
        pass

else:
    _Families = ContextBase


def family_index(name: str) -> int | None:
    """The index in :data:`FAMILIES` of the family defining the WASI function ``name``, if any."""
    for index, (_, _, prefixes) in enumerate(FAMILIES):
        if name.startswith(prefixes):
            return index
    return None


class WasiContext(_Families):
    """One guest's WASI world.

    ``args``: argv, argv[0] included.  ``env``: (name, value) pairs, in order.
    ``preopens``: (host directory, guest name) pairs, guest fds 3, 4, ... in
    order, or (host directory, guest name, read only) triples: nothing beneath a
    read-only preopen may be changed (``PERM``, as Wasmtime's read-only
    permissions); a host directory that cannot be opened raises :class:`OSError` here.
    ``stdin``/``stdout``/``stderr``: host file descriptors (not owned, never
    closed), None for an empty input / a discarding output; by default the
    process's own 0, 1, 2, read and written unbuffered, byte for byte, only when
    the guest asks.  ``stdout``/``stderr`` may instead be a callable given each
    chunk of bytes the guest writes (an embedder's callback).  ``blocking_sleep``: see :mod:`wasmrun.wasi.poll`.
    """

    def __init__(
        self,
        args: Iterable[Text] = (),
        env: Iterable[tuple[Text, Text]] = (),
        preopens: Iterable[
            tuple[str | bytes | os.PathLike[str], str] | tuple[str | bytes | os.PathLike[str], str, bool]
        ] = (),
        *,
        stdin: int | None = 0,
        stdout: int | Callable[[bytes], object] | None = 1,
        stderr: int | Callable[[bytes], object] | None = 2,
        blocking_sleep: bool = True,
    ) -> None:
        super().__init__()
        self.args = [host_text(arg) for arg in args]
        self.environ = [(host_text(name), host_text(value)) for name, value in env]
        self.blocking_sleep = blocking_sleep
        self.table.push(StreamEntry(STDIN, stdin))
        for kind, target in ((STDOUT, stdout), (STDERR, stderr)):
            if callable(target):
                self.table.push(StreamEntry(kind, None, target))
            else:
                self.table.push(StreamEntry(kind, target))
        try:
            for host_path, guest_path, *read_only in preopens:
                # O_PATH, as Wasmtime (cap-std) opens a preopen: enough to resolve paths beneath it.
                host_fd = os.open(host_path, os.O_PATH | os.O_DIRECTORY | os.O_CLOEXEC)
                self.table.push(DirectoryEntry(host_fd, guest_path, read_only=bool(read_only and read_only[0])))
        except BaseException:
            self.close()
            raise

    if not TYPE_CHECKING:  # (to a type checker, every family is a base already)

        def __getattr__(self, name: str) -> Any:
            index = family_index(name) if not name.startswith("__") else None
            if index is not None:
                _mix_in((index,))
            elif not name.startswith("__"):
                _mix_in(range(len(FAMILIES)))
            return object.__getattribute__(self, name)

    # -- memory -----------------------------------------------------------------------

    @property
    def memory(self) -> Any:
        """The guest's exported memory (attach after instantiation); None until then."""
        return None if self.guest is None else self.guest.memory

    @memory.setter
    def memory(self, memory: Any) -> None:
        self.guest = None if memory is None else GuestMemory(memory)

    # -- binding ----------------------------------------------------------------------

    def imports(self) -> dict[str, tuple[FuncType, Callable[..., int]]]:
        """``name -> (function type, bound method)`` for the 46 ``wasi_snapshot_preview1`` functions."""
        return {name: (function_type, getattr(self, name)) for name, function_type in FUNCTION_TYPES.items()}

    # -- lifetime ---------------------------------------------------------------------

    def close(self) -> None:
        """Close every host descriptor the guest opened (and the preopens); idempotent."""
        self.table.close_all()

    def __enter__(self) -> WasiContext:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()


_mixed_in: set[int] = set()


def _mix_in(indexes: Iterable[int]) -> None:
    """Add the families at ``indexes`` (of :data:`FAMILIES`) to :class:`WasiContext`'s bases."""
    wanted = _mixed_in.union(indexes)
    if wanted == _mixed_in:
        return
    families = []
    for index in sorted(wanted):
        module, name, _ = FAMILIES[index]
        families.append(getattr(importlib.import_module(module), name))
    WasiContext.__bases__ = tuple(families)
    _mixed_in.update(wanted)
