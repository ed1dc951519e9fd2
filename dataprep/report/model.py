"""What `dataprep.validate` returns: findings, per-file statistics and the cost estimate."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any

from dataprep._version import __version__ as TOOL_VERSION
from dataprep.cost import CostEstimate
from dataprep.models import ModelInfo
from dataprep.packing import Packing
from dataprep.rules.base import Rule
from dataprep.rules.registry import ALL_RULES
from dataprep.stats import Distribution, Stats
from dataprep.types import Finding, Severity

# What renderers may know beyond a Report: the tool's version and the rule catalogue (renderers import only
# this module and dataprep.types, a layering rule tests/test_layering.py holds).
__all__ = [
    "ALL_RULES",
    "TOOL_VERSION",
    "Distribution",
    "FileReport",
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
    template_run: TemplateRun | None = None  # open-weight models only

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
        return {
            "version": REPORT_VERSION,
            "ok": self.ok,
            "summary": {"errors": self.errors, "warnings": self.warnings, "info": self.infos},
            "model": self.model.to_dict(),
            "files": [f.to_dict() for f in self.files],
            "cost": self.cost.to_dict() if self.cost else None,
            "findings": [f.to_dict() for f in self.findings],
            "duplicate_index_bytes": self.duplicate_index_bytes,
            **({"template": self.template_run.to_dict()} if self.template_run is not None else {}),
        }


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
