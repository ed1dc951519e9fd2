"""RowProblem: why one row gives no record (the pipeline turns it into a reject)."""

from __future__ import annotations


class RowProblem(Exception):
    """Why one row (or group of rows) gives no record. `reason` is a short kebab-case key for the summary."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
