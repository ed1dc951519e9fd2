"""Issue 15 items 7-10 and 12: hostile inputs that crashed or hung get a finding or a clear exit-2 message naming
the file; nothing is written over, nothing hangs, no traceback."""

from __future__ import annotations

import gzip
import json
import os
import threading
import time
from pathlib import Path

import orjson
import pandas as pd
import pytest

from dataprep.cli import main
from dataprep.tokens.encodings import get_encoding
from dataprep.tokens.openai import safe_encoder
from tests.conftest import assistant, chat, to_line, user
from tests.faults import assert_clean_exit, run_cli

QA = ["--user", "{question}", "--assistant", "{answer}", "--no-validate"]


def _deep(depth: int) -> str:
    return "[" * depth + "]" * depth


# --- item 7: deep nesting -----------------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [255, 300, 1_000, 5_000])
def test_deep_json_is_a_finding_in_validate_and_a_raw_split_in_split(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], depth: int
) -> None:
    path = tmp_path / "deep.jsonl"
    good = to_line(chat(user(), assistant()))
    path.write_bytes(b'{"messages": ' + _deep(depth).encode() + b"}\n" + good + b"\n")
    assert main(["validate", "-q", "--ignore", "DP5", str(path)]) == 1
    out = capsys.readouterr().out
    assert f"{path}:1:" in out and "DP009" in out
    assert main(["split", str(path), "--validation-size", "1"]) == 0
    capsys.readouterr()
    train, validation = tmp_path / "deep.train.jsonl", tmp_path / "deep.validation.jsonl"
    assert sorted(train.read_bytes().splitlines() + validation.read_bytes().splitlines()) == sorted(
        path.read_bytes().splitlines()
    )


def test_deep_nesting_in_convert_inputs_is_rejected_per_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "rows.jsonl"
    source.write_text(
        json.dumps({"question": "q1", "answer": "a1"}) + "\n"
        + '{"question": "q2", "answer": ' + _deep(2_000) + "}\n",
        encoding="utf-8",
    )  # fmt: skip
    out = tmp_path / "o.jsonl"
    assert main(["convert", str(source), *QA, "-o", str(out)]) == 0
    rejects = [orjson.loads(x) for x in (tmp_path / "o.jsonl.rejects.jsonl").read_bytes().splitlines()]
    assert [r["source"]["line"] for r in rejects] == [2]
    assert "deep" in rejects[0]["reason"]


@pytest.mark.parametrize("kind", ["mapping-toml", "mapping-yaml", "config-toml", "pyproject"])
def test_deeply_nested_mapping_and_configuration_files_are_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "faq.csv").write_text("question,answer\nq,a\n", encoding="utf-8")
    deep_toml = "x = " + _deep(5_000) + "\n"
    args = ["convert", "faq.csv", *QA, "-o", "o.jsonl"]
    if kind == "mapping-toml":
        (tmp_path / "m.toml").write_text(deep_toml, encoding="utf-8")
        args += ["--mapping", "m.toml"]
    elif kind == "mapping-yaml":
        (tmp_path / "m.yaml").write_text("x: " + _deep(5_000) + "\n", encoding="utf-8")
        args += ["--mapping", "m.yaml"]
    else:  # the configuration is validate's
        if kind == "config-toml":
            (tmp_path / "dataprep.toml").write_text(deep_toml, encoding="utf-8")
        else:
            (tmp_path / "pyproject.toml").write_text("[tool.dataprep]\n" + deep_toml, encoding="utf-8")
        (tmp_path / "d.jsonl").write_bytes(to_line(chat()) + b"\n")
        args = ["validate", "d.jsonl"]
    code = main(args)
    err = capsys.readouterr().err
    assert code == 2, err
    assert "Traceback" not in err and "RecursionError" not in err
    assert "internal error" not in err


# --- item 8: a million spaces -------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["o200k_base", "cl100k_base"])
@pytest.mark.parametrize("char", [" ", "\t", "\n", "7", "a", "é"])
def test_long_runs_are_counted_exactly_as_tiktoken_counts_them(encoding: str, char: str) -> None:
    enc = get_encoding(encoding)
    for n in (9_000, 40_000):
        text = "Before " + char * n + " after."
        assert len(safe_encoder(enc)(text)) == len(enc.encode_ordinary(text)), (char, n)


