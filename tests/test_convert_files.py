"""convert_file: accounting, rejects, determinism, output safety, output formats, tracing and validation."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dataprep.conversion.files import convert_file
from dataprep.errors import OutputError, UsageError
from tests.conftest import SAMPLE

QA = {"user": "{q}", "assistant": "{a}", "validate": False}


def write_csv(path: Path, table: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(table)
    return path


def lines(path: Path) -> list[dict[str, Any]]:
    # split on "\n" only: str.splitlines() would also split inside values at U+0085 or U+2028
    return [json.loads(line) for line in path.read_text(encoding="utf-8").split("\n") if line]


@pytest.fixture
def messy(tmp_path: Path) -> Path:
    path = tmp_path / "messy.csv"
    path.write_bytes(b"q,a\nx,y\n\nonly one\nno answer,\nbad \xff,z\nlast,one\n")
    return path


def test_every_row_is_accounted_for(tmp_path: Path, messy: Path) -> None:
    out = tmp_path / "out.jsonl"
    report = convert_file(messy, out, **QA)
    assert (report.rows_read, report.rows_written, report.rows_rejected, report.blank_rows) == (5, 2, 3, 1)
    assert report.balanced and dict(report.rejected_by_reason) == {
        "ragged-row": 1,
        "missing-value": 1,
        "undecodable": 1,
    }
    assert [r["messages"][0]["content"] for r in lines(out)] == ["x", "last"]
    rejects = lines(Path(str(out) + ".rejects.jsonl"))
    assert [(r["source"]["row"], r["source"]["line"], r["reason"]) for r in rejects] == [
        (2, 4, "ragged-row"),
        (3, 5, "missing-value"),
        (4, 6, "undecodable"),
    ]
    assert rejects[1]["row"] == {"q": "no answer", "a": ""} and rejects[1]["source"]["path"] == str(messy)
    text = report.format_text()
    assert "rows: read 5 = written 2 + rejected 3" in text
    assert "rejected by reason: missing-value 1, ragged-row 1, undecodable 1" in text
    assert "blank rows skipped" in text and "messy.csv, row 3 (line 5): missing-value" in text
    assert report.to_dict()["rows"] == {"read": 5, "written": 2, "rejected": 3, "blank_skipped": 1}


def test_output_is_deterministic_and_plain_utf8(tmp_path: Path) -> None:
    source = SAMPLE / "recipes.csv"
    first = tmp_path / "a.jsonl"
    second = tmp_path / "b.jsonl"
    convert_file(source, first, preset="recipe", validate=False, validation_size=0.2, seed=3)
    convert_file(source, second, preset="recipe", validate=False, validation_size=0.2, seed=3)
    for side in ("train", "validation"):
        a = (tmp_path / f"a.{side}.jsonl").read_bytes()
        assert a == (tmp_path / f"b.{side}.jsonl").read_bytes()
        assert b"\r" not in a and a.endswith(b"\n")
    convert_file(source, first, preset="recipe", validate=False)
    data = first.read_bytes()
    convert_file(source, second, preset="recipe", validate=False, force=True)
    assert data == second.read_bytes()
    accented = write_csv(tmp_path / "fr.csv", [["q", "a"], ["café", "crème\u2028brûlée"]])
    convert_file(accented, tmp_path / "fr.jsonl", **QA)
    assert "café".encode() in (tmp_path / "fr.jsonl").read_bytes()  # UTF-8, not \u escapes
    assert list(json.loads(data.splitlines()[0])) == ["messages"]
    assert list(json.loads(data.splitlines()[0])["messages"][0]) == ["role", "content"]


def test_refuses_to_overwrite_an_input_or_an_existing_output(tmp_path: Path, messy: Path) -> None:
    original = messy.read_bytes()
    with pytest.raises(OutputError, match="refusing to write over the input"):
        convert_file(messy, messy, **QA)
    with pytest.raises(OutputError, match="refusing to write over the input"):
        convert_file(messy, tmp_path / "x.jsonl", train_output=messy, validation_size=0.5, **QA)
    assert messy.read_bytes() == original
    out = tmp_path / "out.jsonl"
    out.write_text("keep me", encoding="utf-8")
    with pytest.raises(OutputError, match=r"already exists.*--force"):
        convert_file(messy, out, **QA)
    assert out.read_text(encoding="utf-8") == "keep me"
    convert_file(messy, out, force=True, **QA)
    assert len(lines(out)) == 2


def test_stale_rejects_file_is_removed_and_failed_runs_leave_nothing(tmp_path: Path, messy: Path) -> None:
    out = tmp_path / "out.jsonl"
    convert_file(messy, out, **QA)
    rejects = Path(str(out) + ".rejects.jsonl")
    assert rejects.exists()
    clean = write_csv(tmp_path / "clean.csv", [["q", "a"], ["1", "2"]])
    report = convert_file(clean, out, force=True, **QA)
    assert report.rejects_path is None and not rejects.exists()
    # A run that fails part-way (a typo in a JSON column seen only at the end) writes nothing at all.
    source = tmp_path / "d.jsonl"
    source.write_text('{"q": "x", "answer": "y"}\n', encoding="utf-8")
    target = tmp_path / "new.jsonl"
    with pytest.raises(Exception, match="column 'a'"):
        convert_file(source, target, **QA)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clean.csv", "d.jsonl", "messy.csv", "out.jsonl"]


def test_several_inputs_of_different_formats(tmp_path: Path) -> None:
    csv_path = write_csv(tmp_path / "a.csv", [["q", "a"], ["c1", "c2"]])
    jsonl = tmp_path / "b.jsonl"
    jsonl.write_text('{"q": "j1", "a": "j2"}\n', encoding="utf-8")
    out = tmp_path / "out.jsonl"
    report = convert_file([csv_path, jsonl], out, trace=True, **QA)
    assert report.rows_read == 2 and [r["messages"][0]["content"] for r in lines(out)] == ["c1", "j1"]
    trace = lines(Path(str(out) + ".sources.jsonl"))
    assert trace == [
        {"line": 1, "sources": [{"path": str(csv_path), "row": 1, "line": 2}]},
        {"line": 2, "sources": [{"path": str(jsonl), "row": 1, "line": 1}]},
    ]


def test_split_on_convert_with_trace_and_group(tmp_path: Path) -> None:
    out = tmp_path / "t.jsonl"
    report = convert_file(
        SAMPLE / "tickets.csv",
        out,
        mapping=SAMPLE / "tickets.mapping.toml",
        validation_size=3,
        group="ticket_id",
        trace=True,
        validate=False,
    )
    assert report.split is not None and (report.split.train, report.split.validation) == (7, 3)
    assert report.rows_written == 28 and report.examples_written == 10
    assert not out.exists()  # only the two sides are written
    train, validation = lines(tmp_path / "t.train.jsonl"), lines(tmp_path / "t.validation.jsonl")
    assert (len(train), len(validation)) == (7, 3)
    trace = lines(Path(str(out) + ".sources.jsonl"))
    assert {t["output"] for t in trace} == {
        str(tmp_path / "t.train.jsonl"),
        str(tmp_path / "t.validation.jsonl"),
    }
    assert sum(len(t["sources"]) for t in trace) == 28
    assert "split (seed 0, key: group 'ticket_id')" in report.format_text()
    assert any("fewer than 10" in w for w in report.split.warnings)


def test_split_options_need_a_size_and_known_columns(tmp_path: Path, messy: Path) -> None:
    with pytest.raises(UsageError, match="need --validation-size"):
        convert_file(messy, tmp_path / "o.jsonl", group="q", **QA)
    with pytest.raises(Exception, match="column 'ticket'"):
        convert_file(messy, tmp_path / "o.jsonl", group="ticket", validation_size=0.5, **QA)
    with pytest.raises(UsageError, match="output-format"):
        convert_file(messy, tmp_path / "o.jsonl", output_format="csv", **QA)


def test_parquet_output(tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    out = tmp_path / "recipes.parquet"
    report = convert_file(
        SAMPLE / "recipes.csv", out, preset="recipe", output_format="parquet", validate=False
    )
    table = pq.read_table(out)
    assert table.num_rows == 50 == report.examples_written
    assert table.to_pylist()[0]["messages"][0]["role"] == "system"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["recipes.parquet"]  # staging removed


def test_hf_output_with_split(tmp_path: Path) -> None:
    import datasets

    out = tmp_path / "recipes_ds"
    report = convert_file(
        SAMPLE / "recipes.csv", out, preset="recipe", output_format="hf", validation_size=0.2, validate=False
    )
    loaded = datasets.load_from_disk(str(out))
    assert report.split is not None
    assert (
        loaded["train"].num_rows == report.split.train
        and loaded["validation"].num_rows == report.split.validation
    )
    assert report.split.train + report.split.validation == 50
    with pytest.raises(OutputError, match="already exists"):
        convert_file(SAMPLE / "recipes.csv", out, preset="recipe", output_format="hf", validate=False)
    convert_file(SAMPLE / "recipes.csv", out, preset="recipe", output_format="hf", validate=False, force=True)
    assert datasets.load_from_disk(str(out)).num_rows == 50
    plain = tmp_path / "plain"
    plain.mkdir()
    with pytest.raises(OutputError, match="not a saved dataset"):
        convert_file(
            SAMPLE / "recipes.csv", plain, preset="recipe", output_format="hf", validate=False, force=True
        )


def test_written_file_is_validated(tmp_path: Path) -> None:
    out = tmp_path / "r.jsonl"
    report = convert_file(SAMPLE / "recipes.csv", out, preset="recipe", validation_size=0.2)
    assert report.ok and len(report.validation) == 1
    few = write_csv(tmp_path / "few.csv", [["q", "a"], ["1", "2"]])
    failed = convert_file(few, tmp_path / "few.jsonl", user="{q}", assistant="{a}")
    assert not failed.ok  # fewer than 10 examples is a validation error


# -- the accounting invariant, property-based ---------------------------------------------------------------------

cells = st.one_of(
    st.just(""), st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00\r"), max_size=8)
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    table=st.lists(st.tuples(cells, cells, cells), max_size=25), missing=st.sampled_from(["reject", "empty"])
)
def test_rows_read_equal_written_plus_rejected(
    tmp_path: Path, table: list[tuple[str, str, str]], missing: str
) -> None:
    source = write_csv(tmp_path / "t.csv", [["q", "a", "extra"], *[list(r) for r in table]])
    out = tmp_path / "o.jsonl"
    report = convert_file(
        source, out, user="{q}", assistant="{a}", missing=missing, force=True, validate=False
    )
    assert report.rows_read == report.rows_written + report.rows_rejected == len(table)
    expected_rejects = 0 if missing == "empty" else sum(1 for q, a, _ in table if q == "" or a == "")
    assert report.rows_rejected == expected_rejects
    rejects_path = Path(str(out) + ".rejects.jsonl")
    rejects = lines(rejects_path) if rejects_path.exists() else []
    assert len(rejects) == report.rows_rejected
    assert all(r["source"]["path"] == str(source) and r["source"]["row"] >= 1 for r in rejects)
    written = lines(out)
    assert len(written) == report.rows_written
    kept = [(q, a) for q, a, _ in table if missing == "empty" or (q and a)]
    assert [(r["messages"][0]["content"], r["messages"][1]["content"]) for r in written] == kept


def test_no_temporary_files_left_after_success(tmp_path: Path, messy: Path) -> None:
    convert_file(messy, tmp_path / "out" / "o.jsonl", validation_size=0.5, trace=True, **QA)
    names = sorted(os.listdir(tmp_path / "out"))
    assert names == ["o.jsonl.rejects.jsonl", "o.jsonl.sources.jsonl", "o.train.jsonl", "o.validation.jsonl"]
