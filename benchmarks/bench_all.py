"""`make bench`: every speed and memory figure of issue 16, each beside its reference, in one run.

Runs the other benchmarks' own functions (nothing measured here is measured differently from running them alone)
and puts their medians side by side:

  validate      bench_validate: `validate --ignore DP4` vs the essential work (benchmarks/essential.py) and vs
                the naive baseline, at each --sizes; at --memory-sizes also every rule on (peak memory with and
                without DP4, largest process and process tree); at --fast-counter-size also with tiktoken
                counting only (DATAPREP_TOKEN_COUNTER=tiktoken), the reference of the fast counter
  startup       bench_startup: `validate` on a --startup-lines file vs the floor (interpreter + encoding)
  counter       bench_fast_counter: bpe-openai `count` vs tiktoken `encode_ordinary` on every string of a file
  convert       bench_convert: convert (no validation) vs pandas, polars and duckdb (the last two when
                installed) on a generated --convert-mb CSV; convert with validation vs convert + validate
  dedup         bench_dedup: near-duplicate detection vs parsing and tokenizing alone, and vs datasketch's
                MinHashLSH (time, memory, recall of planted near-copies)
  open-weights  bench_open_weights: `validate --model Llama 3.1 --ignore DP4` vs its essential work (when the
                llama-models wheel is installed: extra `llama`, part of the dev extras)

Every figure is the median of --repeat runs, interleaved (A, B, A, B...: a busy spell hits both sides alike), in
CPU seconds (user + system of the process tree) and wall seconds, with the 1-minute load average seen while it
ran, its target and whether it is met. Prints one markdown table at the end and writes
benchmarks/results/bench-<date>.json (every run of every group included).

CLI: python benchmarks/bench_all.py [--repeat 3] [--large] [--skip convert,dedup] [--jobs N]
--large adds 1,000,000 examples to the validate and memory figures (~2 GB of data, ~4 min to generate) and
makes the convert CSV 1 GB.
"""

from __future__ import annotations

import argparse
import datetime
import importlib.util
import os
import statistics
import sys
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import bench_validate  # noqa: E402  (sibling scripts, importable once HERE is on the path)
from bench_figures import Figure, Side, Target, markdown, record, write_record  # noqa: E402

LARGE = 1_000_000
NAIVE_MAX_EXAMPLES = 100_000  # the naive baseline holds the whole file: ~9 GB at 1M, so it stops here
ENCODING = "o200k_base"

# The targets, with where each comes from. Ratios are dataprep / reference; "met" is judged on the named metric.
VS_ESSENTIAL = Target("cpu_s", "<=", 1.1, "ratio", "issue 16")
VS_NAIVE = Target("wall_s", "<=", 1 / bench_validate.TARGET_VS_NAIVE, "ratio", "naive at least 2x slower")
FAST_COUNTER_IN_VALIDATE = Target("cpu_s", "<=", 0.8, "ratio", "issue 16")
MEMORY_DP4_OFF = Target("largest_mib", "<=", 200, "value", "issue 16, at 1M")
MEMORY_EVERY_RULE = Target("largest_mib", "<=", 600, "value", "issue 16, at 1M")
STARTUP = Target("cpu_s", "<=", 0.45, "value", "issue 16")
CONVERT_VS_PANDAS = Target("cpu_s", "<=", 1.0, "ratio", "issue 16")
CONVERT_VALIDATION = Target("cpu_s", "<=", 1.0, "ratio", "issue 16")
DEDUP_BUDGET = Target("cpu_s", "<=", 1.5, "ratio", "README budget +50%")
RECALL = Target("recall", ">=", 1.0, "ratio", "README: at least datasketch's")
OPEN_WEIGHTS = Target("cpu_s", "<=", 1.5, "ratio", "README")


