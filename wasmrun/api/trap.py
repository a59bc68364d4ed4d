"""Traps as wasmtime-py reports them: :class:`Trap` with its :class:`TrapCode` and :class:`Frame` list.

:data:`TRAP_CODES` is the one table from wasmrun's trap texts (:mod:`wasmrun.errors`) to codes.
"""

from __future__ import annotations

import enum

from wasmrun import errors
from wasmrun.binary.decoder import body_size
from wasmrun.debug.backtrace import DEFAULT_MAX_FRAMES, HEADER, backtrace_lines
from wasmrun.module import Module


class TrapCode(enum.Enum):
    """Why code trapped (Wasmtime's trap codes; those for components and stack switching included,
    which wasmrun's core modules never raise)."""

    STACK_OVERFLOW = 0
    MEMORY_OUT_OF_BOUNDS = 1
    HEAP_MISALIGNED = 2
    TABLE_OUT_OF_BOUNDS = 3
    INDIRECT_CALL_TO_NULL = 4
    BAD_SIGNATURE = 5
    INTEGER_OVERFLOW = 6
    INTEGER_DIVISION_BY_ZERO = 7
    BAD_CONVERSION_TO_INTEGER = 8
    UNREACHABLE = 9
    INTERRUPT = 10
    OUT_OF_FUEL = 11
    ATOMIC_WAIT_NON_SHARED_MEMORY = 12
    NULL_REFERENCE = 13
    ARRAY_OUT_OF_BOUNDS = 14
    ALLOCATION_TOO_LARGE = 15
    CAST_FAILURE = 16
    CANNOT_ENTER_COMPONENT = 17
    NO_ASYNC_RESULT = 18
    UNHANDLED_TAG = 19
    CONTINUATION_ALREADY_CONSUMED = 20
    DISABLED_OPCODE = 21
    ASYNC_DEADLOCK = 22
    CANNOT_LEAVE_COMPONENT = 23
    CANNOT_BLOCK_SYNC_TASK = 24
    INVALID_CHAR = 25
    DEBUG_ASSERT_STRING_ENCODING_FINISHED = 26
    DEBUG_ASSERT_EQUAL_CODE_UNITS = 27
    DEBUG_ASSERT_POINTER_ALIGNED = 28
    DEBUG_ASSERT_UPPER_BITS_UNSET = 29
    STRING_OUT_OF_BOUNDS = 30
    LIST_OUT_OF_BOUNDS = 31
    INVALID_DISCRIMINANT = 32
    UNALIGNED_POINTER = 33
    TASK_CANCEL_NOT_CANCELLED = 34
    TASK_CANCEL_OR_RETURN_TWICE = 35
    SUBTASK_CANCEL_AFTER_TERMINAL = 36
    TASK_RETURN_INVALID = 37
    WAITABLE_SET_DROP_HAS_WAITERS = 38
    SUBTASK_DROP_NOT_RESOLVED = 39
    THREAD_NEW_INDIRECT_INVALID_TYPE = 40
    THREAD_NEW_INDIRECT_UNINITIALIZED = 41
    BACKPRESSURE_OVERFLOW = 42
    UNSUPPORTED_CALLBACK_CODE = 43
    CANNOT_RESUME_THREAD = 44
    CONCURRENT_FUTURE_STREAM_OP = 45
    REFERENCE_COUNT_OVERFLOW = 46
    STREAM_OP_TOO_BIG = 47
    WAITABLE_SYNC_AND_ASYNC = 48
    UNCAUGHT_EXCEPTION = 49


# wasmrun's trap text (or the start of it: "uninitialized element 3") -> its code, as Wasmtime classifies it.
TRAP_CODES: tuple[tuple[str, TrapCode], ...] = (
    (errors.TRAP_UNREACHABLE, TrapCode.UNREACHABLE),
    (errors.TRAP_MEMORY_OUT_OF_BOUNDS, TrapCode.MEMORY_OUT_OF_BOUNDS),
    (errors.TRAP_UNDEFINED_ELEMENT, TrapCode.TABLE_OUT_OF_BOUNDS),
    (errors.TRAP_TABLE_OUT_OF_BOUNDS, TrapCode.TABLE_OUT_OF_BOUNDS),
    (errors.TRAP_UNINITIALIZED_ELEMENT, TrapCode.INDIRECT_CALL_TO_NULL),
    (errors.TRAP_INDIRECT_CALL_TYPE, TrapCode.BAD_SIGNATURE),
    (errors.TRAP_INTEGER_DIVIDE_BY_ZERO, TrapCode.INTEGER_DIVISION_BY_ZERO),
    (errors.TRAP_INTEGER_OVERFLOW, TrapCode.INTEGER_OVERFLOW),
    (errors.TRAP_INVALID_CONVERSION, TrapCode.BAD_CONVERSION_TO_INTEGER),
    (errors.TRAP_CALL_STACK_EXHAUSTED, TrapCode.STACK_OVERFLOW),
    (errors.TRAP_OUT_OF_FUEL, TrapCode.OUT_OF_FUEL),
    (errors.TRAP_INTERRUPT, TrapCode.INTERRUPT),
    (errors.TRAP_THROWN, TrapCode.UNCAUGHT_EXCEPTION),
    (errors.TRAP_NULL_EXCEPTION_REFERENCE, TrapCode.NULL_REFERENCE),
    (errors.TRAP_NULL_FUNCTION_REFERENCE, TrapCode.NULL_REFERENCE),
    (errors.TRAP_NULL_REFERENCE, TrapCode.NULL_REFERENCE),
    (errors.TRAP_UNALIGNED_ATOMIC, TrapCode.HEAP_MISALIGNED),
    (errors.TRAP_EXPECTED_SHARED_MEMORY, TrapCode.ATOMIC_WAIT_NON_SHARED_MEMORY),
)


