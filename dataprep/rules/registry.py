"""The literal registry of every rule: one place to look, no import-time discovery."""

from __future__ import annotations

from dataprep.rules import counts, duplicates, limits, reading, split_sanity, structure
from dataprep.rules.base import Rule
from dataprep.schema.checks import RULES as SCHEMA_RULES

ALL_RULES: tuple[Rule, ...] = tuple(
    sorted(
        (
            *reading.RULES,
            *SCHEMA_RULES,
            *structure.RULES,
            *limits.RULES,
            *duplicates.RULES,
            *counts.RULES,
            *split_sanity.RULES,
        ),
        key=lambda rule: rule.code,
    )
)
RULES_BY_CODE: dict[str, Rule] = {rule.code: rule for rule in ALL_RULES}


def get_rule(code: str) -> Rule | None:
    return RULES_BY_CODE.get(code.upper())
