"""Canonical bytes, text normalisation and 64-bit hashes: the exact-duplicate half of a digest.

Pure Python (no numpy): cheap enough to run on every record in a worker process.
- canonical: the record as compact JSON with sorted keys, so key order and JSON whitespace do not matter;
- normalised: Unicode NFKC, then case folding; for hashing, whitespace is then deleted (so any difference in
  spacing, line breaks or indentation is ignored), for shingling it is turned into spaces.
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
# After NFKC (which turns the other Unicode spaces into " "), these are the whitespace characters str.split()
# knows besides ASCII ones; they are rare, so they are replaced in the string before encoding.
_UNICODE_SPACES = ("\x85", "\u1680", "\u2028", "\u2029")
# ASCII whitespace never occurs inside a multi-byte UTF-8 sequence, so it can be mapped on the bytes.
_SPACES_TO_SPACE = bytes.maketrans(b"\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f", b" " * 9)
_PIECE_SEP = "\x00"


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


def join_pieces(pieces: Sequence[str]) -> str:
    """The pieces joined by NUL; a NUL inside a piece becomes U+FFFD so the joined form stays unambiguous."""
    joined = _PIECE_SEP.join(pieces)
    if joined.count(_PIECE_SEP) != len(pieces) - 1:
        joined = _PIECE_SEP.join(piece.replace(_PIECE_SEP, "\ufffd") for piece in pieces)
    return joined


def normalise(text: str) -> tuple[bytes, bytes]:
    """(compact, spaced): `text` after NFKC and case folding as UTF-8, without whitespace (compact, what the
    normalised hashes cover) and with every whitespace character as a space (spaced, for shingling).
    NUL separators of joined pieces are kept.

    Deleting whitespace rather than collapsing runs of it is one C-level pass instead of a search for double
    spaces that costs as much as the rest of the digest; the price is that "ab c" and "a bc" compare equal.
    """
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
        for space in _UNICODE_SPACES:
            if space in text:
                text = text.replace(space, " ")
    spaced = text.casefold().encode("utf-8", "surrogatepass").translate(_SPACES_TO_SPACE)
    return spaced.replace(b" ", b""), spaced


def normalise_pieces(pieces: Sequence[str]) -> tuple[list[bytes], list[bytes]]:
    """`normalise` of each piece (done in one pass over the joined pieces)."""
    compact, spaced = normalise(join_pieces(pieces))
    return compact.split(b"\x00"), spaced.split(b"\x00")
