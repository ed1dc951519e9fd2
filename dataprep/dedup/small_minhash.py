"""MinHash signatures without numpy, for small inputs: the same bytes as `dedup.minhash.signatures`.

Loading numpy costs about 40 ms of CPU (and starts a BLAS thread), more than signing a few hundred examples
in plain Python takes; a pre-commit run on a small file signs them here instead. Every step is the numpy
version's: the same shingle starts, the same multiply-xorshift-multiply mix in 64 bits, the same minimum per
bin and the same densification, so a signature does not depend on which of the two made it
(tests/test_dedup_small.py compares them on random and real texts).

The mix runs on every window of a batch at once, without a Python step per window: the windows are laid out
as 128-bit lanes of one big integer (window in the low 64 bits, zeros above), and a product of a lane with a
64-bit multiplier fits in its lane, so `lanes * m & LOW` is each lane's `window * m mod 2**64`, and
`(lanes >> 32) & LOW` each lane's `window >> 32`. Finding and mixing the windows so took half the
instructions of a loop per window (valgrind, the 100-line benchmark file's 27,339 shingles).
"""

from __future__ import annotations

import re
import struct
import sys
from array import array
from bisect import bisect_left
from collections.abc import Sequence
from functools import lru_cache
from itertools import chain

from dataprep.dedup.params import SEED_MULTIPLIERS, NearDupParams
from dataprep.dedup.shingles import PAD, shingle_bytes_of

_MASK = (1 << 64) - 1
_LOW_LANE = b"\xff" * 8 + bytes(8)  # one lane of the mask that keeps each lane's low 64 bits


def supported(params: NearDupParams) -> bool:
    """Whether these parameters can be signed here (the default seed's multipliers are written out)."""
    return params.seed in SEED_MULTIPLIERS


@lru_cache(maxsize=16)
def _windows(shingle_bytes: int, wide: bool) -> re.Pattern[bytes]:
    """The shingles of a padded text (" " + text + 8 zero bytes), each once: `shingle_bytes` bytes from a
    non-space byte after a space (a word) or, in text that is not all ASCII, from the lead byte of a 3- or
    4-byte UTF-8 character (scripts written without spaces)."""
    tail = shingle_bytes - 1
    if not wide:
        return re.compile(rb" (?=([^ ].{%d}))" % tail, re.DOTALL)
    return re.compile(rb"(?:(?<= )(?=[^ ])|(?=[\xe0-\xff]))(?=(.{%d}))" % shingle_bytes, re.DOTALL)


def signatures(texts: Sequence[bytes], params: NearDupParams) -> list[bytes]:
    """`dedup.minhash.signatures(texts, params)`, computed without numpy (b"" for a text with no words)."""
    mul1, mul2 = SEED_MULTIPLIERS[params.seed]
    k = params.num_perm
    shift = 64 - (k.bit_length() - 1)
    size = params.shingle_bytes
    shingles = []
    for text in texts:
        data = shingle_bytes_of(text)
        shingles.append(_windows(size, not data.isascii()).findall(b" " + data + PAD) if data else [])
    mixed = _mixed(list(chain.from_iterable(shingles)), size, mul1, mul2)
    out = []
    start = 0
    for found in shingles:
        if not found:
            out.append(b"")
            continue
        end = start + len(found)
        # The smallest value of each bin (its top bits): written from the largest down, the last one stays.
        minima = {x >> shift: x for x in sorted(mixed[start:end], reverse=True)}
        start = end
        out.append(_signature(minima, k, mul1, mul2))
    return out


def _mixed(windows: list[bytes], size: int, mul1: int, mul2: int) -> list[int]:
    """Each window (`size` bytes, little-endian) mixed: x = w * mul1, x ^= x >> 32, x *= mul2, mod 2**64."""
    n = len(windows)
    if not n:
        return []
    filler = bytes(16 - size)  # each window's lane: the window, then zeros to 16 bytes
    lanes = int.from_bytes(filler.join(windows) + filler, "little")
    low = int.from_bytes(_LOW_LANE * n, "little")
    lanes = lanes * mul1 & low
    lanes ^= (lanes >> 32) & low
    lanes = lanes * mul2 & low
    words = array("Q", lanes.to_bytes(16 * n, "little"))  # each lane: its value, then 8 zero bytes
    if sys.byteorder == "big":  # pragma: no cover - the machines this runs on are little-endian
        words.byteswap()
    return words[::2].tolist()


def _signature(minima: dict[int, int], k: int, mul1: int, mul2: int) -> bytes:
    """The 16-bit fingerprints of the bins' minima, in bin order. An empty bin takes the next filled bin to its
    right (circularly) as donor: a hash of the donor's minimum and the distance, as `dedup.minhash._densify`."""
    values: list[int | None] = list(map(minima.get, range(k)))
    if len(minima) < k:
        filled = sorted(minima)
        for b in [b for b, value in enumerate(values) if value is None]:
            at = bisect_left(filled, b)
            donor = filled[at] if at < len(filled) else filled[0] + k  # past the last: one turn later
            x = (minima[donor % k] + (donor - b) * mul1) & _MASK
            values[b] = ((x ^ (x >> 32)) * mul2) & _MASK
    # A fingerprint is bits 16-31 of its value: bytes 2-3 of the value's 8 little-endian bytes.
    return memoryview(_u64s(k).pack(*values)).cast("H")[1::4].tobytes()


@lru_cache(maxsize=4)
def _u64s(k: int) -> struct.Struct:
    return struct.Struct(f"<{k}Q")
