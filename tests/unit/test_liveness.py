"""Dead writes (wasmrun.codegen.liveness): which assignments of the structured form's lines go, which stay."""

from __future__ import annotations

from typing import Any

import pytest

from wasmrun.codegen.liveness import drop_dead_writes, pure

PLAIN, OTHER = 0, 2


def lines_of(text: str, kinds: dict[int, int] | None = None) -> list[tuple[int, str, int, int]]:
    """Indented text (one space a level) as the generator's lines; ``kinds``: line number -> its kind."""
    rows = text.strip("\n").split("\n")
    return [
        (len(row) - len(row.lstrip(" ")), row.strip(), (kinds or {}).get(number, PLAIN), number)
        for number, row in enumerate(rows)
    ]


def kept(text: str, kinds: dict[int, int] | None = None) -> str:
    out, _live = drop_dead_writes(lines_of(text, kinds), PLAIN)
    return "\n".join(" " * indent + line for indent, line, _kind, _offset in out)


CASES = {
    "a write no line reads goes": (
        "l1 = (l2 + 1)\nreturn l2",
        "return l2",
    ),
    "a write a later line reads stays": (
        "l1 = (l2 + 1)\nreturn l1",
        "l1 = (l2 + 1)\nreturn l1",
    ),
    "a write read at the loop's next round stays": (
        "l1 = 0\nwhile True:\n l2 = (l1 + 1)\n l1 = (l1 + 2)\n if l2:\n  continue\n break\nreturn 0",
        "l1 = 0\nwhile True:\n l2 = (l1 + 1)\n l1 = (l1 + 2)\n if l2:\n  continue\n break\nreturn 0",
    ),
    "a step read only by itself goes, with what only it read": (
        "l1 = (l0 << 3)\nwhile True:\n l1 = (l1 + 8)\n l2 = (l2 - 1)\n if l2:\n  continue\n break\nreturn l2",
        "while True:\n l2 = (l2 - 1)\n if l2:\n  continue\n break\nreturn l2",
    ),
    "a write read after the loop it leaves stays": (
        "while True:\n l1 = (l2 + 1)\n if l2:\n  break\n l2 = 3\nreturn l1",
        "while True:\n l1 = (l2 + 1)\n if l2:\n  break\n l2 = 3\nreturn l1",
    ),
    "a write only an exception handler reads stays": (
        "try:\n l1 = 5\n V0[l2] = 1\n l1 = 6\nexcept Error:\n l3 = l1\n return l3\nreturn 0",
        "try:\n l1 = 5\n V0[l2] = 1\nexcept Error:\n l3 = l1\n return l3\nreturn 0",
    ),
    "a one-line jump reads what the loop's exit reads": (
        "while True:\n l1 = (l2 + 1)\n if l2: break\n l2 = f(l2)\nreturn l1",
        "while True:\n l1 = (l2 + 1)\n if l2: break\n l2 = f(l2)\nreturn l1",
    ),
    "a block left empty holds pass": (
        "if l0:\n l1 = 3\nreturn l0",
        "if l0:\n pass\nreturn l0",
    ),
    "of a chain of targets, the live ones stay": (
        "l1 = l2 = 0\nreturn l2",
        "l2 = 0\nreturn l2",
    ),
    "a call, a subscript or a division stays": (
        "l1 = f(l0)\nl2 = V0_I[l0]\nl3 = (l0 / 2.0)\nl4 = (l0 % l5)\nreturn 0",
        "l1 = f(l0)\nl2 = V0_I[l0]\nl3 = (l0 / 2.0)\nl4 = (l0 % l5)\nreturn 0",
    ),
    "a block this pass does not follow leaves every line": (
        "l1 = 3\nfor x in y:\n l2 = x\nreturn 0",
        "l1 = 3\nfor x in y:\n l2 = x\nreturn 0",
    ),
}


