"""Paraphrase-heavy chit-chat: thousands of one-line exchanges such as "bye" -> "Bye.", "thanks" -> "Any time".

Each row picks a topic (greeting, farewell, thanks, ...), one of its user phrasings and one of its answers, and
varies them the way hand-made chit-chat CSVs do: letter case, end punctuation, a filler word in front ("ok",
"well"), an emoji-like ":)". The result has what real chit-chat data has: many exact and normalised copies, big
groups of near-identical one-liners, and topics whose phrasings share no words at all ("bye" / "see you").

Used by tests/test_dedup_quality.py and tests/test_split_dedup.py, and by hand:
    python benchmarks/gen_chitchat.py 9783 chitchat.csv      (columns: question, answer)
"""

from __future__ import annotations

import csv
import random
import sys
from typing import Any

TOPICS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "farewell": (
        ("bye", "goodbye", "see you", "see you later", "bye bye", "catch you later", "talk to you later"),
        (
            "Bye.",
            "Goodbye!",
            "See you!",
            "See you soon.",
            "Take care!",
            "Bye, have a nice day.",
            "Talk soon!",
        ),
    ),
    "thanks": (
        ("thanks", "thank you", "thanks a lot", "thank you so much", "many thanks", "cheers", "thx"),
        (
            "Any time.",
            "You're welcome!",
            "No problem.",
            "Happy to help!",
            "My pleasure.",
            "Glad I could help.",
        ),
    ),
    "greeting": (
        ("hi", "hello", "hey", "hi there", "hello there", "good morning", "good evening", "howdy"),
        ("Hello!", "Hi there!", "Hey! How can I help?", "Hello, how can I help you today?", "Hi! What's up?"),
    ),
    "how_are_you": (
        ("how are you", "how are you doing", "how's it going", "how do you do", "are you ok", "you good"),
        (
            "I'm fine, thanks!",
            "Doing well, thank you. And you?",
            "All good here!",
            "I'm great, thanks for asking.",
        ),
    ),
    "name": (
        ("what is your name", "what's your name", "who are you", "tell me your name", "do you have a name"),
        ("I'm a virtual assistant.", "You can call me Assistant.", "I am your assistant.", "I'm just a bot."),
    ),
    "joke": (
        ("tell me a joke", "say something funny", "make me laugh", "know any jokes", "joke please"),
        (
            "Why did the chicken cross the road? To get to the other side!",
            "I would tell you a UDP joke, but you might not get it.",
            "Parallel lines have so much in common. It's a shame they'll never meet.",
        ),
    ),
    "bored": (
        ("i'm bored", "i am bored", "so bored", "nothing to do", "entertain me"),
        ("Want to hear a fun fact?", "How about a quick game?", "Let's talk about something fun!"),
    ),
    "age": (
        ("how old are you", "what is your age", "when were you born", "are you old"),
        ("I don't have an age.", "Age is just a number for a bot!", "I was created recently."),
    ),
    "love": (
        ("i love you", "do you love me", "will you marry me", "you're cute"),
        ("That's sweet of you!", "I'm flattered!", "I'm a bot, but thank you!", "Aww, thanks."),
    ),
    "ok": (
        ("ok", "okay", "alright", "cool", "great", "nice", "got it"),
        ("Great!", "Awesome.", "Glad to hear it!", "Cool!", "Perfect."),
    ),
}
_FILLERS = ("", "", "", "", "ok ", "well ", "oh ", "hmm ")
_ENDS = ("", "", "", "!", ".", "?", "!!", " :)")


def _vary(text: str, rng: random.Random, *, user: bool) -> str:
    if user:
        text = rng.choice(_FILLERS) + text
        text = text.rstrip("?!.") + rng.choice(_ENDS)
        case = rng.random()
        if case < 0.3:
            text = text.capitalize()
        elif case < 0.35:
            text = text.upper()
    elif rng.random() < 0.2:
        text = text.rstrip("!.") + rng.choice(("!", ".", " :)", ""))
    return text


def rows(n: int, seed: int = 0) -> list[tuple[str, str, str]]:
    """(topic, question, answer) for n rows; deterministic for a seed."""
    rng = random.Random(seed)
    names = sorted(TOPICS)
    out = []
    for _ in range(n):
        topic = rng.choice(names)
        questions, answers = TOPICS[topic]
        question = _vary(rng.choice(questions), rng, user=True)
        out.append((topic, question, _vary(rng.choice(answers), rng, user=False)))
    return out


def records(n: int, seed: int = 0) -> list[dict[str, Any]]:
    """The rows as chat records (user question, assistant answer)."""
    return [
        {"messages": [{"role": "user", "content": q}, {"role": "assistant", "content": a}]}
        for _, q, a in rows(n, seed)
    ]


def main(argv: list[str]) -> int:
    n, path = int(argv[0]), argv[1]
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["question", "answer"])
        writer.writerows((q, a) for _, q, a in rows(n))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
