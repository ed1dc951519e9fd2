"""Near-duplicate quality on generated chat data: recall and precision at the default threshold.

The data: multi-turn chat examples over a 5,000-word English-like vocabulary drawn Zipf-distributed
(benchmarks/gen_dedup_data.py), with edited copies planted for 10% of them, in which 5-10% of the words of
EVERY message were replaced. Every planted pair must be found (recall) and nothing else (precision).
"""

from __future__ import annotations

import importlib.util
import random
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from dataprep.dedup import DuplicateIndex, NearDupParams, example_digests, find_duplicates
from dataprep.dedup.minhash import similarity
from dataprep.types import Kind

GENERATOR = Path(__file__).resolve().parents[1] / "benchmarks" / "gen_dedup_data.py"


def _load() -> ModuleType:
    # benchmarks/ is not a package: load the script by path.
    spec = importlib.util.spec_from_file_location("gen_dedup_data", GENERATOR)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("gen_dedup_data", module)
    spec.loader.exec_module(module)
    return module


gen = _load()
Planted = tuple[list[dict[str, Any]], list[tuple[int, int]]]


@pytest.fixture(scope="module")
def planted() -> Planted:
    vocabulary = gen.Vocabulary()
    assert len(vocabulary.words) == gen.VOCABULARY_SIZE
    records, pairs = gen.plant(gen.examples(2000, seed=21, vocabulary=vocabulary), 0.10, seed=21)
    return records, [(a + 1, b + 1) for a, b in pairs]


def test_every_message_of_a_planted_copy_is_edited_by_5_to_10_percent(planted: Planted) -> None:
    records, pairs = planted
    for a, b in pairs[:50]:
        for old, new in zip(records[a - 1]["messages"], records[b - 1]["messages"], strict=True):
            words_old, words_new = old["content"].split(), new["content"].split()
            changed = sum(x != y for x, y in zip(words_old, words_new, strict=True))
            assert changed >= 1
            assert changed <= max(1, round(0.10 * len(words_old))) + 0.5


def test_recall_and_precision_at_the_default_threshold(planted: Planted) -> None:
    records, pairs = planted
    index = DuplicateIndex()
    for line, digest in enumerate(example_digests(records, Kind.CHAT), start=1):
        index.add("train.jsonl", "train", line, digest)
    found = {(a.line, b.line) for a, b, _ in index.near_pairs()}
    truth = set(pairs)
    recall = len(found & truth) / len(truth)
    precision = len(found & truth) / max(len(found), 1)
    assert recall >= 0.95, recall
    assert precision >= 0.95, precision
    # End to end: one DP403 finding per planted pair, nothing else.
    codes = [f.code for f in index.findings()]
    assert codes.count("DP403") == len(found) and set(codes) == {"DP403"}


def test_edited_and_unrelated_similarities_are_far_apart(planted: Planted) -> None:
    records, pairs = planted
    sigs = [d.signature for d in example_digests(records, Kind.CHAT)]
    edited = sorted(similarity(sigs[a - 1], sigs[b - 1]) for a, b in pairs)
    rng = random.Random(0)
    planted_set = set(pairs)
    unrelated: list[float] = []
    while len(unrelated) < 3000:
        a, b = sorted(rng.sample(range(1, len(records) + 1), 2))
        if (a, b) not in planted_set:
            unrelated.append(similarity(sigs[a - 1], sigs[b - 1]))
    threshold = NearDupParams().threshold
    assert edited[len(edited) // 20] > threshold + 0.05  # the 5th percentile clears the threshold
    assert max(unrelated) < threshold - 0.25


def test_leakage_of_planted_copies_across_files(planted: Planted) -> None:
    records, pairs = planted
    copies = {b for _, b in pairs[:40]}
    train = [r for line, r in enumerate(records, start=1) if line not in copies]
    valid = [records[b - 1] for b in sorted(copies)]
    leaks = [f for f in find_duplicates(train, validation=valid) if f.code == "DP406"]
    assert 0.95 * len(valid) <= len(leaks) <= len(valid)
    assert all(f.message.startswith("near-duplicate of training data: <records>:") for f in leaks)
