"""Validate what convert wrote, with the validator's rules and the model's token limit.

Kept apart from the conversion so it can be called (and tested) on its own; convert never re-implements the
validator's checks.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from dataprep.errors import UsageError
from dataprep.report.model import Report

if TYPE_CHECKING:
    from dataprep.config import Config


def validation_config(
    config: Config | str | os.PathLike[str] | None = None,
    *,
    model: str | None = None,
    select: Sequence[str] | None = None,
    ignore: Sequence[str] | None = None,
    severity: Mapping[str, str] | None = None,
    jobs: int | None = None,
    target: str | None = None,
) -> Config:
    """The configuration the validation of convert's outputs runs with: a Config, a configuration file, or the
    nearest one, then validate's selection options. Built (and so checked) before any input is read."""
    from dataprep.config import Config, load_config

    base = config if isinstance(config, Config) else load_config(Path(config) if config is not None else None)
    return base.with_overrides(
        "arguments",
        model=model,
        select=tuple(select) if select is not None else None,
        ignore=tuple(ignore) if ignore is not None else None,
        severity=dict(severity) if severity is not None else None,
        jobs=jobs,
        target=target,
    )


def check_model(model: str | None, config: Config | None = None) -> None:
    """Resolve the model validation will use before any input is read, so a typo fails with nothing written."""
    from dataprep.config import load_config
    from dataprep.models import resolve_model

    config = (config or load_config()).with_overrides("arguments", model=model)
    try:
        resolve_model(
            config.model,
            encoding=config.tokenizer_encoding,
            max_tokens=config.max_tokens,
            price_per_1m=config.price_per_1m,
            extra_models=config.models,
        )
    except UsageError:
        # resolve_model's hint names validate's --tokenizer-encoding/--max-tokens, which convert does not have.
        raise UsageError(
            f"unknown model {config.model!r}: `dataprep models` lists the known ids; describe another model "
            "(its encoding and max_tokens) under [tool.dataprep.models.<id>] in pyproject.toml or dataprep.toml"
        ) from None


def validate_outputs(
    train: Path,
    validation: Path | None = None,
    *,
    model: str | None = None,
    labels: tuple[str, str | None] | None = None,
    config: Config | None = None,
) -> Report:
    """The validator's Report for the written JSONL (train and, after a split, validation).

    `labels` name the files in findings when `train`/`validation` are staged copies (Parquet or `datasets`
    exports), so a finding never points at a temporary file that is gone when the run ends.
    """
    from dataprep.io.inputs import Source  # convert imports lazily: validate pulls in the tokenizer
    from dataprep.validation.run import validate_sources

    train_label, validation_label = labels or (str(train), str(validation) if validation else None)
    train_sources = [Source(label=train_label, role="train", path=train)]
    validation_sources = []
    if validation is not None:
        validation_sources.append(
            Source(label=validation_label or str(validation), role="validation", path=validation)
        )
    return validate_sources(train_sources, validation_sources, model=model, config=config)


def render_findings(report: Report) -> str:
    """The validator's own text rendering of a Report: the same output as `dataprep validate`."""
    from dataprep.report.text import render_text

    return render_text(report)
