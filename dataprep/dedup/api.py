"""`find_duplicates`: the duplicate rules on their own, for a JSONL path, records in memory or a Dataset.

Locations follow `dataprep.validate`: a file's 1-based line numbers; `<records>` (training) and
`<validation>` with 1-based positions for iterables of records; `<dataset>` and `<validation-dataset>` with
the row's 0-based index for a `datasets.Dataset`. Lines that are not JSON objects are skipped here (they are
`dataprep validate`'s reading findings).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from dataprep.dedup.digest import example_digests
from dataprep.dedup.index import DuplicateIndex, Role
from dataprep.dedup.params import DEFAULT_THRESHOLD, NearDupParams
from dataprep.io.inputs import as_source, records_of
from dataprep.types import Finding, Kind

Source = str | os.PathLike[str] | Iterable[Mapping[str, Any]]
BATCH = 1000  # records digested together (MinHash work is vectorised per batch)


def find_duplicates(
    source: Source,
    *,
    validation: Source | None = None,
    near: bool = True,
    threshold: float = DEFAULT_THRESHOLD,
    params: NearDupParams | None = None,
    kind: Kind | str | None = None,
) -> list[Finding]:
    """Duplicate, near-duplicate, conflicting-answer and (with `validation`) leakage findings, in file order.

    source / validation: a JSONL path, an iterable of records, or a `datasets.Dataset`.
    near: False skips near-duplicates (DP403/DP406) and their cost.
    threshold: estimated Jaccard similarity from which two examples are near-duplicates (default 0.5);
    params: full near-duplicate parameters (its threshold wins over `threshold`).
    kind: chat, preference or completion; None reads each record by its keys.
    """
    if params is None:
        params = NearDupParams(threshold=threshold)
    record_kind = Kind(kind) if kind is not None else None
    index = DuplicateIndex(params)
    sources: list[tuple[Source, Role]] = [(source, "train")]
    if validation is not None:
        sources.append((validation, "validation"))
    for value, role in sources:
        label, rows = _rows(value, role)
        for batch in _batches(rows):
            digests = example_digests([record for _, record in batch], record_kind, near=near, params=params)
            for (line, _), digest in zip(batch, digests, strict=True):
                index.add(label, role, line, digest)
    return index.findings()


def _batches(rows: Iterator[tuple[int, Any]], size: int = BATCH) -> Iterator[list[tuple[int, Any]]]:
    batch: list[tuple[int, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _rows(value: Any, role: Role) -> tuple[str, Iterator[tuple[int, Any]]]:
    label = "<records>" if role == "train" else "<validation>"
    source = as_source(value, role, label, caller="find_duplicates()")
    return source.label, records_of(source)
