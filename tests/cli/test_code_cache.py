"""The code cache as ``wasmrun run`` uses it (docs/cli.md, "The code cache"): warm runs, keys, damage, safety.

Every test has a cache directory of its own (``WASMRUN_CACHE_DIR``, set by ``tests/conftest.py`` and
given to each test as the fixture ``private_code_cache``).  Most cases call :func:`wasmrun.cli.main.main`
in this process, so that the front end and the engine can be watched or made to fail; the concurrent
writers are processes of their own.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
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
CHECKSUM = str(EXAMPLES / "checksum.wat")
CHECKSUM_ARGS = ("--invoke", "checksum", CHECKSUM, "0", "65536")  # a hot loop: compiled, entered mid-run (OSR)


def run(capfd: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(list(args))
    captured = capfd.readouterr()
    return status, captured.out, captured.err


def entries(cache: Path) -> list[Path]:
    directory = cache / ENTRIES
    return sorted(path for path in directory.iterdir() if not path.name.startswith(".")) if directory.exists() else []


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the runs that load (decode and validate) their module: one item per load."""
    from wasmrun import loader

    made: list[int] = []
    original = loader.load_module

    def counting(*args: Any, **kwargs: Any) -> Any:
        made.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(loader, "load_module", counting)
    return made


# --- a warm run: no decoder, no validator, no translator ------------------------------------------------


def _refuse(name: str) -> Callable[..., Any]:
    def refused(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError(f"a warm run called {name}")

    return refused


# Every entry point of the front end and of the engine's translators, under each name it is called by.
FRONT_END_AND_TRANSLATORS = (
    ("wasmrun.loader", "load_module"),
    ("wasmrun.loader", "decode_module"),
    ("wasmrun.binary.decoder", "decode_module"),
    ("wasmrun.validation", "validate_module"),
    ("wasmrun.binary.instructions", "decode_function_body"),
    ("wasmrun.interp.translate", "decode_function_body"),
    ("wasmrun.interp.simd_translation", "decode_function_body"),
    ("wasmrun.interp.translate", "translate_function"),
    ("wasmrun.engine.interpreter", "translate_function"),
    ("wasmrun.codegen.compiled", "generate"),
    ("wasmrun.codegen.compiled", "compile_generated"),
    ("wasmrun.interp.handlers", "source"),
)


@pytest.fixture
def no_front_end(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[], None]]:
    """Call the result to make every decoder, validator and translator entry point raise."""
    import importlib

    def refuse_all() -> None:
        for module_name, name in FRONT_END_AND_TRANSLATORS:
            module = importlib.import_module(module_name)
            assert hasattr(module, name), f"{module_name}.{name} is gone: update this list"
            monkeypatch.setattr(module, name, _refuse(f"{module_name}.{name}"))

    yield refuse_all


WARM_CASES = {
    "hello, auto": ("--engine", "auto", HELLO),
    "hello, interp": ("--engine", "interp", HELLO),
    "hello, compile": ("--engine", "compile", HELLO),
    "hot loop (OSR), auto": ("--engine", "auto", *CHECKSUM_ARGS),
    "hot loop, compile": ("--engine", "compile", *CHECKSUM_ARGS),
    "hot loop, fuel": ("--fuel", "100000000", *CHECKSUM_ARGS),
}


@pytest.mark.parametrize("args", WARM_CASES.values(), ids=WARM_CASES.keys())
def test_a_warm_run_decodes_validates_and_translates_nothing(
    args: tuple[str, ...], capfd: pytest.CaptureFixture[str], no_front_end: Callable[[], None]
) -> None:
    cold = run(capfd, *args)
    assert cold[0] == 0 and cold[2] == ""
    no_front_end()
    assert run(capfd, *args) == cold


