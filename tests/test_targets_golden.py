"""Every target profile against sample data in its own shape: the findings (code, file, line) of
`validate --target NAME` are pinned in tests/golden_targets/<NAME>.json.

The chat targets (OpenAI and the providers and trainers that take its JSONL) run on the chat sample with its
validation file and on the preference sample; Vertex and Bedrock Nova on their native samples. A change meant to
alter the findings regenerates the files with DATAPREP_UPDATE_GOLDEN=1 and shows the difference in review.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from dataprep import validate_files
from dataprep.targets import load_targets

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data"
GOLDEN = Path(__file__).resolve().parent / "golden_targets"

# target -> (training files, validation file); every profile appears (checked below)
INPUTS: dict[str, tuple[tuple[str, ...], str | None]] = {
    **{
        name: (("chat_valid.jsonl", "preference.jsonl"), "chat_valid.validation.jsonl")
        for name in (
            "openai",
            "azure",
            "together",
            "fireworks",
            "trl",
            "axolotl",
            "llama-factory",
            "autotrain",
        )
    },
    "vertex": (("vertex.jsonl",), None),
    "bedrock-nova": (("bedrock_nova.jsonl", "bedrock_nova_dpo.jsonl"), None),
}


def _findings(target: str) -> dict[str, Any]:
    train, validation = INPUTS[target]
    report = validate_files(
        [SAMPLE / name for name in train],
        [SAMPLE / validation] if validation else [],
        target=target,
    )
    return {
        "ok": report.ok,
        "findings": sorted([f.code, Path(f.location.path).name, f.location.line] for f in report.findings),
    }


def test_every_target_has_sample_data() -> None:
    assert set(INPUTS) == set(load_targets())


@pytest.mark.parametrize("target", sorted(INPUTS))
def test_target_findings_on_its_samples_are_golden(target: str) -> None:
    found = _findings(target)
    path = GOLDEN / f"{target}.json"
    if os.environ.get("DATAPREP_UPDATE_GOLDEN"):
        path.write_text(json.dumps(found, indent=1) + "\n", encoding="utf-8")
    assert found == json.loads(path.read_text(encoding="utf-8"))
