"""The vendored encodings work with no network and no tiktoken cache, and a damaged file is refused."""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

from dataprep.errors import EncodingError
from dataprep.tokens import ENCODINGS_DIR, OFFICIAL_SHA256, available_encodings, get_encoding
from dataprep.tokens import encodings as encodings_module
from dataprep.tokens.encodings import PACKED_SHA256
from dataprep.tokens.packed_ranks import pack, unpack

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


def official_ranks(name: str) -> dict[bytes, int]:
    """The ranks of the vendored .tiktoken file, read line by line with nothing clever."""
    ranks = {}
    for line in (ENCODINGS_DIR / f"{name}.tiktoken").read_bytes().splitlines():
        token, rank = line.split(b" ")
        ranks[base64.b64decode(token, validate=True)] = int(rank)
    return ranks


@pytest.mark.parametrize("name", sorted(OFFICIAL_SHA256))
def test_packed_ranks_are_the_official_ranks(name: str) -> None:
    data = (ENCODINGS_DIR / f"{name}.ranks").read_bytes()
    meta = json.loads((ENCODINGS_DIR / f"{name}.json").read_text(encoding="utf-8"))
    assert hashlib.sha256(data).hexdigest() == PACKED_SHA256[name] == meta["packed_sha256"]
    packed = unpack(data)
    assert packed.source_sha256 == OFFICIAL_SHA256[name]
    official = official_ranks(name)
    assert len(packed.ranks) == len(official) and packed.ranks == official
    # What the loader builds holds them too (the packed file is what it read: no other is in the folder).
    assert get_encoding(name)._mergeable_ranks == official


def test_the_loader_reads_the_packed_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    folder = copy_encoding("cl100k_base", tmp_path / "enc", packed=True)

    def refuse(data: bytes) -> dict[bytes, int]:
        raise AssertionError("the .tiktoken file was parsed")

    monkeypatch.setattr(encodings_module, "_parse_ranks", refuse)
    enc = get_encoding("cl100k_base", directory=folder)
    assert enc.encode_ordinary("hello world") == [15339, 1917]


def _truncated(path: Path) -> None:
    path.write_bytes(path.read_bytes()[:-1])


def _unreadable(path: Path) -> None:
    path.unlink()
    path.mkdir()  # reading a directory fails


@pytest.mark.parametrize(
    ("damage", "warning"),
    [(_truncated, "has SHA-256 \\w+, not the expected"), (_unreadable, "cannot be read")],
)
def test_a_damaged_packed_file_falls_back_to_the_tiktoken_file(
    tmp_path: Path, damage: Callable[[Path], None], warning: str
) -> None:
    folder = copy_encoding("cl100k_base", tmp_path / "enc", packed=True)
    damage(folder / "cl100k_base.ranks")
    with pytest.warns(RuntimeWarning, match=f"cl100k_base.ranks {warning}.*reading cl100k_base.tiktoken"):
        enc = get_encoding("cl100k_base", directory=folder)
    assert enc._mergeable_ranks == official_ranks("cl100k_base")


