"""Chat examples with planted near-duplicates, for the duplicate-detection quality test and benchmark.

- `examples(n, seed)`: multi-turn chat records over an English-like vocabulary of VOCABULARY_SIZE words drawn
  Zipf-distributed (real function words at the head, pronounceable made-up words after them), with a
  system prompt from a small pool on most examples. Self-contained, fast, deterministic.
- `edit(record, rng)`: the planted near-duplicate: in EVERY message with text, 5-10% of the words (at least
  one) are replaced by other vocabulary words, keeping capitals and punctuation.
- `plant(records, share, seed)`: edited copies of `share` of the records inserted at random later positions;
  returns the new list and the planted pairs as 0-based (original, copy) positions.

The 100k benchmark uses benchmarks/generate_chat.py for the base data when it is there (more realistic:
tools, non-Latin text, long tails), planting copies with `edit`.
CLI: python benchmarks/gen_dedup_data.py -n 10000 -o data.jsonl   (writes data.jsonl and data.pairs.json)
"""

from __future__ import annotations

import argparse
import bisect
import itertools
import random
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import orjson

VOCABULARY_SIZE = 5000
ZIPF_EXPONENT = 1.1
EDIT_LOW, EDIT_HIGH = 0.05, 0.10

_FUNCTION_WORDS = (
    "the of and to a in is you that it for on was with as are be this have from or by not but what all "
    "were when we there can an your which their if do will each about how up out them then she many some "
    "so these would other into has more her two like him see time could no make than first been its who "
    "now people my made over did down only way find use may water long little very after words called "
    "just where most know get through back much before go good new write our used me man too any day "
    "same right look think also around another came come work three word must because does part"
)
FUNCTION_WORDS = tuple(_FUNCTION_WORDS.split())
_ONSETS = tuple(
    "- b c d f g h k l m n p r s t v w br cl dr fl gr pl pr sh st th tr ch sp".replace("-", "").split(" ")
)
_VOWELS = ("a", "e", "i", "o", "u", "ai", "ea", "ee", "oo", "ou", "ie", "y")
_CODAS = ("", "", "", "n", "r", "s", "t", "l", "m", "nd", "st", "ng", "ck", "rt", "x")
# A word: a run of letters, or one CJK character (those scripts do not separate words with spaces).
_WORD = re.compile(
    r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]|[^\W\d_\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]+"
)


class Vocabulary:
    """Words with Zipf weights; draw() is a binary search on the cumulative weights."""

    def __init__(self, size: int = VOCABULARY_SIZE, seed: int = 7) -> None:
        rng = random.Random(f"vocabulary-{seed}")
        words = list(dict.fromkeys(FUNCTION_WORDS))
        seen = set(words)
        made: list[str] = []
        while len(words) + len(made) < size:
            syllables = rng.choices((1, 2, 3, 4), (0.35, 0.4, 0.2, 0.05))[0]
            word = "".join(
                rng.choice(_ONSETS) + rng.choice(_VOWELS) + rng.choice(_CODAS) for _ in range(syllables)
            )
            if 1 < len(word) < 14 and word not in seen:
                seen.add(word)
                made.append(word)
        made.sort(key=lambda w: (len(w), w))  # frequent words are short, as in real text
        self.words = words + made
        self.cumulative = list(itertools.accumulate(1.0 / rank**ZIPF_EXPONENT for rank in range(1, size + 1)))

    def draw(self, rng: random.Random) -> str:
        return self.words[bisect.bisect(self.cumulative, rng.random() * self.cumulative[-1])]


class _Writer:
    def __init__(self, vocabulary: Vocabulary, rng: random.Random) -> None:
        self.v = vocabulary
        self.rng = rng

    def sentence(self) -> str:
        words = [self.v.draw(self.rng) for _ in range(self.rng.randint(4, 18))]
        if len(words) > 8 and self.rng.random() < 0.3:
            words[self.rng.randrange(3, len(words) - 2)] += ","
        return " ".join(words).capitalize() + self.rng.choice(".....?!")

    def text(self, low: int, high: int) -> str:
        sentences = [self.sentence() for _ in range(self.rng.randint(low, high))]
        if len(sentences) > 4 and self.rng.random() < 0.5:  # paragraphs
            cut = self.rng.randrange(2, len(sentences) - 1)
            return " ".join(sentences[:cut]) + "\n\n" + " ".join(sentences[cut:])
        return " ".join(sentences)