class LoadWatch:
    """Samples the 1-minute load average every few seconds while a group runs: the range it saw."""

    def __init__(self, interval: float = 2.0) -> None:
        self.samples = [os.getloadavg()[0]]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, args=(interval,), daemon=True)

    def _sample(self, interval: float) -> None:
        while not self._stop.wait(interval):
            self.samples.append(os.getloadavg()[0])

    def __enter__(self) -> LoadWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.samples.append(os.getloadavg()[0])

    @property
    def span(self) -> tuple[float, float]:
        return round(min(self.samples), 2), round(max(self.samples), 2)


def _mib(megabytes: float) -> float:
    """MB (10**6 bytes, as bench_convert reports) in MiB, the unit of every other memory figure."""
    return megabytes * 1e6 / 2**20


def _examples(n: int, size: int) -> str:
    return f"{n:,} examples ({size / 1e6:.0f} MB)"


# ------------------------------------------------------------------------------------- validate and memory


def _speed(label: str, tool: dict[str, Any]) -> Side:
    if not tool.get("ok"):
        return Side(label + (" (failed)" if tool.get("runs") else " (not run)"))
    return Side(label, {"cpu_s": tool["cpu_median_s"], "wall_s": tool["wall_median_s"]})


def _memory(label: str, tool: dict[str, Any]) -> Side:
    if not tool.get("ok"):
        return Side(label + (" (failed)" if tool.get("runs") else " (not run)"))
    return Side(label, {"largest_mib": tool["max_rss_median_mb"], "tree_mib": tool["tree_rss_median_mb"]})


def _same_reports(*tools: dict[str, Any]) -> bool:
    """Whether every run of these tools printed the same report (compared by digest)."""
    return len({run["stdout_sha256"] for tool in tools for run in tool.get("runs", [])}) == 1


def validate_size_figures(entry: dict[str, Any], runs: int, load: tuple[float, float]) -> list[Figure]:
    """The figures of one size of the validate group, from bench_validate.bench_size's result."""
    tools, n = entry["tools"], entry["examples"]
    size = _examples(n, entry["bytes"])
    essential = tools["essential"]
    validate_label = "`validate --ignore DP4`"

    def figure(name: str, subject: Side, reference: Side, target: Target | None, **extra: Any) -> Figure:
        return Figure("validate", name, subject, reference, target, runs=runs, load=load, **extra)

    validate = tools["validate"]
    figures = [
        figure(
            f"validate vs essential work, {size}",
            _speed(validate_label, validate),
            _speed("essential work", essential),
            VS_ESSENTIAL,
        )
    ]
    if "naive" in tools:
        figures.append(
            figure(
                f"validate vs naive baseline, {size}",
                _speed(validate_label, validate),
                _speed("naive baseline", tools["naive"]),
                VS_NAIVE,
            )
        )
    if "validate-tiktoken" in tools:
        figures.append(
            figure(
                f"validate with the fast counter vs tiktoken counting, {size}",
                _speed(validate_label, validate),
                _speed("the same, DATAPREP_TOKEN_COUNTER=tiktoken", tools["validate-tiktoken"]),
                FAST_COUNTER_IN_VALIDATE,
                conditions={"same report": _same_reports(validate, tools["validate-tiktoken"])},
                note="the target is issue 16's 0.8x of the time before; the reference here is the same code "
                "counting with tiktoken only. Met requires byte-identical reports too.",
            )
        )
    if "validate-all" in tools:
        every_rule = tools["validate-all"]
        figures += [
            figure(
                f"peak memory, DP4 off, {size}",
                _memory(validate_label, validate),
                _memory("essential work", essential),
                MEMORY_DP4_OFF,
            ),
            figure(
                f"peak memory, every rule on, {size}",
                _memory("`validate` (every rule)", every_rule),
                _memory("essential work", essential),
                MEMORY_EVERY_RULE,
            ),
            figure(
                f"duplicate detection in validate, {size}",
                _speed("`validate` (every rule)", every_rule),
                _speed(validate_label, validate),
                None,
                note="what the DP4 rules add end to end; no target of its own",
            ),
        ]
    return figures


