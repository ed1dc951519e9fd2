"""Where the published JSON Schemas are: inside the installed package, else the source checkout's schemas/."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from dataprep.types import Kind


def _packaged(kind: Kind) -> Any:
    """The copy inside an installed wheel (hatch force-includes schemas/ as dataprep/schemas/), or None."""
    from importlib import resources  # loads tempfile, zipfile's helpers: only when a schema is read

    try:
        candidate = resources.files("dataprep") / "schemas" / f"{kind.value}.schema.json"
        return candidate if candidate.is_file() else None
    except (ModuleNotFoundError, TypeError, OSError):
        return None


def _source_checkout(kind: Kind) -> Path:
    return Path(__file__).resolve().parents[2] / "schemas" / f"{kind.value}.schema.json"


def schema_path(kind: Kind | str) -> Path:
    """Where the JSON Schema of `kind` lives: the installed package's copy, else the repository's schemas/."""
    kind = Kind(kind)
    packaged = _packaged(kind)
    return Path(str(packaged)) if packaged is not None else _source_checkout(kind)


def load_schema(kind: Kind | str) -> dict[str, Any]:
    """The JSON Schema of `kind` as a fresh dict (callers may change it freely)."""
    kind = Kind(kind)
    packaged = _packaged(kind)
    source = packaged if packaged is not None else _source_checkout(kind)
    schema: dict[str, Any] = json.loads(source.read_text(encoding="utf-8"))
    return schema
