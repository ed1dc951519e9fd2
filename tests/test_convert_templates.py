"""Templates name columns only; values render as text without being altered."""

from __future__ import annotations

import datetime
import math
from typing import Any

import pytest

from dataprep.conversion.templates import Field, is_empty, literal, parse_template, render_value
from dataprep.errors import MappingError


def test_parse_literals_fields_and_escaped_braces() -> None:
    template = parse_template("Title: {title}\n{{not a field}} {Customer Name}!", "--user")
    assert template.parts == ("Title: ", Field("title"), "\n{not a field} ", Field("Customer Name"), "!")
    assert template.columns == ("title", "Customer Name")
    assert (
        template.render({"title": "Soup {1}", "Customer Name": "Ada"})
        == "Title: Soup {1}\n{not a field} Ada!"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "{row.title}",
            "'{row.title}' uses attribute or index access; templates name columns only, e.g. {row}",
        ),
        ("{title[0]}", "uses attribute or index access"),
        ("{title.__class__}", "uses attribute or index access"),
        ("{title!r}", "has a conversion"),
        ("{title:>10}", "has a format spec"),
        ("{__import__('os').system('ls')}", "uses attribute or index access"),
        ("{len(title)}", "looks like code"),
        ("{}", "names no column"),
        ("{ title }", "has spaces around the column name; write {title}"),
        ("Title: {title", "is not closed"),
        ("a } b", "single '}'"),
        ("{a{b}}", "is not closed"),
    ],
)
def test_refused_templates(text: str, message: str) -> None:
    with pytest.raises(MappingError) as info:
        parse_template(text, "--user")
    assert str(info.value).startswith("--user: ") and message in str(info.value)


def test_non_string_template_is_refused() -> None:
    with pytest.raises(MappingError, match="must be a string"):
        parse_template(3, "mapping: messages[0].content")  # type: ignore[arg-type]


def test_literal_round_trips_braces() -> None:
    template = literal('Answer in JSON like {"a": 1}')
    assert template.render({}) == 'Answer in JSON like {"a": 1}'
    assert parse_template(template.text, "x").render({}) == 'Answer in JSON like {"a": 1}'


@pytest.mark.parametrize(
    ("value", "fmt", "expected"),
    [
        ("  spaced\ttext \n", "json", "  spaced\ttext \n"),
        ('["a", "b"]', "json", '["a", "b"]'),
        ('["a", "b"]', "lines", "a\nb"),
        ('["a", "b"]', "bullets", "- a\n- b"),
        ("[not json", "bullets", "[not json"),
        (["salt", "café"], "json", '["salt", "café"]'),
        (["salt", ["nested"], 2], "lines", 'salt\n["nested"]\n2'),
        ({"k": "v", "n": 1}, "json", '{"k": "v", "n": 1}'),
        ({"k": "v", "n": 1}, "bullets", "- k: v\n- n: 1"),
        (True, "json", "true"),
        (3, "json", "3"),
        (2.5, "json", "2.5"),
        (datetime.date(2024, 5, 1), "json", "2024-05-01"),
        (b"bytes", "json", "bytes"),
    ],
)
def test_render_value(value: Any, fmt: Any, expected: str) -> None:
    assert render_value(value, fmt) == expected


def test_undecodable_bytes_value_is_an_error() -> None:
    with pytest.raises(ValueError, match="not UTF-8"):
        render_value(b"\xff", "json")


@pytest.mark.parametrize(
    ("value", "empty"),
    [
        (None, True),
        ("", True),
        (math.nan, True),
        ([], True),
        ({}, True),
        (" ", False),
        (0, False),
        (False, False),
        ("0", False),
    ],
)
def test_is_empty(value: Any, empty: bool) -> None:
    assert is_empty(value) is empty