def validate_group(opts: argparse.Namespace, dataprep: list[str] | None) -> tuple[list[Figure], Any]:
    figures: list[Figure] = []
    raw = []
    for n in opts.sizes:
        tools = ["essential", "validate"]
        if n <= NAIVE_MAX_EXAMPLES:
            tools.append("naive")
        if n in opts.memory_sizes:
            tools.append("validate-all")
        if n == opts.fast_counter_size:
            tools.append("validate-tiktoken")
        settings = argparse.Namespace(
            seed=1, data_dir=opts.data_dir, repeat=opts.repeat, jobs=opts.jobs, skip=[]
        )
        with LoadWatch() as load:
            entry = bench_validate.bench_size(n, settings, dataprep, tuple(tools))
        raw.append(entry)
        figures += validate_size_figures(entry, opts.repeat, load.span)
    return figures, raw


# ------------------------------------------------------------------------------------------------ start-up


def startup_group(opts: argparse.Namespace, dataprep: list[str] | None) -> tuple[list[Figure], Any]:
    import bench_startup

    with LoadWatch() as load:
        result = bench_startup.run(opts.startup_lines, opts.startup_repeat)
    cpu, wall = result["median_cpu_s"], result["median_wall_s"]
    figure = Figure(
        "startup",
        f"`validate` on a {opts.startup_lines}-line file vs the start-up floor",
        Side("`dataprep validate FILE`", {"cpu_s": cpu["validate"], "wall_s": wall["validate"]}),
        Side(f"floor: interpreter + {ENCODING}", {"cpu_s": cpu["floor"], "wall_s": wall["floor"]}),
        STARTUP,
        conditions={"validate exited 0 or 1": set(result["validate_exit_codes"]) <= {0, 1}},
        runs=opts.startup_repeat,
        load=load.span,
        note=f"the interpreter alone: {cpu['interpreter']:.3f} s CPU",
    )
    return [figure], result


# ----------------------------------------------------------------------------------------- fast counter


def counter_group(opts: argparse.Namespace, dataprep: list[str] | None) -> tuple[list[Figure], Any]:
    import bench_fast_counter

    from dataprep.tokens.encodings import get_encoding
    from dataprep.tokens.fast import fast_counter

    name = "fast counter alone vs tiktoken"
    if fast_counter(get_encoding(ENCODING)) is None:
        note = "bpe-openai is not installed (extra `fast`) or DATAPREP_TOKEN_COUNTER turns it off"
        return [Figure("counter", name, Side("bpe-openai"), None, note=note)], None
    path = bench_validate.ensure_data(opts.counter_examples, 1, opts.data_dir)
    texts = bench_fast_counter.load_strings(path)
    with LoadWatch() as load:
        result = bench_fast_counter.compare_counters(texts, ENCODING, opts.repeat)
    cpu, wall = result["median_cpu_s"], result["median_wall_s"]
    figure = Figure(
        "counter",
        f"{name}, every string of {opts.counter_examples:,} examples ({len(texts):,} strings)",
        Side("bpe-openai `count`", {"cpu_s": cpu["bpe-openai"], "wall_s": wall["bpe-openai"]}),
        Side("tiktoken `encode_ordinary`", {"cpu_s": cpu["tiktoken"], "wall_s": wall["tiktoken"]}),
        None,
        conditions={"identical totals": result["identical"]},
        runs=opts.repeat,
        load=load.span,
        note=f"{result['totals']['tiktoken']:,} tokens by tiktoken, {result['totals']['bpe-openai']:,} by "
        "bpe-openai; met means identical (issue 16 measured the counter at 0.57-0.58x tiktoken)",
    )
    return [figure], result


# ----------------------------------------------------------------------------------------------- convert


