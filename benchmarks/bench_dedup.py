"""Benchmark: what duplicate detection adds to validation, and datasketch's MinHashLSH on the same data.

Data: --examples chat records (default 100,000, about 200 MB) from benchmarks/generate_chat.py when it is
there (else gen_dedup_data.examples), plus PLANT_SHARE of them planted again as near-duplicates with 5-10% of
the words of every message replaced (gen_dedup_data.edit). Cached as benchmarks/data/dedup_<n>.jsonl with the
planted pairs beside it.

Each run is a fresh process (so its peak RSS is its own), reading the file in ~2 MB chunks of whole lines
handed to --jobs worker processes (default: all cores), like benchmarks/essential.py:
  base        parse every line (orjson) and tokenize every string (tiktoken encode_ordinary, o200k_base):
              the essential work of validation, without duplicate detection
  exact       base + example_digest(near=False) in the workers, DuplicateIndex.add in the parent, findings
  near        base + example_digest(near=True) (MinHash) + index + findings: what `dataprep validate` runs
  datasketch  base + a datasketch MinHash (128 permutations, the same 8-byte shingles) per example in the
              workers; MinHashLSH(threshold=0.5) query-then-insert in the parent, candidates confirmed by
              MinHash.jaccard >= 0.5
Times: wall-clock, and CPU seconds of the run's processes (parent + workers, user + system), which a busy
machine disturbs less; with --repeat N the run using the least CPU is kept per mode.
Recall: the share of planted pairs reported as near-duplicates (same cluster for dataprep; a confirmed
candidate for datasketch). Output: a table, and benchmarks/results/dedup.json.

CLI: python benchmarks/bench_dedup.py [--examples 100000] [--jobs 2] [--repeat 1] [--skip-datasketch]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import multiprocessing
import os
import platform
import resource
import subprocess
import sys
import time
from collections import deque
from collections.abc import Iterator
from multiprocessing.pool import AsyncResult
from pathlib import Path
from types import ModuleType
from typing import Any

import orjson

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DATA = HERE / "data"
RESULTS = HERE / "results"
PLANT_SHARE = 0.02
DATA_VERSION = 1
MODES = ("base", "exact", "near", "near-single", "datasketch")

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def _load(name: str) -> ModuleType | None:
    """A sibling script as a module (benchmarks/ is not a package); None when it is not there."""
    path = HERE / f"{name}.py"
    if not path.is_file():
        return None
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(name, module)
    spec.loader.exec_module(module)
    return module


# ----------------------------------------------------------------------------------------------- data


def ensure_data(n: int, seed: int = 1, data: Path = DATA) -> tuple[Path, list[tuple[int, int]]]:
    """The benchmark file and its planted pairs (1-based lines), generated once and cached in `data`."""
    path = data / f"dedup_{n}.jsonl"
    meta = path.with_suffix(".meta.json")
    pairs_path = path.with_suffix(".pairs.json")
    want = {"version": DATA_VERSION, "n": n, "seed": seed, "share": PLANT_SHARE}
    if path.is_file() and meta.is_file() and pairs_path.is_file() and orjson.loads(meta.read_bytes()) == want:
        return path, [tuple(p) for p in orjson.loads(pairs_path.read_bytes())]
    gen = _load("gen_dedup_data")
    assert gen is not None
    chat = _load("generate_chat")
    start = time.perf_counter()
    base = list(chat.generate(n, seed)) if chat is not None else gen.examples(n, seed)
    records, pairs = gen.plant(base, PLANT_SHARE, seed)
    data.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with tmp.open("wb") as handle:
        for record in records:
            handle.write(orjson.dumps(record) + b"\n")
    os.replace(tmp, path)
    lines = [(a + 1, b + 1) for a, b in pairs]
    pairs_path.write_bytes(orjson.dumps(lines))
    meta.write_bytes(orjson.dumps(want))
    source = "generate_chat.py" if chat is not None else "gen_dedup_data.py"
    print(
        f"generated {path.name} ({len(records):,} examples from {source}) in {time.perf_counter() - start:.0f} s",
        file=sys.stderr,
    )
    return path, lines


def chunks(path: Path, size: int = 2 << 20) -> Iterator[tuple[int, bytes]]:
    """(first line number, block of whole lines)."""
    line = 1
    with path.open("rb") as handle:
        carry = b""
        while block := handle.read(size):
            block = carry + block
            cut = block.rfind(b"\n") + 1
            carry, block = block[cut:], block[:cut]
            if block:
                yield line, block
                line += block.count(b"\n")
        if carry:
            yield line, carry


# -------------------------------------------------------------------------------------------- workers

_state: dict[str, Any] = {}


def _init(mode: str) -> None:
    from dataprep.tokens import get_encoding

    _state["encode"] = get_encoding("o200k_base").encode_ordinary
    _state["mode"] = mode


def _tokens(value: Any) -> int:
    if type(value) is str:
        return len(_state["encode"](value))
    if type(value) is dict:
        return sum(_tokens(v) for v in value.values())
    if type(value) is list:
        return sum(_tokens(v) for v in value)
    return 0


def _work(item: tuple[int, bytes]) -> tuple[int, int, list[Any]]:
    from dataprep.dedup import example_digest, example_digests
    from dataprep.types import Kind

    first, block = item
    mode = _state["mode"]
    records = [orjson.loads(raw) for raw in block.splitlines()]
    tokens = sum(_tokens(record) for record in records)
    lines = range(first, first + len(records))
    out: list[Any] = []
    if mode in ("exact", "near"):
        out = list(zip(lines, example_digests(records, Kind.CHAT, near=mode == "near"), strict=True))
    elif mode == "near-single":
        out = [(line, example_digest(record, Kind.CHAT)) for line, record in zip(lines, records, strict=True)]
    elif mode == "datasketch":
        out = [(line, _datasketch_values(record)) for line, record in zip(lines, records, strict=True)]
    return first, tokens, out


def _datasketch_values(record: dict[str, Any]) -> Any:
    """A datasketch MinHash over the same shingles dataprep uses (8-byte windows of the same text)."""
    from datasketch import LeanMinHash, MinHash

    from dataprep.dedup.digest import compared_text
    from dataprep.dedup.minhash import shingles

    minhash = MinHash(num_perm=128, seed=1)
    minhash.update_batch(list(shingles(compared_text(record))))
    return LeanMinHash(minhash)


# ----------------------------------------------------------------------------------------------- runs


def run(mode: str, path: Path, jobs: int, pairs: list[tuple[int, int]]) -> dict[str, Any]:
    """One measured run in this process; returns times, peak RSS and (for near modes) recall."""
    start = time.perf_counter()
    consumer = _Consumer(mode)
    tokens = 0
    with multiprocessing.Pool(jobs, initializer=_init, initargs=(mode,)) as pool:
        # A bounded window of chunks in flight (Pool.imap would read the whole file ahead into memory).
        window: deque[AsyncResult[tuple[int, int, list[Any]]]] = deque()
        for chunk in chunks(path):
            window.append(pool.apply_async(_work, (chunk,)))
            while len(window) >= 3 * jobs or (window and window[0].ready()):
                _, count, items = window.popleft().get()
                tokens += count
                consumer.take(items)
        while window:
            _, count, items = window.popleft().get()
            tokens += count
            consumer.take(items)
        pool.close()
        pool.join()
    streamed = time.perf_counter() - start
    result = consumer.finish()
    total = time.perf_counter() - start
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    result.update(consumer.recall(pairs))  # bookkeeping of the benchmark: after the clocks stop
    self_kb, child_kb = own.ru_maxrss, children.ru_maxrss
    cpu = own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime
    return {
        "mode": mode,
        "seconds": round(total, 3),
        "cpu_seconds": round(cpu, 3),
        "stream_seconds": round(streamed, 3),
        "final_seconds": round(total - streamed, 3),
        "tokens": tokens,
        "parent_peak_rss_mb": round(self_kb / 1024, 1),
        "worker_peak_rss_mb": round(child_kb / 1024, 1),
        "peak_rss_total_mb": round((self_kb + jobs * child_kb) / 1024, 1),
        **result,
    }


class _Consumer:
    """The parent's share of a run: the duplicate index (or datasketch's LSH), then recall."""

    def __init__(self, mode: str) -> None:
        self.mode = mode
        if mode in ("exact", "near", "near-single"):
            from dataprep.dedup import DuplicateIndex

            self.index = DuplicateIndex()
            self.normal: list[int] = []
        if mode == "datasketch":
            from datasketch import MinHashLSH

            self.lsh = MinHashLSH(threshold=0.5, num_perm=128)
            self.sketches: dict[int, Any] = {}
            self.found: set[tuple[int, int]] = set()

    def take(self, items: list[Any]) -> None:
        if self.mode in ("exact", "near", "near-single"):
            for line, digest in items:
                self.index.add("train.jsonl", "train", line, digest)
                self.normal.append(digest.normal)
        elif self.mode == "datasketch":
            for line, sketch in items:
                for other in self.lsh.query(sketch):
                    if sketch.jaccard(self.sketches[other]) >= 0.5:
                        self.found.add((other, line))
                self.lsh.insert(line, sketch)
                self.sketches[line] = sketch

    def finish(self) -> dict[str, Any]:
        """The run's final work: the findings (what validate does after the last line)."""
        if self.mode not in ("exact", "near", "near-single"):
            return {}
        start = time.perf_counter()
        findings = self.index.findings()
        return {
            "findings_seconds": round(time.perf_counter() - start, 3),
            "findings": _count_codes(findings),
            "index_mb": round(self.index.memory_bytes() / 2**20, 1),
        }

    def recall(self, pairs: list[tuple[int, int]]) -> dict[str, Any]:
        if self.mode == "datasketch":
            hits = sum(1 for pair in pairs if pair in self.found)
            return {"recall": round(hits / len(pairs), 4), "pairs_found": len(self.found)}
        if self.mode in ("near", "near-single"):
            return {"recall": round(_recall(self.index.near_pairs(), self.normal, pairs), 4)}
        return {}


