"""Options mean one thing in every command (issue 10): --format is the report format, convert's input format is
--input-format, the tokenizer encoding is --tokenizer-encoding, and convert's validation takes validate's
selection options."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from dataprep.cli import main
from dataprep.config import Config, load_config
from tests.conftest import SAMPLE


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _faq(tmp_path: Path, rows: int = 3) -> Path:
    source = tmp_path / "faq.txt"
    lines = ["question\tanswer", *(f"Why {i}?\tBecause {i}." for i in range(rows))]
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return source


def _convert_args(source: Path, out: Path) -> list[str]:
    return ["convert", str(source), "--user", "{question}", "--assistant", "{answer}", "-o", str(out)]


@pytest.mark.parametrize("value", ["csv", "tsv", "jsonl"])
def test_convert_format_with_an_input_format_points_to_input_format(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, value: str
) -> None:
    out = tmp_path / "o.jsonl"
    code, _, err = run(capsys, *_convert_args(_faq(tmp_path), out), "--format", value)
    assert code == 2 and f"use --input-format {value}" in err and "report format" in err
    assert not out.exists()


def test_convert_input_format_and_json_report(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out = tmp_path / "o.jsonl"
    args = [*_convert_args(_faq(tmp_path), out), "--input-format", "tsv", "--no-validate"]
    code, text, _ = run(capsys, *args, "--format", "json")
    assert code == 0 and json.loads(text)["rows"]["written"] == 3
    code, text, _ = run(capsys, *args, "--force", "--json")  # the old spelling, hidden
    assert code == 0 and json.loads(text)["examples_written"] == 3
    code, text, _ = run(capsys, *args, "--force", "--format", "text")
    assert code == 0 and text.startswith("read 3 rows")
    code, _, err = run(capsys, *args, "--force", "--format", "text", "--json")
    assert code == 2 and "contradict" in err
    code, _, err = run(capsys, *args, "--force", "--format", "xml")
    assert code == 2 and "not one of text, json" in err


def test_help_shows_the_new_names_only(capsys: pytest.CaptureFixture[str]) -> None:
    code, text, _ = run(capsys, "convert", "--help")
    assert code == 0 and "--input-format" in text and "[text|json]" in text
    assert re.search(r"--json\b(?!-)", text) is None  # the hidden alias (--json-key is another option)
    assert "--select" in text and "--severity" in text and "--config" in text and "--jobs" in text
    code, text, _ = run(capsys, "validate", "--help")
    assert "--tokenizer-encoding" in text and "--encoding" not in text


def test_split_format_json(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    source = tmp_path / "chat.jsonl"
    source.write_bytes((SAMPLE / "chat_valid.jsonl").read_bytes())
    code, text, _ = run(capsys, "split", str(source), "--validation-size", "0.5", "--format", "json")
    summary = json.loads(text)
    assert code == 0 and summary["train"]["examples"] + summary["validation"]["examples"] > 0
    code, text, _ = run(capsys, "split", str(source), "--validation-size", "0.5", "--force", "--json")
    assert code == 0 and json.loads(text) == summary
    code, _, err = run(capsys, "split", str(source), "--force", "--format", "csv")
    assert code == 2 and "not one of text, json" in err


def test_validate_tokenizer_encoding_and_its_old_name(capsys: pytest.CaptureFixture[str]) -> None:
    base = ["validate", str(SAMPLE / "chat_valid.jsonl"), "--model", "my-llama", "--max-tokens", "4096"]
    code, out, err = run(capsys, *base, "--tokenizer-encoding", "cl100k_base")
    assert code == 0 and "Model my-llama (cl100k_base, training context 4,096 tokens)" in out and not err
    code, old, err = run(capsys, *base, "--encoding", "cl100k_base")
    assert code == 0 and old == out and "--encoding is now --tokenizer-encoding" in err
    code, _, err = run(capsys, *base, "--encoding", "cl100k_base", "--tokenizer-encoding", "o200k_base")
    assert code == 2 and "give one of them" in err


@pytest.mark.parametrize("key", ["tokenizer-encoding", "tokenizer_encoding", "encoding"])
def test_config_key_tokenizer_encoding_and_old_key(tmp_path: Path, key: str) -> None:
    path = tmp_path / "dataprep.toml"
    path.write_text(f'{key} = "cl100k_base"\n', encoding="utf-8")
    config = load_config(path)
    assert config.tokenizer_encoding == "cl100k_base"
    assert config.sources["tokenizer_encoding"] == str(path)
    assert Config().with_overrides("arguments", encoding="o200k_base").tokenizer_encoding == "o200k_base"


def test_convert_validation_takes_selection_options(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # Three examples: DP501 (fewer than the minimum) is an error by default.
    out = tmp_path / "o.jsonl"
    args = [*_convert_args(_faq(tmp_path), out), "--input-format", "tsv", "--format", "json"]
    code, text, _ = run(capsys, *args)
    codes = {f["code"] for f in json.loads(text)["validation"][0]["findings"]}
    assert code == 1 and "DP501" in codes
    code, text, _ = run(capsys, *args, "--force", "--ignore", "DP5")
    codes = {f["code"] for f in json.loads(text)["validation"][0]["findings"]}
    assert code == 0 and not any(c.startswith("DP5") for c in codes)
    code, text, _ = run(capsys, *args, "--force", "--severity", "DP501=warning", "--jobs", "1")
    assert code == 0
    code, text, _ = run(capsys, *args, "--force", "--select", "DP2")
    codes = {f["code"] for f in json.loads(text)["validation"][0]["findings"]}
    assert code == 0 and all(c.startswith("DP2") for c in codes)
    config = tmp_path / "ci.toml"
    config.write_text('ignore = ["DP501"]\n', encoding="utf-8")
    code, text, _ = run(capsys, *args, "--force", "--config", str(config))
    assert code == 0
    assert "DP501" not in {f["code"] for f in json.loads(text)["validation"][0]["findings"]}


def test_convert_bad_selection_fails_before_writing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "o.jsonl"
    code, _, err = run(capsys, *_convert_args(_faq(tmp_path), out), "--input-format", "tsv", "--select", "XX")
    assert code == 2 and "'XX' matches no rule code" in err and not out.exists()
    code, _, err = run(
        capsys, *_convert_args(_faq(tmp_path), out), "--input-format", "tsv", "--severity", "DP501=loud"
    )
    assert code == 2 and not out.exists()


def test_library_convert_file_takes_a_config_and_selection(tmp_path: Path) -> None:
    from dataprep.conversion import convert_file

    source = _faq(tmp_path)
    read_tsv = __import__("dataprep.io.tabular", fromlist=["ReadOptions"]).ReadOptions(format="tsv")
    report = convert_file(
        source, tmp_path / "a.jsonl", user="{question}", assistant="{answer}", read=read_tsv, ignore=["DP501"]
    )
    assert report.ok
    report = convert_file(
        source,
        tmp_path / "b.jsonl",
        user="{question}",
        assistant="{answer}",
        read=read_tsv,
        config=Config(ignore=("DP5",)),
    )
    assert report.ok and not any(f.code.startswith("DP5") for f in report.validation[0].findings)
