"""Mapping files and flags: turns, optional columns, defaults, weights, tools, role aliases and group mode."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from dataprep.conversion.mapping import compile_mapping, load_mapping, mapping_from_flags, parse_mapping_text
from dataprep.conversion.pipeline import Converted, Rejected, convert, resolve_mapping
from dataprep.errors import MappingError, UsageError


def run(records: list[dict[str, Any]], **kwargs: Any) -> list[Converted | Rejected]:
    return list(convert(records, **kwargs))


def records_of(found: list[Converted | Rejected]) -> list[dict[str, Any]]:
    return [i.record for i in found if isinstance(i, Converted)]


def test_flags_system_is_literal_and_templates_fill_columns() -> None:
    found = run(
        [{"q": "2+2?", "a": "4"}], system='Reply as JSON {"answer": ...}', user="Q: {q}", assistant="{a}"
    )
    assert records_of(found) == [
        {
            "messages": [
                {"role": "system", "content": 'Reply as JSON {"answer": ...}'},
                {"role": "user", "content": "Q: 2+2?"},
                {"role": "assistant", "content": "4"},
            ]
        }
    ]


def test_flag_combinations_are_checked() -> None:
    with pytest.raises(UsageError, match="choose one of"):
        resolve_mapping(preset="recipe", user="{q}")
    with pytest.raises(UsageError, match="choose one of"):
        resolve_mapping()
    with pytest.raises(MappingError, match="--user and/or --assistant"):
        mapping_from_flags(system="hi")
    with pytest.raises(MappingError, match="need --group-by"):
        mapping_from_flags(user="{q}", order_by="n")
    with pytest.raises(MappingError, match="--role-column"):
        mapping_from_flags(group_by="id")
    with pytest.raises(MappingError, match="use --content"):
        mapping_from_flags(group_by="id", role_column="r", user="{q}")


def test_template_error_names_the_flag() -> None:
    with pytest.raises(MappingError, match=r"^--user: '\{q\.x\}' uses attribute"):
        resolve_mapping(user="{q.x}")


def test_missing_value_rejects_by_default_and_can_render_empty() -> None:
    rows = [{"q": "x", "a": ""}]
    found = run(rows, user="{q}", assistant="{a}")
    assert isinstance(found[0], Rejected) and found[0].message == "column 'a' is empty"
    found = run(rows, user="{q}", assistant="{a}", missing="empty")
    assert records_of(found)[0]["messages"][1] == {"role": "assistant", "content": ""}


def test_list_format_option_applies_to_lists_and_json_text() -> None:
    rows = [{"items": ["a", "b"], "text": '["c", "d"]'}]
    found = run(rows, user="{items}", assistant="{text}", list_format="bullets")
    assert [m["content"] for m in records_of(found)[0]["messages"]] == ["- a\n- b", "- c\n- d"]
    with pytest.raises(UsageError, match="--list-format"):
        run(rows, user="{items}", list_format="table")


FULL = """
description = "everything"
optional = ["system", "context"]
tools = "tools"
copy = ["id"]
list_format = "lines"

[defaults]
tone = "neutral"

[formats]
steps = "bullets"

[[messages]]
role = "system"
content = "{system}"

[[messages]]
role = "user"
content = ["{question}", "Context: {context}", "Tone: {tone}"]
join = "\\n\\n"

