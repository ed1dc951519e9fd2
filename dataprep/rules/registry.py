"""The literal registry of every rule: one place to look, no import-time discovery.

The orchestrator runs what this holds: the line check, the record checks and the file checks are taken from
the rules' `check`, each once, in code order; a check runs when any rule it serves is selected.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

from dataprep.rules import (
    content,
    counts,
    duplicates,
    limits,
    model_fit,
    native,
    reading,
    schema,
    shape,
    split_sanity,
    structure,
    targets,
    template,
    tool_arguments,
)
from dataprep.rules.base import FileCheck, RecordCheck, Rule

ALL_RULES: tuple[Rule, ...] = tuple(
    sorted(
        (
            *reading.RULES,
            *shape.RULES,
            *schema.RULES,
            *structure.RULES,
            *tool_arguments.RULES,
            *limits.RULES,
            *duplicates.RULES,
            *counts.RULES,
            *split_sanity.RULES,
            *model_fit.RULES,
            *targets.RULES,
            *native.RULES,
            *template.RULES,
            *content.RULES,
        ),
        key=lambda rule: rule.code,
    )
)
RULES_BY_CODE: dict[str, Rule] = {rule.code: rule for rule in ALL_RULES}


def get_rule(code: str) -> Rule | None:
    return RULES_BY_CODE.get(code.upper())


def _checks(scope: str) -> tuple[tuple[Any, frozenset[str]], ...]:
    """Each distinct check of `scope` with the codes of the rules it serves, in the order of their first code."""
    found: dict[int, tuple[Any, set[str]]] = {}
    for rule in ALL_RULES:
        if rule.scope == scope:
            found.setdefault(id(rule.check), (rule.check, set()))[1].add(rule.code)
    return tuple((check, frozenset(codes)) for check, codes in found.values())


RECORD_CHECKS: tuple[tuple[RecordCheck, frozenset[str]], ...] = _checks("record")
FILE_CHECKS: tuple[tuple[FileCheck, frozenset[str]], ...] = _checks("file")
DATASET_CHECKS: tuple[tuple[Callable[..., Any], frozenset[str]], ...] = _checks("dataset")


def codes_of(check: object) -> frozenset[str]:
    """The codes of every rule `check` serves."""
    return frozenset(rule.code for rule in ALL_RULES if rule.check is check)


def enabled_record_checks(enabled: Collection[str]) -> tuple[RecordCheck, ...]:
    """The record checks that serve at least one of the `enabled` codes."""
    return tuple(check for check, codes in RECORD_CHECKS if not codes.isdisjoint(enabled))
