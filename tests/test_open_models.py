"""The open-weight model table: every required model, its figures, how --model resolves it, `dataprep models`."""

from __future__ import annotations

from pathlib import Path

import pytest

from dataprep.errors import ConfigError, UsageError
from dataprep.models import resolve_model
from dataprep.open_models import find_open_model, load_open_models
from dataprep.tokens import CHAT_TEMPLATE_BACKEND
from dataprep.tokens.sources import TokenizerSource

REQUIRED = {
    # id: (parameters in billions, rounded; context length; tokenizer key)
    "meta-llama/Llama-3.1-8B-Instruct": (8.0, 131_072, "llama3"),
    "meta-llama/Llama-3.2-3B-Instruct": (3.2, 131_072, "llama3"),
    "Qwen/Qwen2.5-7B-Instruct": (7.6, 32_768, "qwen2"),
    "Qwen/Qwen3-8B": (8.2, 32_768, "qwen2"),
    "mistralai/Mistral-Nemo-Instruct-2407": (12.2, 131_072, "tekken_240718"),
    "mistralai/Mistral-7B-Instruct-v0.3": (7.2, 32_768, "mistral_v3"),
    "google/gemma-2-9b-it": (9.2, 8_192, "gemma"),
    "openai/gpt-oss-20b": (20.9, 131_072, "o200k_harmony"),
}


def test_table_has_every_required_model_with_its_figures() -> None:
    table = load_open_models()
    assert set(REQUIRED) <= set(table)
    for model_id, (billions, context, tokenizer) in REQUIRED.items():
        row = table[model_id]
        w = row.weights
        assert round(w.parameters / 1e9, 1) == billions, model_id
        assert (w.context_length, w.tokenizer.key) == (context, tokenizer), model_id
        assert w.licence and w.licence_url.startswith("https://"), model_id
        assert row.source.startswith("https://") and row.date, model_id
        assert w.end_of_turn and w.template, model_id


def test_model_flag_resolves_hugging_face_ids() -> None:
    info = resolve_model("Qwen/Qwen3-8B")
    assert info.max_tokens == 32_768 and info.price_per_1m is None and info.provider == "self-hosted"
    assert info.open_weights is not None and info.open_weights.parameters == 8_190_735_360
    spec = info.tokenizer_spec
    assert spec.backend == CHAT_TEMPLATE_BACKEND and spec.option("tokenizer") == "qwen2"
    assert spec.option("end_of_turn") == "<|im_end|>" and spec.option("missing", "x") == "x"
    assert resolve_model("qwen/qwen3-8b").id == "Qwen/Qwen3-8B"  # the Hub ignores case
    assert resolve_model("Qwen/Qwen3-8B", max_tokens=4096).max_tokens == 4096
    assert resolve_model("Qwen/Qwen3-8B").to_dict()["open_weights"]["context_length"] == 32_768
    assert "open_weights" not in resolve_model(None).to_dict()


def test_encoding_is_refused_for_an_open_model_and_unknown_ids_list_both_tables() -> None:
    with pytest.raises(UsageError, match="--tokenizer PATH"):
        resolve_model("google/gemma-2-9b-it", encoding="o200k_base")
    with pytest.raises(UsageError, match=r"open-weight: .*google/gemma-2-9b-it"):
        resolve_model("someone/unknown-model")
    assert find_open_model("someone/unknown-model") is None


def test_availability_follows_the_origin() -> None:
    table = load_open_models()
    assert table["openai/gpt-oss-20b"].weights.tokenizer.available()
    gemma = table["google/gemma-2-9b-it"].weights.tokenizer
    assert not gemma.available() and "--tokenizer PATH" in gemma.how_to_get()
    # a packaged file is found inside the installed package; a missing package or file is "not available"
    real = TokenizerSource("t", "hf-json", "package", "click", "click", "py.typed", "x")
    assert real.package_file() is not None and real.available()
    assert "installed click" in real.how_to_get()
    gone = TokenizerSource("t", "hf-json", "package", "nope", "no_such_module_here", "f", "llama")
    assert not gone.available() and "dataprep[llama]" in gone.how_to_get()
    missing_file = TokenizerSource("t", "hf-json", "package", "click", "click", "no-such-file", "x")
    assert missing_file.package_file() is None
    assert TokenizerSource("t", "hf-json", "user").package_file() is None
    assert "local folder" in gemma.describe()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[models]\n", "expected"),
        ('[models.a]\ntokenizer="t"\n[tokenizers.t]\nbackend="bad"\nfrom="user"\n', "backend must be"),
        ('[models.a]\ntokenizer="t"\n[tokenizers.t]\nbackend="hf-json"\nfrom="web"\n', "from must be"),
        ('[models.a]\ntokenizer="t"\n[tokenizers.t]\nbackend="hf-json"\nfrom="package"\n', "needs package"),
        ('[models.a]\ntokenizer="u"\n[tokenizers.t]\nbackend="hf-json"\nfrom="user"\n', "unknown tokenizer"),
        ('[models.a]\ntokenizer="t"\n[tokenizers.t]\nbackend="hf-json"\nfrom="user"\n', "template_from"),
        (
            '[models.a]\ntokenizer="t"\ntemplate_from="builtin"\nparameters=0\n'
            '[tokenizers.t]\nbackend="hf-json"\nfrom="user"\n',
            "positive integer",
        ),
        (
            '[models.a]\ntokenizer="t"\ntemplate_from="builtin"\nparameters=1\ncontext_length=2\n'
            '[tokenizers.t]\nbackend="hf-json"\nfrom="user"\n',
            "missing key",
        ),
        ("not toml [", "cannot read"),
    ],
)
def test_a_broken_table_is_a_config_error(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "open.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_open_models(path)
