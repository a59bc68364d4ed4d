"""``inspect --code``: finding a function by index or name, and its instruction stream with nesting depths."""

from __future__ import annotations

import pytest

from wasmrun.inspection.code import FunctionLookupError, find_function, function_code
from wasmrun.inspection.translation import translated_form
from wasmrun.loader import load_module
from wasmrun.module import Module

WAT = """(module
  (import "env" "log" (func $log (param i32)))
  (func $outer (export "outer") (param i32) (result i32)
    (block $b
      (if (local.get 0)
        (then (loop $l (br $l)))
        (else (br $b))))
    (i32.const 7))
  (func (export "7") (result i32) (i32.const 0)))"""


@pytest.fixture(scope="module")
def module() -> Module:
    return load_module(WAT.encode())


@pytest.mark.parametrize(("spec", "index"), [("1", 1), ("outer", 1), ("$outer", 1), ("0", 0), ("2", 2)])
def test_find_function(module: Module, spec: str, index: int) -> None:
    assert find_function(module, spec) == index


def test_digits_are_an_index_even_when_an_export_has_that_name(module: Module) -> None:
    with pytest.raises(FunctionLookupError, match="no function 7: the module has 3"):
        find_function(module, "7")


def test_unknown_name(module: Module) -> None:
    with pytest.raises(FunctionLookupError, match="no function named `inner`"):
        find_function(module, "inner")


def test_imported_function_has_no_code(module: Module) -> None:
    with pytest.raises(FunctionLookupError, match="function 0 is imported"):
        function_code(module, 0)


def test_depths_follow_the_blocks(module: Module) -> None:
    code = function_code(module, 1)
    assert [(line.depth, line.mnemonic) for line in code.instructions] == [
        (0, "block"),
        (1, "local.get"),
        (1, "if"),
        (2, "loop"),
        (3, "br"),
        (2, "end"),
        (1, "else"),
        (2, "br"),
        (1, "end"),
        (0, "end"),
        (0, "i32.const"),
        (0, "end"),
    ]


def test_offsets_are_module_offsets(module: Module) -> None:
    code = function_code(module, 1)
    body = module.body(1)
    offsets = [line.offset for line in code.instructions]
    assert offsets == sorted(offsets)
    assert body.code_start == offsets[0] and offsets[-1] == body.end - 1
    assert (code.body_offset, code.body_end, code.name, code.params, code.results) == (
        body.start,
        body.end,
        "outer",
        ("i32",),
        ("i32",),
    )


def test_the_translated_form_comes_with_the_code(module: Module) -> None:
    code = function_code(module, 1)
    assert code.translated == translated_form(module, 1)
    assert code.translated.unsupported is None and code.translated.handlers and code.translated.compiled
