"""Smaller things users hit (issue 9 item 16): CSV without a header, --system with a preset, a JSON file holding
one object with the records in a list, and --limit."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path
from typing import Any

import pytest

import dataprep
from dataprep.cli import main
from dataprep.conversion import Converted, ReadOptions, convert_file
from dataprep.errors import UsageError
from tests.conftest import SAMPLE


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def _records(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_no_header_gives_col1_to_coln(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "faq.csv"
    source.write_text('\nWhy?,Because.\n"Two\nlines?",Yes.\n', encoding="utf-8")  # a blank line first
    out = tmp_path / "o.jsonl"
    args = [
        "convert",
        str(source),
        "--no-header",
        "--user",
        "{col1}",
        "--assistant",
        "{col2}",
        "-o",
        str(out),
    ]
    code, text, _ = _run(capsys, *args, "--no-validate")
    assert code == 0 and "rows: read 2 = written 2 + rejected 0" in text
    assert [r["messages"] for r in _records(out)] == [
        [{"role": "user", "content": "Why?"}, {"role": "assistant", "content": "Because."}],
        [{"role": "user", "content": "Two\nlines?"}, {"role": "assistant", "content": "Yes."}],
    ]
    items = list(dataprep.convert(source, user="{col1}", assistant="{col2}", read=ReadOptions(header=False)))
    assert next(str(i.sources[0]) for i in items if isinstance(i, Converted)).endswith("row 1 (line 2)")


def test_columns_names_a_headerless_file(tmp_path: Path) -> None:
    source = tmp_path / "faq.tsv"
    source.write_text("Why?\tBecause.\nHow?\tLike this.\tEXTRA\n", encoding="utf-8")
    report = convert_file(
        source,
        tmp_path / "o.jsonl",
        user="{question}",
        assistant="{answer}",
        read=ReadOptions(columns=("question", "answer")),
        validate=False,
    )
    assert (report.rows_written, report.rows_rejected) == (1, 1)
    assert dict(report.rejected_by_reason) == {"ragged-row": 1}
    assert _records(tmp_path / "o.jsonl")[0]["messages"][0] == {"role": "user", "content": "Why?"}


def test_columns_flag_and_wrong_uses(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "faq.csv"
    source.write_text("Why?,Because.\n", encoding="utf-8")
    out = tmp_path / "o.jsonl"
    base = ["convert", str(source), "--user", "{q}", "--assistant", "{a}", "-o", str(out), "--no-validate"]
    code, _, _ = _run(capsys, *base, "--columns", "q,a")
    assert code == 0 and _records(out)[0]["messages"][1]["content"] == "Because."
    code, _, err = _run(capsys, *base, "--force", "--columns", "q,,a")
    assert code == 2 and "--columns" in err
    code, _, err = _run(capsys, *base, "--force", "--columns", "q,q")
    assert code == 2 and "appears twice" in err
    jsonl = tmp_path / "x.jsonl"
    jsonl.write_text('{"q": "a", "a": "b"}\n', encoding="utf-8")
    code, _, err = _run(
        capsys,
        "convert",
        str(jsonl),
        "--user",
        "{q}",
        "--assistant",
        "{a}",
        "-o",
        str(tmp_path / "y.jsonl"),
        "--no-header",
    )
    assert code == 2 and "apply to CSV/TSV inputs" in err


def test_system_with_a_preset_replaces_its_prompt(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "r.jsonl"
    code, _, _ = _run(
        capsys,
        "convert",
        str(SAMPLE / "recipes.csv"),
        "--preset",
        "recipe",
        "--system",
        "You list {ingredients} plainly.",
        "-o",
        str(out),
        "--no-validate",
    )
    records = _records(out)
    assert code == 0 and all(
        r["messages"][0] == {"role": "system", "content": "You list {ingredients} plainly."} for r in records
    )
    assert sum(m["role"] == "system" for m in records[0]["messages"]) == 1
    # ShareGPT's optional per-row system column is replaced too.
    items = list(dataprep.convert(SAMPLE / "sharegpt.jsonl", preset="sharegpt", system="Be brief."))
    firsts = [i.record["messages"][0] for i in items if isinstance(i, Converted)]
    assert firsts and all(m == {"role": "system", "content": "Be brief."} for m in firsts)


def test_json_object_advice_works_as_printed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "export.json"
    rows = [{"question": f"q{i}", "answer": f"a{i}"} for i in range(4)]
    source.write_text(json.dumps({"version": 2, "data": rows}, indent=2), encoding="utf-8")
    out = tmp_path / "o.jsonl"
    command = [
        "convert",
        str(source),
        "--user",
        "{question}",
        "--assistant",
        "{answer}",
        "-o",
        str(out),
        "--no-validate",
    ]
    code, _, err = _run(capsys, *command)
    assert code == 2 and not out.exists()
    advice = re.search(r"add (--json-key \S+) to read them", err)
    assert advice is not None, err
    code, text, err = _run(capsys, *command, *shlex.split(advice.group(1)))  # exactly as printed
    assert code == 0, err
    assert "rows: read 4 = written 4 + rejected 0" in text
    assert [r["messages"][1]["content"] for r in _records(out)] == ["a0", "a1", "a2", "a3"]


def test_json_key_with_a_space_and_wrong_keys(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "export.json"
    source.write_text(
        json.dumps({"my rows": [{"q": "x", "a": "y"}], "tags": ["t"]}, indent=1), encoding="utf-8"
    )
    out = tmp_path / "o.jsonl"
    command = ["convert", str(source), "--user", "{q}", "--assistant", "{a}", "-o", str(out), "--no-validate"]
    code, _, err = _run(capsys, *command)
    assert "--json-key 'my rows'" in err and "(or --json-key tags)" in err
    advice = re.search(r"add (--json-key '[^']+')", err)
    assert advice is not None
    code, _, err = _run(capsys, *command, *shlex.split(advice.group(1)))
    assert code == 0, err
    code, _, err = _run(capsys, *command, "--force", "--json-key", "nope")
    assert code == 2 and "no list under 'nope'" in err and "'my rows'" in err


def test_limit_reads_the_first_rows(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "r.jsonl"
    code, text, _ = _run(
        capsys,
        "convert",
        str(SAMPLE / "recipes.csv"),
        "--preset",
        "recipe",
        "--limit",
        "5",
        "-o",
        str(out),
        "--no-validate",
    )
    assert code == 0 and "rows: read 5 = written 5 + rejected 0" in text
    assert "stopped after the first 5 rows (--limit)" in text and len(_records(out)) == 5
    items = list(dataprep.convert(SAMPLE / "alpaca.json", preset="alpaca", limit=2))
    assert len(items) == 2
    with pytest.raises(UsageError, match="--limit cannot be used with a \\[group\\]"):
        convert_file(
            SAMPLE / "tickets.csv", tmp_path / "t.jsonl", mapping=SAMPLE / "tickets.mapping.toml", limit=3
        )
