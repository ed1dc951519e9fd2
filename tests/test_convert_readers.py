"""Source readers: every input format, and every kind of bad input gives a located reject or one clear error."""

from __future__ import annotations

import csv
import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from dataprep.conversion.pipeline import Converted, Rejected, convert
from dataprep.conversion.sources import open_source
from dataprep.errors import InputError, MappingError
from dataprep.io.tabular import BLANK, ReadOptions, SourceRow

QA = {"user": "{q}", "assistant": "{a}"}


def rows(path: Path, **options: Any) -> list[SourceRow]:
    with open_source(str(path), ReadOptions(**options)) as source:
        return list(source)


def items(path: Path | str, **kwargs: Any) -> list[Converted | Rejected]:
    read = kwargs.pop("read", None)
    mapping = kwargs or QA
    return list(convert(str(path), read=read, **mapping))


def contents(found: list[Converted | Rejected]) -> list[list[str]]:
    return [[m["content"] for m in i.record["messages"]] for i in found if isinstance(i, Converted)]


def write_csv(path: Path, table: list[list[str]], **fmt: Any) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, **fmt).writerows(table)
    return path


# -- CSV and TSV -----------------------------------------------------------------------------------------------


def test_csv_quoting_and_embedded_newlines_keep_text_and_line_numbers(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "qa.csv",
        [["q", "a"], ["one", 'say "hi",\nthen\r\nleave'], ["two", "plain"]],
    )
    found = items(path)
    assert contents(found) == [["one", 'say "hi",\nthen\r\nleave'], ["two", "plain"]]
    second = found[1]
    assert isinstance(second, Converted)
    assert (second.sources[0].row, second.sources[0].line) == (2, 5)


def test_tsv_by_extension_and_delimiter_option(tmp_path: Path) -> None:
    tsv = tmp_path / "qa.tsv"
    tsv.write_text("q\ta\nx, y\tz\n", encoding="utf-8")
    assert contents(items(tsv)) == [["x, y", "z"]]
    semi = tmp_path / "qa.csv"
    semi.write_text("q;a\nx;y\n", encoding="utf-8")
    assert contents(items(semi, read=ReadOptions(delimiter=";"), **QA)) == [["x", "y"]]


