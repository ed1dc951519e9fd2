"""The CLI, called in-process through main(argv): output lines, formats and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from dataprep.cli import main
from tests.conftest import SAMPLE, assistant, chat, user


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _good(write_jsonl: Callable[..., Path]) -> Path:
    return write_jsonl([chat(user(f"q {i}"), assistant(f"a {i}")) for i in range(60)], "good.jsonl")


def test_clean_file_exits_zero_with_summary(
    capsys: pytest.CaptureFixture[str], write_jsonl: Callable[..., Path]
) -> None:
    code, out, _ = run(capsys, "validate", str(_good(write_jsonl)))
    assert code == 0
    assert (
        "60 examples" in out
        and "charged tokens" in out
        and out.rstrip().endswith("0 error(s), 0 warning(s), 0 info")
    )


def test_errors_exit_one_and_print_linter_lines(
    capsys: pytest.CaptureFixture[str], write_jsonl: Callable[..., Path]
) -> None:
    path = write_jsonl([chat()] * 12 + [b'{"messages": [1,]}'], "bad.jsonl")
    code, out, _ = run(capsys, "validate", str(path), "--ignore", "DP4")
    assert code == 1
    assert f"{path}:13:" in out and "DP002 malformed JSON" in out


def test_exit_zero_quiet_and_select(
    capsys: pytest.CaptureFixture[str], write_jsonl: Callable[..., Path]
) -> None:
    path = write_jsonl([b"[1]"], "bad.jsonl")
    code, out, _ = run(capsys, "validate", str(path), "--exit-zero", "-q")
    assert code == 0
    assert out.splitlines()[0].startswith(f"{path}:1:1: DP003")
    assert "charged" not in out
    code, out, _ = run(capsys, "validate", str(path), "--ignore", "DP003,DP01,DP50", "-q")
    assert code == 0 and out == ""


def test_severity_override_turns_a_warning_into_an_error(
    capsys: pytest.CaptureFixture[str], write_jsonl: Callable[..., Path]
) -> None:
    path = write_jsonl([chat(user(), assistant(), user("thanks"))] * 60)
    assert run(capsys, "validate", str(path), "--ignore", "DP4")[0] == 0
    assert run(capsys, "validate", str(path), "--ignore", "DP4", "--severity", "DP204=error")[0] == 1


def test_json_format(capsys: pytest.CaptureFixture[str], write_jsonl: Callable[..., Path]) -> None:
    code, out, _ = run(capsys, "validate", str(_good(write_jsonl)), "--format", "json")
    data = json.loads(out)
    assert code == 0 and data["ok"] is True and data["files"][0]["stats"]["examples"] == 60
    assert data["cost"]["epochs"] == 3


def test_usage_and_input_errors_exit_two(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "validate", str(tmp_path / "missing.jsonl"))
    assert code == 2 and "no such file" in err
    code, _, err = run(capsys, "validate", str(tmp_path))
    assert code == 2 and "a directory with no .jsonl or .parquet files" in err  # a folder is read as shards
    code, _, err = run(capsys, "validate", str(SAMPLE / "chat_valid.jsonl"), "--model", "gpt-9")
    assert code == 2 and "gpt-4o-mini-2024-07-18" in err
    code, _, err = run(capsys, "validate")
    assert code == 2
    code, _, err = run(capsys, "validate", str(SAMPLE / "chat_valid.jsonl"), "--severity", "DP204")
    assert code == 2 and "CODE=LEVEL" in err


def test_custom_model_needs_encoding_and_limit(capsys: pytest.CaptureFixture[str]) -> None:
    args = (
        "validate",
        str(SAMPLE / "chat_valid.jsonl"),
        "--model",
        "my-llama",
        "--tokenizer-encoding",
        "cl100k_base",
    )
    code, out, _ = run(capsys, *args, "--max-tokens", "4096", "--price-per-1m", "2")
    assert code == 0 and "Model my-llama (cl100k_base, training context 4,096 tokens)" in out


def test_rules_and_explain(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "rules")
    assert code == 0 and "DP203" in out and "DP301" in out
    code, out, _ = run(capsys, "rules", "dp203")
    assert code == 0 and "Bad:" in out and "Good:" in out
    code, _, err = run(capsys, "rules", "DP999")
    assert code == 2 and "no rule" in err


def test_models_lists_the_table(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "models")
    assert code == 0 and "gpt-4o-mini-2024-07-18" in out and "65,536" in out


def test_version_and_module_entry_point() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "dataprep", "--version"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0 and "dataprep" in result.stdout


# The console entry point as a program: exit functions registered by anyone run, the report is all there.
QUICK_EXIT = """
import atexit, sys, threading, time
atexit.register(lambda: print("exit functions ran", flush=True))
if sys.argv[1] == "thread":  # another thread still running: a normal exit, which waits for it
    threading.Thread(target=lambda: (time.sleep(0.3), print("thread finished"))).start()
sys.argv = ["dataprep", "validate", sys.argv[2]]
from dataprep.cli import run
run()
"""


@pytest.mark.parametrize("mode", ["alone", "thread"])
def test_the_entry_point_exits_quickly_and_completely(tmp_path: Path, mode: str) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"messages": [{"role": "user", "content": "Hi"}]}\n', encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-c", QUICK_EXIT, mode, str(bad)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 1, result.stderr  # an error finding: exit 1, as main() returns
    assert "DP2" in result.stdout and "error(s)" in result.stdout
    assert result.stdout.rstrip().endswith("exit functions ran")
    assert ("thread finished" in result.stdout) == (mode == "thread")


def test_config_command_shows_values_and_sources(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "dataprep.toml").write_text('model = "gpt-4o-2024-08-06"\n[severity]\nDP204 = "error"\n')
    code, out, _ = run(capsys, "config")
    assert code == 0
    assert f'model = "gpt-4o-2024-08-06"    # {tmp_path / "dataprep.toml"}' in out
    assert "min_examples = 10    # default" in out
    code, out, _ = run(capsys, "config", "--format", "json")
    data = json.loads(out)
    assert data["values"]["severity"] == {"DP204": "error"} and data["sources"]["jobs"] == "default"


def test_config_errors_exit_two(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "dataprep.toml").write_text("colour = 'red'\n")
    code, _, err = run(capsys, "validate", str(SAMPLE / "chat_valid.jsonl"))
    assert code == 2 and "unknown key 'colour'" in err and "dataprep.toml" in err


@pytest.mark.parametrize("command", ["validate", "convert", "split", "rules", "models", "config"])
def test_every_command_help_shows_an_example(capsys: pytest.CaptureFixture[str], command: str) -> None:
    code, out, _ = run(capsys, command, "--help")
    assert code == 0 and "Example" in out and f"dataprep {command}" in out


def test_models_lists_open_weight_models_and_how_to_get_their_tokenizers(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "models")
    assert code == 0 and "Open-weight models" in out
    gpt_oss = next(line for line in out.splitlines() if line.startswith("openai/gpt-oss-20b"))
    assert "offline now" in gpt_oss and "shipped with dataprep" in gpt_oss and "131,072" in gpt_oss
    gemma = next(line for line in out.splitlines() if line.startswith("google/gemma-2-9b-it"))
    assert "not offline" in gemma and "--tokenizer PATH" in gemma and "Gemma Terms of Use" in gemma
