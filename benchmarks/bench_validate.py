"""Benchmark `dataprep validate` against the essential work and against a naive baseline, in one run.

For each size (10k and 100k examples by default) on the same generated file, each in its own subprocess:
  essential  benchmarks/essential.py: parse and tokenize every string, all cores (the floor);
  validate   `dataprep validate FILE --ignore DP4 --format json` (default rules, duplicates off);
  naive      benchmarks/naive_baseline.py: single process, cookbook style.
Wall time includes interpreter start-up and loading the encoding. Peak RSS is reported twice: the largest single
process (the kernel's maxrss over the process tree, exact) and the sum over all processes of the tree (sampled
every 0.1 s with psutil). Then `dataprep validate` on a 100-line file, start-up included (the pre-commit case).

Prints a markdown table and writes benchmarks/results/validate-<date>.json.
CLI: python benchmarks/bench_validate.py [--sizes 10000,100000] [--large] [--jobs N] [--repeat R]
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import importlib.metadata
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import generate_chat  # noqa: E402  (a sibling script, importable once HERE is on the path)

TOOLS = ("essential", "validate", "naive")
# Further runs of the same file that `bench_all.py` adds to the rotation (not run by this script's own CLI):
#   validate-all       every default rule on (duplicate detection included): the memory figure with DP4 on
#   validate-tiktoken  validate --ignore DP4 counting with tiktoken only: the reference of the fast counter
EXTRA_TOOLS = ("validate-all", "validate-tiktoken")
TOOL_ENV = {"validate-tiktoken": {"DATAPREP_TOKEN_COUNTER": "tiktoken"}}
TARGET_VS_ESSENTIAL = 1.3
TARGET_VS_NAIVE = 2.0
TARGET_RSS_MB = 300.0
TARGET_SMALL_SECONDS = 1.0


@dataclass
class Run:
    wall: float
    cpu: float  # user + system seconds of the process and all its descendants
    exit_code: int
    max_rss_mb: float  # largest single process of the tree
    tree_rss_mb: float | None  # sum over the tree, sampled
    load_before: float
    tree_pss_mb: float | None = None  # sum of proportional set sizes: pages shared after fork count once
    stdout_tail: str = ""
    stderr_tail: str = ""
    stdout_sha256: str = ""  # two runs that printed the same report have the same digest


@dataclass
class Measured:
    tool: str
    examples: int
    bytes: int
    runs: list[Run] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.runs) and all(r.exit_code in (0, 1) for r in self.runs)

    @property
    def wall(self) -> float:
        return min(r.wall for r in self.runs)

    @property
    def cpu(self) -> float:
        return min(r.cpu for r in self.runs)

    @property
    def wall_median(self) -> float:
        return statistics.median(r.wall for r in self.runs)

    @property
    def cpu_median(self) -> float:
        return statistics.median(r.cpu for r in self.runs)

    @property
    def max_rss_mb(self) -> float:
        return max(r.max_rss_mb for r in self.runs)

    @property
    def tree_rss_mb(self) -> float | None:
        values = [r.tree_rss_mb for r in self.runs if r.tree_rss_mb is not None]
        return max(values) if values else None

    @property
    def tree_pss_mb(self) -> float | None:
        values = [r.tree_pss_mb for r in self.runs if r.tree_pss_mb is not None]
        return max(values) if values else None

    def summary(self) -> dict[str, Any]:
        return {
            "tool": self.tool,
            "examples": self.examples,
            "bytes": self.bytes,
            "ok": self.ok,
            "wall_s": round(self.wall, 3),
            "cpu_s": round(self.cpu, 3),
            "examples_per_s": round(self.examples / self.wall, 1),
            "mb_per_s": round(self.bytes / 1e6 / self.wall, 2),
            "max_rss_mb": round(self.max_rss_mb, 1),
            "tree_rss_mb": None if self.tree_rss_mb is None else round(self.tree_rss_mb, 1),
            "tree_pss_mb": None if self.tree_pss_mb is None else round(self.tree_pss_mb, 1),
            "wall_median_s": round(self.wall_median, 3),
            "cpu_median_s": round(self.cpu_median, 3),
            "max_rss_median_mb": round(statistics.median(r.max_rss_mb for r in self.runs), 1),
            "tree_rss_median_mb": _median_or_none([r.tree_rss_mb for r in self.runs]),
            "runs": [asdict(r) for r in self.runs],
        }


def _median_or_none(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return round(statistics.median(known), 1) if known else None


def machine_facts() -> dict[str, Any]:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions: dict[str, str | None] = {}
    for package in ("tiktoken", "orjson", "jsonschema"):
        try:
            versions[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            versions[package] = None
    memory_mb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**20
    return {
        "nproc": len(os.sched_getaffinity(0)),
        "cpu_model": model,
        "memory_mb": round(memory_mb),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "packages": versions,
    }


def size_label(n: int) -> str:
    if n % 1_000_000 == 0:
        return f"{n // 1_000_000}m"
    if n % 1000 == 0:
        return f"{n // 1000}k"
    return str(n)


def shown_path(path: Path) -> str:
    """`path` relative to the repository when it is inside it (results files name their inputs that way)."""
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def ensure_data(n: int, seed: int, data_dir: Path) -> Path:
    """The generated file for `n` examples, regenerated when missing or made by another seed or generator."""
    path = data_dir / f"chat_{size_label(n)}.jsonl"
    meta_path = path.with_name(path.name + ".meta.json")
    wanted = {"examples": n, "seed": seed, "generator_version": generate_chat.GENERATOR_VERSION}
    try:
        if path.is_file() and json.loads(meta_path.read_text()) == wanted:
            return path
    except (OSError, ValueError):
        pass
    print(f"generating {path} ({n} examples, seed {seed})", file=sys.stderr)
    generate_chat.write(path, n, seed)
    meta_path.write_text(json.dumps(wanted))
    return path


class _TreeSampler(threading.Thread):
    """Samples the summed RSS of a process and all its descendants until stopped."""

    def __init__(self, pid: int, interval: float = 0.1) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.interval = interval
        self.peak = 0
        self.peak_pss = 0
        self.stop = threading.Event()

    def run(self) -> None:
        import psutil  # type: ignore[import-untyped,unused-ignore]

        while not self.stop.is_set():
            try:
                parent = psutil.Process(self.pid)
                procs = [parent, *parent.children(recursive=True)]
            except psutil.Error:
                return
            total = pss = 0
            for proc in procs:
                try:
                    total += proc.memory_info().rss
                    pss += proc.memory_full_info().pss
                except psutil.Error:
                    continue  # exited between listing and reading
            self.peak = max(self.peak, total)
            self.peak_pss = max(self.peak_pss, pss)
            self.stop.wait(self.interval)


def _has_psutil() -> bool:
    try:
        import psutil  # type: ignore[import-untyped,unused-ignore]  # noqa: F401
    except ImportError:
        return False
    return True


def _tail(path: Path, limit: int = 600) -> str:
    data = path.read_bytes()
    return data[-limit:].decode("utf-8", "replace")


def measure(cmd: list[str], env: dict[str, str] | None = None) -> Run:
    """Run `cmd` from the repository root (with `env` added to this environment); wall time, exit code and
    peak RSS of its whole process tree."""
    load = os.getloadavg()[0]
    child_env = {**os.environ, **env} if env else None
    with tempfile.TemporaryDirectory() as tmp:
        out_path, err_path = Path(tmp, "out"), Path(tmp, "err")
        with out_path.open("wb") as out, err_path.open("wb") as err:
            start = time.perf_counter()
            proc = subprocess.Popen(
                cmd, cwd=ROOT, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=child_env
            )
            sampler = _TreeSampler(proc.pid) if _has_psutil() else None
            if sampler is not None:
                sampler.start()
            # wait4 gives this child's rusage; its maxrss covers the child and every descendant it waited for.
            _, status, usage = os.wait4(proc.pid, 0)
            wall = time.perf_counter() - start
            proc.returncode = os.waitstatus_to_exitcode(status)
            if sampler is not None:
                sampler.stop.set()
                sampler.join()
        return Run(
            wall=wall,
            cpu=usage.ru_utime + usage.ru_stime,
            exit_code=proc.returncode,
            max_rss_mb=usage.ru_maxrss / 1024,
            tree_rss_mb=None if sampler is None else sampler.peak / 2**20,
            tree_pss_mb=None if sampler is None else sampler.peak_pss / 2**20,
            load_before=load,
            stdout_tail=_tail(out_path, 300),
            stderr_tail=_tail(err_path),
            stdout_sha256=hashlib.sha256(out_path.read_bytes()).hexdigest(),
        )


def dataprep_command() -> list[str] | None:
    """How to start `dataprep`, or None when the CLI is not there yet (or does not answer `validate --help`)."""
    script = Path(sys.executable).parent / "dataprep"
    found = str(script) if script.is_file() else shutil.which("dataprep")
    candidates = [[found]] if found else []
    if (ROOT / "dataprep" / "cli.py").is_file() or (ROOT / "dataprep" / "cli").is_dir():
        candidates.append(
            [sys.executable, "-c", "import sys; from dataprep.cli import main; sys.exit(main())"]
        )
    for cmd in candidates:
        probe = subprocess.run([*cmd, "validate", "--help"], cwd=ROOT, capture_output=True, timeout=60)
        if probe.returncode == 0:
            return cmd
    return None


def commands(tool: str, path: Path, jobs: int | None, dataprep: list[str] | None) -> list[str] | None:
    jobs_args = ["--jobs", str(jobs)] if jobs else []
    if tool == "essential":
        return [sys.executable, str(HERE / "essential.py"), str(path), "--json", *jobs_args]
    if tool == "naive":
        return [sys.executable, str(HERE / "naive_baseline.py"), str(path), "--json"]
    if dataprep is None:
        return None
    ignore = [] if tool == "validate-all" else ["--ignore", "DP4"]
    return [*dataprep, "validate", str(path), *ignore, "--format", "json", *jobs_args]


def bench_size(
    n: int,
    args: argparse.Namespace,
    dataprep: list[str] | None,
    tools: tuple[str, ...] = TOOLS,
) -> dict[str, Any]:
    """Every tool on the generated file of `n` examples, `args.repeat` times, interleaved (each round runs
    every tool once, so a busy spell hits them alike). `args` needs seed, data_dir, repeat, jobs and skip."""
    path = ensure_data(n, args.seed, args.data_dir)
    size = path.stat().st_size
    measured = {tool: Measured(tool, n, size) for tool in tools}
    skipped = set(args.skip)
    for attempt in range(args.repeat):
        for tool in tools:
            cmd = commands(tool, path, args.jobs, dataprep)
            if cmd is None or tool in skipped:
                continue
            print(f"[{size_label(n)} {attempt + 1}/{args.repeat}] {tool}", file=sys.stderr, flush=True)
            run = measure(cmd, TOOL_ENV.get(tool))
            measured[tool].runs.append(run)
            if run.exit_code not in (0, 1):
                print(f"  {tool} exited {run.exit_code}: {run.stderr_tail}", file=sys.stderr)
    result: dict[str, Any] = {"examples": n, "bytes": size, "file": shown_path(path), "tools": {}}
    for tool, m in measured.items():
        result["tools"][tool] = m.summary() if m.runs else {"tool": tool, "available": False}
    result["ratios"] = ratios(measured)
    return result


def ratios(measured: dict[str, Measured]) -> dict[str, float | None]:
    def ratio(a: str, b: str, cpu: bool = False) -> float | None:
        ma, mb = measured.get(a), measured.get(b)
        if not (ma and mb and ma.runs and mb.runs and ma.ok and mb.ok):
            return None
        return round(ma.cpu / mb.cpu if cpu else ma.wall / mb.wall, 3)

    return {
        "validate_vs_essential": ratio("validate", "essential"),
        "naive_vs_validate": ratio("naive", "validate"),
        "naive_vs_essential": ratio("naive", "essential"),
        "cpu_validate_vs_essential": ratio("validate", "essential", cpu=True),
        "cpu_naive_vs_validate": ratio("naive", "validate", cpu=True),
    }


def bench_small(args: argparse.Namespace, dataprep: list[str] | None) -> dict[str, Any]:
    """`dataprep validate` on a 100-line file with default options: the pre-commit hook's case."""
    if dataprep is None:
        return {"available": False}
    path = args.data_dir / f"chat_small_{args.small_lines}.jsonl"
    generate_chat.write(path, args.small_lines, args.seed)
    runs = [measure([*dataprep, "validate", str(path)]) for _ in range(args.small_repeat)]
    walls = [r.wall for r in runs]
    return {
        "lines": args.small_lines,
        "entry": " ".join(dataprep),
        "min_s": round(min(walls), 3),
        "median_s": round(statistics.median(walls), 3),
        "max_rss_mb": round(max(r.max_rss_mb for r in runs), 1),
        "exit_codes": sorted({r.exit_code for r in runs}),
        "runs": [asdict(r) for r in runs],
    }


