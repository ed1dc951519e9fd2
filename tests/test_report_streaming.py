"""JSON and SARIF reports written in pieces: the same bytes as one whole-document dump, for any count."""

from __future__ import annotations

import json
from pathlib import Path

import orjson
import pytest

from dataprep import Config, validate
from dataprep.models import resolve_model
from dataprep.report.json_format import iter_json, render_json
from dataprep.report.model import Report
from dataprep.report.sarif import iter_sarif, render_sarif, sarif_log
from dataprep.report.streaming import CHUNK_ITEMS, nested_list
from dataprep.types import Finding, Location, Severity


def _report(count: int) -> Report:
    findings = tuple(
        Finding(
            "DP001" if i % 3 else "DP999",
            Severity.ERROR,
            f'bad "line"\n{i} \u00e9',
            Location("data/a b.jsonl", i + 1, 2, "$.messages[0]" if i % 2 else ""),
            (Location("data/a b.jsonl", 1, 1),) if i % 5 == 0 else (),
        )
        for i in range(count)
    )
    return Report((), findings, resolve_model(None), None)


@pytest.mark.parametrize(
    "count", [0, 1, 2, CHUNK_ITEMS - 1, CHUNK_ITEMS, CHUNK_ITEMS + 1, 2 * CHUNK_ITEMS + 7]
)
def test_pieces_equal_the_whole_document(count: int) -> None:
    report = _report(count)
    whole_json = orjson.dumps(report.to_dict(), option=orjson.OPT_INDENT_2).decode() + "\n"
    assert render_json(report) == "".join(iter_json(report)) == whole_json
    whole_sarif = json.dumps(sarif_log(report), indent=2, ensure_ascii=True) + "\n"
    assert render_sarif(report) == "".join(iter_sarif(report)) == whole_sarif
    assert len(json.loads(render_sarif(report))["runs"][0]["results"]) == count


def test_pieces_are_bounded() -> None:
    pieces = list(iter_json(_report(3 * CHUNK_ITEMS)))
    assert len(pieces) >= 3
    assert max(len(p) for p in pieces) < 1000 * CHUNK_ITEMS


def test_member_must_be_at_its_indentation() -> None:
    # A nested member of the same name (deeper) is not the one filled.
    doc = '{\n  "a": {\n    "findings": []\n  },\n  "findings": []\n}'
    assert "".join(nested_list(doc, '"findings": []', 2, ['"x"'])) == (
        '{\n  "a": {\n    "findings": []\n  },\n  "findings": [\n    "x"\n  ]\n}'
    )


def test_equal_finding_texts_are_held_once(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_bytes(b"not json\n" * 500)
    report = validate(path, config=Config(), jobs=1, select=["DP002"])
    assert len(report.findings) == 500
    assert len({id(f.message) for f in report.findings}) == 1
