"""The fine-tuning model table (dataprep/data/models.toml) and how a model id becomes a ModelInfo.

The table is data with a date and a source per row; users override any figure or add their own models.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dataprep.data_tables import read_toml_table
from dataprep.errors import ConfigError, UsageError
from dataprep.tokens import (
    CHAT_TEMPLATE_BACKEND,
    ReferenceFormulaTokenizer,
    TokenizerSpec,
    available_encodings,
)

if TYPE_CHECKING:  # the open-weight table loads when a model is not in the API table
    from dataprep.open_models import OpenModelRow, OpenWeights

DEFAULT_MODEL = "gpt-4o-mini-2024-07-18"
MODELS_FILE = Path(__file__).resolve().parent / "data" / "models.toml"

CONFIDENCE_LEVELS = ("official", "copy", "unconfirmed", "user")  # "user": a figure the user supplied
_STRENGTH = {"user": 3, "official": 2, "copy": 1, "unconfirmed": 0}
_CUSTOM_KEYS = frozenset({"encoding", "max_tokens", "price_per_1m", "trains"})
# What a model can be fine-tuned on: the record kinds dataprep validates, and reinforcement fine-tuning (RFT)
# data, which dataprep does not validate but which names what an RFT-only model takes.
TRAINING_KINDS = ("chat", "preference", "completion", "reinforcement")
ALL_KINDS = ("chat", "preference", "completion")
OPEN_WEIGHTS_TRAINS_SOURCE = (
    "TRL: SFTTrainer takes conversational (messages) and prompt/completion data, DPOTrainer preference pairs"
)


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """One fine-tunable model: its tokenizer, training-example limit and training price (None = unknown)."""

    id: str
    encoding: str
    max_tokens: int
    price_per_1m: float | None
    provider: str = "custom"
    limit_confidence: str = "user"
    price_confidence: str = "user"
    date: str = ""
    source: str = ""
    aliases: tuple[str, ...] = field(default=())
    trains: tuple[str, ...] = ALL_KINDS  # record kinds it is fine-tuned on (DP520); unknown = every kind
    trains_source: str = ""
    open_weights: OpenWeights | None = (
        None  # set for rows of the open-weight table (dataprep/data/open_models.toml)
    )
    # the user's tokenizer settings (--tokenizer, --chat-template, --date, --allow-download) as spec options
    tokenizer_options: tuple[tuple[str, str], ...] = ()

    def fits(self, kind: str) -> bool:
        """True when this model is fine-tuned on records of `kind` (chat, preference, completion)."""
        return kind in self.trains

    @property
    def tokenizer_spec(self) -> TokenizerSpec:
        """The tokenizer that counts this model's examples (the seam's choice is made here, from the table)."""
        if self.open_weights is None and self.tokenizer_options:
            return TokenizerSpec(CHAT_TEMPLATE_BACKEND, self.id, options=self.tokenizer_options)
        if self.open_weights is not None:
            return TokenizerSpec(
                CHAT_TEMPLATE_BACKEND,
                self.id,
                options=(
                    *self.tokenizer_options,
                    ("tokenizer", self.open_weights.tokenizer.key),
                    ("tokenizer_backend", self.open_weights.tokenizer.backend),
                    ("tokenizer_from", self.open_weights.tokenizer.origin),
                    ("package", self.open_weights.tokenizer.package),
                    ("module", self.open_weights.tokenizer.module),
                    ("resource", self.open_weights.tokenizer.resource),
                    ("extra", self.open_weights.tokenizer.extra),
                    ("template", self.open_weights.template),
                    ("template_from", self.open_weights.template_from),
                    ("end_of_turn", self.open_weights.end_of_turn),
                ),
            )
        return TokenizerSpec(ReferenceFormulaTokenizer.BACKEND, self.encoding)

    @property
    def confidence(self) -> str:
        """The weaker of the limit and price confidences."""
        return min(self.limit_confidence, self.price_confidence, key=lambda c: _STRENGTH.get(c, 0))

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "encoding": self.encoding,
            "max_tokens": self.max_tokens,
            "price_per_1m": self.price_per_1m,
            "provider": self.provider,
            "limit_confidence": self.limit_confidence,
            "price_confidence": self.price_confidence,
            "date": self.date,
            "source": self.source,
            "aliases": list(self.aliases),
            "trains": list(self.trains),
            **({"open_weights": self.open_weights.to_dict()} if self.open_weights is not None else {}),
        }


def load_models(path: str | Path | None = None) -> dict[str, ModelInfo]:
    """The model table keyed by canonical id (aliases are in each ModelInfo). Raises ConfigError if broken."""
    return dict(_load_table(str(path) if path is not None else str(MODELS_FILE)))


@lru_cache(maxsize=8)
def _load_table(path: str) -> tuple[tuple[str, ModelInfo], ...]:
    raw = read_toml_table(path, "the model table")
    models = raw.get("models")
    if not isinstance(models, dict):
        raise ConfigError(f'{path}: expected a [models."<id>"] table')
    return tuple((model_id, _row_to_info(path, model_id, row)) for model_id, row in models.items())


def _row_to_info(path: str, model_id: str, row: object) -> ModelInfo:
    where = f"{path}: models.{model_id!r}"
    if not isinstance(row, dict):
        raise ConfigError(f"{where}: expected a table")
    try:
        info = ModelInfo(
            id=model_id,
            encoding=_check_encoding(row["encoding"]),
            max_tokens=_check_max_tokens(row["max_tokens"]),
            price_per_1m=_check_price(row.get("price_per_1m")),
            provider=str(row["provider"]),
            limit_confidence=_check_confidence(row["limit_confidence"]),
            price_confidence=_check_confidence(row["price_confidence"]),
            date=str(row["date"]),
            source=str(row["source"]),
            aliases=tuple(str(a) for a in row.get("aliases", ())),
            trains=_check_trains(row.get("trains", ALL_KINDS)),
            trains_source=str(row.get("trains_source", "")),
        )
    except KeyError as exc:
        raise ConfigError(f"{where}: missing key {exc}") from exc
    except UsageError as exc:
        raise ConfigError(f"{where}: {exc}") from exc
    return info


def _check_encoding(value: object) -> str:
    known = available_encodings()
    if not isinstance(value, str) or value not in known:
        raise UsageError(f"unknown encoding {value!r} (available offline: {', '.join(known)})")
    return value


def _check_max_tokens(value: object) -> int:
    if type(value) is not int or value <= 0:
        raise UsageError(f"max tokens must be a positive integer, got {value!r}")
    return value


def _check_price(value: object) -> float | None:
    if value is None:
        return None
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not math.isfinite(value)
        or value < 0
    ):
        raise UsageError(f"price per 1M tokens must be a number >= 0, got {value!r}")
    return float(value)


def _check_trains(value: object) -> tuple[str, ...]:
    if (
        not isinstance(value, (list, tuple))
        or not value
        or not all(isinstance(v, str) and v in TRAINING_KINDS for v in value)
    ):
        raise UsageError(f"trains must be a non-empty list of {', '.join(TRAINING_KINDS)}, got {value!r}")
    return tuple(value)


def _check_confidence(value: object) -> str:
    if value not in CONFIDENCE_LEVELS:
        raise UsageError(f"confidence must be one of {', '.join(CONFIDENCE_LEVELS)}, got {value!r}")
    return str(value)


def base_model_id(model: str) -> str:
    """`ft:gpt-4o-mini-2024-07-18:org::abc` -> `gpt-4o-mini-2024-07-18`; other ids unchanged."""
    if model.startswith("ft:"):
        base = model.split(":")[1]
        if base:
            return base
    return model


def _with_extra_models(
    table: dict[str, ModelInfo], extra_models: Mapping[str, Mapping[str, object]]
) -> dict[str, ModelInfo]:
    """Add or amend models from a config file; a known id takes only the figures given."""
    merged = dict(table)
    for model_id, entry in extra_models.items():
        if not isinstance(entry, Mapping):
            raise ConfigError(f"models.{model_id!r}: expected a table of {', '.join(sorted(_CUSTOM_KEYS))}")
        unknown = set(entry) - _CUSTOM_KEYS
        if unknown:
            raise ConfigError(
                f"models.{model_id!r}: unknown key(s) {', '.join(sorted(map(str, unknown)))} "
                f"(allowed: {', '.join(sorted(_CUSTOM_KEYS))})"
            )
        base = merged.get(model_id) or _by_alias(merged, model_id)
        if base is None and ("encoding" not in entry or "max_tokens" not in entry):
            raise ConfigError(f"models.{model_id!r}: a new model needs both 'encoding' and 'max_tokens'")
        try:
            if base is None:
                merged[model_id] = _custom(
                    model_id,
                    entry["encoding"],
                    entry["max_tokens"],
                    entry.get("price_per_1m"),
                    "configuration",
                )
            else:
                merged[base.id] = _override(
                    base,
                    entry.get("encoding"),
                    entry.get("max_tokens"),
                    entry.get("price_per_1m"),
                    "configuration",
                )
            if "trains" in entry:
                key = model_id if base is None else base.id
                merged[key] = replace(
                    merged[key], trains=_check_trains(entry["trains"]), trains_source="configuration"
                )
        except UsageError as exc:
            raise ConfigError(f"models.{model_id!r}: {exc}") from exc
    return merged


def open_model_info(row: OpenModelRow) -> ModelInfo:
    """A ModelInfo for an open-weight row: the context length is the limit; training is self-hosted (no price)."""
    return ModelInfo(
        id=row.id,
        encoding=row.weights.tokenizer.key,
        max_tokens=row.weights.context_length,
        price_per_1m=None,
        provider="self-hosted",
        limit_confidence=row.confidence,
        price_confidence=row.confidence,
        date=row.date,
        source=row.source,
        open_weights=row.weights,
        trains=ALL_KINDS,
        trains_source=OPEN_WEIGHTS_TRAINS_SOURCE,
    )


def _by_alias(table: Mapping[str, ModelInfo], model_id: str) -> ModelInfo | None:
    return next((info for info in table.values() if model_id in info.aliases), None)


def _custom(model_id: str, encoding: object, max_tokens: object, price: object, origin: str) -> ModelInfo:
    return ModelInfo(
        id=model_id,
        encoding=_check_encoding(encoding),
        max_tokens=_check_max_tokens(max_tokens),
        price_per_1m=_check_price(price),
        source=f"custom model given by the {origin}",
    )


def _override(info: ModelInfo, encoding: object, max_tokens: object, price: object, origin: str) -> ModelInfo:
    changed: dict[str, Any] = {}
    if encoding is not None:
        changed["encoding"] = _check_encoding(encoding)
    if max_tokens is not None:
        changed["max_tokens"] = _check_max_tokens(max_tokens)
        changed["limit_confidence"] = "user"
    if price is not None:
        changed["price_per_1m"] = _check_price(price)
        changed["price_confidence"] = "user"
    if not changed:
        return info
    what = ", ".join(k for k in ("encoding", "max_tokens", "price_per_1m") if k in changed)
    return replace(info, source=f"{info.source}; {what} set by the {origin}", **changed)


def with_tokenizer_settings(
    info: ModelInfo | None,
    model: str | None,
    *,
    tokenizer: str | None = None,
    chat_template: str | None = None,
    date: str | None = None,
    allow_download: bool = False,
    max_seq_length: int | None = None,
) -> ModelInfo | None:
    """Apply the open-weight settings to a resolved model; with --tokenizer PATH any model id (or none) works.

    Returns None when nothing open-weight was asked for and `info` is None (the caller resolves as before).
    `chat_template` is a file path or the template text itself (library callers may pass text).
    """
    options: list[tuple[str, str]] = []
    if tokenizer:
        options.append(("path", str(Path(tokenizer).expanduser())))
    if chat_template:
        options.append(("chat_template", _template_text(chat_template)))
    if date:
        from dataprep.tokens.template import parse_date

        parse_date(date)  # a bad date is a usage error now, not in every worker
        options.append(("date", date))
    if allow_download:
        options.append(("allow_download", "1"))
    if info is None:
        if not tokenizer and not chat_template:
            return None
        if not tokenizer:
            raise UsageError(
                "--chat-template needs a tokenizer: --model <open-weight id> or --tokenizer PATH"
            )
        info = _folder_model(model, Path(tokenizer).expanduser(), max_seq_length)
    elif info.open_weights is None and (tokenizer or chat_template):
        if not tokenizer:
            raise UsageError(f"{info.id} is an API model; --chat-template applies to open-weight models")
        info = _folder_model(model, Path(tokenizer).expanduser(), max_seq_length)
    if max_seq_length is not None:
        info = replace(info, max_tokens=_check_max_tokens(max_seq_length), limit_confidence="user")
    return replace(info, tokenizer_options=tuple(options)) if options else info


def _template_text(value: str) -> str:
    if "{%" in value or "{{" in value:
        return value
    path = Path(value).expanduser()
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{value}: cannot read the chat template ({exc})") from exc


def _folder_model(model: str | None, folder: Path, max_seq_length: int | None) -> ModelInfo:
    """A model known only by its tokenizer folder: the context length from its config, or --max-seq-length."""
    limit = max_seq_length or _folder_context_length(folder)
    if limit is None:
        raise UsageError(
            f"{folder}: no context length found (config.json max_position_embeddings, tokenizer_config.json "
            "model_max_length); give --max-seq-length"
        )
    return ModelInfo(
        id=model or folder.name,
        encoding=folder.name,
        max_tokens=limit,
        price_per_1m=None,
        provider="self-hosted",
        source=f"tokenizer folder {folder}",
    )


def _folder_context_length(folder: Path) -> int | None:
    import json

    for name, key in (
        ("config.json", "max_position_embeddings"),
        ("tokenizer_config.json", "model_max_length"),
    ):
        try:
            value = json.loads((folder / name).read_text(encoding="utf-8")).get(key)
        except (OSError, ValueError, AttributeError):
            continue
        if type(value) is int and 0 < value < 10**8:  # transformers writes 1e30 when it does not know
            return value
    return None


def resolve_model(
    model: str | None,
    *,
    encoding: str | None = None,
    max_tokens: int | None = None,
    price_per_1m: float | None = None,
    extra_models: Mapping[str, Mapping[str, object]] | None = None,
) -> ModelInfo:
    """The ModelInfo for `model` (default DEFAULT_MODEL), with explicit overrides applied on top.

    Fine-tuned ids (`ft:<base>:...`) resolve to their base model. An unknown id raises UsageError listing
    the known ids, unless both `encoding` and `max_tokens` are given: then it is a custom model priced at
    `price_per_1m` (or unpriced). `extra_models` (from configuration) adds or amends table rows.
    """
    name = (model or "").strip() or DEFAULT_MODEL
    table = load_models()
    if extra_models:
        table = _with_extra_models(table, extra_models)
    base = base_model_id(name)
    info = table.get(base) or _by_alias(table, base)
    if info is not None:
        return _override(info, encoding, max_tokens, price_per_1m, "user")
    from dataprep.open_models import find_open_model, load_open_models  # the open-weight table, when needed

    row = find_open_model(name)
    if row is not None:
        if encoding is not None:
            raise UsageError(
                f"{row.id} counts with its own tokenizer; --tokenizer-encoding applies to API models "
                "(use --tokenizer PATH for another tokenizer)"
            )
        return _override(open_model_info(row), None, max_tokens, price_per_1m, "user")
    if encoding is None or max_tokens is None:
        raise UsageError(
            f"unknown model {name!r}. Known models: {', '.join(sorted(table))}; "
            f"open-weight: {', '.join(sorted(load_open_models()))}. "
            "For another model give both its encoding and its max tokens (--tokenizer-encoding, --max-tokens), "
            "or its tokenizer folder (--tokenizer PATH)."
        )
    return _custom(base, encoding, max_tokens, price_per_1m, "user")
