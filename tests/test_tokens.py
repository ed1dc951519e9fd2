"""Token counting: exact on string-only data (reference formula), documented estimates elsewhere, never raises."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dataprep.errors import EncodingError, UsageError
from dataprep.tokens import (
    IMAGE_PART_TOKENS,
    PreferenceCounts,
    TokenCounts,
    count_chat_record,
    count_completion_record,
    count_messages,
    count_preference_record,
    get_encoding,
)
from dataprep.tokens.api import count_tokens
from dataprep.tokens.functions import CALL_OVERHEAD, FUNC_END, definitions_tokens
from dataprep.tokens.openai import safe_counter
from tests.conftest import WORKED_EXAMPLE

EXPECTED = {
    "cl100k_base": ([58, 54], [16, 20]),
    "o200k_base": ([58, 52], [16, 19]),
}


def reference_formula(messages: list[dict[str, str]], encoding_name: str) -> tuple[int, int]:
    """The cookbook formula as published, written out plainly (string values only)."""
    enc = get_encoding(encoding_name)
    total = 0
    assistant = 0
    for message in messages:
        total += 3
        for key, value in message.items():
            total += len(enc.encode(value, disallowed_special=()))
            if key == "name":
                total += 1
        if message["role"] == "assistant":
            assistant += len(enc.encode(message["content"], disallowed_special=()))
    return total + 3, assistant


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_worked_example_matches_reference(name: str) -> None:
    enc = get_encoding(name)
    counts = [count_chat_record(record, enc) for record in WORKED_EXAMPLE]
    totals, assistant = EXPECTED[name]
    assert [c.total for c in counts] == totals
    assert [c.assistant for c in counts] == assistant
    assert [c.trained for c in counts] == assistant


texts = st.text(max_size=40)
string_messages = st.lists(
    st.fixed_dictionaries(
        {"role": st.sampled_from(["system", "user", "assistant"]) | st.text(max_size=12), "content": texts},
        optional={"name": st.text(min_size=1, max_size=8)},
    ),
    min_size=1,
    max_size=5,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(messages=string_messages, name=st.sampled_from(sorted(EXPECTED)))
def test_string_only_data_equals_reference_formula(messages: list[dict[str, str]], name: str) -> None:
    counts = count_messages(messages, get_encoding(name))
    assert (counts.total, counts.assistant) == reference_formula(messages, name)


def test_weight_adds_nothing_and_zero_weight_is_not_trained() -> None:
    enc = get_encoding("o200k_base")
    plain = [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello there"}]
    weighted = [plain[0], {**plain[1], "weight": 0}]
    base, zero = count_messages(plain, enc), count_messages(weighted, enc)
    assert zero.total == base.total
    assert zero.assistant == base.assistant > 0
    assert zero.trained == 0
    assert count_messages([plain[0], {**plain[1], "weight": 1}], enc).trained == base.assistant


def test_tool_calls_count_name_and_arguments_and_are_trained() -> None:
    enc = get_encoding("o200k_base")
    calls = [{"id": "c1", "type": "function", "function": {"name": "f", "arguments": '{"city": "Zürich"}'}}]
    message = {"role": "assistant", "content": None, "tool_calls": calls}
    call = CALL_OVERHEAD + len(enc.encode("f")) + len(enc.encode('{"city": "Zürich"}'))
    expected = 3 + len(enc.encode("assistant")) + call + 3
    assert count_messages([message], enc) == TokenCounts(expected, call, call)
    assert count_messages([{**message, "weight": 0}], enc) == TokenCounts(expected, call, 0)
    legacy = {"role": "assistant", "function_call": calls[0]["function"]}
    assert count_messages([legacy], enc) == TokenCounts(expected, call, call)


# The functions section of OpenAI's cookbook "How to count tokens with tiktoken": its example request (these
# two messages and this tool) is counted by the OpenAI API as 105 prompt tokens on gpt-3.5-turbo/gpt-4
# (cl100k_base) and 101 on gpt-4o/gpt-4o-mini (o200k_base), as published with the recipe.
COOKBOOK_TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "get_current_weather",
            "description": "Get the current weather in a given location",
            "parameters": {
                "type": "object",
                "properties": {
                    "location": {
                        "type": "string",
                        "description": "The city and state, e.g. San Francisco, CA",
                    },
                    "unit": {
                        "type": "string",
                        "description": "The unit of temperature to return",
                        "enum": ["celsius", "fahrenheit"],
                    },
                },
                "required": ["location"],
            },
        },
    }
]
COOKBOOK_MESSAGES = [
    {
        "role": "system",
        "content": "You are a helpful assistant that can answer to questions about the weather.",
    },
    {"role": "user", "content": "What's the weather like in San Francisco?"},
]


@pytest.mark.parametrize(("encoding", "expected"), [("cl100k_base", 105), ("o200k_base", 101)])
def test_tool_definitions_follow_the_cookbook_recipe(encoding: str, expected: int) -> None:
    enc = get_encoding(encoding)
    record = {"messages": COOKBOOK_MESSAGES, "tools": COOKBOOK_TOOLS}
    assert count_chat_record(record, enc).total == expected
    legacy = {"messages": COOKBOOK_MESSAGES, "functions": [COOKBOOK_TOOLS[0]["function"]]}
    assert count_chat_record(legacy, enc).total == expected


def test_malformed_definitions_are_counted_without_raising() -> None:
    enc = get_encoding("cl100k_base")
    count = safe_counter(enc)
    odd = [
        None,
        "lookup",
        {"function": 3},
        {"name": 5, "parameters": {"properties": {"x": 1, "y": {"enum": [1]}}}},
    ]
    assert definitions_tokens(odd, count, "cl100k_base") > FUNC_END
    assert definitions_tokens([], count, "cl100k_base") == 0
    assert definitions_tokens({"not": "a list"}, count, "cl100k_base") > 0


def test_list_content_counts_text_parts_and_a_fixed_figure_per_image() -> None:
    enc = get_encoding("o200k_base")
    huge_data_url = "data:image/png;base64," + "A" * 200_000
    parts = [
        {"type": "text", "text": "What is in this picture?"},
        {"type": "image_url", "image_url": {"url": huge_data_url, "detail": "low"}},
    ]
    with_parts = count_messages([{"role": "user", "content": parts}], enc)
    as_text = count_messages([{"role": "user", "content": "What is in this picture?"}], enc)
    assert with_parts.total == as_text.total + IMAGE_PART_TOKENS


def test_assistant_list_content_counts_as_assistant_tokens() -> None:
    enc = get_encoding("o200k_base")
    parts = [{"type": "text", "text": "Sure."}, {"type": "text", "text": " Here it is."}]
    counts = count_messages([{"role": "assistant", "content": parts}], enc)
    assert counts.assistant == len(enc.encode("Sure.")) + len(enc.encode(" Here it is."))


def test_special_token_text_is_ordinary_text() -> None:
    enc = get_encoding("cl100k_base")
    counts = count_messages([{"role": "user", "content": "<|endoftext|> and <|fim_prefix|>"}], enc)
    assert counts.total > 3 + 3 + 1 + 2  # counted as several ordinary tokens, not as one special token


def test_lone_surrogate_does_not_raise() -> None:
    enc = get_encoding("o200k_base")
    assert count_messages([{"role": "user", "content": "bad \ud800 text"}], enc).total > 6


def test_preference_record_counts_both_sides() -> None:
    enc = get_encoding("o200k_base")
    history = [{"role": "user", "content": "Say hi."}]
    good = {"role": "assistant", "content": "Hi, nice to meet you!"}
    bad = {"role": "assistant", "content": "No."}
    record = {"input": {"messages": history}, "preferred_output": [good], "non_preferred_output": [bad]}
    counts = count_preference_record(record, enc)
    assert counts == PreferenceCounts(
        total=count_messages([*history, good], enc).total,
        assistant=len(enc.encode(good["content"])),
        non_preferred_total=count_messages([*history, bad], enc).total,
        non_preferred_assistant=len(enc.encode("No.")),
    )
    assert counts.sequences == (counts.total, counts.non_preferred_total)
    assert counts.longest == counts.total > counts.non_preferred_total
    old_names = {
        "input": {"messages": history},
        "preferred_completion": [good],
        "non_preferred_completion": [bad],
    }
    assert count_preference_record(old_names, enc) == counts


def test_completion_record() -> None:
    enc = get_encoding("cl100k_base")
    counts = count_completion_record({"prompt": "Translate: cat ->", "completion": " chat"}, enc)
    n_prompt, n_completion = len(enc.encode("Translate: cat ->")), len(enc.encode(" chat"))
    assert counts == TokenCounts(n_prompt + n_completion, n_completion, n_completion)


def test_count_tokens_convenience() -> None:
    messages = WORKED_EXAMPLE[1]["messages"]
    assert count_tokens(messages) == 52  # default model gpt-4o-mini uses o200k_base
    assert count_tokens(messages, model="gpt-3.5-turbo-0125") == 54
    assert count_tokens({"messages": messages}, model="ft:gpt-3.5-turbo-0125:acme::x1") == 54
    assert count_tokens("hello world") == 2
    with pytest.raises(UsageError, match="unknown model"):
        count_tokens(messages, model="no-such-model")


def test_get_encoding_is_cached_and_checks_names() -> None:
    assert get_encoding("o200k_base") is get_encoding("o200k_base")
    with pytest.raises(EncodingError, match="not available offline"):
        get_encoding("p50k_base")
    with pytest.raises(EncodingError, match="invalid encoding name"):
        get_encoding("../o200k_base")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)
message_like = st.dictionaries(
    st.sampled_from(["role", "content", "name", "weight", "tool_calls", "function_call", "refusal", "x"]),
    json_values,
    max_size=5,
)
record_like = (
    st.dictionaries(
        st.sampled_from(
            ["messages", "tools", "functions", "input", "preferred_output", "non_preferred_output"]
        ),
        st.lists(message_like | json_values, max_size=4) | json_values | message_like,
        max_size=4,
    )
    | json_values
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(record=record_like)
def test_counting_never_raises_on_any_json_value(record: object) -> None:
    enc = get_encoding("o200k_base")
    chat = count_chat_record(record, enc)
    assert chat.total >= 3 and 0 <= chat.trained <= chat.assistant
    pref = count_preference_record(record, enc)
    assert pref.total >= 3 and pref.non_preferred_total >= 3
    done = count_completion_record(record, enc)
    assert 0 <= done.assistant <= done.total
    messages = record.get("messages") if isinstance(record, dict) else record
    assert count_messages(messages, enc).total >= 3


def test_deeply_nested_value_does_not_raise() -> None:
    enc = get_encoding("o200k_base")
    deep: Any = "x"
    for _ in range(5000):
        deep = [deep]
    assert count_messages([{"role": "assistant", "content": None, "tool_calls": deep}], enc).total >= 3
