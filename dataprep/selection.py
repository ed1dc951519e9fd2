"""Which rules run and how severe their findings are: `select` / `ignore` by code prefix, like a linter.

The longest matching prefix wins, so `ignore = ["DP2"]` with `select = ["DP205"]` keeps DP205 on.
Severity overrides name a code (or prefix) and a severity, or "off".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from dataprep.errors import ConfigError
from dataprep.types import Severity

SEVERITY_NAMES = ("error", "warning", "info", "off")


@dataclass(frozen=True)
class RuleSelection:
    select: tuple[str, ...] = ("DP",)
    ignore: tuple[str, ...] = ()
    severity: Mapping[str, str] = field(default_factory=dict)
    off: frozenset[str] = frozenset()  # codes that do not apply here (rules of another --target): never run
    _cache: dict[str, Severity | None] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        for code, name in self.severity.items():
            if name not in SEVERITY_NAMES:
                raise ConfigError(f"severity for {code}: {name!r} is not one of {', '.join(SEVERITY_NAMES)}")

    def enabled(self, code: str) -> bool:
        """True if the code survives select/ignore and is not switched off by a severity override."""
        return self._resolve(code, Severity.INFO) is not None

    def family_enabled(self, prefix: str, codes: Iterable[str]) -> bool:
        """True if any code of a family is on: used to skip whole pieces of work (e.g. duplicates)."""
        return any(self.enabled(code) for code in codes if code.startswith(prefix))

    def severity_of(self, code: str, default: Severity) -> Severity | None:
        """The severity a finding of `code` gets, or None if the rule is off."""
        return self._resolve(code, default)

    def _resolve(self, code: str, default: Severity) -> Severity | None:
        key = f"{code}:{default.value}"
        if key in self._cache:
            return self._cache[key]
        if code in self.off:
            self._cache[key] = None
            return None
        selected = _longest_prefix(code, self.select)
        ignored = _longest_prefix(code, self.ignore)
        result: Severity | None = default if selected > ignored else None
        override = _longest_match(code, self.severity)
        if result is not None and override is not None:
            result = None if override == "off" else Severity(override)
        self._cache[key] = result
        return result


def _longest_prefix(code: str, prefixes: Iterable[str]) -> int:
    return max((len(p) for p in prefixes if code.startswith(p)), default=-1)


def _longest_match(code: str, overrides: Mapping[str, str]) -> str | None:
    best = max((p for p in overrides if code.startswith(p)), key=len, default=None)
    return overrides[best] if best is not None else None
