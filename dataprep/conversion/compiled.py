"""A mapping of template messages compiled once, for convert's common case: rows whose every template column
holds non-empty text used as written.

`compile_rows(mapping)` gives a function row (dict) -> record, and `compile_lines(mapping, header)` a function
row (CSV fields) -> the record's JSON line; either returns None for any other row (an empty or missing value,
a number, a list), which the caller then builds with `RecordBuilder`. A row gets the same record either way:
only the common rows skip the general path's checks and lookups. Both are None for a mapping they do not
cover (a group, message lists, tools, images, preference or KTO records, a weight column, a list format that
renders text).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

import orjson

from dataprep.conversion.mapping import ChatMapping, TemplateMessage
from dataprep.conversion.templates import Field, is_empty

RowBuilder = Callable[[dict[str, Any]], "dict[str, Any] | None"]
LineBuilder = Callable[[list[str]], "bytes | None"]


@dataclass(frozen=True, slots=True)
class _Message:
    role: str
    segments: tuple[str | int, ...]  # literal text, and positions in the plan's columns, in order
    weight: int | None


@dataclass(frozen=True, slots=True)
class _Plan:
    columns: tuple[str, ...]  # every template column, once: a row qualifies when each holds non-empty text
    messages: tuple[_Message, ...]
    copy: tuple[str, ...]  # columns copied into the record when not empty


def _plan(mapping: ChatMapping) -> _Plan | None:
    if (
        mapping.group is not None
        or mapping.tools is not None
        or mapping.images is not None
        or mapping.output != "chat"
        or not mapping.messages
    ):
        return None
    columns: list[str] = []
    messages: list[_Message] = []
    for spec in mapping.messages:
        if not isinstance(spec, TemplateMessage) or spec.weight_column is not None or not spec.parts:
            return None
        segments: list[str | int] = []
        for number, part in enumerate(spec.parts):
            if number:
                segments.append(spec.join)
            for piece in part.parts:
                if isinstance(piece, Field):
                    if mapping.formats.get(piece.column, mapping.list_format) != "json":
                        return None  # the list format renders this column's text: the general path
                    if piece.column not in columns:
                        columns.append(piece.column)
                    segments.append(columns.index(piece.column))
                else:
                    segments.append(piece)
        messages.append(_Message(spec.role, tuple(segments), spec.weight))
    # The general path skips a copied column named like a key it wrote, and keeps a column's first value.
    copy = tuple(dict.fromkeys(c for c in mapping.copy if c != "messages"))
    return _Plan(tuple(columns), tuple(messages), copy)


def _positions(segments: Sequence[str | int]) -> list[int]:
    return [s for s in segments if isinstance(s, int)]


def _getter(positions: Sequence[int]) -> Callable[[Sequence[Any]], tuple[Any, ...]]:
    """itemgetter that always gives a tuple (itemgetter of one position gives the item)."""
    if not positions:
        return lambda items: ()
    if len(positions) == 1:
        only = positions[0]
        return lambda items: (items[only],)
    return itemgetter(*positions)


def compile_rows(mapping: ChatMapping) -> RowBuilder | None:
    """The fast builder of `mapping`'s records from rows as dicts (see the module's docstring)."""
    plan = _plan(mapping)
    if plan is None:
        return None
    columns, copy = plan.columns, plan.copy
    # Each message's text as a %-format (values are text, put in as they are) and what fills it.
    messages = []
    for message in plan.messages:
        positions = _positions(message.segments)
        if positions:
            layout = "".join("%s" if isinstance(s, int) else s.replace("%", "%%") for s in message.segments)
        else:
            layout = "".join(s for s in message.segments if isinstance(s, str))
        messages.append((message.role, layout, _getter(positions) if positions else None, message.weight))

    def build(row: dict[str, Any]) -> dict[str, Any] | None:
        get = row.get
        found = [get(name) for name in columns]
        for value in found:
            if type(value) is not str or not value:
                return None  # empty, missing or not text: the general path decides
        out = []
        for role, layout, fill, weight in messages:
            message: dict[str, Any] = {"role": role, "content": layout % fill(found) if fill else layout}
            if weight is not None:
                message["weight"] = weight
            out.append(message)
        record: dict[str, Any] = {"messages": out}
        for name in copy:
            value = get(name)
            if not is_empty(value):
                record[name] = value
        return record

    return build


def compile_lines(mapping: ChatMapping, header: Sequence[str]) -> LineBuilder | None:
    """For rows as lists of text fields under `header` (CSV): a function giving the bytes
    `orjson.dumps(record, option=OPT_APPEND_NEWLINE)` writes for the row's record, or None for a row the
    general path must build. None also when a column the templates name is not in the header.

    The line is put together from the record's fixed JSON text and each value's JSON string text: JSON escapes
    a string character by character, so the text of a concatenation is the concatenation of the texts, and
    no record object is built or serialised."""
    plan = _plan(mapping)
    if plan is None:
        return None
    index = {name: i for i, name in enumerate(header)}  # a repeated (empty) name: its last, as in a dict
    if any(name not in index for name in plan.columns):
        return None
    values = _getter([index[name] for name in plan.columns])
    dumps = orjson.dumps
    # The line as a bytes %-format: fixed JSON text, and a %b for each value's JSON string text.
    layout: list[bytes] = [b'{"messages":[']
    order: list[int] = []
    for number, message in enumerate(plan.messages):
        layout.append(b'%s{"role":%s,"content":"' % (b"," if number else b"", dumps(message.role)))
        for segment in message.segments:
            if isinstance(segment, int):
                layout.append(b"%b")
                order.append(segment)
            else:
                layout.append(dumps(segment)[1:-1].replace(b"%", b"%%"))
        weight = b',"weight":%s' % dumps(message.weight) if message.weight is not None else b""
        layout.append(b'"' + weight + b"}")
    layout.append(b"]")
    text = b"".join(layout)
    arrange = _getter(order) if order else None
    if arrange is None:
        text = text % ()  # no value to put in: the fixed text, its %% undone
    kept = [(b",%s:" % dumps(name), index[name]) for name in plan.copy if name in index]

    if not kept:
        text += b"}\n"  # the line's end is fixed too

    def line(fields: list[str]) -> bytes | None:
        found = values(fields)
        if "" in found:
            return None  # an empty value: optional, defaulted or rejected by the general path
        out = text % arrange([dumps(v)[1:-1] for v in found]) if arrange is not None else text
        if kept:
            copied = [key + dumps(fields[i]) for key, i in kept if fields[i]]
            return out + b"".join(copied) + b"}\n"
        return out

    return line
