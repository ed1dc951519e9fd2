"""The Executor seam: run the block checker over a source's blocks and yield the results in file order.

Two executors today: in this process (small inputs, the pre-commit case) and a pool of worker processes. A
distributed executor plugs in by the same protocol. Memory stays bounded: at most a few blocks per worker are
in flight. Workers receive the settings once, at start-up.

A JSONL file on disk is not sent to the workers block by block: after the blocks the main process read to tell
the file's kind, each worker reads its own byte ranges of the rest (`io.positional`, cut at line boundaries)
and numbers their lines from 1; the results are shifted to the file's line numbers here, in order, and the
file's facts completed from the workers' parts. Other inputs (records in memory, Parquet, a pipe, a URI) go as
pickled blocks.

A worker that dies (the OOM killer, a crash inside a native tokenizer) breaks the pool: the run stops with a
WorkerCrashed naming the lines that worker held, instead of waiting for a result that never comes. Each worker
notes the lines it is checking in a shared slot and clears it when done (or when the pool stops it), so after a
crash the only slot still set is the dead worker's. A worker reading a range notes the range's start with its
lines (which count from the range), and the main process turns them into the file's line numbers.
"""

from __future__ import annotations

import gc
import os
import signal
import threading
from array import array
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from io import BufferedReader
from itertools import chain
from typing import TYPE_CHECKING, Any, Protocol

from dataprep.errors import WorkerCrashed
from dataprep.io.jsonl import BLOCK_BYTES, Block, FileFacts, Shard, iter_blocks
from dataprep.io.positional import count_newlines, open_positional, spans
from dataprep.io.stream import BlockStream, Rest
from dataprep.tokens import build_tokenizer, preload_for_workers
from dataprep.tokens.encodings import clear_encoding_cache
from dataprep.validation.cores import available_cores, busy_share, free_workers
from dataprep.validation.record import BatchResult, CheckSettings, check_block

if TYPE_CHECKING:  # multiprocessing loads only when a pool runs: the in-process (pre-commit) case never pays
    from concurrent.futures import Future, ProcessPoolExecutor
    from multiprocessing.context import BaseContext

# Below this size a file is checked in-process: starting workers costs more than it saves (the hook case).
IN_PROCESS_BYTES = 4 * 1024 * 1024
# Below this size, the default (--jobs 0) starts workers only for the cores other processes leave free: each
# worker's start (its own tokenizer) costs a fixed ~0.3 s of CPU, which on a busy machine buys no parallelism,
# only a larger share of the cores taken from the neighbours. Measured on a loaded 2-core machine: two workers
# spent 1.12x the CPU of one process at 10k examples (21 MB), 1.02x at 100k (210 MB) with 0.6x its wall time;
# so larger inputs get every core whatever the load.
BUSY_IN_PROCESS_BYTES = 64 * 1024 * 1024
_IN_FLIGHT_PER_WORKER = 3
# The rest of a file goes to the workers in byte ranges of about this size (a block's worth of lines).
SPAN_BYTES = BLOCK_BYTES
_SLOT = 3  # per worker: first and last line it is checking, and 1 + the start of its range (0: no range)

_worker_settings: CheckSettings | None = None
_worker_slot: tuple[Any, int] | None = None  # (the shared slots, this worker's index)
_worker_file: BufferedReader | None = None  # the file whose ranges this worker reads


@dataclass(frozen=True, slots=True)
class Span:
    """Bytes `start`..`end` of the file being checked, whole lines: a worker reads them itself."""

    start: int
    end: int


class Executor(Protocol):
    """Runs `check_block` over blocks; results come back in the order of the blocks."""

    def run(self, blocks: Iterator[Block], settings: CheckSettings) -> Iterator[BatchResult]: ...


class InProcessExecutor:
    def run(self, blocks: Iterator[Block], settings: CheckSettings) -> Iterator[BatchResult]:
        build_tokenizer(settings.tokenizer)
        for block in blocks:
            yield check_block(block, settings)


