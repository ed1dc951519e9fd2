"""Offline tokenizer encodings and token counting.

Encodings come from the files vendored in `dataprep/encodings/` (rebuilt by `scripts/build_encodings.py`), are
checked against their SHA-256 on load and built straight into `tiktoken.Encoding`: no download, and
TIKTOKEN_CACHE_DIR is never read or written.

Counting follows the public reference formula (OpenAI cookbook "Chat_finetuning_data_prep"): per example, each
message adds 3 plus the tokens of each of its values (role included), a `name` key adds 1 more, and the example
adds 3 at the end. On string-only data the counts equal the reference exactly. Beyond it (documented estimates):
`weight` adds nothing; a null adds nothing; list content counts its text parts plus IMAGE_PART_TOKENS per image;
any other structured or non-string value (`tool_calls`, `function_call`, record-level `tools`/`functions`) counts
as its compact JSON text. The counters never raise on any JSON value: records that failed the schema are
counted as far as they can be.
"""

from __future__ import annotations

import binascii
import hashlib
import json
import os
import re
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import tiktoken

from dataprep.errors import EncodingError

ENCODINGS_DIR = Path(__file__).resolve().parent / "encodings"

# Hashes of the official files (the ones tiktoken checks after download); they win over the metadata file.
OFFICIAL_SHA256 = {
    "o200k_base": "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
    "cl100k_base": "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
}

# Estimate for an image part: the fixed "low detail" cost of one image on gpt-4o. High detail and other models
# cost more (it depends on the image size, which dataprep does not fetch); the URL text itself is never counted.
IMAGE_PART_TOKENS = 85
MESSAGE_OVERHEAD = 3  # per message, reference formula
NAME_OVERHEAD = 1  # for a `name` key, reference formula
REPLY_PRIMING = 3  # per example, reference formula

_NAME_RE = re.compile(r"[A-Za-z0-9_]+\Z")
_REBUILD_HINT = "reinstall dataprep or rebuild the files with scripts/build_encodings.py"

Encode = Callable[[str], list[int]]

# Per-encoding cache of role-string counts (bounded: role values in bad data may be arbitrary strings).
_ROLE_TOKENS: weakref.WeakKeyDictionary[tiktoken.Encoding, dict[str, int]] = weakref.WeakKeyDictionary()
_ROLE_CACHE_SIZE = 64


# --------------------------------------------------------------------------------------------- encodings


def available_encodings(directory: str | os.PathLike[str] | None = None) -> list[str]:
    """Names of the encodings vendored in `directory` (default: the package's own)."""
    folder = Path(directory) if directory is not None else ENCODINGS_DIR
    return sorted(p.stem for p in folder.glob("*.tiktoken") if p.with_suffix(".json").is_file())


def get_encoding(name: str, *, directory: str | os.PathLike[str] | None = None) -> tiktoken.Encoding:
    """The tiktoken Encoding `name` built from vendored files, verified once per process and then cached.

    Raises EncodingError when the files are missing, unreadable or fail their SHA-256 check.
    `directory` points the loader at another folder holding `<name>.tiktoken` and `<name>.json`.
    """
    folder = str(Path(directory).resolve()) if directory is not None else str(ENCODINGS_DIR)
    return _load_encoding(name, folder)


@cache
def _load_encoding(name: str, folder: str) -> tiktoken.Encoding:
    if not isinstance(name, str) or not _NAME_RE.match(name):
        raise EncodingError(f"invalid encoding name {name!r}")
    ranks_path = Path(folder) / f"{name}.tiktoken"
    meta_path = ranks_path.with_suffix(".json")
    if not ranks_path.is_file() or not meta_path.is_file():
        known = ", ".join(available_encodings(folder)) or "none"
        raise EncodingError(
            f"tokenizer encoding {name!r} is not available offline: {ranks_path} or {meta_path.name} is missing "
            f"(available: {known}); {_REBUILD_HINT}"
        )
    try:
        data = ranks_path.read_bytes()
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise EncodingError(f"cannot read tokenizer encoding {name!r} from {folder}: {exc}") from exc
    if not isinstance(meta, dict):
        raise EncodingError(f"{meta_path}: expected a JSON object; {_REBUILD_HINT}")

    expected = OFFICIAL_SHA256.get(name) or meta.get("sha256")
    if not isinstance(expected, str):
        raise EncodingError(f"{meta_path}: no SHA-256 to check {ranks_path.name} against; {_REBUILD_HINT}")
    actual = hashlib.sha256(data).hexdigest()
    if actual != expected:
        raise EncodingError(
            f"{ranks_path}: SHA-256 {actual} does not match the expected {expected}; "
            f"the file is corrupt or was changed: {_REBUILD_HINT}"
        )

    pat_str = meta.get("pat_str")
    special = _special_tokens(meta.get("special_tokens"))
    if not isinstance(pat_str, str) or special is None:
        raise EncodingError(
            f"{meta_path}: 'pat_str' or 'special_tokens' is missing or malformed; {_REBUILD_HINT}"
        )
    try:
        ranks = _parse_ranks(data)
        return tiktoken.Encoding(name, pat_str=pat_str, mergeable_ranks=ranks, special_tokens=special)
    except (ValueError, binascii.Error) as exc:
        raise EncodingError(f"{ranks_path}: cannot build the encoding ({exc}); {_REBUILD_HINT}") from exc


