"""The model table and model resolution: fine-tuned ids, aliases, custom models, overrides, errors."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import tiktoken.model

from dataprep.errors import ConfigError, UsageError
from dataprep.models import DEFAULT_MODEL, ModelInfo, base_model_id, load_models, resolve_model

# REFERENCE.md sections 2 and 4.
EXPECTED_TABLE = {
    "gpt-4o-mini-2024-07-18": ("o200k_base", 65_536, 3.00),
    "gpt-4o-2024-08-06": ("o200k_base", 65_536, 25.00),
    "gpt-3.5-turbo-0125": ("cl100k_base", 16_385, 8.00),
    "gpt-3.5-turbo-1106": ("cl100k_base", 16_385, 8.00),
    "gpt-3.5-turbo-0613": ("cl100k_base", 4_096, 8.00),
    "gpt-4.1-2025-04-14": ("o200k_base", 65_536, 25.00),
    "gpt-4.1-mini-2025-04-14": ("o200k_base", 65_536, 5.00),
    "gpt-4.1-nano-2025-04-14": ("o200k_base", 32_768, 1.50),
    "o4-mini-2025-04-16": ("o200k_base", 65_536, None),
    "babbage-002": ("cl100k_base", 16_384, 0.40),
    "davinci-002": ("cl100k_base", 16_384, 6.00),
}


def test_table_holds_every_reference_model() -> None:
    table = load_models()
    assert set(table) == set(EXPECTED_TABLE)
    for model_id, (encoding, limit, price) in EXPECTED_TABLE.items():
        info = table[model_id]
        assert (info.encoding, info.max_tokens, info.price_per_1m) == (encoding, limit, price), model_id
        assert info.limit_confidence in {"official", "copy", "unconfirmed"}
        assert info.price_confidence in {"official", "copy", "unconfirmed"}
        assert info.source and info.date


def test_encodings_agree_with_tiktokens_model_map() -> None:
    # tiktoken's map is plain data (no download): an independent check of the table's encodings.
    for model_id, info in load_models().items():
        assert tiktoken.model.encoding_name_for_model(model_id) == info.encoding, model_id


def test_confidence_is_the_weaker_of_limit_and_price() -> None:
    table = load_models()
    assert table["gpt-4o-mini-2024-07-18"].confidence == "official"
    assert table["gpt-4o-2024-08-06"].confidence == "copy"
    assert table["babbage-002"].confidence == "unconfirmed"


def test_default_model_and_fine_tuned_ids() -> None:
    assert resolve_model(None).id == DEFAULT_MODEL == "gpt-4o-mini-2024-07-18"
    assert resolve_model("").id == DEFAULT_MODEL
    assert resolve_model("ft:gpt-4o-mini-2024-07-18:my-org::abc123").id == "gpt-4o-mini-2024-07-18"
    assert resolve_model("ft:gpt-3.5-turbo-0613:org:suffix:id").max_tokens == 4096
    assert resolve_model("ft:davinci-002:org::x").encoding == "cl100k_base"
    assert base_model_id("gpt-4o-2024-08-06") == "gpt-4o-2024-08-06"
    assert base_model_id("ft:") == "ft:"


def test_alias_resolves_to_the_dated_model() -> None:
    assert resolve_model("o4-mini").id == "o4-mini-2025-04-16"
    assert resolve_model("o4-mini").price_per_1m is None


def test_unknown_model_error_lists_known_ids() -> None:
    with pytest.raises(UsageError) as caught:
        resolve_model("gpt-5-ultra")
    message = str(caught.value)
    assert "unknown model 'gpt-5-ultra'" in message
    for model_id in EXPECTED_TABLE:
        assert model_id in message
    assert "--tokenizer-encoding" in message and "--max-tokens" in message
    with pytest.raises(UsageError):
        resolve_model("gpt-5-ultra", encoding="o200k_base")  # a limit is needed too


def test_custom_model_needs_encoding_and_limit() -> None:
    info = resolve_model("my-llama", encoding="o200k_base", max_tokens=8192)
    assert info == ModelInfo(
        id="my-llama",
        encoding="o200k_base",
        max_tokens=8192,
        price_per_1m=None,
        source=info.source,
    )
    assert info.provider == "custom" and info.confidence == "user"
    priced = resolve_model("ft:my-llama:x", encoding="cl100k_base", max_tokens=4096, price_per_1m=1.25)
    assert (priced.id, priced.price_per_1m) == ("my-llama", 1.25)


def test_overrides_win_over_the_table() -> None:
    info = resolve_model("gpt-4o-mini-2024-07-18", max_tokens=1000, price_per_1m=2.0, encoding="cl100k_base")
    assert (info.max_tokens, info.price_per_1m, info.encoding) == (1000, 2.0, "cl100k_base")
    assert info.limit_confidence == info.price_confidence == "user"
    assert "set by the user" in info.source
    assert load_models()["gpt-4o-mini-2024-07-18"].max_tokens == 65_536  # the table itself is untouched


@pytest.mark.parametrize(
    "kwargs",
    [
        {"encoding": "p50k_base"},
        {"max_tokens": 0},
        {"max_tokens": True},
        {"price_per_1m": -1.0},
        {"price_per_1m": float("nan")},
    ],
)
def test_bad_overrides_are_usage_errors(kwargs: dict[str, object]) -> None:
    with pytest.raises(UsageError):
        resolve_model("gpt-4o-mini-2024-07-18", **kwargs)  # type: ignore[arg-type]


def test_extra_models_add_and_amend() -> None:
    extra: dict[str, dict[str, object]] = {
        "acme-7b": {"encoding": "cl100k_base", "max_tokens": 4096, "price_per_1m": 0.5},
        "gpt-4o-mini-2024-07-18": {"price_per_1m": 2.5},
        "o4-mini": {"price_per_1m": 10},
    }
    acme = resolve_model("acme-7b", extra_models=extra)
    assert (acme.encoding, acme.max_tokens, acme.price_per_1m) == ("cl100k_base", 4096, 0.5)
    assert resolve_model(None, extra_models=extra).price_per_1m == 2.5
    assert resolve_model("o4-mini-2025-04-16", extra_models=extra).price_per_1m == 10.0
    assert resolve_model("acme-7b", extra_models=extra, max_tokens=2048).max_tokens == 2048


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"encoding": "cl100k_base"}, "needs both"),
        ({"encoding": "cl100k_base", "max_tokens": 10, "colour": "red"}, "unknown key"),
        ({"encoding": "nope", "max_tokens": 10}, "unknown encoding"),
        ({"encoding": "cl100k_base", "max_tokens": "10"}, "positive integer"),
    ],
)
def test_bad_extra_models_are_config_errors(entry: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        resolve_model("acme", extra_models={"acme": entry})


def test_broken_table_file_is_a_config_error(tmp_path: Path) -> None:
    bad = tmp_path / "models.toml"
    bad.write_text('[models."x"]\nencoding = "o200k_base"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="missing key"):
        load_models(bad)
    bad.write_text("not = [toml", encoding="utf-8")
    with pytest.raises(ConfigError, match="cannot read"):
        load_models(bad)


def test_model_info_is_frozen() -> None:
    info = resolve_model(None)
    with pytest.raises(dataclasses.FrozenInstanceError):
        info.max_tokens = 1  # type: ignore[misc]
    assert info.to_dict()["id"] == DEFAULT_MODEL
