"""`dataprep rules [CODE]` and `dataprep models`: the rule catalogue and the model table."""

from __future__ import annotations

import click

from dataprep.errors import UsageError
from dataprep.models import load_models
from dataprep.rules.registry import ALL_RULES, get_rule


@click.command("rules")
@click.argument("code", required=False)
def rules_cmd(code: str | None) -> int:
    """List every rule, or explain one with a bad and a good example.

    \b
    Examples:
      dataprep rules
      dataprep rules DP203
    """
    if code is None:
        for rule in ALL_RULES:
            click.echo(f"{rule.code}  {rule.severity.value:<7}  {rule.name:<28} {rule.summary}")
        return 0
    found = get_rule(code)
    if found is None:
        raise UsageError(f"no rule {code!r}; `dataprep rules` lists them")
    click.echo(
        f"{found.code} {found.name} ({found.severity.value} by default, {found.scope} rule)\n{found.summary}\n"
    )
    click.echo(found.doc)
    return 0


@click.command("models")
def models_cmd() -> int:
    """List the model table: encoding, training context limit, price per 1M training tokens, source.

    \b
    Example:
      dataprep models
    """
    for info in load_models().values():
        price = f"${info.price_per_1m:.2f}" if info.price_per_1m is not None else "unknown"
        click.echo(
            f"{info.id:<28} {info.encoding:<12} {info.max_tokens:>8,} tokens  {price:>8}/1M  {info.confidence}"
        )
    return 0
