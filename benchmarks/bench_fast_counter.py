"""Benchmark: the fast token counter (bpe-openai, extra `fast`) against tiktoken, exact totals required.

Two measurements, both in CPU seconds (user + system) because the machine may be shared:

1. counters: every string value of a file from benchmarks/generate_chat.py (the file is generated with seed 1
   when --file is not given), counted by tiktoken `len(encode_ordinary(s))` and by bpe-openai `count(s)`,
   one call per string, in this process, interleaved --repeat times; the minimum of each is reported (the run
   least disturbed by neighbours). The two totals must be identical, or the script exits 1.
2. validate (with --validate): `dataprep validate FILE --ignore DP4 --jobs 2 --format json` in a child process,
   CPU of the whole process tree (workers included), with DATAPREP_TOKEN_COUNTER=tiktoken (before) and with
   the default (after), in interleaved pairs; medians and minimums, and the statistics and cost of both reports,
   which must be identical.

CLI:
  python benchmarks/bench_fast_counter.py --examples 10000 --repeat 5
  python benchmarks/bench_fast_counter.py --file /tmp/fc100k.jsonl --validate --pairs 3
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
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))

import generate_chat

from dataprep.tokens.encodings import get_encoding
from dataprep.tokens.fast import COUNTER_ENV, fast_counter


def strings(value: Any) -> Iterator[str]:
    """Every string value in a parsed record (keys are not counted by the formula)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def load_strings(path: Path) -> list[str]:
    out: list[str] = []
    with path.open("rb") as handle:
        for line in handle:
            if line.strip():
                out.extend(strings(orjson.loads(line)))
    return out


def compare_counters(texts: list[str], encoding_name: str, repeat: int) -> dict[str, Any]:
    encoding = get_encoding(encoding_name)
    fast = fast_counter(encoding)
    if fast is None:
        raise SystemExit(
            f"the fast counter is not available ({COUNTER_ENV} set, or bpe-openai not installed)"
        )
    encode = encoding.encode_ordinary
    counters: dict[str, Callable[[str], int]] = {"tiktoken": lambda t: len(encode(t)), "bpe-openai": fast}
    times: dict[str, list[float]] = {name: [] for name in counters}
    walls: dict[str, list[float]] = {name: [] for name in counters}
    totals: dict[str, int] = {}
    for _ in range(repeat):
        for name, count in counters.items():
            start, started = time.process_time(), time.perf_counter()
            totals[name] = sum(count(t) for t in texts)
            times[name].append(time.process_time() - start)
            walls[name].append(time.perf_counter() - started)
    best = {name: min(runs) for name, runs in times.items()}
    return {
        "strings": len(texts),
        "characters": sum(map(len, texts)),
        "totals": totals,
        "identical": totals["tiktoken"] == totals["bpe-openai"],
        "cpu_s": times,
        "wall_s": walls,
        "min_cpu_s": best,
        "median_cpu_s": {name: statistics.median(runs) for name, runs in times.items()},
        "median_wall_s": {name: statistics.median(runs) for name, runs in walls.items()},
        "ratio": best["bpe-openai"] / best["tiktoken"],
    }


def validate_cpu(path: Path, counter: str) -> tuple[float, dict[str, Any]]:
    """CPU seconds of `dataprep validate` and its workers, and the report's token figures."""
    env = dict(os.environ, **{COUNTER_ENV: counter})
    argv = [sys.executable, "-m", "dataprep", "validate", str(path), "--ignore", "DP4", "--jobs", "2"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run([*argv, "--format", "json"], capture_output=True, env=env, check=False)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1):
        raise SystemExit(
            f"validate failed ({done.returncode}): {done.stderr.decode(errors='replace')[-500:]}"
        )
    report = json.loads(done.stdout)
    figures = {"stats": report["files"][0]["stats"], "cost": report.get("cost")}  # every count and its cost
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), figures


def compare_validate(path: Path, pairs: int) -> dict[str, Any]:
    runs: dict[str, list[float]] = {"tiktoken": [], "auto": []}
    figures: dict[str, dict[str, Any]] = {}
    for i in range(pairs):
        # Alternate which goes first, so a load change hits both alike.
        for counter in ("tiktoken", "auto") if i % 2 == 0 else ("auto", "tiktoken"):
            cpu, figures[counter] = validate_cpu(path, counter)
            runs[counter].append(cpu)
            print(f"  pair {i + 1}: {counter:<8} {cpu:7.2f} s CPU", flush=True)
    medians = {k: statistics.median(v) for k, v in runs.items()}
    return {
        "cpu_s": runs,
        "median_cpu_s": medians,
        "min_cpu_s": {k: min(v) for k, v in runs.items()},
        "ratio_of_medians": medians["auto"] / medians["tiktoken"],
        "token_figures": figures,
        "identical": figures["tiktoken"] == figures["auto"],
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--file", type=Path, help="a chat JSONL file (default: generate --examples with seed 1)"
    )
    parser.add_argument("--examples", type=int, default=10_000)
    parser.add_argument("--encoding", default="o200k_base")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each counter (the minimum is kept)")
    parser.add_argument("--validate", action="store_true", help="also time dataprep validate, before/after")
    parser.add_argument("--pairs", type=int, default=3, help="interleaved validate pairs")
    parser.add_argument("--json", type=Path, help="write every figure to this file")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        path = args.file
        if path is None:
            path = Path(tmp) / f"chat_{args.examples}.jsonl"
            generate_chat.write(path, args.examples, 1)
        texts = load_strings(path)
        result: dict[str, Any] = {"file": str(path), "encoding": args.encoding}
        result["counters"] = c = compare_counters(texts, args.encoding, args.repeat)
        print(
            f"{c['strings']:,} strings, {c['characters']:,} characters ({args.encoding}): "
            f"tiktoken {c['min_cpu_s']['tiktoken']:.2f} s, bpe-openai {c['min_cpu_s']['bpe-openai']:.2f} s "
            f"CPU (min of {args.repeat}), ratio {c['ratio']:.2f}; totals {c['totals']['tiktoken']:,} and "
            f"{c['totals']['bpe-openai']:,}: {'identical' if c['identical'] else 'DIFFERENT'}"
        )
        ok = bool(c["identical"])
        if args.validate:
            print(f"validate --ignore DP4 --jobs 2 on {path}, {args.pairs} interleaved pairs:")
            result["validate"] = v = compare_validate(path, args.pairs)
            print(
                f"validate CPU medians: tiktoken {v['median_cpu_s']['tiktoken']:.2f} s, fast counter "
                f"{v['median_cpu_s']['auto']:.2f} s, ratio {v['ratio_of_medians']:.2f}; token figures "
                f"{'identical' if v['identical'] else 'DIFFERENT'}"
            )
            ok = ok and bool(v["identical"])
    if args.json is not None:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
