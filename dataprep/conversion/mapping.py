"""The declarative mapping from source rows to chat records: what a mapping file (TOML or YAML) may say, and
its compiled, checked form. Building records from rows lives in `build.py`.

A mapping file, in full (every key is optional except a message list or a [group] section):

    description = "one line shown by --list-presets"
    optional = ["system", "input"]   # columns that may be empty or absent: what uses them is left out
    missing = "reject"               # an empty required value: "reject" the row (default) or render "empty"
    list_format = "json"             # list/dict values: "json" (default), "lines" or "bullets"
    tools = "tools"                  # column holding tool definitions (JSON text or a list)
    copy = ["id"]                    # columns copied unchanged into the output record when present
    ignore_columns = ["chosen"]      # input columns to drop even though they change what is trained
    chosen = "chosen"                # preference pairs (both or neither): the preferred and the other answer;
    rejected = "rejected"            # the [[messages]] are the prompt (none: the shared start of the two)
    label = "label"                  # KTO: a true/false column; the last assistant message is the completion
    images = "images"                # image paths or URLs, one per <image> placeholder in the user messages

    [defaults]                       # text used when a column is empty
    input = "(none)"
    [formats]                        # list_format per column
    ingredients = "bullets"
    [roles]                          # role aliases for message lists and --role-column
    human = "user"

    [[messages]]                     # a message from templates
    role = "user"
    content = "{instruction}"        # or a list of parts, joined by `join` ("\n" by default)
    weight = 1                       # or weight_column = "train_on"
    [[messages]]
    from = "conversations"           # a column holding a list of messages
    role_key = "from"
    content_key = "value"
    keep_keys = false                # copy the other keys of each message
    [[messages]]
    pairs = "history"                # a column holding [[user, assistant], ...]

    [group]                          # one row per message: rows with the same `by` value form one example
    by = "ticket_id"
    order_by = "turn"
    role_column = "role"
    content = "{text}"
    weight_column = "train_on"
"""

from __future__ import annotations

import difflib
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from dataprep.conversion.templates import LIST_FORMATS, ListFormat, Template, escape, parse_template
from dataprep.errors import MappingError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROLES = ("system", "user", "assistant", "tool", "function", "developer")
TEMPLATE_ROLES = ("system", "user", "assistant")
TOOL_CALL = "tool_call"  # alias target: the value is a call ({name, arguments}) made by the assistant
MISSING_POLICIES = ("reject", "empty")

_TOP_KEYS = (
    "description",
    "optional",
    "missing",
    "list_format",
    "tools",
    "copy",
    "ignore_columns",
    "defaults",
    "formats",
    "roles",
    "chosen",
    "rejected",
    "label",
    "images",
)
_TEMPLATE_KEYS = ("role", "content", "join", "weight", "weight_column")
_LIST_KEYS = ("from", "role_key", "content_key", "keep_keys", "text_role")
_PAIR_KEYS = ("pairs",)
_GROUP_KEYS = ("by", "order_by", "role_column", "content", "weight_column")


@dataclass(frozen=True, slots=True)
class TemplateMessage:
    role: str
    parts: tuple[Template, ...]
    join: str = "\n"
    weight: int | None = None
    weight_column: str | None = None


@dataclass(frozen=True, slots=True)
class ListMessages:
    column: str
    role_key: str = "role"
    content_key: str = "content"
    keep_keys: bool = False
    text_role: str | None = (
        None  # plain text in the column is one message of this role (TRL's string prompts)
    )


@dataclass(frozen=True, slots=True)
class PairMessages:
    column: str


MessageSpec = TemplateMessage | ListMessages | PairMessages


@dataclass(frozen=True, slots=True)
class GroupSpec:
    by: str
    role_column: str
    content: Template
    order_by: str | None = None
    weight_column: str | None = None


