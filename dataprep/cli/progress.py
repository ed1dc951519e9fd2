"""A one-line progress display on stderr for long runs: percentage by bytes, lines done, examples per second.

It appears only on a terminal and only once a run has lasted `delay` seconds, so quick runs (a pre-commit
hook, a small file) print nothing extra. It redraws at most every `interval` seconds and is wiped when the run
ends, so the report starts on a clean line. It is a plain callable, `bar(lines_done, bytes_done, total_bytes)`,
which the orchestrator calls as it reads; a `None` total (records in memory, a pipe) leaves out the percentage.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from types import TracebackType
from typing import IO, Any

from dataprep.cli.color import is_terminal

ProgressCallback = Callable[[int, int, int | None], None]

_BAR_CELLS = 20


class ProgressBar:
    def __init__(
        self,
        stream: IO[Any],
        *,
        delay: float = 0.5,
        interval: float = 0.1,
        width: int | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stream = stream
        self.delay = delay
        self.interval = interval
        self.width = width
        self.clock = clock
        self.started = clock()
        self.last_draw: float | None = None
        self.drawn = 0  # characters on screen now, to wipe them

    def __call__(self, lines_done: int, bytes_done: int, total_bytes: int | None) -> None:
        now = self.clock()
        if now - self.started < self.delay:
            return
        if self.last_draw is not None and now - self.last_draw < self.interval:
            return
        self.last_draw = now
        text = format_progress(lines_done, bytes_done, total_bytes, now - self.started)
        import shutil  # only on a terminal: shutil loads the compression modules

        limit = (self.width or shutil.get_terminal_size((80, 24)).columns) - 1  # never wrap the line
        text = text[: max(limit, 0)]
        # Pad over the previous, possibly longer, line instead of an erase code: works on any terminal.
        self.stream.write("\r" + text.ljust(self.drawn))
        self.stream.flush()
        self.drawn = len(text)

    def close(self) -> None:
        """Wipe the line (if anything was drawn) and leave the cursor at its start."""
        if self.drawn:
            self.stream.write("\r" + " " * self.drawn + "\r")
            self.stream.flush()
            self.drawn = 0

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def format_progress(lines_done: int, bytes_done: int, total_bytes: int | None, elapsed: float) -> str:
    """`' 45% [#########-----------] 12,345 lines, 8,100 examples/s'` (no bar without a known total)."""
    rate = lines_done / elapsed if elapsed > 0 else 0.0
    tail = f"{lines_done:,} lines, {rate:,.0f} examples/s"
    if not total_bytes or total_bytes <= 0:
        return tail
    fraction = min(max(bytes_done / total_bytes, 0.0), 1.0)
    filled = int(fraction * _BAR_CELLS)
    bar = "#" * filled + "-" * (_BAR_CELLS - filled)
    return f"{fraction * 100:3.0f}% [{bar}] {tail}, {_size(bytes_done)} of {_size(total_bytes)}"


def progress_for(stream: IO[Any] | None = None) -> ProgressBar | None:
    """A bar on `stream` (default stderr) when it is a terminal; None otherwise (CI logs, pipes, hooks)."""
    target = stream if stream is not None else sys.stderr
    return ProgressBar(target) if is_terminal(target) else None


def _size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    if size < 1024 * 1024 * 1024:
        return f"{size / 1024 / 1024:.1f} MB"
    return f"{size / 1024 / 1024 / 1024:.2f} GB"
