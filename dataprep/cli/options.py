"""Small helpers shared by commands: options that mean one thing everywhere (comma lists and CODE=LEVEL pairs
are read in option_values, which loads no click)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

_F = TypeVar("_F", bound=Callable[..., Any])


REPORT_FORMATS = ("text", "json")


def report_format_option(input_formats: Sequence[str] = ()) -> Callable[[_F], _F]:
    """`--format text|json` (the report format, as in every command) and `--json`, its hidden old spelling.

    An input format name given to `--format` (convert's old meaning of it) is an error pointing to
    `--input-format`, never silently taken for something else."""

    def check(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
        if value is None or value in REPORT_FORMATS:
            return value
        if value in input_formats:
            raise click.BadParameter(
                f"{value!r} is an input format; --format is the report format ({'|'.join(REPORT_FORMATS)}): "
                f"use --input-format {value}",
                ctx=ctx,
                param=param,
            )
        raise click.BadParameter(f"{value!r} is not one of {', '.join(REPORT_FORMATS)}", ctx=ctx, param=param)

    def decorate(command: _F) -> _F:
        command = click.option(
            "--format",
            "report_format",
            metavar="[text|json]",
            callback=check,
            help="Report format (default text).",
        )(command)
        return click.option("--json", "as_json", is_flag=True, hidden=True)(command)

    return decorate


def chosen_report_format(report_format: str | None, as_json: bool) -> str:
    """`--json` is `--format json`; given together with `--format text` it is a contradiction."""
    if as_json and report_format == "text":
        raise click.UsageError("--json and --format text contradict each other")
    return "json" if as_json else report_format or "text"


def validation_options(command: _F) -> _F:
    """validate's selection options, for the validation convert runs on what it wrote."""
    for decorator in reversed(
        (
            click.option(
                "--config",
                "config_path",
                type=click.Path(path_type=Path, dir_okay=False, exists=True),
                help="Configuration file for the validation (default: the nearest one).",
            ),
            click.option("--select", multiple=True, help="Validation: only these rule codes or prefixes."),
            click.option("--ignore", multiple=True, help="Validation: skip these rule codes or prefixes."),
            click.option("--severity", multiple=True, help="Validation: CODE=error|warning|info|off."),
            click.option(
                "--jobs",
                "-j",
                type=click.IntRange(min=0),
                help="Validation worker processes (0 = automatic: by size and free cores; 1 = in-process).",
            ),
        )
    ):
        command = decorator(command)
    return command


class InputPath(click.ParamType):  # type: ignore[type-arg]
    """A file path, or a URI read through pyarrow's file systems (`s3://bucket/train.jsonl`) kept as text:
    a Path would fold its `//`."""

    name = "path"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Path | str:
        from dataprep.io.remote import is_uri

        text = str(value)
        return text if is_uri(text) else Path(text)
