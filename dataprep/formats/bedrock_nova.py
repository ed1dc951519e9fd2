"""Amazon Bedrock fine-tuning records for Amazon Nova (the Converse format): `schemaVersion`, `system` text
blocks, `messages` of `user`/`assistant` turns whose `content` is a list of blocks; for DPO the last assistant
turn holds two `candidates` labelled `preferred` and `non-preferred`.

Sources: docs.aws.amazon.com/nova/latest/userguide/fine-tune-prepare-data-understanding.html (roles user and
assistant, optional system, schemaVersion any string, images and videos from S3),
docs.aws.amazon.com/bedrock/latest/userguide/nova-2-sft-data-prep.html (text, image, video and
reasoningContent blocks; tool use is in the Converse format but not supported by Nova 2.0 SFT), the Converse
API's toolUse/toolResult/toolConfig blocks; read 2026-12-02.
"""

from __future__ import annotations

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
    weight_note,
)

WHO = "Amazon Nova fine-tuning"
SCHEMA_VERSION = "bedrock-conversation-2024"
_BLOCKS = {"text", "image", "video", "document", "toolUse", "toolResult", "reasoningContent"}
_IMAGE_FORMATS = {"png": "png", "jpg": "jpeg", "jpeg": "jpeg", "gif": "gif", "webp": "webp"}
_LABELS = {"preferred": "preferred_output", "non-preferred": "non_preferred_output"}


def detect(record: dict[str, Any]) -> bool:
    if "schemaVersion" in record:
        return True
    messages = record.get("messages")
    if not isinstance(messages, list):
        return False
    for message in messages:
        if isinstance(message, dict):
            if "candidates" in message:
                return True
            content = message.get("content")
            if (
                isinstance(content, list)
                and content
                and isinstance(content[0], dict)
                and "type" not in content[0]
            ):
                return True  # Converse blocks ({"text": ...}), not chat parts ({"type": "text", ...})
    return False


# -- reading ---------------------------------------------------------------------------------------------------


def to_chat(record: dict[str, Any]) -> Native:
    out = Native({})
    messages: list[dict[str, Any]] = []
    if "schemaVersion" in record:
        require_str(record["schemaVersion"], ("schemaVersion",), "schemaVersion")
        if record["schemaVersion"] != SCHEMA_VERSION:
            out.notes.append(
                f"schemaVersion {record['schemaVersion']!r} not kept (written back as {SCHEMA_VERSION!r})"
            )
    if "system" in record:
        blocks = require_list(record["system"], ("system",), "system")
        texts = []
        for i, block in enumerate(blocks):
            block = require_dict(block, ("system", i), "a system block")
            if set(block) != {"text"}:
                raise Refusal(("system", i), "system blocks hold text only")
            texts.append(require_str(block["text"], ("system", i, "text"), "text"))
        out.origins["messages[0]"] = "system"
        out.origins["messages[0].content"] = "system" if len(texts) > 1 else "system[0].text"
        messages.append({"role": "system", "content": chat_content([("text", t) for t in texts])})
    turns = require_list(record.get("messages"), ("messages",), "messages")
    outputs: dict[str, list[dict[str, Any]]] = {}
    for j, turn in enumerate(turns):
        path: PathT = ("messages", j)
        turn = require_dict(turn, path, "a message")
        role = turn.get("role")
        if role not in ("user", "assistant"):
            raise Refusal((*path, "role"), f"role must be 'user' or 'assistant', not {role!r}")
        if "candidates" in turn:
            if j != len(turns) - 1 or role != "assistant":
                raise Refusal((*path, "candidates"), "candidates belong in the last turn, an assistant turn")
            only_keys(turn, {"role", "candidates"}, path, "a preference turn")
            outputs = _candidates(turn["candidates"], (*path, "candidates"), out, len(messages))
            continue
        only_keys(turn, {"role", "content"}, path, "a message")
        blocks = require_list(turn.get("content"), (*path, "content"), "content")
        messages.extend(_read_turn(role, blocks, (*path, "content"), out, len(messages)))
    if "toolConfig" in record:
        out.record["tools"] = _read_tools(record["toolConfig"])
        out.origins["tools"] = "toolConfig.tools"
    extras = {
        k: v for k, v in record.items() if k not in ("schemaVersion", "system", "messages", "toolConfig")
    }
    if outputs:
        out.kind = "preference"
        inner: dict[str, Any] = {"messages": messages}
        if "tools" in out.record:
            inner["tools"] = out.record.pop("tools")
        out.record = {"input": inner, **outputs, **extras}
        out.origins = {f"input.{k}": v for k, v in out.origins.items() if not k.startswith("_")} | {
            k[1:]: v for k, v in out.origins.items() if k.startswith("_")
        }
    else:
        out.record = {"messages": messages, **out.record, **extras}
    return out


