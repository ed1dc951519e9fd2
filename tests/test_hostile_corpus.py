"""The hostile corpus (tests/hostile/generate.py): every shape through the CLI, holding the promises of issue 15:
no traceback and no internal error, exit 0, 1 or 2, the input bytes unchanged, and the file named in what is said."""

from __future__ import annotations

from pathlib import Path

import pytest

from dataprep.cli import main
from tests.hostile.generate import SHAPES

QA = ["--user", "{question}", "--assistant", "{answer}"]


@pytest.mark.parametrize(("name", "command", "build"), SHAPES, ids=[s[0] for s in SHAPES])
def test_hostile_shape(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, command: str, build: object
) -> None:
    path = tmp_path / name.replace(".src.json", ".json")
    path.write_bytes(build())  # type: ignore[operator]
    before = path.read_bytes()
    if command == "convert":
        args = ["convert", str(path), *QA, "-o", str(tmp_path / "out.jsonl")]
    elif command == "split":
        args = ["split", str(path)]
    else:
        args = ["validate", "--jobs", "1", str(path)]
    code = main(args)
    said = capsys.readouterr()
    text = said.out + said.err
    assert code in (0, 1, 2), text[-2000:]
    assert "Traceback" not in text and "internal error" not in text, text[-2000:]
    assert path.read_bytes() == before
    assert path.name in text, text[-2000:]
    assert len(said.err) < 100_000  # a message, not a dump of the input
