"""docs/cli.md, the CLI contract, against the click app: so that the two cannot drift apart.

Checked both ways: every option of every click command is in that command's table and every option of
a table is in the click app; every Wasmtime ``-W``/``-S``/``-D``/``-C`` key the app accepts (``wasmtime_options.aliases()``)
is in the keys table, with its wasmrun option, and in the Wasmtime column of that option's row; every
command has a section; the exit statuses table lists exactly the statuses of ``wasmrun.cli.errors``
(its ``EXIT_*`` constants, and ``n`` for ``proc_exit(n)``).

The markdown is parsed simply: a section is the lines under a heading up to the next heading of the
same or a higher level; a table is a run of ``| a | b | c |`` lines, the first being its header.  Each
check is a function of the document's text, so that the tests at the end can feed it a doctored text
and see the mismatch reported.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import click
import pytest

from wasmrun.cli import errors
from wasmrun.cli.config import proposal_switches
from wasmrun.cli.main import PROG_NAME, cli
from wasmrun.cli.wasmtime_options import aliases

DOC_PATH = Path(__file__).resolve().parents[2] / "docs" / "cli.md"
DOC = DOC_PATH.read_text(encoding="utf-8")

OPTIONS_HEADER = "wasmrun's spelling"  # the first header cell of a command's options table
KEYS_HEADER = "key"  # ... of the table of Wasmtime's -W/-S/-D keys, in the section of `wasmrun run`
STATUS_HEADER = "status"  # ... of the exit statuses table
EXIT_SECTION = "Exit statuses"
RUN = f"{PROG_NAME} run"
PROC_EXIT = "n"  # the row of proc_exit(n)

# --- markdown ------------------------------------------------------------------------------------

_HEADING = re.compile(r"(#{1,6}) +(.+)")
_CELL_SEPARATOR = re.compile(r"(?<!\\)\|")  # `interp\|compile` is one cell
_CODE_SPAN = re.compile(r"`([^`]+)`")
_COMMAND_TITLE = re.compile(rf"`({PROG_NAME}(?: [a-z-]+)?)`.*")
_KEY = re.compile(r"[a-z0-9-]+")


class Section(NamedTuple):
    level: int
    title: str
    body: str  # its lines up to the next heading of the same or a higher level


class Table(NamedTuple):
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


def _headings(lines: list[str]) -> Iterator[tuple[int, int, str]]:
    """(line number, level, title) of each heading outside fenced code blocks."""
    fenced = False
    for number, line in enumerate(lines):
        if line.lstrip().startswith("```"):
            fenced = not fenced
            continue
        match = _HEADING.fullmatch(line)
        if match is not None and not fenced:
            yield number, len(match.group(1)), match.group(2).strip()


def sections(text: str) -> list[Section]:
    lines = text.splitlines()
    headings = list(_headings(lines))
    found = []
    for position, (start, level, title) in enumerate(headings):
        end = next((line for line, other, _ in headings[position + 1 :] if other <= level), len(lines))
        found.append(Section(level, title, "\n".join(lines[start + 1 : end])))
    return found


def _cells(line: str) -> tuple[str, ...]:
    inner = line.strip().removeprefix("|").removesuffix("|")
    return tuple(cell.strip() for cell in _CELL_SEPARATOR.split(inner))


def _is_rule(row: tuple[str, ...]) -> bool:
    return all(cell and set(cell) <= set("-: ") for cell in row)


def tables(text: str) -> list[Table]:
    """The tables of ``text`` (the ``|---|`` line dropped)."""
    found: list[Table] = []
    block: list[tuple[str, ...]] = []
    for line in [*text.splitlines(), ""]:
        if line.lstrip().startswith("|"):
            block.append(_cells(line))
        elif block:
            found.append(Table(block[0], tuple(row for row in block[1:] if not _is_rule(row))))
            block = []
    return found


def rows_of(text: str, header: str) -> list[tuple[str, ...]]:
    """The rows of every table in ``text`` whose first header cell is ``header``."""
    return [row for table in tables(text) if table.header[0] == header for row in table.rows]


def code_spans(cell: str) -> list[str]:
    return _CODE_SPAN.findall(cell)


def option_spellings(cell: str) -> set[str]:
    """``--env K=V``, ``--env K`` -> {"--env"}: the first word of each code span that starts with a dash."""
    return {span.split()[0] for span in code_spans(cell) if span.startswith("-")}


def key_of(span: str) -> tuple[str, str] | None:
    """``-W fuel=N`` -> ("-W", "fuel"); ``-S inherit-env[=y|n]`` -> ("-S", "inherit-env") (also ``-D``, ``-C``); else None."""
    flag, _, setting = span.partition(" ")
    match = _KEY.match(setting)
    if flag not in ("-W", "-S", "-D", "-C") or match is None:
        return None
    return flag, match.group()


# --- the document --------------------------------------------------------------------------------


def command_sections(text: str) -> dict[str, str]:
    """Command path (``wasmrun``, ``wasmrun run``, ...) -> the body of its section."""
    found = {}
    for section in sections(text):
        match = _COMMAND_TITLE.fullmatch(section.title)
        if match is not None:
            found[match.group(1)] = section.body
    return found


def doc_options(text: str) -> dict[str, set[str]]:
    """Command path -> the option spellings in the first column of its options table."""
    return {
        command: {spelling for row in rows_of(body, OPTIONS_HEADER) for spelling in option_spellings(row[0])}
        for command, body in command_sections(text).items()
    }


def doc_wasmtime_keys(text: str, command: str) -> dict[str, set[tuple[str, str]]]:
    """wasmrun's option -> the ``-W``/``-S``/``-D`` keys in the Wasmtime column of its row."""
    found: dict[str, set[tuple[str, str]]] = {}
    for row in rows_of(command_sections(text).get(command, ""), OPTIONS_HEADER):
        keys = {key for span in code_spans(row[1]) if (key := key_of(span)) is not None}
        for spelling in option_spellings(row[0]):
            found.setdefault(spelling, set()).update(keys)
    return found


