"""DP1xx: the record's shape against its kind's JSON Schema. The checking is dataprep.schema's; this module
names what it finds."""

from __future__ import annotations

from typing import Any

from dataprep.rules.base import RecordContext, Rule, jsonl
from dataprep.schema import checks
from dataprep.types import Kind, Problem, Severity

_CODES = {
    checks.SCHEMA_VIOLATION: "DP101",
    checks.UNKNOWN_KEY: "DP102",
    checks.DEPRECATED_FIELD: "DP103",
    checks.OLD_PREFERENCE_NAMES: "DP104",
}


def schema_problems(record: object, kind: Kind | str) -> list[Problem]:
    """Schema problems of one record (any JSON value) read as `kind`, with their rule codes. Never raises."""
    found = checks.check_record(record, kind)
    if not found:
        return found
    return [Problem(_CODES[p.code], p.message, p.json_path, p.col) for p in found]


def check_schema(record: dict[str, Any], ctx: RecordContext) -> list[Problem]:
    return schema_problems(record, ctx.kind)


def _user(text: str = "Hi") -> dict[str, Any]:
    return {"role": "user", "content": text}


def _assistant(text: str = "Hello!", **extra: Any) -> dict[str, Any]:
    return {"role": "assistant", "content": text, **extra}


RULES: tuple[Rule, ...] = (
    Rule(
        code="DP101",
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
        check=check_schema,
        bad=jsonl(
            {"messages": [{"role": "bot", "content": "Hi"}]},
            {"messages": [_user(), _assistant(weight=2)]},
            {"messages": [_user(), {"role": "tool", "content": "22 C"}, _assistant()]},
        ),
        good=jsonl({"messages": [_user(), _assistant(weight=0), _user(), _assistant()]}),
    ),
    Rule(
        code="DP102",
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
        check=check_schema,
        bad=jsonl(
            {"messages": [{"role": "user", "content": "Hi", "id": 7}, _assistant()], "source": "crm"},
            {"messages": [{"role": "user", "content": "Hi", "weight": 0}, _assistant()]},
        ),
        good=jsonl({"messages": [_user(), _assistant()]}),
    ),
    Rule(
        code="DP103",
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
        check=check_schema,
        bad=jsonl(
            {
                "functions": [{"name": "weather"}],
                "messages": [
                    _user("Rome?"),
                    {
                        "role": "assistant",
                        "function_call": {"name": "weather", "arguments": '{"city": "Rome"}'},
                    },
                ],
            }
        ),
        good=jsonl(
            {
                "tools": [{"type": "function", "function": {"name": "weather"}}],
                "messages": [
                    _user("Rome?"),
                    {
                        "role": "assistant",
                        "tool_calls": [
                            {
                                "id": "call_1",
                                "type": "function",
                                "function": {"name": "weather", "arguments": '{"city": "Rome"}'},
                            }
                        ],
                    },
                ],
            }
        ),
    ),
    Rule(
        code="DP104",
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
        check=check_schema,
        bad=jsonl(
            {
                "input": {"messages": [_user()]},
                "preferred_completion": [_assistant()],
                "non_preferred_completion": [_assistant("What?")],
            }
        ),
        good=jsonl(
            {
                "input": {"messages": [_user()]},
                "preferred_output": [_assistant()],
                "non_preferred_output": [_assistant("What?")],
            }
        ),
    ),
)
