"""The figures of `make bench` (benchmarks/bench_all.py): each measured value beside its reference, their ratio,
the target and whether it is met; and the markdown table and the JSON record made of them.

Pure: nothing here runs a benchmark, so the assembly is testable on made-up figures
(tests/test_bench_all.py).
"""

from __future__ import annotations

import datetime
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, NamedTuple


class Metric(NamedTuple):
    shown: str  # the value with its unit, as the table writes it
    short: str  # its name in the ratio column
    name: str  # its name in a target
    unit: str


METRICS: dict[str, Metric] = {
    "cpu_s": Metric("{:.2f} s CPU", "CPU", "CPU", "s"),
    "wall_s": Metric("{:.2f} s wall", "wall", "wall", "s"),
    "largest_mib": Metric("{:.0f} MiB largest process", "largest", "largest process", "MiB"),
    "tree_mib": Metric("{:.0f} MiB tree", "tree", "process tree", "MiB"),
    "recall": Metric("recall {:.4f}", "recall", "recall", ""),
}


@dataclass
class Side:
    """One side of a comparison: what ran, and the medians of its runs by metric (missing: did not run)."""

    label: str
    values: dict[str, float | None] = field(default_factory=dict)

    def text(self) -> str:
        shown = [METRICS[k].shown.format(v) for k, v in self.values.items() if v is not None and k in METRICS]
        return f"{self.label}: {', '.join(shown)}" if shown else f"{self.label}: n/a"


@dataclass
class Target:
    """A bound on one metric: of the ratio subject / reference ("ratio") or of the subject's own value."""

    metric: str
    op: str  # "<=" or ">="
    bound: float
    of: str  # "ratio" or "value"
    source: str  # where the target comes from: "issue 16", the README...

    def text(self) -> str:
        metric = METRICS[self.metric]
        sign = "≤" if self.op == "<=" else "≥"
        if self.of == "ratio":
            return f"{metric.short} ratio {sign} {self.bound:g} ({self.source})"
        return f"{metric.name} {sign} {self.bound:g} {metric.unit} ({self.source})".replace("  ", " ")


@dataclass
class Figure:
    """One line of the table: `subject` (dataprep) measured beside `reference` in the same run."""

    group: str
    name: str
    subject: Side
    reference: Side | None
    target: Target | None = None
    conditions: dict[str, bool] = field(default_factory=dict)  # must all hold for the target to be met
    runs: int = 0  # each value is the median of this many runs
    load: tuple[float, float] | None = None  # lowest and highest 1-minute load average seen while measuring
    note: str = ""

    def ratio(self, metric: str) -> float | None:
        mine = self.subject.values.get(metric)
        theirs = self.reference.values.get(metric) if self.reference is not None else None
        if mine is None or theirs is None or theirs <= 0:
            return None
        return mine / theirs

    def met(self) -> bool | None:
        """None when there is nothing to judge, or the value the target needs was not measured."""
        if self.target is None and not self.conditions:
            return None
        verdicts = list(self.conditions.values())
        if self.target is not None:
            t = self.target
            value = self.ratio(t.metric) if t.of == "ratio" else self.subject.values.get(t.metric)
            if value is None:
                return None
            verdicts.append(value <= t.bound if t.op == "<=" else value >= t.bound)
        return all(verdicts)

    def ratios_text(self) -> str:
        shown = [
            f"{ratio:.2f} {METRICS[metric].short}"
            for metric in METRICS
            if (ratio := self.ratio(metric)) is not None
        ]
        return ", ".join(shown) if shown else "n/a"

    def summary(self) -> dict[str, Any]:
        """The figure as JSON: both sides, every ratio, the target and the verdict."""
        return {
            **asdict(self),
            "ratios": {m: round(r, 4) for m in METRICS if (r := self.ratio(m)) is not None},
            "target_text": self.target.text() if self.target else None,
            "met": self.met(),
        }


def _target_text(figure: Figure) -> str:
    """The target and the conditions that must hold with it."""
    conditions = [f"{name}: {'yes' if held else 'NO'}" for name, held in figure.conditions.items()]
    parts = ([figure.target.text()] if figure.target else []) + conditions
    return "; ".join(parts) if parts else "-"


def _verdict(figure: Figure) -> str:
    met = figure.met()
    if met is None:
        return "n/a" if figure.target or figure.conditions else "-"
    return "yes" if met else "**no**"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _durations(seconds: dict[str, float]) -> str:
    shown = ", ".join(f"{group} {value / 60:.1f}" for group, value in seconds.items())
    return f"by group, min: {shown}" if shown else "no group ran"


def markdown(figures: list[Figure], meta: dict[str, Any]) -> str:
    """The table of every figure, then what each is not (notes), then how the run went."""
    machine = meta["machine"]
    lines = [
        f"`make bench` {meta['date']}: {machine['nproc']} cores, {machine['cpu_model']}, "
        f"{machine['memory_mb']} MB RAM, Python {machine['python']}; medians of {meta['repeat']} interleaved "
        f"runs; took {meta['seconds'] / 60:.1f} min ({_durations(meta.get('group_seconds', {}))}); "
        f"load average {meta['load_start']:.1f} at the start, {meta['load_end']:.1f} at the end.",
        "",
        "| figure | dataprep | reference | dataprep / reference | target | met | load |",
        "|---|---|---|---|---|---|---|",
    ]
    for f in figures:
        reference = f.reference.text() if f.reference is not None else "n/a"
        load = f"{f.load[0]:.1f}-{f.load[1]:.1f}" if f.load else "n/a"
        cells = [
            f.name,
            f.subject.text(),
            reference,
            f.ratios_text(),
            _target_text(f),
            _verdict(f),
            load,
        ]
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    notes = [(f.name, f.note) for f in figures if f.note]
    if notes:
        lines.append("")
        lines.extend(f"- {name}: {note}" for name, note in notes)
    if meta.get("failed"):
        lines.append("")
        lines.extend(f"- group {group} FAILED: {error}" for group, error in meta["failed"].items())
    return "\n".join(lines)


def record(figures: list[Figure], meta: dict[str, Any], raw: dict[str, Any]) -> dict[str, Any]:
    """The JSON results file: how the run went, every figure, and each group's raw runs."""
    return {**meta, "figures": [f.summary() for f in figures], "raw": raw}


def write_record(data: dict[str, Any], results_dir: Path) -> Path:
    """benchmarks/results/bench-<date>.json, written atomically."""
    results_dir.mkdir(parents=True, exist_ok=True)
    target = results_dir / f"bench-{datetime.date.today().isoformat()}.json"
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, target)
    return target