def doc_keys(text: str) -> dict[tuple[str, str], set[str]]:
    """(flag, key) of each row of the keys table -> the wasmrun options named in its second column."""
    found: dict[tuple[str, str], set[str]] = {}
    for row in rows_of(command_sections(text).get(RUN, ""), KEYS_HEADER):
        for span in code_spans(row[0]):
            key = key_of(span)
            if key is not None:
                found.setdefault(key, set()).update(option_spellings(row[1]))
    return found


def doc_exit_statuses(text: str) -> dict[str, str]:
    """The status of each row of the exit statuses table (``0``, ``n``, ...) -> its first cell."""
    found = {}
    for section in sections(text):
        if section.title == EXIT_SECTION:
            for row in rows_of(section.body, STATUS_HEADER):
                spans = code_spans(row[0])
                found[spans[0] if spans else row[0].split()[0]] = row[0]
    return found


# --- the click app -------------------------------------------------------------------------------


def app_commands() -> dict[str, click.Command]:
    """Command path -> click command; ``wasmrun`` is the group (the global options)."""
    return {PROG_NAME: cli, **{f"{PROG_NAME} {name}": command for name, command in cli.commands.items()}}


def _options(command: click.Command, ctx: click.Context) -> set[str]:
    """Every spelling of every option, ``--help`` included (click adds it through the context)."""
    return {
        spelling
        for param in command.get_params(ctx)
        if isinstance(param, click.Option)
        for spelling in (*param.opts, *param.secondary_opts)
    }


def app_options() -> dict[str, set[str]]:
    root = click.Context(cli, info_name=PROG_NAME, **cli.context_settings)
    found = {PROG_NAME: _options(cli, root)}
    for name, command in cli.commands.items():
        ctx = click.Context(command, parent=root, info_name=name, **command.context_settings)
        found[f"{PROG_NAME} {name}"] = _options(command, ctx)
    return found


def app_exit_statuses() -> set[str]:
    constants = {value for name, value in vars(errors).items() if name.startswith("EXIT_") and isinstance(value, int)}
    return {str(status) for status in constants} | {PROC_EXIT}


# --- the checks: one list of mismatches each (empty when the document and the app agree) ----------


def option_mismatches(text: str) -> list[str]:
    documented, accepted = doc_options(text), app_options()
    problems = []
    for command in sorted(accepted.keys() & documented.keys()):
        problems += _absent(command, accepted[command] - documented[command], "docs/cli.md")
        problems += _absent(command, documented[command] - accepted[command], "the click app")
    return problems


def _absent(command: str, options: set[str], where: str) -> list[str]:
    return [f"{command}: `{option}` is not in {where}" for option in sorted(options)]