def convert_group(opts: argparse.Namespace, dataprep: list[str] | None) -> tuple[list[Figure], Any]:
    import bench_convert

    source = bench_convert.ensure_csv(opts.convert_mb, 0, opts.data_dir)
    engines = [tool for tool in ("polars", "duckdb") if bench_convert.available(tool)]
    tools = ["dataprep", "pandas", *engines, "dataprep+validate", "validate"]
    with LoadWatch() as load:
        runs = bench_convert.run_rounds(tools, source, opts.repeat, opts.data_dir)
    medians = {tool: bench_convert.median_run(runs[tool]) for tool in tools}

    def side(label: str, tool: str) -> Side:
        m = medians[tool]
        return Side(
            label, {"cpu_s": m["cpu_s"], "wall_s": m["wall_s"], "tree_mib": _mib(m["peak_rss_tree_mb"])}
        )

    rows = medians["dataprep"]["rows"]
    what = f"CSV of {source.stat().st_size / 1e6:,.0f} MB, {rows:,} rows"

    def figure(
        name: str, subject: Side, reference: Side | None, target: Target | None, note: str = ""
    ) -> Figure:
        return Figure(
            "convert", name, subject, reference, target, runs=opts.repeat, load=load.span, note=note
        )

    converted = side("`convert --no-validate`", "dataprep")
    figures = [
        figure(
            f"convert vs pandas, {what}",
            converted,
            side("pandas `read_csv` + `to_json(lines=True)`", "pandas"),
            CONVERT_VS_PANDAS,
            "issue 16's goal is on the 1 GB CSV (--large); pandas builds no chat messages",
        )
    ]
    for engine in ("polars", "duckdb"):
        if engine in engines:
            figures.append(figure(f"convert vs {engine}, {what}", converted, side(engine, engine), None))
        else:
            note = f"{engine} is not installed (`pip install {engine}` to include it)"
            figures.append(figure(f"convert vs {engine}", converted, None, None, note))
    apart = medians["dataprep"], medians["validate"]
    figures.append(
        figure(
            f"convert with validation vs convert, then validate, {what}",
            side("`convert` (validates its output)", "dataprep+validate"),
            Side(
                "`convert --no-validate` + `validate` of its output",
                {
                    "cpu_s": apart[0]["cpu_s"] + apart[1]["cpu_s"],
                    "wall_s": apart[0]["wall_s"] + apart[1]["wall_s"],
                    "tree_mib": _mib(max(apart[0]["peak_rss_tree_mb"], apart[1]["peak_rss_tree_mb"])),
                },
            ),
            CONVERT_VALIDATION,
            "the reference adds the two medians; its memory is the larger of the two",
        )
    )
    return figures, {"source": source.name, "rows": rows, "runs": runs}


# ------------------------------------------------------------------------------------------ near-duplicates


