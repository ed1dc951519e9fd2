"""Human-readable report: one line per finding, then per-file statistics and the cost estimate."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dataprep.report.model import Distribution, Elided, FileReport, Report, shown_findings
from dataprep.types import Finding, Severity

if TYPE_CHECKING:
    from dataprep.report.model import ComputeEstimate

# ANSI SGR codes. Colour is opt-in (`color=True`): the CLI decides, from --color, NO_COLOR and the terminal.
_SGR = {"bold": "1", "error": "1;31", "warning": "33", "info": "36", "ok": "1;32", "failed": "1;31"}
_SEVERITY_STYLE = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "info"}


def paint(text: str, style: str, color: bool = True) -> str:
    return f"\x1b[{_SGR[style]}m{text}\x1b[0m" if color else text


def render_findings(report: Report, *, color: bool = False) -> str:
    """One line per finding; past 20 of one code in one file, one line with the count of the rest."""
    return "".join(f"{_finding_line(item, color)}\n" for item in shown_findings(report.findings))


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
    out.append(_compute_section(report.compute))
    out.append(_verdict(report, color))
    return "".join(out)


def _examples(report: Report) -> int:
    return sum(f.stats.examples for f in report.files)


def _finding_line(item: Finding | Elided, color: bool) -> str:
    if isinstance(item, Elided):
        code = paint(item.first.code, _SEVERITY_STYLE[item.first.severity]) if color else item.first.code
        where = paint(str(item.first.location), "bold") if color else str(item.first.location)
        return f"{where}: {code} {item.message}"
    finding = item
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
    if s.examples == 0 and s.not_counted:
        lines.append(
            f"  no token statistics: none of the {s.not_counted:,} records is a valid {file.kind} example "
            "(each fails the schema, see the errors above)"
        )
        return "\n".join(lines) + "\n\n"
    if s.examples == 0:
        lines.append(
            f"  no token statistics: no record was read as a {file.kind} example (see the findings above)"
        )
        return "\n".join(lines) + "\n\n"
    completion = s.kind == "completion"
    rows: list[tuple[str, Distribution | None]]
    if completion:
        rows = [
            ("tokens per example", s.total_tokens),
            ("prompt tokens", s.prompt_tokens),
            ("completion tokens", s.assistant_tokens),
        ]
    else:
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
    if completion:
        prompt = s.tokens_sum - s.assistant_tokens_sum
        lines.append(
            f"  total tokens {s.tokens_sum:,} (prompt {prompt:,}, completion {s.assistant_tokens_sum:,}); "
            f"over the token limit: {s.over_limit:,}"
        )
    else:
        lines.append(
            f"  total tokens {s.tokens_sum:,} (assistant {s.assistant_tokens_sum:,}, trained {s.trained_tokens_sum:,}); "
            f"without a system message: {s.missing_system:,}; without a user message: {s.missing_user:,}; "
            f"over the token limit: {s.over_limit:,}"
        )
    if s.not_counted:
        lines.append(
            f"  {s.not_counted:,} record(s) that fail the schema are left out of these figures and of the cost"
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
        invalid = sum(f.stats.not_counted for f in report.files if f.role == "train")
        if invalid:
            return f"{head}\n  no valid training examples ({invalid:,} records fail the schema): no cost estimate\n\n"
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


_PEAK_SOURCE = {
    "official": "the vendor's data sheet, dense",
    "copy": "no vendor data sheet, a secondary source",
    "user": "as given",
}
_METHOD_NAMES = {"full": "full fine-tuning", "lora": "LoRA", "qlora": "QLoRA"}


def _compute_section(e: ComputeEstimate | None) -> str:
    if e is None:
        return ""
    m = e.memory
    verdict = "fits" if e.fits else "does NOT fit"
    lines = [
        f"Self-hosted estimate: {_METHOD_NAMES[e.method]} on one {e.gpu_name}",
        f"  FLOPs {_sci(e.flops)} = {e.flops_factor} x {_params(e.flops_parameters)} parameters x "
        f"{e.sequence_tokens:,} sequence tokens x {e.epochs} epochs",
        f"    ({'; '.join(e.assumptions)})",
        f"  GPU-hours {_hours(e.gpu_hours)} = FLOPs / ({e.peak_tflops:g} TFLOPS peak dense BF16 x "
        f"{e.mfu * 100:.3g}% MFU) / 3600",
        f"    (peak: {_PEAK_SOURCE.get(e.gpu_confidence, e.gpu_confidence)}; MFU: "
        + ("assumed, the default; --mfu to change)" if e.mfu_source == "default" else "as given)"),
    ]
    if e.usd is not None and e.gpu_price is not None:
        lines.append(f"  cost ${e.usd:,.2f} at ${e.gpu_price:,.2f} per GPU-hour (as given)")
    else:
        lines.append("  no GPU price given: --gpu-price USD_PER_HOUR for a dollar figure")
    lines.append(
        f"  memory {e.memory_gb:,.1f} GB of {e.gpu_memory_gb:g} GB: {verdict} on one GPU "
        f"(weights {m.weights:,.1f}, gradients {m.gradients:,.1f}, optimizer {m.optimizer:,.1f}, "
        f"activations and logits {m.activations:,.1f}, CUDA overhead {m.overhead:,.1f})"
    )
    lines.append(f"    ({'; '.join(e.memory_assumptions)})")
    return "\n".join(lines) + "\n\n"


def _sci(x: float) -> str:
    return f"{x:.3g}".replace("e+", "e")


def _hours(hours: float) -> str:
    if hours < 0.01:
        return f"{hours * 3600:,.0f} s" if hours * 3600 >= 1 else "< 1 s"
    return f"{hours:,.2f}"


def _params(n: float) -> str:
    for size, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M")):
        if n >= size:
            return f"{n / size:.3g}{suffix}"
    return f"{n:,.0f}"
