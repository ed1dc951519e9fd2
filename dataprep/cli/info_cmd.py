"""`dataprep rules [CODE]` and `dataprep models`: the rule catalogue and the model table."""

from __future__ import annotations

import json

import click

from dataprep.errors import UsageError
from dataprep.models import load_models
from dataprep.rules.base import Rule
from dataprep.rules.registry import ALL_RULES, get_rule


@click.command("rules")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="json: every rule with its code, name, severity, summary, documentation and bad/good JSONL examples.",
)
@click.argument("code", required=False)
def rules_cmd(code: str | None, fmt: str) -> int:
    """List every rule, or explain one with a bad and a good example.

    \b
    Examples:
      dataprep rules
      dataprep rules DP203
      dataprep rules --format json
    """
    if fmt == "json":
        chosen = list(ALL_RULES) if code is None else [_rule_or_fail(code)]
        # ASCII escapes keep example lines that are not UTF-8 (written as surrogate escapes) valid JSON.
        click.echo(json.dumps([rule.to_dict() for rule in chosen], indent=2, ensure_ascii=True))
        return 0
    if code is None:
        for rule in ALL_RULES:
            click.echo(f"{rule.code}  {rule.severity.value:<7}  {rule.name:<28} {rule.summary}")
        return 0
    found = _rule_or_fail(code)
    click.echo(
        f"{found.code} {found.name} ({found.severity.value} by default, {found.scope} rule)\n{found.summary}\n"
    )
    click.echo(found.doc)
    return 0


def _rule_or_fail(code: str) -> Rule:
    found = get_rule(code)
    if found is None:
        raise UsageError(f"no rule {code!r}; `dataprep rules` lists them")
    return found


@click.command("models")
def models_cmd() -> int:
    """List the model table: encoding, training context limit, price per 1M training tokens, confidence, and
    the record kinds each model is fine-tuned on.

    \b
    Example:
      dataprep models
    """
    for info in load_models().values():
        price = f"${info.price_per_1m:.2f}" if info.price_per_1m is not None else "unknown"
        click.echo(
            f"{info.id:<28} {info.encoding:<12} {info.max_tokens:>8,} tokens  {price:>8}/1M  {info.confidence:<11}"
            f"  trains {', '.join(info.trains)}"
        )
    return 0
