"""Exceptions a user can cause. Bad *records* are findings, never exceptions; these are for whole-run problems.

DataprepError                 root: the CLI turns every one into a single message and exit code 2
├── UsageError                bad option values, unknown model, conflicting flags
├── ConfigError               a broken or unknown key in [tool.dataprep] / dataprep.toml
├── InputError                a missing, unreadable or non-file input
│   └── EncodingError         a tokenizer encoding that is missing or fails its checksum
├── MappingError              a convert template or mapping that cannot work (unknown column, code in a template)
├── OutputError               an output that would overwrite an input or an existing file without --force
└── WorkerCrashed             a worker process died; names the lines it held (the path is added by the caller)
"""

from __future__ import annotations


class DataprepError(Exception):
    """Root of every error dataprep raises on purpose."""


class UsageError(DataprepError):
    pass


class ConfigError(DataprepError):
    pass


class InputError(DataprepError):
    pass


class EncodingError(InputError):
    pass


class MappingError(DataprepError):
    pass


class OutputError(DataprepError):
    pass


class WorkerCrashed(DataprepError):
    """A worker process died while checking lines `first`..`last` of an input."""

    def __init__(self, first: int, last: int, reason: str, path: str = "") -> None:
        self.first, self.last, self.reason, self.path = first, last, reason, path
        where = f"{path}:" if path else ""
        super().__init__(f"{where}{first}-{last}: {reason}")

    def at(self, path: str) -> WorkerCrashed:
        """The same crash, naming the input it happened in."""
        return WorkerCrashed(self.first, self.last, self.reason, path)
