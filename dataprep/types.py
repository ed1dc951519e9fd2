"""Plain data the whole library shares: locations, findings, severities.

Frozen dataclasses with slots: cheap to create in worker processes and safe to pickle back to the parent.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any


class Severity(str, Enum):
    """How bad a finding is. Only ERROR changes the exit code."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 2, "warning": 1, "info": 0}[self.value]


@dataclass(frozen=True, slots=True)
class Location:
    """Where a finding points: a file, a 1-based line and column as an editor shows them, and a JSON path.

    For in-memory data (a list of records, a `datasets.Dataset`) `path` is a label such as `<records>` and
    `line` is the 1-based position of the record (`row` in output that names rows).
    """

    path: str
    line: int = 0
    col: int = 1
    json_path: str = ""

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}"


@dataclass(frozen=True, slots=True)
class Finding:
    code: str
    severity: Severity
    message: str
    location: Location
    # Other places the finding is about (the first copy of a duplicate, the training example a validation
    # example leaks from); empty for most findings. JSON: `related: [{path, line}]`; SARIF: relatedLocations.
    related: tuple[Location, ...] = ()

    def format(self) -> str:
        """`path:line:col: CODE message [json.path]`, the line every linter-aware editor understands."""
        suffix = f" [{self.location.json_path}]" if self.location.json_path else ""
        return f"{self.location}: {self.code} {self.message}{suffix}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity.value,
            "message": self.message,
            "path": self.location.path,
            "line": self.location.line,
            "col": self.location.col,
            "json_path": self.location.json_path,
            "related": [{"path": r.path, "line": r.line} for r in self.related],
        }


@dataclass(frozen=True, slots=True)
class Problem:
    """What a check reports about one record before the orchestrator knows the file, line and severity.

    Checks return Problems; the orchestrator turns each into a Finding with the record's Location and the
    severity the rule registry (and the user's overrides) give its code.
    """

    code: str
    message: str
    json_path: str = ""
    col: int = 1


class Kind(str, Enum):
    """The record shapes dataprep validates (one per file)."""

    CHAT = "chat"
    PREFERENCE = "preference"
    COMPLETION = "completion"
