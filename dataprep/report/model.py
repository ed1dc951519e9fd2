"""What `dataprep.validate` returns: findings, per-file statistics and the cost estimate."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dataprep.cost import CostEstimate
from dataprep.models import ModelInfo
from dataprep.stats import Stats
from dataprep.types import Finding, Severity

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

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "role": self.role,
            "kind": self.kind,
            "lines": self.lines,
            "size_bytes": self.size_bytes,
            "stats": self.stats.to_dict(),
        }


@dataclass(frozen=True)
class Report:
    files: tuple[FileReport, ...]
    findings: tuple[Finding, ...]
    model: ModelInfo
    cost: CostEstimate | None
    duplicate_index_bytes: int | None = None  # memory of the duplicate index; None when DP4 is off

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
        }
