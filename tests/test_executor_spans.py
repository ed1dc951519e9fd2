"""Pool workers read their own byte ranges of a file on disk (issue 16): the main process reads only the head
(to tell the file's kind), then hands the rest over. Every result must be the one the pickled blocks give:
line numbers, statistics, problems, digests and the file's facts (BOM, CRLF, final newline, oversize lines),
on the hostile corpus; and a dead worker still names the file's lines."""

from __future__ import annotations

import functools
import itertools
import multiprocessing
import os
import signal
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

from dataprep.errors import WorkerCrashed
from dataprep.io.jsonl import BLOCK_BYTES, BOM, Block, FileFacts, iter_blocks, open_input
from dataprep.io.positional import count_newlines, line_cut, open_positional, spans
from dataprep.io.stream import BlockStream, Rest
from dataprep.models import resolve_model
from dataprep.rules.registry import RULES_BY_CODE, enabled_record_checks
from dataprep.types import Kind
from dataprep.validation import executors
from dataprep.validation.executors import InProcessExecutor, PoolExecutor
from dataprep.validation.record import BatchResult, CheckSettings, check_block
from tests.conftest import assistant, chat, to_line, user
from tests.hostile.generate import SHAPES

# One xdist worker runs the module (`--dist loadgroup` in the Makefile): the references are computed once.
pytestmark = pytest.mark.xdist_group("executor-spans")

MAX_LINE = 4096  # small, so the corpus's long lines are oversize lines skipped in bounded reads


def _settings() -> CheckSettings:
    model = resolve_model(None)
    return CheckSettings(
        Kind.CHAT,
        model.tokenizer_spec,
        model.max_tokens,
        model.id,
        record_checks=enabled_record_checks(list(RULES_BY_CODE)),
        max_line_bytes=MAX_LINE,
        digests=True,
        near_duplicates=True,
    )


def _hostile_mix() -> bytes:
    """Every JSONL shape of the hostile corpus one after the other (a BOM and CR-only lines in the middle,
    binary, NUL bytes, deep nesting, oversize lines), between good records, ending without a newline."""
    good = (
        to_line(chat({"role": "system", "content": "Be brief."}, user("Cumin?"), assistant("Yes."))) + b"\n"
    )
    parts = [good]
    for name, command, build in SHAPES:
        if command == "validate" and name.endswith(".jsonl"):
            data = build()
            parts += [data if data.endswith(b"\n") else data + b"\n", good * 3]
    return b"".join(parts) + good.rstrip(b"\n")


def _bom_crlf() -> bytes:
    """A BOM, CRLF line endings from line 41 on, a blank line, an oversize line, no final newline."""
    rows = [to_line(chat(user(f"Question {i}?"), assistant(f"Answer {i}."))) for i in range(120)]
    rows[70] = b""
    rows[90] = to_line(chat(user("x" * (2 * MAX_LINE)), assistant("long")))
    head = b"\n".join(rows[:40]) + b"\n"
    return BOM + head + b"\r\n".join(rows[40:])


FILES = {"hostile-mix": _hostile_mix, "bom-crlf": _bom_crlf}


def _merged(results: Iterable[BatchResult]) -> BatchResult:
    merged = BatchResult()
    for result in results:
        merged.merge(result)
    return merged


def _in_process(path: Path, settings: CheckSettings) -> tuple[BatchResult, FileFacts]:
    facts = FileFacts()
    with open_input(path) as handle:
        results = _merged(InProcessExecutor().run(iter_blocks(handle, facts, MAX_LINE), settings))
    return results, facts


def _pickled(path: Path, settings: CheckSettings) -> tuple[BatchResult, FileFacts]:
    """Blocks read here and sent to the workers (no hand-over: a plain iterator)."""
    facts = FileFacts()
    with open_input(path) as handle:
        results = _merged(PoolExecutor(2).run(iter_blocks(handle, facts, MAX_LINE), settings))
    return results, facts


def _read_by_workers(
    path: Path, settings: CheckSettings, peeked: int, block_bytes: int = BLOCK_BYTES
) -> tuple[BatchResult, FileFacts]:
    """The rest handed over after `peeked` blocks were read here (as the kind sniffer reads them)."""
    facts = FileFacts()
    with open_input(path) as handle:
        stream = BlockStream(iter_blocks(handle, facts, MAX_LINE, block_bytes), facts, handle, str(path))
        for _, _block in zip(range(peeked), stream.peek(), strict=False):
            pass
        results = _merged(PoolExecutor(2).run(stream, settings))
    return results, facts


