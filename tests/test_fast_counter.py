"""The fast token counter (bpe-openai, extra `fast`) against tiktoken: same tables, same counts, safe fallback.

The differential tests compare two routes on the same text: `safe_counter` (the fast counter where it is proven,
what dataprep uses) and `safe_encoder` (tiktoken alone, what dataprep used before). Where the fast counter
accepts a string, its raw count is also compared with tiktoken's `encode_ordinary` directly.
"""

from __future__ import annotations

import gzip
import hashlib
import importlib.util
import json
import os
import random
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from dataprep.cli import cli
from dataprep.tokens import fast
from dataprep.tokens import openai as openai_tokens
from dataprep.tokens.encodings import ENCODINGS_DIR, OFFICIAL_SHA256, _parse_ranks, get_encoding
from dataprep.tokens.openai import safe_counter, safe_encoder
from tests.hostile.generate import SHAPES

ROOT = Path(__file__).resolve().parent.parent
ENCODINGS = sorted(fast.FAST_ENCODINGS)

_spec = importlib.util.find_spec("bpe_openai")
needs_fast = pytest.mark.skipif(_spec is None, reason="the `fast` extra (bpe-openai) is not installed")


@pytest.fixture(autouse=True)
def _fresh_counter(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test decides the counter afresh (the choice is cached per process), in the default mode."""
    monkeypatch.delenv(fast.COUNTER_ENV, raising=False)
    fast.reset_for_tests()
    yield
    fast.reset_for_tests()


def _fast(name: str) -> fast.Count:
    found = fast.fast_counter(get_encoding(name))
    assert found is not None, fast.counter_name(get_encoding(name))
    return found


def _assert_same(name: str, texts: list[str]) -> None:
    """The fast route and tiktoken alone agree on every text; the raw fast count too where it accepts one."""
    encoding = get_encoding(name)
    count, encode, raw = safe_counter(encoding), safe_encoder(encoding), _fast(name)
    for text in texts:
        assert count(text) == len(encode(text)), (name, text[:80])
        if len(text) < 8_192:
            try:
                got = raw(text)
            except UnicodeEncodeError:  # lone surrogates: not UTF-8, the fast counter refuses them
                assert any("\ud800" <= c <= "\udfff" for c in text)
                continue
            assert got == len(encoding.encode_ordinary(text)), (name, text[:80])


# -- the tables ----------------------------------------------------------------------------------------------


@needs_fast
@pytest.mark.parametrize("name", ENCODINGS)
def test_shipped_tables_are_dataprep_vendored_files(name: str) -> None:
    assert _spec is not None and _spec.submodule_search_locations
    shipped = Path(next(iter(_spec.submodule_search_locations))) / "data" / f"{name}.tiktoken.gz"
    data = gzip.decompress(shipped.read_bytes())
    assert hashlib.sha256(data).hexdigest() == OFFICIAL_SHA256[name]
    assert data == (ENCODINGS_DIR / f"{name}.tiktoken").read_bytes()


@needs_fast
@pytest.mark.parametrize("name", ENCODINGS)
def test_every_token_id_decodes_to_the_vendored_bytes(name: str) -> None:
    """The compiled counter's own table (not the Python-side file above), token by token over the vocabulary."""
    ranks = _parse_ranks((ENCODINGS_DIR / f"{name}.tiktoken").read_bytes())
    bindings = fast._load_bindings()
    assert bindings is not None
    tokenizer = bindings.tokenizer_for_encoding(name)
    partial = 0
    for token, rank in ranks.items():
        try:
            text = token.decode("utf-8")
        except UnicodeDecodeError:  # a piece of a multi-byte character: not a string on its own
            partial += 1
            with pytest.raises(ValueError):
                tokenizer.decode([rank])
            continue
        assert tokenizer.decode([rank]) == text, (name, rank)
    assert 0 < partial < len(ranks) // 10


@needs_fast
@pytest.mark.slow
@pytest.mark.parametrize("name", ENCODINGS)
def test_every_token_text_counts_the_same(name: str) -> None:
    """Each token that is text on its own, and pairs of neighbouring ones, counted by both (the merges)."""
    ranks = _parse_ranks((ENCODINGS_DIR / f"{name}.tiktoken").read_bytes())
    texts = []
    for token in ranks:
        try:
            texts.append(token.decode("utf-8"))
        except UnicodeDecodeError:
            continue
    _assert_same(name, texts + [a + b for a, b in zip(texts[::2], texts[1::2], strict=False)])


# -- differential: generated text ------------------------------------------------------------------------------

SPECIAL = [
    "<|endoftext|>",
    "<|endofprompt|>",
    "<|fim_prefix|>",
    "<|fim_middle|>",
    "<|fim_suffix|>",
    "<|im_start|>",
]
SCRIPTS = [
    "The quick brown fox",
    "I'M sure they'd've SAID it's fine",
    "Привет мир",
    "你好世界，日本語カタカナ",
    "مرحبا بالعالم",
    "नमस्ते দুনিয়া ก่อน",
    "👩‍👩‍👧‍👦🇫🇷👍🏽",
    "e\u0301\u0302\u0303",
    "123456789 3.14 ٣٤٥",
    '{"a": [1, 2], "b": "c"}',
]
WHITESPACE = [" ", "  ", "\t", "\n", "\r\n", "\r", "\u00a0", "\u3000", "\u2028", "\x0b", "\x0c"]

pieces = st.one_of(
    st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=30),  # any code point
    st.sampled_from(SPECIAL),
    st.sampled_from(SCRIPTS),
    st.lists(st.sampled_from(WHITESPACE), min_size=1, max_size=12).map("".join),
    st.builds(lambda c, n: c * n, st.characters(codec=None, exclude_categories=()), st.integers(1, 400)),
    st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF),  # lone surrogates
)
texts = st.lists(pieces, max_size=12).map("".join)


