"""Every option and key of Wasmtime 49's ``run``, as wasmrun.cli.wasmtime_options says wasmrun answers it.

Table-driven: each key is given on a command line with a value of its syntax and must be implemented
(it sets its field), accepted and ignored (the configuration is as if it were not given), or refused
(a usage error naming it, except with the value that asks for what wasmrun does anyway).  Then the
semantics the implemented keys bring, on small programs.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from testdata import REPO_ROOT

from wasmrun.cli.config import RunConfig
from wasmrun.cli.main import main, parse_command_line
from wasmrun.cli.wasmtime_options import (
    GROUPS,
    IGNORED,
    IMPLEMENTED,
    KEYS,
    REFUSED,
    RUN_OPTIONS,
    STATUSES,
    WasmtimeKey,
    markdown_tables,
)

DEFAULT = RunConfig(module="app.wasm", argv=("app.wasm",))

# A value of each syntax that its parser takes.
SAMPLES = {
    "[=y|n]": "y",
    "=N": "3",
    "=val": "x",
    "=path": "p",
    "=N|Ns|Nms|..": "2s",
    "=0|1|2|s": "2",
    "=backtracking|single-pass": "single-pass",
    "=winch|cranelift": "winch",
    "=drc|null|copying": "null",
    "[=y|n|auto]": "auto",
    "[=y|n|gc|inter-module|intrinsics]": "gc",
    "=<name>=<val>": "a=b",
    "=<format>::<dir>": "openvino::models",
    "[=val]": "none",
}

# Wasmtime 49's keys, group by group, as its crates/cli-flags/src/lib.rs declares them (prefixed: "-<KEY>").
WASMTIME_KEY_COUNTS = {"-O": 46, "-C": 11, "-D": 13, "-W": 51, "-S": 33, "-R": 3}


def _key_id(entry: WasmtimeKey) -> str:
    return f"{entry.flag} {entry.key}"


def _setting(entry: WasmtimeKey, value: str) -> str:
    key = entry.key.replace("<KEY>", "opt_level")
    return f"{key}={value}"


def _config(entry: WasmtimeKey, value: str) -> RunConfig:
    invocation = parse_command_line([entry.flag, _setting(entry, value), "app.wasm"])
    assert invocation.run is not None
    return invocation.run


def test_the_table_has_every_wasmtime_key() -> None:
    counts = {flag: sum(1 for entry in KEYS if entry.flag == flag) for flag in GROUPS}
    assert counts == WASMTIME_KEY_COUNTS


def test_no_key_is_listed_twice() -> None:
    assert len({(entry.flag, entry.key) for entry in KEYS}) == len(KEYS)


@pytest.mark.parametrize("entry", KEYS, ids=_key_id)
def test_each_key_has_a_status_and_a_reason(entry: WasmtimeKey) -> None:
    assert entry.status in STATUSES and entry.note
    assert entry.value in SAMPLES


@pytest.mark.parametrize("entry", [e for e in KEYS if e.status == IGNORED], ids=_key_id)
def test_ignored_key_changes_nothing(entry: WasmtimeKey) -> None:
    assert _config(entry, SAMPLES[entry.value]) == DEFAULT


@pytest.mark.parametrize("entry", [e for e in KEYS if e.status == REFUSED], ids=_key_id)
def test_refused_key_is_a_usage_error_naming_it(entry: WasmtimeKey, capsys: pytest.CaptureFixture[str]) -> None:
    value = "n" if entry.accepts is True else SAMPLES[entry.value]
    assert main([entry.flag, _setting(entry, value), "app.wasm"]) == 2
    assert f"Error: {entry.flag} {entry.key.replace('<KEY>', 'opt_level')} is not supported by wasmrun: " in (
        capsys.readouterr().err
    )


@pytest.mark.parametrize("entry", [e for e in KEYS if e.status == REFUSED and e.accepts is not None], ids=_key_id)
def test_refused_key_with_wasmruns_own_behaviour_is_accepted(entry: WasmtimeKey) -> None:
    assert _config(entry, "y" if entry.accepts else "n") == DEFAULT


IMPLEMENTED_KEYS = [e for e in KEYS if e.status == IMPLEMENTED and e.field not in (None, "features")]


@pytest.mark.parametrize("entry", IMPLEMENTED_KEYS, ids=_key_id)
def test_implemented_key_sets_its_field(entry: WasmtimeKey) -> None:
    # (the keys whose default is on are set to off)
    value = "n" if entry.field in ("stdin", "stdout", "stderr", "parallel_compilation") else SAMPLES[entry.value]
    config = _config(entry, value)
    assert config != DEFAULT
    record = config if entry.field in RunConfig._fields else config.engine_options
    assert getattr(record, str(entry.field)) == entry.parse(value) if entry.convert is None else True


@pytest.mark.parametrize(
    ("line", "field", "value"),
    [
        ("-W max-table-elements=5", "max_table_elements", 5),
        ("-W max-instances=1_000", "max_instances", 1000),
        ("-W max-tables=0x10", "max_tables", 16),
        ("-W max-memories=2", "max_memories", 2),
        ("-W trap-on-grow-failure", "trap_on_grow_failure", True),
        ("-W unknown-imports-trap=y", "unknown_imports_trap", True),
        ("-W unknown-imports-default", "unknown_imports_default", True),
        ("-S inherit-stdin=n", "stdin", None),
        ("-S inherit-stdout=n", "stdout", None),
        ("-S inherit-stderr=no", "stderr", None),
        ("-S inherit-stderr=y", "stderr", 2),
        ("--preload a=lib.wasm --preload b=x=y.wasm", "preloads", (("a", "lib.wasm"), ("b", "x=y.wasm"))),
        ("--wasm fuel=7", "engine_options.fuel", 7),
        ("--wasi inherit-env", "inherit_env", True),
        ("--codegen cache=n", "cache", False),
        ("--debug max-backtrace=2", "max_backtrace", 2),
        ("--optimize opt-level=0 --target riscv64gc-unknown-linux-gnu", "module", "app.wasm"),
    ],
)
def test_key_or_option_value(line: str, field: str, value: object) -> None:
    found: object = parse_command_line([*line.split(), "app.wasm"]).run
    for name in field.split("."):
        found = getattr(found, name)
    assert found == value


@pytest.mark.parametrize("flag", sorted(GROUPS))
def test_unknown_key_is_wasmtimes_usage_error(flag: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([flag, "no-such-key=1", "app.wasm"]) == 2
    assert f"Error: unknown {flag} / {GROUPS[flag]} option: no-such-key" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("-W fuel=x", "failed to parse -W option `fuel=x`: invalid digit found in string"),
        (
            "-O opt-level=3",
            "failed to parse -O option `opt-level=3`: unknown optimization level `3`, only 0,1,2,s accepted",
        ),
        (
            "-S tcp=maybe",
            "failed to parse -S option `tcp=maybe`: unknown boolean flag `maybe`, only yes,no,<nothing> accepted",
        ),
        ("-W max-tables", "failed to parse -W option `max-tables`: value must be specified with `key=val` syntax"),
        ("-W simd=maybe", "failed to parse -W option `simd=maybe`: unknown boolean flag `maybe`"),
    ],
)
def test_bad_value_is_wasmtimes_usage_error(setting: str, message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*setting.split(), "app.wasm"]) == 2
    assert message in capsys.readouterr().err


RUN_SPELLINGS = [(option.spellings[0], option.status) for option in RUN_OPTIONS]


@pytest.mark.parametrize(("spelling", "status"), RUN_SPELLINGS, ids=[s for s, _ in RUN_SPELLINGS])
def test_every_run_option_is_understood(spelling: str, status: str) -> None:
    from wasmrun.cli.main import cli

    run_spellings = {name for param in cli.commands["run"].params for name in getattr(param, "opts", ())}
    global_spellings = {name for param in cli.params for name in getattr(param, "opts", ())}
    assert spelling in run_spellings | global_spellings | {"-h", "--help"}


@pytest.mark.parametrize("line", ["--profile perfmap", "--profile=guest", "-g 1234", "-R path=trace.bin"])
def test_refused_run_option_is_a_usage_error(line: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*line.split(), "app.wasm"]) == 2
    assert "not supported by wasmrun" in capsys.readouterr().err


@pytest.mark.parametrize("module", [["app.wasm"], []], ids=["with-module", "alone"])
@pytest.mark.parametrize("flag", sorted(GROUPS))
def test_key_help_lists_the_groups_keys(flag: str, module: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main([flag, "help", *module]) == 0
    out = capsys.readouterr().out
    assert all(f"  {flag} {entry.key}" in out for entry in KEYS if entry.flag == flag)


def test_config_file_sets_keys_and_the_command_line_wins(tmp_path: Path) -> None:
    path = tmp_path / "wasmtime.toml"
    path.write_text('[wasm]\nfuel = 100\nmax-tables = 4\n[optimize]\nopt-level = "s"\n[debug]\nmax-backtrace = 9\n')
    config = parse_command_line(["--config", str(path), "-W", "fuel=5", "app.wasm"]).run
    assert config is not None
    assert (config.engine_options.fuel, config.max_tables, config.max_backtrace) == (5, 4, 9)


@pytest.mark.parametrize(
    "text", ["[bogus]\nx = 1\n", "[wasm]\nnan-canonicalization = true\n", "[wasm\n", '[wasm]\nfuel = "x"\n']
)
def test_bad_config_file_is_a_usage_error(text: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "wasmtime.toml"
    path.write_text(text)
    assert main(["--config", str(path), "app.wasm"]) == 2


def test_the_docs_hold_the_table() -> None:
    document = (REPO_ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert markdown_tables() in document, (
        "docs/cli.md's Wasmtime tables drifted: paste wasmtime_options.markdown_tables()"
    )


# --- the semantics, on programs ---------------------------------------------------------------------

# A MicroPython-style program: it imports host functions it never calls.
UNUSED_IMPORTS = """(module
  (import "env" "never_called" (func $n (param i32) (result i32)))
  (import "env" "never_either" (func $m (result f64 i64)))
  (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 8) "ok\\n")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 8)) (i32.store (i32.const 4) (i32.const 3))
    (drop (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 20))))
  (func (export "calls") (result i32) (call $n (i32.const 5)))
  (func (export "calls_two") (result f64 i64) (call $m)))
