"""The HTML report: one self-contained page (inline CSS and SVG, no script, no font or image from anywhere).

A pure function Report (+ Evidence, the text read back from the files) -> str. The page aggregates: every
chart is built from histograms, every list is bounded (the first findings of each rule, a few clusters, a
sample of examples), so it stays small for a million examples. A Content-Security-Policy forbids any fetch.
Figures the renderer does not know by name (fields added to the JSON report later) are shown as tables.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from html import escape
from typing import Any

from dataprep.report.charts import Part, Series, histogram_svg, num, overlay_svg, share_bar_svg
from dataprep.report.model import (
    ALL_RULES,
    TOOL_VERSION,
    CostEstimate,
    Evidence,
    FileReport,
    Histogram,
    Report,
    Rule,
)
from dataprep.types import Finding, Severity

RULES: dict[str, Rule] = {rule.code: rule for rule in ALL_RULES}
SEVERITY_MARK = {Severity.ERROR: "✖ error", Severity.WARNING: "▲ warning", Severity.INFO: "● info"}
CLUSTERS_PER_RULE = 20
GENERATOR = '<meta name="generator" content="dataprep">'  # marks a page dataprep may replace
# Report fields this page shows in its own sections; any other (a later addition) goes to "More figures".
KNOWN_FIELDS = {"version", "ok", "summary", "model", "files", "cost", "findings", "duplicate_index_bytes"}
# (compute is summed up in the header and shown in full under More figures)
DISTRIBUTION_COLUMNS = ("count", "min", "p5", "median", "mean", "p95", "max")

CSS = """
:root{--fg:#1b1f24;--muted:#57606a;--line:#d0d7de;--bar:#3b6ea5;--bg:#fff;--soft:#f6f8fa;--bad:#a40e26;
--warn:#7d4e00;--good:#1a7f37}
*{box-sizing:border-box}
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--fg);
background:var(--bg);margin:0 auto;max-width:1100px;padding:0 20px 40px}
h1{font-size:1.7em;margin:.6em 0 .2em}h2{border-bottom:2px solid var(--line);padding-bottom:.2em;margin-top:1.8em}
h3{margin:1.3em 0 .4em}code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.9em}
pre{white-space:pre-wrap;word-break:break-word;background:var(--soft);padding:8px 10px;border-radius:4px;margin:0}
table{border-collapse:collapse;margin:.6em 0;width:100%}caption{text-align:left;font-weight:600;padding:4px 0}
th,td{border:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}th{background:var(--soft)}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
.verdict{display:inline-block;font-weight:700;font-size:1.2em;padding:4px 12px;border:3px solid;border-radius:4px}
.verdict.pass{color:var(--good)}.verdict.fail{color:var(--bad);border-style:double}
dl.head{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px;margin:1em 0}dl.head dt{font-weight:600}
dl.head dd{margin:0}nav ol{columns:2;padding-left:1.4em}
.sev-error{color:var(--bad);font-weight:700}.sev-warning{color:var(--warn);font-weight:600}.sev-info{color:var(--muted)}
.chart{width:100%;max-width:760px;height:auto;display:block;margin:.4em 0}
.chart .bar{fill:var(--bar)}.chart .bar.over{stroke:var(--bad);stroke-width:1}
.chart .bar.train{fill:var(--bar);fill-opacity:.55}
.chart .bar.other{fill:none;stroke:var(--fg);stroke-width:1.4;stroke-dasharray:4 2}
.chart .hatch-bg{fill:#f3d4d9}.chart .hatch-line{stroke:var(--bad);stroke-width:2}
.chart .grid{stroke:var(--line);stroke-width:.6}.chart .axis{stroke:var(--muted);stroke-width:1}
.chart .tick{font-size:11px;fill:var(--muted)}.chart .label{font-size:12px;fill:var(--fg)}
.chart .limit{stroke:var(--bad);stroke-width:2;stroke-dasharray:6 3}
.chart .limit-label{font-size:12px;font-weight:700;fill:var(--bad)}
.chart .part.solid{fill:var(--bar)}.chart .part.light{fill:#d8e2ee;stroke:var(--muted);stroke-width:.5}
.pairs{display:grid;grid-template-columns:1fr 1fr;gap:8px;margin:.5em 0 1.2em;align-items:start}
.pairs>div{border:1px solid var(--line);border-radius:4px;padding:6px 8px;min-width:0}
.pairs h4{margin:0 0 4px;font-size:.95em}.muted{color:var(--muted)}
details{margin:.3em 0}summary{cursor:pointer;color:var(--muted)}
@media print{details{display:block}summary{display:none}}
"""


def render_html(report: Report, evidence: Evidence | None = None) -> str:
    """The whole page. Without `evidence` it has no snippets, no examples and one cost row."""
    ev = evidence if evidence is not None else Evidence()
    train = [f for f in report.files if f.role == "train"]
    valid = [f for f in report.files if f.role == "validation"]
    sections: list[tuple[str, str, str]] = [
        ("lengths", "Tokens per example", _lengths_section(report)),
        ("messages", "Messages per example", _messages_section(report)),
        ("trained", "Trained share of tokens", _trained_section(report)),
    ]
    if train and valid:
        sections.append(("split", "Training and validation compared", _split_section(train, valid)))
    sections.append(("findings", "Findings by rule", _findings_section(report, ev)))
    duplicates = _duplicates_section(report, ev)
    if duplicates:
        sections.append(("duplicates", "Duplicate and near-duplicate clusters", duplicates))
    sections.append(("cost", "Cost on every model that fits", _cost_section(report, ev)))
    sections.append(("files", "Figures per file", _files_section(report)))
    if ev.samples:
        sections.append(("samples", "Sample examples", _samples_section(report, ev)))
    more = _more_section(report)
    if more:
        sections.append(("more", "More figures", more))
    names = ", ".join(f.path for f in report.files) or "no files"
    verdict = "PASSED" if report.ok else "FAILED"
    out = [
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">',
        GENERATOR,
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        # Nothing may be fetched: no script, no font, no image; only the inline style applies.
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; img-src data:\">",
        f"<title>dataprep report: {escape(names)} ({verdict})</title><style>{CSS}</style></head><body>",
        _header(report, verdict),
        '<nav aria-label="Sections"><h2 id="contents">Contents</h2><ol>',
        *(f'<li><a href="#{sid}">{escape(title)}</a></li>' for sid, title, _ in sections),
        "</ol></nav><main>",
        *(
            f'<section id="{sid}" aria-labelledby="{sid}-h"><h2 id="{sid}-h">{escape(title)}</h2>{body}</section>'
            for sid, title, body in sections
        ),
        f'</main><footer><p class="muted">Made by dataprep {escape(TOOL_VERSION)}. '
        "This page is one file: no script, no font or image from the network.</p></footer></body></html>\n",
    ]
    return "".join(out)


def _header(report: Report, verdict: str) -> str:
    examples = sum(f.stats.examples for f in report.files)
    tokens = sum(f.stats.tokens_sum for f in report.files)
    m = report.model
    rows = [
        (
            "Files",
            "<br>".join(
                f"{escape(f.path)} <span class=muted>({escape(f.role)}, {escape(f.kind)})</span>"
                for f in report.files
            ),
        ),
        (
            "Model",
            f"{escape(m.id)} <span class=muted>({escape(m.encoding)}, limit {num(m.max_tokens)} tokens per example)</span>",
        ),
        ("Examples", num(examples)),
        ("Tokens", num(tokens)),
        ("Estimated cost", _cost_line(report.cost)),
        *([("Compute estimate", _compute_line(report))] if report.compute is not None else []),
        (
            "Findings",
            f"{num(report.errors)} error(s), {num(report.warnings)} warning(s), {num(report.infos)} info",
        ),
    ]
    css = "pass" if report.ok else "fail"
    return (
        f'<header><h1>dataprep report</h1><p class="verdict {css}" id="verdict">{verdict}</p>'
        f'<dl class="head">{"".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in rows)}</dl></header>'
    )


def _cost_line(cost: CostEstimate | None) -> str:
    if cost is None:
        return "no training examples: no estimate"
    tokens = f"{num(cost.charged_tokens)} charged tokens ({num(cost.billed_tokens)} × {cost.epochs} epochs)"
    if cost.usd is None:
        return f"{tokens}; no price known for this model"
    return f"<strong>${cost.usd:,.2f}</strong> for {tokens}"


def _compute_line(report: Report) -> str:
    """The self-hosted estimate in one line; all its figures and assumptions are under More figures."""
    c = report.compute
    if c is None:  # pragma: no cover - the header asks only when there is one
        return ""
    money = "" if c.usd is None else f", <strong>${c.usd:,.2f}</strong>"
    return (
        f"{c.gpu_hours:,.1f} GPU-hours on {escape(c.gpu_name or c.gpu)} ({escape(c.method)}){money} "
        '<a href="#more">assumptions</a>'
    )


def _files_section(report: Report) -> str:
    out = [_counts_table(report)]
    for file in report.files:
        stats = file.stats.to_dict()
        dists = {k: v for k, v in stats.items() if isinstance(v, dict)}
        out.append(
            f"<h3>{escape(file.path)}</h3><p>{escape(file.role)} file, {escape(file.kind)} records: "
            f"{num(file.stats.examples)} examples in {num(file.lines)} lines, {_size(file.size_bytes)}.</p>"
        )
        if dists:
            out.append(
                f"<table><caption>Distributions in {escape(file.path)}</caption><thead><tr><th>measure</th>"
                + "".join(f'<th class="n">{c}</th>' for c in DISTRIBUTION_COLUMNS)
                + "</tr></thead><tbody>"
            )
            for key, dist in dists.items():
                cells = "".join(f'<td class="n">{_cell(dist.get(c))}</td>' for c in DISTRIBUTION_COLUMNS)
                out.append(f"<tr><th scope=row>{escape(_words(key))}</th>{cells}</tr>")
            out.append("</tbody></table>")
    return "".join(out)


def _counts_table(report: Report) -> str:
    """The plain counts of every file side by side (every scalar its statistics report)."""
    per_file = [
        {k: v for k, v in f.stats.to_dict().items() if not isinstance(v, dict) and v is not None}
        for f in report.files
    ]
    keys = list(dict.fromkeys(k for counts in per_file for k in counts))
    if not keys:
        return ""
    head = "".join(f'<th class="n" scope=col>{escape(f.path)}</th>' for f in report.files)
    rows = "".join(
        f"<tr><th scope=row>{escape(_words(k))}</th>"
        + "".join(f'<td class="n">{_cell(counts.get(k))}</td>' for counts in per_file)
        + "</tr>"
        for k in keys
    )
    return (
        f"<table><caption>Counts per file</caption><thead><tr><th>count</th>{head}</tr></thead>"
        f"<tbody>{rows}</tbody></table>"
    )


def _cell(value: Any) -> str:
    return "–" if value is None else num(value) if isinstance(value, (int, float)) else escape(str(value))


def _words(key: str) -> str:
    return key.replace("_", " ")


def _size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / 1024 / 1024:.1f} MB"


def _key_values(caption: str, values: Mapping[str, Any]) -> str:
    if not values:
        return ""
    rows = "".join(
        f'<tr><th scope=row>{escape(_words(str(k)))}</th><td class="n">{_cell(v)}</td></tr>'
        for k, v in values.items()
    )
    return f"<table><caption>{escape(caption)}</caption><tbody>{rows}</tbody></table>"


def _histogram_table(hist: Histogram, caption: str, unit: str) -> str:
    rows = "".join(
        f'<tr><td class="n">{num(i * hist.width)}–{num((i + 1) * hist.width - 1)}</td><td class="n">{num(c)}</td></tr>'
        for i, c in enumerate(hist.counts)
        if c
    )
    return (
        f"<details><summary>The figures behind this chart</summary><table><caption>{escape(caption)}</caption>"
        f'<thead><tr><th class="n">{escape(unit)}</th><th class="n">examples</th></tr></thead>'
        f"<tbody>{rows}</tbody></table></details>"
    )


def _lengths_section(report: Report) -> str:
    limit = report.model.max_tokens
    out = [
        f"<p>Examples by their length in tokens. The dashed line is the training limit of {escape(report.model.id)} "
        f"({num(limit)} tokens); hatched bars reach past it (such examples are truncated or rejected).</p>"
    ]
    for n, file in enumerate(report.files):
        hist, dist = file.stats.total_tokens_histogram, file.stats.total_tokens
        if hist is None or dist is None:
            out.append(f"<h3>{escape(file.path)}</h3><p>No examples to chart.</p>")
            continue
        desc = (
            f"Histogram of {num(dist.count)} examples in {file.path} by tokens per example, in bins of "
            f"{num(hist.width)}: median {num(dist.median)}, 95th percentile {num(dist.p95)}, longest {num(dist.max)}; "
            f"{num(file.stats.over_limit)} over the limit of {num(limit)}."
        )
        out.append(
            f"<figure><h3>{escape(file.path)}</h3>"
            + histogram_svg(
                hist,
                chart_id=f"tokens-{n}",
                title=f"Tokens per example, {file.path}",
                desc=desc,
                unit="tokens per example",
                limit=limit,
                limit_label="limit",
            )
            + f"<figcaption>{escape(desc)}</figcaption>"
            + _histogram_table(hist, f"Examples by tokens, {file.path}", "tokens")
            + "</figure>"
        )
    return "".join(out)


def _messages_section(report: Report) -> str:
    out = []
    for n, file in enumerate(report.files):
        hist, dist = file.stats.messages_histogram, file.stats.messages_per_example
        if hist is None or dist is None:
            continue
        desc = (
            f"Histogram of {num(dist.count)} examples in {file.path} by messages per example: "
            f"fewest {num(dist.min)}, median {num(dist.median)}, most {num(dist.max)}."
        )
        out.append(
            f"<figure><h3>{escape(file.path)}</h3>"
            + histogram_svg(
                hist,
                chart_id=f"messages-{n}",
                title=f"Messages per example, {file.path}",
                desc=desc,
                unit="messages per example",
            )
            + f"<figcaption>{escape(desc)}</figcaption>"
            + _histogram_table(hist, f"Examples by messages, {file.path}", "messages")
            + "</figure>"
        )
    return "".join(out) or "<p>No examples to chart.</p>"


def _trained_section(report: Report) -> str:
    out = [
        "<p>Of all tokens, the assistant tokens the model is trained on (solid), assistant tokens that are not "
        "trained (hatched: a weight of 0, or not the last turn where only that one trains) and everything else "
        "(light: system, user and tool messages, formatting).</p>"
    ]
    for n, file in enumerate(report.files):
        s = file.stats
        if not s.tokens_sum:
            continue
        parts = [
            Part("trained assistant", s.trained_tokens_sum, "solid"),
            Part("untrained assistant", max(0, s.assistant_tokens_sum - s.trained_tokens_sum), "hatched"),
            Part("other", max(0, s.tokens_sum - s.assistant_tokens_sum), "light"),
        ]
        share = 100 * s.trained_tokens_sum / s.tokens_sum
        desc = (
            f"{file.path}: {num(s.trained_tokens_sum)} of {num(s.tokens_sum)} tokens are trained ({share:.1f}%); "
            f"{num(parts[1].value)} assistant tokens are not trained; {num(parts[2].value)} are other tokens."
        )
        out.append(
            f"<figure><h3>{escape(file.path)}</h3>"
            + share_bar_svg(
                parts, chart_id=f"trained-{n}", title=f"Trained share of tokens, {file.path}", desc=desc
            )
            + f"<figcaption>{escape(desc)}</figcaption></figure>"
        )
    return "".join(out)


def _merged(files: list[FileReport]) -> Histogram | None:
    hists = [f.stats.total_tokens_histogram for f in files if f.stats.total_tokens_histogram]
    if not hists:
        return None
    merged = hists[0]
    for h in hists[1:]:
        merged = merged.merged(h)
    return merged


def _split_section(train: list[FileReport], valid: list[FileReport]) -> str:
    t, v = _merged(train), _merged(valid)
    if t is None or v is None:
        return "<p>One side has no examples: nothing to compare.</p>"
    desc = (
        f"Tokens per example as a share of each side's examples: training ({num(t.total)} examples, filled bars) "
        f"and validation ({num(v.total)} examples, dashed outlines). Similar shapes mean the validation set "
        "measures what training sees."
    )
    chart = overlay_svg(
        [Series("training", t), Series("validation", v)],
        chart_id="split-tokens",
        title="Tokens per example, training and validation overlaid",
        desc=desc,
        unit="tokens per example",
    )
    width = max(t.width, v.width)
    tb, vb = t.rebinned(width).counts, v.rebinned(width).counts
    rows = "".join(
        f'<tr><td class="n">{num(i * width)}–{num((i + 1) * width - 1)}</td>'
        f'<td class="n">{_pct(tb, i, t.total)}</td><td class="n">{_pct(vb, i, v.total)}</td></tr>'
        for i in range(max(len(tb), len(vb)))
        if (i < len(tb) and tb[i]) or (i < len(vb) and vb[i])
    )
    table = (
        "<details><summary>The figures behind this chart</summary><table><caption>Share of examples by tokens, "
        'training and validation</caption><thead><tr><th class="n">tokens</th><th class="n">training</th>'
        f'<th class="n">validation</th></tr></thead><tbody>{rows}</tbody></table></details>'
    )
    return f"<figure>{chart}<figcaption>{escape(desc)}</figcaption>{table}</figure>"


def _pct(counts: tuple[int, ...], i: int, total: int) -> str:
    return f"{100 * counts[i] / total:.1f}%" if i < len(counts) and total else "0.0%"


def _severity(sev: Severity) -> str:
    return f'<span class="sev-{sev.value}">{SEVERITY_MARK[sev]}</span>'


def _by_code(findings: Iterable[Finding]) -> dict[str, list[Finding]]:
    groups: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        groups[finding.code].append(finding)
    return groups


def _findings_section(report: Report, ev: Evidence) -> str:
    if not report.findings:
        return "<p>No findings: every rule that ran passed.</p>"
    groups = _by_code(report.findings)
    order = sorted(groups, key=lambda c: (-max(f.severity.rank for f in groups[c]), c))
    out = [
        "<table><caption>Findings per rule, most severe first</caption><thead><tr><th>rule</th><th>name</th>"
        '<th>severity</th><th class="n">findings</th></tr></thead><tbody>'
    ]
    for code in order:
        rule = RULES.get(code)
        sevs = sorted({f.severity for f in groups[code]}, key=lambda s: -s.rank)
        out.append(
            f'<tr><td><a href="#rule-{code}">{code}</a></td><td>{escape(rule.name if rule else "")}</td>'
            f'<td>{" ".join(_severity(s) for s in sevs)}</td><td class="n">{num(len(groups[code]))}</td></tr>'
        )
    out.append("</tbody></table>")
    for code in order:
        out.append(_rule_block(code, groups[code], ev))
    return "".join(out)


def _rule_block(code: str, findings: list[Finding], ev: Evidence) -> str:
    rule = RULES.get(code)
    shown = findings[: ev.locations_per_rule]
    head = f"{code} {rule.name}" if rule else code
    out = [
        f'<section id="rule-{code}" aria-labelledby="rule-{code}-h"><h3 id="rule-{code}-h">{escape(head)}</h3>'
    ]
    sev = Counter(f.severity for f in findings)
    out.append(
        "<p>"
        + ", ".join(f"{num(n)} {_severity(s)}" for s, n in sorted(sev.items(), key=lambda i: -i[0].rank))
        + (f". {escape(rule.summary)}" if rule else "")
        + "</p>"
    )
    if rule and rule.doc:
        out.append(
            f"<details><summary>Why {code} matters and how to fix it</summary><pre>{escape(rule.doc)}</pre></details>"
        )
    more = f" (the first {len(shown)} of {num(len(findings))})" if len(findings) > len(shown) else ""
    out.append(
        f"<table><caption>Where {code} was found{more}</caption><thead><tr><th>location</th><th>message</th>"
        "<th>text there</th></tr></thead><tbody>"
    )
    for f in shown:
        loc = f.location
        where = escape(str(loc)) + (f"<br><code>{escape(loc.json_path)}</code>" if loc.json_path else "")
        text = ev.snippet(loc.path, loc.line, loc.json_path)
        cell = f"<pre>{escape(text)}</pre>" if text is not None else '<span class="muted">not shown</span>'
        out.append(f"<tr><td>{where}</td><td>{escape(f.message)}</td><td>{cell}</td></tr>")
    out.append("</tbody></table></section>")
    return "".join(out)


def _duplicates_section(report: Report, ev: Evidence) -> str:
    groups = _by_code(f for f in report.findings if f.code.startswith("DP4") and f.related)
    out = []
    for code in sorted(groups):
        rule = RULES.get(code)
        clusters: dict[tuple[str, int], list[Finding]] = defaultdict(list)
        for f in groups[code][: ev.locations_per_rule]:
            first = f.related[0]
            clusters[(first.path, first.line)].append(f)
        title = f"{code} {rule.name}" if rule else code
        out.append(
            f"<h3>{escape(title)}</h3><p>{num(len(groups[code]))} finding(s); the first {len(clusters)} "
            f"cluster(s) of them, the first copy on the left and its copies on the right.</p>"
        )
        for (path, line), members in list(clusters.items())[:CLUSTERS_PER_RULE]:
            left = _copy_box(f"First copy: {path}:{line}", ev.snippet(path, line))
            right = "".join(
                _copy_box(
                    f"Copy: {m.location.path}:{m.location.line}", ev.snippet(m.location.path, m.location.line)
                )
                for m in members
            )
            out.append(
                f'<div class="pairs" role="group" aria-label="{escape(title)} cluster of {escape(path)}:{line}">{left}<div>{right}</div></div>'
            )
    return "".join(out)


def _copy_box(label: str, text: str | None) -> str:
    body = f"<pre>{escape(text)}</pre>" if text is not None else '<p class="muted">text not shown</p>'
    return f"<div><h4>{escape(label)}</h4>{body}</div>"


def _cost_section(report: Report, ev: Evidence) -> str:
    rows = list(ev.costs) or ([report.cost] if report.cost else [])
    if not rows:
        return "<p>No training examples: no cost estimate.</p>"
    rows.sort(key=lambda c: (c.usd is None, c.usd or 0.0, c.model))
    kind = next((f.kind for f in report.files if f.role == "train"), "")
    out = [
        f"<p>The training files on every model with a per-token price that takes {escape(kind)} records, each "
        "counted with its own tokenizer; examples over a model's limit are billed up to it. Validation files "
        "are not charged.</p><table><caption>Estimated training cost per model (the chosen one in bold)</caption>"
        '<thead><tr><th>model</th><th class="n">limit</th><th class="n">examples</th><th class="n">billed tokens</th>'
        '<th class="n">epochs</th><th class="n">charged tokens</th><th class="n">USD per 1M</th>'
        '<th class="n">estimate</th><th>price confidence</th></tr></thead><tbody>'
    ]
    for c in rows:
        name = escape(c.model)
        name = f"<strong>{name} (chosen)</strong>" if c.model == report.model.id else name
        price = "–" if c.price_per_1m is None else f"${c.price_per_1m:,.2f}"
        usd = "unknown" if c.usd is None else f"${c.usd:,.2f}"
        out.append(
            f'<tr data-model="{escape(c.model)}"><td>{name}</td><td class="n">{num(c.context_limit)}</td>'
            f'<td class="n">{num(c.examples)}</td><td class="n">{num(c.billed_tokens)}</td>'
            f'<td class="n">{c.epochs}</td><td class="n">{num(c.charged_tokens)}</td><td class="n">{price}</td>'
            f'<td class="n">{usd}</td><td>{escape(c.price_confidence)}</td></tr>'
        )
    out.append("</tbody></table>")
    return "".join(out)


def _samples_section(report: Report, ev: Evidence) -> str:
    out = ["<p>A few examples spread evenly through each file, as written (long ones shortened).</p>"]
    for file in report.files:
        sample = ev.samples.get(file.path)
        if not sample:
            continue
        out.append(f"<h3>{escape(file.path)}</h3>")
        for line, text in sample:
            out.append(f"<details><summary>line {num(line)}</summary><pre>{escape(text)}</pre></details>")
    return "".join(out)


def _more_section(report: Report) -> str:
    doc = report.to_dict()
    out = []
    if report.duplicate_index_bytes is not None:
        out.append(
            f"<p>The duplicate index took {_size(report.duplicate_index_bytes)} of memory for this run.</p>"
        )
    for key, value in doc.items():
        if key in KNOWN_FIELDS or value is None:
            continue
        out.append(f"<h3>{escape(_words(key))}</h3>{_any_value(key, value)}")
    return "".join(out)


def _any_value(caption: str, value: Any) -> str:
    """A figure of unknown shape: a mapping as a table (nested ones flattened), a list as rows, else text."""
    if isinstance(value, Mapping):
        flat: dict[str, Any] = {}
        _flatten("", value, flat)
        return _key_values(_words(caption), flat)
    if isinstance(value, list):
        if value and all(isinstance(v, Mapping) for v in value):
            keys = list(dict.fromkeys(k for v in value for k in v))
            head = "".join(f"<th>{escape(_words(str(k)))}</th>" for k in keys)
            rows = "".join(
                "<tr>" + "".join(f"<td>{_cell(_plain(v.get(k)))}</td>" for k in keys) + "</tr>" for v in value
            )
            return f"<table><caption>{escape(_words(caption))}</caption><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
        return f"<p>{escape(', '.join(str(v) for v in value))}</p>"
    return f"<p>{_cell(value)}</p>"


def _flatten(prefix: str, value: Mapping[str, Any], out: dict[str, Any]) -> None:
    for key, item in value.items():
        name = f"{prefix}{key}"
        if isinstance(item, Mapping):
            _flatten(f"{name}.", item, out)
        else:
            out[name] = _plain(item)


def _plain(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return value
