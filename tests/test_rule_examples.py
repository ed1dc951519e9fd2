"""Executable documentation: every rule's bad example triggers it and its good example does not, through the
whole pipeline (file -> reader -> checks -> findings), with only that rule selected. `dataprep rules --format
json` prints the same examples."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from dataprep import Config, validate_files
from dataprep.cli import main
from dataprep.rules.base import Rule, example_bytes
from dataprep.rules.registry import ALL_RULES, RULES_BY_CODE


def run_example(
    rule: Rule, lines: tuple[str, ...], validation: tuple[str, ...], tmp: Path, *, final_newline: bool = True
) -> list[str]:
    train = tmp / "train.jsonl"
    train.write_bytes(example_bytes(lines, final_newline))
    valid: list[Path] = []
    if validation:
        valid.append(tmp / "validation.jsonl")
        valid[0].write_bytes(example_bytes(validation))
    options: dict[str, Any] = {"jobs": 1, **rule.options}
    report = validate_files([train], valid, config=Config(), select=[rule.code], **options)
    return [f.code for f in report.findings]


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: r.code)
def test_bad_example_triggers_the_rule(rule: Rule, tmp_path: Path) -> None:
    codes = run_example(rule, rule.bad, rule.bad_validation, tmp_path, final_newline=rule.bad_final_newline)
    assert rule.code in codes, f"{rule.code} not reported for its bad example"


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: r.code)
def test_good_example_does_not_trigger_the_rule(rule: Rule, tmp_path: Path) -> None:
    assert rule.good, f"{rule.code} has no good example"
    codes = run_example(rule, rule.good, rule.good_validation, tmp_path)
    assert rule.code not in codes, f"{rule.code} reported for its good example: {codes}"


def test_every_rule_has_a_check_and_documentation() -> None:
    for rule in ALL_RULES:
        assert rule.check is not None and callable(rule.check), rule.code
        assert rule.code.startswith("DP") and len(rule.code) == 5 and rule.code[2:].isdigit()
        assert "Bad" in rule.doc and "Good" in rule.doc, rule.code
        assert rule.bad or rule.scope == "file", rule.code  # an empty file is DP010's bad example
    assert len({r.name for r in ALL_RULES}) == len(ALL_RULES)
    assert list(RULES_BY_CODE) == sorted(RULES_BY_CODE)


def test_rules_format_json_lists_every_rule_with_its_examples(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [r["code"] for r in listed] == [r.code for r in ALL_RULES]
    for entry, rule in zip(listed, ALL_RULES, strict=True):
        assert {"code", "name", "severity", "summary", "bad", "good"} <= set(entry)
        assert entry["bad"] == list(rule.bad) and entry["good"] == list(rule.good)
        assert entry["severity"] == rule.severity.value
