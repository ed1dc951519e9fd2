"""Export converted JSONL to Parquet files or a `datasets` save_to_disk directory, for open-weight trainers, and
read what was written back (`read_back`) so that the validation checks the records a trainer will load.

The records are laid out by `dataprep.io.arrow_records` (tools as JSON text, no nulls that were not in the data),
so they read back exactly. Both hold the records in memory while writing; JSONL output streams.
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
from dataprep.io.arrow_records import (
    SIDECAR,
    ArrowLayout,
    build_dataset,
    dataset_layout,
    decode,
    encode,
    read_parquet,
)
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


def export(jsonl: list[Path], final: list[Path], output_format: str, *, split: bool) -> list[str]:
    """Write the outputs; return notes for the report (columns stored as JSON text)."""
    notes: list[str] = []
    if output_format == "parquet":
        for source, target in zip(jsonl, final, strict=True):
            notes += [f"{target}: {n}" for n in _write_parquet(_records(source), target)]
    elif output_format == "hf":
        parts = {"train": jsonl[0], "validation": jsonl[1]} if split else {"": jsonl[0]}
        notes += _write_dataset({name: _records(path) for name, path in parts.items()}, final[0])
    else:  # pragma: no cover - guarded by the caller
        raise OutputError(f"unknown output format {output_format!r}")
    return notes


def read_back(final: list[Path], output_format: str, *, split: bool) -> list[list[dict[str, Any]]]:
    """The records of the written outputs, read as dataprep reads them: one list per side (train, validation)."""
    if output_format == "parquet":
        return [read_parquet(path) for path in final]
    names = ["train", "validation"] if split else [""]
    return [load_dataset_records(final[0] / name if name else final[0]) for name in names]


def load_dataset_records(directory: Path) -> list[dict[str, Any]]:
    """The records of one saved `datasets` split (exact when dataprep saved it)."""
    import datasets

    dataset = datasets.load_from_disk(os.fspath(directory))
    return list(decode(iter(dataset), dataset_layout(dataset)))


def table_of(records: list[Any], target: object) -> tuple[Any, ArrowLayout, list[str]]:
    try:
        return encode(records)
    except (TypeError, ValueError) as exc:  # pragma: no cover - the JSONL writer rejects such values first
        raise OutputError(f"{target}: these records cannot be stored in Arrow ({exc}); write JSONL") from None


def _write_parquet(records: list[Any], target: Path) -> list[str]:
    import pyarrow.parquet as pq  # heavy: only for Parquet output

    table, _, notes = table_of(records, target)
    with atomic_binary_writer(target) as handle:
        pq.write_table(table, handle)
    return notes


def dataset_of(records: list[Any], target: object) -> tuple[Any, ArrowLayout, list[str]]:
    """A `datasets.Dataset` laid out like the Parquet output (see dataprep.io.arrow_records)."""
    try:
        return build_dataset(records)
    except (TypeError, ValueError) as exc:  # pragma: no cover - the JSONL writer rejects such values first
        raise OutputError(f"{target}: these records cannot be stored in Arrow ({exc}); write JSONL") from None


def _write_dataset(parts: dict[str, list[Any]], target: Path) -> list[str]:
    import datasets  # heavy: only for --output-format hf
    from datasets.utils import logging as hf_logging

    built = {name: dataset_of(records, target) for name, records in parts.items()}
    notes = [f"{target}{f' (split {name})' if name else ''}: {n}" for name, b in built.items() for n in b[2]]
    if "" in built:
        dataset: Any = built[""][0]
    else:
        dataset = datasets.DatasetDict({name: b[0] for name, b in built.items()})
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    bars = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()
    try:
        dataset.save_to_disk(os.fspath(staging))
        for name, (
            _,
            layout,
            _,
        ) in built.items():  # datasets keeps no schema metadata: a file beside the data
            (staging / name / SIDECAR if name else staging / SIDECAR).write_bytes(layout.to_json())
        replace_dir(staging, target)
    finally:
        if bars:
            hf_logging.enable_progress_bar()
        shutil.rmtree(staging, ignore_errors=True)
    return notes


def replace_dir(new: Path, target: Path) -> None:
    """Move `new` to `target`; an existing target (already checked to be replaceable) is removed only after."""
    if not target.exists():
        os.replace(new, target)
        return
    old = target.with_name(f".{target.name}.old")
    with contextlib.suppress(FileNotFoundError):
        shutil.rmtree(old)
    os.replace(target, old)
    os.replace(new, target)
    shutil.rmtree(old, ignore_errors=True)
