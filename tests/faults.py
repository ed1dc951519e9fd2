"""Fault injection for end-to-end tests: run the real CLI in a child interpreter after a few lines of Python
have broken something on purpose (a worker that kills itself, a rename that never happens, a disk that is full).

The package carries no fault hooks: the faults are patched in from the outside, only in these child processes,
so a test sees the exit code, the messages and the files exactly as a user would.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.conftest import REPO

_RUNNER = """
import sys
{fault}
from dataprep.cli import main
raise SystemExit(main(sys.argv[1:]))
"""


def run_cli(
    args: list[str],
    *,
    fault: str = "",
    cwd: Path | None = None,
    timeout: float = 60,
    stdin: int | None = subprocess.DEVNULL,
    stdout: int | None = subprocess.PIPE,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """`dataprep ARGS` in a fresh interpreter, with `fault` (Python source) run first."""
    code = _RUNNER.format(fault=textwrap.dedent(fault))
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DATAPREP_")}
    environment["PYTHONPATH"] = str(REPO)
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=cwd,
        stdin=stdin,
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        timeout=timeout,
        env=environment,
    )


def assert_clean_exit(result: subprocess.CompletedProcess[str], codes: tuple[int, ...] = (2,)) -> None:
    """The run ended with one of `codes` and nothing that looks like a traceback."""
    out = (result.stdout or "") + result.stderr
    assert result.returncode in codes, f"exit {result.returncode}:\n{out}"
    assert "Traceback" not in out, out
