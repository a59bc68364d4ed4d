"""Component scripts in the WAST runner (wasmrun/component_wast.py, wasmrun/wast.py), and the component
pieces fixed to run the Component Model scripts: each case a tiny inline script or a direct call."""

from __future__ import annotations

import math

import pytest

from wasmrun.component.text import encode_component_text
from wasmrun.component.types import Some
from wasmrun.component_wast import script_settings, trap_matches, value_matches
from wasmrun.errors import TextSyntaxError
from wasmrun.features import ALL_FEATURES
from wasmrun.text.script import ComponentValue
from wasmrun.wast import ScriptReport, ScriptRunner
from wasmrun.wast_engine import ScriptEngine


def run(text: str, engine: bool = True) -> ScriptReport:
    return ScriptRunner(ScriptEngine if engine else None).run_text(text, "test.wast")


def outcome(report: ScriptReport) -> tuple[int, int, int]:
    return report.passed, report.failed, report.skipped


ADDER = """
(component
  (core module $m
    (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
    (func (export "trap") unreachable))
  (core instance $i (instantiate $m))
  (func (export "add") (param "a" u32) (param "b" u32) (result u32) (canon lift (core func $i "add")))
  (func (export "trap") (canon lift (core func $i "trap"))))
"""


# --- the runner -----------------------------------------------------------------------------------


def test_a_component_runs_and_its_results_are_compared() -> None:
    report = run(
        ADDER
        + """
        (assert_return (invoke "add" (u32.const 1) (u32.const 2)) (u32.const 3))
        (assert_return (invoke "add" (u32.const 1) (u32.const 2)) (u32.const 4))
        (assert_trap (invoke "trap") "wasm trap: wasm `unreachable` instruction executed")
        (assert_trap (invoke "trap") "cannot enter component instance")
        """
    )
    assert outcome(report) == (4, 1, 0)  # (a trap leaves the instance unusable, as in Wasmtime)
    assert "(u32.const 4)" in report.failures[0].expected and report.failures[0].got == "(3)"


def test_without_an_engine_components_are_checked_but_not_run() -> None:
    report = run(ADDER + '(assert_return (invoke "add" (u32.const 1) (u32.const 2)) (u32.const 3))', engine=False)
    assert outcome(report) == (1, 0, 1)


def test_definitions_instances_and_named_instances_resources() -> None:
    report = run(
        """
        (component definition $C (type $r (resource (rep i32))) (export "r" (type $r)))
        (component instance $I1 $C)
        (component instance $I2 $C)
        (component (import "I1" (instance (export "r" (type (sub resource))))))
        (assert_unlinkable
          (component
            (import "I1" (instance $i1 (export "r" (type (sub resource)))))
            (alias export $i1 "r" (type $r))
            (import "I2" (instance $i2 (export "r" (type (eq $r))))))
          "mismatched resource types")
        """
    )
    assert outcome(report) == (5, 0, 0)


def test_the_host_items_of_wasmtimes_harness_and_link_errors_in_its_words() -> None:
    report = run(
        """
        (component
          (import "host" (instance $h (export "return-three" (func (result u32)))))
          (func (export "three") (alias export $h "return-three")))
        (assert_return (invoke "three") (u32.const 3))
        (component (import "not-supplied" (instance (export "x" (instance)))))
        (assert_unlinkable (component (import "host-return-two" (instance))) "expected instance found func")
        (assert_unlinkable
          (component (import "host" (instance (export "simple-module" (core module (export "h" (func)))))))
          "module export `h` not defined")
        (assert_unlinkable
          (component (import "host" (instance (export "simple-module" (core module (export "f" (func)))))))
          "expected type `(func)`, found type `(func (result i32))`")
        """
    )
    assert outcome(report) == (6, 0, 0), report.failures


def test_a_component_calling_its_own_lifted_export_traps() -> None:
    report = run(
        """
        (assert_trap
          (component
            (core module $m (func (export "")))
            (core instance $m (instantiate $m))
            (func $f1 (canon lift (core func $m "")))
            (core func $f2 (canon lower (func $f1)))
            (core module $m2 (import "" "" (func $f)) (func $start call $f) (start $start))
            (core instance (instantiate $m2 (with "" (instance (export "" (func $f2)))))))
          "cannot enter component instance")
        """
    )
    assert outcome(report) == (1, 0, 0), report.failures


