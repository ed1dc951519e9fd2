"""Hash splits: stable, leak-proof (duplicates and groups on one side), additive, stratified, counted."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dataprep.errors import OutputError, UsageError
from dataprep.splitting import SplitPlanner, key_hash, parse_validation_size, split, split_paths


def record(i: int, **extra: Any) -> dict[str, Any]:
    return {
        "messages": [{"role": "user", "content": f"q{i}"}, {"role": "assistant", "content": f"a{i}"}],
        **extra,
    }


def write(path: Path, records: list[Any]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def sides(train: Path, validation: Path) -> dict[str, str]:
    out = {}
    for name, path in (("train", train), ("validation", validation)):
        for line in path.read_text(encoding="utf-8").splitlines():
            out[line] = name
    return out


@pytest.mark.parametrize(("text", "value"), [("0.1", 0.1), (0.25, 0.25), ("200", 200), (1, 1)])
def test_parse_validation_size(text: Any, value: float | int) -> None:
    parsed = parse_validation_size(text)
    assert parsed == value and type(parsed) is type(value)


@pytest.mark.parametrize("text", ["0", "1.0", "1.5", "-3", "ten", ""])
def test_bad_validation_size(text: str) -> None:
    with pytest.raises(UsageError, match="--validation-size"):
        parse_validation_size(text)


def test_split_paths() -> None:
    assert split_paths("d/x.jsonl") == (Path("d/x.train.jsonl"), Path("d/x.validation.jsonl"))
    assert split_paths("d/x") == (Path("d/x.train"), Path("d/x.validation"))


def test_same_input_same_split_and_seed_changes_it(tmp_path: Path) -> None:
    source = write(tmp_path / "d.jsonl", [record(i) for i in range(200)])
    first = split(source, validation_size=0.2, seed=1)
    a = sides(Path(first.train_path), Path(first.validation_path))
    again = split(source, validation_size=0.2, seed=1, force=True)
    assert sides(Path(again.train_path), Path(again.validation_path)) == a
    other = split(source, validation_size=0.2, seed=2, force=True)
    assert sides(Path(other.train_path), Path(other.validation_path)) != a
    assert first.train + first.validation == 200 and 20 <= first.validation <= 60


def test_duplicates_and_groups_never_straddle(tmp_path: Path) -> None:
    rows = [record(i % 30) for i in range(120)]  # every record four times
    rows += [{"messages": r["messages"][::-1]} | {"conv": f"c{i % 7}"} for i, r in enumerate(rows[:70])]
    reordered = [{"messages": r["messages"]} for r in rows[:5]]  # same content, key order irrelevant
    source = write(tmp_path / "d.jsonl", rows + reordered)
    summary = split(source, validation_size=0.3, group="conv")
    seen: dict[str, set[str]] = {}
    for line, side in sides(Path(summary.train_path), Path(summary.validation_path)).items():
        data = json.loads(line)
        key = data.get("conv") or json.dumps(data, sort_keys=True)
        seen.setdefault(key, set()).add(side)
    assert all(len(s) == 1 for s in seen.values())
    assert "keyed by their content" in " ".join(summary.warnings)


def test_adding_rows_never_moves_existing_rows(tmp_path: Path) -> None:
    old = [record(i) for i in range(150)]
    first = split(write(tmp_path / "old.jsonl", old), validation_size=0.1, seed=5)
    before = sides(Path(first.train_path), Path(first.validation_path))
    second = split(
        write(tmp_path / "new.jsonl", old + [record(i) for i in range(150, 400)]), validation_size=0.1, seed=5
    )
    after = sides(Path(second.train_path), Path(second.validation_path))
    assert all(after[line] == side for line, side in before.items())


def test_count_mode_is_exact_and_only_shrinks_validation(tmp_path: Path) -> None:
    old = [record(i) for i in range(100)]
    first = split(write(tmp_path / "old.jsonl", old), validation_size=12)
    assert (first.train, first.validation) == (88, 12)
    before = sides(Path(first.train_path), Path(first.validation_path))
    second = split(
        write(tmp_path / "new.jsonl", old + [record(i) for i in range(100, 300)]), validation_size=12
    )
    after = sides(Path(second.train_path), Path(second.validation_path))
    assert second.validation == 12
    assert not any(side == "train" and after[line] == "validation" for line, side in before.items())
    with pytest.raises(UsageError, match="not smaller than the 100 examples"):
        split(tmp_path / "old.jsonl", validation_size=100, force=True)


@settings(max_examples=30, deadline=None)
@given(
    classes=st.lists(st.sampled_from(["a", "b", "c", "d"]), min_size=1, max_size=120),
    size=st.one_of(st.floats(min_value=0.05, max_value=0.5), st.integers(min_value=1, max_value=20)),
    seed=st.integers(min_value=0, max_value=10),
)
def test_stratified_classes_stay_within_one_example_of_their_target(
    classes: list[str], size: float | int, seed: int
) -> None:
    if isinstance(size, int) and size >= len(classes):
        return
    planner = SplitPlanner(size, stratified=True)
    hashes = [key_hash(f"row {i}".encode(), seed) for i in range(len(classes))]
    for h, c in zip(hashes, classes, strict=True):
        planner.add(h, c)
    planner.finish()
    taken = Counter(c for h, c in zip(hashes, classes, strict=True) if planner.is_validation(h))
    for name, total in Counter(classes).items():
        target = size * total if isinstance(size, float) else size * total / len(classes)
        assert abs(taken[name] - target) <= 1, (name, taken[name], target)


def test_stratify_on_a_file(tmp_path: Path) -> None:
    rows = [record(i, label="rare" if i % 10 == 0 else "common") for i in range(200)]
    summary = split(write(tmp_path / "d.jsonl", rows), validation_size=0.1, stratify="label")
    labels = Counter(
        json.loads(line)["label"] for line in Path(summary.validation_path).read_text().splitlines()
    )
    assert abs(labels["rare"] - 2) <= 1 and abs(labels["common"] - 18) <= 1


def test_warnings_for_small_or_large_validation(tmp_path: Path) -> None:
    source = write(tmp_path / "d.jsonl", [record(i) for i in range(30)])
    small = split(source, validation_size=3)
    assert any("fewer than 10" in w for w in small.warnings)
    large = split(source, validation_size=20, force=True)
    assert any("more than half" in w for w in large.warnings)


def test_lines_are_copied_blank_lines_dropped_and_junk_kept(tmp_path: Path) -> None:
    source = tmp_path / "d.jsonl"
    source.write_bytes(b'\xef\xbb\xbf{"b": 1,  "a": 2}\r\n\n   \nnot json\n[1]\n{"c": 3}')
    summary = split(source, validation_size=0.5, seed=3)
    data = Path(summary.train_path).read_bytes() + Path(summary.validation_path).read_bytes()
    assert sorted(data.splitlines()) == sorted([b'{"b": 1,  "a": 2}', b"not json", b"[1]", b'{"c": 3}'])
    assert b"\r" not in data and summary.blank_lines == 2 and summary.unparsed_lines == 2
    assert summary.to_dict()["train"]["examples"] + summary.to_dict()["validation"]["examples"] == 4


def test_split_output_safety(tmp_path: Path) -> None:
    source = write(tmp_path / "d.jsonl", [record(i) for i in range(20)])
    with pytest.raises(OutputError, match="refusing to write over the input"):
        split(source, train_output=source)
    split(source)
    with pytest.raises(OutputError, match="already exists"):
        split(source)
    with pytest.raises(UsageError, match="must differ"):
        split(source, train_output=tmp_path / "x.jsonl", validation_output=tmp_path / "x.jsonl", force=True)
    with pytest.raises(Exception, match="no such file"):
        split(tmp_path / "absent.jsonl")
