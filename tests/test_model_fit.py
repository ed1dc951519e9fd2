"""DP520: a file's record kind must be one its model is fine-tuned on (the model table's `trains`)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from dataprep import Config, validate
from dataprep.cli import main
from dataprep.errors import ConfigError
from dataprep.models import load_models, resolve_model
from dataprep.rules.model_fit import fit_message
from tests.conftest import assistant, chat, user


def _chats(n: int = 12) -> list[dict[str, Any]]:
    return [chat(user(f"What is {i} + {i}?"), assistant(f"{2 * i}.")) for i in range(n)]


def _completions(n: int = 12) -> list[dict[str, Any]]:
    # The legacy fine-tuning shape: a separator ending the prompt, a completion starting with a space.
    return [{"prompt": f"{i} + {i} =\n\n###\n\n", "completion": f" {2 * i}\n"} for i in range(n)]


def _pairs(n: int = 12) -> list[dict[str, Any]]:
    return [
        {
            "input": {"messages": [user(f"Say {i} politely.")]},
            "preferred_output": [assistant(f"The number is {i}, if you please.")],
            "non_preferred_output": [assistant(f"{i}. Obviously.")],
        }
        for i in range(n)
    ]


def _dp520(path: Path, model: str) -> list[str]:
    report = validate(path, model=model, config=Config(), jobs=1)
    return [f.message for f in report.findings if f.code == "DP520"]


def test_table_records_what_each_openai_model_trains() -> None:
    table = load_models()
    assert table["babbage-002"].trains == ("completion",)
    assert table["davinci-002"].trains == ("completion",)
    assert table["gpt-3.5-turbo-0125"].trains == ("chat",)
    for model in ("gpt-4o-mini-2024-07-18", "gpt-4o-2024-08-06", "gpt-4.1-nano-2025-04-14"):
        assert table[model].trains == ("chat", "preference"), model
    assert table["o4-mini-2025-04-16"].trains == ("reinforcement",)
    assert all(info.trains_source for info in table.values())


def test_chat_file_for_a_completion_model_names_the_chat_models(write_jsonl: Callable[..., Path]) -> None:
    messages = _dp520(write_jsonl(_chats()), "babbage-002")
    assert len(messages) == 1  # one finding per file, not per line
    message = messages[0]
    assert message.startswith("chat records (messages, supervised fine-tuning) do not fit babbage-002")
    assert "prompt/completion records only" in message
    assert "gpt-3.5-turbo-0125" in message and "gpt-4o-mini-2024-07-18" in message
    assert "davinci-002" not in message and "o4-mini" not in message


def test_preference_file_for_a_model_without_dpo(write_jsonl: Callable[..., Path]) -> None:
    (message,) = _dp520(write_jsonl(_pairs()), "gpt-3.5-turbo-0125")
    assert "preference records (DPO pairs) do not fit gpt-3.5-turbo-0125" in message
    assert "gpt-4.1-mini-2025-04-14" in message and "gpt-3.5-turbo-1106" not in message


def test_completion_file_for_a_chat_model(write_jsonl: Callable[..., Path]) -> None:
    # One DP013 (not chat JSONL, with the convert command) carries DP520's words for this case.
    path = write_jsonl(_completions())
    report = validate(path, model="gpt-4o-mini-2024-07-18", config=Config(), jobs=1)
    assert [f.code for f in report.findings] == ["DP013"]
    message = report.findings[0].message
    assert "--preset prompt-completion" in message
    assert "models that do: babbage-002, davinci-002; so does every open-weight model" in message


def test_rft_only_model_takes_no_chat_file(write_jsonl: Callable[..., Path]) -> None:
    (message,) = _dp520(write_jsonl(_chats()), "o4-mini")
    assert "fine-tuned on reinforcement fine-tuning records only" in message


@pytest.mark.parametrize(
    ("records", "model"),
    [
        (_chats(), "gpt-3.5-turbo-0613"),
        (_pairs(), "gpt-4o-2024-08-06"),
        (_completions(), "davinci-002"),
    ],
)
def test_fitting_pairs_are_quiet(
    write_jsonl: Callable[..., Path], records: list[dict[str, Any]], model: str
) -> None:
    assert _dp520(write_jsonl(records), model) == []


def test_custom_model_takes_every_kind_unless_configured(write_jsonl: Callable[..., Path]) -> None:
    path = write_jsonl(_completions())
    report = validate(
        path, config=Config(), jobs=1, model="my-llama", encoding="cl100k_base", max_tokens=8192
    )
    assert not [f for f in report.findings if f.code == "DP520"]
    narrowed = Config(
        models={"my-llama": {"encoding": "cl100k_base", "max_tokens": 8192, "trains": ["chat"]}}
    )
    report = validate(path, config=narrowed, jobs=1, model="my-llama")
    (finding,) = [f for f in report.findings if f.code == "DP013"]  # DP520's words, with the convert command
    assert "do not fit my-llama, which is fine-tuned on chat records" in finding.message


def test_configured_trains_amends_a_table_model() -> None:
    info = resolve_model("babbage-002", extra_models={"babbage-002": {"trains": ["completion", "chat"]}})
    assert info.fits("chat") and info.trains_source == "configuration"


def test_bad_trains_value_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="trains must be a non-empty list"):
        resolve_model("babbage-002", extra_models={"babbage-002": {"trains": ["pretraining"]}})


def test_file_without_valid_examples_gets_no_fit_finding(write_jsonl: Callable[..., Path]) -> None:
    # Nothing to train: the kind defaulted to chat, and saying "chat does not fit babbage-002" would be noise.
    path = write_jsonl(["not json", "{broken"])
    assert _dp520(path, "babbage-002") == []


def test_message_counts_models_past_the_listed_ones() -> None:
    table = load_models()
    many = {f"m{i:02d}": table["gpt-3.5-turbo-0125"] for i in range(11)}
    message = fit_message(table["babbage-002"], "chat", many)
    assert "and 3 more (`dataprep models`)" in message
    assert "no model in the table takes them" in fit_message(table["babbage-002"], "preference", {})


def test_cli_exits_one_and_models_lists_trains(
    capsys: pytest.CaptureFixture[str], write_jsonl: Callable[..., Path]
) -> None:
    path = write_jsonl(_chats(60))
    assert main(["validate", str(path), "--model", "davinci-002", "--select", "DP520"]) == 1
    out = capsys.readouterr().out
    assert f"{path}:1:1: DP520 chat records" in out
    assert main(["models"]) == 0
    listing = capsys.readouterr().out
    assert "trains completion" in listing and "trains chat, preference" in listing


def test_open_weight_models_train_every_kind() -> None:
    # TRL: SFTTrainer takes messages and prompt/completion data, DPOTrainer preference pairs.
    for model_id in ("meta-llama/Llama-3.1-8B-Instruct", "Qwen/Qwen3-8B", "openai/gpt-oss-20b"):
        info = resolve_model(model_id)
        assert info.trains == ("chat", "preference", "completion") and "TRL" in info.trains_source
