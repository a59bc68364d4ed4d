"""``wasmrun compile`` and ``wasmrun run --allow-precompiled`` (docs/cli.md, "wasmrun compile"); ``wasmrun
config new`` and ``wasmrun cache dir|stats|clear``."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from testdata import REPO_ROOT

from wasmrun.cache import build, entry
from wasmrun.cache.directory import ENTRIES
from wasmrun.cli.main import main

EXAMPLES = REPO_ROOT / "examples"
HELLO = str(EXAMPLES / "hello.wasm")


def run(capfd: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(list(args))
    captured = capfd.readouterr()
    return status, captured.out, captured.err


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_compile_writes_the_module_name_with_cwasm_in_the_current_directory(
    in_tmp: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    assert run(capfd, "compile", HELLO) == (0, "", "")
    assert entry.is_entry((in_tmp / "hello.cwasm").read_bytes())


@pytest.mark.parametrize("option", ["-o", "--output"])
def test_compile_writes_where_it_is_told(option: str, in_tmp: Path, capfd: pytest.CaptureFixture[str]) -> None:
    assert run(capfd, "compile", option, "app.bin", HELLO) == (0, "", "")
    assert entry.is_entry((in_tmp / "app.bin").read_bytes())


def test_compile_into_a_missing_directory_is_one_line(in_tmp: Path, capfd: pytest.CaptureFixture[str]) -> None:
    assert run(capfd, "compile", "-o", "missing/app.cwasm", HELLO) == (
        1,
        "",
        "Error: cannot write file: No such file or directory (missing/app.cwasm)\n",
    )


def test_compile_writes_what_compile_module_makes(in_tmp: Path, capfd: pytest.CaptureFixture[str]) -> None:
    from wasmrun.cache.precompiled import compile_module
    from wasmrun.features import ALL_FEATURES

    assert run(capfd, "compile", HELLO) == (0, "", "")
    written = entry.decode((in_tmp / "hello.cwasm").read_bytes(), None)
    assert written == entry.decode(compile_module(Path(HELLO).read_bytes(), ALL_FEATURES), None)


def test_a_write_that_fails_midway_leaves_no_file(in_tmp: Path) -> None:
    from wasmrun.cli.precompile import write_file

    def pieces() -> Iterator[bytes]:
        yield b"first piece"
        raise MemoryError("no room")

    with pytest.raises(MemoryError):
        write_file("app.cwasm", pieces())
    assert list(in_tmp.iterdir()) == []


RUNS = {
    "wasmrun --allow-precompiled": ("--allow-precompiled",),
    "wasmrun run --allow-precompiled": ("run", "--allow-precompiled"),
}


@pytest.mark.parametrize("prefix", RUNS.values(), ids=RUNS.keys())
def test_a_precompiled_module_runs_with_the_flag(
    prefix: tuple[str, ...], in_tmp: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    run(capfd, "compile", HELLO)
    assert run(capfd, *prefix, "hello.cwasm") == (0, "Hello, world!\n", "")


@pytest.mark.parametrize("prefix", [(), ("run",)], ids=["wasmrun", "wasmrun run"])
def test_a_precompiled_module_without_the_flag_is_refused(
    prefix: tuple[str, ...], in_tmp: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    run(capfd, "compile", HELLO)
    assert run(capfd, *prefix, "hello.cwasm") == (
        1,
        "",
        "Error: running a precompiled module requires the `--allow-precompiled` flag (hello.cwasm)\n",
    )


def test_the_flag_lets_an_ordinary_module_run_too(capfd: pytest.CaptureFixture[str]) -> None:
    assert run(capfd, "--allow-precompiled", HELLO) == (0, "Hello, world!\n", "")


def test_a_precompiled_module_runs_with_no_decoder_validator_or_interpreter_translator(
    in_tmp: Path, capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from wasmrun.binary import decoder
    from wasmrun.engine import interpreter
    from wasmrun.interp import translate

    run(capfd, "compile", str(EXAMPLES / "wc.wasm"))
    for module, name in (
        (decoder, "decode_module"),
        (translate, "translate_function"),
        (interpreter, "translate_function"),
    ):
        monkeypatch.setattr(module, name, _refuse)
    monkeypatch.setattr("wasmrun.validation.validate_module", _refuse)
    status, _out, err = run(capfd, "--allow-precompiled", "wc.cwasm", str(EXAMPLES / "wc.c"))
    assert (status, err) == (0, "")


def _refuse(*args: Any, **kwargs: Any) -> Any:
    raise AssertionError("called by the run of a precompiled module")


def test_a_text_module_precompiles(in_tmp: Path, capfd: pytest.CaptureFixture[str]) -> None:
    run(capfd, "compile", str(EXAMPLES / "add.wat"))
    assert run(capfd, "--allow-precompiled", "--invoke", "add", "add.cwasm", "2", "3") == (0, "5\n", "")


def test_a_precompiled_module_runs_with_other_engine_options(in_tmp: Path, capfd: pytest.CaptureFixture[str]) -> None:
    run(capfd, "compile", HELLO)
    assert run(capfd, "--allow-precompiled", "--fuel", "100000000", "--engine", "interp", "hello.cwasm") == (
        0,
        "Hello, world!\n",
        "",
    )


# --- refused ---------------------------------------------------------------------------------------------------


def _rewrite_header(path: Path, field: str, value: str) -> None:
    """Give a precompiled file another header value, its digest made anew (a file another build made)."""
    header, payload = entry.decode(path.read_bytes(), None)
    path.write_bytes(entry.encode(header._replace(**{field: value}), payload, None))


def _changed_at(data: bytes, position: int) -> bytes:
    return data[:position] + bytes([data[position] ^ 1]) + data[position + 1 :]


def _blobs_start(data: bytes) -> int:
    """Where the blobs start (the first is the module's pickle)."""
    header = entry.Entry(entry.Source(data)).header
    return data.index(b"\n\n") + 2 + entry.DIGEST_SIZE + header.index_size


REFUSALS: dict[str, tuple[Callable[[Path], None], str]] = {
    "another build": (
        lambda path: _rewrite_header(path, "wasmrun", hashlib.sha256(b"other").hexdigest()),
        f"Error: the module was precompiled by another build of wasmrun ({build.version()}; this is {build.version()})",
    ),
    "another Python": (
        lambda path: _rewrite_header(path, "python", "cpython-399"),
        f"Error: the module was precompiled for another Python (cpython-399; this is {build.PYTHON_TAG})",
    ),
    "an index byte changed": (
        lambda path: path.write_bytes(_changed_at(path.read_bytes(), path.read_bytes().index(b"\n\n") + 50)),
        "Error: cannot run this precompiled module: its digest does not match its contents (damaged or altered)",
    ),
    "a byte of the module changed": (
        lambda path: path.write_bytes(_changed_at(path.read_bytes(), _blobs_start(path.read_bytes()) + 10)),
        "Error: cannot run this precompiled module: its digest does not match its contents (damaged or altered)",
    ),
    "truncated": (
        lambda path: path.write_bytes(path.read_bytes()[:-1000]),
        "Error: cannot run this precompiled module: it is truncated or damaged",
    ),
    "another format": (
        lambda path: path.write_bytes(path.read_bytes().replace(b"format 2\n", b"format 9\n", 1)),
        "Error: cannot run this precompiled module: it is in format 9, this wasmrun reads format 2",
    ),
    "a cache entry": (
        lambda path: _rewrite_header(path, "kind", entry.ENTRY),
        "Error: cannot run this precompiled module: it is an entry of a code cache",
    ),
}


@pytest.mark.parametrize(("change", "message"), REFUSALS.values(), ids=REFUSALS.keys())
def test_a_precompiled_module_this_wasmrun_cannot_run_is_refused_in_one_line(
    change: Callable[[Path], None], message: str, in_tmp: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    run(capfd, "compile", HELLO)
    change(in_tmp / "hello.cwasm")
    assert run(capfd, "--allow-precompiled", "hello.cwasm") == (1, "", f"{message} (hello.cwasm)\n")


def test_a_damaged_translation_is_not_used_but_made_again(
    in_tmp: Path, capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from wasmrun.engine import interpreter

    run(capfd, "compile", HELLO)
    path = in_tmp / "hello.cwasm"
    path.write_bytes(_changed_at(path.read_bytes(), path.stat().st_size - 1))  # the last code item
    translated: list[int] = []
    translate = interpreter.translate_function

    def counting(*args: Any, **kwargs: Any) -> Any:
        translated.append(1)
        return translate(*args, **kwargs)

    monkeypatch.setattr(interpreter, "translate_function", counting)
    assert run(capfd, "--allow-precompiled", "hello.cwasm") == (0, "Hello, world!\n", "")
    assert len(translated) <= 1


def test_a_run_with_other_proposals_is_refused(in_tmp: Path, capfd: pytest.CaptureFixture[str]) -> None:
    run(capfd, "compile", HELLO)
    assert run(capfd, "--allow-precompiled", "-W", "simd=n", "hello.cwasm") == (
        1,
        "",
        "Error: the module was precompiled with other WebAssembly proposals enabled (-W) than this run's (hello.cwasm)\n",
    )


def test_compile_with_proposals_off_runs_with_the_same(in_tmp: Path, capfd: pytest.CaptureFixture[str]) -> None:
    run(capfd, "compile", "-W", "simd=n", HELLO)
    assert run(capfd, "--allow-precompiled", "-W", "simd=n", "hello.cwasm") == (0, "Hello, world!\n", "")


COMPILE_FAILURES = {
    "a component": (
        str(EXAMPLES / "upper.component.wasm"),
        "Error: precompiling a component is not supported yet (the code cache keeps core modules only)",
    ),
    "a malformed module": (str(REPO_ROOT / "tests" / "data" / "run" / "limits.wat"), None),
    "a missing file": ("missing.wasm", "Error: cannot read file: No such file or directory"),
}


@pytest.mark.parametrize(("module", "message"), COMPILE_FAILURES.values(), ids=COMPILE_FAILURES.keys())
def test_compile_fails_in_one_line(
    module: str, message: str | None, in_tmp: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    if message is None:
        (in_tmp / "bad.wasm").write_bytes(b"\0asm\x01\0\0\0\x01")
        module, message = "bad.wasm", "Error: unexpected end"
    status, out, err = run(capfd, "compile", module)
    assert (status, out) == (1, "")
    (line,) = err.splitlines()
    assert line.startswith(message)
    assert list(in_tmp.glob("*.cwasm")) == []


def test_compiling_a_precompiled_module_is_refused(in_tmp: Path, capfd: pytest.CaptureFixture[str]) -> None:
    run(capfd, "compile", HELLO)
    assert run(capfd, "compile", "-o", "again.cwasm", "hello.cwasm") == (
        1,
        "",
        "Error: this module is precompiled already (hello.cwasm)\n",
    )


@pytest.mark.parametrize("arguments", [("compile", "-W", "fuel=1", HELLO), ("compile", "-")])
def test_compile_usage_errors(arguments: tuple[str, ...], capfd: pytest.CaptureFixture[str]) -> None:
    assert run(capfd, *arguments)[0] == 2


# --- wasmrun config new ------------------------------------------------------------------------------------------


def test_config_new_writes_a_file_every_run_accepts(in_tmp: Path, capfd: pytest.CaptureFixture[str]) -> None:
    assert run(capfd, "config", "new", "my.toml") == (
        0,
        "Successfully created a new configuration file at 'my.toml'.\n",
        "",
    )
    assert run(capfd, "-C", "cache-config=my.toml", HELLO) == (0, "Hello, world!\n", "")


def test_config_new_writes_the_default_file(
    in_tmp: Path, capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(in_tmp / "xdg"))
    expected = in_tmp / "xdg" / "wasmrun" / "config.toml"
    assert run(capfd, "config", "new") == (0, f"Successfully created a new configuration file at '{expected}'.\n", "")
    assert expected.read_text().count("[cache]") == 1


def test_config_new_leaves_an_existing_file_alone(in_tmp: Path, capfd: pytest.CaptureFixture[str]) -> None:
    (in_tmp / "my.toml").write_text("mine")
    assert run(capfd, "config", "new", "my.toml") == (1, "", "Error: configuration file already exists (my.toml)\n")
    assert (in_tmp / "my.toml").read_text() == "mine"


# --- wasmrun cache -----------------------------------------------------------------------------------------------


def test_cache_dir_prints_the_directory(capfd: pytest.CaptureFixture[str], private_code_cache: Path) -> None:
    assert run(capfd, "cache", "dir") == (0, f"{private_code_cache}\n", "")


def test_cache_dir_follows_the_configuration_file(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("WASMRUN_CACHE_DIR")
    config = tmp_path / "c.toml"
    config.write_text(f'[cache]\ndirectory = "{tmp_path / "elsewhere"}"\n')
    assert run(capfd, "cache", "dir", "--cache-config", str(config)) == (0, f"{tmp_path / 'elsewhere'}\n", "")
    assert run(capfd, "cache", "dir", "-C", f"cache-config={config}") == (0, f"{tmp_path / 'elsewhere'}\n", "")


def test_cache_stats_counts_the_entries(capfd: pytest.CaptureFixture[str], private_code_cache: Path) -> None:
    run(capfd, HELLO)
    (written,) = (private_code_cache / ENTRIES).iterdir()
    size = written.stat().st_size
    status, out, _err = run(capfd, "cache", "stats")
    assert status == 0
    assert out.splitlines()[:4] == [
        f"directory: {private_code_cache}",
        "enabled: yes",
        "entries: 1",
        f"size: {size:,} bytes ({size / (1 << 20):.1f} MiB)",
    ]


def test_cache_clear_deletes_every_entry(capfd: pytest.CaptureFixture[str], private_code_cache: Path) -> None:
    run(capfd, HELLO)
    (written,) = (private_code_cache / ENTRIES).iterdir()
    size = written.stat().st_size
    assert run(capfd, "cache", "clear") == (
        0,
        f"removed 1 entries ({size:,} bytes ({size / (1 << 20):.1f} MiB)) from {private_code_cache}\n",
        "",
    )
    assert list((private_code_cache / ENTRIES).iterdir()) == []


def test_cache_clear_of_no_cache_removes_nothing(capfd: pytest.CaptureFixture[str], private_code_cache: Path) -> None:
    assert run(capfd, "cache", "clear")[:2] == (0, f"removed 0 entries (0 bytes (0.0 MiB)) from {private_code_cache}\n")
