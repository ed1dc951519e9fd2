"""Schema-check speed: the hand-written fast path vs jsonschema on realistic chat records.

Run: .venv/bin/python benchmarks/bench_schema.py [N]   (default 20000 records, one core, in-process)
"""

from __future__ import annotations

import json
import random
import sys
import time
from collections.abc import Callable
from typing import Any

from jsonschema import Draft202012Validator

from dataprep.rules.schema import schema_problems as check_record
from dataprep.schema.checks import load_schema
from dataprep.schema.fast import fast_is_valid
from dataprep.types import Kind

WORDS = [
    "the",
    "a",
    "rice",
    "egg",
    "onion",
    "soy",
    "buy",
    "fever",
    "doctor",
    "weather",
    "city",
    "tool",
    "answer",
]


def sentence(rng: random.Random, low: int = 4, high: int = 40) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(low, high)))


def record(rng: random.Random, i: int) -> dict[str, Any]:
    """1-10 messages: optional system, user/assistant turns, one in five records with a tool round trip."""
    messages: list[dict[str, Any]] = []
    if rng.random() < 0.6:
        messages.append({"role": "system", "content": sentence(rng)})
    tools = rng.random() < 0.2
    while len(messages) < rng.randint(1, 10):
        messages.append({"role": "user", "content": sentence(rng)})
        if tools and rng.random() < 0.5:
            call = f"call_{i}_{len(messages)}"
            arguments = json.dumps({"city": rng.choice(["Rome", "Paris"])})
            function = {"name": "weather", "arguments": arguments}
            messages.append(
                {
                    "role": "assistant",
                    "content": None,
                    "tool_calls": [{"id": call, "type": "function", "function": function}],
                }
            )
            messages.append({"role": "tool", "tool_call_id": call, "content": "22 C"})
        reply: dict[str, Any] = {"role": "assistant", "content": sentence(rng)}
        if rng.random() < 0.1:
            reply["weight"] = rng.choice([0, 1])
        messages.append(reply)
    out: dict[str, Any] = {"messages": messages[:10]}
    if tools:
        out["tools"] = [
            {
                "type": "function",
                "function": {
                    "name": "weather",
                    "description": "Current weather",
                    "parameters": {"type": "object"},
                },
            }
        ]
    return out


def rate(label: str, fn: Callable[[Any], object], records: list[Any]) -> float:
    best = 0.0
    for _ in range(3):
        start = time.perf_counter()
        for r in records:
            fn(r)
        best = max(best, len(records) / (time.perf_counter() - start))
    print(f"{label:<42} {best:>12,.0f} records/s")
    return best


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    rng = random.Random(42)
    records = [record(rng, i) for i in range(n)]
    validator = Draft202012Validator(load_schema(Kind.CHAT))
    assert all(fast_is_valid(r, Kind.CHAT) for r in records)
    print(f"{n} chat records, {sum(len(r['messages']) for r in records) / n:.1f} messages on average")
    slow = rate("jsonschema Draft202012Validator.is_valid", validator.is_valid, records)
    fast = rate("schema_fast.fast_is_valid", lambda r: fast_is_valid(r, Kind.CHAT), records)
    rate("check_record, valid records", lambda r: check_record(r, Kind.CHAT), records)
    print(f"fast path speed-up: {fast / slow:.0f}x")
    sample = records[: n // 10]
    stray_key = [dict(r, id=i) for i, r in enumerate(sample)]
    rate("check_record, stray top-level key", lambda r: check_record(r, Kind.CHAT), stray_key)
    bad_message = [
        dict(r, messages=[*r["messages"][:-1], {**r["messages"][-1], "weight": 2}]) for r in sample
    ]
    rate("check_record, one bad message", lambda r: check_record(r, Kind.CHAT), bad_message)
    rate("jsonschema iter_errors, one bad message", lambda r: list(validator.iter_errors(r)), bad_message)


if __name__ == "__main__":
    main()
