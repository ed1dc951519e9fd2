"""What a native format module gives: records read into chat records (with where each part came from) and chat
records written out, or a Refusal naming the JSON path and why.

A Refusal is either `invalid` (the record breaks its own format: the provider would refuse it) or
`inexpressible` (the record is fine, but the other side has no place for something in it: a PDF part has no
chat equivalent, a message weight has no Vertex equivalent). Nothing is dropped without a word: what is dropped
on purpose because it carries no information (a weight of 1 where every turn is trained) is a note.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from dataprep.schema.explain import format_path

PathT = tuple[str | int, ...]
RefusalKind = Literal["invalid", "inexpressible"]
INVALID: RefusalKind = "invalid"
INEXPRESSIBLE: RefusalKind = "inexpressible"


class Refusal(Exception):
    """A record one side cannot take, at a JSON path (of the record being read or written)."""

    def __init__(
        self, path: PathT, message: str, kind: Literal["invalid", "inexpressible"] = INVALID
    ) -> None:
        super().__init__(message)
        self.path = path
        self.message = message
        self.kind = kind

    @property
    def json_path(self) -> str:
        return format_path(self.path) or "record"

    def describe(self) -> str:
        return f"{self.json_path}: {self.message}"


@dataclass(slots=True)
class Native:
    """A native record read as a chat (or preference) record. `origins` maps a chat JSON path prefix to the
    native path it came from (`messages[2]` -> `contents[1]`), so findings on the chat record point at the
    native line's own fields."""

    record: dict[str, Any]
    kind: Literal["chat", "preference"] = "chat"
    origins: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Written:
    """A chat record written in a native shape, with what was dropped on purpose (notes)."""

    record: dict[str, Any]
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class NativeFormat:
    """One native format: how to recognise, read and write its records."""

    name: str
    title: str
    detect: Callable[[dict[str, Any]], bool]
    to_chat: Callable[[dict[str, Any]], Native]
    from_chat: Callable[[dict[str, Any]], Written]
    targets: tuple[str, ...]  # the targets (dataprep/data/targets.toml) that train on it
    source: str  # where the shape is documented


def translate(json_path: str | None, origins: dict[str, str]) -> str | None:
    """A chat JSON path as the native record's path: the longest known prefix is replaced."""
    if not json_path or not origins:
        return json_path
    best = ""
    for prefix in origins:
        if len(prefix) > len(best) and (
            json_path == prefix or json_path.startswith(prefix + ".") or json_path.startswith(prefix + "[")
        ):
            best = prefix
    return origins[best] + json_path[len(best) :] if best else json_path


def show(path: PathT) -> str:
    return format_path(path) or "record"


def dump_json(value: Any) -> str:
    """JSON text as Python's json module writes it by default (how most tool-call arguments are written)."""
    return json.dumps(value, ensure_ascii=False)


def parse_arguments(text: Any, path: PathT) -> dict[str, Any]:
    """Tool-call arguments (JSON text) as the object a native format stores."""
    if isinstance(text, dict):
        return text
    if not isinstance(text, str):
        raise Refusal(path, "arguments must be JSON text")
    try:
        value = json.loads(text)
    except ValueError:
        raise Refusal(path, "arguments are not valid JSON", INEXPRESSIBLE) from None
    if not isinstance(value, dict):
        raise Refusal(path, "arguments are JSON but not an object", INEXPRESSIBLE)
    return value


def require_list(value: Any, path: PathT, what: str, *, empty: bool = False) -> list[Any]:
    if not isinstance(value, list):
        raise Refusal(path, f"{what} must be a list, not {type_name(value)}")
    if not value and not empty:
        raise Refusal(path, f"{what} is empty")
    return value


def require_dict(value: Any, path: PathT, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise Refusal(path, f"{what} must be an object, not {type_name(value)}")
    return value


def require_str(value: Any, path: PathT, what: str) -> str:
    if not isinstance(value, str):
        raise Refusal(path, f"{what} must be a string, not {type_name(value)}")
    return value


def type_name(value: Any) -> str:
    if value is None:
        return "null"
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}.get(
        type(value), "a number" if isinstance(value, (int, float)) else type(value).__name__
    )


def only_keys(value: dict[str, Any], allowed: set[str], path: PathT, who: str) -> None:
    """A key the format does not define is refused: a typo would otherwise be lost on conversion."""
    for key in value:
        if key not in allowed:
            raise Refusal((*path, key), f"not a field of {who} ({', '.join(sorted(allowed))})")


def content_pieces(content: Any, path: PathT) -> list[tuple[str, str]]:
    """A chat message's content as (kind, value) pieces: ("text", text) or ("image", url)."""
    if content is None:
        return []
    if isinstance(content, str):
        return [("text", content)]
    pieces: list[tuple[str, str]] = []
    for i, part in enumerate(require_list(content, path, "content", empty=True)):
        part = require_dict(part, (*path, i), "a content part")
        kind = part.get("type")
        if kind == "text" and isinstance(part.get("text"), str) and set(part) == {"type", "text"}:
            pieces.append(("text", part["text"]))
        elif (
            kind == "image_url"
            and isinstance(part.get("image_url"), dict)
            and set(part) == {"type", "image_url"}
        ):
            image = part["image_url"]
            if set(image) != {"url"} or not isinstance(image["url"], str):
                raise Refusal(
                    (*path, i, "image_url"), "only the image's url can be carried over", INEXPRESSIBLE
                )
            pieces.append(("image", image["url"]))
        else:
            raise Refusal(
                (*path, i), f"a content part of type {kind!r} has no equivalent here", INEXPRESSIBLE
            )
    return pieces


def chat_content(pieces: list[tuple[str, str]]) -> str | list[dict[str, Any]] | None:
    """(kind, value) pieces as chat content: one text is a string, anything else a list of parts."""
    if not pieces:
        return None
    if len(pieces) == 1 and pieces[0][0] == "text":
        return pieces[0][1]
    return [
        {"type": "text", "text": value}
        if kind == "text"
        else {"type": "image_url", "image_url": {"url": value}}
        for kind, value in pieces
    ]


def weight_note(message: dict[str, Any], path: PathT, who: str, notes: list[str]) -> None:
    """Weight 1 is what every trained turn gets anyway (a note); weight 0 cannot be said (a refusal)."""
    if "weight" not in message:
        return
    if message["weight"] == 0:
        raise Refusal(
            (*path, "weight"),
            f"{who} has no per-message weight: this turn would be trained on",
            INEXPRESSIBLE,
        )
    notes.append(f"weight 1 dropped ({who} trains on every assistant turn)")


def tool_call_note(calls: list[dict[str, Any]], start: int, notes: list[str], who: str) -> None:
    """Formats without call ids get call_1, call_2, ... back; other ids are lost, and said so."""
    for offset, call in enumerate(calls):
        if not isinstance(call, dict) or call.get("id") != f"call_{start + offset}":
            notes.append(f"tool-call ids not kept ({who} has none; read back as call_1, call_2, ...)")
            return
