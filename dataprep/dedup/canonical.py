"""Canonical bytes, text normalisation and 64-bit hashes: the exact-duplicate half of a digest.

Pure Python (no numpy): cheap enough to run on every record in a worker process.
- canonical: the record as compact JSON with sorted keys, so key order and JSON whitespace do not matter;
- normalised: Unicode NFKC, then case folding, then runs of whitespace collapsed to one space and trimmed.
Hashes are 64-bit BLAKE2b (never 0, which the index uses for "absent"): the chance that two different
examples share one is about n^2 / 2^65, under 3 in a million at 10 million examples.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Sequence
from typing import Any

import orjson

_SORTED = orjson.OPT_SORT_KEYS
# Characters str.split() treats as whitespace besides the plain space; a text without them (and without a
# double space or ends to trim) is already collapsed, which spares most messages the split/join.
_ASCII_BREAKS = ("\n", "\t", "\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x1f", "  ")
_PIECE_SEP = "\x00"


def hash64(text: str) -> int:
    """64-bit BLAKE2b of the UTF-8 text (lone surrogates kept), never 0."""
    digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "little") or 1


def hash64_bytes(data: bytes) -> int:
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "little") or 1


def canonical_json(value: Any) -> bytes:
    """Compact JSON with sorted keys; values orjson cannot encode natively are written with str()."""
    try:
        return orjson.dumps(value, option=_SORTED)
    except TypeError:
        # Non-JSON values reach here only from in-memory records (e.g. a datasets row holding a date).
        return orjson.dumps(value, option=_SORTED | orjson.OPT_NON_STR_KEYS, default=str)


def canonical_text(value: Any) -> str:
    return canonical_json(value).decode("utf-8")


def collapse_whitespace(text: str) -> str:
    """Runs of whitespace to one space, ends trimmed; returns the same string when nothing changes."""
    if text.isascii() and not any(mark in text for mark in _ASCII_BREAKS):
        return text.strip(" ")
    return " ".join(text.split())


def normalise(text: str) -> str:
    """NFKC, case folding and collapsed whitespace: what `duplicate after normalisation` compares."""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    return collapse_whitespace(text.casefold())


def normalise_many(pieces: Sequence[str]) -> list[str]:
    """`normalise` of each piece, with the Unicode work done once over the joined pieces."""
    joined = _PIECE_SEP.join(pieces)
    if not joined.isascii():
        joined = unicodedata.normalize("NFKC", joined)
    parts = joined.casefold().split(_PIECE_SEP)
    if len(parts) != len(pieces):  # a piece held the separator itself: do them one by one
        return [normalise(piece) for piece in pieces]
    return [collapse_whitespace(part) for part in parts]
