"""Benchmark `dataprep convert` on a generated RecipeNLG-style CSV next to a plain pandas baseline, in one run.

Tools, each in its own subprocess:
  dataprep           dataprep.convert_file(CSV, OUT, preset="recipe", validate=False): streaming, rows to chat JSONL
  dataprep+validate  the same with validate=True (the default of `dataprep convert`): the output is then checked
                     by the validator, with its default rules and worker pool
  validate           `dataprep validate OUT` of the file dataprep wrote: what validating it apart costs
  pandas             pandas.read_csv(CSV).to_json(OUT, orient="records", lines=True, force_ascii=False): the plain
                     whole-file baseline (it does less work: no mapping into chat messages; same JSON Lines form)
  polars, duckdb     the same whole-file rows to JSON Lines with a columnar engine (`pl.read_csv().write_ndjson()`,
                     duckdb `COPY (SELECT * FROM read_csv(CSV, header = true)) TO OUT (FORMAT json)`), when installed
CPU seconds (user + system, of the process and the workers it reaped, from wait4) are the figure to compare on a
shared machine: wall time includes waiting for a core. Peak RSS is the process tree's (sampled every 0.05 s
with psutil, workers included) next to the largest single process's (wait4). With --rounds N every tool runs N
times, interleaved, and the medians are shown.

The CSV is written to benchmarks/data/ (gitignored) and reused when it exists. Prints a markdown table and
writes benchmarks/results/convert-<date>.json.
CLI: python benchmarks/bench_convert.py [--size-mb 1024] [--tools dataprep,dataprep+validate,validate,pandas]
     [--rounds 1] [--no-save]          (add polars,duckdb to --tools after `pip install polars duckdb`)
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime
import importlib.util
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import psutil

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DATA = HERE / "data"
RESULTS = HERE / "results"

_FOODS = [
    "flour",
    "sugar",
    "butter",
    "eggs",
    "milk",
    "salt",
    "pepper",
    "garlic",
    "onion",
    "carrots",
    "celery",
    "potatoes",
    "rice",
    "lentils",
    "chickpeas",
    "tomatoes",
    "basil",
    "oregano",
    "thyme",
    "cumin",
    "paprika",
    "cinnamon",
    "vanilla",
    "honey",
    "lemon",
    "lime",
    "chicken",
    "beef",
    "pork",
    "salmon",
    "shrimp",
    "tofu",
    "spinach",
    "kale",
    "mushrooms",
    "zucchini",
    "eggplant",
    "broccoli",
    "cheddar",
    "parmesan",
    "mozzarella",
    "yogurt",
    "cream",
    "oats",
    "walnuts",
    "almonds",
    "pecans",
    "raisins",
    "apples",
    "bananas",
    "blueberries",
    "strawberries",
    "ginger",
    "soy-sauce",
    "vinegar",
    "mustard",
    "mayonnaise",
]
_UNITS = ("c.", "Tbsp.", "tsp.", "lb.", "oz.", "pkg.", "can", "cloves", "pinch of")
_AMOUNTS = ("1", "2", "3", "1/2", "1/4", "3/4", "1 1/2", "2 1/2")
_DISHES = (
    "Soup",
    "Casserole",
    "Salad",
    "Bread",
    "Cookies",
    "Stew",
    "Pie",
    "Curry",
    "Tacos",
    "Bake",
    "Muffins",
)
_STYLES = (
    "Easy",
    "Grandma'S",
    "Quick",
    "Spicy",
    "Holiday",
    "Weeknight",
    "Creamy",
    "Rustic",
    "Lemon",
    "Smoky",
)
_VERBS = ("Mix", "Stir", "Bake", "Simmer", "Chop", "Whisk", "Fold", "Roast", "Chill", "Serve")


def _recipe(rng: random.Random, index: int) -> list[str]:
    foods = rng.sample(_FOODS, rng.randint(4, 10))
    ingredients = [f"{rng.choice(_AMOUNTS)} {rng.choice(_UNITS)} {food.replace('-', ' ')}" for food in foods]
    directions = [
        f"{rng.choice(_VERBS)} the {rng.choice(foods)} with the {rng.choice(foods)} for {rng.randint(2, 60)} minutes."
        for _ in range(rng.randint(2, 6))
    ]
    if index % 97 == 0:  # some cells hold quotes and line breaks, as real exports do
        directions.append('Note: "do not overmix".\nLet it rest.')
    title = f"{rng.choice(_STYLES)} {foods[0].capitalize()} {rng.choice(_DISHES)}"
    ner = [food.replace("-", " ") for food in foods]
    link = f"www.dataprep-samples.example/recipe/{index}"
    return [
        str(index),
        title,
        json.dumps(ingredients),
        json.dumps(directions),
        link,
        "Gathered",
        json.dumps(ner),
    ]


def generate(path: Path, size_bytes: int, seed: int = 0) -> int:
    """Write a RecipeNLG-layout CSV of about `size_bytes`; return its number of data rows."""
    rng = random.Random(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    rows = 0
    with tmp.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["", "title", "ingredients", "directions", "link", "source", "NER"])
        while handle.tell() < size_bytes:
            writer.writerows(_recipe(rng, rows + i) for i in range(1000))
            rows += 1000
    os.replace(tmp, path)
    path.with_suffix(".rows").write_text(str(rows), encoding="utf-8")
    return rows


_CONVERT = (
    "import sys, json\n"
    "from dataprep import convert_file\n"
    "r = convert_file(sys.argv[1], sys.argv[2], preset='recipe', validate={validate}, force=True)\n"
    "print(json.dumps({{'rows': r.rows_read, 'written': r.rows_written, 'rejected': r.rows_rejected}}))\n"
)
_RUNNERS = {
    "dataprep": _CONVERT.format(validate=False),
    "dataprep+validate": _CONVERT.format(validate=True),
    "validate": (  # the CLI as a user runs it; its report goes to `output`, the lines are dataprep's rows
        "import sys, json, contextlib\n"
        "from dataprep.cli import main\n"
        "with open(sys.argv[2], 'w') as report, contextlib.redirect_stdout(report):\n"
        "    code = main(['validate', sys.argv[1]])\n"
        "print(json.dumps({'rows': None, 'written': 0, 'rejected': 0, 'exit': code}))\n"
    ),
    "pandas": (
        "import sys, json\n"
        "import pandas as pd\n"
        "frame = pd.read_csv(sys.argv[1])\n"
        "frame.to_json(sys.argv[2], orient='records', lines=True, force_ascii=False)\n"
        "print(json.dumps({'rows': len(frame), 'written': len(frame), 'rejected': 0}))\n"
    ),
    # Columnar engines, the same whole-file rows to JSON Lines; run only when installed (not dataprep extras).
    "polars": (
        "import sys, json\n"
        "import polars as pl\n"
        "frame = pl.read_csv(sys.argv[1])\n"
        "frame.write_ndjson(sys.argv[2])\n"
        "print(json.dumps({'rows': frame.height, 'written': frame.height, 'rejected': 0}))\n"
    ),
    "duckdb": """
