"""DP4xx: duplicates, near-duplicates, conflicting answers and train/validation leakage.

Dataset-wide rules: the work lives in `dataprep.dedup` (digests per example, one index per run). Ignoring
the DP4 prefix switches the work off, not only the output.
"""

from __future__ import annotations

from dataprep.rules.base import Rule
from dataprep.types import Severity

RULES: tuple[Rule, ...] = (
    Rule(
        "DP401",
        "exact-duplicate",
        Severity.WARNING,
        "the same example appears more than once",
        "Examples whose canonical content is identical (key order and JSON whitespace do not matter).\n"
        "Duplicates weigh an example several times and waste billed tokens. Reported once per group, at\n"
        "the first repeat, listing every line of the group.\n"
        'Bad:  line 12 {"messages": [...]} and line 40 {"messages":[...]} with the same content\n'
        "Good: keep one copy",
        scope="dataset",
    ),
    Rule(
        "DP402",
        "normalised-duplicate",
        Severity.WARNING,
        "the same example after normalising case, whitespace and Unicode",
        "Examples that differ only in letter case, runs of whitespace or Unicode compatibility forms\n"
        "(NFKC: full-width letters, ligatures, non-breaking spaces).\n"
        'Bad:  "What is RAM?" and "what is  RAM?" with the same answer\n'
        "Good: keep one of them",
        scope="dataset",
    ),
    Rule(
        "DP403",
        "near-duplicate",
        Severity.WARNING,
        "examples that are almost the same (estimated Jaccard similarity at or above the threshold)",
        "MinHash over 8-byte shingles of the example's text (system prompts left out), confirmed by the\n"
        "estimated Jaccard similarity (default threshold 0.5, `near_duplicate_threshold`). An example with\n"
        "one word in ten replaced scores about 0.6-0.75; unrelated examples about 0.0-0.1. Reported once per\n"
        "cluster with each member's similarity to the first.\n"
        'Bad:  "How do I reset my router password?" / "How do I reset my modem password?" with the same answer\n'
        "Good: vary the examples, or keep one",
        scope="dataset",
    ),
    Rule(
        "DP404",
        "conflicting-answers",
        Severity.WARNING,
        "the same prompt with different answers",
        "Examples whose messages before the last assistant turn are the same (after normalisation) but\n"
        "whose answers differ: contradictory labels teach the model to hedge or guess.\n"
        'Bad:  "Is 37.5 °C a fever?" answered "No" on line 3 and "Yes" on line 90\n'
        "Good: one consistent answer per prompt",
        scope="dataset",
    ),
    Rule(
        "DP405",
        "train-validation-leak",
        Severity.ERROR,
        "a validation example also in the training data (exact or after normalisation)",
        "The validation file must not contain the same data as the training file: validation loss on a\n"
        "memorised example says nothing about generalisation. Reported as `train.jsonl:12 ~ val.jsonl:7`.\n"
        "Bad:  val.jsonl line 7 is a copy of train.jsonl line 12\n"
        "Good: remove it from one of the files",
        scope="dataset",
    ),
    Rule(
        "DP406",
        "train-validation-near-leak",
        Severity.ERROR,
        "a validation example nearly the same as a training example",
        "A validation example whose estimated Jaccard similarity to a training example reaches the\n"
        "near-duplicate threshold. Reported as `train.jsonl:12 ~ val.jsonl:7 (0.93)`.\n"
        "Bad:  val.jsonl line 7 is train.jsonl line 12 with two words changed\n"
        "Good: hold out examples that are different from everything in training",
        scope="dataset",
    ),
)

SEVERITY: dict[str, Severity] = {rule.code: rule.severity for rule in RULES}
