"""The WASI 0.2 host's functions, called directly (as the component runtime will) on a tmp_path sandbox."""

from __future__ import annotations

import errno
import io
import os
import time
from pathlib import Path
from typing import Any

import pytest

from wasmrun.component.types import BorrowType, Err, FuncType, Ok, OwnType, ResourceType, Variant
from wasmrun.errors import ProcExit
from wasmrun.wasi.guest import WasiTrap
from wasmrun.wasi.preview2 import INTERFACES, Preopen, WasiHost
from wasmrun.wasi.preview2.filesystem import Descriptor

VERSION = "0.2.12"


def call(host: WasiHost, interface: str, name: str, *arguments: Any) -> Any:
    function = host.function(f"{interface}@{VERSION}", name)
    assert function is not None, f"{interface} {name}"
    return function(*arguments)


@pytest.fixture
def sandbox(tmp_path: Path) -> Path:
    root = tmp_path / "sandbox"
    (root / "sub").mkdir(parents=True)
    (root / "input.txt").write_bytes(b"line one of input.txt\n")
    (root / "sub" / "nested.txt").write_bytes(b"nested file\n")
    (tmp_path / "outside.txt").write_bytes(b"secret\n")
    (root / "escape").symlink_to("../outside.txt")
    (root / "absolute").symlink_to("/etc/passwd")
    (root / "inner").symlink_to("sub/nested.txt")
    return root


@pytest.fixture
def host(sandbox: Path) -> Any:
    stdout, stderr = io.BytesIO(), io.BytesIO()
    with WasiHost(
        arguments=["prog.wasm", "one", "ünï"],
        environment=[("GREETING", "hello world"), ("EMPTY", "")],
        preopens=[Preopen(sandbox, "/data")],
        stdin=io.BytesIO(b"hello stdin"),
        stdout=stdout,
        stderr=stderr,
        cli_exit_with_code=True,
    ) as made:
        yield made


def root_of(host: WasiHost) -> Descriptor:
    [(descriptor, guest)] = call(host, "wasi:filesystem/preopens", "get-directories")
    assert guest == "/data"
    return descriptor


def fs(host: WasiHost, name: str, *arguments: Any) -> Any:
    return call(host, "wasi:filesystem/types", name, *arguments)


def open_at(host: WasiHost, directory: Descriptor, path: str, open_flags=(), flags=("read",), follow=False) -> Any:
    path_flags = frozenset({"symlink-follow"}) if follow else frozenset()
    return fs(host, "[method]descriptor.open-at", directory, path_flags, path, frozenset(open_flags), frozenset(flags))


# -- lookup -------------------------------------------------------------------------------------


@pytest.mark.parametrize("version", ["0.2.0", "0.2.12", "0.2.99"])
def test_any_0_2_version_is_accepted(host: WasiHost, version: str) -> None:
    function = host.function(f"wasi:cli/stdout@{version}", "get-stdout")
    assert function is not None and function.name == "get-stdout"
    assert host.resource_type(f"wasi:io/streams@{version}", "output-stream") is not None


@pytest.mark.parametrize(
    "interface",
    [
        "wasi:cli/stdout@0.3.0",
        "wasi:cli/stdout@1.0.0",
        "wasi:cli/stdout@0.2.0-rc-2023-11-10",
        "wasi:cli/stdout",
        "wasi:cli/stdout@0.2",
        "wasi:cli/stdout@0.2.01",
        "wasi:cli/nosuch@0.2.0",
        "other:cli/stdout@0.2.0",
    ],
)
def test_other_versions_and_names_are_not_found(host: WasiHost, interface: str) -> None:
    assert host.function(interface, "get-stdout") is None
    assert host.function("wasi:cli/stdout@0.2.0", "get-stdin") is None