import sys, json
import duckdb
source, target = (path.replace("'", "''") for path in sys.argv[1:3])  # as SQL string literals
copy = f"COPY (SELECT * FROM read_csv('{source}', header = true)) TO '{target}' (FORMAT json)"
(rows,) = duckdb.connect().execute(copy).fetchone()
print(json.dumps({'rows': rows, 'written': rows, 'rejected': 0}))
""",
}
OPTIONAL_ENGINES = {"polars": "polars", "duckdb": "duckdb"}  # tool -> module it needs


def available(tool: str) -> bool:
    """Whether `tool` can run here: the optional engines only when their module is installed."""
    module = OPTIONAL_ENGINES.get(tool)
    return module is None or importlib.util.find_spec(module) is not None


def _tree_rss(pid: int, done: threading.Event, peak: list[int]) -> None:
    """Sample the summed RSS of `pid` and its descendants until `done`; the largest sum lands in peak[0]."""
    try:
        root = psutil.Process(pid)
    except psutil.NoSuchProcess:
        return
    while not done.is_set():
        try:
            tree = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            return
        total = 0
        for process in tree:
            with contextlib.suppress(psutil.NoSuchProcess):
                total += process.memory_info().rss
        peak[0] = max(peak[0], total)
        done.wait(0.05)


def measure(tool: str, source: Path, output: Path) -> dict[str, Any]:
    """Run one tool in a fresh interpreter; wall and CPU time, peak RSS of its process tree and of one process.
    `validate` reads `source` (a JSONL file) and writes its JSON report to `output`."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", _RUNNERS[tool], str(source), str(output)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
    )
    done, peak = threading.Event(), [0]
    sampler = threading.Thread(target=_tree_rss, args=(proc.pid, done, peak), daemon=True)
    sampler.start()
    assert proc.stdout is not None and proc.stderr is not None
    out, err = proc.stdout.read().decode(), proc.stderr.read().decode()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here: Popen must not wait for it again
    done.set()
    sampler.join()
    wall = time.perf_counter() - start
    proc.stdout.close()
    proc.stderr.close()
    if proc.returncode != 0:
        raise SystemExit(f"{tool} failed:\n{err[-2000:]}")
    counts = json.loads(out.strip().splitlines()[-1])
    if counts["rows"] is None:  # validate: the lines of the file it read
        with source.open("rb") as handle:
            counts["rows"] = sum(1 for _ in handle)
    scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss is bytes on macOS, KiB on Linux
    cpu = usage.ru_utime + usage.ru_stime
    return {
        "tool": tool,
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2),
        "rows": counts["rows"],
        "written": counts["written"],
        "rejected": counts["rejected"],
        "rows_per_cpu_s": round(counts["rows"] / max(cpu, 1e-9)),
        "peak_rss_tree_mb": round(peak[0] / 1e6, 1),
        "peak_rss_mb": round(usage.ru_maxrss * scale / 1e6, 1),
    }


