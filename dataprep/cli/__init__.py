"""The command line. This package is the only place that imports click; it turns Reports into text and
exit codes: 0 no errors, 1 errors found, 2 usage/config/unreadable input, 130 interrupted.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import click

from dataprep._version import __version__
from dataprep.cli.config_cmd import config_cmd
from dataprep.cli.convert_cmd import convert_cmd
from dataprep.cli.info_cmd import models_cmd, rules_cmd
from dataprep.cli.split_cmd import split_cmd
from dataprep.cli.validate_cmd import validate_cmd
from dataprep.errors import DataprepError

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="dataprep")
def cli() -> None:
    """Prepare and check fine-tuning data before you pay for a training run.

    \b
    Examples:
      dataprep validate train.jsonl --validation valid.jsonl --model gpt-4o-mini-2024-07-18
      dataprep rules DP203
    """


cli.add_command(validate_cmd)
cli.add_command(convert_cmd)
cli.add_command(split_cmd)
cli.add_command(rules_cmd)
cli.add_command(models_cmd)
cli.add_command(config_cmd)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI in-process and return its exit code (tests call this directly)."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        result = cli.main(args=args, prog_name="dataprep", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("dataprep: interrupted", err=True)
        return EXIT_INTERRUPTED
    except KeyboardInterrupt:
        click.echo("dataprep: interrupted", err=True)
        return EXIT_INTERRUPTED
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        return EXIT_USAGE
    except DataprepError as exc:
        click.echo(f"dataprep: error: {exc}", err=True)
        return EXIT_USAGE
    return int(result) if isinstance(result, int) else EXIT_OK
