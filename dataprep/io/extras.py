"""Optional dependencies: one check, before any input is read or output written, that names the extra to install.

The base install validates JSONL; spreadsheets and Parquet need `dataprep[convert]`, Hugging Face datasets need
`dataprep[hf]`. A missing one is a UsageError (exit 2, one line), never an ImportError traceback halfway through.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable

from dataprep.errors import UsageError

# What needs it -> (module to import, extra that installs it, the package's name on PyPI)
NEEDS: dict[str, tuple[str, str, str]] = {
    "xlsx": ("openpyxl", "convert", "openpyxl"),
    "parquet": ("pyarrow", "convert", "pyarrow"),
    "hf": ("datasets", "hf", "datasets"),
    "yaml": ("yaml", "convert", "pyyaml"),
    "ray": ("ray", "ray", "ray"),
}
_WHAT = {
    "xlsx": "reading Excel workbooks",
    "parquet": "Parquet",
    "hf": "Hugging Face datasets",
    "yaml": "YAML mapping files",
    "ray": "--executor ray",
}


def missing_extra(feature: str) -> str | None:
    """The one-line message for `feature` when its package cannot be imported, else None."""
    module, extra, package = NEEDS[feature]
    try:
        importlib.import_module(module)
    except Exception as exc:
        detail = (
            "" if isinstance(exc, ModuleNotFoundError) else f" (it is installed but fails to import: {exc})"
        )
        return (
            f"{_WHAT[feature]} needs the optional package {package}{detail}: pip install 'dataprep[{extra}]'"
        )
    return None


def require(features: Iterable[str]) -> None:
    """Raise UsageError naming the extra for the first feature whose package is missing."""
    for feature in dict.fromkeys(features):
        message = missing_extra(feature)
        if message is not None:
            raise UsageError(message)
