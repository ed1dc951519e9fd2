"""Issue 15 items 2, 3 and 5: outputs are committed as a unit, claimed against a second run, and never written
over an input. Each fault is real: a run is SIGKILLed between the two renames of a pair, two runs race for one
output, an output option names the run's own mapping or configuration."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import assistant, chat, to_line, user
from tests.faults import assert_clean_exit, run_cli

# Kill this run (as a power cut or `kill -9` would) right after the first rename of a group commit.
KILL_AFTER_FIRST_RENAME = """
import os, signal
import dataprep.io.atomic as atomic
_commit = atomic._commit
def _dying_commit(tmp_name, target):
    _commit(tmp_name, target)
    if target.name.endswith(".train.jsonl"):
        os.kill(os.getpid(), signal.SIGKILL)
atomic._commit = _dying_commit
"""

# Kill it after the journal is written, before any rename: the next run must finish the commit.
KILL_BEFORE_RENAMES = """
import os, signal
import dataprep.io.atomic as atomic
def _dying_apply(moves):
    os.kill(os.getpid(), signal.SIGKILL)
atomic._apply = _dying_apply
"""


def _jsonl(path: Path, n: int = 2_000) -> Path:
    lines = [
        to_line(chat(user(f"Which spice goes with dish {i}?"), assistant(f"Cumin, {i} pinches.")))
        for i in range(n)
    ]
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


def _lines(path: Path) -> set[bytes]:
    return set(path.read_bytes().splitlines()) if path.exists() else set()


def _assert_no_mix(train: Path, validation: Path) -> None:
    assert not _lines(train) & _lines(validation), "validation lines are also in the train file"


@pytest.mark.parametrize(
    "fault", [KILL_AFTER_FIRST_RENAME, KILL_BEFORE_RENAMES], ids=["mid-rename", "journal"]
)
def test_split_killed_between_renames_never_leaves_a_train_validation_mix(tmp_path: Path, fault: str) -> None:
    data = _jsonl(tmp_path / "data.jsonl")
    train, validation = tmp_path / "data.train.jsonl", tmp_path / "data.validation.jsonl"
    assert_clean_exit(run_cli(["split", str(data), "--validation-size", "0.3", "--seed", "1"]), (0,))
    old_train, old_validation = train.read_bytes(), validation.read_bytes()

    killed = run_cli(["split", str(data), "--validation-size", "0.3", "--seed", "2", "--force"], fault=fault)
    assert killed.returncode == -9
    _assert_no_mix(train, validation)
    if (
        validation.exists() and train.read_bytes() == old_train
    ):  # never the new validation beside the old train
        assert validation.read_bytes() == old_validation

    # The next run over the same outputs finishes or cleans what the killed one left.
    again = run_cli(["split", str(data), "--validation-size", "0.3", "--seed", "2", "--force"])
    assert_clean_exit(again, (0,))
    _assert_no_mix(train, validation)
    assert _lines(train) | _lines(validation) == _lines(data)
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]
    assert leftovers == [], leftovers


def test_a_journal_left_by_a_killed_run_is_finished_by_the_next(tmp_path: Path) -> None:
    data = _jsonl(tmp_path / "data.jsonl")
    train, validation = tmp_path / "data.train.jsonl", tmp_path / "data.validation.jsonl"
    assert run_cli(["split", str(data), "--seed", "3"], fault=KILL_BEFORE_RENAMES).returncode == -9
    assert (tmp_path / ".data.train.jsonl.dp-commit").exists()
    # Any run claiming these outputs completes the commit first and says so.
    result = run_cli(["split", str(data), "--seed", "3", "--force"])
    assert_clean_exit(result, (0,))
    assert "finished the interrupted commit" in result.stdout + result.stderr
    _assert_no_mix(train, validation)


def test_convert_validation_size_killed_mid_commit_leaves_no_mix(tmp_path: Path) -> None:
    source = tmp_path / "faq.csv"
    rows = [f"Which spice goes with dish {i}?,Cumin {i}." for i in range(2_000)]
    source.write_text("question,answer\n" + "\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_path / "faq.jsonl"
    base = ["convert", str(source), "--user", "{question}", "--assistant", "{answer}", "-o", str(out)]
    assert_clean_exit(run_cli([*base, "--validation-size", "0.2", "--no-validate"]), (0,))
    train, validation = tmp_path / "faq.train.jsonl", tmp_path / "faq.validation.jsonl"
    killed = run_cli(
        [*base, "--validation-size", "0.2", "--seed", "9", "--force", "--no-validate"],
        fault=KILL_AFTER_FIRST_RENAME,
    )
    assert killed.returncode == -9
    _assert_no_mix(train, validation)


# --- item 3: two runs, one output ---------------------------------------------------------------------------

# The first run holds its claim for a while, after telling the test it has it.
HOLD_THE_CLAIM = """
import contextlib, time, pathlib, sys
import dataprep.conversion.files as files
_claim = files.claim_outputs
@contextlib.contextmanager
def _slow_claim(targets, force):
    with _claim(targets, force) as notes:
        pathlib.Path(sys.argv[-1] + ".ready").write_text("x")
        # Hold the claim until the test has run the second convert (a fixed sleep was too short on a busy box).
        release, deadline = pathlib.Path(sys.argv[-1] + ".release"), time.monotonic() + 120
        while not release.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        yield notes
