"""Vertex AI Gemini supervised tuning records: `contents` of `user`/`model` turns made of `parts`, an optional
`systemInstruction` (`system_instruction` in the function-calling examples) and `tools` of
`functionDeclarations`.

Sources: cloud.google.com/vertex-ai/generative-ai/docs/models/gemini-supervised-tuning-prepare (the dataset
example: parts are `text` or `fileData {mimeType, fileUri}`; the systemInstruction role is ignored) and
.../tune-function-calling (`functionCall {name, args}` in model turns, `functionResponse {name, response}`,
`tools: [{functionDeclarations: [...]}]`), read 2026-12-02. Media are Cloud Storage URIs, not inline data.
"""

from __future__ import annotations

import mimetypes
from typing import Any

from dataprep.formats.base import (
    INEXPRESSIBLE,
    Native,
    NativeFormat,
    PathT,
    Refusal,
    Written,
    chat_content,
    content_pieces,
    dump_json,
    only_keys,
    parse_arguments,
    require_dict,
    require_list,
    require_str,
    show,
    tool_call_note,
    weight_note,
)

WHO = "Vertex AI tuning"
_PART_KEYS = {"text", "fileData", "functionCall", "functionResponse"}
_SYSTEM_KEYS = ("systemInstruction", "system_instruction")


def detect(record: dict[str, Any]) -> bool:
    return isinstance(record.get("contents"), list)


# -- reading ---------------------------------------------------------------------------------------------------


def to_chat(record: dict[str, Any]) -> Native:
    out = Native({"messages": []})
    messages: list[dict[str, Any]] = out.record["messages"]
    if all(key in record for key in _SYSTEM_KEYS):
        raise Refusal(("system_instruction",), "systemInstruction is given twice (in both spellings)")
    for key in _SYSTEM_KEYS:
        if key in record:
            system = require_dict(record[key], (key,), key)
            only_keys(system, {"role", "parts"}, (key,), key)
            texts = [
                _text_part(p, (key, "parts", i))
                for i, p in enumerate(require_list(system.get("parts"), (key, "parts"), "parts"))
            ]
            out.origins[f"messages[{len(messages)}]"] = key
            out.origins[f"messages[{len(messages)}].content"] = (
                f"{key}.parts" if len(texts) > 1 else f"{key}.parts[0].text"
            )
            messages.append({"role": "system", "content": chat_content([("text", t) for t in texts])})
    pending: list[tuple[str, str]] = []  # (call id, function name) not answered yet, in order
    calls = 0
    contents = require_list(record.get("contents"), ("contents",), "contents")
    for j, turn in enumerate(contents):
        path: PathT = ("contents", j)
        turn = require_dict(turn, path, "a content")
        only_keys(turn, {"role", "parts"}, path, "a content")
        role = turn.get("role")
        if role not in ("user", "model"):
            raise Refusal((*path, "role"), f"role must be 'user' or 'model', not {role!r}")
        parts = require_list(turn.get("parts"), (*path, "parts"), "parts")
        pieces: list[tuple[str, str]] = []
        tool_calls: list[dict[str, Any]] = []
        for k, part in enumerate(parts):
            ppath = (*path, "parts", k)
            part = require_dict(part, ppath, "a part")
            only_keys(part, _PART_KEYS, ppath, "a part")
            if len(part) != 1:
                raise Refusal(
                    ppath, "a part holds exactly one of text, fileData, functionCall, functionResponse"
                )
            ((kind, value),) = part.items()
            if kind == "text":
                pieces.append(("text", require_str(value, (*ppath, "text"), "text")))
            elif kind == "fileData":
                if role != "user":
                    raise Refusal((*ppath, kind), "files belong in user turns", INEXPRESSIBLE)
                pieces.append(("image", _file_uri(value, (*ppath, kind))))
            elif kind == "functionCall":
                if role != "model":
                    raise Refusal((*ppath, kind), "functionCall belongs in a model turn")
                call = require_dict(value, (*ppath, kind), "functionCall")
                only_keys(call, {"name", "args"}, (*ppath, kind), "functionCall")
                name = require_str(call.get("name"), (*ppath, kind, "name"), "name")
                args = require_dict(call.get("args", {}), (*ppath, kind, "args"), "args")
                calls += 1
                out.origins[f"messages[{len(messages)}].tool_calls[{len(tool_calls)}]"] = show((*ppath, kind))
                out.origins.setdefault(f"messages[{len(messages)}].tool_calls", show((*ppath, kind)))
                tool_calls.append(_call(f"call_{calls}", name, args))
                pending.append((f"call_{calls}", name))
            else:
                if role != "user":
                    raise Refusal((*ppath, kind), "functionResponse belongs in a user turn")
                at = f"messages[{len(messages)}]"
                out.origins[at] = out.origins[f"{at}.role"] = show((*ppath, kind))
                messages.append(_tool_result(value, (*ppath, kind), pending))
        if pieces or tool_calls or not parts:
            message: dict[str, Any] = {"role": "assistant" if role == "model" else "user"}
            content = chat_content(pieces)  # calls alone: content null, as OpenAI writes it
            message["content"] = content if content is not None or tool_calls else ""
            if tool_calls:
                message["tool_calls"] = tool_calls
            out.origins[f"messages[{len(messages)}]"] = show(path)
            if len(pieces) == 1 and pieces[0][0] == "text":
                out.origins[f"messages[{len(messages)}].content"] = show(
                    (*path, "parts", _first_text(parts), "text")
                )
            elif pieces:
                out.origins[f"messages[{len(messages)}].content"] = show((*path, "parts"))
            messages.append(message)
    if "tools" in record:
        out.record["tools"] = _read_tools(record["tools"])
        out.origins["tools"] = "tools"
    for key, value in record.items():
        if key not in ("contents", "tools", *_SYSTEM_KEYS):
            out.record[key] = value  # extra fields (an id, a source) travel with the record
    return out


