"""Bridge to Hugging Face `datasets`: validate a Dataset in memory, load validated JSONL as a Dataset.

`datasets` is imported only here and only when called: the validate path never pays for it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import orjson

from dataprep.errors import InputError
from dataprep.io.jsonl import FileFacts, iter_lines, open_input


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


def to_dataset(path: str | os.PathLike[str], *, check: bool = True, **validate_options: Any) -> Any:
    """Load a chat JSONL file as a `datasets.Dataset`, after validating it unless `check=False`.

    Raises InputError naming the first error when validation fails, so a training script stops before
    it starts. `validate_options` go to `dataprep.validate` (model, ignore, ...).
    """
    try:
        import datasets
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise InputError("to_dataset needs the `datasets` package: pip install 'dataprep[hf]'") from exc
    if check:
        from dataprep.validate import validate

        report = validate(path, **validate_options)
        if not report.ok:
            first = next(f for f in report.findings if f.severity.value == "error")
            raise InputError(f"{path}: {report.errors} error(s) found, the first: {first.format()}")
    records = []
    with open_input(path) as handle:
        for raw in iter_lines(handle, FileFacts()):
            if raw.data.strip():
                try:
                    records.append(orjson.loads(raw.data))
                except orjson.JSONDecodeError as exc:
                    raise InputError(f"{path}:{raw.number}: malformed JSON ({exc.msg})") from exc
    return datasets.Dataset.from_list(records)
