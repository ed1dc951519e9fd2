"""JSON for the rejects file: every value a reader can produce, written somehow, never an exception.

A reject exists because its row could not become a record; often because a value JSON cannot hold (an integer
beyond 64 bits, a lone surrogate, nesting deeper than orjson writes). Writing the reject must not fail on the
very value it rejects.
"""

from __future__ import annotations

import json
from typing import Any

import orjson

_REPR_LIMIT = 10_000


def dumps_line(value: Any) -> bytes:
    """`value` as one JSON line: orjson when it can; else the stdlib (exact big integers, surrogates escaped);
    else, for a value nested too deeply even for that, its repr (cut to 10,000 characters) as a string."""
    try:
        return orjson.dumps(value, default=repr, option=orjson.OPT_APPEND_NEWLINE)
    except TypeError:
        pass
    if isinstance(value, dict):  # keep the fields that can be written (the reject's source and reason)
        value = {str(k): _writable(v) for k, v in value.items()}
    return json.dumps(_writable(value), ensure_ascii=True, default=repr).encode("ascii") + b"\n"


def _writable(value: Any) -> Any:
    """`value` itself when the stdlib can write it, else its (short) repr."""
    try:
        json.dumps(value, ensure_ascii=True, default=repr)
    except (RecursionError, ValueError, TypeError):
        return _short_repr(value)
    return value


def _short_repr(value: Any) -> str:
    try:
        text = repr(value)
    except RecursionError:
        return f"<a {type(value).__name__} nested too deeply to show>"
    return text if len(text) <= _REPR_LIMIT else text[:_REPR_LIMIT] + "..."