def _first_text(parts: list[Any]) -> int:
    return next(i for i, p in enumerate(parts) if isinstance(p, dict) and "text" in p)


def _text_part(part: Any, path: PathT) -> str:
    part = require_dict(part, path, "a part")
    if set(part) != {"text"}:
        raise Refusal(path, "a system instruction part holds text only")
    return require_str(part["text"], (*path, "text"), "text")


def _file_uri(value: Any, path: PathT) -> str:
    data = require_dict(value, path, "fileData")
    only_keys(data, {"mimeType", "fileUri"}, path, "fileData")
    mime = require_str(data.get("mimeType"), (*path, "mimeType"), "mimeType")
    uri = require_str(data.get("fileUri"), (*path, "fileUri"), "fileUri")
    if not mime.startswith("image/"):
        raise Refusal(
            path, f"a {mime} file has no chat equivalent (chat records hold text and images)", INEXPRESSIBLE
        )
    if mimetypes.guess_type(uri)[0] != mime:
        raise Refusal(
            (*path, "mimeType"),
            f"{mime} cannot be told from the URI's extension; chat keeps the URL only",
            INEXPRESSIBLE,
        )
    return uri


def _call(call_id: str, name: str, args: dict[str, Any]) -> dict[str, Any]:
    return {"id": call_id, "type": "function", "function": {"name": name, "arguments": dump_json(args)}}


def _tool_result(value: Any, path: PathT, pending: list[tuple[str, str]]) -> dict[str, Any]:
    data = require_dict(value, path, "functionResponse")
    only_keys(data, {"name", "response"}, path, "functionResponse")
    name = require_str(data.get("name"), (*path, "name"), "name")
    response = require_dict(data.get("response"), (*path, "response"), "response")
    index = next((i for i, (_, called) in enumerate(pending) if called == name), None)
    if index is None:
        raise Refusal((*path, "name"), f"functionResponse for {name!r} answers no functionCall before it")
    call_id = pending.pop(index)[0]
    if set(response) == {"content"} and isinstance(response["content"], str):
        content = response["content"]
    else:
        content = dump_json(response)
    return {"role": "tool", "tool_call_id": call_id, "content": content}


def _read_tools(value: Any) -> list[dict[str, Any]]:
    tools = []
    for i, tool in enumerate(require_list(value, ("tools",), "tools")):
        tool = require_dict(tool, ("tools", i), "a tool")
        if set(tool) != {"functionDeclarations"}:
            raise Refusal(("tools", i), "only functionDeclarations have a chat equivalent", INEXPRESSIBLE)
        for k, declaration in enumerate(
            require_list(
                tool["functionDeclarations"], ("tools", i, "functionDeclarations"), "functionDeclarations"
            )
        ):
            declaration = require_dict(
                declaration, ("tools", i, "functionDeclarations", k), "a function declaration"
            )
            require_str(declaration.get("name"), ("tools", i, "functionDeclarations", k, "name"), "name")
            tools.append({"type": "function", "function": declaration})
    return tools


# -- writing ---------------------------------------------------------------------------------------------------


