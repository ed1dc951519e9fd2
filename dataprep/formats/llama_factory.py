"""LLaMA-Factory records, read as its `dataset_info.json` entry describes them: `alpaca` (instruction, input,
output, system, history) or `sharegpt` (a list of tagged turns; the OpenAI layout is sharegpt with role/content
tags), with `columns` and `tags` naming the fields, `ranking` for chosen/rejected pairs, `kto_tag` for KTO
labels and `images` for image paths (`<image>` placeholders mark where they go).

Source: hiyouga/LLaMA-Factory data/README.md (the entry keys and their defaults, the alpaca, sharegpt,
preference, KTO, multimodal and OpenAI layouts), read 2026-12-02. Written records use the sharegpt layout with
the default tags (`conversations` of from/value turns, `system`, `tools` as JSON text), the layout that holds
tool calls; the entry that loads them is printed by `dataset_info_entry`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from dataprep.formats.base import (
    INEXPRESSIBLE,
    Native,
    NativeFormat,
    PathT,
    Refusal,
    Written,
    content_pieces,
    dump_json,
    parse_arguments,
    require_dict,
    require_list,
    require_str,
    tool_call_note,
    weight_note,
)

WHO = "LLaMA-Factory"
IMAGE = "<image>"
_ALPACA = {"prompt": "instruction", "query": "input", "response": "output"}
_SHAREGPT_TAGS = {
    "role_tag": "from",
    "content_tag": "value",
    "user_tag": "human",
    "assistant_tag": "gpt",
    "observation_tag": "observation",
    "function_tag": "function_call",
    "system_tag": "system",
}
_OPENAI_TAGS = {
    **_SHAREGPT_TAGS,
    "role_tag": "role",
    "content_tag": "content",
    "user_tag": "user",
    "assistant_tag": "assistant",
    "observation_tag": "tool",
}
_COLUMN_KEYS = {
    "prompt",
    "query",
    "response",
    "history",
    "messages",
    "system",
    "tools",
    "images",
    "videos",
    "audios",
    "chosen",
    "rejected",
    "kto_tag",
}
_ENTRY_KEYS = {
    "file_name",
    "formatting",
    "ranking",
    "columns",
    "tags",
    "subset",
    "split",
    "folder",
    "num_samples",
    "hf_hub_url",
    "ms_hub_url",
    "script_url",
    "om_hub_url",
    "cloud_file_name",
}


@dataclass(frozen=True, slots=True)
class Entry:
    """A dataset_info.json entry: how to read the records of one dataset."""

    formatting: str = "alpaca"  # alpaca | sharegpt (openai: sharegpt with role/content tags)
    ranking: bool = False
    columns: dict[str, str] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    file_name: str | None = None

    def column(self, name: str) -> str | None:
        if name in self.columns:
            return self.columns[name]
        if self.formatting == "alpaca":
            return _ALPACA.get(name)
        return "conversations" if name == "messages" else None

    def tag(self, name: str) -> str:
        return self.tags.get(name, _SHAREGPT_TAGS[name])


def parse_entry(value: Any, name: str) -> Entry:
    """One entry of dataset_info.json, checked: a wrong key or type is an error naming it."""
    entry = require_dict(value, (name,), f"entry {name!r}")
    for key in entry:
        if key not in _ENTRY_KEYS:
            raise Refusal((name, key), f"not a dataset_info.json key ({', '.join(sorted(_ENTRY_KEYS))})")
    formatting = entry.get("formatting", "alpaca")
    if formatting not in ("alpaca", "sharegpt", "openai"):
        raise Refusal(
            (name, "formatting"), f"formatting must be alpaca, sharegpt or openai, not {formatting!r}"
        )
    ranking = entry.get("ranking", False)
    if not isinstance(ranking, bool):
        raise Refusal((name, "ranking"), "ranking is true or false")
    columns = require_dict(entry.get("columns", {}), (name, "columns"), "columns")
    tags = require_dict(entry.get("tags", {}), (name, "tags"), "tags")
    for key, column in columns.items():
        if key not in _COLUMN_KEYS:
            raise Refusal((name, "columns", key), f"not a column key ({', '.join(sorted(_COLUMN_KEYS))})")
        require_str(column, (name, "columns", key), "a column name")
    for key, tag in tags.items():
        if key not in _SHAREGPT_TAGS:
            raise Refusal((name, "tags", key), f"not a tag key ({', '.join(sorted(_SHAREGPT_TAGS))})")
        require_str(tag, (name, "tags", key), "a tag")
    if formatting == "openai":
        formatting, tags = "sharegpt", {**_OPENAI_TAGS, **tags}
        columns = {"messages": "messages", **columns}
    file_name = entry.get("file_name")
    if file_name is None:
        raise Refusal((name, "file_name"), "dataprep reads local files: the entry needs file_name")
    return Entry(
        formatting,
        ranking,
        dict(columns),
        dict(tags),
        require_str(file_name, (name, "file_name"), "file_name"),
    )


def guess_entry(record: dict[str, Any]) -> Entry:
    """The entry a record's own keys suggest, for a file given without dataset_info.json."""
    columns: dict[str, str] = {
        key: key
        for key in ("system", "history", "tools", "images", "chosen", "rejected", "kto_tag")
        if key in record
    }
    ranking = "chosen" in record and "rejected" in record
    if isinstance(record.get("conversations"), list):
        return Entry("sharegpt", ranking, columns)
    if isinstance(record.get("messages"), list):
        return Entry("sharegpt", ranking, {"messages": "messages", **columns}, dict(_OPENAI_TAGS))
    return Entry("alpaca", ranking, columns)


