"""The Component Model text format (wasmrun.component.text) and the script forms for components.

The conformance test compares, for every component written as text in the shared component scripts,
the bytes we encode with those ``wasm-tools json-from-wast`` writes for the same command.  The
comparison is byte for byte; where it is not equal it is made again after dropping the custom sections
of the nested core modules (the core text encoder writes only module and function names in its
``name`` section, the wat crate every kind of name, and no ``producers`` section), and that must hold.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import testdata

from wasmrun.component.text import encode_component_text
from wasmrun.errors import TextSyntaxError
from wasmrun.text.script import (
    AssertInvalid,
    AssertTrap,
    AssertUnlinkable,
    ComponentAssertReturn,
    ComponentInvoke,
    ComponentValue,
    ModuleCommand,
    ModuleDefinition,
    ModuleInstance,
    ModuleSource,
    is_component_command,
)
from wasmrun.text.wast import parse_script, read_script

WASM_TOOLS = shutil.which("wasm-tools") or str(Path(sys.executable).parent / "wasm-tools")
SCRIPTS = testdata.files("components/wast", "**/*.wast")
PREAMBLE = b"\0asm\x0d\x00\x01\x00"

# Components known to differ, most because of the core text encoder rather than the component encoder.
CORE_ENCODER_GAPS = {
    ("shared-everything-dynamic-linking.wast", 152): "elem segment written with an explicit table 0",
    ("fixed_length_lists.wast", 18): "(@producers) annotations are not encoded",
    ("legacy-indices.wast", 71): "shared core types (shared-everything threads) are not read",
    ("legacy-indices.wast", 87): "the gc canonical option is not read",
    ("types.wast", 145): "an assert_invalid component of 1,000 nested list types: not investigated",
}


# --- Normalisation -------------------------------------------------------------------------------


def _leb(data: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return result, pos


def _sections(data: bytes) -> list[tuple[int, bytes, bytes]]:
    sections = []
    pos = 8
    while pos < len(data):
        size, start = _leb(data, pos + 1)
        sections.append((data[pos], data[pos:start], data[start : start + size]))
        pos = start + size
    return sections


def _u32(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        out.append(byte | 0x80 if value else byte)
        if not value:
            return bytes(out)


def normalise(component: bytes) -> bytes:
    """The component without the custom sections of its (nested) core modules."""
    out = bytearray(component[:8])
    for section_id, head, content in _sections(component):
        if section_id == 1:
            content = content[:8] + b"".join(h + c for i, h, c in _sections(content) if i != 0)
        elif section_id == 4:
            content = normalise(content)
        else:
            out += head + content
            continue
        out += bytes((section_id,)) + _u32(len(content)) + content
    return bytes(out)


# --- Against wasm-tools ------------------------------------------------------------------------


def _oracle(script: Path, directory: Path) -> dict[int, bytes]:
    """The bytes wasm-tools writes for each command of a script, by the command's line."""
    output = directory / "out.json"
    # The older syntax (``(memory $i "name")`` ...) is read only when asked for.
    environment = {**os.environ, "WAST_STRICT_COMPONENT_INDICES": "0"}
    command = [WASM_TOOLS, "json-from-wast", str(script), "--wasm-dir", str(directory), "-o", str(output)]
    result = subprocess.run(command, capture_output=True, env=environment, check=False)
    if result.returncode:
        pytest.skip(f"wasm-tools cannot read this script: {result.stderr.decode()[:200]}")
    commands = json.loads(output.read_text())["commands"]
    return {
        entry["line"]: (directory / entry["filename"]).read_bytes()
        for entry in commands
        if entry.get("module_type") == "binary" and "filename" in entry
    }


def _components(script: Path) -> list[tuple[int, str]]:
    """(line, text) of each component written as text in a script (wasm-tools numbers it by that line)."""
    found = []
    for command in parse_script(script.read_text(encoding="utf-8")):
        source = command.action if isinstance(command, AssertTrap) else getattr(command, "module", None)
        if isinstance(source, ModuleSource) and source.component and source.kind == "text":
            assert source.text is not None
            found.append((source.line, source.text))
    return found


def test_component_scripts_present() -> None:
    if not SCRIPTS:
        testdata.require("components/wast")


