"""The README's open-weight worked example is what `dataprep validate` prints today (numbers included)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dataprep.cli import main

ROOT = Path(__file__).resolve().parent.parent


def test_readme_worked_example_matches_the_output(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- open-weights-example:start -->\n```console\n(.*?)\n```", readme, re.S)
    assert block is not None
    lines = block.group(1).splitlines()
    shown = [line for line in lines[2:] if line.strip()]  # after the two-line command
    monkeypatch.chdir(ROOT)
    code = main(
        [
            "validate",
            "sample_data/open_weights.jsonl",
            "--model",
            "openai/gpt-oss-20b",
            "--date",
            "2025-06-28",
            "--max-seq-length",
            "256",
            "--packing",
            "--ignore",
            "DP5,DP2,DP601",
            "-j1",
        ]
    )
    out = [line for line in capsys.readouterr().out.splitlines() if line.strip()]
    assert code == 1
    assert out == shown
    for figure in (
        "180 of 545 trained tokens",
        "3 packed (13.8% padding)",
        "5 sequences unpacked (48.3% padding)",
    ):
        assert figure in readme and any(figure in line for line in out)
