"""What `dataprep.validate` returns: findings, per-file statistics and the cost estimate."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Any

from dataprep._version import __version__ as TOOL_VERSION
from dataprep.cost import CostEstimate
from dataprep.models import ModelInfo
from dataprep.rules.base import Rule
from dataprep.rules.registry import ALL_RULES
from dataprep.stats import Distribution, Histogram, Stats
from dataprep.types import Finding, Severity

if TYPE_CHECKING:  # dataprep.compute and packing load only when an estimate or --packing asks for them
    from dataprep.compute import ComputeEstimate
    from dataprep.packing import Packing

# What renderers may know beyond a Report: the tool's version and the rule catalogue (renderers import only
# this module and dataprep.types, a layering rule tests/test_layering.py holds).
__all__ = [
    "ALL_RULES",
    "TOOL_VERSION",
    "ComputeEstimate",
    "CostEstimate",
    "Distribution",
    "Evidence",
    "FileReport",
    "Histogram",
    "ModelInfo",
    "Report",
    "Rule",
    "relative_path",
]

REPORT_VERSION = 1


@dataclass(frozen=True)
class FileReport:
    """One input: its role (train or validation), record kind, size and statistics."""

    path: str
    role: str
    kind: str
    lines: int
    size_bytes: int
    stats: Stats
    packing: Packing | None = None  # --packing: sequences and padding with and without packing

    def to_dict(self) -> dict[str, Any]:
        out = {
            "path": self.path,
            "role": self.role,
            "kind": self.kind,
            "lines": self.lines,
            "size_bytes": self.size_bytes,
            "stats": self.stats.to_dict(),
        }
        if self.packing is not None:
            out["packing"] = self.packing.to_dict()
        return out


@dataclass(frozen=True)
class TemplateRun:
    """An open-weight run: the tokenizer and template that counted, and where the sequence length came from."""

    tokenizer: str
    sequence_length: int
    sequence_length_from: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "tokenizer": self.tokenizer,
            "sequence_length": self.sequence_length,
            "sequence_length_from": self.sequence_length_from,
        }


@dataclass(frozen=True)
class Report:
    files: tuple[FileReport, ...]
    findings: tuple[Finding, ...]
    model: ModelInfo
    cost: CostEstimate | None
    duplicate_index_bytes: int | None = None  # memory of the duplicate index; None when DP4 is off
    compute: ComputeEstimate | None = None  # self-hosted estimate; None unless a method or GPU was asked for
    template_run: TemplateRun | None = None  # open-weight models only
    # Each training example's uncapped token total(s) as this run counted them: what `cost` billed. Not
    # rendered; the HTML report's cost table reprices it for the models that share the run's tokenizer.
    billed_totals: Sequence[int | tuple[int, int]] | None = field(default=None, compare=False, repr=False)

    @property
    def ok(self) -> bool:
        """True when no finding has error severity."""
        return self.errors == 0

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity is Severity.ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.severity is Severity.WARNING)

    @property
    def infos(self) -> int:
        return sum(1 for f in self.findings if f.severity is Severity.INFO)

    @property
    def stats(self) -> Stats | None:
        """Statistics of the first training file (the common single-file case)."""
        train = [f for f in self.files if f.role == "train"]
        return train[0].stats if train else None

    def to_dict(self) -> dict[str, Any]:
        return self._as_dict(findings=True)

    def head_dict(self) -> dict[str, Any]:
        """`to_dict` with an empty findings list (summary counts included): for writers that serialise the
        findings one by one (report/json_format.iter_json)."""
        return self._as_dict(findings=False)

    def _as_dict(self, *, findings: bool) -> dict[str, Any]:
        return {
            "version": REPORT_VERSION,
            "ok": self.ok,
            "summary": {"errors": self.errors, "warnings": self.warnings, "info": self.infos},
            "model": self.model.to_dict(),
            "files": [f.to_dict() for f in self.files],
            "cost": self.cost.to_dict() if self.cost else None,
            "findings": [f.to_dict() for f in self.findings] if findings else [],
            "duplicate_index_bytes": self.duplicate_index_bytes,
            "compute": self.compute.to_dict() if self.compute else None,
            **({"template": self.template_run.to_dict()} if self.template_run is not None else {}),
        }


@dataclass(frozen=True)
class Evidence:
    """What the HTML report shows beyond a Report, read back from the files after validation
    (dataprep.validation.evidence): the text findings point at, a sample of examples, and the cost on every
    model that fits the data's kind. Bounded in size whatever the number of examples."""

    # (path, line, json_path) -> the value at the JSON path (or the line), as short JSON text.
    snippets: Mapping[tuple[str, int, str], str] = field(default_factory=dict)
    # path -> (line, the example as short text), a few evenly spread examples of each file.
    samples: Mapping[str, tuple[tuple[int, str], ...]] = field(default_factory=dict)
    # One estimate per model that fits the data's kind; each counted with that model's own tokenizer.
    costs: tuple[CostEstimate, ...] = ()
    locations_per_rule: int = 20  # how many findings of each rule the report shows with their text

    def snippet(self, path: str, line: int, json_path: str = "") -> str | None:
        found = self.snippets.get((path, line, json_path))
        return found if found is not None or not json_path else self.snippets.get((path, line, ""))


def relative_path(path: str, base: Path | None = None) -> str:
    """`path` relative to `base` (default: the working directory) when it lies inside it, with `/`
    separators; otherwise unchanged. CI annotations and code scanning want checkout-relative paths."""
    p = PurePath(path)
    if p.is_absolute():
        root = Path.cwd() if base is None else base
        try:
            p = p.relative_to(root)
        except ValueError:
            return path
    return p.as_posix()


# Text and GitHub outputs show at most this many findings of one code in one file, then one line with the count
# of the rest (a file of 5,000 broken lines stays readable; JSON, SARIF and JUnit keep every finding).
SHOWN_PER_CODE = 20


@dataclass(frozen=True, slots=True)
class Elided:
    """The findings of one code in one file past the first SHOWN_PER_CODE: the first of them, how many, and
    the line of the last."""

    first: Finding
    count: int
    last_line: int

    @property
    def message(self) -> str:
        lines = f"line {self.first.location.line}"
        if self.last_line != self.first.location.line:
            lines = f"lines {self.first.location.line}-{self.last_line}"
        return (
            f"{self.count:,} more {self.first.code} finding{'s' if self.count > 1 else ''} in this file "
            f"({lines}) not shown; --format json, sarif or junit lists every one"
        )


def shown_findings(findings: tuple[Finding, ...], limit: int = SHOWN_PER_CODE) -> list[Finding | Elided]:
    """The findings in order, each (file, code) cut after `limit`: the rest become one Elided, placed where
    the first of them was."""
    total: dict[tuple[str, str], int] = {}
    last: dict[tuple[str, str], int] = {}
    for finding in findings:
        key = (finding.location.path, finding.code)
        total[key] = total.get(key, 0) + 1
        last[key] = max(last.get(key, 0), finding.location.line)
    seen: dict[tuple[str, str], int] = {}
    out: list[Finding | Elided] = []
    for finding in findings:
        key = (finding.location.path, finding.code)
        seen[key] = seen.get(key, 0) + 1
        if seen[key] <= limit:
            out.append(finding)
        elif seen[key] == limit + 1:
            out.append(Elided(finding, total[key] - limit, last[key]))
    return out


def __getattr__(name: str) -> Any:
    """ComputeEstimate, re-exported for renderers, is imported from dataprep.compute when first asked for."""
    if name == "ComputeEstimate":
        from dataprep.compute import ComputeEstimate

        return ComputeEstimate
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
