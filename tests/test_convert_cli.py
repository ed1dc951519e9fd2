"""`dataprep convert` and `dataprep split` as commands: output, exit codes and errors."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from dataprep.cli.convert_cmd import convert
from dataprep.cli.split_cmd import split
from dataprep.conversion.presets import PRESETS, preset_text
from dataprep.errors import DataprepError
from tests.conftest import SAMPLE


def run(command: click.Command, *args: str) -> tuple[int, str, str]:
    """Exit code as `dataprep`'s main gives it: the command's return value, 2 for DataprepError/usage."""
    result = CliRunner().invoke(command, list(args), standalone_mode=False)
    if isinstance(result.exception, DataprepError):
        return 2, result.stdout, f"dataprep: error: {result.exception}"
    if isinstance(result.exception, click.ClickException):
        return 2, result.stdout, result.exception.format_message()
    if result.exception is not None:
        raise result.exception
    return int(result.return_value or 0), result.stdout, result.stderr


def test_list_and_show_presets() -> None:
    code, out, _ = run(convert, "--list-presets")
    assert code == 0 and [line.split()[0] for line in out.splitlines()] == list(PRESETS)
    code, out, _ = run(convert, "--show-preset", "recipe")
    assert code == 0 and out == preset_text("recipe")
    assert 'content = "Title: {title}\\n\\nIngredients: {ingredients}\\n\\nGeneric ingredients: "' in out


def test_convert_recipes_with_split(tmp_path: Path) -> None:
    out = tmp_path / "recipes.jsonl"
    code, text, _ = run(
        convert,
        str(SAMPLE / "recipes.csv"),
        "--preset",
        "recipe",
        "-o",
        str(out),
        "--validation-size",
        "0.2",
        "--no-validate",
    )
    assert code == 0
    assert "rows: read 50 = written 50 + rejected 0" in text
    assert "recipes.train.jsonl" in text and "recipes.validation.jsonl" in text


def test_simple_flags_and_tsv_delimiter_word(tmp_path: Path) -> None:
    source = tmp_path / "faq.txt"
    source.write_text("question\tanswer\nWhy?\tBecause.\n", encoding="utf-8")
    out = tmp_path / "faq.jsonl"
    code, _, _ = run(
        convert,
        str(source),
        "--input-format",
        "csv",
        "--delimiter",
        "tab",
        "--system",
        "Be kind.",
        "--user",
        "{question}",
        "--assistant",
        "{answer}",
        "-o",
        str(out),
        "--no-validate",
    )
    assert code == 0
    assert json.loads(out.read_text(encoding="utf-8"))["messages"][0] == {
        "role": "system",
        "content": "Be kind.",
    }


def test_strict_exits_one_on_rejects_and_json_report(tmp_path: Path) -> None:
    source = tmp_path / "d.csv"
    source.write_text("q,a\nx,\ny,z\n", encoding="utf-8")
    out = tmp_path / "o.jsonl"
    args = [str(source), "--user", "{q}", "--assistant", "{a}", "-o", str(out), "--no-validate"]
    code, text, _ = run(convert, *args, "--json")
    assert code == 0 and json.loads(text)["rejected_by_reason"] == {"missing-value": 1}
    code, _, err = run(convert, *args, "--force", "--strict")
    assert code == 1 and "1 rows rejected" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--user", "{q.x}"], "uses attribute or index access"),
        (["--user", "{question}"], "names column 'question', which the source does not have"),
        (["--preset", "recipe", "--user", "{q}"], "choose one of"),
        (["--user", "{q}", "--validation-size", "half"], "--validation-size"),
        (["--user", "{q}", "--delimiter", "::"], "one character"),
    ],
)
def test_user_errors_exit_two_with_one_message(tmp_path: Path, args: list[str], message: str) -> None:
    source = tmp_path / "d.csv"
    source.write_text("q,a\nx,y\n", encoding="utf-8")
    code, _, err = run(convert, str(source), "-o", str(tmp_path / "o.jsonl"), *args)
    assert code == 2 and message in err


def test_missing_output_or_input_is_a_usage_error(tmp_path: Path) -> None:
    assert run(convert, str(SAMPLE / "recipes.csv"), "--preset", "recipe")[0] == 2
    assert run(convert, "--preset", "recipe", "-o", str(tmp_path / "x.jsonl"))[0] == 2


def test_validation_findings_are_shown_and_fail_the_run(tmp_path: Path) -> None:
    source = tmp_path / "d.csv"
    source.write_text("q,a\nx,y\n", encoding="utf-8")
    code, text, _ = run(
        convert, str(source), "--user", "{q}", "--assistant", "{a}", "-o", str(tmp_path / "o.jsonl")
    )
    assert code == 1 and "DP501" in text
    code, text, _ = run(
        convert,
        str(SAMPLE / "tickets.csv"),
        "--mapping",
        str(SAMPLE / "tickets.mapping.toml"),
        "-o",
        str(tmp_path / "t.jsonl"),
    )
    assert code == 0 and "rows: read 28 = written 28 + rejected 0" in text


def test_split_command(tmp_path: Path) -> None:
    source = tmp_path / "d.jsonl"
    source.write_text(
        "".join(json.dumps({"messages": [{"role": "user", "content": str(i)}]}) + "\n" for i in range(40)),
        encoding="utf-8",
    )
    code, text, _ = run(split, str(source), "--validation-size", "10", "--seed", "4")
    assert code == 0 and "train 30" in text and "validation 10 (25.0%)" in text
    assert len((tmp_path / "d.validation.jsonl").read_text().splitlines()) == 10
    code, _, err = run(split, str(source), "--validation-size", "10")
    assert code == 2 and "already exists" in err
    code, text, _ = run(split, str(source), "--validation-size", "0.5", "--force", "--json")
    assert code == 0 and json.loads(text)["seed"] == 0
