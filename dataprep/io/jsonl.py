"""Streaming JSONL reading: physical lines with their numbers, and the file-level facts found on the way.

The reader never holds more than one line (bounded by `max_line_bytes`) plus the current batch in memory.
Parsing is not done here: a line's bytes go to `dataprep.parse`, possibly in another process.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from dataprep.errors import InputError

BOM = b"\xef\xbb\xbf"
DEFAULT_MAX_LINE_BYTES = 64 * 1024 * 1024
_READ_CHUNK = 1 << 20


@dataclass(slots=True)
class RawLine:
    """One physical line without its line ending. `oversize` lines carry no data (it was skipped);
    `error` says why an in-memory record could not become a line."""

    number: int
    data: bytes
    oversize: int = 0
    error: str = ""


@dataclass(slots=True)
class FileFacts:
    """What the reader learns about the file as a whole; complete once the iterator is exhausted."""

    size_bytes: int = 0
    lines: int = 0
    bom: bool = False
    crlf_line: int = 0
    final_newline: bool = True


def open_input(path: str | os.PathLike[str]) -> BinaryIO:
    """Open a file for reading, turning every OS failure into one clear InputError."""
    p = Path(path)
    if not p.exists():
        raise InputError(f"{p}: no such file")
    if p.is_dir():
        raise InputError(f"{p}: is a directory, not a JSONL file")
    try:
        return p.open("rb")
    except OSError as exc:
        raise InputError(f"{p}: cannot be read ({exc.strerror or exc})") from exc


def iter_lines(
    handle: BinaryIO, facts: FileFacts, max_line_bytes: int = DEFAULT_MAX_LINE_BYTES
) -> Iterator[RawLine]:
    """Yield every physical line, stripped of `\\n`/`\\r\\n` and of a leading BOM, filling `facts` as it goes."""
    number = 0
    last_ended_with_newline = True
    while True:
        data = handle.readline(max_line_bytes + 1)
        if not data:
            break
        number += 1
        facts.size_bytes += len(data)
        if len(data) > max_line_bytes and not data.endswith(b"\n"):
            # Too long to hold: skip the rest of it in bounded chunks and report its length.
            total = len(data)
            ended = False
            while not ended:
                chunk = handle.readline(_READ_CHUNK)
                if not chunk:
                    break
                total += len(chunk)
                ended = chunk.endswith(b"\n")
            facts.size_bytes += total - len(data)
            last_ended_with_newline = ended
            yield RawLine(number, b"", oversize=total)
            continue
        last_ended_with_newline = data.endswith(b"\n")
        if last_ended_with_newline:
            data = data[:-1]
            if data.endswith(b"\r"):
                data = data[:-1]
                if not facts.crlf_line:
                    facts.crlf_line = number
        if number == 1 and data.startswith(BOM):
            facts.bom = True
            data = data[len(BOM) :]
        yield RawLine(number, data)
    facts.lines = number
    facts.final_newline = last_ended_with_newline or number == 0


def iter_batches(lines: Iterator[RawLine], batch_bytes: int = 1 << 20) -> Iterator[list[RawLine]]:
    """Group lines into batches of about `batch_bytes`, the unit of work sent to a worker process."""
    batch: list[RawLine] = []
    size = 0
    for line in lines:
        batch.append(line)
        size += len(line.data) + 64
        if size >= batch_bytes:
            yield batch
            batch = []
            size = 0
    if batch:
        yield batch