files.claim_outputs = _slow_claim
"""


def _convert_args(source: Path, out: Path, assistant_template: str) -> list[str]:
    return [
        "convert",
        str(source),
        "--user",
        "{question}",
        "--assistant",
        assistant_template,
        "--no-validate",
        "-o",
        str(out),
    ]


def test_second_convert_to_the_same_output_fails_while_the_first_runs(tmp_path: Path) -> None:
    source = tmp_path / "faq.csv"
    source.write_text("question,answer\nWhat is cumin?,A spice.\nWhat is dal?,Lentils.\n", encoding="utf-8")
    out = tmp_path / "faq.jsonl"
    code = (
        "import sys\n"
        + HOLD_THE_CLAIM
        + "\nfrom dataprep.cli import main\nraise SystemExit(main(sys.argv[1:]))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    first = subprocess.Popen(
        [sys.executable, "-c", code, *_convert_args(source, out, "first {answer}")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    ready = Path(str(out) + ".ready")
    deadline = time.monotonic() + 30
    while not ready.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert ready.exists(), first.communicate()
    second = run_cli([*_convert_args(source, out, "second {answer}"), "--force"])
    Path(str(out) + ".release").write_text("x", encoding="utf-8")
    first_out, first_err = first.communicate(timeout=120)
    assert first.returncode == 0, first_out + first_err
    assert_clean_exit(second)
    assert "another dataprep run is writing this output" in second.stderr
    assert "first A spice." in out.read_text(encoding="utf-8")  # the first run's result, not lost


def test_second_convert_without_force_never_replaces_the_first(tmp_path: Path) -> None:
    source = tmp_path / "faq.csv"
    source.write_text("question,answer\nWhat is cumin?,A spice.\n", encoding="utf-8")
    out = tmp_path / "faq.jsonl"
    assert_clean_exit(run_cli(_convert_args(source, out, "first {answer}")), (0,))
    second = run_cli(_convert_args(source, out, "second {answer}"))
    assert_clean_exit(second)
    assert "already exists" in second.stderr
    assert "first A spice." in out.read_text(encoding="utf-8")


def test_an_output_appearing_during_a_run_is_not_replaced(tmp_path: Path) -> None:
    """Without --force, the final rename links: a file created meanwhile (by anything) survives, exit 2."""
    from dataprep.errors import OutputError
    from dataprep.io.atomic import atomic_binary_writer, claim_outputs

    out = tmp_path / "o.jsonl"
    appeared = "appeared while this run was writing it"
    with (
        pytest.raises(OutputError, match=appeared),
        claim_outputs([out], force=False),
        atomic_binary_writer(out) as handle,
    ):
        handle.write(b"ours\n")
        out.write_bytes(b"theirs\n")
    assert out.read_bytes() == b"theirs\n"
    assert [p.name for p in tmp_path.iterdir()] == ["o.jsonl"]


# --- item 5: no command writes over any of its inputs -------------------------------------------------------


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "faq.csv").write_text("question,answer\nWhat is cumin?,A spice.\n", encoding="utf-8")
    (tmp_path / "faq.mapping.toml").write_text(
        '[[messages]]\nrole = "user"\ncontent = "{question}"\n\n[[messages]]\nrole = "assistant"\n'
        'content = "{answer}"\n',
        encoding="utf-8",
    )
    (tmp_path / "dataprep.toml").write_text('ignore = ["DP4"]\n', encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    "extra",
    [
        ["-o", "faq.mapping.toml"],
        ["-o", "dataprep.toml"],
        ["-o", "faq.csv"],
        ["-o", "faq.jsonl", "--validation-size", "1", "--train-output", "faq.mapping.toml"],
        ["-o", "faq.jsonl", "--validation-size", "1", "--validation-output", "dataprep.toml"],
    ],
    ids=["mapping", "config", "data", "train-output", "validation-output"],
)
def test_convert_never_writes_over_its_own_inputs_even_with_force(project: Path, extra: list[str]) -> None:
    before = {p.name: p.read_bytes() for p in project.iterdir()}
    result = run_cli(["convert", "faq.csv", "--mapping", "faq.mapping.toml", "--force", *extra], cwd=project)
    assert_clean_exit(result)
    assert "refusing to write over the input file" in result.stderr
    assert {p.name: p.read_bytes() for p in project.iterdir()} == before


def test_a_hard_link_to_an_input_is_the_input(project: Path) -> None:
    os.link(project / "faq.mapping.toml", project / "alias.jsonl")
    result = run_cli(
        ["convert", "faq.csv", "--mapping", "faq.mapping.toml", "-o", "alias.jsonl", "--force"], cwd=project
    )
    assert_clean_exit(result)
    assert "refusing to write over the input file" in result.stderr


@pytest.mark.parametrize("option", ["--train-output", "--validation-output"])
def test_split_never_writes_over_its_input(tmp_path: Path, option: str) -> None:
    data = _jsonl(tmp_path / "data.jsonl", 20)
    before = data.read_bytes()
    result = run_cli(["split", str(data), option, str(data), "--force"])
    assert_clean_exit(result)
    assert data.read_bytes() == before
