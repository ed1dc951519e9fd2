"""Missing optional dependencies (issue 9 item 15): exit 2 with one line naming the extra, before any input is read
or output written, and never a traceback, in any install state.

The slow tests run dataprep in a fresh virtual environment holding only the base install: the project source and
the distributions its base requirements need (resolved from their metadata, linked from this environment), with
no site-packages of the system. Nothing is downloaded.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import venv
from importlib import metadata
from pathlib import Path

import pytest

from dataprep.errors import UsageError
from dataprep.io.extras import NEEDS, missing_extra, require

ROOT = Path(__file__).resolve().parents[1]


def _requirement_names(dist: metadata.Distribution) -> list[str]:
    """Names of a distribution's unconditional requirements (markers evaluated for this interpreter, no extras)."""
    from packaging.requirements import Requirement

    names = []
    for text in dist.requires or []:
        requirement = Requirement(text)
        if requirement.marker is not None and not requirement.marker.evaluate({"extra": ""}):
            continue
        names.append(requirement.name)
    return names


def _base_closure() -> list[metadata.Distribution]:
    seen: dict[str, metadata.Distribution] = {}
    todo = _requirement_names(metadata.distribution("dataprep"))
    while todo:
        name = re.sub(r"[-_.]+", "-", todo.pop()).lower()
        if name in seen:
            continue
        dist = metadata.distribution(name)
        seen[name] = dist
        todo += _requirement_names(dist)
    return list(seen.values())


