"""The distributed duplicate search (dedup.distributed) finds exactly what DuplicateIndex finds, for any cut of
the data into parts and any number of shuffle partitions (run in-process here; the Ray runner is
tests/test_ray_executor.py)."""

from __future__ import annotations

import random
from typing import Any

import pytest

from dataprep.dedup import DuplicateIndex, NearDupParams, example_digests
from dataprep.dedup.distributed import InProcessRunner, PartHandle, Place, digest_part, find_distributed
from dataprep.dedup.lsh import BUCKET_CAP
from dataprep.types import Kind
from tests.test_dedup_near import chat, edited, paragraph


def dataset(seed: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Training and validation records with exact, normalised and near copies, conflicts, leaks, and one
    oversized LSH bucket (many near-identical examples)."""
    rng = random.Random(seed)
    train = [chat(paragraph(rng, 12), paragraph(rng, 40)) for _ in range(150)]
    train += [train[rng.randrange(30)] for _ in range(6)]  # exact copies
    train += [chat(r["messages"][0]["content"].upper(), r["messages"][1]["content"]) for r in train[30:34]]
    for r in train[40:60]:  # near copies
        train.append(chat(edited(r["messages"][0]["content"], rng), edited(r["messages"][1]["content"], rng)))
    train += [chat(train[70]["messages"][0]["content"], paragraph(rng, 30)) for _ in range(2)]  # conflicts
    base = paragraph(rng, 60)
    train += [chat(f"Tell me about it, {i}.", edited(base, rng, 0.02)) for i in range(BUCKET_CAP + 8)]
    rng.shuffle(train)
    valid = [chat(paragraph(rng, 12), paragraph(rng, 40)) for _ in range(30)]
    valid += [train[5], train[9], train[9]]  # exact leaks, one copied twice within validation
    r = train[11]
    valid.append(chat(edited(r["messages"][0]["content"], rng), edited(r["messages"][1]["content"], rng)))
    return train, valid


def local_findings(train: list[Any], valid: list[Any], params: NearDupParams) -> list[Any]:
    index = DuplicateIndex(params)
    for label, role, records in (("train.jsonl", "train", train), ("valid.jsonl", "validation", valid)):
        for line, digest in enumerate(example_digests(records, Kind.CHAT, params=params), start=1):
            index.add(label, role, line, digest)
    return index.findings()


def distributed_findings(
    train: list[Any], valid: list[Any], params: NearDupParams, cut: int, partitions: int, near: bool = True
) -> list[Any]:
    parts: list[PartHandle] = []
    offset = 0
    for file, records in enumerate((train, valid)):
        for start in range(0, len(records), cut):
            chunk = records[start : start + cut]
            digests = example_digests(chunk, Kind.CHAT, near=near, params=params)
            lines = range(start + 1, start + 1 + len(chunk))
            part = digest_part(lines, digests, params.num_perm)
            parts.append(PartHandle(part, Place(file, file, offset), len(chunk)))
            offset += len(chunk)
    return find_distributed(
        InProcessRunner(),
        parts,
        ["train.jsonl", "valid.jsonl"],
        [0, 1],
        params,
        partitions=partitions,
        near=near,
    )


@pytest.mark.parametrize(("cut", "partitions"), [(1000, 1), (37, 3), (11, 8)])
def test_same_findings_as_the_index_for_any_cut(cut: int, partitions: int) -> None:
    params = NearDupParams()
    train, valid = dataset(3)
    expected = local_findings(train, valid, params)
    codes = {f.code for f in expected}
    assert {"DP401", "DP402", "DP403", "DP404", "DP405", "DP406"} <= codes  # the data exercises every rule
    assert distributed_findings(train, valid, params, cut, partitions) == expected


def test_without_near_duplicates_only_the_exact_rules_remain() -> None:
    params = NearDupParams()
    train, valid = dataset(5)
    found = distributed_findings(train, valid, params, 25, 4, near=False)
    index = DuplicateIndex(params)
    for label, role, records in (("train.jsonl", "train", train), ("valid.jsonl", "validation", valid)):
        for line, digest in enumerate(example_digests(records, Kind.CHAT, near=False), start=1):
            index.add(label, role, line, digest)
    assert found == index.findings()
    assert {f.code for f in found} == {"DP401", "DP402", "DP404", "DP405"}


def test_no_examples_or_one_example_has_no_findings() -> None:
    params = NearDupParams()
    assert distributed_findings([], [], params, 10, 2) == []
    assert distributed_findings([chat("a b c", "d e f")], [], params, 10, 2) == []
