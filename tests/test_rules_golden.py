"""Golden cases, one folder per rule: tests/cases/<CODE>/bad-N.jsonl must trigger the rule and good-N.jsonl must
not. A case may come with a validation file (bad-N.validation.jsonl) and the folder with options.json (validate()
keywords). Each case runs the real pipeline (file -> reader -> checks -> findings) with only that rule selected.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from dataprep import Config, validate, validate_files
from dataprep.rules.registry import ALL_RULES
from tests.conftest import assistant, user

CASES = Path(__file__).resolve().parent / "cases"


def _cases() -> list[tuple[str, Path]]:
    found = []
    for folder in sorted(CASES.iterdir()):
        for path in sorted(folder.glob("*.jsonl")):
            if not path.name.endswith(".validation.jsonl"):
                found.append((folder.name, path))
    return found


def _codes(code: str, path: Path) -> list[str]:
    options_file = path.parent / "options.json"
    options: dict[str, Any] = json.loads(options_file.read_text()) if options_file.is_file() else {}
    validation = path.with_name(path.name.replace(".jsonl", ".validation.jsonl"))
    valid = [validation] if validation.is_file() else []
    report = validate_files([path], valid, config=Config(), select=[code], jobs=1, **options)
    return [f.code for f in report.findings]


@pytest.mark.parametrize(("code", "path"), _cases(), ids=lambda v: v.name if isinstance(v, Path) else v)
def test_golden_case(code: str, path: Path) -> None:
    codes = _codes(code, path)
    if path.name.startswith("bad-"):
        assert code in codes, f"{code} not reported for {path.relative_to(CASES)}"
    else:
        assert path.name.startswith("good-"), path
        assert code not in codes, f"{code} wrongly reported for {path.relative_to(CASES)}: {codes}"


def test_every_rule_has_golden_cases_both_ways() -> None:
    for rule in ALL_RULES:
        folder = CASES / rule.code
        assert list(folder.glob("bad-*.jsonl")) and list(folder.glob("good-*.jsonl")), rule.code
    assert {p.name for p in CASES.iterdir()} == {r.code for r in ALL_RULES}


def test_preference_output_shape_is_the_schemas(write_jsonl: Callable[..., Path]) -> None:
    """Two outputs, or a user message as output: one DP101 each, not a second structure finding."""
    base = {
        "input": {"messages": [user()]},
        "preferred_output": [assistant()],
        "non_preferred_output": [assistant()],
    }
    for case in (
        {**base, "preferred_output": [assistant(), assistant()]},
        {**base, "non_preferred_output": [user()]},
    ):
        report = validate(write_jsonl([case]), select=["DP1", "DP2"], jobs=1)
        assert [f.code for f in report.findings] == ["DP101"], report.findings
