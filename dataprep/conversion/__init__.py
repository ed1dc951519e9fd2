"""Raw records to chat JSONL: sources, mappings, presets, the conversion pipeline and its report.

convert(source, preset=...)            lazy: Converted / Rejected items
convert_file(inputs, output, ...)      files, rejects, split, export, validation -> ConvertReport
"""

from __future__ import annotations

from dataprep.conversion.files import OUTPUT_FORMATS, convert_file
from dataprep.conversion.mapping import ChatMapping, compile_mapping, load_mapping
from dataprep.conversion.pipeline import Converted, ConvertItem, Rejected, convert, resolve_mapping
from dataprep.conversion.presets import PRESETS, list_presets, load_preset, preset_text
from dataprep.conversion.report import ConvertReport
from dataprep.io.tabular import ReadOptions, SourceLocation

__all__ = [
    "OUTPUT_FORMATS",
    "PRESETS",
    "ChatMapping",
    "ConvertItem",
    "ConvertReport",
    "Converted",
    "ReadOptions",
    "Rejected",
    "SourceLocation",
    "compile_mapping",
    "convert",
    "convert_file",
    "list_presets",
    "load_mapping",
    "load_preset",
    "preset_text",
    "resolve_mapping",
]
