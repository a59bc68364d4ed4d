"""Implementation limits (wasmrun.limits): Wasmtime's numbers and texts, applied at validation.

Each module is built byte by byte, one just over a limit and one at it; the texts are Wasmtime's,
and where wasmtime-py is installed the same modules are checked against it.
"""

from __future__ import annotations

import resource
import time

import pytest
from wasm_bytes import HEADER, I32, body, functype, name, section, u32, vec

from wasmrun.errors import DecodeError, LimitExceeded
from wasmrun.limits import (
    MAX_DATA_SEGMENTS,
    MAX_ELEMENT_SEGMENTS,
    MAX_FUNCTION_LOCALS,
    MAX_FUNCTION_PARAMS,
    MAX_FUNCTION_RETURNS,
    MAX_FUNCTION_SIZE,
    MAX_MEMORIES,
    MAX_STRING_SIZE,
    MAX_TABLES,
    MAX_TYPES,
)
from wasmrun.loader import Module

END = b"\x0b"
NOP = b"\x01"


def one_function(params: int = 0, code: bytes = END, *locals_: tuple[int, int]) -> bytes:
    return (
        HEADER
        + section(1, vec(functype(bytes([I32]) * params)))
        + section(3, vec(u32(0)))
        + section(10, vec(body(code, *locals_)))
    )


def passive_data(count: int) -> bytes:
    return HEADER + section(11, u32(count) + b"\x01\x00" * count)


def passive_elements(count: int) -> bytes:
    return HEADER + section(9, u32(count) + b"\x01\x00\x00" * count)


# name -> (a module at the limit, one just over it, Wasmtime's text for the second)
LIMITS: dict[str, tuple[bytes, bytes, str]] = {
    "locals": (
        one_function(0, END, (MAX_FUNCTION_LOCALS, I32)),
        one_function(0, END, (MAX_FUNCTION_LOCALS + 1, I32)),
        "too many locals: locals exceed maximum",
    ),
    "parameters and locals": (
        one_function(1000, END, (MAX_FUNCTION_LOCALS - 1000, I32)),
        one_function(1000, END, (MAX_FUNCTION_LOCALS - 1000, I32), (1, I32)),
        "too many locals: locals exceed maximum",
    ),
    "function size": (
        one_function(0, NOP * (MAX_FUNCTION_SIZE - 2) + END),
        one_function(0, NOP * (MAX_FUNCTION_SIZE - 1) + END),
        f"function body size count exceeds limit of {MAX_FUNCTION_SIZE}",
    ),
    "parameters": (
        HEADER + section(1, vec(functype(bytes([I32]) * MAX_FUNCTION_PARAMS))),
        HEADER + section(1, vec(functype(bytes([I32]) * (MAX_FUNCTION_PARAMS + 1)))),
        "function params size is out of bounds",
    ),
    "results": (
        HEADER + section(1, vec(functype(b"", bytes([I32]) * MAX_FUNCTION_RETURNS))),
        HEADER + section(1, vec(functype(b"", bytes([I32]) * (MAX_FUNCTION_RETURNS + 1)))),
        "function returns size is out of bounds",
    ),
    "types": (
        HEADER + section(1, u32(MAX_TYPES) + functype() * MAX_TYPES),
        HEADER + section(1, u32(MAX_TYPES + 1) + functype() * (MAX_TYPES + 1)),
        f"types count exceeds limit of {MAX_TYPES}",
    ),
    "tables": (
        HEADER + section(4, u32(MAX_TABLES) + b"\x70\x00\x00" * MAX_TABLES),
        HEADER + section(4, u32(MAX_TABLES + 1) + b"\x70\x00\x00" * (MAX_TABLES + 1)),
        f"tables count exceeds limit of {MAX_TABLES}",
    ),
    "memories": (
        # Over one memory is the multi-memory proposal: at the limit is not valid yet, but not for its count.
        HEADER + section(5, vec(b"\x00\x00")),
        HEADER + section(5, u32(MAX_MEMORIES + 1) + b"\x00\x00" * (MAX_MEMORIES + 1)),
        f"memories count exceeds limit of {MAX_MEMORIES}",
    ),
    "data segments": (
        passive_data(MAX_DATA_SEGMENTS),
        passive_data(MAX_DATA_SEGMENTS + 1),
        f"data segments count exceeds limit of {MAX_DATA_SEGMENTS}",
    ),
    "element segments": (
        passive_elements(MAX_ELEMENT_SEGMENTS),
        passive_elements(MAX_ELEMENT_SEGMENTS + 1),
        f"element segments count exceeds limit of {MAX_ELEMENT_SEGMENTS}",
    ),
    "export name": (
        HEADER + section(0, name("x" * MAX_STRING_SIZE)),
        HEADER + section(0, name("x" * (MAX_STRING_SIZE + 1))),
        "string size out of bounds",
    ),
}


@pytest.mark.parametrize("limit", list(LIMITS))
def test_a_module_over_a_limit_is_refused_with_wasmtimes_text(limit: str) -> None:
    _at, over, message = LIMITS[limit]
    with pytest.raises(LimitExceeded) as caught:
        Module.from_bytes(over)
    assert caught.value.message == message


@pytest.mark.parametrize("limit", list(LIMITS))
def test_a_module_at_a_limit_is_not_refused_for_it(limit: str) -> None:
    at, _over, _message = LIMITS[limit]
    try:
        Module.from_bytes(at)
    except LimitExceeded as error:
        pytest.fail(f"refused at the limit: {error}")
    except Exception:  # other rules may refuse it (one memory only); not this limit
        pass


@pytest.mark.parametrize("limit", list(LIMITS))
def test_wasmtime_draws_the_line_at_the_same_place(limit: str) -> None:
    wasmtime = pytest.importorskip("wasmtime")
    at, over, message = LIMITS[limit]
    engine = wasmtime.Engine(_all_proposals(wasmtime))
    wasmtime.Module.validate(engine, at)
    with pytest.raises(wasmtime.WasmtimeError, match=message):
        wasmtime.Module.validate(engine, over)


def _all_proposals(wasmtime: object) -> object:
    config = wasmtime.Config()  # type: ignore[attr-defined]
    config.wasm_multi_memory = True
    return config


def test_the_locals_error_names_the_declaration_that_goes_over() -> None:
    module = one_function(0, END, (30_000, I32), (30_000, I32))
    with pytest.raises(LimitExceeded) as caught:
        Module.from_bytes(module)
    # The second declaration starts at byte 27 (Wasmtime reports the same offset).
    assert caught.value.offset == 27


def test_too_many_locals_for_the_binary_format_is_still_malformed() -> None:
    with pytest.raises(DecodeError, match="too many locals"):
        Module.from_bytes(one_function(0, END, (0xFFFFFFFF, I32), (2, I32)))


def test_four_billion_locals_are_refused_at_once_in_little_memory() -> None:
    """The 37-byte module that grew memory past 9 GB: refused in well under a second and 100 MB."""
    started = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(LimitExceeded):
        Module.from_bytes(one_function(0, END, (0xFFFFFFFF, I32)))
    assert time.perf_counter() - started < 1.0
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 100_000  # KiB
