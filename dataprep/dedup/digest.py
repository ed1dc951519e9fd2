"""The per-example half of duplicate detection: a pure function of one record, run in worker processes.

`example_digest` returns a small picklable tuple (about 300 bytes with a signature); the dataset-wide
`DuplicateIndex` only ever sees digests. numpy is imported on the first near-duplicate signature only.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from dataprep.dedup.canonical import canonical_json, hash64, hash64_bytes, normalise_many
from dataprep.dedup.extract import extract
from dataprep.dedup.params import NearDupParams
from dataprep.types import Kind

DEFAULT_PARAMS = NearDupParams()
_SEG = "\x1f"  # between the parts of one segment
_REC = "\x1e"  # between segments
_SYSTEM_ROLES = ("system", "developer")


class ExampleDigest(NamedTuple):
    """What duplicate detection keeps of one example. Hashes are 64-bit and never 0; 0 means "absent".

    exact      canonical content (JSON with sorted keys): DP401, and leakage "exact"
    normal     content after NFKC, case folding and whitespace collapsing: DP402, and leakage "normalised"
    prompt     normalised messages before the last assistant turn (with tools); 0 when there is no answer
    answer     normalised last assistant turn onwards (0 when prompt is 0): DP404 conflicting answers
    chars      length of the text that near-duplicates compare (human text, system prompts left out)
    signature  MinHash signature (NearDupParams.num_perm little-endian uint16), b"" when near work was off
               or the example has no such text
    """

    exact: int
    normal: int
    prompt: int
    answer: int
    chars: int
    signature: bytes


def example_digest(
    record: Any, kind: Kind | None, *, near: bool = True, params: NearDupParams | None = None
) -> ExampleDigest:
    """Digest of one record read as `kind` (None: detect from its keys). Never raises on any JSON value.

    With `near=False` no signature is made (and numpy is not imported): exact, normalised and conflict
    checks still work.
    """
    exact = hash64_bytes(canonical_json(record))
    seg = extract(record, kind)
    n = len(seg.roles)
    # One normalisation pass over everything: head, then (role, text, meta) per segment.
    pieces = normalise_many([seg.head, *seg.roles, *seg.texts, *seg.metas])
    head, roles, texts, metas = pieces[0], pieces[1 : n + 1], pieces[n + 1 : 2 * n + 1], pieces[2 * n + 1 :]
    parts = [f"{r}{_SEG}{t}{_SEG}{m}" for r, t, m in zip(roles, texts, metas, strict=True)]
    normal = hash64(_REC.join((head, *parts)))
    prompt = answer = 0
    cut = seg.answer_start
    if cut > 0:
        prompt = hash64(_REC.join((head, *parts[:cut])))
        answer = hash64(_REC.join(parts[cut:]))
    # System prompts are usually shared across a whole dataset: left out, they would make everything similar.
    near_text = "\n".join(t for r, t in zip(seg.roles, texts, strict=True) if t and r not in _SYSTEM_ROLES)
    signature = b""
    if near and near_text:
        from dataprep.dedup.minhash import signature as make_signature

        signature = make_signature(near_text, params or DEFAULT_PARAMS)
    return ExampleDigest(exact, normal, prompt, answer, len(near_text), signature)
