"""The vendored encodings work with no network and no tiktoken cache, and a damaged file is refused."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from types import ModuleType

import pytest

from dataprep.errors import EncodingError
from dataprep.tokens import ENCODINGS_DIR, OFFICIAL_SHA256, available_encodings, get_encoding

ROOT = Path(__file__).resolve().parent.parent

# The worked example of REFERENCE.md section 3, as the file lines.
WORKED_EXAMPLE_JSONL = (
    '{"messages": [{"role": "system", "content": "You turn pantry lists into shopping advice."}, '
    '{"role": "user", "content": "I have rice, two eggs and half an onion. What should I buy for fried rice?"}, '
    '{"role": "assistant", "content": "Buy soy sauce, spring onions and frozen peas; you already have the rest."}]}\n'
    '{"messages": [{"role": "user", "name": "kai", "content": "Is 37.5 °C a fever?"}, '
    '{"role": "assistant", "content": "Usually not: most guides put a fever at 38 °C or above."}, '
    '{"role": "user", "content": "Thanks!"}, {"role": "assistant", "content": "You\'re welcome."}]}\n'
)

# Runs in a fresh interpreter: every way out to the network raises, then the worked example is counted.
OFFLINE_PROGRAM = textwrap.dedent(
    """
    import json, socket, sys

    def refuse(*args, **kwargs):
        raise OSError("network disabled by the test")

    socket.socket.connect = refuse
    socket.socket.connect_ex = refuse
    socket.create_connection = refuse
    socket.getaddrinfo = refuse

    from dataprep.tokens import count_chat_record, get_encoding

    records = [json.loads(line) for line in sys.argv[1].splitlines()]
    result = {}
    for name in ("cl100k_base", "o200k_base"):
        counts = [count_chat_record(r, get_encoding(name)) for r in records]
        result[name] = [[c.total for c in counts], [c.assistant for c in counts]]

    try:  # prove the block holds: a connection attempt must meet it
        socket.create_connection(("127.0.0.1", 9), timeout=1)
        result["block"] = "open"
    except OSError as exc:
        result["block"] = str(exc)
    print(json.dumps(result))
    """
)


def test_counts_need_no_network_and_no_tiktoken_cache(tmp_path: Path) -> None:
    cache = tmp_path / "tiktoken-cache"
    cache.mkdir()
    env = {**os.environ, "TIKTOKEN_CACHE_DIR": str(cache), "PYTHONPATH": str(ROOT)}
    env.pop("DATA_GYM_CACHE_DIR", None)
    proc = subprocess.run(
        [sys.executable, "-c", OFFLINE_PROGRAM, WORKED_EXAMPLE_JSONL],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["cl100k_base"] == [[58, 54], [16, 20]]
    assert result["o200k_base"] == [[58, 52], [16, 19]]
    assert result["block"] == "network disabled by the test"
    assert list(cache.iterdir()) == []


def test_vendored_files_are_the_official_ones() -> None:
    assert available_encodings() == ["cl100k_base", "o200k_base"]
    for name, digest in OFFICIAL_SHA256.items():
        assert hashlib.sha256((ENCODINGS_DIR / f"{name}.tiktoken").read_bytes()).hexdigest() == digest
        meta = json.loads((ENCODINGS_DIR / f"{name}.json").read_text(encoding="utf-8"))
        assert meta["sha256"] == digest
        assert meta["special_tokens"]["<|endoftext|>"] in (100257, 199999)


def copy_encoding(name: str, target: Path) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    for suffix in (".tiktoken", ".json"):
        shutil.copyfile(ENCODINGS_DIR / f"{name}{suffix}", target / f"{name}{suffix}")
    return target


def test_intact_copy_loads_from_another_directory(tmp_path: Path) -> None:
    folder = copy_encoding("cl100k_base", tmp_path / "enc")
    enc = get_encoding("cl100k_base", directory=folder)
    assert enc.encode_ordinary("hello world") == get_encoding("cl100k_base").encode_ordinary("hello world")


def test_corrupted_file_fails_the_sha256_check(tmp_path: Path) -> None:
    folder = copy_encoding("cl100k_base", tmp_path / "enc")
    ranks = folder / "cl100k_base.tiktoken"
    data = bytearray(ranks.read_bytes())
    data[1000] ^= 0x01
    ranks.write_bytes(bytes(data))
    with pytest.raises(EncodingError, match=r"SHA-256 \w+ does not match"):
        get_encoding("cl100k_base", directory=folder)


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    folder = copy_encoding("cl100k_base", tmp_path / "enc")
    (folder / "cl100k_base.json").unlink()
    with pytest.raises(EncodingError, match=r"not available offline.*build_encodings"):
        get_encoding("cl100k_base", directory=folder)


def test_broken_metadata_is_a_clear_error(tmp_path: Path) -> None:
    folder = copy_encoding("cl100k_base", tmp_path / "enc")
    (folder / "cl100k_base.json").write_text('{"sha256": "x", "pat_str": 5}', encoding="utf-8")
    with pytest.raises(EncodingError, match="pat_str"):
        get_encoding("cl100k_base", directory=folder)
    (folder / "cl100k_base.json").write_text("not json", encoding="utf-8")
    with pytest.raises(EncodingError, match="cannot read"):
        get_encoding("cl100k_base", directory=folder)


def load_build_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_encodings", ROOT / "scripts" / "build_encodings.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def fake_npm_package(folder: Path, name: str) -> Path:
    """An npm-style encoders/<name>.json made from the vendored file, split over two `!` lines."""
    meta = json.loads((ENCODINGS_DIR / f"{name}.json").read_text(encoding="utf-8"))
    tokens = [
        line.split()[0].decode() for line in (ENCODINGS_DIR / f"{name}.tiktoken").read_bytes().splitlines()
    ]
    half = len(tokens) // 2
    bpe_ranks = f"! 0 {' '.join(tokens[:half])}\n! {half} {' '.join(tokens[half:])}"
    (folder / "encoders").mkdir(parents=True)
    npm = {"pat_str": meta["npm_pat_str"], "special_tokens": meta["special_tokens"], "bpe_ranks": bpe_ranks}
    (folder / "encoders" / f"{name}.json").write_text(json.dumps(npm), encoding="utf-8")
    (folder / "package.json").write_text('{"version": "0.0.0-test"}', encoding="utf-8")
    return folder


def test_build_script_rebuilds_the_official_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    build = load_build_script()
    package = fake_npm_package(tmp_path / "package", "cl100k_base")
    out = tmp_path / "out"
    assert build.main([str(package), "--out", str(out), "--name", "cl100k_base"]) == 0
    assert "verified" in capsys.readouterr().out
    assert (out / "cl100k_base.tiktoken").read_bytes() == (
        ENCODINGS_DIR / "cl100k_base.tiktoken"
    ).read_bytes()
    rebuilt = json.loads((out / "cl100k_base.json").read_text(encoding="utf-8"))
    vendored = json.loads((ENCODINGS_DIR / "cl100k_base.json").read_text(encoding="utf-8"))
    assert {k: v for k, v in rebuilt.items() if k != "source"} == {
        k: v for k, v in vendored.items() if k != "source"
    }


def test_build_script_refuses_a_wrong_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    build = load_build_script()
    package = fake_npm_package(tmp_path / "package", "cl100k_base")
    encoder = package / "encoders" / "cl100k_base.json"
    npm = json.loads(encoder.read_text(encoding="utf-8"))
    npm["bpe_ranks"] = npm["bpe_ranks"].replace("! 0 IQ== Ig==", "! 0 Ig== IQ==", 1)
    encoder.write_text(json.dumps(npm), encoding="utf-8")
    out = tmp_path / "out"
    assert build.main([str(package), "--out", str(out), "--name", "cl100k_base"]) == 1
    assert "expected 223921b7" in capsys.readouterr().err
    assert not out.exists() or not any(out.iterdir())
