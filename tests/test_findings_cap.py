"""Past 20 findings of one code in one file, text and GitHub outputs print one line with the count of the rest;
JSON, SARIF and JUnit keep every finding. The fixture is a chat JSONL export with a run of truncated lines (a
copy cut off by a full disk), some empty user turns, and a second file of the same kind."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from dataprep import Config, validate_files
from dataprep.cli import main
from dataprep.report.formats import RENDERERS
from dataprep.report.model import Elided, shown_findings
from tests.conftest import assistant, chat, user


def _export(path: Path, broken: int, empty: int = 3) -> Path:
    good = json.dumps(chat(user("Where is the station?"), assistant("Two streets north.")))
    lines = [good]
    lines += [good[: 20 + i % 7] for i in range(broken)]  # truncated records: DP002 each
    lines += [json.dumps(chat(user("   "), assistant(f"Answer {i}."))) for i in range(empty)]  # DP211
    lines += [good] * 12
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_text_shows_twenty_then_one_line_with_the_rest(tmp_path: Path) -> None:
    path = _export(tmp_path / "train.jsonl", broken=45)
    report = validate_files([path], config=Config(), jobs=1, ignore=["DP4"])
    assert sum(f.code == "DP002" for f in report.findings) == 45
    text = RENDERERS["text"](report)
    dp002 = [line for line in text.splitlines() if " DP002 " in line]
    assert len(dp002) == 21
    assert dp002[-1].startswith(f"{path}:22:")  # where the first finding not shown is
    assert dp002[-1].endswith(
        ": DP002 25 more DP002 findings in this file (lines 22-46) not shown; "
        "--format json, sarif or junit lists every one"
    )
    assert sum(" DP211 " in line for line in text.splitlines()) == 3  # other codes are counted on their own
    assert "FAILED: 45 error(s)" in text  # the verdict counts every finding


def test_machine_formats_keep_every_finding(tmp_path: Path) -> None:
    path = _export(tmp_path / "train.jsonl", broken=45)
    report = validate_files([path], config=Config(), jobs=1, ignore=["DP4", "DP5"])
    assert len(json.loads(RENDERERS["json"](report))["findings"]) == 48
    sarif = json.loads(RENDERERS["sarif"](report))
    assert len(sarif["runs"][0]["results"]) == 48
    (failure,) = ET.fromstring(RENDERERS["junit"](report)).iter("failure")
    assert failure.get("message") == "45 error(s)" and (failure.text or "").count(" DP002 ") == 45
    assert "more DP002 findings" not in RENDERERS["junit"](report)


def test_github_annotates_twenty_and_one_summary(tmp_path: Path) -> None:
    path = _export(tmp_path / "train.jsonl", broken=30)
    report = validate_files([path], config=Config(), jobs=1, ignore=["DP4"])
    lines = [line for line in RENDERERS["github"](report).splitlines() if "title=DP002" in line]
    assert len(lines) == 21
    assert (
        lines[-1].startswith("::error file=")
        and ",line=22,col=27,title=DP002::10 more DP002 findings" in lines[-1]
    )


def test_each_file_is_summarised_on_its_own(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first = _export(tmp_path / "a.jsonl", broken=21)
    second = _export(tmp_path / "b.jsonl", broken=20)
    assert main(["validate", str(first), str(second), "--quiet", "--ignore", "DP4"]) == 1
    out = capsys.readouterr().out.splitlines()
    (summary,) = [line for line in out if "more DP002" in line]
    assert summary.startswith(f"{first}:22:") and summary.endswith(
        "DP002 1 more DP002 finding in this file (line 22) not shown; --format json, sarif or junit lists every one"
    )
    assert sum(line.startswith(f"{second}:") and " DP002 " in line for line in out) == 20


def test_colour_keeps_the_summary(tmp_path: Path) -> None:
    report = validate_files([_export(tmp_path / "t.jsonl", broken=22)], config=Config(), jobs=1)
    from dataprep.report.text import render_findings

    coloured = render_findings(report, color=True)
    assert "\x1b[1;31mDP002\x1b[0m 2 more DP002 findings" in coloured


def test_shown_findings_places_the_summary_where_the_rest_starts(tmp_path: Path) -> None:
    report = validate_files(
        [_export(tmp_path / "t.jsonl", broken=25, empty=0)], config=Config(), jobs=1, select=["DP002"]
    )
    items = shown_findings(report.findings, limit=3)
    kinds = [type(item).__name__ for item in items]
    assert kinds[:4] == ["Finding", "Finding", "Finding", "Elided"]
    elided = items[3]
    assert isinstance(elided, Elided) and elided.count == 22 and elided.first.location.line == 5
