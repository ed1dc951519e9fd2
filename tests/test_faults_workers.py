"""Issue 15 item 1: a worker process that dies (the OOM killer, a panic in a native tokenizer) must stop the run
with exit 2 naming the file and the lines that worker held - never leave `validate` or convert's validation
waiting forever for a result that will not come. The worker is killed for real (SIGKILL) in a child run."""

from __future__ import annotations

import multiprocessing
import os
import re
import signal
import time
from pathlib import Path
from typing import Any

import pytest

from dataprep.errors import WorkerCrashed
from dataprep.io import jsonl
from dataprep.io.jsonl import Block, FileFacts, iter_blocks, open_input
from dataprep.models import resolve_model
from dataprep.types import Kind
from dataprep.validation import executors
from dataprep.validation.record import CheckSettings, check_block
from tests.conftest import assistant, chat, to_line, user
from tests.faults import assert_clean_exit, run_cli

# Runs in the child before the CLI: every file goes to the pool, and a worker (never the parent) that gets a
# block after the first (by its byte offset: workers reading their own ranges number lines from 1) kills itself
# the way the OOM killer would.
# Blocks and spans shrink to 64 KiB, so a file of a few hundred KB crosses them as a 3 MB file crosses 1 MB ones.
SMALL_BLOCKS = """
import dataprep.io.jsonl as jsonl
import dataprep.validation.executors as executors
jsonl.BLOCK_BYTES = executors.SPAN_BYTES = 64 * 1024
"""
BLOCK = 64 * 1024
KILL_SECOND_BLOCK = (
    SMALL_BLOCKS
    + """
import os, signal
executors.IN_PROCESS_BYTES = 0
_parent, _check = os.getpid(), executors.check_block
def _dying(block, settings):
    if os.getpid() != _parent and block.offset > 0:
        os.kill(os.getpid(), signal.SIGKILL)
    return _check(block, settings)
executors.check_block = _dying
"""
)


def _records(n: int) -> list[bytes]:
    return [
        to_line(chat(user(f"Question number {i} about lentils?"), assistant(f"Answer {i}.")))
        for i in range(n)
    ]


LINES = 3_000


def _big_jsonl(path: Path, n: int = LINES) -> Path:
    """About 300 KB: several 64 KiB blocks, so a second block exists for a worker to die on."""
    path.write_bytes(b"\n".join(_records(n)) + b"\n")
    assert path.stat().st_size > 2 * BLOCK
    return path


def _assert_names_the_lines(stderr: str, path: Path) -> None:
    match = re.search(rf"{re.escape(str(path))}:(\d+)-(\d+): a worker process died", stderr)
    assert match, stderr
    first, last = int(match[1]), int(match[2])
    assert 1 < first <= last <= LINES


def test_validate_stops_naming_the_lines_when_a_worker_is_killed(tmp_path: Path) -> None:
    data = _big_jsonl(tmp_path / "train.jsonl")
    started = time.monotonic()
    result = run_cli(["validate", "--jobs", "2", str(data)], fault=KILL_SECOND_BLOCK, timeout=120)
    assert time.monotonic() - started < 60  # stopped: no wait for a result that never comes
    assert_clean_exit(result)
    _assert_names_the_lines(result.stderr, data)
    assert "--jobs 1" in result.stderr  # what to do about it


