"""Text encoders for open-weight models: the one job of turning rendered text into token ids, with offsets.

Two shapes cover every model in the table: a `tokenizers` tokenizer.json (any Hugging Face folder) and a tiktoken
BPE (Llama 3 from Meta's `llama-models` wheel, gpt-oss's o200k_harmony from the o200k_base dataprep ships).
Special tokens written in the text become control tokens, as transformers' apply_chat_template encodes them.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, Protocol, overload

from dataprep.errors import UsageError


class TextEncoder(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def special_tokens(self) -> Mapping[str, int]:
        """Text of every control token -> its id."""
        ...

    def encode(self, text: str) -> list[int]: ...

    def count(self, text: str) -> int:
        """len(encode(text)), by the cheapest way the encoder has."""
        ...

    def encode_with_offsets(self, text: str) -> tuple[Sequence[int], Offsets]:
        """Ids (a list or a numpy array) and the [start, end) characters of each token in `text`."""
        ...


@dataclass(frozen=True, slots=True)
class Offsets:
    """Where each token lies in the text: characters, or UTF-8 bytes when `in_bytes` (cheaper for tiktoken)."""

    starts: Sequence[int]
    ends: Sequence[int]
    in_bytes: bool = False
    contiguous: bool = False  # each token starts where the one before ends (starts[i] == ends[i - 1])

    def spans_in_units(self, text: str, spans: tuple[tuple[int, int], ...]) -> tuple[tuple[int, int], ...]:
        if not self.in_bytes or text.isascii():
            return spans
        return tuple(_utf8_offsets(text, spans))


def _utf8_offsets(text: str, spans: tuple[tuple[int, int], ...]) -> list[tuple[int, int]]:
    """Character spans as UTF-8 byte spans. Spans come in text order, so each stretch of text is encoded once
    (encoding the prefix up to every boundary cost a fifth of a non-ASCII record's encoding)."""
    out: list[tuple[int, int]] = []
    at = size = 0  # size: UTF-8 bytes of text[:at]
    for a, b in spans:
        if a < at or b < a:  # out of order: count from the start
            out.append((len(text[:a].encode("utf-8")), len(text[:b].encode("utf-8"))))
            continue
        size += len(text[at:a].encode("utf-8"))
        start = size
        size += len(text[a:b].encode("utf-8"))
        at = b
        out.append((start, size))
    return out


def tokens_in_spans(offsets: Offsets, spans: tuple[tuple[int, int], ...]) -> list[tuple[int, int]]:
    """Token ranges [first, last) of the tokens overlapping each character span: transformers masks every token
    whose [start, end) overlaps a generation span (its offsets, not the next token's start: byte-level
    tokenizers trim a leading space out of a token's offsets)."""
    ends = offsets.ends
    out: list[tuple[int, int]] = []
    if not offsets.contiguous:
        for start, end in spans:
            if end > start:
                first, last = bisect_right(ends, start), bisect_left(offsets.starts, end)
                if last > first:
                    out.append((first, last))
        return out
    # The first token is the one after the last that ends at or before `start` (integers: before start + 1);
    # the tokens starting before `end` are the first, then one per earlier end before it. One search for every
    # boundary of the record: a numpy call costs more than the search itself.
    bounds: list[int] = []
    for start, end in spans:
        if end > start:
            bounds += (start + 1, end)
    if not bounds:
        return out
    found = _search_all(ends, bounds)
    count = len(ends)
    for i in range(0, len(found), 2):
        first, last = found[i], min(count, 1 + found[i + 1]) if bounds[i + 1] > 0 else 0
        if last > first:
            out.append((first, last))
    return out


def _search_all(values: Sequence[int], xs: list[int]) -> list[int]:
    """bisect_left of each x: numpy's own search on an array, in one call (bisect would make a numpy scalar per
    probe); bisect on a list."""
    search = getattr(values, "searchsorted", None)
    if search is not None:
        return search(xs).tolist()  # type: ignore[no-any-return]
    return [bisect_left(values, x) for x in xs]


class HFJsonEncoder:
    """A Hugging Face tokenizer.json, through `tokenizers` (no transformers)."""

    def __init__(self, path: Path, name: str = "") -> None:
        from tokenizers import Tokenizer

        try:
            self._tok = Tokenizer.from_file(str(path))
        except Exception as exc:  # tokenizers raises plain Exception subclasses from Rust
            raise UsageError(f"{path}: not a tokenizer.json that `tokenizers` can load ({exc})") from exc
        self._name = name or str(path.parent)

    @property
    def name(self) -> str:
        return self._name

    @cached_property
    def special_tokens(self) -> Mapping[str, int]:
        return {t.content: i for i, t in self._tok.get_added_tokens_decoder().items() if t.special}

    def token_id(self, text: str) -> int | None:
        return self._tok.token_to_id(text)

    def encode(self, text: str) -> list[int]:
        return self._tok.encode(text, add_special_tokens=False).ids

    def count(self, text: str) -> int:
        return len(self._tok.encode(text, add_special_tokens=False).ids)

    def encode_with_offsets(self, text: str) -> tuple[Sequence[int], Offsets]:
        enc = self._tok.encode(text, add_special_tokens=False)
        pairs = enc.offsets
        return enc.ids, Offsets([a for a, _ in pairs], [b for _, b in pairs])


# A control token written as `<|name|>` with no `<`, `>` or `|` inside: matches of this pattern never overlap
# one another, so it finds every such token in a text.
_CONTROL_TOKEN_SHAPE = re.compile(r"<\|[^<>|]+\|>")


class TiktokenEncoder:
    """A tiktoken BPE with its control tokens."""

    def __init__(self, encoding: Any) -> None:
        self._enc = encoding
        self._specials: dict[str, int] = dict(encoding._special_tokens)
        # tiktoken converts the allowed set into a Rust set on every call: with Llama 3's 256 control tokens
        # that is a fifth of the encoding. Allowing only those the text holds gives the same ids (a control
        # token the text does not hold cannot match), when every one has the shape found above.
        self._shaped = all(_CONTROL_TOKEN_SHAPE.fullmatch(t) for t in self._specials)

    @property
    def name(self) -> str:
        return str(self._enc.name)

    @property
    def special_tokens(self) -> Mapping[str, int]:
        return self._specials

    def token_id(self, text: str) -> int | None:
        return self._specials.get(text)

    def _allowed(self, text: str) -> Any:
        if not self._shaped:
            return "all"
        if "<|" not in text:
            return _NONE
        return {t for t in _CONTROL_TOKEN_SHAPE.findall(text) if t in self._specials}

    def encode(self, text: str) -> list[int]:
        return self._enc.encode(text, allowed_special=self._allowed(text), disallowed_special=())  # type: ignore[no-any-return]

    def count(self, text: str) -> int:
        return len(
            self._enc.encode_to_numpy(text, allowed_special=self._allowed(text), disallowed_special=())
        )

    @cached_property
    def _byte_lengths(self) -> Any:
        """UTF-8 length of every token id, a numpy array indexed by id."""
        import numpy as np

        lengths = [0] * (self._enc.max_token_value + 1)
        for token, rank in self._enc._mergeable_ranks.items():
            lengths[rank] = len(token)
        for text, rank in self._specials.items():
            lengths[rank] = len(text.encode("utf-8"))
        return np.array(lengths, dtype=np.int64)

    def encode_with_offsets(self, text: str) -> tuple[Sequence[int], Offsets]:
        """Ids in tiktoken's numpy buffer and byte offsets as the running sum of their byte lengths, all in C
        (a Python list of ids and a per-token sum cost as much as a third of the encoding; decode_with_offsets
        far more); a token starts where the one before it ends, so the starts are the ends shifted by one."""
        ids = self._enc.encode_to_numpy(text, allowed_special=self._allowed(text), disallowed_special=())
        ends = self._byte_lengths.take(ids).cumsum()  # take: no fancy-indexing machinery
        return ids, Offsets(_StartsFromEnds(ends), ends, in_bytes=True, contiguous=True)


_NONE: frozenset[str] = frozenset()


class _StartsFromEnds(Sequence[int]):
    """starts[i] == ends[i - 1] (0 for the first token), without building a second list."""

    __slots__ = ("_ends",)

    def __init__(self, ends: Sequence[int]) -> None:
        self._ends = ends

    def __len__(self) -> int:
        return len(self._ends)

    @overload
    def __getitem__(self, index: int) -> int: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[int]: ...
    def __getitem__(self, index: int | slice) -> int | Sequence[int]:
        if isinstance(index, slice):
            return [self[i] for i in range(len(self._ends))[index]]
        if index < 0:
            index += len(self._ends)
        if not 0 <= index < len(self._ends):
            raise IndexError(index)
        return int(self._ends[index - 1]) if index else 0


def harmony_encoding() -> TiktokenEncoder:
    """gpt-oss's o200k_harmony: the shipped o200k_base ranks plus its control tokens (ids as in tiktoken_ext)."""
    import tiktoken

    from dataprep.tokens.encodings import get_encoding

    base = get_encoding("o200k_base")
    named = {
        "<|startoftext|>": 199998,
        "<|endoftext|>": 199999,
        "<|return|>": 200002,
        "<|constrain|>": 200003,
        "<|channel|>": 200005,
        "<|start|>": 200006,
        "<|end|>": 200007,
        "<|message|>": 200008,
        "<|call|>": 200012,
    }
    reserved = {f"<|reserved_{i}|>": i for i in (200000, 200001, 200004, 200009, 200010, 200011)}
    reserved |= {f"<|reserved_{i}|>": i for i in range(200013, 201088)}
    specials = {**base._special_tokens, **named, **reserved}
    enc = tiktoken.Encoding(
        "o200k_harmony", pat_str=base._pat_str, mergeable_ranks=base._mergeable_ranks, special_tokens=specials
    )
    return TiktokenEncoder(enc)


def llama3_encoding(model_file: Path) -> TiktokenEncoder:
    """Llama 3's tokenizer.model, read from the installed `llama-models` package through Meta's own loader."""
    from llama_models.llama3.tokenizer import Tokenizer

    return TiktokenEncoder(Tokenizer(model_file).model)
