"""What a rule is: a stable code, a short name, a default severity and user documentation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from dataprep.types import Severity


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule. `doc` is user documentation with a bad and a good example; `dataprep rules CODE` prints it.

    scope "record": a pure function of one record (runs in any process).
    scope "dataset": fed every example, reports at the end (counts, duplicates, leakage).
    """

    code: str
    name: str
    severity: Severity
    summary: str
    doc: str
    scope: Literal["record", "dataset"] = "record"
