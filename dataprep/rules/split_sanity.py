"""DP51x: is the train/validation split sane? Share, size, and shifts in token lengths and system prompts.

Dataset-wide: the orchestrator fills one SplitSummary per side from per-example results (total tokens, and
a key of the system prompt) and calls `split_sanity` once. Pure Python: a few sorts of ints.

Statistics:
- validation share = validation examples / (training + validation examples);
- token-length shift: the two-sample Kolmogorov-Smirnov distance D between the per-example total token counts
  (the largest gap between the two cumulative distributions, 0 = same, 1 = disjoint). Warned when D reaches
  `max_ks` (an effect size) and also exceeds the KS critical value at alpha = 0.001 (so a handful of
  validation examples cannot trigger it by chance);
- system-prompt shift: the share of validation examples whose system prompt (or lack of one) no training
  example has.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from dataprep.rules.base import LazyStrings, Rule
from dataprep.stats import quantile as sorted_quantile
from dataprep.types import Finding, Location, Severity

KS_CRITICAL_C = 1.949  # c(alpha) of the two-sample KS test at alpha = 0.001


@dataclass
class SplitSummary:
    """One side of the split. `system_prompts` counts examples per system-prompt key (any hashable, e.g. a
    hash of the first system message); examples without a system prompt are simply not counted there.
    `label` and `line` say where findings about this side point (the first validation file, line 1)."""

    label: str
    examples: int = 0
    token_totals: list[int] = field(default_factory=list)
    system_prompts: Counter[Any] = field(default_factory=Counter)
    line: int = 1

    def add(self, total_tokens: int, system_prompt: Any = None) -> None:
        """Count one example: its total tokens and its system-prompt key (None: it has no system prompt)."""
        self.examples += 1
        self.token_totals.append(total_tokens)
        if system_prompt is not None:
            self.system_prompts[system_prompt] += 1

    def merge(self, other: SplitSummary) -> SplitSummary:
        """Both sides' examples in one summary (this one's label), e.g. two validation files."""
        return SplitSummary(
            self.label,
            self.examples + other.examples,
            [*self.token_totals, *other.token_totals],
            self.system_prompts + other.system_prompts,
            self.line,
        )

    @property
    def without_system_prompt(self) -> int:
        return self.examples - sum(self.system_prompts.values())


@dataclass(frozen=True)
class SplitThresholds:
    min_share: float = 0.05
    max_share: float = 0.50
    min_validation: int = 10
    max_ks: float = 0.25
    max_unseen_system_share: float = 0.20


def split_sanity(
    train: SplitSummary, validation: SplitSummary, *, thresholds: SplitThresholds | None = None
) -> list[Finding]:
    """Findings DP510-DP514 about the split, located at the validation side's label and line."""
    limits = thresholds or SplitThresholds()
    where = Location(validation.label, validation.line, 1)
    found: list[Finding] = []

    def warn(code: str, message: str) -> None:
        found.append(Finding(code, SEVERITY[code], message, where))

    total = train.examples + validation.examples
    if total and validation.examples:
        share = validation.examples / total
        figures = f"{validation.examples:,} of {total:,} examples"
        if share < limits.min_share:
            warn("DP510", f"validation is {share:.1%} of the data ({figures}); below {limits.min_share:.0%}")
        elif share > limits.max_share:
            warn("DP511", f"validation is {share:.1%} of the data ({figures}); above {limits.max_share:.0%}")
    if validation.examples < limits.min_validation:
        warn(
            "DP512",
            f"{validation.examples} validation examples; at least {limits.min_validation} give a usable "
            "validation loss",
        )
    shift = _token_shift(train.token_totals, validation.token_totals, limits.max_ks)
    if shift:
        warn("DP513", shift)
    prompts = _system_prompt_shift(train, validation, limits.max_unseen_system_share)
    if prompts:
        warn("DP514", prompts)
    return found


def ks_distance(a: list[int], b: list[int]) -> float:
    """Two-sample Kolmogorov-Smirnov statistic: max |F_a(x) - F_b(x)| over all x (0.0 if either is empty)."""
    if not a or not b:
        return 0.0
    xs, ys = sorted(a), sorted(b)
    n, m = len(xs), len(ys)
    i = j = 0
    best = 0.0
    while i < n and j < m:
        x = min(xs[i], ys[j])
        while i < n and xs[i] == x:
            i += 1
        while j < m and ys[j] == x:
            j += 1
        best = max(best, abs(i / n - j / m))
    return best


def quantile(values: list[int], q: float) -> float:
    """Linear-interpolation quantile (numpy's default method) of a non-empty, unsorted list."""
    return sorted_quantile(sorted(values), q)


