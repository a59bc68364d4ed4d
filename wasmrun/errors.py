"""The whole error tree of wasmrun, and the trap texts.

Every failure a WebAssembly program or a user's input can cause is one of these
exceptions; the CLI maps them to exit codes and messages in one place
(``wasmrun.cli.errors``).  Messages contain the texts that the reference
interpreter (and so the spec test suite) expects.
"""

from __future__ import annotations

from typing import Any


class WasmError(Exception):
    """Base of every error wasmrun reports to a user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class DecodeError(WasmError):
    """The binary is malformed (spec: *malformed*).  ``offset`` is a byte offset."""

    def __init__(self, message: str, offset: int | None = None) -> None:
        super().__init__(message)
        self.offset = offset

    def __str__(self) -> str:
        if self.offset is None:
            return self.message
        return f"{self.message} (at offset 0x{self.offset:x})"


class TextSyntaxError(WasmError):
    """The text (WAT or WAST) is malformed.  ``line``/``column`` are 1-based."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(message)
        self.line = line
        self.column = column

    def __str__(self) -> str:
        if self.line is None:
            return self.message
        return f"{self.message} (at line {self.line}, column {self.column})"


class ValidationError(WasmError):
    """The module is well-formed but invalid (spec: *invalid*)."""

    def __init__(self, message: str, offset: int | None = None) -> None:
        super().__init__(message)
        self.offset = offset

    def __str__(self) -> str:
        if self.offset is None:
            return self.message
        return f"{self.message} (at offset 0x{self.offset:x})"


class LimitExceeded(ValidationError):
    """The module is valid by the specification but exceeds an implementation limit (:mod:`wasmrun.limits`)."""


class LinkError(WasmError):
    """Imports could not be resolved (``unknown import``, ``incompatible import type``)."""


class InstantiationError(WasmError):
    """Instantiation failed for a reason other than a trap (e.g. a memory over the cap)."""


class ResourceError(WasmError):
    """The host could not provide a resource (e.g. a failed memory reservation)."""


class UnsupportedInstruction(WasmError):
    """Code uses an instruction this engine does not execute (SIMD); raised when it is translated."""


class Trap(WasmError):
    """A WebAssembly trap.  ``message`` is one of the texts in :data:`TRAP_MESSAGES`.

    ``frames`` is filled in by the engine as the trap unwinds: a list of
    ``(function_index, code_offset)`` pairs, innermost first.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.frames: list[tuple[int, int]] = []


class HostError(Trap):
    """An error a host function raised while wasm code ran, not one of wasm's traps: an unknown import
    linked to fail when called (``-W unknown-imports-trap``), a grow forced to fail (``-W trap-on-grow-failure``).

    It unwinds as a trap (its frames are recorded); Wasmtime reports it in a trap's layout with its own
    text last (no ``wasm trap:``) and exit status 1, as it reports every error that is not a trap.
    """


class WasmException(Trap):
    """A wasm exception that no ``try_table`` caught (exception handling): ``exception`` is the exception
    instance (its ``tag`` and ``payload``), the value an ``exnref`` refers to.

    Inside wasm code it unwinds as a Python exception until a ``try_table`` of a matching tag catches it.
    """

    def __init__(self, exception: Any) -> None:
        # What Trap.__init__ and its bases set, without their three calls: a program may throw an exception
        # per loop iteration (exceptions as control flow), where those calls were a sixth of the time.
        self.args = (TRAP_THROWN,)
        self.message = TRAP_THROWN
        self.frames = []
        self.exception = exception

    @property
    def tag(self) -> Any:
        return self.exception.tag

    @property
    def payload(self) -> tuple[Any, ...]:
        return tuple(self.exception.payload)


class CacheConfigError(WasmError):
    """A code cache configuration file (Wasmtime's TOML, ``-C cache-config=FILE``) that cannot be read or used."""


class PrecompiledError(WasmError):
    """A precompiled module (``wasmrun compile``'s ``.cwasm``) that this wasmrun refuses to run: made by
    another build of wasmrun or for another Python, damaged, or compiled with other proposals."""


class ProcExit(Exception):
    """A WASI ``proc_exit``: not an error, the program's requested exit status."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


# The trap texts, one place.  Keys are the spec's trap kinds; values are the texts
# Wasmtime prints, each of which contains the spec test suite's expected text.
TRAP_UNREACHABLE = "wasm `unreachable` instruction executed"
TRAP_MEMORY_OUT_OF_BOUNDS = "out of bounds memory access"
TRAP_TABLE_OUT_OF_BOUNDS = "out of bounds table access"
TRAP_UNDEFINED_ELEMENT = "undefined element: out of bounds table access"
TRAP_UNINITIALIZED_ELEMENT = "uninitialized element"
TRAP_INDIRECT_CALL_TYPE = "indirect call type mismatch"
TRAP_INTEGER_DIVIDE_BY_ZERO = "integer divide by zero"
TRAP_INTEGER_OVERFLOW = "integer overflow"
TRAP_INVALID_CONVERSION = "invalid conversion to integer"
TRAP_CALL_STACK_EXHAUSTED = "call stack exhausted"
TRAP_OUT_OF_FUEL = "all fuel consumed by WebAssembly"
TRAP_INTERRUPT = "interrupt"
TRAP_THROWN = "thrown Wasm exception"  # an exception no try_table caught (Wasmtime's last cause)
TRAP_NULL_EXCEPTION_REFERENCE = "null exception reference"
TRAP_NULL_FUNCTION_REFERENCE = "null function reference"
TRAP_NULL_REFERENCE = "null reference"
TRAP_UNALIGNED_ATOMIC = "unaligned atomic"
TRAP_EXPECTED_SHARED_MEMORY = "expected shared memory"
