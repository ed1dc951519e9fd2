"""MinHash signatures of short texts, vectorised with numpy: one-permutation hashing with rotation densification.

Why this shape (measured in docs/duplicates.md):
- Shingles are 8-byte windows of the normalised text with punctuation deleted, read straight out of the UTF-8
  bytes as little-endian uint64 values (one strided numpy view: no Python loop over words, no per-shingle
  hashing call). For English that is a character 8-gram (about a word and a half), for CJK 2-3 characters.
- One-permutation hashing (Li, Owen, Zhang 2012): every shingle is hashed once with a seeded
  multiply-xorshift-multiply mix; the top bits pick one of `num_perm` bins and the smallest hash in each bin is
  that bin's minimum. Cost is O(shingles), not O(shingles x num_perm) as with k separate permutations.
- Empty bins (texts with fewer shingles than bins) borrow the value of the next non-empty bin to the right,
  plus an offset per step (rotation densification, Shrivastava and Li 2014), which keeps P(equal) = Jaccard.
- Each bin keeps a 16-bit fingerprint of its minimum (b-bit MinHash, Li and König 2010): 256 bytes per
  signature at 128 bins; the 1/65536 chance that two different minima share a fingerprint is corrected for.
"""

from __future__ import annotations

import string
from functools import lru_cache
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from dataprep.dedup.params import NearDupParams

U16 = npt.NDArray[np.uint16]
_WHITESPACE = b"\t\n\r\x0b\x0c"
_TRANSLATE = bytes.maketrans(_WHITESPACE, b" " * len(_WHITESPACE))
_DELETE = string.punctuation.encode("ascii")
_EMPTY = np.uint64(2**64 - 1)
_FP_SHIFT = np.uint64(16)
_FP_MASK = np.uint64(0xFFFF)
_MIX_SHIFT = np.uint64(32)
_COLLIDE = 1.0 / 65536.0  # chance two different minima share a 16-bit fingerprint


class _Constants(NamedTuple):
    mul1: np.uint64
    mul2: np.uint64
    bin_shift: np.uint64
    window_mask: np.uint64
    step: np.uint32
    positions: npt.NDArray[np.intp]
    doubled: npt.NDArray[np.intp]


@lru_cache(maxsize=16)
def _constants(seed: int, num_perm: int, shingle_bytes: int) -> _Constants:
    rng = np.random.default_rng(seed)
    mul1, mul2 = (int(v) | 1 for v in rng.integers(1, 2**63, size=2, dtype=np.uint64))
    step = int(rng.integers(1, 2**16, dtype=np.uint32)) | 1
    return _Constants(
        mul1=np.uint64(mul1),
        mul2=np.uint64(mul2),
        bin_shift=np.uint64(64 - (num_perm.bit_length() - 1)),
        window_mask=np.uint64(2 ** (8 * shingle_bytes) - 1),
        step=np.uint32(step),
        positions=np.arange(num_perm, dtype=np.intp),
        doubled=np.arange(2 * num_perm, dtype=np.intp),
    )


def shingle_bytes_of(text: str) -> bytes:
    """The bytes shingles are read from: UTF-8, ASCII whitespace as spaces, ASCII punctuation deleted."""
    return text.encode("utf-8", "surrogatepass").translate(_TRANSLATE, _DELETE)


def signature(text: str, params: NearDupParams) -> bytes:
    """The MinHash signature of `text` (already normalised) as `num_perm` little-endian uint16; b"" if empty."""
    data = shingle_bytes_of(text).strip(b" ")
    if not data:
        return b""
    c = _constants(params.seed, params.num_perm, params.shingle_bytes)
    k = params.shingle_bytes
    windows = max(len(data) - k + 1, 1)
    if len(data) < windows + 7:  # pad so every window can be read as 8 bytes
        data += bytes(windows + 7 - len(data))
    view = np.ndarray(shape=(windows,), dtype="<u8", buffer=data, strides=(1,))
    x = (view & c.window_mask) * c.mul1 if k < 8 else view * c.mul1
    x ^= x >> _MIX_SHIFT
    x *= c.mul2
    minima = np.full(params.num_perm, _EMPTY, dtype=np.uint64)
    np.minimum.at(minima, x >> c.bin_shift, x)
    # Bits 16-31 of the product depend on every input byte and not on the bits that ranked the minimum.
    fingerprints = ((minima >> _FP_SHIFT) & _FP_MASK).astype(np.uint16)
    empty = minima == _EMPTY
    if empty.any():
        fingerprints = _densify(fingerprints, ~empty, c)
    signature: bytes = fingerprints.astype("<u2", copy=False).tobytes()
    return signature


def _densify(values: U16, filled: npt.NDArray[np.bool_], c: _Constants) -> U16:
    """Each empty bin takes the next filled bin to its right (circularly), plus `step` per bin travelled."""
    n = values.size
    candidates = np.where(np.concatenate((filled, filled)), c.doubled, 2 * n)
    nearest = np.minimum.accumulate(candidates[::-1])[::-1][:n]
    distance = (nearest - c.positions).astype(np.uint32)
    shifted = values[nearest % n].astype(np.uint32) + distance * c.step
    dense: U16 = (shifted & 0xFFFF).astype(np.uint16)
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