def _special_tokens(value: object) -> dict[str, int] | None:
    if isinstance(value, dict) and all(isinstance(k, str) and type(v) is int for k, v in value.items()):
        return dict(value)
    return None


def _parse_ranks(data: bytes) -> dict[bytes, int]:
    """`<base64 token> <rank>` per line, the .tiktoken format.

    One split over the whole file and C-level map calls: about 30% faster than a line loop, which matters
    because loading the encoding is most of the start-up time of a pre-commit run.
    """
    parts = data.split()
    if len(parts) % 2:
        raise ValueError("odd number of fields: every line must be '<base64 token> <rank>'")
    return dict(zip(map(binascii.a2b_base64, parts[0::2]), map(int, parts[1::2]), strict=True))


# --------------------------------------------------------------------------------------------- counting


@dataclass(frozen=True, slots=True)
class TokenCounts:
    """Tokens of one example.

    total: the whole example by the reference formula (what is billed and checked against the context limit).
    assistant: tokens of assistant `content` only, no overhead.
    trained: like assistant, but only assistant messages with `weight` != 0 (the training target).
    """

    total: int
    assistant: int
    trained: int


@dataclass(frozen=True, slots=True)
class PreferenceCounts:
    """Tokens of one preference (DPO) example.

    total: input messages + the preferred output counted as one chat example (the sequence the model learns).
    non_preferred_total: input messages + the non-preferred output, counted the same way.
    DPO runs both sequences through the model, so dataprep bills both: `sequences` is what the cost estimate
    takes (each side capped at the context limit), an upper-bound estimate since the shared input is counted
    twice. The context-limit check should use `longest`.
    """

    total: int
    assistant: int
    non_preferred_total: int
    non_preferred_assistant: int

    @property
    def sequences(self) -> tuple[int, int]:
        return (self.total, self.non_preferred_total)

    @property
    def longest(self) -> int:
        return max(self.total, self.non_preferred_total)


def _json_tokens(value: object, encode: Encode) -> int:
    """Tokens of a value's compact JSON text (separators "," and ":", non-ASCII kept as is)."""
    try:
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    except (ValueError, TypeError, RecursionError):
        return 0  # not representable as JSON text (e.g. nested beyond the recursion limit): nothing countable
    return len(encode(text))


def _content_tokens(content: object, encode: Encode) -> int:
    """Tokens of a message's `content`: text, text parts (+ a fixed figure per image), or its JSON text."""
    if type(content) is str:
        return len(encode(content))
    if content is None:
        return 0
    if isinstance(content, list):
        total = 0
        for part in content:
            if isinstance(part, dict):
                text = part.get("text")
                if isinstance(text, str):
                    total += len(encode(text))
                elif part.get("type") == "image_url" or "image_url" in part:
                    total += IMAGE_PART_TOKENS
                else:
                    total += _json_tokens(part, encode)
            elif isinstance(part, str):
                total += len(encode(part))
            elif part is not None:
                total += _json_tokens(part, encode)
        return total
    return _json_tokens(content, encode)


def _value_tokens(key: object, value: object, encode: Encode) -> int:
    if key == "weight":
        return 0
    if type(value) is str:  # the common case: a plain string is encoded as is, never re-serialised
        return len(encode(value))
    if value is None:
        return 0
    if key == "content":
        return _content_tokens(value, encode)
    return _json_tokens(value, encode)


def _role_cache(encoding: tiktoken.Encoding) -> dict[str, int]:
    """Token counts of role strings for `encoding`: a handful of values repeated on every message."""
    cache = _ROLE_TOKENS.get(encoding)
    if cache is None:
        cache = _ROLE_TOKENS[encoding] = {}
    return cache


def count_messages(messages: object, encoding: tiktoken.Encoding) -> TokenCounts:
    """Count a `messages` list by the reference formula (REPLY_PRIMING included). Never raises."""
    return TokenCounts(*_count(messages, encoding))


