"""Split sanity (DP510-DP514): validation share and size, token-length and system-prompt shifts."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from dataprep.rules import split_sanity as rules
from dataprep.rules.split_sanity import SplitSummary, SplitThresholds, ks_distance, quantile, split_sanity
from dataprep.types import Severity


def side(
    label: str, n: int, *, mean: float = 500, prompts: tuple[str, ...] = ("a",), seed: int = 0
) -> SplitSummary:
    rng = random.Random(seed)
    summary = SplitSummary(label)
    for i in range(n):
        summary.add(max(1, int(rng.gauss(mean, mean / 5))), prompts[i % len(prompts)] if prompts else None)
    return summary


def codes(train: SplitSummary, valid: SplitSummary, **kw: object) -> list[str]:
    return [f.code for f in split_sanity(train, valid, **kw)]  # type: ignore[arg-type]


def test_a_sane_split_has_no_findings() -> None:
    assert codes(side("t", 900, prompts=("a", "b")), side("v", 100, prompts=("b", "a"), seed=1)) == []


@pytest.mark.parametrize(
    ("n_train", "n_valid", "expected"),
    [(990, 10, ["DP510"]), (400, 600, ["DP511"]), (50, 8, ["DP512"]), (1000, 4, ["DP510", "DP512"])],
)
def test_share_and_size(n_train: int, n_valid: int, expected: list[str]) -> None:
    found = split_sanity(side("t.jsonl", n_train), side("v.jsonl", n_valid, seed=1))
    assert [f.code for f in found] == expected
    assert all(f.severity is Severity.WARNING and f.location.path == "v.jsonl" for f in found)


def test_share_message_gives_the_figures() -> None:
    (finding,) = split_sanity(side("t", 990), side("v", 10, seed=1))
    assert finding.message == "validation is 1.0% of the data (10 of 1,000 examples); below 5%"


def test_token_length_shift_is_reported_with_the_figures() -> None:
    (finding,) = split_sanity(side("t", 800, mean=800), side("v", 100, mean=300, seed=1))
    assert finding.code == "DP513"
    assert "KS distance 0.99 (threshold 0.25)" in finding.message and "in training vs" in finding.message


def test_small_shifts_and_tiny_samples_are_not_reported() -> None:
    assert codes(side("t", 800, mean=500), side("v", 100, mean=520, seed=1)) == []
    # A large gap on 12 examples could be chance at alpha 0.001 only if D were small; here D is 1.
    assert "DP513" in codes(side("t", 800, mean=800), side("v", 12, mean=100, seed=1))
    assert "DP513" not in codes(side("t", 3, mean=800), side("v", 3, mean=100, seed=1))


def test_system_prompt_shift() -> None:
    train = side("t", 900, prompts=("support",))
    found = split_sanity(train, side("v", 100, prompts=("support", "poet", "poet"), seed=1))
    assert [f.code for f in found] == ["DP514"]
    assert found[0].message.startswith(
        "66% of validation examples (66 of 100) have a system prompt no training"
    )
    # Examples without a system prompt count as their own kind.
    no_prompt = side("v", 100, prompts=(), seed=1)
    (finding,) = split_sanity(train, no_prompt)
    assert "100 of them without a system prompt" in finding.message
    assert codes(side("t", 900, prompts=()), no_prompt) == []


def test_thresholds_are_configurable() -> None:
    train, valid = side("t", 990), side("v", 10, seed=1)
    assert codes(train, valid, thresholds=SplitThresholds(min_share=0.01)) == []


def test_merge_and_counters() -> None:
    a, b = side("v1", 5, prompts=("x",)), side("v2", 7, prompts=(), seed=3)
    merged = a.merge(b)
    assert merged.label == "v1" and merged.examples == 12 and len(merged.token_totals) == 12
    assert merged.system_prompts == Counter({"x": 5}) and merged.without_system_prompt == 7


def test_statistics() -> None:
    assert ks_distance([1, 2, 3], [1, 2, 3]) == 0.0
    assert ks_distance([1, 2, 3], [10, 11]) == 1.0
    assert ks_distance([1, 2, 3, 4], [3, 4, 5, 6]) == 0.5
    assert ks_distance([], [1]) == 0.0
    assert quantile([1, 2, 3, 4], 0.5) == 2.5
    assert quantile([10, 0], 0.9) == pytest.approx(9.0)


def test_rules_are_documented() -> None:
    assert [r.code for r in rules.RULES] == ["DP510", "DP511", "DP512", "DP513", "DP514"]
    assert all("Bad:" in r.doc and "Good:" in r.doc and r.scope == "dataset" for r in rules.RULES)