def test_a_warm_run_of_a_text_module_reads_no_text(
    capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from wasmrun import loader

    cold = run(capfd, *CHECKSUM_ARGS)
    monkeypatch.setattr(loader, "to_binary", _refuse("to_binary"))
    assert run(capfd, *CHECKSUM_ARGS) == cold


def test_a_warm_run_reports_what_a_cold_run_does_on_a_trap(capfd: pytest.CaptureFixture[str]) -> None:
    divz = str(EXAMPLES / "divz-debug.wasm")
    cold = run(capfd, divz)
    assert cold[0] == 134
    assert run(capfd, divz) == cold


def test_a_run_of_a_module_it_has_not_seen_writes_one_entry(
    capfd: pytest.CaptureFixture[str], private_code_cache: Path
) -> None:
    run(capfd, HELLO)
    assert len(entries(private_code_cache)) == 1


def test_a_warm_run_that_adds_nothing_writes_nothing(
    capfd: pytest.CaptureFixture[str], private_code_cache: Path
) -> None:
    run(capfd, HELLO)
    (written,) = entries(private_code_cache)
    os.utime(written, (1, 1))
    before = written.read_bytes()
    run(capfd, HELLO)
    assert written.read_bytes() == before


# --- the key: what makes another entry ------------------------------------------------------------------

KEY_CASES = {
    "proposals": ("-W", "simd=n"),
    "engine": ("--engine", "interp"),
    "fuel on": ("--fuel", "1000000"),
    "statistics": ("--stats",),
}


@pytest.mark.parametrize("options", KEY_CASES.values(), ids=KEY_CASES.keys())
def test_options_that_change_the_code_have_an_entry_of_their_own(
    options: tuple[str, ...], capfd: pytest.CaptureFixture[str], loads: list[int]
) -> None:
    run(capfd, HELLO)
    run(capfd, *options, HELLO)
    assert len(loads) == 2


SHARING_CASES = {
    "another fuel budget": (("--fuel", "1000000"), ("--fuel", "2000000")),
    "a timeout": ((), ("--timeout", "10s")),
    "the guest's environment": ((), ("--env", "A=B")),
    "another call depth": ((), ("--max-stack-depth", "1000")),
}


@pytest.mark.parametrize(("first", "second"), SHARING_CASES.values(), ids=SHARING_CASES.keys())
def test_options_that_change_no_code_share_the_entry(
    first: tuple[str, ...], second: tuple[str, ...], capfd: pytest.CaptureFixture[str], loads: list[int]
) -> None:
    run(capfd, *first, HELLO)
    run(capfd, *second, HELLO)
    assert len(loads) == 1


@pytest.mark.parametrize("part", ["build", "python"])
def test_an_entry_of_another_wasmrun_or_python_is_not_used(
    part: str, capfd: pytest.CaptureFixture[str], loads: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    run(capfd, HELLO)
    if part == "build":
        monkeypatch.setitem(build._memo, "build", "another build")
    else:
        monkeypatch.setattr(build, "PYTHON_TAG", "cpython-399")
    assert run(capfd, HELLO)[:2] == (0, "Hello, world!\n")
    assert len(loads) == 2


@pytest.mark.parametrize("field", ["wasmrun", "python", "module"])
def test_an_entry_whose_header_names_another_build_is_not_used(
    field: str, capfd: pytest.CaptureFixture[str], loads: list[int], private_code_cache: Path
) -> None:
    """A file put under another key (renamed) is checked by its header, not trusted by its name."""
    run(capfd, HELLO)
    (written,) = entries(private_code_cache)
    data = written.read_bytes()
    header = entry.Entry(entry.Source(data)).header
    changed = data.replace(f"{field} {getattr(header, field)}\n".encode(), f"{field} {'0' * 64}\n".encode(), 1)
    assert changed != data
    written.write_bytes(changed)
    assert run(capfd, HELLO) == (0, "Hello, world!\n", "")
    assert len(loads) == 2


# --- the digest memo: a settled file is not hashed again ------------------------------------------------------


@pytest.fixture
def hashes(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the module digests computed (a module's bytes hashed)."""
    from wasmrun.cache import code_cache

    made: list[int] = []
    original = code_cache.module_digest

    def counting(data: bytes) -> str:
        made.append(1)
        return original(data)

    monkeypatch.setattr(code_cache, "module_digest", counting)
    return made


def _settled_module(tmp_path: Path, text: str, name: str = "m.wat") -> Path:
    path = tmp_path / name
    path.write_text(text)
    os.utime(path, (1_000_000, 1_000_000))  # its content from long ago (its ctime is now: not settled yet)
    return path


def test_a_settled_files_digest_is_remembered(
    capfd: pytest.CaptureFixture[str], hashes: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    from wasmrun.cache import code_cache

    monkeypatch.setattr(code_cache, "SETTLED_SECONDS", -1.0)  # (a file of the test is changed just now)
    run(capfd, HELLO)
    run(capfd, HELLO)
    assert len(hashes) == 1


def test_a_file_changed_since_is_hashed_again(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], hashes: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    from wasmrun.cache import code_cache

    monkeypatch.setattr(code_cache, "SETTLED_SECONDS", -1.0)
    first = '(module (func (export "f") (result i32) i32.const 1))'
    path = _settled_module(tmp_path, first)
    assert run(capfd, "--invoke", "f", str(path)) == (0, "1\n", "")
    _settled_module(tmp_path, first.replace("const 1", "const 2"))  # the same size and times; a new ctime
    assert run(capfd, "--invoke", "f", str(path)) == (0, "2\n", "")
    assert len(hashes) == 2


def test_a_file_changed_just_now_is_not_remembered(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], hashes: list[int], private_code_cache: Path
) -> None:
    path = _settled_module(tmp_path, '(module (func (export "f") (result i32) i32.const 1))')
    run(capfd, "--invoke", "f", str(path))
    run(capfd, "--invoke", "f", str(path))
    assert len(hashes) == 2
    assert list((private_code_cache / "digests").iterdir()) == []


def test_an_altered_memo_is_not_believed(
    tmp_path: Path,
    capfd: pytest.CaptureFixture[str],
    hashes: list[int],
    private_code_cache: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from wasmrun.cache import code_cache

    monkeypatch.setattr(code_cache, "SETTLED_SECONDS", -1.0)
    run(capfd, HELLO)
    (memo,) = (private_code_cache / "digests").iterdir()
    memo.write_bytes(b"0" * 64 + memo.read_bytes()[64:])  # another module's digest, the old MAC
    assert run(capfd, HELLO) == (0, "Hello, world!\n", "")
    assert len(hashes) == 2


# --- damaged, altered, concurrent ---------------------------------------------------------------------------


def _flip_digest(data: bytes) -> bytes:
    start = data.index(b"\n\n") + 2  # the end of the header
    return data[:start] + bytes([data[start] ^ 0x80]) + data[start + 1 :]


def _flip_index(data: bytes) -> bytes:
    start = data.index(b"\n\n") + 2 + entry.DIGEST_SIZE + 10
    return data[:start] + bytes([data[start] ^ 1]) + data[start + 1 :]


def _flip_module(data: bytes) -> bytes:
    header = entry.Entry(entry.Source(data)).header
    start = data.index(b"\n\n") + 2 + entry.DIGEST_SIZE + header.index_size + 10  # in the first blob
    return data[:start] + bytes([data[start] ^ 1]) + data[start + 1 :]


DAMAGES: dict[str, Callable[[bytes], bytes]] = {
    "empty": lambda data: b"",
    "a module byte flipped": _flip_module,
    "truncated": lambda data: data[: len(data) // 2],
    "garbage": lambda data: os.urandom(len(data)),
    "an index byte flipped": _flip_index,
    "a digest byte flipped": _flip_digest,
    "a longer file": lambda data: data + b"\0",
}


@pytest.mark.parametrize("damage", DAMAGES.values(), ids=DAMAGES.keys())
def test_a_damaged_or_altered_entry_is_ignored_and_replaced(
    damage: Callable[[bytes], bytes],
    capfd: pytest.CaptureFixture[str],
    loads: list[int],
    private_code_cache: Path,
) -> None:
    run(capfd, HELLO)
    (written,) = entries(private_code_cache)
    good = written.read_bytes()
    written.write_bytes(damage(good))
    assert run(capfd, HELLO) == (0, "Hello, world!\n", "")
    assert len(loads) == 2
    assert run(capfd, HELLO) == (0, "Hello, world!\n", "")
    assert len(loads) == 2  # the damaged entry was replaced by a good one


def test_a_damaged_code_item_is_made_again_and_the_entry_replaced(
    capfd: pytest.CaptureFixture[str], loads: list[int], private_code_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from wasmrun.engine import interpreter

    run(capfd, HELLO)
    (written,) = entries(private_code_cache)
    data = written.read_bytes()
    written.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))  # the last blob: a code item
    translated: list[int] = []
    translate = interpreter.translate_function

    def counting(*args: Any, **kwargs: Any) -> Any:
        translated.append(1)
        return translate(*args, **kwargs)

    monkeypatch.setattr(interpreter, "translate_function", counting)
    assert run(capfd, HELLO) == (0, "Hello, world!\n", "")
    assert len(loads) == 1  # the module came from the entry
    made = len(translated)
    assert run(capfd, HELLO) == (0, "Hello, world!\n", "")
    assert len(translated) == made  # the entry was written whole again


def test_an_entry_signed_with_another_secret_is_ignored(
    capfd: pytest.CaptureFixture[str], loads: list[int], private_code_cache: Path
) -> None:
    """Whoever rewrites an entry, digest included, without the directory's secret, is not believed."""
    run(capfd, HELLO)
    (written,) = entries(private_code_cache)
    header, payload = entry.decode(written.read_bytes(), (private_code_cache / "secret").read_bytes())
    written.write_bytes(entry.encode(header, payload, os.urandom(32)))
    assert run(capfd, HELLO) == (0, "Hello, world!\n", "")
    assert len(loads) == 2


def _run_process(*args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "wasmrun.cli.main", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )


def test_two_runs_writing_the_same_entry_at_once_leave_one_whole_entry(private_code_cache: Path) -> None:
    runs = [_run_process(HELLO) for _ in range(2)]
    results = [(*process.communicate(timeout=120), process.returncode) for process in runs]
    assert results == [(b"Hello, world!\n", b"", 0)] * 2
    (written,) = entries(private_code_cache)
    assert entry.decode(written.read_bytes(), (private_code_cache / "secret").read_bytes())[1].items
    assert sorted(path.name for path in (private_code_cache / ENTRIES).iterdir()) == [written.name]  # no leftovers


WRITER = """
import sys
from wasmrun.cache.directory import CacheDirectory
directory = CacheDirectory(sys.argv[1])
directory.open()
data = bytes([int(sys.argv[2])]) * (1 << 20)
for _ in range(40):
    directory.write("entry", data)
"""


def test_a_reader_sees_one_writers_entry_whole_however_writes_interleave(tmp_path: Path) -> None:
    from wasmrun.cache.directory import CacheDirectory

    directory = CacheDirectory(str(tmp_path / "cache"))
    directory.open()
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, directory.path, str(byte)]) for byte in (0x41, 0x42)]
    while any(writer.poll() is None for writer in writers):
        data = directory.read("entry")
        assert data in (None, b"A" * (1 << 20), b"B" * (1 << 20))
    assert [writer.wait(timeout=120) for writer in writers] == [0, 0]
    assert directory.read("entry") in (b"A" * (1 << 20), b"B" * (1 << 20))


# --- limits -------------------------------------------------------------------------------------------------


def _module_file(tmp_path: Path, number: int) -> str:
    path = tmp_path / f"m{number}.wat"
    path.write_text(f'(module (func (export "f") (result i32) i32.const {number}))')
    return str(path)


def _config(tmp_path: Path, text: str) -> str:
    path = tmp_path / "config.toml"
    path.write_text("[cache]\n" + text)
    return str(path)


def test_a_full_cache_drops_its_least_recently_used_entries(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], private_code_cache: Path
) -> None:
    config = _config(tmp_path, 'file-count-soft-limit = "3"\nfile-count-limit-percent-if-deleting = "34%"\n')
    modules = [_module_file(tmp_path, number) for number in range(4)]
    names = []
    for age, module in enumerate(modules[:3]):
        run(capfd, "-C", f"cache-config={config}", "--invoke", "f", module)
        (new,) = set(entries(private_code_cache)) - set(names)
        os.utime(new, (1000 + age, 1000 + age))  # the first is the least recently used
        names.append(new)
    run(capfd, "-C", f"cache-config={config}", "--invoke", "f", modules[3])
    # Four entries are over the limit of three: down to 34% of it, one, the entry just written kept.
    (kept,) = entries(private_code_cache)
    assert kept not in names


def test_reading_an_entry_makes_it_the_most_recently_used(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], private_code_cache: Path
) -> None:
    config = _config(tmp_path, 'file-count-soft-limit = "2"\nfile-count-limit-percent-if-deleting = "100%"\n')
    first, second, third = (_module_file(tmp_path, number) for number in range(3))
    run(capfd, "-C", f"cache-config={config}", "--invoke", "f", first)
    (first_entry,) = entries(private_code_cache)
    run(capfd, "-C", f"cache-config={config}", "--invoke", "f", second)
    (second_entry,) = set(entries(private_code_cache)) - {first_entry}
    os.utime(first_entry, (1000, 1000))
    os.utime(second_entry, (2000, 2000))
    run(capfd, "-C", f"cache-config={config}", "--invoke", "f", first)  # read: now the most recent
    run(capfd, "-C", f"cache-config={config}", "--invoke", "f", third)
    assert first_entry in entries(private_code_cache)
    assert second_entry not in entries(private_code_cache)


