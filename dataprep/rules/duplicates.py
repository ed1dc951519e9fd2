"""DP4xx: duplicates, near-duplicates, conflicting answers and train/validation leakage.

Dataset-wide rules: the work lives in `dataprep.dedup` (digests per example, one index per run). Ignoring
the DP4 prefix switches the work off, not only the output.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dataprep.rules.base import Rule, jsonl
from dataprep.types import Severity

if TYPE_CHECKING:
    from dataprep.config import Config
    from dataprep.dedup import DuplicateIndex


def duplicate_check(config: Config) -> DuplicateIndex:
    """The dataset check of every DP4xx rule: one index per run, fed each example's digests."""
    from dataprep.dedup import DuplicateIndex  # numpy is loaded only when duplicate rules are on

    return DuplicateIndex(threshold=config.near_duplicate_threshold)


# The codes the duplicate index emits (dataprep.dedup.findings).
EXACT, NORMALISED, NEAR, CONFLICT, LEAK, NEAR_LEAK = "DP401", "DP402", "DP403", "DP404", "DP405", "DP406"
# The rules whose work needs MinHash signatures (the near-duplicate part of the index).
NEAR_DUPLICATE_CODES = (NEAR, NEAR_LEAK)


def _chat(question: str, answer: str) -> dict[str, Any]:
    return {"messages": [{"role": "user", "content": question}, {"role": "assistant", "content": answer}]}


_ROUTER = "To reset the router password, hold the reset button for ten seconds, then log in with the default"
_DISTINCT = jsonl(
    *(
        _chat(f"Question {i} about {topic}?", f"Answer {i}: {topic} {topic}.")
        for i, topic in enumerate(
            (
                "bread",
                "tides",
                "volcanoes",
                "chess",
                "tea",
                "glaciers",
                "comets",
                "violins",
                "lichen",
                "kites",
            )
        )
    )
)

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
        check=duplicate_check,
        bad=(*_DISTINCT, _DISTINCT[3]),
        good=_DISTINCT,
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
        check=duplicate_check,
        bad=(*_DISTINCT, *jsonl(_chat("QUESTION 3 about   CHESS?", "Answer 3: chess chess."))),
        good=_DISTINCT,
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
        check=duplicate_check,
        bad=(
            *_DISTINCT,
            *jsonl(
                _chat("How do I reset my router password?", _ROUTER + " password printed under the router."),
                _chat(
                    "How can I reset the router password?", _ROUTER + " password printed under the device."
                ),
            ),
        ),
        good=(*_DISTINCT, *jsonl(_chat("How do I reset my router password?", _ROUTER + " password."))),
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
        check=duplicate_check,
        bad=(*_DISTINCT, *jsonl(_chat("Is 37.5 °C a fever?", "No."), _chat("Is 37.5 °C a fever?", "Yes."))),
        good=(*_DISTINCT, *jsonl(_chat("Is 37.5 °C a fever?", "No."))),
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
        check=duplicate_check,
        bad=_DISTINCT,
        good=_DISTINCT,
        bad_validation=(_DISTINCT[4],),
        good_validation=jsonl(_chat("Something else entirely?", "Yes, entirely.")),
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
        check=duplicate_check,
        bad=(
            *_DISTINCT,
            *jsonl(
                _chat("How do I reset my router password?", _ROUTER + " password printed under the router.")
            ),
        ),
        good=_DISTINCT,
        bad_validation=jsonl(
            _chat("How do I reset my router password?", _ROUTER + " password printed under the device.")
        ),
        good_validation=jsonl(_chat("Something else entirely?", "Yes, entirely.")),
    ),
)

SEVERITY: dict[str, Severity] = {rule.code: rule.severity for rule in RULES}
