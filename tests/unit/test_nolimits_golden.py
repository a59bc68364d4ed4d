"""A limit that is not set costs nothing: the code that runs without limits is fixed by golden files.

For a few fixed functions, ``tests/golden/nolimits/<name>.txt`` records what
each tier executes when no fuel, timeout or statistics are asked for:

* the interpreter's translated code (every item's key and arguments, the
  offsets, the loop heads), the runs it fuses once hot, and the Python source
  of every handler factory the function uses;
* the compiled tier's generated source (structured form, flat form, and the
  on-stack-replacement entry of its first loop, if any), with its line map.

Fuel and statistics are generated separately, only when enabled: this test
shows that the default path is untouched by them.  ``WASMRUN_BLESS=1``
rewrites the files (only on purpose: a change of the default code path is a
change to review).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from testdata import REPO_ROOT

from wasmrun.binary.instructions import decode_function_body
from wasmrun.codegen import compiled, generate_loop_entry
from wasmrun.instructions import opcode_of
from wasmrun.interp.handlers import source as handler_source
from wasmrun.interp.translate import plan_runs, run_item, translate_function
from wasmrun.loader import load_module
from wasmrun.module import Module
from wasmrun.runtime.memory import TYPED_FORMATS
from wasmrun.semantics.frames import SLOTS_PER_FRAME

GOLDEN = REPO_ROOT / "tests" / "golden" / "nolimits"
BLESS = os.environ.get("WASMRUN_BLESS") == "1"

# (golden name, module file, function index)
FUNCTIONS = [
    ("fac_recursive", "examples/fac.wat", 0),
    ("fac_iterative", "examples/fac.wat", 1),
    ("checksum", "examples/checksum.wat", 0),
    ("fib", "benchmarks/programs/fib.wasm", 1),
    ("fib_bench", "benchmarks/programs/fib.wasm", 0),
    ("divide_cells", "examples/divz.wasm", 8),
    ("average_row", "examples/divz.wasm", 9),
]


def load(path: str) -> Module:
    return load_module((REPO_ROOT / path).read_bytes())


def render(module: Module, index: int) -> str:
    """Everything both tiers execute for function ``index`` without limits, as text."""
    out: list[str] = []
    translation = translate_function(module, index)
    out.append(f"== interpreter: frame {translation.frame_size} slots, results at R[{translation.result_base}]")
    out.append(f"template {translation.frame_template!r}")
    out.append(f"loop heads {translation.loop_heads} at {translation.loop_offsets}")
    for pc, item in enumerate(translation.code):
        out.append(f"{pc:4} @{translation.offsets[pc]:#x} {list(item)!r}")
    runs = plan_runs(translation.code)
    keys = {tuple(item[0]) for item in translation.code[1:]}
    for run in runs:
        item = run_item(translation.code, translation.offsets, run)
        out.append(f"run {run[0]}..{run[-1]}: {item[0][1]!r}")
        keys.add(item[0])
    out.append("== handler factories")
    for key in sorted(keys, key=repr):
        out.append(f"-- {key!r}")
        out.append(handler_source(key).rstrip("\n"))
    forms = [
        ("compiled", compiled.generate(module, index)),
        ("compiled flat", compiled.generate(module, index, flat=True)),
    ]
    instructions = decode_function_body(module.raw, module.body(index))
    loops = [offset for opcode, _immediate, offset in instructions if opcode == opcode_of("loop")]
    if loops:
        made = generate_loop_entry(
            module,
            index,
            compiled.EXPRESSIONS,
            loops[0],
            name=f"osr{index}_{loops[0]}",
            slots_per_frame=SLOTS_PER_FRAME,
            typed_views=frozenset(TYPED_FORMATS),
        )
        if made is not None:
            forms.append((f"loop entry at {loops[0]:#x}", made))
    for title, generated in forms:
        out.append(f"== {title}: {generated.form}, {generated.line_count} lines")
        out.append(generated.source.rstrip("\n"))
        out.append(f"lines {sorted(generated.lines.items())}")
        out.append(f"memory lines {sorted(generated.memory_lines.items())}")
        out.append(f"constants {sorted(generated.constants)} osr {generated.osr_params} {generated.osr_heights}")
    return "\n".join(out) + "\n"


@pytest.mark.parametrize(("name", "path", "index"), FUNCTIONS, ids=[case[0] for case in FUNCTIONS])
def test_the_default_code_is_unchanged(name: str, path: str, index: int) -> None:
    text = render(load(path), index)
    golden = GOLDEN / f"{name}.txt"
    if BLESS:
        GOLDEN.mkdir(parents=True, exist_ok=True)
        golden.write_text(text)
    assert golden.exists(), f"{golden} is missing: run with WASMRUN_BLESS=1 to record it"
    assert text == golden.read_text(), f"the no-limit code of {name} changed (WASMRUN_BLESS=1 to accept it)"


def test_every_golden_file_has_a_case() -> None:
    names = {case[0] for case in FUNCTIONS}
    assert sorted(path.stem for path in Path(GOLDEN).glob("*.txt")) == sorted(names)
