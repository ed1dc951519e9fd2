"""What a MinHash signature sketches: the shingle bytes of a normalised text (no numpy here).

Shingles are `shingle_bytes`-byte windows of the text with ASCII punctuation deleted, starting at a word (a
non-space byte after a space, or the text's first byte) and, in text that is not all ASCII, at every character
of three or more UTF-8 bytes (scripts written without spaces). dedup.minhash reads them with numpy,
dedup.small_minhash in plain Python; both from these bytes.
"""

from __future__ import annotations

import string

PAD = bytes(8)  # after each text: windows near its end read zeros, never the next text
_DELETE = string.punctuation.encode("ascii")


def shingle_bytes_of(text: bytes) -> bytes:
    """The bytes shingles are read from: normalised UTF-8 text (whitespace as spaces), ASCII punctuation
    deleted."""
    return text.translate(None, _DELETE).strip(b" ")


def shingles(text: bytes, shingle_bytes: int = 8) -> set[bytes]:
    """The shingle set a signature sketches, spelled out (for tests and comparisons; slow)."""
    data = shingle_bytes_of(text)
    padded = b" " + data + PAD
    starts = [
        i
        for i in range(1, len(data) + 1)
        if (padded[i - 1] == 32 and padded[i] != 32) or (padded[i] >= 0xE0 and not text.isascii())
    ]
    return {padded[i : i + shingle_bytes] for i in starts}
