"""The per-record work: a pure function of one line, safe to run in any process.

`check_line` reads a line into a record (the registry's line check), counts its tokens through the Tokenizer
seam and runs the registry's record checks; `check_block` does it for a block of lines and adds the duplicate
digests. They return plain picklable data; the orchestrator (validation.run) adds file names, severities, the
file checks and the dataset checks.
"""

from __future__ import annotations

import hashlib
from array import array
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from dataprep.io.jsonl import DEFAULT_MAX_LINE_BYTES, Block, RawLine
from dataprep.rules.base import RecordCheck, RecordContext
from dataprep.rules.native import native_paths, read_native
from dataprep.rules.reading import BLANK_LINE, read_line
from dataprep.stats import StatsAccumulator
from dataprep.tokens import Tokenizer, TokenizerSpec, build_tokenizer
from dataprep.types import Kind, Problem

if TYPE_CHECKING:
    from dataprep.targets import TargetProfile


@dataclass(frozen=True, slots=True)
class CheckSettings:
    """Everything a worker needs, sent to it once."""

    kind: Kind
    tokenizer: TokenizerSpec
    context_limit: int
    model_id: str
    record_checks: tuple[RecordCheck, ...] = ()  # from the rule registry: the checks of the selected rules
    max_line_bytes: int = DEFAULT_MAX_LINE_BYTES
    digests: bool = False
    near_duplicates: bool = False
    target: TargetProfile | None = None  # --target: the provider or trainer's profile (DP8xx)
    # Codes that make a record not a valid example (schema errors at this file's severities): such a record
    # is still seen by the duplicate index, but left out of every token figure and of the cost.
    uncounted_codes: frozenset[str] = frozenset()
    native: str | None = None  # the file is in this target's own format (dataprep.formats): read as chat
    duplicate_keys: bool = True  # look for keys repeated in one object (DP014): a second look at each line
    small_input: bool = False  # the run's inputs are small: duplicate signatures are made without numpy


@dataclass(slots=True)
class LineResult:
    """What one line yields. `example` is False for lines that are not a record of the file's kind."""

    line: int
    problems: list[Problem] = field(default_factory=list)
    example: bool = False
    messages: int = 0
    total_tokens: int = 0
    second_tokens: int = 0  # preference records: the non-preferred sequence, billed too
    assistant_tokens: int = 0
    trained_tokens: int = 0
    has_system: bool = False
    has_user: bool = False
    system_prompt: bytes | None = None


@dataclass
class BatchResult:
    """Everything one block of lines yields, in compact, mergeable form: statistics as arrays, problems only
    for the lines that have them. The main process merges these without touching lines one by one."""

    lines: int = 0
    nonblank: int = 0
    stats: StatsAccumulator = field(default_factory=StatsAccumulator)
    second_tokens: array[int] = field(default_factory=lambda: array("l"))
    system_prompts: Counter[bytes] = field(default_factory=Counter)
    problems: list[tuple[int, Problem]] = field(default_factory=list)
    example_lines: array[int] = field(default_factory=lambda: array("l"))
    digests: list[Any] = field(default_factory=list)
    tokenizer: str = ""  # the name of the tokenizer that counted (the report says it without building one)

    def add(self, result: LineResult, context_limit: int, uncounted: frozenset[str] = frozenset()) -> None:
        self.lines += 1
        blank = False
        for problem in result.problems:
            blank = blank or problem.code == BLANK_LINE
            self.problems.append((result.line, problem))
        self.nonblank += not blank
        if not result.example:
            return
        self.example_lines.append(result.line)
        if uncounted and any(problem.code in uncounted for problem in result.problems):
            self.stats.not_counted += 1
            return
        self.stats.add(
            messages=result.messages,
            total=result.total_tokens,
            assistant=result.assistant_tokens,
            trained=result.trained_tokens,
            has_system=result.has_system,
            has_user=result.has_user,
            over=result.total_tokens > context_limit,
        )
        self.second_tokens.append(result.second_tokens)
        if result.system_prompt is not None:
            self.system_prompts[result.system_prompt] += 1

    def merge(self, other: BatchResult) -> None:
        """Append the results of the block that follows this one."""
        self.lines += other.lines
        self.nonblank += other.nonblank
        self.stats.merge(other.stats)
        self.second_tokens.extend(other.second_tokens)
        self.system_prompts.update(other.system_prompts)
        self.problems.extend(other.problems)
        self.example_lines.extend(other.example_lines)
        self.digests.extend(other.digests)
        self.tokenizer = self.tokenizer or other.tokenizer