"""

LIBRARY = """(module
  (global $g (mut i32) (i32.const 0))
  (func (export "_initialize") (global.set $g (i32.const 40)))
  (func (export "add") (param i32) (result i32) (i32.add (local.get 0) (global.get $g))))
"""

USES_LIBRARY = """(module
  (import "lib" "add" (func $add (param i32) (result i32)))
  (memory 1)
  (table 1 funcref)
  (func (export "go") (param i32) (result i32) (call $add (local.get 0)))
  (func (export "grow") (result i32) (memory.grow (i32.const 70000)))
  (func (export "table_grow") (result i32) (table.grow (ref.null func) (i32.const 10))))
"""

READS_STDIN = """(module
  (import "wasi_snapshot_preview1" "fd_read" (func $r (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "read") (result i32)
    (i32.store (i32.const 0) (i32.const 16)) (i32.store (i32.const 4) (i32.const 8))
    (drop (call $r (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 12)))
    (i32.load (i32.const 12))))
"""


def wasmrun(*args: str, stdin: bytes = b"") -> tuple[int, str, str]:
    done = subprocess.run(
        [sys.executable, "-m", "wasmrun.cli.main", *args], input=stdin, capture_output=True, timeout=120, check=False
    )
    return done.returncode, done.stdout.decode(), done.stderr.decode()


@pytest.fixture
def programs(tmp_path: Path) -> Path:
    for name, text in (
        ("unused.wat", UNUSED_IMPORTS),
        ("lib.wat", LIBRARY),
        ("main.wat", USES_LIBRARY),
        ("stdin.wat", READS_STDIN),
    ):
        (tmp_path / name).write_text(text)
    return tmp_path


def test_harmless_wasmtime_flags_run_hello() -> None:
    hello = str(REPO_ROOT / "examples" / "hello.wasm")
    assert wasmrun("-O", "opt-level=2", "-W", "all-proposals=y", "-S", "cli", hello) == (0, "Hello, world!\n", "")


def test_unused_unknown_import_is_an_error_without_the_key(programs: Path) -> None:
    status, _, err = wasmrun(str(programs / "unused.wat"))
    assert status == 1 and "unknown import: `env::never_called` has not been defined" in err


def test_unused_unknown_import_runs_with_unknown_imports_trap(programs: Path) -> None:
    assert wasmrun("-W", "unknown-imports-trap=y", str(programs / "unused.wat")) == (0, "ok\n", "")


def test_called_unknown_import_fails_with_wasmtimes_text(programs: Path) -> None:
    status, _, err = wasmrun("-W", "unknown-imports-trap=y", "--invoke", "calls", str(programs / "unused.wat"))
    assert status == 1
    assert err.startswith(f"Error: failed to run main module `{programs / 'unused.wat'}`\n\nCaused by:\n")
    assert "    1: error while executing at wasm backtrace:\n    0: " in err
    assert err.endswith("    2: unknown import: `env::never_called` has not been defined\n")


@pytest.mark.parametrize(("export", "out"), [("calls", "0\n"), ("calls_two", "0\n0\n")])
def test_unknown_imports_default_returns_zeros(programs: Path, export: str, out: str) -> None:
    status, stdout, _ = wasmrun("-W", "unknown-imports-default", "--invoke", export, str(programs / "unused.wat"))
    assert (status, stdout) == (0, out)


def test_preload_links_an_initialised_module(programs: Path) -> None:
    line = ["--preload", f"lib={programs / 'lib.wat'}", "--invoke", "go", str(programs / "main.wat"), "2"]
    assert wasmrun(*line)[:2] == (0, "42\n")


WASI_LIBRARY = """(module
  (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 8) "lib\\n")
  (func (export "hi")
    (i32.store (i32.const 0) (i32.const 8)) (i32.store (i32.const 4) (i32.const 4))
    (drop (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 20)))))
