"""The self-hosted compute estimate on the command line: its options (for validate) and `dataprep gpus`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from dataprep.compute_choices import DEFAULT_MFU, METHODS

F = TypeVar("F", bound=Callable[..., Any])


class _GpuOption(click.Option):
    """--gpu, whose help lists the GPU table: read when help is shown, not each time the command loads."""

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        from dataprep.compute import load_gpus

        self.help = (
            f"GPU for the compute estimate: {', '.join(load_gpus())} (default H100 when --method is given)."
        )
        return super().get_help_record(ctx)


def compute_options(command: F) -> F:
    """Add --method, --gpu, --mfu, --gpu-price, --parameters and --peak-tflops; they arrive as keywords."""
    options = (
        click.option(
            "--method",
            type=click.Choice(METHODS),
            help="Self-hosted compute estimate for this training method (default lora when --gpu is given).",
        ),
        click.option("--gpu", cls=_GpuOption),
        click.option(
            "--mfu",
            type=click.FloatRange(min=0, max=1, min_open=True),
            help=f"Model FLOPs utilisation assumed for the estimate (default {DEFAULT_MFU}).",
        ),
        click.option(
            "--gpu-price", type=click.FloatRange(min=0), help="USD per GPU-hour, for a dollar figure."
        ),
        click.option(
            "--parameters",
            help="Model parameters for the estimate, e.g. 8e9 or 8B (default: the open-weight table's).",
        ),
        click.option(
            "--peak-tflops",
            type=click.FloatRange(min=0, min_open=True),
            help="Peak dense BF16 TFLOPS of the GPU (overrides the GPU table).",
        ),
    )
    for option in reversed(options):
        command = option(command)
    return command


@click.command("gpus")
def gpus_cmd() -> int:
    """List the GPU table of the compute estimate: peak dense BF16 TFLOPS, memory, confidence and source.

    \b
    Example:
      dataprep gpus
    """
    from dataprep.compute import load_gpus

    for info in load_gpus().values():
        click.echo(
            f"{info.id:<8} {info.peak_tflops:>8g} TFLOPS {info.memory_gb:>5g} GB  {info.confidence:<8} "
            f"{info.name}; {info.source} (checked {info.date})"
        )
    return 0
