"""Token counting by OpenAI's public reference formula, on the vendored tiktoken encodings.

Counting follows the public reference formula (OpenAI cookbook "Chat_finetuning_data_prep"): per example, each
message adds 3 plus the tokens of each of its values (role included), a `name` key adds 1 more, and the example
adds 3 at the end. On string-only data the counts equal the reference exactly. Beyond it (documented estimates):
`weight` adds nothing; a null adds nothing; list content counts its text parts plus IMAGE_PART_TOKENS per image;
function definitions (`tools`/`functions`) and calls (`tool_calls`, `function_call`) are counted by
`dataprep.tokens.functions` (OpenAI's cookbook recipe for definitions, name + arguments for calls); any other
structured or non-string value counts as its compact JSON text. The counters never raise on any JSON value: records that failed the schema are
counted as far as they can be.
"""

from __future__ import annotations

import json
import re
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import tiktoken

from dataprep.tokens.fast import fast_counter, past_warm_up
from dataprep.tokens.functions import call_tokens, calls_tokens, definitions_tokens
from dataprep.tokens.protocol import RecordTokens
from dataprep.types import Kind

# Estimate for an image part: the fixed "low detail" cost of one image on gpt-4o. High detail and other models
# cost more (it depends on the image size, which dataprep does not fetch); the URL text itself is never counted.
IMAGE_PART_TOKENS = 85
MESSAGE_OVERHEAD = 3  # per message, reference formula
NAME_OVERHEAD = 1  # for a `name` key, reference formula
REPLY_PRIMING = 3  # per example, reference formula

Encode = Callable[[str], list[int]]
Count = Callable[[str], int]  # a string's token count: len(encoding.encode_ordinary(text)), made safe

# Per-encoding cache of role-string counts (bounded: role values in bad data may be arbitrary strings).
_ROLE_TOKENS: weakref.WeakKeyDictionary[tiktoken.Encoding, dict[str, int]] = weakref.WeakKeyDictionary()
_ROLE_CACHE_SIZE = 64


