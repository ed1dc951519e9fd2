"""Tokenizers: the seam (protocol), the offline encodings (encodings) and OpenAI's reference formula (openai).

`build_tokenizer(spec)` is the one place a backend is chosen; `count_tokens` (the one-call helper) is in
`dataprep.tokens.api` because it needs the model table.
"""

from __future__ import annotations

from functools import cache

from dataprep.errors import UsageError
from dataprep.tokens.encodings import ENCODINGS_DIR, OFFICIAL_SHA256, available_encodings, get_encoding
from dataprep.tokens.openai import (
    IMAGE_PART_TOKENS,
    MESSAGE_OVERHEAD,
    NAME_OVERHEAD,
    REPLY_PRIMING,
    PreferenceCounts,
    ReferenceFormulaTokenizer,
    TokenCounts,
    count_chat_record,
    count_completion_record,
    count_messages,
    count_preference_record,
)
from dataprep.tokens.protocol import RecordTokens, TemplateFacts, Tokenizer, TokenizerSpec

CHAT_TEMPLATE_BACKEND = "chat-template"  # an open-weight model's own tokenizer and chat template

__all__ = [
    "CHAT_TEMPLATE_BACKEND",
    "ENCODINGS_DIR",
    "IMAGE_PART_TOKENS",
    "MESSAGE_OVERHEAD",
    "NAME_OVERHEAD",
    "OFFICIAL_SHA256",
    "REPLY_PRIMING",
    "PreferenceCounts",
    "RecordTokens",
    "ReferenceFormulaTokenizer",
    "TemplateFacts",
    "TokenCounts",
    "Tokenizer",
    "TokenizerSpec",
    "available_encodings",
    "build_tokenizer",
    "count_chat_record",
    "count_completion_record",
    "count_messages",
    "count_preference_record",
    "get_encoding",
    "preload_for_workers",
]


@cache
def build_tokenizer(spec: TokenizerSpec) -> Tokenizer:
    """The tokenizer a spec describes, built once per process."""
    if spec.backend == ReferenceFormulaTokenizer.BACKEND:
        return ReferenceFormulaTokenizer(spec.name)
    if spec.backend == CHAT_TEMPLATE_BACKEND:
        from dataprep.tokens.open import (
            build_open_tokenizer,
        )  # jinja2 and tokenizers load only for open models

        return build_open_tokenizer(spec)
    raise UsageError(f"unknown tokenizer backend {spec.backend!r}")


def preload_for_workers(spec: TokenizerSpec) -> None:
    """Build, in a process about to fork workers, the tables they can share without each building its own: the
    fast counter's (dataprep.tokens.fast.preload). tiktoken's encoding is not among them: workers sharing it
    spent more CPU than workers that build their own (see dataprep.validation.executors)."""
    if spec.backend == ReferenceFormulaTokenizer.BACKEND:
        from dataprep.tokens.fast import preload

        preload(spec.name)