def test_used_resources_are_the_same_types(host: WasiHost) -> None:
    error = host.resource_type("wasi:io/error@0.2.0", "error")
    assert isinstance(error, ResourceType) and error.host and callable(error.destructor)
    assert host.resource_type("wasi:filesystem/types@0.2.3", "error") is error
    assert host.resource_type("wasi:io/streams@0.2.12", "error") is error
    assert host.resource_type("wasi:filesystem/preopens@0.2.1", "descriptor") is host.resource_type(
        "wasi:filesystem/types@0.2.12", "descriptor"
    )
    assert host.resource_type("wasi:filesystem/types@0.2.12", "error-code") is None


def test_resource_drops_are_the_destructors(host: WasiHost) -> None:
    for interface in INTERFACES.values():
        for name, resource in interface.types.items():
            if isinstance(resource, ResourceType) and interface.resource_type(name) is resource:
                drop = host.function(f"{interface.qualified_name}@0.2.0", f"[resource-drop]{name}")
                assert drop is not None
                assert drop.type == FuncType((("self", OwnType(resource)),), None)
    directory = root_of(host)
    call(host, "wasi:filesystem/types", "[resource-drop]descriptor", directory)
    assert directory.host_fd == -1
    assert root_of(host).host_fd >= 0  # the preopen itself stays open


# -- every function the WIT files name ---------------------------------------------------------------


def _split_top(text: str) -> list[str]:
    parts, depth, current = [], 0, ""
    for char in text:
        if char in "<(":
            depth += 1
        elif char in ">)":
            depth -= 1
        if char == "," and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += char
    return [part for part in [*parts, current.strip()] if part]


def _check_signature(host: WasiHost, interface: str, name: str, signature: str) -> None:
    function = host.function(interface, name)
    assert function is not None, f"{interface} {name} is missing"
    params_text, _, result_text = signature.removeprefix("func(").partition(")")
    names = [param.partition(":")[0].strip().lstrip("%") for param in _split_top(params_text)]
    params = function.type.params
    if name.startswith("[method]"):
        assert params[0][0] == "self" and isinstance(params[0][1], BorrowType), name
        params = params[1:]
    assert [param for param, _ in params] == names, f"{interface} {name}"
    result_text = result_text.strip().removeprefix("->").strip().rstrip(";").strip()
    if not result_text:
        assert function.type.result is None, name
        return
    kind = result_text.partition("<")[0]
    expected = {"result": "ResultType", "option": "OptionType", "list": "ListType", "tuple": "TupleType"}
    actual = type(function.type.result).__name__
    assert actual == expected.get(kind, actual), f"{interface} {name}: {actual} for {result_text}"


def test_every_function_of_imports_md(host: WasiHost) -> None:
    testdata = pytest.importorskip("testdata")
    text = testdata.require("components/programs/wit/IMPORTS.md").read_text(encoding="utf-8")
    interface = ""
    checked = 0
    for line in text.splitlines():
        if line.startswith("- `wasi:"):
            interface = line.split("`")[1]
        elif line.startswith("  - `") and interface:
            name, _, signature = line.split("`")[1].partition(": ")
            if interface.startswith("wasi:cli/run@"):
                continue  # the command's export, not an import
            _check_signature(host, interface, name, signature)
            checked += 1
    assert checked >= 40


def test_every_function_of_the_adapter_world(host: WasiHost) -> None:
    testdata = pytest.importorskip("testdata")
    text = testdata.require("components/programs/wit/adapter-full-world.wit").read_text(encoding="utf-8")
    package = interface = resource = ""
    checked = 0
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("package wasi:"):
            package = line.split()[1]
        elif line.startswith("interface ") and line.endswith("{"):
            interface = line.split()[1]
        elif line.startswith("resource ") and line.endswith("{"):
            resource = line.split()[1]
        elif ": func(" in line and interface and package:
            name, _, signature = line.partition(": ")
            name = name.lstrip("%")
            if interface == "run":
                continue
            full = f"[method]{resource}.{name}" if resource else name
            base, _, version = package.partition("@")
            _check_signature(host, f"{base}/{interface}@{version}", full, signature)
            checked += 1
        if raw.startswith("    }"):
            resource = ""  # (a resource's block closes at this indentation)
    assert checked > 120