@dataclass(frozen=True)
class ChatMapping:
    """A checked mapping. Build records with `dataprep.conversion.build.RecordBuilder`."""

    messages: tuple[MessageSpec, ...]
    group: GroupSpec | None = None
    optional: frozenset[str] = frozenset()
    defaults: Mapping[str, str] = field(default_factory=dict)
    missing: str = "reject"
    list_format: ListFormat = "json"
    formats: Mapping[str, ListFormat] = field(default_factory=dict)
    roles: Mapping[str, str] = field(default_factory=dict)
    tools: str | None = None
    copy: tuple[str, ...] = ()
    ignore_columns: frozenset[str] = frozenset()
    description: str = ""
    chosen: str | None = None  # preference pairs: OpenAI DPO records (conversion/outputs.py)
    rejected: str | None = None
    label: str | None = None  # KTO: TRL's unpaired preference records
    images: str | None = None  # image parts in place of <image> placeholders (conversion/images.py)

    @property
    def output(self) -> str:
        """The record kind written: chat, preference (OpenAI DPO shape) or kto (TRL's prompt/completion/label)."""
        if self.chosen is not None:
            return "preference"
        return "kto" if self.label is not None else "chat"

    def referenced_columns(self) -> list[str]:
        """Every column the mapping reads, in first-use order."""
        names: list[str] = []
        for spec in self.messages:
            if isinstance(spec, TemplateMessage):
                names += [c for part in spec.parts for c in part.columns]
                names += [spec.weight_column] if spec.weight_column else []
            else:
                names.append(spec.column)
        if self.group is not None:
            g = self.group
            names += [g.by, g.role_column, *g.content.columns]
            names += [c for c in (g.order_by, g.weight_column) if c]
        names += [self.tools] if self.tools else []
        names += [c for c in (self.chosen, self.rejected, self.label, self.images) if c]
        return list(dict.fromkeys(names))

    def required_columns(self) -> list[str]:
        """Columns that must exist in a source: referenced, not optional, without a default."""
        return [c for c in self.referenced_columns() if c not in self.optional and c not in self.defaults]


def check_columns(mapping: ChatMapping, columns: list[str], source: str) -> list[str]:
    """Raise MappingError for a required column the source lacks; return optional columns it lacks."""
    present = set(columns)
    for name in mapping.required_columns():
        if name not in present:
            raise MappingError(unknown_column_message(name, columns, source))
    return [c for c in mapping.referenced_columns() if c not in present]


_SHOWN_COLUMNS = 20  # a header may have a million columns: the message names a few and counts the rest
_FUZZY_COLUMNS = 5_000  # above this, only a case/space-insensitive match is suggested (difflib is quadratic)


def unknown_column_message(name: str, columns: list[str], source: str) -> str:
    if len(columns) <= _FUZZY_COLUMNS:
        close = difflib.get_close_matches(name, columns, n=1)
    else:
        folded = name.strip().casefold()
        close = [c for c in columns if c.strip().casefold() == folded][:1]
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    shown = [_short(c) for c in columns[:_SHOWN_COLUMNS]]
    if len(columns) > _SHOWN_COLUMNS:
        shown.append(f"... and {len(columns) - _SHOWN_COLUMNS:,} more")
    available = ", ".join(shown) or "(none)"
    return (
        f"{source}: the mapping names column {_short(name)}, which the source does not have{hint}; "
        f"available: {available}"
    )


def _short(column: str) -> str:
    return repr(column) if len(column) <= 80 else repr(column[:77] + "...")


# -- loading ---------------------------------------------------------------------------------------------------


