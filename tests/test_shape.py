"""DP013: files that are not chat JSONL get one finding whose command, run as printed, makes valid chat JSONL.

The fixtures have the shapes of real files: LLaMA-Factory's alpaca_en_demo.json (a pretty-printed array) and its
JSONL twin, ShareGPT dumps, a hand-made FAQ CSV with a quoted comma, a semicolon CSV from a spreadsheet export,
a TSV, a `{"data": [...]}` export (--json-key), records pretty-printed (a jq step) one after another, OpenAI legacy prompt/completion.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from dataprep import Config, validate, validate_files
from dataprep.cli import main
from tests.conftest import chat

N = 24  # over DP501's 10, so the converted file passes with warnings at most

_ALPACA = [
    {
        "instruction": f"Give a short tip about cooking dish number {i}.",
        "input": "" if i % 2 else f"The dish has {i} ingredients.",
        "output": f"Season it at the end; tip {i}.",
    }
    for i in range(N)
]
_SHAREGPT = [
    {
        "conversations": [
            {"from": "human", "value": f"Hi, what can I cook with {i} eggs?"},
            {"from": "gpt", "value": f"An omelette for {i // 2 + 1} people."},
        ],
        "system": "You are a cook.",
    }
    for i in range(N)
]
_CHAT = [
    chat({"role": "user", "content": f"Question {i}?"}, {"role": "assistant", "content": f"Answer {i}."})
    for i in range(N)
]
_COMPLETION = [
    {"prompt": f"Capital of country {i}?\n\n###\n\n", "completion": f" City {i}.\n"} for i in range(N)
]


def _csv(path: Path, header: list[str], rows: list[list[str]], delimiter: str = ",") -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


_QA = [[f"How long do I boil egg {i}, soft?", f"About {6 + i % 3} minutes."] for i in range(N)]

# name -> (writer, what the finding says the file is)
SHAPES: dict[str, tuple[Callable[[Path], Path], str]] = {
    "alpaca-array": (
        lambda d: _write(d / "alpaca_en_demo.json", json.dumps(_ALPACA, indent=2, ensure_ascii=False)),
        "a JSON array of Alpaca records",
    ),
    "chat-array-jsonl-name": (
        lambda d: _write(d / "train.jsonl", "[\n" + ",\n".join(json.dumps(r) for r in _CHAT) + "\n]\n"),
        "a JSON array of chat records",
    ),
    "sharegpt-array": (
        lambda d: _write(d / "sharegpt.json", json.dumps(_SHAREGPT, indent=4)),
        "a JSON array of ShareGPT records",
    ),
    "alpaca-jsonl": (lambda d: _jsonl(d / "alpaca.jsonl", _ALPACA), "Alpaca records"),
    "sharegpt-jsonl": (lambda d: _jsonl(d / "sharegpt dump.jsonl", _SHAREGPT), "ShareGPT records"),
    "completion-jsonl": (lambda d: _jsonl(d / "legacy.jsonl", _COMPLETION), "prompt/completion JSON Lines"),
    "faq-csv": (
        lambda d: _csv(
            d / "faq.csv", ["id", "Question", "Answer"], [[str(i), *r] for i, r in enumerate(_QA)]
        ),
        "a CSV table (columns id, Question, Answer)",
    ),
    "semicolon-csv": (lambda d: _csv(d / "export.csv", ["frage", "antwort"], _QA, ";"), "a CSV table"),
    "tsv-as-txt": (lambda d: _csv(d / "pairs.txt", ["prompt", "response"], _QA, "\t"), "a TSV table"),
    "tab-in-csv": (lambda d: _csv(d / "pairs.csv", ["prompt", "response"], _QA, "\t"), "a TSV table"),
    "alpaca-csv": (
        lambda d: _csv(
            d / "alpaca.csv",
            ["instruction", "input", "output"],
            [[r["instruction"], r["input"], r["output"]] for r in _ALPACA],
        ),
        "a CSV table",
    ),
    "object-with-list": (
        lambda d: _write(d / "export.json", json.dumps({"version": 2, "data": _CHAT}, indent=2)),
        "one JSON object holding a list of chat records under 'data'",
    ),
    "pretty-records": (
        lambda d: _write(d / "pretty.jsonl", "\n".join(json.dumps(r, indent=2) for r in _ALPACA) + "\n"),
        "pretty-printed JSON (Alpaca records",
    ),
}


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# These shapes' commands run in a real shell through the installed `dataprep` script; the others are split as the
# shell would split them (shlex, POSIX rules) and run through the CLI's main in this process: the quoting is
# what they test, and a shell and a fresh interpreter per shape cost 0.6 s each. A command with shell syntax
# beyond quoting (a pipe, a redirection), or another program first, always runs in the shell.
IN_A_SHELL = {"pretty-records", "faq-csv", "tab-in-csv"}


def _run_command(command: str, cwd: Path, *, shell: bool) -> None:
    """Run the printed command in a shell, with this interpreter's `dataprep` first on PATH, or split as a shell
    splits it and through `main` here."""
    words = list(shlex.shlex(command, posix=True, punctuation_chars=True))
    syntax = any(set(word) <= set("|&;<>()") for word in words) or any(c in command for c in "$`*?")
    if shell or syntax or words[0] != "dataprep":
        env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
        done = subprocess.run(
            command, shell=True, cwd=cwd, env=env, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"
        return
    args = shlex.split(command)[1:]
    previous = Path.cwd()
    os.chdir(cwd)
    try:
        assert main(args) == 0, command
    finally:
        os.chdir(previous)


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_one_finding_whose_command_works_as_printed(name: str, tmp_path: Path) -> None:
    writer, what = SHAPES[name]
    path = writer(tmp_path)
    if name == "pretty-records" and shutil.which("jq") is None:
        pytest.skip("the command's first step needs jq")
    previous = Path.cwd()
    os.chdir(tmp_path)  # the command names the file as the user did: relative to where validate ran
    try:
        report = validate(path.name, config=Config(), jobs=1)
    finally:
        os.chdir(previous)
    assert [f.code for f in report.findings] == ["DP013"], [f.format() for f in report.findings]
    finding = report.findings[0]
    assert finding.location.line == 1 and what in finding.message, finding.message
    assert report.cost is None and report.files[0].stats.examples == 0
    assert report.files[0].lines == len(
        path.read_bytes().splitlines()
    )  # read through: the file's facts are whole
    command = finding.message.split("convert it with: ", 1)[1]
    _run_command(command, tmp_path, shell=name in IN_A_SHELL)
    output = tmp_path / (path.stem + ".chat.jsonl")
    converted = validate_files([output], config=Config(), jobs=1)
    assert converted.ok and converted.files[0].stats.examples == N, [f.format() for f in converted.findings]
    assert "DP013" not in {f.code for f in converted.findings}


def test_the_cli_prints_one_line_and_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _jsonl(tmp_path / "alpaca.jsonl", _ALPACA * 20)  # 480 lines: 480 DP101 errors before
    assert main(["validate", str(path), "--quiet"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 1 and out[0].startswith(f"{path}:1:1: DP013 not chat JSONL")
    assert f"dataprep convert {path} --preset alpaca -o {tmp_path / 'alpaca.chat.jsonl'}" in out[0]


def test_ignoring_the_rule_checks_the_lines_as_before(tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "alpaca.jsonl", _ALPACA)
    report = validate(path, config=Config(), jobs=1, ignore=["DP013"])
    assert {f.code for f in report.findings} >= {"DP101", "DP102"}


@pytest.mark.parametrize(
    "lines",
    [
        pytest.param(
            ['{"messages": [{"role": "user", "content": "cut', *map(json.dumps, _CHAT[:3])],
            id="broken-first-line",
        ),
        pytest.param(["{", *map(json.dumps, _CHAT[:3])], id="stray-brace-then-chat"),
        pytest.param(["question,answer", *map(json.dumps, _CHAT[:2]), "x,y"], id="csv-header-among-chat"),
        pytest.param(
            [*map(json.dumps, _CHAT[:2]), *map(json.dumps, _ALPACA[:5])], id="chat-then-alpaca-lines"
        ),
        pytest.param(
            ["[", *(json.dumps(r) + "," for r in _CHAT[:1]), *map(json.dumps, _CHAT[1:4])],
            id="bracket-then-chat",
        ),
        pytest.param(["just some notes", "no delimiter here", "at all"], id="plain-text"),
        pytest.param(['"a quoted string"', '"another"'], id="json-strings"),
    ],
)
def test_chat_jsonl_with_broken_lines_is_not_a_shape(lines: list[str], tmp_path: Path) -> None:
    path = tmp_path / "train.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = validate(path, config=Config(), jobs=1)
    assert "DP013" not in {f.code for f in report.findings}, [f.format() for f in report.findings]


def test_completion_records_for_a_completion_model_are_fine(tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "legacy.jsonl", _COMPLETION)
    assert "DP013" not in {
        f.code for f in validate(path, model="babbage-002", config=Config(), jobs=1).findings
    }
    custom = validate(
        path, model="my-model", encoding="cl100k_base", max_tokens=4096, config=Config(), jobs=1
    )
    assert "DP013" not in {f.code for f in custom.findings}  # a model the table does not know: not judged


def test_records_in_memory_are_checked_line_by_line() -> None:
    report = validate(_ALPACA, config=Config(), jobs=1)
    assert "DP013" not in {f.code for f in report.findings} and "DP101" in {f.code for f in report.findings}


def test_a_pretty_printed_document_that_is_not_json_still_gets_advice(tmp_path: Path) -> None:
    path = _write(tmp_path / "cut.json", '{\n  "messages": [\n    {"role": "user", "content": "cut off')
    (finding,) = validate(path, config=Config(), jobs=1).findings
    assert finding.code == "DP013" and "pretty-printed JSON document" in finding.message


def test_odd_headers_give_no_mapping(tmp_path: Path) -> None:
    path = _csv(tmp_path / "t.csv", ["{x}", "y"], [["1", "2"]] * 3)
    assert "DP013" not in {f.code for f in validate(path, config=Config(), jobs=1).findings}
    assert re.search(r"DP00[23]", " ".join(f.code for f in validate(path, config=Config(), jobs=1).findings))


# Whole-file encoding problems: one DP013 with the command that fixes them, not one finding per line.
_WHOLE_FILE = {
    "utf-16-bom": ("utf-16", "\n", "UTF-16 text", ".utf8.jsonl"),
    "utf-16-le": ("utf-16-le", "\n", "UTF-16LE text", ".utf8.jsonl"),
    "utf-16-be": ("utf-16-be", "\r\n", "UTF-16BE text", ".utf8.jsonl"),
    "utf-32-le": ("utf-32-le", "\n", "UTF-32LE text", ".utf8.jsonl"),
    "cr-only": ("utf-8", "\r", "CR line endings", ".lf.jsonl"),
}


@pytest.mark.parametrize("name", sorted(_WHOLE_FILE))
def test_a_whole_file_encoding_problem_is_one_finding_with_a_working_fix(name: str, tmp_path: Path) -> None:
    encoding, newline, what, suffix = _WHOLE_FILE[name]
    path = tmp_path / "train.jsonl"
    path.write_bytes("".join(json.dumps(r) + newline for r in _CHAT).encode(encoding))
    report = validate(path, config=Config(), jobs=1)
    assert [f.code for f in report.findings] == ["DP013"], [f.format() for f in report.findings]
    assert what in report.findings[0].message
    _run_command(report.findings[0].message.split("convert it with: ", 1)[1], tmp_path, shell=False)
    fixed = validate_files([tmp_path / ("train" + suffix)], config=Config(), jobs=1)
    assert fixed.ok and fixed.files[0].stats.examples == N, [f.format() for f in fixed.findings]


def test_a_carriage_return_inside_one_record_is_json_whitespace(tmp_path: Path) -> None:
    path = tmp_path / "train.jsonl"
    path.write_bytes(b"".join(json.dumps(r).replace(", ", ",\r", 1).encode() + b"\n" for r in _CHAT))
    assert validate(path, config=Config(), jobs=1).ok
