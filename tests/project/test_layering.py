"""The shape of the tree: imports point down the pipeline, never in a circle, and modules stay small.

The pipeline, from the bottom: the shared vocabulary (types, errors, ...), the front end (bytes or
text to a validated Module), the runtime (store, instances, memories), the engine (semantics both
tiers share, the interpreter, the Python-source tier, tier selection), WASI, the tools that run or
show modules (launch, wast, inspection, debug, the embedding API), and the command line. A module may
import only from its own layer or below; every import counts, those inside functions too (they run
when the function does), except those under ``if TYPE_CHECKING:`` (they never run).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "wasmrun"
MAX_LINES = 1000

# Layer of each top-level module or package of wasmrun, from the bottom up.
LAYERS: dict[str, int] = {
    **dict.fromkeys(("errors", "types", "deftypes", "floats", "records", "printable", "values", "forking"), 0),
    **dict.fromkeys(
        ("instructions", "features", "limits", "module", "binary", "text", "validation", "loader", "component"), 1
    ),
    **dict.fromkeys(("runtime", "spectest", "component_runtime"), 2),
    **dict.fromkeys(("semantics", "interp", "codegen", "engine"), 3),
    **dict.fromkeys(("wasi",), 4),
    **dict.fromkeys(
        (
            "launch",
            "component_launch",
            "wast",
            "wast_engine",
            "component_wast",
            "inspection",
            "debug",
            "embedding",
            "component_embedding",
            "component_values",
            "api",
            "wasi_config",
            "cache",
            "__init__",
        ),
        5,
    ),
    **dict.fromkeys(("cli", "__main__"), 6),  # __main__: python -m wasmrun
}
LAYER_NAMES = ("vocabulary", "front end", "runtime", "engine", "WASI", "tools", "command line")

# Within the engine layer, the order its parts may import in.
ENGINE_ORDER = {"semantics": 0, "interp": 1, "codegen": 1, "engine": 2}


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def top(name: str) -> str:
    """The top-level part of wasmrun a module belongs to (``wasmrun`` itself is ``__init__``)."""
    parts = name.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports(path: Path) -> Iterator[tuple[str, int]]:
    """The wasmrun modules ``path`` imports (at any depth, but not for type checking only), with lines."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    here = module_name(path)
    package = here if path.name == "__init__.py" else here.rpartition(".")[0]
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and _is_type_checking(node):
            skipped |= {id(child) for statement in node.body for child in ast.walk(statement)}
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("wasmrun"):
                    yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                base = ".".join(anchor[: len(anchor) - node.level + 1] + ([base] if base else []))
            if not base.startswith("wasmrun"):
                continue
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                yield (candidate if _exists(candidate) else base), node.lineno


def _exists(name: str) -> bool:
    relative = Path(*name.split(".")[1:])
    return (PACKAGE / relative).with_suffix(".py").exists() or (PACKAGE / relative / "__init__.py").exists()


def graph() -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {}
    for path in modules():
        name = module_name(path)
        edges.setdefault(name, set())
        for imported, _line in imports(path):
            if imported != name:
                edges[name].add(imported)
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    for root in edges:
        if root in index:
            continue
        work = [(root, iter(sorted(edges.get(root, ()))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_every_part_of_wasmrun_has_a_layer() -> None:
    assert sorted({top(module_name(path)) for path in modules()} - set(LAYERS)) == []


def test_there_are_no_import_cycles() -> None:
    assert cycles(graph()) == []


def upward_imports() -> list[str]:
    found = []
    for path in modules():
        name = module_name(path)
        layer = LAYERS[top(name)]
        for imported, line in imports(path):
            target = LAYERS.get(top(imported))
            if target is None:
                continue
            relative = path.relative_to(PACKAGE.parent)
            if target > layer:
                found.append(f"{relative}:{line}: {LAYER_NAMES[layer]} imports {imported} ({LAYER_NAMES[target]})")
            elif target == layer == 3 and ENGINE_ORDER[top(imported)] > ENGINE_ORDER[top(name)]:
                found.append(f"{relative}:{line}: {top(name)} imports {imported}, above it in the engine")
            elif (
                top(imported) in ("interp", "codegen")
                and top(name) in ("interp", "codegen")
                and top(imported) != top(name)
            ):
                found.append(f"{relative}:{line}: the two tiers import each other ({imported})")
    return found


def test_no_import_runs_back_up_the_pipeline() -> None:
    assert upward_imports() == []


@pytest.mark.parametrize(
    ("importer", "forbidden"),
    [
        ("front end", ("runtime", "semantics", "interp", "codegen", "engine", "wasi", "cli")),
        ("runtime", ("semantics", "interp", "codegen", "engine", "wasi", "cli")),
        ("WASI", ("semantics", "interp", "codegen", "engine", "cli")),
    ],
)
def test_the_rules_that_must_never_break(importer: str, forbidden: tuple[str, ...]) -> None:
    """The front end never imports the runtime or an engine; the runtime never an engine; WASI never an engine."""
    layer = LAYER_NAMES.index(importer)
    broken = [
        f"{path.relative_to(PACKAGE.parent)}:{line}: {imported}"
        for path in modules()
        if LAYERS[top(module_name(path))] == layer
        for imported, line in imports(path)
        if top(imported) in forbidden
    ]
    assert broken == []


def test_nothing_imports_the_command_line() -> None:
    broken = [
        f"{path.relative_to(PACKAGE.parent)}:{line}: {imported}"
        for path in modules()
        if top(module_name(path)) not in ("cli", "__main__")
        for imported, line in imports(path)
        if top(imported) == "cli"
    ]
    assert broken == []


@pytest.mark.parametrize("path", modules(), ids=lambda path: str(path.relative_to(PACKAGE.parent)))
def test_no_module_is_over_a_thousand_lines(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{lines} lines"


def test_the_checks_can_fail() -> None:
    """A circle and an upward import in made-up graphs are found (the checks themselves work)."""
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []
