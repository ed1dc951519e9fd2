"""Positional reads (`os.pread`) of a file on disk: byte ranges cut at line boundaries, read by whoever checks
them. Pool workers read their own ranges of the file the main process opened, so the main process neither
reads nor pickles the bytes; positional reads leave the shared file offset alone, so any number of processes
can read one descriptor at once."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator

_PROBE_BYTES = 64 * 1024  # read around a cut: a typical line is a few KB
_preadv = getattr(os, "preadv", None)


class PositionalFile(io.RawIOBase):
    """A read-only view of an open file descriptor with its own position, read with `os.pread`; the descriptor
    stays open when the view closes (it belongs to whoever opened it)."""

    def __init__(self, fd: int, name: str) -> None:
        super().__init__()
        self.fd = fd
        self.name = name
        self._position = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        if whence == os.SEEK_CUR:
            offset += self._position
        elif whence == os.SEEK_END:
            offset += os.fstat(self.fd).st_size
        self._position = max(offset, 0)
        return self._position

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        if _preadv is not None:  # straight into the caller's buffer
            count: int = _preadv(self.fd, [buffer], self._position)
        else:  # pragma: no cover - platforms without preadv
            data = os.pread(self.fd, len(buffer), self._position)
            count = len(data)
            buffer[:count] = data
        self._position += count
        return count


def open_positional(fd: int, name: str) -> io.BufferedReader:
    """A buffered binary reader over `fd` that never moves the descriptor's own offset."""
    return io.BufferedReader(PositionalFile(fd, name), buffer_size=_PROBE_BYTES)


def line_cut(fd: int, target: int, size: int) -> int:
    """The first line start at or after `target` (a newline just before the target cuts at the target), or
    `size` when no newline follows. Reads only from the target on, in small probes."""
    position = max(target - 1, 0)
    while position < size:
        chunk = os.pread(fd, _PROBE_BYTES, position)
        if not chunk:
            break
        at = chunk.find(b"\n")
        if at >= 0:
            return min(position + at + 1, size)
        position += len(chunk)
    return size


def spans(fd: int, start: int, size: int, span_bytes: int) -> Iterator[tuple[int, int]]:
    """Bytes `start`..`size` as consecutive (start, end) ranges of about `span_bytes`, each of whole lines
    (`start` must be a line start). Planned as they are taken, reading only around each cut."""
    while start < size:
        end = line_cut(fd, start + span_bytes, size) if start + span_bytes < size else size
        yield start, end
        start = end


def count_newlines(fd: int, start: int, end: int) -> int:
    """Newlines in bytes `start`..`end` (how many lines end there), read in bounded chunks."""
    count = 0
    while start < end:
        chunk = os.pread(fd, min(1 << 20, end - start), start)
        if not chunk:
            break
        count += chunk.count(b"\n")
        start += len(chunk)
    return count
