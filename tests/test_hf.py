"""The Hugging Face `datasets` bridge, on datasets built in memory (no hub)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

import dataprep
from dataprep.errors import InputError
from tests.conftest import SAMPLE, assistant, chat, user

# Skipped without datasets, which _dataset imports: every pytest-xdist worker imports this module to collect it.
pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("datasets") is None, reason="datasets is not installed (dev extras)"
)


def _dataset(records: list[dict[str, object]]) -> object:
    import datasets

    return datasets.Dataset.from_list(records)


def test_validate_a_dataset_reports_row_indices() -> None:
    rows = [chat(user(f"q{i}"), assistant(f"a{i}")) for i in range(12)]
    rows[7] = chat(user("q7"), user("again"), assistant("a7"))
    report = dataprep.validate(_dataset(rows), ignore=["DP4"])
    assert [(f.code, f.location.path, f.location.line) for f in report.findings] == [
        ("DP502", "<dataset>", 0),
        ("DP205", "<dataset>", 7),
    ]
    assert report.files[0].stats.examples == 12


def test_arrow_null_filling_is_not_reported() -> None:
    """Arrow gives every message every key (name, weight, tool_calls...) and fills the absent ones with null."""
    call = {"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}
    rows = [
        {
            "messages": [
                user(),
                {"role": "assistant", "content": None, "tool_calls": [call]},
                {"role": "tool", "tool_call_id": "c1", "content": "ok"},
                assistant(),
            ]
        },
        {"messages": [{"role": "user", "name": "kai", "content": "hi"}, assistant("hello", weight=1)]},
    ] * 6
    report = dataprep.validate(_dataset(rows), ignore=["DP4", "DP50"])
    assert report.findings == ()


def test_num_proc_gives_the_same_report() -> None:
    rows = [chat(user(f"question {i}"), assistant(f"answer {i} ")) for i in range(300)]
    ds = _dataset(rows)
    one = dataprep.validate(ds, num_proc=1, ignore=["DP4"])
    two = dataprep.validate(ds, num_proc=2, ignore=["DP4"])
    assert one.to_dict() == two.to_dict()
    assert len(one.findings) == 300  # DP212 for the trailing space of every answer


def test_to_dataset_loads_valid_jsonl() -> None:
    ds = dataprep.to_dataset(SAMPLE / "chat_valid.jsonl")
    assert len(ds) == 18 and "messages" in ds.column_names
    assert ds[0]["messages"][0]["role"] == "system"


def test_to_dataset_refuses_invalid_files_unless_told(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"messages": [{"role": "user", "content": "hi"}]}\n' * 12)
    with pytest.raises(InputError, match="DP201"):
        dataprep.to_dataset(bad)
    assert len(dataprep.to_dataset(bad, check=False)) == 12
