"""A real (non-editable) wheel carries the schemas, encodings and model table, and works from anywhere."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import REPO, SAMPLE

# Property sweeps, real pre-commit runs and wheel builds: `make quick` skips them, `make test` runs them.
# One xdist worker runs the module (`--dist loadgroup` in the Makefile), so the wheel is built once.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("packaging")]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    # --no-build-isolation uses the hatchling of the dev environment: no network needed.
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
            str(REPO),
        ],
        check=True,
        capture_output=True,
    )
    return next(out.glob("dataprep-*.whl"))


def test_wheel_contents(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for kind in ("chat", "preference", "completion"):
        assert f"dataprep/schemas/{kind}.schema.json" in names
    for encoding in ("o200k_base", "cl100k_base"):
        for suffix in (".tiktoken", ".ranks", ".json"):
            assert f"dataprep/encodings/{encoding}{suffix}" in names
    assert "dataprep/data/models.toml" in names
    assert "dataprep/py.typed" in names
    assert not any(n.startswith("tests/") for n in names)


def test_installed_wheel_validates_offline(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
        check=True,
        capture_output=True,
    )
    code = (
        "import dataprep, dataprep.schema.files as s, sys; from dataprep.types import Kind; "
        f"assert dataprep.__file__.startswith({str(target)!r}), dataprep.__file__; "
        f"assert str(s.schema_path(Kind.CHAT)).startswith({str(target)!r}); "
        f"r = dataprep.validate({str(SAMPLE / 'chat_valid.jsonl')!r}); "
        "print(r.ok, r.files[0].stats.examples)"
    )
    env = {
        "PYTHONPATH": str(target),
        "TIKTOKEN_CACHE_DIR": str(tmp_path / "empty-cache"),
        "PATH": "/usr/bin:/bin",
    }
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, env=env, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "18"]
