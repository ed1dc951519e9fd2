"""A CSV line too long for its cells (a 500 MB cell) is skipped unread: rejected as cell-too-large in bounded
memory, and the rows after it are read as before (the quote state across lines is kept)."""

from __future__ import annotations

import io
import json
from pathlib import Path

from dataprep.cli import main
from dataprep.io.tabular import CsvSource


def _rows(text: bytes, max_cell_chars: int) -> list[tuple[int, str | None, object]]:
    source = CsvSource(io.BytesIO(text), "t.csv", ",", '"', "utf-8", max_cell_chars=max_cell_chars)
    return [(row.location.line, row.reason, row.raw if row.reason else row.values) for row in source]


def test_a_long_line_is_one_reject_and_the_next_rows_are_intact() -> None:
    big = b"x" * 5000
    text = b"a,b\nhello," + big + b'\n"multi\nline",ok\nq,"open ' + big + b'\nclosed"\nlast,row\n'
    rows = _rows(text, 100)
    assert [(line, reason) for line, reason, _ in rows] == [
        (2, "cell-too-large"),
        (3, None),
        (5, "cell-too-large"),
        (7, None),
    ]
    assert rows[1][2] == {"a": "multi\nline", "b": "ok"} and rows[3][2] == {"a": "last", "b": "row"}


def test_lines_that_fit_their_cells_are_read_whole() -> None:
    # Two cells of 100 characters: the line is 201 bytes, well within 2 x (4 x 100 + 3) + 2.
    cell = b"y" * 100
    rows = _rows(b"a,b\n" + cell + b"," + cell + b"\n", 100)
    assert rows == [(2, None, {"a": "y" * 100, "b": "y" * 100})]


def test_convert_rejects_the_row_and_says_why(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_bytes(b"prompt,completion\nhello," + b"z" * 3000 + b"\nsecond,row\n")
    out = tmp_path / "out.jsonl"
    code = main(
        ["convert", str(source), "-o", str(out), "--preset", "prompt-completion", "--max-cell-size", "100"]
    )
    assert code in (0, 1)
    assert len(out.read_text().splitlines()) == 1
    rejects = [json.loads(line) for line in (tmp_path / "out.jsonl.rejects.jsonl").read_text().splitlines()]
    assert [(r["source"]["line"], r["reason"]) for r in rejects] == [(2, "cell-too-large")]
    assert "3,007 bytes" in rejects[0]["message"] and "skipped unread" in rejects[0]["message"]
