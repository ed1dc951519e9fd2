"""`dataprep rules [CODE]`, `dataprep models` and `dataprep targets`: the rule catalogue, the model table and
the target profiles."""

from __future__ import annotations

import json

import click

from dataprep.errors import UsageError
from dataprep.models import load_models
from dataprep.open_models import load_open_models
from dataprep.rules.base import Rule
from dataprep.rules.registry import ALL_RULES, get_rule
from dataprep.targets import load_targets, resolve_target


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
    click.echo(f"Token counter for API models: {_token_counter()}")
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


def _token_counter() -> str:
    """Which counter this process uses for the OpenAI encodings (the same choice as validate's workers)."""
    from dataprep.tokens.encodings import get_encoding
    from dataprep.tokens.fast import counter_name

    return counter_name(get_encoding("o200k_base"))


@click.command("targets")
@click.argument("name", required=False)
def targets_cmd(name: str | None) -> int:
    """List the targets (providers and trainers) `validate --target` knows, with what each checks; with NAME,
    the whole profile: sources, date, limits, token limits and prices where public.

    \b
    Examples:
      dataprep targets
      dataprep targets bedrock-nova
    """
    if name is None:
        for profile in load_targets().values():
            click.echo(f"{profile.name:<14} {profile.kind:<9} {profile.title}  (checked {profile.checked})")
            for line in profile.checks():
                click.echo(f"{'':<15}- {line}")
        click.echo(
            "\nWith any target, a Mistral --model needs tool-call ids of 9 letters or digits (DP805).\n"
            "Rules: DP801-DP814 (`dataprep rules DP802` explains one); `dataprep targets NAME` shows sources."
        )
        return 0
    chosen = load_targets().get(name.lower())
    if chosen is None:
        resolve_target(name)  # raises, naming the known targets
        return 2  # pragma: no cover - resolve_target raised
    click.echo(f"{chosen.name}: {chosen.title} ({chosen.kind}; checked {chosen.checked})")
    click.echo(f"native format: {chosen.native_format or 'unknown'}")
    click.echo(f"text encoding: {chosen.encoding or 'unknown'}")
    click.echo("checks:")
    for line in chosen.checks():
        click.echo(f"  - {line}")
    limits = ", ".join(f"{model} {tokens:,}" for model, tokens in chosen.max_tokens.items())
    click.echo(f"per-example token limit: {limits or 'unknown'}")
    prices = ", ".join(f"{what} ${price:.2f}" for what, price in chosen.price_per_1m.items())
    click.echo(f"price per 1M training tokens: {prices or 'unknown'}")
    if chosen.notes:
        click.echo(f"notes: {chosen.notes}")
    click.echo("sources:")
    for source in chosen.sources:
        click.echo(f"  {source}")
    return 0
