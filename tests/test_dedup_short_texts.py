"""Very short texts (one or two shingles) are near-duplicates only when they share shingles."""

from __future__ import annotations

from dataprep.dedup import find_duplicates


def _tiny(i: int) -> dict[str, object]:
    return {"messages": [{"role": "user", "content": f"q{i}"}, {"role": "assistant", "content": f"a{i}"}]}


def test_tiny_different_texts_are_not_near_duplicates() -> None:
    # Before the densification fix, 20,000 of these gave about 1,500 near-duplicate pairs (no shared shingle).
    findings = find_duplicates([_tiny(i) for i in range(1, 20001)])
    assert [f for f in findings if f.code == "DP403"] == []


def test_short_texts_sharing_most_shingles_still_are() -> None:
    records = [_tiny(i) for i in range(1, 200)]
    # Four shingles each (words of 8+ bytes), three shared: Jaccard 3/5.
    for last in ("question", "answering"):
        content = f"yesterday tomorrow wonderful {last}"
        records.append(
            {"messages": [{"role": "user", "content": content}, {"role": "assistant", "content": "a7"}]}
        )
    near = [f for f in find_duplicates(records) if f.code == "DP403"]
    assert [(f.location.line, f.related[0].line) for f in near] == [(201, 200)]
