"""The optional fast token counter: `bpe-openai` (extra `fast`), an exact BPE counter that builds no id list.

tiktoken's `encode_ordinary` builds a list of ids only for dataprep to take its length. bpe-openai wraps the Rust
`bpe-openai` crate (GitHub's `bpe`), whose `count` returns the same number without building the list, in about
0.65x tiktoken's CPU time on chat data. It is used only where it is proven to give tiktoken's count:

- the tables it ships are byte-identical to dataprep's vendored files, and its decoder maps every token id to
  the same bytes (tests/test_fast_counter.py, over the whole vocabulary);
- a differential test against tiktoken (property-based: random Unicode, special-token text, whitespace runs,
  long runs, mixed scripts; and every file of sample_data/ and tests/hostile/) finds identical counts;
- when a process first builds it, a probe of varied strings is counted both ways; one disagreement and the
  process uses tiktoken only;
- per string, anything it is not proven on goes to tiktoken (see `dataprep.tokens.openai.safe_counter`).

Without the extra, or with DATAPREP_TOKEN_COUNTER=tiktoken, counting uses tiktoken only; the counts are the same.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import json
import os
import sys
import weakref
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import tiktoken

from dataprep.tokens.encodings import ENCODINGS_DIR

Count = Callable[[str], int]

COUNTER_ENV = "DATAPREP_TOKEN_COUNTER"  # "auto" (the default) or "tiktoken" (never use the fast counter)
PACKAGE = "bpe-openai"
FAST_ENCODINGS = frozenset({"o200k_base", "cl100k_base"})  # the tables tests prove identical to dataprep's

# Varied text counted both ways before the fast counter is trusted in a process: every branch of both split
# patterns (contractions, case runs, digits, punctuation runs, newlines, trailing spaces), other scripts,
# combining marks, emoji sequences and the special tokens, which count as ordinary text.
PROBE = (
    "",
    " ",
    "Hello, world! I'm here; they'll SAY it's 12345 or 3.14159.",
    "  leading and trailing  \n\n\t  \r\n x  ",
    "line one\nline two\r\n\r\n    indented\t\ttabs   ",
    "<|endoftext|> <|endofprompt|><|fim_prefix|>x<|fim_middle|>y<|fim_suffix|>",
    "CamelCaseWORDS mixedCASE ÀÉÎÕÜ ǅungla DŽ",
    "Привет, мир! Здравствуйте.",
    "你好，世界。日本語のテキスト、カタカナ。한국어 문장입니다.",
    "مرحبا بالعالم، كيف حالك؟ שלום עולם",
    "e\u0301 a\u0308 ก่อน नमस्ते দুনিয়া",
    "👩‍👩‍👧‍👦 🇫🇷🇯🇵 👍🏽 ❤️ 🤖!!",
    '{"name": "get_weather", "arguments": "{\\"city\\": \\"Paris\\"}"}',
    "def f(x):\n    return x ** 2  # square\n\n\n",
    "----====****////\\\\\\\\ ... ??? !!!",
    "1234567890 00000 3,000,000.50 ½ ² ٣٤٥",
    " " * 300 + "x" + "\t" * 40 + "y" + "\n" * 30,
    "a" * 2000,
    "ab" * 700,
    "\u00a0\u2003\u3000 nbsp\u200b zero\ufeff width",
)

# Building the counter costs about 0.1 s of CPU per process (its tables and the probe): more than it saves on a
# small file (the pre-commit case). Each process first counts this many records' worth of calls with tiktoken,
# unless the tables were built before it started (`preload`: a pool's parent, before forking its workers).
WARM_UP_CALLS = 1_000
_calls_left = WARM_UP_CALLS

_NOT_CHECKED = object()
_COUNTERS: weakref.WeakKeyDictionary[tiktoken.Encoding, Any] = weakref.WeakKeyDictionary()
# encoding name -> bpe-openai's tokenizer (its Rust tables), built once per process (or by a pool's parent)
_TABLES: dict[str, Any] = {}
_bindings: ModuleType | None = None
_load_error: str | None = None


def fast_counter(encoding: tiktoken.Encoding) -> Count | None:
    """The fast counter for `encoding` (a string's token count, as `len(encoding.encode_ordinary(text))`), or
    None when it is switched off, not installed, not proven for this encoding, or disagrees on the probe.
    It may raise on text it cannot take (lone surrogates): callers fall back to tiktoken. Built once per
    process and encoding."""
    found = _COUNTERS.get(encoding, _NOT_CHECKED)
    if found is _NOT_CHECKED:
        found = _build(encoding)
        _COUNTERS[encoding] = found
    return found  # type: ignore[no-any-return]


def preload(encoding_name: str) -> None:
    """Build the fast counter's tables for `encoding_name` now, in a process about to fork workers, and end the
    warm-up. Forked workers share the tables (read-only Rust memory, never touched by reference counts) instead
    of each building its own (0.07 s of CPU and about 67 MB each) after counting its first WARM_UP_CALLS
    records with tiktoken: a pool's workers each count thousands of records. Each worker still proves the
    tables against its own tiktoken on the probe before using them. Does nothing where the fast counter is
    not used (switched off, not installed, not proven on this encoding)."""
    global _calls_left
    if encoding_name not in FAST_ENCODINGS or _switched_off() is not None or encoding_name in _TABLES:
        return
    module = _load_bindings()
    if module is None:
        return
    try:
        _TABLES[encoding_name] = module.tokenizer_for_encoding(encoding_name)
    except Exception:  # an unexpected failure of an optional package: each worker decides alone
        return
    _calls_left = 0


def past_warm_up() -> bool:
    """False for the first WARM_UP_CALLS calls in a process (one per record counted), then True."""
    global _calls_left
    if _calls_left <= 0:
        return True
    _calls_left -= 1
    return False


def counter_name(encoding: tiktoken.Encoding) -> str:
    """Which counter counts `encoding`'s tokens in this process, and why (printed by `dataprep models`)."""
    if fast_counter(encoding) is not None:
        return (
            f"{PACKAGE} {_version(PACKAGE)} (exact; tiktoken for text it is not proven on, and for the first "
            f"{WARM_UP_CALLS // 2:,} records or so of each process, where building it would cost more than it saves)"
        )
    return f"tiktoken {_version('tiktoken')} ({_why_not(encoding)})"


def _build(encoding: tiktoken.Encoding) -> Count | None:
    if _why_not_before_load(encoding) is not None:
        return None
    module = _load_bindings()
    if module is None:
        return None
    try:
        tables = _TABLES.get(encoding.name)
        if tables is None:
            tables = _TABLES[encoding.name] = module.tokenizer_for_encoding(encoding.name)
        count: Count = tables.count
        agrees = all(count(text) == len(encoding.encode_ordinary(text)) for text in PROBE)
    except Exception:  # an unexpected failure of an optional package: tiktoken counts instead
        return None
    return count if agrees else None


def _switched_off() -> str | None:
    """Why COUNTER_ENV keeps the fast counter off, or None."""
    choice = os.environ.get(COUNTER_ENV, "auto").strip().lower()
    if choice == "tiktoken":
        return f"{COUNTER_ENV}=tiktoken"
    if choice not in ("", "auto"):
        return f"{COUNTER_ENV}={choice!r} is not 'auto' or 'tiktoken'"
    return None


def _why_not_before_load(encoding: tiktoken.Encoding) -> str | None:
    switched_off = _switched_off()
    if switched_off is not None:
        return switched_off
    if encoding.name not in FAST_ENCODINGS:
        return f"{PACKAGE} is not proven on {encoding.name}"
    # The name and the file's SHA-256 fix the ranks (dataprep.tokens.encodings); the split pattern comes from a
    # metadata file, so an encoding loaded from another folder must split as the vendored one does.
    if getattr(encoding, "_pat_str", None) != _vendored_pattern(encoding.name):
        return f"{encoding.name} was not built with the vendored split pattern"
    return None


def _vendored_pattern(name: str) -> str | None:
    try:
        meta = json.loads((ENCODINGS_DIR / f"{name}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    pattern = meta.get("pat_str") if isinstance(meta, dict) else None
    return pattern if isinstance(pattern, str) else None


def _why_not(encoding: tiktoken.Encoding) -> str:
    reason = _why_not_before_load(encoding)
    if reason is not None:
        return reason
    if _load_bindings() is None:
        return _load_error or f"{PACKAGE} is not installed"
    return f"{PACKAGE} disagreed with tiktoken on the probe"


def _load_bindings() -> ModuleType | None:
    """bpe-openai's compiled module alone. Importing the package itself decodes all of its Python-side rank
    tables (1-2.5 s of CPU and about 90 MB per process, measured); the Rust counter needs none of that."""
    global _bindings, _load_error
    if _bindings is not None or _load_error is not None:
        return _bindings
    name = "bpe_openai._bindings"
    try:
        loaded = sys.modules.get(name)
        if loaded is None:
            spec = importlib.util.find_spec("bpe_openai")  # finds the package without running its __init__
            folders = list(spec.submodule_search_locations or []) if spec is not None else []
            if not folders:
                _load_error = f"{PACKAGE} is not installed (pip install 'dataprep[fast]')"
                return None
            path = next(
                (p for p in sorted(Path(folders[0]).glob("_bindings*")) if p.suffix in (".so", ".pyd")),
                None,
            )
            if path is None:
                _load_error = f"{PACKAGE} is installed without its compiled module"
                return None
            loader = importlib.machinery.ExtensionFileLoader(name, str(path))
            module_spec = importlib.util.spec_from_file_location(name, path, loader=loader)
            if module_spec is None:  # pragma: no cover - spec_from_file_location with a loader returns a spec
                raise ImportError(f"cannot load {path}")
            loaded = importlib.util.module_from_spec(module_spec)
            loader.exec_module(loaded)
            sys.modules[name] = loaded  # one copy per process, should the package itself be imported later
        _bindings = loaded
    except (
        Exception
    ) as exc:  # a broken optional install: tiktoken counts instead, and `dataprep models` says why
        _load_error = f"{PACKAGE} could not be loaded: {exc}"
    return _bindings


def _version(distribution: str) -> str:
    from importlib.metadata import PackageNotFoundError, version  # only for the description, not the hot path

    try:
        return version(distribution)
    except PackageNotFoundError:
        return "(version unknown)"


def reset_for_tests(warm_up: int = 0) -> None:
    """Forget what was built or failed, so a test can change COUNTER_ENV or hide the package; `warm_up` calls
    count with tiktoken first (none by default, so tests see the fast counter at once)."""
    global _bindings, _load_error, _calls_left
    _calls_left = warm_up
    _COUNTERS.clear()
    _TABLES.clear()
    _bindings = _load_error = None  # a loaded module stays in sys.modules and is found there again