def test_a_size_limit_bounds_the_cache(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], private_code_cache: Path
) -> None:
    config = _config(tmp_path, 'files-total-size-soft-limit = "1"\n')
    for number in range(3):
        run(capfd, "-C", f"cache-config={config}", "--invoke", "f", _module_file(tmp_path, number))
        assert len(entries(private_code_cache)) == 1  # only the entry just written


# --- off, and directories that cannot be used ----------------------------------------------------------------

OFF = {
    "-C cache=n": ("-C", "cache=n"),
    "-C cache=no": ("-C", "cache=no"),
    "--no-cache": ("--no-cache",),
}


@pytest.mark.parametrize("options", OFF.values(), ids=OFF.keys())
def test_a_run_with_the_cache_off_neither_reads_nor_writes_it(
    options: tuple[str, ...], capfd: pytest.CaptureFixture[str], private_code_cache: Path, loads: list[int]
) -> None:
    run(capfd, HELLO)
    assert run(capfd, *options, HELLO) == (0, "Hello, world!\n", "")
    assert len(loads) == 2
    assert len(entries(private_code_cache)) == 1


def test_a_configuration_file_can_turn_the_cache_off(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], private_code_cache: Path
) -> None:
    config = _config(tmp_path, "enabled = false\n")
    assert run(capfd, "-C", f"cache-config={config}", HELLO) == (0, "Hello, world!\n", "")
    assert not private_code_cache.exists()


