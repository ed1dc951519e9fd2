"""Renderers chosen by `--format`: a dict of pure functions Report -> str."""

from __future__ import annotations

from collections.abc import Callable

from dataprep.report.json_format import render_json
from dataprep.report.model import Report
from dataprep.report.text import render_text

RENDERERS: dict[str, Callable[[Report], str]] = {
    "text": render_text,
    "json": render_json,
}
