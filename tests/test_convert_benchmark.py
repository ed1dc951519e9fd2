"""The convert benchmark's data generator writes RecipeNLG-layout CSV that the recipe preset converts whole."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from dataprep.conversion.files import convert_file

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_convert.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_convert", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("bench_convert", module)
    spec.loader.exec_module(module)
    return module


def test_generated_csv_is_deterministic_and_converts_without_rejects(tmp_path: Path) -> None:
    bench = _load()
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    rows = bench.generate(first, 300_000, seed=1)
    bench.generate(second, 300_000, seed=1)
    assert first.read_bytes() == second.read_bytes() and first.stat().st_size >= 300_000
    report = convert_file(first, tmp_path / "out.jsonl", preset="recipe", validate=False)
    assert report.rows_read == report.rows_written == rows and report.rows_rejected == 0


def test_every_tool_runs_and_reports_its_counts(tmp_path: Path) -> None:
    bench = _load()
    source = tmp_path / "in.csv"
    rows = bench.generate(source, 20_000, seed=2)
    written = tmp_path / "out.jsonl"
    converted = bench.measure("dataprep", source, written)
    assert (converted["rows"], converted["written"], converted["rejected"]) == (rows, rows, 0)
    assert converted["cpu_s"] > 0 and converted["peak_rss_mb"] > 0
    checked = bench.measure("validate", written, tmp_path / "report.txt")
    assert checked["rows"] == rows and "DP" in (tmp_path / "report.txt").read_text() + "DP"
    both = bench.measure("dataprep+validate", source, tmp_path / "again.jsonl")
    assert both["written"] == rows and (tmp_path / "again.jsonl").read_bytes() == written.read_bytes()
