"""Streaming readers for text sources: CSV/TSV, JSON Lines and JSON arrays.

Every reader yields `SourceRow`s: a row's values with the place it came from, or, for a row that cannot be used
(undecodable bytes, a NUL byte, a ragged row, a line that is not JSON), the reason and the raw text so the caller
can count and keep it. Only problems with the whole file (missing, empty, malformed JSON array) raise InputError.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import itertools
import json
import math
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

import orjson

from dataprep.errors import InputError
from dataprep.io.parse import MAX_DEPTH, too_deep

# Reasons a reader gives for a row it cannot use. The pipeline adds its own (missing-value, ...).
BLANK = "blank"  # not a row at all: counted apart from rows read

_DELIMITER_NAMES = {",": "comma", "\t": "tab", ";": "semicolon", "|": "pipe"}
NON_STANDARD_NUMBER = "non-standard-number"
# orjson turns integers beyond 64 bits into floats: a line with a run of 19+ digits is re-read by the stdlib.
_LONG_DIGITS = re.compile(r"\d{19}")
_MAX_INT_DIGITS = 308  # 10**309 is beyond the largest double
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
TOO_DEEP = "too-deep"
LONE_SURROGATE = "lone-surrogate"


@dataclass(slots=True)  # not frozen: one is made per row, and frozen init costs 3x (treat as read-only)
class SourceLocation:
    """Where a source row came from: file (or label), 1-based row (header excluded) and, for text files, the
    1-based line where the row starts; for spreadsheets the sheet and its row number as the sheet shows it."""

    path: str
    row: int
    line: int | None = None
    sheet: str | None = None

    def __str__(self) -> str:
        text = self.path if self.sheet is None else f"{self.path} [sheet {self.sheet}]"
        text += f", row {self.row}"
        if self.line is not None:
            text += f" (sheet row {self.line})" if self.sheet is not None else f" (line {self.line})"
        return text

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"path": self.path, "row": self.row}
        if self.line is not None:
            out["line"] = self.line
        if self.sheet is not None:
            out["sheet"] = self.sheet
        return out


@dataclass(slots=True)  # not frozen: made per row in the hot loop
class SourceRow:
    """One row as read. `reason` is set when the row cannot be used; `raw` is what the rejects file keeps
    (None means: the values themselves)."""

    location: SourceLocation
    values: dict[str, Any]
    raw: Any = None
    reason: str | None = None
    message: str | None = None


@dataclass(frozen=True, slots=True)
class ReadOptions:
    """How to read a source. `format` None means: from the file name."""

    format: str | None = None
    delimiter: str | None = None
    quotechar: str = '"'
    encoding: str = "utf-8"
    sheet: str | int | None = None
    hf_split: str | None = None
    header: bool = True  # False: the first CSV/TSV row is data; columns are `columns` or col1..colN
    columns: tuple[str, ...] | None = None  # names for a CSV/TSV without a header row
    json_key: str | None = None  # a JSON document that is one object: read the list under this key
    max_cell_chars: int | None = None  # CSV/TSV: a line too long for cells of this size is skipped unread


@dataclass(slots=True)
class _LineProblems:
    problems: dict[int, tuple[str, str]] = field(default_factory=dict)

    def take(self, first: int, last: int) -> tuple[str, str] | None:
        """Pop the problems of lines first..last; return the first one."""
        found: tuple[str, str] | None = None
        for number in sorted(n for n in self.problems if first <= n <= last):
            problem = self.problems.pop(number)
            found = found or problem
        return found


def normalise_encoding(encoding: str) -> str:
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        raise InputError(
            f"unknown encoding {encoding!r} (try utf-8, utf-8-sig, latin-1, cp1252, utf-16)"
        ) from None


def line_safe(encoding: str) -> bool:
    """True when b'\\n' always means a line break, so the bytes can be split before decoding (not UTF-16/32)."""
    name = normalise_encoding(encoding)
    return not name.startswith(("utf-16", "utf-32")) and "\n".encode(name) == b"\n"


class DecodedLines:
    """Decode a binary stream one line at a time, so one bad byte costs one row and not the whole file.

    Lines keep their line endings (csv needs them to keep embedded CRLFs intact). A UTF-8 BOM at the start is
    dropped. Undecodable bytes are replaced by backslash escapes (nothing is lost in the rejects file) and the
    line is noted in `problems`; so is a line holding a NUL byte.
    """

    def __init__(self, handle: IO[bytes], encoding: str, path: str, quotechar: str = '"') -> None:
        self.handle = handle
        self.encoding = normalise_encoding(encoding)
        self.path = path
        self.number = 0
        self.problems = _LineProblems()
        self._strip_bom = self.encoding in ("utf-8", "utf-8-sig")
        self._codec = "utf-8" if self._strip_bom else self.encoding
        self._quote = quotechar.encode(self._codec, "replace")
        self.line_cap: int | None = None  # bytes; a longer line is skipped unread (`cap_lines`)
        self._cell_chars = 0
        self._blocks = False  # `chunks` reads blocks of lines (after `read_in_blocks`)
        self.bytes_read = 0  # bytes read into memory so far (a skipped long line's rest is not)
        self.chunk_bytes = 0  # bytes of the last list `chunks` gave

    def cap_lines(self, width: int, max_cell_chars: int) -> None:
        """From now on, skip lines too long for `width` cells of `max_cell_chars` characters each (4 bytes a
        character at most in UTF-8, quotes and delimiter): the row holding one has a cell over the limit (or
        too many cells), and is rejected without the line being held in memory, decoded or parsed."""
        self._cell_chars = max_cell_chars
        self.line_cap = max(width, 1) * (4 * max_cell_chars + 3) + 2

    def __iter__(self) -> Iterator[str]:
        readline = self.handle.readline
        while True:
            cap = self.line_cap
            raw = readline(cap) if cap else readline()
            if not raw:
                return
            self.bytes_read += len(raw)
            yield self._line(raw)

    def _line(self, raw: bytes) -> str:
        """One line's text, its problems noted (`raw` holds at most `line_cap` bytes, or the whole line)."""
        self.number += 1
        cap = self.line_cap
        if cap and (len(raw) > cap or (len(raw) == cap and not raw.endswith(b"\n"))):
            return self._skip_long_line(raw)
        if self.number == 1 and self._strip_bom and raw.startswith(codecs.BOM_UTF8):
            raw = raw[len(codecs.BOM_UTF8) :]
        try:
            text = raw.decode(self._codec)
        except UnicodeDecodeError as exc:
            text = raw.decode(self._codec, errors="backslashreplace")
            self.problems.problems[self.number] = (
                "undecodable",
                f"line {self.number}: byte 0x{raw[exc.start]:02x} at column {exc.start + 1} is not valid "
                f"{self.encoding} (use --encoding if the file is in another encoding)",
            )
        if "\x00" in text:
            self.problems.problems.setdefault(
                self.number,
                ("nul-byte", f"line {self.number}: NUL byte (\\x00) at column {text.index(chr(0)) + 1}"),
            )
        return text

    def read_in_blocks(self) -> None:
        """From now on `chunks` reads a block of lines at a time (after the header, and after `cap_lines`)."""
        self._blocks = self._codec in _BLOCK_CODECS or self._codec.startswith(("iso8859", "cp125"))

    def chunks(self) -> Iterator[list[str]]:
        """The same lines as iterating, in lists: one line at a time until `read_in_blocks`, then every line of
        a block read at once. A block decodes with one C-level pass; a block with a problem (an undecodable
        byte, a NUL, a line over the cap) is taken line by line, so its problems are noted as they would be."""
        lines = iter(self)
        while not self._blocks:
            before = self.bytes_read
            line = next(lines, None)
            if line is None:
                return
            self.chunk_bytes = self.bytes_read - before
            yield [line]
        read, readline, codec = self.handle.read, self.handle.readline, self._codec
        carry = b""
        while True:
            data = read(_BLOCK)
            self.bytes_read += len(data)
            if not data:
                if carry:  # the last line, without a line ending
                    self.chunk_bytes = len(carry)
                    yield [self._line(carry)]
                return
            end = data.rfind(b"\n")
            cap = self.line_cap
            if end < 0:  # no line ends in this block: finish the line as `readline(cap)` would
                head, carry = carry + data, b""
                if not cap or len(head) <= cap:
                    rest = readline(cap - len(head)) if cap else readline()
                    self.bytes_read += len(rest)
                    head += rest
                self.chunk_bytes = len(head)
                yield [self._line(head)]
                continue
            block, carry = carry + data[: end + 1], data[end + 1 :]
            self.chunk_bytes = len(block)
            raw_lines = list(io.BytesIO(block))  # split on b"\n" only, as readline does
            if self.number == 0 or b"\x00" in block or (cap and max(map(len, raw_lines)) > cap):
                yield [self._line(raw) for raw in raw_lines]
                continue
            try:
                texts = [raw.decode(codec) for raw in raw_lines]
            except UnicodeDecodeError:
                yield [self._line(raw) for raw in raw_lines]
                continue
            self.number += len(texts)
            yield texts

    def _skip_long_line(self, head: bytes) -> str:
        """Read the rest of an over-long line in small pieces, note it as a `cell-too-large` problem, and give
        csv a stand-in with the same quote parity (so a quoted cell that goes on to the next lines still
        does). The stand-in is what the rejects file shows for that line."""
        size, quotes = len(head), head.count(self._quote)
        ending = "\r\n" if head.endswith(b"\r\n") else "\n" if head.endswith(b"\n") else ""
        del head
        while not ending:
            piece = self.handle.readline(_SKIP_PIECE)
            if not piece:
                break
            size += len(piece)
            quotes += piece.count(self._quote)
            if piece.endswith(b"\n"):
                ending = "\r\n" if piece.endswith(b"\r\n") else "\n"
                break
        self.problems.problems[self.number] = (
            "cell-too-large",
            f"line {self.number} is {size:,} bytes: a cell is over the {self._cell_chars:,} characters allowed "
            f"(--max-cell-size); the line was skipped unread, so the rejects file holds the row without it "
            f"(the line is intact in the source)",
        )
        # Odd quotes: a leading quote opens a quoted cell at a cell's start, or closes the one that is open.
        return self._quote.decode(self._codec) * (quotes % 2) + _SKIPPED + ending


