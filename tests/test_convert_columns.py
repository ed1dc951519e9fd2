"""Nothing dropped without a word (issue 9 item 11): unused input columns are listed; columns that change what is
trained stop the conversion unless --ignore-column says to drop them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import dataprep
from dataprep.cli import main
from dataprep.conversion import convert_file
from dataprep.errors import MappingError
from tests.conftest import SAMPLE

# LLaMA-Factory's ShareGPT preference shape: conversations, then chosen/rejected answers.
PREFERENCE_SHAREGPT = [
    {
        "conversations": [{"from": "human", "value": f"Question {i}?"}],
        "chosen": {"from": "gpt", "value": f"Good answer {i}."},
        "rejected": {"from": "gpt", "value": f"Bad answer {i}."},
    }
    for i in range(3)
]
# LLaMA-Factory's KTO shape: a conversation and a kto_tag.
KTO_SHAREGPT = [
    {
        "messages": [{"role": "user", "content": f"q{i}"}, {"role": "assistant", "content": f"a{i}"}],
        "kto_tag": i % 2 == 0,
    }
    for i in range(3)
]


def _jsonl(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_unused_columns_are_listed_in_text_and_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "faq.csv"
    source.write_text(
        "id,question,answer,notes,source_url\n1,Why?,Because.,internal,http://x\n", encoding="utf-8"
    )
    out = tmp_path / "o.jsonl"
    args = ["convert", str(source), "--user", "{question}", "--assistant", "{answer}", "-o", str(out)]
    assert main([*args, "--no-validate"]) == 0
    text = capsys.readouterr().out
    assert "columns not used by the mapping (not in the output): 'id', 'notes', 'source_url'" in text
    assert main([*args, "--no-validate", "--force", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["unused_columns"] == ["id", "notes", "source_url"]


def test_recipe_sample_lists_its_unused_columns(tmp_path: Path) -> None:
    report = convert_file(SAMPLE / "recipes.csv", tmp_path / "r.jsonl", preset="recipe", validate=False)
    header = (SAMPLE / "recipes.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
    assert report.unused_columns and set(report.unused_columns) < set(header)
    assert "title" not in report.unused_columns


def test_keys_of_schemaless_records_are_collected_across_rows(tmp_path: Path) -> None:
    rows = [{"q": "a", "a": "b"}, {"q": "c", "a": "d", "extra": 1}, {"q": "e", "a": "f", "more": 2}]
    report = convert_file(
        _jsonl(tmp_path / "in.jsonl", rows), tmp_path / "o.jsonl", user="{q}", assistant="{a}", validate=False
    )
    assert report.unused_columns == ["extra", "more"]


def test_a_preference_pair_stops_the_conversion(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = _jsonl(tmp_path / "dpo.jsonl", PREFERENCE_SHAREGPT)
    out = tmp_path / "o.jsonl"
    code = main(["convert", str(source), "--preset", "sharegpt", "-o", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and "column 'chosen' holds a preference pair" in err and "DPOTrainer" in err
    assert "--ignore-column chosen" in err and "Traceback" not in err
    assert not out.exists() and not (tmp_path / "o.jsonl.rejects.jsonl").exists()
    # Dropping both on purpose converts the conversations alone, and says which columns were left out.
    code = main(
        [
            "convert",
            str(source),
            "--preset",
            "sharegpt",
            "-o",
            str(out),
            "--ignore-column",
            "chosen",
            "--ignore-column",
            "rejected",
            "--no-validate",
            "--format",
            "json",
        ]
    )
    report = json.loads(capsys.readouterr().out)
    assert code == 0 and report["rows"]["written"] == 3 and report["unused_columns"] == ["chosen", "rejected"]


def test_using_the_column_in_the_mapping_is_fine(tmp_path: Path) -> None:
    rows = [{"prompt": "q", "chosen": "good", "rejected": "bad"}]
    source = _jsonl(tmp_path / "p.jsonl", rows)
    with pytest.raises(MappingError, match="'rejected'"):
        convert_file(source, tmp_path / "o.jsonl", user="{prompt}", assistant="{chosen}", validate=False)
    report = convert_file(
        source,
        tmp_path / "o.jsonl",
        user="{prompt}",
        assistant="{chosen}",
        validate=False,
        ignore_columns=["rejected"],
    )
    assert report.rows_written == 1 and report.unused_columns == ["rejected"]


@pytest.mark.parametrize(
    ("column", "words"),
    [("kto_tag", "KTOTrainer"), ("label", "KTO"), ("images", "image content parts"), ("image", "vision")],
)
def test_kto_and_image_columns_stop_the_conversion(tmp_path: Path, column: str, words: str) -> None:
    rows = [{**{k: v for k, v in r.items() if k != "kto_tag"}, column: "x"} for r in KTO_SHAREGPT]
    source = _jsonl(tmp_path / "k.jsonl", rows)
    with pytest.raises(MappingError, match=f"column '{column}' holds") as caught:
        convert_file(source, tmp_path / "o.jsonl", preset="chat", validate=False)
    assert words in str(caught.value)
    assert not (tmp_path / "o.jsonl").exists()


def test_header_sources_fail_before_any_row_and_mapping_files_can_ignore(tmp_path: Path) -> None:
    source = tmp_path / "vision.csv"
    source.write_text("question,answer,image\nWhat is it?,A cat.,cat.png\n", encoding="utf-8")
    with pytest.raises(MappingError, match="column 'image'"):
        list(dataprep.convert(source, user="{question}", assistant="{answer}"))
    mapping = tmp_path / "m.toml"
    mapping.write_text(
        'ignore_columns = ["image"]\n[[messages]]\nrole = "user"\ncontent = "{question}"\n'
        '[[messages]]\nrole = "assistant"\ncontent = "{answer}"\n',
        encoding="utf-8",
    )
    items = list(dataprep.convert(source, mapping=mapping))
    assert [i.ok for i in items] == [True]
    items = list(dataprep.convert(source, user="{question}", assistant="{answer}", ignore_columns=["image"]))
    assert [i.ok for i in items] == [True]