class PoolExecutor:
    """Worker processes, `jobs` of them, each holding a few blocks at a time."""

    def __init__(self, jobs: int) -> None:
        self.jobs = jobs

    def run(self, blocks: Iterator[Block], settings: CheckSettings) -> Iterator[BatchResult]:
        from concurrent.futures import ProcessPoolExecutor
        from concurrent.futures.process import BrokenProcessPool

        # A file on disk: the blocks already read go as they are, the workers read the rest themselves.
        ahead, rest = blocks.hand_over() if isinstance(blocks, BlockStream) else ([], None)
        work: Iterator[Block | Span] = chain(ahead, _spans(rest) if rest is not None else blocks)
        placed = (
            _InOrder(rest, blocks.facts) if rest is not None and isinstance(blocks, BlockStream) else None
        )
        # Each worker builds its own tokenizer (in _init_worker): workers that shared the parent's, forked
        # after it was built, spent 1.3x the CPU of one worker for two (issue 16); their own: -19% CPU.
        context = _context()
        if context.get_start_method() == "fork":
            preload_for_workers(settings.tokenizer)  # the fast counter's tables, built once for every worker
        # Keep the collector from touching (and so copying) every object the workers inherit from this process.
        gc.freeze()
        # Per worker: what it is checking (see _SLOT; zeros when idle); a claim counter.
        holding, claimed = context.Array("q", _SLOT * self.jobs, lock=False), context.Value("i", 0)
        inherits = (
            context.get_start_method() == "fork"
        )  # forked workers read through this process's descriptor
        try:
            pool = ProcessPoolExecutor(
                self.jobs,
                mp_context=context,
                initializer=_init_worker,
                initargs=(settings, holding, claimed, rest, inherits),
            )
            # Start the workers now, while the collector is frozen.
            _started(pool, settings)
        finally:
            gc.unfreeze()
        window: deque[tuple[Block | Span, Future[Any]]] = deque()
        try:
            for item in work:
                try:
                    future = _submit(pool, item)
                except BrokenProcessPool as exc:  # a worker died since the last result came back
                    raise _crashed(pool, holding, window[0][0] if window else item, rest) from exc
                window.append((item, future))
                if len(window) >= self.jobs * _IN_FLIGHT_PER_WORKER:
                    yield _result(pool, holding, *window.popleft(), rest, placed)
            while window:
                yield _result(pool, holding, *window.popleft(), rest, placed)
        finally:
            pool.shutdown(wait=True, cancel_futures=True)


def _spans(rest: Rest) -> Iterator[Span]:
    for start, end in spans(rest.fd, rest.start, rest.size, SPAN_BYTES):
        yield Span(start, end)


def _submit(pool: ProcessPoolExecutor, item: Block | Span) -> Future[Any]:
    if isinstance(item, Span):
        return pool.submit(_check_span, item.start, item.end)
    return pool.submit(_check_block, item)


class _InOrder:
    """The main process's side of a file's rest read by the workers: as the ranges' results come back in file
    order, their line numbers (counted from each range's first line) are shifted by the lines before the range,
    and the file's facts are completed with the range's."""

    def __init__(self, rest: Rest, facts: FileFacts) -> None:
        self.facts = facts
        self.lines_before = rest.first_line - 1

    def place(self, result: BatchResult, part: FileFacts) -> BatchResult:
        shift = self.lines_before
        self.facts.add_part(part, shift)
        self.lines_before = self.facts.lines
        if shift:
            result.problems = [(line + shift, problem) for line, problem in result.problems]
            result.example_lines = array("l", [line + shift for line in result.example_lines])
        return result


def _started(pool: ProcessPoolExecutor, settings: CheckSettings) -> None:
    """Start the workers. If they could not start (the tokenizer failed to build in them), raise the reason
    here, as the in-process executor would, by building it in this process."""
    from concurrent.futures.process import BrokenProcessPool

    try:
        pool.submit(os.getpid).result()
    except BrokenProcessPool:
        pool.shutdown(wait=True, cancel_futures=True)
        build_tokenizer(settings.tokenizer)  # raises the tokenizer's own error (EncodingError, ...)
        raise


def _result(
    pool: ProcessPoolExecutor,
    holding: Any,
    item: Block | Span,
    future: Future[Any],
    rest: Rest | None,
    placed: _InOrder | None,
) -> BatchResult:
    from concurrent.futures.process import BrokenProcessPool

    try:
        value = future.result()
    except BrokenProcessPool as exc:
        raise _crashed(pool, holding, item, rest) from exc
    if isinstance(item, Span):
        assert placed is not None
        return placed.place(*value)
    result: BatchResult = value
    return result


def _crashed(
    pool: ProcessPoolExecutor, holding: Any, pending: Block | Span, rest: Rest | None
) -> WorkerCrashed:
    """The crash, naming the lines the dead worker held (or, if that is unknown, the first block pending)."""
    # Let the surviving workers stop (they clear their slots on the way out), then read the dead one's.
    pool.shutdown(wait=True, cancel_futures=True)
    held = [tuple(holding[i : i + _SLOT]) for i in range(0, len(holding), _SLOT) if holding[i]]
    if len(held) == 1:
        first, last, base = held[0]
        shift = _lines_before(rest, base - 1) if base and rest is not None else 0
        first, last = first + shift, last + shift
    elif isinstance(pending, Span):
        assert rest is not None
        first, last = _span_lines(rest, pending)
    else:
        first, last = block_lines(pending)
    return WorkerCrashed(
        first,
        last,
        "a worker process died while checking them (killed, perhaps by the out-of-memory killer, or a crash "
        "in a native library); nothing was reported for them. Rerun with --jobs 1 to check in one process",
    )