# -- cli -------------------------------------------------------------------------------------------


def test_environment_and_arguments(host: WasiHost) -> None:
    assert call(host, "wasi:cli/environment", "get-arguments") == ["prog.wasm", "one", "ünï"]
    assert call(host, "wasi:cli/environment", "get-environment") == [("GREETING", "hello world"), ("EMPTY", "")]
    assert call(host, "wasi:cli/environment", "initial-cwd") is None


def test_exit(host: WasiHost) -> None:
    with pytest.raises(ProcExit) as ok:
        call(host, "wasi:cli/exit", "exit", Ok(None))
    with pytest.raises(ProcExit) as failed:
        call(host, "wasi:cli/exit", "exit", Err(None))
    with pytest.raises(ProcExit) as coded:
        call(host, "wasi:cli/exit", "exit-with-code", 3)
    assert (ok.value.code, failed.value.code, coded.value.code) == (0, 1, 3)


def test_exit_with_code_is_linked_only_when_asked() -> None:
    """As Wasmtime: ``-S cli-exit-with-code`` (``WasiHost(cli_exit_with_code=True)``)."""
    with WasiHost() as host:
        assert host.function("wasi:cli/exit@0.2.6", "exit-with-code") is None
        assert host.function("wasi:cli/exit@0.2.6", "exit") is not None


def test_terminals_are_none_without_a_tty(host: WasiHost) -> None:
    assert call(host, "wasi:cli/terminal-stdin", "get-terminal-stdin") is None
    assert call(host, "wasi:cli/terminal-stdout", "get-terminal-stdout") is None
    assert call(host, "wasi:cli/terminal-stderr", "get-terminal-stderr") is None


# -- streams -----------------------------------------------------------------------------------------


def test_stdout_and_stderr(host: WasiHost) -> None:
    out = call(host, "wasi:cli/stdout", "get-stdout")
    err = call(host, "wasi:cli/stderr", "get-stderr")
    streams = "wasi:io/streams"
    assert call(host, streams, "[method]output-stream.check-write", out) == Ok(1024 * 1024)
    assert call(host, streams, "[method]output-stream.write", out, b"Hello") == Ok(None)
    assert call(host, streams, "[method]output-stream.blocking-write-and-flush", out, b", world\n") == Ok(None)
    assert call(host, streams, "[method]output-stream.write-zeroes", out, 2) == Ok(None)
    assert call(host, streams, "[method]output-stream.blocking-write-zeroes-and-flush", out, 1) == Ok(None)
    assert call(host, streams, "[method]output-stream.flush", out) == Ok(None)
    assert call(host, streams, "[method]output-stream.blocking-flush", out) == Ok(None)
    assert call(host, streams, "[method]output-stream.blocking-write-and-flush", err, b"oops\n") == Ok(None)
    assert host.stdout.getvalue() == b"Hello, world\n\0\0\0"  # type: ignore[union-attr]
    assert host.stderr.getvalue() == b"oops\n"  # type: ignore[union-attr]
    pollable = call(host, streams, "[method]output-stream.subscribe", out)
    assert call(host, "wasi:io/poll", "[method]pollable.ready", pollable) is True
    with pytest.raises(WasiTrap, match="Buffer too large"):
        call(host, streams, "[method]output-stream.blocking-write-and-flush", out, bytes(4097))
    call(host, streams, "[resource-drop]output-stream", out)


def test_stdin_from_memory(host: WasiHost) -> None:
    stream = call(host, "wasi:cli/stdin", "get-stdin")
    streams = "wasi:io/streams"
    assert call(host, streams, "[method]input-stream.read", stream, 0) == Ok(b"")
    assert call(host, streams, "[method]input-stream.read", stream, 5) == Ok(b"hello")
    assert call(host, streams, "[method]input-stream.skip", stream, 1) == Ok(1)
    assert call(host, streams, "[method]input-stream.blocking-read", stream, 100) == Ok(b"stdin")
    assert call(host, streams, "[method]input-stream.blocking-read", stream, 100) == Err(Variant("closed", None))
    assert call(host, streams, "[method]input-stream.read", stream, 1) == Err(Variant("closed", None))


