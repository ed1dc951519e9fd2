"""Convert on hostile input: broken conversations, odd JSON files, non-standard numbers, bad options."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from dataprep.cli.convert_cmd import convert as convert_cmd
from dataprep.cli.split_cmd import split as split_cmd
from dataprep.conversion.files import convert_file
from dataprep.conversion.pipeline import Converted, Rejected, convert
from dataprep.conversion.report import ConvertReport
from dataprep.errors import DataprepError, InputError, MappingError, UsageError
from dataprep.io.tabular import JsonArraySource, ReadOptions
from dataprep.splitting import split
from tests.conftest import SAMPLE
from tests.test_convert_cli import run

TICKETS = SAMPLE / "tickets.mapping.toml"


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").split("\n") if line]


def test_a_row_rejected_while_reading_rejects_its_whole_conversation(tmp_path: Path) -> None:
    source = tmp_path / "tk.csv"
    source.write_bytes(
        b"ticket_id,turn,role,text\nT1,1,customer,Hello\nT1,2,agent,Hi,EXTRA\nT1,3,customer,My order\n"
        b"T1,4,agent,Sorry\nT2,1,customer,caf\xe9\nT2,2,agent,answer\nT3,1,customer,Hi\nT3,2,agent,Hello\n"
    )
    out = tmp_path / "tk.jsonl"
    report = convert_file(source, out, mapping=TICKETS, validate=False)
    assert (report.rows_read, report.rows_written, report.rows_rejected) == (8, 2, 6)
    assert report.balanced and report.examples_written == 1
    assert lines(out)[0]["messages"][1]["content"] == "Hi"  # only T3 is written
    rejects = lines(tmp_path / "tk.jsonl.rejects.jsonl")
    by_row = {r["source"]["row"]: r for r in rejects}
    assert by_row[2]["reason"] == "ragged-row" and by_row[5]["reason"] == "undecodable"
    assert {by_row[n]["reason"] for n in (1, 3, 4, 6)} == {"group-rejected"}
    assert "row 2 (line 3)" in by_row[3]["message"] and "row 5 (line 6)" in by_row[6]["message"]
    assert not report.warnings


def test_a_rejected_row_without_a_readable_key_warns(tmp_path: Path) -> None:
    source = tmp_path / "tk.jsonl"
    rows = [{"ticket_id": "T1", "turn": 1, "role": "customer", "text": "Hello"}]
    rows.append({"ticket_id": "T1", "turn": 2, "role": "agent", "text": "Hi"})
    text = "\n".join(json.dumps(r) for r in rows) + '\n{"ticket_id": "T1", broken\n'
    source.write_text(text, encoding="utf-8")
    items = list(convert(source, mapping=TICKETS))
    assert [type(i).__name__ for i in items] == ["Rejected", "Converted"]
    report = convert_file(source, tmp_path / "o.jsonl", mapping=TICKETS, validate=False)
    assert report.balanced and report.rows_rejected == 1
    assert any("may be incomplete" in w for w in report.warnings)
    assert isinstance(items[0], Rejected) and items[0].reason == "invalid-json"


def test_a_pretty_printed_json_object_is_a_clear_error(tmp_path: Path) -> None:
    source = tmp_path / "d.json"
    source.write_text(json.dumps({"data": [{"q": "x", "a": "y"}], "n": 1}, indent=2), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        list(convert(source, user="{q}", assistant="{a}"))
    message = str(caught.value)
    assert str(source) in message and "one JSON object" in message and "under 'data'" in message


@pytest.mark.parametrize(
    "text",
    [
        '{"q": "x", "a": "y"}\n{"q": "z", "a": "w"}\n',  # JSON Lines in a .json file
        '[\n  {"q": "x", "a": "y"},\n  {"q": "z", "a": "w"}\n]\n',  # a pretty-printed array
        '\n\n{"q": "x", "a": "y"}\n{"q": "z", "a": "w"}',  # leading blank lines, no final newline
    ],
)
def test_json_lines_and_arrays_in_json_files_still_read(tmp_path: Path, text: str) -> None:
    source = tmp_path / "d.json"
    source.write_text(text, encoding="utf-8")
    items = list(convert(source, user="{q}", assistant="{a}"))
    assert [i.record["messages"][0]["content"] for i in items if isinstance(i, Converted)] == ["x", "z"]


def test_a_json_file_that_is_neither_jsonl_nor_one_document(tmp_path: Path) -> None:
    source = tmp_path / "d.json"
    source.write_text('{\n "q": "x",\n}\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"not JSON Lines.*--input-format jsonl"):
        list(convert(source, user="{q}", assistant="{a}"))


BIG = 123456789012345678901234567890


@pytest.mark.parametrize("suffix", [".json", ".jsonl"])
def test_both_json_readers_agree_on_numbers(tmp_path: Path, suffix: str) -> None:
    values = ["NaN", "Infinity", "-Infinity", "1e400", str(BIG), "18446744073709551616", "2.5"]
    records = [f'{{"q": {v}, "a": "y"}}' for v in values]
    text = "[\n" + ",\n".join(records) + "\n]\n" if suffix == ".json" else "\n".join(records) + "\n"
    source = tmp_path / f"d{suffix}"
    source.write_text(text, encoding="utf-8")
    items = list(convert(source, user="{q}", assistant="{a}"))
    reasons = [i.reason if isinstance(i, Rejected) else None for i in items]
    assert reasons == ["non-standard-number"] * 4 + [None] * 3
    written = [i.record["messages"][0]["content"] for i in items if isinstance(i, Converted)]
    assert written == [str(BIG), "18446744073709551616", "2.5"]  # exact integers, never floats
    first = items[1]
    assert isinstance(first, Rejected) and "Infinity" in first.message


def test_an_unknown_model_fails_before_anything_is_written(tmp_path: Path) -> None:
    source = tmp_path / "d.csv"
    source.write_text("q,a\nx,y\n", encoding="utf-8")
    out = tmp_path / "o.jsonl"
    with pytest.raises(UsageError) as caught:
        convert_file(source, out, user="{q}", assistant="{a}", model="no-such-model")
    message = str(caught.value)
    assert (
        "no-such-model" in message
        and "dataprep models" in message
        and "[tool.dataprep.models.<id>]" in message
    )
    assert "--encoding" not in message and "--max-tokens" not in message
    assert list(tmp_path.iterdir()) == [source]


@pytest.mark.parametrize("size", ["inf", "1e400", "nan", "-inf", "Infinity"])
def test_a_validation_size_that_is_not_finite_is_a_usage_error(tmp_path: Path, size: str) -> None:
    source = tmp_path / "d.jsonl"
    source.write_text('{"messages": []}\n', encoding="utf-8")
    with pytest.raises(UsageError, match="--validation-size"):
        split(source, validation_size=size)
    code, _, err = run(
        convert_cmd,
        str(source),
        "--preset",
        "chat",
        "-o",
        str(tmp_path / "o.jsonl"),
        "--validation-size",
        size,
    )
    assert code == 2 and "--validation-size" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--quotechar", ""], "--quotechar"),
        (["--quotechar", "ab"], "--quotechar"),
        (["--quotechar", ","], "differ"),
        (["--delimiter", "|", "--quotechar", "|"], "differ"),
    ],
)
def test_bad_quote_characters_are_usage_errors(tmp_path: Path, args: list[str], message: str) -> None:
    source = tmp_path / "d.csv"
    source.write_text("q,a\nx,y\n", encoding="utf-8")
    code, _, err = run(convert_cmd, str(source), "--user", "{q}", "-o", str(tmp_path / "o.jsonl"), *args)
    assert code == 2 and message in err
    read = ReadOptions(quotechar=args[-1], delimiter=args[1] if len(args) == 4 else None)
    with pytest.raises(DataprepError):
        list(convert(source, user="{q}", read=read))


@pytest.mark.parametrize(
    ("output_format", "split_size", "labels"),
    [
        ("parquet", None, ["o.parquet (read back)"]),
        ("parquet", "0.5", ["o.train.parquet (read back)", "o.validation.parquet (read back)"]),
        ("hf", "0.5", ["o (split train, read back)", "o (split validation, read back)"]),
    ],
)
def test_validation_of_exports_names_the_final_outputs(
    tmp_path: Path, output_format: str, split_size: str | None, labels: list[str]
) -> None:
    source = tmp_path / "d.csv"
    source.write_text("q,a\n" + "".join(f"question {i},answer {i}\n" for i in range(6)), encoding="utf-8")
    out = tmp_path / ("o" if output_format == "hf" else "o.parquet")
    report = convert_file(
        source, out, user="{q}", assistant="{a}", output_format=output_format, validation_size=split_size
    )
    text = json.dumps([r.to_dict() for r in report.validation])
    assert ".dataprep-convert-" not in text and "DP501" in text
    for label in labels:
        assert str(tmp_path / label) in text


class CountingReader(io.StringIO):
    """Counts the characters a reader asks for, to show it stops at a syntax error."""

    read_chars = 0

    def read(self, size: int | None = -1) -> str:
        text = super().read(size)
        self.read_chars += len(text)
        return text


@pytest.mark.parametrize("bad", ['{"q": 1,, "a": 2}', '{"q": tru}', '{"q": "x"} {"q": 2}'])
def test_a_syntax_error_in_a_json_array_stops_reading(monkeypatch: pytest.MonkeyPatch, bad: str) -> None:
    monkeypatch.setattr(JsonArraySource, "_CHUNK", 256)
    text = "[" + bad + "," + ",".join(f'{{"q": "{i}"}}' for i in range(20_000)) + "]"
    handle = CountingReader(text)
    with pytest.raises(InputError, match=":1:"):
        list(JsonArraySource(handle, "big.json"))
    assert handle.read_chars < 2_000  # not the whole file (about 260,000 characters)


def test_cut_values_at_chunk_ends_still_parse(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(JsonArraySource, "_CHUNK", 7)
    records = [{"q": "a \\\\ \\u00e9 string", "n": 12345.5e3, "t": True, "z": None, "l": [1, 2]}] * 30
    rows = list(JsonArraySource(io.StringIO(json.dumps(records)), "x.json"))
    assert [r.values for r in rows] == [json.loads(json.dumps(r)) for r in records]


def test_a_column_no_json_record_has_fails_early() -> None:
    consumed = 0

    def records() -> Any:
        nonlocal consumed
        for i in range(100_000):
            consumed += 1
            yield {"question": f"q{i}", "a": "y"}

    with pytest.raises(MappingError, match="'q'"):
        list(convert(records(), user="{q}", assistant="{a}"))
    assert consumed <= 1_001


def test_a_csv_with_bare_cr_line_endings_says_so(tmp_path: Path) -> None:
    source = tmp_path / "mac.csv"
    source.write_bytes(b"q,a\rx,y\rz,w\r")
    with pytest.raises(InputError, match="CR line endings") as caught:
        list(convert(source, user="{q}", assistant="{a}"))
    assert "universal-newline" not in str(caught.value)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be"])
@pytest.mark.parametrize("name", ["d.csv", "d.jsonl"])
def test_a_utf16_file_read_as_utf8_suggests_the_encoding(tmp_path: Path, encoding: str, name: str) -> None:
    source = tmp_path / name
    text = "q,a\nx,y\n" if name.endswith(".csv") else '{"q": "x", "a": "y"}\n'
    bom = "\ufeff" if encoding == "utf-16-be" else ""  # the utf-16 codec writes its own BOM
    source.write_bytes((bom + text).encode(encoding))
    with pytest.raises(InputError, match=r"looks UTF-16.*--encoding utf-16"):
        list(convert(source, user="{q}", assistant="{a}"))
    items = list(convert(source, user="{q}", assistant="{a}", read=ReadOptions(encoding="utf-16")))
    assert [i.ok for i in items] == [True]


@pytest.mark.parametrize(
    ("flags", "named"),
    [
        ({"user": "{q.x}"}, "--user"),
        ({"user": "{q}", "assistant": "{a!r}"}, "--assistant"),
        ({"group_by": "q", "role_column": "r", "content": "{a"}, "--content"),
    ],
)
def test_template_errors_name_the_flag(flags: dict[str, str], named: str) -> None:
    with pytest.raises(MappingError) as caught:
        convert([{"q": "x"}], **flags)
    assert str(caught.value).startswith(f"{named}: ") and "messages[" not in str(caught.value)


@pytest.mark.parametrize(
    ("output_format", "name"),
    [("parquet", "o.jsonl"), ("parquet", "o.json"), ("jsonl", "o.parquet"), ("hf", "o.jsonl")],
)
def test_an_output_suffix_that_contradicts_the_format_is_refused(
    tmp_path: Path, output_format: str, name: str
) -> None:
    source = tmp_path / "d.csv"
    source.write_text("q,a\nx,y\n", encoding="utf-8")
    with pytest.raises(UsageError, match="--output-format"):
        convert_file(source, tmp_path / name, user="{q}", assistant="{a}", output_format=output_format)
    assert list(tmp_path.iterdir()) == [source]


def test_sheet_without_a_spreadsheet_input_is_a_usage_error(tmp_path: Path) -> None:
    source = tmp_path / "d.csv"
    source.write_text("q,a\nx,y\n", encoding="utf-8")
    with pytest.raises(UsageError, match="--sheet"):
        convert_file(source, tmp_path / "o.jsonl", user="{q}", read=ReadOptions(sheet="QA"), validate=False)
    assert list(tmp_path.iterdir()) == [source]


def test_split_help_states_the_count_caveat() -> None:
    code, out, _ = run(split_cmd, "--help")
    assert code == 0 and "with a count" in " ".join(out.split())


def test_the_report_has_no_validation_note() -> None:
    assert "validation_note" not in ConvertReport(inputs=[]).to_dict()