def key_mismatches(text: str) -> list[str]:
    documented, wasmtime_column = doc_keys(text), doc_wasmtime_keys(text, RUN)
    accepted = {(alias.flag, alias.key): alias.option for alias in aliases()}
    problems = [f"`{flag} {key}` is not in docs/cli.md" for flag, key in sorted(accepted.keys() - documented.keys())]
    problems += [f"`{flag} {key}` is not accepted by the app" for flag, key in sorted(documented.keys() - accepted)]
    for (flag, key), option in sorted(accepted.items()):
        if (flag, key) in documented and documented[flag, key] != {option}:
            problems.append(f"`{flag} {key}`: the keys table names {sorted(documented[flag, key])}, not `{option}`")
        if (flag, key) not in wasmtime_column.get(option, set()):
            problems.append(f"`{option}`: its row does not give Wasmtime's spelling `{flag} {key}`")
    return problems


def command_mismatches(text: str) -> list[str]:
    documented, commands = command_sections(text).keys(), app_commands().keys()
    problems = [f"{command} has no section in docs/cli.md" for command in sorted(commands - documented)]
    problems += [f"{command} (a section of docs/cli.md) is not a command" for command in sorted(documented - commands)]
    return problems


def exit_status_mismatches(text: str) -> list[str]:
    documented, used = doc_exit_statuses(text), app_exit_statuses()
    problems = [f"exit status {status} is not in docs/cli.md" for status in sorted(used - documented.keys())]
    problems += [f"exit status {status} is not used by the code" for status in sorted(documented.keys() - used)]
    if PROC_EXIT in documented and not re.search(rf"0\s*[–-]\s*{errors.MAX_EXIT_STATUS}\b", documented[PROC_EXIT]):
        problems.append(f"exit status {PROC_EXIT}: its range is not 0–{errors.MAX_EXIT_STATUS}")
    return problems


# --- the document and the app, item by item -----------------------------------------------------

APP_OPTIONS = app_options()
DOC_OPTIONS = doc_options(DOC)
APP_OPTION_CASES = sorted((command, option) for command, options in APP_OPTIONS.items() for option in options)
DOC_OPTION_CASES = sorted((command, option) for command, options in DOC_OPTIONS.items() for option in options)
ALIAS_KEYS = sorted((alias.flag, alias.key) for alias in aliases())
DOC_KEYS = sorted(doc_keys(DOC))


def _ids(cases: list[tuple[str, str]]) -> list[str]:
    return [" ".join(case) for case in cases]


@pytest.mark.parametrize(("command", "option"), APP_OPTION_CASES, ids=_ids(APP_OPTION_CASES))
def test_app_option_is_in_its_commands_table(command: str, option: str) -> None:
    assert option in DOC_OPTIONS.get(command, set()), f"{command} {option}: not in its table of docs/cli.md"


@pytest.mark.parametrize(("command", "option"), DOC_OPTION_CASES, ids=_ids(DOC_OPTION_CASES))
def test_documented_option_is_in_the_app(command: str, option: str) -> None:
    assert option in APP_OPTIONS.get(command, set()), f"{command} {option}: documented, but click does not know it"


@pytest.mark.parametrize(("flag", "key"), ALIAS_KEYS, ids=_ids(ALIAS_KEYS))
def test_accepted_key_is_documented(flag: str, key: str) -> None:
    assert (flag, key) in DOC_KEYS


@pytest.mark.parametrize(("flag", "key"), DOC_KEYS, ids=_ids(DOC_KEYS))
def test_documented_key_is_accepted(flag: str, key: str) -> None:
    assert (flag, key) in ALIAS_KEYS


def test_keys_name_their_options_both_ways() -> None:
    assert key_mismatches(DOC) == []


@pytest.mark.parametrize("command", sorted(app_commands()))
def test_command_has_a_section(command: str) -> None:
    assert command in command_sections(DOC)


def test_every_section_is_a_command() -> None:
    assert command_mismatches(DOC) == []


PROPOSAL_KEYS_HEADER = "proposal key"


def documented_proposal_keys(text: str) -> set[str]:
    """The keys of the ``-W PROPOSAL`` table (``| `-W exceptions` | ... |``)."""
    found = set()
    in_table = False
    for line in text.splitlines():
        if line.startswith(f"| {PROPOSAL_KEYS_HEADER} |"):
            in_table = True
            continue
        if in_table and not line.startswith("|"):
            break
        match = re.match(r"\| `-W ([a-z0-9-]+)` \|", line)
        if in_table and match:
            found.add(match.group(1))
    return found


def test_every_proposal_switch_is_documented_and_no_other() -> None:
    assert documented_proposal_keys(DOC) == set(proposal_switches())


