"""MinHash signatures without numpy, for small inputs: the same bytes as `dedup.minhash.signatures`.

Loading numpy costs about 40 ms of CPU (and starts a BLAS thread), more than signing a few hundred examples
in plain Python takes; a pre-commit run on a small file signs them here instead. Every step is the numpy
version's, on Python integers kept to 64 bits: the same shingle starts, the same multiply-xorshift-multiply
mix, the same minimum per bin and the same densification, so a signature does not depend on which of the
two made it (tests/test_dedup_small.py compares them on random and real texts).
"""

from __future__ import annotations

import re
import struct
from collections.abc import Sequence
from functools import lru_cache

from dataprep.dedup.params import SEED_MULTIPLIERS, NearDupParams
from dataprep.dedup.shingles import PAD, shingle_bytes_of

_MASK = (1 << 64) - 1
_read_u64 = struct.Struct("<Q").unpack_from  # the 8-byte little-endian window at an offset
# A shingle starts at a non-space byte after a space (words) or, in text that is not all ASCII, at the lead
# byte of a 3- or 4-byte UTF-8 character (scripts written without spaces): the last byte of each match.
_WORD_START = re.compile(rb" [^ ]")
_WORD_OR_WIDE_START = re.compile(rb" [^ ]|[\xe0-\xff]")


def supported(params: NearDupParams) -> bool:
    """Whether these parameters can be signed here (the default seed's multipliers are written out)."""
    return params.seed in SEED_MULTIPLIERS


def signatures(texts: Sequence[bytes], params: NearDupParams) -> list[bytes]:
    """`dedup.minhash.signatures(texts, params)`, computed without numpy (b"" for a text with no words)."""
    mul1, mul2 = SEED_MULTIPLIERS[params.seed]
    k = params.num_perm
    shift = 64 - (k.bit_length() - 1)
    window = (1 << (8 * params.shingle_bytes)) - 1
    out = []
    for text in texts:
        data = shingle_bytes_of(text)
        if not data:
            out.append(b"")
            continue
        buf = b" " + data + PAD
        pattern = _WORD_START if data.isascii() else _WORD_OR_WIDE_START
        # Each window (the 8 bytes from a shingle's start), mixed: x * mul1, xor-shift, * mul2, in 64 bits.
        if window == _MASK:
            mixed = [
                ((x := _read_u64(buf, m.end() - 1)[0] * mul1 & _MASK) ^ (x >> 32)) * mul2 & _MASK
                for m in pattern.finditer(buf)
            ]
        else:
            mixed = [
                ((x := (_read_u64(buf, m.end() - 1)[0] & window) * mul1 & _MASK) ^ (x >> 32)) * mul2 & _MASK
                for m in pattern.finditer(buf)
            ]
        # The smallest value of each bin: sorted descending, the last one written to a bin is its minimum.
        minima = {x >> shift: x for x in sorted(mixed, reverse=True)}
        out.append(_signature(minima, k, mul1, mul2))
    return out


def _signature(minima: dict[int, int], k: int, mul1: int, mul2: int) -> bytes:
    """The 16-bit fingerprints of the bins' minima, in bin order. An empty bin takes the next filled bin to its
    right (circularly) as donor: a hash of the donor's minimum and the distance, as `dedup.minhash._densify`."""
    if len(minima) == k:  # every bin filled: the common case for a text of a few hundred words
        return _u16s(k).pack(*[(minima[b] >> 16) & 0xFFFF for b in range(k)])
    filled = sorted(minima)
    values: list[int] = []
    start = 0  # the first bin not written yet
    for donor in filled:
        if donor > start:
            values += _borrowed(minima[donor], donor - start, 0, mul1, mul2)
        values.append((minima[donor] >> 16) & 0xFFFF)
        start = donor + 1
    # The bins after the last filled one borrow from the first, one turn later.
    first = filled[0]
    if start < k:
        values += _borrowed(minima[first], first + k - start, first, mul1, mul2)
    return _u16s(k).pack(*values)


def _borrowed(minimum: int, farthest: int, nearest: int, mul1: int, mul2: int) -> list[int]:
    """Fingerprints of the empty bins `farthest` down to `nearest + 1` bins before a donor, in bin order."""
    mixed = [(minimum + distance * mul1) & _MASK for distance in range(farthest, nearest, -1)]
    return [((x ^ (x >> 32)) * mul2 & _MASK) >> 16 & 0xFFFF for x in mixed]


@lru_cache(maxsize=4)
def _u16s(k: int) -> struct.Struct:
    return struct.Struct(f"<{k}H")
