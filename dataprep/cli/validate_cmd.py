"""`dataprep validate`: check chat/preference/completion JSONL files and print the report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from dataprep.cli.color import COLOR_MODES
from dataprep.cli.compute_options import compute_options
from dataprep.cli.options import InputPath
from dataprep.cli.validate_run import validate_and_print
from dataprep.report.formats import RENDERERS


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
def validate_cmd(files: tuple[Path | str, ...], **options: Any) -> int:
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
    return validate_and_print(files, **options)
