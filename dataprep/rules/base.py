"""What a rule is: a stable code, a short name, a default severity, user documentation with executable bad and
good examples, and the check that runs it.

A check is the unit the orchestrator runs. One check may serve several rules in one pass over a record (the
structure rules share a single walk over the messages, which keeps validate at its measured speed); every code a
check can emit belongs to a rule that names that check, and a test holds both directions.

Scopes and the shape of their checks:
- line:    `(raw line, CheckSettings) -> LineOutcome`: decoding a line into a record (runs in workers).
- record:  `(record, RecordContext) -> list[Problem]`: a pure function of one record (runs in workers).
- file:    `(FileSummary) -> list[(line, Problem)]`: whole-file facts (BOM, line endings, counts, size).
- dataset: a DatasetCheck, fed every example of every input, merged, reporting at the end.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, NamedTuple, Protocol, overload

from dataprep.types import Finding, Kind, Problem, Severity

if TYPE_CHECKING:
    from dataprep.config import Config
    from dataprep.io.jsonl import FileFacts
    from dataprep.models import ModelInfo
    from dataprep.rules.shape import Shape
    from dataprep.targets import TargetProfile
    from dataprep.tokens.protocol import RecordTokens

Scope = Literal["line", "record", "file", "dataset"]


class RecordContext(NamedTuple):
    """What a record check may know beyond the record: its kind, its token counts and the model's limit.
    (A NamedTuple: built for every record, at a quarter of a frozen dataclass's cost.)"""

    kind: Kind
    tokens: RecordTokens
    context_limit: int
    model_id: str
    target: TargetProfile | None = None  # the provider or trainer validated for (--target)


RecordCheck = Callable[[dict[str, Any], RecordContext], list[Problem]]


@dataclass(frozen=True, slots=True)
class FileSummary:
    """A whole input once read: the reader's facts and what the record checks counted."""

    label: str
    role: str
    first_line: int
    facts: FileFacts
    nonblank_lines: int
    examples: int
    config: Config
    kind: Kind = Kind.CHAT  # the file's record kind (detected or given)
    model: ModelInfo | None = None  # the model the run validates for
    target: TargetProfile | None = None  # the provider or trainer validated for (--target)
    shape: Shape | None = None  # the file is not chat JSONL but this (DP013); nothing else was checked


FileCheck = Callable[[FileSummary], list[tuple[int, Problem]]]


class DatasetCheck(Protocol):
    """State fed every example of every input; `findings()` reports once all inputs are read."""

    def findings(self) -> list[Finding]: ...


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule. `doc` is the user documentation (`dataprep rules CODE`); `bad` and `good` are JSONL lines that
    must and must not trigger it (`bad_validation`/`good_validation`: the validation file they run with), run by
    the test suite with `options` as validate() keywords. Lines are text; a byte that is not UTF-8 is written as
    a surrogate escape (U+DC80-U+DCFF). A file of example lines ends with a newline, but the bad file of a rule
    with `bad_final_newline` False."""

    code: str
    name: str
    severity: Severity
    summary: str
    doc: str
    scope: Scope = "record"
    check: object = None  # the function (or DatasetCheck factory) that emits this code
    bad: Sequence[str] = ()
    good: Sequence[str] = ()
    bad_validation: Sequence[str] = ()
    good_validation: Sequence[str] = ()
    options: Mapping[str, Any] = field(default_factory=dict)
    bad_final_newline: bool = True
    # The targets whose requirement this rule states (empty: every target). With `--target` set to another
    # one, the rule does not run: OpenAI's 10-example minimum says nothing about Fireworks.
    targets: Sequence[str] = ()

    def applies_to(self, target: str | None) -> bool:
        return target is None or not self.targets or target in self.targets

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "code": self.code,
            "name": self.name,
            "severity": self.severity.value,
            "scope": self.scope,
            "summary": self.summary,
            "doc": self.doc,
            "bad": list(self.bad),
            "good": list(self.good),
        }
        if self.bad_validation or self.good_validation:
            out["bad_validation"] = list(self.bad_validation)
            out["good_validation"] = list(self.good_validation)
        if self.options:
            out["options"] = dict(self.options)
        if not self.bad_final_newline:
            out["bad_final_newline"] = False
        if self.targets:
            out["targets"] = list(self.targets)
        return out


class LazyStrings(Sequence[str]):
    """A tuple of strings made on first use: example records as JSONL lines (a str is taken as a ready-made
    line), or names read from a data table. Compares and hashes like the tuple of its strings.

    The rules hold about 1,800 example records. Encoding them all at import was a third of what importing the
    rule modules cost, paid by every `dataprep validate`, while only `dataprep rules` and the tests read them;
    likewise the target table, which a run without --target never needs.
    """

    __slots__ = ("_lines", "_make")

    def __init__(self, make: Callable[[], Iterable[Any]]) -> None:
        self._make = make
        self._lines: tuple[str, ...] | None = None

    def _encoded(self) -> tuple[str, ...]:
        if self._lines is None:
            self._lines = tuple(
                r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in self._make()
            )
        return self._lines

    def __len__(self) -> int:
        return len(self._encoded())

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[str, ...]: ...

    def __getitem__(self, index: int | slice) -> str | tuple[str, ...]:
        return self._encoded()[index]

    def __iter__(self) -> Iterator[str]:
        return iter(self._encoded())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, LazyStrings | tuple):
            return self._encoded() == tuple(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._encoded())

    def __repr__(self) -> str:
        return f"LazyStrings({self._encoded()!r})"


def jsonl(*records: Any) -> LazyStrings:
    """Example records as JSONL lines (a str is taken as a ready-made line), encoded when first read."""
    return LazyStrings(lambda: records)


def example_bytes(lines: Sequence[str], final_newline: bool = True) -> bytes:
    """The bytes of a file made of example lines."""
    if not lines:
        return b""
    data = "\n".join(lines).encode("utf-8", "surrogateescape")
    return data + b"\n" if final_newline else data
