"""A small YAML writer for trainer configs: block mappings and lists, scalars plain when safe, else JSON-quoted
(JSON strings are valid YAML double-quoted scalars). Comments go before the document. pyyaml is an optional
extra, and a config must be written without it."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

_PLAIN = re.compile(r"^[A-Za-z_][A-Za-z0-9_./-]*$")
_RESERVED = {"true", "false", "null", "yes", "no", "on", "off", "y", "n", "~"}


def dump(document: Mapping[str, Any], comments: Sequence[str] = ()) -> str:
    lines = [f"# {c}" if c else "#" for c in comments]
    lines += _mapping(document, 0)
    return "\n".join(lines) + "\n"


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    text = str(value)
    if _PLAIN.match(text) and text.lower() not in _RESERVED:
        return text
    return json.dumps(text, ensure_ascii=False)


def _mapping(document: Mapping[str, Any], indent: int) -> list[str]:
    pad = " " * indent
    lines: list[str] = []
    for key, value in document.items():
        name = _scalar(key)
        if isinstance(value, Mapping) and value:
            lines.append(f"{pad}{name}:")
            lines += _mapping(value, indent + 2)
        elif isinstance(value, list) and value and any(isinstance(v, Mapping) for v in value):
            lines.append(f"{pad}{name}:")
            lines += _items(value, indent + 2)
        elif isinstance(value, list):
            lines.append(f"{pad}{name}: [{', '.join(_scalar(v) for v in value)}]")
        else:
            lines.append(f"{pad}{name}: {_scalar(value)}")
    return lines


def _items(values: list[Any], indent: int) -> list[str]:
    pad = " " * indent
    lines: list[str] = []
    for value in values:
        if isinstance(value, Mapping) and value:
            body = _mapping(value, indent + 2)
            lines.append(f"{pad}- {body[0].lstrip()}")
            lines += body[1:]
        else:
            lines.append(f"{pad}- {_scalar(value)}")
    return lines
