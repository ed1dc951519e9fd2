"""Word jsonschema's errors for a record the fast check rejected: one short sentence per problem.

Only the parts that failed go through jsonschema: the record without its messages' contents ("the shell"),
then each message the fast check rejected, on its own. jsonschema is slow (about 1,000 chat records/s here),
and a file where every line has one stray key must not crawl.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from dataprep.schema.fast import message_is_valid
from dataprep.schema.files import load_schema
from dataprep.types import Kind, Problem

SCHEMA_VIOLATION = "schema-violation"  # neutral tags; rules/schema.py gives each its rule code
UNKNOWN_KEY = "unknown-key"

PathT = tuple[Any, ...]

# Where each kind keeps its conversation; those messages are checked one by one.
_MESSAGES_AT: dict[Kind, PathT] = {Kind.CHAT: ("messages",), Kind.PREFERENCE: ("input", "messages")}
# Keys some message role allows: on another role they are misplaced rather than unknown.
_MESSAGE_KEYS = frozenset(
    {"role", "content", "name", "refusal", "tool_calls", "function_call", "weight", "tool_call_id"}
)
# Keys whose wrong value means the rest of the object was read against the wrong shape (or none).
_DISCRIMINATORS = ("role", "type")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_LIST_NOUNS = {
    "messages": "a list of messages",
    "content": "a list of content parts",
    "tool_calls": "a list of tool calls",
    "tools": "a list of tools",
    "functions": "a list of functions",
    "preferred_output": "a list of messages",
    "non_preferred_output": "a list of messages",
}
_TYPE_NOUNS = {
    "string": "a string",
    "object": "an object",
    "boolean": "true or false",
    "null": "null",
    "integer": "an integer",
    "number": "a number",
}


@dataclass(frozen=True, slots=True)
class _Error:
    """What a sentence needs from a jsonschema error, with the path from the record's root."""

    path: PathT
    keyword: str
    expected: Any
    instance: Any
    schema: Any


@functools.cache
def _shell_validator(kind: Kind) -> Any:
    """The kind's schema without the per-message checks (those run one message at a time)."""
    from jsonschema import Draft202012Validator  # here, so `import dataprep` stays cheap

    shell = load_schema(kind)
    node = shell
    for key in _MESSAGES_AT.get(kind, ()):
        node = node["properties"][key]
    node.pop("items", None)
    return Draft202012Validator(shell)


@functools.cache
def _message_validator(kind: Kind, role: str) -> Any:
    """Validator of `#/$defs/message`, or straight of one role's shape: what the if/then would pick anyway."""
    from jsonschema import Draft202012Validator

    root = load_schema(kind)
    target = "message" if role == "" else f"{role}_message"
    return Draft202012Validator(
        {"$schema": root["$schema"], "$defs": root["$defs"], "$ref": f"#/$defs/{target}"}
    )


_ROLE_SHAPES = {"system": "system", "developer": "system", "user": "user", "assistant": "assistant"}
_ROLE_SHAPES |= {"tool": "tool", "function": "function"}


def _errors(record: object, kind: Kind) -> list[_Error]:
    found = [_convert(error, ()) for error in _shell_validator(kind).iter_errors(record)]
    at = _MESSAGES_AT.get(kind)
    messages = _get(record, at) if at else None
    if at and isinstance(messages, list):
        for i, message in enumerate(messages):
            if message_is_valid(message):
                continue
            role = message.get("role") if isinstance(message, dict) else None
            shape = _ROLE_SHAPES.get(role, "") if isinstance(role, str) else ""
            found += [_convert(e, (*at, i)) for e in _message_validator(kind, shape).iter_errors(message)]
    return found


def _convert(error: Any, prefix: PathT) -> _Error:
    path = (*prefix, *error.absolute_path)
    return _Error(path, str(error.validator), error.validator_value, error.instance, error.schema)


def _get(record: object, path: PathT) -> object:
    for key in path:
        if not isinstance(record, dict):
            return None
        record = record.get(key)
    return record