def _count(messages: object, encoding: tiktoken.Encoding) -> tuple[int, int, int]:
    """(total, assistant, trained); a plain tuple so a record builds its one TokenCounts once."""
    encode = encoding.encode_ordinary
    roles = _role_cache(encoding)
    total = REPLY_PRIMING
    assistant = trained = 0
    if not isinstance(messages, list):
        return (total, 0, 0)
    for message in messages:
        total += MESSAGE_OVERHEAD
        if not isinstance(message, dict):
            total += _value_tokens(None, message, encode)
            continue
        content_tokens = 0
        for key, value in message.items():
            if type(value) is not str or key == "weight":
                n = _value_tokens(key, value, encode)
            elif key == "role":
                n = roles.get(value, -1)
                if n < 0:
                    n = len(encode(value))
                    if len(roles) < _ROLE_CACHE_SIZE:
                        roles[value] = n
            else:  # the hot path: one encode call per string value, nothing else
                n = len(encode(value))
            total += n
            if key == "content":
                content_tokens = n
            elif key == "name":
                total += NAME_OVERHEAD
        if message.get("role") == "assistant":
            assistant += content_tokens
            if message.get("weight", 1) != 0:
                trained += content_tokens
    return (total, assistant, trained)


def _record_extras(record: Mapping[str, Any], encode: Encode) -> int:
    """Record-level tool definitions, counted once per example as their JSON text."""
    extra = 0
    for key in ("tools", "functions"):
        value = record.get(key)
        if value is not None:
            extra += _json_tokens(value, encode)
    return extra


def count_chat_record(record: object, encoding: tiktoken.Encoding) -> TokenCounts:
    """Count one chat record `{"messages": [...], "tools"?: [...], "functions"?: [...]}`. Never raises."""
    if not isinstance(record, Mapping):
        return count_messages(None, encoding)
    total, assistant, trained = _count(record.get("messages"), encoding)
    return TokenCounts(total + _record_extras(record, encoding.encode_ordinary), assistant, trained)


def _first_output(value: object) -> list[object]:
    # Outputs are documented as a one-message list; a bare message object is accepted for counting.
    if isinstance(value, list):
        return value
    return [value] if isinstance(value, Mapping) else []


def count_preference_record(record: object, encoding: tiktoken.Encoding) -> PreferenceCounts:
    """Count one DPO record (`input` + `preferred_output` + `non_preferred_output`; the `*_completion`
    spellings are counted too). See PreferenceCounts for what is billed. Never raises."""
    if not isinstance(record, Mapping):
        record = {}
    source = record.get("input")
    inputs: Mapping[str, Any] = source if isinstance(source, Mapping) else {}
    messages = inputs.get("messages")
    history: list[object] = messages if isinstance(messages, list) else []
    extra = _record_extras(inputs, encoding.encode_ordinary)

    def side(*keys: str) -> TokenCounts:
        output = next((record[k] for k in keys if k in record), None)
        return count_messages(history + _first_output(output), encoding)

    good = side("preferred_output", "preferred_completion")
    bad = side("non_preferred_output", "non_preferred_completion")
    return PreferenceCounts(good.total + extra, good.assistant, bad.total + extra, bad.assistant)


def count_completion_record(record: object, encoding: tiktoken.Encoding) -> TokenCounts:
    """Count a legacy `{"prompt", "completion"}` record: prompt + completion tokens, no overhead.
    assistant and trained are the completion's tokens. Never raises."""
    if not isinstance(record, Mapping):
        return TokenCounts(0, 0, 0)
    encode = encoding.encode_ordinary
    prompt = record.get("prompt")
    completion = record.get("completion")
    prompt_tokens = 0 if prompt is None else _value_tokens("prompt", prompt, encode)
    completion_tokens = 0 if completion is None else _value_tokens("completion", completion, encode)
    return TokenCounts(prompt_tokens + completion_tokens, completion_tokens, completion_tokens)


def count_tokens(messages: object, model: str = "gpt-4o-mini-2024-07-18") -> int:
    """Tokens of `messages` for `model`, offline.

    A string counts as plain text (no overhead); a list of messages or a chat record (a dict with `messages`)
    counts by the reference formula, as `dataprep validate` does.
    """
    from dataprep.models import resolve_model  # late import: models imports this module

    encoding = get_encoding(resolve_model(model).encoding)
    if isinstance(messages, str):
        return len(encoding.encode_ordinary(messages))
    if isinstance(messages, Mapping):
        return count_chat_record(messages, encoding).total
    return count_messages(messages, encoding).total
