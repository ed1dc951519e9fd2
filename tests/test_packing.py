"""Packing figures: sequences and padding with and without packing, and the open-weight report section."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from dataprep import Config, validate_files
from dataprep.packing import pack


def test_best_fit_decreasing_packs_whole_examples() -> None:
    p = pack([600, 300, 100, 400, 0, 5000], 1000)
    # cut at 1000: 1000, 600, 400, 300, 100 -> [1000] [600+400] [300+100]
    assert (p.examples, p.tokens, p.sequences_unpacked, p.sequences_packed) == (5, 2400, 5, 3)
    assert p.padding_unpacked == 5 * 1000 - 2400 and p.padding_packed == 3 * 1000 - 2400
    assert p.to_dict()["waste_packed"] == round(600 / 3000, 4)
    empty = pack([], 10)
    assert empty.sequences_packed == 0 and empty.waste_packed == 0.0


def test_open_weight_report_says_where_the_sequence_length_comes_from(tmp_path: Path) -> None:
    train = tmp_path / "train.jsonl"
    rows = [
        {
            "messages": [
                {"role": "user", "content": f"Question {i}?"},
                {"role": "assistant", "content": "Answer."},
            ]
        }
        for i in range(12)
    ]
    train.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    report = validate_files([train], config=Config(), model="openai/gpt-oss-20b", date="2025-06-28", jobs=1)
    assert report.template_run is not None and report.template_run.sequence_length == 131_072
    assert report.template_run.sequence_length_from.startswith("the model's context length (default")
    assert report.files[0].packing is None and "packing" not in report.files[0].to_dict()
    packed = validate_files(
        [train],
        config=Config(),
        model="openai/gpt-oss-20b",
        date="2025-06-28",
        max_seq_length=256,
        packing=True,
        jobs=1,
    )
    assert packed.template_run is not None and packed.template_run.sequence_length_from == "--max-seq-length"
    p = packed.files[0].packing
    assert p is not None and p.sequences_unpacked == 12 and p.sequences_packed < 12
    assert packed.to_dict()["template"]["sequence_length"] == 256
    assert "template" not in validate_files([train], config=Config(), jobs=1).to_dict()


def test_the_report_names_the_tokenizer_the_workers_built(tmp_path: Path, monkeypatch: Any) -> None:
    """With worker processes the main process names the tokenizer from their results, never building one."""
    from dataprep.tokens import build_tokenizer
    from dataprep.validation import executors

    train = tmp_path / "train.jsonl"
    rows = [
        {"messages": [{"role": "user", "content": f"Q{i}?"}, {"role": "assistant", "content": "A."}]}
        for i in range(40)
    ]
    train.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    monkeypatch.setattr(executors, "IN_PROCESS_BYTES", 0)
    build_tokenizer.cache_clear()
    pooled = validate_files([train], config=Config(), model="openai/gpt-oss-20b", date="2025-06-28", jobs=2)
    assert build_tokenizer.cache_info().currsize == 0  # built in the workers only
    alone = validate_files([train], config=Config(), model="openai/gpt-oss-20b", date="2025-06-28", jobs=1)
    assert pooled.template_run is not None and alone.template_run is not None
    assert pooled.template_run.tokenizer == alone.template_run.tokenizer
    assert (
        "o200k_harmony" in pooled.template_run.tokenizer
        and "generation markers" in pooled.template_run.tokenizer
    )
