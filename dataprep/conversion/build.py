"""Build chat records from source rows with a ChatMapping.

A row that cannot give a record raises RowProblem(reason, message); the pipeline turns it into a reject. These
are the only record checks done here: whatever a valid record must look like beyond that is the validator's job.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from dataprep.conversion.images import ImageOptions, attach_images, image_list
from dataprep.conversion.mapping import (
    ROLES,
    TOOL_CALL,
    ChatMapping,
    ListMessages,
    PairMessages,
    TemplateMessage,
)
from dataprep.conversion.outputs import answer_messages, kto_label, kto_record, maybe_json, preference_record
from dataprep.conversion.row_problem import RowProblem
from dataprep.conversion.templates import Template, is_empty, render_value

_ABSENT = object()
__all__ = ["RecordBuilder", "RowProblem"]


class RecordBuilder:
    """Turns one row (or, in group mode, the rows of one conversation) into a chat record."""

    def __init__(self, mapping: ChatMapping, images: ImageOptions | None = None) -> None:
        self.mapping = mapping
        self.image_options = images or ImageOptions()
        aliases = {role: role for role in ROLES}
        aliases.update(mapping.roles)
        self._aliases = aliases
        self._folded = {k.casefold(): v for k, v in aliases.items()}
        # Columns whose string values are used as written (JSON list format): the fast path of `text`.
        self._plain = {
            c: mapping.formats.get(c, mapping.list_format) == "json" for c in mapping.referenced_columns()
        }

    # -- values ----------------------------------------------------------------------------------------------

    def text(self, row: dict[str, Any], column: str) -> str | None:
        """The text of `column`, or None when it is empty and optional (what uses it is left out)."""
        value = row.get(column, _ABSENT)
        if type(value) is str and value and self._plain.get(column, False):
            return value  # the common case (CSV text, JSON format): nothing to render
        if value is _ABSENT or is_empty(value):
            mapping = self.mapping
            if column in mapping.defaults:
                return mapping.defaults[column]
            if column in mapping.optional:
                return None
            if mapping.missing == "empty":
                return ""
            raise RowProblem(
                "missing-value", f"column {column!r} is {'missing' if value is _ABSENT else 'empty'}"
            )
        try:
            return render_value(value, self.mapping.formats.get(column, self.mapping.list_format))
        except ValueError as exc:
            raise RowProblem("bad-value", f"column {column!r} {exc}") from None

    def render(self, template: Template, row: dict[str, Any]) -> str | None:
        if template.constant is not None:
            return template.constant
        values: dict[str, str] = {}
        for column in template.columns:
            text = self.text(row, column)
            if text is None:
                return None
            values[column] = text
        return template.render(values)

    def structured(self, row: dict[str, Any], column: str, what: str) -> Any:
        """A list/dict value, parsed from JSON text when the source stores it as text (CSV). None = empty."""
        value = row.get(column, _ABSENT)
        if value is _ABSENT or is_empty(value):
            if column in self.mapping.optional or self.mapping.missing == "empty":
                return None
            raise RowProblem(
                "missing-value", f"column {column!r} is {'missing' if value is _ABSENT else 'empty'}"
            )
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError as exc:
                raise RowProblem(f"bad-{what}", f"column {column!r} is not valid JSON: {exc}") from None
            except RecursionError:
                raise RowProblem(
                    f"bad-{what}", f"column {column!r} is JSON nested too deeply to read"
                ) from None
        return value

    def role(self, value: Any) -> str:
        if isinstance(value, str):
            found = self._aliases.get(value) or self._folded.get(value.casefold())
            if found is not None:
                return found
        known = ", ".join(sorted(self._aliases))
        raise RowProblem(
            "unknown-role",
            f"role {value!r} is not a chat role or alias (known: {known}); add it under [roles]",
        )

    def weight(self, row: dict[str, Any], column: str) -> int | None:
        value = row.get(column, _ABSENT)
        if value is _ABSENT or is_empty(value):
            if column in self.mapping.optional:
                return None
            raise RowProblem(
                "missing-value", f"column {column!r} is {'missing' if value is _ABSENT else 'empty'}"
            )
        text = str(value).strip().lower()
        if text in ("1", "1.0", "true", "yes"):
            return 1
        if text in ("0", "0.0", "false", "no"):
            return 0
        raise RowProblem("bad-weight", f"column {column!r}: weight must be 0 or 1, found {value!r}")

    # -- records ---------------------------------------------------------------------------------------------

    def build(self, row: dict[str, Any], base: Path | None = None) -> dict[str, Any]:
        """One row -> one record (chat, preference or KTO: `mapping.output`). `base`: the folder of the row's
        input file, where relative image paths are found."""
        calls = _CallIds()
        messages: list[dict[str, Any]] = []
        mapping = self.mapping
        for spec in mapping.messages:
            messages += self._messages(spec, row, calls)
        if mapping.images is not None:
            messages = self._with_images(messages, row, mapping.images, base)
        if mapping.chosen is not None and mapping.rejected is not None:
            chosen = answer_messages(row.get(mapping.chosen), mapping.chosen, self.role)
            rejected = answer_messages(row.get(mapping.rejected), mapping.rejected, self.role)
            return preference_record(messages, chosen, rejected, self._tools(row))
        if not messages:
            raise RowProblem(
                "no-messages", "the mapping gives no messages for this row (every value is empty)"
            )
        if mapping.label is not None:
            return kto_record(messages, kto_label(row.get(mapping.label), mapping.label), self._tools(row))
        return self._record(messages, row)

    def _with_images(
        self, messages: list[dict[str, Any]], row: dict[str, Any], column: str, base: Path | None
    ) -> list[dict[str, Any]]:
        value = row.get(column)
        if is_empty(value):
            if column not in self.mapping.optional:
                raise RowProblem(
                    "missing-value", f"column {column!r} is {'missing' if value is None else 'empty'}"
                )
            images: list[str] = []
        else:
            images = image_list(value, column)
        return attach_images(messages, images, self.image_options, base)

    def _tools(self, row: dict[str, Any]) -> list[Any] | None:
        if self.mapping.tools is None:
            return None
        tools = self.structured(row, self.mapping.tools, "tools")
        return None if tools is None else _tools(tools, self.mapping.tools)

    def build_group(
        self, rows: Sequence[dict[str, Any]]
    ) -> tuple[dict[str, Any], list[tuple[int, RowProblem]]]:
        """The rows of one conversation (already ordered) -> one record. Problems are returned per row index
        so the caller can reject every row of a broken conversation with the row at fault named."""
        group = self.mapping.group
        assert group is not None
        calls = _CallIds()
        messages: list[dict[str, Any]] = []
        problems: list[tuple[int, RowProblem]] = []
        try:
            for spec in self.mapping.messages:
                messages += self._messages(spec, rows[0], calls)
        except RowProblem as problem:
            problems.append((0, problem))
        for index, row in enumerate(rows):
            try:
                role = self.role(row.get(group.role_column))
                content = self.render(group.content, row)
                message = self._aliased_message(role, content, calls, {})
                if group.weight_column is not None and message["role"] == "assistant":
                    weight = self.weight(row, group.weight_column)
                    if weight is not None:
                        message["weight"] = weight
                messages.append(message)
            except RowProblem as problem:
                problems.append((index, problem))
        if problems:
            return {}, problems
        try:
            return self._record(messages, rows[0]), []
        except RowProblem as problem:
            return {}, [(0, problem)]

    def _record(self, messages: list[dict[str, Any]], row: dict[str, Any]) -> dict[str, Any]:
        record: dict[str, Any] = {"messages": messages}
        tools = self._tools(row)
        if tools is not None:
            record["tools"] = tools
        for column in self.mapping.copy:
            value = row.get(column)
            if not is_empty(value) and column not in record:
                record[column] = value
        return record

    def _messages(self, spec: Any, row: dict[str, Any], calls: _CallIds) -> list[dict[str, Any]]:
        if isinstance(spec, TemplateMessage):
            return self._template_message(spec, row)
        if isinstance(spec, ListMessages):
            return self._list_messages(spec, row, calls)
        assert isinstance(spec, PairMessages)
        return self._pairs(spec, row)

    def _template_message(self, spec: TemplateMessage, row: dict[str, Any]) -> list[dict[str, Any]]:
        parts = [self.render(part, row) for part in spec.parts]
        kept = [p for p in parts if p is not None]
        if not kept:
            return []
        message: dict[str, Any] = {"role": spec.role, "content": spec.join.join(kept)}
        if spec.weight is not None:
            message["weight"] = spec.weight
        elif spec.weight_column is not None:
            weight = self.weight(row, spec.weight_column)
            if weight is not None:
                message["weight"] = weight
        return [message]

    def _list_messages(
        self, spec: ListMessages, row: dict[str, Any], calls: _CallIds
    ) -> list[dict[str, Any]]:
        if spec.text_role is not None:
            text = row.get(spec.column)
            if isinstance(text, str) and not isinstance(maybe_json(text), list):
                # TRL's standard (string) prompts and completions: the text is one message
                return [{"role": spec.text_role, "content": text}] if text else self._empty(spec.column)
        items = self.structured(row, spec.column, "messages")
        if items is None:
            return []
        if not isinstance(items, list):
            raise RowProblem("bad-messages", f"column {spec.column!r} must hold a list of messages")
        out: list[dict[str, Any]] = []
        for index, item in enumerate(items):
            if not isinstance(item, dict) or spec.role_key not in item:
                raise RowProblem(
                    "bad-messages", f"{spec.column}[{index}] must be an object with a {spec.role_key!r} key"
                )
            extra = {k: v for k, v in item.items() if k not in (spec.role_key, spec.content_key)}
            content = item.get(spec.content_key, _ABSENT)
            try:
                role = self.role(item[spec.role_key])
                out.append(self._aliased_message(role, content, calls, extra if spec.keep_keys else {}))
            except RowProblem as problem:
                raise RowProblem(problem.reason, f"{spec.column}[{index}]: {problem.message}") from None
        return out

    def _empty(self, column: str) -> list[dict[str, Any]]:
        if column in self.mapping.optional or self.mapping.missing == "empty":
            return []
        raise RowProblem("missing-value", f"column {column!r} is empty")

    def _aliased_message(
        self, role: str, content: Any, calls: _CallIds, extra: dict[str, Any]
    ) -> dict[str, Any]:
        if role == TOOL_CALL:
            message: dict[str, Any] = {"role": "assistant", "tool_calls": calls.make(content)}
            message.update(extra)
            return message
        message = {"role": role} if content is _ABSENT else {"role": role, "content": content}
        message.update(extra)
        if extra.get("tool_calls"):
            calls.explicit = (
                True  # calls written by the source itself (chat records): their ids are the source's
            )
        if role == "tool" and "tool_call_id" not in message:
            call_id = calls.answer()
            if call_id is not None:
                message["tool_call_id"] = call_id
            elif not calls.explicit:
                # A tool result answering no call cannot be written faithfully: a tool message without a call
                # before it is not a chat record, and dropping or re-roling the turn would change what is trained.
                raise RowProblem(
                    "orphan-tool-result",
                    "a tool result (observation) with no function call before it to answer; add the "
                    "function_call turn, or remove the observation",
                )
        return message

    def _pairs(self, spec: PairMessages, row: dict[str, Any]) -> list[dict[str, Any]]:
        pairs = self.structured(row, spec.column, "history")
        if pairs is None:
            return []
        ok = isinstance(pairs, list) and all(isinstance(p, (list, tuple)) and len(p) == 2 for p in pairs)
        if not ok:
            raise RowProblem(
                "bad-history", f"column {spec.column!r} must hold a list of [user, assistant] pairs"
            )
        out: list[dict[str, Any]] = []
        for user, assistant in pairs:
            out += [{"role": "user", "content": user}, {"role": "assistant", "content": assistant}]
        return out


class _CallIds:
    """Deterministic tool-call ids within one example (call_1, call_2, ...), handed to tool results in order."""

    def __init__(self) -> None:
        self.count = 0
        self.pending: list[str] = []
        self.explicit = False  # the source wrote its own tool_calls (then tool messages carry their own ids)

    def make(self, value: Any) -> list[dict[str, Any]]:
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except (ValueError, RecursionError):
                raise RowProblem(
                    "bad-tool-call", "a function call must be JSON with 'name' and 'arguments'"
                ) from None
        items = value if isinstance(value, list) else [value]
        out = []
        for item in items:
            if not isinstance(item, dict) or not isinstance(item.get("name"), str):
                raise RowProblem("bad-tool-call", "a function call must be an object with a 'name'")
            arguments = item.get("arguments", {})
            if not isinstance(arguments, str):
                arguments = json.dumps(arguments, ensure_ascii=False)
            self.count += 1
            call_id = f"call_{self.count}"
            self.pending.append(call_id)
            out.append(
                {
                    "id": call_id,
                    "type": "function",
                    "function": {"name": item["name"], "arguments": arguments},
                }
            )
        return out

    def answer(self) -> str | None:
        return self.pending.pop(0) if self.pending else None


def _tools(value: Any, column: str) -> list[Any]:
    if not isinstance(value, list):
        raise RowProblem("bad-tools", f"column {column!r} must hold a list of tool definitions")
    return list(_wrap_tools(value))


def _wrap_tools(items: Iterable[Any]) -> Iterable[Any]:
    # ShareGPT-style tools are bare function definitions; chat records want {"type": "function", "function": ...}.
    for item in items:
        if isinstance(item, dict) and "type" not in item and "name" in item:
            yield {"type": "function", "function": item}
        else:
            yield item