_BLOCK = 1 << 20  # bytes read at a time by `DecodedLines.chunks`
# Codecs where each line's bytes decode alone exactly as they do within a block (no state across lines).
_BLOCK_CODECS = frozenset({"utf-8", "utf-8-sig", "ascii", "latin-1"})
_SKIP_PIECE = 1 << 20  # bytes read at a time from a line that is skipped
_SKIPPED = "<skipped>"  # what csv reads instead of a skipped line (so the row is a row, never blank)


def _raise_csv_field_limit() -> None:
    # Cells are size-checked by the pipeline with a clear message; csv's own limit (128 KiB) would abort mid-row.
    limit = sys.maxsize
    while True:
        try:
            csv.field_size_limit(limit)
            return
        except OverflowError:  # C long is 32 bits on Windows
            limit //= 2


def _csv_error(exc: csv.Error) -> str:
    """csv's message, except where it would mislead: a bare CR is the old Mac line ending, not a mode to set."""
    text = str(exc)
    if "new-line character seen in unquoted field" in text:
        return (
            "the file uses CR line endings (a bare carriage return ends each line): "
            "convert them to LF or CRLF line endings first"
        )
    return text


def sniff_wrong_delimiter(header: list[str], delimiter: str) -> str | None:
    """If a one-column header holds another usual delimiter, return that delimiter."""
    if len(header) != 1:
        return None
    counts = {d: header[0].count(d) for d in _DELIMITER_NAMES if d != delimiter}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else None


