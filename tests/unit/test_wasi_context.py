"""WasiContext: construction, binding, the memory, lifetime.

The "missing memory" expectations were checked against wasmtime-py
(``WASMRUN_WASI_ORACLE=1``); the rest is wasmrun's own interface.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from wasi_harness import Guest, mine_only

from wasmrun.errors import Trap
from wasmrun.runtime.memory import MemoryInstance
from wasmrun.types import FuncType, Limits, MemoryType, ValType
from wasmrun.wasi import FUNCTION_TYPES, WasiContext, WasiTrap


@pytest.mark.parametrize(
    ("name", "args"), [("sched_yield", ()), ("proc_exit", (0,)), ("fd_close", (99,)), ("args_sizes_get", (0, 4))]
)
def test_a_call_without_memory_fails(tmp_path: Path, name: str, args: tuple[int, ...]) -> None:
    g = Guest(tmp_path, memory=False)
    try:
        assert g.trap(name, *args) == ["missing required memory export"]
    finally:
        g.close()


@mine_only
def test_wasi_trap_is_a_trap() -> None:
    with WasiContext() as context, pytest.raises(Trap) as trap:
        context.sched_yield()
    assert isinstance(trap.value, WasiTrap)
    assert trap.value.message == "missing required memory export"


@mine_only
def test_imports_bind_every_function() -> None:
    with WasiContext() as context:
        imports = context.imports()
    assert sorted(imports) == sorted(FUNCTION_TYPES)
    function_type, function = imports["fd_write"]
    assert function_type == FuncType((ValType.I32,) * 4, (ValType.I32,))
    assert function.__name__ == "fd_write"


@mine_only
def test_memory_is_attached_after_construction() -> None:
    memory = MemoryInstance(MemoryType(Limits(1)))
    with WasiContext(["a"]) as context:
        assert context.memory is None
        context.memory = memory
        assert context.memory is memory
        assert context.args_sizes_get(0, 4) == 0
        context.memory = None
        with pytest.raises(WasiTrap):
            context.args_sizes_get(0, 4)
    memory.close()


@mine_only
def test_the_view_is_read_afresh_after_grow() -> None:
    memory = MemoryInstance(MemoryType(Limits(1, 2)))
    with WasiContext(["a"]) as context:
        context.memory = memory
        with pytest.raises(WasiTrap):
            context.args_sizes_get(65536, 65540)
        assert memory.grow(1) == 1
        assert context.args_sizes_get(65536, 65540) == 0
        assert memory.read_u32(65536) == 1
    memory.close()


@mine_only
def test_arguments_and_environment_as_bytes_or_text() -> None:
    memory = MemoryInstance(MemoryType(Limits(1)))
    with WasiContext([b"raw\xff", "text"], [("K", b"v")]) as context:
        context.memory = memory
        assert context.args_get(0, 100) == 0
        assert memory.read(100, 10) == b"raw\xff\0text\0"
        assert context.environ_get(0, 200) == 0
        assert memory.read(200, 4) == b"K=v\0"
    memory.close()


@mine_only
def test_preopens_are_numbered_from_3_in_order(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    memory = MemoryInstance(MemoryType(Limits(1)))
    with WasiContext(preopens=[(tmp_path / "a", "/first"), (str(tmp_path / "b"), "second")]) as context:
        context.memory = memory
        assert context.fd_prestat_dir_name(3, 0, 6) == 0
        assert memory.read(0, 6) == b"/first"
        assert context.fd_prestat_dir_name(4, 0, 6) == 0
        assert memory.read(0, 6) == b"second"
    memory.close()


@mine_only
def test_a_missing_preopen_fails_construction(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        WasiContext(preopens=[(tmp_path / "absent", "/x")])
    (tmp_path / "file").write_bytes(b"")
    with pytest.raises(NotADirectoryError):
        WasiContext(preopens=[(tmp_path / "file", "/x")])


@mine_only
def test_close_releases_host_descriptors(tmp_path: Path) -> None:
    def open_count() -> int:
        return len(os.listdir("/proc/self/fd"))

    before = open_count()
    memory = MemoryInstance(MemoryType(Limits(1)))
    context = WasiContext(preopens=[(tmp_path, "/sb")])
    context.memory = memory
    memory.write(0, b"new")
    assert context.path_open(3, 1, 0, 3, 1, 2, 0, 0, 16) == 0
    assert open_count() == before + 2
    context.close()
    context.close()
    assert open_count() == before
    memory.close()


@mine_only
def test_default_stdio_is_the_process_own(capfd: pytest.CaptureFixture[str]) -> None:
    memory = MemoryInstance(MemoryType(Limits(1)))
    with WasiContext() as context:
        context.memory = memory
        memory.write(0, b"\x08\0\0\0\x05\0\0\0out\xc3\xa9")
        assert context.fd_write(1, 0, 1, 32) == 0
        assert context.fd_write(2, 0, 1, 32) == 0
    assert capfd.readouterr() == ("outé", "outé")
    memory.close()


@pytest.mark.parametrize("name", sorted(FUNCTION_TYPES))
def test_each_function_is_found_in_the_family_the_context_mixes_in_for_it(name: str) -> None:
    """The families are mixed in on first use, chosen by name prefix: each prefix leads to its definer."""
    import importlib

    from wasmrun.wasi.context import FAMILIES, family_index

    index = family_index(name)
    assert index is not None
    module, class_name, _ = FAMILIES[index]
    assert name in vars(getattr(importlib.import_module(module), class_name))
