"""Benchmark: the pre-commit case, `dataprep validate` on a small file, against the start-up floor.

CPU seconds (user + system, from resource.getrusage(RUSAGE_CHILDREN) around each child), not wall time: on a
shared machine CPU time is what a busy neighbour disturbs least. Three programs, each in a fresh interpreter,
interleaved run by run so that load changes hit all three alike:

  interpreter  python -c pass
  floor        python: import dataprep's offline encoding loader and build the shipped encoding (o200k_base),
               the work any token-counting validator must do before the first line
  validate     dataprep validate FILE (default options) on a --lines file from benchmarks/generate_chat.py

Printed: the median and the minimum of --repeat runs of each, validate minus floor (what dataprep adds), and
the ratio validate / floor. `--json PATH` also writes every run.

CLI: python benchmarks/bench_startup.py [--lines 100] [--repeat 5] [--json results/startup.json]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import generate_chat  # the benchmark's own generator, beside this file

FLOOR_CODE = "from dataprep.tokens.encodings import get_encoding; get_encoding('o200k_base')"


def cpu_seconds(argv: list[str]) -> tuple[float, float, int]:
    """User + system CPU seconds of one child process (and anything it started), its wall seconds and its
    exit code."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    code = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False).returncode
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    used = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return used, wall, code


def programs(path: Path) -> dict[str, list[str]]:
    python = sys.executable
    return {
        "interpreter": [python, "-c", "pass"],
        "floor": [python, "-c", FLOOR_CODE],
        "validate": [python, "-m", "dataprep", "validate", str(path)],
    }


def run(lines: int, repeat: int, seed: int = 1) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"chat_{lines}.jsonl"
        generate_chat.write(path, lines, seed)
        progs = programs(path)
        # One warm-up of each (bytecode caches, page cache), not counted.
        for argv in progs.values():
            cpu_seconds(argv)
        runs: dict[str, list[float]] = {name: [] for name in progs}
        walls: dict[str, list[float]] = {name: [] for name in progs}
        codes: set[int] = set()
        for _ in range(repeat):
            for name, argv in progs.items():
                used, wall, code = cpu_seconds(argv)
                runs[name].append(round(used, 4))
                walls[name].append(round(wall, 4))
                if name == "validate":
                    codes.add(code)
    median = {name: statistics.median(values) for name, values in runs.items()}
    return {
        "lines": lines,
        "repeat": repeat,
        "median_cpu_s": {k: round(v, 3) for k, v in median.items()},
        "median_wall_s": {k: round(statistics.median(v), 3) for k, v in walls.items()},
        "min_cpu_s": {k: round(min(v), 3) for k, v in runs.items()},
        "validate_minus_floor_s": round(median["validate"] - median["floor"], 3),
        "validate_over_floor": round(median["validate"] / median["floor"], 2),
        "validate_exit_codes": sorted(codes),
        "runs": runs,
        "wall_runs": walls,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    args = parser.parse_args(argv)
    result = run(args.lines, args.repeat)
    med, low = result["median_cpu_s"], result["min_cpu_s"]
    assert isinstance(med, dict) and isinstance(low, dict)
    print(f"CPU seconds (user+sys), median of {args.repeat} (min), {args.lines}-line file:")
    for name in med:
        print(f"  {name:<12} {med[name]:.3f}  ({low[name]:.3f})")
    print(
        f"  validate - floor = {result['validate_minus_floor_s']:.3f} s; "
        f"validate / floor = {result['validate_over_floor']:.2f}"
    )
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