@needs_fast
@settings(max_examples=150, deadline=None)
@given(texts, st.sampled_from(ENCODINGS))
def test_generated_text_counts_the_same(text: str, name: str) -> None:
    _assert_same(name, [text])


def _random_char(rng: random.Random) -> str:
    """Any code point, mostly from the lower planes (ASCII, Latin-1, the BMP) where text lives."""
    return chr(rng.randint(0, rng.choice((0x7F, 0xFF, 0xFFFF, 0x10FFFF))))


def _random_piece(rng: random.Random) -> str:
    """One of `pieces` above, drawn with `random`."""
    kind = rng.randrange(6)
    if kind == 0:
        return "".join(_random_char(rng) for _ in range(rng.randint(0, 30)))
    if kind == 1:
        return rng.choice(SPECIAL)
    if kind == 2:
        return rng.choice(SCRIPTS)
    if kind == 3:
        return "".join(rng.choices(WHITESPACE, k=rng.randint(1, 12)))
    if kind == 4:
        return _random_char(rng) * rng.randint(1, 400)
    return chr(rng.randint(0xD800, 0xDFFF))  # a lone surrogate


@needs_fast
@pytest.mark.slow
def test_generated_text_counts_the_same_sweep() -> None:
    """The long sweep: 4,000 texts of up to 60 pieces, 2,000 per encoding. Drawn with `random` (a new seed each
    run, named on failure) rather than hypothesis, whose engine spent 9 of the 10 s this took drawing them;
    the test above keeps hypothesis (shrinking, edge-case bias) on shorter texts."""
    seed = int.from_bytes(os.urandom(4), "big")
    rng = random.Random(seed)
    for name in ENCODINGS:
        texts = ["".join(_random_piece(rng) for _ in range(rng.randint(0, 60))) for _ in range(2_000)]
        try:
            _assert_same(name, texts)
        except AssertionError as failed:
            raise AssertionError(f"random.Random({seed}): {failed}") from failed


@needs_fast
@pytest.mark.parametrize("name", ENCODINGS)
def test_long_runs_and_long_pieces_count_the_same(name: str) -> None:
    texts = [
        c * n + tail
        for c in (" ", "\t", "\n", "a", "7", "é", "語", "!", "\u00a0")
        for n in (1, 2, 127, 128, 129, 3_000, 8_191, 8_192, 9_000, 20_000)
        for tail in ("", "x", " y")
    ]
    texts += ["ab" * 6_000, "word " * 5_000, "x" + " " * 5_119 + "y", "a\ud800" * 3_000]
    _assert_same(name, texts)


