"""Write the chat, preference and invalid sample files in sample_data/ (run once; the output is committed).

Each invalid line carries exactly one problem; sample_data/README.md lists them.
"""

from __future__ import annotations

import json
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "sample_data"
SYSTEM = "You are a concise kitchen assistant. Answer in one or two sentences."


def chat(*turns: tuple[str, str], system: str | None = SYSTEM) -> dict[str, object]:
    messages: list[dict[str, object]] = [{"role": "system", "content": system}] if system else []
    messages += [{"role": role, "content": text} for role, text in turns]
    return {"messages": messages}


def u(text: str) -> tuple[str, str]:
    return ("user", text)


def a(text: str) -> tuple[str, str]:
    return ("assistant", text)


TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "convert_units",
            "description": "Convert a kitchen quantity between units.",
            "parameters": {
                "type": "object",
                "properties": {
                    "amount": {"type": "number"},
                    "from_unit": {"type": "string"},
                    "to_unit": {"type": "string"},
                },
                "required": ["amount", "from_unit", "to_unit"],
            },
        },
    }
]


def tool_example() -> dict[str, object]:
    call = {
        "id": "call_cups_1",
        "type": "function",
        "function": {
            "name": "convert_units",
            "arguments": '{"amount": 2, "from_unit": "cup", "to_unit": "ml"}',
        },
    }
    return {
        "messages": [
            {"role": "system", "content": SYSTEM},
            {"role": "user", "content": "How many millilitres are two cups of milk?"},
            {"role": "assistant", "content": None, "tool_calls": [call]},
            {"role": "tool", "tool_call_id": "call_cups_1", "content": "473.2"},
            {"role": "assistant", "content": "Two US cups are about 473 ml of milk."},
        ],
        "tools": TOOLS,
    }


TRAIN = [
    chat(
        u("I have rice, two eggs and half an onion. What should I buy for fried rice?"),
        a("Buy soy sauce, spring onions and frozen peas; you already have the rest."),
    ),
    chat(
        u("How long do I boil an egg for a runny yolk?"),
        a("Six minutes from boiling water, then straight into cold water."),
    ),
    chat(
        u("Can I freeze cooked pasta?"),
        a("Yes: toss it with a little oil, freeze flat in a bag, and use it within two months."),
    ),
    chat(
        u("What can replace buttermilk in pancakes?"),
        a("Stir a tablespoon of lemon juice into a cup of milk and let it stand for five minutes."),
    ),
    chat(
        u("My soup is too salty."),
        a("Add unsalted stock or water, or simmer a peeled potato in it for ten minutes."),
        u("And if it is still salty?"),
        a("Add a squeeze of lemon or a spoon of cream: acid and fat mask salt."),
    ),
    chat(
        u("How do I keep basil fresh?"),
        a("Stand the stems in a glass of water at room temperature, loosely covered with a bag."),
    ),
    chat(
        u("Is it safe to eat rice left out overnight?"),
        a("No: cooked rice left warm can grow Bacillus cereus; refrigerate it within an hour."),
    ),
    chat(
        u("What oven temperature for roast potatoes?"),
        a("220 °C (200 °C fan), on a preheated tray with hot oil, for about 45 minutes."),
    ),
    chat(
        u("Quick lunch with chickpeas?"),
        a("Mash them with lemon, olive oil and herbs and spread on toast with sliced tomato."),
    ),
    chat(
        u("How do I stop onions making me cry?"),
        a("Chill the onion for 15 minutes and use a very sharp knife."),
    ),
    chat(
        u("Why did my bread not rise?"),
        a("Usually the yeast was old or the water too hot; test yeast in warm water with sugar first."),
    ),
    tool_example(),
    chat(u("Is 37.5 °C a fever?"), a("Usually not: most guides put a fever at 38 °C or above."), system=None),
    chat(
        u("What does 'fold in' mean?"),
        a("Gently turn the mixture over with a spatula so you keep the air in."),
    ),
    chat(
        u("Substitute for eggs in brownies?"),
        a("Use three tablespoons of apple sauce or one mashed banana per egg."),
    ),
    chat(
        u("How long does fresh ginger keep?"),
        a("About three weeks in the fridge, or months if you freeze it whole and grate it frozen."),
    ),
    chat(u("番茄炒蛋需要多长时间？"), a("大约十分钟：先炒蛋，再炒番茄，最后合在一起。")),
    chat(u("Сколько варить гречку?"), a("Около 15 минут на слабом огне, 1 часть крупы на 2 части воды.")),
]

VALIDATION = [
    chat(
        u("How do I soften hard brown sugar?"), a("Seal it in a container with a slice of bread overnight.")
    ),
    chat(
        u("Can I use olive oil for baking a cake?"),
        a("Yes, a mild olive oil works; use three quarters of the butter's weight."),
    ),
    chat(
        u("What is blanching?"),
        a("Boiling vegetables briefly, then plunging them into ice water to stop the cooking."),
    ),
]

