"""When to colour output: `--color auto|always|never`, the NO_COLOR convention and whether it is a terminal."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import IO, Any

COLOR_MODES = ("auto", "always", "never")


def use_color(mode: str, stream: IO[Any] | None, environ: Mapping[str, str] | None = None) -> bool:
    """`always` and `never` decide alone. `auto` colours a terminal, unless NO_COLOR is set to a non-empty
    value (https://no-color.org) or TERM is `dumb`."""
    if mode == "always":
        return True
    if mode == "never":
        return False
    env = os.environ if environ is None else environ
    if env.get("NO_COLOR") or env.get("TERM") == "dumb":
        return False
    return is_terminal(stream)


def is_terminal(stream: IO[Any] | None) -> bool:
    if stream is None:
        return False
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False
