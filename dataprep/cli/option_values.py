"""Option values read the same way by every command: comma lists and CODE=LEVEL pairs (no click here, so the
plain `dataprep validate FILE...` path, which loads no click, uses them too)."""

from __future__ import annotations

from collections.abc import Iterable


def comma_list(values: Iterable[str]) -> tuple[str, ...] | None:
    """`--ignore DP4,DP2 --ignore DP601` -> ("DP4", "DP2", "DP601"); None when the flag was not given."""
    items = [part.strip().upper() for value in values for part in value.split(",") if part.strip()]
    return tuple(items) if items else None


def severity_pairs(values: Iterable[str]) -> dict[str, str] | None:
    """`--severity DP204=error` pairs as a dict; None when the flag was not given."""
    out: dict[str, str] = {}
    for value in values:
        code, sep, level = value.partition("=")
        if not sep or not code.strip():
            import click  # given --severity, click parsed the command line: it is loaded already

            raise click.BadParameter(f"{value!r} is not CODE=LEVEL", param_hint="--severity")
        out[code.strip().upper()] = level.strip().lower()
    return out or None
