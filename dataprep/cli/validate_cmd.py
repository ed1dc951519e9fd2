"""`dataprep validate`: check chat/preference/completion JSONL files and print the report."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from dataprep.cli.color import COLOR_MODES, use_color
from dataprep.cli.compute_options import compute_options
from dataprep.cli.html_output import html_target, write_html_report
from dataprep.cli.options import InputPath, comma_list, severity_pairs
from dataprep.cli.progress import progress_for
from dataprep.config import Config, load_config
from dataprep.report.formats import RENDERERS, STREAMED
from dataprep.report.model import Report
from dataprep.validation.run import validate_files


@click.command("validate")
@click.argument("files", nargs=-1, required=True, type=InputPath())
@click.option(
    "--validation",
    "validation",
    multiple=True,
    type=InputPath(),
    help="Validation file (checked, not charged; leakage against the training files).",
)
@click.option("--model", help="Model id from `dataprep models` (default gpt-4o-mini-2024-07-18).")
@click.option(
    "--tokenizer-encoding",
    type=click.Choice(["o200k_base", "cl100k_base"]),
    help="Tokenizer encoding for a model not in the table.",
)
@click.option(  # the old name, before convert's text codec took --encoding: read, not advertised
    "--encoding", "old_encoding", type=click.Choice(["o200k_base", "cl100k_base"]), hidden=True
)
@click.option(
    "--max-tokens",
    type=click.IntRange(min=1),
    help="Training context limit in tokens (overrides the model's).",
)
@click.option("--price-per-1m", type=click.FloatRange(min=0), help="Training price in USD per 1M tokens.")
@click.option(
    "--tokenizer",
    "tokenizer_path",
    type=click.Path(path_type=Path),
    help="Local Hugging Face model folder (tokenizer.json, tokenizer_config.json or chat_template.jinja).",
)
@click.option(
    "--chat-template", type=click.Path(path_type=Path), help="Jinja chat template file (overrides)."
)
@click.option(
    "--allow-download", is_flag=True, default=None, help="Let huggingface_hub fetch the tokenizer files."
)
@click.option(
    "--date", "pinned_date", help="Date the template's strftime_now sees, YYYY-MM-DD (default: today)."
)
@click.option(
    "--max-seq-length",
    type=click.IntRange(min=1),
    help="The trainer's maximum sequence length (default: the model's context length).",
)
@click.option("--packing", is_flag=True, default=None, help="Report sequences and padding with packing.")
@click.option(
    "--epochs",
    type=click.IntRange(min=1),
    help="Epochs for the cost estimate (default: the public heuristic).",
)
@click.option(
    "--kind",
    type=click.Choice(["chat", "preference", "completion"]),
    help="Record kind (default: detected from the first record).",
)
@click.option(
    "--target",
    "target_name",
    help="Check for this provider or trainer (`dataprep targets`): its rules run, other targets' do not.",
)
@click.option("--select", multiple=True, help="Only these rule codes or prefixes (comma-separated).")
@click.option(
    "--ignore", multiple=True, help="Skip these rule codes or prefixes (comma-separated), e.g. DP4."
)
@click.option("--severity", multiple=True, help="Override a rule's severity: CODE=error|warning|info|off.")
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=0),
    help="Worker processes (0 = automatic: by size and free cores; 1 = in-process).",
)
@click.option(
    "--executor",
    type=click.Choice(["local", "ray"]),
    help="Where the checks run: this machine (default) or a Ray cluster (pip install 'dataprep[ray]').",
)
@click.option(
    "--ray-address",
    help="The Ray cluster to join (e.g. ray://head:10001 or auto); default: start a local Ray. Implies --executor ray.",
)
@click.option(
    "--format", "output_format", type=click.Choice(sorted(RENDERERS)), default="text", show_default=True
)
@click.option("--quiet", "-q", is_flag=True, help="Print findings only (no statistics or cost).")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when errors are found (report-only jobs).")
@click.option(
    "--color",
    "color",
    type=click.Choice(COLOR_MODES),
    default="auto",
    show_default=True,
    help="Colour the text report. auto: only on a terminal, and never when NO_COLOR is set.",
)
@click.option(
    "--html",
    "html",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Also write the HTML report there (as `dataprep report -o`).",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="Configuration file (default: nearest dataprep.toml or pyproject.toml [tool.dataprep]).",
)
@compute_options
def validate_cmd(
    files: tuple[Path | str, ...],
    validation: tuple[Path | str, ...],
    model: str | None,
    tokenizer_encoding: str | None,
    old_encoding: str | None,
    max_tokens: int | None,
    price_per_1m: float | None,
    tokenizer_path: Path | None,
    chat_template: Path | None,
    allow_download: bool | None,
    pinned_date: str | None,
    max_seq_length: int | None,
    packing: bool | None,
    epochs: int | None,
    kind: str | None,
    target_name: str | None,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    severity: tuple[str, ...],
    jobs: int | None,
    executor: str | None,
    ray_address: str | None,
    output_format: str,
    quiet: bool,
    exit_zero: bool,
    color: str,
    html: Path | None,
    config_path: Path | None,
    **compute: Any,
) -> int:
    """Check JSONL training files: schema, roles, tool calls, token limits, duplicates, splits, and cost.

    Every problem is printed as `file:line:col: CODE message [json.path]`. Exit status: 0 no errors,
    1 errors found, 2 usage or unreadable input.

    \b
    Examples:
      dataprep validate train.jsonl
      dataprep validate train.jsonl --validation valid.jsonl --model gpt-4.1-mini-2025-04-14
      dataprep validate data/*.jsonl --ignore DP4 --format json > report.json
      dataprep validate shards/ --executor ray --ray-address auto
      dataprep validate train.jsonl --target bedrock-nova
      dataprep validate train.jsonl --parameters 8e9 --method qlora --gpu L4 --gpu-price 0.80
      dataprep validate train.jsonl --model meta-llama/Llama-3.1-8B-Instruct --max-seq-length 4096
      dataprep validate train.jsonl --tokenizer ./Qwen2.5-7B-Instruct --date 2026-01-01
    """
    local = [p for p in (*files, *validation) if isinstance(p, Path)]  # a URI cannot be the HTML output
    target = html_target(html, local) if html is not None else None
    report, config = run_validation(
        files,
        validation,
        model=model,
        tokenizer_encoding=tokenizer_encoding,
        old_encoding=old_encoding,
        max_tokens=max_tokens,
        price_per_1m=price_per_1m,
        tokenizer_path=tokenizer_path,
        chat_template=chat_template,
        allow_download=allow_download,
        pinned_date=pinned_date,
        max_seq_length=max_seq_length,
        packing=packing,
        epochs=epochs,
        kind=kind,
        target_name=target_name,
        select=select,
        ignore=ignore,
        severity=severity,
        jobs=jobs,
        executor="ray" if ray_address and executor is None else executor,
        ray_address=ray_address,
        config_path=config_path,
        **compute,
    )
    if target is not None:
        write_html_report(report, target, config)
    if output_format == "text":
        from dataprep.report.text import render_text

        colored = use_color(color, sys.stdout)
        # color=colored stops click from stripping the codes when `--color always` writes to a pipe.
        click.echo(render_text(report, quiet=quiet, color=colored), nl=False, color=colored)
    elif output_format in STREAMED:
        for piece in STREAMED[output_format](report):  # never the whole document in memory at once
            click.echo(piece, nl=False)
    else:
        click.echo(RENDERERS[output_format](report), nl=False)
    return 0 if exit_zero or report.ok else 1


def run_validation(
    files: tuple[Path | str, ...],
    validation: tuple[Path | str, ...],
    *,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    severity: tuple[str, ...],
    config_path: Path | None,
    old_encoding: str | None = None,
    **overrides: Any,
) -> tuple[Report, Config]:
    """Validate with a progress bar on a terminal; the Report, and the configuration it ran with (options
    applied). `overrides` are the options that are configuration keys (model, tokenizer_encoding, epochs, jobs,
    the compute options, ...)."""
    if old_encoding is not None:
        chosen = overrides.get("tokenizer_encoding")
        if chosen is not None and chosen != old_encoding:
            raise click.UsageError("--encoding is the old name of --tokenizer-encoding: give one of them")
        click.echo("dataprep: note: --encoding is now --tokenizer-encoding", err=True)
        overrides["tokenizer_encoding"] = old_encoding
    overrides["target"] = overrides.pop("target_name", None)  # --target (`target` is the HTML output here)
    # the open-weight options' parameter names differ from their configuration keys
    tokenizer_path = overrides.pop("tokenizer_path", None)
    overrides["tokenizer"] = str(tokenizer_path) if tokenizer_path is not None else None
    chat_template = overrides.get("chat_template")
    overrides["chat_template"] = str(chat_template) if chat_template is not None else None
    overrides["date"] = overrides.pop("pinned_date", None)
    config = load_config(config_path)
    progress = progress_for()  # None unless stderr is a terminal
    try:
        report = validate_files(
            list(files),
            list(validation),
            config=config,
            select=comma_list(select),
            ignore=comma_list(ignore),
            severity=severity_pairs(severity),
            progress=progress,
            **overrides,
        )
    finally:
        if progress is not None:
            progress.close()  # wipe the bar before the report is printed
    return report, config.with_overrides("arguments", **overrides)
