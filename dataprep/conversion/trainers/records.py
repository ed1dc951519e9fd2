"""The records `dataprep export` reads: what `dataprep convert` writes (chat, OpenAI DPO preference, TRL KTO), one
kind per file, streamed, with a clear error naming the file and line for anything else."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from dataprep.errors import InputError
from dataprep.io.jsonl import FileFacts, iter_lines, open_input

KINDS = ("chat", "preference", "kto")


@dataclass(frozen=True, slots=True)
class Example:
    """One record and the line it came from (for messages that name it)."""

    line: int
    kind: str
    record: dict[str, Any]


def kind_of(record: Any) -> str | None:
    """chat, preference or kto by the record's keys and their types; None for anything else."""
    if not isinstance(record, dict):
        return None
    if _messages(record.get("messages")):
        return "chat"
    source = record.get("input")
    if (
        isinstance(source, dict)
        and _messages(source.get("messages"))
        and _messages(record.get("preferred_output"))
        and _messages(record.get("non_preferred_output"))
    ):
        return "preference"
    if (
        _messages(record.get("prompt"))
        and _messages(record.get("completion"))
        and isinstance(record.get("label"), bool)
    ):
        return "kto"
    return None


# The 2025 API schema's names for the preference outputs (validate flags them; export reads them as the new ones).
_OLD_NAMES = {"preferred_completion": "preferred_output", "non_preferred_completion": "non_preferred_output"}


def _canonical(record: Any) -> Any:
    if isinstance(record, dict) and "input" in record and any(k in record for k in _OLD_NAMES):
        return {_OLD_NAMES.get(k, k): v for k, v in record.items()}
    return record


def _messages(value: Any) -> bool:
    return isinstance(value, list) and all(
        isinstance(m, dict) and isinstance(m.get("role"), str) for m in value
    )


def iter_examples(path: Path) -> Iterator[Example]:
    """The records of a JSONL file, streamed, all of one kind; InputError naming the first line that is not."""
    kind: str | None = None
    with open_input(path) as handle:
        for raw in iter_lines(handle, FileFacts(), max_line_bytes=sys.maxsize):
            if not raw.data.strip():
                continue  # blank lines are no records (validate reports them, DP004)
            try:
                record = orjson.loads(raw.data)
            except orjson.JSONDecodeError as exc:
                raise InputError(
                    f"{path}:{raw.number}: not valid JSON ({exc}); run `dataprep validate`"
                ) from None
            record = _canonical(record)
            found = kind_of(record)
            if found is None:
                raise InputError(
                    f"{path}:{raw.number}: not a chat, preference (input/preferred_output/non_preferred_output) or "
                    "KTO (prompt/completion/label) record: export reads what `dataprep convert` writes"
                )
            if kind is not None and found != kind:
                raise InputError(f"{path}:{raw.number}: a {found} record in a file of {kind} records")
            kind = found
            yield Example(raw.number, found, record)


def file_kind(path: Path) -> str:
    """The kind of the file's first record (InputError for a file with none, or a bad first record)."""
    for example in iter_examples(path):
        return example.kind
    raise InputError(f"{path}: holds no records")
