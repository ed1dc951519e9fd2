"""DP014: a key repeated in one JSON object is a warning (orjson keeps the last value without a word)."""

from __future__ import annotations

import json
import random
from pathlib import Path

import orjson
import pytest

from dataprep import Config, validate
from dataprep.io.parse import duplicate_keys


def _keys(data: bytes) -> list[str]:
    return duplicate_keys(data, orjson.loads(data))


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (b'{"a": 1, "a": 2}', ["a"]),
        (b'{"a":1,"a" :2}', ["a"]),  # whitespace before the colon
        (b'{"a" \t: 1, "b": {"c": "x:y", "c": "::"}}', ["c"]),  # colons inside the dropped value
        (b'{"m": [{"role": "user", "role": "user"}], "x": 1, "x": 1}', ["role", "x"]),
        (b'{"a": "say \\": b", "b": 1}', []),  # an escaped quote before a colon in a text
        (b'{"a\\u003a": 1, "b": "\\u003a"}', []),  # escaped colons: the exact check decides
        (b'{"a": 1e5, "b": [1, 2, {"x": null}], "c": "10:30"}', []),
        (b'{"\\u0061": 1, "a": 2}', ["a"]),  # the same key written two ways
        (b'{"a":1,"b":[1,{"c":"x:y"}]}', []),  # written as orjson writes it: no scan needed
        (b'{"a":1,"a":2}', ["a"]),  # compact, but orjson writes the record without the dropped pair
    ],
)
def test_duplicate_keys(line: bytes, expected: list[str]) -> None:
    assert _keys(line) == expected


def test_the_cheap_check_never_misses_a_duplicate() -> None:
    rng = random.Random(7)
    words = ["a", "b", "role", "content", "x:y", 'q\\": ', "", " "]
    for _ in range(300):
        pairs = [
            (rng.choice(words), rng.choice([1, "t:", None, [1, {"k": ":"}]]))
            for _ in range(rng.randint(1, 6))
        ]
        compact = rng.random() < 0.3  # as orjson writes: the byte comparison decides these
        comma, colon = (",", ":") if compact else (", ", ": ")
        text = (
            "{"
            + comma.join(
                f"{json.dumps(k)}{'' if compact else rng.choice(['', ' ', chr(9)])}{colon}"
                f"{json.dumps(v, separators=(comma, colon))}"
                for k, v in pairs
            )
            + "}"
        )
        keys = [k for k, _ in pairs]
        repeated = [k for i, k in enumerate(keys) if k in keys[:i]]
        assert sorted(_keys(text.encode())) == sorted(dict.fromkeys(repeated)), text


def test_validate_warns_and_still_counts_the_example(tmp_path: Path) -> None:
    path = tmp_path / "train.jsonl"
    good = {"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello."}]}
    bad = '{"messages": [{"role": "user", "content": "draft", "content": "Hi?"}, {"role": "assistant", "content": "Yes."}]}'
    path.write_text(json.dumps(good) + "\n" + bad + "\n", encoding="utf-8")
    report = validate(path, config=Config(), jobs=1, select=["DP014"])
    assert [(f.code, f.location.line, f.severity.value) for f in report.findings] == [("DP014", 2, "warning")]
    assert "'content'" in report.findings[0].message
    assert report.files[0].stats.examples == 2


def test_ignoring_dp014_skips_the_second_look_at_each_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dataprep.io import parse

    path = tmp_path / "train.jsonl"
    bad = '{"messages": [{"role": "user", "content": "a", "content": "Hi?"}, {"role": "assistant", "content": "Yes."}]}'
    path.write_text(bad + "\n", encoding="utf-8")
    looked: list[bytes] = []
    real = parse.duplicate_keys

    def spy(data: bytes, record: dict[str, object]) -> list[str]:
        looked.append(data)
        return real(data, record)

    monkeypatch.setattr(parse, "duplicate_keys", spy)
    ignored = validate(path, config=Config(), jobs=1, ignore=["DP014"])
    assert looked == [] and "DP014" not in {f.code for f in ignored.findings}
    assert ignored.files[0].stats.examples == 1
    selected = validate(path, config=Config(), jobs=1, select=["DP014"])
    assert len(looked) == 1 and [f.code for f in selected.findings] == ["DP014"]
