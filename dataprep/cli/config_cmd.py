"""`dataprep config`: the effective configuration and where each value came from."""

from __future__ import annotations

from pathlib import Path

import click
import orjson

from dataprep.config import Config, find_config_file, load_config


@click.command("config")
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="Configuration file to read instead of the nearest one.",
)
@click.option(
    "--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True
)
def config_cmd(config_path: Path | None, output_format: str) -> int:
    """Print the effective configuration and the source of every value (file, or default).

    \b
    Examples:
      dataprep config
      dataprep config --config ci/dataprep.toml --format json
    """
    path = config_path or find_config_file()
    config = load_config(path)
    values = config.to_dict()
    if output_format == "json":
        data = {"file": str(path) if path else None, "values": values, "sources": _sources(config, values)}
        click.echo(orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS).decode())
        return 0
    click.echo(f"# configuration file: {path if path else 'none found (defaults only)'}")
    sources = _sources(config, values)
    for key in sorted(values):
        click.echo(f"{key} = {_show(values[key])}    # {sources[key]}")
    return 0


def _sources(config: Config, values: dict[str, object]) -> dict[str, str]:
    return {key: config.sources.get(key, "default") for key in values}


def _show(value: object) -> str:
    return orjson.dumps(value).decode() if value is not None else "(unset)"