@pytest.mark.skipif(not Path(WASM_TOOLS).exists(), reason="wasm-tools (the oracle) is not installed")
@pytest.mark.parametrize("script", SCRIPTS, ids=lambda path: str(path.relative_to(testdata.path("components/wast"))))
def test_components_encode_as_wasm_tools_does(script: Path, tmp_path: Path) -> None:
    expected = _oracle(script, tmp_path)
    mismatches = []
    # Every component written as text, assert_invalid ones too: they are well-formed text.
    for line, text in _components(script):
        reference = expected.get(line)
        if reference is None:
            continue  # wasm-tools did not encode it
        known = (script.name, line) in CORE_ENCODER_GAPS
        try:
            binary = encode_component_text(text)
        except TextSyntaxError as error:
            if not known and "the gc proposal" not in str(error):  # a GC type (the GC issue)
                mismatches.append(f"line {line}: {error}")
            continue
        if binary != reference and normalise(binary) != normalise(reference) and not known:
            mismatches.append(f"line {line}: bytes differ")
    assert not mismatches, "\n".join(mismatches)


# --- Hand-written cases ----------------------------------------------------------------------


def _wasm_tools_bytes(text: str) -> bytes:
    environment = {**os.environ, "WAST_STRICT_COMPONENT_INDICES": "0"}
    result = subprocess.run([WASM_TOOLS, "parse", "-"], input=text.encode(), capture_output=True, env=environment)
    assert result.returncode == 0, result.stderr.decode()
    return result.stdout


CASES = {
    "empty": "(component)",
    "named": "(component $c)",
    "core module and instance": """(component
        (core module $m (func (export "f")) (memory (export "mem") 1))
        (core instance $i (instantiate $m))
        (core instance (export "g" (func $i "f")) (export "m" (memory $i "mem"))))""",
    "core instantiate with": """(component
        (core module $a (func (export "f")))
        (core module $b (import "a" "f" (func)))
        (core instance $ia (instantiate $a))
        (core instance (instantiate $b (with "a" (instance $ia))))
        (core instance (instantiate $b (with "a" (instance (export "f" (func $ia "f")))))))""",
    "core aliases": """(component
        (core module $m (func (export "f")) (table (export "t") 1 funcref) (global (export "g") i32 (i32.const 0)))
        (core instance $i (instantiate $m))
        (core func $f (alias core export $i "f"))
        (alias core export $i "t" (core table $t))
        (alias core export $i "g" (core global $g)))""",
    "value types": """(component
        (type $r (record (field "a" u32) (field "b" (list (tuple u8 string)))))
        (type (variant (case "a" $r) (case "b")))
        (type (flags "x" "y")) (type (enum "p" "q"))
        (type (option (option u8))) (type (result u32 (error string))) (type (result))
        (type $res (resource (rep i32)))
        (type (own $res)) (type (borrow $res))
        (type (tuple bool s8 u8 s16 u16 s32 u32 s64 u64 f32 f64 char string)))""",
    "resource with destructor": """(component
        (core module $m (func (export "d") (param i32)))
        (core instance $i (instantiate $m))
        (type $r (resource (rep i32) (dtor (func $i "d"))))
        (core func (canon resource.new $r))
        (core func (canon resource.drop $r))
        (core func (canon resource.rep $r)))""",
    "component and instance types": """(component
        (type $t (component
            (import "x" (func (param "a" u32) (result string)))
            (type $r (record (field "f" u8)))
            (export "r" (type (eq $r)))
            (export "i" (instance (export "f" (func)) (export "t" (type (sub resource)))))))
        (import "c" (component (type $t)))
        (import "r" (type $res (sub resource)))
        (type (instance (alias outer 1 $res (type)))))""",
    "lift and lower with options": """(component
        (import "f" (func $f (param "s" string) (result string)))
        (core module $libc (memory (export "mem") 1)
            (func (export "realloc") (param i32 i32 i32 i32) (result i32) unreachable)
            (func (export "post") (param i32)))
        (core instance $libc (instantiate $libc))
        (core func $lowered (canon lower (func $f) string-encoding=utf16
            (memory (core memory $libc "mem")) (realloc (core func $libc "realloc"))))
        (core module $m (import "" "f" (func (param i32 i32 i32))) (func (export "g") (param i32 i32) (result i32) unreachable))
        (core instance $mi (instantiate $m (with "" (instance (export "f" (func $lowered))))))
        (func (export "g") (param "s" string) (result string)
            (canon lift (core func $mi "g") string-encoding=latin1+utf16 (memory $libc "mem")
                (realloc (func $libc "realloc")) (post-return (func $libc "post")))))""",
    "canon in its own form": """(component
        (import "f" (func $f))
        (canon lower (func $f) (core func $g))
        (core module $m (func (export "h")))
        (core instance $i (instantiate $m))
        (canon lift (core func $i "h") (func $h))
        (export "h" (func $h)))""",
    "nested components, outer aliases, instantiate": """(component $P
        (type $T u32)
        (component $C (import "f" (func)) (export "g" (func 0)))
        (component
            (alias outer $P $T (type $t))
            (type (list $T))
            (import "f" (func $f))
            (instance (instantiate $C (with "f" (func $f)))))
        (import "i" (instance $i (export "x" (func))))
        (instance $c (instantiate $C (with "f" (func $i "x"))))
        (instance (export "g" (func $c "g")) (export "c" (component $C)))
        (export "c" (instance $c)))""",
    "imports, exports, sugar": """(component
        (import "a" (func $a))
        (func (import "b") (param "x" u32))
        (instance $i (import "c") (export "f" (func)))
        (component (import "d"))
        (core module (import "e") (export "f" (func)))
        (import "v" (value $v string))
        (export $e "f" (func $a))
        (export "g" (func $e) (func))
        (type (export "t") u8)
        (export "i" (implements "a:b/c") (instance $i)))""",
    "forward reference": '(component (export "a" (func $f)) (import "f" (func $f)))',
    "async built-ins": """(component
        (type $s (stream u8)) (type $fu (future))
        (core func (canon stream.new $s)) (core func (canon future.new $fu))
        (core func (canon backpressure.inc)) (core func (canon waitable-set.new))
        (core func (canon context.get i32 0)) (core func (canon task.return (result u32)))
        (core func (canon subtask.cancel async)) (core func (canon thread.yield)))""",
    "core module type": """(component
        (core type $f (func (param i32)))
        (core type (module
            (type $ft (func))
            (import "a" "b" (func (type $ft)))
            (export "c" (func))
            (export "m" (memory 1))
            (export "g" (global (mut i64)))
            (alias outer 1 $f (type)))))""",
}


