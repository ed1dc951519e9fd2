"""DP216-DP220: tool calls checked against the functions the record defines (`tools`, or legacy `functions`).

The model learns to emit exactly the calls in the data, so a call the record's tools cannot receive teaches a
broken call. Arguments that are not valid JSON text are DP209 (structure); these rules look at arguments that
parse. Only the declared top-level parameters are checked (required, and the JSON type when one is declared):
nested schemas, `anyOf` and formats are left alone, so nothing here is a guess.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import orjson

from dataprep.rules.base import RecordContext, Rule, jsonl
from dataprep.types import Kind, Problem, Severity

# JSON Schema type name -> does this decoded JSON value have it? (bool is not a number in JSON Schema)
_JSON_TYPES: dict[str, Any] = {
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: (
        (isinstance(v, int) and not isinstance(v, bool)) or (isinstance(v, float) and v.is_integer())
    ),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
    "null": lambda v: v is None,
}


def check_tool_arguments(record: dict[str, Any], ctx: RecordContext) -> list[Problem]:
    """Problems of every tool call of a chat or preference record, against the functions it defines."""
    if ctx.kind is Kind.CHAT:
        source: Any = record
        base = "messages"
    elif ctx.kind is Kind.PREFERENCE:
        source = record.get("input")
        base = "input.messages"
    else:
        return []
    if not isinstance(source, dict):
        return []
    messages = source.get("messages")
    if not isinstance(messages, list):
        return []
    out: list[Problem] = []
    declared: dict[str, Any] | None = None
    looked = False  # the functions are read once, at the first call: most records make none
    for index, message in enumerate(messages):
        if not isinstance(message, dict) or ("tool_calls" not in message and "function_call" not in message):
            continue  # the common case: a plain message, no path or generator built for it
        if message.get("role") != "assistant":
            continue
        if not looked:
            declared, looked = declared_functions(source), True
        for name, arguments, path in _calls(message, f"{base}[{index}]"):
            _check_call(out, declared, name, arguments, path)
    return out


def declared_functions(source: dict[str, Any]) -> dict[str, Any] | None:
    """Function name -> its `parameters` schema (None when it declares none), from `tools` and `functions`.
    None when the record defines no functions at all: then there is nothing to check calls against."""
    found: dict[str, Any] = {}
    defined = False
    tools = source.get("tools")
    if isinstance(tools, list):
        defined = True
        for tool in tools:
            function = tool.get("function") if isinstance(tool, dict) else None
            if isinstance(function, dict) and isinstance(function.get("name"), str):
                found[function["name"]] = function.get("parameters")
    functions = source.get("functions")
    if isinstance(functions, list):
        defined = True
        for function in functions:
            if isinstance(function, dict) and isinstance(function.get("name"), str):
                found[function["name"]] = function.get("parameters")
    return found if defined else None


def _calls(message: dict[str, Any], path: str) -> Iterator[tuple[Any, Any, str]]:
    """(name, arguments, path of the function object) of each call in an assistant message."""
    calls = message.get("tool_calls")
    if isinstance(calls, list):
        for i, call in enumerate(calls):
            function = call.get("function") if isinstance(call, dict) else None
            if isinstance(function, dict):
                yield function.get("name"), function.get("arguments"), f"{path}.tool_calls[{i}].function"
    function_call = message.get("function_call")
    if isinstance(function_call, dict):
        yield function_call.get("name"), function_call.get("arguments"), f"{path}.function_call"


def _check_call(
    out: list[Problem], declared: dict[str, Any] | None, name: Any, arguments: Any, path: str
) -> None:
    shown = name if isinstance(name, str) else "?"
    if declared is not None and isinstance(name, str) and name not in declared:
        known = ", ".join(sorted(declared)) or "none"
        out.append(
            Problem(
                "DP216",
                f"call to {name!r}, which this record's tools do not define (defined: {known})",
                f"{path}.name",
            )
        )
        return
    if not isinstance(arguments, str):
        return  # a missing or non-string arguments value is the schema's to report (DP101)
    try:
        value = orjson.loads(arguments)
    except orjson.JSONDecodeError:
        return  # DP209
    where = f"{path}.arguments"
    if isinstance(value, str) and _holds_json(value):
        out.append(
            Problem(
                "DP218",
                f"arguments of {shown!r} are double-encoded: a JSON string holding JSON text, "
                "where a JSON object is expected",
                where,
            )
        )
        return
    if not isinstance(value, dict):
        out.append(
            Problem(
                "DP217",
                f"arguments of {shown!r} are a JSON {_json_type(value)}, not a JSON object",
                where,
            )
        )
        return
    schema = declared.get(name) if declared is not None and isinstance(name, str) else None
    if isinstance(schema, dict):
        _check_parameters(out, shown, value, schema, where)


def _holds_json(text: str) -> bool:
    stripped = text.strip()
    if not stripped.startswith(("{", "[")):
        return False
    try:
        orjson.loads(stripped)
    except orjson.JSONDecodeError:
        return False
    return True


def _check_parameters(
    out: list[Problem], name: str, value: dict[str, Any], schema: dict[str, Any], where: str
) -> None:
    required = schema.get("required")
    if isinstance(required, list):
        for parameter in required:
            if isinstance(parameter, str) and parameter not in value:
                out.append(
                    Problem("DP219", f"call to {name!r} misses the required parameter {parameter!r}", where)
                )
    properties = schema.get("properties")
    if not isinstance(properties, dict):
        return
    for parameter, given in value.items():
        spec = properties.get(parameter)
        expected = spec.get("type") if isinstance(spec, dict) else None
        names = [expected] if isinstance(expected, str) else expected if isinstance(expected, list) else None
        if not names or not all(isinstance(n, str) and n in _JSON_TYPES for n in names):
            continue  # no type declared, or one this check does not know: nothing to compare
        if not any(_JSON_TYPES[n](given) for n in names):
            wanted = " or ".join(names)
            out.append(
                Problem(
                    "DP220",
                    f"call to {name!r}: parameter {parameter!r} is a JSON {_json_type(given)}, declared {wanted}",
                    where,
                )
            )


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


# ------------------------------------------------------------------------------------------ rules and examples

_WEATHER = {
    "type": "function",
    "function": {
        "name": "get_current_weather",
        "description": "Get the current weather",
        "parameters": {
            "type": "object",
            "properties": {
                "location": {"type": "string", "description": "The city and country, eg. San Francisco, USA"},
                "days": {"type": "integer"},
            },
            "required": ["location"],
        },
    },
}


def _example(arguments: str, name: str = "get_current_weather", *, legacy: bool = False) -> dict[str, Any]:
    user = {"role": "user", "content": "What is the weather in Oslo?"}
    if legacy:
        call = {"role": "assistant", "function_call": {"name": name, "arguments": arguments}}
        return {"messages": [user, call], "functions": [_WEATHER["function"]]}
    tool_call = {"id": "call_1", "type": "function", "function": {"name": name, "arguments": arguments}}
    return {"messages": [user, {"role": "assistant", "tool_calls": [tool_call]}], "tools": [_WEATHER]}


_GOOD = _example('{"location": "Oslo, Norway", "days": 2}')
E, W = Severity.ERROR, Severity.WARNING

RULES: tuple[Rule, ...] = (
    Rule(
        "DP216",
        "unknown-tool",
        E,
        "tool call to a function the record's tools do not define",
        "The model learns to call only the functions the example offers; a call to any other name teaches\n"
        "calls no deployment can serve (often a renamed tool or a typo). Checked when the record has `tools`\n"
        "or `functions`.\n"
        'Bad:  "tools": [{... "name": "get_current_weather"}], a call to "get_weather"\n'
        'Good: "tools": [{... "name": "get_current_weather"}], a call to "get_current_weather"',
        check=check_tool_arguments,
        bad=jsonl(_example('{"location": "Oslo"}', "get_weather"), _example("{}", "lookup", legacy=True)),
        good=jsonl(_GOOD, _example('{"location": "Oslo"}', legacy=True)),
    ),
    Rule(
        "DP217",
        "arguments-not-object",
        E,
        "tool call arguments that are JSON but not a JSON object",
        "Function arguments are a JSON object of named parameters; an array, number or plain string is a\n"
        "call no function can receive.\n"
        'Bad:  "arguments": "[\\"Oslo\\"]"\n'
        'Good: "arguments": "{\\"location\\": \\"Oslo\\"}"',
        check=check_tool_arguments,
        bad=jsonl(_example('["Oslo"]'), _example('"Oslo"')),
        good=jsonl(_GOOD),
    ),
    Rule(
        "DP218",
        "arguments-double-encoded",
        E,
        "tool call arguments that are a JSON string holding JSON (double-encoded)",
        "A JSON string whose text is JSON is the mark of serialising arguments twice. The model learns to emit\n"
        "the escaped form, which tools receive as one string instead of parameters.\n"
        'Bad:  "arguments": "\\"{\\\\\\"location\\\\\\": \\\\\\"Oslo\\\\\\"}\\""\n'
        'Good: "arguments": "{\\"location\\": \\"Oslo\\"}"',
        check=check_tool_arguments,
        bad=jsonl(_example('"{\\"location\\": \\"Oslo\\"}"')),
        good=jsonl(_GOOD, _example('{"location": "{not json}"}')),
    ),
    Rule(
        "DP219",
        "missing-required-argument",
        E,
        "tool call without a parameter its function marks required",
        "The function's `parameters.required` lists what every call must give; a call without it fails\n"
        "(strict mode rejects it) and the model learns to leave it out.\n"
        'Bad:  "required": ["location"], "arguments": "{\\"days\\": 2}"\n'
        'Good: "required": ["location"], "arguments": "{\\"location\\": \\"Oslo\\"}"',
        check=check_tool_arguments,
        bad=jsonl(_example('{"days": 2}')),
        good=jsonl(_GOOD),
    ),
    Rule(
        "DP220",
        "argument-type-mismatch",
        W,
        "tool call parameter of another JSON type than its function declares",
        "A declared parameter given as another JSON type (a number as a string, a list as text). Many tools\n"
        "coerce such values, so this is a warning; the model still learns the wrong type. Only top-level\n"
        "parameters with a plain `type` are compared (an integral float counts as an integer).\n"
        'Bad:  "days": {"type": "integer"}, "arguments": "{\\"location\\": \\"Oslo\\", \\"days\\": \\"2\\"}"\n'
        'Good: "days": {"type": "integer"}, "arguments": "{\\"location\\": \\"Oslo\\", \\"days\\": 2}"',
        check=check_tool_arguments,
        bad=jsonl(_example('{"location": "Oslo", "days": "2"}'), _example('{"location": null}')),
        good=jsonl(_GOOD, _example('{"location": "Oslo", "days": 2.0, "extra": [1]}')),
    ),
)