def _candidates(value: Any, path: PathT, out: Native, index: int) -> dict[str, list[dict[str, Any]]]:
    candidates = require_list(value, path, "candidates")
    found: dict[str, list[dict[str, Any]]] = {}
    for i, candidate in enumerate(candidates):
        cpath = (*path, i)
        candidate = require_dict(candidate, cpath, "a candidate")
        only_keys(candidate, {"content", "preferenceLabel"}, cpath, "a candidate")
        label = candidate.get("preferenceLabel")
        if not isinstance(label, str) or label not in _LABELS:
            raise Refusal(
                (*cpath, "preferenceLabel"),
                f"preferenceLabel must be 'preferred' or 'non-preferred', not {label!r}",
            )
        key = _LABELS[label]
        if key in found:
            raise Refusal((*cpath, "preferenceLabel"), f"a second {label!r} candidate")
        blocks = require_list(candidate.get("content"), (*cpath, "content"), "content")
        scratch = Native({})
        read = _read_turn("assistant", blocks, (*cpath, "content"), scratch, 0)
        message = read[0] if len(read) == 1 else None
        if message is None or message["role"] != "assistant":
            raise Refusal((*cpath, "content"), "a candidate is one assistant answer")
        out.origins[f"_{key}[0]"] = show(cpath)
        found[key] = [message]
    if set(found) != set(_LABELS.values()):
        raise Refusal(path, "a preference turn needs one 'preferred' and one 'non-preferred' candidate")
    return {k: found[k] for k in _LABELS.values()}


def _read_turn(role: str, blocks: list[Any], path: PathT, out: Native, index: int) -> list[dict[str, Any]]:
    """One Converse turn as chat messages: tool results become tool messages (before the turn's text)."""
    results: list[dict[str, Any]] = []
    pieces: list[tuple[str, str]] = []
    calls: list[dict[str, Any]] = []
    for k, block in enumerate(blocks):
        bpath = (*path, k)
        block = require_dict(block, bpath, "a content block")
        only_keys(block, _BLOCKS, bpath, "a content block")
        if len(block) != 1:
            raise Refusal(bpath, "a content block holds exactly one of " + ", ".join(sorted(_BLOCKS)))
        ((kind, value),) = block.items()
        if kind == "text":
            pieces.append(("text", require_str(value, (*bpath, "text"), "text")))
        elif kind == "image":
            if role != "user":
                raise Refusal((*bpath, kind), "images belong in user turns")
            pieces.append(("image", _image_uri(value, (*bpath, kind))))
        elif kind == "toolUse":
            if role != "assistant":
                raise Refusal((*bpath, kind), "toolUse belongs in an assistant turn")
            use = require_dict(value, (*bpath, kind), "toolUse")
            only_keys(use, {"toolUseId", "name", "input"}, (*bpath, kind), "toolUse")
            call_id = require_str(use.get("toolUseId"), (*bpath, kind, "toolUseId"), "toolUseId")
            name = require_str(use.get("name"), (*bpath, kind, "name"), "name")
            args = require_dict(use.get("input", {}), (*bpath, kind, "input"), "input")
            out.origins[f"_call{len(calls)}"] = show(
                (*bpath, kind)
            )  # numbered once the turn's index is known
            calls.append(
                {"id": call_id, "type": "function", "function": {"name": name, "arguments": dump_json(args)}}
            )
        elif kind == "toolResult":
            if role != "user":
                raise Refusal((*bpath, kind), "toolResult belongs in a user turn")
            at = f"messages[{index + len(results)}]"
            out.origins[at] = out.origins[f"{at}.role"] = show((*bpath, kind))
            results.append(_tool_result(value, (*bpath, kind)))
        else:
            raise Refusal((*bpath, kind), f"a {kind} block has no chat equivalent", INEXPRESSIBLE)
    messages = list(results)
    if pieces or calls or not results:
        message: dict[str, Any] = {"role": role}
        content = chat_content(pieces)  # calls alone: content null, as OpenAI writes it
        message["content"] = content if content is not None or calls else ""
        if calls:
            message["tool_calls"] = calls
        turn = f"messages[{index + len(results)}]"
        out.origins[turn] = show(path[:-1])
        for n in range(len(calls)):
            out.origins[f"{turn}.tool_calls[{n}]"] = out.origins.pop(f"_call{n}")
        if calls:
            out.origins[f"{turn}.tool_calls"] = out.origins[f"{turn}.tool_calls[0]"]
        if len(pieces) == 1 and pieces[0][0] == "text":
            first = next(i for i, b in enumerate(blocks) if isinstance(b, dict) and "text" in b)
            out.origins[f"{turn}.content"] = show((*path, first, "text"))
        messages.append(message)
    return messages