def median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The median of each figure over the rounds (counts are the same in every round)."""
    first = dict(runs[0])
    for key in ("wall_s", "cpu_s", "peak_rss_tree_mb", "peak_rss_mb"):
        first[key] = round(statistics.median(r[key] for r in runs), 2)
    first["rows_per_cpu_s"] = round(statistics.median(r["rows_per_cpu_s"] for r in runs))
    first["cpu_s_runs"] = [r["cpu_s"] for r in runs]
    return first


def ensure_csv(size_mb: float, seed: int = 0, data: Path = DATA) -> Path:
    """The generated CSV of about `size_mb` MiB in `data`, made once and reused."""
    source = data / f"recipes-{size_mb:g}mb-seed{seed}.csv"
    if not source.exists():
        started = time.perf_counter()
        rows = generate(source, int(size_mb * 1024 * 1024), seed)
        print(f"generated {source} ({rows:,} rows) in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return source


def run_rounds(
    tools: list[str], source: Path, rounds: int, work: Path = DATA
) -> dict[str, list[dict[str, Any]]]:
    """Every tool `rounds` times, interleaved (each round runs every tool once, so a busy spell on the machine
    hits them alike); outputs go to `work` and are removed. `validate` checks the file dataprep wrote in the
    same round, so one of the dataprep tools must come before it."""
    written = work / "out-dataprep.jsonl"
    runs: dict[str, list[dict[str, Any]]] = {tool: [] for tool in tools}
    try:
        for _ in range(rounds):
            for tool in tools:
                if tool == "validate":
                    report = work / "validate-report.txt"
                    runs[tool].append(measure(tool, written, report))
                    report.unlink()
                    continue
                output = written if tool.startswith("dataprep") else work / f"out-{tool}.jsonl"
                runs[tool].append(measure(tool, source, output))
                if output != written:
                    output.unlink()
    finally:
        written.unlink(missing_ok=True)
    return runs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size-mb", type=float, default=1024, help="CSV size in MB (default 1024 = 1 GB)")
    parser.add_argument(
        "--tools",
        default="dataprep,dataprep+validate,validate,pandas",
        help="comma-separated: dataprep, dataprep+validate, validate (of dataprep's output), pandas, "
        "polars, duckdb (the last two when installed)",
    )
    parser.add_argument("--rounds", type=int, default=1, help="interleaved rounds; medians are shown")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--no-save", action="store_true", help="do not write benchmarks/results/convert-*.json"
    )
    args = parser.parse_args(argv)
    source = ensure_csv(args.size_mb, args.seed)
    tools = [t.strip() for t in args.tools.split(",") if t.strip()]
    for tool in tools:
        if tool not in _RUNNERS:
            parser.error(f"unknown tool {tool!r}")
        if not available(tool):
            parser.error(f"{tool} is not installed (pip install {OPTIONAL_ENGINES[tool]})")
    if "validate" in tools and "dataprep" not in tools and "dataprep+validate" not in tools:
        parser.error("validate checks the file dataprep writes: give dataprep or dataprep+validate too")
    load = os.getloadavg()[0]
    runs = run_rounds(tools, source, args.rounds)
    results = [median_run(runs[tool]) for tool in tools]
    size_mb = source.stat().st_size / 1e6
    rows = results[0]["rows"]
    print(f"\nInput: {source.name}, {size_mb:,.0f} MB, {rows:,} rows; {platform.processor() or ''}")
    print(
        f"load average before: {load:.2f} on {os.cpu_count()} CPUs (wall times include waiting); "
        f"medians of {args.rounds} interleaved round(s)"
    )
    reference = next((r["cpu_s"] for r in results if r["tool"] == "pandas"), None)
    print(
        "\n| tool | rows | CPU s | x pandas CPU | wall s | rows per CPU s | peak RSS tree MB "
        "| peak RSS one process MB | rejected |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        ratio = f"{r['cpu_s'] / reference:.2f}" if reference else "-"
        print(
            f"| {r['tool']} | {r['rows']:,} | {r['cpu_s']} | {ratio} | {r['wall_s']} | {r['rows_per_cpu_s']:,} "
            f"| {r['peak_rss_tree_mb']:,} | {r['peak_rss_mb']:,} | {r['rejected']} |"
        )
    if not args.no_save:
        RESULTS.mkdir(exist_ok=True)
        stamp = datetime.date.today().isoformat()
        record = {
            "date": stamp,
            "input": {"name": source.name, "mb": round(size_mb, 1), "rows": rows},
            "rounds": args.rounds,
            "python": platform.python_version(),
            "machine": platform.machine(),
            "cpus": os.cpu_count(),
            "load_average_before": round(load, 2),
            "results": results,
        }
        default = args.tools == parser.get_default("tools")
        target = RESULTS / (f"convert-{stamp}.json" if default else f"convert-{stamp}-{'-'.join(tools)}.json")
        target.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
        print(f"\nwrote {target.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
