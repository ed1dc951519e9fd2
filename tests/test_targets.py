"""Target profiles (dataprep/data/targets.toml) and `--target`: each provider's or trainer's own rules fire,
other targets' do not, and unknown facts are never checked. The data is shaped like each provider's own examples.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from dataprep import Config, validate, validate_files
from dataprep.cli import main
from dataprep.errors import ConfigError, UsageError
from dataprep.rules.registry import ALL_RULES
from dataprep.targets import load_targets, resolve_target
from tests.conftest import assistant, chat, user

TARGETS = (
    "openai",
    "azure",
    "together",
    "fireworks",
    "vertex",
    "bedrock-nova",
    "trl",
    "axolotl",
    "llama-factory",
    "autotrain",
)
DP8 = re.compile(r"DP8\d\d")
MISTRAL = "mistralai/Mistral-7B-Instruct-v0.3"
# A model described by the user (its tokenizer approximated): the id is what names the Mistral family, and the
# open-weight table's Mistral rows need their own tokenizer backend to validate.
MY_MISTRAL = {"model": "my-mistral-7b-ft", "tokenizer_encoding": "o200k_base", "max_tokens": 32768}


def _codes(source: Any, **options: Any) -> list[str]:
    return [f.code for f in validate(source, config=Config(), jobs=1, **options).findings]


def _target_codes(source: Any, **options: Any) -> list[str]:
    return [code for code in _codes(source, **options) if DP8.fullmatch(code)]


def _weather_call(call_id: str) -> dict[str, Any]:
    return {
        "messages": [
            user("What's the weather in Oslo?"),
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": call_id,
                        "type": "function",
                        "function": {"name": "get_weather", "arguments": '{"city": "Oslo"}'},
                    }
                ],
            },
            {"role": "tool", "tool_call_id": call_id, "content": '{"temp_c": 4}'},
            assistant("It is 4 °C in Oslo."),
        ],
        "tools": [
            {"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}
        ],
    }


# --- the table -------------------------------------------------------------------------------------------


def test_table_has_every_target_with_sources_and_a_date() -> None:
    table = load_targets()
    assert tuple(table) == TARGETS
    for profile in table.values():
        assert profile.sources and all(profile.sources), profile.name
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", profile.checked), profile.name
        assert profile.kind in {"provider", "trainer"}
        assert profile.checks(), profile.name


def test_table_records_the_sourced_figures() -> None:
    table = load_targets()
    fireworks, nova, vertex = table["fireworks"], table["bedrock-nova"], table["vertex"]
    assert (fireworks.min_examples, fireworks.max_examples) == (3, 3_000_000)
    assert fireworks.roles == ("system", "user", "assistant")
    assert nova.reserved_strings == ("User:", "Bot:", "Assistant:", "System:", "<image>", "<video>", "[EOS]")
    assert (nova.tool_calls, nova.last_role, nova.weights) == (False, "assistant", ())
    assert vertex.max_file_bytes == 1024**3 and vertex.max_tokens["gemini-2.5-flash"] == 131_072
    assert table["together"].weights == (0, 1) and table["together"].max_file_bytes == 100 * 1024**3
    assert table["openai"].price_per_1m["gpt-4o-mini-2024-07-18"] == 3.00
    # Trainers state no limits: their templates decide, so nothing is checked that no source states.
    trl = table["trl"]
    assert (trl.roles, trl.weights, trl.min_examples, trl.max_file_bytes, trl.tool_calls) == (None,) * 5


def test_mistral_family_matches_mistral_models_only() -> None:
    family = load_targets()["trl"].family_of(MISTRAL)
    assert family is not None and family.tool_call_id is not None
    assert re.fullmatch(family.tool_call_id, "a1B2c3D4e") and not re.fullmatch(
        family.tool_call_id, "call_abc"
    )
    assert load_targets()["trl"].family_of("Qwen/Qwen2.5-7B-Instruct") is None


def test_unknown_target_is_a_usage_error_naming_the_known_ones() -> None:
    with pytest.raises(UsageError, match="known targets: openai, azure"):
        resolve_target("sagemaker")
    with pytest.raises(ConfigError, match="unknown target 'sagemaker'"):
        Config().with_overrides("arguments", target="sagemaker")
    assert Config().with_overrides("arguments", target="Bedrock-Nova").target == "bedrock-nova"


# --- which rules run ----------------------------------------------------------------------------------------


def test_target_rules_stay_silent_without_a_target() -> None:
    records = [_weather_call("call_abc"), chat(user("User: hi [EOS]"), user("again"), assistant())]
    assert _target_codes(records, **MY_MISTRAL) == []


def test_openai_count_rules_do_not_fire_for_other_targets() -> None:
    six = [chat(user(f"Question {i}?"), assistant(f"Answer {i}.")) for i in range(6)]
    twenty = [chat(user(f"Question {i}?"), assistant(f"Answer {i}.")) for i in range(20)]
    assert "DP501" in _codes(six) and "DP502" in _codes(twenty)
    assert "DP501" in _codes(six, target="azure") and "DP502" in _codes(twenty, target="openai")
    fireworks = _codes(six, target="fireworks")
    assert "DP501" not in fireworks and "DP811" not in fireworks
    assert "DP502" not in _codes(twenty, target="fireworks")
    assert "DP811" in _codes(six[:2], target="fireworks")
    # OpenAI's own limit is reported once, by DP501, not again by DP811.
    assert "DP811" not in _codes(six, target="openai")


def test_explicit_limits_replace_the_profile() -> None:
    six = [chat(user(f"Q{i}?"), assistant(f"A{i}.")) for i in range(6)]
    assert "DP811" in _codes(six, target="fireworks", min_examples=7)
    assert "DP812" in _codes(six, target="fireworks", max_examples=5)
    assert "DP812" not in _codes(six, target="fireworks", max_examples=6)


def test_trainers_check_no_unstated_limits() -> None:
    records = [
        chat(user("Hi"), user("Hello?"), assistant("Yes.", weight=0)),
        _weather_call("call_abc"),
        {"prompt": "Capital of Peru?", "completion": "Lima."},
    ]
    for trainer in ("trl", "axolotl", "autotrain"):
        assert _target_codes(records[:2], target=trainer) == [], trainer


def test_a_finding_names_the_target_that_requires_it() -> None:
    report = validate(
        [chat(user("Hi"), user("Still there?"), assistant("Yes."))],
        config=Config(),
        jobs=1,
        target="together",
    )
    (finding,) = [f for f in report.findings if f.code == "DP802"]
    assert "--target together" in finding.message and "alternate" in finding.message
    assert finding.location.json_path == "messages[1].role"


# --- provider-shaped data -------------------------------------------------------------------------------------


def test_together_conversational_example_passes_and_mixed_weights_are_accepted() -> None:
    # The shape of Together's data-preparation page: system first, then alternating turns, weight 0/1.
    example = {
        "messages": [
            {"role": "system", "content": "This is a system prompt."},
            {"role": "user", "content": "Hello, how are you?"},
            {"role": "assistant", "content": "I'm doing well, thank you! How can I help you?", "weight": 0},
            {"role": "user", "content": "Can you explain machine learning?"},
            {"role": "assistant", "content": "Machine learning is a type of AI...", "weight": 1},
        ]
    }
    assert _target_codes([example], target="together") == []
    starts_with_assistant = chat(assistant("Hi, I am the bot."), user("Hi."), assistant("How can I help?"))
    assert _target_codes([starts_with_assistant], target="together") == ["DP802"]


def test_together_tool_turns_alternate_as_user_turns() -> None:
    assert _target_codes([_weather_call("call_1")], target="together") == []
    two_results = _weather_call("call_1")
    two_results["messages"].insert(3, {"role": "tool", "tool_call_id": "call_1", "content": "again"})
    assert _target_codes([two_results], target="together") == []  # a run of results counts once


def test_fireworks_example_and_its_limits() -> None:
    doc_example = chat(
        {"role": "system", "content": "You are a helpful assistant."},
        user("What is the capital of France?"),
        assistant("Paris."),
    )
    assert _target_codes([doc_example] * 3, target="fireworks") == []
    late_system = chat(user("Hi"), {"role": "system", "content": "Be brief."}, assistant("Hi."))
    codes = _target_codes([late_system, _weather_call("call_1"), doc_example], target="fireworks")
    assert codes.count("DP802") == 1 and codes.count("DP801") == 1
    completion = [{"prompt": "Q?", "completion": "A."}] * 3
    assert _target_codes(completion, target="fireworks") == ["DP814"]


def test_bedrock_nova_rejects_what_the_service_fails_on() -> None:
    good = chat(
        {"role": "system", "content": "You are a travel agent."},
        user("I want to go to Rome."),
        assistant("When would you like to travel?"),
        user("In May."),
        assistant("Booked for May."),
    )
    assert _target_codes([good], target="bedrock-nova") == []
    transcript = chat(user("Summarise: User: hi Bot: hello"), assistant("A greeting. [EOS]"))
    report = validate([transcript], config=Config(), jobs=1, target="bedrock-nova")
    reserved = [f for f in report.findings if f.code == "DP806"]
    assert [f.location.json_path for f in reserved] == ["messages[0].content", "messages[1].content"]
    assert "'User:', 'Bot:'" in reserved[0].message
    # The call, its result and `tools`: each named as tool use the target cannot take (not as a bad role).
    assert _target_codes([_weather_call("call_1")], target="bedrock-nova") == ["DP804"] * 3
    weighted = chat(user("Hi"), assistant("Old answer", weight=0), user("Hi again"), assistant("New answer"))
    assert _target_codes([weighted], target="bedrock-nova") == ["DP803"]
    ends_with_user = chat(user("Hi"), assistant("Hello"), user("Bye"))
    assert _target_codes([ends_with_user], target="bedrock-nova") == ["DP802"]


def test_bedrock_nova_scans_preference_outputs_for_reserved_strings() -> None:
    pair = {
        "input": {"messages": [user("Greet me.")]},
        "preferred_output": [assistant("Hello!")],
        "non_preferred_output": [assistant("Assistant: hello")],
    }
    report = validate([pair], config=Config(), jobs=1, target="bedrock-nova")
    assert [f.location.json_path for f in report.findings if f.code == "DP806"] == [
        "non_preferred_output[0].content"
    ]


def test_vertex_takes_conversations_only() -> None:
    pair = {
        "input": {"messages": [user()]},
        "preferred_output": [assistant()],
        "non_preferred_output": [assistant("No idea.")],
    }
    assert _target_codes([pair], target="vertex") == ["DP814"]
    assert _target_codes([chat()], target="vertex") == []


def test_llama_factory_alternation_and_last_turn() -> None:
    # LLaMA-Factory's converter skips such rows; dataprep names them before training.
    rows = [
        chat(user("Hi"), assistant("Hello"), assistant("Anything else?")),
        chat(user("Hi"), assistant("Hello")),
        chat(user("Hi"), assistant("Hello"), user("Bye")),
    ]
    report = validate(rows, config=Config(), jobs=1, target="llama-factory")
    assert [(f.code, f.location.line) for f in report.findings if DP8.fullmatch(f.code)] == [
        ("DP802", 1),
        ("DP802", 3),
    ]


def test_mistral_ids_for_any_target_with_a_mistral_model() -> None:
    for target in ("trl", "axolotl", "together"):
        assert _target_codes([_weather_call("call_abc")], target=target, **MY_MISTRAL) == ["DP805", "DP805"]
        assert _target_codes([_weather_call("a1B2c3D4e")], target=target, **MY_MISTRAL) == []
    qwen = {**MY_MISTRAL, "model": "my-qwen-ft"}
    assert _target_codes([_weather_call("call_abc")], target="trl", **qwen) == []


# --- command line -------------------------------------------------------------------------------------------


def test_cli_target_option_and_config_key(
    capsys: pytest.CaptureFixture[str], write_jsonl: Callable[..., Path], tmp_path: Path
) -> None:
    path = write_jsonl([chat(user(f"Q{i}? User: x"), assistant("A.")) for i in range(12)])
    assert main(["validate", str(path), "--target", "bedrock-nova", "--select", "DP8", "-q"]) == 1
    out = capsys.readouterr().out
    assert f"{path}:1:1: DP806 reserved string 'User:'" in out and "--target bedrock-nova" in out
    assert main(["validate", str(path), "--select", "DP8", "-q"]) == 0
    capsys.readouterr()
    config = tmp_path / "dataprep.toml"
    config.write_text('target = "bedrock-nova"\nselect = ["DP8"]\n')
    assert main(["validate", str(path), "--config", str(config), "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert {f["code"] for f in data["findings"]} == {"DP806"}
    assert main(["validate", str(path), "--target", "nowhere"]) == 2
    assert "unknown target 'nowhere'" in capsys.readouterr().err


def test_cli_targets_lists_each_with_its_checks(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["targets"]) == 0
    out = capsys.readouterr().out
    for name in TARGETS:
        assert re.search(rf"^{re.escape(name)} ", out, re.MULTILINE), name
    assert "training examples: 3 to 3,000,000" in out
    assert "reserved strings: User: Bot: Assistant: System: <image> <video> [EOS]" in out
    assert main(["targets", "vertex"]) == 0
    detail = capsys.readouterr().out
    assert "gemini-2.5-flash 131,072" in detail and "price per 1M training tokens: unknown" in detail
    assert "https://cloud.google.com/vertex-ai" in detail
    assert main(["targets", "nowhere"]) == 2


def test_every_target_rule_states_its_targets_or_needs_one() -> None:
    """DP501-DP503 belong to OpenAI and Azure; DP811 and DP813 to every other target."""
    by_code = {rule.code: rule for rule in ALL_RULES}
    for code in ("DP501", "DP502", "DP503"):
        assert by_code[code].targets == ("openai", "azure")
    for code in ("DP811", "DP813"):
        assert set(by_code[code].targets) == set(TARGETS) - {"openai", "azure"}
    assert all(rule.applies_to(None) for rule in ALL_RULES)


def test_library_accepts_target_for_files(write_jsonl: Callable[..., Path]) -> None:
    path = write_jsonl([chat(user("Hi"), assistant("Hi", weight=0), user("x"), assistant("y"))] * 3)
    report = validate_files([path], config=Config(), jobs=1, target="vertex")
    assert [f.code for f in report.findings if DP8.fullmatch(f.code)] == ["DP803"] * 3


def test_config_target_applies_to_converts_validation(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """convert validates what it wrote with the configuration's `target` (there is no convert --target yet)."""
    rows = tmp_path / "support.csv"
    rows.write_text(
        "question,answer\n"
        + "".join(f'"Ticket {i}: User: printer jam","Open the tray and pull gently."\n' for i in range(12)),
        encoding="utf-8",
    )
    (tmp_path / "nova").mkdir()
    config = tmp_path / "nova" / "dataprep.toml"  # not in the working folder: only --config finds it
    config.write_text('target = "bedrock-nova"\n', encoding="utf-8")
    out = tmp_path / "support.jsonl"
    args = ["convert", str(rows), "--user", "{question}", "--assistant", "{answer}", "-o", str(out)]
    assert main([*args, "--config", str(config), "--select", "DP806"]) == 1
    printed = capsys.readouterr().out
    assert printed.count("DP806 reserved string 'User:'") == 12 and "--target bedrock-nova" in printed
    assert main([*args, "--force", "--select", "DP806"]) == 0  # no target: nothing reserved


