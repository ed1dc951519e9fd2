"""DP601-DP603: text a model would learn by mistake, quoted with line and JSON path; and no false alarms on
code, JSON, math and HTML in content (the shapes of code-assistant, math and web-scraped chat data)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from dataprep import Config, validate
from dataprep.types import Finding
from tests.conftest import assistant, chat, user


def _findings(tmp_path: Path, records: list[dict[str, Any]], **options: Any) -> list[Finding]:
    path = tmp_path / "train.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    report = validate(path, config=Config(), jobs=1, select=["DP601", "DP602", "DP603"], **options)
    return list(report.findings)


@pytest.mark.parametrize(
    ("text", "token", "family"),
    [
        ("<|im_start|>user\nHi<|im_end|>", "<|im_start|>", "ChatML (Qwen, Yi, OpenHermes)"),
        ("Sure.<|im_end|>", "<|im_end|>", "ChatML (Qwen, Yi, OpenHermes)"),
        ("<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>", "<|start_header_id|>", "Llama 3"),
        ("Done<|eot_id|>", "<|eot_id|>", "Llama 3"),
        ("<s>[INST] Hi [/INST] Hello </s>", "<s>", "Llama 2 and Mistral"),
        ("[INST] <<SYS>>\nBe brief.\n<</SYS>>\n\nHi [/INST]", "[INST]", "Llama 2 and Mistral"),
        ("<start_of_turn>model\nHello<end_of_turn>", "<start_of_turn>", "Gemma"),
        ("The answer is 4.</s>", "</s>", "Llama 2 and Mistral"),
        ("<s>The answer is 4.", "<s>", "Llama 2 and Mistral"),
        ("text<|endoftext|>", "<|endoftext|>", "GPT and Qwen"),
        ("odd <|fim_middle|> token", "<|fim_middle|>", None),
    ],
)
def test_control_tokens_are_quoted_with_their_template(
    tmp_path: Path, text: str, token: str, family: str | None
) -> None:
    (finding,) = _findings(tmp_path, [chat(user("Hi"), assistant(text))])
    assert finding.code == "DP601" and finding.location.line == 1
    assert finding.location.json_path == "messages[1].content"
    assert f"content contains {token!r}" in finding.message
    assert (
        f"control token of {family} chat templates" if family else "special-token text"
    ) in finding.message


@pytest.mark.parametrize(
    "text",
    [
        "It was <s>12 €</s> now 9 €.",  # HTML strikethrough
        "<p>Old <s>price</s>, new <s>offer</s></p>",
        "Options: [INSTANT], [INSERT], [install]",
        "Use <b>bold</b> and <sup>2</sup>; a <|  spaced |> thing",
        "s < t and t > s",
    ],
)
def test_no_control_token_alarm_on_html_and_brackets(tmp_path: Path, text: str) -> None:
    assert _findings(tmp_path, [chat(user(text), assistant())]) == []


def test_several_tokens_in_one_text_are_one_finding_with_a_count(tmp_path: Path) -> None:
    (finding,) = _findings(
        tmp_path, [chat(user("<|im_start|>user\nHi<|im_end|>\n<|im_start|>x"), assistant())]
    )
    assert "(2 more in this text)" in finding.message and finding.location.json_path == "messages[0].content"


@pytest.mark.parametrize(
    ("text", "quoted"),
    [
        ("You are the assistant of {{company_name}}.", "{{company_name}}"),
        ("Hello {{ user.first_name }}!", "{{ user.first_name }}"),
        ("Answer the question: {question}\nContext: {context}", "{question}"),
        ("Dear {name}, your order {order_id} has shipped.", "{name}"),
    ],
)
def test_unfilled_variables_are_quoted(tmp_path: Path, text: str, quoted: str) -> None:
    records = [chat({"role": "system", "content": text}, user(), assistant())]
    (finding,) = _findings(tmp_path, records)
    assert finding.code == "DP602" and finding.location.json_path == "messages[0].content"
    assert f"unfilled template variable {quoted!r}" in finding.message


@pytest.mark.parametrize(
    "text",
    [
        "```python\nprint(f'Hello {name}')\n```",
        "~~~\ngreeting = '{{ name }}'\n~~~",
        "Call `'{name}'.format(name=x)` to fill it.",
        'greeting = f"Hello {name}"',
        "msg = 'Hi {name}'.format(name=n)",
        "const f = (x) => `${x}`;",
        'In Ruby: "#{name}"',
        "Solve $\\frac{a}{b} + x_{i}^{n}$ and \\textbf{bold}",
        "The set $\\{x\\}$ has one element.",
        '{"name": "Dana", "tags": ["a"]}',
        "C# format: {0} and {1:N2}",
        "An empty dict {} and a set {1, 2}",
        "return {value};",
    ],
)
def test_no_template_alarm_on_code_json_and_math(tmp_path: Path, text: str) -> None:
    assert _findings(tmp_path, [chat(user("Show me."), assistant(text))]) == []


def test_tool_results_are_not_read_for_template_variables(tmp_path: Path) -> None:
    call = {"id": "call_1", "type": "function", "function": {"name": "render", "arguments": "{}"}}
    records = [
        chat(
            user("Render the template."),
            {"role": "assistant", "content": None, "tool_calls": [call]},
            {"role": "tool", "tool_call_id": "call_1", "content": "Hello {name}"},
            assistant("It says hello."),
        )
    ]
    assert _findings(tmp_path, records) == []


def test_text_parts_get_their_own_path(tmp_path: Path) -> None:
    record = chat(
        {
            "role": "user",
            "content": [{"type": "text", "text": "Intro"}, {"type": "text", "text": "Q: {question}"}],
        },
        assistant(),
    )
    (finding,) = _findings(tmp_path, [chat(), record])
    assert finding.location.line == 2 and finding.location.json_path == "messages[0].content[1].text"


def test_image_marker_without_an_image(tmp_path: Path) -> None:
    image = {"type": "image_url", "image_url": {"url": "https://example.com/a.png"}}
    records = [
        chat(user("Describe <image> please."), assistant()),
        chat(
            {"role": "user", "content": [image, {"type": "text", "text": "<image> Describe."}]}, assistant()
        ),
        {**chat(user("<image>Describe."), assistant()), "images": ["a.png"]},
    ]
    findings = [f for f in _findings(tmp_path, records) if f.code == "DP603"]
    assert [(f.location.line, f.location.json_path) for f in findings] == [(1, "messages[0].content")]
    assert "'<image>'" in findings[0].message


def test_preference_and_completion_records_are_read_too(tmp_path: Path) -> None:
    pref = {
        "input": {"messages": [user("Hi {name}")]},
        "preferred_output": [assistant("Hello!<|im_end|>")],
        "non_preferred_output": [assistant("Go away.")],
    }
    found = {(f.code, f.location.json_path) for f in _findings(tmp_path, [pref])}
    assert found == {("DP602", "input.messages[0].content"), ("DP601", "preferred_output[0].content")}
    completion = {"prompt": "Q: {question}\nA:", "completion": " 4</s>"}
    found = {(f.code, f.location.json_path) for f in _findings(tmp_path, [completion], model="babbage-002")}
    assert found == {("DP602", "prompt"), ("DP601", "completion")}


def test_the_rules_can_be_turned_off_one_by_one(tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl"
    path.write_text(json.dumps(chat(user("<image> {name} <|im_end|>"), assistant())) + "\n", encoding="utf-8")
    codes = {f.code for f in validate(path, config=Config(), jobs=1, ignore=["DP602"]).findings}
    assert {"DP601", "DP603"} <= codes and "DP602" not in codes
