"""Figures come only from valid examples; prompt/completion files are described in their own terms."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from dataprep import Config, validate_files
from dataprep.cli import main
from tests.conftest import assistant, chat, user

# Chat-looking records from a bot export whose roles are not chat roles: every line fails the schema (DP101).
BOT_EXPORT = [
    {
        "messages": [
            {"role": "human", "content": f"Order {i} has not arrived."},
            {"role": "bot", "content": "Sorry!"},
        ]
    }
    for i in range(40)
]
# Alpaca rows, as in LLaMA-Factory's data/ files: the file itself is not chat JSONL (one DP013).
ALPACA = [
    {"instruction": "Give three tips for staying healthy.", "input": "", "output": "Eat well, sleep, move."},
    {
        "instruction": "把这句话翻译成英文。",
        "input": "今天天气很好。",
        "output": "The weather is nice today.",
    },
] * 20


def test_a_file_with_no_valid_example_prints_no_cost_and_no_statistics(
    capsys: pytest.CaptureFixture[str], write_jsonl: Callable[..., Path]
) -> None:
    path = write_jsonl(BOT_EXPORT)
    assert main(["validate", str(path), "--ignore", "DP4"]) == 1
    out = capsys.readouterr().out
    assert "DP101" in out
    assert "$" not in out and "tokens per example" not in out and "total tokens" not in out
    assert "none of the 40 records is a valid chat example" in out
    assert "no valid training examples (40 records fail the schema): no cost estimate" in out
    assert "DP501" not in out  # count rules still see 40 records
    main(["validate", str(path), "--ignore", "DP4", "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    stats = data["files"][0]["stats"]
    assert data["cost"] is None
    assert (stats["examples"], stats["records_not_counted"], stats["tokens_sum"]) == (0, 40, 0)


def test_a_file_that_is_not_chat_jsonl_prints_no_figures(
    capsys: pytest.CaptureFixture[str], write_jsonl: Callable[..., Path]
) -> None:
    path = write_jsonl(ALPACA)
    assert main(["validate", str(path), "--kind", "chat", "--ignore", "DP4"]) == 1
    out = capsys.readouterr().out
    assert "$" not in out and "total tokens" not in out and "assistant 0" not in out
    assert "no token statistics" in out and "no cost estimate" in out


def test_invalid_records_are_left_out_of_figures_and_cost(write_jsonl: Callable[..., Path]) -> None:
    good = [chat(user(f"Question {i}?"), assistant(f"Answer {i}.")) for i in range(12)]
    bad = {"messages": [{"role": "bot", "content": "a very long line " * 200}, assistant()]}
    clean = validate_files([write_jsonl(good)], config=Config(), jobs=1, ignore=["DP4"])
    mixed = validate_files([write_jsonl([*good, bad])], config=Config(), jobs=1, ignore=["DP4"])
    assert mixed.files[0].stats.examples == 12 and mixed.files[0].stats.not_counted == 1
    assert mixed.files[0].stats.tokens_sum == clean.files[0].stats.tokens_sum
    assert mixed.cost is not None and clean.cost is not None
    assert mixed.cost.billed_tokens == clean.cost.billed_tokens
    # Made a warning, the same record is counted again.
    warned = validate_files(
        [write_jsonl([*good, bad])], config=Config(), jobs=1, ignore=["DP4"], severity={"DP101": "warning"}
    )
    assert warned.files[0].stats.examples == 13 and warned.files[0].stats.not_counted == 0


def test_prompt_completion_files_are_described_in_their_own_terms(
    capsys: pytest.CaptureFixture[str], write_jsonl: Callable[..., Path]
) -> None:
    rows = [
        {"prompt": f"Review {i}: the soup was cold. Sentiment ->", "completion": " negative"}
        for i in range(30)
    ]
    path = write_jsonl(rows)
    main(["validate", str(path), "--model", "babbage-002", "--ignore", "DP4"])
    out = capsys.readouterr().out
    assert "messages per example" not in out and "assistant" not in out
    assert "prompt tokens" in out and "completion tokens" in out
    main(["validate", str(path), "--model", "babbage-002", "--ignore", "DP4", "--format", "json"])
    stats = json.loads(capsys.readouterr().out)["files"][0]["stats"]
    assert "messages_per_example" not in stats and "assistant_tokens_sum" not in stats
    assert stats["prompt_tokens_sum"] + stats["completion_tokens_sum"] == stats["tokens_sum"]
    assert stats["completion_tokens_sum"] == 30  # " negative" is one token in cl100k_base
    assert f"prompt {stats['prompt_tokens_sum']:,}, completion 30" in out
