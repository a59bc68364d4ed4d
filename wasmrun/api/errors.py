"""The API's exceptions as wasmtime-py has them, and the one place wasmrun's errors become them.

:class:`WasmtimeError` is every failure that is not a trap (a module that does not decode or
validate, a link error, a refused operation); :class:`ExitTrap` is a WASI ``proc_exit``, a
``WasmtimeError`` with the exit ``code``; :class:`~wasmrun.api.trap.Trap` (not a ``WasmtimeError``,
as in wasmtime-py) is a WebAssembly trap.  :func:`translated_errors` converts wasmrun's exceptions
at the API's boundary; an exception a host function raises reaches the caller as it is.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING

from wasmrun.errors import ProcExit, Trap, WasmError

if TYPE_CHECKING:
    from wasmrun.module import Module


class WasmtimeError(Exception):
    """An error of the embedding API: anything that goes wrong that is not a trap."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ExitTrap(WasmtimeError):
    """A WASI program's ``proc_exit``: ``code`` is the exit status it gave."""

    def __init__(self, code: int) -> None:
        super().__init__(f"Exited with i32 exit status {code}")
        self.code = code


@contextlib.contextmanager
def translated_errors(module: Module | None = None) -> Iterator[None]:
    """Run the body with wasmrun's traps, exits and errors raised as the API's exceptions (a trap's
    frames named from ``module``, the module of the code called, if given)."""
    from wasmrun.api.trap import trap_of
    from wasmrun.runtime.gc import GcHeapOutOfMemory

    try:
        yield
    except GcHeapOutOfMemory as error:  # not a trap in Wasmtime: an error with the wasm backtrace
        raise WasmtimeError(trap_of(error, module, is_trap=False).message) from None
    except Trap as trap:
        raise trap_of(trap, module) from None
    except ProcExit as exit_:
        raise ExitTrap(exit_.code) from None
    except WasmError as error:
        raise WasmtimeError(str(error)) from None
