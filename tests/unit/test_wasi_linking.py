"""Defining a WASI context's functions in a linker (wasmrun/wasi/linking.py)."""

from __future__ import annotations

import pytest

from wasmrun.deftypes import function_type as canonical_function_type
from wasmrun.engine.interpreter import Interpreter
from wasmrun.loader import load_module
from wasmrun.runtime.functions import HostFunction
from wasmrun.runtime.linker import Linker
from wasmrun.runtime.store import Store
from wasmrun.wasi.abi import FUNCTION_TYPES, MODULE_NAME
from wasmrun.wasi.context import WasiContext
from wasmrun.wasi.linking import UNSTABLE_MODULE_NAME, WASI_FUNCTIONS, define_wasi, imports_wasi

SNAPSHOT_0_DIFFERENT = {"fd_seek", "fd_filestat_get", "path_filestat_get", "poll_oneoff", "sock_accept"}


def test_preview1_has_every_function() -> None:
    assert WASI_FUNCTIONS[MODULE_NAME] == set(FUNCTION_TYPES)
    assert len(FUNCTION_TYPES) == 46


def test_snapshot_0_has_the_functions_whose_abi_is_the_same() -> None:
    assert WASI_FUNCTIONS[UNSTABLE_MODULE_NAME] == set(FUNCTION_TYPES) - SNAPSHOT_0_DIFFERENT


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('(module (import "wasi_snapshot_preview1" "sched_yield" (func (result i32))))', True),
        ('(module (import "wasi_unstable" "sched_yield" (func (result i32))))', True),
        ('(module (import "env" "f" (func)))', False),
        ("(module)", False),
    ],
)
def test_imports_wasi(text: str, expected: bool) -> None:
    assert imports_wasi(load_module(text.encode())) is expected


@pytest.fixture
def linker() -> Linker:
    return Linker(Store(Interpreter()))


def test_only_the_imported_functions_are_defined(linker: Linker) -> None:
    module = load_module(
        b'(module (import "wasi_unstable" "fd_write" (func (param i32 i32 i32 i32) (result i32)))'
        b' (import "wasi_unstable" "fd_seek" (func (param i32 i64 i32 i32) (result i32)))'
        b' (import "env" "fd_read" (func (param i32 i32 i32 i32) (result i32))))'
    )
    with WasiContext() as context:
        define_wasi(linker, context, module)
    defined = linker.get(UNSTABLE_MODULE_NAME, "fd_write")
    assert isinstance(defined, HostFunction) and defined.type is canonical_function_type(FUNCTION_TYPES["fd_write"])
    assert linker.get(UNSTABLE_MODULE_NAME, "fd_seek") is None  # snapshot 0's layout differs
    assert linker.get("env", "fd_read") is None
    assert linker.get(MODULE_NAME, "fd_write") is None


def test_without_a_module_everything_is_defined(linker: Linker) -> None:
    with WasiContext() as context:
        define_wasi(linker, context)
    for module_name, names in WASI_FUNCTIONS.items():
        assert all(isinstance(linker.get(module_name, name), HostFunction) for name in names)
