"""Which rows of a dataset must land on the same side of a train/validation split.

Rows are linked when they share a split key (their canonical content, or a group value), when they are the
same after normalisation (what DP405 compares), or when the validator would confirm them as near-duplicates
(what DP406 reports): the same digests, the same representatives (the first row of each normalised text),
the same LSH candidates and the same threshold as `DuplicateIndex`. Linked rows form clusters (connected
components); each cluster gets one hash that decides its side.

A cluster's hash depends only on its members' key hashes: when they all share one (a single example, exact
copies, one group) it is that hash, so data without duplicates splits as before; otherwise it is a mix of
the smallest member hash (uniform again, so big clusters are no likelier to go to validation than single
examples).
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from dataprep.dedup.digest import ExampleDigest, example_digests
from dataprep.dedup.lsh import confirmed_pairs
from dataprep.dedup.minhash import as_matrix
from dataprep.dedup.params import NearDupParams
from dataprep.schema.checks import detect_kind
from dataprep.types import Kind

U64 = npt.NDArray[np.uint64]
I64 = npt.NDArray[np.int64]
BATCH = 1000
_KIND_LOOKAHEAD = 1000  # like `dataprep validate`: the first record with a recognisable kind decides


class SplitClusters:
    """Feed every row in file order (`add`), then read one side-deciding hash per row (`hashes`).

    About 16 bytes per row plus a 256-byte signature per row with text (the duplicate index's figures).
    """

    def __init__(self, params: NearDupParams | None = None, *, near: bool = True, kind: Kind | None = None):
        self.params = params or NearDupParams()
        self.near = near
        self.kind = kind
        self._keys = array("Q")
        self._normal = array("Q")  # 0: a row that is not a record (no content links)
        self._sig_rows = array("I")
        self._sigs = bytearray()
        self._pending: list[tuple[int, Any]] = []
        self.largest = 1  # rows in the largest cluster, after `hashes`
        self.clustered = 0  # rows in clusters of two or more, after `hashes`

    def add(self, key_hash: int, record: Any | None) -> None:
        """One row: its key hash and its record (None for a line that is not a JSON object)."""
        row = len(self._keys)
        self._keys.append(key_hash)
        self._normal.append(0)
        if record is not None:
            self._pending.append((row, record))
            if len(self._pending) >= BATCH:
                self._digest()

    def hashes(self) -> U64:
        """The side-deciding hash of every row, in the order added."""
        self._digest()
        keys = np.frombuffer(self._keys, dtype=np.uint64) if self._keys else np.empty(0, np.uint64)
        n = keys.size
        if n == 0:
            return np.empty(0, dtype=np.uint64)
        normal = np.frombuffer(self._normal, dtype=np.uint64)
        edges = [_equal_edges(keys), _equal_edges(normal, skip_zero=True)]
        if self.near and len(self._sig_rows) > 1:
            edges.append(self._near_edges(normal))
        first = np.concatenate([e[0] for e in edges])
        second = np.concatenate([e[1] for e in edges])
        label = components(n, first, second)
        low = np.full(n, np.iinfo(np.uint64).max, dtype=np.uint64)
        high = np.zeros(n, dtype=np.uint64)
        np.minimum.at(low, label, keys)
        np.maximum.at(high, label, keys)
        size = np.bincount(label, minlength=n)
        self.largest = int(size.max())
        self.clustered = int(np.count_nonzero(size[label] > 1))
        unit = np.where(low == high, low, _mix(low))
        out: U64 = unit[label]
        return out

    def _digest(self) -> None:
        if not self._pending:
            return
        records = [record for _, record in self._pending]
        if self.kind is None:
            self.kind = _first_kind(records)
        digests = example_digests(records, self.kind, near=self.near, params=self.params)
        for (row, _), digest in zip(self._pending, digests, strict=True):
            self._take(row, digest)
        self._pending.clear()

    def _take(self, row: int, digest: ExampleDigest) -> None:
        self._normal[row] = digest.normal
        if digest.signature:
            self._sig_rows.append(row)
            self._sigs += digest.signature

    def _near_edges(self, normal: U64) -> tuple[I64, I64]:
        """Confirmed near-duplicate pairs between the first rows of each normalised text, as the index
        finds them (`findings.near_pairs`): its representatives, its LSH order and its threshold."""
        sig_rows = np.frombuffer(self._sig_rows, dtype=np.uint32).astype(np.int64)
        key = normal[sig_rows]
        order = np.lexsort((np.arange(sig_rows.size), key))
        first = np.ones(order.size, dtype=bool)
        first[1:] = key[order][1:] != key[order][:-1]
        reps = np.sort(order[first])
        rows = sig_rows[reps]
        sigs = as_matrix(self._sigs, self.params.num_perm)[reps]
        a, b, _ = confirmed_pairs(sigs, self.params, normal[rows])
        return rows[a], rows[b]


def components(n: int, first: I64, second: I64) -> I64:
    """Connected components of n nodes joined by the edges (first[i], second[i]): each node's label is the
    smallest node of its component. Hooking of roots plus pointer jumping, all in numpy."""
    label = np.arange(n, dtype=np.int64)
    if not first.size:
        return label
    while True:
        la, lb = label[first], label[second]
        differ = la != lb
        if not differ.any():
            return label
        la, lb = la[differ], lb[differ]
        low = np.minimum(la, lb)
        np.minimum.at(label, la, low)
        np.minimum.at(label, lb, low)
        while True:
            jumped = label[label]
            if np.array_equal(jumped, label):
                break
            label = jumped


def _equal_edges(keys: U64, *, skip_zero: bool = False) -> tuple[I64, I64]:
    """Edges joining each row to the previous row with the same key."""
    order = np.argsort(keys, kind="stable").astype(np.int64)
    ordered = keys[order]
    same = ordered[1:] == ordered[:-1]
    if skip_zero:
        same &= ordered[1:] != 0
    at = np.flatnonzero(same)
    return order[at], order[at + 1]


def _mix(values: U64) -> U64:
    """splitmix64's finaliser: a fixed bijection that makes the minimum of several hashes uniform again."""
    z = values.copy()
    z ^= z >> np.uint64(30)
    z *= np.uint64(0xBF58476D1CE4E5B9)
    z ^= z >> np.uint64(27)
    z *= np.uint64(0x94D049BB133111EB)
    z ^= z >> np.uint64(31)
    out: U64 = z
    return out


def _first_kind(records: Sequence[Any]) -> Kind:
    for record in records[:_KIND_LOOKAHEAD]:
        kind = detect_kind(record)
        if kind is not None:
            return kind
    return Kind.CHAT