def _lines_before(rest: Rest, offset: int) -> int:
    """The file's lines before byte `offset` of its rest (counted here, after a crash only)."""
    return rest.first_line - 1 + count_newlines(rest.fd, rest.start, offset)


def _span_lines(rest: Rest, span: Span) -> tuple[int, int]:
    """The first and last line number of a range of the file's rest."""
    first = _lines_before(rest, span.start) + 1
    ended = os.pread(rest.fd, 1, span.end - 1) == b"\n"
    return first, first + max(count_newlines(rest.fd, span.start, span.end) + (not ended), 1) - 1


def block_lines(block: Block) -> tuple[int, int]:
    """The first and last line number a block holds."""
    if block.raw:
        return block.raw[0].number, block.raw[-1].number
    count = block.data.count(b"\n") + (0 if block.data.endswith(b"\n") or not block.data else 1)
    return block.first_line, block.first_line + max(count, 1) - 1


def resolve_jobs(jobs: int, size_hint: int | None, busy: float | None = None) -> int:
    """The number of processes to check an input of `size_hint` bytes with: small inputs always in this
    process; `jobs` as given (1 = in this process); 0, the default, every core for large inputs, one per free
    core below BUSY_IN_PROCESS_BYTES (`cores.free_workers`, given the `busy` share of the machine, measured now
    when None)."""
    if size_hint is not None and size_hint < IN_PROCESS_BYTES:
        return 1
    if jobs > 0:
        return jobs
    cores = available_cores()
    if size_hint is None or size_hint >= BUSY_IN_PROCESS_BYTES:
        return cores
    return free_workers(cores, busy_share() if busy is None else busy)


def choose_executor(jobs: int, size_hint: int | None) -> Executor:
    """The executor for an input of `size_hint` bytes with the user's `jobs` setting (0 = automatic)."""
    n = resolve_jobs(jobs, size_hint)
    return InProcessExecutor() if n <= 1 else PoolExecutor(n)


def _context() -> BaseContext:
    import multiprocessing

    # fork is fastest and safe while this process runs no other threads; otherwise start clean workers.
    if "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def _init_worker(
    settings: CheckSettings, holding: Any, claimed: Any, rest: Rest | None = None, inherits: bool = True
) -> None:
    global _worker_settings, _worker_slot, _worker_file
    # Ctrl-C is the parent's to handle: workers stop when it shuts the pool down, without tracebacks.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Stopped by the pool (after another worker died): clear this worker's slot, so it is not blamed, and go.
    signal.signal(signal.SIGTERM, _stop_worker)
    with claimed.get_lock():
        index = claimed.value % (len(holding) // _SLOT)
        claimed.value += 1
    _worker_slot = (holding, _SLOT * index)
    _worker_settings = settings
    if rest is not None:  # the descriptor this process inherited (the same file), or the path opened anew
        fd = rest.fd if inherits else os.open(rest.path, os.O_RDONLY)
        _worker_file = open_positional(fd, rest.path)
    # A private tokenizer, even if the parent built one before forking: a shared one costs CPU (see run).
    build_tokenizer.cache_clear()
    clear_encoding_cache()
    build_tokenizer(settings.tokenizer)


def _stop_worker(signum: int, frame: object) -> None:
    _hold(0, 0)
    os._exit(128 + signum)


def _hold(first: int, last: int, base: int = 0) -> None:
    if _worker_slot is not None:
        holding, index = _worker_slot
        holding[index], holding[index + 1], holding[index + 2] = first, last, base


def _check_block(block: Block) -> BatchResult:
    assert _worker_settings is not None
    _hold(*block_lines(block))
    result = check_block(block, _worker_settings)
    _hold(0, 0)
    return result


def _check_span(start: int, end: int) -> tuple[BatchResult, FileFacts]:
    """Read and check bytes `start`..`end` of the file, lines numbered from 1; the results and the range's facts."""
    assert _worker_settings is not None and _worker_file is not None
    facts = FileFacts()
    merged: BatchResult | None = None
    shard = Shard(start, end, 1)
    for block in iter_blocks(_worker_file, facts, _worker_settings.max_line_bytes, shard=shard):
        _hold(*block_lines(block), start + 1)
        result = check_block(block, _worker_settings)
        if merged is None:
            merged = result
        else:
            merged.merge(result)
    _hold(0, 0)
    return merged if merged is not None else BatchResult(), facts