def test_a_missing_proposal_row_is_reported() -> None:
    assert documented_proposal_keys(doctored(DOC, "| `-W exceptions` |", "")) != set(proposal_switches())


def test_exit_statuses_are_the_codes() -> None:
    assert exit_status_mismatches(DOC) == []


# --- each check can fail: doctored documents -----------------------------------------------------


def doctored(text: str, old: str, new: str) -> str:
    """``text`` with the line that starts with ``old`` replaced by ``new`` (lines, "" to remove it)."""
    lines = text.splitlines()
    matches = [number for number, line in enumerate(lines) if line.startswith(old)]
    assert len(matches) == 1, f"the document has {len(matches)} lines starting with {old!r}"
    number = matches[0]
    return "\n".join([*lines[:number], *([new] if new else []), *lines[number + 1 :]])


STATS_ROW = "| `--stats` |"


def test_the_real_document_has_no_mismatch() -> None:
    assert option_mismatches(DOC) + key_mismatches(DOC) + command_mismatches(DOC) + exit_status_mismatches(DOC) == []


def test_a_fake_option_row_is_reported() -> None:
    row = next(line for line in DOC.splitlines() if line.startswith(STATS_ROW))
    text = doctored(DOC, STATS_ROW, row + "\n| `--bogus N`, `-B` | — | not an option |")
    assert option_mismatches(text) == [
        f"{RUN}: `--bogus` is not in the click app",
        f"{RUN}: `-B` is not in the click app",
    ]


def test_a_missing_option_row_is_reported() -> None:
    text = doctored(DOC, "| `--argv0 NAME` |", "")
    assert option_mismatches(text) == [f"{RUN}: `--argv0` is not in docs/cli.md"]


def test_an_option_in_another_commands_table_is_reported() -> None:
    text = doctored(DOC, "| `--ptr-size 8\\|4` |", "")
    row = next(line for line in DOC.splitlines() if line.startswith(STATS_ROW))
    text = doctored(text, STATS_ROW, row + "\n| `--ptr-size 8\\|4` | — | in the wrong table |")
    assert option_mismatches(text) == [
        f"{PROG_NAME} inspect: `--ptr-size` is not in docs/cli.md",
        f"{RUN}: `--ptr-size` is not in the click app",
    ]


def test_a_fake_key_row_is_reported() -> None:
    row = "| `-W max-wasm-stack=BYTES` | `--max-stack-depth` | not accepted |"
    text = doctored(DOC, "| `-W fuel=N` |", "| `-W fuel=N` | `--fuel` | N |\n" + row)
    assert key_mismatches(text) == ["`-W max-wasm-stack` is not accepted by the app"]


def test_a_missing_key_row_is_reported() -> None:
    text = doctored(DOC, "| `-D max-backtrace=N` |", "")
    assert key_mismatches(text) == ["`-D max-backtrace` is not in docs/cli.md"]


def test_a_wrong_wasmtime_spelling_is_reported() -> None:
    text = doctored(DOC, "| `--fuel N` |", "| `--fuel N` | — | fuel |")
    assert key_mismatches(text) == ["`--fuel`: its row does not give Wasmtime's spelling `-W fuel`"]


def test_a_missing_command_section_is_reported() -> None:
    text = doctored(DOC, f"### `{PROG_NAME} wast`", "### wast")
    assert command_mismatches(text) == [f"{PROG_NAME} wast has no section in docs/cli.md"]


def test_a_wrong_exit_status_table_is_reported() -> None:
    text = doctored(DOC, "| `130` |", "| `3` | never |")
    text = doctored(text, "| `n` (0–125) |", "| `n` (0–255) | the guest called `proc_exit(n)` |")
    assert exit_status_mismatches(text) == [
        "exit status 130 is not in docs/cli.md",
        "exit status 3 is not used by the code",
        f"exit status n: its range is not 0–{errors.MAX_EXIT_STATUS}",
    ]


# --- the README and the docs point at files that exist ----------------------------------------------

_LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")
DOCUMENTS = [DOC_PATH.parents[1] / "README.md", *sorted((DOC_PATH.parent).glob("*.md"))]


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: path.name)
def test_relative_links_point_at_files_in_the_repository(document: Path) -> None:
    prose = re.sub(r"```.*?```", "", document.read_text(encoding="utf-8"), flags=re.DOTALL)  # not code blocks
    links = [link for link in _LINK.findall(prose) if "://" not in link]
    missing = [link for link in links if not (document.parent / link).exists()]
    assert missing == []