def test_wrong_delimiter_is_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "semi.csv"
    path.write_text("q;a\nx;y\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"semi\.csv.*semicolon-separated.*--delimiter ';'"):
        items(path)


def test_bom_is_dropped_from_the_header(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbfq,a\nx,y\n")
    assert contents(items(path)) == [["x", "y"]]


@pytest.mark.parametrize("encoding", ["latin-1", "cp1252", "utf-16"])
def test_other_encodings_with_the_option(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "enc.csv"
    path.write_bytes("q,a\ncafé,crème brûlée\n".encode(encoding))
    assert contents(items(path, read=ReadOptions(encoding=encoding), **QA)) == [["café", "crème brûlée"]]


def test_undecodable_bytes_reject_only_their_row(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(b"q,a\nok,fine\ncaf\xe9,x\nalso,fine\n")
    found = items(path)
    assert contents(found) == [["ok", "fine"], ["also", "fine"]]
    reject = found[1]
    assert isinstance(reject, Rejected)
    assert reject.reason == "undecodable"
    assert (reject.source.row, reject.source.line) == (2, 3)
    assert "0xe9" in reject.message and "--encoding" in reject.message
    assert reject.raw == ["caf\\xe9", "x"]  # nothing lost: the byte is kept as an escape


def test_nul_byte_rejects_the_row(tmp_path: Path) -> None:
    path = tmp_path / "nul.csv"
    path.write_bytes(b"q,a\nx\x00y,z\nok,fine\n")
    found = items(path)
    assert isinstance(found[0], Rejected) and found[0].reason == "nul-byte"
    assert "line 2" in found[0].message
    assert contents(found) == [["ok", "fine"]]


def test_ragged_rows_are_rejected_with_their_fields(tmp_path: Path) -> None:
    path = tmp_path / "ragged.csv"
    path.write_text("q,a\nx,y,extra\nshort\nok,fine\n", encoding="utf-8")
    found = items(path)
    reasons = [(i.reason, i.raw) for i in found if isinstance(i, Rejected)]
    assert reasons == [("ragged-row", ["x", "y", "extra"]), ("ragged-row", ["short"])]
    assert "has 3 fields, the header has 2" in found[0].message  # type: ignore[union-attr]


def test_unbalanced_quote_is_named_in_the_reject(tmp_path: Path) -> None:
    path = tmp_path / "quote.csv"
    path.write_text('q,a\n"open,x\nb,c\nd,e\n', encoding="utf-8")
    found = items(path)
    assert len(found) == 1 and isinstance(found[0], Rejected)
    assert "unbalanced quote" in found[0].message


def test_blank_lines_are_not_rows(tmp_path: Path) -> None:
    path = tmp_path / "blank.csv"
    path.write_text("q,a\n\nx,y\n\n", encoding="utf-8")
    read = rows(path)
    assert [r.reason for r in read] == [BLANK, None, BLANK]
    assert read[1].location.row == 1


def test_empty_file_and_duplicate_header_are_errors(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(InputError, match="empty"):
        rows(empty)
    dup = tmp_path / "dup.csv"
    dup.write_text("q,a,q\n1,2,3\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"'q' appears twice.*columns 1 and 3"):
        rows(dup)


def test_missing_file_and_unknown_extension(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        items(tmp_path / "nope.csv")
    odd = tmp_path / "data.txt"
    odd.write_text("x", encoding="utf-8")
    with pytest.raises(InputError, match="--input-format"):
        items(odd)
    with pytest.raises(InputError, match=r"\.xls workbooks"):
        items(tmp_path / "old.xls")


def test_gzip_csv(tmp_path: Path) -> None:
    path = tmp_path / "qa.csv.gz"
    path.write_bytes(gzip.compress(b"q,a\nx,y\n"))
    assert contents(items(path)) == [["x", "y"]]


def test_huge_cell_is_rejected_with_a_clear_message(tmp_path: Path) -> None:
    path = tmp_path / "huge.csv"
    with path.open("w", encoding="utf-8") as handle:
        handle.write('q,a\nbig,"' + "x" * 100_000_000 + '"\nsmall,ok\n')
    found = items(path)
    assert isinstance(found[0], Rejected) and found[0].reason == "cell-too-large"
    # Longer than two cells of 10,000,000 characters can be: skipped unread, never held whole (issue 15).
    assert "line 2 is 100,000,007 bytes" in found[0].message and "skipped unread" in found[0].message
    assert contents(found) == [["small", "ok"]]


def test_a_cell_over_the_limit_in_a_line_that_fits_is_kept_for_the_rejects(tmp_path: Path) -> None:
    path = tmp_path / "over.csv"
    path.write_text('q,a\nbig,"' + "x" * 2_000 + '"\nsmall,ok\n', encoding="utf-8")
    found = list(convert(str(path), max_cell_chars=1_000, **QA))
    assert isinstance(found[0], Rejected) and "column 'a' holds 2,000 characters" in found[0].message
    assert len(found[0].raw["a"]) == 2_000  # kept whole for the rejects file


# -- JSON and JSON Lines -----------------------------------------------------------------------------------------


def test_jsonl_bad_lines_are_located_rejects(tmp_path: Path) -> None:
    path = tmp_path / "d.jsonl"
    path.write_bytes(b'{"q": "x", "a": "y"}\n\n{"q": broken}\n[1, 2]\r\n{"q": "z", "a": "w"}')
    found = items(path)
    assert contents(found) == [["x", "y"], ["z", "w"]]
    rejects = [i for i in found if isinstance(i, Rejected)]
    assert [(r.reason, r.source.line) for r in rejects] == [("invalid-json", 3), ("not-an-object", 4)]
    assert "column" in rejects[0].message and rejects[0].raw == '{"q": broken}'


def test_key_missing_from_some_json_records(tmp_path: Path) -> None:
    path = tmp_path / "d.json"
    path.write_text(json.dumps([{"q": "x", "a": "y"}, {"q": "only"}, {"a": "z", "q": "w"}]), encoding="utf-8")
    found = items(path)
    assert contents(found) == [["x", "y"], ["w", "z"]]
    assert isinstance(found[1], Rejected) and found[1].message == "column 'a' is missing"


def test_json_array_streams_across_chunks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from dataprep.io.tabular import JsonArraySource

    monkeypatch.setattr(JsonArraySource, "_CHUNK", 7)
    records: list[Any] = [{"q": f"question {i}", "a": "é" * (i + 1), "n": 12345 + i} for i in range(40)]
    records.insert(5, 12345)
    path = tmp_path / "d.json"
    path.write_text("\ufeff[\n" + ",\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n]\n")
    found = items(path)
    assert len(contents(found)) == 40
    assert isinstance(found[5], Rejected) and found[5].raw == 12345 and found[5].source.line == 7


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ('[{"q": 1}, {"q": 2,}]', ":1:20:"),
        ('[{"q": 1}\n{"q": 2}]', ":2:1: invalid JSON array: expected ','"),
        ('[{"q": 1},\n', "ends before the closing"),
        ('{"q": 1} x', ""),
        ("[] []", "after the closing"),
    ],
)
def test_malformed_json_array_is_one_error_with_line_and_column(
    tmp_path: Path, text: str, where: str
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(text, encoding="utf-8")
    if text.startswith("{"):  # a .json file holding JSON Lines is read as JSON Lines
        found = items(path)
        assert isinstance(found[0], Rejected) and found[0].reason == "invalid-json"
        return
    with pytest.raises(InputError) as info:
        items(path)
    assert "bad.json" in str(info.value) and where in str(info.value)


def test_json_file_holding_json_lines(tmp_path: Path) -> None:
    path = tmp_path / "lines.json"
    path.write_text('{"q": "a", "a": "b"}\n{"q": "c", "a": "d"}\n', encoding="utf-8")
    assert contents(items(path)) == [["a", "b"], ["c", "d"]]


def test_unknown_column_in_json_records_is_an_error_after_reading(tmp_path: Path) -> None:
    path = tmp_path / "d.jsonl"
    path.write_text('{"question": "x", "answer": "y"}\n', encoding="utf-8")
    with pytest.raises(MappingError, match=r"column 'q'.*available: 'answer', 'question'"):
        items(path)


# -- spreadsheets ---------------------------------------------------------------------------------------------


def _workbook(path: Path) -> Path:
    import datetime

    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    first = book.add_worksheet("Notes")
    first.write_row(0, 0, ["nothing", "here"])
    sheet = book.add_worksheet("QA")
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, ["q", "a", "when"])
    sheet.write_row(1, 0, ["What is 2+2?", 4])
    sheet.write_datetime(1, 2, datetime.datetime(2024, 5, 1), date_format)
    sheet.write_row(3, 0, ["Capital of France?", "Paris"])  # row 3 is left blank on purpose
    sheet.write_row(4, 0, ["stray", "value", "", "beyond the header"])
    book.close()
    return path


def test_xlsx_sheet_by_name_and_index(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "book.xlsx")
    by_name = items(path, read=ReadOptions(sheet="QA"), **QA)
    by_index = items(path, read=ReadOptions(sheet="1"), **QA)
    assert contents(by_name) == contents(by_index) == [["What is 2+2?", "4"], ["Capital of France?", "Paris"]]
    first = by_name[0]
    assert isinstance(first, Converted)
    assert first.row["when"] == "2024-05-01T00:00:00"
    assert str(first.sources[0]) == f"{path} [sheet QA], row 1 (sheet row 2)"
    ragged = by_name[2]
    assert isinstance(ragged, Rejected) and ragged.reason == "ragged-row" and ragged.source.line == 5


def test_xlsx_unknown_sheet_lists_the_sheets(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "book.xlsx")
    with pytest.raises(InputError, match=r"no sheet 'Answers'.*0: 'Notes', 1: 'QA'"):
        items(path, read=ReadOptions(sheet="Answers"), **QA)


def test_xlsx_that_is_not_a_zip(tmp_path: Path) -> None:
    path = tmp_path / "fake.xlsx"
    path.write_text("q,a\nx,y\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"fake\.xlsx: not a valid \.xlsx workbook"):
        items(path)


# -- Parquet and Hugging Face datasets -------------------------------------------------------------------------


def test_parquet_reads_every_row_group(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table(
        {"q": [f"q{i}" for i in range(2500)], "a": [f"a{i}" if i != 7 else None for i in range(2500)]}
    )
    path = tmp_path / "d.parquet"
    pq.write_table(table, path, row_group_size=1000)
    found = items(path)
    assert len(contents(found)) == 2499
    reject = found[7]
    assert isinstance(reject, Rejected) and reject.source.row == 8 and reject.message == "column 'a' is empty"


def test_not_a_parquet_file(tmp_path: Path) -> None:
    path = tmp_path / "d.parquet"
    path.write_text("nope", encoding="utf-8")
    with pytest.raises(InputError, match="not a readable Parquet file"):
        items(path)


def test_hf_save_to_disk_dataset_and_dataset_dict(tmp_path: Path) -> None:
    import datasets

    data = datasets.Dataset.from_dict({"q": ["x", "y"], "a": ["1", ""]})
    data.save_to_disk(str(tmp_path / "one"))
    found = items(tmp_path / "one")
    assert contents(found) == [["x", "1"]]
    assert isinstance(found[1], Rejected) and found[1].source.path.endswith("one")
    datasets.DatasetDict({"train": data, "test": data}).save_to_disk(str(tmp_path / "two"))
    with pytest.raises(InputError, match="choose a split with --hf-split"):
        items(tmp_path / "two")
    picked = items(tmp_path / "two", read=ReadOptions(hf_split="test"), **QA)
    assert isinstance(picked[0], Converted) and picked[0].sources[0].path.endswith("two[test]")
    # In memory, no files at all:
    assert contents(list(convert(data, **QA))) == [["x", "1"]]


def test_not_a_dataset_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"cannot load|not a dataset"):
        items(tmp_path)
