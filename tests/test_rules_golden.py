"""Golden cases: for every record-level rule, lines that must trigger it and lines that must not.

Each case runs the real pipeline (file -> reader -> checks -> findings) with only that rule selected.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from dataprep import validate
from dataprep.rules.registry import ALL_RULES
from tests.conftest import assistant, chat, user

CALL = {"id": "call_1", "type": "function", "function": {"name": "lookup", "arguments": '{"q": "cumin"}'}}
TOOL_ANSWER = {"role": "tool", "tool_call_id": "call_1", "content": "found"}
CALLER = {"role": "assistant", "content": None, "tool_calls": [CALL]}
IMAGE = {"type": "image_url", "image_url": {"url": "https://example.com/dish.png"}}
PREF_OK = {
    "input": {"messages": [user()]},
    "preferred_output": [assistant()],
    "non_preferred_output": [assistant("Salt.")],
}


def pref(**changes: Any) -> dict[str, Any]:
    record = dict(PREF_OK)
    record.update(changes)
    return {k: v for k, v in record.items() if v is not None}


# A tuple is several lines of one file; anything else is a one-line file.
Case = bytes | dict[str, Any] | list[Any] | tuple[Any, ...]
CASES: dict[str, tuple[list[Case], list[Case]]] = {
    "DP001": ([b'{"messages": [{"role": "user", "content": "caf\xe9"}]}'], [chat(user("café"), assistant())]),
    "DP002": ([b'{"messages": [1,]}', b'{"messages": '], [chat()]),
    "DP003": ([b"[1, 2]", b'"text"', b"42", b"null"], [chat()]),
    "DP004": ([b"", b"   \t"], [chat()]),
    "DP008": ([b'{"messages": [], "x": NaN}', b'{"x": -Infinity}'], [b'{"x": "NaN"}']),
    "DP009": ([b"[" * 1100 + b"]" * 1100], [b"[" * 50 + b"]" * 50]),
    "DP012": ([(chat(), {"prompt": "a", "completion": "b"})], [(chat(), chat())]),
    "DP201": (
        [chat(user()), chat(user(), assistant(weight=0))],
        [chat(user(), assistant(weight=0), user(), assistant())],
    ),
    "DP202": (
        [chat(user(), {"role": "system", "content": "Be brief."}, assistant())],
        [chat({"role": "system", "content": "Be brief."}, user(), assistant())],
    ),
    "DP203": ([chat({"role": "developer", "content": "Be brief."}, user(), assistant())], [chat()]),
    "DP204": ([chat(user(), assistant(), user("Thanks"))], [chat()]),
    "DP205": (
        [chat(user(), user("Hello?"), assistant()), chat(user(), assistant(), assistant("More."))],
        [chat(user(), assistant(), user(), assistant())],
    ),
    "DP206": (
        [
            chat(user(), {"role": "tool", "tool_call_id": "call_9", "content": "x"}, assistant()),
            chat(user(), CALLER, TOOL_ANSWER, TOOL_ANSWER, assistant()),
        ],
        [chat(user(), CALLER, TOOL_ANSWER, assistant())],
    ),
    "DP207": (
        [chat(user(), CALLER, user("Well?"), assistant()), chat(user(), CALLER)],
        [chat(user(), CALLER, TOOL_ANSWER, assistant())],
    ),
    "DP208": (
        [chat(user(), {"role": "assistant", "tool_calls": [CALL, CALL]}, TOOL_ANSWER, assistant())],
        [
            chat(
                user(),
                {"role": "assistant", "tool_calls": [CALL, {**CALL, "id": "call_2"}]},
                TOOL_ANSWER,
                {**TOOL_ANSWER, "tool_call_id": "call_2"},
                assistant(),
            )
        ],
    ),
    "DP209": (
        [
            chat(
                user(),
                {
                    "role": "assistant",
                    "tool_calls": [{**CALL, "function": {"name": "f", "arguments": "{q: 1}"}}],
                },
                TOOL_ANSWER,
                assistant(),
            )
        ],
        [chat(user(), CALLER, TOOL_ANSWER, assistant())],
    ),
    "DP210": (
        [chat(user(), {"role": "assistant", "content": None}), chat(user(), {"role": "assistant"})],
        [chat(user(), CALLER, TOOL_ANSWER, assistant())],
    ),
    "DP211": ([chat(user("   "), assistant()), chat(user(), assistant(""))], [chat()]),
    "DP212": (
        [chat(user(), assistant(" Cumin.")), chat(user(), assistant("Cumin.\n"))],
        [chat(user(" padded user text "), assistant())],
    ),
    "DP213": (
        [chat({"role": "user", "content": [IMAGE] * 11}, assistant())],
        [chat({"role": "user", "content": [IMAGE] * 10}, assistant())],
    ),
    "DP214": (
        [chat(user(), {"role": "assistant", "content": [IMAGE]})],
        [chat({"role": "user", "content": [IMAGE]}, assistant())],
    ),
    "DP215": (
        [
            chat(
                {
                    "role": "user",
                    "content": [{"type": "image_url", "image_url": {"url": "data:image/gif;base64,AAAA"}}],
                },
                assistant(),
            )
        ],
        [
            chat(
                {
                    "role": "user",
                    "content": [{"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}}],
                },
                assistant(),
            )
        ],
    ),
    "DP221": ([pref(input={"messages": [user(), assistant()]})], [pref()]),
    "DP301": ([chat(user("word " * 300), assistant())], [chat(user("word " * 10), assistant())]),
    "DP601": (
        [chat(user("stop<|endoftext|>"), assistant())],
        [chat(user("stop <| not a token"), assistant())],
    ),
}

# Rules checked on whole files or datasets are covered by their own tests (named here so none is forgotten).
TESTED_ELSEWHERE = {
    "DP005": "tests/test_reader.py",
    "DP006": "tests/test_reader.py",
    "DP007": "tests/test_reader.py",
    "DP010": "tests/test_reader.py",
    "DP011": "tests/test_reader.py",
    "DP101": "tests/test_schema.py",
    "DP102": "tests/test_schema.py",
    "DP103": "tests/test_schema.py",
    "DP104": "tests/test_schema.py",
    "DP501": "tests/test_validate.py",
    "DP502": "tests/test_validate.py",
    "DP503": "tests/test_validate.py",
}


def _codes(path: Path, code: str) -> list[str]:
    extra = (
        {"max_tokens": 200, "encoding": "o200k_base", "model": "small-test-model"}
        if code.startswith("DP3")
        else {}
    )
    report = validate(path, select=[code], jobs=1, **extra)
    return [f.code for f in report.findings]


@pytest.mark.parametrize("code", sorted(CASES))
def test_bad_cases_trigger_the_rule(code: str, write_jsonl: Callable[..., Path]) -> None:
    for case in CASES[code][0]:
        path = write_jsonl(list(case) if isinstance(case, tuple) else [case])
        assert code in _codes(path, code), f"{code} not reported for {json.dumps(case, default=repr)[:200]}"


@pytest.mark.parametrize("code", sorted(CASES))
def test_good_cases_do_not_trigger_the_rule(code: str, write_jsonl: Callable[..., Path]) -> None:
    for case in CASES[code][1]:
        path = write_jsonl(list(case) if isinstance(case, tuple) else [case])
        assert code not in _codes(path, code), (
            f"{code} wrongly reported for {json.dumps(case, default=repr)[:200]}"
        )


def test_every_rule_has_cases_or_a_named_test() -> None:
    covered = set(CASES) | set(TESTED_ELSEWHERE)
    missing = [
        rule.code
        for rule in ALL_RULES
        if rule.code not in covered and not rule.code.startswith(("DP4", "DP51"))
    ]
    assert missing == []


def test_every_rule_documents_a_bad_and_a_good_example() -> None:
    for rule in ALL_RULES:
        assert "Bad:" in rule.doc and "Good:" in rule.doc, rule.code
        assert rule.code.startswith("DP") and len(rule.code) == 5 and rule.code[2:].isdigit()
    assert len({r.code for r in ALL_RULES}) == len(ALL_RULES)
    assert len({r.name for r in ALL_RULES}) == len(ALL_RULES)


def test_preference_output_shape_is_the_schemas(write_jsonl: Callable[..., Path]) -> None:
    """Two outputs, or a user message as output: one DP101 each, not a second structure finding."""
    for case in (pref(preferred_output=[assistant(), assistant()]), pref(non_preferred_output=[user()])):
        report = validate(write_jsonl([case]), select=["DP1", "DP2"], jobs=1)
        assert [f.code for f in report.findings] == ["DP101"], report.findings
