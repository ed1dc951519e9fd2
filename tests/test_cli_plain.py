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
from dataprep.cli.validate_run import DEFAULTS, plain_files

ROOT = Path(__file__).resolve().parent.parent


def test_the_written_out_defaults_are_what_click_passes(tmp_path: Path) -> None:
    path = tmp_path / "train.jsonl"
    with validate_cmd.make_context("validate", [str(path)]) as ctx:
        params = dict(ctx.params)
    assert params.pop("files") == (path,)
    assert params == DEFAULTS


@pytest.mark.parametrize(
    ("args", "files"),
    [
        (["validate", "a.jsonl"], (Path("a.jsonl"),)),
        (["validate", "a.jsonl", "dir/b.jsonl"], (Path("a.jsonl"), Path("dir/b.jsonl"))),
        (["validate", "s3://bucket/a.jsonl"], ("s3://bucket/a.jsonl",)),  # a URI stays text, as InputPath
        (["validate"], None),
        (["validate", "a.jsonl", "-q"], None),
        (["validate", "-"], None),
        (["validate", "--", "a.jsonl"], None),
        (["validate", ""], None),
        (["validate", "--help"], None),
        (["convert", "a.csv"], None),
        ([], None),
    ],
)
def test_only_a_command_line_of_files_is_plain(args: list[str], files: tuple[Path | str, ...] | None) -> None:
    assert plain_files(args) == files


def test_shell_completion_goes_to_click(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("_DATAPREP_COMPLETE", "bash_complete")
    assert plain_files(["validate", "a.jsonl"]) is None


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


@pytest.mark.parametrize("sample", ["chat_invalid.jsonl", "chat_valid.jsonl"])
def test_the_plain_form_prints_what_click_does_without_loading_click(sample: str) -> None:
    path = ROOT / "sample_data" / sample
    plain_out, plain = _run("validate", str(path))
    # `--color auto` is the default: the same run, parsed by click
    click_out, parsed = _run("validate", str(path), "--color", "auto")
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