def load_mapping(path: str | os.PathLike[str]) -> ChatMapping:
    """Read and check a mapping file (.toml, .yaml or .yml)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise MappingError(f"{path}: cannot read the mapping file: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise MappingError(f"{path}: the mapping file is not UTF-8 text") from None
    return compile_mapping(parse_mapping_text(text, path.suffix.lower(), str(path)), str(path))


def parse_mapping_text(text: str, suffix: str, origin: str) -> dict[str, Any]:
    if suffix in (".yaml", ".yml"):
        from dataprep.io.extras import require

        require(["yaml"])
        import yaml  # only for YAML mappings

        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise MappingError(f"{origin}: invalid YAML: {exc}") from None
        except RecursionError:
            raise MappingError(f"{origin}: nested too deeply to read") from None
    elif suffix == ".toml":
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise MappingError(f"{origin}: invalid TOML: {exc}") from None
        except RecursionError:
            raise MappingError(f"{origin}: nested too deeply to read") from None
    else:
        raise MappingError(f"{origin}: a mapping file must end in .toml, .yaml or .yml")
    if not isinstance(data, dict):
        raise MappingError(f"{origin}: a mapping file must be a table of keys")
    return data


def compile_mapping(spec: Mapping[str, Any], origin: str = "mapping") -> ChatMapping:
    """Check a mapping given as plain data (a parsed file) and compile its templates."""
    _no_unknown_keys(spec, (*_TOP_KEYS, "messages", "group"), origin)
    raw_messages = spec.get("messages", [])
    if not isinstance(raw_messages, list) or not all(isinstance(m, dict) for m in raw_messages):
        raise MappingError(f"{origin}: 'messages' must be a list of tables ([[messages]] in TOML)")
    messages = tuple(_message(m, f"{origin}: messages[{i}]") for i, m in enumerate(raw_messages))
    group = _group(spec["group"], f"{origin}: [group]") if "group" in spec else None
    if not messages and group is None and spec.get("chosen") is None:  # pairs may carry their own prompt
        raise MappingError(f"{origin}: the mapping makes no messages: add [[messages]] or a [group] section")
    list_format = _choice(spec.get("list_format", "json"), LIST_FORMATS, f"{origin}: list_format")
    formats = {
        str(k): cast(ListFormat, _choice(v, LIST_FORMATS, f"{origin}: formats.{k}"))
        for k, v in _table(spec, "formats", origin).items()
    }
    roles = {
        str(k): _alias_target(v, f"{origin}: roles.{k}") for k, v in _table(spec, "roles", origin).items()
    }
    defaults = {
        str(k): _string(v, f"{origin}: defaults.{k}") for k, v in _table(spec, "defaults", origin).items()
    }
    tools = spec.get("tools")
    if tools is not None:
        tools = _string(tools, f"{origin}: tools")
    special = {
        key: _string(spec[key], f"{origin}: {key}")
        for key in ("chosen", "rejected", "label", "images")
        if spec.get(key) is not None
    }
    _check_outputs(special, group, spec, origin)
    return ChatMapping(
        messages=messages,
        group=group,
        optional=frozenset(_string_list(spec.get("optional", []), f"{origin}: optional")),
        defaults=defaults,
        missing=_choice(spec.get("missing", "reject"), MISSING_POLICIES, f"{origin}: missing"),
        list_format=cast(ListFormat, list_format),
        formats=formats,
        roles=roles,
        tools=tools,
        copy=tuple(_string_list(spec.get("copy", []), f"{origin}: copy")),
        ignore_columns=frozenset(_string_list(spec.get("ignore_columns", []), f"{origin}: ignore_columns")),
        description=_string(spec.get("description", ""), f"{origin}: description"),
        chosen=special.get("chosen"),
        rejected=special.get("rejected"),
        label=special.get("label"),
        images=special.get("images"),
    )


def _check_outputs(special: Mapping[str, str], group: Any, spec: Mapping[str, Any], origin: str) -> None:
    """The combinations of chosen/rejected/label/images that make one record kind."""
    if ("chosen" in special) != ("rejected" in special):
        raise MappingError(f"{origin}: 'chosen' and 'rejected' go together (a preference pair needs both)")
    if "chosen" in special and "label" in special:
        raise MappingError(f"{origin}: 'label' (KTO) and 'chosen'/'rejected' (pairs) make different records")
    if "chosen" in special and "images" in special:
        raise MappingError(
            f"{origin}: 'images' with 'chosen'/'rejected': OpenAI's preference format is text-only"
        )
    if "chosen" in special and spec.get("copy"):
        raise MappingError(
            f"{origin}: 'copy' with 'chosen'/'rejected': a preference record has no other keys"
        )
    if special and group is not None:
        raise MappingError(f"{origin}: chosen/rejected/label/images need one row per example, not a [group]")


def _message(spec: Mapping[str, Any], where: str) -> MessageSpec:
    kinds = [k for k in ("content", "from", "pairs") if k in spec]
    if len(kinds) != 1:
        raise MappingError(f"{where}: a message needs exactly one of 'content', 'from' or 'pairs'")
    if kinds[0] == "from":
        _no_unknown_keys(spec, _LIST_KEYS, where)
        keep = spec.get("keep_keys", False)
        if not isinstance(keep, bool):
            raise MappingError(f"{where}.keep_keys: must be true or false")
        text_role = spec.get("text_role")
        if text_role is not None:
            text_role = _choice(text_role, TEMPLATE_ROLES, f"{where}.text_role")
        return ListMessages(
            column=_string(spec["from"], f"{where}.from"),
            role_key=_string(spec.get("role_key", "role"), f"{where}.role_key"),
            content_key=_string(spec.get("content_key", "content"), f"{where}.content_key"),
            keep_keys=keep,
            text_role=text_role,
        )
    if kinds[0] == "pairs":
        _no_unknown_keys(spec, _PAIR_KEYS, where)
        return PairMessages(_string(spec["pairs"], f"{where}.pairs"))
    _no_unknown_keys(spec, _TEMPLATE_KEYS, where)
    role = _choice(spec.get("role"), TEMPLATE_ROLES, f"{where}.role")
    content = spec["content"]
    texts = content if isinstance(content, list) else [content]
    if not texts:
        raise MappingError(f"{where}.content: an empty list makes no content")
    parts = tuple(parse_template(t, f"{where}.content") for t in texts)
    weight = spec.get("weight")
    if weight is not None and (weight not in (0, 1) or isinstance(weight, bool) or role != "assistant"):
        raise MappingError(f"{where}.weight: must be 0 or 1, on an assistant message")
    weight_column = spec.get("weight_column")
    if weight_column is not None:
        weight_column = _string(weight_column, f"{where}.weight_column")
        if role != "assistant" or weight is not None:
            raise MappingError(f"{where}.weight_column: only on an assistant message, and not with 'weight'")
    return TemplateMessage(
        role, parts, _string(spec.get("join", "\n"), f"{where}.join"), weight, weight_column
    )


def _group(spec: Any, where: str) -> GroupSpec:
    if not isinstance(spec, dict):
        raise MappingError(f"{where}: must be a table")
    _no_unknown_keys(spec, _GROUP_KEYS, where)
    for key in ("by", "role_column"):
        if key not in spec:
            raise MappingError(f"{where}: '{key}' is required")
    optional = {
        k: _string(spec[k], f"{where}.{k}") for k in ("order_by", "weight_column") if spec.get(k) is not None
    }
    return GroupSpec(
        by=_string(spec["by"], f"{where}.by"),
        role_column=_string(spec["role_column"], f"{where}.role_column"),
        content=parse_template(spec.get("content", "{content}"), f"{where}.content"),
        order_by=optional.get("order_by"),
        weight_column=optional.get("weight_column"),
    )


def _no_unknown_keys(spec: Mapping[str, Any], known: tuple[str, ...], where: str) -> None:
    for key in spec:
        if key not in known:
            close = difflib.get_close_matches(str(key), known, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise MappingError(f"{where}: unknown key {key!r}{hint}; known keys: {', '.join(known)}")


def _table(spec: Mapping[str, Any], key: str, origin: str) -> dict[str, Any]:
    value = spec.get(key, {})
    if not isinstance(value, dict):
        raise MappingError(f"{origin}: '{key}' must be a table of column = value")
    return value


def _string(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise MappingError(f"{where}: must be a string, found {type(value).__name__}")
    return value


def _string_list(value: Any, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise MappingError(f"{where}: must be a list of column names")
    return value


def _choice(value: Any, allowed: tuple[str, ...], where: str) -> str:
    if value not in allowed:
        raise MappingError(f"{where}: must be one of {', '.join(allowed)}, found {value!r}")
    return str(value)


def _alias_target(value: Any, where: str) -> str:
    return _choice(value, (*ROLES, TOOL_CALL), where)


# -- from command-line flags -----------------------------------------------------------------------------------


def with_system(mapping: ChatMapping, text: str) -> ChatMapping:
    """`mapping` with its system prompt replaced by `text` (literal, like --system): every system template
    message goes, and one system message with `text` leads the messages."""
    import dataclasses

    kept = tuple(m for m in mapping.messages if not (isinstance(m, TemplateMessage) and m.role == "system"))
    system = TemplateMessage("system", (parse_template(escape(text), "--system"),))
    return dataclasses.replace(mapping, messages=(system, *kept))


def mapping_from_flags(
    *,
    system: str | None = None,
    user: str | None = None,
    assistant: str | None = None,
    group_by: str | None = None,
    order_by: str | None = None,
    role_column: str | None = None,
    content: str | None = None,
) -> dict[str, Any]:
    """The mapping-file data equal to the simple flags. `system` is literal text; the others are templates."""
    # Checked here so that an error names the flag, not the mapping entry the flag becomes.
    for flag, template in (("--user", user), ("--assistant", assistant), ("--content", content)):
        if template is not None:
            parse_template(template, flag)
    messages: list[dict[str, Any]] = []
    if system is not None:
        messages.append({"role": "system", "content": escape(system)})
    if group_by is None:
        if order_by or role_column or content:
            raise MappingError("--order-by, --role-column and --content need --group-by")
        if user is None and assistant is None:
            raise MappingError("give --user and/or --assistant templates, a --preset or a --mapping file")
        messages += [
            {"role": r, "content": t} for r, t in (("user", user), ("assistant", assistant)) if t is not None
        ]
        return {"messages": messages}
    if user is not None or assistant is not None:
        raise MappingError("with --group-by each row is one message: use --content, not --user/--assistant")
    if role_column is None:
        raise MappingError("--group-by needs --role-column (the column naming each message's role)")
    group: dict[str, Any] = {"by": group_by, "role_column": role_column, "content": content or "{content}"}
    if order_by:
        group["order_by"] = order_by
    return {"messages": messages, "group": group}