def test_a_million_spaces_are_counted_exactly_in_bounded_time() -> None:
    """tiktoken itself panics on 1,000,000 spaces; its own counts at 400,960 + one block 3,072 longer give the
    exact figure for 1,000,000 = 400,960 + 195 x 3,072 (a long run's count grows by one block's tokens)."""
    enc = get_encoding("o200k_base")
    for char in (" ", "\t"):
        base = len(enc.encode_ordinary("x " + char * 400_960 + "y"))
        step = len(enc.encode_ordinary("x " + char * (400_960 + 3_072) + "y")) - base
        started = time.monotonic()
        counted = len(safe_encoder(enc)("x " + char * 1_000_000 + "y"))
        assert time.monotonic() - started < 10
        assert counted == base + 195 * step


def test_validate_counts_a_million_spaces_without_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "spaces.jsonl"
    path.write_bytes(to_line(chat(user("Q" + " " * 1_000_000), assistant("\t" * 1_000_000 + "A"))) + b"\n")
    started = time.monotonic()
    result = run_cli(["validate", "--format", "json", "--jobs", "2", str(path)], timeout=60)
    assert time.monotonic() - started < 60
    assert_clean_exit(result, (1,))
    report = json.loads(result.stdout)
    assert any(f["code"] == "DP301" for f in report["findings"])  # over the limit: counted, not crashed


def test_a_tokenizer_failure_is_an_estimate_not_a_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    enc = get_encoding("o200k_base")

    class Panic(BaseException):  # what pyo3 raises for a Rust panic
        pass

    calls = {"n": 0}
    real = enc.encode_ordinary

    def flaky(text: str) -> list[int]:
        calls["n"] += 1
        if len(text) > 5_000:
            raise Panic("called `Result::unwrap()` on an `Err` value")
        return real(text)

    class Wrapped:
        encode_ordinary = staticmethod(flaky)

    text = "word " * 4_000
    counted = len(safe_encoder(Wrapped())(text))  # type: ignore[arg-type]
    assert abs(counted - len(real(text))) <= len(real(text)) // 10


# --- item 9: the unserializable reject path -----------------------------------------------------------------

_COPY_MAPPING = (
    'copy = ["meta"]\n\n[[messages]]\nrole = "user"\ncontent = "{question}"\n\n'
    '[[messages]]\nrole = "assistant"\ncontent = "{answer}"\n'
)
_HOSTILE_META = [
    ("big", "123456789012345678901234567890", "unserializable"),
    ("surrogate", '"\\ud800"', "lone-surrogate"),
    ("deep", _deep(300), "too-deep"),
    ("inf", "1e400", "non-standard-number"),
    ("digits", "9" * 400, "non-standard-number"),
]


@pytest.mark.parametrize("shape", ["jsonl", "json"])
def test_values_convert_cannot_write_are_rejected_alike_by_both_json_readers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], shape: str
) -> None:
    elements = [
        f'{{"question": "{name}?", "answer": "ok", "meta": {value}}}' for name, value, _ in _HOSTILE_META
    ]
    elements.append('{"question": "fine?", "answer": "ok", "meta": 1}')
    source = tmp_path / f"rows.{shape}"
    source.write_text("\n".join(elements) + "\n" if shape == "jsonl" else "[" + ",\n".join(elements) + "]\n")
    (tmp_path / "m.toml").write_text(_COPY_MAPPING, encoding="utf-8")
    out = tmp_path / "o.jsonl"
    assert (
        main(["convert", str(source), "--mapping", str(tmp_path / "m.toml"), "--no-validate", "-o", str(out)])
        == 0
    )
    assert "Traceback" not in capsys.readouterr().err
    assert [orjson.loads(x)["meta"] for x in out.read_bytes().splitlines()] == [1]
    rejects = [orjson.loads(x) for x in (tmp_path / "o.jsonl.rejects.jsonl").read_bytes().splitlines()]
    assert [r["reason"] for r in rejects] == [reason for _, _, reason in _HOSTILE_META]