def _token_shift(train: list[int], valid: list[int], max_ks: float) -> str:
    if len(train) < 2 or len(valid) < 2:
        return ""
    d = ks_distance(train, valid)
    n, m = len(train), len(valid)
    critical = KS_CRITICAL_C * math.sqrt((n + m) / (n * m))
    if d < max_ks or d <= critical:
        return ""

    def figures(values: list[int]) -> str:
        ordered = sorted(values)
        median, p10, p90 = (sorted_quantile(ordered, q) for q in (0.5, 0.1, 0.9))
        return f"{median:,.0f} ({p10:,.0f}-{p90:,.0f})"

    return (
        f"token lengths differ between training and validation: KS distance {d:.2f} (threshold {max_ks:.2f}); "
        f"median (p10-p90) tokens per example {figures(train)} in training vs {figures(valid)} in validation"
    )


def _system_prompt_shift(train: SplitSummary, valid: SplitSummary, max_share: float) -> str:
    if not train.examples or not valid.examples:
        return ""
    unseen = sum(count for key, count in valid.system_prompts.items() if key not in train.system_prompts)
    unseen_none = valid.without_system_prompt if train.without_system_prompt == 0 else 0
    share = (unseen + unseen_none) / valid.examples
    if share <= max_share:
        return ""
    detail = f"{unseen + unseen_none:,} of {valid.examples:,}"
    if unseen_none:
        detail += f", {unseen_none:,} of them without a system prompt while every training example has one"
    return (
        f"{share:.0%} of validation examples ({detail}) have a system prompt no training example has "
        f"(threshold {max_share:.0%}); validation loss will measure a different task"
    )


def _examples(n: int, start: int = 0, words: int = 3, system: str | None = None) -> LazyStrings:
    return LazyStrings(partial(_records, n, start, words, system))


def _records(n: int, start: int, words: int, system: str | None) -> Iterator[dict[str, Any]]:
    head = [{"role": "system", "content": system}] if system else []
    for i in range(start, start + n):
        yield {
            "messages": [
                *head,
                {"role": "user", "content": f"Question {i}: " + "word " * words},
                {"role": "assistant", "content": f"Answer {i}."},
            ]
        }


RULES: tuple[Rule, ...] = (
    Rule(
        "DP510",
        "validation-share-low",
        Severity.WARNING,
        "validation set below 5% of the data",
        "A validation set this small gives a noisy validation loss.\n"
        "Bad:  9,900 training and 100 validation examples (1.0%)\n"
        "Good: 5-20% held out for validation (the legacy OpenAI tool used min(20%, 1000))",
        scope="dataset",
        check=split_sanity,
        bad=_examples(400),
        good=_examples(180),
        bad_validation=_examples(12, 500),
        good_validation=_examples(20, 500),
    ),
    Rule(
        "DP511",
        "validation-share-high",
        Severity.WARNING,
        "validation set above 50% of the data",
        "More validation than training data starves training: the split is probably reversed.\n"
        "Bad:  200 training and 800 validation examples\n"
        "Good: train on the larger part",
        scope="dataset",
        check=split_sanity,
        bad=_examples(12),
        good=_examples(80),
        bad_validation=_examples(20, 500),
        good_validation=_examples(20, 500),
    ),
    Rule(
        "DP512",
        "few-validation-examples",
        Severity.WARNING,
        "fewer than 10 validation examples",
        "With a handful of examples, validation loss says more about those examples than about the model.\n"
        "Bad:  a validation file with 4 examples\n"
        "Good: 10 or more (at least as many as the smallest class of case you care about)",
        scope="dataset",
        check=split_sanity,
        bad=_examples(40),
        good=_examples(100),
        bad_validation=_examples(4, 500),
        good_validation=_examples(12, 500),
    ),
    Rule(
        "DP513",
        "token-length-shift",
        Severity.WARNING,
        "training and validation token lengths are distributed differently",
        "The two-sample Kolmogorov-Smirnov distance between per-example token counts is at least 0.25 and\n"
        "significant (alpha 0.001): the validation set is not drawn like the training set.\n"
        "Bad:  training examples of ~800 tokens, validation examples of ~150\n"
        "Good: split at random (after shuffling) so both sides look alike",
        scope="dataset",
        check=split_sanity,
        bad=_examples(100, words=3),
        good=_examples(100, words=3),
        bad_validation=_examples(20, 500, words=60),
        good_validation=_examples(20, 500, words=3),
    ),
    Rule(
        "DP514",
        "system-prompt-shift",
        Severity.WARNING,
        "many validation examples use a system prompt that training never uses",
        "More than 20% of validation examples have a system prompt (or none) that no training example has.\n"
        'Bad:  training always says "You are a support agent.", validation "You are a poet."\n'
        "Good: the same mix of system prompts on both sides",
        scope="dataset",
        check=split_sanity,
        bad=_examples(100, system="You are a support agent."),
        good=_examples(100, system="You are a support agent."),
        bad_validation=_examples(20, 500, system="You are a poet."),
        good_validation=_examples(20, 500, system="You are a support agent."),
    ),
)

SEVERITY: dict[str, Severity] = {rule.code: rule.severity for rule in RULES}
