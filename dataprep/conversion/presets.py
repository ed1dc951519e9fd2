"""Built-in presets: mapping files shipped in `dataprep/conversion/presets/`, so `--show-preset` prints exactly
what a preset does and users can start their own mapping from it."""

from __future__ import annotations

from importlib import resources

from dataprep.conversion.mapping import ChatMapping, compile_mapping, parse_mapping_text
from dataprep.errors import MappingError

PRESETS = (
    "recipe",
    "alpaca",
    "sharegpt",
    "prompt-completion",
    "chat",
    "preference",
    "alpaca-preference",
    "sharegpt-preference",
    "kto",
    "sharegpt-kto",
)


def preset_text(name: str) -> str:
    """The mapping file (TOML) a preset is equal to."""
    if name not in PRESETS:
        raise MappingError(f"unknown preset {name!r} (known: {', '.join(PRESETS)})")
    return (
        resources.files("dataprep.conversion")
        .joinpath("presets")
        .joinpath(f"{name}.toml")
        .read_text(encoding="utf-8")
    )


def load_preset(name: str) -> ChatMapping:
    origin = f"preset {name}"
    return compile_mapping(parse_mapping_text(preset_text(name), ".toml", origin), origin)


def list_presets() -> list[tuple[str, str]]:
    """(name, description) for every preset."""
    return [(name, load_preset(name).description) for name in PRESETS]
