"""The hostile corpus: one small file per hostile shape an audit threw at dataprep (issue 15), built on demand.

Each shape is (file name, bytes, command): the command is what runs over it (`validate`, `split` or `convert`).
`python -m tests.hostile.generate DIR` writes them to DIR to try by hand; tests/test_hostile_corpus.py runs
every one and holds the promises: no traceback, exit 0/1/2, the input unchanged, the file named.
"""

from __future__ import annotations

import gzip
import io
import json
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

_GOOD = json.dumps(
    {"messages": [{"role": "user", "content": "Cumin?"}, {"role": "assistant", "content": "Yes."}]}
)
_GOOD_B = _GOOD.encode()


def _lines(*items: bytes | str, end: bytes = b"\n") -> bytes:
    return b"".join((i.encode() if isinstance(i, str) else i) + end for i in items)


def _deep(depth: int) -> str:
    return "[" * depth + "]" * depth


def _xlsx_cut() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook>" + "x" * 2000)
    data = buffer.getvalue()
    return data[: len(data) * 2 // 3]


def _parquet_noise() -> bytes:
    return b"PAR1" + bytes(range(256)) * 4 + b"\x10\x00\x00\x00PAR1"


CSV_HEAD = b"question,answer\n"

# (name, command, bytes). Commands: validate, split, convert (question/answer templates).
SHAPES: list[tuple[str, str, Callable[[], bytes]]] = [
    ("empty.jsonl", "validate", lambda: b""),
    ("blank-lines.jsonl", "validate", lambda: b"\n\n  \n\t\n"),
    ("invalid-utf8.jsonl", "validate", lambda: _lines(_GOOD_B, b'{"messages": "\xff\xfe bad"}')),
    ("bom.jsonl", "validate", lambda: b"\xef\xbb\xbf" + _lines(_GOOD, _GOOD)),
    ("crlf.jsonl", "validate", lambda: _lines(_GOOD, _GOOD, end=b"\r\n")),
    ("cr-only.jsonl", "validate", lambda: _lines(_GOOD, _GOOD, _GOOD, end=b"\r")),
    ("utf16.jsonl", "validate", lambda: (_GOOD + "\n" + _GOOD + "\n").encode("utf-16")),
    (
        "nan.jsonl",
        "validate",
        lambda: _lines(_GOOD[:-1] + ', "score": NaN}', _GOOD[:-1] + ', "x": Infinity}'),
    ),
    ("binary.jsonl", "validate", lambda: bytes(range(256)) * 64),
    ("nul-bytes.jsonl", "validate", lambda: _lines(_GOOD_B, b"\x00" * 100, _GOOD_B)),
    ("no-final-newline.jsonl", "validate", lambda: _GOOD_B + b"\n" + _GOOD_B[:-9]),
    ("scalars.jsonl", "validate", lambda: _lines("1", '"text"', "null", "[]", "true")),
    ("deep-300.jsonl", "validate", lambda: _lines('{"messages": ' + _deep(300) + "}")),
    ("deep-5000.jsonl", "validate", lambda: _lines('{"messages": ' + _deep(5000) + "}")),
    ("deep-split.jsonl", "split", lambda: _lines(_GOOD, '{"messages": ' + _deep(3000) + "}", _GOOD)),
    ("surrogate.jsonl", "validate", lambda: _lines(_GOOD.replace("Cumin?", "\\ud800"))),
    (
        "huge-numbers.jsonl",
        "validate",
        lambda: _lines(_GOOD[:-1] + ', "n": 1e400}', _GOOD[:-1] + ', "n": ' + "9" * 400 + "}"),
    ),
    ("duplicate-keys.jsonl", "validate", lambda: _lines('{"messages": [], "messages": ' + _GOOD[13:])),
    (
        "unknown-keys.jsonl",
        "validate",
        lambda: _lines(json.dumps({**json.loads(_GOOD), **{f"k{i}": i for i in range(5000)}})),
    ),
    ("spaces.jsonl", "validate", lambda: _lines(_GOOD.replace("Cumin?", " " * 300_000 + "\t" * 300_000))),
    ("long-line.jsonl", "validate", lambda: _lines(_GOOD.replace("Yes.", "y" * 3_000_000))),
    ("malformed-many.jsonl", "validate", lambda: _lines(*(['{"messages": [1,]}'] * 2000))),
    ("split-garbage.jsonl", "split", lambda: bytes(range(256)) * 16 + b"\n" + _GOOD_B + b"\n"),
    ("quotes.csv", "convert", lambda: CSV_HEAD + b'"unterminated,answer\nq,a\n'),
    ("header-only.csv", "convert", lambda: CSV_HEAD),
    ("binary.csv", "convert", lambda: CSV_HEAD + bytes(range(256)) * 8),
    (
        "deep-cell.jsonl.src.json",
        "convert",
        lambda: ('[{"question": "q", "answer": ' + _deep(3000) + "}]").encode(),
    ),
    ("cut.csv.gz", "convert", lambda: gzip.compress(CSV_HEAD + b"q,a\n" * 5000)[:200]),
    ("not-gzip.csv.gz", "convert", lambda: CSV_HEAD + b"q,a\n"),
    ("noise.parquet", "convert", _parquet_noise),
    ("cut.xlsx", "convert", _xlsx_cut),
    ("json-array-cut.json", "convert", lambda: b'[{"question": "q", "answer": "a"}, {"question": '),
    (
        "wide.csv",
        "convert",
        lambda: (
            ",".join(f"c{i}" for i in range(200_000))
            + "\n"
            + ",".join("x" * 1 for _ in range(200_000))
            + "\n"
        ).encode(),
    ),
]


def write(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, _command, build in SHAPES:
        path = folder / name.replace(".src.json", ".json")
        path.write_bytes(build())
        paths.append(path)
    return paths


if __name__ == "__main__":
    for written in write(Path(sys.argv[1] if len(sys.argv) > 1 else "hostile-corpus")):
        print(written)
