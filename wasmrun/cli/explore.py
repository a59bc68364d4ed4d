"""``wasmrun explore MODULE [-o FILE]``: one self-contained HTML page, each function's wasm beside its Python.

Wasmtime's ``explore`` shows each function's wasm beside the machine code Cranelift makes of it;
wasmrun's compiled tier makes Python, so the page shows that: for every defined function, its
instructions (offset and text, as ``inspect --code`` lists them) and the source the compiled tier
generates for it (:func:`wasmrun.inspection.translation.compiled_source`, through
:func:`wasmrun.inspection.code.function_code`), each Python line that can trap or call marked with
the wasm offset it reports.  Pointing at a line highlights the lines of the same offset on both
sides.  A function the compiled tier leaves to the interpreter (SIMD) says so instead of a listing.

The page needs nothing else (its style and script are inline) and names nothing from the module
unescaped.  Its structure, which the test reads: one ``<section class="function">`` per function,
with ``data-index``, holding ``<pre class="wasm">`` and ``<pre class="python">``, one
``<span class="line" data-offset="0x..">`` per line.
"""

from __future__ import annotations

import os
from html import escape
from typing import TYPE_CHECKING

from wasmrun.cli.errors import CliError, InputError
from wasmrun.cli.source import display_name, load_program

if TYPE_CHECKING:
    from wasmrun.features import Features
    from wasmrun.inspection.code import FunctionCode
    from wasmrun.module import Module

_STYLE = """
body { font-family: sans-serif; margin: 1em 2em; }
h1 { font-size: 1.3em; }
section.function { margin: 1.5em 0; border-top: 1px solid #ccc; }
section.function h2 { font-size: 1.05em; font-family: monospace; }
div.pair { display: flex; gap: 1em; align-items: flex-start; }
div.pair > div { flex: 1; min-width: 0; }
pre { background: #f6f6f6; padding: 0.5em; overflow-x: auto; margin: 0; }
span.line { display: block; }
span.line.hot { background: #ffe08a; }
p.note { font-style: italic; }
"""

# Pointing at a line with an offset highlights every line of that offset in its section.
_SCRIPT = """
document.addEventListener("mouseover", function (event) {
  var line = event.target.closest ? event.target.closest("span.line[data-offset]") : null;
  document.querySelectorAll("span.line.hot").forEach(function (other) { other.classList.remove("hot"); });
  if (!line) { return; }
  var section = line.closest("section");
  section.querySelectorAll('span.line[data-offset="' + line.dataset.offset + '"]').forEach(function (other) {
    other.classList.add("hot");
  });
});
"""


def default_output(module_path: str) -> str:
    """Wasmtime's default: the module's path with the extension ``.explore.html`` (``app.wasm`` -> ``app.explore.html``)."""
    root, _ = os.path.splitext(module_path)
    return f"{root}.explore.html"


def explore_command(
    module_path: str, output: str | None, features: Features | None = None, parallel: bool = True
) -> int:
    """Write the page for the module at ``module_path``; print where, as Wasmtime does."""
    from wasmrun.module import Module

    program = load_program(module_path, features=features, parallel=parallel)
    source = display_name(module_path)
    if not isinstance(program, Module):
        raise CliError("explore takes a core module, not a component", source)
    target = output if output is not None else default_output(module_path)
    page = explore_page(program, source)
    try:
        with open(target, "w", encoding="utf-8") as file:
            file.write(page)
    except OSError as error:
        raise InputError(error, target) from error
    print(f"Exploration written to {target}")
    return 0


def explore_page(module: Module, title: str) -> str:
    """The whole HTML page for ``module``."""
    from wasmrun.inspection.code import function_code

    sections = [
        _function_section(function_code(module, index))
        for index in range(module.num_imported_functions, len(module.func_type_indices))
    ]
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            f"<title>wasmrun explore: {escape(title)}</title>",
            f"<style>{_STYLE}</style>",
            "</head>",
            "<body>",
            f"<h1>{escape(title)}: each function's wasm and the Python wasmrun's compiled tier runs for it</h1>",
            *sections,
            f"<script>{_SCRIPT}</script>",
            "</body>",
            "</html>",
            "",
        ]
    )


def wasm_lines(code: FunctionCode) -> list[tuple[int | None, str]]:
    """The function's instructions as (offset, text) lines, nested blocks indented."""
    return [
        (line.offset, f"{'  ' * line.depth}{line.mnemonic} {line.immediates}".rstrip()) for line in code.instructions
    ]


def python_lines(code: FunctionCode) -> list[tuple[int | None, str]] | None:
    """The compiled tier's source as (offset, text) lines; None when the function stays interpreted."""
    compiled = code.translated.compiled
    if compiled is None:
        return None
    return [(line.offset, line.text) for line in compiled.lines]


def _listing(kind: str, lines: list[tuple[int | None, str]]) -> str:
    spans = []
    for offset, text in lines:
        attribute = "" if offset is None else f' data-offset="{offset:#x}"'
        spans.append(f'<span class="line"{attribute}>{escape(text) or " "}</span>')
    return f'<pre class="{kind}">' + "".join(spans) + "</pre>"


def _function_section(code: FunctionCode) -> str:
    name = f" {code.name}" if code.name else ""
    signature = f"({', '.join(code.params)}) -> ({', '.join(code.results)})"
    python = python_lines(code)
    if python is None:
        reason = code.translated.unsupported or code.translated.interpreted_because or "not compiled"
        right = f'<p class="note">stays interpreted: {escape(reason)}</p>'
    else:
        right = _listing("python", python)
    return "\n".join(
        [
            f'<section class="function" id="function-{code.index}" data-index="{code.index}">',
            f"<h2>function {code.index}{escape(name)} {escape(signature)}</h2>",
            '<div class="pair">',
            f"<div><h3>wasm</h3>{_listing('wasm', wasm_lines(code))}</div>",
            f"<div><h3>Python</h3>{right}</div>",
            "</div>",
            "</section>",
        ]
    )