def _image_uri(value: Any, path: PathT) -> str:
    image = require_dict(value, path, "image")
    only_keys(image, {"format", "source"}, path, "image")
    fmt = require_str(image.get("format"), (*path, "format"), "format")
    source = require_dict(image.get("source"), (*path, "source"), "source")
    if set(source) != {"s3Location"}:
        raise Refusal((*path, "source"), "training images are given by s3Location")
    location = require_dict(source["s3Location"], (*path, "source", "s3Location"), "s3Location")
    only_keys(location, {"uri", "bucketOwner"}, (*path, "source", "s3Location"), "s3Location")
    uri = require_str(location.get("uri"), (*path, "source", "s3Location", "uri"), "uri")
    if "bucketOwner" in location:
        raise Refusal(
            (*path, "source", "s3Location", "bucketOwner"),
            "chat image parts have no bucket owner",
            INEXPRESSIBLE,
        )
    if _IMAGE_FORMATS.get(uri.rsplit(".", 1)[-1].lower()) != fmt:
        raise Refusal(
            (*path, "format"),
            f"format {fmt!r} cannot be told from the URI's extension; chat keeps the URL only",
            INEXPRESSIBLE,
        )
    return uri


def _tool_result(value: Any, path: PathT) -> dict[str, Any]:
    result = require_dict(value, path, "toolResult")
    only_keys(result, {"toolUseId", "content"}, path, "toolResult")
    call_id = require_str(result.get("toolUseId"), (*path, "toolUseId"), "toolUseId")
    blocks = require_list(result.get("content"), (*path, "content"), "content")
    if len(blocks) != 1 or not isinstance(blocks[0], dict) or len(blocks[0]) != 1:
        raise Refusal(
            (*path, "content"), "a tool result of one text or json block has a chat equivalent", INEXPRESSIBLE
        )
    ((kind, data),) = blocks[0].items()
    if kind == "text":
        content = require_str(data, (*path, "content", 0, "text"), "text")
    elif kind == "json":
        content = dump_json(data)
    else:
        raise Refusal((*path, "content", 0), f"a {kind} tool result has no chat equivalent", INEXPRESSIBLE)
    return {"role": "tool", "tool_call_id": call_id, "content": content}


