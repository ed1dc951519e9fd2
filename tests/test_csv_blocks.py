"""The CSV reader reads a block of lines at a time and gives rows in batches: every row must come out exactly as
the line-at-a-time reader gives it (values, locations, reasons, messages), whatever the block and batch sizes."""

from __future__ import annotations

import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dataprep.io import tabular
from dataprep.io.tabular import BLANK, CsvSource, SourceRow


def _rows(data: bytes, max_cell_chars: int | None, *, blocks: bool, encoding: str = "utf-8") -> list[tuple]:
    def read() -> list[tuple]:
        source = CsvSource(io.BytesIO(data), "t.csv", ",", '"', encoding, max_cell_chars=max_cell_chars)
        return [_shown(row) for row in source]

    if blocks:
        return read()
    with pytest.MonkeyPatch.context() as patch:  # the line-at-a-time reader, as before blocks
        patch.setattr(tabular.DecodedLines, "read_in_blocks", lambda self: None)
        return read()


def _shown(row: SourceRow) -> tuple:
    return (row.location.row, row.location.line, row.values, row.raw, row.reason, row.message)


_AWKWARD = (
    b"\xef\xbb\xbfa,b,c\n"  # a BOM before the header
    b"1,plain,row\n"
    b'2,"quoted, with comma","multi\nline\r\ncell"\n'
    b"\n"  # a blank line
    b"3,bad \xff byte,here\n"
    b"4,nul \x00 byte,here\n"
    b"5,too,many,fields\n"
    b'6,"' + b"L" * 3000 + b'",long\n'
    b"7,crlf,row\r\n"
    b'8,"open quote ' + b"M" * 3000 + b'\nstill open",x\n'
    b"9,bare\rcr,row\n"
    b"10,\xc3\xa9t\xc3\xa9,\xe2\x80\xa8sep\n"
    b"11,no,newline at the end"
)


@pytest.mark.parametrize("block", [1, 7, 64, 1 << 20])
@pytest.mark.parametrize("batch", [1, 3, 1000])
@pytest.mark.parametrize("cap", [None, 50, 5000])
def test_blocks_and_batches_give_the_rows_of_the_line_reader(
    monkeypatch: pytest.MonkeyPatch, block: int, batch: int, cap: int | None
) -> None:
    expected = _rows(_AWKWARD, cap, blocks=False)
    monkeypatch.setattr(tabular, "_BLOCK", block)
    monkeypatch.setattr(tabular, "BATCH_ROWS", batch)
    monkeypatch.setattr(CsvSource.batches, "__defaults__", (batch,))
    assert _rows(_AWKWARD, cap, blocks=True) == expected
    skipped = "cell-too-large" if cap == 50 else None  # the cap skips the long lines unread
    assert [(row, line, reason) for row, line, _, _, reason, _ in expected] == [
        (1, 2, None),
        (2, 3, None),
        (2, 6, BLANK),
        (3, 7, "undecodable"),
        (4, 8, "nul-byte"),
        (5, 9, "ragged-row"),
        (6, 10, skipped),
        (7, 11, None),
        (8, 12, skipped),
        (9, 14, "csv-error"),
        (10, 15, None),
        (11, 16, None),
    ]
    assert expected[1][2] == {"a": "2", "b": "quoted, with comma", "c": "multi\nline\r\ncell"}


@pytest.mark.parametrize("block", [5, 1 << 20])
def test_a_nul_in_an_otherwise_clean_block_is_noted(monkeypatch: pytest.MonkeyPatch, block: int) -> None:
    monkeypatch.setattr(tabular, "_BLOCK", block)
    data = b"a,b\n1,x\n2,y\x00z\n3,w\n"
    assert [(row[0], row[4]) for row in _rows(data, None, blocks=True)] == [
        (1, None),
        (2, "nul-byte"),
        (3, None),
    ]


def test_without_a_header_the_first_row_is_numbered_from_its_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tabular, "_BLOCK", 4)
    data = b'\n"first\nrow",1\n\nsecond,2\n'
    source = CsvSource(io.BytesIO(data), "t.csv", ",", '"', "utf-8", header=False)
    rows = [_shown(row) for row in source]
    assert [(row, line, values, reason) for row, line, values, _, reason, _ in rows] == [
        (1, 2, {"col1": "first\nrow", "col2": "1"}, None),
        (1, 4, {}, BLANK),
        (2, 5, {"col1": "second", "col2": "2"}, None),
    ]


def test_a_latin1_file_is_read_in_blocks_alike(monkeypatch: pytest.MonkeyPatch) -> None:
    data = 'a,b\ncafé,crème\n"deux\nlignes",ok\n'.encode("latin-1") * 50
    expected = _rows(data, None, blocks=False, encoding="latin-1")
    monkeypatch.setattr(tabular, "_BLOCK", 16)
    assert _rows(data, None, blocks=True, encoding="latin-1") == expected
    assert expected[0][2] == {"a": "café", "b": "crème"}


def test_a_batch_bounds_the_length_of_its_cells(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tabular, "_BLOCK", 64)
    rows = [b"%d,%s\n" % (i, b"x" * (i % 37)) for i in range(400)] + [b"big," + b"y" * 900 + b"\n"]
    data = b"a,b\n" + b"".join(rows)
    source = CsvSource(io.BytesIO(data), "t.csv", ",", '"', "utf-8", max_cell_chars=None)
    batches = list(source.batches(size=50))
    assert sum(len(b.rows) for b in batches) == 401
    for batch in batches:
        cells = [len(cell) for row in batch.rows if isinstance(row, list) for cell in row]
        assert max(cells) <= batch.longest
    assert batches[-1].longest >= 900


_CELL = st.text(alphabet=st.sampled_from(list('ab ,"\n\r\x00é\u2028\\')), max_size=12)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=st.lists(st.lists(_CELL, min_size=1, max_size=4), max_size=25),
    raw_junk=st.lists(st.sampled_from([b"\xff", b"\n", b'"', b"\r\n", b"", b"\xc3"]), max_size=4),
    block=st.integers(1, 80),
    batch=st.integers(1, 6),
)
def test_any_csv_reads_alike(
    monkeypatch: pytest.MonkeyPatch, rows: list[list[str]], raw_junk: list[bytes], block: int, batch: int
) -> None:
    text = "h1,h2,h3\n" + "".join(",".join(_quoted(c) for c in row) + "\n" for row in rows)
    data = text.encode() + b"".join(raw_junk)
    expected = _rows(data, 8, blocks=False)
    with monkeypatch.context() as patch:
        patch.setattr(tabular, "_BLOCK", block)
        patch.setattr(CsvSource.batches, "__defaults__", (batch,))
        assert _rows(data, 8, blocks=True) == expected


def _quoted(cell: str) -> str:
    return '"' + cell.replace('"', '""') + '"' if any(c in cell for c in ',"\n\r') else cell


def test_without_a_header_a_first_row_of_the_wrong_width_is_ragged() -> None:
    source = CsvSource(
        io.BytesIO(b"1,2\n3,4,5\n"), "t.csv", ",", '"', "utf-8", header=False, columns=("a", "b", "c")
    )
    rows = [_shown(row) for row in source]
    assert [(row, line, reason) for row, line, _, _, reason, _ in rows] == [
        (1, 1, "ragged-row"),
        (2, 2, None),
    ]
    assert rows[0][3] == ["1", "2"] and rows[1][2] == {"a": "3", "b": "4", "c": "5"}