def test_convert_validation_stops_when_a_worker_is_killed(tmp_path: Path) -> None:
    source = tmp_path / "faq.csv"
    rows = [f"Question number {i} about lentils?,Answer {i}." for i in range(4_000)]
    source.write_text("question,answer\n" + "\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_path / "faq.jsonl"
    # --jobs 2: the default would check in one process on a busy machine (the test run itself keeps it busy).
    args = [
        "convert",
        str(source),
        "--user",
        "{question}",
        "--assistant",
        "{answer}",
        "-o",
        str(out),
        "--jobs",
        "2",
    ]
    result = run_cli(args, fault=KILL_SECOND_BLOCK, timeout=90)
    assert_clean_exit(result)
    _assert_names_the_lines(result.stderr, out)


def test_the_fault_is_real_without_it_the_same_run_succeeds(tmp_path: Path) -> None:
    """The control: the same file and jobs, no killed worker, exit 0 - so the exit 2 above is the crash."""
    data = _big_jsonl(tmp_path / "train.jsonl")
    fault = SMALL_BLOCKS + "executors.IN_PROCESS_BYTES = 0\n"
    result = run_cli(["validate", "--jobs", "2", "--quiet", "--ignore", "DP4", str(data)], fault=fault)
    assert_clean_exit(result, (0,))


def test_killed_worker_leaves_no_half_report(tmp_path: Path) -> None:
    data = _big_jsonl(tmp_path / "train.jsonl")
    result = run_cli(["validate", "--jobs", "3", "--format", "json", str(data)], fault=KILL_SECOND_BLOCK)
    assert_clean_exit(result)
    assert result.stdout == ""  # no half report on stdout


def _dying_check(parent: int) -> Any:
    original = check_block

    def check(block: Block, settings: CheckSettings) -> Any:
        if os.getpid() != parent and block.first_line > 1:
            os.kill(os.getpid(), signal.SIGKILL)
        return original(block, settings)

    return check


def test_pool_executor_names_the_dead_workers_block_in_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same through the library: the pool's workers are forked from this process with the dying check."""
    data = _big_jsonl(tmp_path / "train.jsonl")
    monkeypatch.setattr(executors, "check_block", _dying_check(os.getpid()))
    monkeypatch.setattr(jsonl, "BLOCK_BYTES", BLOCK)
    monkeypatch.setattr(executors, "SPAN_BYTES", BLOCK)
    # The dying check reaches the workers only by fork (an earlier test's thread would make the pool spawn).
    monkeypatch.setattr(executors, "_context", lambda: multiprocessing.get_context("fork"))
    model = resolve_model(None)
    settings = CheckSettings(Kind.CHAT, model.tokenizer_spec, model.max_tokens, model.id)
    with open_input(data) as handle:
        blocks = iter_blocks(handle, FileFacts(), BLOCK)
        with pytest.raises(WorkerCrashed) as caught:
            list(executors.PoolExecutor(2).run(blocks, settings))
    assert 1 < caught.value.first <= caught.value.last
    assert "worker process died" in str(caught.value.at(str(data)))


def test_workers_that_cannot_build_the_tokenizer_report_why(tmp_path: Path) -> None:
    """Workers build their own tokenizer (issue 16): when that fails in them, the run raises the tokenizer's own
    error, as the in-process run does, not a worker crash."""
    from dataprep.errors import EncodingError
    from dataprep.tokens.protocol import TokenizerSpec

    data = _big_jsonl(tmp_path / "train.jsonl")
    spec = TokenizerSpec("openai-formula", "no_such_encoding")
    settings = CheckSettings(Kind.CHAT, spec, 128_000, "gpt-4o-mini")
    with open_input(data) as handle:
        blocks = iter_blocks(handle, FileFacts(), BLOCK)
        with pytest.raises(EncodingError, match="no_such_encoding"):
            list(executors.PoolExecutor(2).run(blocks, settings))


def test_each_worker_builds_a_private_tokenizer() -> None:
    """A forked worker drops the tokenizer it inherited and builds its own (sharing the parent's cost CPU)."""
    global _INHERITED
    from multiprocessing import get_context

    from dataprep.tokens import build_tokenizer

    model = resolve_model(None)
    settings = CheckSettings(Kind.CHAT, model.tokenizer_spec, model.max_tokens, model.id)
    _INHERITED = build_tokenizer(model.tokenizer_spec)  # held here, so the worker sees it at fork
    context = get_context("fork")
    holding, claimed = context.Array("q", executors._SLOT, lock=False), context.Value("i", 0)
    with context.Pool(1, initializer=executors._init_worker, initargs=(settings, holding, claimed)) as pool:
        shared = pool.apply(_worker_view, (model.tokenizer_spec,))
    assert shared is False


_INHERITED: Any = None


def _worker_view(spec: Any) -> bool:
    from dataprep.tokens import build_tokenizer

    return build_tokenizer(spec) is _INHERITED
