"""A/B benchmark of `dataprep validate` checkouts or options: CPU of the main process, CPU of the whole process
tree and wall time, interleaved, medians.

Each variant is a source directory put first on PYTHONPATH (a checkout: `git worktree add --detach DIR COMMIT`)
and optional extra arguments. Every round runs every variant once, in an order that rotates from round to round,
so a change in machine load hits all variants alike. `--load N` starts N busy-loop processes for the whole
benchmark (a 2-core CI runner with neighbours), stopped at the end.

    python benchmarks/bench_executor.py --examples 10000,100000 --repeat 5 --load 2 \\
        --variant "old=/work/wt-old" --variant "new=." --variant "one=. --jobs 1"

The main process's own CPU comes from `getrusage(RUSAGE_SELF)` written by a small wrapper around
`python -m dataprep` at its exit; the tree's (workers included) from `wait4`. Results: a markdown table of
medians, and every run in the JSON file given by `--out`.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import generate_chat  # noqa: E402  (a sibling script)

# Runs `python -m dataprep ARGS` and writes this process's own CPU seconds (all its threads, not its children)
# to the file named by the environment; forked workers leave through os._exit and write nothing.
_WRAPPER = """
import os, resource, runpy, sys
pid = os.getpid()
sys.argv = ["dataprep", *sys.argv[1:]]
code = 0
try:
    runpy.run_module("dataprep", run_name="__main__", alter_sys=True)
except SystemExit as exc:
    code = exc.code if isinstance(exc.code, int) else 1
finally:
    if os.getpid() == pid:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        with open(os.environ["BENCH_SELF_CPU"], "w") as out:
            out.write(repr(usage.ru_utime + usage.ru_stime))
sys.exit(code)
"""


@dataclass
class Variant:
    name: str
    source: Path
    args: list[str]


@dataclass
class Run:
    variant: str
    file: str
    round: int
    wall: float
    cpu_total: float
    cpu_parent: float
    exit_code: int
    load_before: str
    report_sha: str


def parse_variant(text: str) -> Variant:
    name, _, rest = text.partition("=")
    parts = shlex.split(rest)
    if not name or not parts:
        raise SystemExit(f"--variant {text!r}: give NAME=SOURCE_DIR [EXTRA ARGS]")
    return Variant(name, Path(parts[0]).resolve(), parts[1:])


def run_once(variant: Variant, path: Path, base_args: list[str], round_no: int) -> Run:
    with tempfile.TemporaryDirectory() as tmp:
        cpu_file = Path(tmp) / "self_cpu"
        report = Path(tmp) / "report"
        env = dict(os.environ, PYTHONPATH=str(variant.source), BENCH_SELF_CPU=str(cpu_file))
        cmd = [sys.executable, "-c", _WRAPPER, "validate", str(path), *base_args, *variant.args]
        load = Path("/proc/loadavg").read_text().split()[:4] if Path("/proc/loadavg").exists() else []
        start = time.perf_counter()
        with report.open("wb") as out:
            # In a neutral directory: `python -c` puts the working directory first on sys.path.
            proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.DEVNULL, env=env, cwd=tmp)
            _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        parent = float(cpu_file.read_text()) if cpu_file.exists() else float("nan")
        sha = hashlib.sha256(report.read_bytes()).hexdigest()[:16]
    return Run(
        variant.name,
        path.name,
        round_no,
        wall,
        usage.ru_utime + usage.ru_stime,
        parent,
        proc.returncode,
        " ".join(load),
        sha,
    )


def start_load(count: int) -> list[subprocess.Popen[bytes]]:
    return [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(count)]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--variant", action="append", required=True, help="NAME=SOURCE_DIR [EXTRA ARGS]")
    parser.add_argument(
        "--examples", default="10000,100000", help="sizes to generate (seed 1), comma-separated"
    )
    parser.add_argument("--file", action="append", default=[], help="benchmark these files instead")
    parser.add_argument("--data", type=Path, default=HERE / "data", help="where generated files go")
    parser.add_argument("--repeat", type=int, default=3, help="rounds (each runs every variant once)")
    parser.add_argument("--load", type=int, default=0, help="busy-loop processes running meanwhile")
    parser.add_argument("--args", default="--ignore DP4 --format json", help="arguments every run gets")
    parser.add_argument("--out", type=Path, help="write every run here (JSON)")
    ns = parser.parse_args()

    variants = [parse_variant(v) for v in ns.variant]
    files = [Path(f).resolve() for f in ns.file]
    if not files:
        ns.data.mkdir(parents=True, exist_ok=True)
        for n in (int(x) for x in ns.examples.split(",") if x):
            path = (ns.data / f"chat_{n}.jsonl").resolve()
            if not path.exists():
                generate_chat.write(path, n, 1)
            files.append(path)
    base_args = shlex.split(ns.args)
    load = start_load(ns.load)
    runs: list[Run] = []
    try:
        time.sleep(2 if load else 0)  # let the busy loops show in the run queue
        for round_no in range(ns.repeat):
            for path in files:
                shift = round_no % len(variants)
                for variant in variants[shift:] + variants[:shift]:
                    run = run_once(variant, path, base_args, round_no)
                    runs.append(run)
                    print(
                        f"round {round_no} {path.name} {variant.name}: wall {run.wall:.2f} s, CPU {run.cpu_total:.2f} s"
                        f" (main {run.cpu_parent:.2f} s), exit {run.exit_code}, load {run.load_before}",
                        file=sys.stderr,
                        flush=True,
                    )
    finally:
        for proc in load:
            proc.kill()
            proc.wait()

    print(f"\n{ns.repeat} rounds, {ns.load} busy loops, medians\n")
    print("| file | variant | wall s | CPU s (tree) | CPU s (main process) | reports |")
    print("|---|---|---:|---:|---:|---|")
    for path in files:
        for variant in variants:
            mine = [r for r in runs if r.file == path.name and r.variant == variant.name]
            shas = sorted({r.report_sha for r in mine})
            print(
                f"| {path.name} | {variant.name} | {statistics.median(r.wall for r in mine):.2f} | "
                f"{statistics.median(r.cpu_total for r in mine):.2f} | "
                f"{statistics.median(r.cpu_parent for r in mine):.2f} | {','.join(shas)} |"
            )
    if ns.out:
        ns.out.parent.mkdir(parents=True, exist_ok=True)
        meta = {"load_processes": ns.load, "repeat": ns.repeat, "args": ns.args, "cpus": os.cpu_count()}
        variants_out = [{"name": v.name, "source": str(v.source), "args": v.args} for v in variants]
        ns.out.write_text(
            json.dumps({**meta, "variants": variants_out, "runs": [asdict(r) for r in runs]}, indent=1)
        )


if __name__ == "__main__":
    main()
