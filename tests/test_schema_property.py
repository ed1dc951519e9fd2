"""The hand-written fast check must agree with jsonschema on every record, valid or not.

Records are generated valid, then 0-3 random mutations hit random nodes (wrong types, missing and extra keys,
bad enum values, weight 2, weight on a user message, emptied or overgrown lists...), so both answers occur often.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from functools import cache
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dataprep.rules.schema import schema_problems as check_record
from dataprep.schema import explain as schema_explain
from dataprep.schema.checks import load_schema
from dataprep.schema.fast import fast_is_valid
from dataprep.types import Kind

# Property sweeps, real pre-commit runs and wheel builds: `make quick` skips them, `make test` runs them.
pytestmark = pytest.mark.slow

# 200 records per kind (was 400): test_fast_check_agrees_on_every_single_mutation below tries every single
# change of every node exhaustively, so this sweep is for combinations of up to three; 200 of them per kind hit
# both outcomes often (test_mutation_strategy_yields_both_outcomes) and took half of this file's 28 s at 400.
SETTINGS = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

text = st.text(max_size=4)
text_part = st.fixed_dictionaries({"type": st.just("text"), "text": text})
image_part = st.fixed_dictionaries(
    {
        "type": st.just("image_url"),
        "image_url": st.fixed_dictionaries(
            {"url": text}, optional={"detail": st.sampled_from(["low", "high", "auto"])}
        ),
    }
)
refusal_part = st.fixed_dictionaries({"type": st.just("refusal"), "refusal": text})
text_content = text | st.lists(text_part, max_size=2)
called = st.fixed_dictionaries({"name": text, "arguments": st.sampled_from(["{}", '{"city": "Rome"}'])})
tool_call = st.fixed_dictionaries({"id": text, "type": st.just("function"), "function": called})

system_message = st.fixed_dictionaries(
    {"role": st.sampled_from(["system", "developer"]), "content": text_content}, optional={"name": text}
)
user_message = st.fixed_dictionaries(
    {"role": st.just("user"), "content": text | st.lists(text_part | image_part, max_size=3)},
    optional={"name": text},
)
assistant_message = st.fixed_dictionaries(
    {"role": st.just("assistant")},
    optional={
        "content": st.none() | text | st.lists(text_part | refusal_part | image_part, max_size=2),
        "name": text,
        "refusal": st.none() | text,
        "tool_calls": st.lists(tool_call, max_size=2),
        "function_call": called,
        "weight": st.sampled_from([0, 1, 0.0, 1.0]),
    },
)
tool_message = st.fixed_dictionaries({"role": st.just("tool"), "content": text_content, "tool_call_id": text})
function_message = st.fixed_dictionaries(
    {"role": st.just("function"), "name": text, "content": st.none() | text}
)
message = system_message | user_message | assistant_message | tool_message | function_message

parameters = st.just({"type": "object", "properties": {}})
tool = st.fixed_dictionaries(
    {
        "type": st.just("function"),
        "function": st.fixed_dictionaries(
            {"name": text},
            optional={"description": text, "parameters": parameters, "strict": st.booleans()},
        ),
    }
)
legacy_function = st.fixed_dictionaries(
    {"name": text}, optional={"description": text, "parameters": parameters}
)

chat_record = st.fixed_dictionaries(
    {"messages": st.lists(message, min_size=1, max_size=3)},
    optional={
        "tools": st.lists(tool, max_size=2),
        "parallel_tool_calls": st.booleans(),
        "functions": st.lists(legacy_function, min_size=1, max_size=2),
    },
)
preference_record = st.fixed_dictionaries(
    {
        "input": st.fixed_dictionaries(
            {"messages": st.lists(message, min_size=1, max_size=3)},
            optional={"tools": st.lists(tool, max_size=1), "parallel_tool_calls": st.booleans()},
        ),
        "preferred_output": st.lists(assistant_message, min_size=1, max_size=1),
        "non_preferred_output": st.lists(assistant_message, min_size=1, max_size=1),
    }
)
completion_record = st.fixed_dictionaries({"prompt": text, "completion": text})

RECORDS = {Kind.CHAT: chat_record, Kind.PREFERENCE: preference_record, Kind.COMPLETION: completion_record}

# Values a mutation puts somewhere: for a known key, near misses of what it takes; anywhere, other types
# and shapes that are valid elsewhere in a record.
GENERIC: list[Any] = [
    0, 1, 2, 1.5, True, None, "", "x", [], [1], {}, {"a": 1}, {"type": "text", "text": "a"},
    {"role": "assistant", "content": "a"}, [{"type": "text", "text": "a"}],
]  # fmt: skip
BY_KEY: dict[str, list[Any]] = {
    "role": ["system", "developer", "user", "assistant", "tool", "function", "bot", "Assistant", None],
    "weight": [0, 1, 0.0, 1.0, 2, -1, 0.5, True, False, "1"],
    "type": ["text", "image_url", "refusal", "function", "video", None],
    "detail": ["low", "high", "auto", "max", None],
    "content": [
        "a", None, 5, [{"type": "image_url", "image_url": {"url": "u"}}], [{"type": "refusal", "refusal": "no"}],
        [{"type": "text"}], [{"type": "text", "text": "a", "x": 1}], [{"text": "a"}], [{"type": "text", "text": 1}],
    ],
    "tool_calls": [
        [{"id": "c", "type": "function", "function": {"name": "f", "arguments": "{}"}}],
        [{"id": "c", "type": "function", "function": {"name": "f", "arguments": {}}}],
        [{"id": "c", "function": {"name": "f", "arguments": "{}"}}],
        [{"id": 1, "type": "function", "function": {"name": "f", "arguments": "{}"}}],
    ],
    "function_call": [{"name": "f", "arguments": "{}"}, {"name": "f"}, {"name": "f", "arguments": {}}],
    "function": [{"name": "f", "arguments": "{}"}, {"name": "f"}, {"name": 1, "arguments": "{}"}],
    "image_url": [{"url": "u"}, {"url": "u", "detail": "low"}, {"detail": "low"}, "u"],
    "parameters": [{"type": "object"}, "{}"],
    "strict": [True, False, "true"],
    "messages": [[{"role": "user", "content": "a"}], [{"role": "user"}]],
    "tools": [[{"type": "function", "function": {"name": "f"}}], [{"type": "function"}]],
    "functions": [[{"name": "f"}], [{"description": "d"}]],
    "preferred_output": [[{"role": "assistant", "content": "a"}], [{"role": "user", "content": "a"}]],
    "preferred_completion": [[{"role": "assistant", "content": "a"}]],
    "input": [{"messages": [{"role": "user", "content": "a"}]}, {"messages": []}],
    "parallel_tool_calls": [True, False, 1, "true"],
    "name": ["a", 1, None],
    "refusal": ["no", None, 1],
    "tool_call_id": ["c", 1, None],
    "text": ["a", 1, None],
    "id": ["c", 1],
    "arguments": ["{}", {}],
    "url": ["u", 1],
    "description": ["d", 1],
    "prompt": ["p", 1, None],
    "completion": ["c", 1, None],
}  # fmt: skip
EXTRA_KEYS = [*BY_KEY, "foo"]
MESSAGE_KEYS = ["role", "content", "name", "weight", "refusal", "tool_calls", "function_call", "tool_call_id"]


def _value_for(key: str) -> st.SearchStrategy[Any]:
    generic = st.sampled_from(GENERIC)
    specific = st.sampled_from(BY_KEY[key]) if key in BY_KEY else generic
    return (specific | generic).map(copy.deepcopy)


def _nodes(value: Any) -> list[Any]:
    found = [value]
    if isinstance(value, dict):
        for child in value.values():
            found += _nodes(child)
    elif isinstance(value, list):
        for child in value:
            found += _nodes(child)
    return found


@st.composite
def mutated(draw: st.DrawFn, kind: Kind) -> Any:
    record = copy.deepcopy(draw(RECORDS[kind]))
    for _ in range(draw(st.sampled_from([0, 1, 1, 1, 2, 3]))):
        nodes = _nodes(record)
        objects = [node for node in nodes if isinstance(node, dict)]
        messages = [node for node in objects if "role" in node]
        lists = [node for node in nodes if isinstance(node, list)]
        op = draw(st.sampled_from(["set", "set", "set", "drop", "add", "add", "list", "list", "root"]))
        # Messages carry most of the rules, so half of the object mutations hit one.
        on_message = bool(messages) and draw(st.booleans())
        if on_message:
            objects = messages
        if op in ("set", "drop") and objects:
            node = draw(st.sampled_from(objects))
            if node:
                key = draw(st.sampled_from(sorted(node)))
                if op == "drop":
                    del node[key]
                else:
                    node[key] = draw(_value_for(key))
        elif op == "add" and objects:
            node = draw(st.sampled_from(objects))
            key = draw(st.sampled_from(MESSAGE_KEYS if on_message else EXTRA_KEYS))
            node[key] = draw(_value_for(key))
        elif op == "list" and lists:
            items: list[Any] = draw(st.sampled_from(lists))
            how = draw(st.sampled_from(["empty", "double", "garbage", "grow to 128", "grow to 129"]))
            if how == "empty":
                items.clear()
            elif how == "garbage":
                items.append(draw(_value_for("")))
            elif items:
                size = {"double": len(items) + 1, "grow to 128": 128, "grow to 129": 129}[how]
                items.extend(copy.deepcopy(items[0]) for _ in range(size - len(items)))
        elif op == "root":
            record = draw(_value_for(""))
    return record


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-2, 2)
    | st.floats(allow_nan=False)
    | st.sampled_from(["", "user", "a"]),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(
            st.sampled_from(["messages", "role", "content", "input", "prompt", "x"]), children, max_size=3
        )
    ),
    max_leaves=12,
)


@cache
def _validator(kind: Kind) -> Any:
    from jsonschema import Draft202012Validator

    return Draft202012Validator(load_schema(kind))


def _schema_valid(record: Any, kind: Kind) -> bool:
    return next(iter(_validator(kind).iter_errors(record)), None) is None


def _assert_agree(record: Any, kind: Kind, expected: bool | None = None) -> None:
    """`expected`: the record's validity under jsonschema, when the caller has it already."""
    expected = _schema_valid(record, kind) if expected is None else expected
    assert fast_is_valid(record, kind) == expected, record
    problems = [p for p in check_record(record, kind) if p.code in ("DP101", "DP102")]
    # A valid record yields no schema problem; an invalid one at least one, each a short readable sentence.
    assert (not problems) == expected, (record, problems)
    for problem in problems:
        assert len(problem.message) < 200
        assert "is not valid under" not in problem.message and "is not of type" not in problem.message


