"""Configuration: `[tool.dataprep]` in pyproject.toml or a `dataprep.toml`, then CLI or library overrides.

The file is found by walking up from the current directory; in one folder `dataprep.toml` wins over
pyproject.toml. Every value remembers where it came from, for `dataprep config`.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from dataprep.compute_choices import METHODS
from dataprep.errors import ConfigError, UsageError
from dataprep.selection import RuleSelection
from dataprep.types import Kind

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib


EXECUTORS = ("local", "ray")


@dataclass(frozen=True)
class Config:
    """Every setting validate and convert read. Defaults are the documented ones."""

    model: str | None = None
    tokenizer_encoding: str | None = None
    max_tokens: int | None = None
    price_per_1m: float | None = None
    # open-weight models: the model's own tokenizer folder and template, the trainer's sequence length
    tokenizer: str | None = None
    chat_template: str | None = None
    allow_download: bool = False
    date: str | None = None
    max_seq_length: int | None = None
    packing: bool = False
    epochs: int | None = None
    kind: str | None = None
    target: str | None = None  # a provider or trainer of dataprep/data/targets.toml (`dataprep targets`)
    select: tuple[str, ...] = ("DP",)
    ignore: tuple[str, ...] = ()
    severity: Mapping[str, str] = field(default_factory=dict)
    min_examples: int = 10
    recommended_examples: int = 50
    max_examples: int | None = None  # DP812: replaces the target's maximum
    max_line_bytes: int = 64 * 1024 * 1024
    max_file_bytes: int = 512 * 1024 * 1024  # DP503: the Files API upload limit of OpenAI and Azure
    jobs: int = 0  # 0: by the input's size and the free cores (validation.executors.resolve_jobs)
    # Where the per-record checks and the duplicate search run: this machine ("local": in-process or a pool of
    # `jobs` processes) or a Ray cluster ("ray": `ray_address`, or a local Ray started for the run).
    executor: str = "local"
    ray_address: str | None = None
    near_duplicate_threshold: float | None = None
    # Split sanity (DP510-DP514): validation share bounds, minimum validation examples, largest tolerated
    # KS distance between token-length distributions, largest share of validation system prompts unseen in train.
    min_validation_share: float = 0.05
    max_validation_share: float = 0.50
    min_validation_examples: int = 10
    max_token_shift: float = 0.25
    max_unseen_system_share: float = 0.20
    # Self-hosted compute estimate (dataprep.compute): on when `method` or `gpu` is set.
    method: str | None = None  # full | lora | qlora
    gpu: str | None = None  # a GPU of dataprep/data/gpus.toml
    mfu: float | None = None  # model FLOPs utilisation; None = compute.DEFAULT_MFU
    gpu_price: float | None = None  # USD per GPU-hour
    parameters: float | None = None  # model parameters, for a model the tables do not size
    peak_tflops: float | None = None  # replaces the GPU table's peak dense BF16 TFLOPS
    models: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    per_file: tuple[tuple[str, Mapping[str, Any]], ...] = ()
    sources: Mapping[str, str] = field(default_factory=dict, compare=False)

    def selection(self) -> RuleSelection:
        return RuleSelection(self.select, self.ignore, dict(self.severity), off=self._off_for_target())

    def _off_for_target(self) -> frozenset[str]:
        """The codes of rules that state another target's requirement (none without a target)."""
        if self.target is None:
            return frozenset()
        from dataprep.rules.registry import ALL_RULES  # the registry loads every rule module

        return frozenset(rule.code for rule in ALL_RULES if not rule.applies_to(self.target))

    def with_overrides(self, source: str, **values: Any) -> Config:
        """A copy with every non-None value applied, recording `source` for each."""
        given = {k: v for k, v in values.items() if v is not None}
        if not given:
            return self
        checked = _check_values(given, source)
        sources = {**self.sources, **{k: source for k in checked}}
        return replace(self, **checked, sources=sources)

    def for_file(self, path: str) -> Config:
        """Apply the `[[tool.dataprep.per-file]]` blocks whose glob matches `path`."""
        result = self
        for pattern, values in self.per_file:
            if Path(path).match(pattern):
                result = result.with_overrides(f"per-file {pattern!r}", **values)
        return result

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in fields(self):
            if f.name == "sources":
                continue
            value = getattr(self, f.name)
            if isinstance(value, tuple) and f.name != "per_file":
                value = list(value)
            elif f.name == "per_file":
                value = [{"files": p, **dict(v)} for p, v in value]
            elif isinstance(value, Mapping):
                value = {k: dict(v) if isinstance(v, Mapping) else v for k, v in value.items()}
            out[f.name] = value
        return out


