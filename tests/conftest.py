"""Shared fixtures: small chat records and a helper that writes JSONL lines to a temporary file."""

from __future__ import annotations

import json
import os
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "sample_data"

# The two-line worked example of REFERENCE.md section 3 (reference counts: cl100k [58, 54], o200k [58, 52]).
WORKED_EXAMPLE: list[dict[str, Any]] = [
    {
        "messages": [
            {"role": "system", "content": "You turn pantry lists into shopping advice."},
            {
                "role": "user",
                "content": "I have rice, two eggs and half an onion. What should I buy for fried rice?",
            },
            {
                "role": "assistant",
                "content": "Buy soy sauce, spring onions and frozen peas; you already have the rest.",
            },
        ]
    },
    {
        "messages": [
            {"role": "user", "name": "kai", "content": "Is 37.5 °C a fever?"},
            {"role": "assistant", "content": "Usually not: most guides put a fever at 38 °C or above."},
            {"role": "user", "content": "Thanks!"},
            {"role": "assistant", "content": "You're welcome."},
        ]
    },
]


def user(text: str = "What is a good spice for lentils?") -> dict[str, Any]:
    return {"role": "user", "content": text}


def assistant(text: str = "Cumin, with a little smoked paprika.", **extra: Any) -> dict[str, Any]:
    return {"role": "assistant", "content": text, **extra}


def chat(*messages: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"messages": list(messages or (user(), assistant())), **extra}


def to_line(item: bytes | str | dict[str, Any] | list[Any]) -> bytes:
    if isinstance(item, bytes):
        return item
    if isinstance(item, str):
        return item.encode("utf-8")
    return json.dumps(item, ensure_ascii=False).encode("utf-8")


@pytest.fixture
def write_jsonl(tmp_path: Path) -> Callable[..., Path]:
    counter = iter(range(10_000))

    def write(
        lines: Sequence[bytes | str | dict[str, Any] | list[Any]],
        name: str | None = None,
        *,
        end: bytes = b"\n",
    ) -> Path:
        path = tmp_path / (name or f"data{next(counter)}.jsonl")
        path.write_bytes(b"".join(to_line(line) + end for line in lines))
        return path

    return write


@pytest.fixture(autouse=True)
def _no_user_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Run every test from a folder with no dataprep configuration above it."""
    monkeypatch.chdir(tmp_path)


def _untrace_forked_child() -> None:
    """Coverage's line tracer survives fork, so a process-pool worker forked from a test would trace every line
    it runs and then exit without saving any of it (pytest-cov measures the test processes only): stop it."""
    tracer = sys.gettrace()
    if tracer is not None and type(tracer).__module__.startswith("coverage"):
        sys.settrace(None)
        threading.settrace(None)  # type: ignore[arg-type]


os.register_at_fork(after_in_child=_untrace_forked_child)