def explain(record: object, kind: Kind, renamed: dict[str, str]) -> list[Problem]:
    """DP101/DP102 problems of a record the fast check rejected, in the order a reader meets them.

    `renamed` maps canonical top-level keys back to the names the record used (old preference names), so
    paths name the fields as the file spells them.
    """
    try:
        errors = _errors(record, kind)
    except Exception as exc:  # a value no JSON parser produces (or a bug): still a finding, not a crash
        return [Problem(SCHEMA_VIOLATION, f"record could not be checked against the schema: {exc}")]
    ordered: list[tuple[tuple[int, ...], str, Problem]] = []
    places: dict[int, dict[object, int]] = {}  # id(object) -> key -> place: one pass per object, not per key
    for (path, keyword), group in _relevant(errors).items():
        shown = _show_path(path, renamed)
        if keyword == "additionalProperties":
            for key, problem in _unknown_keys(path, shown, group[0]):
                ordered.append((_document_order(record, (*path, key), places), keyword, problem))
        else:
            problem = Problem(SCHEMA_VIOLATION, _sentence(path, shown, keyword, group), _json_path(shown))
            ordered.append((_document_order(record, path, places), keyword, problem))
    ordered.sort(key=lambda item: item[:2])
    return [problem for _, _, problem in ordered]


def _relevant(errors: Sequence[_Error]) -> dict[tuple[PathT, str], list[_Error]]:
    """The errors worth a sentence, grouped by (path, keyword), cascades removed.

    A wrong role or part type means the object was checked against no shape or the wrong one, so only that
    error is kept for the object; a wrong type at a path hides other keywords at the same path.
    """
    wrong_discriminator = {e.path[:-1] for e in errors if _is_discriminator_error(e)}
    wrong_type = {e.path for e in errors if e.keyword == "type"}
    groups: dict[tuple[PathT, str], list[_Error]] = {}
    for error in errors:
        path = error.path
        if not _is_discriminator_error(error) and any(path[: len(p)] == p for p in wrong_discriminator):
            continue
        if path in wrong_type and error.keyword != "type":
            continue
        groups.setdefault((path, error.keyword), []).append(error)
    return groups


def _is_discriminator_error(error: _Error) -> bool:
    return error.keyword in ("const", "enum") and bool(error.path) and error.path[-1] in _DISCRIMINATORS


def _document_order(record: object, path: PathT, places: dict[int, dict[object, int]]) -> tuple[int, ...]:
    """Positions along `path` (list index, or a key's place in its object): the order a reader meets them.
    `places` caches each object's key positions (the record is alive, so ids are stable)."""
    order = []
    node = record
    for item in path:
        if isinstance(node, dict):
            place = places.get(id(node))
            if place is None:
                place = places[id(node)] = {key: i for i, key in enumerate(node)}
            order.append(place.get(item, len(node)))
            node = node.get(item)
        elif isinstance(node, list) and isinstance(item, int) and 0 <= item < len(node):
            order.append(item)
            node = node[item]
        else:
            break
    return tuple(order)


# ---------------------------------------------------------------------------------------------- sentences


def _sentence(path: PathT, shown: str, keyword: str, errors: list[_Error]) -> str:
    error = errors[0]
    expected, instance = error.expected, error.instance
    if keyword == "type":
        return f"{shown} must be {_expected_types(expected, path, error.schema)}; got {_type_noun(instance)}"
    if keyword == "enum":
        # "developer" is accepted by the schema but warned about elsewhere: do not suggest it.
        choices = [c for c in expected if not (path and path[-1] == "role" and c == "developer")]
        return f"{shown} must be {_one_of(choices)}; got {_show_value(instance)}"
    if keyword == "const":
        return f"{shown} must be {_show_value(expected)}; got {_show_value(instance)}"
    if keyword == "required":
        missing = list(dict.fromkeys(key for e in errors for key in e.expected if key not in e.instance))
        noun = "key" if len(missing) == 1 else "keys"
        keys = _and_list([f'"{key}"' for key in missing])
        return f"{shown}{_role_note(instance)} is missing required {noun} {keys}"
    if keyword == "minItems":
        if expected == 1:
            return f"{shown} must not be empty"
        return f"{shown} must hold at least {expected} items; got {len(instance)}"
    if keyword == "maxItems":
        noun = "item" if expected == 1 else "items"
        return f"{shown} must hold at most {expected} {noun}; got {len(instance)}"
    return f"{shown} does not match the schema ({keyword})"


