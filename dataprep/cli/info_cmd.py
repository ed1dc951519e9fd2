"""`dataprep rules [CODE]` and `dataprep models`: the rule catalogue and the model table."""

from __future__ import annotations

import json

import click

from dataprep.errors import UsageError
from dataprep.models import load_models
from dataprep.open_models import load_open_models
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
    """List the model tables: API models (encoding, context limit, price, the record kinds each is fine-tuned
    on) and open-weight models (parameters, context length, tokenizer, whether it is available offline now or
    which extra brings it; TRL trains every kind on them).

    \b
    Example:
      dataprep models
    """
    click.echo("API fine-tuning models:")
    for info in load_models().values():
        price = f"${info.price_per_1m:.2f}" if info.price_per_1m is not None else "unknown"
        click.echo(
            f"{info.id:<28} {info.encoding:<12} {info.max_tokens:>8,} tokens  {price:>8}/1M  {info.confidence:<11}"
            f"  trains {', '.join(info.trains)}"
        )
    click.echo("")
    click.echo("Open-weight models (self-hosted training; --model <id>, or --tokenizer PATH for any other):")
    for row in load_open_models().values():
        w = row.weights
        state = "offline now" if w.tokenizer.available() else "not offline"
        click.echo(
            f"{row.id:<38} {w.parameters / 1e9:>5.1f}B  {w.context_length:>8,} tokens  "
            f"{w.tokenizer.key:<14} {state:<12} {w.tokenizer.how_to_get()}  [{w.licence}]"
        )
    return 0
