"""Peak memory of `dataprep validate` (every rule on) and `dataprep convert` on inputs that used to grow it.

Cases (each in its own subprocess; peak RSS summed over the whole process tree, sampled every 0.05 s with
psutil, plus the kernel's maxrss of the largest single process):
  tiny-N      N tiny chat examples, `q1`/`a1` ... `qN`/`aN` (about 100 bytes a line), validated with the
              default rules (duplicates and near-duplicates on), the JSON report on standard output (a file);
  malformed-N N lines that are not JSON (one finding each), JSON and SARIF reports on standard output;
  csv-cell    a CSV whose one cell is CELL_MB megabytes, converted (the row is rejected as oversized);
  chat-N      N generated 2 KB chat examples (benchmarks/generate_chat.py, seed 1, cached in benchmarks/data/),
              validated with every default rule on, and again with `--ignore DP4` (no duplicate detection),
              JSON report into a file.
Generated inputs go to a temporary folder (or --data; the chat files to benchmarks/data/); nothing is downloaded.

CLI: python benchmarks/bench_memory.py [--sizes 100000,1000000] [--chat-sizes 10000,100000,1000000]
     [--cell-mb 500] [--jobs 2] [--skip csv-cell,chat]
Prints a markdown table and writes benchmarks/results/memory-<date>.json.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import psutil

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
MB = 1024 * 1024


@dataclass
class Measure:
    case: str
    command: str
    exit_code: int
    seconds: float
    peak_tree_mb: float
    peak_single_mb: float
    output_mb: float
    peak_main_mb: float = 0.0  # sampled: the command's own process
    peak_worker_mb: float = 0.0  # sampled: the largest of its descendants


def write_tiny(path: Path, n: int) -> None:
    with path.open("wb") as out:
        for start in range(1, n + 1, 10000):
            out.write(
                b"".join(
                    b'{"messages":[{"role":"user","content":"q%d"},{"role":"assistant","content":"a%d"}]}\n'
                    % (i, i)
                    for i in range(start, min(n, start + 9999) + 1)
                )
            )


def write_malformed(path: Path, n: int) -> None:
    with path.open("wb") as out:
        for start in range(0, n, 10000):
            out.write(b"".join(b"not json %d\n" % i for i in range(start, min(n, start + 10000))))


def write_csv_cell(path: Path, megabytes: int) -> None:
    with path.open("wb") as out:
        out.write(b"prompt,completion\nhello,")
        chunk = b"x" * MB
        for _ in range(megabytes):
            out.write(chunk)
        out.write(b"\nsecond,row\n")


def _rss(process: psutil.Process) -> int:
    try:
        return int(process.memory_info().rss)
    except psutil.NoSuchProcess:
        return 0


def run(case: str, argv: list[str], output: Path | None, *, stdout: Path | None = None) -> Measure:
    """Run `argv` (its standard output into `stdout`), sampling the RSS of its whole process tree; the
    largest single process from wait4."""
    started = time.perf_counter()
    sink = stdout.open("wb") if stdout is not None else subprocess.DEVNULL
    try:
        proc = subprocess.Popen(argv, stdout=sink, stderr=subprocess.PIPE, cwd=ROOT)
    finally:
        if stdout is not None:
            sink.close()  # type: ignore[union-attr]
    peak = main = worker = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak, main, worker
        try:
            root = psutil.Process(proc.pid)
        except psutil.NoSuchProcess:
            return
        while not done.is_set():
            try:
                children = root.children(recursive=True)
            except psutil.NoSuchProcess:
                break
            own, others = _rss(root), [_rss(p) for p in children]
            peak = max(peak, own + sum(others))
            main = max(main, own)
            worker = max(worker, *others, 0)
            done.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(proc.pid, 0)
    done.set()
    sampler.join()
    seconds = time.perf_counter() - started
    stderr = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    proc.stderr and proc.stderr.close()
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        print(stderr[-2000:], file=sys.stderr)
    single = usage.ru_maxrss * 1024 / MB  # kilobytes on Linux
    size = output.stat().st_size / MB if output is not None and output.exists() else 0.0
    shown = " ".join(Path(a).name if os.sep in a else a for a in argv[2:])
    return Measure(
        case,
        shown,
        code,
        round(seconds, 1),
        round(peak / MB, 1),
        round(single, 1),
        round(size, 1),
        round(main / MB, 1),
        round(worker / MB, 1),
    )


def chat_file(n: int) -> Path:
    """The benchmark's generated chat file of `n` examples (seed 1), made once and cached like bench_validate."""
    sys.path.insert(0, str(HERE))
    from bench_validate import ensure_data  # the same file names and cache as the speed benchmark

    return ensure_data(n, 1, HERE / "data")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--malformed", default="2000000", help="lines of the malformed case (0: skip)")
    parser.add_argument("--chat-sizes", default="10000,100000,1000000", help="generated 2 KB examples")
    parser.add_argument("--cell-mb", type=int, default=500)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument(
        "--out", type=Path, default=None, help="results file (default: benchmarks/results/memory-<date>.json)"
    )
    parser.add_argument(
        "--skip", default="", help="comma-separated cases to leave out: tiny, malformed, csv-cell, chat"
    )
    parser.add_argument(
        "--data", type=Path, default=None, help="folder for generated inputs (default: a temp dir)"
    )
    args = parser.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    python = sys.executable
    results: list[Measure] = []
    with tempfile.TemporaryDirectory(prefix="bench-memory-") as tmp:
        data = args.data or Path(tmp)
        data.mkdir(parents=True, exist_ok=True)
        out = Path(tmp)
        if "tiny" not in skip:
            for n in (int(s) for s in args.sizes.split(",") if s):
                path = data / f"tiny_{n}.jsonl"
                if not path.exists():
                    write_tiny(path, n)
                report = out / f"tiny_{n}.json"
                argv = [python, "-m", "dataprep", "validate", str(path), "--jobs", str(args.jobs)]
                results.append(run(f"tiny-{n}", [*argv, "--format", "json"], report, stdout=report))
        if "chat" not in skip:
            for n in (int(s) for s in args.chat_sizes.split(",") if s):
                path = chat_file(n)
                argv = [python, "-m", "dataprep", "validate", str(path), "--jobs", str(args.jobs)]
                for name, extra in ((f"chat-{n}", []), (f"chat-{n}-no-DP4", ["--ignore", "DP4"])):
                    report = out / f"{name}.json"
                    results.append(run(name, [*argv, *extra, "--format", "json"], report, stdout=report))
        if "malformed" not in skip and int(args.malformed):
            n = int(args.malformed)
            path = data / f"malformed_{n}.jsonl"
            if not path.exists():
                write_malformed(path, n)
            for fmt in ("json", "sarif"):
                report = out / f"malformed_{n}.{fmt}"
                argv = [python, "-m", "dataprep", "validate", str(path), "--jobs", str(args.jobs)]
                results.append(run(f"malformed-{n}", [*argv, "--format", fmt], report, stdout=report))
        if "csv-cell" not in skip:
            path = data / f"cell_{args.cell_mb}mb.csv"
            if not path.exists():
                write_csv_cell(path, args.cell_mb)
            target = out / "cell.jsonl"
            argv = [
                python,
                "-m",
                "dataprep",
                "convert",
                str(path),
                "-o",
                str(target),
                "--preset",
                "prompt-completion",
            ]
            results.append(run(f"csv-cell-{args.cell_mb}MB", argv, None))
    print(
        "| case | command | exit | seconds | peak RSS, tree (MB) | peak RSS, one process (MB) | "
        "main process (MB) | largest worker (MB) | output (MB) |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for m in results:
        print(
            f"| {m.case} | `{m.command}` | {m.exit_code} | {m.seconds} | {m.peak_tree_mb} | "
            f"{m.peak_single_mb} | {m.peak_main_mb} | {m.peak_worker_mb} | {m.output_mb} |"
        )
    record = {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
        "load_before": os.getloadavg(),
        "results": [asdict(m) for m in results],
    }
    target = args.out or HERE / "results" / f"memory-{datetime.date.today().isoformat()}.json"
    target.write_text(json.dumps(record, indent=2) + "\n")
    return 0 if all(m.exit_code in (0, 1, 2) for m in results) else 1


if __name__ == "__main__":
    sys.exit(main())
