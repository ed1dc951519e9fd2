"""Duplicate detection over a dataset cut into parts that stay where they were made (a cluster's object store).

`DuplicateIndex` holds every digest in one process. Here each part (the digests of one shard, `DigestPart`)
stays on the node that made it, and the dataset-wide work is done by shuffles of small keyed rows, in stages a
runner (`Runner`: in-process for tests, Ray tasks in `validation.ray_executor`) schedules:

  1. group      every part sends (exact | normal | prompt hash, row) to the partition of the hash; each
                partition keeps only rows whose hash is shared (duplicates, conflicts, leaks) and names the
                rows that are not near-duplicate representatives (later copies of a normalised text in a role)
  2. band       every part sends (band, band key, row, rank) of its representatives to the partition of the
                band key; each partition turns its LSH buckets into candidate pairs, exactly as
                `lsh.confirmed_pairs` does, and routes each pair to the part of its first row
  3. attach     the part of the first row attaches that row's signature and routes the pair to the part of
                the second row
  4. confirm    the part of the second row estimates the similarity where its signature is, and keeps the
                pairs at or above the threshold
  5. collect    the driver asks each part for the columns of the rows that are in a finding (and nothing else)
                and runs `findings.analyse` on that reduced index, with the confirmed pairs

Rows are numbered as `DuplicateIndex` numbers them (every example of every file, in file order), so ties are
broken the same way and the findings are identical, whatever the number of parts and partitions.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from dataprep.dedup.digest import ExampleDigest
from dataprep.dedup.findings import Columns, analyse
from dataprep.dedup.lsh import _CHUNK, _band_keys, _bucket_pairs, _distinct
from dataprep.dedup.minhash import corrected
from dataprep.dedup.params import NearDupParams
from dataprep.types import Finding

I64 = npt.NDArray[np.int64]
U64 = npt.NDArray[np.uint64]
_BAND_MIX = np.uint64(0x9E3779B97F4A7C15)  # spreads (band, key) over partitions; grouping uses both exactly


@dataclass(frozen=True)
class DigestPart:
    """The digests of one shard's examples as columns (examples in file order); signatures of rows that
    have one, back to back."""

    lines: I64
    exact: U64
    normal: U64
    prompt: U64
    answer: U64
    has_sig: npt.NDArray[np.bool_]
    sigs: npt.NDArray[np.uint16]

    def __len__(self) -> int:
        return int(self.lines.size)


def digest_part(lines: Sequence[int], digests: Sequence[ExampleDigest], num_perm: int) -> DigestPart:
    """One part from example line numbers and their digests (as `check_block` makes them)."""
    signed = [d.signature for d in digests if d.signature]
    sigs = np.frombuffer(b"".join(signed), dtype="<u2").reshape(-1, num_perm).astype(np.uint16)
    return DigestPart(
        lines=np.asarray(lines, dtype=np.int64),
        exact=np.array([d.exact for d in digests], dtype=np.uint64),
        normal=np.array([d.normal for d in digests], dtype=np.uint64),
        prompt=np.array([d.prompt for d in digests], dtype=np.uint64),
        answer=np.array([d.answer for d in digests], dtype=np.uint64),
        has_sig=np.array([bool(d.signature) for d in digests], dtype=bool),
        sigs=sigs,
    )


@dataclass(frozen=True)
class Place:
    """Where a part sits in the dataset: its file (index into the run's labels), role (0 train, 1
    validation), the global row of its first example, and what to add to its line numbers (a shard that
    numbered its lines from 1)."""

    file: int
    role: int
    offset: int
    line_offset: int = 0


# ---- stage 1: group by hash -------------------------------------------------------------------------------


@dataclass(frozen=True)
class KeyRows:
    """One part's rows bound for one partition: (hash, row) for each of the three hashes; normal rows carry
    their role and whether they have a signature."""

    exact: I64  # (2, n): hash as int64 bits, row
    normal: I64  # (4, n): hash, row, role, has_sig
    prompt: I64  # (2, n)


def _bits(values: U64) -> I64:
    return values.view(np.int64)


def group_map(part: DigestPart, place: Place, partitions: int) -> list[KeyRows]:
    rows = np.arange(len(part), dtype=np.int64) + place.offset
    role = np.full(len(part), place.role, dtype=np.int64)
    exact = np.stack((_bits(part.exact), rows))
    normal = np.stack((_bits(part.normal), rows, role, part.has_sig.astype(np.int64)))
    with_prompt = part.prompt != 0
    prompt = np.stack((_bits(part.prompt[with_prompt]), rows[with_prompt]))
    pe, pn, pp = (
        (part.exact % np.uint64(partitions)).astype(np.int64),
        (part.normal % np.uint64(partitions)).astype(np.int64),
        (part.prompt[with_prompt] % np.uint64(partitions)).astype(np.int64),
    )
    return [KeyRows(exact[:, pe == p], normal[:, pn == p], prompt[:, pp == p]) for p in range(partitions)]


@dataclass(frozen=True)
class Groups:
    """What one partition found: rows in a group of two or more (any hash), and rows with a signature that
    are not the first of their (normalised text, role): they take no part in near-duplicate search."""

    rows: I64
    not_reps: I64


def group_reduce(*pieces: KeyRows) -> Groups:
    exact = np.concatenate([p.exact for p in pieces], axis=1)
    normal = np.concatenate([p.normal for p in pieces], axis=1)
    prompt = np.concatenate([p.prompt for p in pieces], axis=1)
    found = [_shared(exact[0], exact[1]), _shared(normal[0], normal[1]), _shared(prompt[0], prompt[1])]
    # Representatives: per (normalised text, role), the first row that has a signature.
    signed = normal[:, normal[3] == 1]
    order = np.lexsort((signed[1], signed[2], signed[0]))
    key, role = signed[0][order], signed[2][order]
    later = np.zeros(order.size, dtype=bool)
    later[1:] = (key[1:] == key[:-1]) & (role[1:] == role[:-1])
    return Groups(_distinct(np.concatenate(found)), np.sort(signed[1][order][later]))


def _shared(keys: I64, rows: I64) -> I64:
    """Rows whose key is held by two rows or more."""
    if keys.size < 2:
        return np.empty(0, dtype=np.int64)
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    same = ordered[1:] == ordered[:-1]
    mask = np.zeros(keys.size, dtype=bool)
    mask[1:] |= same
    mask[:-1] |= same
    out: I64 = rows[order][mask]
    return out


# ---- stage 2: LSH buckets ---------------------------------------------------------------------------------


def band_map(
    part: DigestPart, place: Place, not_reps: I64, params: NearDupParams, partitions: int
) -> list[I64]:
    """(band, key, row, rank) of this part's representatives, one array (4, n) per partition."""
    sig_rows = np.flatnonzero(part.has_sig)
    keep = ~np.isin(sig_rows + place.offset, not_reps)
    rows = sig_rows[keep]
    if not rows.size:
        return [np.empty((4, 0), dtype=np.int64) for _ in range(partitions)]
    keys = _band_keys(part.sigs[keep], params)  # (bands, n)
    bands = np.repeat(np.arange(params.bands, dtype=np.uint64), rows.size)
    flat = keys.reshape(-1)
    target = ((flat ^ (bands * _BAND_MIX)) % np.uint64(partitions)).astype(np.int64)
    table = np.stack(
        (
            bands.astype(np.int64),
            _bits(flat),
            np.tile(rows + place.offset, params.bands),
            _bits(np.tile(part.normal[rows], params.bands)),
        )
    )
    return _split(table, target, partitions)


