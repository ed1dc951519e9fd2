"""Text encoders for open-weight models: the one job of turning rendered text into token ids, with offsets.

Two shapes cover every model in the table: a `tokenizers` tokenizer.json (any Hugging Face folder) and a tiktoken
BPE (Llama 3 from Meta's `llama-models` wheel, gpt-oss's o200k_harmony from the o200k_base dataprep ships).
Special tokens written in the text become control tokens, as transformers' apply_chat_template encodes them.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import accumulate
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

    def encode_with_offsets(self, text: str) -> tuple[list[int], Offsets]:
        """Ids and the [start, end) characters of each token in `text`."""
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
        return tuple((len(text[:a].encode("utf-8")), len(text[:b].encode("utf-8"))) for a, b in spans)


def tokens_in_spans(offsets: Offsets, spans: tuple[tuple[int, int], ...]) -> list[tuple[int, int]]:
    """Token ranges [first, last) of the tokens overlapping each character span: transformers masks every token
    whose [start, end) overlaps a generation span (its offsets, not the next token's start: byte-level
    tokenizers trim a leading space out of a token's offsets)."""
    out: list[tuple[int, int]] = []
    for start, end in spans:
        if end <= start:
            continue
        first = bisect_right(offsets.ends, start)
        if offsets.contiguous:  # tokens starting before `end`: the first, then one per earlier end before it
            count = len(offsets.ends)
            last = min(count, 1 + bisect_left(offsets.ends, end, 0, max(count - 1, 0))) if end > 0 else 0
        else:
            last = bisect_left(offsets.starts, end)
        if last > first:
            out.append((first, last))
    return out


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

    def encode_with_offsets(self, text: str) -> tuple[list[int], Offsets]:
        enc = self._tok.encode(text, add_special_tokens=False)
        pairs = enc.offsets
        return enc.ids, Offsets([a for a, _ in pairs], [b for _, b in pairs])


class TiktokenEncoder:
    """A tiktoken BPE with its control tokens."""

    def __init__(self, encoding: Any) -> None:
        self._enc = encoding

    @property
    def name(self) -> str:
        return str(self._enc.name)

    @property
    def special_tokens(self) -> Mapping[str, int]:
        return dict(self._enc._special_tokens)

    def token_id(self, text: str) -> int | None:
        return self.special_tokens.get(text)

    def encode(self, text: str) -> list[int]:
        return list(self._enc.encode(text, allowed_special="all"))

    @cached_property
    def _byte_lengths(self) -> list[int]:
        """UTF-8 length of every token id (a plain list: indexing it from C is the cheapest lookup)."""
        lengths = [0] * (self._enc.max_token_value + 1)
        for token, rank in self._enc._mergeable_ranks.items():
            lengths[rank] = len(token)
        for text, rank in self._enc._special_tokens.items():
            lengths[rank] = len(text.encode("utf-8"))
        return lengths

    def encode_with_offsets(self, text: str) -> tuple[list[int], Offsets]:
        """Byte offsets from the table of token byte lengths, summed in C (decode_with_offsets is much
        slower); a token starts where the one before it ends, so the starts are the ends shifted by one."""
        ids = self._enc.encode(text, allowed_special="all")
        ends = list(accumulate(map(self._byte_lengths.__getitem__, ids)))
        return ids, Offsets(_StartsFromEnds(ends), ends, in_bytes=True, contiguous=True)


class _StartsFromEnds(Sequence[int]):
    """starts[i] == ends[i - 1] (0 for the first token), without building a second list."""

    __slots__ = ("_ends",)

    def __init__(self, ends: list[int]) -> None:
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
        return self._ends[index - 1] if index else 0


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
