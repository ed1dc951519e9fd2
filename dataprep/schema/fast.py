"""A hand-written twin of schemas/*.schema.json that only answers "valid or not", several times faster.

jsonschema walks the schema generically (about as slow as tokenizing), so dataprep.schema asks this module
first and runs jsonschema only on the records it rejects, to word the messages. Every check below mirrors one
constraint of the JSON files, with jsonschema's semantics: "array" is a list, "object" a dict, booleans are
not numbers, and `enum: [0, 1]` accepts 1.0 but not true. tests/test_schema_property.py generates mutated
records and asserts both answers agree; change the schemas and this module together.
"""

from __future__ import annotations

from collections.abc import Callable

from dataprep.types import Kind

_SYSTEM_KEYS = frozenset({"role", "content", "name"})
_USER_KEYS = _SYSTEM_KEYS
_ASSISTANT_KEYS = frozenset({"role", "content", "name", "refusal", "tool_calls", "function_call", "weight"})
_TOOL_KEYS = frozenset({"role", "content", "tool_call_id"})
_FUNCTION_KEYS = frozenset({"role", "name", "content"})
_TEXT_PART_KEYS = frozenset({"type", "text"})
_IMAGE_PART_KEYS = frozenset({"type", "image_url"})
_IMAGE_URL_KEYS = frozenset({"url", "detail"})
_REFUSAL_PART_KEYS = frozenset({"type", "refusal"})
_DETAILS = frozenset({"low", "high", "auto"})
_CALL_KEYS = frozenset({"id", "type", "function"})
_CALLED_FUNCTION_KEYS = frozenset({"name", "arguments"})
_TOOL_DEF_KEYS = frozenset({"type", "function"})
_TOOL_FUNCTION_KEYS = frozenset({"name", "description", "parameters", "strict"})
_LEGACY_FUNCTION_KEYS = frozenset({"name", "description", "parameters"})
_CHAT_KEYS = frozenset({"messages", "tools", "parallel_tool_calls", "functions"})
_INPUT_KEYS = frozenset({"messages", "tools", "parallel_tool_calls"})
_PREFERENCE_KEYS = frozenset({"input", "preferred_output", "non_preferred_output"})
_COMPLETION_KEYS = frozenset({"prompt", "completion"})


def _is_zero_or_one(value: object) -> bool:
    # jsonschema's enum equality: 1.0 equals 1, but True does not.
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    return value == 0 or value == 1


def _text_part_ok(part: object) -> bool:
    return (
        isinstance(part, dict)
        and part.keys() <= _TEXT_PART_KEYS
        and part.get("type") == "text"
        and isinstance(part.get("text"), str)
    )


def _text_content_ok(content: object) -> bool:
    if isinstance(content, str):
        return True
    if isinstance(content, list):
        return all(_text_part_ok(part) for part in content)
    return False


def _image_part_ok(part: dict[str, object]) -> bool:
    if not part.keys() <= _IMAGE_PART_KEYS:
        return False
    image = part.get("image_url")
    if not isinstance(image, dict) or not image.keys() <= _IMAGE_URL_KEYS:
        return False
    if not isinstance(image.get("url"), str):
        return False
    detail = image.get("detail", "auto")
    return isinstance(detail, str) and detail in _DETAILS


def _user_part_ok(part: object) -> bool:
    if not isinstance(part, dict):
        return False
    kind = part.get("type")
    if kind == "text":
        return _text_part_ok(part)
    if kind == "image_url":
        return _image_part_ok(part)
    return False


def _assistant_part_ok(part: object) -> bool:
    if not isinstance(part, dict):
        return False
    kind = part.get("type")
    if kind == "text":
        return _text_part_ok(part)
    if kind == "refusal":
        return part.keys() <= _REFUSAL_PART_KEYS and isinstance(part.get("refusal"), str)
    if kind == "image_url":  # valid shape; images in assistant messages are a structure rule (DP214)
        return _image_part_ok(part)
    return False


def _assistant_parts_ok(content: object) -> bool:
    return isinstance(content, list) and all(_assistant_part_ok(part) for part in content)


def _name_ok(message: dict[str, object]) -> bool:
    return "name" not in message or isinstance(message["name"], str)


def _system_ok(message: dict[str, object]) -> bool:
    return (
        message.keys() <= _SYSTEM_KEYS
        and "content" in message
        and _text_content_ok(message["content"])
        and _name_ok(message)
    )


def _user_ok(message: dict[str, object]) -> bool:
    if not message.keys() <= _USER_KEYS or "content" not in message or not _name_ok(message):
        return False
    content = message["content"]
    if isinstance(content, str):
        return True
    return isinstance(content, list) and all(_user_part_ok(part) for part in content)


def _tool_call_ok(call: object) -> bool:
    if not isinstance(call, dict) or not call.keys() <= _CALL_KEYS:
        return False
    if call.get("type") != "function" or not isinstance(call.get("id"), str):
        return False
    function = call.get("function")
    return (
        isinstance(function, dict)
        and function.keys() <= _CALLED_FUNCTION_KEYS
        and isinstance(function.get("name"), str)
        and isinstance(function.get("arguments"), str)
    )


