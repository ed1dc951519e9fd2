"""The per-example half of duplicate detection: a pure function of one record, run in worker processes.

`example_digest` returns a small picklable tuple (about 300 bytes with a signature); the dataset-wide
`DuplicateIndex` only ever sees digests. numpy is imported on the first near-duplicate signature only.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from dataprep.dedup.canonical import canonical_json, hash64_bytes, normalise_pieces
from dataprep.dedup.extract import Segments, extract
from dataprep.dedup.params import NearDupParams
from dataprep.types import Kind

DEFAULT_PARAMS = NearDupParams()
_SEG = b"\x1f"  # between normalised pieces
_SYSTEM_ROLES = ("system", "developer")


class ExampleDigest(NamedTuple):
    """What duplicate detection keeps of one example. Hashes are 64-bit and never 0; 0 means "absent".

    exact       canonical content (JSON with sorted keys): DP401, and leakage "exact"
    normal      content after NFKC and case folding, whitespace ignored: DP402, and leakage "normalised"
    prompt      normalised messages before the last assistant turn (with tools); 0 when there is no answer
    answer      normalised last assistant turn onwards (0 when prompt is 0): DP404 conflicting answers
    text_bytes  UTF-8 length of the normalised text near-duplicates compare (human text; system prompts
                left out)
    signature   MinHash signature (NearDupParams.num_perm little-endian uint16), b"" when near work was
                off or the example has no such text
    """

    exact: int
    normal: int
    prompt: int
    answer: int
    text_bytes: int
    signature: bytes


def example_digest(
    record: Any, kind: Kind | None, *, near: bool = True, params: NearDupParams | None = None
) -> ExampleDigest:
    """Digest of one record read as `kind` (None: detect from its keys). Never raises on any JSON value.

    With `near=False` no signature is made (and numpy is not imported): exact, normalised and conflict
    checks still work. `example_digests` gives the same digests for many records at a fraction of the cost.
    """
    return example_digests([record], kind, near=near, params=params)[0]


def example_digests(
    records: Sequence[Any], kind: Kind | None, *, near: bool = True, params: NearDupParams | None = None
) -> list[ExampleDigest]:
    """`example_digest` of each record; the MinHash signatures are computed for the whole batch at once
    (numpy's per-call overhead is paid per batch), which makes near-duplicate digests several times cheaper
    in a worker that handles records by the thousand. Results do not depend on how records are batched."""
    hashed = [_hashes(record, kind) for record in records]
    texts = [h[1] for h in hashed]
    signatures = [b""] * len(records)
    if near and any(texts):
        from dataprep.dedup.minhash import signatures as make_signatures

        signatures = make_signatures(texts, params or DEFAULT_PARAMS)
    return [
        ExampleDigest(*h[0], len(text), sig) for h, text, sig in zip(hashed, texts, signatures, strict=True)
    ]


def _hashes(record: Any, kind: Kind | None) -> tuple[tuple[int, int, int, int], bytes]:
    """(exact, normal, prompt, answer) hashes of a record, and the text near-duplicates compare."""
    exact = hash64_bytes(canonical_json(record))
    seg, pieces, spaced = _normalised(record, kind)
    n = len(seg.roles)
    head, roles, texts, metas = pieces[0], pieces[1 : n + 1], pieces[n + 1 : 2 * n + 1], pieces[2 * n + 1 :]
    # Normalised pieces never hold the separator (it is whitespace, deleted), so joining the columns of a
    # range of segments encodes them unambiguously: one join and one hash per range.
    cut = seg.answer_start
    if cut > 0:
        prompt = hash64_bytes(_SEG.join((head, *roles[:cut], *texts[:cut], *metas[:cut])))
        answer = hash64_bytes(_SEG.join((*roles[cut:], *texts[cut:], *metas[cut:])))
        # Prompt and answer cover everything and the split is fixed by the content: combining them is enough.
        normal = hash64_bytes(prompt.to_bytes(8, "little") + answer.to_bytes(8, "little"))
    else:
        prompt = answer = 0
        normal = hash64_bytes(_SEG.join(pieces))
    return (exact, normal, prompt, answer), _compared(seg, spaced[n + 1 : 2 * n + 1])


def compared_text(record: Any, kind: Kind | None = None) -> bytes:
    """The normalised UTF-8 text near-duplicate detection compares for `record` (what gets shingled)."""
    seg, _, spaced = _normalised(record, kind)
    n = len(seg.roles)
    return _compared(seg, spaced[n + 1 : 2 * n + 1])


def _normalised(record: Any, kind: Kind | None) -> tuple[Segments, list[bytes], list[bytes]]:
    """The record's segments and, normalised in one pass (head, roles, texts, metas): compact and spaced."""
    seg = extract(record, kind)
    compact, spaced = normalise_pieces([seg.head, *seg.roles, *seg.texts, *seg.metas])
    return seg, compact, spaced


def _compared(seg: Segments, texts: list[bytes]) -> bytes:
    # System prompts are usually shared across a whole dataset: left in, they would make everything similar.
    return b" ".join(t for r, t in zip(seg.roles, texts, strict=True) if r not in _SYSTEM_ROLES).strip(b" ")