# -- differential: every sample and hostile file ---------------------------------------------------------------


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _texts_of(data: bytes) -> list[str]:
    """The file as text (invalid UTF-8 as lone surrogates), each line, and every string of JSON it holds."""
    text = data.decode("utf-8", "surrogateescape")
    found = [text, *text.splitlines()]
    for part in [text, *text.splitlines()]:
        try:
            found.extend(_strings(json.loads(part)))
        except (ValueError, RecursionError):
            continue
    return list(dict.fromkeys(found))  # a one-line file is its line: count it once


SAMPLES = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "sample_data").rglob("*") if p.is_file())
HOSTILE = {f"hostile/{name}": build for name, _command, build in SHAPES}


@needs_fast
@pytest.mark.parametrize("label", SAMPLES + sorted(HOSTILE))
def test_sample_and_hostile_files_count_the_same(label: str) -> None:
    data = HOSTILE[label]() if label in HOSTILE else (ROOT / label).read_bytes()
    _assert_same("o200k_base", _texts_of(data))
    if len(data) < 200_000:
        _assert_same("cl100k_base", _texts_of(data))


@needs_fast
def test_validate_reports_the_same_figures_with_either_counter(monkeypatch: pytest.MonkeyPatch) -> None:
    path = str(ROOT / "sample_data" / "chat_valid.jsonl")
    runner = CliRunner()
    reports = []
    for choice in ("auto", "tiktoken"):
        monkeypatch.setenv(fast.COUNTER_ENV, choice)
        fast.reset_for_tests()
        result = runner.invoke(cli, ["validate", path, "--format", "json", "--jobs", "1"])
        assert result.exit_code in (0, 1), result.output
        reports.append(json.loads(result.output))
    assert reports[0]["files"][0]["stats"]["tokens_sum"] > 0
    assert reports[0]["files"] == reports[1]["files"]
    assert reports[0]["cost"] == reports[1]["cost"]


# -- fallback and choice -------------------------------------------------------------------------------------------


def test_a_failing_fast_counter_falls_back_to_tiktoken(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(text: str) -> int:
        raise RuntimeError("boom")

    monkeypatch.setattr(openai_tokens, "fast_counter", lambda encoding: broken)
    encoding = get_encoding("o200k_base")
    for text in ("hello world", "x\ud800y", "", " " * 20_000 + "z"):
        assert safe_counter(encoding)(text) == len(safe_encoder(encoding)(text))


class _OffByOneCounter:
    def count(self, text: str) -> int:
        return len(text) + 1


class _OffByOneBindings:
    """bpe-openai's bindings, as far as dataprep uses them, with a counter that is always one token off."""

    @staticmethod
    def tokenizer_for_encoding(name: str) -> _OffByOneCounter:
        return _OffByOneCounter()


def test_a_counter_that_disagrees_on_the_probe_is_not_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fast, "_load_bindings", lambda: _OffByOneBindings)
    encoding = get_encoding("o200k_base")
    assert fast.fast_counter(encoding) is None
    assert "disagreed with tiktoken" in fast.counter_name(encoding)
    assert safe_counter(encoding)("hello world") == 2


def test_without_the_package_tiktoken_counts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(sys.modules, "bpe_openai._bindings", raising=False)
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None)
    encoding = get_encoding("o200k_base")
    assert fast.fast_counter(encoding) is None
    assert "bpe-openai is not installed (pip install 'dataprep[fast]')" in fast.counter_name(encoding)
    assert fast.counter_name(encoding).startswith("tiktoken ")
    assert safe_counter(encoding)("hello world <|endoftext|>") == len(
        encoding.encode_ordinary("hello world <|endoftext|>")
    )


@pytest.mark.parametrize(
    ("value", "reason"), [("tiktoken", "=tiktoken"), ("rust", "is not 'auto' or 'tiktoken'")]
)
def test_the_environment_variable_forces_tiktoken(
    monkeypatch: pytest.MonkeyPatch, value: str, reason: str
) -> None:
    monkeypatch.setenv(fast.COUNTER_ENV, value)
    encoding = get_encoding("cl100k_base")
    assert fast.fast_counter(encoding) is None
    assert reason in fast.counter_name(encoding)