PREFERENCE = [
    {
        "input": {"messages": [{"role": "user", "content": question}]},
        "preferred_output": [{"role": "assistant", "content": good}],
        "non_preferred_output": [{"role": "assistant", "content": bad}],
    }
    for question, good, bad in [
        (
            "How long should I rest a steak?",
            "About five minutes for a thin steak, ten for a thick one.",
            "Resting is a myth, cut it right away.",
        ),
        (
            "Can I put a hot pan in cold water?",
            "No: the sudden change can warp it. Let it cool first.",
            "Sure, it cleans faster.",
        ),
        (
            "How do I ripen an avocado faster?",
            "Put it in a paper bag with a banana at room temperature.",
            "Microwave it for a minute.",
        ),
        ("What is al dente?", "Pasta cooked until tender but still firm when bitten.", "Very soft pasta."),
        (
            "How do I clean a cast-iron pan?",
            "Rinse with hot water, scrub, dry on the hob and wipe with a little oil.",
            "Soak it overnight in soapy water.",
        ),
        (
            "Should I wash raw chicken?",
            "No: washing spreads bacteria; cooking to 74 °C makes it safe.",
            "Yes, always rinse it well.",
        ),
        (
            "Why add salt to pasta water?",
            "It seasons the pasta from the inside.",
            "It makes the water boil much faster.",
        ),
        (
            "How can I tell if an egg is fresh?",
            "Fresh eggs sink and lie flat in a bowl of water.",
            "Shake it and listen.",
        ),
        (
            "What is a roux?",
            "Equal weights of fat and flour cooked together to thicken sauces.",
            "A kind of French soup.",
        ),
        (
            "How long do cooked beans keep in the fridge?",
            "Three to five days in a closed container.",
            "About a month.",
        ),
    ]
]

# (description, raw line) - one problem each; the expected code is listed in sample_data/README.md.
_USER = {"role": "user", "content": "What is a good spice for lentils?"}
_ASSIST = {"role": "assistant", "content": "Cumin, with a little smoked paprika."}
INVALID = [
    json.dumps({"messages": [_USER, _ASSIST]}),
    '{"messages": [{"role": "user", "content": "hi"},]}',
    json.dumps([_USER, _ASSIST]),
    json.dumps({"messages": [{"role": "bot", "content": "hi"}, _ASSIST]}),
    json.dumps({"messages": [_USER, _ASSIST], "source": "forum"}),
    json.dumps({"messages": [_USER]}),
    json.dumps({"messages": [_USER, {"role": "system", "content": "Be brief."}, _ASSIST]}),
    json.dumps({"messages": [{"role": "developer", "content": "Be brief."}, _USER, _ASSIST]}),
    json.dumps({"messages": [_USER, _ASSIST, {"role": "user", "content": "Thanks!"}]}),
    json.dumps({"messages": [_USER, {"role": "user", "content": "Anyone?"}, _ASSIST]}),
    json.dumps({"messages": [_USER, {"role": "tool", "tool_call_id": "call_x", "content": "42"}, _ASSIST]}),
    json.dumps(
        {
            "messages": [
                _USER,
                {
                    "role": "assistant",
                    "tool_calls": [
                        {"id": "call_1", "type": "function", "function": {"name": "f", "arguments": "{}"}}
                    ],
                },
                {"role": "user", "content": "Well?"},
                _ASSIST,
            ]
        }
    ),
    json.dumps(
        {
            "messages": [
                _USER,
                {
                    "role": "assistant",
                    "tool_calls": [
                        {"id": "call_1", "type": "function", "function": {"name": "f", "arguments": "{}"}},
                        {"id": "call_1", "type": "function", "function": {"name": "g", "arguments": "{}"}},
                    ],
                },
                {"role": "tool", "tool_call_id": "call_1", "content": "1"},
                _ASSIST,
            ]
        }
    ),
    json.dumps(
        {
            "messages": [
                _USER,
                {
                    "role": "assistant",
                    "tool_calls": [
                        {
                            "id": "call_2",
                            "type": "function",
                            "function": {"name": "f", "arguments": "{city: Oslo}"},
                        }
                    ],
                },
                {"role": "tool", "tool_call_id": "call_2", "content": "1"},
                _ASSIST,
            ]
        }
    ),
    json.dumps({"messages": [_USER, {"role": "assistant", "content": None}]}),
    json.dumps({"messages": [{"role": "user", "content": "   "}, _ASSIST]}),
    json.dumps({"messages": [_USER, {"role": "assistant", "content": "Cumin.\n\n"}]}),
    json.dumps(
        {
            "messages": [
                {
                    "role": "user",
                    "content": [{"type": "image_url", "image_url": {"url": "file:///tmp/dish.gif"}}],
                },
                _ASSIST,
            ]
        }
    ),
    json.dumps({"messages": [_USER, {"role": "assistant", "content": "Cumin.", "weight": 2}]}),
    json.dumps({"messages": [{"role": "user", "content": "Spice for lentils?<|endoftext|>"}, _ASSIST]}),
    "",
    '{"messages": [{"role": "user", "content": "hi"}], "score": NaN}',
    json.dumps({"prompt": "Spice for lentils?", "completion": "Cumin."}),
]


def write_jsonl(path: Path, records: list[dict[str, object]]) -> None:
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")


def main() -> None:
    OUT.mkdir(exist_ok=True)
    write_jsonl(OUT / "chat_valid.jsonl", TRAIN)
    write_jsonl(OUT / "chat_valid.validation.jsonl", VALIDATION)
    write_jsonl(OUT / "preference.jsonl", PREFERENCE)
    with (OUT / "chat_invalid.jsonl").open("wb") as handle:
        handle.write(b"\n".join(line.encode() for line in INVALID) + b"\n")
        handle.write(
            b'{"messages": [{"role": "user", "content": "caf\xe9"}, {"role": "assistant", "content": "Oui."}]}\n'
        )


if __name__ == "__main__":
    main()
