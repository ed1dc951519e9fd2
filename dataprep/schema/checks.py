"""Schema checks: does one record have the shape of its kind's JSON Schema? (rules DP101-DP104: rules/schema.py)

The schemas in schemas/ are the published source of truth. A hand-written twin (dataprep.schema.fast) decides
valid or invalid quickly; only records it rejects go through jsonschema (dataprep.schema.explain), whose errors
become one short sentence per problem (field, expected, got) instead of jsonschema's raw messages.
"""

from __future__ import annotations

from typing import Any

from dataprep.schema.explain import SCHEMA_VIOLATION, UNKNOWN_KEY, explain, format_path
from dataprep.schema.fast import fast_is_valid
from dataprep.schema.files import load_schema, schema_path
from dataprep.types import Kind, Problem

__all__ = [
    "DEPRECATED_FIELD",
    "OLD_PREFERENCE_NAMES",
    "SCHEMA_VIOLATION",
    "UNKNOWN_KEY",
    "check_record",
    "detect_kind",
    "load_schema",
    "schema_path",
]

# Neutral tags of what is wrong; rules/schema.py gives each its rule code.
DEPRECATED_FIELD = "deprecated-field"
OLD_PREFERENCE_NAMES = "old-preference-names"

# Old preference field names (an API schema of 2025) and the canonical names they stand for.
_OLD_NAMES = {"preferred_completion": "preferred_output", "non_preferred_completion": "non_preferred_output"}


# ---------------------------------------------------------------------------------------------- public checks


def detect_kind(record: object) -> Kind | None:
    """Guess the record shape from its top-level keys; None when it is none of the three."""
    if not isinstance(record, dict):
        return None
    if "messages" in record:
        return Kind.CHAT
    if "input" in record and ("preferred_output" in record or "preferred_completion" in record):
        return Kind.PREFERENCE
    if "prompt" in record and "completion" in record:
        return Kind.COMPLETION
    return None


def check_record(record: object, kind: Kind | str) -> list[Problem]:
    """Schema problems of one record (any JSON value) read as `kind`; [] for a valid record. Never raises."""
    if not isinstance(kind, Kind):  # the validator passes a Kind: no Enum call (slow) per record
        kind = Kind(kind)
    problems: list[Problem] = []
    renamed: dict[str, str] = {}
    if kind is Kind.PREFERENCE and isinstance(record, dict):
        record, renamed, old_name_problems = _canonical_preference(record)
        problems.extend(old_name_problems)
    if not fast_is_valid(record, kind):
        problems.extend(explain(record, kind, renamed))
    problems.extend(_deprecated(record, kind, renamed))
    return problems


def _canonical_preference(record: dict[Any, Any]) -> tuple[dict[Any, Any], dict[str, str], list[Problem]]:
    """Read *_completion as *_output (DP104); returns the shallow copy, canonical->old names, and problems."""
    old = [name for name in _OLD_NAMES if name in record]
    if not old:
        return record, {}, []
    problems = []
    renamed: dict[str, str] = {}
    for name in old:
        canonical = _OLD_NAMES[name]
        problems.append(
            Problem(OLD_PREFERENCE_NAMES, f'"{name}" is an old field name; use "{canonical}"', json_path=name)
        )
        if canonical not in record:
            renamed[canonical] = name
    old_to_new = {name: canonical for canonical, name in renamed.items()}
    # Rebuilt in the same key order, so problems still come out in the order the line shows them.
    copy = {old_to_new.get(key, key): value for key, value in record.items()}
    return copy, renamed, problems


def _deprecated(record: object, kind: Kind, renamed: dict[str, str]) -> list[Problem]:
    if not isinstance(record, dict) or kind is Kind.COMPLETION:
        return []
    problems = []
    if kind is Kind.CHAT:
        if "functions" in record:
            problems.append(Problem(DEPRECATED_FIELD, '"functions" is deprecated; use "tools"', "functions"))
        groups: list[tuple[tuple[str, ...], object]] = [(("messages",), record.get("messages"))]
    else:
        prompt = record.get("input")
        groups = [(("input", "messages"), prompt.get("messages") if isinstance(prompt, dict) else None)]
        groups += [((renamed.get(key, key),), record.get(key)) for key in _OLD_NAMES.values()]
    for prefix, messages in groups:
        if not isinstance(messages, list):
            continue
        for i, message in enumerate(messages):
            if isinstance(message, dict) and "function_call" in message:
                problems.append(
                    Problem(
                        DEPRECATED_FIELD,
                        '"function_call" is deprecated; use "tool_calls"',
                        format_path((*prefix, i, "function_call")),
                    )
                )
    return problems
