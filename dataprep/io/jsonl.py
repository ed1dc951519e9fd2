"""Streaming JSONL reading: blocks of whole lines with their first line number and byte offset, and the
file-level facts. The one JSONL reader: validate, split, duplicates and convert's JSON Lines input read through
it. A file can be cut into shards at line boundaries (`plan_shards`) and each shard read on its own
(`iter_blocks(..., shard=...)`), so an executor can hand any shard to any worker.

The reader works in large blocks (C-speed reads and newline counts); lines are split where they are checked,
which may be a worker process, so the main process never touches lines one by one. Memory is bounded by
one block plus one line (itself bounded by `max_line_bytes`: a longer line is skipped in bounded reads and
reported with its length).
"""

from __future__ import annotations

import os
import select
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from dataprep.errors import InputError

BOM = b"\xef\xbb\xbf"
DEFAULT_MAX_LINE_BYTES = 64 * 1024 * 1024
BLOCK_BYTES = 1 << 20


@dataclass(slots=True)
class RawLine:
    """One physical line without its line ending. `oversize` lines carry no data (they were skipped);
    `error` says why an in-memory record could not become a line."""

    number: int
    data: bytes
    oversize: int = 0
    error: str = ""


@dataclass(slots=True)
class Block:
    """Lines numbered from `first_line`: either `data` (whole lines, each ending in `\\n` but perhaps the last
    of the file) or ready-made `raw` lines (skipped oversize lines, records held in memory)."""

    first_line: int
    data: bytes = b""
    raw: list[RawLine] = field(default_factory=list)
    offset: int = -1  # byte offset of `data` in its file; -1 for lines held in memory

    def lines(self) -> list[RawLine]:
        if self.raw:
            return self.raw
        parts = self.data.split(b"\n")
        if parts and parts[-1] == b"":
            parts.pop()
        first = self.first_line
        return [RawLine(first + i, p[:-1] if p.endswith(b"\r") else p) for i, p in enumerate(parts)]


@dataclass(slots=True)
class FileFacts:
    """What the reader learns about the file as a whole; complete once the iterator is exhausted."""

    size_bytes: int = 0
    lines: int = 0
    bom: bool = False
    crlf_line: int = 0
    final_newline: bool = True


# How long a named pipe (FIFO) may stay without a writer before it is refused: opening one blocks until a
# writer comes, which for a FIFO nobody writes to is forever (a hung CI step).
PIPE_WAIT_SECONDS = 10.0


def open_input(path: str | os.PathLike[str]) -> BinaryIO:
    """Open a file for reading, turning every OS failure into one clear InputError."""
    p = Path(path)
    try:
        mode = p.stat().st_mode
    except FileNotFoundError:
        # After `--` (as in the pre-commit hooks) an option is a file name: say so when one looks like it.
        hint = " (an option given after `--` is read as a file name)" if str(path).startswith("-") else ""
        raise InputError(f"{p}: no such file{hint}") from None
    except OSError as exc:
        raise InputError(f"{p}: cannot be read ({exc.strerror or exc})") from None
    if stat.S_ISDIR(mode):
        raise InputError(f"{p}: is a directory, not a JSONL file")
    try:
        if stat.S_ISFIFO(mode):
            return _open_pipe(p)
        return p.open("rb")
    except OSError as exc:
        raise InputError(f"{p}: cannot be read ({exc.strerror or exc})") from exc


@dataclass(frozen=True, slots=True)
class Shard:
    """Bytes `start`..`end` of a file, cut at line boundaries; its first line is line `first_line`."""

    start: int
    end: int
    first_line: int