@pytest.fixture(scope="module", params=sorted(FILES))
def hostile(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("spans") / f"{request.param}.jsonl"
    path.write_bytes(FILES[request.param]())
    return path


@functools.cache
def _references(path: Path) -> tuple[BatchResult, FileFacts, BatchResult, FileFacts]:
    """The in-process and pickled-blocks results of a file: neither reads spans, so the span sizes below do
    not change them, and each file's pair is computed once for the module (a pool and two tokenizers each)."""
    settings = _settings()
    return (*_in_process(path, settings), *_pickled(path, settings))


@pytest.mark.parametrize(("span", "peeked", "block_bytes"), [(97, 0, BLOCK_BYTES), (1500, 2, 700)])
def test_workers_reading_their_ranges_give_the_pickled_blocks_results(
    hostile: Path, span: int, peeked: int, block_bytes: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(executors, "SPAN_BYTES", span)  # many ranges, cut anywhere between lines
    settings = _settings()
    alone, alone_facts, pickled, pickled_facts = _references(hostile)
    spanned, spanned_facts = _read_by_workers(hostile, settings, peeked, block_bytes)
    assert alone.lines == count_newlines_of(hostile) + 1  # the fixtures end without a newline
    assert alone.problems and alone.digests  # something to compare
    assert pickled == alone and spanned == alone
    assert pickled_facts == alone_facts and spanned_facts == alone_facts
    assert spanned_facts.lines == alone.lines and not spanned_facts.final_newline


def count_newlines_of(path: Path) -> int:
    return path.read_bytes().count(b"\n")


def test_the_bom_and_crlf_facts_survive_the_hand_over(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "bom-crlf.jsonl"
    path.write_bytes(_bom_crlf())
    monkeypatch.setattr(executors, "SPAN_BYTES", 256)
    # Handed over after the first block (the kind sniffer's): the BOM was seen here, CRLF only by a worker.
    _, facts = _read_by_workers(path, _settings(), peeked=1, block_bytes=512)
    assert facts.bom and facts.crlf_line == 41 and facts.lines == 120
    assert facts.size_bytes == path.stat().st_size


def test_hand_over_gives_the_blocks_read_and_where_the_rest_begins(tmp_path: Path) -> None:
    lines = [b'{"n": %d}' % i for i in range(100)]
    path = tmp_path / "t.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    facts = FileFacts()
    with open_input(path) as handle:
        stream = BlockStream(iter_blocks(handle, facts, block_bytes=64), facts, handle, str(path))
        peeked = [b for _, b in zip(range(3), stream.peek(), strict=False)]
        assert next(stream) is peeked[0]  # taken by iterating: no longer ahead
        ahead, rest = stream.hand_over()
        assert ahead == peeked[1:] and rest is not None
        assert rest.start == peeked[2].offset + len(peeked[2].data)
        assert rest.first_line == peeked[2].first_line + peeked[2].data.count(b"\n")
        assert path.read_bytes()[: rest.start].count(b"\n") == rest.first_line - 1
        assert facts.size_bytes == rest.start and rest.size == path.stat().st_size
        assert list(stream) == []  # the stream is done: the rest is the workers'


def test_hand_over_keeps_reading_what_is_not_a_regular_file_or_is_read_to_the_end(tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl"
    path.write_bytes(b'{"a": 1}\n{"b": 2}')
    facts = FileFacts()
    with open_input(path) as handle:
        stream = BlockStream(iter_blocks(handle, facts), facts, handle, str(path))
        list(stream.peek())  # the whole file, read ahead
        ahead, rest = stream.hand_over()
        assert rest is None and [b.first_line for b in ahead] == [1, 2]
        assert list(stream) == [] and facts.lines == 2 and not facts.final_newline
    records = BlockStream(iter([Block(1, b"{}\n")]), FileFacts())
    assert records.hand_over() == ([], None) and len(list(records)) == 1


def test_ranges_are_whole_lines_and_cover_the_rest(tmp_path: Path) -> None:
    lines = [b"x" * (i * 37 % 500) for i in range(300)] + [b"y" * 5000]
    data = b"\n".join(lines) + b"\nlast"
    path = tmp_path / "t.jsonl"
    path.write_bytes(data)
    with open_input(path) as handle:
        fd = handle.fileno()
        start = data.index(b"\n") + 1
        cut = list(spans(fd, start, len(data), 300))
        assert cut[0][0] == start and cut[-1][1] == len(data)
        assert all(a[1] == b[0] for a, b in itertools.pairwise(cut))
        assert all(data[end - 1 : end] == b"\n" for _, end in cut[:-1])
        assert line_cut(fd, start, len(data)) == start  # a newline just before the target cuts at it
        assert line_cut(fd, len(data) - 2, len(data)) == len(data)  # no newline after: the end
        assert count_newlines(fd, 0, len(data)) == data.count(b"\n")


def test_positional_reads_leave_the_descriptor_offset_alone(tmp_path: Path) -> None:
    path = tmp_path / "t.txt"
    path.write_bytes(b"first\nsecond\nthird")
    with path.open("rb", buffering=0) as raw:
        view = open_positional(raw.fileno(), str(path))
        view.seek(6)
        assert view.readline() == b"second\n" and view.read() == b"third"
        assert view.seek(-5, os.SEEK_END) == 13 and view.read(2) == b"th"
        assert view.seek(1, os.SEEK_CUR) == 16 and view.tell() == 16
        assert os.lseek(raw.fileno(), 0, os.SEEK_CUR) == 0  # the shared offset never moved
        assert view.name == str(path)
        view.close()
        assert raw.read() == b"first\nsecond\nthird"  # the descriptor stays open


def _dying_on(marker: bytes, parent: int) -> Any:
    original = check_block

    def check(block: Block, settings: CheckSettings) -> Any:
        if os.getpid() != parent and any(marker in raw.data for raw in block.lines()):
            os.kill(os.getpid(), signal.SIGKILL)
        return original(block, settings)

    return check


def test_a_dead_worker_reading_its_range_names_the_files_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [
        to_line(chat(user(f"Question number {i} about lentils?"), assistant(f"Answer {i}.")))
        for i in range(3_000)
    ]
    rows[2_100 - 1] = to_line(chat(user("DIE HERE"), assistant("A.")))  # line 2100
    path = tmp_path / "train.jsonl"
    path.write_bytes(b"\n".join(rows) + b"\n")
    monkeypatch.setattr(executors, "check_block", _dying_on(b"DIE HERE", os.getpid()))
    monkeypatch.setattr(executors, "_context", lambda: multiprocessing.get_context("fork"))
    monkeypatch.setattr(executors, "SPAN_BYTES", 8 * 1024)  # about 100 lines: many ranges in 300 KB
    settings = CheckSettings(Kind.CHAT, resolve_model(None).tokenizer_spec, 128_000, "gpt-4o-mini")
    facts = FileFacts()
    with open_input(path) as handle:
        stream = BlockStream(iter_blocks(handle, facts, block_bytes=4 * 1024), facts, handle, str(path))
        next(iter(stream.peek()))
        with pytest.raises(WorkerCrashed) as caught:
            list(PoolExecutor(2).run(stream, settings))
    # The range's lines counted from 1 in the worker, named here as the file's.
    assert caught.value.first <= 2_100 <= caught.value.last
    assert caught.value.last - caught.value.first < 120  # one range, not the whole rest of the file


def test_the_span_lines_of_a_pending_range_are_the_files(tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl"
    path.write_bytes(b"a\nb\nc\nd\ne")
    with open_input(path) as handle:
        rest = Rest(str(path), handle.fileno(), 2, 9, 2)
        assert executors._span_lines(rest, executors.Span(4, 9)) == (3, 5)  # c, d, e (no final newline)
        assert executors._span_lines(rest, executors.Span(2, 4)) == (2, 2)


def test_spawned_workers_open_the_file_by_its_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Workers started clean (spawn: this process runs other threads) inherit no descriptor: they open the
    path, and the results are the same."""
    path = tmp_path / "hostile-mix.jsonl"
    path.write_bytes(_hostile_mix())
    settings = _settings()
    alone, alone_facts = _in_process(path, settings)
    monkeypatch.setattr(executors, "SPAN_BYTES", 4096)
    monkeypatch.setattr(executors, "_context", lambda: multiprocessing.get_context("spawn"))
    spanned, spanned_facts = _read_by_workers(path, settings, peeked=1, block_bytes=2048)
    assert spanned == alone and spanned_facts == alone_facts