def _read_tools(value: Any) -> list[dict[str, Any]]:
    config = require_dict(value, ("toolConfig",), "toolConfig")
    if set(config) != {"tools"}:
        raise Refusal(("toolConfig",), "only toolConfig.tools has a chat equivalent", INEXPRESSIBLE)
    tools = []
    for i, tool in enumerate(require_list(config["tools"], ("toolConfig", "tools"), "tools")):
        path = ("toolConfig", "tools", i)
        tool = require_dict(tool, path, "a tool")
        if set(tool) != {"toolSpec"}:
            raise Refusal(path, "only toolSpec tools have a chat equivalent", INEXPRESSIBLE)
        spec = require_dict(tool["toolSpec"], (*path, "toolSpec"), "toolSpec")
        only_keys(spec, {"name", "description", "inputSchema"}, (*path, "toolSpec"), "toolSpec")
        function: dict[str, Any] = {
            "name": require_str(spec.get("name"), (*path, "toolSpec", "name"), "name")
        }
        if "description" in spec:
            function["description"] = spec["description"]
        if "inputSchema" in spec:
            schema = require_dict(spec["inputSchema"], (*path, "toolSpec", "inputSchema"), "inputSchema")
            if set(schema) != {"json"}:
                raise Refusal((*path, "toolSpec", "inputSchema"), "inputSchema holds one json schema")
            function["parameters"] = schema["json"]
        tools.append({"type": "function", "function": function})
    return tools


# -- writing ---------------------------------------------------------------------------------------------------


def from_chat(record: dict[str, Any]) -> Written:
    out = Written({"schemaVersion": SCHEMA_VERSION})
    preference = "input" in record
    if preference:
        inner = require_dict(record.get("input"), ("input",), "input")
        messages = require_list(inner.get("messages"), ("input", "messages"), "messages")
        prefix: PathT = ("input", "messages")
        tools = inner.get("tools")
        extras = {k: v for k, v in record.items() if k not in ("input", *_LABELS.values())}
    else:
        messages = require_list(record.get("messages"), ("messages",), "messages")
        prefix = ("messages",)
        tools = record.get("tools")
        extras = {k: v for k, v in record.items() if k not in ("messages", "tools", "parallel_tool_calls")}
        if record.get("parallel_tool_calls") is not None:
            out.notes.append("parallel_tool_calls dropped (not in the Nova format)")
    turns: list[dict[str, Any]] = []
    for i, message in enumerate(messages):
        path = (*prefix, i)
        message = require_dict(message, path, "a message")
        role = message.get("role")
        if "name" in message:
            raise Refusal((*path, "name"), f"{WHO} has no message names", INEXPRESSIBLE)
        if role == "system":
            if i != 0:
                raise Refusal(
                    (*path, "role"), f"{WHO} takes one system prompt, before the conversation", INEXPRESSIBLE
                )
            only_keys(message, {"role", "content"}, path, "a system message")
            pieces = content_pieces(message.get("content"), (*path, "content"))
            if any(kind != "text" for kind, _ in pieces):
                raise Refusal((*path, "content"), "a system prompt holds text only", INEXPRESSIBLE)
            out.record["system"] = [{"text": text} for _, text in pieces]
        elif role == "tool":
            only_keys(message, {"role", "content", "tool_call_id"}, path, "a tool message")
            content = message.get("content")
            if not isinstance(content, str):
                raise Refusal((*path, "content"), "a tool result must be text here", INEXPRESSIBLE)
            block = {
                "toolResult": {"toolUseId": str(message.get("tool_call_id")), "content": [{"text": content}]}
            }
            _user_turn(turns)["content"].append(block)
        elif role == "user":
            only_keys(message, {"role", "content"}, path, "a user message")
            blocks = [
                _block(kind, value, (*path, "content"))
                for kind, value in content_pieces(message.get("content"), (*path, "content"))
            ]
            if turns and turns[-1]["role"] == "user" and all("toolResult" in b for b in turns[-1]["content"]):
                turns[-1]["content"].extend(
                    blocks
                )  # Nova alternates: tool results and the next question share a turn
            else:
                turns.append({"role": "user", "content": blocks})
        elif role == "assistant":
            turns.append({"role": "assistant", "content": _assistant_blocks(message, path, out.notes)})
        else:
            raise Refusal((*path, "role"), f"{WHO} has no {role!r} turns", INEXPRESSIBLE)
    if preference:
        candidates = []
        for key, label in (("preferred_output", "preferred"), ("non_preferred_output", "non-preferred")):
            answer = require_list(record.get(key), (key,), key)
            if len(answer) != 1:
                raise Refusal((key,), "a Nova candidate is one assistant turn", INEXPRESSIBLE)
            message = require_dict(answer[0], (key, 0), "a message")
            if message.get("role") != "assistant":
                raise Refusal((key, 0, "role"), "a candidate is an assistant turn", INEXPRESSIBLE)
            candidates.append(
                {"content": _assistant_blocks(message, (key, 0), out.notes), "preferenceLabel": label}
            )
        turns.append({"role": "assistant", "candidates": candidates})
    out.record["messages"] = turns
    if tools is not None:
        out.record["toolConfig"] = {"tools": _write_tools(tools, (*prefix[:-1], "tools"))}
    if "functions" in extras:
        raise Refusal(("functions",), "legacy `functions`: convert them to `tools` first", INEXPRESSIBLE)
    out.record.update(extras)
    return out


