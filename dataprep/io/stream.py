"""One input's blocks as a stream with look-ahead, and, for a file on disk, a hand-over of its unread rest.

The kind and shape sniffers read the first blocks without consuming them (`peek`); the checks then take every
block in order by iterating. A pool executor may instead take the blocks read so far and the byte range not yet
read (`hand_over`): its workers read that range themselves with positional reads, so the main process neither
reads nor pickles those bytes. The file's facts (`FileFacts`) are then completed from the workers' parts.
"""

from __future__ import annotations

import os
import stat
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from dataprep.io.jsonl import Block, FileFacts


@dataclass(frozen=True, slots=True)
class Rest:
    """The unread rest of a file on disk: bytes `start`..`size` of the file open as descriptor `fd` (at
    `path`); its first line is line `first_line`."""

    path: str
    fd: int
    start: int
    size: int
    first_line: int


class BlockStream:
    """The blocks of one input, read on demand. `file` is the regular file they are read from, if any."""

    def __init__(
        self, blocks: Iterator[Block], facts: FileFacts, file: BinaryIO | None = None, path: str = ""
    ) -> None:
        self.facts = facts
        self.path = path
        self._blocks = blocks
        self._ahead: deque[Block] = deque()  # read by `peek`, not yet taken
        self._last: Block | None = None  # the last block read from the file
        self._file = file if file is not None and _regular(file) else None

    def __iter__(self) -> BlockStream:
        return self

    def __next__(self) -> Block:
        if self._ahead:
            return self._ahead.popleft()
        return self._read()

    def _read(self) -> Block:
        block = next(self._blocks)
        self._last = block
        return block

    def peek(self) -> Iterator[Block]:
        """The blocks from the current one on, read ahead and kept: iterating the stream still yields them."""
        yield from list(self._ahead)
        while True:
            try:
                block = self._read()
            except StopIteration:
                return
            self._ahead.append(block)
            yield block

    def hand_over(self) -> tuple[list[Block], Rest | None]:
        """The blocks read and not yet taken, and the rest of the file not read yet. With a Rest, the stream is
        done (it yields nothing more) and `facts` count only the bytes before the rest: whoever reads the rest
        adds its parts (`FileFacts.add_part`). Without one (not a regular file, or nothing left to read), keep
        iterating the stream for the remaining blocks."""
        ahead = list(self._ahead)
        self._ahead.clear()
        if self._file is None:
            return ahead, None
        start, first_line = self._resume_point()
        fd = self._file.fileno()
        size = os.fstat(fd).st_size
        if start < 0 or start >= size:  # the reader has reached the end, or is inside a line: let it finish
            return ahead, None
        self._blocks = iter(())
        self._file = None
        self.facts.size_bytes = start  # the reader may have read past the last block it yielded
        return ahead, Rest(self.path, fd, start, size, first_line)

    def _resume_point(self) -> tuple[int, int]:
        """(byte offset, line number) where the lines after the last block read begin; offset -1 when the last
        block did not end with a line ending (the end of the file)."""
        last = self._last
        if last is None:
            return 0, 1
        if last.raw:  # a skipped oversize line: its length includes its newline, if it had one
            line = last.raw[-1]
            return last.offset + line.oversize, line.number + 1
        if not last.data.endswith(b"\n"):
            return -1, 0
        return last.offset + len(last.data), last.first_line + last.data.count(b"\n")


def _regular(handle: BinaryIO) -> bool:
    """A regular file that positional reads can share (not a pipe; not a platform without `os.pread`)."""
    if not hasattr(os, "pread"):  # pragma: no cover - Windows
        return False
    try:
        return stat.S_ISREG(os.fstat(handle.fileno()).st_mode)
    except (OSError, ValueError, AttributeError):  # no descriptor (a remote object) or closed
        return False
