"""Fuzzing the three entry points (validate, convert, split) through the CLI with generated hostile input: JSON
that is almost right, wrong types in every place, bytes that are not text. Whatever comes in, the promise holds:
exit 0, 1 or 2, no traceback or internal error, the input unchanged. Bounded to run in well under 30 s."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dataprep.cli import main

pytestmark = pytest.mark.slow

_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=30),
)
_ROLES = st.sampled_from(["user", "assistant", "system", "tool", "function", "", "USER", "bot"])
_JSON: st.SearchStrategy[Any] = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
_MESSAGE = st.fixed_dictionaries(
    {"role": _ROLES | _JSON},
    optional={"content": st.text(max_size=40) | _JSON, "name": _JSON, "tool_calls": _JSON, "weight": _JSON},
)
_RECORD = st.one_of(
    st.fixed_dictionaries(
        {"messages": st.lists(_MESSAGE, max_size=5)}, optional={"tools": _JSON, "extra": _JSON}
    ),
    st.dictionaries(st.text(max_size=10), _JSON, max_size=5),
    _JSON,
)


def _line(record: Any, damage: int, raw: bytes) -> bytes:
    text = json.dumps(record, ensure_ascii=False).encode("utf-8", "surrogatepass")
    if damage == 1:
        return text[: len(text) // 2]  # cut short
    if damage == 2:
        return raw  # arbitrary bytes
    if damage == 3:
        return text.replace(b'"', b"'", 1)
    return text


_LINES = st.lists(
    st.builds(_line, _RECORD, st.integers(min_value=0, max_value=6), st.binary(max_size=40)),
    min_size=0,
    max_size=12,
)
_SETTINGS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
)


def _run(args: list[str], path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()  # capsys spans every example: start each from nothing
    before = path.read_bytes()
    code = main(args)
    said = capsys.readouterr()
    text = said.out + said.err
    assert code in (0, 1, 2), text
    assert "Traceback" not in text and "internal error" not in text, text
    assert path.read_bytes() == before


@_SETTINGS
@given(lines=_LINES, end=st.sampled_from([b"\n", b"\r\n", b""]))
def test_validate_fuzz(capsys: pytest.CaptureFixture[str], lines: list[bytes], end: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fuzz.jsonl"
        path.write_bytes(end.join(lines) + end)
        _run(["validate", "--jobs", "1", "--format", "json", str(path)], path, capsys)


@_SETTINGS
@given(lines=_LINES, size=st.sampled_from(["0.5", "1", "3", "0.1"]), stratify=st.booleans())
def test_split_fuzz(
    capsys: pytest.CaptureFixture[str], lines: list[bytes], size: str, stratify: bool
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fuzz.jsonl"
        path.write_bytes(b"\n".join(lines) + b"\n")
        extra = ["--stratify", "extra"] if stratify else []
        _run(["split", str(path), "--validation-size", size, *extra], path, capsys)


_CELLS = st.text(max_size=30) | st.sampled_from(['"', '""', "\x00", "[1,2]", '{"a": 1}', "\r", "=1+1"])


@_SETTINGS
@given(
    rows=st.lists(st.lists(_CELLS, min_size=0, max_size=4), max_size=10),
    json_rows=st.lists(_RECORD, max_size=8),
    shape=st.sampled_from(["csv", "json", "jsonl"]),
)
def test_convert_fuzz(
    capsys: pytest.CaptureFixture[str], rows: list[list[str]], json_rows: list[Any], shape: str
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"fuzz.{shape}"
        if shape == "csv":
            body = "\n".join(",".join(row) for row in rows)
            path.write_bytes(("question,answer\n" + body + "\n").encode("utf-8", "surrogatepass"))
        elif shape == "json":
            path.write_bytes(json.dumps(json_rows, ensure_ascii=False).encode("utf-8", "surrogatepass"))
        else:
            path.write_bytes(b"".join(_line(r, 0, b"") + b"\n" for r in json_rows))
        out = Path(tmp) / "out.jsonl"
        _run(
            ["convert", str(path), "--user", "{question}", "--assistant", "{answer}", "-o", str(out)],
            path,
            capsys,
        )
