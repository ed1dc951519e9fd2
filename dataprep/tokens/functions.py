"""Tokens of function definitions and function calls: an estimate, by the recipe OpenAI publishes.

Definitions (`tools`, legacy `functions`) follow the functions section of OpenAI's cookbook "How to count tokens
with tiktoken" (`num_tokens_for_tools`): per function FUNC_INIT plus the tokens of "name:description" (one final
period dropped); when it has properties PROP_INIT, and per property PROP_KEY plus the tokens of
"name:type:description", and for an enum ENUM_INIT plus, per item, ENUM_ITEM and the item's tokens; FUNC_END once
when any function is defined. FUNC_INIT is 7 for the gpt-4o family (o200k_base) and 10 for gpt-3.5-turbo/gpt-4
(cl100k_base). The recipe does not look inside nested parameters; neither does this.

Calls (`tool_calls`, `function_call`) are not covered by the recipe: a call is estimated as the tokens of its
function name and of its `arguments` text (what the model emits) plus CALL_OVERHEAD, dataprep's own allowance
for the delimiters around a call. The call id and `"type": "function"` are bookkeeping the model never emits.
Everything here never raises on any JSON value.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

Count = Callable[[str], int]  # a string's token count

FUNC_INIT = {"o200k_base": 7, "cl100k_base": 10}
FUNC_INIT_DEFAULT = 7
PROP_INIT = 3
PROP_KEY = 3
ENUM_INIT = -3
ENUM_ITEM = 3
FUNC_END = 12
CALL_OVERHEAD = 3  # dataprep's estimate per call; not part of the published recipe


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    try:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    except (ValueError, TypeError, RecursionError):
        return ""


def _without_period(text: str) -> str:
    return text[:-1] if text.endswith(".") else text


def definitions_tokens(definitions: Any, count: Count, encoding_name: str) -> int:
    """Tokens of a record's `tools` or `functions` list by the cookbook recipe (0 for an empty list)."""
    if not isinstance(definitions, list):
        return 0 if definitions is None else count(_text(definitions))
    if not definitions:
        return 0
    func_init = FUNC_INIT.get(encoding_name, FUNC_INIT_DEFAULT)
    total = 0
    for item in definitions:
        function = item.get("function") if isinstance(item, dict) and "function" in item else item
        if not isinstance(function, dict):
            total += count(_text(function))  # not a definition: its text, so nothing is hidden
            continue
        total += func_init
        line = f"{_text(function.get('name'))}:{_without_period(_text(function.get('description')))}"
        total += count(line)
        parameters = function.get("parameters")
        properties = parameters.get("properties") if isinstance(parameters, dict) else None
        if isinstance(properties, dict) and properties:
            total += PROP_INIT
            for key, spec in properties.items():
                total += PROP_KEY
                spec = spec if isinstance(spec, dict) else {}
                p_type = _text(spec.get("type"))
                p_desc = _without_period(_text(spec.get("description")))
                total += count(f"{key}:{p_type}:{p_desc}")
                enum = spec.get("enum")
                if isinstance(enum, list):
                    total += ENUM_INIT
                    for value in enum:
                        total += ENUM_ITEM + count(_text(value))
    return total + FUNC_END


def call_tokens(call: Any, count: Count) -> int:
    """Tokens of one call object (`{"name", "arguments"}`), or of a tool call wrapping one."""
    if not isinstance(call, dict):
        return 0 if call is None else count(_text(call))
    function = call.get("function") if "function" in call else call
    if not isinstance(function, dict):
        return CALL_OVERHEAD + count(_text(function))
    return CALL_OVERHEAD + count(_text(function.get("name"))) + count(_text(function.get("arguments")))


def calls_tokens(calls: Any, count: Count) -> int:
    """Tokens of a message's `tool_calls` list."""
    if not isinstance(calls, list):
        return call_tokens(calls, count)
    return sum(call_tokens(call, count) for call in calls)