"""


def test_preloaded_module_gets_wasi(tmp_path: Path) -> None:
    (tmp_path / "lib.wat").write_text(WASI_LIBRARY)
    (tmp_path / "main.wat").write_text('(module (import "lib" "hi" (func $h)) (func (export "_start") (call $h)))')
    assert wasmrun("--preload", f"lib={tmp_path / 'lib.wat'}", str(tmp_path / "main.wat")) == (0, "lib\n", "")


def test_components_refuse_preload_and_unknown_imports() -> None:
    component = str(REPO_ROOT / "examples" / "upper.component.wasm")
    assert wasmrun("--preload", f"x={component}", component)[0] == 1
    assert wasmrun("-W", "unknown-imports-trap", component)[0] == 1


def test_preload_without_equals_is_wasmtimes_usage_error(programs: Path) -> None:
    status, _, err = wasmrun("--preload", "lib", str(programs / "main.wat"))
    assert status == 2 and "must contain exactly one equals character ('=')" in err


PRELOAD = ("--preload", "lib={lib}")


@pytest.mark.parametrize(
    ("keys", "export", "status", "ending"),
    [
        ((), "grow", 0, None),
        (("-W", "trap-on-grow-failure"), "grow", 1, "    2: forcing trap when growing memory to 4587585536 bytes\n"),
        (("-W", "max-table-elements=5"), "table_grow", 0, None),
        (
            ("-W", "max-table-elements=5,trap-on-grow-failure"),
            "table_grow",
            1,
            "    2: forcing trap when growing table to 11 elements\n",
        ),
        (("-W", "max-instances=1"), "go", 1, "Error: resource limit exceeded: instance count too high at 2 ({main})\n"),
        (("-W", "max-memories=0"), "go", 1, "Error: resource limit exceeded: memory count too high at 1 ({main})\n"),
        (("-W", "max-tables=0"), "go", 1, "Error: resource limit exceeded: table count too high at 1 ({main})\n"),
    ],
    ids=["grow", "trap-on-grow-failure", "max-table-elements", "table-trap", "instances", "memories", "tables"],
)
def test_store_limits(programs: Path, keys: tuple[str, ...], export: str, status: int, ending: str | None) -> None:
    main_file = str(programs / "main.wat")
    line = [*PRELOAD[:1], PRELOAD[1].format(lib=programs / "lib.wat"), *keys, "--invoke", export, main_file, "1"]
    code, out, err = wasmrun(*line)
    assert code == status
    if ending is None:
        assert out == "-1\n"
    else:
        assert err.endswith(ending.format(main=main_file))


def test_inherit_stdin_off_gives_an_empty_stdin(programs: Path) -> None:
    module = str(programs / "stdin.wat")
    assert wasmrun("--invoke", "read", module, stdin=b"hello")[:2] == (0, "5\n")
    assert wasmrun("-S", "inherit-stdin=n", "--invoke", "read", module, stdin=b"hello")[:2] == (0, "0\n")


def test_inherit_stdout_off_discards_the_output() -> None:
    hello = str(REPO_ROOT / "examples" / "hello.wasm")
    assert wasmrun("-S", "inherit-stdout=n", hello) == (0, "", "")
