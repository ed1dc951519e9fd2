"""Golden cases for the schema checks DP101-DP104 and the schema files themselves."""

from __future__ import annotations

import copy
import importlib.resources
import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from dataprep.rules.schema import RULES
from dataprep.rules.schema import schema_problems as check_record
from dataprep.schema.checks import detect_kind, load_schema, schema_path
from dataprep.schema.fast import fast_is_valid
from dataprep.types import Kind, Problem, Severity

REPO_SCHEMAS = Path(__file__).resolve().parent.parent / "schemas"


def chat(*messages: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"messages": list(messages), **extra}


def problems(record: Any, kind: Kind = Kind.CHAT) -> list[tuple[str, str, str]]:
    return [(p.code, p.message, p.json_path) for p in check_record(record, kind)]


USER = {"role": "user", "content": "Is 37.5 °C a fever?"}
ASSISTANT = {"role": "assistant", "content": "Usually not."}
CALL = {"id": "call_1", "type": "function", "function": {"name": "weather", "arguments": '{"city": "Rome"}'}}


# ---------------------------------------------------------------------------------------------- schema files


@pytest.mark.parametrize("kind", list(Kind))
def test_schema_files_are_valid_draft_2020_12(kind: Kind) -> None:
    document = json.loads((REPO_SCHEMAS / f"{kind.value}.schema.json").read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(document)
    assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert document["$id"] and document["title"] and document["description"]
    for name, prop in document["properties"].items():
        assert "description" in prop or "$ref" in prop, name


def test_preference_schema_shares_the_chat_definitions() -> None:
    chat_defs = load_schema(Kind.CHAT)["$defs"]
    preference_defs = load_schema(Kind.PREFERENCE)["$defs"]
    for name, definition in preference_defs.items():
        assert chat_defs[name] == definition, name


def test_schema_path_falls_back_to_the_source_checkout() -> None:
    for kind in Kind:
        assert schema_path(kind) == REPO_SCHEMAS / f"{kind.value}.schema.json"
        assert load_schema(kind.value)["$id"].endswith(kind.value)


def test_schema_path_prefers_the_packaged_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "schemas").mkdir()
    packaged = tmp_path / "schemas" / "completion.schema.json"
    packaged.write_text('{"title": "packaged"}', encoding="utf-8")
    monkeypatch.setattr(importlib.resources, "files", lambda package: tmp_path)
    assert schema_path(Kind.COMPLETION) == packaged
    assert load_schema(Kind.COMPLETION) == {"title": "packaged"}
    assert schema_path(Kind.CHAT) == REPO_SCHEMAS / "chat.schema.json"  # not packaged: source checkout


def test_load_schema_returns_a_fresh_copy() -> None:
    load_schema(Kind.CHAT)["title"] = "changed"
    assert load_schema(Kind.CHAT)["title"] != "changed"


# ---------------------------------------------------------------------------------------------- detect_kind


@pytest.mark.parametrize(
    ("record", "kind"),
    [
        ({"messages": []}, Kind.CHAT),
        ({"input": {}, "preferred_output": []}, Kind.PREFERENCE),
        ({"input": {}, "preferred_completion": []}, Kind.PREFERENCE),
        ({"prompt": "a", "completion": "b"}, Kind.COMPLETION),
        ({"prompt": "a"}, None),
        ({"input": {}}, None),
        ({"instruction": "a", "output": "b"}, None),
        ([{"messages": []}], None),
        ("messages", None),
        (None, None),
    ],
)
def test_detect_kind(record: Any, kind: Kind | None) -> None:
    assert detect_kind(record) is kind


# ---------------------------------------------------------------------------------------------- valid records


