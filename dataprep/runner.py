"""Run `check_block` over blocks of lines, in this process or in worker processes, results in file order.

Memory stays bounded: at most a few blocks per worker are in flight (Pool.imap would read the whole
input ahead). Workers receive the settings once, at start-up.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import threading
from collections import deque
from collections.abc import Iterator
from multiprocessing.pool import AsyncResult

from dataprep.check import BatchResult, CheckSettings, check_block
from dataprep.io.jsonl import Block
from dataprep.tokens import get_encoding

# Below this size a file is checked in-process: starting workers costs more than it saves (the hook case).
IN_PROCESS_BYTES = 4 * 1024 * 1024
_IN_FLIGHT_PER_WORKER = 3

_worker_settings: CheckSettings | None = None


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


def run_checks(blocks: Iterator[Block], settings: CheckSettings, jobs: int) -> Iterator[BatchResult]:
    if jobs <= 1:
        get_encoding(settings.encoding)
        for block in blocks:
            yield check_block(block, settings)
        return
    yield from _run_in_pool(blocks, settings, jobs)


def _run_in_pool(blocks: Iterator[Block], settings: CheckSettings, jobs: int) -> Iterator[BatchResult]:
    get_encoding(settings.encoding)  # loaded once here; forked workers share its pages
    # Keep the collector from touching (and so copying) every object the workers inherit from this process.
    gc.freeze()
    try:
        pool = _context().Pool(jobs, initializer=_init_worker, initargs=(settings,))
    finally:
        gc.unfreeze()  # the workers are forked by now; in this process collection goes on as before
    with pool:
        window: deque[AsyncResult[BatchResult]] = deque()
        for block in blocks:
            window.append(pool.apply_async(_check_block, (block,)))
            if len(window) >= jobs * _IN_FLIGHT_PER_WORKER:
                yield window.popleft().get()
        while window:
            yield window.popleft().get()


def _context() -> multiprocessing.context.BaseContext:
    # fork is fastest and safe while this process runs no other threads; otherwise start clean workers.
    if "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def _init_worker(settings: CheckSettings) -> None:
    global _worker_settings
    _worker_settings = settings
    get_encoding(settings.encoding)


def _check_block(block: Block) -> BatchResult:
    assert _worker_settings is not None
    return check_block(block, _worker_settings)
