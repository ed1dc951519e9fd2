"""JUnit XML: one test case per checked file, the form GitLab, Jenkins and Azure Pipelines show as test results.

A file with error findings is a failed test whose failure text lists those findings; warnings and info go to
the test case's `system-out`. Built with xml.etree so every attribute and text is escaped; characters XML 1.0
cannot hold at all (control characters, lone surrogates quoted from bad data) are replaced first.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from dataprep.report.model import Report
from dataprep.types import Finding, Severity

# Characters outside XML 1.0's Char production: C0 controls other than TAB/LF/CR, surrogates, U+FFFE/U+FFFF.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """Replace characters XML cannot carry with a visible `\\xNN` / `\\uNNNN` spelling."""
    return _NOT_XML.sub(lambda m: _spell(m.group()), text)


def render_junit(report: Report) -> str:
    groups = _by_file(report)
    failures = sum(1 for found in groups.values() if any(f.severity is Severity.ERROR for f in found))
    counts = {"tests": str(len(groups)), "failures": str(failures), "errors": "0", "skipped": "0"}
    root = ET.Element("testsuites", {"name": "dataprep", **counts})
    suite = ET.SubElement(root, "testsuite", {"name": "dataprep validate", **counts})
    for path, found in groups.items():
        name = xml_safe(path)
        case = ET.SubElement(
            suite, "testcase", {"classname": "dataprep.validate", "name": name, "file": name}
        )
        errors = [f for f in found if f.severity is Severity.ERROR]
        others = [f for f in found if f.severity is not Severity.ERROR]
        if errors:
            codes = ",".join(sorted({f.code for f in errors}))
            failure = ET.SubElement(case, "failure", {"message": f"{len(errors)} error(s)", "type": codes})
            failure.text = _lines(errors)
        if others:
            ET.SubElement(case, "system-out").text = _lines(others)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _by_file(report: Report) -> dict[str, list[Finding]]:
    """Findings per file, in report order; every checked file appears, with or without findings."""
    groups: dict[str, list[Finding]] = {file.path: [] for file in report.files}
    for finding in report.findings:
        groups.setdefault(finding.location.path, []).append(finding)
    return groups


def _lines(findings: list[Finding]) -> str:
    return xml_safe("\n".join(f.format() for f in findings))


def _spell(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
