"""Machine-readable report: one JSON document, its shape documented in README (version 1)."""

from __future__ import annotations

import orjson

from dataprep.report.model import Report


def render_json(report: Report) -> str:
    return orjson.dumps(report.to_dict(), option=orjson.OPT_INDENT_2).decode() + "\n"
