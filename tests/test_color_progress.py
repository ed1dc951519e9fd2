"""Colour only where it helps (--color, NO_COLOR, terminals) and the stderr progress bar for long runs."""

from __future__ import annotations

import importlib
import io
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import dataprep
from dataprep.cli import main
from dataprep.cli.color import use_color
from dataprep.cli.progress import ProgressBar, format_progress, progress_for
from dataprep.report.text import render_text
from tests.conftest import assistant, chat, user

ANSI = re.compile(r"\x1b\[[0-9;]*m")
# validate's run and report, under its options (the module, imported by name)
validate_run = importlib.import_module("dataprep.cli.validate_run")


class FakeTTY(io.StringIO):
    """A text stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _mixed_file(write_jsonl: Callable[..., Path]) -> Path:
    lines: list[Any] = [chat(user(f"q {i}"), assistant(f"a {i}")) for i in range(60)]
    return write_jsonl([*lines, chat(user("x"), assistant(" padded ")), b"[1]"], "mixed.jsonl")


# --- colour ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "tty", "env", "expected"),
    [
        ("auto", True, {}, True),
        ("auto", False, {}, False),
        ("auto", True, {"NO_COLOR": "1"}, False),
        ("auto", True, {"NO_COLOR": ""}, True),  # the convention: only a non-empty value counts
        ("auto", True, {"TERM": "dumb"}, False),
        ("always", False, {"NO_COLOR": "1"}, True),  # always forces
        ("never", True, {}, False),
    ],
)
def test_use_color(mode: str, tty: bool, env: dict[str, str], expected: bool) -> None:
    stream = FakeTTY() if tty else io.StringIO()
    assert use_color(mode, stream, env) is expected


def test_colour_is_opt_in_and_changes_nothing_but_escape_codes(write_jsonl: Callable[..., Path]) -> None:
    report = dataprep.validate_files([_mixed_file(write_jsonl)])
    plain = render_text(report)
    colored = render_text(report, color=True)
    assert "\x1b[" not in plain
    assert ANSI.sub("", colored) == plain
    assert "\x1b[1;31mDP003\x1b[0m" in colored  # error code in red
    assert "\x1b[33mDP212\x1b[0m" in colored  # warning code in yellow
    assert "\x1b[1;31mFAILED\x1b[0m: " in colored
    assert ANSI.sub("", render_text(report, quiet=True, color=True)) == render_text(report, quiet=True)


@pytest.mark.parametrize(
    ("args", "env", "expect_colour"),
    [
        ((), {}, False),  # auto, and the captured stdout is not a terminal
        (("--color", "always"), {}, True),
        (("--color", "always"), {"NO_COLOR": "1"}, True),
        (("--color", "never"), {}, False),
    ],
)
def test_cli_color_option(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    write_jsonl: Callable[..., Path],
    args: tuple[str, ...],
    env: dict[str, str],
    expect_colour: bool,
) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    code = main(["validate", str(_mixed_file(write_jsonl)), *args])
    out = capsys.readouterr().out
    assert code == 1
    assert ("\x1b[" in out) is expect_colour
    assert ANSI.sub("", out).rstrip().endswith("FAILED: 1 error(s), 1 warning(s), 0 info")


def test_cli_auto_colour_on_a_terminal_unless_no_color(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, write_jsonl: Callable[..., Path]
) -> None:
    path = str(_mixed_file(write_jsonl))
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("TERM", raising=False)
    tty = FakeTTY()
    monkeypatch.setattr(sys, "stdout", tty)
    main(["validate", path, "-q"])
    assert "\x1b[1;31mDP003\x1b[0m" in tty.getvalue()
    monkeypatch.setenv("NO_COLOR", "1")
    tty.seek(0)
    tty.truncate()
    main(["validate", path, "-q"])
    assert "DP003" in tty.getvalue() and "\x1b[" not in tty.getvalue()


# --- progress ----------------------------------------------------------------------------------------------


def test_format_progress() -> None:
    assert format_progress(1000, 512 * 1024, 1024 * 1024, 2.0) == (
        " 50% [##########----------] 1,000 lines, 500 examples/s, 512 KB of 1.0 MB"
    )
    assert format_progress(10, 999, 999, 0.5).startswith(
        "100% [####################] 10 lines, 20 examples/s"
    )
    assert format_progress(7, 0, None, 0.0) == "7 lines, 0 examples/s"  # unknown size: no percentage


def test_bar_waits_throttles_and_wipes_itself() -> None:
    stream, clock = FakeTTY(), FakeClock()
    bar = ProgressBar(stream, delay=0.5, interval=0.1, width=200, clock=clock)
    bar(100, 10, 1000)
    assert stream.getvalue() == ""  # a quick run prints nothing
    clock.now += 1.0
    bar(1000, 500, 1000)
    first = stream.getvalue()
    assert first.startswith("\r 50% [##########") and "1,000 lines, 1,000 examples/s" in first
    clock.now += 0.05
    bar(1100, 550, 1000)
    assert stream.getvalue() == first  # redrawn at most every 0.1 s
    clock.now += 0.06
    bar(2000, 1000, 1000)
    assert stream.getvalue().endswith(
        "\r100% [####################] 2,000 lines, 1,802 examples/s, 1000 B of 1000 B"
    )
    drawn = len(stream.getvalue().rsplit("\r", 1)[1])
    bar.close()
    assert stream.getvalue().endswith("\r" + " " * drawn + "\r")
    end = len(stream.getvalue())
    bar.close()  # a second close writes nothing
    assert len(stream.getvalue()) == end


def test_bar_never_wraps_and_pads_over_a_longer_line() -> None:
    stream, clock = FakeTTY(), FakeClock()
    bar = ProgressBar(stream, delay=0, interval=0, width=30, clock=clock)
    clock.now += 1
    bar(123456, 5, 10)
    line = stream.getvalue().rsplit("\r", 1)[1]
    assert len(line) == 29
    clock.now += 1
    bar(1, 5, None)
    last = stream.getvalue().rsplit("\r", 1)[1]
    assert len(last) == 29 and last.startswith("1 lines") and last.endswith(" ")


def test_progress_only_on_a_terminal() -> None:
    assert progress_for(io.StringIO()) is None
    assert isinstance(progress_for(FakeTTY()), ProgressBar)


@pytest.fixture
def tty_stderr(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeTTY]:
    stream = FakeTTY()
    monkeypatch.setattr(sys, "stderr", stream)
    yield stream


def test_cli_passes_the_bar_to_an_orchestrator_that_takes_one(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    write_jsonl: Callable[..., Path],
    tty_stderr: FakeTTY,
) -> None:
    real = validate_run.validate_files
    seen: list[str] = []

    def with_progress(*args: Any, progress: Any = None, **kwargs: Any) -> Any:
        assert isinstance(progress, ProgressBar)
        progress(5_000, 300, 600)
        seen.append(tty_stderr.getvalue())
        return real(*args, **kwargs)

    monkeypatch.setattr(validate_run, "validate_files", with_progress)
    monkeypatch.setattr(validate_run, "progress_for", lambda: ProgressBar(tty_stderr, delay=0))
    assert main(["validate", str(_mixed_file(write_jsonl)), "-q"]) == 1
    assert seen and " 50% [" in seen[0] and "5,000 lines" in seen[0]
    assert tty_stderr.getvalue().endswith("\r")  # wiped before the report was printed
    assert "DP003" in capsys.readouterr().out


def test_cli_without_a_progress_hook_still_runs_on_a_terminal(
    capsys: pytest.CaptureFixture[str], write_jsonl: Callable[..., Path], tty_stderr: FakeTTY
) -> None:
    assert main(["validate", str(_mixed_file(write_jsonl)), "-q"]) == 1
    assert "DP003" in capsys.readouterr().out
    assert tty_stderr.getvalue() == ""  # a quick run draws nothing