def test_either_kind_of_load_error_passes_a_component_assertion() -> None:
    # "type nesting is too deep" is the validator's; wasm-tools files it under assert_malformed too.
    nested = "(type $t0 string)" + "".join(f"(type $t{n} (list $t{n - 1}))" for n in range(1, 102))
    report = run(
        f"""
        (assert_invalid (component {nested} (export "t" (type $t101))) "type nesting is too deep")
        (assert_malformed (component {nested} (export "t" (type $t101))) "type nesting is too deep")
        (assert_malformed (component quote "(alias outer 100 $foo (type $foo))") "outer count of `100` is too large")
        """
    )
    assert outcome(report) == (3, 0, 0), report.failures


# --- directives -----------------------------------------------------------------------------------


def test_directives_switch_features() -> None:
    settings = script_settings(
        "",
        [
            ("multi_memory", "false"),
            ("component_model_memory64", "true"),
            ("component_model_implements", "false"),
            ("gc", "true"),
            ("hogs_memory", "true"),
            ("component_model_map", "true"),  # (maps are always on)
            ("no_such_thing", "true"),
        ],
        ALL_FEATURES,
    )
    assert not settings.features.multi_memory and settings.features.exceptions
    assert settings.components.memory64 and not settings.components.implements
    assert settings.components.missing == ("the gc proposal",)
    assert settings.unknown == ("no_such_thing = true",)


def test_the_run_line_of_wasm_tools_switches_features_too() -> None:
    text = ";; RUN: wast --assert default --snapshot tests/snapshots -f cm64 %\n"
    assert script_settings(text, [], ALL_FEATURES).components.memory64
    text = ";; RUN: wast --features=-exceptions --assert default %\n"
    assert not script_settings(text, [], ALL_FEATURES).features.exceptions
    assert script_settings("", [], ALL_FEATURES, in_memory64_folder=True).components.memory64


def test_an_unknown_directive_is_a_failure_of_the_script() -> None:
    report = run(";;! no_such_thing = true\n" + ADDER)
    assert report.counts["script"].failed == 1 and report.counts["module"].passed == 1


def test_a_directive_for_a_missing_feature_names_it_when_a_command_fails() -> None:
    report = run(
        """;;! shared_everything_threads = true
        (component (core func (canon thread.available-parallelism)))
        """
    )
    assert report.failed == 1
    assert "shared-everything threads" in report.failures[0].got


BIG_MEMORY = """(component
  (core module $m (memory i64 0x1_0002))
  (core instance (instantiate $m)))
"""


@pytest.mark.parametrize(("directive", "failed"), [("", 1), (";;! hogs_memory = true\n", 0)], ids=["default", "hogs"])
def test_hogs_memory_lets_a_script_go_past_the_4_gib_cap(directive: str, failed: int) -> None:
    assert run(directive + ";;! memory64 = true\n" + BIG_MEMORY).failed == failed


# --- comparing values -------------------------------------------------------------------------------


def test_values_compare_by_kind_floats_by_bits_and_nan_as_nan() -> None:
    assert value_matches(ComponentValue("f32", math.nan, 0x7FC00000), math.nan)
    assert not value_matches(ComponentValue("f64", 0.0, 0), -0.0)
    assert not value_matches(ComponentValue("u32", 1), True)
    assert value_matches(ComponentValue("list", (ComponentValue("u8", 1),)), b"\x01")
    inner = ComponentValue("option", None)
    assert value_matches(ComponentValue("option", inner), Some(None))
    assert not value_matches(ComponentValue("option", inner), None)


def test_traps_match_as_wasmtime_shows_them() -> None:
    assert trap_matches("wasm trap: list content out-of-bounds", "list content out-of-bounds: realloc return")
    assert trap_matches("cannot write to memory", "cannot write: out of bounds")
    assert not trap_matches("wasm trap: unreachable", "out of bounds")


# --- the text format --------------------------------------------------------------------------------


def test_a_value_type_index_is_an_s33() -> None:
    types = "".join("(type u32)" for _ in range(64)) + "(type (list 63))"
    binary = encode_component_text(f"(component {types} (type (list 64)))")
    assert b"\x70\xc0\x00" in binary  # (64 as an s33: two bytes; 0x40 alone would be -64)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('(component (import "a" (implements "a:b/c") (implements "a:b/c") (instance)))', "unexpected token"),
        ('(component (import "a" (implements "\\zz") (instance)))', "invalid string escape"),
        ("(component (alias outer $nope $x (type $x)))", "outer component `nope` not found"),
        ('(component (type $t string) (type (variant (case $x "x" $t) (case $x "y" $t))))', "duplicate variant"),
        ("(component" * 120 + ")" * 120, "nesting too deep"),
    ],
)
def test_text_errors_in_wasm_tools_words(text: str, message: str) -> None:
    with pytest.raises(TextSyntaxError, match=message):
        encode_component_text(text)
