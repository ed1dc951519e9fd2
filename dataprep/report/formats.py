"""Renderers chosen by `--format`: a dict of pure functions Report -> str, and for the formats that can
be written in pieces (JSON, SARIF: millions of findings), functions Report -> pieces of str.

Each renderer's module is imported when its format is first used: `dataprep validate` prints text and never
pays for the XML library JUnit needs, or for SARIF's and GitHub's tables.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, Generic, TypeVar

if TYPE_CHECKING:
    from dataprep.report.model import Report

F = TypeVar("F", bound=Callable[..., Any])


class LazyFunctions(Mapping[str, F], Generic[F]):
    """name -> function, each function imported from its module on first use."""

    def __init__(self, homes: Mapping[str, tuple[str, str]]) -> None:
        self._homes = dict(homes)

    def __getitem__(self, name: str) -> F:
        module, attribute = self._homes[name]
        function: F = getattr(importlib.import_module(module), attribute)
        return function

    def __iter__(self) -> Iterator[str]:
        return iter(self._homes)

    def __len__(self) -> int:
        return len(self._homes)


RENDERERS: Mapping[str, Callable[[Report], str]] = LazyFunctions(
    {
        "text": ("dataprep.report.text", "render_text"),
        "json": ("dataprep.report.json_format", "render_json"),
        "github": ("dataprep.report.github", "render_github"),
        "sarif": ("dataprep.report.sarif", "render_sarif"),
        "junit": ("dataprep.report.junit", "render_junit"),
    }
)

STREAMED: Mapping[str, Callable[[Report], Iterator[str]]] = LazyFunctions(
    {"json": ("dataprep.report.json_format", "iter_json"), "sarif": ("dataprep.report.sarif", "iter_sarif")}
)