def _check_header(header: list[str], path: str, delimiter: str) -> None:
    other = sniff_wrong_delimiter(header, delimiter)
    if other is not None:
        raise InputError(
            f"{path}: the header is a single column {header[0]!r}: the file looks "
            f"{_DELIMITER_NAMES[other]}-separated, not {_DELIMITER_NAMES.get(delimiter, repr(delimiter))}-separated "
            f"(use --delimiter {other!r})"
        )
    seen: dict[str, int] = {}
    for index, name in enumerate(header, start=1):
        if name in seen and name != "":
            raise InputError(
                f"{path}: column {name!r} appears twice in the header (columns {seen[name]} and {index})"
            )
        seen[name] = index


BATCH_ROWS = 1000  # rows per RowBatch
BATCH_BYTES = 4 << 20  # ... or fewer: a batch ends once this many more bytes of the file were read


@dataclass(slots=True)
class RowBatch:
    """Rows of a CSV in order. A usable row (no problem, the header's width) is its list of fields, with its
    first line at the same index of `starts`; any other row (blank, ragged, undecodable, ...) is its SourceRow.

    `longest` bounds the characters of any cell of a usable row: such a row's lines were read while the batch
    was (or are in the block being read when it began), and a usable row's text has no more characters than
    those lines have bytes (an undecodable byte, which becomes four characters, makes its row unusable)."""

    before: int  # rows (not blank) before this batch: row numbers go on from here
    rows: list[list[str] | SourceRow] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)
    longest: int = 0

    def location(self, index: int, path: str) -> SourceLocation:
        """Where the usable row at `index` comes from."""
        blank = sum(1 for row in self.rows[:index] if type(row) is SourceRow and row.reason == BLANK)
        return SourceLocation(path, self.before + index + 1 - blank, self.starts[index])


