"""What a record says, as segments: one per message (role, human text, everything else) plus the record's head.

Duplicate checks compare what an example says, so every record shape is flattened the same way:
- `texts` hold what people wrote: text content and the names and arguments of tool calls (near-duplicates
  are measured on these);
- `metas` hold the rest of a message as canonical JSON (tool-call ids, `name`, `weight`, image parts), so
  the normalised hash still tells such examples apart;
- `head` is record-level data outside the messages (`tools`, `functions`, ...): part of the prompt;
- `answer_start` splits prompt from answer for conflict checks: the last assistant message of a chat record,
  the completion of a prompt/completion record; -1 where there is no such split (preference records, which
  legitimately pair one prompt with several answers, and records of unknown shape).
Never raises on any JSON value: records that failed the schema still get a digest.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from dataprep.dedup.canonical import canonical_text
from dataprep.schema.checks import detect_kind
from dataprep.types import Kind

_MESSAGE_KEYS = ("role", "content")


class Segments(NamedTuple):
    roles: list[str]
    texts: list[str]
    metas: list[str]
    head: str
    answer_start: int


def extract(record: Any, kind: Kind | None) -> Segments:
    """Segments of `record` read as `kind` (detected from the keys when None or when it does not fit)."""
    if not isinstance(record, dict):
        return Segments(["value"], [_strings(record)], [canonical_text(record)], "", -1)
    if kind is Kind.CHAT and type(record.get("messages")) is list:  # the common case first
        return _chat(record)
    shape = kind if kind is not None and _fits(record, kind) else detect_kind(record)
    if shape is Kind.CHAT and _fits(record, shape):
        return _chat(record)
    if shape is Kind.PREFERENCE and _fits(record, shape):
        return _preference(record)
    if shape is Kind.COMPLETION:
        return _completion(record)
    return _generic(record)


def _fits(record: dict[str, Any], kind: Kind) -> bool:
    if kind is Kind.CHAT:
        return isinstance(record.get("messages"), list)
    if kind is Kind.PREFERENCE:
        return isinstance(record.get("input"), dict)
    return "prompt" in record or "completion" in record


def _chat(record: dict[str, Any]) -> Segments:
    out = Segments([], [], [], _head(record, ("messages",)) if len(record) > 1 else "", -1)
    _add_messages(out, record["messages"], "")
    roles = out.roles
    # The last assistant message; one with nothing before it has no prompt to conflict over.
    answer = next((i for i in range(len(roles) - 1, 0, -1) if roles[i] == "assistant"), -1)
    return out._replace(answer_start=answer)


def _preference(record: dict[str, Any]) -> Segments:
    inp: dict[str, Any] = record["input"]
    head = _join(_head(inp, ("messages",)), _head(record, ("input",), lists_of_messages=False))
    out = Segments([], [], [], head, -1)
    _add_messages(out, inp.get("messages"), "")
    for key in sorted(record):
        value = record[key]
        if key != "input" and _is_message_list(value):
            _add_messages(out, value, f"{key}:")
    return out


def _completion(record: dict[str, Any]) -> Segments:
    out = Segments([], [], [], _head(record, ("prompt", "completion")), 1)
    for key in ("prompt", "completion"):
        value = record.get(key)
        out.roles.append(key)
        out.texts.append(value if isinstance(value, str) else _strings(value))
        out.metas.append("" if isinstance(value, str) else canonical_text(value))
    return out


def _generic(record: dict[str, Any]) -> Segments:
    out = Segments([], [], [], "", -1)
    for key in sorted(record, key=str):
        value = record[key]
        out.roles.append(str(key))
        out.texts.append(value if isinstance(value, str) else _strings(value))
        out.metas.append("" if isinstance(value, str) else canonical_text(value))
    return out


def _add_messages(out: Segments, messages: Any, prefix: str) -> None:
    if not isinstance(messages, list):
        if messages is not None:
            out.roles.append(prefix)
            out.texts.append(_strings(messages))
            out.metas.append(canonical_text(messages))
        return
    roles, texts, metas = out.roles.append, out.texts.append, out.metas.append
    for message in messages:
        if not isinstance(message, dict):
            roles(prefix)
            texts(_strings(message))
            metas(canonical_text(message))
            continue
        role = message.get("role")
        content = message.get("content")
        if len(message) == 2 and type(content) is str and type(role) is str:
            roles(prefix + role if prefix else role)  # the common case, kept cheap
            texts(content)
            metas("")
            continue
        text, rest = _content(content)
        extras = {k: v for k, v in message.items() if k not in _MESSAGE_KEYS}
        if rest is not None:
            extras["content"] = rest
        calls = _call_text(message) if "tool_calls" in message or "function_call" in message else ""
        roles(prefix + (role if isinstance(role, str) else canonical_text(role)))
        texts(f"{text}\n{calls}" if calls else text)
        metas(canonical_text(extras) if extras else "")


def _content(content: Any) -> tuple[str, Any]:
    """(text, what is not text): a string, text parts joined by newlines, or nothing."""
    if isinstance(content, str):
        return content, None
    if content is None:
        return "", None
    if not isinstance(content, list):
        return _strings(content), content
    texts: list[str] = []
    others: list[Any] = []
    for part in content:
        text = part.get("text") if isinstance(part, dict) and part.get("type", "text") == "text" else None
        if isinstance(text, str):
            texts.append(text)
        else:
            others.append(part)
    return "\n".join(texts), (others or None)


def _call_text(message: dict[str, Any]) -> str:
    """Names and arguments of tool calls (and the legacy function_call): what the assistant said in them."""
    calls = message.get("tool_calls")
    functions = [c.get("function") for c in calls if isinstance(c, dict)] if isinstance(calls, list) else []
    functions.append(message.get("function_call"))
    parts: list[str] = []
    for fn in functions:
        if isinstance(fn, dict):
            parts.extend(v for v in (fn.get("name"), fn.get("arguments")) if isinstance(v, str))
    return "\n".join(parts)


def _head(record: dict[str, Any], skip: tuple[str, ...], *, lists_of_messages: bool = True) -> str:
    rest = {
        k: v for k, v in record.items() if k not in skip and (lists_of_messages or not _is_message_list(v))
    }
    return canonical_text(rest) if rest else ""


def _is_message_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(m, dict) and "role" in m for m in value) and bool(value)


def _join(*parts: str) -> str:
    return "\n".join(p for p in parts if p)


def _strings(value: Any) -> str:
    """Every string inside a JSON value, in document order, one per line (iterative: nesting may be deep)."""
    found: list[str] = []
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            found.append(item)
        elif isinstance(item, dict):
            stack.extend(reversed(list(item.values())))
        elif isinstance(item, (list, tuple)):
            stack.extend(reversed(item))
    return "\n".join(found)
