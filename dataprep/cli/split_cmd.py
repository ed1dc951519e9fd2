"""`dataprep split`: split a chat JSONL file into train and validation by a stable hash (`dataprep.split`)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from dataprep.cli.options import chosen_report_format, report_format_option
from dataprep.splitting import split as split_file


@click.command("split")
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--validation-size",
    default="0.1",
    show_default=True,
    help="A fraction (0.1) or a count (200) of examples for validation.",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the split hash.")
@click.option("--group", help="Top-level key of a conversation or source id: one value, one side.")
@click.option("--stratify", help="Top-level key of a class to keep at its share on both sides.")
@click.option("--train-output", type=click.Path(path_type=Path), help="Default <name>.train.jsonl.")
@click.option("--validation-output", type=click.Path(path_type=Path), help="Default <name>.validation.jsonl.")
@click.option("--force", is_flag=True, help="Replace existing outputs.")
@report_format_option()
def split_cmd(
    file: Path,
    validation_size: str,
    seed: int,
    group: str | None,
    stratify: str | None,
    train_output: Path | None,
    validation_output: Path | None,
    force: bool,
    report_format: str | None,
    as_json: bool,
) -> int:
    """Split FILE.jsonl into <name>.train.jsonl and <name>.validation.jsonl.

    A line's side comes from a seeded hash of its content (or of --group), so duplicates and whole groups stay
    on one side and the same input always splits the same way. With a fraction, adding lines never moves
    existing ones; with a count, adding lines can only move existing ones from validation to train.

    \b
    Examples:
      dataprep split recipes.jsonl --validation-size 0.1
      dataprep split tickets.jsonl --validation-size 200 --group ticket_id --seed 7
    """
    fmt = chosen_report_format(report_format, as_json)
    summary = split_file(
        file,
        validation_size=validation_size,
        seed=seed,
        group=group,
        stratify=stratify,
        train_output=train_output,
        validation_output=validation_output,
        force=force,
    )
    if fmt == "json":
        click.echo(json.dumps(summary.to_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo("\n".join(summary.format_text()))
    return 0


split = split_cmd  # the name the CLI group registers
