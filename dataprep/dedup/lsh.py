"""Locality-sensitive hashing over MinHash signatures: candidate pairs by banding, confirmed by similarity.

Banding: the signature is cut into `bands` bands of `rows` values; two examples that agree on a whole band
are a candidate pair. The chance for a pair of Jaccard similarity s is 1 - (1 - s^rows)^bands (at 32 x 4:
0.87 at s = 0.5, 0.99 at 0.6, 0.003 at 0.1). Every candidate is then confirmed by its similarity estimated
from the full signatures (standard error about 0.044 at s = 0.5 with 128 values), so banding only decides
which pairs are looked at, never which are reported.

A bucket larger than BUCKET_CAP (many examples agreeing on one band) is not expanded into all its pairs:
each member is paired with the bucket's first member and with its neighbour, which keeps the work linear and
still links every member that is similar to either. "First" and "neighbour" follow `rank` (a content key per
row, e.g. the normalised-text hash), not the rows' positions: the pairs then depend only on which examples
share the bucket, so a train/validation split that puts near-duplicate pairs on one side sees the same pairs
as the validator checking the two files it wrote.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import numpy.typing as npt

from dataprep.dedup.minhash import corrected
from dataprep.dedup.params import BUCKET_CAP, NearDupParams

__all__ = ["BUCKET_CAP", "confirmed_pairs", "estimate"]
_CHUNK = 1 << 14  # pairs compared at once: two 4 MB slices of signatures and their comparison
# Candidate pairs collected across bands before they are confirmed: each flush holds a few arrays of this
# many 8-byte values (4 MB each), so it bounds the search's temporary memory; the pairs do not depend on it.
_PENDING_MAX = 1 << 19

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


def confirmed_pairs(
    sigs: npt.NDArray[np.uint16],
    params: NearDupParams,
    rank: npt.NDArray[np.uint64] | None = None,
    subset: IntArray | None = None,
) -> tuple[IntArray, IntArray, FloatArray]:
    """Pairs (i < j) of rows of `sigs` whose estimated Jaccard similarity is at least the threshold.

    rank: a key per row that orders the members of an oversized bucket (default: the row number).
    subset: take part with these rows of `sigs` only (ascending); i and j are then positions in `subset`, as
    if `sigs[subset]` had been passed, without that copy of the signatures (256 MB at a million examples)."""
    n = sigs.shape[0] if subset is None else subset.size
    # Confirmed pairs so far, as sorted distinct codes first * n + second, with their similarities: a
    # near-duplicate pair shares many bands, and keeping each flush's copy of it took about 150 MB at 1M examples.
    codes_found = np.empty(0, dtype=np.int64)
    sims_found = np.empty(0, dtype=np.float64)
    pending: list[IntArray] = []
    waiting = 0

    def confirm() -> None:
        nonlocal codes_found, sims_found
        # A pair that shares several bands is compared once per flush, and not again once confirmed.
        codes = _distinct(np.concatenate(pending))
        pending.clear()
        codes = codes[~_within(codes, codes_found)]
        first, second = np.divmod(codes, n)
        sims = estimate(sigs, first, second, subset)
        keep = sims >= params.threshold
        merged = np.concatenate((codes_found, codes[keep]))
        order = np.argsort(merged, kind="stable")
        codes_found = merged[order]
        sims_found = np.concatenate((sims_found, sims[keep]))[order]

    for band_keys in _each_band(sigs, params, subset) if n > 1 else ():
        first, second = _bucket_pairs(band_keys, rank)
        if first.size:
            pending.append(first * n + second)
            waiting += first.size
        if waiting >= _PENDING_MAX:
            confirm()
            waiting = 0
    if pending:
        confirm()
    first, second = np.divmod(codes_found, n)
    return first, second, sims_found


def _within(values: IntArray, ordered: IntArray) -> npt.NDArray[np.bool_]:
    """For each of `values`, whether it is in `ordered` (sorted, distinct)."""
    if not ordered.size:
        return np.zeros(values.size, dtype=bool)
    at = np.searchsorted(ordered, values)
    inside = at < ordered.size
    inside[inside] = ordered[at[inside]] == values[inside]
    return inside


def _distinct(values: IntArray) -> IntArray:
    """Sorted distinct values (np.unique is two orders of magnitude slower on int64 in numpy 2.4)."""
    ordered = np.sort(values)
    keep = np.ones(ordered.size, dtype=bool)
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    distinct: IntArray = ordered[keep]  # typed: numpy < 2.4 (mistral-common's pin) types the indexing as Any
    return distinct


def estimate(
    sigs: npt.NDArray[np.uint16], first: IntArray, second: IntArray, subset: IntArray | None = None
) -> FloatArray:
    """Estimated Jaccard similarity of each pair (first[p], second[p]) (positions in `subset`, if given)."""
    out = np.empty(first.size, dtype=np.float64)
    width = sigs.shape[1]
    for start in range(0, first.size, _CHUNK):
        a_rows, b_rows = first[start : start + _CHUNK], second[start : start + _CHUNK]
        if subset is not None:
            a_rows, b_rows = subset[a_rows], subset[b_rows]
        a = sigs[a_rows]
        b = sigs[b_rows]
        out[start : start + _CHUNK] = np.count_nonzero(a == b, axis=1) / width
    return np.asarray(corrected(out), dtype=np.float64)


def _each_band(
    sigs: npt.NDArray[np.uint16], params: NearDupParams, subset: IntArray | None = None
) -> Iterator[npt.NDArray[np.uint64]]:
    """The keys of one band at a time (`_band_keys` row by row, of the `subset` rows if given): a few MB each
    instead of a transposed copy of every signature (256 MB at a million examples)."""
    rows = slice(None) if subset is None else subset
    if params.rows == 4:
        words = np.ascontiguousarray(sigs).view(np.uint64)
        for band in range(params.bands):
            yield np.ascontiguousarray(words[rows, band])
        return
    multipliers = np.random.default_rng(params.seed).integers(1, 2**63, size=params.rows, dtype=np.uint64)
    for band in range(params.bands):
        block = sigs[rows, band * params.rows : (band + 1) * params.rows].astype(np.uint64)
        keys: npt.NDArray[np.uint64] = (block * (multipliers | np.uint64(1))).sum(axis=1, dtype=np.uint64)
        yield keys


def _band_keys(sigs: npt.NDArray[np.uint16], params: NearDupParams) -> npt.NDArray[np.uint64]:
    """One row of keys per band, (bands, n). Four 16-bit values are one band's key as they lie in memory."""
    if params.rows == 4:
        packed: npt.NDArray[np.uint64] = np.ascontiguousarray(np.ascontiguousarray(sigs).view(np.uint64).T)
        return packed
    # Other band widths: a seeded multiply-add hash of the band's values (collisions only add candidates).
    multipliers = np.random.default_rng(params.seed).integers(1, 2**63, size=params.rows, dtype=np.uint64)
    blocks = sigs.reshape(sigs.shape[0], params.bands, params.rows).astype(np.uint64)
    hashed: npt.NDArray[np.uint64] = (blocks * (multipliers | np.uint64(1))).sum(axis=2, dtype=np.uint64).T
    return np.ascontiguousarray(hashed)


