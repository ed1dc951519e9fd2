"""What `validate` can read: JSONL files, records held in memory and `datasets.Dataset`s, all turned into the
same blocks of numbered lines so they take exactly one path through the checks."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import orjson

from dataprep.errors import UsageError
from dataprep.io.jsonl import (
    DEFAULT_MAX_LINE_BYTES,
    FileFacts,
    RawLine,
    blocks_of,
    iter_blocks,
    open_any,
)
from dataprep.io.parse import parse_line
from dataprep.io.remote import is_uri
from dataprep.io.shards import is_parquet
from dataprep.io.stream import BlockStream
from dataprep.schema import checks as schema
from dataprep.types import Kind

PathLike = str | os.PathLike[str]
Role = Literal["train", "validation"]
_KIND_LOOKAHEAD = 1000  # lines read to find the first record whose kind can be told


@dataclass
class Source:
    """One input: a file on disk, or records held in memory (labelled, numbered from `first_line`)."""

    label: str
    role: Role
    path: Path | None = None
    records: Iterable[Any] | None = None
    first_line: int = 1  # records are numbered from 1 like lines; Dataset rows keep their 0-based index
    uri: str | None = None  # an object read through pyarrow's file systems (s3://, gs://, file://, ...)

    @property
    def size_hint(self) -> int | None:
        if self.uri is not None:
            from dataprep.io.remote import uri_size

            return uri_size(self.uri)
        return self.path.stat().st_size if self.path is not None else None

    @property
    def parquet(self) -> bool:
        """A Parquet file: its rows are read as records, numbered from 1 like lines."""
        name = self.uri if self.uri is not None else self.path
        return name is not None and is_parquet(name)

    @contextlib.contextmanager
    def blocks(self, facts: FileFacts, max_line_bytes: int) -> Iterator[BlockStream]:
        """The input as a stream of blocks of lines, filling `facts`; a file is closed when the block ends. A
        JSONL file on disk can hand its unread rest over to pool workers (`BlockStream.hand_over`)."""
        name = self.uri if self.uri is not None else self.path
        if name is None:
            yield BlockStream(blocks_of(_record_lines(self.records or (), facts, self.first_line)), facts)
            return
        if self.parquet:
            from dataprep.io.arrow_records import iter_parquet  # pyarrow: only for Parquet
            from dataprep.io.extras import require

            require(["parquet"])
            with open_any(name)[0] as handle:  # the one clear error for a missing or unreadable input
                yield BlockStream(
                    blocks_of(_record_lines(iter_parquet(handle, label=str(name)), facts)), facts
                )
            return
        with open_any(name)[0] as handle:
            on_disk = handle if self.uri is None else None
            yield BlockStream(iter_blocks(handle, facts, max_line_bytes), facts, on_disk, str(name))


def as_source(value: Any, role: Role, label: str, caller: str = "validate()") -> Source:
    """A path, an iterable of records or a `datasets.Dataset` as a Source; anything else is a UsageError.

    The one place that decides what kind of input a library call was given."""
    if isinstance(value, str) and is_uri(value):
        return Source(label=value, role=role, uri=value)
    if isinstance(value, (str, os.PathLike)):
        return Source(label=str(value), role=role, path=Path(value))
    if isinstance(value, Mapping):
        raise UsageError(f"{caller} takes a path, an iterable of records or a Dataset, not a single record")
    from dataprep.io.hf_rows import dataset_rows, is_dataset  # Arrow's record decoding: not for paths

    if is_dataset(value):
        label = "<dataset>" if role == "train" else "<validation-dataset>"
        return Source(label=label, role=role, records=dataset_rows(value), first_line=0)
    if isinstance(value, Iterable):
        return Source(label=label, role=role, records=value)
    raise UsageError(f"{caller} cannot read a {type(value).__name__}: give a path or an iterable of records")


def records_of(source: Source) -> Iterator[tuple[int, Any]]:
    """(line or row number, record) of every line of a source that is a JSON object; other lines are skipped."""
    with source.blocks(FileFacts(), DEFAULT_MAX_LINE_BYTES) as blocks:
        for block in blocks:
            for raw in block.lines():
                if raw.oversize or raw.error:
                    continue
                record, failure = parse_line(raw.data)
                if failure is None:
                    yield raw.number, record


def peek_kind(blocks: BlockStream) -> Kind:
    """The kind of the first record that has one (chat if none); the blocks read to find it stay in the stream."""
    kind: Kind | None = None
    looked = 0
    for block in blocks.peek():
        for raw in block.lines():
            looked += 1
            record, problem = parse_line(raw.data) if not raw.oversize else (None, None)
            kind = schema.detect_kind(record) if problem is None and record is not None else None
            if kind is not None or looked >= _KIND_LOOKAHEAD:
                break
        if kind is not None or looked >= _KIND_LOOKAHEAD:
            break
    return kind or Kind.CHAT


def _record_lines(records: Iterable[Any], facts: FileFacts, first: int = 1) -> Iterator[RawLine]:
    """In-memory records as JSON lines numbered from `first`."""
    count = 0
    for number, record in enumerate(records, start=first):
        count += 1
        try:
            data = orjson.dumps(record)
        except TypeError as exc:
            yield RawLine(number, b"", error=f"record cannot be written as JSON ({exc})")
            continue
        facts.size_bytes += len(data) + 1
        yield RawLine(number, data)
    facts.lines = count