def from_chat(record: dict[str, Any]) -> Written:
    if "input" in record or "preferred_output" in record:
        raise Refusal((), f"{WHO} takes chat records, not preference pairs", INEXPRESSIBLE)
    out = Written({})
    messages = require_list(record.get("messages"), ("messages",), "messages")
    contents: list[dict[str, Any]] = []
    names: dict[str, str] = {}  # call id -> function name, for the functionResponse that answers it
    calls = 0
    for i, message in enumerate(messages):
        path: PathT = ("messages", i)
        message = require_dict(message, path, "a message")
        role = message.get("role")
        if "name" in message:
            raise Refusal((*path, "name"), f"{WHO} has no message names", INEXPRESSIBLE)
        if role == "system":
            if i != 0:
                raise Refusal(
                    (*path, "role"),
                    f"{WHO} takes one system instruction, before the conversation",
                    INEXPRESSIBLE,
                )
            only_keys(message, {"role", "content"}, path, "a system message")
            pieces = content_pieces(message.get("content"), (*path, "content"))
            if any(kind != "text" for kind, _ in pieces):
                raise Refusal((*path, "content"), "a system instruction holds text only", INEXPRESSIBLE)
            out.record["systemInstruction"] = {"parts": [{"text": text} for _, text in pieces]}
        elif role == "user":
            only_keys(message, {"role", "content"}, path, "a user message")
            contents.append(
                {
                    "role": "user",
                    "parts": [
                        _part(kind, value, (*path, "content"))
                        for kind, value in content_pieces(message.get("content"), (*path, "content"))
                    ],
                }
            )
        elif role == "assistant":
            only_keys(message, {"role", "content", "tool_calls", "weight"}, path, "an assistant message")
            weight_note(message, path, WHO, out.notes)
            pieces = content_pieces(message.get("content"), (*path, "content"))
            if any(kind != "text" for kind, _ in pieces):
                raise Refusal(
                    (*path, "content"), "model turns hold text and function calls only", INEXPRESSIBLE
                )
            parts: list[dict[str, Any]] = [{"text": text} for _, text in pieces]
            tool_calls = require_list(
                message.get("tool_calls", []), (*path, "tool_calls"), "tool_calls", empty=True
            )
            tool_call_note(tool_calls, calls + 1, out.notes, WHO)
            for k, call in enumerate(tool_calls):
                cpath = (*path, "tool_calls", k)
                call = require_dict(call, cpath, "a tool call")
                function = require_dict(call.get("function"), (*cpath, "function"), "function")
                name = require_str(function.get("name"), (*cpath, "function", "name"), "name")
                args = parse_arguments(function.get("arguments"), (*cpath, "function", "arguments"))
                if dump_json(args) != function.get("arguments"):
                    out.notes.append("tool-call arguments rewritten as canonical JSON")
                names[str(call.get("id"))] = name
                parts.append({"functionCall": {"name": name, "args": args}})
                calls += 1
            contents.append({"role": "model", "parts": parts})
        elif role == "tool":
            only_keys(message, {"role", "content", "tool_call_id"}, path, "a tool message")
            answered = names.get(str(message.get("tool_call_id")))
            if answered is None:
                raise Refusal((*path, "tool_call_id"), "answers no tool call before it", INEXPRESSIBLE)
            content = message.get("content")
            if not isinstance(content, str):
                raise Refusal((*path, "content"), "a tool result must be text here", INEXPRESSIBLE)
            part = {"functionResponse": {"name": answered, "response": {"content": content}}}
            previous = contents[-1] if contents else None
            if (
                previous is not None
                and previous["role"] == "user"
                and all("functionResponse" in p for p in previous["parts"])
            ):
                previous["parts"].append(part)  # parallel calls answered in one user turn
            else:
                contents.append({"role": "user", "parts": [part]})
        else:
            raise Refusal((*path, "role"), f"{WHO} has no {role!r} turns", INEXPRESSIBLE)
    out.record["contents"] = contents
    if "tools" in record:
        out.record["tools"] = _write_tools(record["tools"])
    if record.get("parallel_tool_calls") is not None:
        out.notes.append("parallel_tool_calls dropped (not in the Vertex format)")
    if "functions" in record:
        raise Refusal(("functions",), "legacy `functions`: convert them to `tools` first", INEXPRESSIBLE)
    for key, value in record.items():
        if key not in ("messages", "tools", "parallel_tool_calls"):
            out.record[key] = value
    return out


def _part(kind: str, value: str, path: PathT) -> dict[str, Any]:
    if kind == "text":
        return {"text": value}
    if not value.startswith("gs://"):
        what = "a data URL" if value.startswith("data:") else "not a Cloud Storage URI"
        raise Refusal(path, f"{WHO} takes images as gs:// URIs; this one is {what}", INEXPRESSIBLE)
    mime = mimetypes.guess_type(value)[0]
    if mime is None or not mime.startswith("image/"):
        raise Refusal(path, f"the image type of {value!r} cannot be told from its extension", INEXPRESSIBLE)
    return {"fileData": {"mimeType": mime, "fileUri": value}}


def _write_tools(value: Any) -> list[dict[str, Any]]:
    declarations = []
    for i, tool in enumerate(require_list(value, ("tools",), "tools")):
        tool = require_dict(tool, ("tools", i), "a tool")
        if tool.get("type") != "function" or set(tool) != {"type", "function"}:
            raise Refusal(("tools", i), "only function tools have a Vertex equivalent", INEXPRESSIBLE)
        declarations.append(require_dict(tool["function"], ("tools", i, "function"), "function"))
    return [{"functionDeclarations": declarations}]


FORMAT = NativeFormat(
    name="vertex",
    title="Vertex AI Gemini tuning (contents/parts, systemInstruction)",
    detect=detect,
    to_chat=to_chat,
    from_chat=from_chat,
    targets=("vertex",),
    source="cloud.google.com/vertex-ai/generative-ai/docs/models/gemini-supervised-tuning-prepare",
)
