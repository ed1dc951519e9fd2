"""Export converted JSONL to Parquet files or a `datasets` save_to_disk directory, for open-weight trainers.

Both hold the records in memory while writing (Arrow infers one schema from all of them); JSONL output streams.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import orjson

from dataprep.errors import OutputError
from dataprep.io.atomic import atomic_binary_writer
from dataprep.io.jsonl import FileFacts, iter_lines, open_input

_DATASET_MARKERS = ("dataset_info.json", "state.json", "dataset_dict.json")


def check_dataset_dir(output: Path, inputs: Sequence[str], force: bool) -> None:
    """A `datasets` directory output: never an input, replaced only with force, and only if it is a dataset."""
    for name in inputs:
        if Path(name).resolve() == output.resolve():
            raise OutputError(f"{output}: refusing to write over the input {name}")
    if not output.exists():
        return
    if not force:
        raise OutputError(f"{output}: already exists (use --force to replace it)")
    if not output.is_dir() or not any((output / m).exists() for m in _DATASET_MARKERS):
        raise OutputError(f"{output}: exists and is not a saved dataset directory; refusing to replace it")


def _records(path: Path) -> list[Any]:
    with open_input(path) as handle:
        return [orjson.loads(raw.data) for raw in iter_lines(handle, FileFacts(), max_line_bytes=sys.maxsize)]


def export(jsonl: list[Path], final: list[Path], output_format: str, *, split: bool) -> None:
    if output_format == "parquet":
        for source, target in zip(jsonl, final, strict=True):
            _write_parquet(_records(source), target)
    elif output_format == "hf":
        parts = {"train": jsonl[0], "validation": jsonl[1]} if split else {"": jsonl[0]}
        _write_dataset({name: _records(path) for name, path in parts.items()}, final[0])
    else:  # pragma: no cover - guarded by the caller
        raise OutputError(f"unknown output format {output_format!r}")


def _write_parquet(records: list[Any], target: Path) -> None:
    import pyarrow as pa  # heavy: only for Parquet output
    import pyarrow.parquet as pq

    try:
        table = pa.Table.from_pylist(records)
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        raise OutputError(
            f"{target}: these records do not fit one Parquet schema ({exc}); write JSONL"
        ) from None
    with atomic_binary_writer(target) as handle:
        pq.write_table(table, handle)


def _write_dataset(parts: dict[str, list[Any]], target: Path) -> None:
    import datasets  # heavy: only for --output-format hf
    from datasets.utils import logging as hf_logging

    try:
        if "" in parts:
            dataset: Any = datasets.Dataset.from_list(parts[""])
        else:
            dataset = datasets.DatasetDict({k: datasets.Dataset.from_list(v) for k, v in parts.items()})
    except (ValueError, TypeError) as exc:
        raise OutputError(
            f"{target}: these records do not fit one dataset schema ({exc}); write JSONL"
        ) from None
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    bars = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()
    try:
        dataset.save_to_disk(os.fspath(staging))
        _replace_dir(staging, target)
    finally:
        if bars:
            hf_logging.enable_progress_bar()
        shutil.rmtree(staging, ignore_errors=True)


def _replace_dir(new: Path, target: Path) -> None:
    """Move `new` to `target`; an existing target (already checked to be a dataset) is removed only after."""
    if not target.exists():
        os.replace(new, target)
        return
    old = target.with_name(f".{target.name}.old")
    with contextlib.suppress(FileNotFoundError):
        shutil.rmtree(old)
    os.replace(target, old)
    os.replace(new, target)
    shutil.rmtree(old, ignore_errors=True)