@pytest.fixture(scope="module")
def base_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The python of a venv that has dataprep's base install only."""
    home = tmp_path_factory.mktemp("base-venv")
    venv.EnvBuilder(system_site_packages=False, with_pip=False).create(home / "venv")
    python = home / "venv" / "bin" / "python"
    site = Path(
        subprocess.run(
            [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    linked = home / "base-packages"
    linked.mkdir()
    for dist in _base_closure():
        tops = {Path(str(f)).parts[0] for f in dist.files or [] if not str(f).startswith("..")}
        for top in tops:
            source = Path(str(dist.locate_file(top)))
            if source.exists() and not (linked / top).exists():
                (linked / top).symlink_to(source)
    (site / "base.pth").write_text(f"{ROOT}\n{linked}\n", encoding="utf-8")
    return python


def run(python: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "DATAPREP_TRACEBACK")}
    return subprocess.run(
        [python, "-m", "dataprep", *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=120
    )


@pytest.mark.slow
def test_the_base_install_really_lacks_the_extras(base_python: Path, tmp_path: Path) -> None:
    for module in ("pyarrow", "openpyxl", "datasets", "yaml", "ray", "bpe_openai"):
        probe = subprocess.run([base_python, "-c", f"import {module}"], capture_output=True, text=True)
        assert probe.returncode != 0, module
    done = run(base_python, "validate", str(ROOT / "sample_data" / "chat_valid.jsonl"), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    # Without the `fast` extra tiktoken counts, and `dataprep models` says so and how to get the fast counter.
    listed = run(base_python, "models", cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert "Token counter for API models: tiktoken " in listed.stdout
    assert "bpe-openai is not installed (pip install 'dataprep[fast]')" in listed.stdout


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "extra_args", "package", "extra"),
    [
        ("book.xlsx", [], "openpyxl", "convert"),
        ("table.parquet", [], "pyarrow", "convert"),
        ("rows.csv", ["--output-format", "parquet"], "pyarrow", "convert"),
        ("rows.csv", ["--output-format", "hf"], "datasets", "hf"),
        ("hf:org/some-dataset", [], "datasets", "hf"),
        ("rows.csv", ["--mapping", "MAPPING.yaml"], "pyyaml", "convert"),
    ],
)
def test_missing_extra_is_one_line_before_anything_happens(
    base_python: Path, tmp_path: Path, name: str, extra_args: list[str], package: str, extra: str
) -> None:
    source = tmp_path / name
    if not name.startswith("hf:"):
        source.write_bytes(
            b"q,a\nx,y\n"
        )  # never read: the check comes first (an .xlsx of CSV would fail later)
    mapping = tmp_path / "m.yaml"
    mapping.write_text("messages:\n  - {role: user, content: '{q}'}\n", encoding="utf-8")
    args = [a.replace("MAPPING.yaml", str(mapping)) for a in extra_args]
    flags = args if "--mapping" in args else [*args, "--user", "{q}", "--assistant", "{a}"]
    out = tmp_path / ("out_hf" if "hf" in args else "out.parquet" if "parquet" in args else "out.jsonl")
    before = sorted(p.name for p in tmp_path.iterdir())
    done = run(
        base_python,
        "convert",
        name if name.startswith("hf:") else str(source),
        *flags,
        "-o",
        str(out),
        cwd=tmp_path,
    )
    assert done.returncode == 2, (done.stdout, done.stderr)
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    assert package in lines[0] and f"pip install 'dataprep[{extra}]'" in lines[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing written


@pytest.mark.slow
def test_missing_ray_is_one_line(base_python: Path, tmp_path: Path) -> None:
    done = run(
        base_python,
        "validate",
        str(ROOT / "sample_data" / "chat_valid.jsonl"),
        "--executor",
        "ray",
        cwd=tmp_path,
    )
    assert done.returncode == 2, (done.stdout, done.stderr)
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    assert lines[0].endswith("--executor ray needs the optional package ray: pip install 'dataprep[ray]'")


@pytest.mark.slow
def test_a_broken_install_is_one_line_too(base_python: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    (broken / "pyarrow").mkdir(parents=True)
    (broken / "pyarrow" / "__init__.py").write_text("raise ImportError('libarrow.so: cannot open')\n")
    source = tmp_path / "rows.csv"
    source.write_text("q,a\nx,y\n", encoding="utf-8")
    env = {**{k: v for k, v in os.environ.items() if k != "DATAPREP_TRACEBACK"}, "PYTHONPATH": str(broken)}
    done = subprocess.run(
        [
            base_python,
            "-m",
            "dataprep",
            "convert",
            str(source),
            "--user",
            "{q}",
            "--assistant",
            "{a}",
            "--output-format",
            "parquet",
            "-o",
            str(tmp_path / "o.parquet"),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "installed but fails to import: libarrow.so" in done.stderr
    assert not (tmp_path / "o.parquet").exists()


def test_require_names_the_extra_for_each_feature(monkeypatch: pytest.MonkeyPatch) -> None:
    for feature, (module, extra, package) in NEEDS.items():
        with monkeypatch.context() as patch:
            patch.setitem(sys.modules, module, None)  # an import of it raises ImportError
            message = missing_extra(feature)
            assert message is not None and package in message and f"dataprep[{extra}]" in message
            with pytest.raises(UsageError, match=re.escape(f"dataprep[{extra}]")):
                require([feature])
    require(["parquet", "xlsx"])  # installed here: no error


def test_library_calls_check_before_reading(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import dataprep

    monkeypatch.setitem(sys.modules, "openpyxl", None)
    with pytest.raises(UsageError, match="openpyxl"):
        dataprep.convert(tmp_path / "missing.xlsx", user="{q}", assistant="{a}")  # raised at the call
    monkeypatch.setitem(sys.modules, "datasets", None)
    with pytest.raises(UsageError, match=r"dataprep\[hf\]"):
        dataprep.to_dataset(tmp_path / "not-read.jsonl")


def test_executor_ray_without_ray_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from dataprep.cli import main

    monkeypatch.setitem(sys.modules, "ray", None)
    code = main(["validate", str(ROOT / "sample_data" / "chat_valid.jsonl"), "--executor", "ray"])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    assert err.strip().splitlines() == [
        "dataprep: error: --executor ray needs the optional package ray: pip install 'dataprep[ray]'"
    ]