def test_completion_records_are_searched_for_reserved_strings() -> None:
    rows = [{"prompt": "Continue: User: hi", "completion": " Bot: hello [EOS]"}]
    report = validate(rows, config=Config(), jobs=1, target="bedrock-nova")
    reserved = [(f.code, f.location.json_path) for f in report.findings if f.code in {"DP806", "DP814"}]
    assert reserved == [("DP806", "prompt"), ("DP806", "completion"), ("DP814", "")]


def test_malformed_roles_are_left_to_the_schema() -> None:
    broken = {"messages": [{"role": 5, "content": "Hi"}, {"role": "assistant", "content": "Hello"}]}
    assert "DP802" not in _codes([broken], target="bedrock-nova")


def test_a_target_taking_fewer_weights_names_them() -> None:
    from dataclasses import replace

    from dataprep.rules.base import RecordContext
    from dataprep.rules.targets import check_target_record
    from dataprep.tokens.protocol import RecordTokens
    from dataprep.types import Kind

    only_one = replace(load_targets()["together"], weights=(1,))
    record = chat(user("Hi"), assistant("Hello", weight=0))
    tokens = RecordTokens(total=10, assistant=2, trained=0, billed=(10,))
    problems = check_target_record(record, RecordContext(Kind.CHAT, tokens, 100, "m", only_one))
    assert [(p.code, p.json_path) for p in problems] == [("DP803", "messages[1].weight")]
    assert "takes 1 only" in problems[0].message


