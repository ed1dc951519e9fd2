"""Benchmark convert's streaming readers: the JSON-array reader against the JSON Lines reader on the same records.

Both files hold the same N records (chat-like question/answer rows); the array is written one element per line,
as `json.dump(..., indent=1)`-style files are. Each reader is timed in this process over its whole file (rows
only, no mapping or writing), best of --repeat runs. The target (issue 15, item 14): the array reader within 2x
of JSON Lines; it was 35x slower when it recounted newlines from the buffer start for every element.

It also times `validate` on one record with many unknown keys (issue 15, item 13: 20k keys took 9.5 s and 100k
keys never finished while the per-key work was quadratic; the target is linear: 5x the keys, about 5x the time).

CLI: python benchmarks/bench_readers.py [--rows 100000] [--repeat 3] [--keys 20000,100000]
"""

from __future__ import annotations

import argparse
import io
import json
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dataprep.io.tabular import JsonArraySource, JsonLinesSource  # noqa: E402

_WORDS = [
    "lentil",
    "cumin",
    "paprika",
    "rice",
    "onion",
    "garlic",
    "basil",
    "thyme",
    "lemon",
    "ginger",
    "tofu",
    "leek",
    "barley",
    "fennel",
    "plum",
]


def _records(rows: int) -> list[dict[str, object]]:
    rng = random.Random(1)
    return [
        {
            "id": i,
            "question": " ".join(rng.choices(_WORDS, k=12)) + "?",
            "answer": " ".join(rng.choices(_WORDS, k=40)) + ".",
            "tags": rng.sample(_WORDS, 3),
        }
        for i in range(rows)
    ]


def _write(folder: Path, rows: int) -> tuple[Path, Path]:
    records = _records(rows)
    lines = folder / "records.jsonl"
    lines.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    array = folder / "records.json"
    array.write_text("[\n" + ",\n".join(json.dumps(r) for r in records) + "\n]\n", encoding="utf-8")
    return lines, array


def _time_lines(path: Path) -> tuple[float, int]:
    start = time.perf_counter()
    with path.open("rb") as handle:
        count = sum(1 for _ in JsonLinesSource(handle, str(path), "utf-8"))
    return time.perf_counter() - start, count


def _time_array(path: Path) -> tuple[float, int]:
    start = time.perf_counter()
    with path.open("rb") as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
        count = sum(1 for _ in JsonArraySource(text, str(path)))
    return time.perf_counter() - start, count


def _time_unknown_keys(folder: Path, keys: int) -> tuple[float, int, float]:
    """(seconds, findings, MB) of validate over one chat record carrying `keys` unknown keys."""
    import dataprep

    record: dict[str, object] = {
        "messages": [{"role": "user", "content": "Hi?"}, {"role": "assistant", "content": "Hello."}]
    }
    record.update({f"extra_key_{i}": i for i in range(keys)})
    path = folder / f"keys{keys}.jsonl"
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    started = time.perf_counter()
    report = dataprep.validate(str(path), jobs=1)
    return time.perf_counter() - started, len(report.findings), path.stat().st_size / 1e6


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keys", default="20000,100000", help="unknown-key counts to time (comma-separated)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        lines, array = _write(Path(tmp), args.rows)
        size = array.stat().st_size / 1e6
        best_lines = min(_time_lines(lines)[0] for _ in range(args.repeat))
        best_array = min(_time_array(array)[0] for _ in range(args.repeat))
    print(f"{args.rows:,} records, {size:.1f} MB; best of {args.repeat}")
    print("| reader | seconds | rows/s |")
    print("|---|---|---|")
    for name, seconds in (("JSON Lines", best_lines), ("JSON array", best_array)):
        print(f"| {name} | {seconds:.2f} | {args.rows / seconds:,.0f} |")
    ratio = best_array / best_lines
    print(f"array / lines: {ratio:.2f}x (target at most 2x)")
    print()
    print("| unknown keys in one record | file MB | validate seconds | findings |")
    print("|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        _time_unknown_keys(Path(tmp), 1)  # warm up: the tokenizer encoding loads once per process
        for keys in (int(k) for k in args.keys.split(",") if k):
            seconds, findings, mb = _time_unknown_keys(Path(tmp), keys)
            print(f"| {keys:,} | {mb:.1f} | {seconds:.2f} | {findings:,} |")
    return 0 if ratio <= 2 else 1


if __name__ == "__main__":
    raise SystemExit(main())
