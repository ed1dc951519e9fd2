"""The open-weight model table (dataprep/data/open_models.toml): parameters, context, tokenizer, template, licence.

`resolve_model` (dataprep.models) looks ids up here after the API table, so `--model Qwen/Qwen3-8B` works like
`--model gpt-4o-mini-2024-07-18`. The compute estimate reads `parameters`; the template checks read the rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from dataprep.data_tables import read_toml_table
from dataprep.errors import ConfigError
from dataprep.tokens.sources import ORIGINS, TokenizerSource

OPEN_MODELS_FILE = Path(__file__).resolve().parent / "data" / "open_models.toml"
TEMPLATE_ORIGINS = ("tokenizer", "mistral-common", "builtin")
BACKENDS = ("tiktoken-bpe", "tekken", "sentencepiece", "hf-json")


@dataclass(frozen=True, slots=True)
class OpenWeights:
    """What the table knows about one open-weight model (beyond the ModelInfo fields every model has)."""

    parameters: int
    context_length: int
    tokenizer: TokenizerSource
    template: str
    template_from: str
    end_of_turn: str
    licence: str
    licence_url: str
    active_parameters: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "parameters": self.parameters,
            "active_parameters": self.active_parameters,
            "context_length": self.context_length,
            "tokenizer": self.tokenizer.key,
            "tokenizer_backend": self.tokenizer.backend,
            "tokenizer_from": self.tokenizer.origin,
            "template": self.template,
            "template_from": self.template_from,
            "end_of_turn": self.end_of_turn,
            "licence": self.licence,
            "licence_url": self.licence_url,
        }


@dataclass(frozen=True, slots=True)
class OpenModelRow:
    id: str
    weights: OpenWeights
    source: str
    date: str
    confidence: str


def load_open_models(path: str | Path | None = None) -> dict[str, OpenModelRow]:
    """The open-weight table keyed by Hugging Face id. Raises ConfigError if the file is broken."""
    return dict(_load(str(path) if path is not None else str(OPEN_MODELS_FILE)))


def find_open_model(model_id: str) -> OpenModelRow | None:
    """The row for `model_id`; the match ignores case, as the Hugging Face Hub does."""
    table = load_open_models()
    if model_id in table:
        return table[model_id]
    lowered = model_id.lower()
    return next((row for key, row in table.items() if key.lower() == lowered), None)


@lru_cache(maxsize=4)
def _load(path: str) -> tuple[tuple[str, OpenModelRow], ...]:
    raw = read_toml_table(path, "the open-weight model table")
    tokenizers = {key: _tokenizer(path, key, row) for key, row in _table(path, raw, "tokenizers").items()}
    return tuple(
        (model_id, _model(path, model_id, row, tokenizers))
        for model_id, row in _table(path, raw, "models").items()
    )


def _table(path: str, raw: dict[str, Any], name: str) -> dict[str, Any]:
    table = raw.get(name)
    if not isinstance(table, dict) or not all(isinstance(v, dict) for v in table.values()):
        raise ConfigError(f'{path}: expected [{name}."<key>"] tables')
    return table


def _tokenizer(path: str, key: str, row: dict[str, Any]) -> TokenizerSource:
    where = f"{path}: tokenizers.{key!r}"
    backend, origin = row.get("backend"), row.get("from")
    if backend not in BACKENDS:
        raise ConfigError(f"{where}: backend must be one of {', '.join(BACKENDS)}, got {backend!r}")
    if origin not in ORIGINS:
        raise ConfigError(f"{where}: from must be one of {', '.join(ORIGINS)}, got {origin!r}")
    if origin == "package" and not all(row.get(k) for k in ("package", "module", "resource", "extra")):
        raise ConfigError(f"{where}: a packaged tokenizer needs package, module, resource and extra")
    return TokenizerSource(
        key=key,
        backend=str(backend),
        origin=str(origin),
        package=str(row.get("package", "")),
        module=str(row.get("module", "")),
        resource=str(row.get("resource", "")),
        extra=str(row.get("extra", "")),
        licence=str(row.get("licence", "")),
    )


def _model(
    path: str, model_id: str, row: dict[str, Any], tokenizers: dict[str, TokenizerSource]
) -> OpenModelRow:
    where = f"{path}: models.{model_id!r}"
    try:
        tokenizer = tokenizers.get(row["tokenizer"])
        if tokenizer is None:
            raise ConfigError(f"{where}: unknown tokenizer {row['tokenizer']!r}")
        if row.get("template_from") not in TEMPLATE_ORIGINS:
            raise ConfigError(f"{where}: template_from must be one of {', '.join(TEMPLATE_ORIGINS)}")
        for key in ("parameters", "context_length"):
            if type(row[key]) is not int or row[key] <= 0:
                raise ConfigError(f"{where}: {key} must be a positive integer")
        active = row.get("active_parameters")
        weights = OpenWeights(
            parameters=row["parameters"],
            active_parameters=int(active) if active is not None else None,
            context_length=row["context_length"],
            tokenizer=tokenizer,
            template=str(row["template"]),
            template_from=str(row["template_from"]),
            end_of_turn=str(row["end_of_turn"]),
            licence=str(row["licence"]),
            licence_url=str(row["licence_url"]),
        )
        return OpenModelRow(model_id, weights, str(row["source"]), str(row["date"]), str(row["confidence"]))
    except KeyError as exc:
        raise ConfigError(f"{where}: missing key {exc}") from exc
