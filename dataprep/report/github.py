"""GitHub Actions workflow commands: one `::error file=F,line=L,col=C,title=CODE::message` line per finding.

The Actions runner turns these lines into annotations on the run and on the pull request's diff. Errors become
`::error`, warnings `::warning` and info `::notice`. Values are escaped as GitHub's workflow-command parser
requires: `%`, CR and LF are percent-encoded everywhere, and `:` and `,` as well inside properties (where
they would otherwise end a property or the property list).
"""

from __future__ import annotations

from dataprep.report.model import Elided, Report, relative_path, shown_findings
from dataprep.types import Finding, Severity

_COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    """Escape a command's message. `%` goes first so the escapes added after it stay intact."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a property value (`file=`, `title=`): the message escapes plus `:` and `,`."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def workflow_command(item: Finding | Elided) -> str:
    finding = item.first if isinstance(item, Elided) else item
    loc = finding.location
    props = [f"file={escape_property(relative_path(loc.path))}"]
    if loc.line >= 1:  # line 0 is a finding about the whole file: annotate the file, not a line
        props.append(f"line={loc.line}")
        props.append(f"col={max(loc.col, 1)}")
    props.append(f"title={escape_property(finding.code)}")
    if isinstance(item, Elided):
        message = item.message
    else:
        message = finding.message + (f" [{loc.json_path}]" if loc.json_path else "")
    return f"::{_COMMAND[finding.severity]} {','.join(props)}::{escape_data(message)}"


def render_github(report: Report) -> str:
    """Workflow commands for the findings (past 20 of one code in one file, one annotation with the count of
    the rest), then one plain summary line (the runner prints it as is)."""
    lines = [workflow_command(item) for item in shown_findings(report.findings)]
    verdict = "OK" if report.ok else "FAILED"
    lines.append(
        f"dataprep: {verdict}: {report.errors} error(s), {report.warnings} warning(s), {report.infos} info"
    )
    return "\n".join(lines) + "\n"
