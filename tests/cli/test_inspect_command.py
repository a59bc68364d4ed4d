"""``wasmrun inspect``: golden outputs, the JSON schema, the VMContext probe, errors and usage.

Golden files live in ``tests/golden/inspect/`` (``<case>.txt`` is the piped
text, ``<case>.json`` the ``--json`` output).  They change only on purpose:
``WASMRUN_BLESS=1 pytest tests/cli/test_inspect_command.py`` rewrites them, and
the diff is then reviewed like code.  Values that differ from run to run (the
host addresses of the live ``--instance`` view) are masked before comparing:
``0x`` numbers of more than 8 hex digits in text, and the values of JSON keys
ending in ``address``.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import subprocess
import sys
from io import BytesIO
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import testdata

from wasmrun.cli.inspect import InspectRequest, inspect_request
from wasmrun.cli.main import main, parse_command_line
from wasmrun.inspection.code import function_code
from wasmrun.loader import load_module

REPO_ROOT = Path(__file__).resolve().parents[2]
GOLDEN = REPO_ROOT / "tests" / "golden" / "inspect"
DATA = "tests/data/inspect"
SCHEMA = json.loads((REPO_ROOT / "wasmrun" / "schemas" / "inspect.schema.json").read_text(encoding="utf-8"))
BLESS = os.environ.get("WASMRUN_BLESS") == "1"

# case -> the arguments after `inspect` (paths relative to the repository root).
CASES: dict[str, list[str]] = {
    "no_imports": [f"{DATA}/no_imports.wat"],
    "all_imports": [f"{DATA}/all_imports.wat"],
    "tables_globals": [f"{DATA}/tables_globals.wat"],
    "hello": ["examples/hello.wasm"],
    "names": [f"{DATA}/names.wasm"],
    "start_data": [f"{DATA}/start_data.wat"],
    "proposals": [f"{DATA}/proposals.wat"],
    "gc_types": [f"{DATA}/gc_types.wat"],
    "vmctx_probe": ["--vmctx", f"{DATA}/vmctx_probe.wat"],
    "vmctx_probe_32": ["--vmctx", "--ptr-size", "4", f"{DATA}/vmctx_probe.wat"],
    "vmctx_start_data": ["--vmctx", f"{DATA}/start_data.wat"],
    "code_run": ["--code", "run", f"{DATA}/proposals.wat"],
    "code_twice": ["--code", "$twice", f"{DATA}/names.wasm"],
    "code_loop": ["--code", "sum_squares", f"{DATA}/no_imports.wat"],
    "instance_no_imports": ["--instance", f"{DATA}/no_imports.wat"],
    "instance_hello": ["--instance", "examples/hello.wasm"],
    "instance_start_data": ["--instance", f"{DATA}/start_data.wat"],
    "instance_state": ["--instance", f"{DATA}/instance_state.wat"],
    "instance_gc_types": ["--instance", f"{DATA}/gc_types.wat"],
    # Components (copies of /work/shared/components/programs/wasm/*.component.wasm, kept here).
    "component_types": [f"{DATA}/types.component.wasm"],
    "component_resource": [f"{DATA}/resource.component.wasm"],
    "component_hello": [f"{DATA}/hello.component.wasm"],
    "component_vmctx_hello": ["--vmctx", f"{DATA}/hello.component.wasm"],
    "component_vmctx_strings_32": ["--vmctx", "--ptr-size", "4", f"{DATA}/strings.component.wasm"],
    "component_instance_greet": ["--instance", "examples/greet.wat"],
    "component_instance_hello": ["--instance", f"{DATA}/hello.component.wasm"],
    "component_instance_state": ["--instance", f"{DATA}/component_state.wat"],
    "component_code_greet": ["--code", "0:greet", "examples/greet.wat"],
}

_ADDRESS = re.compile(r"\b0x[0-9a-f]{9,16}\b")


def mask_text(text: str) -> str:
    return _ADDRESS.sub("0x<address>", text)


def mask_json(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: "<address>" if key.endswith("address") else mask_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [mask_json(item) for item in value]
    return value


def inspect_output(args: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    status = main(["inspect", *args])
    captured = capsys.readouterr()
    assert (status, captured.err) == (0, "")
    return captured.out


@pytest.fixture
def at_repo_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO_ROOT)


def check_golden(name: str, actual: str) -> None:
    golden = GOLDEN / name
    if BLESS:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(actual, encoding="utf-8")
    assert golden.is_file(), f"{golden} is missing: run with WASMRUN_BLESS=1 to create it"
    assert actual == golden.read_text(encoding="utf-8"), f"{name} changed: rerun with WASMRUN_BLESS=1 if on purpose"


@pytest.mark.usefixtures("at_repo_root")
@pytest.mark.parametrize("case", sorted(CASES))
def test_golden_text(case: str, capsys: pytest.CaptureFixture[str]) -> None:
    check_golden(f"{case}.txt", mask_text(inspect_output(CASES[case], capsys)))


@pytest.mark.usefixtures("at_repo_root")
@pytest.mark.parametrize("case", sorted(CASES))
def test_golden_json(case: str, capsys: pytest.CaptureFixture[str]) -> None:
    output = json.loads(inspect_output(["--json", *CASES[case]], capsys))
    check_golden(f"{case}.json", json.dumps(mask_json(output), indent=2, ensure_ascii=False) + "\n")


def test_no_stray_golden_files() -> None:
    expected = {f"{case}.{form}" for case in CASES for form in ("txt", "json")}
    assert {path.name for path in GOLDEN.iterdir()} == expected


# --- the schema ------------------------------------------------------------------------------


def test_schema_is_a_valid_json_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def modules_to_validate() -> list[Path]:
    found = [
        *sorted((REPO_ROOT / "examples").glob("*.wat")),
        *sorted((REPO_ROOT / "examples").glob("*.wasm")),
        *sorted((REPO_ROOT / "benchmarks" / "programs").glob("*.wasm")),
        *sorted((REPO_ROOT / "tests" / "data" / "inspect").glob("*.wat")),
    ]
    return found


def core_modules_to_validate() -> list[Path]:
    """Those that are core modules (--code and --instance are for core modules only)."""
    from wasmrun.cli.source import is_component_source

    return [path for path in modules_to_validate() if not is_component_source(path.read_bytes())]


@pytest.mark.parametrize(
    "view", [[], ["--vmctx"], ["--vmctx", "--ptr-size", "4"]], ids=["module", "vmctx", "vmctx-32-bit"]
)
@pytest.mark.parametrize("path", modules_to_validate(), ids=lambda path: f"{path.parent.name}/{path.name}")
def test_json_validates_against_the_schema(path: Path, view: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    output = json.loads(inspect_output(["--json", *view, str(path)], capsys))
    jsonschema.validate(output, SCHEMA, cls=jsonschema.Draft202012Validator)


@pytest.mark.parametrize("path", core_modules_to_validate(), ids=lambda path: f"{path.parent.name}/{path.name}")
def test_code_json_validates_against_the_schema(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Through the CLI for the last function, through the library (the same JSON) for the largest one.
    module = load_module(path.read_bytes())
    if not module.codes:
        pytest.skip("no function bodies")
    last = len(module.func_type_indices) - 1
    largest = max(
        range(module.num_imported_functions, last + 1), key=lambda i: module.body(i).end - module.body(i).start
    )
    validator = jsonschema.Draft202012Validator(SCHEMA)
    validator.validate(json.loads(json.dumps({"code": dataclasses.asdict(function_code(module, largest))})))
    validator.validate(json.loads(inspect_output(["--json", "--code", str(last), str(path)], capsys)))


def programs() -> list[Path]:
    """The modules of examples/ and benchmarks/: each instantiates (its imports are WASI's or none)."""
    return [path for path in core_modules_to_validate() if path.parent.name != "inspect"]


@pytest.mark.parametrize("path", programs(), ids=lambda path: f"{path.parent.name}/{path.name}")
def test_instance_json_validates_against_the_schema(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    output = json.loads(inspect_output(["--json", "--instance", str(path)], capsys))
    jsonschema.validate(output, SCHEMA, cls=jsonschema.Draft202012Validator)
    assert output["instance"]["file"] == str(path)


def test_examples_and_benchmarks_are_found() -> None:
    names = {path.name for path in modules_to_validate()}
    assert {"fac.wat", "fib.wasm", "greet.wat", "upper.component.wasm"} <= names
    assert "greet.wat" not in {path.name for path in core_modules_to_validate()}


# --- the VMContext probe -------------------------------------------------------------------------

PROBE_OFFSETS = {
    "memories": 0x30,
    "owned_memories": 0x38,
    "imported_functions": 0x48,
    "imported_globals": 0x68,
    "tables": 0x80,
    "globals": 0x90,
}


def test_vmctx_probe_offsets_as_wasmtime_50_compiles_them(capsys: pytest.CaptureFixture[str]) -> None:
    output = json.loads(inspect_output(["--vmctx", "--json", str(REPO_ROOT / DATA / "vmctx_probe.wat")], capsys))
    assert set(output) == {"vmctx"}
    assert set(output["vmctx"]) == {"ptr_size", "size", "regions"}
    offsets = {region["name"]: region["offset"] for region in output["vmctx"]["regions"]}
    assert {name: offsets[name] for name in PROBE_OFFSETS} == PROBE_OFFSETS
    assert output["vmctx"]["ptr_size"] == 8


def test_vmctx_padding_entries(capsys: pytest.CaptureFixture[str]) -> None:
    output = json.loads(inspect_output(["--vmctx", "--json", str(REPO_ROOT / DATA / "vmctx_probe.wat")], capsys))
    padding = [region for region in output["vmctx"]["regions"] if region["name"] == "padding"]
    assert padding == [{"name": "padding", "offset": 4, "size": 4, "count": 0, "element_size": 0}]


# --- errors and usage ----------------------------------------------------------------------------

MALFORMED = b"\0asm\x02\0\0\0"
INVALID = b"\0asm\x01\0\0\0" + bytes.fromhex("0105016000017f030201000a040102000b")


@pytest.mark.parametrize(
    "content", [MALFORMED, INVALID, b"(module (func (nonsense)))"], ids=["malformed", "invalid", "text"]
)
@pytest.mark.parametrize(
    "options",
    [[], ["--json"], ["--vmctx"], ["--code", "0"], ["--instance"]],
    ids=["summary", "json", "vmctx", "code", "instance"],
)
def test_bad_module_fails_as_run_does(
    content: bytes, options: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    module = tmp_path / "bad.wasm"
    module.write_bytes(content)
    run_status = main(["run", str(module)])
    run_err = capsys.readouterr().err
    assert main(["inspect", *options, str(module)]) == run_status == 1
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == ("", run_err)
    assert captured.err.startswith("Error: ") and captured.err.count("\n") == 1


# Modules that cannot be instantiated, and one whose start function exits: `inspect --instance` ends as `run` does.
NOT_INSTANTIABLE = {
    "unknown-import": '(module (import "env" "f" (func)))',
    "unknown-wasi-function": '(module (import "wasi_snapshot_preview1" "no_such_call" (func)))',
    "trap-in-start": "(module (func $s (call $t)) (func $t unreachable) (start $s))",
    "incompatible-import": '(module (import "wasi_snapshot_preview1" "proc_exit" (func (param i64))))',
    "trap-in-segment": '(module (memory 0) (data (i32.const 1) "x"))',
    "exit-in-start": """(module (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
                          (func $s (call $exit (i32.const 7))) (start $s))""",
}


@pytest.mark.parametrize("text", NOT_INSTANTIABLE.values(), ids=NOT_INSTANTIABLE.keys())
@pytest.mark.parametrize("as_json", [False, True], ids=["text", "json"])
def test_instantiation_failure_as_run(
    text: str, as_json: bool, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    module = tmp_path / "m.wat"
    module.write_text(text)
    run_status = main(["run", str(module)])
    run_err = capsys.readouterr().err
    assert main(["inspect", "--instance", *(["--json"] if as_json else []), str(module)]) == run_status != 0
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == ("", run_err)


def test_instance_runs_the_start_function_but_not_start(capfd: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    module = tmp_path / "m.wat"
    module.write_text(
        """(module
             (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
             (global $ran (mut i32) (i32.const 0))
             (func $s (global.set $ran (i32.const 1)))
             (func (export "_start") (call $exit (i32.const 3)))
             (start $s))"""
    )
    assert main(["inspect", "--json", "--instance", str(module)]) == 0  # `_start` would exit with 3
    captured = capfd.readouterr()
    assert captured.err == ""
    state = json.loads(captured.out)["instance"]
    assert ([global_["value"] for global_ in state["globals"]], state["not_called"]) == (["1"], ["_start"])


def test_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "missing.wasm"
    assert main(["inspect", "--vmctx", str(missing)]) == 1
    assert capsys.readouterr().err == f"Error: cannot read file: No such file or directory ({missing})\n"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("inspect --vmctx --code 0 m.wasm", "--vmctx and --code"),
        ("inspect --instance --vmctx m.wasm", "--vmctx and --instance show different views"),
        ("inspect --code 0 --instance m.wasm", "--code and --instance"),
        ("inspect --ptr-size 4 m.wasm", "--ptr-size applies to --vmctx only"),
        ("inspect --ptr-size 4 --instance m.wasm", "--ptr-size applies to --vmctx only"),
        ("inspect --vmctx --ptr-size 2 m.wasm", "'2' is not one of"),
        ("inspect --code m.wasm", "Missing argument"),
        ("inspect --bogus m.wasm", "No such option"),
    ],
)
def test_usage_errors(line: str, message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(line.split()) == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize(
    ("line", "request_"),
    [
        ("inspect m.wasm", InspectRequest("m.wasm")),
        ("inspect --json m.wasm", InspectRequest("m.wasm", json=True)),
        ("inspect --vmctx m.wasm", InspectRequest("m.wasm", "vmctx")),
        ("inspect --vmctx --ptr-size 4 --json m.wasm", InspectRequest("m.wasm", "vmctx", True, 4)),
        ("inspect --code $f m.wasm", InspectRequest("m.wasm", "code", function="$f")),
        ("inspect --instance --json m.wasm", InspectRequest("m.wasm", "instance", json=True)),
    ],
)
def test_parsed_request(line: str, request_: InspectRequest) -> None:
    assert parse_command_line(line.split()).inspect == request_


def test_request_defaults_to_64_bit() -> None:
    assert inspect_request("m", as_json=False, vmctx=True, ptr_size=None, code=None).ptr_size == 8


@pytest.mark.parametrize(
    ("function", "message"),
    [
        ("nowhere", "Error: --code nowhere: no function named `nowhere`"),
        ("7", "Error: --code 7: no function 7: the module has 3"),
    ],
)
def test_code_of_an_unknown_function(function: str, message: str, capsys: pytest.CaptureFixture[str]) -> None:
    path = REPO_ROOT / DATA / "names.wasm"
    assert main(["inspect", "--code", function, str(path)]) == 1
    assert capsys.readouterr().err == f"{message} ({path})\n"


def test_code_of_an_imported_function(capsys: pytest.CaptureFixture[str]) -> None:
    path = REPO_ROOT / DATA / "all_imports.wat"
    assert main(["inspect", "--code", "0", str(path)]) == 1
    assert "function 0 is imported (`env` `log`): it has no code" in capsys.readouterr().err


@pytest.mark.parametrize("function", ["quadruple", "2"])
def test_code_by_export_name_or_index(function: str, capsys: pytest.CaptureFixture[str]) -> None:
    output = json.loads(inspect_output(["--json", "--code", function, str(REPO_ROOT / DATA / "names.wasm")], capsys))
    assert (output["code"]["index"], output["code"]["name"]) == (2, "quadruple")


def test_stdin_is_read(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "stdin", type("In", (), {"buffer": BytesIO(b"(module)")})())
    output = json.loads(inspect_output(["--json", "-"], capsys))
    assert (output["module"]["file"], output["module"]["format"], output["module"]["size"]) == ("<stdin>", "text", 8)


# --- rendering -----------------------------------------------------------------------------------


def test_terminal_output_uses_rich(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    assert main(["inspect", "--vmctx", str(REPO_ROOT / DATA / "vmctx_probe.wat")]) == 0
    out = capsys.readouterr().out
    assert "imported_functions" in out and "─" in out  # rich's table rule


def test_terminal_output_of_an_instance(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    assert main(["inspect", "--instance", str(REPO_ROOT / DATA / "instance_state.wat")]) == 0
    out = capsys.readouterr().out
    assert "memories (1)" in out and "─" in out


def test_terminal_output_of_a_component_instance(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    assert main(["inspect", "--instance", str(REPO_ROOT / DATA / "component_state.wat")]) == 0
    out = capsys.readouterr().out
    assert "root: handles (2)" in out and "waitable-set" in out and "─" in out


def test_piped_output_does_not_import_rich(tmp_path: Path) -> None:
    code = (
        "import sys; from wasmrun.cli.main import main; status = main(sys.argv[1:]); "
        "sys.stderr.write(str('rich' in sys.modules)); sys.exit(status)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, "inspect", str(REPO_ROOT / DATA / "no_imports.wat")],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert result.stderr == "False"
    assert result.stdout.startswith("file:")


# --- components ----------------------------------------------------------------------------------

COMPONENTS = sorted((REPO_ROOT / DATA).glob("*.component.wasm"))


def test_components_are_found() -> None:
    assert {path.name for path in COMPONENTS} >= {"hello.component.wasm", "types.component.wasm"}


@pytest.mark.parametrize(
    "view", [[], ["--vmctx"], ["--vmctx", "--ptr-size", "4"]], ids=["component", "vmctx", "vmctx-32-bit"]
)
@pytest.mark.parametrize("path", COMPONENTS, ids=lambda path: path.name)
def test_component_json_validates_against_the_schema(
    path: Path, view: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    output = json.loads(inspect_output(["--json", *view, str(path)], capsys))
    jsonschema.validate(output, SCHEMA, cls=jsonschema.Draft202012Validator)
    assert set(output) == {"component_vmctx" if view else "component"}


def component_programs() -> list[Path]:
    """The components of examples/ and tests/data/inspect/: each instantiates with the WASI 0.2 host."""
    from wasmrun.cli.source import is_component_source

    candidates = [*modules_to_validate(), *COMPONENTS]
    return sorted({path for path in candidates if is_component_source(path.read_bytes())})


def test_component_programs_are_found() -> None:
    names = {path.name for path in component_programs()}
    assert {"upper.component.wasm", "greet.wat", "component_state.wat", "hello.component.wasm"} <= names


@pytest.mark.parametrize("path", component_programs(), ids=lambda path: f"{path.parent.name}/{path.name}")
def test_component_instance_json_validates_against_the_schema(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    output = json.loads(inspect_output(["--json", "--instance", str(path)], capsys))
    jsonschema.validate(output, SCHEMA, cls=jsonschema.Draft202012Validator)
    assert output["component_instance"]["file"] == str(path)


def shared_components() -> list[object]:
    """The programs of the shared test data (components/programs/wasm): WASI commands and hand-written ones."""
    paths = testdata.files("components/programs/wasm", "*.component.wasm")
    return [pytest.param(path, id=path.name) for path in paths] or [pytest.param(None, id="data-missing")]


@pytest.mark.parametrize("path", shared_components())
def test_shared_component_instance_json_validates_against_the_schema(
    path: Path | None, capsys: pytest.CaptureFixture[str]
) -> None:
    if path is None:
        path = testdata.require("components/programs/wasm")  # (skips, or fails under CI)
    output = json.loads(inspect_output(["--json", "--instance", str(path)], capsys))
    jsonschema.validate(output, SCHEMA, cls=jsonschema.Draft202012Validator)


def test_component_code_json_validates_against_the_schema(capsys: pytest.CaptureFixture[str]) -> None:
    path = REPO_ROOT / "examples" / "upper.component.wasm"
    output = json.loads(inspect_output(["--json", "--code", "1:fd_write", str(path)], capsys))
    jsonschema.validate(output, SCHEMA, cls=jsonschema.Draft202012Validator)
    assert output["code"]["name"] == "fd_write"


@pytest.mark.parametrize(
    ("function", "message"),
    [
        (
            "greet",
            "give MODULE:FUNC for a component, MODULE a core module's index (C/M for module M of nested component C)",
        ),
        ("x:greet", "give MODULE:FUNC for a component"),
        ("0:", "give MODULE:FUNC for a component"),
        ("1:greet", "the component defines no core module 1"),
        ("0/0:f", "the component defines no component 0"),
        ("0:nope", "no function named `nope`"),
    ],
)
def test_component_code_errors(function: str, message: str, capsys: pytest.CaptureFixture[str]) -> None:
    path = REPO_ROOT / "examples" / "greet.wat"
    assert main(["inspect", "--code", function, str(path)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(f"Error: --code {function}: {message}") and captured.err.endswith(f" ({path})\n")


def test_component_code_of_a_nested_component_module(capsys: pytest.CaptureFixture[str]) -> None:
    output = inspect_output(["--code", "0/0/0:f", str(REPO_ROOT / DATA / "component_state.wat")], capsys)
    assert "i32.const 42" in output and output.startswith("core module: 0/0/0 at 0x")


# Components that cannot be instantiated: `inspect --instance` ends as `run` does (run reports a trap on fd 2).
COMPONENTS_NOT_INSTANTIABLE = {
    "missing-import": '(component (import "nope" (func)))',
    "trap-in-core-start": "(component (core module $m (func $s unreachable) (start $s)) (core instance (instantiate $m)))",
    "trap-in-component-start": """(component
        (core module $m (func (export "f") unreachable)) (core instance $i (instantiate $m))
        (func $f (canon lift (core func $i "f"))) (start $f))""",
    "invalid": "(component (core instance (instantiate 0)))",
}


@pytest.mark.parametrize("text", COMPONENTS_NOT_INSTANTIABLE.values(), ids=COMPONENTS_NOT_INSTANTIABLE.keys())
@pytest.mark.parametrize("as_json", [False, True], ids=["text", "json"])
def test_component_instantiation_failure_as_run(
    text: str, as_json: bool, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    component = tmp_path / "c.wat"
    component.write_text(text)
    run_status = main(["run", str(component)])
    run_err = capfd.readouterr().err
    assert main(["inspect", "--instance", *(["--json"] if as_json else []), str(component)]) == run_status != 0
    captured = capfd.readouterr()
    assert (captured.out, captured.err) == ("", run_err)


@pytest.mark.parametrize(
    "options",
    [[], ["--json"], ["--vmctx"], ["--instance"], ["--code", "0:f"]],
    ids=["component", "json", "vmctx", "instance", "code"],
)
def test_malformed_component_is_one_line(
    options: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    component = tmp_path / "bad.wasm"
    component.write_bytes(b"\0asm\x0d\0\x01\0\x0b\x05\x01")  # an export section cut short
    assert main(["inspect", *options, str(component)]) == 1
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == ("", f"Error: unexpected end-of-file ({component}:0xa)\n")


def test_component_on_a_terminal_uses_rich(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    assert main(["inspect", str(REPO_ROOT / DATA / "resource.component.wasm")]) == 0
    out = capsys.readouterr().out
    assert "canonical functions (10)" in out and "resource.drop" in out and "─" in out


def test_a_core_module_does_not_import_the_component_modules() -> None:
    code = (
        "import sys; from wasmrun.cli.main import main; status = main(sys.argv[1:]); "
        "sys.stderr.write(str(sorted(m for m in sys.modules if 'component' in m))); sys.exit(status)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, "inspect", str(REPO_ROOT / DATA / "no_imports.wat")],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert result.stderr == "[]"
