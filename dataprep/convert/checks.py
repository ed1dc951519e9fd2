"""Validate what convert wrote, with the validator's rules and the model's token limit.

Kept apart from the conversion so it can be called (and tested) on its own; convert never re-implements the
validator's checks.
"""

from __future__ import annotations

from pathlib import Path

from dataprep.report.model import Report


def validate_outputs(train: Path, validation: Path | None = None, *, model: str | None = None) -> Report:
    """The validator's Report for the written JSONL (train and, after a split, validation)."""
    from dataprep.validate import validate  # convert imports lazily: validate pulls in the tokenizer

    return validate(train, model=model, validation=validation)


def render_findings(report: Report) -> str:
    """The validator's own text rendering of a Report: the same output as `dataprep validate`."""
    from dataprep.report.text import render_text

    return render_text(report)
