"""Sequences and padding for a trainer's sequence length, with and without packing.

Without packing every example is one sequence, cut at the sequence length and padded up to it. With packing
(TRL `packing=True`, Axolotl `sample_packing`) examples are placed whole into sequences of that length by best
fit, longest first (TRL's "bfd" strategy); an example longer than the length is cut first.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Packing:
    sequence_length: int
    examples: int
    tokens: int  # tokens kept after cutting at the sequence length
    sequences_unpacked: int
    padding_unpacked: int
    sequences_packed: int
    padding_packed: int

    @property
    def waste_unpacked(self) -> float:
        return self.padding_unpacked / max(1, self.sequences_unpacked * self.sequence_length)

    @property
    def waste_packed(self) -> float:
        return self.padding_packed / max(1, self.sequences_packed * self.sequence_length)

    def to_dict(self) -> dict[str, Any]:
        return {
            "sequence_length": self.sequence_length,
            "examples": self.examples,
            "tokens": self.tokens,
            "sequences_unpacked": self.sequences_unpacked,
            "padding_unpacked": self.padding_unpacked,
            "waste_unpacked": round(self.waste_unpacked, 4),
            "sequences_packed": self.sequences_packed,
            "padding_packed": self.padding_packed,
            "waste_packed": round(self.waste_packed, 4),
        }


def pack(lengths: Iterable[int], sequence_length: int) -> Packing:
    cut = sorted((min(n, sequence_length) for n in lengths if n > 0), reverse=True)
    tokens = sum(cut)
    packed = _count_sequences(cut, sequence_length)
    return Packing(
        sequence_length=sequence_length,
        examples=len(cut),
        tokens=tokens,
        sequences_unpacked=len(cut),
        padding_unpacked=len(cut) * sequence_length - tokens,
        sequences_packed=packed,
        padding_packed=packed * sequence_length - tokens,
    )


def _count_sequences(cut: list[int], sequence_length: int) -> int:
    """Best fit decreasing, counting the sequences opened (full ones are dropped from the free list)."""
    free: list[int] = []  # free space of each open sequence, sorted ascending
    opened = 0
    for n in cut:
        at = bisect_left(free, n)  # the tightest open sequence it fits in
        if at < len(free):
            room = free.pop(at) - n
        else:
            opened += 1
            room = sequence_length - n
        if room > 0:
            insort(free, room)
    return opened
