"""Target profiles (dataprep/data/targets.toml): what each fine-tuning provider or trainer accepts.

A profile is data with sources and a date. A fact the profile does not state is unknown (None here), and the
target rules (rules/targets.py, DP8xx) stay silent on it: dataprep never invents a limit.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dataprep.errors import ConfigError, UsageError

if TYPE_CHECKING:
    from dataprep.models import ModelInfo

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib  # type: ignore[import-not-found, unused-ignore]

TARGETS_FILE = Path(__file__).resolve().parent / "data" / "targets.toml"


@dataclass(frozen=True, slots=True)
class ModelFamily:
    """Rules that follow a model family whatever the target (Mistral's 9-character tool-call ids)."""

    name: str
    title: str
    match: tuple[str, ...]
    tool_call_id: str | None = None
    tool_call_id_words: str = ""
    sources: tuple[str, ...] = ()

    def matches(self, model_id: str) -> bool:
        lowered = model_id.lower()
        return any(word in lowered for word in self.match)


@dataclass(frozen=True, slots=True)
class TargetProfile:
    """One provider or trainer. None = not stated by a source (no rule fires on it)."""

    name: str
    title: str
    kind: str
    sources: tuple[str, ...]
    checked: str
    shapes: tuple[str, ...] | None = None
    native_format: str = ""
    roles: tuple[str, ...] | None = None
    first_roles: tuple[str, ...] | None = None
    after_system: tuple[str, ...] | None = None
    system_first: bool = False
    alternate: bool = False
    last_role: str | None = None
    weights: tuple[int, ...] | None = None
    tool_calls: bool | None = None
    min_examples: int | None = None
    max_examples: int | None = None
    max_file_bytes: int | None = None
    max_images_per_example: int | None = None
    max_image_bytes: int | None = None
    reserved_strings: tuple[str, ...] = ()
    image_uri_schemes: tuple[str, ...] = ()  # URI schemes the target's own records give images by (gs, s3)
    encoding: str = ""
    max_tokens: Mapping[str, int] = field(default_factory=dict)
    price_per_1m: Mapping[str, float] = field(default_factory=dict)
    notes: str = ""
    families: tuple[ModelFamily, ...] = ()  # the model-family rules, shared by every target

    def checks(self) -> list[str]:
        """What this profile makes validate check, one phrase each (for `dataprep targets`)."""
        out: list[str] = []
        if self.shapes is not None:
            out.append("record kinds: " + ", ".join(self.shapes))
        if self.roles is not None:
            out.append("roles: " + ", ".join(self.roles))
        order = self.order_words()
        if order:
            out.append("order: " + order)
        if self.weights is not None:
            out.append("weight: " + (", ".join(map(str, self.weights)) if self.weights else "not accepted"))
        if self.tool_calls is False:
            out.append("tool calls: not accepted")
        if self.min_examples is not None or self.max_examples is not None:
            low = f"{self.min_examples:,}" if self.min_examples is not None else "?"
            high = f"{self.max_examples:,}" if self.max_examples is not None else "no stated maximum"
            out.append(f"training examples: {low} to {high}")
        if self.max_file_bytes is not None:
            out.append(f"file size: at most {format_bytes(self.max_file_bytes)}")
        if self.max_images_per_example is not None:
            out.append(f"images (convert): at most {self.max_images_per_example} per example")
        if self.max_image_bytes is not None:
            out.append(f"image size (convert): at most {format_bytes(self.max_image_bytes)}")
        if self.reserved_strings:
            out.append("reserved strings: " + " ".join(self.reserved_strings))
        if self.image_uri_schemes:
            out.append("images: " + ", ".join(f"{s}:// URIs" for s in self.image_uri_schemes) + " accepted")
        from dataprep.formats import format_for_target  # the table of native formats, small

        fmt = format_for_target(self.name)
        if fmt is not None and fmt.name != "chat":
            out.append(f"its own records: read as it reads them (DP815), written by convert --to {self.name}")
        return out

    def order_words(self) -> str:
        parts: list[str] = []
        if self.first_roles is not None:
            parts.append("starts with " + " or ".join(self.first_roles))
        if self.after_system is not None:
            parts.append(" or ".join(self.after_system) + " after a system message")
        if self.system_first:
            parts.append("system only first")
        if self.alternate:
            parts.append("user and assistant alternate")
        if self.last_role is not None:
            parts.append(f"ends with {self.last_role}")
        return "; ".join(parts)

    def family_of(self, model_id: str) -> ModelFamily | None:
        return next((f for f in self.families if f.matches(model_id)), None)


def format_bytes(size: int) -> str:
    for unit, scale in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if size >= scale:
            return f"{size / scale:,.4g} {unit}"
    return f"{size} bytes"


@lru_cache(maxsize=1)
def load_targets() -> dict[str, TargetProfile]:
    """Every profile of the shipped table, by name, in file order."""
    with TARGETS_FILE.open("rb") as handle:
        data = tomllib.load(handle)
    families = tuple(_family(name, row) for name, row in data.get("families", {}).items())
    return {name: _profile(name, row, families) for name, row in data["targets"].items()}


def target_names() -> tuple[str, ...]:
    return tuple(load_targets())


def resolve_target(name: str | None) -> TargetProfile | None:
    """The profile called `name` (None: no target); an unknown name is a usage error listing the known ones."""
    if name is None:
        return None
    found = load_targets().get(name.lower())
    if found is None:
        raise UsageError(f"unknown target {name!r}; known targets: {', '.join(target_names())}")
    return found


def _family(name: str, row: Mapping[str, Any]) -> ModelFamily:
    pattern = row.get("tool_call_id")
    if pattern is not None:
        re.compile(pattern)
    return ModelFamily(
        name=name,
        title=row["title"],
        match=tuple(row["match"]),
        tool_call_id=pattern,
        tool_call_id_words=row.get("tool_call_id_words", ""),
        sources=tuple(row.get("sources", ())),
    )


_TUPLE_KEYS = (
    "shapes",
    "roles",
    "first_roles",
    "after_system",
    "weights",
    "reserved_strings",
    "image_uri_schemes",
    "sources",
)
_KNOWN_KEYS = frozenset(
    {
        *_TUPLE_KEYS,
        "title",
        "kind",
        "checked",
        "native_format",
        "system_first",
        "alternate",
        "last_role",
        "tool_calls",
        "min_examples",
        "max_examples",
        "max_file_bytes",
        "max_images_per_example",
        "max_image_bytes",
        "encoding",
        "max_tokens",
        "price_per_1m",
        "notes",
    }
)


def _profile(name: str, row: Mapping[str, Any], families: tuple[ModelFamily, ...]) -> TargetProfile:
    unknown = sorted(set(row) - _KNOWN_KEYS)
    if unknown:  # a typo in the table would silently switch a check off
        raise ConfigError(f"{TARGETS_FILE}: target {name!r}: unknown keys {', '.join(unknown)}")
    values: dict[str, Any] = dict(row)
    for key in _TUPLE_KEYS:
        if key in values:
            values[key] = tuple(values[key])
    return TargetProfile(name=name, families=families, **values)


def with_target_limits(
    model: ModelInfo, profile: TargetProfile | None, *, max_tokens_given: bool, price_given: bool
) -> ModelInfo:
    """The model as the target trains it: the profile's per-example token limit and price for this model,
    where the profile states them and the user did not give their own (--max-tokens, --price-per-1m)."""
    if profile is None:
        return model
    names = (model.id, *model.aliases)
    changes: dict[str, Any] = {}
    limit = next((profile.max_tokens[n] for n in names if n in profile.max_tokens), None)
    if limit is not None and not max_tokens_given and limit != model.max_tokens:
        changes.update(max_tokens=limit, limit_confidence=f"{profile.name} profile")
    price = next((profile.price_per_1m[n] for n in names if n in profile.price_per_1m), None)
    if price is not None and not price_given and price != model.price_per_1m:
        changes.update(price_per_1m=price, price_confidence=f"{profile.name} profile")
    return replace(model, **changes) if changes else model
