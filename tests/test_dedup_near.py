"""Near-duplicates and near leakage (DP403, DP406): MinHash signatures, LSH, confirmation, determinism."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from typing import Any

import pytest

from dataprep.dedup import DuplicateIndex, NearDupParams, example_digest, example_digests, find_duplicates
from dataprep.dedup.digest import compared_text
from dataprep.dedup.minhash import shingles, signature, signatures, similarity
from dataprep.errors import UsageError
from dataprep.types import Kind, Severity

WORDS = (
    "river stone lantern copper garden violet thunder meadow silver harbor canyon ember falcon glacier willow "
    "orchard pepper saddle timber velvet anchor basket candle dragon feather hammer island jacket kettle ladder "
    "marble needle oyster pillow quarry rabbit shadow tunnel umbrella wagon yellow zephyr bridge cactus dolphin"
)
VOCAB = tuple(WORDS.split())


def paragraph(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(VOCAB) for _ in range(n)).capitalize() + "."


def chat(question: str, answer: str) -> dict[str, Any]:
    return {"messages": [{"role": "user", "content": question}, {"role": "assistant", "content": answer}]}


def edited(text: str, rng: random.Random, share: float = 0.08) -> str:
    words = text.split(" ")
    for i in rng.sample(range(len(words)), max(1, round(share * len(words)))):
        words[i] = rng.choice([w for w in VOCAB if w != words[i].lower().strip(".")])
    return " ".join(words)


def corpus(seed: int, n: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    return [chat(paragraph(rng, 25), paragraph(rng, 90)) for _ in range(n)]


def jaccard(a: bytes, b: bytes) -> float:
    sa, sb = shingles(a), shingles(b)
    return len(sa & sb) / len(sa | sb)


def test_every_near_duplicate_is_reported_against_a_similar_earlier_example() -> None:
    rng = random.Random(1)
    records = corpus(2, 30)
    q, a = (m["content"] for m in records[4]["messages"])
    records.insert(10, chat(edited(q, rng), edited(a, rng)))  # line 11
    records.insert(20, chat(edited(q, rng), edited(a, rng)))  # line 21
    findings = find_duplicates(records)
    assert [(f.code, f.location.line) for f in findings] == [("DP403", 11), ("DP403", 21)]
    assert findings[0].message.startswith("near-duplicate of line 5 (similarity 0.")
    assert findings[0].related[0].line == 5
    # Line 21 is similar to both earlier copies: it names the more similar one and counts the other.
    sigs = {line: example_digest(records[line - 1], Kind.CHAT).signature for line in (5, 11, 21)}
    best = max((5, 11), key=lambda line: (similarity(sigs[line], sigs[21]), -line))
    assert findings[1].related[0].line == best
    assert findings[1].message == (
        f"near-duplicate of line {best} (similarity {similarity(sigs[best], sigs[21]):.2f}; "
        "similar to 1 more earlier examples)"
    )
    assert all(f.severity is Severity.WARNING for f in findings)
    assert find_duplicates(records, near=False) == []


def _chunks(start: int, count: int) -> str:
    return " ".join(f"tok{i:04d}" for i in range(60 * start, 60 * (start + count)))


def test_no_transitive_chains_a_pair_is_only_reported_when_it_is_similar() -> None:
    # A = P Q R S, B = Q R S T, C = R S T U (60 distinct words a chunk): A~B and B~C share 3 of 5 chunks
    # (Jaccard ~0.6), A and C only 2 of 6 (~0.33, under the threshold). C must be reported against B.
    texts = [_chunks(0, 4), _chunks(1, 4), _chunks(2, 4)]
    records = [*corpus(9, 5), *({"messages": [{"role": "user", "content": t}]} for t in texts)]
    sigs = [example_digest(r, Kind.CHAT).signature for r in records[5:]]
    assert (
        similarity(sigs[0], sigs[2]) < 0.5 <= min(similarity(sigs[0], sigs[1]), similarity(sigs[1], sigs[2]))
    )
    findings = find_duplicates(records)
    assert [(f.code, f.location.line, f.related[0].line) for f in findings] == [
        ("DP403", 7, 6),
        ("DP403", 8, 7),
    ]
    assert findings[1].message == f"near-duplicate of line 7 (similarity {similarity(sigs[1], sigs[2]):.2f})"


def test_near_leakage_pairs_train_and_validation_lines() -> None:
    rng = random.Random(3)
    train = corpus(4, 40)
    q, a = (m["content"] for m in train[7]["messages"])
    valid = [*corpus(5, 3), chat(edited(q, rng), edited(a, rng))]
    findings = find_duplicates(train, validation=valid)
    assert [(f.code, f.location.path, f.location.line) for f in findings] == [("DP406", "<validation>", 4)]
    assert findings[0].message.startswith("near-duplicate of training data: <records>:8 ~ <validation>:4 (0.")
    assert findings[0].severity is Severity.ERROR


def test_threshold_is_configurable() -> None:
    rng = random.Random(5)
    records = corpus(6, 10)
    q, a = (m["content"] for m in records[2]["messages"])
    records.append(chat(edited(q, rng, 0.2), edited(a, rng, 0.2)))
    sim = similarity(*(example_digest(r, Kind.CHAT).signature for r in (records[2], records[-1])))
    assert 0.2 < sim < 0.9
    assert [f.code for f in find_duplicates(records, threshold=sim - 0.05)] == ["DP403"]
    assert find_duplicates(records, threshold=min(1.0, sim + 0.05)) == []


def test_same_prompt_with_other_answer_is_a_conflict_not_a_near_duplicate() -> None:
    records = [
        *corpus(7, 5),
        chat("Is it safe to eat raw cookie dough?", "No, raw flour and eggs can carry bacteria."),
    ]
    records.append(
        chat("Is it safe to eat raw cookie dough?", "No, raw flour and raw eggs can carry bacteria.")
    )
    assert [f.code for f in find_duplicates(records)] == ["DP404"]


def test_estimate_follows_exact_jaccard_of_the_shingles() -> None:
    rng = random.Random(8)
    errors = []
    for record in corpus(9, 60):
        q, a = (m["content"] for m in record["messages"])
        other = chat(edited(q, rng, rng.uniform(0.02, 0.3)), edited(a, rng, rng.uniform(0.02, 0.3)))
        ta, tb = compared_text(record), compared_text(other)
        errors.append(
            similarity(signature(ta, NearDupParams()), signature(tb, NearDupParams())) - jaccard(ta, tb)
        )
    bias = sum(errors) / len(errors)
    spread = (sum(e * e for e in errors) / len(errors)) ** 0.5
    assert abs(bias) < 0.02 and spread < 0.06  # 128 values: standard error about 0.044 at 0.5


def test_short_texts_are_densified_and_still_compared() -> None:
    params = NearDupParams()
    rng = random.Random(20)
    errors = []
    for _ in range(40):
        a = paragraph(rng, 12).lower().encode()
        b = edited(a.decode(), rng, 0.1).encode()
        assert len(shingles(a)) < params.num_perm  # most bins start empty and borrow from their neighbours
        errors.append(similarity(signature(a, params), signature(b, params)) - jaccard(a, b))
    assert abs(sum(errors) / len(errors)) < 0.05  # noisy for a dozen shingles, but unbiased
    text = b"the cat sat on the mat"
    assert similarity(signature(text, params), signature(text, params)) == 1.0
    assert signature(b"", params) == signature(b"  ...  ", params) == b""


def test_scripts_without_spaces_are_shingled_per_character() -> None:
    text = "今天的天气非常好我们一起去公园散步然后在湖边喝茶聊天看风景直到太阳下山才回家吃晚饭"
    changed = text.replace("公园", "花园")
    assert len(shingles(text.encode())) > 30
    sim = similarity(*(signature(t.encode(), NearDupParams()) for t in (text, changed)))
    assert sim > 0.7
    records = [chat("旅行计划", text), chat("旅行计划!", changed), *corpus(10, 5)]
    assert [f.code for f in find_duplicates(records)] == ["DP403"]


def test_batches_give_the_same_signatures_as_one_at_a_time() -> None:
    records = [
        *corpus(11, 20),
        chat("hi", "yo"),
        chat("", ""),
        chat("日本語のテキストです", "はい、そうです。"),
        {"x": 1},
    ]
    one_by_one = [example_digest(r, None) for r in records]
    assert example_digests(records, None) == one_by_one
    texts = [compared_text(r) for r in records]
    assert signatures(texts[::-1], NearDupParams())[::-1] == [signature(t, NearDupParams()) for t in texts]


def _signature_in_subprocess(text: str, seed: int, hash_seed: str) -> str:
    code = (
        "import sys\n"
        "from dataprep.dedup.minhash import signature\n"
        "from dataprep.dedup.params import NearDupParams\n"
        f"print(signature({text.encode()!r}, NearDupParams(seed={seed})).hex())\n"
    )
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    return subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True, env=env
    ).stdout


def test_seeded_and_deterministic_across_processes() -> None:
    text = paragraph(random.Random(12), 60).lower()
    first = _signature_in_subprocess(text, 1, "1")
    assert (
        first
        == _signature_in_subprocess(text, 1, "2")
        == signature(text.encode(), NearDupParams()).hex() + "\n"
    )
    assert first != _signature_in_subprocess(text, 2, "1")
    records = corpus(13, 50)
    rng = random.Random(14)
    for i in (3, 17, 30):
        q, a = (m["content"] for m in records[i]["messages"])
        records.append(chat(edited(q, rng), edited(a, rng)))
    assert find_duplicates(records) == find_duplicates(list(records))
    # Another seed gives other signatures but finds the same near-duplicates.
    other = find_duplicates(records, params=NearDupParams(seed=99))
    assert [(f.code, f.location.line) for f in other] == [
        (f.code, f.location.line) for f in find_duplicates(records)
    ]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"threshold": 0.0},
        {"threshold": 1.5},
        {"num_perm": 100},
        {"bands": 7},
        {"shingle_bytes": 9},
        {"seed": -1},
    ],
)
def test_bad_parameters_are_usage_errors(kwargs: dict[str, Any]) -> None:
    with pytest.raises(UsageError):
        NearDupParams(**kwargs)


def test_other_band_and_shingle_settings_still_work() -> None:
    rng = random.Random(15)
    records = corpus(16, 20)
    q, a = (m["content"] for m in records[5]["messages"])
    records.append(chat(edited(q, rng), edited(a, rng)))
    for params in (
        NearDupParams(num_perm=64, bands=16),
        NearDupParams(num_perm=256, bands=64),
        NearDupParams(bands=64),
    ):
        assert [(f.code, f.location.line) for f in find_duplicates(records, params=params)] == [("DP403", 21)]
    # Shorter shingles: only the first `shingle_bytes` bytes of each window count.
    five = NearDupParams(shingle_bytes=5)
    assert shingles(b"abcdefgh ijk", 5) == {b"abcde", b"ijk\x00\x00"}
    assert (
        signature(b"abcdexyz", five)
        == signature(b"abcdeqrs", five)
        != signature(b"abcdexyz", NearDupParams())
    )
    # Bands of 8 rows are keyed by hashing; they need a closer copy to become candidates.
    records[-1] = chat(edited(q, rng, 0.01), edited(a, rng, 0.01))
    assert [f.code for f in find_duplicates(records, params=NearDupParams(bands=16))] == ["DP403"]


def test_index_needs_matching_parameters_to_merge() -> None:
    with pytest.raises(ValueError, match="different"):
        DuplicateIndex().merge(DuplicateIndex(NearDupParams(seed=5)))
    # The threshold is only applied by the index, so indexes that differ only there merge.
    DuplicateIndex().merge(DuplicateIndex(threshold=0.8))


def test_a_validation_line_gets_one_leak_error() -> None:
    rng = random.Random(17)
    train = corpus(18, 10)
    q, a = (m["content"] for m in train[3]["messages"])
    train.append(chat(edited(q, rng), edited(a, rng)))  # a near copy of line 4 inside training
    findings = find_duplicates(train, validation=[train[3]])
    assert [(f.code, f.location.path) for f in findings] == [
        ("DP403", "<records>"),
        ("DP405", "<validation>"),
    ]


@pytest.mark.parametrize("params", [NearDupParams(), NearDupParams(bands=16)])
def test_a_subset_of_signatures_pairs_as_its_copy_would(params: NearDupParams) -> None:
    # near_pairs confirms pairs among representatives by position, without copying their signatures.
    import numpy as np

    from dataprep.dedup.lsh import confirmed_pairs

    rng = np.random.default_rng(3)
    base = rng.integers(0, 2**16, size=(40, params.num_perm), dtype=np.uint16)
    sigs = np.concatenate([base, base[:20]])  # rows 40-59 copy rows 0-19 ...
    sigs[40:60, : params.num_perm // 3] ^= 1  # ... with a third of their values changed
    sigs[55:] = sigs[0]  # and five exact copies of row 0
    rank: np.ndarray[Any, np.dtype[np.uint64]] = rng.integers(1, 2**63, size=60, dtype=np.uint64)
    subset = np.sort(rng.choice(60, size=45, replace=False)).astype(np.int64)
    picked = confirmed_pairs(sigs, params, rank[subset], subset)
    copied = confirmed_pairs(sigs[subset], params, rank[subset])
    assert picked[0].size > 5
    for got, want in zip(picked, copied, strict=True):
        assert np.array_equal(got, want)


def test_pairs_do_not_depend_on_how_often_candidates_are_confirmed(monkeypatch: pytest.MonkeyPatch) -> None:
    # Candidates are confirmed in flushes; a pair sharing many bands is confirmed once and kept once.
    import numpy as np

    from dataprep.dedup import lsh

    params = NearDupParams()
    rng = np.random.default_rng(5)
    base = rng.integers(0, 2**16, size=(30, params.num_perm), dtype=np.uint16)
    sigs = np.concatenate([base, base, base[:10]])
    sigs[30:60, :32] ^= 3  # copies sharing 24 of 32 bands with their originals (similarity 0.75)
    sigs[60:70, :80] ^= 5  # candidates in 12 bands, below the threshold (0.375)
    whole = lsh.confirmed_pairs(sigs, params)
    monkeypatch.setattr(lsh, "_PENDING_MAX", 1)  # a flush after every band
    flushed = lsh.confirmed_pairs(sigs, params)
    assert whole[0].size >= 30
    codes = whole[0] * sigs.shape[0] + whole[1]
    assert np.array_equal(codes, np.unique(codes))  # ascending, each pair once
    for got, want in zip(flushed, whole, strict=True):
        assert np.array_equal(got, want)
