"""The threads proposal, single-threaded: shared memories, atomic accesses, wait, notify and fence."""

from __future__ import annotations

from typing import Any

import pytest

from wasmrun.embedding import Store
from wasmrun.engine.interpreter import Interpreter
from wasmrun.errors import TRAP_EXPECTED_SHARED_MEMORY, TRAP_UNALIGNED_ATOMIC, Trap, ValidationError
from wasmrun.features import ALL_FEATURES, Features, proposals_used
from wasmrun.loader import Module
from wasmrun.runtime.instance import Instance
from wasmrun.runtime.linker import Linker
from wasmrun.text.wat import parse_module

CONFIGS: dict[str, dict[str, Any]] = {
    "unfused": {"engine": "interp", "fuse": False},
    "runs": {"engine": "interp", "hot_threshold": 0},
    "compile": {"engine": "compile"},
    "auto": {"engine": "auto", "compile_threshold": 1},
}
SHARED = Features(shared_memory=True)


@pytest.fixture(params=list(CONFIGS), ids=list(CONFIGS))
def config(request: pytest.FixtureRequest) -> dict[str, Any]:
    return CONFIGS[request.param]


def instantiate(wat: str, **options: Any) -> Instance:
    module = Module.from_bytes(parse_module(wat), features=SHARED)
    return Linker(Store(Interpreter(**options))).instantiate(module)


ATOMICS = """
(module
  (memory $m 1 1 shared)
  (memory $plain 1)
  (func (export "rmw") (result i64)
    (i64.atomic.store (i32.const 8) (i64.const 0x1_0000_00FF))
    (drop (i64.atomic.rmw.add (i32.const 8) (i64.const 1)))
    (drop (i32.atomic.rmw8.add_u (i32.const 8) (i32.const 0x101)))  ;; the low byte wraps: 0x00 + 0x01
    (drop (i64.atomic.rmw32.cmpxchg_u (i32.const 8) (i64.const 0x1_0000_0101) (i64.const 7)))  ;; expected wraps
    (atomic.fence)
    (i64.atomic.load (i32.const 8)))
  (func (export "load32") (param i32) (result i32) (i32.atomic.load (local.get 0)))
  (func (export "notify") (result i32) (memory.atomic.notify (i32.const 0) (i32.const 5)))
  (func (export "wait") (param i32 i64) (result i32)
    (memory.atomic.wait32 (i32.const 0) (local.get 0) (local.get 1)))
  (func (export "wait_unshared") (result i32)
    (memory.atomic.wait64 $plain (i32.const 0) (i64.const 0) (i64.const 0)))
)
"""


def test_atomics(config: dict[str, Any]) -> None:
    exports = instantiate(ATOMICS, **config).exports
    assert exports["rmw"]() == 0x1_0000_0007
    assert exports["load32"](8) == 7
    with pytest.raises(Trap, match=TRAP_UNALIGNED_ATOMIC):
        exports["load32"](2)
    with pytest.raises(Trap, match="out of bounds"):
        exports["load32"](65536)
    assert exports["notify"]() == 0
    assert exports["wait"](1, 0) == 1  # not-equal
    assert exports["wait"](0, 1_000_000) == 2  # timed out after 1 ms
    with pytest.raises(Trap, match=TRAP_EXPECTED_SHARED_MEMORY):
        exports["wait_unshared"]()


def test_shared_memories_are_switched() -> None:
    data = parse_module("(module (memory 1 2 shared))")
    with pytest.raises(ValidationError, match="shared-memory"):
        Module.from_bytes(data)
    module = Module.from_bytes(data, features=SHARED)
    assert module.memory_types[0].shared
    assert proposals_used(module) == ("threads",)
    with pytest.raises(ValidationError, match="shared memory must have maximum"):
        Module.from_bytes(parse_module("(module (memory 1 shared))"), features=SHARED)
    with pytest.raises(ValidationError, match="alignment must be equal to natural"):
        Module.from_bytes(parse_module("(module (memory 1) (func (drop (i32.atomic.load align=2 (i32.const 0)))))"))
    atomics = parse_module("(module (memory 1) (func (drop (i32.atomic.load (i32.const 0)))))")
    assert proposals_used(Module.from_bytes(atomics)) == ("threads",)
    with pytest.raises(ValidationError, match="threads"):
        Module.from_bytes(atomics, features=ALL_FEATURES.without("threads"))


def test_atomics_compile() -> None:
    from wasmrun.codegen import compiled

    exports = instantiate(ATOMICS, engine="compile").exports
    assert exports["rmw"]() == 0x1_0000_0007
    assert compiled.code_info(exports["rmw"].direct.__code__) is not None  # compiled, not interpreted


def test_the_shared_memory_switch() -> None:
    from wasmrun.cli.config import split_proposal_switches

    assert not split_proposal_switches([])[1].shared_memory
    rest, features = split_proposal_switches(["shared-memory=y,threads=y,custom-page-sizes"])
    assert rest == [] and features.shared_memory and features.threads and features.custom_page_sizes
    assert not split_proposal_switches(["threads=n"])[1].threads
