"""Reading JSONL: line numbers, BOM, CRLF, final newline, blank and oversize lines, empty files."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest

from dataprep import validate
from dataprep.errors import InputError
from dataprep.io.jsonl import FileFacts, iter_batches, iter_lines, open_input
from tests.conftest import chat, to_line


def _lines(data: bytes, max_line_bytes: int = 1 << 20) -> tuple[list[tuple[int, bytes, int]], FileFacts]:
    facts = FileFacts()
    out = [(r.number, r.data, r.oversize) for r in iter_lines(io.BytesIO(data), facts, max_line_bytes)]
    return out, facts


def test_lines_are_numbered_from_one_and_stripped_of_endings() -> None:
    lines, facts = _lines(b"a\nb\r\nc")
    assert lines == [(1, b"a", 0), (2, b"b", 0), (3, b"c", 0)]
    assert facts.crlf_line == 2
    assert facts.final_newline is False
    assert facts.lines == 3
    assert facts.size_bytes == 6


def test_bom_is_removed_and_noted() -> None:
    lines, facts = _lines(b"\xef\xbb\xbf{}\n")
    assert lines == [(1, b"{}", 0)]
    assert facts.bom and facts.final_newline


def test_oversize_line_is_skipped_in_bounded_reads_and_counted() -> None:
    data = b"{}\n" + b"x" * 5000 + b"\n{}\n"
    lines, facts = _lines(data, max_line_bytes=1000)
    assert lines[0] == (1, b"{}", 0)
    assert lines[1] == (2, b"", 5001)
    assert lines[2] == (3, b"{}", 0)
    assert facts.size_bytes == len(data)


def test_batches_keep_every_line_in_order() -> None:
    lines, _ = _lines(b"".join(b'{"n": %d}\n' % i for i in range(1000)))
    facts = FileFacts()
    raw = iter_lines(io.BytesIO(b"".join(b'{"n": %d}\n' % i for i in range(1000))), facts)
    batches = list(iter_batches(raw, batch_bytes=500))
    assert len(batches) > 1
    assert [r.number for b in batches for r in b] == list(range(1, 1001))
    assert len(lines) == 1000


def test_missing_file_and_directory_are_input_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        open_input(tmp_path / "missing.jsonl")
    with pytest.raises(InputError, match="is a directory"):
        open_input(tmp_path)


def _codes(path: Path, **kw: object) -> list[tuple[str, int]]:
    return [(f.code, f.location.line) for f in validate(path, select=["DP0"], jobs=1, **kw).findings]


def test_file_level_facts_become_findings(tmp_path: Path) -> None:
    path = tmp_path / "crlf.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + to_line(chat()) + b"\r\n" + to_line(chat()))
    assert _codes(path) == [("DP005", 1), ("DP006", 1), ("DP007", 2)]


def test_crlf_and_bom_records_are_still_valid(tmp_path: Path) -> None:
    path = tmp_path / "ok.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + b"".join(to_line(chat()) + b"\r\n" for _ in range(12)))
    report = validate(path, jobs=1, ignore=["DP4"])
    assert report.ok
    assert report.files[0].stats.examples == 12


def test_empty_file_and_only_blank_lines(tmp_path: Path, write_jsonl: Callable[..., Path]) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_bytes(b"")
    assert ("DP010", 1) in _codes(empty)
    blank = write_jsonl(["", "  "])
    assert [c for c, _ in _codes(blank)] == ["DP004", "DP004", "DP010"]


def test_oversize_line_is_a_finding_and_the_run_goes_on(tmp_path: Path) -> None:
    path = tmp_path / "long.jsonl"
    path.write_bytes(to_line(chat()) + b"\n" + b'{"x": "' + b"y" * 3000 + b'"}\n' + to_line(chat()) + b"\n")
    report = validate(path, jobs=1, select=["DP0"], max_line_bytes=1000)
    assert [(f.code, f.location.line) for f in report.findings] == [("DP011", 2)]
    assert report.files[0].stats.examples == 2
