"""`convert --to TARGET`, native inputs and `validate --target` on native files, as commands."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import dataprep
from dataprep.cli import main
from dataprep.conversion import Converted, Rejected
from tests.conftest import SAMPLE


def _write(path: Path, *records: dict[str, Any]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_convert_to_vertex_and_back_is_the_same_chat(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    vertex, back = tmp_path / "v.jsonl", tmp_path / "back.jsonl"
    assert main(["convert", str(SAMPLE / "chat_valid.jsonl"), "--to", "vertex", "-o", str(vertex)]) == 0
    out = capsys.readouterr().out
    assert "1 record: tool-call ids not kept" in out  # said, not silent
    assert all("contents" in r for r in _lines(vertex))
    assert main(["convert", str(vertex), "-o", str(back), "--no-validate"]) == 0  # detected as Vertex
    original = _lines(SAMPLE / "chat_valid.jsonl")
    assert [r for i, r in enumerate(_lines(back)) if i != 11] == [
        r for i, r in enumerate(original) if i != 11
    ]


def test_rows_a_target_cannot_hold_are_rejected_with_the_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _write(
        tmp_path / "in.jsonl",
        {
            "messages": [
                {"role": "user", "content": "Hi"},
                {"role": "assistant", "content": "Hello", "weight": 0},
            ]
        },
        {"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]},
    )
    out = tmp_path / "out.jsonl"
    assert main(["convert", str(source), "--to", "bedrock-nova", "-o", str(out), "--no-validate"]) == 0
    text = capsys.readouterr().out
    assert "rows: read 2 = written 1 + rejected 1" in text
    assert "cannot-express" in text
    (reject,) = _lines(tmp_path / "out.jsonl.rejects.jsonl")
    assert reject["reason"] == "cannot-express"
    assert reject["message"].startswith("bedrock-nova cannot take this record: messages[1].weight: ")
    assert reject["source"]["line"] == 1 and reject["row"]["messages"][1]["weight"] == 0
    assert len(_lines(out)) == 1


def test_convert_to_nova_validates_for_nova(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "nova.jsonl"
    code = main(["convert", str(SAMPLE / "bedrock_nova.jsonl"), "--to", "bedrock-nova", "-o", str(out)])
    text = capsys.readouterr().out
    assert code == 1  # the tool-call record: Nova fine-tuning takes no tool calls
    assert "nova.jsonl:3:1: DP804" in text and "[messages[1].content[0].toolUse]" in text
    assert "DP013" not in text


def test_target_and_to_must_agree(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = str(tmp_path / "o.jsonl")
    assert (
        main(["convert", str(SAMPLE / "chat_valid.jsonl"), "--to", "vertex", "--target", "trl", "-o", out])
        == 2
    )
    assert "--target trl checks trl's records, but --to vertex writes vertex's" in capsys.readouterr().err
    code = main(
        [
            "convert",
            str(SAMPLE / "chat_valid.jsonl"),
            "--to",
            "vertex",
            "--output-format",
            "parquet",
            "-o",
            str(tmp_path / "o.parquet"),
        ]
    )
    assert code == 2
    assert (
        main(
            ["convert", str(SAMPLE / "chat_valid.jsonl"), "--to", "openai", "--target", "together", "-o", out]
        )
        == 0
    )


def test_input_format_names_the_reader(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = _write(tmp_path / "prefs.jsonl", {"prompt": "2+2?", "chosen": "4", "rejected": "5"})
    out = tmp_path / "o.jsonl"
    assert main(["convert", str(source), "--input-format", "trl", "-o", str(out), "--no-validate"]) == 0
    assert _lines(out) == [
        {
            "input": {"messages": [{"role": "user", "content": "2+2?"}]},
            "preferred_output": [{"role": "assistant", "content": "4"}],
            "non_preferred_output": [{"role": "assistant", "content": "5"}],
        }
    ]
    code = main(
        ["convert", str(source), "--input-format", "trl", "--preset", "alpaca", "-o", str(out), "--force"]
    )
    assert code == 2 and "give no mapping or preset" in capsys.readouterr().err


def test_dataset_info_entry_is_read_as_llama_factory_reads_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    info = SAMPLE / "llama_factory" / "dataset_info.json"
    out = tmp_path / "dpo.jsonl"
    assert main(["convert", f"{info}#dpo_zh", "-o", str(out), "--no-validate"]) == 0
    (record,) = _lines(out)
    assert record["preferred_output"] == [
        {"role": "assistant", "content": "洒一点水,盖上锅盖小火再焖五分钟。"}
    ]
    assert main(["convert", f"{info}#nope", "-o", str(out), "--force"]) == 2
    err = capsys.readouterr().err
    assert "no dataset entry 'nope'" in err and "alpaca_zh" in err


def test_library_convert_to() -> None:
    items = list(dataprep.convert(str(SAMPLE / "preference.jsonl"), to="vertex"))
    assert items and all(isinstance(item, Rejected) and item.reason == "cannot-express" for item in items)
    nova = [
        item.record
        for item in dataprep.convert(SAMPLE / "preference.jsonl", to="bedrock-nova")
        if isinstance(item, Converted)
    ]
    assert len(nova) == 10
    assert nova[0]["messages"][-1]["candidates"][1]["preferenceLabel"] == "non-preferred"


def test_library_convert_file_to(tmp_path: Path) -> None:
    report = dataprep.convert_file(
        SAMPLE / "chat_valid.jsonl", tmp_path / "t.jsonl", to="trl", validate=False
    )
    assert report.rows_written == 18 and report.rows_rejected == 0


# -- validate on native files -----------------------------------------------------------------------------------


def _vertex_line(role: str = "model", text: str = "Cumin.") -> dict[str, Any]:
    return {
        "contents": [
            {"role": "user", "parts": [{"text": "Spice for lentils?"}]},
            {"role": role, "parts": [{"text": text}]},
        ]
    }


def test_validate_vertex_file_with_target_names_line_and_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path / "v.jsonl", _vertex_line(), _vertex_line(), _vertex_line(role="assistant"))
    assert main(["validate", str(path), "--target", "vertex", "-q"]) == 1
    out = capsys.readouterr().out
    assert (
        f"{path}:3:1: DP815 vertex: role must be 'user' or 'model', not 'assistant' [contents[1].role]" in out
    )
    assert "DP013" not in out


def test_chat_findings_on_a_native_file_point_at_native_fields(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    record = {
        "schemaVersion": "bedrock-conversation-2024",
        "messages": [
            {"role": "user", "content": [{"text": "User: what spice?"}]},
            {"role": "assistant", "content": [{"text": "Cumin."}]},
        ],
    }
    path = _write(tmp_path / "n.jsonl", record)
    main(["validate", str(path), "--target", "bedrock-nova", "-q"])
    out = capsys.readouterr().out
    assert "DP806" in out and "[messages[0].content[0].text]" in out


def test_validate_native_file_without_target_names_the_convert_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path / "v.jsonl", _vertex_line(), _vertex_line())
    assert main(["validate", str(path), "-q"]) == 1
    out = capsys.readouterr().out
    assert (
        "DP013" in out
        and f"dataprep convert {path} --input-format vertex -o" in out
        and "--target vertex" in out
    )


def test_a_pdf_part_is_reported_as_not_checked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pdf = {
        "contents": [
            {
                "role": "user",
                "parts": [{"fileData": {"mimeType": "application/pdf", "fileUri": "gs://b/r.pdf"}}],
            },
            {"role": "model", "parts": [{"text": "A receipt."}]},
        ]
    }
    path = _write(tmp_path / "v.jsonl", _vertex_line(), pdf)
    assert main(["validate", str(path), "--target", "vertex"]) == 0
    assert "v.jsonl:2:1: DP816" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("name", "target"),
    [
        ("vertex.jsonl", "vertex"),
        ("bedrock_nova_dpo.jsonl", "bedrock-nova"),
        ("trl_preference.jsonl", "trl"),
        ("trl_kto.jsonl", "trl"),
    ],
)
def test_native_samples_have_no_errors_for_their_target(name: str, target: str) -> None:
    report = dataprep.validate(SAMPLE / name, target=target)
    assert [f for f in report.findings if f.severity.value == "error"] == []
    assert report.files[0].stats.examples == len(_lines(SAMPLE / name))


def test_a_broken_first_line_does_not_hide_the_native_format(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "v.jsonl"
    path.write_text(
        '{"broken\n' + json.dumps(_vertex_line()) + "\n" + json.dumps(_vertex_line(role="bot")) + "\n",
        encoding="utf-8",
    )
    assert main(["validate", str(path), "--target", "vertex", "-q"]) == 1
    out = capsys.readouterr().out
    assert "v.jsonl:1:9: DP002" in out and "v.jsonl:3:1: DP815" in out and "DP013" not in out


def test_records_in_memory_in_a_native_format() -> None:
    report = dataprep.validate([_vertex_line(), _vertex_line(role="assistant")], target="vertex")
    assert [
        (f.code, f.location.line, f.location.json_path) for f in report.findings if f.code == "DP815"
    ] == [("DP815", 2, "contents[1].role")]


def test_a_dataset_info_entry_may_name_a_folder(tmp_path: Path) -> None:
    (tmp_path / "parts").mkdir()
    for n in (1, 2):
        row = {"instruction": f"Question {n}?", "input": "", "output": f"Answer {n}."}
        (tmp_path / "parts" / f"part-{n}.json").write_text(json.dumps([row]), encoding="utf-8")
    (tmp_path / "dataset_info.json").write_text(json.dumps({"qa": {"file_name": "parts"}}), encoding="utf-8")
    records = [
        item.record
        for item in dataprep.convert(f"{tmp_path / 'dataset_info.json'}#qa")
        if isinstance(item, Converted)
    ]
    assert [r["messages"][0]["content"] for r in records] == ["Question 1?", "Question 2?"]


def test_native_records_in_memory_convert_too() -> None:
    from dataprep.conversion import ReadOptions

    records = [_vertex_line(text="好的。")]
    (chat,) = [item.record for item in dataprep.convert(records) if isinstance(item, Converted)]
    assert chat["messages"][1] == {"role": "assistant", "content": "好的。"}
    (nova,) = [
        item.record
        for item in dataprep.convert(records, read=ReadOptions(format="vertex"), to="bedrock-nova")
        if isinstance(item, Converted)
    ]
    assert nova["messages"][1]["content"] == [{"text": "好的。"}]


@pytest.mark.parametrize("doc", ["README.md", "docs/targets.md"])
@pytest.mark.parametrize(("target", "name"), [("vertex", "vertex.jsonl"), ("bedrock-nova", "nova.jsonl")])
def test_worked_examples_in_the_docs_are_what_convert_writes(
    doc: str, target: str, name: str, tmp_path: Path
) -> None:
    text = (SAMPLE.parent / doc).read_text(encoding="utf-8")
    shown = text.split(f"$ head -1 {name}\n", 1)[1].split("\n", 1)[0]
    out = tmp_path / name
    main(["convert", str(SAMPLE / "chat_valid.jsonl"), "--to", target, "-o", str(out), "--no-validate"])
    assert out.read_text(encoding="utf-8").splitlines()[0] == shown


def test_llama_factory_rows_it_would_drop_are_rejects_with_line_and_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "data.json").write_text(
        "[\n"
        '  {"conversations": [{"from": "human", "value": "a"}, {"from": "gpt", "value": "b"}]},\n'
        '  {"conversations": [{"from": "human", "value": "a"},\n'
        '                     {"from": "human", "value": "b"}]}\n'
        "]\n",
        encoding="utf-8",
    )
    (tmp_path / "dataset_info.json").write_text(
        json.dumps({"d": {"file_name": "data.json", "formatting": "sharegpt"}})
    )
    out = tmp_path / "out.jsonl"
    assert main(["convert", f"{tmp_path / 'dataset_info.json'}#d", "-o", str(out), "--no-validate"]) == 0
    text = capsys.readouterr().out
    assert (
        "data.json, row 2 (line 3): native-format: llama-factory: conversations[1].from: turn 2 must be gpt or function"
        in text
    )
    assert len(_lines(out)) == 1
