"""The seeds of mutation fuzzing: valid (and deliberately invalid) modules, binary and text.

* binaries: ``examples/*.wasm``, ``benchmarks/programs/*.wasm``, and every
  ``(module binary ...)`` of the spec test suite's scripts;
* texts: ``examples/*.wat``, and every text ``(module ...)`` and
  ``(module quote ...)`` of the spec scripts.

Generated smith modules join the binaries per seed (:mod:`fuzz.mutate`).  The
spec scripts are found as the tests find them: ``$WASMRUN_TESTDATA``, by
default ``../shared`` next to the repository (``spec/wasm-2.0/*.wast``); the
corpus is smaller without them, not empty.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
SPEC_DIRECTORY = "spec/wasm-2.0"


@dataclass(frozen=True)
class Seed:
    name: str
    data: bytes
    text: bool


def testdata_root() -> Path:
    configured = os.environ.get("WASMRUN_TESTDATA")
    return Path(configured) if configured else REPOSITORY.parent / "shared"


def spec_scripts() -> list[Path]:
    directory = testdata_root() / SPEC_DIRECTORY
    return sorted(directory.glob("*.wast")) if directory.is_dir() else []


# --- the WAST scanner ----------------------------------------------------------------------------------------

_ESCAPES = {"n": b"\n", "t": b"\t", "r": b"\r", "\\": b"\\", "'": b"'", '"': b'"'}


def decode_string(literal: str) -> bytes:
    """The bytes of a WAT string literal's contents (without its quotes)."""
    out = bytearray()
    index = 0
    while index < len(literal):
        char = literal[index]
        if char != "\\":
            out += char.encode("utf-8", "surrogateescape")
            index += 1
            continue
        following = literal[index + 1 : index + 2]
        if following in _ESCAPES:
            out += _ESCAPES[following]
            index += 2
        elif following == "u":
            end = literal.index("}", index)
            out += chr(int(literal[index + 3 : end], 16)).encode("utf-8", "surrogatepass")
            index = end + 1
        else:
            out.append(int(literal[index + 1 : index + 3], 16))
            index += 3
    return bytes(out)


def module_forms(text: str) -> Iterator[str]:
    """Every ``(module ...)`` form of a WAST script, at any depth, comments and strings respected."""
    depth = 0
    start: int | None = None
    start_depth = 0
    index = 0
    length = len(text)
    while index < length:
        char = text[index]
        if char == ";" and text.startswith(";;", index):
            newline = text.find("\n", index)
            index = length if newline < 0 else newline + 1
            continue
        if char == "(" and text.startswith("(;", index):
            nesting, index = 1, index + 2
            while index < length and nesting:
                if text.startswith("(;", index):
                    nesting, index = nesting + 1, index + 2
                elif text.startswith(";)", index):
                    nesting, index = nesting - 1, index + 2
                else:
                    index += 1
            continue
        if char == '"':
            index += 1
            while index < length and text[index] != '"':
                index += 2 if text[index] == "\\" else 1
            index += 1
            continue
        if char == "(":
            if start is None and re.match(r"\(\s*module[\s)]", text[index : index + 40]):
                start, start_depth = index, depth
            depth += 1
        elif char == ")":
            depth -= 1
            if start is not None and depth == start_depth:
                yield text[start : index + 1]
                start = None
        index += 1


_HEAD = re.compile(r"\(\s*module(?:\s+\$[^\s()]+)?\s+(binary|quote)\b")
_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"', re.DOTALL)


def classify(form: str) -> Seed | None:
    """A module form as a corpus seed: binary bytes, quoted text, or the text itself."""
    head = _HEAD.match(form)
    if head is None:
        return Seed("", form.encode("utf-8", "surrogateescape"), text=True)
    try:
        contents = b"".join(decode_string(literal) for literal in _STRING.findall(form[head.end() :]))
    except (ValueError, IndexError):
        return None
    return Seed("", contents, text=head.group(1) == "quote")


# --- the corpus ------------------------------------------------------------------------------------------------


def _is_component(data: bytes) -> bool:
    from wasmrun.cli.source import is_component_source

    return is_component_source(data)


@functools.cache
def corpus() -> tuple[tuple[Seed, ...], tuple[Seed, ...]]:
    """``(binaries, texts)``, each sorted by name (so that a seed picks the same item everywhere)."""
    binaries: list[Seed] = []
    texts: list[Seed] = []
    for path in sorted((REPOSITORY / "examples").glob("*.wasm")) + sorted(
        (REPOSITORY / "benchmarks" / "programs").glob("*.wasm")
    ):
        if not _is_component(path.read_bytes()):  # (core modules only: the oracle compares core modules)
            binaries.append(Seed(str(path.relative_to(REPOSITORY)), path.read_bytes(), text=False))
    for path in sorted((REPOSITORY / "examples").glob("*.wat")):
        if not _is_component(path.read_bytes()):
            texts.append(Seed(str(path.relative_to(REPOSITORY)), path.read_bytes(), text=True))
    for script in spec_scripts():
        source = script.read_text(encoding="utf-8", errors="surrogateescape")
        for number, form in enumerate(module_forms(source)):
            seed = classify(form)
            if seed is not None:
                named = Seed(f"{script.name}#{number}", seed.data, seed.text)
                (texts if seed.text else binaries).append(named)
    return tuple(binaries), tuple(texts)