def dedup_group(opts: argparse.Namespace, dataprep: list[str] | None) -> tuple[list[Figure], Any]:
    import bench_dedup

    path, pairs = bench_dedup.ensure_data(opts.dedup_examples, data=opts.data_dir)
    has_datasketch = importlib.util.find_spec("datasketch") is not None
    modes = ["base", "near", *(["datasketch"] if has_datasketch else [])]
    jobs = opts.jobs or len(os.sched_getaffinity(0))
    with LoadWatch() as load:
        runs = bench_dedup.measure_modes(path, modes, jobs, opts.repeat)

    def side(label: str, mode: str, *keys: str) -> Side:
        fields = {
            "cpu_s": "cpu_seconds",
            "wall_s": "seconds",
            "tree_mib": "peak_rss_total_mb",
            "recall": "recall",
        }
        return Side(label, {key: statistics.median(r[fields[key]] for r in runs[mode]) for key in keys})

    what = f"{opts.dedup_examples:,} examples + {len(pairs):,} planted near-copies"
    near = "dataprep MinHash + index"
    figures = [
        Figure(
            "dedup",
            f"near-duplicate detection vs parsing and tokenizing alone, {what}",
            side(near, "near", "cpu_s", "wall_s", "tree_mib"),
            side("parse + tokenize (base)", "base", "cpu_s", "wall_s", "tree_mib"),
            DEDUP_BUDGET,
            runs=opts.repeat,
            load=load.span,
            note="tree = parent + jobs x largest worker (bench_dedup's estimate)",
        )
    ]
    if has_datasketch:
        datasketch = "datasketch MinHashLSH"
        figures += [
            Figure(
                "dedup",
                f"near-duplicate search vs datasketch, {what}",
                side(near, "near", "cpu_s", "wall_s", "tree_mib"),
                side(datasketch, "datasketch", "cpu_s", "wall_s", "tree_mib"),
                None,
                runs=opts.repeat,
                load=load.span,
                note="both runs parse and tokenize too; same shingles, 128 permutations, threshold 0.5",
            ),
            Figure(
                "dedup",
                f"near-duplicate recall vs datasketch, {what}",
                side(near, "near", "recall"),
                side(datasketch, "datasketch", "recall"),
                RECALL,
                runs=opts.repeat,
                load=load.span,
                note="recall: share of planted near-copies found",
            ),
        ]
    else:
        figures.append(
            Figure(
                "dedup",
                "near-duplicate search vs datasketch",
                Side(near),
                None,
                note="datasketch not installed",
            )
        )
    return figures, {"file": path.name, "planted": len(pairs), "runs": runs}


# -------------------------------------------------------------------------------------------- open weights


def open_weights_group(opts: argparse.Namespace, dataprep: list[str] | None) -> tuple[list[Figure], Any]:
    import bench_open_weights

    name = "open-weight validate vs its essential work"
    if not bench_open_weights.available():
        note = "llama-models is not installed (pip install 'dataprep[llama]')"
        return [Figure("open-weights", name, Side("`validate --model`"), None, note=note)], None
    n = opts.open_weights_examples
    path = bench_validate.ensure_data(n, 1, opts.data_dir)
    jobs = opts.jobs or len(os.sched_getaffinity(0))
    model = bench_open_weights.DEFAULT_MODEL
    commands = bench_open_weights.commands(model, path, jobs)
    measured = {
        tool: bench_validate.Measured(tool, n, path.stat().st_size) for tool in ("essential", "dataprep")
    }
    with LoadWatch() as load:
        for attempt in range(opts.repeat):
            for tool, m in measured.items():
                print(f"[open weights {attempt + 1}/{opts.repeat}] {tool}", file=sys.stderr, flush=True)
                m.runs.append(bench_validate.measure(commands[tool]))
    summaries = {tool: m.summary() for tool, m in measured.items()}
    figure = Figure(
        "open-weights",
        f"{name} ({model}), {_examples(n, path.stat().st_size)}",
        _speed(f"`validate --model {model.split('/')[-1]} --ignore DP4`", summaries["dataprep"]),
        _speed("render the template once + encode (essential)", summaries["essential"]),
        OPEN_WEIGHTS,
        runs=opts.repeat,
        load=load.span,
    )
    return [figure], summaries


# -------------------------------------------------------------------------------------------------- main

Group = Callable[[argparse.Namespace, list[str] | None], tuple[list[Figure], Any]]
GROUPS: dict[str, Group] = {
    "validate": validate_group,
    "convert": convert_group,
    "dedup": dedup_group,
    "startup": startup_group,
    "counter": counter_group,
    "open-weights": open_weights_group,
}


