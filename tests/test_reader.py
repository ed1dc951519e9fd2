"""Reading JSONL: line numbers, BOM, CRLF, final newline, blank and oversize lines, empty files."""

from __future__ import annotations

import io
import itertools
from collections.abc import Callable
from pathlib import Path

import pytest

from dataprep import validate
from dataprep.errors import InputError
from dataprep.io.jsonl import FileFacts, RawLine, blocks_of, iter_blocks, iter_lines, open_input
from tests.conftest import chat, to_line


def _lines(
    data: bytes, max_line_bytes: int = 1 << 20, block_bytes: int = 1 << 20
) -> tuple[list[tuple[int, bytes, int]], FileFacts]:
    facts = FileFacts()
    blocks = iter_blocks(io.BytesIO(data), facts, max_line_bytes, block_bytes)
    out = [(r.number, r.data, r.oversize) for b in blocks for r in b.lines()]
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
    assert facts.bom and facts.final_newline and facts.size_bytes == 6


@pytest.mark.parametrize("block_bytes", [1, 2, 3, 7, 64, 1 << 20])
def test_any_block_size_gives_the_same_lines(block_bytes: int) -> None:
    data = b'{"a": 1}\r\n\n{"b": [1, 2]}\nlast'
    lines, facts = _lines(data, block_bytes=block_bytes)
    assert lines == [(1, b'{"a": 1}', 0), (2, b"", 0), (3, b'{"b": [1, 2]}', 0), (4, b"last", 0)]
    assert (facts.lines, facts.crlf_line, facts.final_newline, facts.size_bytes) == (4, 1, False, len(data))


def test_line_longer_than_a_block_and_the_limit_is_skipped_in_bounded_reads() -> None:
    data = b"{}\n" + b"x" * 5000 + b"\n{}\n"
    lines, facts = _lines(data, max_line_bytes=1000, block_bytes=256)
    assert lines == [(1, b"{}", 0), (2, b"", 5001), (3, b"{}", 0)]
    assert facts.size_bytes == len(data) and facts.lines == 3


def test_oversize_last_line_without_newline() -> None:
    lines, facts = _lines(b"{}\n" + b"y" * 3000, max_line_bytes=1000, block_bytes=256)
    assert lines == [(1, b"{}", 0), (2, b"", 3000)]
    assert facts.lines == 2 and facts.final_newline is False


def test_records_in_memory_are_grouped_into_blocks() -> None:
    raw = [RawLine(i, b"{}") for i in range(1, 2501)]
    blocks = list(blocks_of(raw, per_block=1000))
    assert [len(b.lines()) for b in blocks] == [1000, 1000, 500]
    assert [r.number for b in blocks for r in b.lines()] == list(range(1, 2501))
    facts = FileFacts()
    assert [r.number for r in iter_lines(io.BytesIO(b"{}\n" * 5), facts)] == [1, 2, 3, 4, 5]


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


@pytest.mark.parametrize("count", [1, 2, 3, 7, 50])
@pytest.mark.parametrize("ending", [b"\n", b""])
def test_shards_read_the_same_lines_as_the_whole_file(tmp_path: Path, count: int, ending: bytes) -> None:
    from dataprep.io.jsonl import FileFacts, Shard, iter_blocks, open_input, plan_shards

    lines = [b'{"a": %d, "pad": "%s"}' % (i, b"x" * (i * 37 % 300)) for i in range(200)]
    lines[5] = b""
    lines[9] = lines[9] + b"\r"
    path = tmp_path / "data.jsonl"
    data = b"\n".join(lines) + ending
    path.write_bytes(data)

    def read(shard: Shard | None) -> list[tuple[int, bytes]]:
        with open_input(path) as handle:
            out: list[tuple[int, bytes]] = []
            for block in iter_blocks(handle, FileFacts(), block_bytes=512, shard=shard):
                assert data[block.offset : block.offset + len(block.data)] == block.data
                out.extend((raw.number, raw.data) for raw in block.lines())
            return out

    whole = read(None)
    shards = plan_shards(path, count)
    assert shards[0].start == 0 and shards[-1].end == len(data)
    assert all(a.end == b.start for a, b in itertools.pairwise(shards))
    assert all(s.start == 0 or data[s.start - 1 : s.start] == b"\n" for s in shards)
    assert [line for s in shards for line in read(s)] == whole
    assert len(whole) == 200


@pytest.mark.parametrize("count", [1, 2, 3, 7, 50])
@pytest.mark.parametrize("ending", [b"\n", b""])
def test_cuts_read_around_each_cut_and_match_the_counted_shards(
    tmp_path: Path, count: int, ending: bytes
) -> None:
    from dataprep.io.jsonl import plan_cuts, plan_shards

    lines = [b'{"a": %d, "pad": "%s"}' % (i, b"x" * (i * 53 % 2000)) for i in range(120)]
    lines[40] = b"z" * 5000  # a line longer than several shards: no cut falls inside it
    path = tmp_path / "data.jsonl"
    path.write_bytes(b"\n".join(lines) + ending)
    cuts, counted = plan_cuts(path, count), plan_shards(path, count)
    assert [(s.start, s.end) for s in cuts] == [(s.start, s.end) for s in counted]
    assert all(s.first_line == 1 for s in cuts)  # numbered within the shard; the merger shifts them
    empty = tmp_path / "empty.jsonl"
    empty.write_bytes(b"")
    assert [(s.start, s.end) for s in plan_cuts(empty, 4)] == [(0, 0)]
