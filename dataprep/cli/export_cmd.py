"""`dataprep export --to TRAINER`: a folder an open-weight trainer loads as it is (dataprep.conversion.trainers)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from dataprep.cli.options import chosen_report_format, report_format_option

_TRAINERS = ("trl", "axolotl", "llama-factory", "autotrain")  # dataprep.conversion.trainers.TRAINERS (tested)


@click.command("export")
@click.argument("train", type=click.Path(path_type=Path))
@click.option(
    "--to", "trainer", type=click.Choice(_TRAINERS), required=True, help="The trainer to write for."
)
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True, help="Output folder.")
@click.option(
    "--validation", type=click.Path(path_type=Path), help="Validation JSONL (same kind of records)."
)
@click.option("--base-model", help="The model to fine-tune, written into the config.")
@click.option(
    "--max-length", type=click.IntRange(min=1), help="Sequence length (tokens): the trainer's setting."
)
@click.option(
    "--max-prompt-length", type=click.IntRange(min=1), help="Prompt length for DPO (TRL, AutoTrain)."
)
@click.option("--packing", is_flag=True, help="Pack examples into full sequences (SFT).")
@click.option("--assistant-only-loss", is_flag=True, help="TRL: train on assistant tokens only.")
@click.option(
    "--name", default="dataprep", show_default=True, help="Dataset name (LLaMA-Factory), project name."
)
@click.option("--force", is_flag=True, help="Replace an earlier export in the output folder.")
@click.option("--model", help="Model whose token limit the validation uses (see `dataprep models`).")
@click.option("--no-validate", is_flag=True, help="Do not check the input with the trainer's target profile.")
@click.option(
    "--config", "config_path", type=click.Path(path_type=Path, dir_okay=False), help="Configuration file."
)
@report_format_option()
def export_cmd(
    train: Path,
    trainer: str,
    output: Path,
    validation: Path | None,
    base_model: str | None,
    max_length: int | None,
    max_prompt_length: int | None,
    packing: bool,
    assistant_only_loss: bool,
    name: str,
    force: bool,
    model: str | None,
    no_validate: bool,
    config_path: Path | None,
    report_format: str | None,
    as_json: bool,
) -> int:
    """Write TRAIN (chat, preference or KTO JSONL, as `dataprep convert` writes it) for a trainer: the data in
    the trainer's shape plus the configuration that loads it, in one folder.

    Every record is written, or nothing is: a record the trainer cannot take as the data says (a weight-0
    message for TRL, a late system message for LLaMA-Factory...) stops the export with its line and reason.
    The input is first checked as `dataprep validate --target TRAINER` checks it (--model, --config; skip with
    --no-validate); the folder is written all the same, and errors give exit status 1.
    Exit status: 0 written and valid, 1 written but validation found errors, 2 usage error or records that cannot
    be written (nothing written).

    \b
    Examples:
      dataprep export train.jsonl --validation valid.jsonl --to axolotl -o run/ --max-length 4096
      dataprep export dpo.jsonl --to llama-factory -o lf/ --name support_dpo
      dataprep export train.jsonl --to trl -o trl/ --base-model Qwen/Qwen3-0.6B --packing
    """
    from dataprep.conversion.trainers import TrainerOptions, export_for_trainer

    fmt = chosen_report_format(report_format, as_json)
    options = TrainerOptions(
        base_model=base_model,
        max_length=max_length,
        max_prompt_length=max_prompt_length,
        packing=packing,
        assistant_only_loss=assistant_only_loss,
        name=name,
    )
    report = export_for_trainer(
        train,
        output,
        trainer,
        validation=validation,
        options=options,
        force=force,
        validate=not no_validate,
        model=model,
        config=config_path,
    )
    if fmt == "json":
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(report.format_text())
        if report.validation is not None:
            from dataprep.conversion.checks import render_findings

            click.echo(render_findings(report.validation), nl=False)
    return 0 if report.ok else 1