def _fmt(value: float | None, digits: int = 2) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def markdown(results: dict[str, Any]) -> str:
    machine = results["machine"]
    lines = [
        f"Machine: {machine['nproc']} cores, {machine['cpu_model']}, {machine['memory_mb']} MB RAM, "
        f"Python {machine['python']}; jobs: {results['args']['jobs'] or 'all cores'}, "
        f"best of {results['args']['repeat']}.",
        "",
        "| examples | MB | run | wall s | CPU s | examples/s | MB/s | peak RSS MB (largest process) "
        "| peak RSS MB (all processes) | peak PSS MB (all processes) | wall x essential |",
        "|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for entry in results["sizes"]:
        essential = entry["tools"]["essential"]
        for tool in TOOLS:
            t = entry["tools"][tool]
            label = f"{entry['examples']:,} | {entry['bytes'] / 1e6:.0f} | {tool}"
            if "wall_s" not in t:
                lines.append(f"| {label} | not available | | | | | | | |")
                continue
            vs = t["wall_s"] / essential["wall_s"] if "wall_s" in essential else None
            failed = "" if t["ok"] else " (failed)"
            lines.append(
                f"| {label}{failed} | {t['wall_s']:.2f} | {t['cpu_s']:.1f} | {t['examples_per_s']:,.0f} | {t['mb_per_s']:.1f} "
                f"| {t['max_rss_mb']:.0f} | {_fmt(t['tree_rss_mb'], 0)} | {_fmt(t.get('tree_pss_mb'), 0)} | {_fmt(vs)} |"
            )
    lines.append("")
    for entry in results["sizes"]:
        r = entry["ratios"]
        lines.append(
            f"- {entry['examples']:,} examples: validate / essential {_fmt(r['validate_vs_essential'])} "
            f"(target <= {TARGET_VS_ESSENTIAL}), naive / validate {_fmt(r['naive_vs_validate'])} "
            f"(target >= {TARGET_VS_NAIVE}), naive / essential {_fmt(r['naive_vs_essential'])}; in CPU time: "
            f"validate / essential {_fmt(r['cpu_validate_vs_essential'])}, "
            f"naive / validate {_fmt(r['cpu_naive_vs_validate'])}"
        )
    loads = [
        run["load_before"]
        for entry in results["sizes"]
        for t in entry["tools"].values()
        for run in t.get("runs", [])
    ]
    if loads:
        busy = max(loads) > 0.5 * machine["nproc"]
        lines.append(
            f"- load average before the runs: {min(loads):.1f} to {max(loads):.1f}"
            + (
                " (the machine was busy: wall times are inflated and noisy; CPU times less so)"
                if busy
                else ""
            )
        )
    small = results["small_file"]
    if small.get("available", True) and "min_s" in small:
        lines.append(
            f"- `dataprep validate` on a {small['lines']}-line file: best {small['min_s']:.2f} s, median "
            f"{small['median_s']:.2f} s including start-up (target < {TARGET_SMALL_SECONDS} s)"
        )
    else:
        lines.append("- `dataprep validate`: not available (no `dataprep` command yet)")
    return "\n".join(lines)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Time dataprep validate against the essential work and a naive baseline."
    )
    parser.add_argument("--sizes", default="10000,100000", help="comma-separated example counts")
    parser.add_argument(
        "--large", action="store_true", help="add 1,000,000 examples (about 2 GB; naive needs ~9 GB)"
    )
    parser.add_argument(
        "--jobs", type=int, default=None, help="--jobs for essential and validate (default: all)"
    )
    parser.add_argument("--repeat", type=int, default=1, help="runs per tool; the best wall time is reported")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--skip", action="append", default=[], choices=TOOLS, help="leave a tool out")
    parser.add_argument("--small-lines", type=int, default=100)
    parser.add_argument("--small-repeat", type=int, default=5)
    parser.add_argument("--data-dir", type=Path, default=HERE / "data")
    parser.add_argument("--results-dir", type=Path, default=HERE / "results")
    args = parser.parse_args(argv)
    try:
        args.sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    except ValueError:
        parser.error("--sizes takes comma-separated integers, e.g. 10000,100000")
    if args.large and 1_000_000 not in args.sizes:
        args.sizes.append(1_000_000)
    if args.repeat < 1 or any(n < 1 for n in args.sizes):
        parser.error("--repeat and --sizes must be positive")
    args.data_dir = args.data_dir.resolve()
    return args


def write_results(results: dict[str, Any], results_dir: Path) -> Path:
    results_dir.mkdir(parents=True, exist_ok=True)
    target = results_dir / f"validate-{datetime.date.today().isoformat()}.json"
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_text(json.dumps(results, indent=2) + "\n")
    os.replace(tmp, target)
    return target


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    dataprep = dataprep_command()
    if dataprep is None:
        print("`dataprep` is not available: validate runs are skipped", file=sys.stderr)
    results: dict[str, Any] = {
        "date": datetime.datetime.now().isoformat(timespec="seconds"),
        "machine": machine_facts(),
        "args": {"sizes": args.sizes, "jobs": args.jobs, "repeat": args.repeat, "seed": args.seed},
        "sizes": [bench_size(n, args, dataprep) for n in args.sizes],
        "small_file": bench_small(args, dataprep),
    }
    target = write_results(results, args.results_dir)
    print(markdown(results))
    print(f"\nresults: {target}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
