"""Parquet and `datasets` outputs read back as exactly the records of the JSONL output (issue 9 item 12).

Arrow gives every struct in a column one type; written naively, every tool gained every other tool's parameters
as nulls and every message gained null `tool_calls`/`tool_call_id` (a 300-example two-tool file read back with 746
errors and twice the tokens). dataprep.io.arrow_records stores `tools` as JSON text and drops the nulls Arrow
adds, keeping the ones that were in the data.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import orjson
import pytest

import dataprep
from dataprep.conversion import convert_file
from dataprep.conversion.export import load_dataset_records
from dataprep.io.arrow_records import build_dataset, decode, encode, read_parquet
from tests.conftest import SAMPLE

# Skipped without them; imported by the tests that use them only: every xdist worker imports this module.
pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("datasets") is None or importlib.util.find_spec("pyarrow") is None,
    reason="datasets and pyarrow are not installed (dev extras)",
)

# Every sample file and the mapping that converts it.
SAMPLES = [
    ("recipes.csv", {"preset": "recipe"}),
    ("tickets.csv", {"mapping": SAMPLE / "tickets.mapping.toml"}),
    ("alpaca.json", {"preset": "alpaca"}),
    ("sharegpt.jsonl", {"preset": "sharegpt"}),
    ("chat_valid.jsonl", {"preset": "chat"}),
    ("chat_valid.validation.jsonl", {"preset": "chat"}),
    ("chat_invalid.jsonl", {"preset": "chat"}),
]


def jsonl_records(path: Path) -> list[dict[str, Any]]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines() if line.strip()]


def canonical(records: list[dict[str, Any]]) -> list[str]:
    """Exact values (1 and 1.0 differ, key order aside)."""
    return [json.dumps(r, sort_keys=True, ensure_ascii=False) for r in records]


def two_tool_records(count: int = 300) -> list[dict[str, Any]]:
    weather = {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "Current weather in a city",
            "parameters": {
                "type": "object",
                "properties": {"city": {"type": "string"}, "unit": {"type": "string", "enum": ["C", "F"]}},
                "required": ["city"],
            },
        },
    }
    flight = {
        "type": "function",
        "function": {
            "name": "book_flight",
            "description": "Book a flight",
            "parameters": {
                "type": "object",
                "properties": {
                    "origin": {"type": "string"},
                    "destination": {"type": "string"},
                    "seats": {"type": "integer"},
                },
                "required": ["origin", "destination"],
            },
        },
    }
    out = []
    for i in range(count):
        if i % 2:
            call = {"name": "get_weather", "arguments": json.dumps({"city": f"City {i}"})}
            tools, question, answer = (
                [weather],
                f"Weather in City {i}?",
                f"It is {i % 30} degrees in City {i}.",
            )
        else:
            call = {
                "name": "book_flight",
                "arguments": json.dumps({"origin": "OSL", "destination": f"D{i}", "seats": i % 4 + 1}),
            }
            tools, question, answer = [flight, weather], f"Book me a flight to D{i}.", f"Booked flight {i}."
        messages: list[dict[str, Any]] = [
            {"role": "system", "content": "You are a travel assistant."},
            {"role": "user", "content": question},
            {"role": "assistant", "tool_calls": [{"id": f"call_{i}", "type": "function", "function": call}]},
            {"role": "tool", "tool_call_id": f"call_{i}", "content": json.dumps({"ok": True, "n": i})},
            {"role": "assistant", "content": answer},
        ]
        if i % 7 == 0:
            messages[2]["content"] = None  # OpenAI's own shape: a null content beside tool_calls
        out.append({"messages": messages, "tools": tools})
    return out


@pytest.mark.parametrize(("name", "mapping"), SAMPLES, ids=[s[0] for s in SAMPLES])
def test_every_sample_file_round_trips_through_parquet_and_datasets(
    tmp_path: Path, name: str, mapping: dict[str, Any]
) -> None:
    source = SAMPLE / name
    common: dict[str, Any] = {"validate": False, **mapping}
    convert_file(source, tmp_path / "o.jsonl", **common)
    expected = jsonl_records(tmp_path / "o.jsonl")
    assert expected
    convert_file(source, tmp_path / "o.parquet", output_format="parquet", **common)
    convert_file(source, tmp_path / "o_hf", output_format="hf", **common)
    assert canonical(read_parquet(tmp_path / "o.parquet")) == canonical(expected)
    assert canonical(load_dataset_records(tmp_path / "o_hf")) == canonical(expected)
    # What the validator reads from a saved dataset (dataprep.validate(dataset)) is the same records too.
    import datasets

    loaded = datasets.load_from_disk(str(tmp_path / "o_hf"))
    from dataprep.io.hf_rows import dataset_rows

    assert canonical(list(dataset_rows(loaded))) == canonical(expected)
    # And as convert's input: the Parquet and the dataset give what the JSONL gives.
    if mapping.get("preset") != "chat":
        return
    for index, written in enumerate((tmp_path / "o.jsonl", tmp_path / "o.parquet", tmp_path / "o_hf")):
        convert_file(written, tmp_path / f"back{index}.jsonl", preset="chat", validate=False)
    back = [canonical(jsonl_records(tmp_path / f"back{i}.jsonl")) for i in range(3)]
    assert back[0] == back[1] == back[2]


def test_preference_records_round_trip() -> None:
    records = jsonl_records(SAMPLE / "preference.jsonl")
    table, layout, notes = encode(records)
    assert canonical(list(decode(table.to_pylist(), layout))) == canonical(records) and not notes


def test_two_tool_file_same_tokens_and_findings_after_parquet_and_datasets(tmp_path: Path) -> None:
    source = tmp_path / "tools.jsonl"
    source.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in two_tool_records()))
    outputs = {
        "jsonl": tmp_path / "o.jsonl",
        "parquet": tmp_path / "o.parquet",
        "hf": tmp_path / "o_hf",
    }
    reports = {
        fmt: convert_file(source, path, preset="chat", output_format=fmt, ignore=["DP4"])
        for fmt, path in outputs.items()
    }
    figures = {}
    for fmt, report in reports.items():
        validation = report.validation[0]
        stats = validation.files[0].stats
        figures[fmt] = (
            stats.examples,
            stats.tokens_sum,
            stats.trained_tokens_sum,
            sorted((f.code, f.location.line) for f in validation.findings),
        )
    assert figures["jsonl"][0] == 300 and figures["jsonl"][1] > 0
    assert figures["parquet"] == figures["jsonl"] and figures["hf"] == figures["jsonl"]
    expected = canonical(jsonl_records(outputs["jsonl"]))
    assert canonical(read_parquet(outputs["parquet"])) == expected
    assert canonical(load_dataset_records(outputs["hf"])) == expected
    # Read with plain pyarrow/datasets: tools are JSON text (one string per record), never merged structs.
    import datasets
    import pyarrow.parquet as pq

    table = pq.read_table(outputs["parquet"])
    assert str(table.schema.field("tools").type) == "string"
    loaded = datasets.load_from_disk(str(outputs["hf"]))
    assert json.loads(loaded[0]["tools"])[0]["function"]["name"] == "book_flight"
    # ... and validating the loaded Dataset gives the same figures as the JSONL.
    direct = dataprep.validate(loaded, ignore=["DP4"])
    assert direct.files[0].stats.tokens_sum == figures["jsonl"][1]
    assert sorted((f.code, f.location.line + 1) for f in direct.findings) == figures["jsonl"][3]


def test_columns_without_a_common_type_are_json_text_and_come_back(tmp_path: Path) -> None:
    records = [
        {"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}], "id": 1},
        {"messages": [{"role": "user", "content": "c"}, {"role": "assistant", "content": "d"}], "id": "x-2"},
        {"messages": [{"role": "user", "content": "e"}, {"role": "assistant", "content": "f"}], "score": 1},
        {"messages": [{"role": "user", "content": "g"}, {"role": "assistant", "content": "h"}], "score": 2.5},
        {
            "messages": [{"role": "user", "content": "i"}, {"role": "assistant", "content": "j"}],
            "score": None,
        },
    ]
    table, layout, notes = encode(records)
    assert set(layout.json_columns) == {"tools", "id", "score"} - {"tools"} | {"id", "score"}
    assert any("'id'" in n for n in notes) and any("'score'" in n for n in notes)
    assert canonical(list(decode(table.to_pylist(), layout))) == canonical(records)
    dataset, layout, _ = build_dataset(records)
    assert canonical(list(decode(iter(dataset), layout))) == canonical(records)


def test_a_table_dataprep_did_not_write_is_read_with_arrows_nulls_dropped(tmp_path: Path) -> None:
    import pyarrow as pa

    records = two_tool_records(4)
    naive = pa.Table.from_pylist([{**r, "tools": json.dumps(r["tools"])} for r in records])
    import pyarrow.parquet as pq

    pq.write_table(naive, tmp_path / "naive.parquet")
    back = read_parquet(tmp_path / "naive.parquet")
    # Without dataprep's layout the nulls that were in the data cannot be told from Arrow's: both go.
    expected = json.loads(json.dumps(records))
    for record in expected:
        for message in record["messages"]:
            if message.get("content", "") is None:
                del message["content"]
    assert canonical(back) == canonical(expected)
