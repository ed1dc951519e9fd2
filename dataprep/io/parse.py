"""Decode one JSONL line into a record, or explain exactly why it cannot be decoded.

The reasons are neutral (`DecodeFailure.reason`); dataprep.rules.reading turns them into findings.

orjson is the fast path; only a line it rejects is looked at again to find the precise reason and column.
"""

from __future__ import annotations

import json
from typing import Any, NamedTuple

import orjson

# Why a line is not a record; rules/reading.py maps each to its rule.
BLANK, NOT_OBJECT, INVALID_UTF8, TOO_DEEP, NON_STANDARD_NUMBER, MALFORMED = (
    "blank",
    "not-object",
    "invalid-utf8",
    "too-deep",
    "non-standard-number",
    "malformed",
)


class DecodeFailure(NamedTuple):
    reason: str
    message: str
    col: int = 1


_NON_STANDARD = (b"NaN", b"Infinity", b"-Infinity")
# Deepest nesting dataprep checks. Legal JSON may go deeper (RFC 8259 sets no limit; orjson reads 1024 levels),
# but orjson writes at most 255 and the checks recurse: a deeper record gets a DP009 finding, not a crash.
MAX_DEPTH = 200


def parse_line(data: bytes) -> tuple[Any, DecodeFailure | None]:
    """Return (record, None) for a JSON object, or (None, problem) for anything else.

    `data` is one line without its line ending. Blank lines are reported here too.
    """
    if not data.strip():
        return None, DecodeFailure(BLANK, "blank line (skipped)")
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        return None, _explain_decode_error(data, exc)
    if not isinstance(value, dict):
        return None, DecodeFailure(NOT_OBJECT, f"line is {_json_kind(value)}, not a JSON object")
    # Only a line with enough brackets can be deep: the count is a C-speed scan, the walk is rarely needed.
    if data.count(b"[") + data.count(b"{") > MAX_DEPTH and too_deep(value):
        return None, DecodeFailure(
            TOO_DEEP, f"JSON nested more than {MAX_DEPTH} levels deep: too deep to check (or to train on)"
        )
    return value, None


def too_deep(value: Any, limit: int = MAX_DEPTH) -> bool:
    """Whether `value` nests lists/objects more than `limit` levels (iterative: no recursion to overflow)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        children = item.values() if isinstance(item, dict) else item
        for child in children:
            if isinstance(child, (dict, list)):
                stack.append((child, depth + 1))
    return False


def _explain_decode_error(data: bytes, exc: orjson.JSONDecodeError) -> DecodeFailure:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        col = len(data[: err.start].decode("utf-8", "replace")) + 1
        return DecodeFailure(
            INVALID_UTF8, f"invalid UTF-8 byte 0x{data[err.start]:02x} at byte {err.start + 1}", col=col
        )
    message = str(exc.msg)
    col = exc.colno if exc.colno > 0 else 1
    if "surrogates not allowed" in message:
        return DecodeFailure(
            INVALID_UTF8, "text contains a lone UTF-16 surrogate, which is not valid UTF-8", col=col
        )
    if "depth limit" in message or "recursion" in message:
        return DecodeFailure(
            TOO_DEEP, "JSON nested too deeply (more than 1024 levels: more than can be parsed)", col=col
        )
    if "infinity when parsed as double" in message:  # 1e400, or an integer of 309+ digits: as convert says
        return DecodeFailure(
            NON_STANDARD_NUMBER,
            "number beyond the range of a double (1e400, or 309+ digits): parsers read it as Infinity or refuse it",
            col=col,
        )
    start = exc.pos - 1 if exc.pos > 0 and text[exc.pos - 1] == "-" else exc.pos
    rest = text[start : start + 9].encode("utf-8") if start >= 0 else b""
    for literal in _NON_STANDARD:
        if rest.startswith(literal):
            name = literal.decode()
            return DecodeFailure(
                NON_STANDARD_NUMBER, f"{name} is not valid JSON (use null or a string)", col=start + 1
            )
    return DecodeFailure(MALFORMED, f"malformed JSON: {message}", col=col)


def _json_kind(value: Any) -> str:
    if isinstance(value, list):
        return "a JSON array"
    if isinstance(value, str):
        return "a JSON string"
    if isinstance(value, bool):
        return "a JSON boolean"
    if isinstance(value, (int, float)):
        return "a JSON number"
    return "JSON null"


def duplicate_keys(data: bytes, record: dict[str, Any]) -> list[str]:
    """Keys that appear more than once in one object of the line (orjson keeps the last silently), in order.

    Cheap first: a line that is byte for byte what orjson writes for the record (a file written by orjson, or
    by another compact writer that escapes as it does) parses to the very pairs the record holds, so none was
    dropped: one comparison, no scan. Otherwise, every key of the line is followed by one
    colon outside strings, and the colons inside strings are written the same by orjson (unless escaped as
    \\u003a). So when re-serialising the record gives as many colons as the line has, no key/value pair was
    dropped; a dropped pair takes at least its own colon away. Only other lines are parsed again with the
    standard library, which sees every pair.
    """
    written = orjson.dumps(record)
    if written == data:
        return []
    if data.count(b":") == written.count(b":") and b"\\u003" not in data:
        return []
    found: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        seen: set[str] = set()
        for key, _ in items:
            if key in seen and key not in found:
                found.append(key)
            seen.add(key)
        return dict(items)

    try:
        json.loads(data, object_pairs_hook=pairs)
    except (ValueError, RecursionError):  # orjson read it; the stdlib may not (depth): nothing to report
        return []
    return found
