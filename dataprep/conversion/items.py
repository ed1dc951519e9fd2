"""What convert yields per record: a Converted record with its source rows, or a Rejected row with its reason."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from dataprep.io.tabular import SourceLocation


@dataclass(slots=True)  # made per row: plain slots are 3x cheaper to create than frozen; treat as read-only
class Converted:
    """A record made from one row (or, in group mode, from the rows of one conversation)."""

    record: dict[str, Any]
    sources: tuple[SourceLocation, ...]
    row: dict[str, Any]  # the (first) source row, for split keys
    ok: ClassVar[bool] = True


@dataclass(slots=True)
class Rejected:
    """A row that gives no record, with where it came from, why, and the row itself."""

    source: SourceLocation
    reason: str
    message: str
    raw: Any
    ok: ClassVar[bool] = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source.to_dict(),
            "reason": self.reason,
            "message": self.message,
            "row": self.raw,
        }


ConvertItem = Converted | Rejected