[[messages]]
role = "assistant"
content = "{answer}\\n{steps}"
weight_column = "train"
"""


def _full(tmp_path: Path) -> Path:
    path = tmp_path / "m.toml"
    path.write_text(FULL, encoding="utf-8")
    return path


def test_full_mapping_file(tmp_path: Path) -> None:
    rows = [
        {
            "id": 7,
            "system": "Be brief.",
            "question": "How?",
            "context": "",
            "tone": None,
            "answer": "Like this:",
            "steps": ["one", "two"],
            "train": "0",
            "tools": '[{"name": "f", "parameters": {}}]',
        },
        {
            "id": 8,
            "question": "Why?",
            "context": "docs",
            "tone": "warm",
            "answer": "So.",
            "steps": [],
            "train": 1,
        },
    ]
    found = run(rows, mapping=_full(tmp_path))
    assert isinstance(found[1], Rejected) and found[1].message == "column 'steps' is empty"
    assert records_of(found) == [
        {
            "messages": [
                {"role": "system", "content": "Be brief."},
                {"role": "user", "content": "How?\n\nTone: neutral"},
                {"role": "assistant", "content": "Like this:\n- one\n- two", "weight": 0},
            ],
            "tools": [{"type": "function", "function": {"name": "f", "parameters": {}}}],
            "id": 7,
        }
    ]


def test_yaml_mapping_equals_toml(tmp_path: Path) -> None:
    import yaml

    path = tmp_path / "m.yaml"
    path.write_text(yaml.safe_dump(parse_mapping_text(FULL, ".toml", "m.toml")), encoding="utf-8")
    assert load_mapping(path) == load_mapping(_full(tmp_path))


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"mesages": []}, "unknown key 'mesages' (did you mean 'messages'?)"),
        ({}, "makes no messages"),
        ({"messages": [{"role": "user"}]}, "exactly one of 'content', 'from' or 'pairs'"),
        ({"messages": [{"role": "tool", "content": "x"}]}, "role: must be one of system, user, assistant"),
        ({"messages": [{"role": "user", "content": "x", "weight": 0}]}, "must be 0 or 1, on an assistant"),
        ({"messages": [{"role": "assistant", "content": "x", "weight": 2}]}, "must be 0 or 1"),
        ({"messages": [{"role": "user", "content": "x", "colour": 1}]}, "unknown key 'colour'"),
        ({"messages": [{"role": "user", "content": []}]}, "an empty list"),
        ({"messages": [{"role": "user", "content": "{a}"}], "missing": "skip"}, "missing: must be one of"),
        (
            {"messages": [{"role": "user", "content": "{a}"}], "roles": {"h": "human"}},
            "roles.h: must be one of",
        ),
        ({"messages": [{"role": "user", "content": "{a}"}], "optional": "a"}, "list of column names"),
        ({"group": {"by": "id"}}, "'role_column' is required"),
    ],
)
def test_bad_mapping_data(spec: dict[str, Any], message: str) -> None:
    with pytest.raises(MappingError) as info:
        compile_mapping(spec, "m.toml")
    assert str(info.value).startswith("m.toml") and message in str(info.value)


def test_bad_mapping_files(tmp_path: Path) -> None:
    bad = tmp_path / "m.toml"
    bad.write_text("messages = [", encoding="utf-8")
    with pytest.raises(MappingError, match="invalid TOML"):
        load_mapping(bad)
    with pytest.raises(MappingError, match="cannot read"):
        load_mapping(tmp_path / "absent.toml")
    other = tmp_path / "m.json"
    other.write_text("{}", encoding="utf-8")
    with pytest.raises(MappingError, match=r"\.toml, \.yaml or \.yml"):
        load_mapping(other)


def test_unknown_column_lists_the_available_ones(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text("title,ingredients\nSoup,water\n", encoding="utf-8")
    with pytest.raises(MappingError) as info:
        list(convert(str(path), user="{titel}", assistant="{ingredients}"))
    message = str(info.value)
    assert "r.csv" in message and "'titel'" in message and "did you mean 'title'?" in message
    assert "available: 'title', 'ingredients'" in message


def test_message_lists_with_aliases_weights_and_tool_calls() -> None:
    spec = {
        "roles": {"Customer": "user", "bot": "assistant", "call": "tool_call", "result": "tool"},
        "messages": [{"from": "turns", "role_key": "who", "content_key": "text"}],
    }
    rows: list[dict[str, Any]] = [
        {
            "turns": [
                {"who": "customer", "text": "weather?"},  # aliases match case-insensitively
                {"who": "call", "text": {"name": "w", "arguments": {"city": "Oslo"}}},
                {"who": "result", "text": "rain"},
                {"who": "BOT", "text": "It rains."},
            ]
        },
        {"turns": [{"who": "narrator", "text": "x"}]},
        {"turns": '[{"who": "user", "text": "from JSON text"}]'},
        {"turns": [{"text": "no role"}]},
        {"turns": {"not": "a list"}},
    ]
    found = run(rows, mapping=spec)
    assert records_of(found)[0]["messages"] == [
        {"role": "user", "content": "weather?"},
        {
            "role": "assistant",
            "tool_calls": [
                {
                    "id": "call_1",
                    "type": "function",
                    "function": {"name": "w", "arguments": '{"city": "Oslo"}'},
                }
            ],
        },
        {"role": "tool", "content": "rain", "tool_call_id": "call_1"},
        {"role": "assistant", "content": "It rains."},
    ]
    assert records_of(found)[1]["messages"] == [{"role": "user", "content": "from JSON text"}]
    reasons = [(i.reason, i.message.split(":")[0]) for i in found if isinstance(i, Rejected)]
    assert reasons == [
        ("unknown-role", "turns[0]"),
        ("bad-messages", "turns[0] must be an object with a 'who' key"),
        ("bad-messages", "column 'turns' must hold a list of messages"),
    ]


def test_bad_tool_call_and_bad_weight_reject_the_row() -> None:
    spec = {"roles": {"fc": "tool_call"}, "messages": [{"from": "m"}]}
    found = run([{"m": [{"role": "fc", "content": "not json"}]}], mapping=spec)
    assert isinstance(found[0], Rejected) and found[0].reason == "bad-tool-call"
    spec = {"messages": [{"role": "assistant", "content": "{a}", "weight_column": "w"}]}
    found = run([{"a": "x", "w": "maybe"}], mapping=spec)
    assert isinstance(found[0], Rejected) and found[0].reason == "bad-weight"


def test_pairs_history() -> None:
    spec = {"optional": ["h"], "messages": [{"pairs": "h"}, {"role": "user", "content": "{q}"}]}
    found = run(
        [{"h": [["hi", "hello"]], "q": "next"}, {"q": "alone"}, {"h": [["odd"]], "q": "x"}], mapping=spec
    )
    assert [len(r["messages"]) for r in records_of(found)] == [3, 1]
    assert isinstance(found[2], Rejected) and found[2].reason == "bad-history"


def test_row_giving_no_messages_is_rejected() -> None:
    spec = {"optional": ["a"], "messages": [{"role": "user", "content": "{a}"}]}
    found = run([{"a": ""}], mapping=spec)
    assert isinstance(found[0], Rejected) and found[0].reason == "no-messages"


# -- multi-turn from rows ----------------------------------------------------------------------------------------

TICKETS: list[dict[str, Any]] = [
    {"id": "A", "n": "10", "role": "agent", "text": "Fixed."},
    {"id": "B", "n": "1", "role": "customer", "text": "Hello?"},
    {"id": "A", "n": "2", "role": "customer", "text": "Broken."},
    {"id": "B", "n": "2", "role": "agent", "text": "Hi!"},
    {"id": "C", "n": "1", "role": "customer", "text": "Help"},
    {"id": "C", "n": "2", "role": "robot", "text": "beep"},
    {"id": "", "n": "1", "role": "customer", "text": "orphan"},
]


def test_group_by_orders_numerically_and_rejects_broken_conversations_whole() -> None:
    spec = {
        "roles": {"customer": "user", "agent": "assistant"},
        "messages": [{"role": "system", "content": "Support."}],
        "group": {"by": "id", "order_by": "n", "role_column": "role", "content": "{text}"},
    }
    found = run(TICKETS, mapping=spec)
    converted = [i for i in found if isinstance(i, Converted)]
    assert [[m["content"] for m in c.record["messages"]] for c in converted] == [
        ["Support.", "Broken.", "Fixed."],  # 2 < 10: numbers sort as numbers
        ["Support.", "Hello?", "Hi!"],
    ]
    assert [s.row for s in converted[0].sources] == [3, 1]
    rejected = [(i.source.row, i.reason) for i in found if isinstance(i, Rejected)]
    assert rejected == [(7, "missing-value"), (5, "group-rejected"), (6, "unknown-role")]
    whole = next(i for i in found if isinstance(i, Rejected) and i.reason == "group-rejected")
    assert "conversation 'C'" in whole.message and "row 6" in whole.message


def test_group_flags() -> None:
    found = run(TICKETS[:4], group_by="id", order_by="n", role_column="role", content="{text}")
    assert isinstance(found[0], Rejected) and found[0].reason == "unknown-role"  # no aliases given