def trap_code_of(message: str) -> TrapCode | None:
    """The code of the trap with wasmrun's text ``message`` (None for a trap Wasmtime gives none)."""
    for text, code in TRAP_CODES:
        if message.startswith(text):
            return code
    return None


class Frame:
    """One frame of a trap's backtrace, innermost first: the function and where in it."""

    def __init__(
        self, func_index: int, module_offset: int, func_offset: int, func_name: str | None, module_name: str | None
    ) -> None:
        self._module_name = module_name
        self._func_index = func_index
        self._module_offset = module_offset
        self._func_offset = func_offset
        self._func_name = func_name

    @property
    def func_index(self) -> int:
        """The function's index in its module's function index space."""
        return self._func_index

    @property
    def func_name(self) -> str | None:
        """The function's name from the module's name section, if it has one."""
        return self._func_name

    @property
    def module_name(self) -> str | None:
        """The module's name from its name section, if it has one."""
        return self._module_name

    @property
    def module_offset(self) -> int:
        """The byte offset of the trapping instruction in the module."""
        return self._module_offset

    @property
    def func_offset(self) -> int:
        """The byte offset of the trapping instruction from the start of its function's body."""
        return self._func_offset

    def __repr__(self) -> str:
        return f"Frame(func_index={self._func_index}, module_offset={self._module_offset:#x})"


class Trap(Exception):
    """A WebAssembly trap (not a :class:`~wasmrun.api.errors.WasmtimeError`, as in wasmtime-py).

    Its text is Wasmtime's: the wasm backtrace, then ``Caused by:`` and the trap's own text.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self._reason = message
        self._text = message
        self._frames: list[Frame] = []

    @property
    def message(self) -> str:
        """The trap's text, as :func:`str` gives it."""
        return self._text

    @property
    def frames(self) -> list[Frame]:
        """The wasm frames active when it trapped, innermost first."""
        return list(self._frames)

    @property
    def trap_code(self) -> TrapCode | None:
        """Why it trapped (None for a trap raised by the host with a message of its own)."""
        return trap_code_of(self._reason)

    def __str__(self) -> str:
        return self._text


def trap_of(trap: errors.Trap, module: Module | None = None, *, is_trap: bool = True) -> Trap:
    """The API's :class:`Trap` for wasmrun's ``trap``, with its frames (named from ``module``, the module
    of the function called, if given: a frame of another module's function is named as if it were there).
    ``is_trap`` False: an error that unwinds as a trap but is not one (its text without ``wasm trap:``)."""
    result = Trap(trap.message)
    frames = trap.frames[:DEFAULT_MAX_FRAMES]  # the innermost, as many as Wasmtime captures by default
    for func_index, offset in frames:
        name = module.names.functions.get(func_index) if module is not None else None
        module_name = module.names.module if module is not None else None
        start = _body_start(module, func_index)
        result._frames.append(Frame(func_index, max(offset, 0), max(offset - start, 0), name, module_name))
    cause = f"wasm trap: {trap.message}" if is_trap else trap.message
    lines = backtrace_lines(module, frames, max_frames=None, details=False) if module is not None else []
    if lines:
        result._text = "\n".join((HEADER, *lines, "", "Caused by:", f"    {cause}", ""))
    else:
        result._text = cause
    return result


def _body_start(module: Module | None, func_index: int) -> int:
    if module is None or not module.num_imported_functions <= func_index < len(module.func_type_indices):
        return 0
    body = module.body(func_index)
    return body.end - body_size(module.raw, body)  # the body after its size field, as Wasmtime counts
