"""Chat JSONL itself (OpenAI's shape, which Azure OpenAI, Together and Fireworks take too): read and written
as it is. Listed so that `convert --to openai` and `--input-format chat` go through the same table."""

from __future__ import annotations

from typing import Any

from dataprep.formats.base import Native, NativeFormat, Written


def detect(record: dict[str, Any]) -> bool:
    return "messages" in record or "input" in record


def to_chat(record: dict[str, Any]) -> Native:
    return Native(dict(record), "preference" if "input" in record else "chat")


def from_chat(record: dict[str, Any]) -> Written:
    return Written(dict(record))


FORMAT = NativeFormat(
    name="chat",
    title="chat JSONL (OpenAI's messages; preference input/preferred_output/non_preferred_output)",
    detect=detect,
    to_chat=to_chat,
    from_chat=from_chat,
    targets=("openai", "azure", "together", "fireworks", "axolotl", "autotrain"),
    source="platform.openai.com/docs/guides/fine-tuning",
)
