"""Templates that name columns and nothing else: `Title: {title}`.

`{{` and `}}` are literal braces. Attribute or index access (`{a.b}`, `{a[0]}`), conversions and format specs
(`{a!r}`, `{a:>10}`) and anything that looks like code are refused with a MappingError: a template is never
evaluated, only filled with column values. Values are rendered as text here too; nothing else alters the text.
"""

from __future__ import annotations

import datetime
import decimal
import json
import math
from dataclasses import dataclass
from typing import Any, Literal

from dataprep.errors import MappingError

ListFormat = Literal["json", "lines", "bullets"]
LIST_FORMATS: tuple[ListFormat, ...] = ("json", "lines", "bullets")

_REFUSED = (
    (".[]", "uses attribute or index access"),
    ("!", "has a conversion (!r, !s)"),
    (":", "has a format spec"),
    ("()'\"\\", "looks like code"),
)


@dataclass(frozen=True, slots=True)
class Field:
    column: str


@dataclass(frozen=True, slots=True)
class Template:
    """A parsed template: literal text and column references, in order."""

    text: str
    parts: tuple[str | Field, ...]
    columns: tuple[str, ...] = ()  # the columns named, each once, in order (filled by `make`)
    constant: str | None = None  # the whole text when no column is named

    @classmethod
    def make(cls, text: str, parts: tuple[str | Field, ...]) -> Template:
        columns = tuple(dict.fromkeys(p.column for p in parts if isinstance(p, Field)))
        constant = None if columns else "".join(p for p in parts if isinstance(p, str))
        return cls(text, parts, columns, constant)

    def render(self, values: dict[str, str]) -> str:
        if self.constant is not None:
            return self.constant
        return "".join(p if isinstance(p, str) else values[p.column] for p in self.parts)


def literal(text: str) -> Template:
    """A template holding `text` as is (no column references)."""
    return Template.make(escape(text), (text,) if text else ())


def escape(text: str) -> str:
    """Template source that renders as `text`."""
    return text.replace("{", "{{").replace("}", "}}")


def parse_template(text: str, where: str) -> Template:
    """Parse `text`; `where` names it in errors (e.g. `--user` or `mapping.toml: messages[2].content`)."""
    if not isinstance(text, str):
        raise MappingError(f"{where}: a template must be a string, found {type(text).__name__}")
    parts: list[str | Field] = []
    literal_text: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "}":
            if text.startswith("}}", i):
                literal_text.append("}")
                i += 2
                continue
            raise MappingError(f"{where}: single '}}' at position {i + 1}; write '}}}}' for a literal brace")
        if char != "{":
            literal_text.append(char)
            i += 1
            continue
        if text.startswith("{{", i):
            literal_text.append("{")
            i += 2
            continue
        end = text.find("}", i + 1)
        nested = text.find("{", i + 1)
        if end < 0 or (0 <= nested < end):
            raise MappingError(
                f"{where}: '{{' at position {i + 1} is not closed; write '{{{{' for a literal brace"
            )
        name = text[i + 1 : end]
        _check_name(name, where)
        if literal_text:
            parts.append("".join(literal_text))
            literal_text = []
        parts.append(Field(name))
        i = end + 1
    if literal_text:
        parts.append("".join(literal_text))
    return Template.make(text, tuple(parts))


def _check_name(name: str, where: str) -> None:
    shown = "{" + name + "}"
    if not name.strip():
        raise MappingError(
            f"{where}: '{shown}' names no column; write {{column}}, or '{{{{' for a literal brace"
        )
    for chars, what in _REFUSED:
        if any(c in name for c in chars):
            base = name
            for c in ".[!:(":
                base = base.split(c, 1)[0]
            hint = f", e.g. {{{base.strip()}}}" if base.strip() and base.strip() != name else ""
            raise MappingError(f"{where}: '{shown}' {what}; templates name columns only{hint}")
    if name != name.strip():
        raise MappingError(f"{where}: '{shown}' has spaces around the column name; write {{{name.strip()}}}")


def is_empty(value: Any) -> bool:
    """None, '', NaN and empty lists/dicts count as empty; whitespace is text and is kept."""
    if value is None or value == "":
        return True
    if isinstance(value, float):
        return math.isnan(value)
    if isinstance(value, (list, tuple, dict)):
        return len(value) == 0
    return False


def render_value(value: Any, fmt: ListFormat) -> str:
    """Text for a column value. Strings are returned unchanged, except that with `lines` or `bullets` a
    string holding a JSON list or object (as CSV exports of lists do) is parsed and formatted."""
    if isinstance(value, str):
        if fmt != "json" and value[:1] in ("[", "{"):
            try:
                parsed = json.loads(value)
            except ValueError:
                return value
            if isinstance(parsed, (list, dict)):
                return _format_container(parsed, fmt)
        return value
    if isinstance(value, (list, tuple, dict)):
        return _format_container(value, fmt)
    return _scalar(value)


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, decimal.Decimal)):
        return str(value)
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            raise ValueError("holds bytes that are not UTF-8 text") from None
    return str(value)


def _json(value: Any) -> str:
    # Python's default separators: the form RecipeNLG-style CSV exports use for their list columns.
    return json.dumps(value, ensure_ascii=False, default=_scalar)


def _format_container(value: Any, fmt: ListFormat) -> str:
    if fmt == "json":
        return _json(value)
    if isinstance(value, dict):
        items = [f"{k}: {_item(v)}" for k, v in value.items()]
    else:
        items = [_item(v) for v in value]
    if fmt == "bullets":
        items = [f"- {item}" for item in items]
    return "\n".join(items)


def _item(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple, dict)):
        return _json(value)
    return _scalar(value)