_KEYS = {f.name for f in fields(Config)} - {"sources", "per_file"}
_BOOL_KEYS = {"allow_download", "packing"}
_INT_KEYS = {
    "max_seq_length",
    "max_tokens",
    "epochs",
    "min_examples",
    "recommended_examples",
    "max_examples",
    "max_line_bytes",
    "max_file_bytes",
    "jobs",
    "min_validation_examples",
}
_FLOAT_KEYS = {
    "price_per_1m",
    "near_duplicate_threshold",
    "min_validation_share",
    "max_validation_share",
    "max_token_shift",
    "max_unseen_system_share",
    "mfu",
    "gpu_price",
    "peak_tflops",
}
_STR_KEYS = {
    "executor",
    "ray_address",
    "model",
    "tokenizer_encoding",
    "kind",
    "method",
    "gpu",
    "tokenizer",
    "chat_template",
    "date",
    "target",
}
# Old names still read (hidden, deprecated): `encoding` was the tokenizer encoding before convert's text codec
# took the name.
_ALIASES = {"encoding": "tokenizer_encoding"}
_LIST_KEYS = {"select", "ignore"}
# What a [[per-file]] block may change; the model, cost and duplicate settings belong to the whole run.
_PER_FILE_KEYS = {
    "select",
    "ignore",
    "severity",
    "min_examples",
    "recommended_examples",
    "max_examples",
    "max_line_bytes",
    "max_file_bytes",
    "kind",
}


def _check_values(values: Mapping[str, Any], source: str) -> dict[str, Any]:
    """Validate and normalise raw values; an unknown key or a wrong type is a ConfigError naming both."""
    out: dict[str, Any] = {}
    for raw_key, value in values.items():
        key = raw_key.replace("-", "_")
        key = _ALIASES.get(key, key)
        if key not in _KEYS:
            raise ConfigError(f"{source}: unknown key {raw_key!r} (known: {', '.join(sorted(_KEYS))})")
        if key in _INT_KEYS and (not isinstance(value, int) or isinstance(value, bool)):
            raise ConfigError(f"{source}: {raw_key} must be a whole number, got {value!r}")
        if key in _BOOL_KEYS and not isinstance(value, bool):
            raise ConfigError(f"{source}: {raw_key} must be true or false, got {value!r}")
        if key in _FLOAT_KEYS and (not isinstance(value, (int, float)) or isinstance(value, bool)):
            raise ConfigError(f"{source}: {raw_key} must be a number, got {value!r}")
        if key in _STR_KEYS and not isinstance(value, str):
            raise ConfigError(f"{source}: {raw_key} must be a string, got {value!r}")
        if key == "kind" and value not in {k.value for k in Kind}:
            raise ConfigError(f"{source}: kind must be one of chat, preference, completion, got {value!r}")
        if key in _LIST_KEYS:
            if isinstance(value, str):
                value = [v.strip() for v in value.split(",") if v.strip()]
            if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
                raise ConfigError(f"{source}: {raw_key} must be a list of rule codes or prefixes")
            value = tuple(_rule_prefix(v, raw_key, source) for v in value)
        if key == "severity":
            if not isinstance(value, Mapping):
                raise ConfigError(f'{source}: severity must be a table of CODE = "error|warning|info|off"')
            value = {_rule_prefix(code, "severity", source): level for code, level in value.items()}
            RuleSelection(severity=value)  # raises on a bad severity name
        if key == "target":
            value = _target_name(value, raw_key, source)
        if key == "executor" and value not in EXECUTORS:
            raise ConfigError(f"{source}: executor must be one of {', '.join(EXECUTORS)}, got {value!r}")
        if key == "method" and value not in METHODS:
            raise ConfigError(f"{source}: method must be one of {', '.join(METHODS)}, got {value!r}")
        if key == "parameters":
            value = _parameters(value, raw_key, source)
        if key == "models" and not isinstance(value, Mapping):
            raise ConfigError(f"{source}: models must be a table of model id -> settings")
        out[key] = value
    return out


