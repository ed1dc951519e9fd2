"""The Ray executor: the per-record checks and the duplicate search of a run on a Ray cluster.

The one module that imports Ray (lazily, in `start`). The work divides as on one machine, with the blocks
in Ray's object store instead of a process pool:
- a file is cut into shards at line boundaries (`io.jsonl.plan_cuts`, which reads only around each cut); each
  shard is one task that reads it where it runs (the file must be reachable from every node: a shared file
  system), numbers its lines from 1 and runs the same pure block checker (`validation.record.check_block`);
  the driver shifts the line numbers as it merges the shards in order. A Parquet file is one task; in-memory
  records go as blocks from the driver;
- a task returns two objects: the shard's mergeable results (statistics, findings, file facts), which the
  driver merges in file order exactly as it merges a local worker's, and the shard's digests
  (`dedup.distributed.DigestPart`), which stay in the object store of the node that made them;
- the duplicate search runs as Ray tasks over those parts (`dedup.distributed`): exact and normalised copies,
  conflicts and leaks grouped by digest, near-duplicates by LSH band key, candidate pairs confirmed where the
  signatures are; the driver receives only the rows that are in a finding.
"""

from __future__ import annotations

import logging
import math
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dataprep.errors import DataprepError, InputError, UsageError, WorkerCrashed
from dataprep.io.jsonl import Block, FileFacts, Shard, iter_blocks, open_any, plan_cuts
from dataprep.validation.record import BatchResult, CheckSettings, check_block

if TYPE_CHECKING:
    from dataprep.dedup.distributed import DigestPart, PartHandle
    from dataprep.dedup.params import NearDupParams
    from dataprep.io.inputs import Source
    from dataprep.types import Finding

# A shard is at least this big (smaller ones cost more in scheduling than they save) and at most SHARD_BYTES
# (its results and digests are held at once by the task that made them).
MIN_SHARD_BYTES = 1 << 20
SHARD_BYTES = 64 << 20


def start(address: str | None) -> RayExecutor:
    """Join the cluster at `address`, or start a local Ray; reuse the connection this process already has."""
    from dataprep.io.extras import require

    require(["ray"])  # one line naming `pip install 'dataprep[ray]'` when it is missing
    import ray

    if not ray.is_initialized():
        if address:
            _reachable(address)
        try:
            ray.init(
                address=address,
                include_dashboard=False,
                logging_level=logging.ERROR,
                log_to_driver=False,
                configure_logging=True,
            )
        except (ConnectionError, RuntimeError, ValueError) as exc:
            where = f"the Ray cluster at {address}" if address else "a local Ray"
            raise UsageError(f"could not start or join {where}: {exc}") from None
    return RayExecutor(ray)


def _reachable(address: str, timeout: float = 5.0) -> None:
    """Fail in seconds, with one line, when a host:port address does not answer: Ray itself retries for
    minutes, printing its own warnings."""
    hostport = address.removeprefix("ray://")
    host, sep, port = hostport.rpartition(":")
    if not sep or not port.isdigit():
        return  # "auto", "local": Ray finds the cluster itself
    try:
        socket.create_connection((host, int(port)), timeout=timeout).close()
    except OSError as exc:
        raise UsageError(
            f"--ray-address {address}: no Ray cluster answers there ({exc.strerror or exc}); start one with "
            "`ray start --head`, or leave out --ray-address for a local Ray"
        ) from None


@dataclass
class _Part:
    digests: Any  # an object reference: the part stays in the cluster
    label: str
    role: str
    rows: int
    line_offset: int  # added to the part's line numbers (a shard numbered its lines from 1)


