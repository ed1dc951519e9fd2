"""A split passes `dataprep validate` of its own output: copies and near-duplicate clusters stay on one side.

Data: paraphrase-heavy chit-chat (benchmarks/gen_chitchat.py), where a hash of each line's content alone puts
"Bye!" in train and "bye." in validation (DP405) and "thanks a lot" / "Thanks a lot!!" across (DP406).
"""

from __future__ import annotations

import csv
import importlib.util
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType
from typing import Any

import orjson
import pytest

import dataprep
from dataprep.dedup.clusters import SplitClusters, components
from dataprep.splitting import content_key, key_hash, split

GENERATOR = Path(__file__).resolve().parents[1] / "benchmarks" / "gen_chitchat.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_chitchat", GENERATOR)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("gen_chitchat", module)
    spec.loader.exec_module(module)
    return module


gen = _load()


def write(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in records))
    return path


def leaks(train: Path, validation: Path) -> Counter[str]:
    report = dataprep.validate(train, validation=validation, config=dataprep.Config())
    return Counter(f.code for f in report.findings if f.severity.value == "error")


def lines(path: Path) -> list[bytes]:
    return path.read_bytes().splitlines()


@pytest.fixture(scope="module")
def chitchat() -> list[dict[str, Any]]:
    return gen.records(2500, seed=3)


def test_a_content_hash_alone_would_leak(chitchat: list[dict[str, Any]], tmp_path: Path) -> None:
    # The premise: the data is full of pairs that a per-line hash scatters across the two sides.
    train = [r for r in chitchat if key_hash(content_key(r), 0) >= 0.1 * 2**64]
    valid = [r for r in chitchat if key_hash(content_key(r), 0) < 0.1 * 2**64]
    found = leaks(write(tmp_path / "t.jsonl", train), write(tmp_path / "v.jsonl", valid))
    assert found["DP405"] > 0 and found["DP406"] > 0


@pytest.mark.parametrize("size", ["0.1", "0.3", "200"])
def test_split_of_chitchat_passes_validate(chitchat: list[dict[str, Any]], tmp_path: Path, size: str) -> None:
    source = write(tmp_path / "chat.jsonl", chitchat)
    summary = split(source, validation_size=size, seed=7, threshold=0.5)
    train, valid = Path(summary.train_path), Path(summary.validation_path)
    assert summary.train > 0 and summary.validation > 0
    assert summary.train + summary.validation == len(chitchat)
    assert leaks(train, valid) == Counter()


def test_convert_with_validation_size_passes_validate(tmp_path: Path) -> None:
    source = tmp_path / "chitchat.csv"
    with source.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["question", "answer"])
        writer.writerows((q, a) for _, q, a in gen.rows(2000, seed=5))
    report = dataprep.convert_file(
        source,
        tmp_path / "out.jsonl",
        user="{question}",
        assistant="{answer}",
        validation_size=0.1,
        validate=False,
    )
    assert report.split is not None and report.split.validation > 0
    assert leaks(tmp_path / "out.train.jsonl", tmp_path / "out.validation.jsonl") == Counter()


def test_split_is_deterministic(chitchat: list[dict[str, Any]], tmp_path: Path) -> None:
    source = write(tmp_path / "chat.jsonl", chitchat)
    split(source, validation_size=0.2, seed=1, threshold=0.5)
    first = [lines(tmp_path / "chat.train.jsonl"), lines(tmp_path / "chat.validation.jsonl")]
    split(source, validation_size=0.2, seed=1, threshold=0.5, force=True)
    assert [lines(tmp_path / "chat.train.jsonl"), lines(tmp_path / "chat.validation.jsonl")] == first


