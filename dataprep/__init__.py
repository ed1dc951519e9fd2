"""dataprep: convert raw records to chat-format JSONL and check fine-tuning data before training.

The public API is this module's `__all__`; everything else is an implementation detail.
"""

from __future__ import annotations

from dataprep._version import __version__
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
