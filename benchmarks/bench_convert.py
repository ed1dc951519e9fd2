"""Benchmark `dataprep convert` on a generated RecipeNLG-style CSV next to a plain pandas baseline, in one run.

Tools, each in its own subprocess (peak RSS from wait4, exact for that process):
  dataprep  dataprep.convert_file(CSV, OUT, preset="recipe", validate=False): streaming, rows to chat JSONL
  pandas    pandas.read_csv(CSV).to_json(OUT, orient="records", lines=True): the plain whole-file baseline
            (it does less work: no mapping into chat messages)
Throughput is rows/s and input MB/s over wall time including interpreter start-up; CPU seconds (user + system)
are reported too, since wall time on a shared machine includes waiting for a core.

The CSV is written to benchmarks/data/ (gitignored) and reused when it exists. Prints a markdown table and
writes benchmarks/results/convert-<date>.json.
CLI: python benchmarks/bench_convert.py [--size-mb 1024] [--tools dataprep,pandas] [--no-save]
"""

from __future__ import annotations

import argparse
import csv
import datetime
import json
import os
import platform
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

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


_RUNNERS = {
    "dataprep": (
        "import sys, json\n"
        "from dataprep import convert_file\n"
        "r = convert_file(sys.argv[1], sys.argv[2], preset='recipe', validate=False, force=True)\n"
        "print(json.dumps({'rows': r.rows_read, 'written': r.rows_written, 'rejected': r.rows_rejected}))\n"
    ),
    "pandas": (
        "import sys, json\n"
        "import pandas as pd\n"
        "frame = pd.read_csv(sys.argv[1])\n"
        "frame.to_json(sys.argv[2], orient='records', lines=True, force_ascii=False)\n"
        "print(json.dumps({'rows': len(frame), 'written': len(frame), 'rejected': 0}))\n"
    ),
}


def measure(tool: str, source: Path, output: Path) -> dict[str, Any]:
    """Run one tool in a fresh interpreter; wall time and that process's own peak RSS."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", _RUNNERS[tool], str(source), str(output)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
    )
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    assert proc.stdout is not None and proc.stderr is not None
    out, err = proc.stdout.read().decode(), proc.stderr.read().decode()
    proc.stdout.close()
    proc.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{tool} failed:\n{err[-2000:]}")
    counts = json.loads(out.strip().splitlines()[-1])
    scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss is bytes on macOS, KiB on Linux
    size_mb = source.stat().st_size / 1e6
    return {
        "tool": tool,
        "wall_s": round(wall, 2),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
        "rows": counts["rows"],
        "written": counts["written"],
        "rejected": counts["rejected"],
        "rows_per_s": round(counts["rows"] / wall),
        "mb_per_s": round(size_mb / wall, 1),
        "rows_per_cpu_s": round(counts["rows"] / max(usage.ru_utime + usage.ru_stime, 1e-9)),
        "peak_rss_mb": round(usage.ru_maxrss * scale / 1e6, 1),
        "output_mb": round(output.stat().st_size / 1e6, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size-mb", type=float, default=1024, help="CSV size in MB (default 1024 = 1 GB)")
    parser.add_argument("--tools", default="dataprep,pandas", help="comma-separated: dataprep,pandas")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--no-save", action="store_true", help="do not write benchmarks/results/convert-*.json"
    )
    args = parser.parse_args(argv)
    size = int(args.size_mb * 1024 * 1024)
    source = DATA / f"recipes-{args.size_mb:g}mb-seed{args.seed}.csv"
    if not source.exists():
        started = time.perf_counter()
        rows = generate(source, size, args.seed)
        print(f"generated {source} ({rows:,} rows) in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    load = os.getloadavg()[0]
    results = []
    for tool in [t.strip() for t in args.tools.split(",") if t.strip()]:
        if tool not in _RUNNERS:
            parser.error(f"unknown tool {tool!r}")
        output = DATA / f"out-{tool}.jsonl"
        results.append(measure(tool, source, output))
        output.unlink()
    size_mb = source.stat().st_size / 1e6
    print(
        f"\nInput: {source.name}, {size_mb:,.0f} MB, {results[0]['rows']:,} rows; {platform.processor() or ''}"
    )
    print(f"load average before: {load:.2f} on {os.cpu_count()} CPUs (wall times include waiting)")
    print(
        "\n| tool | wall s | CPU s | rows/s | MB/s | rows per CPU s | peak RSS MB | rows written | rejected |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        print(
            f"| {r['tool']} | {r['wall_s']} | {r['cpu_s']} | {r['rows_per_s']:,} | {r['mb_per_s']} "
            f"| {r['rows_per_cpu_s']:,} | {r['peak_rss_mb']:,} | {r['written']:,} | {r['rejected']} |"
        )
    if not args.no_save:
        RESULTS.mkdir(exist_ok=True)
        stamp = datetime.date.today().isoformat()
        record = {
            "date": stamp,
            "input": {"name": source.name, "mb": round(size_mb, 1), "rows": results[0]["rows"]},
            "python": platform.python_version(),
            "machine": platform.machine(),
            "cpus": os.cpu_count(),
            "load_average_before": round(load, 2),
            "results": results,
        }
        target = RESULTS / f"convert-{stamp}.json"
        target.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
        print(f"\nwrote {target.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