def detect(record: dict[str, Any]) -> bool:
    if "instruction" in record and ("output" in record or "chosen" in record):
        return True
    turns = record.get("conversations")
    return isinstance(turns, list) and all(isinstance(t, dict) and "from" in t for t in turns)


# -- reading ---------------------------------------------------------------------------------------------------


def to_chat(record: dict[str, Any], entry: Entry | None = None) -> Native:
    entry = entry or guess_entry(record)
    out = Native({})
    images = _images(record, entry)
    if entry.formatting == "alpaca":
        messages, answers = _alpaca(record, entry, out)
    else:
        messages, answers = _sharegpt(record, entry, out)
    if images is not None:
        _place_images(messages, images, out)
    used = {c for c in (entry.column(k) for k in _COLUMN_KEYS) if c}
    extras = {k: v for k, v in record.items() if k not in used}
    tools = _tools(record, entry)
    kto = entry.column("kto_tag")
    if entry.ranking:
        out.kind = "preference"
        inner: dict[str, Any] = {"messages": messages}
        if tools is not None:
            inner["tools"] = tools
        out.record = {
            "input": inner,
            "preferred_output": [answers[0]],
            "non_preferred_output": [answers[1]],
            **extras,
        }
        out.origins = {f"input.{k}": v for k, v in out.origins.items()}
        return out
    out.record = {"messages": messages + answers}
    if tools is not None:
        out.record["tools"] = tools
    if kto is not None and kto in record:
        if not isinstance(record[kto], bool):
            raise Refusal((kto,), "a KTO tag is true or false")
        out.record["label"] = record[kto]
    out.record.update(extras)
    return out


def _text(record: dict[str, Any], column: str | None) -> str:
    if column is None or record.get(column) in (None, ""):
        return ""
    return require_str(record[column], (column,), column)


