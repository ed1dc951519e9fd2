"""The plain-Python duplicate search for small inputs (dedup.small_minhash, dedup.small_findings) gives exactly
what the numpy one gives: the same signature bytes, the same findings in the same order with the same words."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dataprep.dedup import (
    DuplicateIndex,
    NearDupParams,
    example_digests,
    index,
    minhash,
    small_findings,
    small_minhash,
)
from dataprep.dedup import findings as numpy_findings
from dataprep.dedup.digest import compared_text
from dataprep.dedup.params import BUCKET_CAP, SEED_MULTIPLIERS
from dataprep.types import Finding

ROOT = Path(__file__).resolve().parent.parent
WORDS = (
    "river stone lantern copper garden violet thunder meadow silver harbor canyon ember falcon glacier willow "
    "orchard pepper saddle timber velvet anchor basket candle dragon feather hammer island jacket kettle ladder"
)
VOCAB = WORDS.split(" ")
PIECES = (
    *VOCAB,
    " ",
    "  ",
    ".",
    ",",
    "!",
    "鸡蛋",
    "東京",
    "é",
    "e\u0301",
    "😀",
    "\t",
    "Ünïcödé",
    "x" * 9,
    "-",
)


def test_the_written_out_multipliers_are_numpys() -> None:
    for seed, pair in SEED_MULTIPLIERS.items():
        drawn = np.random.default_rng(seed).integers(1, 2**63, size=2, dtype=np.uint64)
        assert pair == tuple(int(v) | 1 for v in drawn)


def params_strategy() -> st.SearchStrategy[NearDupParams]:
    return st.builds(
        NearDupParams,
        num_perm=st.sampled_from([16, 64, 128, 256]),
        bands=st.just(4),
        shingle_bytes=st.integers(min_value=3, max_value=8),
    )


@settings(max_examples=300, deadline=None)
@given(
    texts=st.lists(
        st.one_of(
            st.lists(st.sampled_from(PIECES), max_size=80).map(lambda p: "".join(p).encode()),
            st.text(max_size=60).map(lambda t: t.encode("utf-8", "surrogatepass")),
            st.binary(max_size=60),
        ),
        max_size=6,
    ),
    params=params_strategy(),
)
def test_signatures_are_numpys_byte_for_byte(texts: list[bytes], params: NearDupParams) -> None:
    assert small_minhash.signatures(texts, params) == minhash.signatures(texts, params)


def test_signatures_of_the_sample_files_are_numpys() -> None:
    params = NearDupParams()
    texts = []
    for path in sorted((ROOT / "sample_data").glob("*.jsonl")):
        for line in path.read_bytes().splitlines():
            try:
                texts.append(compared_text(json.loads(line)))
            except ValueError:  # the invalid sample's broken lines
                continue
    texts += [b"word " * 5000, "鸡蛋".encode() * 3000, b"a"]  # long runs, one character
    assert len(texts) > 50
    assert small_minhash.signatures(texts, params) == minhash.signatures(texts, params)


def chat(question: str, answer: str) -> dict[str, Any]:
    return {"messages": [{"role": "user", "content": question}, {"role": "assistant", "content": answer}]}


def random_index(seed: int, params: NearDupParams, n: int = 80) -> DuplicateIndex:
    """Train and validation files full of what the index looks for: exact copies, copies that differ in case
    and spacing, near-duplicates, prompts with several answers, examples with no text to sign."""
    rng = random.Random(seed)

    def paragraph(words: int) -> str:
        return " ".join(rng.choice(VOCAB) for _ in range(words)).capitalize() + "."

    def edited(text: str) -> str:
        words = text.split(" ")
        for i in rng.sample(range(len(words)), max(1, len(words) // rng.choice([4, 8, 20]))):
            words[i] = rng.choice(VOCAB)
        return " ".join(words)

    records: list[dict[str, Any]] = []
    for _ in range(n):
        roll = rng.random()
        if records and roll < 0.15:
            records.append(rng.choice(records))
        elif records and roll < 0.25:
            q, a = (m["content"] for m in rng.choice(records)["messages"])
            records.append(chat(q.upper(), "  " + a.replace(" ", "\n ")))
        elif records and roll < 0.5:
            q, a = (m["content"] for m in rng.choice(records)["messages"])
            records.append(chat(edited(q), edited(a)))
        elif records and roll < 0.6:
            q = rng.choice(records)["messages"][0]["content"]
            records.append(chat(q, paragraph(rng.randint(1, 30))))
        elif roll < 0.65:
            records.append(chat("!!!", "..."))  # nothing left to sign once punctuation is deleted
        else:
            records.append(chat(paragraph(rng.randint(1, 20)), paragraph(rng.randint(1, 80))))
    built = DuplicateIndex(params)
    digests = example_digests(records, None, params=params)
    files = [("train.jsonl", "train"), ("more.jsonl", "train"), ("valid.jsonl", "validation")]
    lines = dict.fromkeys(files, 0)
    for digest in digests:
        where = files[rng.choice([0, 0, 1, 2, 2])]
        lines[where] += 1
        built.add(where[0], where[1], lines[where], digest)  # type: ignore[arg-type]
    return built


def both(built: DuplicateIndex) -> tuple[list[Finding], list[Finding]]:
    return (
        small_findings.analyse(built._rows(), built.params),
        numpy_findings.analyse(built._columns(), built.params),
    )


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(min_value=0, max_value=2**32), threshold=st.sampled_from([0.2, 0.5, 0.8]))
def test_findings_are_numpys_on_random_indexes(seed: int, threshold: float) -> None:
    plain, numpy = both(random_index(seed, NearDupParams(threshold=threshold)))
    assert plain == numpy


def test_random_indexes_exercise_every_kind_of_finding() -> None:
    codes: set[str] = set()
    for seed in range(20):
        plain, numpy = both(random_index(seed, NearDupParams(threshold=0.3)))
        assert plain == numpy
        codes |= {f.code for f in plain}
    assert codes == {"DP401", "DP402", "DP403", "DP404", "DP405", "DP406"}


def test_oversized_buckets_pair_like_numpy() -> None:
    # More than BUCKET_CAP near-copies share bands: anchor-and-neighbour pairs, ordered by content key.
    rng = random.Random(3)
    base = [rng.choice(VOCAB) for _ in range(120)]
    records = []
    for i in range(3 * BUCKET_CAP):
        words = list(base)
        words[i % len(words)] = f"w{i}"
        records.append(chat("same question " + str(i % 7), " ".join(words)))
    built = DuplicateIndex(NearDupParams())
    for line, digest in enumerate(example_digests(records, None), start=1):
        built.add("train.jsonl", "train", line, digest)
    plain, numpy = both(built)
    assert plain == numpy
    assert sum(f.code == "DP403" for f in plain) > BUCKET_CAP


def test_the_index_searches_small_indexes_in_plain_python(monkeypatch: pytest.MonkeyPatch) -> None:
    built = random_index(7, NearDupParams())
    calls: list[int] = []
    real = small_findings.analyse

    def counted(rows: small_findings.Rows, params: NearDupParams) -> list[Finding]:
        calls.append(1)
        return real(rows, params)

    monkeypatch.setattr(small_findings, "analyse", counted)
    plain = built.findings()
    assert calls == [1]
    monkeypatch.setattr(index, "SMALL_ROWS", 10)  # too many examples now: numpy
    assert built.findings() == plain
    assert calls == [1]


def test_other_band_widths_go_to_numpy() -> None:
    params = NearDupParams(num_perm=128, bands=16)  # 8 values a band: numpy hashes the band
    assert not small_findings.supported(params)
    built = random_index(5, params)
    assert built.findings() == numpy_findings.analyse(built._columns(), params)
