"""Spreadsheets (.xlsx/.xlsm) read row by row with openpyxl, without writing a wrong value silently.

- Formula cells: a workbook stores a formula and, separately, the result the program that saved it computed. Excel
  and LibreOffice save real results; libraries that write workbooks without a calculation engine save none
  (openpyxl) or 0 for every formula (xlsxwriter). So a formula cell is read as its saved result, the run notes how
  many were, and a row is rejected, with the formula named, when a used result is missing or is 0 (which is
  exactly what an uncalculated xlsxwriter file holds; if 0 is right, paste the values).
- Merged cells: only the top-left cell of a merged range holds the value; a reader sees the others empty. Each
  cell of a range is given the range's value, as the sheet shows it, and the run notes how many ranges.
"""

from __future__ import annotations

import datetime
import os
import re
import warnings
import zipfile
from collections.abc import Iterator
from typing import Any

from dataprep.errors import InputError
from dataprep.io.tabular import BLANK, SourceLocation, SourceRow

FORMULA_NO_RESULT = "formula-without-result"
FORMULA_ZERO = "formula-zero-result"
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell [^>]*?ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')
_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[ >/]")
_SCAN_CHUNK = 1 << 20


def _column_index(letters: bytes) -> int:
    index = 0
    for char in letters:
        index = index * 26 + (char - 64)
    return index


def _scan_sheet(book: Any, sheet: Any) -> tuple[bool, list[tuple[int, int, int, int]]]:
    """(whether the sheet XML holds a formula, its merged ranges as (row1, col1, row2, col2)); one streaming
    pass over the compressed XML, much cheaper than parsing it."""
    try:
        stream = book._archive.open(sheet._worksheet_path)
    except (AttributeError, KeyError):  # openpyxl internals moved: assume formulas, no merges known
        return True, []
    formulas = False
    merges: list[tuple[int, int, int, int]] = []
    tail = b""
    with stream:
        while True:
            chunk = stream.read(_SCAN_CHUNK)
            if not chunk:
                break
            data = tail + chunk
            formulas = formulas or _FORMULA_TAG.search(data) is not None
            if b"mergeCell" in data:
                for m in _MERGE.finditer(data):
                    c1, r1 = _column_index(m.group(1)), int(m.group(2))
                    c2, r2 = (_column_index(m.group(3)), int(m.group(4))) if m.group(3) else (c1, r1)
                    merges.append((r1, c1, r2, c2))
                # A tag cut by the chunk end is seen again whole in the next round (kept in `tail`).
            cut = data.rfind(b"<")
            tail = data[cut:] if cut >= 0 and len(data) - cut < 256 else b""
    return formulas, sorted(set(merges))