def _parameters(value: Any, raw_key: str, source: str) -> float:
    """A parameter count: a number, or text such as "8e9" or "8B"."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ConfigError(f"{source}: {raw_key} must be a number such as 8e9 or 8B, got {value!r}")
    from dataprep.compute import parse_parameters

    try:
        return parse_parameters(value)
    except UsageError as exc:
        raise ConfigError(f"{source}: {exc}") from exc


def _target_name(value: str, raw_key: str, source: str) -> str:
    """A target of the profile table, lower-cased; an unknown name names the known ones."""
    from dataprep.targets import target_names

    name = value.strip().lower()
    if name not in target_names():
        raise ConfigError(
            f"{source}: {raw_key}: unknown target {value!r} (known: {', '.join(target_names())})"
        )
    return name


def _rule_prefix(code: str, where: str, source: str) -> str:
    """A rule code or prefix, upper-cased; one that matches no rule is an error (a typo would switch checks off)."""
    from dataprep.rules.registry import RULES_BY_CODE  # the registry loads every rule module

    normal = code.strip().upper()
    if not normal or not any(known.startswith(normal) for known in RULES_BY_CODE):
        raise ConfigError(f"{source}: {where}: {code!r} matches no rule code (see `dataprep rules`)")
    return normal


def find_config_file(start: Path | None = None) -> Path | None:
    """The nearest dataprep.toml, or pyproject.toml with a [tool.dataprep] table, from `start` upwards."""
    folder = (start or Path.cwd()).resolve()
    for candidate_dir in (folder, *folder.parents):
        own = candidate_dir / "dataprep.toml"
        if own.is_file():
            return own
        pyproject = candidate_dir / "pyproject.toml"
        if pyproject.is_file() and "dataprep" in _read_toml(pyproject).get("tool", {}):
            return pyproject
    return None


def load_config(path: Path | None = None, *, start: Path | None = None) -> Config:
    """Read the configuration file (given, or found from `start`), or the defaults when there is none."""
    config_path = path if path is not None else find_config_file(start)
    if config_path is None:
        return Config()
    data = _read_toml(config_path)
    table = data if config_path.name != "pyproject.toml" else data.get("tool", {}).get("dataprep", {})
    if config_path.name == "dataprep.toml" and "tool" in table:
        table = table["tool"].get("dataprep", table)
    table = dict(table)
    per_file_raw = table.pop("per-file", table.pop("per_file", []))
    config = Config().with_overrides(str(config_path), **table)
    per_file = []
    if not isinstance(per_file_raw, list):
        raise ConfigError(f"{config_path}: per-file must be an array of tables ([[tool.dataprep.per-file]])")
    for block in per_file_raw:
        block = dict(block)
        pattern = block.pop("files", None)
        if not isinstance(pattern, str):
            raise ConfigError(f'{config_path}: every per-file block needs files = "<glob>"')
        where = f"{config_path} per-file {pattern!r}"
        values = _check_values(block, where)
        run_wide = sorted(set(values) - _PER_FILE_KEYS)
        if run_wide:
            raise ConfigError(f"{where}: {', '.join(run_wide)} apply to the whole run, not to some files")
        per_file.append((pattern, values))
    if per_file:
        config = replace(
            config, per_file=tuple(per_file), sources={**config.sources, "per_file": str(config_path)}
        )
    return config


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            data: dict[str, Any] = tomllib.load(handle)
            return data
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from exc
    except RecursionError:
        raise ConfigError(f"{path}: nested too deeply to read") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.strerror or exc})") from exc