def test_an_encoding_with_another_split_pattern_is_not_counted_fast(tmp_path: Path) -> None:
    name = "cl100k_base"
    (tmp_path / f"{name}.tiktoken").write_bytes((ENCODINGS_DIR / f"{name}.tiktoken").read_bytes())
    meta = json.loads((ENCODINGS_DIR / f"{name}.json").read_text(encoding="utf-8"))
    meta["pat_str"] = r"\S+|\s+"
    (tmp_path / f"{name}.json").write_text(json.dumps(meta), encoding="utf-8")
    encoding = get_encoding(name, directory=tmp_path)
    assert fast.fast_counter(encoding) is None
    assert "was not built with the vendored split pattern" in fast.counter_name(encoding)
    text = "hello  world, it's 2024!"
    assert safe_counter(encoding)(text) == len(encoding.encode_ordinary(text))


@needs_fast
def test_models_command_names_the_counter(monkeypatch: pytest.MonkeyPatch) -> None:
    result = CliRunner().invoke(cli, ["models"])
    assert result.exit_code == 0
    assert "Token counter for API models: bpe-openai " in result.output
    monkeypatch.setenv(fast.COUNTER_ENV, "tiktoken")
    fast.reset_for_tests()
    result = CliRunner().invoke(cli, ["models"])
    assert (
        f"Token counter for API models: tiktoken {fast._version('tiktoken')} ({fast.COUNTER_ENV}=tiktoken)"
        in result.output
    )


@needs_fast
def test_the_package_itself_is_never_imported() -> None:
    """Its __init__ decodes every Python-side table (seconds of CPU per process); only the compiled module loads."""
    code = (
        "import sys; from dataprep.tokens.api import count_tokens; from dataprep.tokens import fast, get_encoding; "
        "n = count_tokens('hello world'); print(n, 'bpe_openai._bindings' in sys.modules); "
        "fast.fast_counter(get_encoding('o200k_base')); "
        "print('bpe_openai' in sys.modules, 'bpe_openai._bindings' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    # A small job stays on tiktoken (the warm-up); once built, only the compiled module is loaded.
    assert done.stdout.split() == ["2", "False", "False", "True"]


@needs_fast
def test_the_fast_counter_is_built_only_after_the_warm_up() -> None:
    fast.reset_for_tests(warm_up=3)
    encoding = get_encoding("o200k_base")
    for _ in range(3):
        assert safe_counter(encoding)("hello world") == 2
        assert encoding not in fast._COUNTERS
    assert safe_counter(encoding)("hello world") == 2
    assert fast._COUNTERS[encoding] is not None


@needs_fast
def test_preloaded_tables_end_the_warm_up_and_are_shared_by_forked_workers() -> None:
    """A pool's parent builds the tables once (preload); its forked workers count fast from their first record,
    with those very tables, and count as tiktoken does."""
    code = (
        "import os, sys; from dataprep.tokens import fast, get_encoding; "
        "from dataprep.tokens.openai import safe_counter; "
        "fast.preload('o200k_base'); tables = fast._TABLES['o200k_base']; "
        "pid = os.fork()\n"
        "if pid == 0:\n"
        "    enc = get_encoding('o200k_base'); n = safe_counter(enc)('hello world, again')\n"
        "    os._exit(0 if n == len(enc.encode_ordinary('hello world, again')) and fast._TABLES['o200k_base'] is tables "
        "and fast._COUNTERS[enc] == tables.count else 1)\n"
        "print(os.waitpid(pid, 0)[1])"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["0"], done.stderr


def test_preload_builds_nothing_where_the_fast_counter_is_not_used(monkeypatch: pytest.MonkeyPatch) -> None:
    fast.reset_for_tests(warm_up=5)
    fast.preload("r50k_base")  # not proven on this encoding
    monkeypatch.setenv(fast.COUNTER_ENV, "tiktoken")
    fast.preload("o200k_base")
    assert fast._TABLES == {}
    assert not fast.past_warm_up()  # the warm-up goes on: nothing was built to spare


def test_preloaded_tables_that_disagree_on_the_probe_are_not_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fast, "_load_bindings", lambda: _OffByOneBindings)
    fast.reset_for_tests(warm_up=5)
    fast.preload("o200k_base")
    assert fast.past_warm_up()
    encoding = get_encoding("o200k_base")
    assert fast.fast_counter(encoding) is None
    assert safe_counter(encoding)("hello world") == 2