def test_cache_y_overrides_a_configuration_file_that_turns_it_off(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], private_code_cache: Path
) -> None:
    config = _config(tmp_path, "enabled = false\n")
    run(capfd, "-C", f"cache-config={config},cache=y", HELLO)
    assert len(entries(private_code_cache)) == 1


def test_the_default_configuration_file_is_read(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, private_code_cache: Path
) -> None:
    (tmp_path / "xdg" / "wasmrun").mkdir(parents=True)
    (tmp_path / "xdg" / "wasmrun" / "config.toml").write_text("[cache]\nenabled = false\n")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    run(capfd, HELLO)
    assert not private_code_cache.exists()


def _under_a_file(tmp_path: Path) -> str:
    (tmp_path / "file").write_text("")
    return str(tmp_path / "file" / "cache")


def _writable_by_others(tmp_path: Path) -> str:
    path = tmp_path / "shared"
    path.mkdir()
    path.chmod(0o777)
    return str(path)


def _group_writable(tmp_path: Path) -> str:
    path = tmp_path / "group"
    path.mkdir()
    path.chmod(0o770)
    return str(path)


def _another_users(tmp_path: Path) -> str:
    path = tmp_path / "theirs"
    path.mkdir(mode=0o700)
    if os.geteuid() != 0:
        pytest.skip("making a directory of another user needs root")
    os.chown(path, 65534, 65534)
    return str(path)


