"""Human-readable report: one line per finding, then per-file statistics and the cost estimate."""

from __future__ import annotations

from dataprep.report.model import Distribution, FileReport, Report
from dataprep.types import Finding, Severity

# ANSI SGR codes. Colour is opt-in (`color=True`): the CLI decides, from --color, NO_COLOR and the terminal.
_SGR = {"bold": "1", "error": "1;31", "warning": "33", "info": "36", "ok": "1;32", "failed": "1;31"}
_SEVERITY_STYLE = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "info"}


def paint(text: str, style: str, color: bool = True) -> str:
    return f"\x1b[{_SGR[style]}m{text}\x1b[0m" if color else text


def render_findings(report: Report, *, color: bool = False) -> str:
    return "".join(f"{_finding_line(finding, color)}\n" for finding in report.findings)


def render_text(report: Report, *, quiet: bool = False, color: bool = False) -> str:
    """`quiet` prints the findings only, the pre-commit and editor case; `color` adds ANSI colours."""
    out = [render_findings(report, color=color)]
    if quiet:
        return "".join(out)
    if report.findings:
        out.append("\n")
    for file in report.files:
        out.append(_file_section(file))
    if report.duplicate_index_bytes is not None:
        out.append(
            f"Duplicate index: {_size(report.duplicate_index_bytes)} for {_examples(report):,} examples\n\n"
        )
    out.append(_cost_section(report))
    out.append(_verdict(report, color))
    return "".join(out)


def _examples(report: Report) -> int:
    return sum(f.stats.examples for f in report.files)


def _finding_line(finding: Finding, color: bool) -> str:
    if not color:
        return finding.format()
    loc = finding.location
    suffix = f" [{loc.json_path}]" if loc.json_path else ""
    code = paint(finding.code, _SEVERITY_STYLE[finding.severity])
    return f"{paint(str(loc), 'bold')}: {code} {finding.message}{suffix}"


def _file_section(file: FileReport) -> str:
    s = file.stats
    lines = [
        f"{file.path} ({file.role}, {file.kind}): {s.examples:,} examples in {file.lines:,} lines, {_size(file.size_bytes)}"
    ]
    rows = [
        ("messages per example", s.messages_per_example),
        ("tokens per example", s.total_tokens),
        ("assistant tokens", s.assistant_tokens),
        ("trained assistant tokens", s.trained_tokens),
    ]
    if any(d is not None for _, d in rows):
        lines.append(f"  {'':26}{'min':>9}{'p5':>9}{'median':>9}{'mean':>9}{'p95':>9}{'max':>9}")
        for label, dist in rows:
            if dist is not None:
                lines.append(f"  {label:26}{_row(dist)}")
    lines.append(
        f"  total tokens {s.tokens_sum:,} (assistant {s.assistant_tokens_sum:,}, trained {s.trained_tokens_sum:,}); "
        f"without a system message: {s.missing_system:,}; without a user message: {s.missing_user:,}; "
        f"over the token limit: {s.over_limit:,}"
    )
    return "\n".join(lines) + "\n\n"


def _row(d: Distribution) -> str:
    values = (d.min, d.p5, d.median, d.mean, d.p95, d.max)
    return "".join(f"{_num(v):>9}" for v in values)


def _num(value: float) -> str:
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.1f}"


def _size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / 1024 / 1024:.1f} MB"


def _cost_section(report: Report) -> str:
    m = report.model
    head = f"Model {m.id} ({m.encoding}, training context {m.max_tokens:,} tokens)"
    run = report.template_run
    if run is not None:
        head = (
            f"Model {m.id}: rendered and counted by {run.tokenizer}\n"
            f"  sequence length {run.sequence_length:,} tokens, from {run.sequence_length_from}"
        )
        for f in report.files:
            if f.packing is not None:
                p = f.packing
                head += (
                    f"\n  {f.path}: {p.sequences_unpacked:,} sequences unpacked ({p.waste_unpacked:.1%} padding), "
                    f"{p.sequences_packed:,} packed ({p.waste_packed:.1%} padding) of {p.sequence_length:,} tokens"
                )
    cost = report.cost
    if cost is None:
        return f"{head}\n  no training examples: no cost estimate\n\n"
    epochs_note = "default for this size" if cost.epochs_source == "default" else "as given"
    lines = [
        head,
        f"  billed tokens {cost.billed_tokens:,} x {cost.epochs} epochs ({epochs_note}) = {cost.charged_tokens:,} charged tokens",
    ]
    if cost.usd is not None and cost.price_per_1m is not None:
        lines.append(
            f"  estimated training cost ${cost.usd:,.2f} at ${cost.price_per_1m:,.2f} per 1M training tokens ({m.confidence})"
        )
    else:
        lines.append("  no price known for this model: give --price-per-1m for a dollar figure")
    if any(f.role == "validation" for f in report.files):
        lines.append("  validation files are checked but not charged")
    return "\n".join(lines) + "\n\n"


def _verdict(report: Report, color: bool = False) -> str:
    counts = f"{report.errors} error(s), {report.warnings} warning(s), {report.infos} info"
    word = paint("OK", "ok", color) if report.ok else paint("FAILED", "failed", color)
    return f"{word}: {counts}\n"