def check_block(block: Block, settings: CheckSettings) -> BatchResult:
    """Check every line of a block; duplicate digests are made for the whole block at once (much cheaper)."""
    tokenizer = build_tokenizer(settings.tokenizer)  # once per block: the cache lookup hashes the whole spec
    out = BatchResult(tokenizer=tokenizer.name)
    records: list[dict[str, Any]] | None = [] if settings.digests else None
    for raw in block.lines():
        out.add(
            check_line(raw, settings, tokenizer, records), settings.context_limit, settings.uncounted_codes
        )
    if records:
        from dataprep.dedup import example_digests  # numpy is loaded only when duplicates are checked

        out.digests = example_digests(
            records, settings.kind, near=settings.near_duplicates, small=settings.small_input
        )
    return out


def check_line(
    raw: RawLine, settings: CheckSettings, tokenizer: Tokenizer, keep: list[dict[str, Any]] | None = None
) -> LineResult:
    """Check one line, counting with `tokenizer` (the one the settings name). With `keep`, the record of every
    example is appended to it (for batch digests)."""
    result = LineResult(raw.number)
    record, problems = read_line(raw, settings)
    result.problems = problems  # with a record: warnings about how it was read (DP014)
    if record is None:
        return result
    if settings.native is not None:
        return _check_native(record, settings, result, keep, tokenizer)
    check_record(record, settings, result, tokenizer)
    if keep is not None:
        keep.append(record)
    return result


def _check_native(
    record: dict[str, Any],
    settings: CheckSettings,
    result: LineResult,
    keep: list[dict[str, Any]] | None,
    tokenizer: Tokenizer,
) -> LineResult:
    """A record in the target's own format: checked as its chat reading, findings at the native paths."""
    native, problems = read_native(record, settings)
    if native is None:
        result.problems = problems
        return result
    check_record(native.record, settings, result, tokenizer)
    result.problems = native_paths(result.problems, native)
    if keep is not None:
        keep.append(native.record)
    return result


def check_record(
    record: dict[str, Any], settings: CheckSettings, result: LineResult, tokenizer: Tokenizer
) -> LineResult:
    """Count one record of the file's kind with `tokenizer` (the settings') and run the registry's record checks
    on it, filling `result`."""
    result.example = True
    kind = settings.kind
    if kind is Kind.CHAT:
        _describe_messages(record.get("messages"), result)
    elif kind is Kind.PREFERENCE:
        inp = record.get("input")
        _describe_messages(inp.get("messages") if isinstance(inp, dict) else None, result)
    else:
        result.messages, result.has_user = 2, True
    counted = tokenizer.count(record, kind)
    result.total_tokens, result.assistant_tokens, result.trained_tokens = (
        counted.total,
        counted.assistant,
        counted.trained,
    )
    if len(counted.billed) > 1:
        result.second_tokens = min(counted.billed)
    context = RecordContext(kind, counted, settings.context_limit, settings.model_id, settings.target)
    for check in settings.record_checks:
        result.problems.extend(check(record, context))
    return result


def _describe_messages(messages: Any, result: LineResult) -> None:
    if not isinstance(messages, list):
        return
    result.messages = len(messages)
    for message in messages:
        if not isinstance(message, dict):
            continue
        role = message.get("role")
        if role == "user":
            result.has_user = True
        elif role == "system":
            result.has_system = True
            if result.system_prompt is None:
                content = message.get("content")
                text = content if isinstance(content, str) else repr(content)
                result.system_prompt = hashlib.blake2b(
                    text.encode("utf-8", "replace"), digest_size=8
                ).digest()