def _split(table: I64, target: I64, partitions: int) -> list[I64]:
    """The columns of `table` cut by target partition, keeping their order within each."""
    order = np.argsort(target.astype(np.uint32), kind="stable")
    bounds = np.searchsorted(target[order], np.arange(partitions + 1)).tolist()
    ordered = table[:, order]
    return [ordered[:, lo:hi] for lo, hi in itertools.pairwise(bounds)]


def band_reduce(offsets: I64, *pieces: I64) -> list[I64]:
    """Candidate pairs (2, n) of the buckets in this partition, one array per part of the pair's first row.

    Rows are put in row order first, so an oversized bucket is walked exactly as `lsh._bucket_pairs` walks
    it over the representatives of the whole dataset."""
    table = np.concatenate(pieces, axis=1)
    # Each piece is band-major with rows ascending, and pieces come in row order: a stable sort by band
    # (a radix sort on 16 bits) leaves each band's rows ascending.
    table = table[:, np.argsort(table[0].astype(np.uint16), kind="stable")]
    starts = (
        np.flatnonzero(np.concatenate(([True], table[0, 1:] != table[0, :-1]))) if table.size else table[0]
    )
    ends = np.append(starts[1:], table.shape[1])
    firsts: list[I64] = []
    seconds: list[I64] = []
    for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
        rows = table[2, start:end]
        a, b = _bucket_pairs(table[1, start:end].view(np.uint64), table[3, start:end].view(np.uint64))
        firsts.append(rows[a])
        seconds.append(rows[b])
    if not firsts:
        return [np.empty((2, 0), dtype=np.int64) for _ in range(offsets.size)]
    return _by_owner(np.stack((np.concatenate(firsts), np.concatenate(seconds))), 0, offsets)