VALID: list[tuple[Kind, Any]] = [
    (Kind.CHAT, chat(USER, ASSISTANT)),
    (Kind.CHAT, chat({"role": "system", "content": "Be brief.", "name": "rules"}, USER, ASSISTANT)),
    (Kind.CHAT, chat({"role": "developer", "content": [{"type": "text", "text": "Be brief."}]}, USER)),
    (
        Kind.CHAT,
        chat(
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "What is this?"},
                    {"type": "image_url", "image_url": {"url": "https://example.com/a.png", "detail": "low"}},
                ],
            },
            {"role": "assistant", "content": [{"type": "text", "text": "A cat."}], "weight": 0},
            {"role": "user", "content": "Sure?"},
            {"role": "assistant", "content": "Yes.", "weight": 1.0},
        ),
    ),
    (
        Kind.CHAT,
        chat(
            USER,
            {"role": "assistant", "content": None, "tool_calls": [CALL]},
            {"role": "tool", "tool_call_id": "call_1", "content": "22 C"},
            {"role": "assistant", "content": "", "refusal": None},
            tools=[{"type": "function", "function": {"name": "weather", "parameters": {}, "strict": True}}],
            parallel_tool_calls=False,
        ),
    ),
    (
        Kind.PREFERENCE,
        {
            "input": {"messages": [USER]},
            "preferred_output": [ASSISTANT],
            "non_preferred_output": [{"role": "assistant", "content": "Yes, call a doctor."}],
        },
    ),
    (Kind.COMPLETION, {"prompt": "2 + 2 =", "completion": " 4"}),
]


@pytest.mark.parametrize(("kind", "record"), VALID)
def test_valid_records_have_no_problems(kind: Kind, record: Any) -> None:
    assert fast_is_valid(record, kind)
    assert check_record(record, kind) == []


def test_images_in_assistant_messages_are_left_to_the_structure_rules() -> None:
    # The shape is valid; DP214 (a structure rule) says that trainers reject images from the assistant.
    image = {"type": "image_url", "image_url": {"url": "https://example.com/a.png"}}
    assert check_record(chat(USER, {"role": "assistant", "content": [image]}), Kind.CHAT) == []


def test_kind_may_be_given_as_a_string() -> None:
    assert check_record({"prompt": "a", "completion": 1}, "completion")[0].code == "DP101"


# ---------------------------------------------------------------------------------------------- DP101


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        (
            chat(USER, ASSISTANT, {"role": "bot", "content": "x"}),
            (
                'messages[2].role must be one of system, user, assistant, tool, function; got "bot"',
                "messages[2].role",
            ),
        ),
        (
            chat({"role": "assistant", "content": 5}),
            (
                "messages[0].content must be a string, a list of content parts or null; got a number",
                "messages[0].content",
            ),
        ),
        (
            chat({"role": "system", "content": None}),
            ("messages[0].content must be a string or a list of text parts; got null", "messages[0].content"),
        ),
        (
            chat({**ASSISTANT, "weight": 2}),
            ("messages[0].weight must be 0 or 1; got 2", "messages[0].weight"),
        ),
        (
            chat({**ASSISTANT, "weight": True}),
            ("messages[0].weight must be 0 or 1; got true", "messages[0].weight"),
        ),
        (
            chat({"role": "tool", "content": "22 C"}),
            ('messages[0] (tool message) is missing required key "tool_call_id"', "messages[0]"),
        ),
        (
            chat({"role": "tool"}),
            (
                'messages[0] (tool message) is missing required keys "content" and "tool_call_id"',
                "messages[0]",
            ),
        ),
        (chat({"content": "x"}), ('messages[0] is missing required key "role"', "messages[0]")),
        (chat(), ("messages must not be empty", "messages")),
        ({"messages": "hello"}, ("messages must be a list of messages; got a string", "messages")),
        ({}, ('record is missing required key "messages"', "")),
        ([USER], ("record must be an object; got a list", "")),
        ("text", ("record must be an object; got a string", "")),
        (chat(7), ("messages[0] must be an object; got a number", "messages[0]")),
        (
            chat(
                USER,
                {"role": "assistant", "tool_calls": [{**CALL, "function": {"name": "f", "arguments": {}}}]},
            ),
            (
                "messages[1].tool_calls[0].function.arguments must be a string; got an object",
                "messages[1].tool_calls[0].function.arguments",
            ),
        ),
        (
            chat(USER, {"role": "assistant", "tool_calls": [{**CALL, "type": "tool"}]}),
            (
                'messages[1].tool_calls[0].type must be "function"; got "tool"',
                "messages[1].tool_calls[0].type",
            ),
        ),
        (
            chat(
                {
                    "role": "user",
                    "content": [{"type": "image_url", "image_url": {"url": "u", "detail": "max"}}],
                }
            ),
            (
                'messages[0].content[0].image_url.detail must be one of low, high, auto; got "max"',
                "messages[0].content[0].image_url.detail",
            ),
        ),
        (
            chat({"role": "user", "content": [{"type": "video", "url": "u"}]}),
            (
                'messages[0].content[0].type must be text or image_url; got "video"',
                "messages[0].content[0].type",
            ),
        ),
        (
            chat({"role": "system", "content": [{"type": "image_url", "image_url": {"url": "u"}}]}),
            ('messages[0].content[0].type must be "text"; got "image_url"', "messages[0].content[0].type"),
        ),
        (
            chat(USER, parallel_tool_calls="yes"),
            ("parallel_tool_calls must be true or false; got a string", "parallel_tool_calls"),
        ),
        (
            chat(USER, functions=[{"name": "f"}] * 129),
            ("functions must hold at most 128 items; got 129", "functions"),
        ),
        (
            chat(USER, tools=[{"type": "function", "function": {"description": "no name"}}]),
            ('tools[0].function is missing required key "name"', "tools[0].function"),
        ),
    ],
)
def test_dp101_schema_violation(record: Any, expected: tuple[str, str]) -> None:
    assert [found for found in problems(record) if found[0] != "DP103"] == [("DP101", *expected)]


