"""Canonical bytes, text normalisation and 64-bit hashes: the exact-duplicate half of a digest.

Pure Python (no numpy): cheap enough to run on every record in a worker process.
- canonical: the record as compact JSON with sorted keys, so key order and JSON whitespace do not matter;
- normalised: Unicode NFKC, then case folding, then runs of whitespace collapsed to one space and trimmed.
Hashes are the first 64 bits of SHA-1, used as a fast checksum, not for security (it beats BLAKE2b
here; never 0, which the index uses for "absent"): the chance that two different examples share one is
about n^2 / 2^65, under 3 in a million at 10 million examples.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Sequence
from typing import Any

import orjson

_SORTED = orjson.OPT_SORT_KEYS
# Whitespace as str.split() sees it, besides the plain space. Replacing the ones present and then squeezing
# double spaces is several times faster than " ".join(text.split()) on chat messages, and gives the same.
_ASCII_SPACES = ("\t", "\n", "\x0b", "\x0c", "\r", "\x1c", "\x1d", "\x1e", "\x1f")
_UNICODE_SPACES = (
    "\x85",
    "\xa0",
    "\u1680",
    *(chr(c) for c in range(0x2000, 0x200B)),
    "\u2028",
    "\u2029",
    "\u202f",
    "\u205f",
    "\u3000",
)
_PIECE_SEP = "\x00"


def hash64(text: str) -> int:
    """64-bit hash of the UTF-8 text (lone surrogates kept), never 0."""
    return hash64_bytes(text.encode("utf-8", "surrogatepass"))


def hash64_bytes(data: bytes) -> int:
    digest = hashlib.sha1(data, usedforsecurity=False).digest()
    return int.from_bytes(digest[:8], "little") or 1


def canonical_json(value: Any) -> bytes:
    """Compact JSON with sorted keys; values orjson cannot encode natively are written with str()."""
    try:
        return orjson.dumps(value, option=_SORTED)
    except TypeError:
        # Non-JSON values reach here only from in-memory records (e.g. a datasets row holding a date).
        return orjson.dumps(value, option=_SORTED | orjson.OPT_NON_STR_KEYS, default=str)


def canonical_text(value: Any) -> str:
    return canonical_json(value).decode("utf-8")


def _squeeze(text: str) -> str:
    """Every whitespace character to a space, then runs of spaces to one (ends are not trimmed)."""
    for space in _ASCII_SPACES:
        if space in text:
            text = text.replace(space, " ")
    if not text.isascii():
        for space in _UNICODE_SPACES:
            if space in text:
                text = text.replace(space, " ")
    while "  " in text:
        text = text.replace("  ", " ")
    return text


def collapse_whitespace(text: str) -> str:
    """Runs of whitespace to one space, ends trimmed: the same as " ".join(text.split())."""
    return _squeeze(text).strip(" ")


def normalise(text: str) -> str:
    """NFKC, case folding and collapsed whitespace: what `duplicate after normalisation` compares."""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    return collapse_whitespace(text.casefold())


def normalise_many(pieces: Sequence[str]) -> list[str]:
    """`normalise` of each piece, with the work done once over the joined pieces."""
    joined = _PIECE_SEP.join(pieces)
    if not joined.isascii():
        joined = unicodedata.normalize("NFKC", joined)
    parts = _squeeze(joined.casefold()).split(_PIECE_SEP)
    if len(parts) != len(pieces):  # a piece held the separator itself: do them one by one
        return [normalise(piece) for piece in pieces]
    return [part.strip(" ") for part in parts]
