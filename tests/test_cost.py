"""Epochs and cost, as REFERENCE.md section 4 states them."""

from __future__ import annotations

import dataclasses

import pytest

from dataprep.cost import CostEstimate, default_epochs, estimate_cost
from dataprep.errors import UsageError
from dataprep.models import resolve_model


@pytest.mark.parametrize(
    ("n", "epochs"),
    [
        (1, 25),
        (3, 25),
        (4, 25),
        (5, 20),
        (10, 10),
        (33, 3),
        (34, 3),
        (101, 3),
        (8333, 3),
        (8334, 2),
        (12501, 1),
    ],
)
def test_default_epochs(n: int, epochs: int) -> None:
    assert default_epochs(n) == epochs


def test_default_epochs_edges() -> None:
    assert default_epochs(0) == 0  # nothing to train
    with pytest.raises(ValueError):
        default_epochs(-1)


def test_worked_example() -> None:
    estimate = estimate_cost([58, 54], "gpt-3.5-turbo-0125")
    assert estimate == CostEstimate(
        model="gpt-3.5-turbo-0125",
        examples=2,
        billed_tokens=112,
        epochs=25,
        epochs_source="default",
        charged_tokens=2800,
        price_per_1m=8.0,
        usd=pytest.approx(2800 / 1e6 * 8.0),  # type: ignore[arg-type]
        context_limit=16_385,
        price_confidence="official",
    )


def test_official_gpt_4o_mini_example() -> None:
    # The fine-tuning guide: 100k training tokens over 3 epochs cost about $0.90.
    estimate = estimate_cost([1000] * 100)
    assert (estimate.epochs, estimate.charged_tokens) == (3, 300_000)
    assert estimate.usd == pytest.approx(0.90)


def test_examples_are_capped_at_the_context_limit() -> None:
    info = resolve_model("gpt-3.5-turbo-0613")
    estimate = estimate_cost([5000, 100, -7], info)
    assert estimate.billed_tokens == 4096 + 100 + 0
    assert estimate.context_limit == 4096


def test_preference_sequences_are_capped_side_by_side() -> None:
    info = resolve_model("gpt-3.5-turbo-0613")
    estimate = estimate_cost([(5000, 300), 100], info, epochs=2)
    assert estimate.examples == 2
    assert estimate.billed_tokens == 4096 + 300 + 100
    assert estimate.charged_tokens == 2 * (4096 + 300 + 100)


def test_user_epochs_and_price() -> None:
    estimate = estimate_cost(iter([10, 20]), "gpt-4o-2024-08-06", epochs=4, price_per_1m=1.0)
    assert (estimate.epochs, estimate.epochs_source) == (4, "user")
    assert estimate.charged_tokens == 120
    assert estimate.usd == pytest.approx(120 / 1e6)
    assert estimate.price_confidence == "user"


def test_unknown_price_gives_no_dollars() -> None:
    estimate = estimate_cost([100], "o4-mini")
    assert estimate.price_per_1m is None and estimate.usd is None
    assert estimate.charged_tokens == 100 * 25


def test_empty_file() -> None:
    estimate = estimate_cost([])
    assert (estimate.examples, estimate.billed_tokens, estimate.epochs, estimate.usd) == (0, 0, 0, 0.0)


@pytest.mark.parametrize("kwargs", [{"epochs": 0}, {"epochs": 2.5}, {"price_per_1m": -1.0}])
def test_bad_arguments(kwargs: dict[str, object]) -> None:
    with pytest.raises(UsageError):
        estimate_cost([1], **kwargs)  # type: ignore[arg-type]


def test_to_dict_and_frozen() -> None:
    estimate = estimate_cost([58, 54], "gpt-3.5-turbo-0125")
    data = estimate.to_dict()
    assert (
        data["billed_tokens"] == 112
        and data["charged_tokens"] == 2800
        and data["model"] == "gpt-3.5-turbo-0125"
    )
    assert set(data) == {f.name for f in dataclasses.fields(CostEstimate)}
    with pytest.raises(dataclasses.FrozenInstanceError):
        estimate.epochs = 1  # type: ignore[misc]