def _entries_writable_by_others(tmp_path: Path) -> str:
    path = tmp_path / "cache"
    (path / ENTRIES).mkdir(parents=True, mode=0o700)
    path.chmod(0o700)
    (path / ENTRIES).chmod(0o777)
    return str(path)


UNUSABLE: dict[str, tuple[Callable[[Path], str], str]] = {
    "under a regular file": (_under_a_file, "cannot create"),
    "writable by others": (_writable_by_others, "is writable by other users"),
    "group-writable": (_group_writable, "is writable by other users"),
    "another user's": (_another_users, "belongs to another user"),
    "entries writable by others": (_entries_writable_by_others, "is writable by other users"),
}


@pytest.mark.parametrize(("make", "reason"), UNUSABLE.values(), ids=UNUSABLE.keys())
def test_an_unusable_directory_is_one_warning_and_the_run_goes_on(
    make: Callable[[Path], str],
    reason: str,
    tmp_path: Path,
    capfd: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    directory = make(tmp_path)
    monkeypatch.setenv("WASMRUN_CACHE_DIR", directory)
    status, out, err = run(capfd, HELLO)
    assert (status, out) == (0, "Hello, world!\n")
    (line,) = err.splitlines()
    assert line.startswith("warning: the code cache is not used: ") and reason in line
    if os.path.isdir(directory) and os.path.isdir(os.path.join(directory, ENTRIES)):
        assert os.listdir(os.path.join(directory, ENTRIES)) == []


def test_a_failure_to_write_the_entry_is_one_warning_after_a_run_that_succeeded(
    capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from wasmrun.cache import code_cache

    def failing(*args: Any) -> Any:
        raise MemoryError("no room")

    monkeypatch.setattr(code_cache, "encode_chunks", failing)
    assert run(capfd, HELLO) == (
        0,
        "Hello, world!\n",
        "warning: the code cache is not used: the entry could not be written (MemoryError: no room)\n",
    )


def test_a_new_directory_is_private(capfd: pytest.CaptureFixture[str], private_code_cache: Path) -> None:
    run(capfd, HELLO)
    for path in (private_code_cache, private_code_cache / ENTRIES, private_code_cache / "digests"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o700
    files = [private_code_cache / "secret", *entries(private_code_cache), *(private_code_cache / "digests").iterdir()]
    assert len(files) == 3
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_an_entry_that_is_a_link_is_not_followed(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], private_code_cache: Path, loads: list[int]
) -> None:
    run(capfd, HELLO)
    (written,) = entries(private_code_cache)
    target = tmp_path / "elsewhere"
    target.write_bytes(written.read_bytes())
    written.unlink()
    written.symlink_to(target)
    status, out, err = run(capfd, HELLO)
    assert (status, out) == (0, "Hello, world!\n") and "warning" in err
    assert len(loads) == 2


# --- a bad configuration ---------------------------------------------------------------------------------------

BAD_CONFIGS = {
    "unknown key": ("[cache]\nbogus = 1\n", "unknown setting `bogus` in [cache]"),
    "unknown section": ("[cache]\n[other]\n", "unknown section `other`"),
    "no cache section": ("", "missing section `cache`"),
    "relative directory": ('[cache]\ndirectory = "rel/dir"\n', "has to be absolute"),
    "bad size": ('[cache]\nfiles-total-size-soft-limit = "1 parsec"\n', "files-total-size-soft-limit"),
    "bad percent": ('[cache]\nfile-count-limit-percent-if-deleting = "70"\n', "is not a percentage"),
    "not TOML": ("[cache\n", "failed to parse config file"),
}


@pytest.mark.parametrize(("text", "reason"), BAD_CONFIGS.values(), ids=BAD_CONFIGS.keys())
def test_a_bad_configuration_file_is_an_error_naming_it(
    text: str, reason: str, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(text)
    status, out, err = run(capfd, "-C", f"cache-config={config}", HELLO)
    assert (status, out) == (1, "")
    (line,) = err.splitlines()
    assert line.startswith("Error: failed to parse config file: ") and reason in line
    assert line.endswith(f"({config})")


def test_a_missing_configuration_file_is_an_error(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "missing.toml"
    assert run(capfd, "--cache-config", str(missing), HELLO) == (
        1,
        "",
        f"Error: failed to read config file: No such file or directory ({missing})\n",
    )


@pytest.mark.parametrize("option", [("-C", "opt-level=2"), ("-C", "cache=maybe"), ("-C", "cache-config")])
def test_a_bad_c_option_is_a_usage_error(option: tuple[str, ...], capfd: pytest.CaptureFixture[str]) -> None:
    assert run(capfd, *option, HELLO)[0] == 2


def test_the_configured_directory_is_used(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("WASMRUN_CACHE_DIR")
    config = _config(tmp_path, f'directory = "{tmp_path / "configured"}"\n')
    run(capfd, "-C", f"cache-config={config}", HELLO)
    assert len(entries(tmp_path / "configured")) == 1
