"""Deterministic generator of realistic chat fine-tuning JSONL, for benchmarks and tests.

Same seed, same bytes. What the data looks like (shares are of examples, approximate):
- about 2 KB per example on average, long-tailed: most are short, a few paste whole documents;
- 1 to 8 user/assistant turns, system prompts drawn from a small pool;
- English-like text over a Zipf-distributed vocabulary of several thousand words (real function words at the
  head, pronounceable made-up words in the tail), with paragraphs, bullet lists and code blocks;
- NON_LATIN_SHARE with CJK, Cyrillic or Arabic sentences or emoji;
- TOOL_SHARE with a `tools` field, assistant `tool_calls` (arguments as JSON text) and `tool` messages answering
  each call id;
- EXACT_DUP_SHARE exact copies and NEAR_DUP_SHARE near copies (a word or two changed) of earlier examples,
  drawn from a reservoir so duplicates may lie far apart;
- a few assistant messages with `weight: 0`, a few user messages with a `name`.
Every record is valid chat fine-tuning data: it ends with an assistant message and every tool message answers
an id from an earlier assistant `tool_calls`.

CLI: python benchmarks/generate_chat.py --examples 100000 --seed 1 -o benchmarks/data/chat_100k.jsonl
Library: generate(n, seed) -> Iterator[dict]; write(path, n, seed) -> bytes written.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import itertools
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

__all__ = [
    "EXACT_DUP_SHARE",
    "NEAR_DUP_SHARE",
    "NON_LATIN_SHARE",
    "TOOL_SHARE",
    "generate",
    "write",
]

# Bump when the output for a given seed changes, so cached benchmark files get regenerated.
GENERATOR_VERSION = 1

SYSTEM_SHARE = 0.7
NON_LATIN_SHARE = 0.08
TOOL_SHARE = 0.10
EXACT_DUP_SHARE = 0.03
NEAR_DUP_SHARE = 0.02
NAME_SHARE = 0.03
LONG_DOC_SHARE = 0.01
# Applied to multi-turn examples only: an earlier assistant turn the trainer should not learn from.
WEIGHT_ZERO_SHARE = 0.015

VOCAB_SIZE = 6000
ZIPF_EXPONENT = 1.07
RESERVOIR_SIZE = 1000
# The vocabulary is the same language whatever the seed: only the text drawn from it changes.
_VOCAB_SEED = 20240601

# Turn counts 1..8, skewed to short conversations.
_TURN_WEIGHTS = (35, 20, 13, 10, 8, 6, 4, 4)

_COMMON_TEXT = (
    "the of and to a in is you that it for on with as are be this was have or by not at from but can your an "
    "they we will if all one more which do has about so when what there their use time up out also how other "
    "some into only new than then them these may any like just over most make each should would could first "
    "need after because well where here very way such even both through while between before under without "
    "again same good people work data order number result value list file question answer example change "
    "help check sure step case point part system user model price month week today cost report team plan "
    "please thanks note simple small large short long best next last right left open close read write find "
    "keep show start stop run test set add move turn give take call ask try feel seem leave put mean let"
)
_COMMON_WORDS = tuple(_COMMON_TEXT.split())

# Rarer words are built from real English roots and affixes, so they look and tokenize like English.
_ROOTS_TEXT = (
    "act air art bank base bird block board boat body book box bread bridge build card care cast cell "
    "chain chart cloud coat code color cook corn count cover craft cross cut dark deal desk draw dream "
    "dress drink drive earth edge farm field fire fish flag flow fold food foot force form frame fruit "
    "garden gate glass grade grain graph green ground group guard guide hand harm head heart heat hold "
    "home horse house iron joy judge kind king land law lead learn light line load lock mark market match "
    "meal mind mount nation night note oil paint paper pass path pay phone place plant play port power "
    "print quest rail rain range reach rock room root round sail salt scale school sea seed sense serve "
    "shape share ship shop sign silver skill sleep snow sound space speak spring stand star state steam "
    "steel stone store storm stream street strength struct sun table talk teach tell term text thought "
    "tool town track trade train trust truth view voice walk wall watch water wave wheel wind wood word "
    "world yard young bright clear deep fair fast fresh hard high low quiet rich safe sharp slow soft "
    "strong sweet warm wide wild"
)
_ROOTS = tuple(_ROOTS_TEXT.split())
_PREFIXES = ("", "", "", "", "", "re", "un", "pre", "over", "under", "out", "sub", "inter", "counter", "mis")
_SUFFIXES = (
    "", "", "s", "s", "ed", "ing", "er", "ers", "ly", "ful", "less", "ness", "ment", "able", "ish", "ward",
)  # fmt: skip

_CYRILLIC_CONSONANTS = "бвгджзклмнпрстфхцчшщ"
_CYRILLIC_VOWELS = "аеиоуыэюяё"
_ARABIC_LETTERS = "ابتثجحخدذرسشصضطظعغفقكلمنهوي"
_EMOJI = (
    "😀", "😂", "🙂", "😉", "😍", "🤔", "😅", "🙏", "👍", "👍🏽", "👎", "👏", "🎉", "🔥", "✅", "❌", "⚠️", "❤️",
    "💡", "📌", "📎", "🚀", "⭐", "🌍", "🍕", "☕", "🐍", "🤖", "👩‍💻", "👨‍👩‍👧", "🇯🇵", "🇧🇷", "🏳️‍🌈", "💯",
)  # fmt: skip

_SYSTEM_PROMPTS = (
    "You are a helpful assistant.",
    "You are a helpful assistant. Answer briefly and accurately.",
    "You are a customer support agent for an online bookshop. Be polite, concise and never promise refunds "
    "you cannot give.",
    "You turn pantry lists into shopping advice.",
    "You are a senior Python developer reviewing code. Point out bugs first, then style issues.",
    "You are a travel planner. Ask for the budget and dates when they are missing.",
    "You are a patient maths tutor. Explain each step and check the student's understanding.",
    "You summarise documents for busy readers. Use short paragraphs and bullet points.",
    "You are an assistant for a hardware store. Recommend products only from the catalogue.",
    "You translate between English and other languages, keeping the tone of the original.",
    "You answer questions about the company's HR policies. If unsure, refer the user to HR.",
    "Du bist ein hilfreicher Assistent.",
)

_CODE_SNIPPETS = (
    "```python\ndef total(items):\n    return sum(item.price * item.quantity for item in items)\n```",
    "```python\nwith open(path, encoding='utf-8') as handle:\n    rows = [line.split(',') for line in handle]\n```",
    "```bash\npython -m venv .venv && . .venv/bin/activate\npip install -r requirements.txt\n```",
    "```sql\nSELECT customer_id, COUNT(*) AS orders\nFROM orders\nGROUP BY customer_id\nORDER BY orders DESC;\n```",
    "```js\nconst res = await fetch(url);\nif (!res.ok) throw new Error(`HTTP ${res.status}`);\n```",
    '```json\n{"name": "example", "version": "1.0.0", "private": true}\n```',
)

_CITIES = ("Lisbon", "Osaka", "Nairobi", "Toronto", "Lima", "Oslo", "Hanoi", "Denver", "Cairo", "Perth")
_CURRENCIES = ("USD", "EUR", "JPY", "GBP", "BRL", "INR", "KES", "CAD")
_USER_NAMES = ("kai", "maria_s", "dev-team", "user42", "anon", "lee", "priya", "tom_b")


@dataclass(frozen=True)
class _Tool:
    definition: dict[str, Any]
    make_args: Callable[[random.Random], dict[str, Any]]
    make_result: Callable[[random.Random], dict[str, Any]]

    @property
    def name(self) -> str:
        return str(self.definition["function"]["name"])


def _function(name: str, description: str, properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    params = {"type": "object", "properties": properties, "required": required}
    return {"type": "function", "function": {"name": name, "description": description, "parameters": params}}


def _string(description: str) -> dict[str, Any]:
    return {"type": "string", "description": description}


_TOOLS = (
    _Tool(
        _function(
            "get_weather",
            "Get the current weather in a city.",
            {"location": _string("City name"), "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}},
            ["location"],
        ),
        lambda r: {"location": r.choice(_CITIES), "unit": r.choice(("celsius", "fahrenheit"))},
        lambda r: {
            "temperature": r.randint(-10, 38),
            "conditions": r.choice(("sunny", "rain", "cloudy", "snow")),
        },
    ),
    _Tool(
        _function(
            "search_docs",
            "Search the knowledge base and return the best matching passages.",
            {"query": _string("Search terms"), "limit": {"type": "integer", "minimum": 1, "maximum": 20}},
            ["query"],
        ),
        lambda r: {"query": " ".join(r.sample(_COMMON_WORDS, 3)), "limit": r.randint(1, 5)},
        lambda r: {
            "hits": [{"id": f"doc-{r.randrange(10**5)}", "score": round(r.random(), 3)} for _ in range(2)]
        },
    ),
    _Tool(
        _function(
            "get_order_status", "Look up an order by its id.", {"order_id": _string("Order id")}, ["order_id"]
        ),
        lambda r: {"order_id": f"A{r.randrange(10**7):07d}"},
        lambda r: {"status": r.choice(("shipped", "processing", "delivered")), "eta_days": r.randint(0, 9)},
    ),
    _Tool(
        _function(
            "convert_currency",
            "Convert an amount between currencies at today's rate.",
            {"amount": {"type": "number"}, "from": _string("ISO code"), "to": _string("ISO code")},
            ["amount", "from", "to"],
        ),
        lambda r: {"amount": r.randint(1, 5000), "from": r.choice(_CURRENCIES), "to": r.choice(_CURRENCIES)},
        lambda r: {"converted": round(r.uniform(1, 9000), 2), "rate": round(r.uniform(0.01, 150), 4)},
    ),
    _Tool(
        _function(
            "create_event",
            "Create a calendar event.",
            {
                "title": _string("Event title"),
                "start": _string("ISO 8601 start time"),
                "duration_minutes": {"type": "integer"},
            },
            ["title", "start"],
        ),
        lambda r: {
            "title": " ".join(r.sample(_COMMON_WORDS, 2)).capitalize(),
            "start": f"2025-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}T{r.randint(8, 18):02d}:00:00",
            "duration_minutes": r.choice((15, 30, 45, 60, 90)),
        },
        lambda r: {"event_id": f"evt_{r.randrange(16**8):08x}", "created": True},
    ),
    _Tool(
        _function(
            "lookup_recipe",
            "Find recipes that use the given ingredients.",
            {
                "ingredients": {"type": "array", "items": {"type": "string"}},
                "max_minutes": {"type": "integer"},
            },
            ["ingredients"],
        ),
        lambda r: {
            "ingredients": r.sample(("rice", "eggs", "onion", "peas", "tofu", "basil"), 3),
            "max_minutes": 30,
        },
        lambda r: {"recipes": [r.choice(("fried rice", "omelette", "stir fry", "soup"))], "count": 1},
    ),
    _Tool(
        _function(
            "calculate",
            "Evaluate an arithmetic expression.",
            {"expression": _string("Expression")},
            ["expression"],
        ),
        lambda r: {"expression": f"{r.randint(1, 999)} * {r.randint(1, 99)} + {r.randint(0, 50)}"},
        lambda r: {"result": r.randint(0, 10**5)},
    ),
)


@functools.lru_cache(maxsize=1)
def _vocabulary() -> tuple[tuple[str, ...], tuple[float, ...]]:
    """English-like words, most frequent first, and Zipf cumulative weights for `random.choices`."""
    rng = random.Random(_VOCAB_SEED)
    words = list(dict.fromkeys(_COMMON_WORDS))
    seen = set(words)
    made: list[str] = []
    while len(words) + len(made) < VOCAB_SIZE:
        # Compounds ("stonewall") and derived forms ("unsharpened"), as English grows its long tail.
        word = rng.choice(_PREFIXES) + rng.choice(_ROOTS)
        if rng.random() < 0.3:
            word += rng.choice(_ROOTS)
        word += rng.choice(_SUFFIXES)
        if word not in seen:
            seen.add(word)
            made.append(word)
    # Frequent words are short in real languages.
    made.sort(key=len)
    words.extend(made)
    cumulative = tuple(itertools.accumulate(1.0 / rank**ZIPF_EXPONENT for rank in range(1, len(words) + 1)))
    return tuple(words), cumulative


def _unique_words(rng: random.Random, letters_for: Callable[[random.Random], str], size: int) -> list[str]:
    return list(dict.fromkeys(letters_for(rng) for _ in range(size)))


def _cyrillic_word(rng: random.Random) -> str:
    return "".join(
        rng.choice(_CYRILLIC_CONSONANTS) + rng.choice(_CYRILLIC_VOWELS) for _ in range(rng.randint(1, 4))
    )


def _arabic_word(rng: random.Random) -> str:
    return "".join(rng.choices(_ARABIC_LETTERS, k=rng.randint(2, 7)))


@dataclass(frozen=True)
class _Pools:
    """Sentences drawn once per seed; messages are made of sentences picked from these pools."""

    english: list[str]
    questions: list[str]
    by_script: dict[str, list[str]]

    @classmethod
    def build(cls, rng: random.Random) -> _Pools:
        vocab, cumulative = _vocabulary()
        english = [_english_sentence(rng, vocab, cumulative, ".") for _ in range(40_000)]
        questions = [_english_sentence(rng, vocab, cumulative, "?") for _ in range(5_000)]
        return cls(english, questions, _script_pools(rng))


def _english_sentence(
    rng: random.Random, vocab: tuple[str, ...], cumulative: tuple[float, ...], end: str
) -> str:
    length = min(40, 3 + int(rng.expovariate(1 / 9)))
    words = rng.choices(vocab, cum_weights=cumulative, k=length)
    if rng.random() < 0.15:
        words.insert(rng.randrange(length), str(rng.choice((rng.randint(1, 100), rng.randint(100, 99_999)))))
    if length > 6 and rng.random() < 0.4:
        comma = rng.randrange(2, length - 2)
        words[comma] += ","
    if end == "." and rng.random() < 0.05:
        end = "!"
    words[0] = words[0].capitalize()
    return " ".join(words) + end


def _script_pools(rng: random.Random) -> dict[str, list[str]]:
    """Sentence pools for the non-Latin scripts, Zipf-weighted like the English one."""
    cjk_chars = [chr(code) for code in rng.sample(range(0x4E00, 0x9FA6), 2500)]
    cjk_words = list(dict.fromkeys("".join(rng.choices(cjk_chars, k=rng.randint(1, 3))) for _ in range(3000)))
    word_lists = {
        "cjk": cjk_words,
        "cyrillic": _unique_words(rng, _cyrillic_word, 2000),
        "arabic": _unique_words(rng, _arabic_word, 2000),
    }
    pools: dict[str, list[str]] = {}
    for script, words in word_lists.items():
        cumulative = list(
            itertools.accumulate(1.0 / rank**ZIPF_EXPONENT for rank in range(1, len(words) + 1))
        )
        sentences = []
        for _ in range(3000):
            picked = rng.choices(words, cum_weights=cumulative, k=min(30, 3 + int(rng.expovariate(1 / 8))))
            if script == "cjk":
                sentences.append("".join(picked) + rng.choice(("。", "。", "？", "！")))
            elif script == "arabic":
                sentences.append(" ".join(picked) + rng.choice((".", ".", "؟")))
            else:
                sentences.append(" ".join(picked).capitalize() + rng.choice((".", ".", "?")))
        pools[script] = sentences
    return pools


def _lognormal_count(rng: random.Random, mu: float, sigma: float, cap: int) -> int:
    return max(1, min(cap, round(rng.lognormvariate(mu, sigma))))


class _Writer:
    """Builds message texts for one example in one script ("latin", "cjk", "cyrillic", "arabic" or "emoji")."""

    def __init__(self, rng: random.Random, pools: _Pools, script: str) -> None:
        self.rng = rng
        self.pools = pools
        self.script = script

    def sentences(self, count: int, question: bool = False) -> list[str]:
        rng = self.rng
        picked = rng.choices(self.pools.english, k=count)
        if question:
            picked[-1] = rng.choice(self.pools.questions)
        if self.script == "emoji":
            picked = [s + " " + rng.choice(_EMOJI) if rng.random() < 0.4 else s for s in picked]
        elif self.script != "latin":
            # Mostly the other script, with some English mixed in, as in translation or bilingual chats.
            pool = self.pools.by_script[self.script]
            picked = [rng.choice(pool) if rng.random() < 0.7 else s for s in picked]
        return picked

    def paragraphs(self, sentences: list[str], rich: bool) -> str:
        rng = self.rng
        parts: list[str] = []
        i = 0
        while i < len(sentences):
            size = rng.randint(2, 6)
            chunk = sentences[i : i + size]
            i += size
            if rich and len(chunk) >= 3 and rng.random() < 0.15:
                parts.append("\n".join("- " + s for s in chunk))
            else:
                parts.append(" ".join(chunk))
        if rich and rng.random() < 0.05:
            parts.insert(rng.randint(0, len(parts)), rng.choice(_CODE_SNIPPETS))
        return "\n\n".join(parts)

    def user_text(self) -> str:
        rng = self.rng
        if rng.random() < LONG_DOC_SHARE:
            # A pasted document: the long tail of the length distribution.
            doc = self.paragraphs(self.sentences(rng.randint(40, 300)), rich=False)
            return doc + "\n\n" + self.rng.choice(self.pools.questions)
        return self.paragraphs(self.sentences(_lognormal_count(rng, 0.6, 0.8, 60), question=True), rich=False)

    def assistant_text(self) -> str:
        return self.paragraphs(self.sentences(_lognormal_count(self.rng, 1.2, 0.8, 120)), rich=True)


def _call_id(rng: random.Random) -> str:
    return "call_" + "".join(
        rng.choices("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", k=24)
    )


def _tool_exchange(rng: random.Random, writer: _Writer) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """A user request, an assistant tool call (one or two in parallel), the tool results and the answer."""
    offered = rng.sample(_TOOLS, rng.randint(1, 3))
    called = [offered[0]] if len(offered) == 1 or rng.random() < 0.8 else offered[:2]
    calls = [
        {
            "id": _call_id(rng),
            "type": "function",
            "function": {"name": tool.name, "arguments": orjson.dumps(tool.make_args(rng)).decode()},
        }
        for tool in called
    ]
    request: dict[str, Any] = {"role": "assistant"}
    style = rng.random()
    if style < 0.5:
        request["content"] = None
    elif style < 0.8:
        request["content"] = "Let me check that for you."
    request["tool_calls"] = calls
    messages: list[dict[str, Any]] = [{"role": "user", "content": writer.user_text()}, request]
    for call, tool in zip(calls, called, strict=True):
        result = orjson.dumps(tool.make_result(rng)).decode()
        messages.append({"role": "tool", "tool_call_id": call["id"], "content": result})
    messages.append({"role": "assistant", "content": writer.assistant_text()})
    rng.shuffle(offered)
    return messages, [tool.definition for tool in offered]


def _conversation(rng: random.Random, pools: _Pools) -> dict[str, Any]:
    script = "latin"
    if rng.random() < NON_LATIN_SHARE:
        script = rng.choice(("cjk", "cyrillic", "arabic", "emoji"))
    writer = _Writer(rng, pools, script)
    messages: list[dict[str, Any]] = []
    if rng.random() < SYSTEM_SHARE:
        messages.append({"role": "system", "content": rng.choice(_SYSTEM_PROMPTS)})
    turns = rng.choices(range(1, 9), weights=_TURN_WEIGHTS)[0]
    with_tools = rng.random() < TOOL_SHARE
    tool_turn = rng.randrange(turns) if with_tools else -1
    user_name = rng.choice(_USER_NAMES) if rng.random() < NAME_SHARE else None
    tools: list[dict[str, Any]] = []
    answers: list[dict[str, Any]] = []
    for turn in range(turns):
        if turn == tool_turn:
            exchange, tools = _tool_exchange(rng, writer)
            messages.extend(exchange)
            answers.append(exchange[-1])
            continue
        user: dict[str, Any] = {"role": "user", "content": writer.user_text()}
        if user_name is not None:
            user["name"] = user_name
        answer = {"role": "assistant", "content": writer.assistant_text()}
        messages.extend((user, answer))
        answers.append(answer)
    if script != "latin":
        # Guarantee the promised script appears even when the draw above picked only English sentences.
        first_user = next(m for m in messages if m["role"] == "user")
        if script == "emoji":
            first_user["content"] += " " + rng.choice(_EMOJI)
        else:
            first_user["content"] = rng.choice(pools.by_script[script]) + "\n\n" + first_user["content"]
    if len(answers) >= 2 and rng.random() < WEIGHT_ZERO_SHARE:
        answers[rng.randrange(len(answers) - 1)]["weight"] = 0
    record: dict[str, Any] = {"messages": messages}
    if tools:
        record["tools"] = tools
    return record


def _perturb(rng: random.Random, record: dict[str, Any]) -> dict[str, Any]:
    """A near duplicate: one or two words of one text message replaced, or its ending changed."""
    texts = [
        m
        for m in record["messages"]
        if m["role"] in ("user", "assistant") and isinstance(m.get("content"), str)
    ]
    message = rng.choice(texts)
    old = message["content"]
    words = old.split(" ")
    vocab, _ = _vocabulary()
    if len(words) >= 4:
        for _ in range(rng.randint(1, 2)):
            words[rng.randrange(len(words))] = rng.choice(vocab[:500])
        new = " ".join(words)
    else:
        new = old.rstrip(".?!。？！") + rng.choice(("!", " :)", "..."))
    message["content"] = new if new != old else old + " Thanks."
    return record


@functools.lru_cache(maxsize=4)
def _pools(seed: int) -> _Pools:
    # Cached: building the pools is most of the cost of a small run, and they depend on the seed alone.
    return _Pools.build(random.Random(f"pools-{seed}"))


def generate(n: int, seed: int = 1) -> Iterator[dict[str, Any]]:
    """Yield `n` chat records; the same `(n, seed)` always yields the same records in the same order."""
    pools = _pools(seed)
    rng = random.Random(f"conversations-{seed}")
    # Serialised copies of a uniform sample of earlier originals: the source of duplicates near and far.
    reservoir: list[bytes] = []
    originals = 0
    for _ in range(n):
        roll = rng.random()
        if reservoir and roll < EXACT_DUP_SHARE:
            yield orjson.loads(rng.choice(reservoir))
            continue
        if reservoir and roll < EXACT_DUP_SHARE + NEAR_DUP_SHARE:
            yield _perturb(rng, orjson.loads(rng.choice(reservoir)))
            continue
        record = _conversation(rng, pools)
        originals += 1
        if len(reservoir) < RESERVOIR_SIZE:
            reservoir.append(orjson.dumps(record))
        else:
            slot = rng.randrange(originals)
            if slot < RESERVOIR_SIZE:
                reservoir[slot] = orjson.dumps(record)
        yield record


def write(path: str | os.PathLike[str], n: int, seed: int = 1) -> int:
    """Write `n` records as JSONL to `path` (atomically: a temporary file renamed into place); return bytes."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    written = 0
    try:
        with os.fdopen(fd, "wb") as handle:
            for record in generate(n, seed):
                line = orjson.dumps(record) + b"\n"
                handle.write(line)
                written += len(line)
        os.chmod(tmp_name, 0o644)  # mkstemp creates 0600; data files are meant to be shared
        os.replace(tmp_name, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write deterministic, realistic chat fine-tuning JSONL.")
    parser.add_argument(
        "--examples", "-n", type=int, default=10_000, help="number of examples (default 10000)"
    )
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("-o", "--output", required=True, help="output .jsonl path")
    args = parser.parse_args(argv)
    if args.examples < 0:
        parser.error("--examples must be >= 0")
    start = time.perf_counter()
    size = write(args.output, args.examples, args.seed)
    elapsed = time.perf_counter() - start
    print(
        f"wrote {args.examples} examples, {size / 1e6:.1f} MB ({size / max(args.examples, 1):.0f} B/example) "
        f"to {args.output} in {elapsed:.1f} s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
