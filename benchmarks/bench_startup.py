"""Benchmark: the pre-commit case, `dataprep validate` on a small file, against the start-up floor.

CPU seconds (user + system, from resource.getrusage(RUSAGE_CHILDREN) around each child), and wall seconds beside
them: on a shared machine CPU time is what a busy neighbour disturbs least. Programs, each in a fresh interpreter,
interleaved run by run so that load changes hit all of them alike:

  interpreter  python -c pass
  floor        python: import dataprep's offline encoding loader and build the shipped encoding (o200k_base),
               the work any token-counting validator must do before the first line; then exit as the dataprep
               command does, without freeing the tokenizer's tables (os._exit after flushing)
  floor+exit   the same, ending with the interpreter's normal exit, which frees those tables (about 0.1 s):
               the floor as this benchmark measured it before the command learned to skip that
  validate     dataprep validate FILE (default options) on a --lines file from benchmarks/generate_chat.py
  hook         dataprep validate --quiet -- FILE, the command line of the pre-commit hook (.pre-commit-hooks.yaml)

Every program imports dataprep from this checkout (PYTHONPATH), run from an empty directory. `--baseline DIR`
adds `floor`, `floor+exit`, `validate` and `hook` run from another checkout (say a `git worktree` of an older commit),
interleaved with these: old and new measured under the same load, which is the only fair comparison on a
shared machine.

Bytecode caches: the children run without PYTHONDONTWRITEBYTECODE (removed from their environment if set),
and one warm-up run of each program, not counted, writes the .pyc files. The figures are those of an installed
wheel, whose bytecode pip compiles at install; without caches every run would also compile dataprep (~0.1 s).

Printed: the median and the minimum of --repeat runs of each, validate minus floor (what dataprep adds) and the
ratio validate / floor, with the load average before and after. `--json PATH` also writes every run.

CLI: python benchmarks/bench_startup.py [--lines 100] [--repeat 7] [--baseline DIR] [--json results/x.json]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import generate_chat  # the benchmark's own generator, beside this file

CHECKOUT = Path(__file__).resolve().parent.parent
BUILD = "from dataprep.tokens.encodings import get_encoding; get_encoding('o200k_base')"
FLOOR_CODE = f"{BUILD}; import os, sys; sys.stdout.flush(); os._exit(0)"
FLOOR_EXIT_CODE = BUILD


def cpu_seconds(argv: list[str], env: dict[str, str], cwd: str) -> tuple[float, float, int]:
    """User + system CPU seconds of one child process (and anything it started), its wall seconds and its
    exit code."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    code = subprocess.run(
        argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=cwd, check=False
    ).returncode
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    used = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return used, wall, code


def child_env(checkout: Path) -> dict[str, str]:
    """The environment of a child importing dataprep from `checkout`, with bytecode caches allowed."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "PYTHONPATH")}
    env["PYTHONPATH"] = str(checkout)
    return env


def programs(path: Path, baseline: Path | None) -> dict[str, tuple[list[str], dict[str, str]]]:
    python = sys.executable
    here = child_env(CHECKOUT)
    out = {
        "interpreter": ([python, "-c", "pass"], here),
        "floor": ([python, "-c", FLOOR_CODE], here),
        "floor+exit": ([python, "-c", FLOOR_EXIT_CODE], here),
        "validate": ([python, "-m", "dataprep", "validate", str(path)], here),
        "hook": ([python, "-m", "dataprep", "validate", "--quiet", "--", str(path)], here),
    }
    if baseline is not None:
        old = child_env(baseline)
        out["baseline floor"] = ([python, "-c", FLOOR_CODE], old)
        out["baseline floor+exit"] = ([python, "-c", FLOOR_EXIT_CODE], old)
        out["baseline validate"] = ([python, "-m", "dataprep", "validate", str(path)], old)
        out["baseline hook"] = ([python, "-m", "dataprep", "validate", "--quiet", "--", str(path)], old)
    return out


def run(lines: int, repeat: int, baseline: Path | None = None, seed: int = 1) -> dict[str, object]:
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"chat_{lines}.jsonl"
        generate_chat.write(path, lines, seed)
        cwd = tempfile.mkdtemp(dir=tmp)  # empty: no dataprep/ beside the children shadows PYTHONPATH
        progs = programs(path, baseline)
        # One warm-up of each (bytecode caches, page cache), not counted.
        for argv, env in progs.values():
            cpu_seconds(argv, env, cwd)
        runs: dict[str, list[float]] = {name: [] for name in progs}
        walls: dict[str, list[float]] = {name: [] for name in progs}
        codes: dict[str, set[int]] = {name: set() for name in progs}
        for _ in range(repeat):
            for name, (argv, env) in progs.items():
                used, wall, code = cpu_seconds(argv, env, cwd)
                runs[name].append(round(used, 4))
                walls[name].append(round(wall, 4))
                codes[name].add(code)
    median = {name: statistics.median(values) for name, values in runs.items()}
    return {
        "lines": lines,
        "repeat": repeat,
        "baseline": str(baseline) if baseline is not None else None,
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "median_cpu_s": {k: round(v, 3) for k, v in median.items()},
        "min_cpu_s": {k: round(min(v), 3) for k, v in runs.items()},
        "median_wall_s": {k: round(statistics.median(v), 3) for k, v in walls.items()},
        "validate_minus_floor_s": round(median["validate"] - median["floor"], 3),
        "validate_over_floor": round(median["validate"] / median["floor"], 2),
        "validate_exit_codes": sorted(codes["validate"]),
        "exit_codes": {k: sorted(v) for k, v in codes.items()},
        "runs": runs,
        "wall_runs": walls,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--lines", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--baseline", type=Path, default=None, help="another dataprep checkout, measured too")
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    args = parser.parse_args(argv)
    result = run(args.lines, args.repeat, args.baseline)
    med, low = result["median_cpu_s"], result["min_cpu_s"]
    assert isinstance(med, dict) and isinstance(low, dict)
    print(f"CPU seconds (user+sys), median of {args.repeat} (min), {args.lines}-line file:")
    for name in med:
        print(f"  {name:<20} {med[name]:.3f}  ({low[name]:.3f})")
    print(
        f"  validate - floor = {result['validate_minus_floor_s']:.3f} s; "
        f"validate / floor = {result['validate_over_floor']:.2f}"
    )
    print(f"  load average before {result['load_average_before']}, after {result['load_average_after']}")
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
