"""The cases of ``components/programs/expected.json`` (Wasmtime 49's results), and how to run one with wasmrun.

Each case is run as ``gen_expected.py`` ran it under Wasmtime: argv[0] the component's file name
(unless ``--argv0``), ``--env`` values only, a fresh copy of each preopened tree, stdin from a file or
``/dev/null``.  Traps are compared as the README says to: the trap line and the frames' names, not
the offsets (and without Wasmtime's ``memory fault at wasm address ...`` cause, which wasmrun's traps
do not carry).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import testdata

from wasmrun.component_launch import run_command
from wasmrun.launch import DirMapping, MissingExport, RunConfig

PROGRAMS = "components/programs"


def cases() -> list[dict[str, Any]]:
    """Every case of expected.json; [] when the data is missing (a test then requires it)."""
    expected = testdata.path(f"{PROGRAMS}/expected.json")
    if not expected.is_file():
        return []
    return list(json.loads(expected.read_text(encoding="utf-8"))["cases"])


def expected_bytes(blob: dict[str, Any]) -> bytes | None:
    """An output as expected.json records it (None when only its hash is there)."""
    if "text" in blob:
        return str(blob["text"]).encode()
    if "base64" in blob:
        return base64.b64decode(blob["base64"])
    return None


def same_output(actual: bytes, blob: dict[str, Any]) -> bool:
    return len(actual) == blob["len"] and hashlib.sha256(actual).hexdigest() == blob["sha256"]


_OFFSET = re.compile(r"0x[0-9a-f]+ - ")
_CAUSE_NUMBER = re.compile(r"^(\s*)\d+: ", re.MULTILINE)
_MEMORY_FAULT = re.compile(r"^\s*\d+: memory fault at wasm address .*\n", re.MULTILINE)


def normalized_trap(text: str) -> str:
    """A trap report without offsets, numbers of causes and frames, or Wasmtime's memory fault cause."""
    text = _MEMORY_FAULT.sub("", text)
    return _CAUSE_NUMBER.sub(r"\1#: ", _OFFSET.sub("0x? - ", text))


def tree(root: Path) -> dict[str, Any]:
    """The preopened tree as gen_expected.py records it."""
    out: dict[str, Any] = {}
    for directory, subdirectories, files in os.walk(root):
        subdirectories.sort()
        for name in sorted(files):
            path = Path(directory, name)
            data = path.read_bytes()
            out[os.path.relpath(path, root)] = {
                "size": len(data),
                "sha256": hashlib.sha256(data).hexdigest(),
                "text": data.decode("utf-8", "backslashreplace") if len(data) <= 200 else None,
            }
        for name in subdirectories:
            out[os.path.relpath(Path(directory, name), root) + "/"] = "dir"
    return out


def writable_copy(source: Path, target: Path) -> Path:
    """A copy of ``source`` (a read-only tree) that the program may change."""
    shutil.copytree(source, target, copy_function=shutil.copyfile)
    for directory, _subdirectories, _files in os.walk(target):
        os.chmod(directory, 0o755)
    return target


@dataclass
class Run:
    exit_code: int
    stdout: bytes
    stderr: bytes
    trees: list[dict[str, Any]]


def run_case(case: dict[str, Any], scratch: Path) -> Run:
    """Run a command case (``invoke`` null) with wasmrun's :func:`run_command`."""
    programs = testdata.require(PROGRAMS)
    component = programs / case["component"]
    flags = list(case["flags"])
    argv0 = flags[flags.index("--argv0") + 1] if "--argv0" in flags else component.name
    env = tuple(tuple(entry.split("=", 1)) for entry in case["env"])
    hosts = []
    dirs = []
    for number, preopen in enumerate(case["preopens"]):
        host = writable_copy(programs / preopen["host"], scratch / f"preopen{number}")
        hosts.append(host)
        dirs.append(DirMapping(str(host), preopen["guest"]))
    stdin_path = programs / case["stdin"] if case["stdin"] else Path(os.devnull)
    out_path, err_path = scratch / "stdout", scratch / "stderr"
    with open(stdin_path, "rb") as stdin, open(out_path, "wb") as stdout, open(err_path, "wb") as stderr:
        config = RunConfig(
            module=case["component"],
            argv=(argv0, *case["args"]),
            env=env,  # type: ignore[arg-type]
            dirs=tuple(dirs),
            stdin=stdin.fileno(),
            stdout=stdout.fileno(),
            stderr=stderr.fileno(),
        )
        try:
            status = run_command(component.read_bytes(), config)
        except MissingExport as error:  # (the command line reports it in Wasmtime's layout)
            stderr.write(
                f"Error: failed to run main module `{case['component']}`\n\nCaused by:\n    {error}\n\n".encode()
            )
            status = 1
    return Run(status, out_path.read_bytes(), err_path.read_bytes(), [tree(host) for host in hosts])


def mismatches(case: dict[str, Any], run: Run) -> list[str]:
    """How ``run`` differs from what Wasmtime did ([] when it matches)."""
    problems = []
    if run.exit_code != case["exit_code"]:
        problems.append(f"exit status {run.exit_code}, expected {case['exit_code']}")
    if not same_output(run.stdout, case["stdout"]):
        problems.append(f"stdout {run.stdout!r}, expected {expected_bytes(case['stdout'])!r}")
    expected_stderr = expected_bytes(case["stderr"])
    if b"wasm backtrace" in (expected_stderr or b""):
        assert expected_stderr is not None
        if normalized_trap(run.stderr.decode()) != normalized_trap(expected_stderr.decode()):
            problems.append(f"stderr {run.stderr.decode()!r}, expected {expected_stderr.decode()!r}")
    elif not same_output(run.stderr, case["stderr"]):
        problems.append(f"stderr {run.stderr!r}, expected {expected_stderr!r}")
    if "preopens_after" in case and run.trees != case["preopens_after"]:
        problems.append(f"preopened trees {run.trees}, expected {case['preopens_after']}")
    return problems
