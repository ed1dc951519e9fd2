"""DP50x: whole-file checks (example counts, file size). Split sanity (DP51x) lives in split_sanity."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import Any

from dataprep.rules.base import FileSummary, LazyStrings, Rule
from dataprep.types import Problem, Severity


def check_file(summary: FileSummary) -> list[tuple[int, Problem]]:
    """Example counts of a training file and the size of every file."""
    out: list[tuple[int, Problem]] = []
    config, line = summary.config, summary.first_line
    if summary.role == "train" and summary.nonblank_lines > 0:
        examples, minimum, recommended = summary.examples, config.min_examples, config.recommended_examples
        if examples < minimum:
            out.append(
                (line, Problem("DP501", f"{examples} training examples; at least {minimum} are required"))
            )
        elif examples < recommended:
            message = f"{examples} training examples; {recommended} or more are recommended"
            out.append((line, Problem("DP502", message)))
    size, limit = summary.facts.size_bytes, config.max_file_bytes
    if size > limit:
        message = (
            f"file is {size / 1024 / 1024:,.0f} MB; OpenAI and Azure accept at most {limit / 1024 / 1024:,.0f} MB "
            "per file through the Files API (the Uploads API takes up to 8 GB)"
        )
        out.append((line, Problem("DP503", message)))
    return out


def _examples(n: int) -> LazyStrings:
    return LazyStrings(partial(_records, n))


def _records(n: int) -> Iterator[dict[str, Any]]:
    for i in range(n):
        yield {
            "messages": [
                {"role": "user", "content": f"Question {i}?"},
                {"role": "assistant", "content": f"Answer {i}."},
            ]
        }


# OpenAI's figures (Azure shares them): with another --target, DP811-DP813 check that target's instead.
_OPENAI = ("openai", "azure")

RULES: tuple[Rule, ...] = (
    Rule(
        "DP501",
        "too-few-examples",
        Severity.ERROR,
        "fewer training examples than required (10)",
        "OpenAI requires at least 10 training examples (`min_examples`).\n"
        "Bad:  a training file with 6 examples\n"
        "Good: 10 or more; 50-100 well-crafted examples are the usual starting point",
        scope="file",
        check=check_file,
        targets=_OPENAI,
        bad=_examples(6),
        good=_examples(10),
    ),
    Rule(
        "DP502",
        "few-examples",
        Severity.WARNING,
        "fewer training examples than recommended (50)",
        "50-100 well-crafted examples is the recommended start (`recommended_examples`).\n"
        "Bad:  a training file with 20 examples\n"
        "Good: 50 or more",
        scope="file",
        check=check_file,
        targets=_OPENAI,
        bad=_examples(20),
        good=_examples(50),
    ),
    Rule(
        "DP503",
        "file-too-large",
        Severity.WARNING,
        "file larger than the 512 MB upload limit",
        "The Files API accepts files up to 512 MB (Azure: under 512 MB).\n"
        "Bad:  a 700 MB train.jsonl\n"
        "Good: under 512 MB, or upload in parts with the multipart Uploads API",
        scope="file",
        check=check_file,
        targets=_OPENAI,
        bad=_examples(20),
        good=_examples(1),
        options={"max_file_bytes": 500},
    ),
)