class CsvSource:
    """A CSV or TSV file read row by row. `columns` is known as soon as the object exists."""

    text_cells = True  # every value of a row is a str

    def __init__(
        self,
        handle: IO[bytes],
        path: str,
        delimiter: str,
        quotechar: str,
        encoding: str,
        *,
        header: bool = True,
        columns: tuple[str, ...] | None = None,
        max_cell_chars: int | None = None,
    ) -> None:
        if len(delimiter) != 1:
            raise InputError(f"{path}: the delimiter must be one character, got {delimiter!r}")
        if len(quotechar) != 1:
            raise InputError(
                f"{path}: the quote character (--quotechar) must be one character, got {quotechar!r}"
            )
        if quotechar == delimiter:
            raise InputError(
                f"{path}: the quote character and the delimiter must differ (both are {delimiter!r})"
            )
        _raise_csv_field_limit()
        self.path = path
        self.delimiter = delimiter
        self._lines = DecodedLines(handle, encoding, path, quotechar)
        lines = itertools.chain.from_iterable(self._lines.chunks())  # csv pulls lines at C speed
        self._reader = csv.reader(lines, delimiter=delimiter, quotechar=quotechar)
        self._consumed = 0  # lines read by csv up to the end of the previous row
        self._first: list[str] | None = None  # without a header: the first row, read to count the columns
        if header and columns is None:
            found = self._first_row("the file is empty (no header row)", "the header")
            problem = self._lines.problems.take(1, self._reader.line_num)
            if problem is not None:
                raise InputError(f"{path}: the header row cannot be read: {problem[1]}")
            self._consumed = self._reader.line_num
            _check_header(found, path, delimiter)
        else:
            # No header row: the first row is data. Its width gives col1..colN unless --columns names them.
            self._first = self._first_row("the file is empty", "the first row")
            found = (
                list(columns) if columns is not None else [f"col{i}" for i in range(1, len(self._first) + 1)]
            )
            _check_header(found, path, delimiter)
        self.columns: list[str] | None = found
        self._header = found
        if max_cell_chars is not None:
            self._lines.cap_lines(len(found), max_cell_chars)
        self._lines.read_in_blocks()

    def _first_row(self, empty: str, what: str) -> list[str]:
        while True:
            try:
                fields = next(self._reader)
            except StopIteration:
                raise InputError(f"{self.path}: {empty}") from None
            except csv.Error as exc:
                raise InputError(f"{self.path}: cannot read {what}: {_csv_error(exc)}") from None
            if fields:
                return fields

    def __iter__(self) -> Iterator[SourceRow]:
        path, header = self.path, self._header
        for batch in self.batches():
            for index, row in enumerate(batch.rows):
                if isinstance(row, list):
                    yield SourceRow(batch.location(index, path), dict(zip(header, row)))  # noqa: B905 - same width
                else:
                    yield row

    def batches(self, size: int = BATCH_ROWS) -> Iterator[RowBatch]:
        """The rows in order, `size` at a time (fewer when the rows are large): see RowBatch."""
        width, path = len(self._header), self.path
        reader, lines, problems = self._reader, self._lines, self._lines.problems
        pending = problems.problems
        numbered = 0  # rows read that are not blank
        batch = RowBatch(0)
        rows, starts = batch.rows, batch.starts
        mark = lines.bytes_read - lines.chunk_bytes
        first, self._first = self._first, None
        if first is not None:  # the first row of a file without a header (its blank lines were skipped)
            # csv stands at the row's last line; a quoted cell may have spanned lines.
            start = reader.line_num - sum(f.count("\n") for f in first)
            numbered += 1
            problem = problems.take(start, reader.line_num) if pending else None
            if problem is None and len(first) == width:
                rows.append(first)
                starts.append(start)
            else:
                location = SourceLocation(path, numbered, start)
                rows.append(self._unusable(location, first, problem, "", start, reader.line_num))
                starts.append(start)
        consumed = reader.line_num
        # The hot loop of a large CSV: csv iterates at C speed; a row csv cannot parse ends the inner loop,
        # and reading goes on after it.
        while True:
            try:
                for fields in reader:
                    end = reader.line_num
                    if not fields:
                        rows.append(SourceRow(SourceLocation(path, numbered, consumed + 1), {}, reason=BLANK))
                        starts.append(consumed + 1)
                    else:
                        numbered += 1
                        problem = problems.take(consumed + 1, end) if pending else None
                        if problem is None and len(fields) == width:
                            rows.append(fields)
                        else:
                            location = SourceLocation(path, numbered, consumed + 1)
                            rows.append(self._unusable(location, fields, problem, "", consumed + 1, end))
                        starts.append(consumed + 1)
                    consumed = end
                    if len(rows) >= size or lines.bytes_read - mark > BATCH_BYTES:
                        batch.longest = lines.bytes_read - mark
                        yield batch
                        batch = RowBatch(numbered)
                        rows, starts = batch.rows, batch.starts
                        mark = lines.bytes_read - lines.chunk_bytes
            except csv.Error as exc:  # e.g. NUL bytes on Python 3.10
                end = reader.line_num
                numbered += 1
                problem = problems.take(consumed + 1, end) if pending else None
                location = SourceLocation(path, numbered, consumed + 1)
                rows.append(self._unusable(location, None, problem, _csv_error(exc), consumed + 1, end))
                starts.append(consumed + 1)
                consumed = end
                continue
            break
        if rows:
            batch.longest = lines.bytes_read - mark
            yield batch

    def _unusable(
        self,
        location: SourceLocation,
        fields: list[str] | None,
        problem: tuple[str, str] | None,
        error: str,
        start: int,
        end: int,
    ) -> SourceRow:
        if problem is not None:
            return SourceRow(location, {}, raw=fields, reason=problem[0], message=problem[1])
        if fields is None:
            return SourceRow(location, {}, raw=None, reason="csv-error", message=f"line {start}: {error}")
        message = self._ragged(fields, start, end)
        return SourceRow(location, {}, raw=fields, reason="ragged-row", message=message)

    def _ragged(self, fields: list[str], start: int, end: int) -> str:
        message = f"has {len(fields)} fields, the header has {len(self._header)}"
        other = sniff_wrong_delimiter(fields, self.delimiter)
        if other is not None:
            message += f" (the row looks {_DELIMITER_NAMES[other]}-separated: check --delimiter)"
        elif end > start:
            message += f" (the row runs from line {start} to line {end}: check for an unbalanced quote)"
        return message


