"""`dataprep report`: validate, then write the self-contained HTML report (also `dataprep validate --html`).

The command takes every option of `validate` that chooses what is checked and how it is counted (the params
are copied from it, so an option added there appears here too), plus `-o/--output` and `--force`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from dataprep.cli.html_output import html_target, write_html_report
from dataprep.cli.validate_cmd import validate_cmd
from dataprep.cli.validate_run import run_validation

# validate's options about printing the report in the terminal; the rest are shared.
_PRINTING = {"output_format", "quiet", "color", "html"}


def _report_callback(output: Path, force: bool, **options: Any) -> int:
    files: tuple[Path, ...] = options.pop("files")
    validation: tuple[Path, ...] = options.pop("validation")
    exit_zero: bool = options.pop("exit_zero")
    target = html_target(output, [*files, *validation], force=force)
    report, config = run_validation(files, validation, **options)
    size = write_html_report(report, target, config)
    verdict = "OK" if report.ok else "FAILED"
    counts = f"{report.errors} error(s), {report.warnings} warning(s), {report.infos} info"
    click.echo(f"Wrote {output} ({size / 1024:,.0f} KB). {verdict}: {counts}")
    return 0 if exit_zero or report.ok else 1


report_cmd = click.Command(
    "report",
    callback=_report_callback,
    params=[
        *(p for p in validate_cmd.params if p.name not in _PRINTING),
        click.Option(
            ["--output", "-o"],
            required=True,
            type=click.Path(path_type=Path, dir_okay=False),
            help="The HTML file to write (an earlier dataprep report there is replaced).",
        ),
        click.Option(
            ["--force"], is_flag=True, help="Replace the output even if it is not a dataprep report."
        ),
    ],
    help="""Validate, then write one self-contained HTML report: charts, findings with the text they point
at, duplicate clusters, the cost on every model that fits. It opens offline (no script, no network).

Exit status as validate: 0 no errors, 1 errors found, 2 usage or unreadable input.

\b
Examples:
  dataprep report train.jsonl -o report.html
  dataprep report train.jsonl --validation valid.jsonl --model gpt-4.1-mini-2025-04-14 -o report.html
""",
    short_help="Write an HTML report of the files (charts, findings, cost).",
)
