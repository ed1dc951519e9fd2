"""Native formats (dataprep.formats): round trips through every format, refusals with their JSON paths, and
golden files for every sample file in each direction."""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any

import pytest

import dataprep
from dataprep.conversion import Converted
from dataprep.formats import FORMATS, INEXPRESSIBLE, INVALID, Refusal, detect_native, format_for_target
from dataprep.formats.llama_factory import Entry, parse_entry, to_chat

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_data"
GOLDEN = Path(__file__).resolve().parent / "golden_formats"
CHAT_SAMPLES = ("chat_valid.jsonl", "chat_valid.validation.jsonl", "preference.jsonl", "open_weights.jsonl")
NATIVE_SAMPLES = {
    "vertex.jsonl": "vertex",
    "bedrock_nova.jsonl": "bedrock-nova",
    "bedrock_nova_dpo.jsonl": "bedrock-nova",
    "trl_preference.jsonl": "trl",
    "trl_kto.jsonl": "trl",
    "trl_prompt_completion.jsonl": "trl",
}
LLAMA_FACTORY = ("alpaca_zh", "custom_columns", "sharegpt_tools", "openai_layout", "dpo_zh", "kto", "images")
WRITTEN = ("vertex", "bedrock-nova", "trl", "llama-factory", "chat")


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _chat_records() -> list[dict[str, Any]]:
    """Every chat or preference record the samples hold: the chat files and the chat reading of the native ones."""
    records = [r for name in CHAT_SAMPLES for r in _lines(SAMPLES / name)]
    for name, fmt in NATIVE_SAMPLES.items():
        records += [FORMATS[fmt].to_chat(r).record for r in _lines(SAMPLES / name)]
    return records


def _as_noted(record: dict[str, Any], notes: list[str]) -> dict[str, Any]:
    """What a round trip gives back after the changes its notes name: ids renumbered, weight 1 dropped."""
    out = copy.deepcopy(record)
    messages = out.get("messages") or out.get("input", {}).get("messages") or []
    answers = [m for key in ("preferred_output", "non_preferred_output") for m in out.get(key, [])]
    if any("ids not kept" in n for n in notes):
        renamed: dict[str, str] = {}
        for message in messages:
            for call in message.get("tool_calls") or []:
                renamed[call["id"]] = call["id"] = f"call_{len(renamed) + 1}"
            if "tool_call_id" in message:
                message["tool_call_id"] = renamed.get(message["tool_call_id"], message["tool_call_id"])
    if any("weight 1 dropped" in n for n in notes):
        for message in [*messages, *answers]:
            if message.get("weight") == 1:
                del message["weight"]
    return out


@pytest.mark.parametrize("name", WRITTEN)
def test_chat_to_format_and_back_is_lossless_where_the_format_can_say_it(name: str) -> None:
    fmt = FORMATS[name]
    written = refused = 0
    for record in _chat_records():
        try:
            out = fmt.from_chat(record)
        except Refusal as refusal:
            assert refusal.kind == INEXPRESSIBLE, refusal.describe()  # valid chat is never "invalid"
            assert refusal.message
            refused += 1
            continue
        text = json.dumps(out.record, ensure_ascii=False)  # what a file holds
        back = fmt.to_chat(json.loads(text))
        assert back.record == _as_noted(record, out.notes), (name, out.notes, record)
        if not out.notes:
            assert back.record == record
        if name == "trl":  # TRL's conversational shape is chat itself
            assert detect_native(out.record) in (fmt, None)
        elif name != "chat":
            assert detect_native(out.record) is fmt
        written += 1
    assert written >= 20
    if name == "vertex":
        assert refused >= 10  # every preference record: Vertex tuning is chat only


def test_lossy_round_trips_are_the_noted_ones() -> None:
    """A tool call id other than call_N is not kept by Vertex or LLaMA-Factory, and the note says so."""
    record = _lines(SAMPLES / "chat_valid.jsonl")[11]
    assert record["messages"][2]["tool_calls"][0]["id"] == "call_cups_1"
    for name in ("vertex", "llama-factory"):
        out = FORMATS[name].from_chat(record)
        assert any("ids not kept" in n for n in out.notes)
        back = FORMATS[name].to_chat(out.record).record
        assert back["messages"][2]["tool_calls"][0]["id"] == "call_1"
        assert back["messages"][3]["tool_call_id"] == "call_1"
    nova = FORMATS["bedrock-nova"].from_chat(record)
    assert nova.notes == [] and FORMATS["bedrock-nova"].to_chat(nova.record).record == record


# -- refusals name the JSON path ----------------------------------------------------------------------------


def _user(text: str) -> dict[str, Any]:
    return {"role": "user", "parts": [{"text": text}]}