def _alpaca(
    record: dict[str, Any], entry: Entry, out: Native
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    messages: list[dict[str, Any]] = []
    system = _text(record, entry.column("system"))
    if system:
        out.origins["messages[0]"] = str(entry.column("system"))
        messages.append({"role": "system", "content": system})
    history = entry.column("history")
    if history is not None and record.get(history) not in (None, []):
        for i, pair in enumerate(require_list(record[history], (history,), history)):
            if not (isinstance(pair, list) and len(pair) == 2 and all(isinstance(x, str) for x in pair)):
                raise Refusal((history, i), "a history item is [prompt, response]")
            out.origins[f"messages[{len(messages)}]"] = f"{history}[{i}][0]"
            out.origins[f"messages[{len(messages) + 1}]"] = f"{history}[{i}][1]"
            messages += [{"role": "user", "content": pair[0]}, {"role": "assistant", "content": pair[1]}]
    query = [t for t in (_text(record, entry.column("prompt")), _text(record, entry.column("query"))) if t]
    if not query:
        raise Refusal((str(entry.column("prompt")),), "the prompt is missing or empty")
    out.origins[f"messages[{len(messages)}]"] = str(entry.column("prompt"))
    messages.append({"role": "user", "content": "\n".join(query)})
    if entry.ranking:
        answers = [
            {"role": "assistant", "content": require_str(record.get(c), (c,), c)}
            for c in (entry.column("chosen") or "chosen", entry.column("rejected") or "rejected")
        ]
        out.origins["preferred_output[0]"], out.origins["non_preferred_output[0]"] = (
            entry.column("chosen") or "chosen",
            entry.column("rejected") or "rejected",
        )
        return messages, answers
    response = str(entry.column("response"))
    out.origins[f"messages[{len(messages)}]"] = response
    return messages, [
        {"role": "assistant", "content": require_str(record.get(response), (response,), response)}
    ]


def _sharegpt(
    record: dict[str, Any], entry: Entry, out: Native
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    column = str(entry.column("messages"))
    turns = require_list(record.get(column), (column,), column)
    role_tag, content_tag = entry.tag("role_tag"), entry.tag("content_tag")
    roles = {
        entry.tag(k): k
        for k in ("user_tag", "assistant_tag", "observation_tag", "function_tag", "system_tag")
    }
    messages: list[dict[str, Any]] = []
    system = _text(record, entry.column("system"))
    start = 0
    if turns and isinstance(turns[0], dict) and turns[0].get(role_tag) == entry.tag("system_tag"):
        system, start = require_str(turns[0].get(content_tag), (column, 0, content_tag), content_tag), 1
        out.origins["messages[0]"] = f"{column}[0]"
    elif system:
        out.origins["messages[0]"] = str(entry.column("system"))
    if system:
        messages.append({"role": "system", "content": system})
    pending: list[str] = []
    calls = 0
    for i in range(start, len(turns)):
        path: PathT = (column, i)
        turn = require_dict(turns[i], path, "a turn")
        kind = roles.get(str(turn.get(role_tag)))
        if kind is None or kind == "system_tag":
            raise Refusal(
                (*path, role_tag),
                f"{turn.get(role_tag)!r} is not a role of this dataset ({', '.join(t for t in roles if roles[t] != 'system_tag')})",
            )
        odd = (i - start) % 2 == 1
        if odd != (kind in ("assistant_tag", "function_tag")):
            want = "gpt or function" if odd else "human or observation"
            raise Refusal((*path, role_tag), f"turn {i - start + 1} must be {want} ({WHO} alternates them)")
        value = turn.get(content_tag)
        out.origins[f"messages[{len(messages)}]"] = f"{column}[{i}]"
        if kind == "function_tag":
            found = _calls(require_str(value, (*path, content_tag), content_tag), (*path, content_tag), calls)
            calls += len(found)
            pending += [c["id"] for c in found]
            messages.append({"role": "assistant", "content": None, "tool_calls": found})
        elif kind == "observation_tag":
            if not pending:
                raise Refusal(path, "an observation with no function call before it")
            messages.append(
                {
                    "role": "tool",
                    "tool_call_id": pending.pop(0),
                    "content": require_str(value, (*path, content_tag), content_tag),
                }
            )
        else:
            role = "user" if kind == "user_tag" else "assistant"
            messages.append({"role": role, "content": require_str(value, (*path, content_tag), content_tag)})
    count = len(turns) - start
    if count == 0 or count % 2 != (1 if entry.ranking else 0):
        # LLaMA-Factory's converter drops such a row ("Invalid message count"): say it here instead.
        want = (
            "an odd number (ending with the prompt)" if entry.ranking else "an even number (ending with gpt)"
        )
        raise Refusal((column,), f"{count} turns (not counting a system turn); {WHO} needs {want}")
    if not entry.ranking:
        return messages, []
    answers = []
    for key in ("chosen", "rejected"):
        name = entry.column(key) or key
        answer = require_dict(record.get(name), (name,), name)
        if answer.get(role_tag) != entry.tag("assistant_tag"):
            raise Refusal((name, role_tag), f"a {key} answer is an assistant turn")
        answers.append(
            {
                "role": "assistant",
                "content": require_str(answer.get(content_tag), (name, content_tag), content_tag),
            }
        )
        out.origins[f"{'preferred' if key == 'chosen' else 'non_preferred'}_output[0]"] = name
    return messages, answers


def _calls(value: str, path: PathT, start: int) -> list[dict[str, Any]]:
    try:
        data = json.loads(value)
    except ValueError:
        raise Refusal(path, 'a function call is JSON text {"name": ..., "arguments": {...}}') from None
    items = data if isinstance(data, list) else [data]
    calls = []
    for n, item in enumerate(items, start=start + 1):
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise Refusal(path, 'a function call is {"name": ..., "arguments": {...}}')
        arguments = item.get("arguments", {})
        text = arguments if isinstance(arguments, str) else dump_json(arguments)
        calls.append(
            {"id": f"call_{n}", "type": "function", "function": {"name": item["name"], "arguments": text}}
        )
    return calls


def _tools(record: dict[str, Any], entry: Entry) -> list[dict[str, Any]] | None:
    column = entry.column("tools")
    if column is None or record.get(column) in (None, ""):
        return None
    value = record[column]
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise Refusal((column,), "tools are JSON text of function definitions") from None
    items = value if isinstance(value, list) else [value]
    tools = []
    for i, item in enumerate(items):
        item = require_dict(item, (column, i), "a function definition")
        tools.append(
            item
            if item.get("type") == "function" and "function" in item
            else {"type": "function", "function": item}
        )
    return tools


def _images(record: dict[str, Any], entry: Entry) -> list[str] | None:
    column = entry.column("images")
    if column is None or record.get(column) in (None, []):
        return None
    value = record[column]
    items = value if isinstance(value, list) else [value]
    return [require_str(v, (column, i), "an image path") for i, v in enumerate(items)]


def _place_images(messages: list[dict[str, Any]], images: list[str], out: Native) -> None:
    """`<image>` placeholders become image parts in order; without any, the images open the first user turn."""
    count = sum(m["content"].count(IMAGE) for m in messages if isinstance(m.get("content"), str))
    if count not in (0, len(images)):
        raise Refusal(("images",), f"{count} {IMAGE} placeholders for {len(images)} images")
    queue = list(images)
    for message in messages:
        content = message.get("content")
        if not isinstance(content, str) or message["role"] != "user":
            continue
        if count == 0:
            content, count = IMAGE * len(queue) + content, len(queue)
        if IMAGE not in content:
            continue
        parts: list[dict[str, Any]] = []
        for n, text in enumerate(content.split(IMAGE)):
            if n:
                parts.append({"type": "image_url", "image_url": {"url": queue.pop(0)}})
            if text:
                parts.append({"type": "text", "text": text})
        message["content"] = parts


# -- writing ---------------------------------------------------------------------------------------------------


def from_chat(record: dict[str, Any]) -> Written:
    out = Written({})
    if "input" in record:
        inner = require_dict(record["input"], ("input",), "input")
        messages = require_list(inner.get("messages"), ("input", "messages"), "messages")
        prefix: PathT = ("input", "messages")
        tools = inner.get("tools")
    else:
        messages = require_list(record.get("messages"), ("messages",), "messages")
        prefix = ("messages",)
        tools = record.get("tools")
    turns: list[dict[str, str]] = []
    images: list[str] = []
    calls = 0
    for i, message in enumerate(messages):
        path = (*prefix, i)
        message = require_dict(message, path, "a message")
        role = message.get("role")
        if "name" in message:
            raise Refusal((*path, "name"), f"{WHO} has no message names", INEXPRESSIBLE)
        if role == "system" and i == 0:
            out.record["system"] = _plain(message, path, images)
        elif role == "user":
            turns.append({"from": "human", "value": _plain(message, path, images)})
        elif role == "assistant":
            weight_note(message, path, WHO, out.notes)
            tool_calls = require_list(
                message.get("tool_calls") or [], (*path, "tool_calls"), "tool_calls", empty=True
            )
            if tool_calls:
                if message.get("content") not in (None, ""):
                    raise Refusal(
                        path, f"{WHO} turns are either text or function calls, not both", INEXPRESSIBLE
                    )
                tool_call_note(tool_calls, calls + 1, out.notes, WHO)
                items = []
                for k, call in enumerate(tool_calls):
                    function = require_dict(
                        require_dict(call, (*path, "tool_calls", k), "a tool call").get("function"),
                        (*path, "tool_calls", k, "function"),
                        "function",
                    )
                    args = parse_arguments(
                        function.get("arguments"), (*path, "tool_calls", k, "function", "arguments")
                    )
                    if dump_json(args) != function.get("arguments"):
                        out.notes.append("tool-call arguments rewritten as canonical JSON")
                    items.append({"name": function.get("name"), "arguments": args})
                calls += len(items)
                turns.append(
                    {"from": "function_call", "value": dump_json(items[0] if len(items) == 1 else items)}
                )
            else:
                turns.append({"from": "gpt", "value": _plain(message, path, images)})
        elif role == "tool":
            if turns and turns[-1]["from"] == "observation":
                raise Refusal(
                    path, f"{WHO} alternates turns: two tool results in a row cannot be said", INEXPRESSIBLE
                )
            content = message.get("content")
            if not isinstance(content, str):
                raise Refusal((*path, "content"), "a tool result must be text here", INEXPRESSIBLE)
            turns.append({"from": "observation", "value": content})
        else:
            raise Refusal((*path, "role"), f"{WHO} has no {role!r} turn here", INEXPRESSIBLE)
    out.record["conversations"] = turns
    if "input" in record:
        for key, name in (("preferred_output", "chosen"), ("non_preferred_output", "rejected")):
            answer = require_list(record.get(key), (key,), key)
            if len(answer) != 1 or not isinstance(answer[0], dict) or answer[0].get("tool_calls"):
                raise Refusal((key,), f"a {WHO} {name} answer is one text turn", INEXPRESSIBLE)
            weight_note(answer[0], (key, 0), WHO, out.notes)
            out.record[name] = {"from": "gpt", "value": _plain(answer[0], (key, 0), images)}
    if tools is not None:
        out.record["tools"] = dump_json(
            [
                _function(t, (*prefix[:-1], "tools", i))
                for i, t in enumerate(require_list(tools, (*prefix[:-1], "tools"), "tools"))
            ]
        )
    if images:
        out.record["images"] = images
    for key, value in record.items():
        if key == "label":
            out.record["kto_tag"] = value
        elif key not in ("messages", "tools", "input", "preferred_output", "non_preferred_output"):
            out.record[key] = value
    return out


def _plain(message: dict[str, Any], path: PathT, images: list[str]) -> str:
    """A message's content as text with `<image>` where its images were."""
    text = []
    for kind, value in content_pieces(message.get("content"), (*path, "content")):
        if kind == "image":
            images.append(value)
            text.append(IMAGE)
        elif IMAGE in value:
            raise Refusal(
                (*path, "content"),
                f"the text holds {IMAGE}, which {WHO} reads as an image placeholder",
                INEXPRESSIBLE,
            )
        else:
            text.append(value)
    return "".join(text)


def _function(tool: Any, path: PathT) -> dict[str, Any]:
    tool = require_dict(tool, path, "a tool")
    if tool.get("type") != "function" or set(tool) != {"type", "function"}:
        raise Refusal(path, f"only function tools have a {WHO} equivalent", INEXPRESSIBLE)
    return require_dict(tool["function"], (*path, "function"), "function")


def dataset_info_entry(file_name: str, *, preference: bool = False, images: bool = False) -> dict[str, Any]:
    """The dataset_info.json entry that loads what from_chat writes."""
    columns = {"messages": "conversations", "system": "system", "tools": "tools"}
    if images:
        columns["images"] = "images"
    if preference:
        columns |= {"chosen": "chosen", "rejected": "rejected"}
    entry: dict[str, Any] = {"file_name": file_name, "formatting": "sharegpt", "columns": columns}
    if preference:
        entry["ranking"] = True
    return entry


FORMAT = NativeFormat(
    name="llama-factory",
    title="LLaMA-Factory (alpaca, sharegpt or openai layouts of dataset_info.json; ranking, kto_tag, images)",
    detect=detect,
    to_chat=to_chat,
    from_chat=from_chat,
    targets=("llama-factory",),
    source="hiyouga/LLaMA-Factory data/README.md",
)
