"""Duplicate findings carry the example they repeat: `related` in JSON, `relatedLocations` in SARIF."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema

import dataprep
from dataprep.report.json_format import render_json
from dataprep.report.sarif import render_sarif
from dataprep.report.text import render_text

SCHEMA_PATH = Path(__file__).parent / "data" / "sarif-schema-2.1.0.json"


def chat(question: str, answer: str) -> dict[str, Any]:
    return {"messages": [{"role": "user", "content": question}, {"role": "assistant", "content": answer}]}


def _files(write_jsonl: Callable[..., Path]) -> tuple[Path, Path]:
    rng = random.Random(4)
    syllables = [
        f"{a}{b}" for a in ("ka", "lo", "mi", "nu", "pe", "ro", "si", "tu") for b in ("bar", "den", "fix")
    ]

    def text(n: int) -> str:
        return " ".join(rng.choice(syllables) for _ in range(n))

    others = [chat(text(12), text(30)) for _ in range(12)]
    dup = chat("How do I reset my password?", "Open settings, then security, then reset.")
    train = write_jsonl(
        [dup, *others[:6], dup, chat("how do I  reset my password?", dup["messages"][1]["content"]), dup]
    )
    valid = write_jsonl([*others[6:], dup])
    return train, valid


def test_every_copy_is_a_finding_with_its_first_copy_as_related(write_jsonl: Callable[..., Path]) -> None:
    train, valid = _files(write_jsonl)
    report = dataprep.validate(train, validation=valid)
    dups = [f for f in report.findings if f.code.startswith("DP40")]
    assert [(f.code, Path(f.location.path).name, f.location.line) for f in dups] == [
        ("DP401", train.name, 8),
        ("DP402", train.name, 9),
        ("DP401", train.name, 10),
        ("DP405", valid.name, 7),
    ]
    assert all(len(f.related) == 1 and f.related[0].path == str(train) for f in dups)
    assert [f.related[0].line for f in dups] == [1, 1, 1, 1]
    assert dups[2].message == "exact duplicate of line 1 (copy 3 of 3)"

    doc = json.loads(render_json(report))
    by_line = {(Path(f["path"]).name, f["line"]): f for f in doc["findings"]}
    assert by_line[(train.name, 9)]["related"] == [{"path": str(train), "line": 1}]
    assert by_line[(valid.name, 7)]["related"] == [{"path": str(train), "line": 1}]
    assert all(f["related"] == [] for f in doc["findings"] if not f["code"].startswith("DP40"))

    # Text output: one line per finding, as before; the related location is in the message only.
    text = render_text(report)
    assert f"{train}:10:1: DP401 exact duplicate of line 1 (copy 3 of 3)" in text


def test_sarif_related_locations_are_valid_sarif(write_jsonl: Callable[..., Path]) -> None:
    train, valid = _files(write_jsonl)
    report = dataprep.validate(train, validation=valid)
    doc = json.loads(render_sarif(report))
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    errors = list(jsonschema.Draft4Validator(schema).iter_errors(doc))
    assert not errors, errors[:3]
    results = doc["runs"][0]["results"]
    leak = next(r for r in results if r["ruleId"] == "DP405")
    (related,) = leak["relatedLocations"]
    assert related["id"] == 0
    assert related["physicalLocation"]["region"] == {"startLine": 1, "startColumn": 1}
    assert related["physicalLocation"]["artifactLocation"]["uri"].endswith(train.name)
    assert all("relatedLocations" not in r for r in results if not r["ruleId"].startswith("DP40"))
