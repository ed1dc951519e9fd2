"""Benchmark `dataprep validate` with an open-weight model's tokenizer and chat template against the essential
work for that tokenizer: render each example once and encode it, in the same number of worker processes.

Tools, each in a fresh subprocess:
  essential  read ~2 MB blocks of whole lines, per line: orjson parse, render the chat template once
             (dataprep's jinja2 sandbox), encode the text with the model's tokenizer; --jobs processes
  dataprep   dataprep validate FILE --model MODEL --date 2025-01-01 --ignore DP4 --jobs N (every check but
             duplicates, which the essential work does not do); "dataprep+dedup" runs every rule
Wall time and CPU seconds (user + system of the run's processes; a busy machine disturbs CPU less) are
reported; the ratio dataprep / essential is computed on both.

Data: benchmarks/generate_chat.py (cached in benchmarks/data/). Model default Llama 3.1 (its tokenizer.model
read from the installed llama-models wheel: pip install 'dataprep[llama]').
CLI: python benchmarks/bench_open_weights.py [--examples 100000] [--jobs 2] [--model ID] [--no-save]
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
DEFAULT_MODEL = "meta-llama/Llama-3.1-8B-Instruct"

ESSENTIAL = r"""
import sys, orjson
from concurrent.futures import ProcessPoolExecutor
from dataprep.models import resolve_model
from dataprep.tokens import build_tokenizer

MODEL, PATH, JOBS = sys.argv[1], sys.argv[2], int(sys.argv[3])

def tokenizer():
    return build_tokenizer(resolve_model(MODEL).tokenizer_spec)

def work(block):
    tok = tokenizer()
    total = 0
    for line in block.splitlines():
        messages = orjson.loads(line).get("messages")
        try:
            text = tok.template.render(messages, variables=tok.variables).text
        except Exception:
            continue
        total += tok.encoder.count(text)  # the cheapest exact count the encoder has
    return total

def blocks(path, size=2 << 20):
    with open(path, "rb") as f:
        rest = b""
        while chunk := f.read(size):
            chunk = rest + chunk
            cut = chunk.rfind(b"\n") + 1
            rest = chunk[cut:]
            yield chunk[:cut]
        if rest:
            yield rest

tokenizer()  # built once in the parent; forked workers share it, as dataprep's executor does
with ProcessPoolExecutor(JOBS) as pool:
    print(sum(pool.map(work, blocks(PATH))))
"""


def run(cmd: list[str]) -> tuple[float, float, str]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if done.returncode not in (0, 1):
        raise SystemExit(f"{cmd[:4]} failed: {done.stderr[-2000:]}")
    return wall, cpu, done.stdout


def commands(model: str, path: Path, jobs: int) -> dict[str, list[str]]:
    """The three runs, by name: the essential work, dataprep without duplicates, dataprep with every rule."""
    dataprep = [
        sys.executable,
        "-m",
        "dataprep",
        "validate",
        str(path),
        "--model",
        model,
        "--date",
        "2025-01-01",
    ]
    options = ["--jobs", str(jobs), "--format", "json"]
    return {
        "essential": [sys.executable, "-c", ESSENTIAL, model, str(path), str(jobs)],
        "dataprep": [*dataprep, "--ignore", "DP4", *options],
        "dataprep+dedup": [*dataprep, *options],
    }


def available() -> bool:
    """Whether the default model's tokenizer is installed (the llama-models wheel, extra `llama`)."""
    import importlib.util

    return importlib.util.find_spec("llama_models") is not None


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--examples", type=int, default=100_000)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--model", default=DEFAULT_MODEL)
    ap.add_argument("--no-save", action="store_true")
    args = ap.parse_args()
    DATA.mkdir(exist_ok=True)
    path = DATA / f"chat_{args.examples}.jsonl"
    if not path.exists():
        sys.path.insert(0, str(HERE))
        from generate_chat import write

        write(path, args.examples, 1)
    rows = {name: run(cmd) for name, cmd in commands(args.model, path, args.jobs).items()}
    base_wall, base_cpu, _ = rows["essential"]
    print(
        f"{args.examples:,} examples, {path.stat().st_size / 1e6:.0f} MB, model {args.model}, jobs {args.jobs}"
    )
    print("| run | wall s | CPU s | wall / essential | CPU / essential |")
    print("|---|---:|---:|---:|---:|")
    result = {}
    for name, (wall, cpu, _) in rows.items():
        print(f"| {name} | {wall:.1f} | {cpu:.1f} | {wall / base_wall:.2f} | {cpu / base_cpu:.2f} |")
        result[name] = {"wall_s": round(wall, 2), "cpu_s": round(cpu, 2)}
    if not args.no_save:
        out = HERE / "results" / f"open-weights-{datetime.date.today()}.json"
        meta = {"examples": args.examples, "model": args.model, "jobs": args.jobs, "cpus": os.cpu_count()}
        out.write_text(json.dumps({**meta, "runs": result}, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
