"""The Tokenizer seam: what the checks need from a tokenizer, whatever its backend.

Today one backend exists (tiktoken encodings with OpenAI's reference formula, `dataprep.tokens.openai`); a model's
own tokenizer and chat template plug in here. A tokenizer is described by a `TokenizerSpec`, a small picklable
value that worker processes turn into the tokenizer itself once, at start-up (`build_tokenizer`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from dataprep.types import Kind


@dataclass(frozen=True, slots=True)
class RecordTokens:
    """Tokens of one record.

    total: the longest sequence the trainer sees (checked against the context limit).
    assistant: tokens of assistant content; trained: the part of it that carries loss.
    billed: every sequence that is billed (one; two for a preference pair, which runs both through the model).
    """

    total: int
    assistant: int
    trained: int
    billed: tuple[int, ...]


class Tokenizer(Protocol):
    """Counts one record of a given kind. Must never raise on any JSON value."""

    @property
    def name(self) -> str: ...

    def count(self, record: Mapping[str, Any], kind: Kind) -> RecordTokens: ...

    def message_tokens(self, record: Mapping[str, Any], kind: Kind) -> list[int]:
        """Tokens of each message, in order (statistics and reports; not on the hot path)."""
        ...


@dataclass(frozen=True, slots=True)
class TokenizerSpec:
    """How to build a tokenizer: `backend` names the implementation, `name` its resource (an encoding...).

    `options` carries backend-specific settings as sorted-free (key, value) string pairs so the spec stays
    hashable and picklable (the chat-template backend: tokenizer key or folder, template, end-of-turn...).
    """

    backend: str
    name: str
    options: tuple[tuple[str, str], ...] = ()

    def option(self, key: str, default: str = "") -> str:
        return next((v for k, v in self.options if k == key), default)

    def describe(self) -> str:
        return f"{self.name} ({self.backend})"
