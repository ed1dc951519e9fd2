"""Function-calling data shaped like the providers' documented examples (tests/tool_data.py)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from dataprep import Config, validate_files
from dataprep.cli import main
from tests.tool_data import legacy_example, tool_call_example, weather_call


def _codes(path: Path, **options: object) -> list[str]:
    # Generated examples differ by a word: near-duplicates are not what these tests look at.
    report = validate_files([path], config=Config(), jobs=1, ignore=["DP4"], **options)
    return [f.code for f in report.findings]


def test_examples_ending_with_the_call_are_valid(write_jsonl: Callable[..., Path]) -> None:
    path = write_jsonl([tool_call_example(i) for i in range(60)])
    assert _codes(path) == []


def test_legacy_function_call_ending_is_valid_apart_from_the_deprecation(
    write_jsonl: Callable[..., Path],
) -> None:
    path = write_jsonl([legacy_example(i) for i in range(60)])
    codes = _codes(path)
    assert "DP207" not in codes and "DP204" not in codes
    assert set(codes) == {"DP103"}


def test_a_call_left_open_before_a_later_turn_is_still_an_error(write_jsonl: Callable[..., Path]) -> None:
    record = tool_call_example(0)
    record["messages"] += [
        {"role": "user", "content": "Never mind."},
        {"role": "assistant", "content": "OK."},
    ]
    path = write_jsonl([record] + [tool_call_example(i) for i in range(1, 60)])
    report = validate_files([path], config=Config(), jobs=1, ignore=["DP4"])
    [finding] = report.findings
    assert (finding.code, finding.location.line) == ("DP207", 1)
    assert "call_0" in finding.message


def test_parallel_calls_half_answered_at_the_end_stay_an_error(write_jsonl: Callable[..., Path]) -> None:
    record = tool_call_example(0)
    record["messages"][-1]["tool_calls"].append(weather_call(1))
    record["messages"].append({"role": "tool", "tool_call_id": "call_0", "content": "18 C"})
    path = write_jsonl([record] + [tool_call_example(i) for i in range(1, 60)])
    codes = _codes(path)
    assert "DP207" in codes


def test_calls_checked_against_tools_name_function_and_parameter(write_jsonl: Callable[..., Path]) -> None:
    from tests.tool_data import TOOLS

    unknown = tool_call_example(0)
    unknown["messages"][-1]["tool_calls"][0]["function"]["name"] = "get_weather"
    double = tool_call_example(1)
    call = double["messages"][-1]["tool_calls"][0]["function"]
    call["arguments"] = json.dumps(call["arguments"])
    missing = tool_call_example(2, location="Oslo, Norway")
    wrong = tool_call_example(3)
    wrong["messages"][-1]["tool_calls"][0]["function"] = {
        "name": "search_flights",
        "arguments": json.dumps({"origin": "OSL", "destination": "FCO", "passengers": "2"}),
    }
    records = [unknown, double, missing, wrong] + [tool_call_example(i) for i in range(4, 60)]
    assert records[-1]["tools"] == TOOLS
    report = validate_files([write_jsonl(records)], config=Config(), jobs=1, ignore=["DP4"])
    found = {(f.location.line, f.code): f for f in report.findings}
    assert sorted(found) == [(1, "DP216"), (2, "DP218"), (3, "DP219"), (4, "DP220")]
    assert "'get_weather'" in found[1, "DP216"].message and "get_current_weather" in found[1, "DP216"].message
    assert found[1, "DP216"].location.json_path == "messages[1].tool_calls[0].function.name"
    assert "'get_current_weather'" in found[2, "DP218"].message
    assert "'format'" in found[3, "DP219"].message and "'get_current_weather'" in found[3, "DP219"].message
    message = found[4, "DP220"].message
    assert "'search_flights'" in message and "'passengers'" in message and "string" in message
    assert "integer" in message
    assert [f.severity.value for f in report.findings] == ["error", "error", "error", "warning"]


def test_tool_call_only_data_reports_trained_tokens(
    capsys: pytest.CaptureFixture[str], write_jsonl: Callable[..., Path]
) -> None:
    # 300 examples, two tools each, every example ending with the call: before the cookbook recipe this file
    # showed "total tokens 68,550 (assistant 0, trained 0)"; the calls are what it trains.
    path = write_jsonl([tool_call_example(i) for i in range(300)])
    assert main(["validate", str(path), "--ignore", "DP4", "--format", "json"]) == 0
    stats = json.loads(capsys.readouterr().out)["files"][0]["stats"]
    assert stats["assistant_tokens_sum"] == stats["trained_assistant_tokens_sum"] == 6_650
    assert stats["tokens_sum"] == 48_750
    assert main(["validate", str(path), "--ignore", "DP4"]) == 0
    text = capsys.readouterr().out
    assert "total tokens 48,750 (assistant 6,650, trained 6,650)" in text
    assert "$0.44" in text


def test_blank_trained_answers_train_nothing(write_jsonl: Callable[..., Path]) -> None:
    # A ShareGPT-style export where the answer was lost: the assistant turn is whitespace.
    blank = {
        "messages": [
            {"role": "user", "content": "Summarise the meeting."},
            {"role": "assistant", "content": "\n  "},
        ]
    }
    path = write_jsonl([blank] + [tool_call_example(i) for i in range(1, 60)])
    report = validate_files([path], config=Config(), jobs=1, ignore=["DP4"])
    by_code = {f.code: f for f in report.findings}
    assert set(by_code) == {"DP201", "DP211"}
    assert by_code["DP201"].severity.value == "error" and by_code["DP201"].location.line == 1
    assert "empty or whitespace" in by_code["DP201"].message
