"""The legacy prompt/completion kind through validate: detection, counts, cost, schema and structure findings."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from dataprep import Config, validate
from dataprep.tokens import get_encoding

PAIRS = [(f"Question {i}: what is {i} + {i}?\n\n###\n\n", f" {2 * i} END") for i in range(12)]


def _records(pairs: list[tuple[str, str]] = PAIRS) -> list[dict[str, Any]]:
    return [{"prompt": p, "completion": c} for p, c in pairs]


def test_completion_file_is_detected_counted_and_priced(write_jsonl: Callable[..., Path]) -> None:
    report = validate(write_jsonl(_records()), model="babbage-002", config=Config(), jobs=1, ignore=["DP4"])
    (file,) = report.files
    assert file.kind == "completion"
    encoding = get_encoding("cl100k_base")
    prompt = sum(len(encoding.encode_ordinary(p)) for p, _ in PAIRS)
    completion = sum(len(encoding.encode_ordinary(c)) for _, c in PAIRS)
    # prompt + completion tokens, no per-message overhead; the completion is what is trained.
    assert file.stats.tokens_sum == prompt + completion
    assert file.stats.trained_tokens_sum == completion
    assert report.cost is not None and report.cost.billed_tokens == prompt + completion
    assert report.cost.model == "babbage-002"
    assert [f.code for f in report.findings] == ["DP502"]  # 12 examples: fewer than the recommended 50


def test_completion_schema_and_structure_findings(write_jsonl: Callable[..., Path]) -> None:
    bad = [
        *_records(),
        {"prompt": "", "completion": " x"},
        {"prompt": "p", "completion": 7},
        {"prompt": "p"},
        {"prompt": "p", "completion": "c", "extra": 1},
    ]
    report = validate(write_jsonl(bad), model="babbage-002", config=Config(), jobs=1, ignore=["DP5"])
    found = [(f.code, f.location.line) for f in report.findings]
    assert ("DP211", 13) in found  # empty prompt
    assert ("DP101", 14) in found  # completion is not a string
    assert ("DP012", 15) in found or ("DP101", 15) in found  # no completion: not a completion record
    assert ("DP102", 16) in found  # unknown key


def test_completion_lines_in_a_chat_file_are_mixed_kinds(write_jsonl: Callable[..., Path]) -> None:
    chat = {"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}]}
    report = validate(write_jsonl([chat, *_records()[:2]]), config=Config(), jobs=1, select=["DP012"])
    assert [(f.code, f.location.line) for f in report.findings] == [("DP012", 2), ("DP012", 3)]


def test_kind_option_reads_a_file_as_completion(write_jsonl: Callable[..., Path]) -> None:
    report = validate(
        write_jsonl(_records()), kind="completion", config=Config(), jobs=1, select=["DP1", "DP2"]
    )
    assert report.files[0].kind == "completion" and report.findings == ()
    as_chat = validate(write_jsonl(_records()), kind="chat", config=Config(), jobs=1, select=["DP012"])
    assert {f.code for f in as_chat.findings} == {"DP012"}
