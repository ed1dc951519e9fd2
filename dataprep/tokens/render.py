"""Chat templates rendered as transformers' `apply_chat_template` renders them, with only jinja2.

The environment mirrors transformers (5.x `utils/chat_template_utils.py`): an immutable sandbox with
`trim_blocks` and `lstrip_blocks`, loop controls, a `tojson` filter that keeps non-ASCII text, the globals
`raise_exception` and `strftime_now`, and the `{% generation %}` block that records which characters an
assistant turn produced (the trained span). `strftime_now` uses a pinned date when one is given (`--date`), so
counts do not change from one day to the next.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.ext import Extension
from jinja2.sandbox import ImmutableSandboxedEnvironment

GENERATION_MARKER = "generation"
_GENERATION_TAG = re.compile(r"\{%-?\s*generation\s*-?%\}")


class TemplateRaised(Exception):
    """The template called raise_exception (its own message), or failed to render (a Jinja error)."""


@dataclass(frozen=True, slots=True)
class Rendered:
    text: str
    spans: tuple[tuple[int, int], ...]  # [start, end) character spans of {% generation %} blocks


class _SpanTracker(Extension):
    """`{% generation %}...{% endgeneration %}`: renders its body and remembers where it landed."""

    tags = {GENERATION_MARKER}  # noqa: RUF012 - jinja2 declares it a plain set

    def __init__(self, environment: jinja2.Environment) -> None:
        super().__init__(environment)
        self.parts: list[str] | None = None
        self.spans: list[tuple[int, int]] = []

    def parse(self, parser: Any) -> nodes.Node:
        lineno = next(parser.stream).lineno
        body = parser.parse_statements(("name:endgeneration",), drop_needle=True)
        call = self.call_method("_track", [], [], None, None, lineno=lineno)
        return nodes.CallBlock(call, [], [], body).set_lineno(lineno)

    def _track(self, caller: Callable[[], str]) -> str:
        text = caller()
        if self.parts is not None:
            start = sum(len(p) for p in self.parts)
            self.spans.append((start, start + len(text)))
        return text


def _dict(*args: Any, **kwargs: Any) -> dict[Any, Any]:
    return dict(*args, **kwargs)


def _raise(message: object) -> None:
    raise TemplateRaised(str(message))


def _tojson(
    value: Any,
    ensure_ascii: bool = False,
    indent: int | None = None,
    separators: Any = None,
    sort_keys: bool = False,
) -> str:
    return json.dumps(
        value, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys
    )


class ChatTemplate:
    """One compiled template. Not thread-safe (the span tracker is per template); each worker builds its own."""

    def __init__(self, source: str, *, date: datetime | None = None) -> None:
        self.source = source
        self.has_generation = _has_generation_marker(source)
        env = ImmutableSandboxedEnvironment(
            trim_blocks=True, lstrip_blocks=True, extensions=[_SpanTracker, "jinja2.ext.loopcontrols"]
        )
        env.filters["tojson"] = _tojson
        pinned = date

        def strftime_now(fmt: str) -> str:
            return (pinned or datetime.now()).strftime(fmt)

        env.globals.update(
            raise_exception=_raise, strftime_now=strftime_now, namespace=_Namespace, dict=_dict
        )
        try:
            self._template = env.from_string(source)
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateRaised(
                f"the chat template does not compile: {exc.message} (line {exc.lineno})"
            ) from exc
        tracker = env.extensions[_SpanTracker.identifier]
        assert isinstance(tracker, _SpanTracker)
        self._tracker = tracker

    def render(
        self,
        messages: Sequence[Mapping[str, Any]],
        *,
        add_generation_prompt: bool = False,
        variables: Mapping[str, Any] | None = None,
        tools: Any = None,
    ) -> Rendered:
        """The text of `messages`; raises TemplateRaised with the template's own message when it refuses them."""
        parts: list[str] = []
        self._tracker.parts, self._tracker.spans = parts, []
        context = {
            **(variables or {}),
            "messages": [_normalise(m) for m in messages],
            "tools": tools,
            "documents": None,
            "add_generation_prompt": add_generation_prompt,
        }
        try:
            for chunk in _generate(self._template, context):
                parts.append(chunk)
        except TemplateRaised:
            raise
        except jinja2.TemplateError as exc:
            raise TemplateRaised(f"{type(exc).__name__}: {exc}") from exc
        except (TypeError, ValueError, KeyError, AttributeError, IndexError, ZeroDivisionError) as exc:
            raise TemplateRaised(f"the chat template failed: {type(exc).__name__}: {exc}") from exc
        finally:
            self._tracker.parts = None
        return Rendered("".join(parts), tuple(self._tracker.spans))


_REASONING_FIELDS = ("reasoning_content", "thinking", "reasoning")


def _normalise(message: Mapping[str, Any]) -> dict[str, Any]:
    """As transformers 5 does before rendering: keys whose value is None are dropped (a template sees a missing
    key, not the text "None"), and reasoning under any of its names is offered as `thinking` and
    `reasoning_content` too."""
    out = {k: v for k, v in message.items() if v is not None}
    reasoning = next((out[k] for k in _REASONING_FIELDS if k in out), None)
    if reasoning is not None:
        out = {"thinking": reasoning, **out, "reasoning_content": reasoning}
    return out


class _Namespace(jinja2.utils.Namespace):
    """`namespace()` that refuses underscore names (no reach into CPython internals), as transformers' does."""

    def __init__(*args: Any, **kwargs: Any) -> None:
        self, rest = args[0], args[1:]
        attrs = dict(*rest, **kwargs)
        for name in attrs:
            _Namespace._check(name)
        jinja2.utils.Namespace.__init__(self, attrs)

    def __setitem__(self, name: str, value: Any) -> None:
        _Namespace._check(name)
        jinja2.utils.Namespace.__setitem__(self, name, value)

    @staticmethod
    def _check(name: object) -> None:
        if isinstance(name, str) and name.startswith("_"):
            raise jinja2.exceptions.SecurityError(
                f"chat templates cannot set underscore attributes ({name!r})"
            )


def _generate(template: jinja2.Template, context: Mapping[str, Any]) -> Iterator[str]:
    yield from template.generate(**context)


def _has_generation_marker(source: str) -> bool:
    """`{% generation %}` anywhere in the template (TRL tests for the same tag with a regex)."""
    return _GENERATION_TAG.search(source) is not None