def test_empty_stdin_and_discarding_stdout() -> None:
    with WasiHost() as host:
        stream = call(host, "wasi:cli/stdin", "get-stdin")
        assert call(host, "wasi:io/streams", "[method]input-stream.read", stream, 1) == Err(Variant("closed", None))
        out = call(host, "wasi:cli/stdout", "get-stdout")
        assert call(host, "wasi:io/streams", "[method]output-stream.write", out, b"x") == Ok(None)


def test_stdin_from_a_pipe_waits_for_input() -> None:
    read_end, write_end = os.pipe()
    with open(read_end, "rb", buffering=0) as source, WasiHost(stdin=source) as host:
        stream = call(host, "wasi:cli/stdin", "get-stdin")
        pollable = call(host, "wasi:io/streams", "[method]input-stream.subscribe", stream)
        assert call(host, "wasi:io/streams", "[method]input-stream.read", stream, 10) == Ok(b"")
        assert call(host, "wasi:io/poll", "[method]pollable.ready", pollable) is False
        os.write(write_end, b"abc")
        assert call(host, "wasi:io/poll", "poll", [pollable]) == [0]
        assert call(host, "wasi:io/streams", "[method]input-stream.blocking-read", stream, 10) == Ok(b"abc")
        os.close(write_end)
        assert call(host, "wasi:io/streams", "[method]input-stream.blocking-read", stream, 10) == Err(
            Variant("closed", None)
        )


class _BrokenPipe(io.RawIOBase):
    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        raise BrokenPipeError(errno.EPIPE, os.strerror(errno.EPIPE))


def test_a_failed_write_reports_its_error_code() -> None:
    with WasiHost(stdout=_BrokenPipe()) as host:  # type: ignore[arg-type]
        out = call(host, "wasi:cli/stdout", "get-stdout")
        result = call(host, "wasi:io/streams", "[method]output-stream.blocking-write-and-flush", out, b"x")
        assert isinstance(result, Err) and result.value.case == "last-operation-failed"
        error = result.value.value
        assert call(host, "wasi:io/error", "[method]error.to-debug-string", error) == "Broken pipe (os error 32)"
        assert call(host, "wasi:filesystem/types", "filesystem-error-code", error) == "pipe"
        assert call(host, "wasi:io/streams", "[method]output-stream.write", out, b"x") == Err(Variant("closed", None))


def test_splice(host: WasiHost, sandbox: Path) -> None:
    source = call(host, "wasi:cli/stdin", "get-stdin")
    out = call(host, "wasi:cli/stdout", "get-stdout")
    streams = "wasi:io/streams"
    assert call(host, streams, "[method]output-stream.splice", out, source, 5) == Ok(5)
    assert call(host, streams, "[method]output-stream.blocking-splice", out, source, 100) == Ok(6)
    assert call(host, streams, "[method]output-stream.splice", out, source, 5) == Err(Variant("closed", None))
    assert host.stdout.getvalue() == b"hello stdin"  # type: ignore[union-attr]


# -- filesystem ----------------------------------------------------------------------------------------


