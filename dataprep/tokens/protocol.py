"""The Tokenizer seam: what the checks need from a tokenizer, whatever its backend.

Today one backend exists (tiktoken encodings with OpenAI's reference formula, `dataprep.tokens.openai`); a model's
own tokenizer and chat template plug in here. A tokenizer is described by a `TokenizerSpec`, a small picklable
value that worker processes turn into the tokenizer itself once, at start-up (`build_tokenizer`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

from dataprep.types import Kind

# The per-record values below are NamedTuples: immutable like a frozen dataclass, but built for a quarter of its
# cost (a frozen dataclass sets each field through object.__setattr__), and several are built for every record.


class TemplateFacts(NamedTuple):
    """What rendering one record through a model's own chat template showed (open-weight models only).

    rendered: tokens of the rendered conversation (what the trainer sees); trained: tokens carrying loss.
    trained_ranges: [first, last) token ranges that carry loss, to judge truncation at any sequence length.
    method: how the trained spans were found ("generation markers", "render-and-diff", "mistral-common").
    eot_trained: every assistant turn's end-of-turn token is inside its trained span (None: no assistant turn).
    raised: the template's own message when it refused the record. missing: JSON paths of content absent from
    the render. added: (what, tokens) the template added that the data did not have. special: (JSON path, token
    text) of control-token text inside content.
    """

    rendered: int
    trained: int
    trained_ranges: tuple[tuple[int, int], ...] = ()
    method: str = ""
    eot_trained: bool | None = None
    raised: str | None = None
    missing: tuple[str, ...] = ()
    added: tuple[tuple[str, int], ...] = ()
    special: tuple[tuple[str, str], ...] = ()

    def trained_within(self, length: int) -> int:
        """Trained tokens that survive truncation to the first `length` tokens."""
        return sum(max(0, min(end, length) - start) for start, end in self.trained_ranges)


class RecordTokens(NamedTuple):
    """Tokens of one record.

    total: the longest sequence the trainer sees (checked against the context limit).
    assistant: tokens of assistant content; trained: the part of it that carries loss.
    billed: every sequence that is billed (one; two for a preference pair, which runs both through the model).
    """

    total: int
    assistant: int
    trained: int
    billed: tuple[int, ...]
    template: TemplateFacts | None = None


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
