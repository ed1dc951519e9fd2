"""What a conversion did: rows read, written and rejected (by reason), outputs, split sizes, warnings, and the
validation of the written files. Plain data with `to_dict()` and a text rendering; the CLI only prints it."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from dataprep.splitting import SplitSummary

SHOWN_REJECTS = 5


@dataclass(slots=True)
class RejectSample:
    location: str
    reason: str
    message: str


@dataclass(slots=True)
class ConvertReport:
    """The accounting of one conversion. Invariant: rows_read == rows_written + rows_rejected."""

    inputs: list[str]
    outputs: list[str] = field(default_factory=list)
    output_format: str = "jsonl"
    record_kind: str = "chat"  # chat, preference (OpenAI DPO shape) or kto (TRL prompt/completion/label)
    rejects_path: str | None = None
    rows_read: int = 0
    rows_written: int = 0
    rows_rejected: int = 0
    examples_written: int = 0
    blank_rows: int = 0
    rejected_by_reason: Counter[str] = field(default_factory=Counter)
    samples: list[RejectSample] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    unused_columns: list[str] = field(default_factory=list)  # input columns the mapping did not read
    split: SplitSummary | None = None
    validation: list[Any] = field(default_factory=list)  # dataprep.validate Reports, when validation ran

    def add_reject(self, location: str, reason: str, message: str) -> None:
        self.rows_rejected += 1
        self.rejected_by_reason[reason] += 1
        if len(self.samples) < SHOWN_REJECTS:
            self.samples.append(RejectSample(location, reason, message))

    @property
    def balanced(self) -> bool:
        return self.rows_read == self.rows_written + self.rows_rejected

    @property
    def validation_ok(self) -> bool:
        return all(bool(getattr(r, "ok", True)) for r in self.validation)

    @property
    def ok(self) -> bool:
        """True when the written files passed validation (or it did not run). Rejected rows do not count:
        use `rows_rejected` (the CLI's --strict) for that."""
        return self.validation_ok

    def to_dict(self) -> dict[str, Any]:
        return {
            "inputs": list(self.inputs),
            "outputs": list(self.outputs),
            "output_format": self.output_format,
            "record_kind": self.record_kind,
            "rejects_path": self.rejects_path,
            "rows": {
                "read": self.rows_read,
                "written": self.rows_written,
                "rejected": self.rows_rejected,
                "blank_skipped": self.blank_rows,
            },
            "examples_written": self.examples_written,
            "rejected_by_reason": dict(sorted(self.rejected_by_reason.items())),
            "reject_samples": [
                {"location": s.location, "reason": s.reason, "message": s.message} for s in self.samples
            ],
            "warnings": list(self.warnings),
            "unused_columns": list(self.unused_columns),
            "split": self.split.to_dict() if self.split else None,
            "validation": [r.to_dict() for r in self.validation],
        }

    def format_text(self) -> str:
        lines = [f"read {self.rows_read} rows from {', '.join(self.inputs)}"]
        lines.append(
            f"rows: read {self.rows_read} = written {self.rows_written} + rejected {self.rows_rejected}"
            + ("" if self.balanced else "  (MISMATCH: please report this)")
        )
        if self.blank_rows:
            lines.append(f"blank rows skipped (not counted as rows): {self.blank_rows}")
        if self.rows_rejected:
            reasons = ", ".join(f"{r} {n}" for r, n in sorted(self.rejected_by_reason.items()))
            lines.append(f"rejected by reason: {reasons}")
            lines += [f"  {s.location}: {s.reason}: {s.message}" for s in self.samples]
            if self.rows_rejected > len(self.samples):
                lines.append(f"  ... and {self.rows_rejected - len(self.samples)} more")
            lines.append(f"rejects (source location, raw row, reason): {self.rejects_path}")
        kind = "" if self.record_kind == "chat" else f"{self.record_kind} "
        if self.split is not None:
            lines += self.split.format_text()
        else:
            lines += [
                f"wrote {self.examples_written} {kind}examples to {o} ({self.output_format})"
                for o in self.outputs
            ]
        if self.unused_columns:
            lines.append(
                f"columns not used by the mapping (not in the output): {', '.join(map(repr, self.unused_columns))}"
            )
        lines += [f"warning: {w}" for w in self.warnings]
        return "\n".join(lines)