class XlsxSource:
    """One sheet of a workbook as SourceRows; `notes` says what was read in a special way (see the module)."""

    def __init__(self, path: str, sheet: str | int | None) -> None:
        if not os.path.exists(path):
            raise InputError(f"{path}: no such file")
        self.path = path
        self.notes: list[str] = []
        self._formula_cells = 0
        self._book = _open_book(path, data_only=True)
        self._formula_book: Any = None
        try:
            self.sheet = pick_sheet(path, list(self._book.sheetnames), sheet)
            worksheet = self._book[self.sheet]
            has_formulas, self._merges = _scan_sheet(self._book, worksheet)
            rows: Iterator[tuple[Any, ...]] = worksheet.iter_rows(values_only=True)
            formulas: Iterator[tuple[Any, ...]] | None = None
            if has_formulas:
                self._formula_book = _open_book(path, data_only=False)
                formulas = self._formula_book[self.sheet].iter_rows(values_only=True)
            self._rows = self._cells(rows, formulas)
            self._header_row = 0
            header: list[str] | None = None
            for _, cells, _ in self._rows:
                self._header_row += 1
                if any(c is not None and c != "" for c in cells):
                    header = ["" if c is None else str(c) for c in cells]
                    break
        except (zipfile.BadZipFile, KeyError, OSError, EOFError, ValueError, SyntaxError) as exc:
            self.close()
            raise InputError(f"{path}: cannot read the workbook ({type(exc).__name__}: {exc})") from None
        if header is None:
            self.close()
            raise InputError(f"{path} [sheet {self.sheet}]: the sheet is empty (no header row)")
        while header and header[-1] == "":
            header.pop()
        self.columns: list[str] | None = header

    def close(self) -> None:
        self._book.close()
        if self._formula_book is not None:
            self._formula_book.close()

    def _cells(
        self, rows: Iterator[tuple[Any, ...]], formulas: Iterator[tuple[Any, ...]] | None
    ) -> Iterator[tuple[int, list[Any], list[str | None]]]:
        """(sheet row, values with merged ranges filled, the formula of each cell or None), row by row."""
        fill: dict[tuple[int, int], Any] = {}  # (row, col) -> value, for cells inside merged ranges
        starts = {(r1, c1): (r2, c2) for r1, c1, r2, c2 in self._merges}
        for number, values in enumerate(rows, start=1):
            cells = list(values)
            texts: list[str | None] = [None] * len(cells)
            if formulas is not None:
                written = next(formulas, ())
                texts = [v if isinstance(v, str) and v.startswith("=") else None for v in written]
                texts += [None] * (len(cells) - len(texts))
            for col, value in enumerate(cells, start=1):
                end = starts.get((number, col))
                if end is not None:
                    for r in range(number, end[0] + 1):
                        for c in range(col, end[1] + 1):
                            if (r, c) != (number, col):
                                fill[(r, c)] = value
            if fill:
                width = max((c for r, c in fill if r == number), default=0)
                if width > len(cells):
                    cells += [None] * (width - len(cells))
                    texts += [None] * (width - len(texts))
                for col in range(1, len(cells) + 1):
                    if (number, col) in fill:
                        cells[col - 1] = fill.pop((number, col))
            yield number, cells, texts

    def __iter__(self) -> Iterator[SourceRow]:
        columns = self.columns or []
        width = len(columns)
        row_number = 0
        for sheet_row, raw_cells, formulas in self._rows:
            cells = raw_cells
            if all(c is None or c == "" for c in cells):
                yield SourceRow(
                    SourceLocation(self.path, row_number, sheet_row, self.sheet), {}, reason=BLANK
                )
                continue
            row_number += 1
            location = SourceLocation(self.path, row_number, sheet_row, self.sheet)
            values = [_cell(c) for c in cells]
            extra = [i for i, c in enumerate(values[width:], start=width + 1) if c is not None and c != ""]
            if extra:
                message = f"has a value in column {extra[0]}, right of the {width} named columns"
                yield SourceRow(location, {}, raw=values, reason="ragged-row", message=message)
                continue
            problem = self._formula_problem(formulas[:width], values, columns, sheet_row)
            values = values[:width] + [None] * (width - len(values))
            if problem is not None:
                yield SourceRow(location, {}, raw=values, reason=problem[0], message=problem[1])
                continue
            yield SourceRow(location, dict(zip(columns, values, strict=True)))
        self._finish_notes()

    def _formula_problem(
        self, formulas: list[str | None], values: list[Any], columns: list[str], sheet_row: int
    ) -> tuple[str, str] | None:
        used = 0
        for index, formula in enumerate(formulas):
            if formula is None:
                continue
            used += 1
            value = values[index] if index < len(values) else None
            where = f"column {columns[index]!r} (sheet row {sheet_row}) holds the formula {formula}"
            if value is None or value == "":
                return (
                    FORMULA_NO_RESULT,
                    f"{where} with no saved result (the file was written by a program that does not calculate "
                    "formulas): open and save it in Excel or LibreOffice, or export CSV",
                )
            if type(value) in (int, float) and value == 0:
                return (
                    FORMULA_ZERO,
                    f"{where} whose saved result is 0, what xlsxwriter saves for every formula without "
                    "calculating it: open and save the file in Excel or LibreOffice; if 0 is right, paste the "
                    "values (Paste Special > Values)",
                )
        self._formula_cells += used
        return None

    def _finish_notes(self) -> None:
        where = f"{self.path} [sheet {self.sheet}]"
        if self._formula_cells:
            self.notes.append(
                f"{where}: {self._formula_cells} formula cells were read as the results saved in the file "
                "(not recalculated)"
            )
        if self._merges:
            self.notes.append(
                f"{where}: {len(self._merges)} merged cell ranges: every cell of a range took the range's value"
            )


def _open_book(path: str, data_only: bool) -> Any:
    import openpyxl  # heavy: only for spreadsheets
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles and data validation it drops
            return openpyxl.load_workbook(path, read_only=True, data_only=data_only)
    except (
        zipfile.BadZipFile,
        InvalidFileException,
        KeyError,
        OSError,
        EOFError,
        ValueError,
        SyntaxError,
    ) as exc:
        raise InputError(
            f"{path}: not a valid .xlsx workbook ({type(exc).__name__}: {exc}); is it a CSV, an old .xls file, "
            "or cut short?"
        ) from None


def _cell(value: Any) -> Any:
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    return value


def pick_sheet(path: str, names: list[str], sheet: str | int | None) -> str:
    if sheet is None:
        return names[0]
    if isinstance(sheet, str) and sheet in names:
        return sheet
    text = str(sheet)
    if text.lstrip("-").isdigit():
        index = int(text)
        if 0 <= index < len(names):
            return names[index]
    listing = ", ".join(f"{i}: {n!r}" for i, n in enumerate(names))
    raise InputError(f"{path}: no sheet {sheet!r}; sheets (index: name): {listing}")
