"""No code outside a rule emits a rule code; every code a check emits is registered, and every registered code
is emitted by some check (its bad example proves it in test_rule_examples)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from dataprep.rules.registry import ALL_RULES, RULES_BY_CODE

PACKAGE = Path(__file__).resolve().parent.parent / "dataprep"
CODE = re.compile(r"DP\d{3}\Z")


def _code_literals(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and CODE.match(node.value)
    ]


def test_rule_codes_appear_only_in_rule_modules() -> None:
    outside = [
        f"{path.relative_to(PACKAGE)}:{line}: {code}"
        for path in PACKAGE.rglob("*.py")
        if "rules" not in path.relative_to(PACKAGE).parts
        for line, code in _code_literals(path)
    ]
    assert outside == [], "rule codes outside dataprep/rules/ (emit them from a rule's check):\n" + "\n".join(
        outside
    )


def test_every_code_in_a_rule_module_is_registered() -> None:
    unknown = [
        f"{path.name}:{line}: {code}"
        for path in (PACKAGE / "rules").glob("*.py")
        for line, code in _code_literals(path)
        if code not in RULES_BY_CODE
    ]
    assert unknown == []


def test_every_registered_code_appears_in_its_checks_module() -> None:
    for rule in ALL_RULES:
        module = getattr(rule.check, "__module__", "")
        assert module.startswith("dataprep.rules."), (rule.code, module)
        source = (PACKAGE / "rules" / f"{module.rsplit('.', 1)[1]}.py").read_text(encoding="utf-8")
        assert f'"{rule.code}"' in source, rule.code
