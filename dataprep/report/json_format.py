"""Machine-readable report: one JSON document, its shape documented in README (version 1).

`iter_json` writes it in pieces (the head, then findings a thousand at a time, then the tail), so a report
with millions of findings is never one dict of dicts and one string in memory at once; `render_json` joins
the pieces (the same bytes).
"""

from __future__ import annotations

from collections.abc import Iterator

import orjson

from dataprep.report.model import Report
from dataprep.report.streaming import nested_list

_INDENT = orjson.OPT_INDENT_2


def iter_json(report: Report) -> Iterator[str]:
    head = orjson.dumps(report.head_dict(), option=_INDENT).decode()
    items = (orjson.dumps(f.to_dict(), option=_INDENT).decode() for f in report.findings)
    yield from nested_list(head, '"findings": []', 2, items)
    yield "\n"


def render_json(report: Report) -> str:
    return "".join(iter_json(report))
