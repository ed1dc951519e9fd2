"""DP50x: whole-file checks (example counts, file size). Split sanity (DP51x) lives in split_sanity."""

from __future__ import annotations

from dataprep.rules.base import Rule
from dataprep.types import Problem, Severity

UPLOAD_LIMIT_BYTES = 512 * 1024 * 1024


def check_counts(examples: int, minimum: int, recommended: int) -> Problem | None:
    if examples < minimum:
        return Problem("DP501", f"{examples} training examples; at least {minimum} are required")
    if examples < recommended:
        return Problem("DP502", f"{examples} training examples; {recommended} or more are recommended")
    return None


def check_file_size(size_bytes: int, limit_bytes: int = UPLOAD_LIMIT_BYTES) -> Problem | None:
    if size_bytes <= limit_bytes:
        return None
    return Problem(
        "DP503",
        f"file is {size_bytes / 1024 / 1024:,.0f} MB; OpenAI and Azure accept at most {limit_bytes // 1024 // 1024} MB "
        "per file through the Files API (the Uploads API takes up to 8 GB)",
    )


RULES: tuple[Rule, ...] = (
    Rule(
        "DP501",
        "too-few-examples",
        Severity.ERROR,
        "fewer training examples than required (10)",
        "OpenAI requires at least 10 training examples (`min_examples`).\n"
        "Bad:  a training file with 6 examples\n"
        "Good: 10 or more; 50-100 well-crafted examples are the usual starting point",
        scope="dataset",
    ),
    Rule(
        "DP502",
        "few-examples",
        Severity.WARNING,
        "fewer training examples than recommended (50)",
        "50-100 well-crafted examples is the recommended start (`recommended_examples`).\n"
        "Bad:  a training file with 20 examples\n"
        "Good: 50 or more",
        scope="dataset",
    ),
    Rule(
        "DP503",
        "file-too-large",
        Severity.WARNING,
        "file larger than the 512 MB upload limit",
        "The Files API accepts files up to 512 MB (Azure: under 512 MB).\n"
        "Bad:  a 700 MB train.jsonl\n"
        "Good: under 512 MB, or upload in parts with the multipart Uploads API",
        scope="dataset",
    ),
)