def _bucket_pairs(
    keys: npt.NDArray[np.uint64], rank: npt.NDArray[np.uint64] | None = None
) -> tuple[IntArray, IntArray]:
    """All pairs (i < j) of rows sharing a key; for buckets over BUCKET_CAP, anchor and neighbour pairs."""
    order = np.argsort(keys).astype(
        np.int64, copy=False
    )  # bucket order does not matter: pairs are (low, high)
    ordered = keys[order]
    same = ordered[1:] == ordered[:-1]
    if not same.any():
        empty = np.empty(0, dtype=np.int64)
        return empty, empty
    edges = np.diff(np.concatenate(([0], same.view(np.int8), [0])))
    starts = np.flatnonzero(edges == 1)
    lengths = np.flatnonzero(edges == -1) + 1 - starts
    firsts: list[IntArray] = []
    seconds: list[IntArray] = []
    for length in _distinct(lengths):
        at = starts[lengths == length]
        if length <= BUCKET_CAP:
            a, b = np.triu_indices(int(length), 1)
            firsts.append(order[at[:, None] + a].ravel())
            seconds.append(order[at[:, None] + b].ravel())
            continue
        for start in at:
            members = np.sort(order[start : start + length])
            if rank is not None:  # anchor on the smallest content key (ties: the earliest row)
                members = members[np.lexsort((members, rank[members]))]
            firsts.extend((np.repeat(members[:1], length - 1), members[:-1]))
            seconds.extend((members[1:], members[1:]))
    first = np.concatenate(firsts)
    firsts.clear()  # each band's pairs are held once at a time (about 7 MB a copy at a million examples)
    second = np.concatenate(seconds)
    seconds.clear()
    low = np.minimum(first, second)
    high: IntArray = np.maximum(first, second, out=second)
    return low, high
