"""Renderers chosen by `--format`: a dict of pure functions Report -> str, and for the formats that can
be written in pieces (JSON, SARIF: millions of findings), functions Report -> pieces of str."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from dataprep.report.github import render_github
from dataprep.report.json_format import iter_json, render_json
from dataprep.report.junit import render_junit
from dataprep.report.model import Report
from dataprep.report.sarif import iter_sarif, render_sarif
from dataprep.report.text import render_text

RENDERERS: dict[str, Callable[[Report], str]] = {
    "text": render_text,
    "json": render_json,
    "github": render_github,
    "sarif": render_sarif,
    "junit": render_junit,
}

STREAMED: dict[str, Callable[[Report], Iterator[str]]] = {"json": iter_json, "sarif": iter_sarif}