@pytest.mark.skipif(not Path(WASM_TOOLS).exists(), reason="wasm-tools (the oracle) is not installed")
@pytest.mark.parametrize("name", list(CASES))
def test_form_encodes_as_wasm_tools_does(name: str) -> None:
    text = CASES[name]
    binary = encode_component_text(text)
    reference = _wasm_tools_bytes(text)
    assert normalise(binary) == normalise(reference)


def test_component_starts_with_the_component_preamble() -> None:
    assert encode_component_text("(component)") == PREAMBLE


def test_binary_and_quote_forms() -> None:
    assert encode_component_text('(component binary "\\00asm" "\\0d\\00\\01\\00")') == PREAMBLE
    quoted = encode_component_text('(component quote "(import \\"a\\" (func))")')
    assert quoted == encode_component_text('(component (import "a" (func)))')
    # A quoted text is the component's definitions: one (component) in it is a nested component.
    assert encode_component_text("(component)", definitions=True) == encode_component_text("(component (component))")


def test_bare_definitions_are_a_component() -> None:
    assert encode_component_text('(import "a" (func))') == encode_component_text('(component (import "a" (func)))')


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("(component (frob))", "expected a component definition, found frob"),
        ('(component (export "a" (func $nope)))', "unknown func: failed to find name `$nope`"),
        ("(component (type $t u8) (type $t u8))", "duplicate type identifier $t"),
        ("(component (type (list)))", "expected a value type, found )"),
        ("(component (core module (func (i32.bogus))))", "unknown operator"),
        ('(component (import "a" (func))', "unexpected end of input"),
        ("(component (canon lower))", "expected an index"),
        ("(component (canon frob (core func)))", "unknown canonical definition frob"),
        ('(component (import "a" (func (param "x" (wat)))))', "expected a value type, found wat"),
        ("(component (alias outer 0 0 (func)))", "func cannot be aliased from an outer scope"),
    ],
)
def test_syntax_errors(text: str, message: str) -> None:
    with pytest.raises(TextSyntaxError) as caught:
        encode_component_text(text)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)
    assert caught.value.line == 1


