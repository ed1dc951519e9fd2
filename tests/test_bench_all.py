"""`make bench` (benchmarks/bench_all.py): figures, verdicts, the markdown table and the JSON record.

The fast tests build figures from made-up measurements; the slow one runs the driver end to end on tiny sizes.
"""

from __future__ import annotations

import datetime
import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def _load(name: str) -> ModuleType:
    # benchmarks/ is not a package: load the scripts by path (bench_all imports its siblings from there).
    if str(BENCHMARKS) not in sys.path:
        sys.path.insert(0, str(BENCHMARKS))
    spec = importlib.util.spec_from_file_location(name, BENCHMARKS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(name, module)
    spec.loader.exec_module(module)
    return module


figures = _load("bench_figures")
bench_all = _load("bench_all")

META = {
    "date": "2026-12-02T10:00:00",
    "machine": {"nproc": 2, "cpu_model": "Test CPU", "memory_mb": 1024, "python": "3.11.7"},
    "repeat": 3,
    "seconds": 754.0,
    "group_seconds": {"validate": 500.0, "startup": 254.0},
    "load_start": 0.4,
    "load_end": 1.9,
    "failed": {},
}


def _speed(cpu: float, wall: float) -> dict[str, float | None]:
    return {"cpu_s": cpu, "wall_s": wall}


def test_ratio_and_verdict_follow_the_target() -> None:
    target = figures.Target("cpu_s", "<=", 1.1, "ratio", "issue 16")
    fast = figures.Figure(
        "validate", "fast", figures.Side("a", _speed(10.5, 6.0)), figures.Side("b", _speed(10.0, 4.0)), target
    )
    slow = figures.Figure(
        "validate", "slow", figures.Side("a", _speed(12.0, 6.0)), figures.Side("b", _speed(10.0, 6.0)), target
    )
    assert fast.ratio("cpu_s") == pytest.approx(1.05) and fast.ratio("wall_s") == pytest.approx(1.5)
    assert fast.met() is True  # judged on CPU, the metric the target names, whatever the wall ratio
    assert slow.met() is False
    absolute = figures.Target("largest_mib", "<=", 200, "value", "issue 16, at 1M")
    memory = figures.Figure(
        "validate", "memory", figures.Side("a", {"largest_mib": 210.0}), figures.Side("b", {}), absolute
    )
    assert memory.met() is False and memory.ratio("largest_mib") is None
    recall = figures.Target("recall", ">=", 1.0, "ratio", "README")
    found = figures.Figure(
        "dedup", "recall", figures.Side("a", {"recall": 0.99}), figures.Side("b", {"recall": 0.98}), recall
    )
    assert found.met() is True


def test_conditions_and_missing_values() -> None:
    target = figures.Target("cpu_s", "<=", 0.8, "ratio", "issue 16")
    same = figures.Side("a", _speed(8.0, 4.0)), figures.Side("b", _speed(10.0, 5.0))
    assert figures.Figure("g", "ok", *same, target, conditions={"same report": True}).met() is True
    differs = figures.Figure("g", "differs", *same, target, conditions={"same report": False})
    assert differs.met() is False
    assert "| CPU ratio ≤ 0.8 (issue 16); same report: NO | **no** |" in figures.markdown([differs], META)
    failed = figures.Figure(
        "g", "failed", figures.Side("a (failed)"), figures.Side("b", _speed(1, 1)), target
    )
    assert failed.met() is None and failed.ratios_text() == "n/a"
    assert figures.Figure("g", "no target", *same).met() is None
    only_condition = figures.Figure("g", "identical", *same, conditions={"identical totals": True})
    assert only_condition.met() is True


def test_markdown_puts_each_figure_beside_its_reference() -> None:
    rows = [
        figures.Figure(
            "validate",
            "validate vs essential work, 100,000 examples (210 MB)",
            figures.Side("`validate --ignore DP4`", _speed(27.1, 15.2)),
            figures.Side("essential work", _speed(24.0, 12.1)),
            figures.Target("cpu_s", "<=", 1.1, "ratio", "issue 16"),
            runs=3,
            load=(1.2, 2.0),
        ),
        figures.Figure(
            "startup",
            "start-up",
            figures.Side("`dataprep validate FILE`", _speed(0.61, 0.7)),
            figures.Side("floor", _speed(0.33, 0.4)),
            figures.Target("cpu_s", "<=", 0.45, "value", "issue 16"),
            note="the interpreter alone: 0.030 s CPU",
        ),
        figures.Figure(
            "convert", "convert vs polars", figures.Side("convert"), None, note="polars not installed"
        ),
    ]
    text = figures.markdown(rows, META)
    lines = text.splitlines()
    header = lines.index("| figure | dataprep | reference | dataprep / reference | target | met | load |")
    table = lines[header + 2 : header + 5]
    assert table[0] == (
        "| validate vs essential work, 100,000 examples (210 MB) | `validate --ignore DP4`: 27.10 s CPU, "
        "15.20 s wall | essential work: 24.00 s CPU, 12.10 s wall | 1.13 CPU, 1.26 wall "
        "| CPU ratio ≤ 1.1 (issue 16) | **no** | 1.2-2.0 |"
    )
    assert "| CPU ≤ 0.45 s (issue 16) | **no** | n/a |" in table[1]
    assert table[2] == "| convert vs polars | convert: n/a | n/a | n/a | - | - | n/a |"
    assert "took 12.6 min (by group, min: validate 8.3, startup 4.2)" in lines[0]
    assert "load average 0.4 at the start, 1.9 at the end" in lines[0]
    assert "- start-up: the interpreter alone: 0.030 s CPU" in lines
    assert "- convert vs polars: polars not installed" in lines


def test_record_is_json_with_ratios_and_verdicts(tmp_path: Path) -> None:
    row = figures.Figure(
        "dedup",
        "recall",
        figures.Side("dataprep", {"recall": 0.9945}),
        figures.Side("datasketch", {"recall": 0.988}),
        figures.Target("recall", ">=", 1.0, "ratio", "README"),
        runs=3,
        load=(0.5, 1.5),
    )
    data = figures.record(
        [row], {**META, "failed": {"convert": "SystemExit: pandas failed"}}, {"dedup": {"x": 1}}
    )
    path = figures.write_record(data, tmp_path / "results")
    assert path.name == f"bench-{datetime.date.today().isoformat()}.json"
    back = json.loads(path.read_text())
    (figure,) = back["figures"]
    assert figure["met"] is True and figure["ratios"] == {"recall": pytest.approx(0.9945 / 0.988, abs=1e-4)}
    assert figure["subject"] == {"label": "dataprep", "values": {"recall": 0.9945}}
    assert figure["target_text"] == "recall ratio ≥ 1 (README)" and figure["load"] == [0.5, 1.5]
    assert back["raw"] == {"dedup": {"x": 1}} and back["repeat"] == 3
    assert "- group convert FAILED: SystemExit: pandas failed" in figures.markdown([row], data)


def _tool(cpu: float, wall: float, rss: float, tree: float, digest: str = "d1") -> dict[str, Any]:
    runs = [{"stdout_sha256": digest}]
    return {
        "ok": True,
        "cpu_median_s": cpu,
        "wall_median_s": wall,
        "max_rss_median_mb": rss,
        "tree_rss_median_mb": tree,
        "runs": runs,
    }


def test_validate_figures_from_one_size_of_bench_validate() -> None:
    entry = {
        "examples": 100_000,
        "bytes": 210_000_000,
        "tools": {
            "essential": _tool(24.0, 12.0, 104, 240),
            "validate": _tool(26.0, 14.0, 170, 390),
            "naive": _tool(40.0, 41.0, 620, 620),
            "validate-all": _tool(33.0, 18.0, 190, 460),
            "validate-tiktoken": _tool(30.0, 16.0, 100, 320, digest="d2"),
        },
    }
    made = bench_all.validate_size_figures(entry, 3, (1.0, 2.0))
    assert [f.name.removesuffix(", 100,000 examples (210 MB)") for f in made] == [
        "validate vs essential work",
        "validate vs naive baseline",
        "validate with the fast counter vs tiktoken counting",
        "peak memory, DP4 off",
        "peak memory, every rule on",
        "duplicate detection in validate",
    ]
    assert made[0].name == "validate vs essential work, 100,000 examples (210 MB)"
    assert made[0].ratio("cpu_s") == pytest.approx(26 / 24) and made[0].met() is True
    assert made[1].ratio("wall_s") == pytest.approx(14 / 41) and made[1].met() is True
    counter = made[2]
    assert counter.conditions == {"same report": False} and counter.met() is False  # reports differ
    memory_off, memory_all = made[3], made[4]
    assert memory_off.subject.values == {"largest_mib": 170, "tree_mib": 390} and memory_off.met() is True
    assert memory_all.subject.values["largest_mib"] == 190 and memory_all.met() is True
    assert made[5].met() is None and all(f.runs == 3 and f.load == (1.0, 2.0) for f in made)


def test_a_tool_that_failed_leaves_its_figure_unjudged() -> None:
    entry = {
        "examples": 10_000,
        "bytes": 21_000_000,
        "tools": {"essential": _tool(2.0, 1.0, 100, 200), "validate": {**_tool(3.0, 2.0, 1, 1), "ok": False}},
    }
    (figure,) = bench_all.validate_size_figures(entry, 1, (0.1, 0.2))
    assert figure.subject.label.endswith("(failed)") and figure.met() is None


def test_options_default_and_large() -> None:
    default = bench_all.parse_args([])
    assert (default.sizes, default.memory_sizes, default.convert_mb) == ([10_000, 100_000], [100_000], 50.0)
    assert (default.repeat, default.startup_repeat, default.skip) == (3, 5, set())
    large = bench_all.parse_args(["--large", "--repeat=7", "--skip=dedup"])
    assert large.sizes == [10_000, 100_000, 1_000_000] and large.memory_sizes == [100_000, 1_000_000]
    assert (large.convert_mb, large.startup_repeat, large.skip) == (1024.0, 7, {"dedup"})
    assert bench_all.parse_args(["--sizes=500", "--memory-sizes=800"]).sizes == [500, 800]
    with pytest.raises(SystemExit):
        bench_all.parse_args(["--skip=nothing"])


@pytest.mark.slow
def test_driver_end_to_end_on_tiny_sizes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The real benchmarks, each run once on a 40-example file: every figure of the groups lands in the table
    and in the JSON record."""
    monkeypatch.delenv("PYTHONDONTWRITEBYTECODE", raising=False)  # the driver drops it; restored afterwards
    code = bench_all.main(
        [
            "--repeat=1",
            "--skip=convert,dedup,open-weights",
            "--sizes=40",
            "--memory-sizes=40",
            "--fast-counter-size=40",
            "--counter-examples=40",
            "--startup-lines=5",
            "--startup-repeat=1",
            f"--data-dir={tmp_path / 'data'}",
            f"--results-dir={tmp_path / 'results'}",
        ]
    )
    assert code == 0
    out = capsys.readouterr().out
    (result,) = (tmp_path / "results").glob("bench-*.json")
    data = json.loads(result.read_text())
    names = [f["name"] for f in data["figures"]]
    assert [f["group"] for f in data["figures"]] == ["validate"] * 6 + ["startup", "counter"]
    assert names[0] == "validate vs essential work, 40 examples (0 MB)"
    for figure in data["figures"]:
        assert figure["name"] in out  # each figure is a line of the printed table
        assert figure["met"] in (True, False, None)
    speed = data["figures"][0]
    assert speed["subject"]["values"]["cpu_s"] > 0 and speed["reference"]["values"]["wall_s"] > 0
    assert data["figures"][2]["conditions"] == {"same report": True}  # fast counter and tiktoken agree
    assert data["figures"][-1]["conditions"] == {"identical totals": True}
    assert set(data["group_seconds"]) == {"validate", "startup", "counter"} and data["failed"] == {}
    assert len(data["raw"]["validate"][0]["tools"]["essential"]["runs"]) == 1
