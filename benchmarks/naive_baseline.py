"""The naive baseline: a single-process check in the style of the public OpenAI cookbook notebook
("Chat_finetuning_data_prep"), kept so every speed claim is measured against the same thing.

Deliberately naive, as such scripts are: `json.loads` every line into a list held in memory, loop through it
for format checks, loop again to count tokens with tiktoken `encode` (one call per value), then print the
distributions and the epoch/billing estimate. Differences from the notebook, so it runs on current data without
crashing: structured values (`tool_calls`, `function_call`) count as their JSON text, `weight` and nulls count
nothing, and the `tool` role and its keys are recognised. The encoding is loaded offline through
`dataprep.tokens.get_encoding`.

CLI: python benchmarks/naive_baseline.py FILE [--encoding o200k_base] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

KNOWN_MESSAGE_KEYS = {"role", "content", "name", "function_call", "tool_calls", "tool_call_id", "weight"}
KNOWN_ROLES = {"system", "user", "assistant", "tool", "function"}
CONTEXT_LIMIT = 16_385
TARGET_EPOCHS = 3
MIN_TARGET_EXAMPLES = 100
MAX_TARGET_EXAMPLES = 25_000
MIN_DEFAULT_EPOCHS = 1
MAX_DEFAULT_EPOCHS = 25


def format_errors(dataset: list[Any]) -> Counter[str]:
    """The notebook's checks: counts of each kind of format problem."""
    errors: Counter[str] = Counter()
    for example in dataset:
        if not isinstance(example, dict):
            errors["data_type"] += 1
            continue
        messages = example.get("messages")
        if not messages:
            errors["missing_messages_list"] += 1
            continue
        for message in messages:
            if "role" not in message or ("content" not in message and "tool_calls" not in message):
                errors["message_missing_key"] += 1
            if any(key not in KNOWN_MESSAGE_KEYS for key in message):
                errors["message_unrecognized_key"] += 1
            if message.get("role") not in KNOWN_ROLES:
                errors["unrecognized_role"] += 1
            content = message.get("content")
            if (
                not message.get("tool_calls")
                and not message.get("function_call")
                and not isinstance(content, str)
            ):
                errors["missing_content"] += 1
        if not any(message.get("role") == "assistant" for message in messages):
            errors["example_missing_assistant_message"] += 1
    return errors


def value_tokens(encoding: Any, value: Any) -> int:
    if isinstance(value, str):
        return len(encoding.encode(value))
    if value is None or isinstance(value, (bool, int, float)):
        return 0
    return len(encoding.encode(json.dumps(value)))


def num_tokens(encoding: Any, messages: list[dict[str, Any]]) -> int:
    """The reference formula: 3 per message, every value (a name 1 more), 3 for reply priming."""
    total = 0
    for message in messages:
        total += 3
        for key, value in message.items():
            if key == "weight":
                continue
            total += value_tokens(encoding, value)
            if key == "name":
                total += 1
    return total + 3


def num_assistant_tokens(encoding: Any, messages: list[dict[str, Any]]) -> int:
    return sum(value_tokens(encoding, m.get("content")) for m in messages if m.get("role") == "assistant")


def distribution(values: list[int]) -> dict[str, float]:
    ordered = sorted(values)
    if not ordered:
        return {}

    def quantile(q: float) -> float:
        position = q * (len(ordered) - 1)
        low = int(position)
        high = min(low + 1, len(ordered) - 1)
        return ordered[low] + (ordered[high] - ordered[low]) * (position - low)

    return {
        "min": ordered[0],
        "max": ordered[-1],
        "mean": sum(ordered) / len(ordered),
        "median": quantile(0.5),
        "p10": quantile(0.1),
        "p90": quantile(0.9),
    }


def epochs_for(n: int) -> int:
    if n * TARGET_EPOCHS < MIN_TARGET_EXAMPLES:
        return min(MAX_DEFAULT_EPOCHS, MIN_TARGET_EXAMPLES // n)
    if n * TARGET_EPOCHS > MAX_TARGET_EXAMPLES:
        return max(MIN_DEFAULT_EPOCHS, MAX_TARGET_EXAMPLES // n)
    return TARGET_EPOCHS


def run(path: str, encoding_name: str = "o200k_base") -> dict[str, Any]:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))  # run as a script from a checkout where dataprep is not installed
    from dataprep.tokens import get_encoding

    encoding = get_encoding(encoding_name)
    with open(path, encoding="utf-8") as handle:
        dataset = [json.loads(line) for line in handle]

    errors = format_errors(dataset)
    counted = [ex for ex in dataset if isinstance(ex, dict) and isinstance(ex.get("messages"), list)]
    totals = [num_tokens(encoding, ex["messages"]) for ex in counted]
    assistant = [num_assistant_tokens(encoding, ex["messages"]) for ex in counted]
    too_long = sum(total > CONTEXT_LIMIT for total in totals)
    epochs = epochs_for(len(dataset)) if dataset else 0
    billed = sum(min(CONTEXT_LIMIT, total) for total in totals)
    return {
        "examples": len(dataset),
        "format_errors": dict(errors),
        "tokens": sum(totals),
        "total_tokens": distribution(totals),
        "assistant_tokens": distribution(assistant),
        "too_long": too_long,
        "epochs": epochs,
        "billed_tokens": billed,
        "charged_tokens": billed * epochs,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Naive single-process chat JSONL check (cookbook style).")
    parser.add_argument("file")
    parser.add_argument("--encoding", default="o200k_base")
    parser.add_argument("--json", action="store_true", help="print the summary as one JSON object")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    summary = run(args.file, args.encoding)
    summary["seconds"] = time.perf_counter() - start
    if args.json:
        print(json.dumps(summary))
    else:
        print(f"{summary['examples']} examples, format errors: {summary['format_errors'] or 'none'}")
        for label in ("total_tokens", "assistant_tokens"):
            stats = ", ".join(f"{k} {v:g}" for k, v in summary[label].items())
            print(f"{label}: {stats}")
        print(f"{summary['too_long']} examples over {CONTEXT_LIMIT} tokens")
        print(
            f"~{summary['billed_tokens']} billed tokens x {summary['epochs']} epochs = "
            f"{summary['charged_tokens']} charged tokens ({summary['seconds']:.2f} s)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
