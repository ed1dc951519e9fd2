"""`dataprep convert`: raw records to chat JSONL. A thin shell over `dataprep.conversion.convert_file`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from dataprep.cli.option_values import comma_list, severity_pairs
from dataprep.cli.options import chosen_report_format, report_format_option, validation_options
from dataprep.cli.progress import progress_for
from dataprep.conversion.files import OUTPUT_FORMATS
from dataprep.conversion.native import INPUT_FORMATS, TO_TARGETS
from dataprep.conversion.pipeline import DEFAULT_MAX_CELL_CHARS
from dataprep.conversion.presets import PRESETS, preset_text
from dataprep.conversion.presets import list_presets as preset_descriptions
from dataprep.conversion.sources import FORMATS
from dataprep.conversion.templates import LIST_FORMATS
from dataprep.io.tabular import ReadOptions

_DELIMITER_WORDS = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "pipe": "|", "space": " "}


def _delimiter(value: str | None) -> str | None:
    if value is None:
        return None
    value = _DELIMITER_WORDS.get(value.lower(), value)
    if len(value) != 1:
        raise click.BadParameter("one character, or tab/comma/semicolon/pipe", param_hint="--delimiter")
    return value


def _quotechar(value: str) -> str:
    if len(value) != 1:
        raise click.BadParameter(f"one character, got {value!r}", param_hint="--quotechar")
    return value


def _column_names(value: str | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    names = tuple(part.strip() for part in value.split(","))
    if not all(names):
        raise click.BadParameter(f"{value!r}: give column names separated by commas", param_hint="--columns")
    return names


@click.command("convert")
@click.argument("inputs", nargs=-1, metavar="INPUT...")
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Output file (or directory for hf).")
@click.option("--preset", type=click.Choice(PRESETS), help="A built-in mapping (see --list-presets).")
@click.option(
    "--mapping", type=click.Path(path_type=Path, dir_okay=False), help="Mapping file (.toml/.yaml)."
)
@click.option(
    "--system",
    help="System message text (literal, no templating); with a preset or mapping, replaces its own.",
)
@click.option("--user", help="User message template, e.g. 'Title: {title}'.")
@click.option("--assistant", help="Assistant message template, e.g. '{answer}'.")
@click.option("--group-by", help="Multi-turn from rows: rows with the same value form one conversation.")
@click.option("--order-by", help="With --group-by: column giving the message order.")
@click.option("--role-column", help="With --group-by: column giving each message's role.")
@click.option("--content", help="With --group-by: message template (default '{content}').")
@click.option(
    "--missing", type=click.Choice(["reject", "empty"]), help="An empty value: reject the row (default)."
)
@click.option(
    "--list-format", type=click.Choice(LIST_FORMATS), help="How list/dict values render (default json)."
)
@click.option(
    "--ignore-column",
    "ignore_columns",
    multiple=True,
    metavar="NAME",
    help="Drop this input column even though it changes what is trained (chosen, label, images...).",
)
@click.option(
    "--input-format",
    type=click.Choice((*FORMATS, *INPUT_FORMATS)),
    help="Input format (default: from the extension; records in a native format are recognised).",
)
@click.option(
    "--to",
    "to_target",
    type=click.Choice(TO_TARGETS),
    help="Write the records in this target's own shape (vertex, bedrock-nova, trl, llama-factory; chat for the others).",
)
@click.option(
    "--target",
    help="Provider or trainer the output is for: its validation rules and image limits (default: the --to "
    "target; `dataprep targets`).",
)
@click.option(
    "--embed-images",
    is_flag=True,
    help="Write local image files of an `images` column as data URLs (within the --target's image limits).",
)
@click.option(
    "--image-dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder of relative image paths (default: each input file's folder).",
)
@click.option("--delimiter", help="CSV delimiter (default ',' or tab for .tsv); 'tab' is accepted.")
@click.option("--quotechar", default='"', show_default=True, help="CSV quote character.")
@click.option("--encoding", default="utf-8", show_default=True, help="Text encoding of CSV/JSON inputs.")
@click.option("--no-header", is_flag=True, help="CSV/TSV without a header row: columns are col1..colN.")
@click.option("--columns", help="Names of the columns of a CSV/TSV without a header row: a,b,c.")
@click.option("--json-key", help="A .json file holding one object: read the list of records under this key.")
@click.option(
    "--limit", type=click.IntRange(min=1), help="Read only the first N rows (to try a mapping on a big file)."
)
@click.option("--sheet", help="Spreadsheet sheet, by name or 0-based index (default the first).")
@click.option("--hf-split", help="Split of a Hugging Face dataset (default: the only one, or train).")
@click.option(
    "--max-cell-size",
    type=click.IntRange(min=1),
    default=DEFAULT_MAX_CELL_CHARS,
    show_default=True,
    help="Reject rows with a value longer than this many characters.",
)
@click.option("--output-format", type=click.Choice(OUTPUT_FORMATS), default="jsonl", show_default=True)
@click.option("--validation-size", help="Split off a validation set: a fraction (0.1) or a count (200).")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the split hash.")
@click.option("--group", help="Split by this source column (all rows with one value on one side).")
@click.option("--stratify", help="Keep each class of this source column at its share on both sides.")
@click.option(
    "--train-output", type=click.Path(path_type=Path), help="Train file (default <name>.train.jsonl)."
)
@click.option("--validation-output", type=click.Path(path_type=Path), help="Default <name>.validation.jsonl.")
@click.option(
    "--trace", is_flag=True, help="Also write <output>.sources.jsonl: the source rows of each line."
)
@click.option("--force", is_flag=True, help="Replace existing outputs.")
@click.option(
    "--executor",
    type=click.Choice(["local", "ray"]),
    default="local",
    show_default=True,
    help="ray: convert each input shard as a Ray task into -o DIRECTORY (pip install 'dataprep[ray]').",
)
@click.option(
    "--ray-address", help="The Ray cluster to join (default: start a local Ray). Implies --executor ray."
)
@click.option("--strict", is_flag=True, help="Exit 1 when any row was rejected.")
@click.option("--model", help="Model whose token limit the validation uses (see `dataprep models`).")
@click.option("--no-validate", is_flag=True, help="Do not validate the written file.")
@validation_options
@report_format_option(FORMATS)
@click.option("--list-presets", is_flag=True, help="List the presets and exit.")
@click.option("--show-preset", metavar="NAME", help="Print the mapping file a preset is equal to and exit.")
def convert_cmd(
    inputs: tuple[str, ...],
    output: Path | None,
    preset: str | None,
    mapping: Path | None,
    system: str | None,
    user: str | None,
    assistant: str | None,
    group_by: str | None,
    order_by: str | None,
    role_column: str | None,
    content: str | None,
    missing: str | None,
    list_format: str | None,
    ignore_columns: tuple[str, ...],
    embed_images: bool,
    image_dir: Path | None,
    input_format: str | None,
    to_target: str | None,
    target: str | None,
    delimiter: str | None,
    quotechar: str,
    encoding: str,
    no_header: bool,
    columns: str | None,
    json_key: str | None,
    limit: int | None,
    sheet: str | None,
    hf_split: str | None,
    max_cell_size: int,
    output_format: str,
    validation_size: str | None,
    seed: int,
    group: str | None,
    stratify: str | None,
    train_output: Path | None,
    validation_output: Path | None,
    trace: bool,
    force: bool,
    executor: str,
    ray_address: str | None,
    strict: bool,
    model: str | None,
    no_validate: bool,
    config_path: Path | None,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    severity: tuple[str, ...],
    jobs: int | None,
    report_format: str | None,
    as_json: bool,
    list_presets: bool,
    show_preset: str | None,
) -> int:
    """Convert CSV/TSV, .xlsx, JSON, JSONL, Parquet or Hugging Face datasets to chat JSONL.

    Preference pairs (chosen/rejected) become OpenAI DPO records and KTO labels TRL's KTO records, through the
    preference and kto presets or a mapping's chosen/rejected/label keys; an `images` column becomes image parts.

    Every row is accounted for: rows read = written + rejected, and rejected rows go to
    <output>.rejects.jsonl with their source location and reason. The written file is then validated
    (--config, --select, --ignore, --severity and --jobs as in `dataprep validate`). --format is the report
    format (text or json); the input format comes from the extension or --input-format.
    Exit status: 0 ok, 1 validation failed (or rows rejected with --strict), 2 usage or unreadable input.

    \b
    Examples:
      dataprep convert recipes.csv --preset recipe -o recipes.jsonl --validation-size 0.1
      dataprep convert faq.xlsx --sheet Answers --user '{question}' --assistant '{answer}' -o faq.jsonl
      dataprep convert tickets.csv --mapping tickets.mapping.toml -o tickets.jsonl
      dataprep convert pairs.csv --preset preference -o dpo.jsonl
      dataprep convert vision.json --preset sharegpt --embed-images --target openai -o vision.jsonl
      dataprep convert --show-preset alpaca > my-mapping.toml
      dataprep convert chat.jsonl --to vertex -o vertex.jsonl
      dataprep convert data/dataset_info.json#my_data -o chat.jsonl
      dataprep convert 'shards/*.parquet' --preset alpaca -o converted/ --executor ray
    """
    fmt = chosen_report_format(report_format, as_json)
    if list_presets:
        for name, description in preset_descriptions():
            click.echo(f"{name:<20} {description}")
        return 0
    if show_preset is not None:
        click.echo(preset_text(show_preset), nl=False)
        return 0
    if not inputs:
        raise click.UsageError("give at least one INPUT (or --list-presets / --show-preset NAME)")
    if output is None:
        raise click.UsageError("give the output file with -o/--output")
    from dataprep.conversion.files import convert_file  # imported here so --list-presets stays fast

    read = ReadOptions(
        format=input_format,
        delimiter=_delimiter(delimiter),
        quotechar=_quotechar(quotechar),
        encoding=encoding,
        header=not no_header,
        columns=_column_names(columns),
        json_key=json_key,
        sheet=sheet,
        hf_split=hf_split,
    )
    options: dict[str, Any] = dict(
        preset=preset,
        mapping=mapping,
        system=system,
        user=user,
        assistant=assistant,
        group_by=group_by,
        order_by=order_by,
        role_column=role_column,
        content=content,
        missing=missing,
        list_format=list_format,
        ignore_columns=ignore_columns,
        limit=limit,
        read=read,
        max_cell_chars=max_cell_size,
        output_format=output_format,
        force=force,
        validation_size=validation_size,
        train_output=train_output,
        validation_output=validation_output,
        trace=trace,
        validate=not no_validate,
        model=model,
        config=config_path,
        select=comma_list(select),
        ignore=comma_list(ignore),
        severity=severity_pairs(severity),
        embed_images=embed_images,
        image_dir=image_dir,
    )
    if executor == "ray" or ray_address:
        from dataprep.conversion.sharded import convert_shards

        if to_target or target:
            raise click.UsageError(
                "--to and --target are not available with --executor ray yet: convert the shards, then run "
                "`dataprep convert` on the outputs with --to or --target"
            )
        if group or stratify:
            raise click.UsageError(
                "--group and --stratify need --validation-size, which --executor ray refuses"
            )
        report = convert_shards(list(inputs), output, ray_address=ray_address, **options)
    else:
        progress = progress_for()  # None unless stderr is a terminal
        try:
            report = convert_file(
                list(inputs),
                output,
                seed=seed,
                group=group,
                stratify=stratify,
                progress=progress,
                jobs=jobs,
                to=to_target,
                target=target,
                **options,
            )
        finally:
            if progress is not None:
                progress.close()  # wipe the bar before the summary is printed
    if fmt == "json":
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(report.format_text())
        if report.validation:
            from dataprep.conversion.checks import render_findings

            for result in report.validation:
                click.echo(render_findings(result), nl=False)
    if strict and report.rows_rejected:
        click.echo(f"dataprep: {report.rows_rejected} rows rejected (--strict)", err=True)
        return 1
    return 0 if report.ok else 1


convert = convert_cmd  # the name the CLI group registers
