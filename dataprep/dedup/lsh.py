"""Locality-sensitive hashing over MinHash signatures: candidate pairs by banding, confirmed by similarity.

Banding: the signature is cut into `bands` bands of `rows` values; two examples that agree on a whole band
are a candidate pair. The chance for a pair of Jaccard similarity s is 1 - (1 - s^rows)^bands (at 32 x 4:
0.87 at s = 0.5, 0.99 at 0.6, 0.003 at 0.1). Every candidate is then confirmed by its similarity estimated
from the full signatures (standard error about 0.044 at s = 0.5 with 128 values), so banding only decides
which pairs are looked at, never which are reported.

A bucket larger than BUCKET_CAP (many examples agreeing on one band) is not expanded into all its pairs:
each member is paired with the bucket's first member and with its neighbour, which keeps the work linear and
still links every member that is similar to either.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from dataprep.dedup.minhash import corrected
from dataprep.dedup.params import NearDupParams

BUCKET_CAP = 32
_CHUNK = 1 << 16  # pairs compared at once: bounds the temporary arrays to a few MB

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


def confirmed_pairs(
    sigs: npt.NDArray[np.uint16], params: NearDupParams
) -> tuple[IntArray, IntArray, FloatArray]:
    """Pairs (i < j) of rows of `sigs` whose estimated Jaccard similarity is at least the threshold."""
    n = sigs.shape[0]
    found: list[tuple[IntArray, IntArray, FloatArray]] = []
    for band in range(params.bands if n > 1 else 0):
        keys = _band_keys(sigs[:, band * params.rows : (band + 1) * params.rows], params.seed + band)
        first, second = _bucket_pairs(keys)
        if first.size:
            sims = estimate(sigs, first, second)
            keep = sims >= params.threshold
            found.append((first[keep], second[keep], sims[keep]))
    if not found:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty, np.empty(0, dtype=np.float64)
    first = np.concatenate([f[0] for f in found])
    second = np.concatenate([f[1] for f in found])
    sims = np.concatenate([f[2] for f in found])
    # The same pair may share several bands: keep one, in (i, j) order.
    _, unique = np.unique(first * n + second, return_index=True)
    return first[unique], second[unique], sims[unique]


def estimate(sigs: npt.NDArray[np.uint16], first: IntArray, second: IntArray) -> FloatArray:
    """Estimated Jaccard similarity of each pair (first[p], second[p])."""
    out = np.empty(first.size, dtype=np.float64)
    width = sigs.shape[1]
    for start in range(0, first.size, _CHUNK):
        a = sigs[first[start : start + _CHUNK]]
        b = sigs[second[start : start + _CHUNK]]
        out[start : start + _CHUNK] = np.count_nonzero(a == b, axis=1) / width
    return np.asarray(corrected(out), dtype=np.float64)


def _band_keys(block: npt.NDArray[np.uint16], seed: int) -> npt.NDArray[np.uint64]:
    wide = block.astype(np.uint64)
    if block.shape[1] <= 4:  # up to four 16-bit values pack into a key exactly
        shifts = np.arange(block.shape[1], dtype=np.uint64) * np.uint64(16)
        packed: npt.NDArray[np.uint64] = np.bitwise_or.reduce(wide << shifts, axis=1)
        return packed
    multipliers = np.random.default_rng(seed).integers(1, 2**63, size=block.shape[1], dtype=np.uint64)
    hashed: npt.NDArray[np.uint64] = (wide * (multipliers | np.uint64(1))).sum(axis=1, dtype=np.uint64)
    return hashed


def _bucket_pairs(keys: npt.NDArray[np.uint64]) -> tuple[IntArray, IntArray]:
    """All pairs (i < j) of rows sharing a key; for buckets over BUCKET_CAP, anchor and neighbour pairs."""
    order = np.argsort(keys, kind="stable").astype(np.int64)
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
    for length in np.unique(lengths):
        at = starts[lengths == length]
        if length <= BUCKET_CAP:
            a, b = np.triu_indices(int(length), 1)
            firsts.append(order[at[:, None] + a].ravel())
            seconds.append(order[at[:, None] + b].ravel())
            continue
        for start in at:
            members = order[start : start + length]
            firsts.extend((np.repeat(members[:1], length - 1), members[:-1]))
            seconds.extend((members[1:], members[1:]))
    first = np.concatenate(firsts)
    second = np.concatenate(seconds)
    return np.minimum(first, second), np.maximum(first, second)