def test_read_files_through_streams_and_read(host: WasiHost) -> None:
    root = root_of(host)
    file = open_at(host, root, "input.txt").value
    assert fs(host, "[method]descriptor.get-type", file) == Ok("regular-file")
    assert fs(host, "[method]descriptor.get-flags", file) == Ok(frozenset({"read"}))
    assert fs(host, "[method]descriptor.get-flags", root) == Ok(frozenset({"read", "mutate-directory"}))
    assert fs(host, "[method]descriptor.get-type", root) == Ok("directory")
    stream = fs(host, "[method]descriptor.read-via-stream", file, 5).value
    assert call(host, "wasi:io/streams", "[method]input-stream.blocking-read", stream, 100) == Ok(b"one of input.txt\n")
    assert call(host, "wasi:io/streams", "[method]input-stream.read", stream, 100) == Err(Variant("closed", None))
    assert fs(host, "[method]descriptor.read", file, 4, 0) == Ok((b"line", False))
    assert fs(host, "[method]descriptor.read", file, 4, 100) == Ok((b"", True))
    stat = fs(host, "[method]descriptor.stat", file).value
    assert stat["type"] == "regular-file" and stat["size"] == 22 and stat["link-count"] == 1
    assert stat["data-modification-timestamp"]["seconds"] > 1_500_000_000
    assert fs(host, "[method]descriptor.read-via-stream", root, 0) == Err("bad-descriptor")
    # Opened for reading only: the stream is made (the permissions allow writing), the host refuses the write.
    out = fs(host, "[method]descriptor.write-via-stream", file, 0).value
    failed = call(host, "wasi:io/streams", "[method]output-stream.blocking-write-and-flush", out, b"x")
    assert call(host, "wasi:filesystem/types", "filesystem-error-code", failed.value.value) == "bad-descriptor"
    assert open_at(host, file, "x") == Err("not-directory")
    assert open_at(host, root, "missing.txt") == Err("no-entry")
    assert fs(host, "[method]descriptor.advise", file, 0, 0, "sequential") == Ok(None)
    assert fs(host, "[method]descriptor.sync-data", root) == Ok(None)
    assert fs(host, "[method]descriptor.sync", root) == Ok(None)


def test_write_append_and_set_size(host: WasiHost, sandbox: Path) -> None:
    root = root_of(host)
    file = open_at(host, root, "out.txt", ("create", "truncate"), ("read", "write")).value
    assert fs(host, "[method]descriptor.get-flags", file) == Ok(frozenset({"read", "write"}))
    out = fs(host, "[method]descriptor.write-via-stream", file, 0).value
    streams = "wasi:io/streams"
    assert call(host, streams, "[method]output-stream.blocking-write-and-flush", out, b"written\n") == Ok(None)
    appender = fs(host, "[method]descriptor.append-via-stream", file).value
    assert call(host, streams, "[method]output-stream.blocking-write-and-flush", appender, b"appended\n") == Ok(None)
    assert fs(host, "[method]descriptor.write", file, b"W", 0) == Ok(1)
    assert (sandbox / "out.txt").read_bytes() == b"Written\nappended\n"
    assert fs(host, "[method]descriptor.set-size", file, 3) == Ok(None)
    assert (sandbox / "out.txt").read_bytes() == b"Wri"
    assert fs(host, "[method]descriptor.set-size", root, 3) == Err("bad-descriptor")
    call(host, streams, "[resource-drop]output-stream", out)
    call(host, "wasi:filesystem/types", "[resource-drop]descriptor", file)
    assert open_at(host, root, "out.txt", ("create", "exclusive"), ("write",)) == Err("exist")
    assert open_at(host, root, "sub", ("directory", "create")) == Err("invalid")
    assert open_at(host, root, "input.txt", ("directory",)) == Err("not-directory")
    assert open_at(host, root, "input.txt", (), ("read", "file-integrity-sync")) == Err("unsupported")
    assert open_at(host, root, "sub", (), ("write",)) == Err("is-directory")


