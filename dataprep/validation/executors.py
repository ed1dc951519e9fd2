"""The Executor seam: run the block checker over a source's blocks and yield the results in file order.

Two executors today: in this process (small inputs, the pre-commit case) and a pool of worker processes. A
distributed executor plugs in by the same protocol. Memory stays bounded: at most a few blocks per worker are
in flight. Workers receive the settings once, at start-up.

A worker that dies (the OOM killer, a crash inside a native tokenizer) breaks the pool: the run stops with a
WorkerCrashed naming the lines that worker held, instead of waiting for a result that never comes. Each worker
notes the lines it is checking in a shared slot and clears it when done (or when the pool stops it), so after a
crash the only slot still set is the dead worker's.
"""

from __future__ import annotations

import gc
import os
import signal
import threading
from collections import deque
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Protocol

from dataprep.errors import WorkerCrashed
from dataprep.io.jsonl import Block
from dataprep.tokens import build_tokenizer
from dataprep.tokens.encodings import clear_encoding_cache
from dataprep.validation.record import BatchResult, CheckSettings, check_block

if TYPE_CHECKING:  # multiprocessing loads only when a pool runs: the in-process (pre-commit) case never pays
    from concurrent.futures import Future, ProcessPoolExecutor
    from multiprocessing.context import BaseContext

# Below this size a file is checked in-process: starting workers costs more than it saves (the hook case).
IN_PROCESS_BYTES = 4 * 1024 * 1024
_IN_FLIGHT_PER_WORKER = 3

_worker_settings: CheckSettings | None = None
_worker_slot: tuple[Any, int] | None = None  # (the shared slots, this worker's index)


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

        # Each worker builds its own tokenizer (in _init_worker): workers that shared the parent's, forked
        # after it was built, spent 1.3x the CPU of one worker for two (issue 16); their own: -19% CPU.
        # Keep the collector from touching (and so copying) every object the workers inherit from this process.
        gc.freeze()
        context = _context()
        # Per worker: the first and last line of the block it is checking (0, 0 when idle); a claim counter.
        holding, claimed = context.Array("q", 2 * self.jobs, lock=False), context.Value("i", 0)
        try:
            pool = ProcessPoolExecutor(
                self.jobs, mp_context=context, initializer=_init_worker, initargs=(settings, holding, claimed)
            )
            # Start the workers now, while the collector is frozen.
            _started(pool, settings)
        finally:
            gc.unfreeze()
        window: deque[tuple[Block, Future[BatchResult]]] = deque()
        try:
            for block in blocks:
                try:
                    future = pool.submit(_check_block, block)
                except BrokenProcessPool as exc:  # a worker died since the last result came back
                    raise _crashed(pool, holding, window[0][0] if window else block) from exc
                window.append((block, future))
                if len(window) >= self.jobs * _IN_FLIGHT_PER_WORKER:
                    yield _result(pool, holding, *window.popleft())
            while window:
                yield _result(pool, holding, *window.popleft())
        finally:
            pool.shutdown(wait=True, cancel_futures=True)


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
    pool: ProcessPoolExecutor, holding: Any, block: Block, future: Future[BatchResult]
) -> BatchResult:
    from concurrent.futures.process import BrokenProcessPool

    try:
        return future.result()
    except BrokenProcessPool as exc:
        raise _crashed(pool, holding, block) from exc


def _crashed(pool: ProcessPoolExecutor, holding: Any, pending: Block) -> WorkerCrashed:
    """The crash, naming the lines the dead worker held (or, if that is unknown, the first block pending)."""
    # Let the surviving workers stop (they clear their slots on the way out), then read the dead one's.
    pool.shutdown(wait=True, cancel_futures=True)
    held = [(holding[i], holding[i + 1]) for i in range(0, len(holding), 2) if holding[i]]
    first, last = held[0] if len(held) == 1 else block_lines(pending)
    return WorkerCrashed(
        first,
        last,
        "a worker process died while checking them (killed, perhaps by the out-of-memory killer, or a crash "
        "in a native library); nothing was reported for them. Rerun with --jobs 1 to check in one process",
    )


def block_lines(block: Block) -> tuple[int, int]:
    """The first and last line number a block holds."""
    if block.raw:
        return block.raw[0].number, block.raw[-1].number
    count = block.data.count(b"\n") + (0 if block.data.endswith(b"\n") or not block.data else 1)
    return block.first_line, block.first_line + max(count, 1) - 1


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def resolve_jobs(jobs: int, size_hint: int | None) -> int:
    """0 means all cores; small inputs always run in-process."""
    if size_hint is not None and size_hint < IN_PROCESS_BYTES:
        return 1
    return available_cores() if jobs <= 0 else jobs


def choose_executor(jobs: int, size_hint: int | None) -> Executor:
    """The executor for an input of `size_hint` bytes with the user's `jobs` setting (0 = all cores)."""
    n = resolve_jobs(jobs, size_hint)
    return InProcessExecutor() if n <= 1 else PoolExecutor(n)


def _context() -> BaseContext:
    import multiprocessing

    # fork is fastest and safe while this process runs no other threads; otherwise start clean workers.
    if "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def _init_worker(settings: CheckSettings, holding: Any, claimed: Any) -> None:
    global _worker_settings, _worker_slot
    # Ctrl-C is the parent's to handle: workers stop when it shuts the pool down, without tracebacks.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Stopped by the pool (after another worker died): clear this worker's slot, so it is not blamed, and go.
    signal.signal(signal.SIGTERM, _stop_worker)
    with claimed.get_lock():
        index = claimed.value % (len(holding) // 2)
        claimed.value += 1
    _worker_slot = (holding, 2 * index)
    _worker_settings = settings
    # A private tokenizer, even if the parent built one before forking: a shared one costs CPU (see run).
    build_tokenizer.cache_clear()
    clear_encoding_cache()
    build_tokenizer(settings.tokenizer)


def _stop_worker(signum: int, frame: object) -> None:
    _hold(0, 0)
    os._exit(128 + signum)


def _hold(first: int, last: int) -> None:
    if _worker_slot is not None:
        holding, index = _worker_slot
        holding[index], holding[index + 1] = first, last


def _check_block(block: Block) -> BatchResult:
    assert _worker_settings is not None
    _hold(*block_lines(block))
    result = check_block(block, _worker_settings)
    _hold(0, 0)
    return result
