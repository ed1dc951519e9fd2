"""`dataprep report -o` and `dataprep validate --html`: the page on disk, exit codes, outputs never clobbered."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from dataprep.cli import main
from tests.conftest import SAMPLE, assistant, chat, user


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_report_writes_the_page_and_exits_like_validate(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    page = tmp_path / "report.html"
    train, valid = SAMPLE / "chat_valid.jsonl", SAMPLE / "chat_valid.validation.jsonl"
    code, out, err = run(capsys, "report", str(train), "--validation", str(valid), "-o", str(page))
    assert code == 0 and err == ""
    assert out.startswith(f"Wrote {page} (") and "OK: 0 error(s)" in out
    html = page.read_text(encoding="utf-8")
    assert 'id="split"' in html and str(valid) in html  # the overlay, with the validation file

    bad = tmp_path / "bad.html"
    code, out, _ = run(capsys, "report", str(SAMPLE / "chat_invalid.jsonl"), "-o", str(bad))
    assert code == 1 and "FAILED" in out and 'class="verdict fail"' in bad.read_text(encoding="utf-8")
    code, _, _ = run(capsys, "report", str(SAMPLE / "chat_invalid.jsonl"), "-o", str(bad), "--exit-zero")
    assert code == 0


def test_report_takes_validate_options(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    page = tmp_path / "r.html"
    argv = ["report", str(SAMPLE / "chat_valid.jsonl"), "--model", "gpt-3.5-turbo-0125", "--epochs", "2"]
    code, _, _ = run(capsys, *argv, "--ignore", "DP6", "-o", str(page))
    html = page.read_text(encoding="utf-8")
    assert code == 0 and "gpt-3.5-turbo-0125 (chosen)" in html and "cl100k_base" in html
    assert "× 2 epochs" in html


def test_validate_html_is_a_side_effect(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    page = tmp_path / "v.html"
    code, out, _ = run(capsys, "validate", str(SAMPLE / "chat_invalid.jsonl"), "--html", str(page))
    assert code == 1 and "DP" in out and "FAILED" in out  # the text report as usual
    assert "<!DOCTYPE html>" in page.read_text(encoding="utf-8")
    code, _, _ = run(capsys, "validate", str(SAMPLE / "chat_invalid.jsonl"), "--html", str(page))
    assert code == 1  # an earlier report is replaced


def test_outputs_are_never_an_input_or_a_foreign_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, write_jsonl: Callable[..., Path]
) -> None:
    data = write_jsonl([chat(user(f"q {i}"), assistant(f"a {i}")) for i in range(12)])
    before = data.read_bytes()
    code, _, err = run(capsys, "report", str(data), "-o", str(data))
    assert code == 2 and "refusing to write over the input file" in err and data.read_bytes() == before
    notes = tmp_path / "notes.html"
    notes.write_text("<p>my notes</p>")
    code, _, err = run(capsys, "validate", str(data), "--html", str(notes))
    assert code == 2 and "not a dataprep report" in err and notes.read_text() == "<p>my notes</p>"
    code, _, _ = run(capsys, "report", str(data), "-o", str(notes), "--force")
    assert code == 0 and "dataprep report" in notes.read_text(encoding="utf-8")
    code, _, err = run(capsys, "report", str(data), "-o", str(tmp_path))
    assert code == 2 and "Traceback" not in err


def test_report_needs_an_output(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "report", str(SAMPLE / "chat_valid.jsonl"))
    assert code == 2 and "--output" in err


def test_compute_estimate_in_the_header_and_in_full(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    page = tmp_path / "c.html"
    argv = [
        "report",
        str(SAMPLE / "chat_valid.jsonl"),
        "--parameters",
        "8e9",
        "--method",
        "qlora",
        "--gpu",
        "L4",
    ]
    code, _, err = run(capsys, *argv, "--gpu-price", "0.80", "-o", str(page))
    assert code == 0, err
    html = page.read_text(encoding="utf-8")
    header = html[html.index("<header>") : html.index("</header>")]
    assert "Compute estimate" in header and "GPU-hours" in header and "qlora" in header
    more = html[html.index('id="more"') :]
    assert "gpu hours" in more and "mfu" in more
