"""find_duplicates on files, records and datasets; the index's merge, memory and near pairs."""

from __future__ import annotations

from typing import Any

import pytest

from dataprep.dedup import DuplicateIndex, example_digests, find_duplicates
from dataprep.errors import InputError, UsageError
from dataprep.rules import duplicates
from dataprep.types import Kind, Location


def chat(question: str, answer: str) -> dict[str, Any]:
    return {"messages": [{"role": "user", "content": question}, {"role": "assistant", "content": answer}]}


def records() -> list[dict[str, Any]]:
    answer = (
        "Preheat the oven, whisk the eggs with sugar, fold in the flour and bake for twenty five minutes."
    )
    near = "Preheat the oven, whisk the eggs with honey, fold in the flour and bake for twenty five minutes."
    return [
        chat("How do I bake a sponge cake at home?", answer),
        chat("What is the boiling point of water at sea level?", "One hundred degrees Celsius."),
        chat("How do I bake a sponge cake at home?", answer),
        chat("How do I bake a sponge cake at home?!", near),
        chat("Name a prime number larger than ten.", "Eleven."),
    ]


def test_path_records_and_dataset_agree_with_their_own_locations(write_jsonl: Any) -> None:
    datasets = pytest.importorskip("datasets")
    path = write_jsonl([*records(), b"not json", {"messages": "broken"}], "train.jsonl")
    from_file = find_duplicates(path)
    from_list = find_duplicates(records())
    from_dataset = find_duplicates(datasets.Dataset.from_list(records()))
    shape = [(f.code, f.severity) for f in from_file]
    assert shape == [(f.code, f.severity) for f in from_list] == [(f.code, f.severity) for f in from_dataset]
    assert [f.code for f in from_list] == ["DP401", "DP403"]
    assert [(f.location.path, f.location.line) for f in from_file] == [(str(path), 3), (str(path), 4)]
    assert [(f.location.path, f.location.line) for f in from_list] == [("<records>", 3), ("<records>", 4)]
    # Dataset rows keep their 0-based index, as in dataprep.validate.
    assert [(f.location.path, f.location.line) for f in from_dataset] == [("<dataset>", 2), ("<dataset>", 3)]
    assert from_dataset[0].message == "exact duplicate of line 0 (copy 2 of 2)"


def test_dataset_validation_side_is_labelled() -> None:
    datasets = pytest.importorskip("datasets")
    train = datasets.Dataset.from_list(records()[:2])
    valid = datasets.Dataset.from_list(records()[1:2])
    (leak,) = find_duplicates(train, validation=valid)
    assert leak.code == "DP405"
    assert leak.message == "also in the training data: <dataset>:1 ~ <validation-dataset>:0 (exact copy)"


def test_bad_sources_are_clear_errors(tmp_path: Any) -> None:
    with pytest.raises(UsageError, match="not a single record"):
        find_duplicates(chat("a", "b"))  # type: ignore[arg-type]
    with pytest.raises(UsageError):
        find_duplicates(42)  # type: ignore[arg-type]
    with pytest.raises(InputError):
        find_duplicates(tmp_path / "missing.jsonl")


def test_merged_indexes_report_like_one_index() -> None:
    data = [*records(), *records()[:2]]
    digests = example_digests(data, Kind.CHAT)
    whole, first, second = DuplicateIndex(), DuplicateIndex(), DuplicateIndex()
    for line, digest in enumerate(digests, start=1):
        whole.add("t.jsonl", "train", line, digest)
        (first if line <= 4 else second).add("t.jsonl", "train", line, digest)
    first.merge(second)
    assert len(first) == len(whole) == len(data)
    assert first.findings() == whole.findings()
    assert [(f.code, f.location.line) for f in whole.findings()] == [
        ("DP401", 3),
        ("DP403", 4),
        ("DP401", 6),
        ("DP401", 7),
    ]


def test_memory_is_reported_and_grows_with_the_examples() -> None:
    index = DuplicateIndex()
    empty = index.memory_bytes()
    digests = example_digests(
        [chat(f"question {i}", f"answer number {i} " * 5) for i in range(2000)], Kind.CHAT
    )
    for line, digest in enumerate(digests, start=1):
        index.add("t.jsonl", "train", line, digest)
    grown = index.memory_bytes() - empty
    # About 40 bytes of columns and a 256-byte signature per example.
    assert 2000 * 290 <= grown <= 2000 * 400


def test_near_pairs_lists_locations_and_similarity() -> None:
    index = DuplicateIndex()
    for line, digest in enumerate(example_digests(records(), Kind.CHAT), start=1):
        index.add("t.jsonl", "train", line, digest)
    ((a, b, sim),) = index.near_pairs()
    assert (a, b) == (Location("t.jsonl", 1, 1), Location("t.jsonl", 4, 1))
    assert 0.5 <= sim < 1.0
    assert DuplicateIndex().findings() == [] and DuplicateIndex().near_pairs() == []


def test_every_rule_is_documented_with_bad_and_good_examples() -> None:
    assert [r.code for r in duplicates.RULES] == ["DP401", "DP402", "DP403", "DP404", "DP405", "DP406"]
    for rule in duplicates.RULES:
        assert "Bad:" in rule.doc and "Good:" in rule.doc and rule.scope == "dataset"
    assert {r.code for r in duplicates.RULES if r.severity.value == "error"} == {"DP405", "DP406"}
