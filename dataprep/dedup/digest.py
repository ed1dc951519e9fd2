"""The per-example half of duplicate detection: a pure function of one record, run in worker processes.

`example_digest` returns a small picklable tuple (about 300 bytes with a signature); the dataset-wide
`DuplicateIndex` only ever sees digests. numpy is imported on the first near-duplicate signature only, and not
at all for a small input.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from dataprep.dedup.canonical import canonical_json, hash64_bytes, join_pieces, normalise
from dataprep.dedup.extract import extract
from dataprep.dedup.params import NearDupParams
from dataprep.types import Kind

DEFAULT_PARAMS = NearDupParams()
# Signing this many records in plain Python costs about what loading numpy does (short texts cost the most:
# their empty bins are filled one by one).
SMALL_RECORDS = 1000
_SYSTEM_ROLES = ("system", "developer")


class ExampleDigest(NamedTuple):
    """What duplicate detection keeps of one example. Hashes are 64-bit and never 0; 0 means "absent".

    exact       canonical content (JSON with sorted keys): DP401, and leakage "exact"
    normal      content after NFKC and case folding, whitespace ignored: DP402, and leakage "normalised"
    prompt      normalised messages before the last assistant turn (with tools); 0 when there is no answer
    answer      normalised last assistant turn onwards (0 when prompt is 0): DP404 conflicting answers
    text_bytes  UTF-8 length of the normalised text near-duplicates compare (human text; system prompts
                left out); 0 when near work was off
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
    records: Sequence[Any],
    kind: Kind | None,
    *,
    near: bool = True,
    params: NearDupParams | None = None,
    small: bool = False,
) -> list[ExampleDigest]:
    """`example_digest` of each record; the MinHash signatures are computed for the whole batch at once
    (numpy's per-call overhead is paid per batch), which makes near-duplicate digests several times cheaper
    in a worker that handles records by the thousand. Results do not depend on how records are batched.

    `small`: the records are a small input's, whose signatures are made in plain Python when there are at
    most SMALL_RECORDS of them (dedup.small_minhash: the same bytes, without loading numpy)."""
    hashed = [_hashes(record, kind, near) for record in records]
    texts = [h[1] for h in hashed]
    signatures = [b""] * len(records)
    if near and any(texts):
        from dataprep.dedup import small_minhash

        params = params or DEFAULT_PARAMS
        if small and len(records) <= SMALL_RECORDS and small_minhash.supported(params):
            signatures = small_minhash.signatures(texts, params)
        else:
            from dataprep.dedup.minhash import signatures as make_signatures

            signatures = make_signatures(texts, params)
    return [
        ExampleDigest(*h[0], len(text), sig) for h, text, sig in zip(hashed, texts, signatures, strict=True)
    ]


def compared_text(record: Any, kind: Kind | None = None) -> bytes:
    """The normalised UTF-8 text near-duplicate detection compares for `record` (what gets shingled)."""
    return _hashes(record, kind, True)[1]


def _hashes(record: Any, kind: Kind | None, near: bool) -> tuple[tuple[int, int, int, int], bytes]:
    """(exact, normal, prompt, answer) hashes of a record and, if `near`, the text near-duplicates compare.

    The prompt's segments and the answer's are each normalised in one pass over their joined pieces, laid
    out by column (head, roles, texts, metas), and hashed as they come out: NUL separators keep the layout
    unambiguous.
    """
    exact = hash64_bytes(canonical_json(record))
    seg = extract(record, kind)
    roles, texts, metas = seg.roles, seg.texts, seg.metas
    n, cut = len(roles), seg.answer_start
    if cut > 0:
        prompt_c, prompt_s = normalise(join_pieces((seg.head, *roles[:cut], *texts[:cut], *metas[:cut])))
        answer_c, answer_s = normalise(join_pieces((*roles[cut:], *texts[cut:], *metas[cut:])))
        prompt, answer = hash64_bytes(prompt_c), hash64_bytes(answer_c)
        # Prompt and answer cover everything and the split is fixed by the content: combining them is enough.
        normal = hash64_bytes(prompt.to_bytes(8, "little") + answer.to_bytes(8, "little"))
        if not near:
            return (exact, normal, prompt, answer), b""
        rest = n - cut
        spaced = prompt_s.split(b"\x00")[1 + cut : 1 + 2 * cut] + answer_s.split(b"\x00")[rest : 2 * rest]
    else:
        compact, spaced_all = normalise(join_pieces((seg.head, *roles, *texts, *metas)))
        prompt = answer = 0
        normal = hash64_bytes(compact)
        if not near:
            return (exact, normal, prompt, answer), b""
        spaced = spaced_all.split(b"\x00")[1 + n : 1 + 2 * n]
    # System prompts are usually shared across a whole dataset: left in, they would make everything similar.
    text = b" ".join(t for r, t in zip(roles, spaced, strict=True) if r not in _SYSTEM_ROLES).strip(b" ")
    return (exact, normal, prompt, answer), text