@pytest.mark.parametrize(
    ("name", "record", "path", "words"),
    [
        (
            "vertex",
            {"contents": [_user("hi"), {"role": "assistant", "parts": [{"text": "x"}]}]},
            "contents[1].role",
            "'user' or 'model'",
        ),
        (
            "vertex",
            {"contents": [_user("hi"), {"role": "model", "parts": [{"text": "x", "functionCall": {}}]}]},
            "contents[1].parts[0]",
            "exactly one",
        ),
        ("vertex", {"contents": [_user("hi"), {"role": "model", "parts": []}]}, "contents[1].parts", "empty"),
        (
            "vertex",
            {"contents": [{"role": "user", "parts": [{"functionResponse": {"name": "f", "response": {}}}]}]},
            "contents[0].parts[0].functionResponse.name",
            "no functionCall",
        ),
        (
            "vertex",
            {"contents": [_user("hi")], "systemInstruction": {"parts": [{"text": 3}]}},
            "systemInstruction.parts[0].text",
            "string",
        ),
        (
            "bedrock-nova",
            {"schemaVersion": "x", "messages": [{"role": "user", "content": "hi"}]},
            "messages[0].content",
            "list",
        ),
        (
            "bedrock-nova",
            {
                "schemaVersion": "x",
                "messages": [
                    {"role": "user", "content": [{"text": "a"}]},
                    {
                        "role": "assistant",
                        "candidates": [{"content": [{"text": "b"}], "preferenceLabel": "preferred"}],
                    },
                ],
            },
            "messages[1].candidates",
            "non-preferred",
        ),
        (
            "bedrock-nova",
            {"schemaVersion": "x", "messages": [{"role": "bot", "content": [{"text": "a"}]}]},
            "messages[0].role",
            "'user' or 'assistant'",
        ),
        (
            "bedrock-nova",
            {
                "schemaVersion": "x",
                "messages": [
                    {"role": "user", "content": [{"image": {"format": "png", "source": {"bytes": "AAAA"}}}]}
                ],
            },
            "messages[0].content[0].image.source",
            "s3Location",
        ),
        (
            "trl",
            {"chosen": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}]},
            "rejected",
            "missing",
        ),
        ("trl", {"prompt": "a", "completion": "b", "label": "yes"}, "label", "true or false"),
        (
            "llama-factory",
            {"conversations": [{"from": "gpt", "value": "a"}]},
            "conversations[0].from",
            "human or observation",
        ),
        (
            "llama-factory",
            {"conversations": [{"from": "human", "value": "a"}, {"from": "observation", "value": "1"}]},
            "conversations[1].from",
            "gpt or function",
        ),
        ("llama-factory", {"instruction": "", "input": "", "output": "b"}, "instruction", "empty"),
    ],
)
def test_invalid_native_records_are_refused_at_their_path(
    name: str, record: dict[str, Any], path: str, words: str
) -> None:
    with pytest.raises(Refusal) as caught:
        FORMATS[name].to_chat(record)
    assert caught.value.json_path == path
    assert caught.value.kind == INVALID
    assert words in caught.value.message


def _chat(*messages: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"messages": list(messages), **extra}


_U = {"role": "user", "content": "Name a spice."}
_A = {"role": "assistant", "content": "Cumin."}


