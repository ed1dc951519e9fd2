"""The benchmark data generator: deterministic, valid chat records, and the shares it promises."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

GENERATOR = Path(__file__).resolve().parents[1] / "benchmarks" / "generate_chat.py"
N = 2000


def _load_generator() -> ModuleType:
    # benchmarks/ is not a package: load the script by path.
    spec = importlib.util.spec_from_file_location("generate_chat", GENERATOR)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("generate_chat", module)
    spec.loader.exec_module(module)
    return module


gen = _load_generator()


@pytest.fixture(scope="module")
def records() -> list[dict[str, Any]]:
    return list(gen.generate(N, seed=7))


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path: Path) -> None:
    a, b, c = tmp_path / "a.jsonl", tmp_path / "b.jsonl", tmp_path / "c.jsonl"
    size = gen.write(a, 300, seed=7)
    gen._pools.cache_clear()  # rebuild the sentence pools too, not only the conversations
    gen.write(b, 300, seed=7)
    gen.write(c, 300, seed=8)
    assert size == a.stat().st_size > 0
    assert _digest(a) == _digest(b)
    assert _digest(a) != _digest(c)
    assert not list(tmp_path.glob("*.tmp")), "temporary file left behind"


def test_prefix_is_stable_across_lengths() -> None:
    # A longer run starts with the shorter run's records: n only decides where to stop.
    assert list(gen.generate(50, seed=7)) == list(gen.generate(80, seed=7))[:50]


def test_cli_writes_the_requested_number_of_lines(tmp_path: Path) -> None:
    out = tmp_path / "sub" / "chat.jsonl"
    assert gen.main(["--examples", "25", "--seed", "7", "-o", str(out)]) == 0
    lines = out.read_bytes().splitlines()
    assert len(lines) == 25
    assert all(isinstance(json.loads(line), dict) for line in lines)


def _problems(record: dict[str, Any]) -> list[str]:
    """Basic validity per the chat fine-tuning format (REFERENCE.md section 1)."""
    problems = []
    messages = record.get("messages")
    if not isinstance(messages, list) or not messages:
        return ["no messages"]
    if set(record) - {"messages", "tools", "parallel_tool_calls"}:
        problems.append(f"unexpected keys {sorted(record)}")
    open_ids: set[str] = set()
    for i, m in enumerate(messages):
        role = m.get("role")
        if role not in ("system", "user", "assistant", "tool"):
            problems.append(f"{i}: role {role!r}")
        if role in ("system", "user", "tool") and not (isinstance(m.get("content"), str) and m["content"]):
            problems.append(f"{i}: {role} without text content")
        if role == "assistant":
            calls = m.get("tool_calls", [])
            if not calls and not isinstance(m.get("content"), str):
                problems.append(f"{i}: assistant without content or tool_calls")
            for call in calls:
                if call.get("type") != "function" or not isinstance(call["function"].get("name"), str):
                    problems.append(f"{i}: malformed tool call")
                json.loads(call["function"]["arguments"])  # arguments are JSON text
                open_ids.add(call["id"])
            if m.get("weight", 1) not in (0, 1):
                problems.append(f"{i}: weight {m['weight']!r}")
        if role == "tool" and m.get("tool_call_id") not in open_ids:
            problems.append(f"{i}: tool message answers no earlier call")
        if role == "system" and i != 0:
            problems.append(f"{i}: system message not first")
    if messages[-1].get("role") != "assistant" or messages[-1].get("tool_calls"):
        problems.append("does not end with an assistant answer")
    if "tools" in record:
        called = {c["function"]["name"] for m in messages for c in m.get("tool_calls", [])}
        offered = {t["function"]["name"] for t in record["tools"]}
        if not called <= offered:
            problems.append(f"calls {called - offered} not offered in tools")
    return problems


def test_every_record_is_valid(records: list[dict[str, Any]]) -> None:
    bad = {i: p for i, r in enumerate(records) if (p := _problems(r))}
    assert not bad, list(bad.items())[:5]


def test_validity_check_catches_broken_records() -> None:
    # The check above must be able to fail.
    unanswered = {
        "messages": [{"role": "user", "content": "hi"}, {"role": "tool", "tool_call_id": "x", "content": "1"}]
    }
    assert _problems(unanswered)
    assert _problems({"messages": [{"role": "user", "content": "hi"}]})


def _has_non_latin(record: dict[str, Any]) -> bool:
    return any(ord(ch) > 0x24F for ch in json.dumps(record, ensure_ascii=False))


def test_promised_shares(records: list[dict[str, Any]]) -> None:
    lines = [json.dumps(r, sort_keys=True) for r in records]
    repeats = len(lines) - len(set(lines))
    non_latin = sum(_has_non_latin(r) for r in records)
    with_tools = sum("tools" in r for r in records)
    # Shares with generous bounds around the generator's constants (2,000 examples).
    assert 0.5 * gen.EXACT_DUP_SHARE * N <= repeats <= 2 * gen.EXACT_DUP_SHARE * N
    assert 0.5 * gen.NON_LATIN_SHARE * N <= non_latin <= 2 * gen.NON_LATIN_SHARE * N
    assert 0.5 * gen.TOOL_SHARE * N <= with_tools <= 2 * gen.TOOL_SHARE * N
    assert any("\u4e00" <= ch <= "\u9fff" for r in records for ch in json.dumps(r, ensure_ascii=False))


def test_near_duplicates_differ_from_an_earlier_record_by_a_few_words(records: list[dict[str, Any]]) -> None:
    # A near copy keeps all but one message of its original verbatim; long messages never repeat by chance.
    first_with: dict[str, int] = {}
    near = 0
    for j, record in enumerate(records):
        texts = [m["content"] for m in record["messages"] if isinstance(m.get("content"), str)]
        earlier = {first_with[t] for t in texts if len(t) >= 300 and t in first_with}
        for i in earlier:
            other = [m["content"] for m in records[i]["messages"] if isinstance(m.get("content"), str)]
            if len(other) != len(texts) or other == texts:
                continue
            changed = [(a, b) for a, b in zip(texts, other, strict=True) if a != b]
            if len(changed) == 1 and len(set(changed[0][0].split()) ^ set(changed[0][1].split())) <= 6:
                near += 1
                break
        for t in texts:
            first_with.setdefault(t, j)
    assert near >= 0.3 * gen.NEAR_DUP_SHARE * N


def test_shape_and_length(records: list[dict[str, Any]]) -> None:
    sizes = sorted(len(json.dumps(r, ensure_ascii=False).encode()) for r in records)
    mean = sum(sizes) / len(sizes)
    assert 1500 <= mean <= 3000
    assert sizes[-1] > 5 * sizes[len(sizes) // 2], "no long tail"
    turns = Counter(sum(m["role"] == "user" for m in r["messages"]) for r in records)
    assert min(turns) == 1
    assert max(turns) == 8
    assert any(m.get("weight") == 0 for r in records for m in r["messages"])
    systems = {r["messages"][0]["content"] for r in records if r["messages"][0]["role"] == "system"}
    assert 3 <= len(systems) <= 20