def examples(n: int, seed: int = 1, vocabulary: Vocabulary | None = None) -> list[dict[str, Any]]:
    """`n` chat records; the same (n, seed) gives the same records."""
    rng = random.Random(f"examples-{seed}")
    writer = _Writer(vocabulary or Vocabulary(), rng)
    systems = [writer.text(1, 3) for _ in range(8)]
    out = []
    for _ in range(n):
        messages = [{"role": "system", "content": rng.choice(systems)}] if rng.random() < 0.7 else []
        for _ in range(rng.choice((1, 1, 2, 2, 3, 4))):
            messages.append({"role": "user", "content": writer.text(1, 3)})
            messages.append({"role": "assistant", "content": writer.text(2, 10)})
        out.append({"messages": messages})
    return out


def edit(record: dict[str, Any], rng: random.Random, vocabulary: Vocabulary) -> dict[str, Any]:
    """A copy with EDIT_LOW-EDIT_HIGH of the words of every text message replaced (at least one each)."""
    copy: dict[str, Any] = orjson.loads(orjson.dumps(record))
    for message in copy.get("messages", []):
        content = message.get("content")
        if isinstance(content, str) and _WORD.search(content):
            message["content"] = _edit_text(content, rng, vocabulary)
    return copy


def _edit_text(text: str, rng: random.Random, vocabulary: Vocabulary) -> str:
    spans = [m.span() for m in _WORD.finditer(text)]
    count = max(1, round(rng.uniform(EDIT_LOW, EDIT_HIGH) * len(spans)))
    chosen = sorted(rng.sample(range(len(spans)), count), reverse=True)
    for index in chosen:
        start, end = spans[index]
        old = text[start:end]
        new = old
        while new.lower() == old.lower():
            new = vocabulary.draw(rng)
        if old[:1].isupper():
            new = new.capitalize()
        text = text[:start] + new + text[end:]
    return text


def plant(
    records: Sequence[dict[str, Any]], share: float, seed: int = 1, vocabulary: Vocabulary | None = None
) -> tuple[list[dict[str, Any]], list[tuple[int, int]]]:
    """Insert edited copies of `share` of the records after their originals; return (records, pairs)."""
    rng = random.Random(f"plant-{seed}")
    vocab = vocabulary or Vocabulary()
    chosen = set(rng.sample(range(len(records)), round(share * len(records))))
    # Each copy goes at a random later position: after its original, among the following records.
    inserts: dict[int, list[int]] = {}
    for original in sorted(chosen):
        inserts.setdefault(rng.randint(original, len(records) - 1), []).append(original)
    out: list[dict[str, Any]] = []
    where: dict[int, int] = {}
    pairs: list[tuple[int, int]] = []
    for position, record in enumerate(records):
        where[position] = len(out)
        out.append(record)
        for original in inserts.get(position, []):
            pairs.append((where[original], len(out)))
            out.append(edit(records[original], rng, vocab))
    return out, pairs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write chat JSONL with planted near-duplicates.")
    parser.add_argument("-n", "--examples", type=int, default=10_000)
    parser.add_argument("--share", type=float, default=0.05, help="share of examples given an edited copy")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("-o", "--output", required=True)
    args = parser.parse_args(argv)
    records, pairs = plant(examples(args.examples, args.seed), args.share, args.seed)
    path = Path(args.output)
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in records))
    # Pairs as 1-based line numbers, the way findings name them.
    path.with_suffix(".pairs.json").write_bytes(orjson.dumps([(a + 1, b + 1) for a, b in pairs]))
    print(f"{len(records)} examples, {len(pairs)} planted near-duplicate pairs -> {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
