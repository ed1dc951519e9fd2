"""Epochs and training cost, by the public reference (OpenAI cookbook "Chat_finetuning_data_prep").

The server's own "auto" epoch rule is unpublished; `default_epochs` is the cookbook's approximation.
Billed tokens = sum over training examples of min(context limit, example tokens); charged = billed x epochs;
USD = charged / 1e6 x price per 1M training tokens. Validation-file tokens are not charged.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from dataprep.errors import UsageError
from dataprep.models import DEFAULT_MODEL, ModelInfo, resolve_model

TARGET_EPOCHS = 3
MIN_TARGET_EXAMPLES = 100
MAX_TARGET_EXAMPLES = 25_000
MIN_DEFAULT_EPOCHS = 1
MAX_DEFAULT_EPOCHS = 25


def default_epochs(n_examples: int) -> int:
    """Epochs the reference picks for `n_examples` training examples (0 examples: 0 epochs, nothing to train).

    Few examples get more epochs (to about 100 example passes, at most 25), many get fewer (to about
    25,000 example passes, at least 1); otherwise 3.
    """
    if n_examples < 0:
        raise ValueError(f"n_examples must be >= 0, got {n_examples}")
    if n_examples == 0:
        return 0
    if n_examples * TARGET_EPOCHS < MIN_TARGET_EXAMPLES:
        return min(MAX_DEFAULT_EPOCHS, MIN_TARGET_EXAMPLES // n_examples)
    if n_examples * TARGET_EPOCHS > MAX_TARGET_EXAMPLES:
        return max(MIN_DEFAULT_EPOCHS, MAX_TARGET_EXAMPLES // n_examples)
    return TARGET_EPOCHS


@dataclass(frozen=True, slots=True)
class CostEstimate:
    """What a training run on these examples would be charged (usd is None when the price is unknown)."""

    model: str
    examples: int
    billed_tokens: int
    epochs: int
    epochs_source: Literal["default", "user"]
    charged_tokens: int
    price_per_1m: float | None
    usd: float | None
    context_limit: int
    price_confidence: str = "user"

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "examples": self.examples,
            "billed_tokens": self.billed_tokens,
            "epochs": self.epochs,
            "epochs_source": self.epochs_source,
            "charged_tokens": self.charged_tokens,
            "price_per_1m": self.price_per_1m,
            "usd": self.usd,
            "context_limit": self.context_limit,
            "price_confidence": self.price_confidence,
        }


def estimate_cost(
    example_totals: Iterable[int | Sequence[int]],
    model: ModelInfo | str = DEFAULT_MODEL,
    *,
    epochs: int | None = None,
    price_per_1m: float | None = None,
) -> CostEstimate:
    """Estimate the training charge for one training file.

    `example_totals` holds one item per training example: its token total (TokenCounts.total), or for a
    preference example the totals of the sequences billed for it (PreferenceCounts.sequences), each capped at
    the context limit. `epochs` (>= 1) replaces the default rule; `price_per_1m` replaces the table's price.
    """
    info = model if isinstance(model, ModelInfo) else resolve_model(model)
    if epochs is not None and (type(epochs) is not int or epochs < 1):
        raise UsageError(f"epochs must be a whole number >= 1, got {epochs!r}")
    if price_per_1m is not None and (
        isinstance(price_per_1m, bool) or not math.isfinite(price_per_1m) or price_per_1m < 0
    ):
        raise UsageError(f"price per 1M tokens must be a number >= 0, got {price_per_1m!r}")

    limit = info.max_tokens
    examples = billed = 0
    for item in example_totals:
        examples += 1
        if isinstance(item, int):
            billed += min(limit, max(0, item))
        else:
            billed += sum(min(limit, max(0, side)) for side in item)

    n_epochs = epochs if epochs is not None else default_epochs(examples)
    charged = billed * n_epochs
    price = price_per_1m if price_per_1m is not None else info.price_per_1m
    return CostEstimate(
        model=info.id,
        examples=examples,
        billed_tokens=billed,
        epochs=n_epochs,
        epochs_source="user" if epochs is not None else "default",
        charged_tokens=charged,
        price_per_1m=price,
        usd=None if price is None else charged / 1_000_000 * price,
        context_limit=limit,
        price_confidence="user" if price_per_1m is not None else info.price_confidence,
    )