def _by_owner(pairs: I64, side: int, offsets: I64) -> list[I64]:
    """The pairs (2, n) cut by the part that holds their row on `side`, one array per part."""
    owner = np.searchsorted(offsets, pairs[side], side="right") - 1
    order = np.argsort(owner, kind="stable")
    bounds = np.searchsorted(owner[order], np.arange(offsets.size + 1))
    ordered = pairs[:, order]
    return [ordered[:, bounds[s] : bounds[s + 1]] for s in range(offsets.size)]


# ---- stages 3 and 4: confirm where the signatures are -----------------------------------------------------


@dataclass(frozen=True)
class Attached:
    """Pairs bound for one part, with the signatures of their first rows (each first row's once)."""

    pairs: I64  # (2, n)
    which: I64  # per pair: its first row's signature in `sigs`
    sigs: npt.NDArray[np.uint16]


def _sig_index(part: DigestPart) -> I64:
    index: I64 = np.cumsum(part.has_sig) - 1
    return index


def attach(part: DigestPart, place: Place, offsets: I64, *pieces: I64) -> list[Attached]:
    """Pairs whose first row is in this part, once each, with that row's signature, by the second's part."""
    pairs = np.concatenate(pieces, axis=1)
    n = int(pairs.max()) + 1 if pairs.size else 1
    codes = _distinct(pairs[0] * n + pairs[1]) if pairs.size else np.empty(0, dtype=np.int64)
    first, second = np.divmod(codes, n)
    owner = np.searchsorted(offsets, second, side="right") - 1
    order = np.argsort(owner, kind="stable")
    bounds = np.searchsorted(owner[order], np.arange(offsets.size + 1)).tolist()
    first, second = first[order], second[order]
    sig_of = _sig_index(part)
    out = []
    for lo, hi in itertools.pairwise(bounds):
        rows = _distinct(first[lo:hi])
        which = np.searchsorted(rows, first[lo:hi])
        out.append(
            Attached(np.stack((first[lo:hi], second[lo:hi])), which, part.sigs[sig_of[rows - place.offset]])
        )
    return out


@dataclass(frozen=True)
class Confirmed:
    first: I64
    second: I64
    sims: npt.NDArray[np.float64]


def confirm(part: DigestPart, place: Place, threshold: float, *pieces: Attached) -> Confirmed:
    """The pairs whose second row is in this part, with their estimated similarity (as `lsh.estimate`
    computes it), kept at the threshold."""
    firsts, seconds, kept = [], [], []
    sig_of = _sig_index(part)
    width = part.sigs.shape[1] if part.sigs.ndim == 2 else 1
    for piece in pieces:
        m = piece.pairs.shape[1]
        shares = np.empty(m, dtype=np.float64)
        for start in range(0, m, _CHUNK):
            a = piece.sigs[piece.which[start : start + _CHUNK]]
            b = part.sigs[sig_of[piece.pairs[1, start : start + _CHUNK] - place.offset]]
            shares[start : start + _CHUNK] = np.count_nonzero(a == b, axis=1) / width
        sims = np.asarray(corrected(shares), dtype=np.float64)
        keep = sims >= threshold
        firsts.append(piece.pairs[0][keep])
        seconds.append(piece.pairs[1][keep])
        kept.append(sims[keep])
    empty = np.empty(0, dtype=np.int64)
    return Confirmed(
        np.concatenate(firsts) if firsts else empty,
        np.concatenate(seconds) if seconds else empty,
        np.concatenate(kept) if kept else np.empty(0, dtype=np.float64),
    )


# ---- stage 5: collect what the findings need --------------------------------------------------------------


@dataclass(frozen=True)
class RowColumns:
    rows: I64
    file: I64
    line: I64
    exact: U64
    normal: U64
    prompt: U64
    answer: U64


def columns_of(part: DigestPart, place: Place, rows: I64) -> RowColumns:
    local = rows - place.offset
    return RowColumns(
        rows,
        np.full(rows.size, place.file, dtype=np.int64),
        part.lines[local] + place.line_offset,
        part.exact[local],
        part.normal[local],
        part.prompt[local],
        part.answer[local],
    )


# ---- the driver ------------------------------------------------------------------------------------------


class Runner(Protocol):
    """Schedules the stages: `submit` starts fn(*args) and returns a handle to its value; `submit_many`
    starts an fn that returns a list of `returns` values and returns one handle per value; `get` waits for
    handles and returns their values. Handles may be passed as arguments to later submits."""

    def submit(self, fn: Callable[..., Any], *args: Any) -> Any: ...

    def submit_many(self, fn: Callable[..., list[Any]], *args: Any, returns: int) -> list[Any]: ...

    def get(self, handles: list[Any]) -> list[Any]: ...