def _user_turn(turns: list[dict[str, Any]]) -> dict[str, Any]:
    if turns and turns[-1]["role"] == "user" and all("toolResult" in b for b in turns[-1]["content"]):
        return turns[-1]
    turns.append({"role": "user", "content": []})
    return turns[-1]


def _assistant_blocks(message: dict[str, Any], path: PathT, notes: list[str]) -> list[dict[str, Any]]:
    only_keys(message, {"role", "content", "tool_calls", "weight"}, path, "an assistant message")
    weight_note(message, path, WHO, notes)
    pieces = content_pieces(message.get("content"), (*path, "content"))
    if any(kind != "text" for kind, _ in pieces):
        raise Refusal((*path, "content"), "assistant turns hold text only", INEXPRESSIBLE)
    blocks: list[dict[str, Any]] = [{"text": text} for _, text in pieces]
    for k, call in enumerate(
        require_list(message.get("tool_calls", []), (*path, "tool_calls"), "tool_calls", empty=True)
    ):
        cpath = (*path, "tool_calls", k)
        call = require_dict(call, cpath, "a tool call")
        function = require_dict(call.get("function"), (*cpath, "function"), "function")
        args = parse_arguments(function.get("arguments"), (*cpath, "function", "arguments"))
        if dump_json(args) != function.get("arguments"):
            notes.append("tool-call arguments rewritten as canonical JSON")
        name = require_str(function.get("name"), (*cpath, "function", "name"), "name")
        blocks.append({"toolUse": {"toolUseId": str(call.get("id")), "name": name, "input": args}})
    return blocks


def _block(kind: str, value: str, path: PathT) -> dict[str, Any]:
    if kind == "text":
        return {"text": value}
    if not value.startswith("s3://"):
        what = "a data URL" if value.startswith("data:") else "not an s3:// URI"
        raise Refusal(path, f"{WHO} takes images from S3 (s3://...); this one is {what}", INEXPRESSIBLE)
    fmt = _IMAGE_FORMATS.get(value.rsplit(".", 1)[-1].lower())
    if fmt is None:
        raise Refusal(path, f"the image format of {value!r} cannot be told from its extension", INEXPRESSIBLE)
    return {"image": {"format": fmt, "source": {"s3Location": {"uri": value}}}}


def _write_tools(value: Any, path: PathT) -> list[dict[str, Any]]:
    out = []
    for i, tool in enumerate(require_list(value, path, "tools")):
        tool = require_dict(tool, (*path, i), "a tool")
        function = tool.get("function")
        if (
            tool.get("type") != "function"
            or set(tool) != {"type", "function"}
            or not isinstance(function, dict)
        ):
            raise Refusal((*path, i), "only function tools have a Nova equivalent", INEXPRESSIBLE)
        only_keys(function, {"name", "description", "parameters"}, (*path, i, "function"), "a function tool")
        spec: dict[str, Any] = {"name": function.get("name")}
        if "description" in function:
            spec["description"] = function["description"]
        if "parameters" in function:
            spec["inputSchema"] = {"json": function["parameters"]}
        out.append({"toolSpec": spec})
    return out


FORMAT = NativeFormat(
    name="bedrock-nova",
    title="Amazon Bedrock Nova (schemaVersion, system, messages of content blocks; DPO candidates)",
    detect=detect,
    to_chat=to_chat,
    from_chat=from_chat,
    targets=("bedrock-nova",),
    source="docs.aws.amazon.com/nova/latest/userguide/fine-tune-prepare-data-understanding.html",
)
