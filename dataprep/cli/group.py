"""The click command group: `dataprep` and its commands, each imported by name when it runs (or help lists it).

Kept apart from `dataprep.cli` so that a plain `dataprep validate FILE...` (dataprep.cli.validate_run) runs
without loading click at all.
"""

from __future__ import annotations

import importlib

import click

from dataprep._version import __version__

# Each command's module, loaded only when that command runs (or help lists it): `dataprep validate` in a
# pre-commit hook never pays for importing convert's, report's or split's dependencies.
COMMANDS = {
    "validate": ("dataprep.cli.validate_cmd", "validate_cmd"),
    "convert": ("dataprep.cli.convert_cmd", "convert_cmd"),
    "split": ("dataprep.cli.split_cmd", "split_cmd"),
    "export": ("dataprep.cli.export_cmd", "export_cmd"),
    "report": ("dataprep.cli.report_cmd", "report_cmd"),
    "rules": ("dataprep.cli.info_cmd", "rules_cmd"),
    "models": ("dataprep.cli.info_cmd", "models_cmd"),
    "targets": ("dataprep.cli.info_cmd", "targets_cmd"),
    "config": ("dataprep.cli.config_cmd", "config_cmd"),
    "gpus": ("dataprep.cli.compute_options", "gpus_cmd"),
}


class LazyGroup(click.Group):
    """A group whose commands are imported by name on first use (help lists them sorted, as click does)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        home = COMMANDS.get(cmd_name)
        if home is None:
            return None
        command = getattr(importlib.import_module(home[0]), home[1])
        assert isinstance(command, click.Command)
        return command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="dataprep")
def cli() -> None:
    """Prepare and check fine-tuning data before you pay for a training run.

    \b
    Examples:
      dataprep validate train.jsonl --validation valid.jsonl --model gpt-4o-mini-2024-07-18
      dataprep rules DP203
    """
