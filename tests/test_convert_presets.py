"""Every preset, and the recipe preset against the OpenAI cookbook's own construction of the messages."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from dataprep.conversion.mapping import compile_mapping, parse_mapping_text
from dataprep.conversion.pipeline import Converted, Rejected, convert
from dataprep.conversion.presets import PRESETS, list_presets, load_preset, preset_text
from dataprep.errors import MappingError
from tests.conftest import SAMPLE

COOKBOOK_SYSTEM = "You are a helpful recipe assistant. You are to extract the generic ingredients from each of the recipes provided."


def records(source: Any, preset: str) -> list[dict[str, Any]]:
    found = list(convert(source, preset=preset))
    assert all(isinstance(i, Converted) for i in found), [i for i in found if isinstance(i, Rejected)]
    return [i.record for i in found if isinstance(i, Converted)]


def cookbook_messages(csv_path: Path) -> list[dict[str, Any]]:
    """The notebook's steps: pandas read_csv, then an f-string per row (written here from its description)."""
    import pandas as pd

    frame = pd.read_csv(csv_path)
    out = []
    for _, row in frame.iterrows():
        user = f"Title: {row['title']}\n\nIngredients: {row['ingredients']}\n\nGeneric ingredients: "
        out.append(
            {
                "messages": [
                    {"role": "system", "content": COOKBOOK_SYSTEM},
                    {"role": "user", "content": user},
                    {"role": "assistant", "content": row["NER"]},
                ]
            }
        )
    return out


def test_recipe_csv_gives_the_cookbook_messages() -> None:
    path = SAMPLE / "recipes.csv"
    ours = records(str(path), "recipe")
    assert len(ours) == 50
    assert ours == cookbook_messages(path)
    first = ours[0]["messages"]
    assert first[1]["content"].endswith("\n\nGeneric ingredients: ")  # the trailing space is kept
    assert first[2]["content"] == (
        '["cornmeal", "flour", "baking powder", "salt", "buttermilk", "egg", "butter"]'
    )


def test_recipe_json_records_with_real_lists_give_the_same_text() -> None:
    row = {
        "title": "Tea",
        "ingredients": ["1 bag black tea", "1 c. hot water"],
        "NER": ["black tea", "water"],
    }
    csv_like = {k: json.dumps(v) if isinstance(v, list) else v for k, v in row.items()}
    assert records([row], "recipe") == records([csv_like], "recipe")
    assert records([row], "recipe")[0]["messages"][2]["content"] == '["black tea", "water"]'


def test_alpaca_preset() -> None:
    found = records(str(SAMPLE / "alpaca.json"), "alpaca")
    assert found[0]["messages"] == [
        {"role": "user", "content": "Give three tips for keeping fresh herbs longer."},
        {"role": "assistant", "content": found[0]["messages"][1]["content"]},
    ]
    assert found[1]["messages"][0] == {
        "role": "user",
        "content": "Convert the temperature to Celsius.\n350 °F",
    }
    with_history = found[10]["messages"]
    assert [m["role"] for m in with_history] == ["system", "user", "assistant", "user", "assistant"]
    assert with_history[0]["content"] == "You are a careful food-safety assistant. Answer briefly."


def test_sharegpt_preset_with_tools_and_function_calls() -> None:
    found = records(str(SAMPLE / "sharegpt.jsonl"), "sharegpt")
    assert len(found) == 10
    assert found[2]["messages"][0] == {"role": "system", "content": "You are a friendly baking coach."}
    tool_example = found[5]
    assert tool_example["tools"][0]["type"] == "function"
    assert tool_example["tools"][0]["function"]["name"] == "get_oven_temperature"
    call, result = tool_example["messages"][1], tool_example["messages"][2]
    assert call["tool_calls"][0]["function"] == {
        "name": "get_oven_temperature",
        "arguments": '{"oven_id": "2"}',
    }
    assert result == {
        "role": "tool",
        "content": '{"celsius": 215}',
        "tool_call_id": call["tool_calls"][0]["id"],
    }


def test_prompt_completion_preset_keeps_text_exactly() -> None:
    rows = [{"prompt": "Translate: cheese ->", "completion": " fromage\n"}]
    assert records(rows, "prompt-completion") == [
        {
            "messages": [
                {"role": "user", "content": "Translate: cheese ->"},
                {"role": "assistant", "content": " fromage\n"},
            ]
        }
    ]


def test_chat_preset_only_normalises_roles() -> None:
    calls = [{"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}]
    row = {
        "messages": [
            {"role": "human", "content": "hi", "name": "kai"},
            {"role": "assistant", "tool_calls": calls},
            {"role": "tool", "content": "ok", "tool_call_id": "c1"},
            {"role": "gpt", "content": "done", "weight": 0},
        ],
        "tools": [{"type": "function", "function": {"name": "f"}}],
        "parallel_tool_calls": False,
        "note": "dropped",
    }
    out = records([row], "chat")[0]
    assert out["messages"] == [
        {"role": "user", "content": "hi", "name": "kai"},
        {"role": "assistant", "tool_calls": calls},  # no content key is added
        {"role": "tool", "content": "ok", "tool_call_id": "c1"},
        {"role": "assistant", "content": "done", "weight": 0},
    ]
    assert out["tools"] == row["tools"] and out["parallel_tool_calls"] is False and "note" not in out


@pytest.mark.parametrize("name", PRESETS)
def test_show_preset_text_is_the_preset(name: str) -> None:
    text = preset_text(name)
    assert compile_mapping(parse_mapping_text(text, ".toml", "x"), "x") == load_preset(name)


def test_list_presets_and_unknown_preset() -> None:
    listed = dict(list_presets())
    assert list(listed) == list(PRESETS) and all(listed.values())
    with pytest.raises(MappingError, match="unknown preset 'recipes'"):
        load_preset("recipes")