class ExactJson:
    """The stdlib decoder with exact integers, noting numbers JSON does not have (NaN, Infinity, 1e400).

    `bad` is the first such number of the last value decoded; the value holds its text instead.
    """

    def __init__(self) -> None:
        self.bad: str | None = None
        self.decoder = json.JSONDecoder(
            parse_constant=self._note, parse_float=self._float, parse_int=self._int
        )

    def _note(self, text: str) -> str:
        self.bad = self.bad or text
        return text

    def _float(self, text: str) -> float | str:
        value = float(text)
        return value if math.isfinite(value) else self._note(text)

    def _int(self, text: str) -> int | str:
        # An integer beyond a double's range (309+ digits) is what orjson reads as infinity: the same verdict as
        # 1e400 in every reader and in validate (DP008). Shorter big integers stay exact.
        if len(text) > _MAX_INT_DIGITS:
            return self._note(text)
        return int(text)

    def raw_decode(self, text: str, start: int) -> tuple[Any, int]:
        self.bad = None
        return self.decoder.raw_decode(text, start)

    def message(self, where: str) -> str:
        return non_standard_message(where, self.bad or "")


def non_standard_message(where: str, number: str) -> str:
    shown = number if len(number) <= 24 else f"{number[:20]}... ({len(number)} characters)"
    return (
        f"{where}: {shown} is not a standard JSON number (NaN, Infinity and numbers beyond the "
        "range of a double cannot be written as JSON)"
    )


