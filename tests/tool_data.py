"""Function-calling records shaped like OpenAI's and Azure's fine-tuning examples: a user asks, the assistant's
tool call is the last message (the call is what is taught), and `tools` (or legacy `functions`) define it."""

from __future__ import annotations

import json
from typing import Any

CITIES = [
    "San Francisco, USA",
    "Oslo, Norway",
    "Chengdu, China",
    "Lagos, Nigeria",
    "Lima, Peru",
    "Kyoto, Japan",
]

WEATHER = {
    "name": "get_current_weather",
    "description": "Get the current weather",
    "parameters": {
        "type": "object",
        "properties": {
            "location": {"type": "string", "description": "The city and country, eg. San Francisco, USA"},
            "format": {"type": "string", "enum": ["celsius", "fahrenheit"]},
        },
        "required": ["location", "format"],
    },
}

FLIGHTS = {
    "name": "search_flights",
    "description": "Find direct flights between two airports on a date.",
    "parameters": {
        "type": "object",
        "properties": {
            "origin": {"type": "string", "description": "IATA code of the departure airport"},
            "destination": {"type": "string", "description": "IATA code of the arrival airport"},
            "passengers": {"type": "integer", "description": "Number of travellers"},
        },
        "required": ["origin", "destination"],
    },
}

TOOLS = [{"type": "function", "function": WEATHER}, {"type": "function", "function": FLIGHTS}]


def weather_call(index: int, **arguments: Any) -> dict[str, Any]:
    args = arguments or {"location": CITIES[index % len(CITIES)], "format": "celsius"}
    return {
        "id": f"call_{index}",
        "type": "function",
        "function": {"name": "get_current_weather", "arguments": json.dumps(args)},
    }


def tool_call_example(
    index: int, *, tools: list[dict[str, Any]] | None = None, **arguments: Any
) -> dict[str, Any]:
    """One example that ends with the assistant's tool call, as in the providers' documentation."""
    city = CITIES[index % len(CITIES)]
    return {
        "messages": [
            {"role": "user", "content": f"What is the weather in {city}? (request {index})"},
            {"role": "assistant", "tool_calls": [weather_call(index, **arguments)]},
        ],
        "tools": TOOLS if tools is None else tools,
    }


def legacy_example(index: int) -> dict[str, Any]:
    """The legacy `functions` / `function_call` shape of the same example."""
    city = CITIES[index % len(CITIES)]
    arguments = json.dumps({"location": city, "format": "celsius"})
    return {
        "messages": [
            {"role": "user", "content": f"What is the weather in {city}? (request {index})"},
            {"role": "assistant", "function_call": {"name": "get_current_weather", "arguments": arguments}},
        ],
        "functions": [WEATHER, FLIGHTS],
    }