# Past this many unknown keys in one object the rest are one problem: a record with 100,000 stray keys gets
# 21 findings, not 100,000 (each costs its message, its sort place and its report line).
MAX_UNKNOWN_KEYS_LISTED = 20


def _unknown_keys(path: PathT, shown: str, error: _Error) -> list[tuple[Any, Problem]]:
    instance = error.instance
    known = set(error.schema.get("properties", {}))
    role = instance.get("role") if isinstance(instance, dict) else None
    where = shown if path else "the record"
    unknown = [key for key in instance if key not in known]
    found = []
    for key in unknown[:MAX_UNKNOWN_KEYS_LISTED]:
        if isinstance(role, str) and key in _MESSAGE_KEYS:
            message = f"key {_quoted(key)} is not allowed in {where} (a {role} message)"
        else:
            message = f"unknown key {_quoted(key)} in {where}"
        found.append((key, Problem(UNKNOWN_KEY, message, _join(shown if path else "", key))))
    rest = unknown[MAX_UNKNOWN_KEYS_LISTED:]
    if rest:
        names = ", ".join(_quoted(key) for key in rest[:5]) + (", ..." if len(rest) > 5 else "")
        message = f"{len(rest):,} more unknown keys in {where} ({names})"
        found.append((rest[0], Problem(UNKNOWN_KEY, message, _join(shown if path else "", rest[0]))))
    return found


def _quoted(key: str) -> str:
    """A key from the data as JSON text: a newline or escape character in it cannot break the report line."""
    return json.dumps(key, ensure_ascii=False)


def _role_note(instance: Any) -> str:
    role = instance.get("role") if isinstance(instance, dict) else None
    return f" ({role} message)" if isinstance(role, str) else ""


def _expected_types(expected: str | list[str], path: PathT, schema: Any) -> str:
    names = [expected] if isinstance(expected, str) else list(expected)
    key = next((item for item in reversed(path) if isinstance(item, str)), "")
    list_noun = _LIST_NOUNS.get(key, "a list")
    items = schema.get("items") if isinstance(schema, dict) else None
    if key == "content" and isinstance(items, dict) and str(items.get("$ref", "")).endswith("/text_part"):
        list_noun = "a list of text parts"  # system, developer and tool content take text parts only
    return _or_list([list_noun if name == "array" else _TYPE_NOUNS.get(name, name) for name in names])


def _type_noun(instance: Any) -> str:
    if instance is None:
        return "null"
    if isinstance(instance, bool):
        return "a boolean"
    if isinstance(instance, (int, float)):
        return "a number"
    if isinstance(instance, str):
        return "a string"
    if isinstance(instance, list):
        return "a list"
    if isinstance(instance, dict):
        return "an object"
    return type(instance).__name__


def _show_value(value: Any) -> str:
    if isinstance(value, (dict, list)):
        return _type_noun(value)
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _one_of(choices: Sequence[Any]) -> str:
    shown = [c if isinstance(c, str) else _show_value(c) for c in choices]
    return " or ".join(shown) if len(shown) <= 2 else "one of " + ", ".join(shown)


def _or_list(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def _and_list(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


# ---------------------------------------------------------------------------------------------- paths


def format_path(path: Iterable[Any]) -> str:
    """`messages[2].role`; keys that are not identifiers are quoted: `messages[0]["my key"]`."""
    text = ""
    for item in path:
        text = _join(text, item)
    return text


def _show_path(path: PathT, renamed: dict[str, str]) -> str:
    if path and path[0] in renamed:
        path = (renamed[path[0]], *path[1:])
    return format_path(path) or "record"


def _join(base: str, item: Any) -> str:
    if isinstance(item, int):
        return f"{base}[{item}]"
    if isinstance(item, str) and _IDENTIFIER.match(item):
        return f"{base}.{item}" if base else item
    return f"{base}[{json.dumps(str(item), ensure_ascii=False)}]"


def _json_path(shown: str) -> str:
    return "" if shown == "record" else shown
