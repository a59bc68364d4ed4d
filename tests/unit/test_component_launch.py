"""Components run as Wasmtime runs them: every case of components/programs/expected.json.

The 27 command cases (``invoke`` null) go through :func:`run_command` with the WASI 0.2 host (stdout,
stderr, exit status and the preopened tree after the run compared); the 52 ``--invoke`` cases
through :func:`invoke`, their errors framed as Wasmtime's stderr (:func:`wave.error_report`).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
import testdata
from component_programs import PROGRAMS, cases, expected_bytes, mismatches, normalized_trap, run_case

from wasmrun.component.wave import ItemNameError, WaveError, error_report
from wasmrun.component_launch import (
    ComponentTrap,
    backtrace_lines,
    invoke,
    module_of_frame,
    run_command,
    run_component,
)
from wasmrun.engine.options import EngineOptions
from wasmrun.errors import LinkError
from wasmrun.launch import MissingExport, RunConfig
from wasmrun.wasi.preview2 import WasiHost
from wasmrun.wasi.preview2.linking import wasi_imports

COMMANDS = [case for case in cases() if case["invoke"] is None]
INVOKES = [case for case in cases() if case["invoke"] is not None]


def _ids(selected: list[dict[str, Any]]) -> list[str]:
    return [case["name"] for case in selected] or ["data"]


@pytest.mark.parametrize("case", COMMANDS or [None], ids=_ids(COMMANDS))
def test_command_as_wasmtime_runs_it(case: dict[str, Any] | None, tmp_path: Path) -> None:
    if case is None:
        testdata.require(f"{PROGRAMS}/expected.json")
        return
    assert mismatches(case, run_case(case, tmp_path)) == []


def _invoke_outcome(case: dict[str, Any]) -> tuple[int, str, str]:
    """Exit status, stdout and stderr of ``wasmtime run --invoke`` as wasmrun's pieces give them."""
    component = testdata.require(PROGRAMS) / case["component"]
    config = RunConfig(module=case["component"], argv=(component.name,), stdin=None, stdout=None, stderr=None)
    try:
        return 0, invoke(component.read_bytes(), config, case["invoke"]), ""
    except ComponentTrap as trap:
        return trap.exit_code, "", trap.report(case["component"])
    except (WaveError, ItemNameError) as error:
        return 1, "", error_report(case["component"], error.causes())
    except MissingExport as error:
        return 1, "", error_report(case["component"], [str(error)])


@pytest.mark.parametrize("case", INVOKES or [None], ids=_ids(INVOKES))
def test_invoke_as_wasmtime_runs_it(case: dict[str, Any] | None) -> None:
    if case is None:
        testdata.require(f"{PROGRAMS}/expected.json")
        return
    status, stdout, stderr = _invoke_outcome(case)
    assert status == case["exit_code"]
    assert stdout.encode() == expected_bytes(case["stdout"])
    expected_stderr = expected_bytes(case["stderr"])
    assert expected_stderr is not None
    assert normalized_trap(stderr) == normalized_trap(expected_stderr.decode())


def _program(name: str) -> bytes:
    return testdata.require(f"{PROGRAMS}/wasm/{name}.component.wasm").read_bytes()


def test_a_trap_names_each_frame_by_its_module(tmp_path: Path) -> None:
    with pytest.raises(ComponentTrap) as caught:
        run_component(_program("trap"), RunConfig(argv=("trap.component.wasm", "divzero"), stdout=None))
    trap = caught.value
    assert trap.exit_code == 134 and trap.error.message == "integer divide by zero"
    lines = backtrace_lines(trap.error.frames, trap.modules)
    assert [line.split(" - ")[1] for line in lines] == [
        "<unknown>!<wasm function 29>",
        "wit-component:adapter:wasi_snapshot_preview1!wasi:cli/run@0.2.12#run",
    ]
    index, offset = trap.error.frames[0]
    found = module_of_frame(trap.modules, index, offset)
    assert found is not None and found[1] > 0  # (the main module, somewhere in the component's binary)
    assert lines[0].startswith(f"    0: {offset + found[1]:>#8x} - ")
    report = trap.report("t.wasm", max_frames=1)
    assert report.endswith("    2: wasm trap: integer divide by zero\n\n")
    assert "wasm function 29" in report and "wasi:cli/run" not in report


def test_run_command_prints_the_trap_on_stderr(tmp_path: Path) -> None:
    err = tmp_path / "stderr"
    with open(err, "wb") as stderr:
        config = RunConfig(module="x.wasm", argv=("x", "unreachable"), stdout=None, stderr=stderr.fileno())
        assert run_command(_program("trap"), config) == 134
    text = err.read_text()
    assert text.startswith(
        "Error: failed to run main module `x.wasm`\n\nCaused by:\n    0: failed to invoke `run` function\n"
    )
    assert text.endswith("wasm trap: wasm `unreachable` instruction executed\n\n")


def test_fuel_runs_out_in_a_component() -> None:
    config = RunConfig(argv=("hello",), stdout=None, stderr=None, engine_options=EngineOptions(fuel=1000))
    with pytest.raises(ComponentTrap) as caught:
        run_component(_program("hello"), config)
    assert caught.value.error.message == "all fuel consumed by WebAssembly"


def test_a_component_without_wasi_cli_run() -> None:
    with pytest.raises(MissingExport, match=r"^no exported instance named `wasi:cli/run@0.2.12`$"):
        run_component(_program("strings"), RunConfig(stdout=None, stderr=None))


def test_wasi_imports_bind_any_0_2_version_and_nothing_else() -> None:
    with WasiHost(stdout=io.BytesIO()) as host:
        imports = wasi_imports(host)
        streams = imports["wasi:io/streams@0.2.0"]
        assert streams["output-stream"] is host.resource_type("wasi:io/streams@0.2.12", "output-stream")
        assert (
            streams["[method]output-stream.write"].type
            == host.function("wasi:io/streams@0.2.3", "[method]output-stream.write").type
        )  # type: ignore[union-attr]
        assert imports.get("wasi:io/streams@0.3.0") is None
        assert imports.get("wasi:http/types@0.2.0") is None
        assert "wasi:cli/exit@0.2.1" in imports and "wasi:nope/x@0.2.0" not in imports


def test_an_unknown_wasi_import_is_a_link_error_naming_it(tmp_path: Path) -> None:
    from wasmrun.component.text import encode_component_text

    # (an instance exporting a function: an empty one need not be supplied, as in Wasmtime)
    text = '(component (import "wasi:http/types@0.2.0" (instance (export "f" (func)))))'
    with pytest.raises(LinkError, match=r"^component imports instance `wasi:http/types@0.2.0`, but a matching"):
        run_component(encode_component_text(text), RunConfig(stdout=None, stderr=None))
