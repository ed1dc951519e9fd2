"""One place that turns a reader's failure into an InputError naming the input.

Readers fail in their own ways on damaged files: gzip raises EOFError (a truncated .gz) or BadGzipFile, zlib
its own error, pyarrow ArrowException (a corrupt page) or ValueError (a date out of range), openpyxl KeyError or
an XML ParseError, the OS EIO in the middle of a file. Any of them, raised while a source is opened or while its
rows are read, means the input cannot be used: exit 2 with the file and the problem, not a traceback (and
never the "interrupted" of a mistaken KeyboardInterrupt path).
"""

from __future__ import annotations

import contextlib
import errno
from collections.abc import Iterator
from typing import Any

from dataprep.errors import DataprepError, InputError


def describe(exc: BaseException) -> str:
    """A reader's exception in words."""
    if isinstance(exc, EOFError):
        return f"the file is cut short ({exc})" if str(exc) else "the file is cut short"
    if isinstance(exc, OSError) and exc.errno == errno.EIO:
        return f"read error ({exc.strerror})"
    if isinstance(exc, RecursionError):
        return "a value is nested too deeply to read"
    if isinstance(exc, MemoryError):
        return "a value is too large for the memory available"
    text = str(exc) or type(exc).__name__
    if isinstance(exc, OSError) and exc.strerror:
        text = exc.strerror
    return f"{text[:500]} ({type(exc).__name__})"


class _Guard:
    def __init__(self, label: str) -> None:
        self.label = label

    def error(self, exc: BaseException) -> InputError:
        return InputError(f"{self.label}: cannot read: {describe(exc)}")

    def wrap(self, source: Any) -> Any:
        return GuardedSource(source, self)


class GuardedSource:
    """A Source whose rows come through the guard; `columns` and any other attribute are the source's own."""

    def __init__(self, source: Any, guard: _Guard) -> None:
        self._source = source
        self._guard = guard

    def __getattr__(self, name: str) -> Any:
        return getattr(self._source, name)

    @property
    def columns(self) -> list[str] | None:
        columns: list[str] | None = self._source.columns
        return columns

    def __iter__(self) -> Iterator[Any]:
        try:
            yield from self._source
        except DataprepError:
            raise
        except Exception as exc:
            raise self._guard.error(exc) from None

    def batches(self) -> Iterator[Any]:
        """The source's rows in batches (CSV), through the guard."""
        try:
            yield from self._source.batches()
        except DataprepError:
            raise
        except Exception as exc:
            raise self._guard.error(exc) from None


@contextlib.contextmanager
def guarded_source(label: str) -> Iterator[_Guard]:
    """Run the opening of a source; a reader's exception becomes an InputError naming `label`."""
    guard = _Guard(label)
    try:
        yield guard
    except DataprepError:
        raise
    except Exception as exc:
        raise guard.error(exc) from None