def _int_list(text: str) -> list[int]:
    return [int(part.replace("_", "")) for part in text.split(",") if part.strip()]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=3, help="interleaved runs per figure (medians)")
    parser.add_argument("--large", action="store_true", help="add 1M examples and make the CSV 1 GB")
    parser.add_argument("--jobs", type=int, default=None, help="worker processes (default: all cores)")
    parser.add_argument("--skip", default="", help="groups to leave out: " + ", ".join(GROUPS))
    parser.add_argument("--sizes", default="10000,100000", help="examples of the validate figures")
    parser.add_argument("--memory-sizes", default="100000", help="sizes where every rule also runs")
    parser.add_argument(
        "--fast-counter-size", type=int, default=100_000, help="size where tiktoken-only validate also runs"
    )
    parser.add_argument(
        "--convert-mb", type=float, default=None, help="CSV size in MiB (default 50; 1024 --large)"
    )
    parser.add_argument("--dedup-examples", type=int, default=20_000)
    parser.add_argument("--counter-examples", type=int, default=10_000)
    parser.add_argument("--open-weights-examples", type=int, default=100_000)
    parser.add_argument("--startup-lines", type=int, default=100)
    parser.add_argument(
        "--startup-repeat", type=int, default=None, help="start-up runs are cheap: at least 5 (default)"
    )
    parser.add_argument("--data-dir", type=Path, default=HERE / "data")
    parser.add_argument("--results-dir", type=Path, default=HERE / "results")
    opts = parser.parse_args(argv)
    try:
        opts.sizes, opts.memory_sizes = _int_list(opts.sizes), _int_list(opts.memory_sizes)
    except ValueError:
        parser.error("--sizes and --memory-sizes take comma-separated integers, e.g. 10000,100000")
    opts.skip = {part.strip() for part in opts.skip.split(",") if part.strip()}
    if unknown := opts.skip - set(GROUPS):
        parser.error(f"unknown group(s) {', '.join(sorted(unknown))}; groups: {', '.join(GROUPS)}")
    if opts.large:
        opts.sizes += [] if LARGE in opts.sizes else [LARGE]
        opts.memory_sizes += [] if LARGE in opts.memory_sizes else [LARGE]
    opts.sizes += [n for n in opts.memory_sizes if n not in opts.sizes]
    if opts.convert_mb is None:
        opts.convert_mb = 1024.0 if opts.large else 50.0
    if opts.startup_repeat is None:
        opts.startup_repeat = max(5, opts.repeat)
    if opts.repeat < 1 or opts.startup_repeat < 1:
        parser.error("--repeat and --startup-repeat must be positive")
    opts.data_dir = opts.data_dir.resolve()
    return opts


def main(argv: list[str] | None = None) -> int:
    opts = parse_args(argv)
    # Users' installed wheels come with bytecode; without it every child recompiles dataprep (~0.1 s each).
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    opts.data_dir.mkdir(parents=True, exist_ok=True)
    started, load_start = time.perf_counter(), os.getloadavg()[0]
    dataprep = bench_validate.dataprep_command()
    figures: list[Figure] = []
    raw: dict[str, Any] = {}
    failed: dict[str, str] = {}
    group_seconds: dict[str, float] = {}
    for name, group in GROUPS.items():
        if name in opts.skip:
            continue
        print(f"== {name} ({(time.perf_counter() - started) / 60:.1f} min in)", file=sys.stderr, flush=True)
        group_started = time.perf_counter()
        try:
            group_figures, raw[name] = group(opts, dataprep)
        except (Exception, SystemExit) as error:  # one broken group must not lose the others' figures
            traceback.print_exc()
            failed[name] = f"{type(error).__name__}: {error}"
            continue
        finally:
            group_seconds[name] = round(time.perf_counter() - group_started, 1)
        figures += group_figures
    meta = {
        "date": datetime.datetime.now().isoformat(timespec="seconds"),
        "machine": bench_validate.machine_facts(),
        "repeat": opts.repeat,
        "args": {
            k: (str(v) if isinstance(v, Path) else sorted(v) if isinstance(v, set) else v)
            for k, v in vars(opts).items()
        },
        "seconds": round(time.perf_counter() - started, 1),
        "group_seconds": group_seconds,
        "load_start": load_start,
        "load_end": os.getloadavg()[0],
        "failed": failed,
    }
    target = write_record(record(figures, meta, raw), opts.results_dir)
    print(markdown(figures, meta))
    print(f"\nresults: {target}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
