"""dataprep: convert raw records to chat-format JSONL and check fine-tuning data before training.

The public API is this module's `__all__`; everything else is an implementation detail.

Names are imported on first use (PEP 562): `import dataprep` stays cheap, and a pre-commit run of
`dataprep validate` never loads the conversion, splitting or report stacks it does not need.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from dataprep._version import __version__

if TYPE_CHECKING:
    from dataprep.compute import ComputeEstimate, estimate_compute
    from dataprep.config import Config, load_config
    from dataprep.conversion import Converted, ConvertReport, ReadOptions, Rejected, convert, convert_file
    from dataprep.cost import CostEstimate, estimate_cost
    from dataprep.dedup import find_duplicates
    from dataprep.errors import DataprepError
    from dataprep.hf import to_dataset
    from dataprep.models import ModelInfo, resolve_model
    from dataprep.report.model import FileReport, Report
    from dataprep.splitting import SplitSummary, split
    from dataprep.tokens import TokenCounts
    from dataprep.tokens.api import count_tokens
    from dataprep.types import Finding, Kind, Location, Severity
    from dataprep.validation.run import validate, validate_files

# Where each public name lives.
_HOMES = {
    "ComputeEstimate": "dataprep.compute",
    "Config": "dataprep.config",
    "ConvertReport": "dataprep.conversion",
    "Converted": "dataprep.conversion",
    "CostEstimate": "dataprep.cost",
    "DataprepError": "dataprep.errors",
    "FileReport": "dataprep.report.model",
    "Finding": "dataprep.types",
    "Kind": "dataprep.types",
    "Location": "dataprep.types",
    "ModelInfo": "dataprep.models",
    "ReadOptions": "dataprep.conversion",
    "Rejected": "dataprep.conversion",
    "Report": "dataprep.report.model",
    "Severity": "dataprep.types",
    "SplitSummary": "dataprep.splitting",
    "TokenCounts": "dataprep.tokens",
    "convert": "dataprep.conversion",
    "convert_file": "dataprep.conversion",
    "count_tokens": "dataprep.tokens.api",
    "estimate_compute": "dataprep.compute",
    "estimate_cost": "dataprep.cost",
    "find_duplicates": "dataprep.dedup",
    "load_config": "dataprep.config",
    "resolve_model": "dataprep.models",
    "split": "dataprep.splitting",
    "to_dataset": "dataprep.hf",
    "validate": "dataprep.validation.run",
    "validate_files": "dataprep.validation.run",
}

__all__ = [
    "ComputeEstimate",
    "Config",
    "ConvertReport",
    "Converted",
    "CostEstimate",
    "DataprepError",
    "FileReport",
    "Finding",
    "Kind",
    "Location",
    "ModelInfo",
    "ReadOptions",
    "Rejected",
    "Report",
    "Severity",
    "SplitSummary",
    "TokenCounts",
    "__version__",
    "convert",
    "convert_file",
    "count_tokens",
    "estimate_compute",
    "estimate_cost",
    "find_duplicates",
    "load_config",
    "resolve_model",
    "split",
    "to_dataset",
    "validate",
    "validate_files",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'dataprep' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
