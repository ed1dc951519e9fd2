"""The version, in one place: the package, the wheel metadata (pyproject reads it) and reports use it."""

__version__ = "0.1.0"
