"""Mutation fuzzing, bounded: a fixed range of seeds, each mutating one corpus item many times.

Every mutant must load or fail with a documented error (``DecodeError``,
``ValidationError``, ``TextSyntaxError``) within its time bound, and a binary
mutant's verdict must match Wasmtime's (``fuzz.mutate``).  The corpus is
``examples/``, ``benchmarks/programs/``, smith modules and, when the shared test
data is there, the spec scripts' modules; without it the corpus is smaller
(and a seed may pick another item), not empty.  Long runs: ``python -m fuzz mutate``.
"""

from __future__ import annotations

import random

import pytest
from fuzz_support import require_tools

from fuzz.corpus import classify, corpus, decode_string, module_forms
from fuzz.mutate import MutationSettings, mutate_seed
from fuzz.mutators import BINARY_MUTATORS, TEXT_MUTATORS, mutate, sections

SEEDS = range(0, 200)
SETTINGS = MutationSettings(mutants=40)


@pytest.mark.parametrize("seed", SEEDS, ids=[f"mutate-{seed}" for seed in SEEDS])
def test_mutants_fail_only_as_documented(seed: int) -> None:
    require_tools()
    report = mutate_seed(seed, SETTINGS)
    assert report.mutants == SETTINGS.mutants
    problems = [f"{finding.kind}: {finding.detail} (mutators {finding.mutators})" for finding in report.findings]
    assert not problems, (
        f"mutants of {report.base}:\n"
        + "\n".join(problems)
        + f"\nreproduce: python -m fuzz mutate --count 1 --seed {seed} --mutants {SETTINGS.mutants} --out fuzz-findings/"
    )


# --- the pieces -------------------------------------------------------------------------------------------------


def test_wast_scanner_finds_modules_past_comments_and_strings() -> None:
    script = """
    ;; (module $not_this)
    (; (module $nor_this) ;)
    (module $a (func (export ")") (result i32) (i32.const 1)))
    (assert_invalid (module (func (result i32))) "type mismatch")
    (module binary "\\00asm" "\\01\\00\\00\\00")
    (module quote "(func" ")")
    """
    forms = list(module_forms(script))
    assert len(forms) == 4
    assert forms[0].startswith("(module $a") and forms[0].endswith("(i32.const 1)))")
    seeds = [classify(form) for form in forms]
    assert seeds[2] is not None and seeds[2].data == b"\0asm\1\0\0\0" and not seeds[2].text
    assert seeds[3] is not None and seeds[3].data == b"(func)" and seeds[3].text


def test_string_escapes() -> None:
    assert decode_string(r"a\n\t\\\'\"\00\ff\u{e9}") == b"a\n\t\\'\"\x00\xff\xc3\xa9"


def test_mutation_is_a_function_of_the_seed() -> None:
    binaries, texts = corpus()
    assert binaries and texts
    for base in (binaries[0], texts[0]):
        first = mutate(base.data, random.Random(7), [base.data], base.text)
        assert first == mutate(base.data, random.Random(7), [base.data], base.text)


@pytest.mark.parametrize("mutator", BINARY_MUTATORS + TEXT_MUTATORS, ids=lambda mutator: mutator.__name__)
def test_every_mutator_handles_empty_and_tiny_inputs(mutator: object) -> None:
    for data in (b"", b"\0", b"(", b"\0asm\1\0\0\0"):
        result = mutator(data, random.Random(1), [b"\0asm\1\0\0\0\1\4\1\x60\0\0"])  # type: ignore[operator]
        assert isinstance(result, bytes)


def test_sections_of_a_binary() -> None:
    module = b"\0asm\1\0\0\0" + b"\1\4\1\x60\0\0" + b"\3\2\1\0" + b"\x0a\4\1\2\0\x0b"
    assert sections(module) == [(8, 14), (14, 18), (18, 24)]


def test_the_reducer_keeps_only_what_the_predicate_needs() -> None:
    from fuzz.reduce import reduce

    assert reduce(b"0123456789abcdef-xyz-0123456789", False, lambda data: b"xyz" in data) == b"xyz"
    text = b"(module (func $f (result i32) (i32.const 7)) (memory 1))"
    assert reduce(text, True, lambda data: b"i32.const" in data) == b"i32.const"


def test_an_undocumented_exception_or_a_slow_load_is_a_finding(monkeypatch: pytest.MonkeyPatch) -> None:
    from fuzz import mutate as mutation

    def broken(data: bytes, **_options: object) -> None:
        raise IndexError("index out of range")

    monkeypatch.setattr(mutation.Module, "from_bytes", broken)
    assert mutation.load_outcome(b"(module)", 5.0)[0] == "unexpected IndexError: index out of range"
    report = mutation.mutate_seed(3, MutationSettings(mutants=2, verdicts=False, smith=False))
    assert [finding.kind for finding in report.findings] == ["unexpected exception"] * 2

    def endless(data: bytes, **_options: object) -> None:
        while True:
            pass

    monkeypatch.setattr(mutation.Module, "from_bytes", endless)
    assert mutation.load_outcome(b"(module)", 0.2)[0] == "timeout"
