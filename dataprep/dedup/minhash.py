"""MinHash signatures of short texts, vectorised with numpy: one-permutation hashing with rotation densification.

Why this shape (measured in docs/duplicates.md):
- Shingles are 8-byte windows of the normalised text (punctuation deleted) that start at a word: at the text's
  start, after each space, and at each character of three or more UTF-8 bytes (CJK and other scripts written
  without spaces). They are read straight out of the bytes as little-endian uint64 values through one strided
  numpy view: no Python loop over words and no hashing call per shingle. On chat text they separate edited
  copies from unrelated examples as well as every-byte 8-grams do, with a quarter of the shingles.
- One-permutation hashing (Li, Owen, Zhang 2012): every shingle is hashed once with a seeded
  multiply-xorshift-multiply mix; the top bits pick one of `num_perm` bins and the smallest hash in each bin is
  that bin's minimum. Cost is O(shingles), not O(shingles x num_perm) as with k separate permutations.
- Empty bins (texts with fewer shingles than bins) borrow from the next non-empty bin to the right
  (rotation densification, Shrivastava and Li 2014): a hash of its full minimum and the distance travelled,
  which keeps P(equal) = Jaccard; see `_densify` for why not its 16-bit fingerprint plus an offset.
- Each bin keeps a 16-bit fingerprint of its minimum (b-bit MinHash, Li and König 2010): 256 bytes per
  signature at 128 bins; the 1/65536 chance that two different minima share a fingerprint is corrected for.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from dataprep.dedup.params import FINGERPRINT_COLLISION, SEED_MULTIPLIERS, NearDupParams
from dataprep.dedup.shingles import PAD, shingle_bytes_of, shingles

__all__ = [
    "BATCH_BYTES",
    "as_matrix",
    "corrected",
    "shingle_bytes_of",
    "shingles",
    "signature",
    "signatures",
    "similarity",
]

U16 = npt.NDArray[np.uint16]
U64 = npt.NDArray[np.uint64]
_EMPTY = np.uint64(2**64 - 1)
_FP_SHIFT = np.uint64(16)
_FP_MASK = np.uint64(0xFFFF)
_MIX_SHIFT = np.uint64(32)
_COLLIDE = FINGERPRINT_COLLISION
BATCH_BYTES = 256 * 1024


class _Constants(NamedTuple):
    mul1: np.uint64
    mul2: np.uint64
    bin_shift: np.uint64
    bin_bits: np.uint64
    window_mask: np.uint64
    doubled: npt.NDArray[np.intp]


@lru_cache(maxsize=16)
def _constants(seed: int, num_perm: int, shingle_bytes: int) -> _Constants:
    if seed in SEED_MULTIPLIERS:  # numpy.random (about 10 ms to import) is needed for other seeds only
        mul1, mul2 = SEED_MULTIPLIERS[seed]
    else:
        rng = np.random.default_rng(seed)
        mul1, mul2 = (int(v) | 1 for v in rng.integers(1, 2**63, size=2, dtype=np.uint64))
    return _Constants(
        mul1=np.uint64(mul1),
        mul2=np.uint64(mul2),
        bin_shift=np.uint64(64 - (num_perm.bit_length() - 1)),
        bin_bits=np.uint64(num_perm.bit_length() - 1),
        window_mask=np.uint64(2 ** (8 * shingle_bytes) - 1),
        doubled=np.arange(2 * num_perm, dtype=np.intp),
    )


def signature(text: bytes, params: NearDupParams) -> bytes:
    """MinHash signature of normalised UTF-8 text, `num_perm` little-endian uint16; b"" if it has no words."""
    return signatures([text], params)[0]


def signatures(texts: Sequence[bytes], params: NearDupParams) -> list[bytes]:
    """`signature` of each text, computed together: numpy's per-call cost is paid once per batch.

    A text's signature does not depend on the others in the batch (each is followed by zero padding that
    no window crosses), so batching changes the speed, never the result. Batches are cut at about
    BATCH_BYTES of text: past the CPU caches, bigger batches get slower again (measured: 9 us per 2 KB
    example in batches of 100-200, 25 us in batches of 1,000).
    """
    datas = [shingle_bytes_of(t) for t in texts]
    out = [b""] * len(texts)
    batch: list[int] = []
    size = 0
    for i, data in enumerate(datas):
        if data:
            batch.append(i)
            size += len(data)
        if batch and (size >= BATCH_BYTES or i == len(datas) - 1):
            for j, sig in zip(batch, _batch(datas, batch, params), strict=True):
                out[j] = sig
            batch, size = [], 0
    return out


def _batch(datas: list[bytes], kept: list[int], params: NearDupParams) -> list[bytes]:
    """Signatures of datas[i] for i in `kept` (all non-empty)."""
    c = _constants(params.seed, params.num_perm, params.shingle_bytes)
    k = params.num_perm
    # One buffer: " " + text + 8 zero bytes, per text. A window starts at a non-space byte after a space
    # (words) or at the lead byte of a character of 3-4 UTF-8 bytes (scripts written without spaces).
    buf = b"".join(b" " + datas[i] + PAD for i in kept)
    size = len(buf) - 8
    before = np.frombuffer(buf, dtype=np.uint8, count=size)
    here = np.frombuffer(buf, dtype=np.uint8, count=size, offset=1)
    starts_mask = (before == 32) & (here != 32)
    if not all(datas[i].isascii() for i in kept):
        starts_mask |= here >= 0xE0
    starts = np.flatnonzero(starts_mask)
    windows = np.ndarray(shape=(size,), dtype="<u8", buffer=buf, offset=1, strides=(1,))[starts]
    if params.shingle_bytes < 8:
        windows &= c.window_mask
    x = windows * c.mul1
    x ^= x >> _MIX_SHIFT
    x *= c.mul2
    # Which text each window belongs to (texts take k consecutive rows of bins), then the minimum per bin.
    bounds = np.cumsum(np.fromiter((len(datas[i]) + 9 for i in kept), dtype=np.intp, count=len(kept)))
    counts = np.diff(np.searchsorted(starts, bounds), prepend=0)
    row_base = np.repeat(np.arange(len(kept), dtype=np.uint64) << c.bin_bits, counts)
    minima = np.full((len(kept), k), _EMPTY, dtype=np.uint64)
    np.minimum.at(minima.reshape(-1), row_base | (x >> c.bin_shift), x)
    # Bits 16-31 of the product depend on every input byte and not on the bits that ranked the minimum.
    values = ((minima >> _FP_SHIFT) & _FP_MASK).astype("<u2")
    empty = minima == _EMPTY
    sparse = np.flatnonzero(empty.any(axis=1))
    if sparse.size:
        values[sparse] = _densify(values[sparse], minima[sparse], ~empty[sparse], c)
    rows = values.tobytes()
    width = 2 * k
    return [rows[row * width : (row + 1) * width] for row in range(len(kept))]


def _densify(values: U16, minima: U64, filled: npt.NDArray[np.bool_], c: _Constants) -> U16:
    """Each empty bin takes the next filled bin to its right (circularly): a hash of that bin's full 64-bit
    minimum and the distance travelled.

    Borrowing the 16-bit fingerprint itself, plus `distance * step` (the textbook offset), made texts of one
    or two shingles (`q95 a95`, `q1053 a1053`) look alike: when one shingle of each lands in the same bin with
    the same 16 bits (about 1 pair of shingles in 8 million), or the offsets line up, every bin borrowing
    from it agrees too, half the signature or more at once. 100,000 such texts gave 29,173 false near-
    duplicates. Hashed from the full minimum, a borrowed bin agrees only when the donor shingle is the same
    (or by an independent 1/65536 chance per bin, which `corrected` removes).
    """
    k = values.shape[1]
    candidates = np.where(np.concatenate((filled, filled), axis=1), c.doubled, 2 * k)
    nearest = np.minimum.accumulate(candidates[:, ::-1], axis=1)[:, ::-1][:, :k]
    distance = (nearest - c.doubled[:k]).astype(np.uint64)
    mixed = np.take_along_axis(minima, nearest % k, axis=1) + distance * c.mul1
    mixed ^= mixed >> _MIX_SHIFT
    mixed *= c.mul2
    borrowed = ((mixed >> _FP_SHIFT) & _FP_MASK).astype("<u2")
    dense: U16 = np.where(distance == 0, values, borrowed).astype("<u2")
    return dense


def as_matrix(blob: bytes | bytearray | memoryview, num_perm: int) -> U16:
    """Signatures stored back to back, as an (n, num_perm) uint16 array (no copy)."""
    return np.frombuffer(blob, dtype="<u2").reshape(-1, num_perm)


def corrected(matches: npt.NDArray[np.floating] | float) -> npt.NDArray[np.floating] | float:
    """Jaccard estimate from the share of equal fingerprints, removing the chance-collision floor."""
    return np.clip((matches - _COLLIDE) / (1.0 - _COLLIDE), 0.0, 1.0)


def similarity(a: bytes, b: bytes) -> float:
    """Estimated Jaccard similarity of the two texts behind two signatures of the same parameters."""
    if not a or not b or len(a) != len(b):
        return 0.0
    x = np.frombuffer(a, dtype="<u2")
    y = np.frombuffer(b, dtype="<u2")
    return float(corrected(float(np.count_nonzero(x == y)) / x.size))
