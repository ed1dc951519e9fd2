"""Benchmark `validate` on the local executor against `--executor ray` on this machine, and say where Ray's
overhead goes.

On one generated training file (benchmarks/generate_chat.py: realistic chat, 3% exact and 2% near copies) and a
validation file that leaks some training examples, all rules on (duplicates and near-duplicates included):
  local     validate_files(jobs=N): N worker processes, the duplicate index in this process;
  ray       validate_files(executor="ray") on a local Ray of N CPUs started here (start-up timed apart).
The two reports must be identical (findings, statistics, cost): the script stops otherwise.

Where the time goes on Ray comes from Ray's own task timeline (ray.timeline()): CPU-seconds per kind of task
(the shard checks, each stage of the duplicate search) against the local run's checks and duplicate index.
What the driver holds is measured on the run's own state: the per-example statistics columns and what the
duplicate search sent back (the rows in findings), per million examples.

Writes benchmarks/results/ray-<date>.json and prints a markdown summary.
CLI: python benchmarks/bench_ray.py [--examples 100000] [--cpus 2]
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import resource
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import orjson

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import generate_chat  # noqa: E402  (a sibling script)

LEAKS = 50  # training examples copied into the validation file


def make_data(examples: int, folder: Path) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    train = folder / f"chat_{examples}.jsonl"
    if not train.exists():
        generate_chat.write(train, examples, seed=1)
    valid = folder / f"chat_{examples}.validation.jsonl"
    if not valid.exists():
        records = list(generate_chat.generate(max(examples // 20, 100), seed=2))
        with train.open("rb") as handle:
            copied = [orjson.loads(line) for _, line in zip(range(LEAKS * 37), handle, strict=False)][::37]
        valid.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in [*records, *copied]))
    return train, valid


def cpu_seconds() -> float:
    """CPU seconds (user + system) of this process and every descendant: finished ones (a pool's workers,
    reaped) and living ones (Ray's raylet, object store and workers)."""
    import psutil

    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    total = own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime
    for child in psutil.Process().children(recursive=True):
        try:
            times = child.cpu_times()
        except psutil.Error:
            continue
        total += times.user + times.system
    return total


class DriverState:
    """Captures the run's state when the report is built, to measure what the driver held."""

    def __init__(self) -> None:
        self.stats_bytes = 0
        self.examples = 0
        self.duplicates_bytes = 0
        self.duplicates_seconds = 0.0
        self.cpu_at_report = 0.0  # CPU seconds of the process tree when the checks were done
        self.report_cpu = 0.0  # CPU seconds of the tree spent in the report (the duplicate search)

    def install(self) -> None:
        from dataprep.validation import run

        original = run._Run.report
        state = self

        def report(self: Any) -> Any:
            state.stats_bytes = 0
            state.examples = 0
            for f in self.files:
                s = f.stats
                columns = (s.messages, s.total_tokens, s.assistant_tokens, s.trained_tokens, f.second_tokens)
                state.stats_bytes += sum(c.itemsize * len(c) for c in columns)
                state.examples += s.examples + s.not_counted
            started, state.cpu_at_report = time.perf_counter(), cpu_seconds()
            out = original(self)
            state.duplicates_seconds = time.perf_counter() - started
            state.report_cpu = cpu_seconds() - state.cpu_at_report
            state.duplicates_bytes = out.duplicate_index_bytes or 0
            return out

        run._Run.report = report  # type: ignore[method-assign]


def task_seconds(events: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    """Per kind of task (and Ray's own steps: argument deserialisation, output storage, submission): how many
    ran, their summed and their longest durations, from Ray's timeline."""
    out: dict[str, dict[str, float]] = defaultdict(lambda: {"tasks": 0, "seconds": 0.0, "longest": 0.0})
    for event in events:
        category = str(event.get("cat", ""))
        if event.get("ph") != "X" or category == "task:execute":  # execute spans the task's own event
            continue
        key = category.removeprefix("task::") if category.startswith("task::") else f"ray {category}"
        if key.startswith("ray task:"):
            key = "ray " + key.removeprefix("ray task:")
        seconds = float(event.get("dur", 0)) / 1e6
        entry = out[key]
        entry["tasks"] += 1
        entry["seconds"] += seconds
        entry["longest"] = max(entry["longest"], seconds)
    return dict(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=100_000)
    parser.add_argument("--cpus", type=int, default=2)
    parser.add_argument("--data", type=Path, default=HERE / "data")
    args = parser.parse_args(argv)

    train, valid = make_data(args.examples, args.data)
    size = train.stat().st_size + valid.stat().st_size
    from dataprep.validation.run import validate_files

    state = DriverState()
    state.install()

    tiny = args.data / "warmup.jsonl"
    tiny.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in generate_chat.generate(200, seed=3)))
    validate_files(
        [tiny], jobs=1
    )  # this process loads the encoding and imports numpy once, as Ray's workers do
    cpu0, t0 = cpu_seconds(), time.perf_counter()
    local = validate_files([train], [valid], jobs=args.cpus)
    local_wall, local_cpu = time.perf_counter() - t0, cpu_seconds() - cpu0
    local_dup_seconds, local_dup_bytes = state.duplicates_seconds, state.duplicates_bytes
    local_check_cpu, local_dup_cpu = state.cpu_at_report - cpu0, state.report_cpu
    local_stats_bytes, examples = state.stats_bytes, state.examples

    import ray

    t0 = time.perf_counter()
    ray.init(num_cpus=args.cpus, include_dashboard=False, log_to_driver=False, logging_level="ERROR")
    startup = time.perf_counter() - t0
    # A warm-up run on a tiny file: Ray's workers import dataprep once (counted apart, as start-up).
    t0 = time.perf_counter()
    validate_files([tiny], executor="ray")
    warmup = time.perf_counter() - t0
    ray.timeline()  # drop the warm-up's events

    cpu0, t0 = cpu_seconds(), time.perf_counter()
    remote = validate_files([train], [valid], executor="ray")
    ray_wall, ray_cpu = time.perf_counter() - t0, cpu_seconds() - cpu0
    ray_check_cpu, ray_dup_cpu = state.cpu_at_report - cpu0, state.report_cpu
    tasks = task_seconds(ray.timeline())
    ray_dup_seconds, ray_dup_bytes = state.duplicates_seconds, state.duplicates_bytes
    ray.shutdown()

    same = (remote.findings, remote.files, remote.cost) == (local.findings, local.files, local.cost)
    if not same:
        print("the Ray report differs from the local one: not a valid benchmark", file=sys.stderr)
        return 1
    check = tasks.get("_check_shard", {"tasks": 0, "seconds": 0.0, "longest": 0.0})
    dedup_tasks = {k: v for k, v in tasks.items() if k != "_check_shard" and not k.startswith("ray ")}
    ray_steps = {k: v for k, v in tasks.items() if k.startswith("ray ")}
    per_million = 1e6 / max(examples, 1)
    result = {
        "date": datetime.date.today().isoformat(),
        "examples": examples,
        "bytes": size,
        "cpus": args.cpus,
        "findings": len(local.findings),
        "identical": same,
        "local": {
            "wall_s": round(local_wall, 2),
            "cpu_s": round(local_cpu, 2),
            "checks_cpu_s": round(local_check_cpu, 2),
            "duplicates_cpu_s": round(local_dup_cpu, 2),
            "examples_per_cpu_second": round(examples / local_check_cpu, 1),
            "duplicate_index_s": round(local_dup_seconds, 2),
            "duplicate_index_bytes": local_dup_bytes,
        },
        "ray": {
            "startup_s": round(startup, 2),
            "first_run_warmup_s": round(warmup, 2),
            "wall_s": round(ray_wall, 2),
            "cpu_s": round(ray_cpu, 2),
            "checks_cpu_s": round(ray_check_cpu, 2),
            "duplicates_cpu_s": round(ray_dup_cpu, 2),
            "examples_per_cpu_second": round(examples / ray_check_cpu, 1),
            "duplicate_search_wall_s": round(ray_dup_seconds, 2),
            "shard_tasks": int(check["tasks"]),
            "shard_task_s": round(check["seconds"], 2),
            "longest_shard_s": round(check["longest"], 2),
            "examples_per_task_second": round(examples / check["seconds"], 1) if check["seconds"] else None,
            "duplicate_tasks": {
                k: {kk: round(vv, 3) for kk, vv in v.items()} for k, v in dedup_tasks.items()
            },
            "ray_own_steps": {k: {kk: round(vv, 3) for kk, vv in v.items()} for k, v in ray_steps.items()},
            "driver_received_for_duplicates_bytes": ray_dup_bytes,
        },
        "driver_per_million_examples_mb": {
            "statistics_columns": round(local_stats_bytes * per_million / 2**20, 1),
            "duplicates_ray": round(ray_dup_bytes * per_million / 2**20, 1),
            "duplicates_local_index": round(local_dup_bytes * per_million / 2**20, 1),
        },
        "machine": {"cpus_visible": os.cpu_count(), "load_1min": os.getloadavg()[0]},
    }
    out = HERE / "results" / f"ray-{result['date']}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    r, loc = result["ray"], result["local"]
    print(f"| {examples:,} examples, {size / 2**20:.0f} MB, {args.cpus} CPUs | wall s | CPU s | notes |")
    print("|---|---|---|---|")
    print(
        f"| local (jobs={args.cpus}) | {loc['wall_s']} | {loc['cpu_s']} | checks {loc['checks_cpu_s']} CPU s, "
        f"duplicate index {loc['duplicates_cpu_s']} CPU s |"
    )
    print(f"| ray start-up | {r['startup_s']} | | + first-run warm-up {r['first_run_warmup_s']} s |")
    print(
        f"| ray run | {r['wall_s']} | {r['cpu_s']} | checks {r['checks_cpu_s']} CPU s, duplicate search "
        f"{r['duplicates_cpu_s']} CPU s ({r['duplicate_search_wall_s']} s wall) |"
    )
    print("\n| Ray task (timeline) | summed task time s | tasks |\n|---|---|---|")
    print(f"| _check_shard | {r['shard_task_s']} | {r['shard_tasks']} |")
    for name, v in sorted({**dedup_tasks, **ray_steps}.items(), key=lambda kv: -kv[1]["seconds"]):
        print(
            f"| {name if name.startswith('ray ') else 'ray ' + name} | {v['seconds']:.2f} | {int(v['tasks'])} tasks |"
        )
    mb = result["driver_per_million_examples_mb"]
    print(
        f"\ndriver per million examples: statistics columns {mb['statistics_columns']} MB, duplicates "
        f"{mb['duplicates_ray']} MB on Ray (the local index: {mb['duplicates_local_index']} MB)"
    )
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
