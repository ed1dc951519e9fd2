"""Rows of a Hugging Face `datasets.Dataset` as plain records (no `datasets` import needed to ask)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


def is_dataset(value: object) -> bool:
    """A `datasets.Dataset` (checked by shape, so `datasets` need not be imported to ask)."""
    return hasattr(value, "column_names") and hasattr(value, "features") and hasattr(value, "__getitem__")


def dataset_rows(dataset: Any) -> Iterator[dict[str, Any]]:
    """Rows as plain records. Arrow gives every struct the union of all keys, filling the absent ones with
    null: those nulls were never in the data, so null-valued keys of messages and tool calls are dropped."""
    for row in dataset:
        yield {key: _strip_arrow_nulls(key, value) for key, value in row.items()}


def _strip_arrow_nulls(key: str, value: Any) -> Any:
    if key in ("messages", "preferred_output", "non_preferred_output") and isinstance(value, list):
        return [_drop_nulls(m) for m in value]
    if key == "input" and isinstance(value, dict):
        return {k: _strip_arrow_nulls(k, v) for k, v in value.items() if v is not None}
    return value


def _drop_nulls(message: Any) -> Any:
    if not isinstance(message, dict):
        return message
    out = {}
    for k, v in message.items():
        if v is None:
            continue
        if k == "tool_calls" and isinstance(v, list):
            v = [_drop_nulls(call) for call in v]
        elif isinstance(v, dict):
            v = _drop_nulls(v)
        out[k] = v
    return out