def lone_surrogate_message(where: str) -> str:
    return f"{where}: text holds a lone UTF-16 surrogate escape (like \\ud800), which is not valid Unicode"


def too_deep_message(where: str) -> str:
    return f"{where}: nested more than {MAX_DEPTH} levels deep, too deep to convert"


def _lone_surrogate(value: Any) -> bool:
    """Whether a decoded value holds a lone surrogate (the stdlib decoder accepts `\\ud800`; orjson does not)."""
    try:
        orjson.dumps(value)
    except TypeError as exc:
        return "surrogates" in str(exc)
    return False


class JsonLinesSource:
    """JSON Lines: one object per line. A line that is not a JSON object is a rejected row, not an error."""

    columns: list[str] | None = None

    def __init__(self, handle: IO[bytes], path: str, encoding: str) -> None:
        self.path = path
        self._lines = DecodedLines(handle, encoding, path)
        self._stdlib = ExactJson()

    def _exact(self, text: str) -> Any:
        """The line's value with exact integers; raises ValueError when it is not one JSON value."""
        value, end = self._stdlib.raw_decode(text, len(text) - len(text.lstrip()))
        if text[end:].strip():
            raise ValueError("extra data")
        return value

    def __iter__(self) -> Iterator[SourceRow]:
        row_number = 0
        for text in self._lines:
            self._stdlib.bad = None
            line = self._lines.number
            if not text.strip():
                yield SourceRow(SourceLocation(self.path, row_number, line), {}, reason=BLANK)
                continue
            row_number += 1
            location = SourceLocation(self.path, row_number, line)
            problem = self._lines.problems.take(line, line)
            if problem is not None:
                yield SourceRow(location, {}, raw=text.rstrip("\r\n"), reason=problem[0], message=problem[1])
                continue
            try:
                value = orjson.loads(text)
                if _LONG_DIGITS.search(text) is not None:
                    with contextlib.suppress(ValueError):
                        value = self._exact(text)
            except orjson.JSONDecodeError as exc:
                message = f"line {line}: invalid JSON at column {exc.colno}: {exc.msg}"
                reason = "invalid-json"
                with contextlib.suppress(ValueError, RecursionError):
                    self._exact(text)
                # The same verdicts as the JSON array reader (which decodes with the stdlib).
                if self._stdlib.bad is not None:
                    reason, message = NON_STANDARD_NUMBER, self._stdlib.message(f"line {line}")
                elif "surrogate" in exc.msg:
                    reason, message = LONE_SURROGATE, lone_surrogate_message(f"line {line}")
                elif "depth" in exc.msg or "recursion" in exc.msg:
                    reason, message = TOO_DEEP, too_deep_message(f"line {line}")
                yield SourceRow(location, {}, raw=text.rstrip("\r\n"), reason=reason, message=message)
                continue
            except RecursionError:  # the exact re-read of a deep line with long numbers
                message = too_deep_message(f"line {line}")
                yield SourceRow(location, {}, raw=text.rstrip("\r\n"), reason=TOO_DEEP, message=message)
                continue
            if (text.count("[") + text.count("{") > MAX_DEPTH) and too_deep(value):
                message = too_deep_message(f"line {line}")
                yield SourceRow(location, {}, raw=text.rstrip("\r\n"), reason=TOO_DEEP, message=message)
                continue
            if self._stdlib.bad is not None:
                message = self._stdlib.message(f"line {line}")
                yield SourceRow(
                    location, {}, raw=text.rstrip("\r\n"), reason=NON_STANDARD_NUMBER, message=message
                )
                continue
            if isinstance(value, dict):
                yield SourceRow(location, value)
            else:
                message = f"line {line}: expected a JSON object, found {type(value).__name__}"
                yield SourceRow(location, {}, raw=value, reason="not-an-object", message=message)


