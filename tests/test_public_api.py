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
