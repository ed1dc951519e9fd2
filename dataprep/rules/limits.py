"""DP3xx: token limits. The counting itself lives in dataprep.tokens; this module judges the counts."""

from __future__ import annotations

from typing import Any

from dataprep.rules.base import RecordContext, Rule, jsonl
from dataprep.types import Problem, Severity


def check_limit(record: dict[str, Any], ctx: RecordContext) -> list[Problem]:
    if ctx.tokens.template is not None:
        return []  # open-weight models: DP707/DP708 say what truncation does to the trained tokens
    over = check_token_limit(ctx.tokens.total, ctx.context_limit, ctx.model_id)
    return [] if over is None else [over]


def check_token_limit(total: int, limit: int, model: str) -> Problem | None:
    """An example over the model's training context is truncated from the end: the answer is what is lost."""
    if total <= limit:
        return None
    over = total - limit
    return Problem(
        "DP301",
        f"example has {total:,} tokens, {over:,} over the {limit:,}-token training limit of {model}; "
        "it would be truncated from the end, losing the answer",
    )


RULES: tuple[Rule, ...] = (
    Rule(
        "DP301",
        "over-token-limit",
        Severity.ERROR,
        "example longer than the model's training context",
        "Examples longer than the training context are truncated from the END, so the assistant answer is\n"
        "what is lost. Limits come from the model table (`dataprep models`) or --max-tokens.\n"
        "Bad:  a 70,000-token example for gpt-4o-mini-2024-07-18 (limit 65,536)\n"
        "Good: split the document, or shorten the context to fit the limit",
        check=check_limit,
        bad=jsonl(
            {"messages": [{"role": "user", "content": "word " * 300}, {"role": "assistant", "content": "ok"}]}
        ),
        good=jsonl(
            {"messages": [{"role": "user", "content": "word " * 10}, {"role": "assistant", "content": "ok"}]}
        ),
        options={"max_tokens": 200, "encoding": "o200k_base", "model": "small-test-model"},
    ),
)
