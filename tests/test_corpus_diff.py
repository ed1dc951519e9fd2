"""Corpus diff: the findings and figures on a fixed corpus are exactly the recorded ones.

A restructure must not change them. A change meant to alter behaviour regenerates tests/corpus/expected.json
(`python tests/corpus/snapshot.py --update`) so the difference is reviewed in the commit.
"""

from __future__ import annotations

import difflib
import importlib.util
from pathlib import Path

HERE = Path(__file__).resolve().parent / "corpus"


def _load_snapshot_module():
    spec = importlib.util.spec_from_file_location("corpus_snapshot", HERE / "snapshot.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_corpus_findings_and_figures_are_unchanged() -> None:
    snap = _load_snapshot_module()
    got = snap.render(snap.snapshot()).decode()
    want = (HERE / "expected.json").read_text(encoding="utf-8")
    if got != want:
        diff = "".join(
            difflib.unified_diff(want.splitlines(True), got.splitlines(True), "expected.json", "now", n=2)
        )
        raise AssertionError("validate's output on the corpus changed:\n" + diff[:20000])
