"""Schema checks (DP101-DP104): does one record have the shape of its kind's JSON Schema?

The schemas in schemas/ are the published source of truth. A hand-written twin (dataprep.schema_fast) decides
valid or invalid quickly; only records it rejects go through jsonschema, whose errors are translated into one
short sentence per problem (field, expected, got) instead of jsonschema's raw messages.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from dataprep.rules.base import Rule
from dataprep.schema_fast import fast_is_valid
from dataprep.types import Kind, Problem, Severity

__all__ = ["RULES", "check_record", "detect_kind", "load_schema", "schema_path"]

SCHEMA_VIOLATION = "DP101"
UNKNOWN_KEY = "DP102"
DEPRECATED_FIELD = "DP103"
OLD_PREFERENCE_NAMES = "DP104"

# Old preference field names (an API schema of 2025) and the canonical names they stand for.
_OLD_NAMES = {"preferred_completion": "preferred_output", "non_preferred_completion": "non_preferred_output"}
# Keys some message role allows: on another role they are misplaced rather than unknown.
_MESSAGE_KEYS = frozenset(
    {"role", "content", "name", "refusal", "tool_calls", "function_call", "weight", "tool_call_id"}
)
# Keys whose wrong value means the rest of the object was read against the wrong shape.
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

PathT = tuple[Any, ...]


# ---------------------------------------------------------------------------------------------- loading


def _packaged(kind: Kind) -> Any:
    """The schema inside an installed wheel (hatch force-includes schemas/ as dataprep/schemas/), or None."""
    try:
        candidate = resources.files("dataprep") / "schemas" / f"{kind.value}.schema.json"
        return candidate if candidate.is_file() else None
    except (ModuleNotFoundError, TypeError, OSError):
        return None


def _source_checkout(kind: Kind) -> Path:
    return Path(__file__).resolve().parent.parent / "schemas" / f"{kind.value}.schema.json"


def schema_path(kind: Kind | str) -> Path:
    """Where the JSON Schema of `kind` lives: the installed package's copy, else the repository's schemas/."""
    kind = Kind(kind)
    packaged = _packaged(kind)
    if packaged is not None:
        return Path(str(packaged))
    return _source_checkout(kind)


def load_schema(kind: Kind | str) -> dict[str, Any]:
    """The JSON Schema of `kind` as a fresh dict (callers may change it freely)."""
    kind = Kind(kind)
    packaged = _packaged(kind)
    text = (
        packaged.read_text(encoding="utf-8")
        if packaged is not None
        else _source_checkout(kind).read_text("utf-8")
    )
    schema: dict[str, Any] = json.loads(text)
    return schema


@functools.cache
def _validator(kind: Kind) -> Any:
    # Imported here so `import dataprep` stays cheap; compiled once per process and kind.
    from jsonschema import Draft202012Validator

    return Draft202012Validator(load_schema(kind))


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
    kind = Kind(kind)
    problems: list[Problem] = []
    renamed: dict[str, str] = {}
    if kind is Kind.PREFERENCE and isinstance(record, dict):
        record, renamed, old_name_problems = _canonical_preference(record)
        problems.extend(old_name_problems)
    if not fast_is_valid(record, kind):
        problems.extend(_explain(record, kind, renamed))
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
        groups: list[tuple[PathT, object]] = [(("messages",), record.get("messages"))]
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
                        _format_path((*prefix, i, "function_call")),
                    )
                )
    return problems


# ---------------------------------------------------------------------------------------------- messages


def _explain(record: object, kind: Kind, renamed: dict[str, str]) -> list[Problem]:
    """Run jsonschema on a record the fast check rejected and word each relevant error once."""
    try:
        errors = list(_validator(kind).iter_errors(record))
    except Exception as exc:  # a value no JSON parser produces (or a bug): still a finding, not a crash
        return [Problem(SCHEMA_VIOLATION, f"record could not be checked against the schema: {exc}")]
    if not errors:  # the fast check and the schema disagree; the schema is the source of truth
        return []
    ordered: list[tuple[tuple[int, ...], str, Problem]] = []
    for (path, keyword), errs in _relevant(errors).items():
        shown = _show_path(path, renamed)
        if keyword == "additionalProperties":
            for key, problem in _unknown_keys(path, shown, errs[0].instance, errs[0].schema):
                ordered.append((_document_order(record, (*path, key)), keyword, problem))
        else:
            problem = Problem(SCHEMA_VIOLATION, _sentence(path, shown, keyword, errs), _json_path(shown))
            ordered.append((_document_order(record, path), keyword, problem))
    ordered.sort(key=lambda item: item[:2])
    return [problem for _, _, problem in ordered]


def _relevant(errors: Sequence[Any]) -> dict[tuple[PathT, str], list[Any]]:
    """The errors worth a sentence, grouped by (path, keyword), cascades removed.

    A wrong role or part type means the object was checked against no shape or the wrong one, so only that
    error is kept for the object; a wrong type at a path hides other keywords at the same path.
    """
    wrong_discriminator = {
        tuple(e.absolute_path)[:-1]
        for e in errors
        if e.validator in ("const", "enum") and e.absolute_path and e.absolute_path[-1] in _DISCRIMINATORS
    }
    wrong_type = {tuple(e.absolute_path) for e in errors if e.validator == "type"}
    groups: dict[tuple[PathT, str], list[Any]] = {}
    for error in errors:
        path = tuple(error.absolute_path)
        keyword = str(error.validator)
        if not _is_discriminator_error(path, keyword) and any(
            path[: len(owner)] == owner for owner in wrong_discriminator
        ):
            continue
        if path in wrong_type and keyword != "type":
            continue
        groups.setdefault((path, keyword), []).append(error)
    return groups


def _is_discriminator_error(path: PathT, keyword: str) -> bool:
    return keyword in ("const", "enum") and bool(path) and path[-1] in _DISCRIMINATORS


def _document_order(record: object, path: PathT) -> tuple[int, ...]:
    """Positions along `path` (list index, or a key's place in its object): the order a reader meets them."""
    order = []
    node = record
    for item in path:
        if isinstance(node, dict):
            order.append(next((i for i, key in enumerate(node) if key == item), len(node)))
            node = node.get(item)
        elif isinstance(node, list) and isinstance(item, int) and 0 <= item < len(node):
            order.append(item)
            node = node[item]
        else:
            break
    return tuple(order)


def _sentence(path: PathT, shown: str, keyword: str, errors: list[Any]) -> str:
    error = errors[0]
    value = error.validator_value
    instance = error.instance
    if keyword == "type":
        return f"{shown} must be {_expected_types(value, path, error.schema)}; got {_type_noun(instance)}"
    if keyword == "enum":
        choices = [choice for choice in value if not (path and path[-1] == "role" and choice == "developer")]
        return f"{shown} must be {_one_of(choices)}; got {_show_value(instance)}"
    if keyword == "const":
        return f"{shown} must be {_show_value(value)}; got {_show_value(instance)}"
    if keyword == "required":
        missing = [key for err in errors for key in err.validator_value if key not in err.instance]
        keys = _and_list([f'"{key}"' for key in dict.fromkeys(missing)])
        noun = "key" if len(missing) == 1 else "keys"
        return f"{shown}{_role_note(instance)} is missing required {noun} {keys}"
    if keyword == "minItems":
        if value == 1:
            return f"{shown} must not be empty"
        return f"{shown} must hold at least {value} items; got {len(instance)}"
    if keyword == "maxItems":
        noun = "item" if value == 1 else "items"
        return f"{shown} must hold at most {value} {noun}; got {len(instance)}"
    return f"{shown} does not match the schema ({keyword})"


def _unknown_keys(
    path: PathT, shown: str, instance: Any, schema: dict[str, Any]
) -> list[tuple[Any, Problem]]:
    known = set(schema.get("properties", {}))
    role = instance.get("role") if isinstance(instance, dict) else None
    where = shown if path else "the record"
    found = []
    for key in instance:
        if key in known:
            continue
        if isinstance(role, str) and key in _MESSAGE_KEYS:
            message = f'key "{key}" is not allowed in {where} (a {role} message)'
        else:
            message = f'unknown key "{key}" in {where}'
        found.append((key, Problem(UNKNOWN_KEY, message, _join(shown if path else "", key))))
    return found


def _role_note(instance: Any) -> str:
    role = instance.get("role") if isinstance(instance, dict) else None
    return f" ({role} message)" if isinstance(role, str) else ""


def _expected_types(value: str | list[str], path: PathT, schema: Any) -> str:
    names = [value] if isinstance(value, str) else list(value)
    key = next((item for item in reversed(path) if isinstance(item, str)), "")
    list_noun = _LIST_NOUNS.get(key, "a list")
    items = schema.get("items") if isinstance(schema, dict) else None
    if key == "content" and isinstance(items, dict) and str(items.get("$ref", "")).endswith("/text_part"):
        list_noun = "a list of text parts"  # system, developer and tool content take text parts only
    nouns = [list_noun if name == "array" else _TYPE_NOUNS.get(name, name) for name in names]
    return _or_list(nouns)


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
    if len(shown) <= 2:
        return " or ".join(shown)
    return "one of " + ", ".join(shown)


def _or_list(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def _and_list(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


# ---------------------------------------------------------------------------------------------- paths


def _show_path(path: PathT, renamed: dict[str, str]) -> str:
    """`messages[2].role`, naming the field as the file spells it (an old preference name stays old)."""
    if path and path[0] in renamed:
        path = (renamed[path[0]], *path[1:])
    return _format_path(path) or "record"


def _format_path(path: Iterable[Any]) -> str:
    text = ""
    for item in path:
        text = _join(text, item)
    return text


def _join(base: str, item: Any) -> str:
    if isinstance(item, int):
        return f"{base}[{item}]"
    if isinstance(item, str) and _IDENTIFIER.match(item):
        return f"{base}.{item}" if base else item
    return f"{base}[{json.dumps(str(item), ensure_ascii=False)}]"


def _json_path(shown: str) -> str:
    return "" if shown == "record" else shown


# ---------------------------------------------------------------------------------------------- rules

RULES: tuple[Rule, ...] = (
    Rule(
        code=SCHEMA_VIOLATION,
        name="schema-violation",
        severity=Severity.ERROR,
        summary="The record does not have the shape of its kind's JSON Schema (a wrong type, value or missing key).",
        doc="""A record must match the JSON Schema of its kind (schemas/chat.schema.json, preference.schema.json,
completion.schema.json): required keys present, values of the right type, roles and part types from the
allowed lists, assistant `weight` 0 or 1, tool messages with `tool_call_id`, tool calls with string arguments.
Trainers reject such records, usually after the upload.

Bad:
    {"messages": [{"role": "bot", "content": "Hi"}]}
    {"messages": [{"role": "assistant", "content": "Hi", "weight": 2}]}
    {"messages": [{"role": "tool", "content": "22 C"}]}

Good:
    {"messages": [{"role": "assistant", "content": "Hi", "weight": 0}]}
    {"messages": [{"role": "tool", "tool_call_id": "call_1", "content": "22 C"}]}
""",
    ),
    Rule(
        code=UNKNOWN_KEY,
        name="unknown-key",
        severity=Severity.WARNING,
        summary="A key the schema does not define, or a message key used on a role that does not take it.",
        doc="""The schemas list every key each object may hold. Some providers ignore extra keys, others reject
the file, so an extra key is a warning: remove it, or keep it only if your trainer reads it. `weight` is
allowed on assistant messages only.

Bad:
    {"messages": [{"role": "user", "content": "Hi", "id": 7}], "source": "crm"}
    {"messages": [{"role": "user", "content": "Hi", "weight": 0}]}

Good:
    {"messages": [{"role": "user", "content": "Hi"}]}
""",
    ),
    Rule(
        code=DEPRECATED_FIELD,
        name="deprecated-field",
        severity=Severity.WARNING,
        summary="The record uses `functions` or `function_call`, deprecated in favour of `tools` / `tool_calls`.",
        doc="""`functions` (a top-level list) and `function_call` (on assistant messages) are the deprecated
function-calling format. They still validate, but new models and other providers expect `tools` and
`tool_calls`, answered by `tool` messages.

Bad:
    {"functions": [{"name": "weather"}], "messages": [{"role": "user", "content": "Rome?"},
     {"role": "assistant", "function_call": {"name": "weather", "arguments": "{\\"city\\": \\"Rome\\"}"}}]}

Good:
    {"tools": [{"type": "function", "function": {"name": "weather"}}], "messages": [
     {"role": "user", "content": "Rome?"}, {"role": "assistant", "tool_calls": [{"id": "call_1",
     "type": "function", "function": {"name": "weather", "arguments": "{\\"city\\": \\"Rome\\"}"}}]}]}
""",
    ),
    Rule(
        code=OLD_PREFERENCE_NAMES,
        name="old-preference-field-names",
        severity=Severity.WARNING,
        summary="A preference record names its outputs `*_completion` instead of `*_output`.",
        doc="""One version of the API schema named the preference outputs `preferred_completion` and
`non_preferred_completion`; the documented names are `preferred_output` and `non_preferred_output`.
dataprep checks the record as if it used the canonical names and warns, so rename the fields.

Bad:
    {"input": {"messages": [{"role": "user", "content": "Hi"}]},
     "preferred_completion": [{"role": "assistant", "content": "Hello!"}],
     "non_preferred_completion": [{"role": "assistant", "content": "What?"}]}

Good:
    {"input": {"messages": [{"role": "user", "content": "Hi"}]},
     "preferred_output": [{"role": "assistant", "content": "Hello!"}],
     "non_preferred_output": [{"role": "assistant", "content": "What?"}]}
""",
    ),
)
