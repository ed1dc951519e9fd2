"""Golden folders of `dataprep export` on the samples (tests/golden/export/<case>/): data, configs and images byte
for byte. The manifest is left out (it names the input paths). DATAPREP_UPDATE_GOLDEN=1 rewrites them."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from dataprep.conversion.trainers import TrainerOptions, export_for_trainer
from dataprep.conversion.trainers.run import MANIFEST
from tests.conftest import SAMPLE

HERE = Path(__file__).parent / "golden"
CONVERTED = HERE / "convert"  # the convert goldens of the samples are the export inputs
CASES = {
    "axolotl-chat": ("axolotl", SAMPLE / "chat_valid.jsonl", SAMPLE / "chat_valid.validation.jsonl"),
    "axolotl-preference": ("axolotl", CONVERTED / "preference_pairs_zh.jsonl", None),
    "llama-factory-chat": (
        "llama-factory",
        SAMPLE / "chat_valid.jsonl",
        SAMPLE / "chat_valid.validation.jsonl",
    ),
    "llama-factory-kto": ("llama-factory", CONVERTED / "kto.jsonl", None),
    "llama-factory-vision": ("llama-factory", CONVERTED / "vision.jsonl", None),
    "trl-preference": ("trl", CONVERTED / "preference_implicit.jsonl", None),
    "trl-kto": ("trl", CONVERTED / "kto.jsonl", None),
    "autotrain-preference": ("autotrain", CONVERTED / "preference_pairs_zh.jsonl", None),
}


def files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != MANIFEST
    }


@pytest.mark.parametrize("case", sorted(CASES))
def test_export_of_the_samples_matches_its_golden_folder(tmp_path: Path, case: str) -> None:
    trainer, train, validation = CASES[case]
    out = tmp_path / case
    options = TrainerOptions(max_length=2048)
    export_for_trainer(train, out, trainer, validation=validation, options=options, validate=False)
    golden = HERE / "export" / case
    if os.environ.get("DATAPREP_UPDATE_GOLDEN"):
        shutil.rmtree(golden, ignore_errors=True)
        shutil.copytree(out, golden, ignore=shutil.ignore_patterns(MANIFEST))
    assert files(out) == files(golden)
