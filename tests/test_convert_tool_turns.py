"""Rows that cannot be converted faithfully are rejected with a reason (issue 9 item 14); ShareGPT function_call and
observation turns become tool_calls and tool messages when they can (LLaMA-Factory's glaive_toolcall shape)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import dataprep
from dataprep.conversion import Converted, Rejected, convert_file

TOOLS = json.dumps(
    [
        {
            "name": "get_weather",
            "description": "Weather",
            "parameters": {
                "type": "object",
                "properties": {"city": {"type": "string"}},
                "required": ["city"],
            },
        }
    ]
)


def _call(city: str) -> dict[str, str]:
    return {
        "from": "function_call",
        "value": json.dumps({"name": "get_weather", "arguments": {"city": city}}),
    }


def _rows() -> list[dict[str, Any]]:
    good = {
        "conversations": [
            {"from": "human", "value": "Weather in Oslo?"},
            _call("Oslo"),
            {"from": "observation", "value": '{"temp": 3}'},
            {"from": "gpt", "value": "3 degrees in Oslo."},
        ],
        "tools": TOOLS,
    }
    orphan = {
        "conversations": [
            {"from": "human", "value": "Weather in Rome?"},
            {"from": "observation", "value": '{"temp": 20}'},
            {"from": "gpt", "value": "20 degrees in Rome."},
        ],
        "tools": TOOLS,
    }
    one_call_two_results = {
        "conversations": [
            {"from": "human", "value": "Weather in Bergen?"},
            _call("Bergen"),
            {"from": "observation", "value": '{"temp": 5}'},
            {"from": "observation", "value": '{"temp": 6}'},
            {"from": "gpt", "value": "5 degrees."},
        ],
        "tools": TOOLS,
    }
    return [good, orphan, one_call_two_results]


def test_observation_without_a_call_is_rejected_with_a_reason() -> None:
    items = list(dataprep.convert(_rows(), preset="sharegpt"))
    assert [type(i) for i in items] == [Converted, Rejected, Rejected]
    for item in items[1:]:
        assert isinstance(item, Rejected) and item.reason == "orphan-tool-result"
        assert "no function call before it" in item.message and "conversations[" in item.message
    good = items[0]
    assert isinstance(good, Converted)
    assert good.record["messages"][1] == {
        "role": "assistant",
        "tool_calls": [
            {
                "id": "call_1",
                "type": "function",
                "function": {"name": "get_weather", "arguments": '{"city": "Oslo"}'},
            }
        ],
    }
    assert good.record["messages"][2] == {"role": "tool", "content": '{"temp": 3}', "tool_call_id": "call_1"}
    assert good.record["tools"][0]["type"] == "function"


def test_rejected_rows_are_counted_and_the_written_file_validates(tmp_path: Path) -> None:
    source = tmp_path / "glaive.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in _rows() * 5), encoding="utf-8")
    report = convert_file(source, tmp_path / "o.jsonl", preset="sharegpt", ignore=["DP4", "DP50"])
    assert (report.rows_read, report.rows_written, report.rows_rejected) == (15, 5, 10)
    assert report.rejected_by_reason == {"orphan-tool-result": 10}
    assert report.validation[0].errors == 0


def test_chat_records_with_their_own_call_ids_pass_through() -> None:
    record = {
        "messages": [
            {"role": "user", "content": "hi"},
            {
                "role": "assistant",
                "tool_calls": [
                    {"id": "x9", "type": "function", "function": {"name": "f", "arguments": "{}"}}
                ],
            },
            {"role": "tool", "tool_call_id": "x9", "content": "ok"},
            {"role": "assistant", "content": "done"},
        ]
    }
    (item,) = dataprep.convert([record], preset="chat")
    assert isinstance(item, Converted) and item.record == record