class InProcessRunner:
    """Every stage as a plain call (tests, and the reference the Ray runner must agree with)."""

    def submit(self, fn: Callable[..., Any], *args: Any) -> Any:
        return fn(*args)

    def submit_many(self, fn: Callable[..., list[Any]], *args: Any, returns: int) -> list[Any]:
        return fn(*args)

    def get(self, handles: list[Any]) -> list[Any]:
        return handles


@dataclass(frozen=True)
class PartHandle:
    """A part as the driver knows it: a handle to its digests (wherever they are), where it sits, its size."""

    digests: Any
    place: Place
    rows: int


def find_distributed(
    runner: Runner,
    parts: Sequence[PartHandle],
    labels: list[str],
    file_roles: Sequence[int],
    params: NearDupParams,
    *,
    partitions: int,
    near: bool,
) -> list[Finding]:
    """Every duplicate, conflict and leakage finding over the parts, identical to `DuplicateIndex.findings`
    fed the same examples in the same order. Parts must be in row order with consecutive offsets."""
    parts = [p for p in parts if p.rows]
    total = sum(p.rows for p in parts)
    if total < 2:
        return []
    offsets = np.array([p.place.offset for p in parts], dtype=np.int64)
    mapped = [
        runner.submit_many(group_map, p.digests, p.place, partitions, returns=partitions) for p in parts
    ]
    reduced = [runner.submit(group_reduce, *_column(mapped, j)) for j in range(partitions)]
    groups: list[Groups] = runner.get(reduced)
    wanted = _distinct(np.concatenate([g.rows for g in groups]))
    pairs = Confirmed(*(np.empty(0, dtype=np.int64),) * 2, np.empty(0, dtype=np.float64))
    if near:
        not_reps = np.sort(np.concatenate([g.not_reps for g in groups]))
        pairs = _near(runner, parts, offsets, not_reps, params, partitions)
        wanted = _distinct(np.concatenate((wanted, pairs.first, pairs.second)))
    columns = _collect(runner, parts, offsets, wanted, labels, file_roles)
    local = np.searchsorted(wanted, pairs.first), np.searchsorted(wanted, pairs.second)
    keep = columns.normal[local[0]] != columns.normal[local[1]]
    near_pairs = (local[0][keep], local[1][keep], pairs.sims[keep])
    return analyse(columns, params, near=near_pairs)


def _near(
    runner: Runner,
    parts: Sequence[PartHandle],
    offsets: I64,
    not_reps: I64,
    params: NearDupParams,
    partitions: int,
) -> Confirmed:
    count = len(parts)
    banded = [
        runner.submit_many(
            band_map, p.digests, p.place, _slice(not_reps, p), params, partitions, returns=partitions
        )
        for p in parts
    ]
    buckets = [
        runner.submit_many(band_reduce, offsets, *_column(banded, j), returns=count)
        for j in range(partitions)
    ]
    attached = [
        runner.submit_many(attach, p.digests, p.place, offsets, *_column(buckets, s), returns=count)
        for s, p in enumerate(parts)
    ]
    confirmed = [
        runner.submit(confirm, p.digests, p.place, params.threshold, *_column(attached, s))
        for s, p in enumerate(parts)
    ]
    done: list[Confirmed] = runner.get(confirmed)
    return Confirmed(
        np.concatenate([c.first for c in done]),
        np.concatenate([c.second for c in done]),
        np.concatenate([c.sims for c in done]),
    )


def _collect(
    runner: Runner,
    parts: Sequence[PartHandle],
    offsets: I64,
    wanted: I64,
    labels: list[str],
    file_roles: Sequence[int],
) -> Columns:
    owner = np.searchsorted(offsets, wanted, side="right") - 1
    asked = [
        runner.submit(columns_of, p.digests, p.place, wanted[owner == s])
        for s, p in enumerate(parts)
        if (owner == s).any()
    ]
    got: list[RowColumns] = runner.get(asked)
    empty = np.empty(0, dtype=np.int64)

    def joined(name: str, dtype: type) -> Any:
        return np.concatenate([getattr(g, name) for g in got]).astype(dtype) if got else empty.astype(dtype)

    return Columns(
        labels=labels,
        file_roles=np.array(file_roles, dtype=np.uint8),
        file=joined("file", np.int64),
        line=joined("line", np.int64),
        exact=joined("exact", np.uint64),
        normal=joined("normal", np.uint64),
        prompt=joined("prompt", np.uint64),
        answer=joined("answer", np.uint64),
        sig_rows=empty,
        sigs=np.empty((0, 0), dtype=np.uint16),
    )


def _column(handles: list[list[Any]], j: int) -> list[Any]:
    """The j-th output of every task."""
    return [h[j] for h in handles]


def _slice(rows: I64, part: PartHandle) -> I64:
    lo, hi = np.searchsorted(rows, [part.place.offset, part.place.offset + part.rows])
    out: I64 = rows[lo:hi]
    return out