def test_dp101_reports_each_problem_once_in_document_order() -> None:
    record = chat(
        {"role": "user", "content": 1},
        {"role": "assistant", "content": "x", "weight": "1"},
        {"role": "tool", "content": "x"},
    )
    assert [(code, path) for code, _, path in problems(record)] == [
        ("DP101", "messages[0].content"),
        ("DP101", "messages[1].weight"),
        ("DP101", "messages[2]"),
    ]


def test_dp101_preference_outputs() -> None:
    record = {
        "input": {"messages": [USER]},
        "preferred_output": [ASSISTANT, ASSISTANT],
        "non_preferred_output": [{"role": "user", "content": "x"}],
    }
    assert problems(record, Kind.PREFERENCE) == [
        ("DP101", "preferred_output must hold at most 1 item; got 2", "preferred_output"),
        (
            "DP101",
            'non_preferred_output[0].role must be "assistant"; got "user"',
            "non_preferred_output[0].role",
        ),
    ]


def test_dp101_completion() -> None:
    assert problems({"prompt": "a", "completion": None}, Kind.COMPLETION) == [
        ("DP101", "completion must be a string; got null", "completion")
    ]


@pytest.mark.parametrize(
    "record",
    [
        [],
        0,
        1.5,
        None,
        True,
        "",
        [[[[]]]],
        {"messages": [[{"role": {}}]]},
        {"messages": [{"role": ["user"]}]},
    ],
)
@pytest.mark.parametrize("kind", list(Kind))
def test_any_json_value_gives_findings_not_exceptions(record: Any, kind: Kind) -> None:
    found = check_record(record, kind)
    assert found and all(isinstance(p, Problem) and p.code in ("DP101", "DP102") for p in found)


# ---------------------------------------------------------------------------------------------- DP102


def test_dp102_unknown_keys_are_warnings_with_their_own_path() -> None:
    record = chat({**USER, "id": 7}, ASSISTANT, source="crm")
    assert problems(record) == [
        ("DP102", 'unknown key "id" in messages[0]', "messages[0].id"),
        ("DP102", 'unknown key "source" in the record', "source"),
    ]


def test_dp102_lists_twenty_unknown_keys_then_counts_the_rest() -> None:
    # Issue 15: 100,000 stray keys were 100,000 findings (quadratic in practice); now 21, in linear time.
    record = chat(USER, ASSISTANT, **{f"k{i}": i for i in range(100_000)})
    found = problems(record)
    assert len(found) == 21
    assert found[0] == ("DP102", 'unknown key "k0" in the record', "k0")
    assert found[19][2] == "k19"
    assert found[20] == (
        "DP102",
        '99,980 more unknown keys in the record ("k20", "k21", "k22", "k23", "k24", ...)',
        "k20",
    )


def test_dp102_message_key_on_the_wrong_role() -> None:
    assert problems(chat({**USER, "weight": 0}, ASSISTANT)) == [
        ("DP102", 'key "weight" is not allowed in messages[0] (a user message)', "messages[0].weight")
    ]


def test_dp102_key_that_is_not_an_identifier() -> None:
    assert problems(chat({**USER, "my key": 1})) == [
        ("DP102", 'unknown key "my key" in messages[0]', 'messages[0]["my key"]')
    ]


def test_dp102_passing() -> None:
    assert problems(chat({**USER, "name": "kai"}, {**ASSISTANT, "weight": 0})) == []


# ---------------------------------------------------------------------------------------------- DP103