def _assert_split_check_is_complete(record: Any, kind: Kind) -> bool:
    """True if the record is valid. The explainer checks the record's shell and each rejected message on
    its own, for speed: together they must find exactly the errors of one pass over the whole record."""
    whole = {(tuple(e.absolute_path), e.validator) for e in _validator(kind).iter_errors(record)}
    assert {(e.path, e.keyword) for e in schema_explain._errors(record, kind)} == whole
    return not whole


@pytest.mark.parametrize("kind", list(Kind))
@SETTINGS
@given(data=st.data())
def test_fast_check_agrees_with_jsonschema(kind: Kind, data: st.DataObject) -> None:
    record = data.draw(mutated(kind))
    # One jsonschema pass over the record serves both checks (it is most of the cost outside hypothesis).
    _assert_agree(record, kind, _assert_split_check_is_complete(record, kind))


@pytest.mark.parametrize("kind", list(Kind))
@settings(max_examples=150, deadline=None)
@given(record=json_values)
def test_fast_check_agrees_on_arbitrary_json(kind: Kind, record: Any) -> None:
    _assert_agree(record, kind)


def test_mutation_strategy_yields_both_outcomes() -> None:
    # The agreement test proves little if nearly every record is valid or nearly every one invalid.
    seen: dict[Kind, list[bool]] = {kind: [] for kind in Kind}

    @settings(max_examples=200, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(data=st.data())
    def collect(data: st.DataObject) -> None:
        for kind in Kind:
            seen[kind].append(_schema_valid(data.draw(mutated(kind)), kind))

    collect()
    for kind, outcomes in seen.items():
        share = sum(outcomes) / len(outcomes)
        assert 0.15 < share < 0.85, (kind, share)


# Every key and every node of these records appears at least once, so the sweep below touches every rule.
RICH: dict[Kind, Any] = {
    Kind.CHAT: {
        "messages": [
            {"role": "system", "content": "s", "name": "n"},
            {"role": "developer", "content": [{"type": "text", "text": "d"}]},
            {
                "role": "user",
                "name": "n",
                "content": [
                    {"type": "text", "text": "t"},
                    {"type": "image_url", "image_url": {"url": "u", "detail": "low"}},
                ],
            },
            {
                "role": "assistant",
                "name": "n",
                "content": [{"type": "text", "text": "t"}, {"type": "refusal", "refusal": "r"}],
                "refusal": None,
                "weight": 1,
                "tool_calls": [{"id": "c", "type": "function", "function": {"name": "f", "arguments": "{}"}}],
                "function_call": {"name": "f", "arguments": "{}"},
            },
            {"role": "tool", "tool_call_id": "c", "content": [{"type": "text", "text": "t"}]},
            {"role": "function", "name": "f", "content": None},
        ],
        "tools": [
            {
                "type": "function",
                "function": {
                    "name": "f",
                    "description": "d",
                    "parameters": {"type": "object"},
                    "strict": True,
                },
            }
        ],
        "parallel_tool_calls": False,
        "functions": [{"name": "f", "description": "d", "parameters": {"type": "object"}}],
    },
    Kind.PREFERENCE: {
        "input": {
            "messages": [{"role": "user", "content": "q"}],
            "tools": [{"type": "function", "function": {"name": "f"}}],
            "parallel_tool_calls": True,
        },
        "preferred_output": [{"role": "assistant", "content": "a", "weight": 0}],
        "non_preferred_output": [{"role": "assistant", "content": None, "refusal": "r"}],
    },
    Kind.COMPLETION: {"prompt": "p", "completion": "c"},
}


def _single_mutations(record: Any) -> Iterator[Any]:
    """The record with one change: each key dropped, set to each candidate, each extra key added, lists bent."""
    paths: list[tuple[Any, ...]] = []

    def walk(node: Any, path: tuple[Any, ...]) -> None:
        paths.append(path)
        children = (
            node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        )
        for key, child in children:
            walk(child, (*path, key))

    walk(record, ())
    for path in paths:
        node = _at(record, path)
        if isinstance(node, dict):
            for key in node:
                yield _changed(record, path, lambda n, k=key: n.pop(k))
                for value in BY_KEY.get(key, []) + GENERIC:
                    yield _changed(record, path, lambda n, k=key, v=value: n.__setitem__(k, copy.deepcopy(v)))
            for key in EXTRA_KEYS:
                if key not in node:
                    for value in BY_KEY.get(key, ["x"]):
                        yield _changed(
                            record, path, lambda n, k=key, v=value: n.__setitem__(k, copy.deepcopy(v))
                        )
        elif isinstance(node, list):
            yield _changed(record, path, lambda n: n.clear())
            yield _changed(record, path, lambda n: n.append(None))
            for size in (2, 128, 129):
                yield _changed(record, path, lambda n, size=size: n.extend([n[0]] * (size - len(n))))


def _at(record: Any, path: tuple[Any, ...]) -> Any:
    for item in path:
        record = record[item]
    return record


def _changed(record: Any, path: tuple[Any, ...], change: Callable[[Any], object]) -> Any:
    new = copy.deepcopy(record)
    change(_at(new, path))
    return new


@pytest.mark.parametrize("kind", list(Kind))
def test_fast_check_agrees_on_every_single_mutation(kind: Kind) -> None:
    assert _schema_valid(RICH[kind], kind) and fast_is_valid(RICH[kind], kind)
    outcomes = []
    for record in _single_mutations(RICH[kind]):
        valid = _assert_split_check_is_complete(record, kind)
        assert fast_is_valid(record, kind) == valid, record
        outcomes.append(valid)
    assert len(outcomes) > 50 and 0 < sum(outcomes) < len(outcomes)
