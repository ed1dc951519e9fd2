"""`count_tokens`: the one-call library helper (model id -> offline encoding -> reference formula)."""

from __future__ import annotations

from collections.abc import Mapping

from dataprep.models import resolve_model
from dataprep.tokens.encodings import get_encoding
from dataprep.tokens.openai import count_chat_record, count_messages, safe_counter


def count_tokens(messages: object, model: str = "gpt-4o-mini-2024-07-18") -> int:
    """Tokens of `messages` for `model`, offline.

    A string counts as plain text (no overhead); a list of messages or a chat record (a dict with `messages`)
    counts by the reference formula, as `dataprep validate` does.
    """
    encoding = get_encoding(resolve_model(model).encoding)
    if isinstance(messages, str):
        return safe_counter(encoding)(messages)
    if isinstance(messages, Mapping):
        return count_chat_record(messages, encoding).total
    return count_messages(messages, encoding).total
