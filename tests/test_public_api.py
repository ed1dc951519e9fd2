"""The curated public API: `__all__` is sorted, complete and importable; the core never imports click."""

from __future__ import annotations

import subprocess
import sys

import dataprep


def test_all_is_sorted_and_every_name_resolves() -> None:
    assert list(dataprep.__all__) == sorted(dataprep.__all__)
    for name in dataprep.__all__:
        assert hasattr(dataprep, name), name


def test_library_import_stays_light() -> None:
    code = (
        "import sys, dataprep; "
        "heavy = [m for m in ('click', 'pandas', 'datasets', 'pyarrow', 'numpy') if m in sys.modules]; "
        "print(','.join(heavy))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""


def test_no_module_shares_a_public_function_name() -> None:
    """`dataprep.convert`, `dataprep.validate`, `dataprep.split`... are the functions: no submodule of that name
    shadows them (importing `dataprep.<name>` as a module would replace the function)."""
    import importlib.util
    import inspect
    from pathlib import Path

    package = Path(dataprep.__file__).parent
    for name in dataprep.__all__:
        value = getattr(dataprep, name)
        if inspect.isfunction(value) or inspect.isclass(value):
            assert not (package / f"{name}.py").exists() and not (package / name).is_dir(), name
            assert importlib.util.find_spec(f"dataprep.{name}") is None, name
    for name in ("validate", "convert", "split"):
        assert inspect.isfunction(getattr(dataprep, name)), name


def test_version_lives_in_one_place() -> None:
    from importlib.metadata import version
    from pathlib import Path

    from dataprep._version import __version__

    assert dataprep.__version__ == __version__ == version("dataprep")
    pyproject = (Path(dataprep.__file__).parent.parent / "pyproject.toml").read_text(encoding="utf-8")
    assert 'dynamic = ["version"]' in pyproject and "\nversion =" not in pyproject