def plan_shards(path: str | os.PathLike[str], count: int) -> list[Shard]:
    """Cut a file into at most `count` shards of about equal size, each starting at the beginning of a line.

    One pass over the file counts the newlines before each cut (C-speed), so every shard knows its first
    line number and findings keep the numbers an editor shows.
    """
    size = Path(path).stat().st_size
    targets = [size * i // max(count, 1) for i in range(1, max(count, 1))]
    cuts: list[tuple[int, int]] = [(0, 1)]  # (byte offset, line number at that offset)
    with open_input(path) as handle:
        position, lines = 0, 1
        pending = [t for t in targets if t > 0]
        while pending:
            chunk = handle.read(BLOCK_BYTES)
            if not chunk:
                break
            while pending and pending[0] < position + len(chunk):
                at = chunk.find(b"\n", max(pending[0] - position, 0))
                if at < 0:
                    break
                cut = position + at + 1
                cuts.append((cut, lines + chunk.count(b"\n", 0, at + 1)))
                pending = [t for t in pending if t >= cut]
            lines += chunk.count(b"\n")
            position += len(chunk)
    bounds = [c for c in cuts if c[0] < size] if size else [(0, 1)]
    ends = [c[0] for c in bounds[1:]] + [size]
    return [Shard(start, end, line) for (start, line), end in zip(bounds, ends, strict=True)]


def open_any(name: str | os.PathLike[str]) -> tuple[BinaryIO, int]:
    """A path or a URI (`s3://...`, through pyarrow's file systems) opened for reading, and its size."""
    from dataprep.io.remote import is_uri, open_uri, uri_size

    if isinstance(name, str) and is_uri(name):
        return open_uri(name), uri_size(name)
    handle = open_input(name)
    return handle, os.fstat(handle.fileno()).st_size


def plan_cuts(path: str | os.PathLike[str], count: int) -> list[Shard]:
    """Cut a file into at most `count` shards of about equal size at line boundaries, reading only around
    each cut (not the whole file, unlike `plan_shards`). Line numbers are not known: each shard's lines are
    numbered from 1 (`first_line` 1), and whoever merges the shards in order adds the lines before them."""
    handle, size = open_any(path)
    cuts = [0]
    with handle:
        for target in (size * i // max(count, 1) for i in range(1, max(count, 1))):
            if target <= cuts[-1]:
                continue
            handle.seek(target - 1)  # a newline just before the target cuts at the target itself
            position = target - 1
            while True:
                try:
                    chunk = handle.read(BLOCK_BYTES)
                except OSError as exc:
                    raise read_error(handle, exc) from None
                at = chunk.find(b"\n")
                if at >= 0 or not chunk:
                    position = position + at + 1 if at >= 0 else size
                    break
                position += len(chunk)
            if cuts[-1] < position < size:
                cuts.append(position)
    ends = [*cuts[1:], size]
    return [Shard(start, end, 1) for start, end in zip(cuts, ends, strict=True)]


def _open_pipe(path: Path) -> BinaryIO:
    """A named pipe, opened without blocking; refused when no writer sends anything in PIPE_WAIT_SECONDS."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        ready, _, _ = select.select([fd], [], [], PIPE_WAIT_SECONDS)
        if not ready:
            raise InputError(
                f"{path}: a named pipe with no writer: nothing arrived in {PIPE_WAIT_SECONDS:g} s; "
                "start the program that writes to it first, or give a file"
            )
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_error(handle: object, exc: OSError) -> InputError:
    """A read failure in the middle of an input (EIO, a vanished network file), naming the file."""
    name = getattr(handle, "name", "input")
    return InputError(f"{name}: read error: {exc.strerror or exc}")


def iter_blocks(
    handle: BinaryIO,
    facts: FileFacts,
    max_line_bytes: int = DEFAULT_MAX_LINE_BYTES,
    block_bytes: int | None = None,
    shard: Shard | None = None,
) -> Iterator[Block]:
    """Yield the file (or one shard of it) as blocks of whole lines, filling `facts` as it goes."""
    block_bytes = block_bytes or BLOCK_BYTES  # read at call time, so a test can make blocks small
    next_line = 1 if shard is None else shard.first_line
    position = 0 if shard is None else shard.start  # file offset of the first byte of `carry`
    remaining = -1 if shard is None else shard.end - shard.start
    if shard is not None:
        handle.seek(shard.start)
    carry = b""  # the start of a line whose end has not been read yet
    first = position == 0
    while True:
        try:
            chunk = handle.read(block_bytes if remaining < 0 else min(block_bytes, remaining))
        except OSError as exc:
            raise read_error(handle, exc) from None
        if remaining > 0:
            remaining -= len(chunk)
        if first:
            first = False
            if chunk.startswith(BOM):
                facts.bom = True
                facts.size_bytes += len(BOM)
                chunk = chunk[len(BOM) :]
                position += len(BOM)
        if not chunk:
            break
        facts.size_bytes += len(chunk)
        buffer = carry + chunk if carry else chunk
        end = buffer.rfind(b"\n")
        if end < 0:
            carry = buffer
            if len(carry) > max_line_bytes:
                skipped, ended = _skip_line(handle, facts)
                yield Block(
                    next_line, raw=[RawLine(next_line, b"", oversize=len(carry) + skipped)], offset=position
                )
                position += len(carry) + skipped
                remaining = remaining - skipped if remaining >= 0 else remaining
                next_line += 1
                carry = b""
                if not ended:
                    facts.lines, facts.final_newline = next_line - 1, False
                    return
            continue
        block, carry = buffer[: end + 1], buffer[end + 1 :]
        count = block.count(b"\n")
        _note_crlf(block, next_line, facts)
        yield Block(next_line, block, offset=position)
        position += len(block)
        next_line += count
        if remaining == 0:
            break
    if carry:
        _note_crlf(carry, next_line, facts)
        yield Block(next_line, carry, offset=position)
        next_line += 1
    facts.lines = next_line - 1
    facts.final_newline = not carry


def iter_lines(
    handle: BinaryIO, facts: FileFacts, max_line_bytes: int = DEFAULT_MAX_LINE_BYTES
) -> Iterator[RawLine]:
    """Every physical line, without its line ending (the same reading as `iter_blocks`)."""
    for block in iter_blocks(handle, facts, max_line_bytes):
        yield from block.lines()


def blocks_of(lines: Iterable[RawLine], per_block: int = 1000) -> Iterator[Block]:
    """Ready-made lines (records held in memory) grouped into blocks."""
    batch: list[RawLine] = []
    for line in lines:
        batch.append(line)
        if len(batch) >= per_block:
            yield Block(batch[0].number, raw=batch)
            batch = []
    if batch:
        yield Block(batch[0].number, raw=batch)


def _skip_line(handle: BinaryIO, facts: FileFacts) -> tuple[int, bool]:
    """Read past the rest of an oversize line in bounded chunks: (bytes skipped, whether a newline ended it)."""
    skipped = 0
    while True:
        try:
            chunk = handle.readline(BLOCK_BYTES)
        except OSError as exc:
            raise read_error(handle, exc) from None
        if not chunk:
            return skipped, False
        skipped += len(chunk)
        facts.size_bytes += len(chunk)
        if chunk.endswith(b"\n"):
            return skipped, True


def _note_crlf(data: bytes, first_line: int, facts: FileFacts) -> None:
    if facts.crlf_line:
        return
    at = data.find(b"\r\n")
    if at >= 0:
        facts.crlf_line = first_line + data.count(b"\n", 0, at)
