"""The canonical ABI's trap texts, one place.

Wasmtime words the same failure two ways: its host-side lifting and lowering (a call from or to
the host) says, say, ``string pointer/length out of bounds of memory``, and the adapter it compiles
between two components says ``string content out-of-bounds``.  Here a component-to-component call
goes through the same lifting and lowering as a host call, so a text that has both gives the
adapter's words first and the host's detail after a colon: a script expecting either finds it.
"""

from __future__ import annotations

from wasmrun.errors import Trap

CANNOT_ENTER = "cannot enter component instance"
CANNOT_LEAVE = "cannot leave component instance"
BORROWS_REMAIN = "borrow handles still remain at the end of the call"
UNCAUGHT_EXCEPTION = "uncaught exception propagated out of component"

STRING_OUT_OF_BOUNDS = "string content out-of-bounds: string pointer/length out of bounds of memory"
STRING_MISALIGNED = "unaligned pointer: string pointer not aligned to 2"
STRING_TOO_LONG = "string content out-of-bounds: string byte length too large"
LIST_OUT_OF_BOUNDS = "list content out-of-bounds: list pointer/length out of bounds of memory"
LIST_MISALIGNED = "unaligned pointer: list pointer is not aligned"
LIST_TOO_LONG = "list content out-of-bounds: list byte length too large"
POINTER_OUT_OF_BOUNDS = "out of bounds memory access: pointer out of bounds of memory"
POINTER_MISALIGNED = "unaligned pointer: pointer not aligned"
REALLOC_MISALIGNED = "unaligned pointer: realloc return: result not aligned"
REALLOC_OUT_OF_BOUNDS = "realloc return: beyond end of memory"

# The async built-ins (Wasmtime's texts).
NO_ASYNC_RESULT = "async-lifted export failed to produce a result"
DEADLOCK = "deadlock detected: event loop cannot make further progress"
CANNOT_BLOCK_SYNC_TASK = "cannot block a synchronous task before returning"
TASK_RETURN_TWICE = "`task.return` or `task.cancel` called more than once for current task"
TASK_RETURN_INVALID = "invalid `task.return` signature and/or options for current task"
TASK_CANCEL_NOT_CANCELLED = "`task.cancel` called by task which has not been cancelled"
BACKPRESSURE_OVERFLOW = "backpressure counter overflow"
UNSUPPORTED_CALLBACK_CODE = "unsupported callback code"

CANNOT_REMOVE_BORROWED = "cannot remove owned resource while borrowed"
HANDLE_TABLE_FULL = "handle table full: too many handles in one component instance"


def realloc_out_of_bounds(content: str) -> str:
    """``realloc`` gave memory past the end, for a ``list`` or ``string`` (or anything, ``content`` empty)."""
    return f"{content} content out-of-bounds: {REALLOC_OUT_OF_BOUNDS}" if content else REALLOC_OUT_OF_BOUNDS


def invalid_discriminant(index: int, count: int) -> Trap:
    return Trap(f"invalid variant discriminant: discriminant {index} out of range [0..{count})")


def invalid_char(value: int) -> Trap:
    return Trap(f"invalid `char` bit pattern: {value:#x} is not a Unicode scalar value")


def invalid_utf8(error: UnicodeDecodeError) -> Trap:
    # Rust's Utf8Error words (what Wasmtime shows): an incomplete sequence ends the input.
    if error.reason == "unexpected end of data":
        return Trap(f"incomplete utf-8 byte sequence from index {error.start}")
    return Trap(f"invalid utf-8 sequence of {error.end - error.start} bytes from index {error.start}")


def invalid_utf16(error: UnicodeDecodeError) -> Trap:
    unit = int.from_bytes(error.object[error.start : error.start + 2], "little")
    return Trap(f"invalid utf-16: unpaired surrogate found: {unit:x}")


def unknown_handle(index: int) -> Trap:
    return Trap(f"unknown handle index {index}")


def wrong_handle_type(index: int, expected_host: bool, found_host: bool) -> Trap:
    expected = "host-defined" if expected_host else "guest-defined"
    found = "host-defined" if found_host else "guest-defined"
    return Trap(
        f"handle index {index} used with the wrong type, expected {expected} resource "
        f"but found a different {found} resource"
    )


def not_owned(index: int) -> Trap:
    return Trap(f"handle index {index} is a borrow, not an owned resource")