# --- Script forms ----------------------------------------------------------------------------------


SCRIPT = """;;! multi_memory = true
;;! component_model_async = true
(component $c (core module))
(component definition $d (core module))
(component instance $i $d)
(component binary "\\00asm\\0d\\00\\01\\00")
(component quote "(core module)")
(assert_invalid (component (export "a" (func 0))) "func index out of bounds")
(assert_malformed (component quote "(frob)") "unexpected token")
(assert_unlinkable (component (import "x" (func))) "missing")
(assert_return (invoke "f" (str.const "x") (u32.const 1)) (bool.const true))
(assert_return (invoke "g" (s8.const -1) (u64.const 18446744073709551615) (f32.const 1.5) (char.const "A")))
(assert_return (invoke "h"
  (list.const (u8.const 1) (u8.const 2)) (tuple.const (s16.const -2) (f64.const 2))
  (record.const (field "k" str.const "a") (field "v" u32.const 1))
  (variant.const "a" (u32.const 0)) (variant.const "b") (enum.const "red") (flags.const "a" "c")
  (option.none) (option.some (option.none)) (result.ok (u32.const 1)) (result.err)))
(assert_trap (invoke "f") "unreachable")
"""


def test_script_component_commands() -> None:
    script = read_script(SCRIPT)
    assert script.directives == [("multi_memory", "true"), ("component_model_async", "true")]
    commands = script.commands
    assert all(is_component_command(command) for command in commands)
    named, definition, instance, binary, quoted = commands[:5]
    assert isinstance(named, ModuleCommand) and named.module.name == "$c" and named.module.component
    assert named.module.to_binary() == encode_component_text("(component $c (core module))")
    assert isinstance(definition, ModuleDefinition) and definition.module.name == "$d"
    assert isinstance(instance, ModuleInstance) and instance.component
    assert (instance.instance, instance.definition) == ("$i", "$d")
    assert isinstance(binary, ModuleCommand) and binary.module.to_binary() == PREAMBLE
    assert isinstance(quoted, ModuleCommand) and quoted.module.kind == "quote"
    assert quoted.module.to_binary() == encode_component_text("(component (core module))")
    invalid, malformed, unlinkable = commands[5:8]
    assert isinstance(invalid, AssertInvalid) and invalid.module.component
    with pytest.raises(TextSyntaxError):
        malformed.module.to_binary()  # type: ignore[union-attr]
    assert isinstance(unlinkable, AssertUnlinkable) and unlinkable.module.component
    trap = commands[-1]
    assert isinstance(trap, AssertTrap) and isinstance(trap.action, ComponentInvoke)


def test_script_component_values() -> None:
    commands = parse_script(SCRIPT)
    first, second, third = (command for command in commands if isinstance(command, ComponentAssertReturn))
    assert first.action.args == (ComponentValue("str", "x"), ComponentValue("u32", 1))
    assert first.expected == (ComponentValue("bool", True),)
    assert [value.to_python() for value in second.action.args] == [-1, 2**64 - 1, 1.5, "A"]
    assert second.action.args[2].bits == 0x3FC00000
    from wasmrun.component.types import Err, Ok, Some, Variant

    assert [value.to_python() for value in third.action.args] == [
        [1, 2],
        (-2, 2.0),
        {"k": "a", "v": 1},
        Variant("a", 0),
        Variant("b", None),
        "red",
        frozenset({"a", "c"}),
        None,
        Some(None),
        Ok(1),
        Err(None),
    ]


def test_core_scripts_are_unchanged() -> None:
    commands = parse_script(
        '(module (func (export "f") (result i32) (i32.const 1)))\n(assert_return (invoke "f") (i32.const 1))'
    )
    assert not any(is_component_command(command) for command in commands)
    assert read_script("(module)").directives == []