def test_a_packed_file_of_other_ranks_falls_back(tmp_path: Path) -> None:
    # Well-formed and matching the hash in its metadata (not a pinned name), but made from another file.
    name = "tiny_base"
    folder = tmp_path / "enc"
    folder.mkdir()
    ranks = {bytes([i]): i for i in range(256)}
    tiktoken_file = b"".join(base64.b64encode(t) + b" %d\n" % r for t, r in ranks.items())
    packed = pack(ranks, "0" * 64)
    (folder / f"{name}.tiktoken").write_bytes(tiktoken_file)
    (folder / f"{name}.ranks").write_bytes(packed)
    meta = json.loads((ENCODINGS_DIR / "cl100k_base.json").read_text(encoding="utf-8"))
    meta.update(
        name=name,
        sha256=hashlib.sha256(tiktoken_file).hexdigest(),
        packed_sha256=hashlib.sha256(packed).hexdigest(),
        special_tokens={"<|endoftext|>": 256},
    )
    (folder / f"{name}.json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.warns(RuntimeWarning, match="made from another .tiktoken file"):
        enc = get_encoding(name, directory=folder)
    assert enc._mergeable_ranks == ranks
    # Packed from the right file, it is read without a word.
    packed = pack(ranks, meta["sha256"])
    (folder / f"{name}.ranks").write_bytes(packed)
    meta["packed_sha256"] = hashlib.sha256(packed).hexdigest()
    (folder / f"{name}.json").write_text(json.dumps(meta), encoding="utf-8")
    encodings_module.clear_encoding_cache()
    assert get_encoding(name, directory=folder)._mergeable_ranks == ranks


def test_pack_and_unpack_round_trip_tokens_holding_any_byte() -> None:
    tokens = [bytes([i]) for i in range(256)] + [b"\x00\x01", b"ab", b"\n\n", bytes(range(256))]
    ranks = {token: rank for rank, token in enumerate(tokens)}
    data = pack(ranks, "f" * 64)
    header = data.split(b"\n", 1)[0].decode("ascii")
    assert header.startswith("dataprep-ranks/1 count=260 sep=") and "extra=" in header
    assert unpack(data).ranks == ranks
    assert list(unpack(data).ranks.values()) != []


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"no header line", "no header line"),
        (b"dataprep-ranks/2 count=1 sep=0 source-sha256=x extra=\na", "version 1"),
        (b"dataprep-ranks/1 count=x sep=0 source-sha256=x extra=\na", "malformed header"),
        (
            b"dataprep-ranks/1 count=2 sep=0 source-sha256=x extra=\na",
            "1 tokens in the body, the header says 2",
        ),
        (b"dataprep-ranks/1 count=2 sep=0 source-sha256=x extra=\na\x00a", "repeated or empty"),
        (b"dataprep-ranks/1 count=2 sep=0 source-sha256=x extra=\na\x00", "repeated or empty"),
        (b"dataprep-ranks/1 count=2 sep=0 source-sha256=x extra=AA==:1\na\x00b", "not an empty place"),
        (b"dataprep-ranks/1 count=1 sep=300 source-sha256=x extra=\na", "out of range"),
    ],
)
def test_unpack_refuses_malformed_files(data: bytes, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        unpack(data)


def test_pack_refuses_what_it_cannot_hold() -> None:
    with pytest.raises(ValueError, match=r"0\.\.N-1"):
        pack({b"a": 0, b"b": 2}, "x")
    with pytest.raises(ValueError, match="empty token"):
        pack({b"": 0, b"b": 1}, "x")


def copy_encoding(name: str, target: Path, *, packed: bool = False) -> Path:
    """A copy of the vendored encoding: the official file and its metadata (and the packed file, if asked)."""
    target.mkdir(parents=True, exist_ok=True)
    for suffix in (".tiktoken", ".json", ".ranks") if packed else (".tiktoken", ".json"):
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
    for suffix in (".tiktoken", ".ranks"):
        assert (out / f"cl100k_base{suffix}").read_bytes() == (
            ENCODINGS_DIR / f"cl100k_base{suffix}"
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


def test_build_script_repacks_from_the_vendored_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    build = load_build_script()
    out = copy_encoding("cl100k_base", tmp_path / "out")
    meta_path = out / "cl100k_base.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    del meta["packed_sha256"]
    meta_path.write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    assert build.main(["--repack", "--out", str(out), "--name", "cl100k_base"]) == 0
    assert PACKED_SHA256["cl100k_base"] in capsys.readouterr().out
    for suffix in (".ranks", ".json"):
        assert (out / f"cl100k_base{suffix}").read_bytes() == (
            ENCODINGS_DIR / f"cl100k_base{suffix}"
        ).read_bytes()
    # A changed official file is refused, and nothing is packed from it.
    (out / "cl100k_base.ranks").unlink()
    (out / "cl100k_base.tiktoken").write_bytes(b"IQ== 0\n")
    assert build.main(["--repack", "--out", str(out), "--name", "cl100k_base"]) == 1
    assert "expected 223921b7" in capsys.readouterr().err
    assert not (out / "cl100k_base.ranks").exists()
