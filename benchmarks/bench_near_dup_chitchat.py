"""Benchmark: near-duplicate recall and precision of `dataprep.find_duplicates` on paraphrase-heavy chit-chat.

Data (seeded, deterministic): --examples chat records, written to benchmarks/data/chitchat_near_<n>.jsonl:
  - 90% one-line chit-chat from benchmarks/gen_chitchat.py ("bye" -> "Bye.", "thanks" -> "Any time", "see
    you later" -> "See you soon.", ...): paraphrases, fillers, case and end-punctuation variants;
  - 5% copies of earlier rows, exact or with case / whitespace changed (DP401 / DP402 territory);
  - 5% unrelated longer examples (benchmarks/gen_dedup_data.py, Zipf vocabulary).
The rows are shuffled with the same seed.

Measured: `dataprep.find_duplicates(path)` at the default threshold; its near-duplicate findings
(NEAR_DUPLICATE_CODES) each name one related example. Ground truth is the exact Jaccard similarity of the
shingle sets dataprep sketches (`dataprep.dedup.minhash.shingles` of `dataprep.dedup.digest.compared_text`),
over all pairs, by brute force (an inverted index over shingles counts every intersection; pairs sharing no
shingle have Jaccard 0). As in dataprep, each normalised text takes part once (its first occurrence; later
copies are DP401/DP402), and pairs with the same normalised prompt are left out (a different answer to the
same prompt is DP404, not a near-duplicate).
  precision       share of reported pairs whose exact Jaccard >= threshold
  recall          share of examples with at least one partner at exact Jaccard >= threshold that appear in a
                  near-duplicate finding (as the reported example or as the example it names)
  later recall    share of examples with an earlier such partner that get a near-duplicate finding of their own

CLI: python benchmarks/bench_near_dup_chitchat.py [--examples 3000] [--seed 7]
"""

from __future__ import annotations

import argparse
import importlib.util
import random
import re
import sys
import time
from collections import defaultdict
from pathlib import Path
from types import ModuleType
from typing import Any

import orjson

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DATA = HERE / "data"
COPY_SHARE = 0.05
UNRELATED_SHARE = 0.05

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from dataprep import find_duplicates  # noqa: E402
from dataprep.dedup import example_digests  # noqa: E402
from dataprep.dedup.digest import compared_text  # noqa: E402
from dataprep.dedup.minhash import shingles  # noqa: E402
from dataprep.dedup.params import DEFAULT_THRESHOLD  # noqa: E402
from dataprep.rules.duplicates import NEAR_DUPLICATE_CODES  # noqa: E402

_SIMILARITY = re.compile(r"\(similarity ([0-9.]+)")


