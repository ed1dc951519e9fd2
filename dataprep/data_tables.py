"""Reading the TOML tables the package ships or the user passes (models, open-weight models, GPUs and model
shapes): one place that turns an unreadable or malformed file into a ConfigError naming it."""

from __future__ import annotations

import sys
from typing import Any

from dataprep.errors import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib  # type: ignore[import-not-found, unused-ignore]


def read_toml_table(path: str, what: str) -> dict[str, Any]:
    """The parsed file at `path`; `what` names it in the error ("the model table")."""
    try:
        with open(path, "rb") as handle:
            data: dict[str, Any] = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read {what} ({exc})") from exc
    except RecursionError:
        raise ConfigError(f"{path}: cannot read {what} (nested too deeply)") from None
    return data
