"""Rows of a Hugging Face `datasets.Dataset` as plain records (no `datasets` import needed to ask)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from dataprep.io.arrow_records import dataset_layout, decode


def is_dataset(value: object) -> bool:
    """A `datasets.Dataset` (checked by shape, so `datasets` need not be imported to ask)."""
    return hasattr(value, "column_names") and hasattr(value, "features") and hasattr(value, "__getitem__")


def dataset_rows(dataset: Any) -> Iterator[dict[str, Any]]:
    """Rows as plain records: exactly the records when dataprep saved the dataset (see arrow_records); else
    Arrow's added nulls are dropped from messages (they were never in the data) and a `tools` JSON string is
    parsed."""
    yield from decode(iter(dataset), dataset_layout(dataset))