def test_adding_rows_moves_only_rows_whose_cluster_a_new_row_joins(
    chitchat: list[dict[str, Any]], tmp_path: Path
) -> None:
    old, new = chitchat[:2000], chitchat[2000:]
    small = write(tmp_path / "small.jsonl", old)
    big = write(tmp_path / "big.jsonl", old + new)
    split(small, validation_size=0.1, seed=0, threshold=0.5)
    split(big, validation_size=0.1, seed=0, threshold=0.5)
    validation_before = set(lines(tmp_path / "small.validation.jsonl"))
    side_before = [orjson.dumps(r) in validation_before for r in old]
    validation_after = set(lines(tmp_path / "big.validation.jsonl"))
    moved = [i for i, r in enumerate(old) if (orjson.dumps(r) in validation_after) != side_before[i]]
    # Clusters of the bigger file: a moved row must share its cluster with a new row.
    clusters = SplitClusters()
    for record in old + new:
        clusters.add(key_hash(content_key(record), 0), record)
    unit = clusters.hashes().tolist()
    joined = {unit[i] for i in range(len(old), len(old) + len(new))}
    assert all(unit[i] in joined for i in moved)
    assert len(moved) < len(old) // 4
    # Unrelated new rows move nothing.
    extra = [
        {
            "messages": [
                {"role": "user", "content": f"zq{i} xv{i * 7} kw{i * 13}"},
                {"role": "assistant", "content": f"pj{i}"},
            ]
        }
        for i in range(300)
    ]
    grown = write(tmp_path / "grown.jsonl", old + extra)
    split(grown, validation_size=0.1, seed=0, threshold=0.5)
    validation_grown = set(lines(tmp_path / "grown.validation.jsonl"))
    assert [orjson.dumps(r) in validation_grown for r in old] == side_before


def test_near_duplicates_join_groups(tmp_path: Path) -> None:
    # Two conversations (group ids) holding near-identical examples must share a side.
    text = "please remind me to water the tomato plants every second morning before work"
    records = [
        {
            "conv": f"c{i}",
            "messages": [{"role": "user", "content": f"topic {i} " + "lorem " * (i % 5) + str(i * 7919)}],
        }
        for i in range(200)
    ]
    records += [
        {"conv": "a", "messages": [{"role": "user", "content": text}]},
        {"conv": "b", "messages": [{"role": "user", "content": text + " please"}]},
    ]
    clusters = SplitClusters()
    for record in records:
        clusters.add(key_hash(b"g" + str(record["conv"]).encode(), 0), record)
    unit = clusters.hashes()
    assert unit[-1] == unit[-2]
    for seed in range(5):
        source = write(tmp_path / f"g{seed}.jsonl", records)
        summary = split(source, validation_size=0.5, seed=seed, group="conv", threshold=0.5)
        assert leaks(Path(summary.train_path), Path(summary.validation_path))["DP406"] == 0


def test_components_follow_chains() -> None:
    import numpy as np

    first = np.array([0, 2, 5, 7, 3], dtype=np.int64)
    second = np.array([1, 3, 6, 8, 4], dtype=np.int64)
    label = components(10, first, second).tolist()
    assert label == [0, 0, 2, 2, 2, 5, 5, 7, 7, 9]


@pytest.mark.slow
def test_9000_row_chitchat_csv_split_by_convert_passes_the_validate_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 9 item 13 at the size it was found at: a 9,000-row chit-chat CSV (normalised copies, clusters of
    near-identical one-liners) split by `convert --validation-size`; `dataprep validate` of the two outputs, as a
    command, finds no DP405/DP406 and exits 0."""
    from dataprep.cli import main

    source = tmp_path / "chitchat.csv"
    with source.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["question", "answer"])
        writer.writerows((q, a) for _, q, a in gen.rows(9000, seed=11))
    out = tmp_path / "chitchat.jsonl"
    args = ["convert", str(source), "--user", "{question}", "--assistant", "{answer}", "-o", str(out)]
    assert main([*args, "--validation-size", "0.1", "--no-validate"]) == 0
    train, valid = tmp_path / "chitchat.train.jsonl", tmp_path / "chitchat.validation.jsonl"
    assert len(lines(train)) + len(lines(valid)) == 9000 and len(lines(valid)) > 100
    capsys.readouterr()
    code = main(["validate", str(train), "--validation", str(valid), "--format", "json"])
    report = orjson.loads(capsys.readouterr().out)
    codes = Counter(f["code"] for f in report["findings"])
    assert code == 0 and report["summary"]["errors"] == 0
    assert codes["DP405"] == 0 and codes["DP406"] == 0
