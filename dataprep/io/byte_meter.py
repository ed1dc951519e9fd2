"""How far a run has read into its input files, in bytes: what a progress percentage needs.

Readers hand the meter the binary file they read from; its position is asked of the operating system (the
file descriptor's offset), so no reader has to count, and a `.gz` input reports its compressed position
against its compressed size. Inputs that are not regular files (a pipe, a dataset, records) leave the total
unknown: the progress line then shows counts without a percentage.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from typing import IO, Any


class ByteMeter:
    def __init__(self) -> None:
        self.total: int | None = None
        self._finished = 0  # bytes of the inputs already read to their end
        self._fd: int | None = None
        self._size = 0

    def plan(self, inputs: Iterable[Any]) -> None:
        """The total: the sizes of all inputs, when every one of them is a regular file."""
        total = 0
        for item in inputs:
            size = _file_size(item)
            if size is None:
                self.total = None
                return
            total += size
        self.total = total

    def watch(self, handle: IO[bytes], path: str) -> None:
        """From now on the current input is read through `handle`."""
        try:
            self._fd = handle.fileno()
        except (OSError, ValueError, AttributeError):
            self._fd = None
        self._size = _file_size(path) or 0

    def finished(self, path: str) -> None:
        """The current input (or a reader the meter cannot watch: a spreadsheet, Parquet) is read."""
        self._finished += _file_size(path) or 0
        self._fd, self._size = None, 0

    @property
    def done(self) -> int:
        position = 0
        if self._fd is not None:
            try:
                position = min(os.lseek(self._fd, 0, os.SEEK_CUR), self._size)
            except OSError:
                position = 0
        return self._finished + position


def _file_size(item: Any) -> int | None:
    if not isinstance(item, (str, os.PathLike)):
        return None
    try:
        info = os.stat(item)
    except OSError:
        return None
    return info.st_size if stat.S_ISREG(info.st_mode) else None
