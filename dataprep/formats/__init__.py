"""Native record formats of providers and trainers, read into chat records and written from them.

One module per format (vertex, bedrock_nova, trl, llama_factory, chat), each with `detect`, `to_chat` and
`from_chat`; this table is the one list of them. Both validation (a native file checked for its own target)
and conversion (`convert --to`, `--input-format`) use it, so it imports neither.
"""

from __future__ import annotations

from typing import Any

from dataprep.formats import bedrock_nova, chat, llama_factory, trl, vertex
from dataprep.formats.base import INEXPRESSIBLE, INVALID, Native, NativeFormat, Refusal, Written, translate

__all__ = [
    "FORMATS",
    "INEXPRESSIBLE",
    "INVALID",
    "Native",
    "NativeFormat",
    "Refusal",
    "Written",
    "detect_native",
    "format_for_target",
    "translate",
]

FORMATS: dict[str, NativeFormat] = {
    f.name: f for f in (vertex.FORMAT, bedrock_nova.FORMAT, trl.FORMAT, llama_factory.FORMAT, chat.FORMAT)
}
# The formats a file is recognised as, most specific first (chat last: Nova records have `messages` too).
_DETECT_ORDER = ("vertex", "bedrock-nova", "trl", "llama-factory")


def format_for_target(target: str) -> NativeFormat | None:
    """The format `convert --to TARGET` writes (chat JSONL for the OpenAI-shaped providers)."""
    for fmt in FORMATS.values():
        if target in fmt.targets:
            return fmt
    return None


def detect_native(record: Any) -> NativeFormat | None:
    """The native (non-chat) format a record is in, or None for chat records and anything else."""
    if not isinstance(record, dict):
        return None
    for name in _DETECT_ORDER:
        if FORMATS[name].detect(record):
            return FORMATS[name]
    return None