def test_dp103_deprecated_function_calling() -> None:
    record = chat(
        USER,
        {"role": "assistant", "content": None, "function_call": {"name": "weather", "arguments": "{}"}},
        {"role": "function", "name": "weather", "content": "22 C"},
        functions=[{"name": "weather"}],
    )
    assert problems(record) == [
        ("DP103", '"functions" is deprecated; use "tools"', "functions"),
        ("DP103", '"function_call" is deprecated; use "tool_calls"', "messages[1].function_call"),
    ]


def test_dp103_also_on_records_with_other_problems() -> None:
    record = chat({"role": "assistant", "content": 1, "function_call": {"name": "f", "arguments": "{}"}})
    assert [code for code, _, _ in problems(record)] == ["DP101", "DP103"]


def test_dp103_passing() -> None:
    record = chat(
        USER,
        {"role": "assistant", "tool_calls": [CALL]},
        {"role": "tool", "tool_call_id": "call_1", "content": "22 C"},
        tools=[{"type": "function", "function": {"name": "weather"}}],
    )
    assert problems(record) == []


# ---------------------------------------------------------------------------------------------- DP104


def preference(**outputs: Any) -> dict[str, Any]:
    return {"input": {"messages": [USER]}, **outputs}


def test_dp104_old_output_names_are_read_as_the_canonical_ones() -> None:
    record = preference(preferred_completion=[ASSISTANT], non_preferred_completion=[ASSISTANT])
    original = copy.deepcopy(record)
    assert problems(record, Kind.PREFERENCE) == [
        (
            "DP104",
            '"preferred_completion" is an old field name; use "preferred_output"',
            "preferred_completion",
        ),
        (
            "DP104",
            '"non_preferred_completion" is an old field name; use "non_preferred_output"',
            "non_preferred_completion",
        ),
    ]
    assert record == original  # the caller's record is never changed


def test_dp104_problems_inside_old_names_point_at_the_old_names() -> None:
    record = preference(
        preferred_completion=[
            {"role": "assistant", "content": "a", "function_call": {"name": "f", "arguments": ""}}
        ],
        non_preferred_output=[{"role": "assistant", "content": 3}],
    )
    assert problems(record, Kind.PREFERENCE) == [
        (
            "DP104",
            '"preferred_completion" is an old field name; use "preferred_output"',
            "preferred_completion",
        ),
        (
            "DP101",
            "non_preferred_output[0].content must be a string, a list of content parts or null; got a number",
            "non_preferred_output[0].content",
        ),
        ("DP103", '"function_call" is deprecated; use "tool_calls"', "preferred_completion[0].function_call"),
    ]


def test_dp104_both_names_present() -> None:
    record = preference(
        preferred_output=[ASSISTANT], preferred_completion=[ASSISTANT], non_preferred_output=[ASSISTANT]
    )
    assert [(code, path) for code, _, path in problems(record, Kind.PREFERENCE)] == [
        ("DP104", "preferred_completion"),
        ("DP102", "preferred_completion"),
    ]


def test_dp104_passing() -> None:
    assert (
        problems(preference(preferred_output=[ASSISTANT], non_preferred_output=[ASSISTANT]), Kind.PREFERENCE)
        == []
    )


# ---------------------------------------------------------------------------------------------- rules


def _examples(doc: str, label: str) -> list[Any]:
    """The JSON records of a rule doc's `Bad:` or `Good:` block (one record may span several lines)."""
    block = doc.split(f"{label}:\n", 1)[1].split("\n\n", 1)[0]
    text, records, decoder = " ".join(block.split()), [], json.JSONDecoder()
    while text:
        record, end = decoder.raw_decode(text)
        records.append(record)
        text = text[end:].strip()
    return records


def test_rules_registry() -> None:
    assert [rule.code for rule in RULES] == ["DP101", "DP102", "DP103", "DP104"]
    assert RULES[0].severity is Severity.ERROR
    assert all(rule.severity is Severity.WARNING for rule in RULES[1:])
    assert all(rule.scope == "record" and rule.summary and rule.name for rule in RULES)


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.code)
def test_rule_docs_examples_behave_as_documented(rule: Any) -> None:
    bad, good = _examples(rule.doc, "Bad"), _examples(rule.doc, "Good")
    assert bad and good
    for record in bad:
        kind = detect_kind(record)
        assert kind is not None
        assert rule.code in [p.code for p in check_record(record, kind)], record
    for record in good:
        kind = detect_kind(record)
        assert kind is not None
        assert check_record(record, kind) == [], record