def _assistant_ok(message: dict[str, object]) -> bool:
    if not message.keys() <= _ASSISTANT_KEYS or not _name_ok(message):
        return False
    if "content" in message:
        content = message["content"]
        if content is not None and not isinstance(content, str) and not _assistant_parts_ok(content):
            return False
    if "refusal" in message:
        refusal = message["refusal"]
        if refusal is not None and not isinstance(refusal, str):
            return False
    if "tool_calls" in message:
        calls = message["tool_calls"]
        if not isinstance(calls, list) or not all(_tool_call_ok(call) for call in calls):
            return False
    if "function_call" in message:
        call = message["function_call"]
        if not (
            isinstance(call, dict)
            and call.keys() <= _CALLED_FUNCTION_KEYS
            and isinstance(call.get("name"), str)
            and isinstance(call.get("arguments"), str)
        ):
            return False
    return "weight" not in message or _is_zero_or_one(message["weight"])


def _tool_ok(message: dict[str, object]) -> bool:
    return (
        message.keys() <= _TOOL_KEYS
        and "content" in message
        and _text_content_ok(message["content"])
        and isinstance(message.get("tool_call_id"), str)
    )


def _function_ok(message: dict[str, object]) -> bool:
    if not message.keys() <= _FUNCTION_KEYS or not isinstance(message.get("name"), str):
        return False
    if "content" not in message:
        return False
    content = message["content"]
    return content is None or isinstance(content, str)


_BY_ROLE: dict[str, Callable[[dict[str, object]], bool]] = {
    "system": _system_ok,
    "developer": _system_ok,
    "user": _user_ok,
    "assistant": _assistant_ok,
    "tool": _tool_ok,
    "function": _function_ok,
}


def _message_ok(message: object) -> bool:
    if not isinstance(message, dict):
        return False
    role = message.get("role")
    if not isinstance(role, str):
        return False
    check = _BY_ROLE.get(role)
    return check is not None and check(message)


def message_is_valid(message: object) -> bool:
    """True exactly when jsonschema finds no error in one message against `#/$defs/message`."""
    return _message_ok(message)


# Roles whose message is valid when it holds exactly a role and a text content, whatever the text.
_PLAIN_TEXT_ROLES = frozenset({"system", "developer", "user", "assistant"})


def _messages_ok(messages: object) -> bool:
    if not isinstance(messages, list) or not messages:
        return False
    for message in messages:
        # Most messages are {"role": ..., "content": "text"}: a few lookups decide them, not the role's check.
        if isinstance(message, dict) and len(message) == 2 and isinstance(message.get("content"), str):
            role = message.get("role")
            if isinstance(role, str) and role in _PLAIN_TEXT_ROLES:
                continue
        if not _message_ok(message):
            return False
    return True


def _tool_def_ok(tool: object) -> bool:
    if not isinstance(tool, dict) or not tool.keys() <= _TOOL_DEF_KEYS or tool.get("type") != "function":
        return False
    function = tool.get("function")
    if not isinstance(function, dict) or not function.keys() <= _TOOL_FUNCTION_KEYS:
        return False
    return (
        isinstance(function.get("name"), str)
        and ("description" not in function or isinstance(function["description"], str))
        and ("parameters" not in function or isinstance(function["parameters"], dict))
        and ("strict" not in function or isinstance(function["strict"], bool))
    )


def _legacy_function_ok(function: object) -> bool:
    return (
        isinstance(function, dict)
        and function.keys() <= _LEGACY_FUNCTION_KEYS
        and isinstance(function.get("name"), str)
        and ("description" not in function or isinstance(function["description"], str))
        and ("parameters" not in function or isinstance(function["parameters"], dict))
    )


def _tools_and_flag_ok(record: dict[str, object]) -> bool:
    if "tools" in record:
        tools = record["tools"]
        if not isinstance(tools, list) or not all(_tool_def_ok(tool) for tool in tools):
            return False
    return "parallel_tool_calls" not in record or isinstance(record["parallel_tool_calls"], bool)


def chat_is_valid(record: object) -> bool:
    if not isinstance(record, dict) or not record.keys() <= _CHAT_KEYS:
        return False
    if not _messages_ok(record.get("messages")) or not _tools_and_flag_ok(record):
        return False
    if "functions" in record:
        functions = record["functions"]
        if not isinstance(functions, list) or not 1 <= len(functions) <= 128:
            return False
        return all(_legacy_function_ok(function) for function in functions)
    return True


def _output_ok(output: object) -> bool:
    if not isinstance(output, list) or len(output) != 1:
        return False
    message = output[0]
    return isinstance(message, dict) and message.get("role") == "assistant" and _assistant_ok(message)


def preference_is_valid(record: object) -> bool:
    if not isinstance(record, dict) or not record.keys() <= _PREFERENCE_KEYS:
        return False
    prompt = record.get("input")
    if not isinstance(prompt, dict) or not prompt.keys() <= _INPUT_KEYS:
        return False
    if not _messages_ok(prompt.get("messages")) or not _tools_and_flag_ok(prompt):
        return False
    return _output_ok(record.get("preferred_output")) and _output_ok(record.get("non_preferred_output"))


def completion_is_valid(record: object) -> bool:
    return (
        isinstance(record, dict)
        and record.keys() <= _COMPLETION_KEYS
        and isinstance(record.get("prompt"), str)
        and isinstance(record.get("completion"), str)
    )


_BY_KIND: dict[Kind, Callable[[object], bool]] = {
    Kind.CHAT: chat_is_valid,
    Kind.PREFERENCE: preference_is_valid,
    Kind.COMPLETION: completion_is_valid,
}


def fast_is_valid(record: object, kind: Kind) -> bool:
    """True exactly when jsonschema finds no error in `record` against the schema of `kind`."""
    return _BY_KIND[kind](record)
