"""Validate what convert wrote, with the validator's rules and the model's token limit.

Kept apart from the conversion so it can be called (and tested) on its own; convert never re-implements the
validator's checks.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path
from typing import Any


def _validator() -> Callable[..., Any] | None:
    try:
        module = importlib.import_module("dataprep.validate")
    except ImportError:
        return None
    function = getattr(module, "validate", None)
    return function if callable(function) else None


def validator_available() -> bool:
    return _validator() is not None


def validate_outputs(train: Path, validation: Path | None = None, *, model: str | None = None) -> Any | None:
    """The validator's Report for the written JSONL (train and, after a split, validation); None when the
    validator is not installed."""
    function = _validator()
    if function is None:
        return None
    return function(train, model=model, validation=validation)


def render_findings(report: Any) -> str:
    """The validator's own text rendering of a Report."""
    from dataprep.report.text import (
        render_text,
    )  # the validator's renderer: same output as `dataprep validate`

    return str(render_text(report))