def _load(name: str) -> ModuleType:
    """A sibling script as a module (benchmarks/ is not a package)."""
    spec = importlib.util.spec_from_file_location(name, HERE / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(name, module)
    spec.loader.exec_module(module)
    return module


# ----------------------------------------------------------------------------------------------- data


def _variant(record: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """An exact copy, or one with the case or the whitespace of its messages changed."""
    how = rng.choice(("exact", "upper", "lower", "spaces", "newline"))
    messages = []
    for message in record["messages"]:
        text = message["content"]
        if how == "upper":
            text = text.upper()
        elif how == "lower":
            text = text.lower()
        elif how == "spaces":
            text = "  " + text.replace(" ", "   ") + " "
        elif how == "newline":
            text = text.replace(" ", "\n", 1) + "\n"
        messages.append({**message, "content": text})
    return {"messages": messages}


def generate(n: int, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    copies, unrelated = round(n * COPY_SHARE), round(n * UNRELATED_SHARE)
    chat = _load("gen_chitchat").records(n - copies - unrelated, seed)
    longer = _load("gen_dedup_data").examples(unrelated, seed)
    base = chat + longer
    records = base + [_variant(rng.choice(base), rng) for _ in range(copies)]
    rng.shuffle(records)
    return records


def write(records: list[dict[str, Any]], n: int, seed: int) -> Path:
    DATA.mkdir(parents=True, exist_ok=True)
    path = DATA / f"chitchat_near_{n}_{seed}.jsonl"
    path.write_bytes(b"".join(orjson.dumps(record) + b"\n" for record in records))
    return path


# ----------------------------------------------------------------------------------------- ground truth


def exact_pairs(
    records: list[dict[str, Any]], threshold: float
) -> tuple[dict[tuple[int, int], float], list[int]]:
    """{(line a, line b): exact Jaccard} for a < b at or above `threshold`, among the representatives
    (first line of each normalised text), same-prompt pairs left out; and each line's representative."""
    digests = example_digests(records, None, near=False)
    first_of: dict[int, int] = {}
    rep = [first_of.setdefault(d.normal, line) for line, d in enumerate(digests, start=1)]
    reps = sorted(set(rep))
    sets = {line: shingles(compared_text(records[line - 1])) for line in reps}
    postings: dict[bytes, list[int]] = defaultdict(list)
    for line in reps:
        for shingle in sets[line]:
            postings[shingle].append(line)
    out: dict[tuple[int, int], float] = {}
    for b in reps:
        shared: dict[int, int] = defaultdict(int)
        for shingle in sets[b]:
            for a in postings[shingle]:
                if a < b:
                    shared[a] += 1
        for a, inter in shared.items():
            union = len(sets[a]) + len(sets[b]) - inter
            jaccard = inter / union if union else 0.0
            pa, pb = digests[a - 1].prompt, digests[b - 1].prompt
            if jaccard >= threshold and not (pa and pa == pb):
                out[(a, b)] = jaccard
    return out, rep


def jaccard_of(records: list[dict[str, Any]], a: int, b: int) -> float:
    x, y = shingles(compared_text(records[a - 1])), shingles(compared_text(records[b - 1]))
    return len(x & y) / len(x | y) if x or y else 0.0


# ------------------------------------------------------------------------------------------------ main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--examples", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    threshold = DEFAULT_THRESHOLD

    records = generate(args.examples, args.seed)
    path = write(records, args.examples, args.seed)

    start = time.perf_counter()
    findings = find_duplicates(path)
    dataprep_seconds = time.perf_counter() - start
    codes: dict[str, int] = defaultdict(int)
    for finding in findings:
        codes[finding.code] += 1
    near = [f for f in findings if f.code in NEAR_DUPLICATE_CODES]
    reported = [(f.related[0].line, f.location.line, f.message) for f in near]

    start = time.perf_counter()
    truth, _ = exact_pairs(records, threshold)
    truth_seconds = time.perf_counter() - start

    # Precision: every reported pair against its exact Jaccard.
    exact = [jaccard_of(records, a, b) for a, b, _ in reported]
    correct = sum(j >= threshold for j in exact)
    errors = []
    for (_, _, message), j in zip(reported, exact, strict=True):
        if match := _SIMILARITY.search(message):
            errors.append(abs(float(match.group(1)) - j))
    below = sorted(j for j in exact if j < threshold)

    # Recall: examples with a true partner that take part in a near-duplicate finding.
    positive = {line for pair in truth for line in pair}
    in_findings = {line for a, b, _ in reported for line in (a, b)}
    later = {b for _, b in truth}
    flagged = {b for _, b, _ in reported}

    print(
        f"{path.name}: {len(records):,} examples, {len(_representatives(records)):,} distinct "
        f"normalised texts, threshold {threshold}"
    )
    print(f"findings: {dict(sorted(codes.items()))}")
    print(f"find_duplicates: {dataprep_seconds:.2f} s; brute-force exact Jaccard: {truth_seconds:.2f} s")
    precision = correct / len(reported) if reported else 1.0
    print(
        f"precision: {precision:.3f} ({correct:,} of {len(reported):,} reported pairs at exact Jaccard >= {threshold})"
    )
    if below:
        print(f"  reported pairs below the threshold: exact Jaccard {below[0]:.2f}-{below[-1]:.2f}")
    recall = len(positive & in_findings) / len(positive) if positive else 1.0
    print(
        f"recall: {recall:.3f} ({len(positive & in_findings):,} of {len(positive):,} examples with a partner at "
        f"exact Jaccard >= {threshold}; {len(truth):,} such pairs)"
    )
    later_recall = len(later & flagged) / len(later) if later else 1.0
    print(
        f"later recall: {later_recall:.3f} ({len(later & flagged):,} of {len(later):,} examples with an earlier partner)"
    )
    if errors:
        errors.sort()
        print(
            f"|estimated - exact| similarity of reported pairs: median {errors[len(errors) // 2]:.3f}, "
            f"max {errors[-1]:.3f}"
        )
    return 0


def _representatives(records: list[dict[str, Any]]) -> set[int]:
    return {d.normal for d in example_digests(records, None, near=False)}


if __name__ == "__main__":
    raise SystemExit(main())