@pytest.mark.parametrize(
    ("target", "record", "path", "words"),
    [
        ("vertex", _chat(_U, {**_A, "weight": 0}), "messages[1].weight", "no per-message weight"),
        ("bedrock-nova", _chat(_U, {**_A, "weight": 0}), "messages[1].weight", "no per-message weight"),
        (
            "vertex",
            _chat(
                {
                    "role": "user",
                    "content": [{"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}}],
                },
                _A,
            ),
            "messages[0].content",
            "data URL",
        ),
        (
            "bedrock-nova",
            _chat(
                {"role": "user", "content": [{"type": "image_url", "image_url": {"url": "https://x/a.png"}}]},
                _A,
            ),
            "messages[0].content",
            "s3://",
        ),
        (
            "vertex",
            _chat(_U, {"role": "system", "content": "late"}, _A),
            "messages[1].role",
            "one system instruction",
        ),
        ("vertex", _chat(_U, {**_A, "name": "bot"}), "messages[1].name", "no message names"),
        (
            "llama-factory",
            _chat(
                _U,
                {
                    "role": "assistant",
                    "content": None,
                    "tool_calls": [
                        {"id": "a", "type": "function", "function": {"name": "f", "arguments": "{}"}},
                        {"id": "b", "type": "function", "function": {"name": "g", "arguments": "{}"}},
                    ],
                },
                {"role": "tool", "tool_call_id": "a", "content": "1"},
                {"role": "tool", "tool_call_id": "b", "content": "2"},
                _A,
            ),
            "messages[3]",
            "two tool results",
        ),
        (
            "trl",
            _chat(_U, _A, {"role": "user", "content": "More?"}, {**_A, "weight": 0}),
            "messages[3].weight",
            "untrained turn after a trained one",
        ),
        (
            "vertex",
            {"input": {"messages": [_U]}, "preferred_output": [_A], "non_preferred_output": [_A]},
            "record",
            "not preference pairs",
        ),
    ],
)
def test_what_a_target_cannot_say_is_refused_with_its_path(
    target: str, record: dict[str, Any], path: str, words: str
) -> None:
    fmt = format_for_target(target)
    assert fmt is not None
    with pytest.raises(Refusal) as caught:
        fmt.from_chat(record)
    assert caught.value.kind == INEXPRESSIBLE
    assert caught.value.json_path == path
    assert words in caught.value.message


def test_weight_zero_turns_become_a_trl_prompt_and_come_back() -> None:
    record = _chat(
        _U,
        {**_A, "weight": 0},
        {"role": "user", "content": "And for soup?"},
        {"role": "assistant", "content": "Bay leaf."},
    )
    out = FORMATS["trl"].from_chat(record)
    assert [m["role"] for m in out.record["prompt"]] == ["user", "assistant", "user"]
    assert "weight" not in out.record["prompt"][1]
    assert FORMATS["trl"].to_chat(out.record).record == record


def test_trl_implicit_prompt_is_the_shared_beginning() -> None:
    record = {"chosen": [_U, _A], "rejected": [_U, {"role": "assistant", "content": "Salt."}]}
    native = FORMATS["trl"].to_chat(record)
    assert native.kind == "preference"
    assert native.record["input"]["messages"] == [_U]
    assert native.record["non_preferred_output"] == [{"role": "assistant", "content": "Salt."}]
    assert native.origins["preferred_output[0]"] == "chosen[1]"


# -- LLaMA-Factory dataset_info entries ---------------------------------------------------------------------


def test_dataset_info_entries_are_checked() -> None:
    with pytest.raises(Refusal, match=r"not a dataset_info\.json key"):
        parse_entry({"file_name": "a.json", "colums": {}}, "x")
    with pytest.raises(Refusal, match="formatting must be"):
        parse_entry({"file_name": "a.json", "formatting": "chatml"}, "x")
    with pytest.raises(Refusal, match="needs file_name"):
        parse_entry({"hf_hub_url": "org/data"}, "x")
    entry = parse_entry({"file_name": "a.json", "formatting": "openai"}, "x")
    assert entry == Entry("sharegpt", False, {"messages": "messages"}, entry.tags, "a.json")
    assert entry.tag("role_tag") == "role" and entry.tag("user_tag") == "user"


def test_custom_tags_and_columns_are_read_as_llama_factory_reads_them() -> None:
    entry = parse_entry(
        {
            "file_name": "a.json",
            "formatting": "sharegpt",
            "columns": {"messages": "turns", "system": "sys"},
            "tags": {"role_tag": "who", "content_tag": "text", "user_tag": "q", "assistant_tag": "a"},
        },
        "x",
    )
    record = {"turns": [{"who": "q", "text": "你好"}, {"who": "a", "text": "您好!"}], "sys": "Be kind."}
    assert to_chat(record, entry).record == {
        "messages": [
            {"role": "system", "content": "Be kind."},
            {"role": "user", "content": "你好"},
            {"role": "assistant", "content": "您好!"},
        ]
    }


def test_image_placeholders_become_image_parts_and_back() -> None:
    record = {
        "messages": [
            {"role": "user", "content": "Compare <image> and <image>."},
            {"role": "assistant", "content": "Same."},
        ],
        "images": ["a.jpg", "b.jpg"],
    }
    chat = FORMATS["llama-factory"].to_chat(record).record
    parts = chat["messages"][0]["content"]
    assert [p.get("text") or p["image_url"]["url"] for p in parts] == [
        "Compare ",
        "a.jpg",
        " and ",
        "b.jpg",
        ".",
    ]
    out = FORMATS["llama-factory"].from_chat(chat).record
    assert out["conversations"][0]["value"] == "Compare <image> and <image>." and out["images"] == [
        "a.jpg",
        "b.jpg",
    ]
    one = {"messages": [{"role": "user", "content": "<image>"}, {"role": "assistant", "content": "A loaf."}]}
    with pytest.raises(Refusal, match="1 <image> placeholders for 2 images"):
        FORMATS["llama-factory"].to_chat({**one, "images": ["a.jpg", "b.jpg"]})


# -- golden files ---------------------------------------------------------------------------------------------


def _convert_lines(source: str, **options: Any) -> list[dict[str, Any]]:
    out = []
    for item in dataprep.convert(source, **options):
        assert isinstance(item, Converted), item
        out.append(item.record)
    return out


def _golden(name: str, records: list[dict[str, Any]]) -> None:
    path = GOLDEN / name
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    if os.environ.get("DATAPREP_UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert path.read_text(encoding="utf-8") == text, f"{name} differs (DATAPREP_UPDATE_GOLDEN=1 rewrites it)"


@pytest.mark.parametrize("name", sorted(NATIVE_SAMPLES))
def test_native_samples_read_as_golden_chat(name: str) -> None:
    _golden(name.replace(".jsonl", ".chat.jsonl"), _convert_lines(str(SAMPLES / name)))


@pytest.mark.parametrize("entry", LLAMA_FACTORY)
def test_llama_factory_entries_read_as_golden_chat(entry: str) -> None:
    records = _convert_lines(f"{SAMPLES / 'llama_factory' / 'dataset_info.json'}#{entry}")
    _golden(f"llama_factory.{entry}.chat.jsonl", records)


@pytest.mark.parametrize(
    ("source", "target"),
    [("chat_valid.jsonl", t) for t in ("vertex", "bedrock-nova", "trl", "llama-factory")]
    + [("preference.jsonl", t) for t in ("bedrock-nova", "trl", "llama-factory")],
)
def test_chat_samples_written_in_each_format_are_golden(source: str, target: str) -> None:
    _golden(
        f"{source.removesuffix('.jsonl')}.{target}.jsonl", _convert_lines(str(SAMPLES / source), to=target)
    )


# -- hostile records: a Refusal, never another exception ----------------------------------------------------

_ODD_VALUES: list[Any] = [
    None,
    0,
    -1,
    2.5,
    True,
    "",
    "x",
    "<image>",
    [],
    {},
    [None],
    {"a": 1},
    [{}],
    {"text": 1},
    "user",
    "model",
    "tool",
]


def _paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*path, index))
    return found


def _mutated(record: dict[str, Any], rng: Any) -> dict[str, Any]:
    out = copy.deepcopy(record)
    for _ in range(rng.randint(1, 3)):
        path = rng.choice(_paths(out)[1:] or [()])
        if not path:
            break
        parent: Any = out
        for step in path[:-1]:
            parent = parent[step]
        parent[path[-1]] = copy.deepcopy(rng.choice(_ODD_VALUES))
    return out


def test_broken_records_are_refused_not_crashed_on() -> None:
    import random

    rng = random.Random(12)
    natives = {
        fmt: [r for name, f in NATIVE_SAMPLES.items() if f == fmt for r in _lines(SAMPLES / name)]
        for fmt in set(NATIVE_SAMPLES.values())
    }
    natives["llama-factory"] = [
        r
        for name in ("alpaca_zh", "sharegpt_tools", "dpo_zh", "kto", "images")
        for r in json.loads((SAMPLES / "llama_factory" / f"{name}.json").read_text(encoding="utf-8"))
    ]
    chats = [r for name in CHAT_SAMPLES for r in _lines(SAMPLES / name)]
    refused = 0
    for _ in range(1500):
        name = rng.choice(sorted(natives))
        try:
            FORMATS[name].to_chat(_mutated(rng.choice(natives[name]), rng))
        except Refusal:
            refused += 1
        record = _mutated(rng.choice(chats), rng)
        for written in ("vertex", "bedrock-nova", "trl", "llama-factory"):
            try:
                FORMATS[written].from_chat(record)
            except Refusal:
                refused += 1
    assert refused > 500  # the mutations do break records, and each break is a Refusal


def test_sharegpt_turn_counts_llama_factory_would_drop_are_refused() -> None:
    odd = {
        "conversations": [
            {"from": "human", "value": "a"},
            {"from": "gpt", "value": "b"},
            {"from": "human", "value": "c"},
        ]
    }
    with pytest.raises(Refusal, match="needs an even number"):
        FORMATS["llama-factory"].to_chat(odd)
    pair = {**odd, "chosen": {"from": "gpt", "value": "d"}, "rejected": {"from": "gpt", "value": "e"}}
    assert (
        FORMATS["llama-factory"].to_chat(pair).kind == "preference"
    )  # a preference prompt ends with the human


@pytest.mark.parametrize("name", ["vertex", "bedrock-nova", "trl", "llama-factory"])
def test_weight_one_is_dropped_with_a_note(name: str) -> None:
    record = _chat(_U, {**_A, "weight": 1})
    out = FORMATS[name].from_chat(record)
    assert any("weight 1 dropped" in note for note in out.notes)
    assert FORMATS[name].to_chat(out.record).record == _chat(_U, _A)
