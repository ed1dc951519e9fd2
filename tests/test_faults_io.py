"""Issue 15 item 11: output errors (read-only folder, a parent that is a file, a full disk, a size limit, stdout on
a full device) are exit 2 naming the path, no traceback, the old output intact; SIGTERM removes temporary files
as Ctrl-C does. The faults are real where the machine allows (RLIMIT_FSIZE, /dev/full, signals)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.faults import assert_clean_exit, run_cli

QA = ["--user", "{question}", "--assistant", "{answer}", "--no-validate"]

# A real size limit: writes past 64 KB fail with EFBIG (SIGXFSZ ignored, as a shell's ulimit -f leaves it).
FILE_SIZE_LIMIT = """
import resource, signal
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (65536, resource.RLIM_INFINITY))
"""
# The disk fills up: the final flush to disk fails with ENOSPC.
DISK_FULL = """
import errno, os
def _full(fd):
    raise OSError(errno.ENOSPC, "No space left on device")
os.fsync = _full
"""
# A folder the user may not write to (as root, permissions do not stop us: the refusal is injected).
READ_ONLY = """
import errno, tempfile
def _denied(*a, **k):
    raise PermissionError(errno.EACCES, "Permission denied")
tempfile.mkstemp = _denied
"""


@pytest.fixture
def csv_source(tmp_path: Path) -> Path:
    source = tmp_path / "faq.csv"
    source.write_text(
        "question,answer\n" + "".join(f"Question {i}?,Answer {i}.\n" for i in range(5_000)), encoding="utf-8"
    )
    return source


@pytest.mark.parametrize(
    ("fault", "says"),
    [(FILE_SIZE_LIMIT, "EFBIG"), (DISK_FULL, "No space left on device"), (READ_ONLY, "Permission denied")],
    ids=["efbig", "enospc", "read-only"],
)
def test_output_errors_are_exit_2_naming_the_output_and_keep_the_old_one(
    tmp_path: Path, csv_source: Path, fault: str, says: str
) -> None:
    out = tmp_path / "faq.jsonl"
    out.write_bytes(b'{"old": "output"}\n')
    before = csv_source.read_bytes()
    result = run_cli(["convert", str(csv_source), *QA, "-o", str(out), "--force"], fault=fault)
    assert_clean_exit(result)
    assert f"{out}" in result.stderr and says in result.stderr
    assert out.read_bytes() == b'{"old": "output"}\n'  # the data was already safe
    assert csv_source.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["faq.csv", "faq.jsonl"]  # no temporary files


def test_split_on_a_full_disk_keeps_the_old_pair(tmp_path: Path) -> None:
    data = tmp_path / "d.jsonl"
    data.write_text(
        "".join(
            f'{{"messages": [{{"role": "user", "content": "q{i}"}}, {{"role": "assistant", "content": "a"}}]}}\n'
            for i in range(100)
        ),
        encoding="utf-8",
    )
    assert_clean_exit(run_cli(["split", str(data)]), (0,))
    old = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    result = run_cli(["split", str(data), "--seed", "5", "--force"], fault=DISK_FULL)
    assert_clean_exit(result)
    assert "No space left on device" in result.stderr
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == old


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_real_read_only_folder(tmp_path: Path, csv_source: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        result = run_cli(["convert", str(csv_source), *QA, "-o", str(folder / "o.jsonl")])
    finally:
        folder.chmod(0o755)
    assert_clean_exit(result)
    assert str(folder / "o.jsonl") in result.stderr


def test_a_parent_that_is_a_file(tmp_path: Path, csv_source: Path) -> None:
    result = run_cli(["convert", str(csv_source), *QA, "-o", str(csv_source / "sub" / "o.jsonl")])
    assert_clean_exit(result)
    assert f"{csv_source} is a file, not a folder" in result.stderr


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize(
    "args",
    [["rules"], ["convert", "--show-preset", "alpaca"], ["validate", "--format", "json", "DATA"]],
    ids=["rules", "show-preset", "validate-json"],
)
def test_stdout_on_a_full_device_is_exit_2(tmp_path: Path, args: list[str]) -> None:
    data = tmp_path / "d.jsonl"
    data.write_text(
        '{"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]}\n'
    )
    args = [str(data) if a == "DATA" else a for a in args]
    with open("/dev/full", "w") as full:
        result = run_cli(args, stdout=full.fileno())
    assert_clean_exit(result)
    assert "cannot write to standard output: No space left on device" in result.stderr


# The first write of the output leaves a mark and then waits: the run is certainly mid-write when the signal
# comes, however slow or busy the machine (a fixed delay was flaky on a loaded CI runner).
HOLD_FIRST_WRITE = """
import os, signal, time, dataprep.io.atomic as atomic
# A run started in the background (nohup, `cmd &` in a script) inherits SIGINT ignored; Ctrl-C is what we test.
signal.signal(signal.SIGINT, signal.default_int_handler)
_write = atomic._GuardedFile.write
_held_once = []
def _held(self, data):
    result = _write(self, data)
    if not _held_once:  # once: the clean-up after the signal writes through
        _held_once.append(True)
        open(os.environ["DATAPREP_TEST_MARK"], "w").close()
        time.sleep(120)
    return result
atomic._GuardedFile.write = _held
"""


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)], ids=["term", "int"])
def test_a_signal_mid_write_removes_temporary_files(tmp_path: Path, sig: int, code: int) -> None:
    source = tmp_path / "faq.csv"
    source.write_text("question,answer\n" + "".join(f"Question {i}?,Answer {i}.\n" for i in range(1_000)))
    out = tmp_path / "faq.jsonl"
    out.write_bytes(b"old\n")
    mark = tmp_path.parent / f"{tmp_path.name}.mark"  # outside tmp_path, whose listing is checked below
    runner = f"import sys\n{HOLD_FIRST_WRITE}\nfrom dataprep.cli import main\nraise SystemExit(main(sys.argv[1:]))\n"
    env = {**os.environ, "PYTHONPATH": str(REPO), "DATAPREP_TEST_MARK": str(mark)}
    args = [sys.executable, "-c", runner, "convert", str(source), *QA, "-o", str(out), "--force"]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not mark.exists() and proc.poll() is None:
        time.sleep(0.05)
    if not mark.exists():
        proc.kill()
        proc.communicate()
        pytest.fail("the run never wrote its output")
    proc.send_signal(sig)
    try:
        _, err = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        pytest.fail(f"the run ignored {signal.Signals(sig).name}")
    assert proc.returncode == code, err
    assert "Traceback" not in err
    assert out.read_bytes() == b"old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["faq.csv", "faq.jsonl"]
