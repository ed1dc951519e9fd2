"""Exceptions a user can cause. Bad *records* are findings, never exceptions; these are for whole-run problems.

DataprepError                 root: the CLI turns every one into a single message and exit code 2
├── UsageError                bad option values, unknown model, conflicting flags
├── ConfigError               a broken or unknown key in [tool.dataprep] / dataprep.toml
├── InputError                a missing, unreadable or non-file input
│   └── EncodingError         a tokenizer encoding that is missing or fails its checksum
├── MappingError              a convert template or mapping that cannot work (unknown column, code in a template)
└── OutputError               an output that would overwrite an input or an existing file without --force
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
