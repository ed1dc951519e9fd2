"""Issue 15 item 4 (and the spreadsheet part of 10): formula cells are read as their saved results or refused
with the formula named, never written as a wrong value; merged cells take their range's value; a cut-short or
malformed workbook is exit 2 naming the file."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import orjson
import pytest
import xlsxwriter

from dataprep.cli import main

ARGS = ["--user", "{question}", "--assistant", "{answer}", "--no-validate"]


def _xlsxwriter_book(path: Path) -> Path:
    """What a script writing with xlsxwriter leaves: formulas saved with the result 0, unless it gave one."""
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("FAQ")
    sheet.write_row(0, 0, ["question", "answer", "n"])
    sheet.write_row(1, 0, ["Two plus two?", "", 2])
    sheet.write_formula(1, 1, '="Four: "&C2')  # saved result: 0
    sheet.write_row(2, 0, ["Capital of France?"])
    sheet.write_formula(2, 1, '="Paris"', None, "Paris")  # saved result given
    sheet.merge_range(3, 0, 4, 0, "Which spice for dal?")  # one question over two answer rows
    sheet.write(3, 1, "Cumin.")
    sheet.write(4, 1, "Mustard seed.")
    sheet.write_row(5, 0, ["Plain?", "Plain."])
    book.close()
    return path


def _records(path: Path) -> list[dict[str, object]]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines()]


def _pairs(path: Path) -> list[tuple[str, str]]:
    return [(r["messages"][0]["content"], r["messages"][1]["content"]) for r in _records(path)]  # type: ignore[index]


def test_zero_results_of_uncalculated_formulas_are_rejected_not_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source, out = _xlsxwriter_book(tmp_path / "faq.xlsx"), tmp_path / "faq.jsonl"
    assert main(["convert", str(source), *ARGS, "-o", str(out)]) == 0
    said = capsys.readouterr()
    pairs = _pairs(out)
    assert ("Two plus two?", "0") not in pairs and all(answer != "0" for _, answer in pairs)
    assert ("Capital of France?", "Paris") in pairs  # a saved result is used, and said to be
    rejects = _records(tmp_path / "faq.jsonl.rejects.jsonl")
    assert [r["reason"] for r in rejects] == ["formula-zero-result"]
    assert '="Four: "&C2' in str(rejects[0]["message"])
    assert "formula cells were read as the results saved in the file" in said.out + said.err


def test_merged_cells_give_every_cell_of_the_range_its_value(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source, out = _xlsxwriter_book(tmp_path / "faq.xlsx"), tmp_path / "faq.jsonl"
    assert main(["convert", str(source), *ARGS, "-o", str(out)]) == 0
    pairs = _pairs(out)
    assert ("Which spice for dal?", "Cumin.") in pairs and ("Which spice for dal?", "Mustard seed.") in pairs
    said = capsys.readouterr()
    assert "1 merged cell ranges" in said.out + said.err


def test_formulas_without_a_saved_result_are_rejected_naming_the_formula(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["question", "answer"])
    sheet.append(["Sum?", "=1+1"])  # openpyxl saves no result
    sheet.append(["Plain?", "Yes."])
    source, out = tmp_path / "sums.xlsx", tmp_path / "sums.jsonl"
    book.save(source)
    assert main(["convert", str(source), *ARGS, "-o", str(out)]) == 0
    assert _pairs(out) == [("Plain?", "Yes.")]
    rejects = _records(tmp_path / "sums.jsonl.rejects.jsonl")
    assert rejects[0]["reason"] == "formula-without-result" and "=1+1" in str(rejects[0]["message"])
    # --strict turns any rejected row into a failing exit
    assert main(["convert", str(source), *ARGS, "-o", str(out), "--force", "--strict"]) == 1


@pytest.mark.parametrize(
    ("name", "damage"),
    [
        ("cut.xlsx", lambda data: data[: len(data) // 2]),
        ("text.xlsx", lambda data: b"question,answer\nWhat?,That.\n"),
        ("empty.xlsx", lambda data: b""),
        ("noise.xlsx", lambda data: data[:40] + bytes(range(256)) * 8 + data[2088:]),
    ],
)
def test_a_cut_short_or_malformed_workbook_is_exit_2_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, damage: object
) -> None:
    good = _xlsxwriter_book(tmp_path / "good.xlsx").read_bytes()
    source = tmp_path / name
    source.write_bytes(damage(good))  # type: ignore[operator]
    assert main(["convert", str(source), *ARGS, "-o", str(tmp_path / "o.jsonl")]) == 2
    err = capsys.readouterr().err
    assert f"{source}" in err and "Traceback" not in err
    assert not (tmp_path / "o.jsonl").exists()
