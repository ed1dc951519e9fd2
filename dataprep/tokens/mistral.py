"""Mistral models rendered by `mistral-common` in fine-tuning mode, the reference for their format.

The `mistral` extra brings mistral-common (Apache-2.0), which ships the tekken and SentencePiece tokenizers.
Trained tokens are each assistant message as mistral-common encodes it (content and </s>), as mistral-finetune
trains them. Control-token text in content stays text here (mistral-common never turns it into control tokens).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dataprep.tokens.protocol import RecordTokens, TemplateFacts
from dataprep.tokens.template import Conversation, _text, conversations, count_conversations
from dataprep.types import Kind


class MistralCommonTokenizer:
    def __init__(self, label: str, model_file: Path) -> None:
        from mistral_common.protocol.instruct.validator import ValidationMode
        from mistral_common.tokens.tokenizers.mistral import MistralTokenizer

        self._label = label
        self._file = model_file.name
        self._mistral = MistralTokenizer.from_file(str(model_file), mode=ValidationMode.finetuning)  # type: ignore[arg-type]
        self._instruct: Any = self._mistral.instruct_tokenizer
        self._eos = self._instruct.tokenizer.eos_id
        from mistral_common.tokens.tokenizers.base import SpecialTokenPolicy

        self._keep = SpecialTokenPolicy.KEEP

    @property
    def name(self) -> str:
        return f"{self._label} ({self._file}, mistral-common fine-tuning mode)"

    def count(self, record: Mapping[str, Any], kind: Kind) -> RecordTokens:
        return count_conversations(self.analyse, record, kind)

    def message_tokens(self, record: Mapping[str, Any], kind: Kind) -> list[int]:
        convs = conversations(record, kind)
        if not convs:
            return []
        enc = self._instruct.tokenizer
        return [len(enc.encode(_text(m.get("content")), bos=False, eos=False)) for m in convs[0].messages]

    def analyse(self, conv: Conversation) -> TemplateFacts:
        from mistral_common.protocol.instruct.request import ChatCompletionRequest

        try:
            request: Any = ChatCompletionRequest.model_validate(
                {"messages": conv.messages, "tools": conv.tools}
            )
            encoded = self._mistral.encode_chat_completion(request)
        except Exception as exc:  # mistral-common refuses with pydantic and its own exception types
            return TemplateFacts(0, 0, raised=_first_line(exc))
        tokens = encoded.tokens
        text = _plain(self._instruct.tokenizer.decode(tokens, special_token_policy=self._keep))
        ranges = self._assistant_ranges(request.messages, tokens)
        missing = tuple(
            f"{conv.path}[{i}].content"
            for i, m in enumerate(conv.messages)
            if isinstance(m.get("content"), str) and m["content"].strip() and m["content"].strip() not in text
        )
        return TemplateFacts(
            rendered=len(tokens),
            trained=sum(e - s for s, e in ranges),
            trained_ranges=ranges,
            method="mistral-common",
            eot_trained=all(self._eos in tokens[s:e] for s, e in ranges) if ranges else None,
            missing=missing,
        )

    def _assistant_ranges(self, messages: list[Any], tokens: list[int]) -> tuple[tuple[int, int], ...]:
        roles = [m.role for m in messages]
        last_user = max((i for i, r in enumerate(roles) if r == "user"), default=-1)
        out: list[tuple[int, int]] = []
        cursor = 0
        for i, message in enumerate(messages):
            if message.role != "assistant":
                continue
            piece = self._instruct.encode_assistant_message(message, i < last_user)
            at = _find(tokens, piece, cursor)
            if at >= 0:
                out.append((at, at + len(piece)))
                cursor = at + len(piece)
        return tuple(out)


def _plain(text: str) -> str:
    """mistral-common's SentencePiece text shows spaces as U+2581 and newlines as <0x0A>: back to plain text."""
    return text.replace("\u2581", " ").replace("<0x0A>", "\n")


def _find(haystack: list[int], needle: list[int], start: int) -> int:
    if not needle:
        return -1
    first, n = needle[0], len(needle)
    for i in range(start, len(haystack) - n + 1):
        if haystack[i] == first and haystack[i : i + n] == needle:
            return i
    return -1


def _first_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}".strip()