@dataclass(frozen=True, slots=True)
class TokenCounts:
    """Tokens of one example.

    total: the whole example by the reference formula (what is billed and checked against the context limit).
    assistant: tokens of assistant `content` and tool calls (what the model learns to emit), no message overhead.
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


# -- safe encoding: long runs of one character ---------------------------------------------------------------
# tiktoken panics (a Rust panic, which kills a worker) on a string of about a million spaces or tabs, and its
# time grows with the length of one pre-token. A run of one character tokenizes periodically once it is long:
# its count grows by one token every p characters (p is the longest token of that character: 128 for spaces,
# 16 for tabs, 3 for digits, ...). So a long run is shortened by whole blocks of _BLOCK characters (a multiple of
# every such p) before encoding, and each block removed adds the tokens one block is measured to cost. The
# measurement checks the period (two consecutive blocks must cost the same); tests compare against tiktoken.
_LONG_TEXT = 8_192  # shorter strings go straight to tiktoken
_KEEP = 2_048  # characters of a run always kept, past the short lengths where the period has not settled
_BLOCK = 3_072  # 3 x 1024: a multiple of every period measured (1, 2, 3, 4, 8, 16, 32, 64, 128)
_RUN = re.compile(r"(.)\1{" + str(_KEEP + _BLOCK - 1) + ",}", re.DOTALL)
_BLOCK_TOKENS: weakref.WeakKeyDictionary[tiktoken.Encoding, dict[str, int]] = weakref.WeakKeyDictionary()
_FALLBACK_CHUNK = 1_000


def safe_encoder(encoding: tiktoken.Encoding) -> Encode:
    """`encoding.encode_ordinary`, made safe for any string: never raises, bounded time for long runs. The list
    it returns has the right length; for text counted by blocks its items are placeholders (0)."""
    raw = encoding.encode_ordinary

    def encode(text: str) -> list[int]:
        if len(text) < _LONG_TEXT:
            return raw(text)
        return _encode_long(encoding, text)

    return encode


def safe_counter(encoding: tiktoken.Encoding) -> Count:
    """A string's token count as `len(safe_encoder(encoding)(text))` gives it, never raising. With the `fast`
    extra, text the fast counter is proven on is counted without building an id list (dataprep.tokens.fast;
    after a warm-up of the process's first calls);
    text holding a long run of one character keeps the block counting above, and any text the fast counter
    rejects (lone surrogates: it takes UTF-8 only) or fails on goes to tiktoken."""
    encode = safe_encoder(encoding)
    fast = fast_counter(encoding) if past_warm_up() else None
    if fast is None:
        return lambda text: len(encode(text))

    def count(text: str) -> int:
        if len(text) < _LONG_TEXT or _RUN.search(text) is None:
            try:
                return fast(text)
            except (KeyboardInterrupt, SystemExit):
                raise
            except BaseException:  # not UTF-8, or a failure of the optional package: tiktoken decides
                pass
        return len(encode(text))

    return count


def _encode_long(encoding: tiktoken.Encoding, text: str) -> list[int]:
    raw = encoding.encode_ordinary
    try:
        pieces: list[str] = []
        extra = 0
        last = 0
        for match in _RUN.finditer(text):
            start, end = match.span()
            blocks = (end - start - _KEEP) // _BLOCK
            pieces.append(text[last : end - blocks * _BLOCK])
            extra += blocks * _block_tokens(encoding, match.group(1))
            last = end
        if not pieces:
            return raw(text)
        pieces.append(text[last:])
        return raw("".join(pieces)) + [0] * extra
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException:  # pyo3's PanicException derives from BaseException: a tokenizer bug, not ours
        return _chunked(raw, text)


def _block_tokens(encoding: tiktoken.Encoding, char: str) -> int:
    """Tokens one block of `char` adds to a long run of it."""
    cache = _BLOCK_TOKENS.get(encoding)
    if cache is None:
        cache = _BLOCK_TOKENS[encoding] = {}
    found = cache.get(char)
    if found is None:
        raw = encoding.encode_ordinary
        sizes = [len(raw(char * (_KEEP + i * _BLOCK))) for i in range(3)]
        first, second = sizes[1] - sizes[0], sizes[2] - sizes[1]
        # Not periodic (never seen): the larger figure, an estimate that does not undercount.
        found = max(first, second)
        if len(cache) < _ROLE_CACHE_SIZE:
            cache[char] = found
    return found


def _chunked(raw: Encode, text: str) -> list[int]:
    """The last resort when tiktoken fails on a string: an estimate from pieces it can encode."""
    total = 0
    for at in range(0, len(text), _FALLBACK_CHUNK):
        piece = text[at : at + _FALLBACK_CHUNK]
        try:
            total += len(raw(piece))
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException:
            total += len(piece.encode("utf-8", "replace")) // 4 + 1
    return [0] * total


def _json_tokens(value: object, count: Count) -> int:
    """Tokens of a value's compact JSON text (separators "," and ":", non-ASCII kept as is)."""
    try:
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    except (ValueError, TypeError, RecursionError):
        return 0  # not representable as JSON text (e.g. nested beyond the recursion limit): nothing countable
    return count(text)


def _content_tokens(content: object, count: Count) -> int:
    """Tokens of a message's `content`: text, text parts (+ a fixed figure per image), or its JSON text."""
    if type(content) is str:
        return count(content)
    if content is None:
        return 0
    if isinstance(content, list):
        total = 0
        for part in content:
            if isinstance(part, dict):
                text = part.get("text")
                if isinstance(text, str):
                    total += count(text)
                elif part.get("type") == "image_url" or "image_url" in part:
                    total += IMAGE_PART_TOKENS
                else:
                    total += _json_tokens(part, count)
            elif isinstance(part, str):
                total += count(part)
            elif part is not None:
                total += _json_tokens(part, count)
        return total
    return _json_tokens(content, count)


def _value_tokens(key: object, value: object, count: Count) -> int:
    if key == "weight":
        return 0
    if type(value) is str:  # the common case: a plain string is encoded as is, never re-serialised
        return count(value)
    if value is None:
        return 0
    if key == "content":
        return _content_tokens(value, count)
    if key == "tool_calls":
        return calls_tokens(value, count)
    if key == "function_call":
        return call_tokens(value, count)
    return _json_tokens(value, count)


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
    count = safe_counter(encoding)
    roles = _role_cache(encoding)
    total = REPLY_PRIMING
    assistant = trained = 0
    if not isinstance(messages, list):
        return (total, 0, 0)
    for message in messages:
        total += MESSAGE_OVERHEAD
        if not isinstance(message, dict):
            total += _value_tokens(None, message, count)
            continue
        target = 0  # what an assistant message teaches: its content and its calls
        for key, value in message.items():
            if type(value) is not str or key == "weight":
                n = _value_tokens(key, value, count)
            elif key == "role":
                n = roles.get(value, -1)
                if n < 0:
                    n = count(value)
                    if len(roles) < _ROLE_CACHE_SIZE:
                        roles[value] = n
            else:  # the hot path: one count call per string value, nothing else
                n = count(value)
            total += n
            if key in ("content", "tool_calls", "function_call"):
                target += n
            elif key == "name":
                total += NAME_OVERHEAD
        if message.get("role") == "assistant":
            assistant += target
            if message.get("weight", 1) != 0:
                trained += target
    return (total, assistant, trained)


def _record_extras(record: Mapping[str, Any], encoding: tiktoken.Encoding) -> int:
    """Record-level function definitions, counted once per example by the cookbook recipe."""
    extra = 0
    for key in ("tools", "functions"):
        value = record.get(key)
        if value is not None:  # most records define no functions: no counter is made for them
            extra += definitions_tokens(value, safe_counter(encoding), encoding.name)
    return extra


def count_chat_record(record: object, encoding: tiktoken.Encoding) -> TokenCounts:
    """Count one chat record `{"messages": [...], "tools"?: [...], "functions"?: [...]}`. Never raises."""
    if not isinstance(record, Mapping):
        return count_messages(None, encoding)
    total, assistant, trained = _count(record.get("messages"), encoding)
    return TokenCounts(total + _record_extras(record, encoding), assistant, trained)


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
    extra = _record_extras(inputs, encoding)

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
    count = safe_counter(encoding)
    prompt = record.get("prompt")
    completion = record.get("completion")
    prompt_tokens = 0 if prompt is None else _value_tokens("prompt", prompt, count)
    completion_tokens = 0 if completion is None else _value_tokens("completion", completion, count)
    return TokenCounts(prompt_tokens + completion_tokens, completion_tokens, completion_tokens)


class ReferenceFormulaTokenizer:
    """The Tokenizer of OpenAI models: a vendored tiktoken encoding and the reference formula."""

    BACKEND = "openai-formula"

    def __init__(self, encoding_name: str) -> None:
        from dataprep.tokens.encodings import get_encoding

        self.encoding = get_encoding(encoding_name)

    @property
    def name(self) -> str:
        return f"{self.encoding.name} (reference formula)"

    def count(self, record: Mapping[str, Any], kind: Kind) -> RecordTokens:
        if kind is Kind.CHAT:
            c = count_chat_record(record, self.encoding)
            return RecordTokens(c.total, c.assistant, c.trained, (c.total,))
        if kind is Kind.PREFERENCE:
            # DPO trains on both sequences: the longer one must fit the context, and both are billed.
            p = count_preference_record(record, self.encoding)
            return RecordTokens(p.longest, p.assistant, p.assistant, p.sequences)
        c = count_completion_record(record, self.encoding)
        return RecordTokens(c.total, c.assistant, c.trained, (c.total,))

    def message_tokens(self, record: Mapping[str, Any], kind: Kind) -> list[int]:
        if kind is Kind.COMPLETION:
            count = safe_counter(self.encoding)
            return [_value_tokens(k, record.get(k), count) for k in ("prompt", "completion")]
        source = record.get("input") if kind is Kind.PREFERENCE else record
        messages = source.get("messages") if isinstance(source, Mapping) else None
        if not isinstance(messages, list):
            return []
        # Each message alone, less the per-example priming the formula adds once.
        return [count_messages([m], self.encoding).total - REPLY_PRIMING for m in messages]
