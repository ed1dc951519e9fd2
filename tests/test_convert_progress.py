"""The convert progress line shows a percentage: readers expose how far into their files they are."""

from __future__ import annotations

import csv
import gzip
import importlib
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

from dataprep.cli import main
from dataprep.cli.progress import ProgressBar
from dataprep.conversion.files import convert_file
from dataprep.io.byte_meter import ByteMeter
from tests.test_color_progress import FakeTTY


def _tickets(path: Path, rows: int, start: int = 0) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["question", "answer"])
        for i in range(start, start + rows):
            writer.writerow(
                [f"My order {i} has not arrived, what now? " * 3, f"Order {i}: we are sending it again. " * 4]
            )
    return path


def _calls(inputs: list[Path], output: Path) -> list[tuple[int, int, int | None]]:
    calls: list[tuple[int, int, int | None]] = []
    convert_file(
        [str(p) for p in inputs],
        output,
        user="{question}",
        assistant="{answer}",
        validate=False,
        progress=lambda rows, done, total: calls.append((rows, done, total)),
    )
    return calls


def test_progress_counts_bytes_across_files(tmp_path: Path) -> None:
    first = _tickets(tmp_path / "a.csv", 4000)
    second = _tickets(tmp_path / "b.csv", 4000, start=4000)
    calls = _calls([first, second], tmp_path / "out.jsonl")
    size_a, total = first.stat().st_size, first.stat().st_size + second.stat().st_size
    assert len(calls) == 8
    assert {c[2] for c in calls} == {total}
    done = [c[1] for c in calls]
    assert done == sorted(done) and all(0 < d <= total for d in done)
    assert all(d <= size_a for (rows, d, _) in calls if rows <= 4000)  # still in the first file
    assert all(d > size_a for (rows, d, _) in calls if rows > 4000)  # the first file counted whole


def test_a_gzip_input_reports_its_compressed_position(tmp_path: Path) -> None:
    plain = _tickets(tmp_path / "t.csv", 3000)
    packed = tmp_path / "t.csv.gz"
    with plain.open("rb") as src, gzip.open(packed, "wb") as dst:
        shutil.copyfileobj(src, dst)
    calls = _calls([packed], tmp_path / "out.jsonl")
    assert calls and {c[2] for c in calls} == {packed.stat().st_size}
    assert all(0 < c[1] <= packed.stat().st_size for c in calls)


def test_meter_without_files(tmp_path: Path) -> None:
    meter = ByteMeter()
    meter.plan([tmp_path / "missing.csv"])
    assert meter.total is None and meter.done == 0
    meter.plan([tmp_path])  # a directory (a saved dataset) has no byte size to count against
    assert meter.total is None
    meter.plan([[{"q": "records in memory"}]])
    assert meter.total is None


def test_convert_line_shows_a_percentage(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    source = _tickets(tmp_path / "t.csv", 3000)
    stream = FakeTTY()
    monkeypatch.setattr(sys, "stderr", stream)
    lines: list[str] = []

    class Recording(ProgressBar):
        def __call__(self, *args: Any) -> None:
            super().__call__(*args)
            lines.append(stream.getvalue().rsplit("\r", 1)[-1])

    command_module = importlib.import_module("dataprep.cli.convert_cmd")
    monkeypatch.setattr(command_module, "progress_for", lambda: Recording(stream, delay=0, interval=0))
    argv = ["convert", str(source), "--user", "{question}", "--assistant", "{answer}", "--no-validate"]
    assert main([*argv, "-o", str(tmp_path / "out.jsonl")]) == 0
    assert lines and all("%" in line and "lines" in line for line in lines)
    assert lines[-1].lstrip().split("%")[0].isdigit()
