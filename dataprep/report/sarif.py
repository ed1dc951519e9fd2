"""SARIF 2.1.0: the static-analysis exchange format GitHub code scanning and many editors read.

One run whose `tool.driver` carries the whole rule catalogue (so a viewer can explain any code), and one
result per finding pointing at its file, line and column. SARIF counts lines from 1, so a finding about a
whole file (line 0 in dataprep) points at line 1: GitHub code scanning rejects results without a region.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path, PurePath
from typing import Any
from urllib.parse import quote

from dataprep.report.model import ALL_RULES, Report, Rule, relative_path
from dataprep.report.model import TOOL_VERSION as __version__
from dataprep.report.streaming import nested_list
from dataprep.types import Finding, Severity

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SRCROOT = "%SRCROOT%"  # the conventional base id for paths relative to the checkout

_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
_FAMILY = {
    "0": "reading",
    "1": "schema",
    "2": "structure",
    "3": "tokens",
    "4": "duplicates",
    "5": "dataset",
    "6": "content",
}


def artifact_location(path: str, base: Path | None = None) -> dict[str, str]:
    """A relative URI against %SRCROOT% where possible, else an absolute file URI."""
    rel = relative_path(path, base)
    if PurePath(rel).is_absolute():
        return {"uri": Path(rel).as_uri()}
    # quote() keeps `/` and percent-encodes what a URI may not hold (spaces, `<records>` labels, ...).
    return {"uri": quote(rel.replace(os.sep, "/"), safe="/"), "uriBaseId": SRCROOT}


def rule_descriptor(rule: Rule) -> dict[str, Any]:
    description, examples = _split_doc(rule.doc)
    markdown = description
    if examples:
        markdown += "\n\n```text\n" + examples + "\n```"
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": description or rule.summary},
        "help": {"text": rule.doc, "markdown": markdown},
        "defaultConfiguration": {"level": _LEVEL[rule.severity]},
        "properties": {"tags": [_FAMILY.get(rule.code[2:3], "other")], "scope": rule.scope},
    }


def sarif_log(report: Report, *, base: Path | None = None) -> dict[str, Any]:
    """The SARIF log as plain data (what `render_sarif` serialises)."""
    log, index = _log_without_results(report)
    log["runs"][0]["results"] = [_result(finding, index[finding.code], base) for finding in report.findings]
    return log


def iter_sarif(report: Report, *, base: Path | None = None) -> Iterator[str]:
    """`render_sarif` in pieces: results are serialised a few at a time, never all held as dicts at once."""
    log, index = _log_without_results(report)
    # ensure_ascii keeps the output encodable even if a message quotes a lone surrogate from the data.
    head = json.dumps(log, indent=2, ensure_ascii=True)
    items = (
        json.dumps(_result(finding, index[finding.code], base), indent=2, ensure_ascii=True)
        for finding in report.findings
    )
    yield from nested_list(head, '"results": []', 6, items)
    yield "\n"


def render_sarif(report: Report) -> str:
    return "".join(iter_sarif(report))


def _log_without_results(report: Report) -> tuple[dict[str, Any], dict[str, int]]:
    descriptors = [rule_descriptor(rule) for rule in ALL_RULES]
    index = {rule.code: i for i, rule in enumerate(ALL_RULES)}
    for finding in report.findings:
        if finding.code not in index:  # a code outside the catalogue still gets a descriptor to point at
            index[finding.code] = len(descriptors)
            descriptors.append({"id": finding.code})
    driver = {
        "name": "dataprep",
        "version": __version__,
        "semanticVersion": __version__,
        "rules": descriptors,
    }
    log = {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [{"tool": {"driver": driver}, "results": []}],
    }
    return log, index


def _result(finding: Finding, rule_index: int, base: Path | None) -> dict[str, Any]:
    loc = finding.location
    result: dict[str, Any] = {
        "ruleId": finding.code,
        "ruleIndex": rule_index,
        "level": _LEVEL[finding.severity],
        "message": {"text": finding.message + (f" [{loc.json_path}]" if loc.json_path else "")},
        "locations": [{"physicalLocation": _physical(loc.path, loc.line, loc.col, base)}],
    }
    if finding.related:
        # The first copy of a duplicate, the training example a validation example leaks from.
        result["relatedLocations"] = [
            {"id": i, "physicalLocation": _physical(r.path, r.line, r.col, base)}
            for i, r in enumerate(finding.related)
        ]
    props: dict[str, Any] = {}
    if loc.json_path:
        props["jsonPath"] = loc.json_path
    if loc.line < 1:
        props["fileLevel"] = True
    if props:
        result["properties"] = props
    return result


def _physical(path: str, line: int, col: int, base: Path | None) -> dict[str, Any]:
    region: dict[str, int] = {"startLine": max(line, 1)}
    if line >= 1:
        region["startColumn"] = max(col, 1)
    return {"artifactLocation": artifact_location(path, base), "region": region}


def _split_doc(doc: str) -> tuple[str, str]:
    """A rule's doc is prose, then `Bad:` / `Good:` example lines: return (prose, examples)."""
    lines = doc.strip().splitlines()
    for i, line in enumerate(lines):
        if line.startswith(("Bad:", "Good:")):
            return " ".join(x.strip() for x in lines[:i]).strip(), "\n".join(lines[i:])
    return " ".join(x.strip() for x in lines).strip(), ""