class RayExecutor:
    """Checks sources as Ray tasks and keeps their digests in the cluster for `duplicates`."""

    def __init__(self, ray: Any) -> None:
        self.ray = ray
        self.parts: list[_Part] = []
        self._remote: dict[tuple[Callable[..., Any], int], Any] = {}

    def cpus(self) -> int:
        return max(1, int(self.ray.cluster_resources().get("CPU", 1)))

    def task(self, fn: Callable[..., Any], returns: int = 1) -> Any:
        key = (fn, returns)
        if key not in self._remote:
            self._remote[key] = self.ray.remote(num_returns=returns)(fn)
        return self._remote[key]

    def run_source(
        self, src: Source, blocks: Iterator[Block], settings: CheckSettings, facts: FileFacts
    ) -> Iterator[BatchResult]:
        """The source's results in file order; a regular file is read by the tasks, shard by shard, and
        `facts` is filled from theirs; other sources send their blocks from here."""
        settings_ref = self.ray.put(settings)
        check = self.task(_check_shard, 2)
        pending: list[tuple[Any, Any, tuple[int, int] | None]] = []
        path = src.path
        name = src.uri if src.uri is not None else str(path) if path is not None and path.is_file() else None
        read_there = name is not None
        if name is not None and src.parquet:  # one task reads the whole file (a shard of a sharded dataset)
            result, part = check.remote(name, None, None, settings_ref)
            pending.append((result, part, (1, 0)))
        elif name is not None:
            # Cut without reading the file here: each task numbers its lines from 1, shifted below.
            for shard in plan_cuts(name, self._shard_count(src.size_hint or 0)):
                result, part = check.remote(name, shard, None, settings_ref)
                pending.append((result, part, None))
        else:
            for block in blocks:
                result, part = check.remote(None, None, block, settings_ref)
                pending.append((result, part, _lines_of(block)))
        merged = FileFacts()
        before = 0  # lines of the shards merged so far
        for i, (result_ref, part_ref, lines) in enumerate(pending):
            result, shard_facts = self._get(result_ref, lines or (before + 1, before + 1))
            shift = before if lines is None else 0
            if shift:
                result.problems = [(line + shift, problem) for line, problem in result.problems]
                shard_facts.lines += shift
                shard_facts.crlf_line += shift if shard_facts.crlf_line else 0
            _merge_facts(merged, shard_facts, first=i == 0)
            before = merged.lines
            rows = result.stats.examples + result.stats.not_counted  # every example is one or the other
            if settings.digests and rows:
                self.parts.append(_Part(part_ref, src.label, src.role, rows, shift))
            yield result
        if read_there:  # the driver read only the head: the file's facts are the shards'
            for fact in ("size_bytes", "lines", "bom", "crlf_line", "final_newline"):
                setattr(facts, fact, getattr(merged, fact))

    def _shard_count(self, size: int) -> int:
        wanted = max(math.ceil(size / SHARD_BYTES), 2 * self.cpus())
        return max(1, min(wanted, size // MIN_SHARD_BYTES))

    def _get(self, ref: Any, lines: tuple[int, int] | None = None, what: str = "") -> Any:
        """A task's value; its failure as the error it raised (one line); a lost worker as WorkerCrashed
        naming the lines it held (or an InputError naming `what` it was working on)."""
        exceptions = self.ray.exceptions
        try:
            return self.ray.get(ref)
        except exceptions.RayTaskError as exc:
            cause = getattr(exc, "cause", None)
            if isinstance(cause, DataprepError):
                raise cause from None
            raise
        except (exceptions.WorkerCrashedError, exceptions.NodeDiedError, exceptions.ObjectLostError) as exc:
            reason = f"a Ray worker was lost ({type(exc).__name__}); nothing was reported for them"
            if lines is None:
                raise InputError(f"{what}: {reason.replace('them', 'it')}") from exc
            first, last = lines
            raise WorkerCrashed(first, max(first, last), reason) from exc

    def map_in_order(self, fn: Callable[..., Any], calls: list[tuple[Any, ...]]) -> list[Any]:
        """fn(*call) for every call as Ray tasks at once; the values in the order of the calls."""
        task = self.task(fn)
        refs = [task.remote(*call) for call in calls]
        return [self._get(ref, what=str(call[0])) for ref, call in zip(refs, calls, strict=True)]

    def duplicates(self, params: NearDupParams, near: bool) -> RayDuplicates:
        return RayDuplicates(self, params, near)


class RayDuplicates:
    """The run's duplicate rules over the digests left in the cluster (the driver-side DuplicateIndex's
    stand-in: `findings` and `memory_bytes`)."""

    def __init__(self, executor: RayExecutor, params: NearDupParams, near: bool) -> None:
        self.executor = executor
        self.params = params
        self.near = near
        self.collected_bytes = 0

    def findings(self) -> list[Finding]:
        from dataprep.dedup.distributed import PartHandle, Place, find_distributed

        labels: list[str] = []
        roles: list[int] = []
        ids: dict[tuple[str, str], int] = {}
        handles: list[PartHandle] = []
        offset = 0
        for part in self.executor.parts:
            fid = ids.setdefault((part.label, part.role), len(labels))
            if fid == len(labels):
                labels.append(part.label)
                roles.append(0 if part.role == "train" else 1)
            place = Place(fid, roles[fid], offset, part.line_offset)
            handles.append(PartHandle(part.digests, place, part.rows))
            offset += part.rows
        partitions = max(1, min(self.executor.cpus(), len(handles)))
        runner = _RayRunner(self.executor)
        found = find_distributed(
            runner, handles, labels, roles, self.params, partitions=partitions, near=self.near
        )
        self.collected_bytes = runner.received
        return found

    def memory_bytes(self) -> int:
        """What the driver received for the duplicate rules (the rows in findings), after `findings`."""
        return self.collected_bytes


class _RayRunner:
    """dedup.distributed's stages as Ray tasks; the driver only passes object references along."""

    def __init__(self, executor: RayExecutor) -> None:
        self.executor = executor
        self.received = 0

    def submit(self, fn: Callable[..., Any], *args: Any) -> Any:
        return self.executor.task(fn).remote(*args)

    def submit_many(self, fn: Callable[..., list[Any]], *args: Any, returns: int) -> list[Any]:
        if returns == 1:
            return [self.executor.task(_only).options(name=fn.__name__).remote(fn, *args)]
        refs: list[Any] = self.executor.task(fn, returns).remote(*args)
        return refs

    def get(self, handles: list[Any]) -> list[Any]:
        values: list[Any] = self.executor.ray.get(handles)
        self.received += sum(_nbytes(v) for v in values)
        return values


def _only(fn: Callable[..., list[Any]], *args: Any) -> Any:
    (value,) = fn(*args)
    return value


def _nbytes(value: Any) -> int:
    """numpy bytes held by a dataclass of arrays (what the driver got from a stage)."""
    fields = getattr(value, "__dataclass_fields__", {})
    return sum(int(getattr(getattr(value, name), "nbytes", 0)) for name in fields)


def _check_shard(
    path: str | None, shard: Shard | None, block: Block | None, settings: CheckSettings
) -> tuple[tuple[BatchResult, FileFacts], DigestPart | None]:
    """In a Ray worker: check one shard of a JSONL file, a whole Parquet file (no shard) or one block sent from
    the driver. Returns the merged results without digests (they go to the driver) and the digests as a part
    (it stays here)."""
    from dataprep.io.inputs import as_source
    from dataprep.tokens import build_tokenizer

    build_tokenizer(settings.tokenizer)  # cached per worker process
    facts = FileFacts()
    merged = BatchResult()
    if path is not None and shard is not None:
        with open_any(path)[0] as handle:
            for piece in iter_blocks(handle, facts, settings.max_line_bytes, shard=shard):
                merged.merge(check_block(piece, settings))
    elif path is not None:
        with as_source(path, "train", path).blocks(facts, settings.max_line_bytes) as pieces:
            for piece in pieces:
                merged.merge(check_block(piece, settings))
    elif block is not None:
        merged = check_block(block, settings)
    part = None
    if settings.digests and merged.digests:
        from dataprep.dedup.digest import DEFAULT_PARAMS
        from dataprep.dedup.distributed import digest_part

        part = digest_part(merged.example_lines, merged.digests, DEFAULT_PARAMS.num_perm)
    merged.digests = []
    merged.example_lines = type(merged.example_lines)("l")
    return (merged, facts), part


def _merge_facts(into: FileFacts, shard: FileFacts, *, first: bool) -> None:
    """Facts of consecutive shards as one file's: sizes add up, the last shard knows the line count and the
    final newline, the first the BOM, the earliest CRLF wins."""
    into.size_bytes += shard.size_bytes
    into.lines = max(into.lines, shard.lines)
    into.final_newline = shard.final_newline
    if first:
        into.bom = shard.bom
    if not into.crlf_line and shard.crlf_line:
        into.crlf_line = shard.crlf_line


def _lines_of(block: Block) -> tuple[int, int]:
    from dataprep.validation.executors import block_lines

    return block_lines(block)