def _count_codes(findings: list[Any]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for finding in findings:
        counts[finding.code] = counts.get(finding.code, 0) + 1
    return dict(sorted(counts.items()))


def _recall(near: list[Any], normal: list[int], pairs: list[tuple[int, int]]) -> float:
    """Share of planted pairs in one near-duplicate cluster (copies of a text stand for their first)."""
    first_of: dict[int, int] = {}
    for line, key in enumerate(normal, start=1):
        first_of.setdefault(key, line)
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        while parent.get(x, x) != x:
            x = parent[x]
        return x

    for a, b, _ in near:
        ra, rb = find(a.line), find(b.line)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    hits = 0
    for a, b in pairs:
        hits += find(first_of[normal[a - 1]]) == find(first_of[normal[b - 1]])
    return hits / len(pairs)


# ------------------------------------------------------------------------------------------------ main


def measure_modes(path: Path, modes: list[str], jobs: int, repeat: int) -> dict[str, list[dict[str, Any]]]:
    """Every mode `repeat` times on `path`, each run a fresh process; repeats go round all modes in turn, so
    a busy spell on the machine hits every mode alike. Each run also records the load average before it."""
    runs: dict[str, list[dict[str, Any]]] = {mode: [] for mode in modes}
    for _ in range(repeat):
        for mode in modes:
            load = os.getloadavg()[0]
            runs[mode].append({**_measure(mode, path, jobs), "load_before": load})
    return runs


def _measure(mode: str, path: Path, jobs: int) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, __file__, "--child", mode, "--file", str(path), "--jobs", str(jobs)],
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--examples", type=int, default=100_000)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument(
        "--repeat", type=int, default=1, help="runs per mode; the one using least CPU is kept"
    )
    parser.add_argument("--skip-datasketch", action="store_true")
    parser.add_argument(
        "--modes", default=",".join(MODES), help="comma-separated subset of " + ", ".join(MODES)
    )
    parser.add_argument("--child", choices=MODES, help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        path = Path(args.file)
        pairs = [tuple(p) for p in orjson.loads(path.with_suffix(".pairs.json").read_bytes())]
        print(json.dumps(run(args.child, path, args.jobs, pairs)))
        return 0
    path, pairs = ensure_data(args.examples)
    wanted = {m.strip() for m in args.modes.split(",")} | {"base"}
    modes = [m for m in MODES if m in wanted and not (args.skip_datasketch and m == "datasketch")]
    runs = measure_modes(path, modes, args.jobs, args.repeat)
    results = {mode: min(runs[mode], key=lambda r: r["cpu_seconds"]) for mode in modes}
    base, base_cpu = results["base"]["seconds"], results["base"]["cpu_seconds"]
    print(
        f"{path.name}: {path.stat().st_size / 1e6:.0f} MB, {args.examples:,} + {len(pairs):,} planted examples, "
        f"{args.jobs} jobs, {platform.processor() or platform.machine()}"
    )
    print(
        f"{'mode':<11} {'wall s':>7} {'x base':>7} {'CPU s':>7} {'x base':>7} "
        f"{'peak RSS MB (parent + jobs x worker)':>38} {'recall':>7}"
    )
    for mode, r in results.items():
        rss = f"{r['parent_peak_rss_mb']:.0f} + {args.jobs} x {r['worker_peak_rss_mb']:.0f} = {r['peak_rss_total_mb']:.0f}"
        recall = f"{r['recall']:.4f}" if "recall" in r else ""
        print(
            f"{mode:<11} {r['seconds']:>7.2f} {r['seconds'] / base:>7.2f} {r['cpu_seconds']:>7.2f} "
            f"{r['cpu_seconds'] / base_cpu:>7.2f} {rss:>38} {recall:>7}"
        )
    for mode in ("exact", "near", "near-single"):
        if mode in results:
            r = results[mode]
            print(f"{mode}: index {r['index_mb']} MB, findings in {r['findings_seconds']} s: {r['findings']}")
    RESULTS.mkdir(exist_ok=True)
    out = {
        "file": path.name,
        "bytes": path.stat().st_size,
        "examples": args.examples,
        "planted": len(pairs),
        "jobs": args.jobs,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "runs": results,
    }
    (RESULTS / "dedup.json").write_text(json.dumps(out, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
