"""The end-of-run summary: what was generated, run and compared, what was filtered and why, what differed."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from fuzz.differential import Finding, ModuleReport


@dataclass
class Summary:
    generated: Counter[str] = field(default_factory=Counter)  # by generator
    attempted: Counter[str] = field(default_factory=Counter)
    accepted: Counter[str] = field(default_factory=Counter)
    exports_called: int = 0
    compared: int = 0
    traps: Counter[str] = field(default_factory=Counter)
    filters: Counter[str] = field(default_factory=Counter)
    findings: list[Finding] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=lambda: defaultdict(float))

    def add(self, generator: str, report: ModuleReport) -> None:
        self.attempted[generator] += 1
        self.generated[generator] += report.generated
        self.accepted[generator] += report.accepted
        self.exports_called += report.exports_called
        self.compared += report.compared
        self.traps.update(report.traps)
        self.filters.update(report.filters)
        self.findings.extend(report.findings)
        self.errors.extend(report.errors)
        for engine, seconds in report.seconds.items():
            self.seconds[engine] += seconds

    def add_lost(self, name: str, reason: str) -> None:
        self.lost.append(f"{name}: {reason}")

    def render(self, wall_seconds: float, tiers: tuple[str, ...]) -> str:
        lines = ["", "=== differential fuzzing summary ==="]
        for generator in sorted(self.attempted):
            lines.append(
                f"{generator}: seeds {self.attempted[generator]}, modules generated {self.generated[generator]}, "
                f"accepted by both engines {self.accepted[generator]}"
            )
        lines.append(f"tiers compared with Wasmtime: {', '.join(tiers)}")
        lines.append(f"exports called (per engine): {self.exports_called}")
        lines.append(f"call results compared (all tiers): {self.compared}")
        lines.append("traps by kind (Wasmtime's):" + ("" if self.traps else " none"))
        lines += [f"  {count:7d}  {kind}" for kind, count in self.traps.most_common()]
        lines.append("filters applied:" + ("" if self.filters else " none"))
        lines += [f"  {count:7d}  {reason}" for reason, count in self.filters.most_common()]
        by_signature = Counter(finding.signature for finding in self.findings)
        lines.append(f"mismatches: {len(self.findings)}" + (" (by tier/kind below)" if self.findings else ""))
        lines += [f"  {count:7d}  {signature}" for signature, count in by_signature.most_common()]
        for finding in self.findings[:50]:
            lines.append(f"    {finding.name} [{finding.tier}] {finding.category}: {finding.detail[:300]}")
        lines.append(f"harness errors: {len(self.errors)}")
        lines += [f"  {error}" for error in self.errors[:10]]
        lines.append(f"lost (hung or killed workers): {len(self.lost)}")
        lines += [f"  {entry}" for entry in self.lost]
        lines.append(f"time: {wall_seconds:.1f} s wall; per engine (CPU, summed over workers):")
        lines += [
            f"  {seconds:9.1f} s  {name}" for name, seconds in sorted(self.seconds.items(), key=lambda item: -item[1])
        ]
        return "\n".join(lines)
