"""Per-file statistics: mergeable accumulators and their summaries.

Memory is one 4-byte integer per example and measure (compact arrays), so exact medians and percentiles
stay possible without holding any record. Accumulators merge, so work can be split across processes.
"""

from __future__ import annotations

import math
from array import array
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Distribution:
    """min, max, mean, median and the 5th and 95th percentiles (numpy's default linear interpolation)."""

    count: int
    min: float
    max: float
    mean: float
    median: float
    p5: float
    p95: float

    @classmethod
    def of(cls, values: array[int] | list[int]) -> Distribution | None:
        if not values:
            return None
        ordered = sorted(values)
        return cls(
            count=len(ordered),
            min=ordered[0],
            max=ordered[-1],
            mean=sum(ordered) / len(ordered),
            median=quantile(ordered, 0.5),
            p5=quantile(ordered, 0.05),
            p95=quantile(ordered, 0.95),
        )

    def to_dict(self) -> dict[str, float]:
        return {
            "count": self.count,
            "min": self.min,
            "max": self.max,
            "mean": round(self.mean, 3),
            "median": self.median,
            "p5": round(self.p5, 3),
            "p95": round(self.p95, 3),
        }


@dataclass(frozen=True, slots=True)
class Histogram:
    """Counts in bins of equal width starting at 0: bin i holds values in [i * width, (i + 1) * width).

    Widths are powers of two, so two histograms always merge exactly: the finer one is re-binned to the
    coarser width (a whole number of its bins fits each coarser bin), then the counts add up.
    """

    width: int
    counts: tuple[int, ...]

    MAX_BINS = 64

    @classmethod
    def of(cls, values: array[int] | list[int], max_bins: int = MAX_BINS) -> Histogram | None:
        if not values:
            return None
        top = max(max(values), 0)
        width = 1
        while (top // width) + 1 > max_bins:
            width *= 2
        counts = [0] * (top // width + 1)
        for value in values:
            counts[max(value, 0) // width] += 1
        return cls(width, tuple(counts))

    @property
    def total(self) -> int:
        return sum(self.counts)

    def rebinned(self, width: int) -> Histogram:
        """The same counts in bins of `width` (a power of two, at least this histogram's width)."""
        if width < self.width or width & (width - 1):
            raise ValueError(f"cannot re-bin width {self.width} to {width}")
        factor = width // self.width
        counts = [0] * ((len(self.counts) + factor - 1) // factor)
        for i, count in enumerate(self.counts):
            counts[i // factor] += count
        return Histogram(width, tuple(counts))

    def merged(self, other: Histogram) -> Histogram:
        width = max(self.width, other.width)
        a, b = self.rebinned(width).counts, other.rebinned(width).counts
        size = max(len(a), len(b))
        return Histogram(
            width, tuple((a[i] if i < len(a) else 0) + (b[i] if i < len(b) else 0) for i in range(size))
        )

    def to_dict(self) -> dict[str, Any]:
        return {"width": self.width, "counts": list(self.counts)}


def quantile(ordered: list[int] | list[float], q: float) -> float:
    """Linear interpolation between closest ranks (numpy.quantile's default method) on sorted values."""
    position = (len(ordered) - 1) * q
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass
class StatsAccumulator:
    """Fed one example at a time; `merge` combines two; `summary` computes the figures."""

    messages: array[int] = field(default_factory=lambda: array("l"))
    total_tokens: array[int] = field(default_factory=lambda: array("l"))
    assistant_tokens: array[int] = field(default_factory=lambda: array("l"))
    trained_tokens: array[int] = field(default_factory=lambda: array("l"))
    missing_system: int = 0
    missing_user: int = 0
    over_limit: int = 0
    not_counted: int = 0  # records of the file's kind left out of every figure: they fail the schema

    def add(
        self,
        *,
        messages: int,
        total: int,
        assistant: int,
        trained: int,
        has_system: bool,
        has_user: bool,
        over: bool,
    ) -> None:
        self.messages.append(messages)
        self.total_tokens.append(total)
        self.assistant_tokens.append(assistant)
        self.trained_tokens.append(trained)
        self.missing_system += not has_system
        self.missing_user += not has_user
        self.over_limit += over

    def merge(self, other: StatsAccumulator) -> None:
        self.messages.extend(other.messages)
        self.total_tokens.extend(other.total_tokens)
        self.assistant_tokens.extend(other.assistant_tokens)
        self.trained_tokens.extend(other.trained_tokens)
        self.missing_system += other.missing_system
        self.missing_user += other.missing_user
        self.over_limit += other.over_limit
        self.not_counted += other.not_counted

    @property
    def examples(self) -> int:
        return len(self.total_tokens)

    def summary(self, kind: str = "chat") -> Stats:
        """The figures; `kind` "completion" describes prompt/completion records in their own terms."""
        prompt: Distribution | None = None
        if kind == "completion":
            prompt = Distribution.of(
                [t - a for t, a in zip(self.total_tokens, self.assistant_tokens, strict=True)]
            )
        return Stats(
            examples=self.examples,
            messages_per_example=None if kind == "completion" else Distribution.of(self.messages),
            total_tokens=Distribution.of(self.total_tokens),
            assistant_tokens=Distribution.of(self.assistant_tokens),
            trained_tokens=Distribution.of(self.trained_tokens),
            tokens_sum=sum(self.total_tokens),
            assistant_tokens_sum=sum(self.assistant_tokens),
            trained_tokens_sum=sum(self.trained_tokens),
            missing_system=self.missing_system,
            missing_user=self.missing_user,
            over_limit=self.over_limit,
            total_tokens_histogram=Histogram.of(self.total_tokens),
            messages_histogram=None if kind == "completion" else Histogram.of(self.messages),
            kind=kind,
            not_counted=self.not_counted,
            prompt_tokens=prompt,
        )


@dataclass(frozen=True)
class Stats:
    """The statistics of one file, as reported."""

    examples: int
    messages_per_example: Distribution | None
    total_tokens: Distribution | None
    assistant_tokens: Distribution | None
    trained_tokens: Distribution | None
    tokens_sum: int
    assistant_tokens_sum: int
    trained_tokens_sum: int
    missing_system: int
    missing_user: int
    over_limit: int
    # For charts (the HTML report); not in to_dict, which stays the documented JSON report.
    total_tokens_histogram: Histogram | None = None
    messages_histogram: Histogram | None = None
    kind: str = "chat"
    not_counted: int = 0  # records left out of every figure because they fail the schema
    prompt_tokens: Distribution | None = None  # completion files only

    def to_dict(self) -> dict[str, Any]:
        def dist(d: Distribution | None) -> dict[str, float] | None:
            return d.to_dict() if d else None

        if self.kind == "completion":
            return {
                "examples": self.examples,
                "records_not_counted": self.not_counted,
                "total_tokens": dist(self.total_tokens),
                "prompt_tokens": dist(self.prompt_tokens),
                "completion_tokens": dist(self.assistant_tokens),
                "tokens_sum": self.tokens_sum,
                "prompt_tokens_sum": self.tokens_sum - self.assistant_tokens_sum,
                "completion_tokens_sum": self.assistant_tokens_sum,
                "examples_over_limit": self.over_limit,
            }
        return {
            "examples": self.examples,
            "records_not_counted": self.not_counted,
            "messages_per_example": dist(self.messages_per_example),
            "total_tokens": dist(self.total_tokens),
            "assistant_tokens": dist(self.assistant_tokens),
            "trained_assistant_tokens": dist(self.trained_tokens),
            "tokens_sum": self.tokens_sum,
            "assistant_tokens_sum": self.assistant_tokens_sum,
            "trained_assistant_tokens_sum": self.trained_tokens_sum,
            "examples_missing_system": self.missing_system,
            "examples_missing_user": self.missing_user,
            "examples_over_limit": self.over_limit,
        }
