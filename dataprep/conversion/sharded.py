"""`convert --executor ray`: a dataset that comes as many input shards, converted shard by shard in parallel.

Each input shard is one Ray task running the ordinary `convert_file` on that shard alone, into its own output
shard `<output dir>/<shard name>.<jsonl|parquet>` (written atomically, with its own `.rejects.jsonl`). The
driver merges the accounting (rows read = written + rejected over all shards, reasons, samples in input order)
and then validates every output shard together on the same cluster, so duplicates and leaks across shards are
found as in one file.

What needs every row in one pass is refused: a train/validation split (`--validation-size`), conversations
grouped over rows (`--group-by`), a row limit, a source trace, and `datasets` output.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from dataprep.conversion.report import SHOWN_REJECTS, ConvertReport
from dataprep.errors import UsageError

# Suffixes a directory of input shards is searched for (the readers' extensions).
INPUT_SUFFIXES = (".csv", ".tsv", ".tab", ".json", ".jsonl", ".ndjson", ".parquet", ".pq", ".xlsx", ".xlsm")
_REFUSED = {
    "validation_size": "--validation-size (a split sees every row: split the converted shards afterwards)",
    "group_by": "--group-by (a conversation's rows may lie in different shards)",
    "limit": "--limit",
    "trace": "--trace",
    "train_output": "--train-output",
    "validation_output": "--validation-output",
}
_SHARDED_FORMATS = ("jsonl", "parquet")


def convert_shards(
    inputs: Sequence[str | os.PathLike[str]],
    output_dir: str | os.PathLike[str],
    *,
    ray_address: str | None = None,
    output_format: str = "jsonl",
    force: bool = False,
    validate: bool = True,
    model: str | None = None,
    config: Any = None,
    select: Sequence[str] | None = None,
    ignore: Sequence[str] | None = None,
    severity: Mapping[str, str] | None = None,
    **options: Any,
) -> ConvertReport:
    """Convert every input shard (files, directories of them, glob patterns) on Ray into `output_dir`.

    `options` are `convert_file`'s conversion options (preset, mapping, user, assistant, read, ...)."""
    from dataprep.conversion.checks import check_model, validation_config
    from dataprep.conversion.pipeline import resolve_mapping
    from dataprep.io.shards import expand_inputs
    from dataprep.validation.ray_executor import start

    for key, words in _REFUSED.items():
        if options.get(key):
            raise UsageError(f"--executor ray converts each shard on its own: {words} needs one pass")
    if output_format not in _SHARDED_FORMATS:
        raise UsageError(
            f"--executor ray writes one file per shard: --output-format jsonl or parquet, not {output_format}"
        )
    shards = [str(p) for p in expand_inputs(list(inputs), INPUT_SUFFIXES)]
    out = Path(output_dir)
    if out.exists() and not out.is_dir():
        raise UsageError(f"{out}: with --executor ray, -o is a directory (one output file per input shard)")
    targets = _targets(shards, out, output_format)
    resolve_mapping(**{k: options[k] for k in _MAPPING_KEYS if k in options})  # a bad mapping fails here
    settings = validation_config(config, model=model, select=select, ignore=ignore, severity=severity)
    if validate or model is not None:
        check_model(model, settings)
    executor = start(ray_address)
    out.mkdir(parents=True, exist_ok=True)
    calls = [
        (shard, str(target), output_format, force, options)
        for shard, target in zip(shards, targets, strict=True)
    ]
    report = merge_reports(shards, executor.map_in_order(_convert_one, calls))
    report.output_format = output_format
    if validate and report.examples_written:
        from dataprep.validation.run import validate_files

        written = [Path(p) for p in report.outputs]
        report.validation = [
            validate_files(written, config=settings.with_overrides("arguments", executor="ray"))
        ]
    return report


_MAPPING_KEYS = (
    "preset",
    "mapping",
    "system",
    "user",
    "assistant",
    "group_by",
    "order_by",
    "role_column",
    "content",
    "missing",
    "list_format",
    "ignore_columns",
)


def _targets(shards: list[str], out: Path, output_format: str) -> list[Path]:
    """One output per shard, named after it; two shards of one name would write one file: refused."""
    seen: dict[str, str] = {}
    targets = []
    for shard in shards:
        stem = Path(shard).stem
        if stem in seen:
            raise UsageError(
                f"{seen[stem]} and {shard} would both be written to {stem}.{output_format}: rename one"
            )
        seen[stem] = shard
        targets.append(out / f"{stem}.{output_format}")
    return targets


def _convert_one(
    shard: str, target: str, output_format: str, force: bool, options: dict[str, Any]
) -> ConvertReport:
    """In a Ray worker: the ordinary conversion of one shard (atomic output and rejects), not validated."""
    from dataprep.conversion.files import convert_file

    return convert_file(shard, target, output_format=output_format, force=force, validate=False, **options)


def merge_reports(inputs: list[str], reports: Sequence[ConvertReport]) -> ConvertReport:
    """The shards' accounting as one conversion's, in input order."""
    merged = ConvertReport(inputs=list(inputs))
    rejects = []
    for part in reports:
        merged.outputs += part.outputs
        merged.rows_read += part.rows_read
        merged.rows_written += part.rows_written
        merged.rows_rejected += part.rows_rejected
        merged.examples_written += part.examples_written
        merged.blank_rows += part.blank_rows
        merged.rejected_by_reason.update(part.rejected_by_reason)
        merged.warnings += part.warnings
        # The mapping reads the same columns in every shard: a column unused in one is unused in all.
        merged.unused_columns += [c for c in part.unused_columns if c not in merged.unused_columns]
        merged.samples += part.samples[: max(0, SHOWN_REJECTS - len(merged.samples))]
        if part.rejects_path:
            rejects.append(part.rejects_path)
    merged.rejects_path = ", ".join(rejects) if rejects else None
    return merged
