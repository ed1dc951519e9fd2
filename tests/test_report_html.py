"""The HTML report: mergeable histograms, the evidence read back from files, and the page itself (parsed)."""

from __future__ import annotations

import dataclasses
import json
import re
import sys
from array import array
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

import dataprep
from dataprep.config import Config
from dataprep.models import load_models, resolve_model
from dataprep.report.charts import nice_step
from dataprep.report.html import render_html
from dataprep.report.model import Evidence, Report
from dataprep.stats import Histogram
from dataprep.validation.evidence import (
    gather_evidence,
    models_for_kind,
    shown_findings,
    snippet_of,
    spread,
    value_at,
)
from tests.conftest import REPO, SAMPLE, assistant, chat, user

# --- histograms ---------------------------------------------------------------------------------------------


def test_histogram_bins_are_powers_of_two_and_count_every_value() -> None:
    values = array("l", [0, 1, 5, 63, 64, 200, 999])
    hist = Histogram.of(values)
    assert hist is not None
    assert hist.width == 16 and len(hist.counts) <= Histogram.MAX_BINS
    assert hist.total == len(values)
    assert hist.counts[0] == 3 and hist.counts[999 // 16] == 1
    assert Histogram.of([]) is None
    assert Histogram.of([3, 4]) == Histogram(1, (0, 0, 0, 1, 1))


def test_histograms_merge_exactly_whatever_their_widths() -> None:
    small = [3, 7, 9, 12]
    large = [100, 400, 2500, 7]
    merged = Histogram.of(small).merged(Histogram.of(large))  # type: ignore[union-attr]
    direct = Histogram.of(small + large).rebinned(merged.width)  # type: ignore[union-attr]
    assert merged == direct
    assert merged.total == 8


def test_rebinning_refuses_a_finer_or_odd_width() -> None:
    hist = Histogram(8, (1, 2))
    with pytest.raises(ValueError):
        hist.rebinned(4)
    with pytest.raises(ValueError):
        hist.rebinned(24)
    assert hist.rebinned(16) == Histogram(16, (3,))


def test_stats_carry_histograms_but_the_json_report_does_not(write_jsonl: Callable[..., Path]) -> None:
    path = write_jsonl([chat(user(f"q {i}"), assistant("a " * i)) for i in range(30)])
    report = dataprep.validate_files([path])
    stats = report.files[0].stats
    assert stats.total_tokens_histogram is not None and stats.total_tokens_histogram.total == 30
    assert stats.messages_histogram == Histogram(1, (0, 0, 30))
    assert "total_tokens_histogram" not in str(report.to_dict())


def test_nice_steps() -> None:
    assert nice_step(100, 5) == 20
    assert nice_step(7, 5) == 2
    assert nice_step(0) == 1


# --- evidence -----------------------------------------------------------------------------------------------


def test_value_at_follows_json_paths() -> None:
    record = {"messages": [{"role": "user", "content": "hi"}, {"role": "bot", "content": [1, 2]}]}
    assert value_at(record, "messages[1].role") == "bot"
    assert value_at(record, "messages[1].content[1]") == 2
    with pytest.raises(KeyError):
        value_at(record, "messages[5].role")
    with pytest.raises(KeyError):
        value_at(record, "messages[0].role.x")


def test_snippets_show_the_value_at_the_path_or_else_the_line() -> None:
    line = b'{"messages": [{"role": "bot", "content": "hi"}]}'
    assert snippet_of(line, "messages[0].role") == "bot"
    assert snippet_of(line, "messages[0]") == '{"role":"bot","content":"hi"}'
    assert snippet_of(line, "messages[3]") == line.decode()
    assert snippet_of(b"{not json", "messages") == "{not json"
    long = snippet_of(b"x" * 1000)
    assert len(long) == 240 and long.endswith("…")


def test_spread_and_shown_findings() -> None:
    assert spread(3, 5) == [1, 2, 3]
    assert spread(101, 5) == [1, 26, 51, 76, 101]
    assert spread(10, 1) == [1]
    assert spread(0, 5) == []
    findings = dataprep.validate_files([SAMPLE / "chat_invalid.jsonl"]).findings
    shown = shown_findings([*findings, *findings, *findings], 2)
    codes = [f.code for f in shown]
    assert all(codes.count(c) <= 2 for c in codes) and set(codes) == {f.code for f in findings}


def test_models_for_each_kind() -> None:
    table = load_models()
    chat_models = {m.id for m in models_for_kind("chat", table)}
    assert "gpt-4o-mini-2024-07-18" in chat_models and "babbage-002" not in chat_models
    assert "o4-mini-2025-04-16" not in chat_models  # no per-token price
    assert {m.id for m in models_for_kind("completion", table)} == {"babbage-002", "davinci-002"}
    preference = {m.id for m in models_for_kind("preference", table)}
    assert preference and all(m.startswith(("gpt-4o", "gpt-4.1")) for m in preference)


def test_evidence_reads_the_lines_findings_point_at() -> None:
    path = str(SAMPLE / "chat_invalid.jsonl")
    report = dataprep.validate_files([path], config=Config())
    evidence = gather_evidence(report, config=Config())
    bad_role = next(f for f in report.findings if f.location.json_path.endswith(".role"))
    loc = bad_role.location
    line = Path(path).read_bytes().splitlines()[loc.line - 1]
    assert evidence.snippet(loc.path, loc.line, loc.json_path) == value_at(json.loads(line), loc.json_path)
    assert [line for line, _ in evidence.samples[path]] == spread(report.files[0].lines, 5)


def test_cost_table_counts_each_model_with_its_own_tokenizer(write_jsonl: Callable[..., Path]) -> None:
    path = write_jsonl(
        [chat(user(f"Übersetze {i} bitte"), assistant("日本語の文章です。" * 3)) for i in range(40)]
    )
    report = dataprep.validate_files([path], config=Config())
    costs = {c.model: c for c in gather_evidence(report, config=Config()).costs}
    assert set(costs) == {m.id for m in models_for_kind("chat")}
    for model_id in ("gpt-3.5-turbo-0125", "gpt-4.1-nano-2025-04-14"):
        alone = dataprep.validate_files([path], model=model_id, config=Config(), ignore=["DP"]).cost
        assert alone is not None
        assert costs[model_id].billed_tokens == alone.billed_tokens
        assert costs[model_id].usd == pytest.approx(alone.usd)
    # o200k and cl100k count CJK text differently: the table is not one count repriced.
    assert costs["gpt-3.5-turbo-0125"].billed_tokens != costs["gpt-4o-mini-2024-07-18"].billed_tokens


def test_cost_table_caps_examples_at_a_smaller_limit(write_jsonl: Callable[..., Path]) -> None:
    long_answer = "word " * 5000  # about 5,000 tokens: over gpt-3.5-turbo-0613's 4,096
    path = write_jsonl([chat(user("Write."), assistant(long_answer)) for _ in range(12)])
    report = dataprep.validate_files([path], config=Config(), ignore=["DP4"])
    costs = {c.model: c for c in gather_evidence(report, config=Config()).costs}
    assert costs["gpt-3.5-turbo-0613"].billed_tokens == 12 * 4096
    assert costs["gpt-3.5-turbo-0125"].billed_tokens > 12 * 4096


def test_cost_table_bills_the_examples_the_report_bills() -> None:
    """Records with schema errors are left out of the report's cost; every row of the table leaves them out too."""
    report = dataprep.validate_files([SAMPLE / "chat_invalid.jsonl"], config=Config())
    assert report.cost is not None and report.cost.examples < report.files[0].lines
    costs = gather_evidence(report, config=Config()).costs
    assert len(costs) > 1
    assert {c.examples for c in costs} == {report.cost.examples}
    same_encoding = [c for c in costs if c.model.startswith("gpt-4o")]
    assert {c.billed_tokens for c in same_encoding} == {report.cost.billed_tokens}


def test_cost_table_counts_only_the_tokenizers_the_run_did_not(
    write_jsonl: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The run's own totals serve every model with its tokenizer: only cl100k_base is counted again."""
    import dataprep.validation.run as run

    path = write_jsonl([chat(user(f"Question {i}?"), assistant("An answer.")) for i in range(10)])
    report = dataprep.validate_files([path], config=Config())
    counted: list[str] = []
    real = run.billing_totals

    def spy(train: list[Path], *, model: str, config: Config) -> list[int | tuple[int, int]]:
        counted.append(resolve_model(model).encoding)
        return real(train, model=model, config=config)

    monkeypatch.setattr(run, "billing_totals", spy)
    costs = gather_evidence(report, config=Config()).costs
    assert report.model.encoding == "o200k_base" and counted == ["cl100k_base"]
    assert len({c.model for c in costs}) == len(models_for_kind("chat"))


# --- the page -----------------------------------------------------------------------------------------------


class Page(HTMLParser):
    """The page's elements as (tag, attributes) and its text, for assertions without a browser."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {k: v or "" for k, v in attrs}))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def all(self, tag: str, cls: str = "") -> list[dict[str, str]]:
        return [a for t, a in self.elements if t == tag and cls in [*a.get("class", "").split(), ""]]


@pytest.fixture(scope="module")
def sample_page() -> tuple[Report, Evidence, str]:
    config = Config()
    report = dataprep.validate_files(
        [SAMPLE / "chat_invalid.jsonl", SAMPLE / "chat_valid.jsonl"],
        [SAMPLE / "chat_valid.validation.jsonl"],
        config=config,
    )
    evidence = gather_evidence(report, config=config)
    return report, evidence, render_html(report, evidence)


def test_page_is_self_contained(sample_page: tuple[Report, Evidence, str]) -> None:
    _, _, html = sample_page
    page = Page(html)
    assert not page.all("script") and not page.all("img") and not page.all("link") and not page.all("iframe")
    assert all(a["href"].startswith("#") for a in page.all("a"))
    assert not re.search(r"url\((?!#)", html)  # CSS pulls in nothing (hatching refers to in-page patterns)
    assert "default-src 'none'" in html
    assert html.startswith("<!DOCTYPE html>") and '<html lang="en">' in html


def test_header_says_the_verdict_and_the_figures(sample_page: tuple[Report, Evidence, str]) -> None:
    report, _, html = sample_page
    text = "".join(Page(html).text)
    assert "FAILED" in text and report.model.id in text
    assert f"{sum(f.stats.examples for f in report.files):,}" in text
    assert report.cost is not None and f"${report.cost.usd:,.2f}" in text


def test_every_chart_has_a_text_alternative(sample_page: tuple[Report, Evidence, str]) -> None:
    _, _, html = sample_page
    page = Page(html)
    charts = page.all("svg")
    assert len(charts) >= 3 * 3 + 1  # tokens, messages, trained share per file; the overlay
    ids = {a.get("id") for _, a in page.elements}
    for chart in charts:
        assert chart["role"] == "img"
        assert all(part in ids for part in chart["aria-labelledby"].split())
    assert len(page.all("caption")) >= 5
    assert page.all("h1") and len(page.all("h2")) >= 6


def test_token_bars_match_the_statistics(sample_page: tuple[Report, Evidence, str]) -> None:
    report, _, html = sample_page
    page = Page(html)
    bars = [a for a in page.all("rect", "bar") if "train" not in a["class"] and "other" not in a["class"]]
    for n, file in enumerate(report.files):
        chart_bars = _bars_of(html, f"tokens-{n}")
        hist = file.stats.total_tokens_histogram
        assert hist is not None
        assert {(int(b["data-lo"]), int(b["data-count"])) for b in chart_bars} == {
            (i * hist.width, c) for i, c in enumerate(hist.counts) if c
        }
        tallest = max(float(b["height"]) for b in chart_bars)
        for bar in chart_bars:  # heights in proportion to the counts
            assert float(bar["height"]) / tallest == pytest.approx(
                int(bar["data-count"]) / max(hist.counts), abs=0.01
            )
    assert bars


def _bars_of(html: str, chart_id: str) -> list[dict[str, str]]:
    start = html.index(f'id="{chart_id}"')
    page = Page(html[start : html.index("</svg>", start)])
    return page.all("rect", "bar")


def test_findings_by_rule_show_snippets_and_explanations(sample_page: tuple[Report, Evidence, str]) -> None:
    report, evidence, html = sample_page
    codes = {f.code for f in report.findings}
    for code in codes:
        assert f'id="rule-{code}"' in html
    bad_role = next(f for f in report.findings if f.location.json_path.endswith(".role"))
    snippet = evidence.snippet(bad_role.location.path, bad_role.location.line, bad_role.location.json_path)
    assert snippet is not None and f"<pre>{snippet}</pre>" in html
    assert "Why DP" in html  # the rule's documentation, folded


def test_first_twenty_locations_only(write_jsonl: Callable[..., Path]) -> None:
    path = write_jsonl([chat(user(f"q {i}"), assistant(f"a {i}", weight=2)) for i in range(45)])
    report = dataprep.validate_files([path], config=Config())
    code = report.findings[0].code
    html = render_html(report, gather_evidence(report, config=Config(), costs=False))
    section = html[html.index(f'id="rule-{code}"') :]
    section = section[: section.index("</section>")]
    count = sum(1 for f in report.findings if f.code == code)
    assert f"the first 20 of {count}" in section
    assert section.count("<tr>") == 1 + 20


def test_duplicates_side_by_side(write_jsonl: Callable[..., Path]) -> None:
    same = chat(user("How do I reset the router?"), assistant("Hold the reset button for ten seconds."))
    rows = [chat(user(f"Question {i} about soup?"), assistant(f"Answer {i}: simmer it.")) for i in range(20)]
    path = write_jsonl([same, *rows, same, same])
    report = dataprep.validate_files([path], config=Config())
    html = render_html(report, gather_evidence(report, config=Config(), costs=False))
    assert 'id="duplicates"' in html
    block = html[html.index('id="duplicates"') :]
    assert f"First copy: {path}:1" in block
    assert f"Copy: {path}:22" in block and f"Copy: {path}:23" in block
    assert block.count("Hold the reset button") >= 3


def test_limit_line_drawn_in_view_and_named_when_far(write_jsonl: Callable[..., Path]) -> None:
    path = write_jsonl([chat(user("q"), assistant("word " * n)) for n in range(10, 400, 10)])
    far = dataprep.validate_files([path], config=Config())
    near = dataprep.validate_files([path], config=Config(), encoding="o200k_base", max_tokens=300)
    far_html, near_html = render_html(far), render_html(near)
    assert 'class="limit"' not in far_html and "limit 65,536 →" in far_html
    assert 'class="limit" ' in near_html and 'data-limit="300"' in near_html
    assert 'class="bar over"' in near_html and 'class="bar over"' not in far_html


def test_unknown_report_fields_are_shown(write_jsonl: Callable[..., Path]) -> None:
    @dataclasses.dataclass(frozen=True)
    class Later(Report):
        def to_dict(self) -> dict[str, Any]:
            return {
                **super().to_dict(),
                "compute": {"gpu_hours": 1.5, "gpu": {"name": "A100 <80GB>"}},
                "notes": [{"what": "a", "n": 1}],
                "flags": ["x", "y"],
                "answer": 42,
            }

    report = dataprep.validate_files([write_jsonl([chat()] * 3)], config=Config())
    html = render_html(Later(**{f.name: getattr(report, f.name) for f in dataclasses.fields(report)}))
    more = html[html.index('id="more"') :]
    assert "gpu hours" in more and "1.5" in more and "A100 &lt;80GB&gt;" in more
    assert "<th>what</th>" in more and "x, y" in more and "42" in more


def test_text_is_escaped(write_jsonl: Callable[..., Path]) -> None:
    path = write_jsonl([chat(user("<script>alert(1)</script>"), {"role": "bot", "content": "</pre><b>x"})])
    report = dataprep.validate_files([path], config=Config())
    html = render_html(report, gather_evidence(report, config=Config(), costs=False))
    assert "<script>" not in html and "</pre><b>" not in html
    assert "&lt;script&gt;" in html


def test_a_page_without_examples(write_jsonl: Callable[..., Path]) -> None:
    report = dataprep.validate_files([write_jsonl([])], config=Config())
    html = render_html(report, gather_evidence(report, config=Config()))
    assert "No examples to chart." in html and "no cost estimate" in html.lower()


@pytest.mark.slow
def test_page_size_does_not_grow_with_the_examples(tmp_path: Path) -> None:
    sys.path.insert(0, str(REPO / "benchmarks"))
    import generate_chat

    # 1,000 examples already fill the page's per-rule caps; four times as many (the findings grow linearly)
    # must leave the page about as large: 10,000 showed the same and cost 14 s, this about a third of that.
    sizes = {}
    for n in (1_000, 4_000):
        path = tmp_path / f"chat_{n}.jsonl"
        generate_chat.write(path, n, seed=3)
        config = Config(jobs=1)
        report = dataprep.validate_files([path], config=config)
        assert len(report.findings) > n // 40  # duplicates and near-duplicates: many more than the page lists
        sizes[n] = len(render_html(report, gather_evidence(report, config=config)).encode())
    assert sizes[4_000] < 1.5 * sizes[1_000]
    assert sizes[4_000] < 1_000_000