class JsonArraySource:
    """A JSON array of objects, parsed one element at a time so memory holds one element, not the file.

    A syntax error inside the array cannot be skipped safely, so it is an InputError with line and column.
    """

    columns: list[str] | None = None
    _CHUNK = 1 << 20

    def __init__(self, handle: IO[str], path: str) -> None:
        self.path = path
        self._handle = handle
        self._buf = ""
        self._pos = 0
        self._line = 1  # line number at self._buf[0]
        # Line numbers are counted forward from the last place asked about, never again from the buffer start
        # (that made every element cost the whole buffer: 35x slower than JSON Lines).
        self._mark = 0
        self._mark_line = 1
        self._eof = False
        self._decoder = ExactJson()

    def _more(self, at_least: int = 0) -> bool:
        if self._eof:
            return False
        if self._pos > self._CHUNK:  # drop what is parsed, keeping line numbers right
            self._line = self._line_at(self._pos)
            self._buf = self._buf[self._pos :]
            self._pos = 0
            self._mark, self._mark_line = 0, self._line
        try:
            chunk = self._handle.read(max(self._CHUNK, at_least))
        except UnicodeDecodeError as exc:
            raise InputError(
                f"{self.path}: not valid text in the given encoding near line {self._line_at(len(self._buf))}: "
                f"{exc.reason} (use --encoding)"
            ) from None
        if not chunk:
            self._eof = True
            return False
        self._buf += chunk
        return True

    def _line_at(self, pos: int) -> int:
        if pos < self._mark:  # rare (error reports): count from the buffer start
            return self._line + self._buf.count("\n", 0, pos)
        self._mark_line += self._buf.count("\n", self._mark, pos)
        self._mark = pos
        return self._mark_line

    def _skip_space(self) -> str:
        """Move past whitespace and return the next character ('' at the end of the file)."""
        while True:
            while self._pos < len(self._buf) and self._buf[self._pos] in " \t\r\n":
                self._pos += 1
            if self._pos < len(self._buf):
                return self._buf[self._pos]
            if not self._more():
                return ""

    def _fail(self, pos: int, what: str) -> InputError:
        line = self._line_at(pos)
        col = pos - self._buf.rfind("\n", 0, pos)
        return InputError(f"{self.path}:{line}:{col}: invalid JSON array: {what}")

    def __iter__(self) -> Iterator[SourceRow]:
        first = self._skip_space()
        if first == "\ufeff":  # BOM in a file opened with a codec that keeps it
            self._pos += 1
            first = self._skip_space()
        if first != "[":
            raise self._fail(self._pos, "the file does not start with '['")
        self._pos += 1
        row_number = 0
        expect_value = True
        while True:
            char = self._skip_space()
            if char == "]" and (row_number == 0 or not expect_value):
                self._pos += 1
                if self._skip_space():
                    raise self._fail(self._pos, "unexpected text after the closing ']'")
                return
            if char == "":
                raise self._fail(self._pos, "the file ends before the closing ']'")
            if not expect_value:
                if char != ",":
                    raise self._fail(
                        self._pos, f"expected ',' or ']' after element {row_number}, found {char!r}"
                    )
                self._pos += 1
                expect_value = True
                continue
            start = self._pos
            line = self._line_at(start)
            value = self._decode_value(start)
            row_number += 1
            expect_value = False
            location = SourceLocation(self.path, row_number, line)
            where = f"element {row_number}"
            if self._decoder.bad is not None:
                message = self._decoder.message(where)
                yield SourceRow(location, {}, raw=value, reason=NON_STANDARD_NUMBER, message=message)
            elif _SURROGATE_ESCAPE.search(self._buf, start, self._pos) and _lone_surrogate(value):
                message = lone_surrogate_message(where)
                raw = self._buf[start : self._pos]
                yield SourceRow(location, {}, raw=raw, reason=LONE_SURROGATE, message=message)
            elif self._brackets(start) > MAX_DEPTH and too_deep(value):
                yield SourceRow(location, {}, raw=None, reason=TOO_DEEP, message=too_deep_message(where))
            elif isinstance(value, dict):
                yield SourceRow(location, value)
            else:
                message = f"element {row_number}: expected a JSON object, found {type(value).__name__}"
                yield SourceRow(location, {}, raw=value, reason="not-an-object", message=message)

    def _brackets(self, start: int) -> int:
        return self._buf.count("[", start, self._pos) + self._buf.count("{", start, self._pos)

    def _decode_value(self, start: int) -> Any:
        while True:
            try:
                value, end = self._decoder.raw_decode(self._buf, start)
            except RecursionError:
                raise self._fail(
                    start, f"element nested too deeply to read (more than {MAX_DEPTH} levels)"
                ) from None
            except json.JSONDecodeError as exc:
                # Maybe the element is only cut by the buffer end: read more (doubling) and try again. Only
                # then: an error well before the end is a real one, and reading on would load the whole file.
                offset = start - self._pos
                if _maybe_cut(exc, len(self._buf)) and self._more(at_least=len(self._buf)):
                    start = self._pos + offset
                    continue
                raise self._fail(exc.pos, exc.msg) from None
            if end >= len(self._buf) and not self._eof:  # a number may go on in the next chunk
                offset = start - self._pos
                self._more(at_least=len(self._buf))
                start = self._pos + offset
                continue
            self._pos = end
            return value


# Longest text a cut value can end with before the decoder sees it is cut: a literal such as "-Infinity", or
# a \uXXXX escape ("Invalid \\uXXXX escape" is reported where the escape starts).
_CUT_MARGIN = 16


def _maybe_cut(exc: json.JSONDecodeError, size: int) -> bool:
    """Whether a decoding error may only mean that the value goes on after the buffer's end."""
    # An unterminated string is reported where the string starts, however far from the end.
    return exc.pos >= size - _CUT_MARGIN or exc.msg.startswith("Unterminated string")