def test_unknown_keys_in_the_table_are_an_error() -> None:
    from dataprep.targets import _profile

    row = {"title": "X", "kind": "provider", "sources": ["s"], "checked": "2026-01-01", "min_exampels": 3}
    with pytest.raises(ConfigError, match="unknown keys min_exampels"):
        _profile("x", row, ())


def test_a_real_mistral_model_gets_the_id_rule_beside_its_templates_refusal() -> None:
    """With the open-weight Mistral row (mistral-common renders it), DP805 names the id rule whatever the
    template does; the template's own refusal is DP701."""
    pytest.importorskip("mistral_common")
    report = validate([_weather_call("call_abc")], config=Config(), jobs=1, model=MISTRAL, target="trl")
    codes = [f.code for f in report.findings]
    assert codes.count("DP805") == 2 and "DP701" in codes


def test_a_profiles_token_limit_and_price_replace_the_model_tables_unless_given() -> None:
    from dataclasses import replace

    from dataprep.models import resolve_model
    from dataprep.targets import with_target_limits

    model = resolve_model("gpt-4o-mini-2024-07-18")
    profile = replace(
        load_targets()["azure"],
        max_tokens={"gpt-4o-mini-2024-07-18": 1000},
        price_per_1m={"gpt-4o-mini-2024-07-18": 4.5},
    )
    seen = with_target_limits(model, profile, max_tokens_given=False, price_given=False)
    assert (seen.max_tokens, seen.limit_confidence) == (1000, "azure profile")
    assert (seen.price_per_1m, seen.price_confidence) == (4.5, "azure profile")
    kept = with_target_limits(model, profile, max_tokens_given=True, price_given=True)
    assert (kept.max_tokens, kept.price_per_1m) == (model.max_tokens, model.price_per_1m)
    assert with_target_limits(model, None, max_tokens_given=False, price_given=False) is model
    other = replace(profile, max_tokens={"gpt-4.1-2025-04-14": 10}, price_per_1m={})
    assert with_target_limits(model, other, max_tokens_given=False, price_given=False) is model


def test_validate_uses_the_targets_limit_for_the_model(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from dataclasses import replace

    import dataprep.targets as targets

    azure = load_targets()["azure"]
    small = replace(azure, max_tokens={**azure.max_tokens, "gpt-4o-mini-2024-07-18": 20})
    monkeypatch.setattr(
        targets, "resolve_target", lambda name: small if name == "azure" else resolve_target(name)
    )
    path = tmp_path / "data.jsonl"
    path.write_text(json.dumps(chat(user("word " * 40), assistant("ok"))) + "\n", encoding="utf-8")
    report = validate(path, target="azure", select=["DP301"])
    assert [f.code for f in report.findings] == ["DP301"]
    assert "20-token training limit" in report.findings[0].message
    assert report.to_dict()["model"]["limit_confidence"] == "azure profile"
