"""The HTML report in a real browser (headless Chromium over the DevTools protocol, tests/browser.py).

The page loads with no console error and no request beyond itself, a screenshot is taken, and the charts the
browser lays out match the data: the bars read from the DOM against token counts made here, record by record.
Skipped, saying why, where Chromium is not installed (`make test` installs it when it runs as root).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import dataprep
from dataprep.cli import main
from tests.browser import Browser, find_chromium
from tests.conftest import SAMPLE, assistant, chat, user

CHROMIUM = find_chromium()
# One xdist worker runs the module (`--dist loadgroup` in the Makefile), so Chromium starts once.
pytestmark = [
    pytest.mark.skipif(
        CHROMIUM is None,
        reason="Chromium not found (apt-get install chromium, or set DATAPREP_CHROMIUM); `make test` installs it as root",
    ),
    pytest.mark.xdist_group("browser"),
]

BARS_JS = """JSON.stringify([...document.querySelectorAll('#%s rect.bar:not(.legend)')].map(r => ({
  lo: +r.dataset.lo, hi: +r.dataset.hi, count: +r.dataset.count, share: +(r.dataset.share || 0),
  series: r.dataset.series || '', height: r.getBoundingClientRect().height,
  left: r.getBoundingClientRect().left, right: r.getBoundingClientRect().right,
  bottom: r.getBoundingClientRect().bottom, visible: getComputedStyle(r).display !== 'none'})))"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert CHROMIUM is not None
    with Browser(CHROMIUM) as b:
        yield b


def _records() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Training examples of varied length and turns, validation ones somewhat longer; some over 300 tokens."""
    train = [
        chat(
            *(
                [
                    user(f"Question {i}: how long should pasta {i} cook?"),
                    assistant("About ten minutes. " * (i % 29)),
                ]
                * (1 + i % 3)
            ),
        )
        for i in range(1, 160)
    ]
    valid = [
        chat(user(f"Check {i}?"), assistant("Taste it first, then decide. " * (3 + i % 25)))
        for i in range(40)
    ]
    return train, valid


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict[str, Any]], list[dict[str, Any]]]:
    folder = tmp_path_factory.mktemp("browser")
    train, valid = _records()
    paths = []
    for name, records in (("train.jsonl", train), ("valid.jsonl", valid)):
        path = folder / name
        path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
        paths.append(path)
    out = folder / "report.html"
    argv = ["report", str(paths[0]), "--validation", str(paths[1]), "--encoding", "o200k_base"]
    code = main([*argv, "--model", "my-model", "--max-tokens", "300", "-o", str(out), "--exit-zero"])
    assert code == 0
    return out, train, valid


def test_page_loads_offline_without_console_errors(
    browser: Browser, page: tuple[Path, list[Any], list[Any]], tmp_path: Path
) -> None:
    path, _, _ = page
    browser.open(path)
    assert browser.console_errors() == []
    assert browser.requests() == [path.resolve().as_uri()]  # the page itself, nothing else
    assert browser.evaluate("document.title").startswith("dataprep report:")
    shot = browser.screenshot(tmp_path / "report.png")
    assert shot.startswith(b"\x89PNG\r\n\x1a\n")
    width = int.from_bytes(shot[16:20], "big")
    height = int.from_bytes(shot[20:24], "big")
    assert width >= 1000 and height > 2000  # the whole page, not the first screen


def test_token_bars_match_counts_made_here(browser: Browser, page: tuple[Path, list[Any], list[Any]]) -> None:
    path, train, _ = page
    browser.open(path)
    bars = json.loads(browser.evaluate(BARS_JS % "tokens-0"))
    assert bars and all(b["visible"] for b in bars)
    width = bars[0]["hi"] - bars[0]["lo"]
    expected = Counter(dataprep.count_tokens(r["messages"]) // width for r in train)
    assert {b["lo"] // width: b["count"] for b in bars} == dict(expected)
    tallest = max(b["height"] for b in bars)
    for bar in bars:  # laid out in proportion, all on one baseline
        assert bar["height"] / tallest == pytest.approx(bar["count"] / max(expected.values()), abs=0.02)
        assert bar["bottom"] == pytest.approx(bars[0]["bottom"], abs=0.5)
    # The limit (300) is drawn where the axis puts 300, and the bars past it are the over-limit ones.
    over = browser.evaluate("document.querySelectorAll('#tokens-0 rect.bar.over').length")
    assert over == sum(1 for b in bars if b["hi"] > 300)
    assert browser.evaluate("document.querySelector('#tokens-0 line.limit').dataset.limit") == "300"
    over_examples = sum(1 for r in train if dataprep.count_tokens(r["messages"]) > 300)
    assert over_examples > 0 and over > 0
    line_x = browser.evaluate("document.querySelector('#tokens-0 line.limit').getBoundingClientRect().left")
    px_per_token = (bars[-1]["right"] - bars[0]["left"]) / (bars[-1]["hi"] - bars[0]["lo"])
    assert line_x == pytest.approx(bars[0]["left"] + (300 - bars[0]["lo"]) * px_per_token, abs=2)


def test_overlay_shows_both_sides_as_shares(
    browser: Browser, page: tuple[Path, list[Any], list[Any]]
) -> None:
    path, train, valid = page
    browser.open(path)
    bars = json.loads(browser.evaluate(BARS_JS % "split-tokens"))
    by_side = {side: [b for b in bars if b["series"] == side] for side in ("training", "validation")}
    assert sum(b["count"] for b in by_side["training"]) == len(train)
    assert sum(b["count"] for b in by_side["validation"]) == len(valid)
    for side in by_side.values():
        assert sum(b["share"] for b in side) == pytest.approx(100, abs=0.01)
    tallest = max(bars, key=lambda b: b["share"])
    for bar in bars:
        assert bar["height"] / tallest["height"] == pytest.approx(bar["share"] / tallest["share"], abs=0.02)


def test_messages_and_trained_share(browser: Browser, page: tuple[Path, list[Any], list[Any]]) -> None:
    path, train, _ = page
    browser.open(path)
    bars = json.loads(browser.evaluate(BARS_JS % "messages-0"))
    assert {b["lo"]: b["count"] for b in bars} == dict(Counter(len(r["messages"]) for r in train))
    parts = json.loads(
        browser.evaluate(
            "JSON.stringify([...document.querySelectorAll('#trained-0 rect.part:not(.legend)')]"
            ".map(r => [r.dataset.name, +r.dataset.share, r.getBoundingClientRect().width]))"
        )
    )
    total_width = sum(p[2] for p in parts)
    for _, share, width in parts:
        assert width / total_width == pytest.approx(share / 100, abs=0.01)


def test_every_chart_is_described_and_the_sample_page_renders(browser: Browser, tmp_path: Path) -> None:
    out = tmp_path / "sample.html"
    assert main(["report", str(SAMPLE / "chat_invalid.jsonl"), "-o", str(out)]) == 1
    browser.open(out)
    assert browser.console_errors() == []
    missing = browser.evaluate(
        "[...document.querySelectorAll('svg')].filter(s => s.getAttribute('role') !== 'img' || "
        "!s.getAttribute('aria-labelledby').split(' ').every(id => document.getElementById(id)"
        " && document.getElementById(id).textContent.trim())).length"
    )
    assert missing == 0
    assert browser.evaluate("document.querySelectorAll('table caption').length") >= 5
    # Readable without colour: severities say their word, not only a colour.
    words = browser.evaluate("[...document.querySelectorAll('.sev-error')].map(e => e.textContent).join(' ')")
    assert "error" in words