@pytest.mark.parametrize(("before", "after"), CASES.values(), ids=CASES.keys())
def test_dead_writes(before: str, after: str) -> None:
    assert kept(before) == after


def test_a_line_of_another_kind_stays() -> None:
    assert kept("l1 = (l2 + 1)\nreturn l2", {0: OTHER}) == "l1 = (l2 + 1)\nreturn l2"


@pytest.mark.parametrize(
    ("text", "live"),
    [
        ("l1 = 0\nreturn (l1 + l2)", {"l2"}),  # (l1 is written first: no zeroing needed)
        ("if l0:\n l1 = 1\nreturn l1", {"l0", "l1"}),  # (one path reads it unwritten)
        ("while True:\n if l0:\n  br = 1\n  break\n l0 = (l0 - 1)\nif br:\n return 1\nreturn 0", {"l0"}),
    ],
)
def test_the_names_live_at_the_start(text: str, live: set[str]) -> None:
    _out, names = drop_dead_writes(lines_of(text), PLAIN)
    assert {name for name in names if name[0] in "lbst"} == live


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("((l1 + l2) % 4294967296)", True),
        ("(l1 - 4294967296 if l1 > 2147483647 else l1)", True),
        ("2.3935734080003002e-05", True),
        ("(-0.0032753590371765707)", True),
        ("s1_2_2 + q1_4_2", True),
        ("(l1 % l2)", False),
        ("(l1 % 0)", False),
        ("(l1 / l2)", False),
        ("(l1 // 3)", False),
        ("(l1 ** 3)", False),
        ("V0_I[l1 >> 2]", False),
        ("f1(l0)", False),
        ("m0.pages", False),
        ("(t := l1)", False),
        ("'text'", False),
    ],
)
def test_a_value_that_cannot_raise_is_pure(expression: str, expected: bool) -> None:
    assert pure(expression) is expected


def chained_loops(depth: int, chain: int) -> list[tuple[int, str, int, int]]:
    """Loops nested ``depth`` deep, each with a chain of copies its head learns one link per round, and a
    write nothing reads in the innermost."""
    lines: list[tuple[int, str, int, int]] = []

    def level(depth_here: int, indent: int) -> None:
        lines.append((indent, "while True:", PLAIN, -1))
        lines.append((indent + 1, f"q{depth_here} = (a{depth_here}_{chain} + q{depth_here})", PLAIN, -1))
        for link in range(chain, 1, -1):
            lines.append((indent + 1, f"a{depth_here}_{link} = (a{depth_here}_{link - 1} + 1)", PLAIN, -1))
        if depth_here + 1 < depth:
            level(depth_here + 1, indent + 1)
        else:
            lines.append((indent + 1, "unread = (q0 + 1)", PLAIN, -1))
        lines.extend([(indent + 1, f"if q{depth_here}:", PLAIN, -1), (indent + 2, "break", PLAIN, -1)])
        lines.append((indent + 1, "continue", PLAIN, -1))

    level(0, 0)
    lines.append((0, "return " + " + ".join(f"q{k}" for k in range(depth)), PLAIN, -1))
    return lines


@pytest.mark.parametrize(("depth", "chain", "settles"), [(3, 3, True), (17, 12, False)])
def test_the_rounds_are_bounded(depth: int, chain: int, settles: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    from wasmrun.codegen import liveness

    lines = chained_loops(depth, chain)
    visited = [0]
    block = liveness._Liveness.block

    def counted(self: Any, statements: list[Any], *rest: int) -> int:
        visited[0] += len(statements)
        return block(self, statements, *rest)

    monkeypatch.setattr(liveness._Liveness, "block", counted)
    out, _live = drop_dead_writes(lines, PLAIN)
    assert visited[0] <= liveness.VISITS_PER_LINE * len(lines) + len(lines)
    assert any("unread" in text for _indent, text, _kind, _offset in out) is not settles
    # (the write goes if the rounds settle; a nest that would take too many is left as it is)