def test_directories(host: WasiHost, sandbox: Path) -> None:
    root = root_of(host)
    entries = fs(host, "[method]descriptor.read-directory", root).value
    listed = {}
    while True:
        entry = fs(host, "[method]directory-entry-stream.read-directory-entry", entries).value
        if entry is None:
            break
        listed[entry["name"]] = entry["type"]
    assert listed == {
        "input.txt": "regular-file",
        "sub": "directory",
        "escape": "symbolic-link",
        "absolute": "symbolic-link",
        "inner": "symbolic-link",
    }
    assert fs(host, "[method]descriptor.create-directory-at", root, "newdir/") == Ok(None)
    assert (sandbox / "newdir").is_dir()
    assert fs(host, "[method]descriptor.create-directory-at", root, "newdir") == Err("exist")
    assert fs(host, "[method]descriptor.remove-directory-at", root, "sub") == Err("not-empty")
    assert fs(host, "[method]descriptor.remove-directory-at", root, "newdir") == Ok(None)
    sub = open_at(host, root, "sub", ("directory",)).value
    assert fs(host, "[method]descriptor.get-flags", sub) == Ok(frozenset({"read"}))
    assert fs(host, "[method]descriptor.rename-at", root, "input.txt", sub, "moved.txt") == Ok(None)
    assert (sandbox / "sub" / "moved.txt").exists() and not (sandbox / "input.txt").exists()
    assert fs(host, "[method]descriptor.link-at", sub, frozenset(), "moved.txt", root, "hard.txt") == Ok(None)
    assert (sandbox / "hard.txt").read_bytes() == b"line one of input.txt\n"
    assert fs(host, "[method]descriptor.link-at", sub, frozenset({"symlink-follow"}), "moved.txt", root, "x") == Err(
        "invalid"
    )
    assert fs(host, "[method]descriptor.unlink-file-at", root, "hard.txt") == Ok(None)
    assert fs(host, "[method]descriptor.unlink-file-at", root, "sub") == Err("is-directory")
    assert fs(host, "[method]descriptor.stat-at", root, frozenset(), "sub").value["type"] == "directory"


def test_links_stat_and_hashes(host: WasiHost, sandbox: Path) -> None:
    root = root_of(host)
    assert fs(host, "[method]descriptor.symlink-at", root, "sub/nested.txt", "link") == Ok(None)
    assert fs(host, "[method]descriptor.readlink-at", root, "link") == Ok("sub/nested.txt")
    assert fs(host, "[method]descriptor.stat-at", root, frozenset(), "link").value["type"] == "symbolic-link"
    followed = fs(host, "[method]descriptor.stat-at", root, frozenset({"symlink-follow"}), "link").value
    assert followed["type"] == "regular-file" and followed["size"] == 12
    nested = open_at(host, root, "sub/nested.txt").value
    again = open_at(host, root, "inner", follow=True).value
    assert open_at(host, root, "inner") == Err("loop")
    assert fs(host, "[method]descriptor.is-same-object", nested, again) is True
    assert fs(host, "[method]descriptor.is-same-object", nested, root) is False
    hashed = fs(host, "[method]descriptor.metadata-hash", nested).value
    assert fs(host, "[method]descriptor.metadata-hash-at", root, frozenset({"symlink-follow"}), "inner") == Ok(hashed)
    assert hashed["upper"] == hashed["lower"] ^ 4614256656552045848
    assert fs(host, "[method]descriptor.metadata-hash", root) != Ok(hashed)


def test_set_times(host: WasiHost, sandbox: Path) -> None:
    root = root_of(host)
    stamp = Variant("timestamp", {"seconds": 1_000_000_000, "nanoseconds": 5})
    keep = Variant("no-change", None)
    assert fs(host, "[method]descriptor.set-times-at", root, frozenset(), "input.txt", stamp, keep) == Ok(None)
    assert os.stat(sandbox / "input.txt").st_atime_ns == 1_000_000_000 * 10**9 + 5
    file = open_at(host, root, "input.txt", (), ("read", "write")).value
    assert fs(host, "[method]descriptor.set-times", file, keep, stamp) == Ok(None)
    assert os.stat(sandbox / "input.txt").st_mtime_ns == 1_000_000_000 * 10**9 + 5
    assert fs(host, "[method]descriptor.set-times", root, Variant("now", None), keep) == Ok(None)
    huge = Variant("timestamp", {"seconds": 2**64 - 1, "nanoseconds": 0})
    assert fs(host, "[method]descriptor.set-times", file, huge, keep) == Err("overflow")


@pytest.mark.parametrize("path", ["../outside.txt", "/etc/passwd", "sub/../../outside.txt", "escape", "absolute"])
def test_paths_never_leave_the_preopen(host: WasiHost, sandbox: Path, path: str) -> None:
    root = root_of(host)
    assert open_at(host, root, path, follow=True) == Err("not-permitted")
    assert fs(host, "[method]descriptor.stat-at", root, frozenset({"symlink-follow"}), path) == Err("not-permitted")
    assert open_at(host, root, path, ("create", "truncate"), ("write",), follow=True) == Err("not-permitted")
    assert (sandbox.parent / "outside.txt").read_bytes() == b"secret\n"


def test_escapes_through_every_kind_of_path_method(host: WasiHost, sandbox: Path) -> None:
    root = root_of(host)
    denied = Err("not-permitted")
    assert fs(host, "[method]descriptor.create-directory-at", root, "../made") == denied
    assert fs(host, "[method]descriptor.rename-at", root, "input.txt", root, "../stolen.txt") == denied
    assert fs(host, "[method]descriptor.link-at", root, frozenset(), "input.txt", root, "/tmp/x") == denied
    assert fs(host, "[method]descriptor.symlink-at", root, "/etc/passwd", "pw") == denied
    assert fs(host, "[method]descriptor.readlink-at", root, "absolute") == denied
    assert fs(host, "[method]descriptor.unlink-file-at", root, "../outside.txt") == denied
    assert fs(host, "[method]descriptor.remove-directory-at", root, "..") in (denied, Err("busy"), Err("invalid"))
    assert fs(host, "[method]descriptor.metadata-hash-at", root, frozenset({"symlink-follow"}), "escape") == denied
    stamp = Variant("now", None)
    assert fs(host, "[method]descriptor.set-times-at", root, frozenset(), "../outside.txt", stamp, stamp) == denied
    assert sorted(path.name for path in sandbox.parent.iterdir()) == ["outside.txt", "sandbox"]
    assert (sandbox.parent / "outside.txt").read_bytes() == b"secret\n"


def test_read_only_preopen(sandbox: Path) -> None:
    with WasiHost(preopens=[(str(sandbox), "/ro", True)]) as host:
        root = root_of_read_only(host)
        assert fs(host, "[method]descriptor.get-flags", root) == Ok(frozenset({"read"}))
        file = open_at(host, root, "input.txt").value
        assert fs(host, "[method]descriptor.read", file, 4, 0) == Ok((b"line", False))
        assert fs(host, "[method]descriptor.write-via-stream", file, 0) == Err("bad-descriptor")
        assert fs(host, "[method]descriptor.write", file, b"x", 0) == Err("not-permitted")
        assert open_at(host, root, "new.txt", ("create",), ("write",)) == Err("not-permitted")
        assert open_at(host, root, "input.txt", (), ("write",)) == Err("not-permitted")
        assert fs(host, "[method]descriptor.unlink-file-at", root, "input.txt") == Err("not-permitted")
        assert fs(host, "[method]descriptor.create-directory-at", root, "d") == Err("not-permitted")
    assert sorted(path.name for path in sandbox.iterdir()) == ["absolute", "escape", "inner", "input.txt", "sub"]


def root_of_read_only(host: WasiHost) -> Descriptor:
    [(descriptor, guest)] = call(host, "wasi:filesystem/preopens", "get-directories")
    assert guest == "/ro"
    return descriptor


# -- clocks, poll, random --------------------------------------------------------------------------------


