"""BPE ranks packed for a fast start: the same ranks as a `.tiktoken` file, in a form that loads in a few C calls.

A `.tiktoken` file has one `<base64 token> <rank>` line per token; turning its 200,000 lines into a dict costs
a base64 decode and an int parse per token, about a third of what a pre-commit `dataprep validate` spends on a
small file. The packed form stores the raw token bytes in rank order, joined by one separator byte, so loading is
one `bytes.split` and one `dict(zip(...))`, both running in C (measured: about a third of the instructions).

Layout (version 1): one ASCII header line, then the body.

    dataprep-ranks/1 count=N sep=S source-sha256=HEX extra=B64:RANK,B64:RANK\\n
    token_0 SEP token_1 SEP ... SEP token_{N-1}

- Ranks are 0..N-1, the i-th token of the body has rank i.
- SEP (the byte `sep`) is the byte the fewest tokens contain. A token that contains it is left empty in the
  body, at its place, and listed in `extra` (base64, with its rank) instead; there are one or two.
- `source-sha256` names the `.tiktoken` file the ranks were packed from, so a loader can tell which ranks
  these are meant to be; whether they are is proven by tests/test_offline_encodings.py, which unpacks every
  shipped file and compares it with its `.tiktoken` file token by token.
"""

from __future__ import annotations

import binascii
from collections.abc import Mapping
from typing import NamedTuple

MAGIC = "dataprep-ranks/1"


class PackedRanks(NamedTuple):
    """Ranks unpacked from the packed form, with the SHA-256 of the `.tiktoken` file they were made from."""

    ranks: dict[bytes, int]
    source_sha256: str


def pack(ranks: Mapping[bytes, int], source_sha256: str) -> bytes:
    """The packed form of `ranks` (token bytes -> rank, ranks exactly 0..N-1, no empty token).

    Raises ValueError for ranks this format cannot hold (gaps, empty tokens).
    """
    tokens = sorted(ranks, key=ranks.__getitem__)
    if [ranks[token] for token in tokens] != list(range(len(tokens))):
        raise ValueError("ranks must be exactly 0..N-1 to be packed")
    if any(not token for token in tokens):
        raise ValueError("an empty token cannot be packed")
    containing = [0] * 256
    for token in tokens:
        for byte in set(token):
            containing[byte] += 1
    sep = min(range(256), key=lambda byte: (containing[byte], byte))
    separator = bytes([sep])
    extra = ",".join(
        f"{binascii.b2a_base64(token, newline=False).decode('ascii')}:{rank}"
        for rank, token in enumerate(tokens)
        if separator in token
    )
    header = f"{MAGIC} count={len(tokens)} sep={sep} source-sha256={source_sha256} extra={extra}\n"
    body = separator.join(b"" if separator in token else token for token in tokens)
    return header.encode("ascii") + body


def unpack(data: bytes) -> PackedRanks:
    """The ranks held by a packed file's bytes. Raises ValueError when they are not a well-formed version 1."""
    header, newline, body = data.partition(b"\n")
    if not newline:
        raise ValueError("no header line")
    try:
        magic, *fields = header.decode("ascii").split(" ")
        values = dict(field.split("=", 1) for field in fields)
        count, sep = int(values["count"]), int(values["sep"])
        source = values["source-sha256"]
        extra = {
            binascii.a2b_base64(token): int(rank)
            for token, rank in (item.split(":") for item in values["extra"].split(",") if item)
        }
    except (UnicodeDecodeError, ValueError, KeyError, binascii.Error) as exc:
        raise ValueError(f"malformed header ({exc})") from exc
    if magic != MAGIC:
        raise ValueError(f"not a packed ranks file of version 1 (starts with {magic[:40]!r})")
    if not 0 <= sep <= 255:
        raise ValueError(f"separator byte {sep} out of range")
    parts = body.split(bytes([sep]))
    if len(parts) != count:
        raise ValueError(f"{len(parts)} tokens in the body, the header says {count}")
    if any(not 0 <= rank < count or parts[rank] for rank in extra.values()):
        raise ValueError("an extra token's rank is not an empty place in the body")
    ranks = dict(zip(parts, range(count), strict=True))
    if extra:
        del ranks[b""]  # the places kept for the extra tokens
        ranks.update(extra)
    if len(ranks) != count or b"" in ranks:
        raise ValueError("repeated or empty tokens in the body")
    return PackedRanks(ranks, source)