def test_validate_classifies_huge_numbers_like_convert(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Smaller: 400-digit integers and 1e400 are DP008 in validate, as convert rejects them as non-standard."""
    lines = [
        '{"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}], "n": 1e400}',
        '{"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}], "n": '
        + "9" * 400
        + "}",
    ]
    path = tmp_path / "n.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    main(["validate", "-q", "--select", "DP0", str(path)])
    out = capsys.readouterr().out
    assert f"{path}:1:" in out and f"{path}:2:" in out and out.count("DP008") == 2


# --- item 10: unreadable inputs -----------------------------------------------------------------------------


def _csv_rows(n: int = 20_000) -> bytes:
    return ("question,answer\n" + "".join(f"Question {i}?,Answer {i}.\n" for i in range(n))).encode()


def _parquet(path: Path) -> bytes:
    frame = pd.DataFrame(
        {"question": [f"Q{i}?" for i in range(2_000)], "answer": [f"A{i}." for i in range(2_000)]}
    )
    frame.to_parquet(path)
    return path.read_bytes()


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("cut.csv.gz", "cut short"),
        ("plain.csv.gz", "Not a gzipped file"),
        ("pages.parquet", "cannot read"),
        ("footer.parquet", "not a readable Parquet file"),
    ],
)
def test_unreadable_inputs_are_exit_2_naming_the_file(tmp_path: Path, name: str, problem: str) -> None:
    source = tmp_path / name
    if name == "cut.csv.gz":
        packed = gzip.compress(_csv_rows())
        source.write_bytes(packed[: len(packed) // 2])
    elif name == "plain.csv.gz":
        source.write_bytes(_csv_rows())
    else:
        data = bytearray(_parquet(tmp_path / "good.parquet"))
        if name == "pages.parquet":
            data[100:400] = b"\xff" * 300  # the column pages, not the footer
        else:
            data = data[:500]
        source.write_bytes(bytes(data))
    before = source.read_bytes()
    result = run_cli(["convert", str(source), *QA, "-o", str(tmp_path / "o.jsonl")])
    assert_clean_exit(result)  # 2, not 130 "interrupted"
    assert str(source) in result.stderr and problem in result.stderr
    assert source.read_bytes() == before
    assert not (tmp_path / "o.jsonl").exists()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes")
@pytest.mark.parametrize("command", ["validate", "convert"])
def test_a_fifo_with_no_writer_is_refused_not_waited_on_forever(tmp_path: Path, command: str) -> None:
    fifo = tmp_path / ("pipe.jsonl" if command == "validate" else "pipe.csv")
    os.mkfifo(fifo)
    args = (
        ["validate", str(fifo)]
        if command == "validate"
        else ["convert", str(fifo), *QA, "-o", str(tmp_path / "o.jsonl")]
    )
    fault = "import dataprep.io.jsonl as j\nj.PIPE_WAIT_SECONDS = 1.0\n"
    started = time.monotonic()
    result = run_cli(args, fault=fault, timeout=30)
    assert time.monotonic() - started < 20
    assert_clean_exit(result)
    assert f"{fifo}: a named pipe with no writer" in result.stderr


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes")
def test_a_fifo_with_a_writer_is_read(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fifo = tmp_path / "pipe.jsonl"
    os.mkfifo(fifo)
    payload = b"".join(to_line(chat(user(f"q{i}?"), assistant(f"a{i}."))) + b"\n" for i in range(20))

    def write() -> None:
        with open(fifo, "wb") as handle:
            handle.write(payload)

    writer = threading.Thread(target=write)
    writer.start()
    try:
        assert main(["validate", "-q", "--jobs", "1", str(fifo)]) == 0
    finally:
        writer.join(10)


# Reads of .jsonl/.csv files fail with EIO (a failing disk, a vanished network mount) after 64 KB.
EIO_MID_FILE = """
import errno, io, pathlib
class _Failing(io.BufferedReader):
    def _check(self):
        if self.raw.tell() > 65536:
            raise OSError(errno.EIO, "Input/output error")
    def read(self, *a):
        self._check(); return super().read(*a)
    def read1(self, *a):
        self._check(); return super().read1(*a)
    def readline(self, *a):
        self._check(); return super().readline(*a)
    def readinto(self, *a):
        self._check(); return super().readinto(*a)
_open = pathlib.Path.open
def _flaky_open(self, mode="r", *a, **k):
    if self.suffix in (".jsonl", ".csv") and "r" in mode and "+" not in mode:
        handle = _Failing(io.FileIO(str(self), "rb"))
        return handle if "b" in mode else io.TextIOWrapper(handle, *a, **k)
    return _open(self, mode, *a, **k)
pathlib.Path.open = _flaky_open
import builtins
_builtin_open = builtins.open
def _flaky_builtin(file, mode="r", *a, **k):
    if str(file).endswith((".jsonl", ".csv")) and mode in ("r", "rb", "rt") and "dataprep" not in str(file):
        handle = _Failing(io.FileIO(str(file), "rb"))
        return handle if "b" in mode else io.TextIOWrapper(handle, *a, **k)
    return _builtin_open(file, mode, *a, **k)
builtins.open = _flaky_builtin
"""


@pytest.mark.parametrize("command", ["validate", "convert", "split"])
def test_a_read_error_mid_file_is_exit_2_naming_the_file(tmp_path: Path, command: str) -> None:
    if command == "convert":
        source = tmp_path / "rows.csv"
        source.write_bytes(_csv_rows())
        args = ["convert", str(source), *QA, "-o", str(tmp_path / "out.json")]
        args[args.index("-o") + 1] = str(tmp_path / "o.jsonl")
    else:
        source = tmp_path / "rows.jsonl"
        source.write_bytes(
            b"".join(to_line(chat(user(f"q{i}?"), assistant(f"a{i}."))) + b"\n" for i in range(3_000))
        )
        args = [command, str(source)]
    result = run_cli(args, fault=EIO_MID_FILE)
    assert_clean_exit(result)
    assert str(source.name) in result.stderr and "Input/output error" in result.stderr


# --- item 12: a file that grows between split's two passes ---------------------------------------------------

# After the first pass, something appends to the file being split.
GROW_BETWEEN_PASSES = """
import sys, dataprep.splitting as splitting
_finish = splitting.SideAssigner.finish
def _finish_then_grow(self):
    _finish(self)
    with open(sys.argv[2], "ab") as handle:
        for i in range(500):
            handle.write(b'{"messages": [{"role": "user", "content": "late %d"}, {"role": "assistant", "content": "x"}], "label": "new"}\\n' % i)
splitting.SideAssigner.finish = _finish_then_grow
"""


@pytest.mark.parametrize(
    "how", [["--validation-size", "50"], ["--validation-size", "0.2", "--stratify", "label"]]
)
def test_split_of_a_file_that_grows_between_passes_splits_what_it_read(
    tmp_path: Path, how: list[str]
) -> None:
    source = tmp_path / "data.jsonl"
    records = [
        chat(user(f"question {i}?"), assistant(f"answer {i}."), label=("a", "b")[i % 2]) for i in range(400)
    ]
    source.write_bytes(b"".join(to_line(r) + b"\n" for r in records))
    first_read = set(source.read_bytes().splitlines())
    result = run_cli(["split", str(source), *how], fault=GROW_BETWEEN_PASSES)
    assert_clean_exit(result, (0,))
    assert "grew by" in result.stdout + result.stderr
    train = (tmp_path / "data.train.jsonl").read_bytes().splitlines()
    validation = (tmp_path / "data.validation.jsonl").read_bytes().splitlines()
    assert set(train) | set(validation) == first_read and not set(train) & set(validation)


# --- smaller: an unknown column among a million header columns ----------------------------------------------


def test_an_unknown_column_among_a_million_is_a_short_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "wide.csv"
    header = ",".join(f"column_{i}" for i in range(1_000_000))
    source.write_text(header + "\n" + ",".join("x" for _ in range(1_000_000)) + "\n", encoding="utf-8")
    code = main(
        [
            "convert",
            str(source),
            "--user",
            "{nope}",
            "--assistant",
            "{column_1}",
            "-o",
            str(tmp_path / "o.jsonl"),
        ]
    )
    said = capsys.readouterr()
    assert code == 2
    assert "nope" in said.err and str(source) in said.err
    assert len(said.out) + len(said.err) < 10_000  # not the 10 MB header