def test_clocks_and_poll(host: WasiHost) -> None:
    wall = call(host, "wasi:clocks/wall-clock", "now")
    assert wall["seconds"] > 1_577_836_800 and 0 <= wall["nanoseconds"] < 10**9
    assert call(host, "wasi:clocks/wall-clock", "resolution")["nanoseconds"] > 0
    assert call(host, "wasi:clocks/monotonic-clock", "resolution") > 0
    first = call(host, "wasi:clocks/monotonic-clock", "now")
    sleeper = call(host, "wasi:clocks/monotonic-clock", "subscribe-duration", 20_000_000)
    past = call(host, "wasi:clocks/monotonic-clock", "subscribe-instant", 0)
    far = call(host, "wasi:clocks/monotonic-clock", "subscribe-duration", 60 * 10**9)
    assert call(host, "wasi:io/poll", "poll", [far, past]) == [1]
    assert call(host, "wasi:io/poll", "[method]pollable.ready", far) is False
    started = time.monotonic()
    call(host, "wasi:io/poll", "[method]pollable.block", sleeper)
    assert call(host, "wasi:clocks/monotonic-clock", "now") - first >= 20_000_000
    assert time.monotonic() - started < 5
    assert call(host, "wasi:io/poll", "poll", [sleeper, past]) == [0, 1]
    with pytest.raises(WasiTrap, match="empty poll list"):
        call(host, "wasi:io/poll", "poll", [])


def test_random(host: WasiHost) -> None:
    assert len(call(host, "wasi:random/random", "get-random-bytes", 0)) == 0
    first = call(host, "wasi:random/random", "get-random-bytes", 32)
    assert len(first) == 32 and first != call(host, "wasi:random/random", "get-random-bytes", 32)
    assert 0 <= call(host, "wasi:random/random", "get-random-u64") < 2**64
    assert len(call(host, "wasi:random/insecure", "get-insecure-random-bytes", 7)) == 7
    assert 0 <= call(host, "wasi:random/insecure", "get-insecure-random-u64") < 2**64
    seed = call(host, "wasi:random/insecure-seed", "insecure-seed")
    assert seed == call(host, "wasi:random/insecure-seed", "insecure-seed") and all(0 <= part < 2**64 for part in seed)
    with pytest.raises(WasiTrap, match="exceeds limit"):
        call(host, "wasi:random/random", "get-random-bytes", 2**40)


# -- sockets -------------------------------------------------------------------------------------------


def test_sockets_deny_everything(host: WasiHost) -> None:
    network = call(host, "wasi:sockets/instance-network", "instance-network")
    tcp = call(host, "wasi:sockets/tcp-create-socket", "create-tcp-socket", "ipv4").value
    address = Variant("ipv4", {"port": 80, "address": (127, 0, 0, 1)})
    v6 = Variant("ipv6", {"port": 80, "flow-info": 0, "address": (0,) * 7 + (1,), "scope-id": 0})
    t = "wasi:sockets/tcp"
    assert call(host, t, "[method]tcp-socket.start-bind", tcp, network, address) == Err("access-denied")
    assert call(host, t, "[method]tcp-socket.start-connect", tcp, network, address) == Err("access-denied")
    assert call(host, t, "[method]tcp-socket.start-connect", tcp, network, v6) == Err("invalid-argument")
    assert call(host, t, "[method]tcp-socket.finish-connect", tcp) == Err("not-in-progress")
    assert call(host, t, "[method]tcp-socket.start-listen", tcp) == Err("invalid-state")
    assert call(host, t, "[method]tcp-socket.accept", tcp) == Err("invalid-state")
    assert call(host, t, "[method]tcp-socket.address-family", tcp) == "ipv4"
    assert call(host, t, "[method]tcp-socket.is-listening", tcp) is False
    assert call(host, t, "[method]tcp-socket.set-hop-limit", tcp, 0) == Err("invalid-argument")
    assert call(host, t, "[method]tcp-socket.set-hop-limit", tcp, 9) == Ok(None)
    assert call(host, t, "[method]tcp-socket.hop-limit", tcp) == Ok(9)
    udp = call(host, "wasi:sockets/udp-create-socket", "create-udp-socket", "ipv6").value
    u = "wasi:sockets/udp"
    assert call(host, u, "[method]udp-socket.start-bind", udp, network, v6) == Err("access-denied")
    assert call(host, u, "[method]udp-socket.stream", udp, None) == Err("invalid-state")
    lookup = call(host, "wasi:sockets/ip-name-lookup", "resolve-addresses", network, "example.com")
    assert lookup == Err("permanent-resolver-failure")
