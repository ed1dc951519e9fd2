"""The plain `dataprep validate FILE...` (the pre-commit hook's command line) runs without click: it must do
exactly what the click command does with every option left out, print the same bytes and exit the same."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import pytest

from dataprep.cli import validate_run
from dataprep.cli.validate_cmd import validate_cmd
from dataprep.cli.validate_run import DEFAULTS, plain_params

ROOT = Path(__file__).resolve().parent.parent


def test_the_written_out_defaults_are_what_click_passes(tmp_path: Path) -> None:
    path = tmp_path / "train.jsonl"
    with validate_cmd.make_context("validate", [str(path)]) as ctx:
        params = dict(ctx.params)
    assert params.pop("files") == (path,)
    assert params == DEFAULTS


@pytest.mark.parametrize(
    "argv",
    [
        ["a.jsonl"],
        ["a.jsonl", "dir/b.jsonl"],
        ["--quiet", "--", "a.jsonl", "b.jsonl"],  # the dataprep-validate hook
        ["--quiet", "--ignore=DP4,DP51", "--", "a.jsonl"],  # the dataprep-validate-fast hook
        ["-q", "a.jsonl", "--select=DP2", "--select=DP3", "--ignore="],
        ["a.jsonl", "--", "-h.jsonl", "--config=cfg.jsonl", "--", "-"],  # after `--`, every word is a file
        ["s3://bucket/a.jsonl"],  # a URI stays text, as InputPath keeps it
    ],
)
def test_plain_command_lines_get_what_click_passes(argv: list[str]) -> None:
    with validate_cmd.make_context("validate", list(argv)) as ctx:
        parsed = dict(ctx.params)
    assert plain_params(["validate", *argv]) == parsed


@pytest.mark.parametrize(
    "args",
    [
        ["validate"],
        ["validate", "--quiet", "--"],  # no file: click says so
        ["validate", "-"],  # standard input
        ["validate", "a.jsonl", "--ignore", "DP4"],
        ["validate", "a.jsonl", "-j1"],
        ["validate", "a.jsonl", "--format=json"],
        ["validate", "a.jsonl", "--severity=DP201=off"],
        ["validate", "--help"],
        ["validate", ""],
        ["validate", "--", ""],
        ["convert", "a.csv"],
        [],
    ],
)
def test_other_command_lines_go_to_click(args: list[str]) -> None:
    assert plain_params(args) is None


def test_shell_completion_goes_to_click(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("_DATAPREP_COMPLETE", "bash_complete")
    assert plain_params(["validate", "a.jsonl"]) is None


PROBE = """
import gc, json, sys
from dataprep.cli import main
code = main(sys.argv[1:])
sys.stdout.flush()
facts = {"code": code, "click": "click" in sys.modules, "gc": gc.isenabled(), "frozen": gc.get_freeze_count()}
print(json.dumps(facts), file=sys.stderr)
"""


def _run(*args: str) -> tuple[bytes, dict[str, object]]:
    result = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, check=True)
    return result.stdout, json.loads(result.stderr.decode().strip().splitlines()[-1])


@pytest.mark.parametrize(
    ("sample", "options"),
    [
        ("chat_invalid.jsonl", []),
        ("chat_valid.jsonl", []),
        ("chat_invalid.jsonl", ["--quiet"]),  # the pre-commit hooks' command lines
        ("chat_valid.validation.jsonl", ["--quiet", "--ignore=DP4,DP51"]),
    ],
)
def test_the_plain_form_prints_what_click_does_without_loading_click(sample: str, options: list[str]) -> None:
    path = str(ROOT / "sample_data" / sample)
    plain_out, plain = _run("validate", *options, "--", path)
    # `--color auto` is the default: the same run, parsed by click
    click_out, parsed = _run("validate", *options, "--color", "auto", "--", path)
    assert plain_out == click_out and plain_out
    assert plain["code"] == parsed["code"]
    assert plain["click"] is False and parsed["click"] is True
    # the modules' objects were frozen out of later collections, and the collector runs again for the rest
    frozen = plain["frozen"]
    assert plain["gc"] is True and isinstance(frozen, int) and frozen > 10_000


def test_an_error_in_the_plain_form_is_reported_as_before(tmp_path: Path) -> None:
    missing = tmp_path / "missing.jsonl"
    result = subprocess.run(
        [sys.executable, "-m", "dataprep", "validate", str(missing)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr == f"dataprep: error: {missing}: no such file\n"


def test_echo_writes_as_click_echo(capsys: pytest.CaptureFixture[str]) -> None:
    for text, color in [("plain text\n", None), ("a \x1b[31mred\x1b[0m word\n", False), ("é\n", True)]:
        validate_run.echo(text, color=color)
        ours = capsys.readouterr().out
        click.echo(text, nl=False, color=color)
        assert ours == capsys.readouterr().out
