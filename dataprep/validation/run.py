"""The orchestrator: read each file, run the per-record checks, then the dataset-wide rules, build a Report.

Per-record work happens in `validation.record` (possibly in worker processes, via `validation.executors`); here
the results are turned into findings with file, line and severity, statistics are accumulated and the
cost is estimated. Nothing here prints or exits: that is the CLI's job.
"""

from __future__ import annotations

import dataclasses
import os
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from dataprep.config import Config, load_config
from dataprep.cost import CostEstimate, estimate_cost
from dataprep.errors import UsageError, WorkerCrashed
from dataprep.io.inputs import PathLike, Role, Source, as_source, peek_kind
from dataprep.io.jsonl import Block, FileFacts
from dataprep.io.shards import expand_inputs
from dataprep.io.stream import BlockStream
from dataprep.models import ModelInfo, resolve_model, with_tokenizer_settings
from dataprep.report.model import FileReport, Report, TemplateRun
from dataprep.rules.base import FileSummary
from dataprep.rules.duplicates import NEAR_DUPLICATE_CODES, duplicate_check
from dataprep.rules.reading import DUPLICATE_KEY
from dataprep.rules.registry import FILE_CHECKS, RULES_BY_CODE, codes_of, enabled_record_checks
from dataprep.rules.shape import HEAD_BYTES, SHAPE_CODE, Shape, check_shape, native_format, sniff
from dataprep.rules.split_sanity import split_sanity
from dataprep.selection import RuleSelection
from dataprep.stats import StatsAccumulator
from dataprep.tokens import CHAT_TEMPLATE_BACKEND, build_tokenizer
from dataprep.types import Finding, Kind, Location, Problem, Severity
from dataprep.validation.executors import choose_executor
from dataprep.validation.record import BatchResult, CheckSettings

# progress(lines_done, bytes_done, total_bytes): cumulative over the run; total_bytes is None when unknown.
if TYPE_CHECKING:
    from dataprep.compute import ComputeEstimate
    from dataprep.dedup import DuplicateIndex
    from dataprep.packing import Packing
    from dataprep.targets import TargetProfile
    from dataprep.validation.ray_executor import RayDuplicates, RayExecutor

ProgressCallback = Callable[[int, int, "int | None"], None]
# Inputs of at most this many bytes in all are a small run (the pre-commit case): their duplicate signatures
# are made in plain Python, as loading numpy would cost more than the work (dedup.small_minhash).
SMALL_INPUT_BYTES = 512 * 1024
_SHARED_MESSAGES = (
    1 << 16
)  # distinct finding texts remembered for sharing (bounded: unique texts gain nothing)


@dataclass
class _FileState:
    source: Source
    kind: Kind
    facts: FileFacts
    config: Config  # with this file's [[per-file]] blocks applied
    selection: RuleSelection
    stats: StatsAccumulator = field(default_factory=StatsAccumulator)
    findings: list[Finding] = field(default_factory=list)
    nonblank_lines: int = 0
    system_prompts: Counter[bytes] = field(default_factory=Counter)
    second_tokens: array[int] = field(default_factory=lambda: array("l"))
    shape: Shape | None = None  # not chat JSONL (DP013): read for its facts, not checked


def validate(
    source: PathLike | Iterable[Mapping[str, Any]],
    *,
    validation: PathLike | Iterable[Mapping[str, Any]] | None = None,
    model: str | None = None,
    config: Config | None = None,
    **overrides: Any,
) -> Report:
    """Validate one training source (a JSONL path, or records in memory) and an optional validation source.

    Keyword overrides are configuration keys (`kind`, `tokenizer_encoding`, `max_tokens`, `price_per_1m`, `epochs`,
    `select`, `ignore`, `severity`, `jobs`, ...). Without `config`, the nearest `[tool.dataprep]` applies.
    """
    train = _sources(source, "train", "<records>")
    valid = _sources(validation, "validation", "<validation>") if validation is not None else []
    return validate_sources(train, valid, model=model, config=config, **overrides)


def validate_files(
    train: Sequence[PathLike],
    validation: Sequence[PathLike] = (),
    *,
    model: str | None = None,
    config: Config | None = None,
    progress: ProgressCallback | None = None,
    **overrides: Any,
) -> Report:
    """Validate several training files and validation files together (cross-file rules see them all)."""
    sources = [as_source(p, "train", "") for p in expand_inputs(list(train))]
    valid = [as_source(p, "validation", "") for p in expand_inputs(list(validation))]
    return validate_sources(sources, valid, model=model, config=config, progress=progress, **overrides)


def _sources(value: Any, role: Role, label: str) -> list[Source]:
    """A path may stand for many shards (a directory or a glob pattern); records are one source."""
    if isinstance(value, (str, os.PathLike)):
        return [as_source(p, role, "") for p in expand_inputs([value])]
    return [as_source(value, role, label)]


def resolve_open_or_api_model(config: Config) -> ModelInfo:
    """The model of a run: an API model, an open-weight row, or a tokenizer folder (--tokenizer PATH)."""
    found: ModelInfo | None = None
    try:
        found = resolve_model(
            config.model,
            encoding=config.tokenizer_encoding,
            max_tokens=config.max_tokens,
            price_per_1m=config.price_per_1m,
            extra_models=config.models,
        )
    except UsageError:
        if not config.tokenizer:
            raise
    if found is not None and config.tokenizer and found.open_weights is None and config.model is None:
        found = None  # --tokenizer without --model: the folder is the model, not the default API model
    info = with_tokenizer_settings(
        found,
        config.model,
        tokenizer=config.tokenizer,
        chat_template=config.chat_template,
        date=config.date,
        allow_download=config.allow_download,
        max_seq_length=config.max_seq_length,
    )
    assert info is not None  # found, or a folder model
    return info


def validate_sources(
    train: Sequence[Source],
    validation: Sequence[Source],
    *,
    model: str | None = None,
    config: Config | None = None,
    progress: ProgressCallback | None = None,
    **overrides: Any,
) -> Report:
    """Validate sources; `progress(lines_done, bytes_done, total_bytes)` is called after every block."""
    base = config if config is not None else load_config()
    if "num_proc" in overrides:  # the `datasets` spelling of jobs
        overrides["jobs"] = overrides.pop("num_proc")
    base = base.with_overrides("arguments", model=model, **overrides)
    info = resolve_open_or_api_model(base)
    if base.target is not None:  # the target table loads only for --target
        from dataprep.targets import resolve_target, with_target_limits

        info = with_target_limits(
            info,
            resolve_target(base.target),
            max_tokens_given=base.max_tokens is not None,
            price_given=base.price_per_1m is not None,
        )
    _check_compute_settings(base, info)
    sources = [*train, *validation]
    total: int | None = None
    if all(src.path is not None and src.path.is_file() for src in sources):
        total = sum(src.path.stat().st_size for src in sources if src.path is not None)
    run = _Run(base, info, progress, total)
    for src in sources:
        run.check_source(src)
    return run.report()


def billing_totals(train: Sequence[PathLike], *, model: str, config: Config) -> list[int | tuple[int, int]]:
    """Count training files with `model`'s tokenizer and return each example's uncapped token total(s): one
    counting pass serves the cost of every model with the same tokenizer (the HTML report's cost table)."""
    base = config.with_overrides("arguments", model=model)
    run = _Run(base, resolve_open_or_api_model(base))
    for path in expand_inputs(list(train)):
        run.check_source(as_source(path, "train", ""))
    return run.billing_totals()


def _packing(totals: Sequence[int], max_tokens: int) -> Packing:
    from dataprep.packing import pack  # only for --packing

    return pack(totals, max_tokens)


def _check_compute_settings(config: Config, model: ModelInfo) -> None:
    """Fail before reading anything when the compute estimate is asked for but cannot be made."""
    if config.method is None and config.gpu is None:
        return
    if config.gpu is not None:
        from dataprep.compute import resolve_gpu  # the compute module loads only for an estimate

        resolve_gpu(config.gpu)
    if _parameters(config, model) is None:
        raise UsageError(
            f"the compute estimate needs the model's size: give --parameters (e.g. 8e9) for {model.id}, "
            "or pick an open-weight model of `dataprep models`"
        )


def _parameters(config: Config, model: ModelInfo) -> float | None:
    """The parameter count: --parameters, else the open-weight table's."""
    if config.parameters is not None:
        return config.parameters
    return float(model.open_weights.parameters) if model.open_weights is not None else None


class _Run:
    """State of one validation run across all its inputs."""

    def __init__(
        self,
        config: Config,
        model: ModelInfo,
        progress: ProgressCallback | None = None,
        total: int | None = None,
    ) -> None:
        self.config = config
        self.model = model
        self.progress = progress
        self.total_bytes = total
        self.bytes_before = 0
        self.lines_done = 0
        self.tokenizer_name = ""  # as the workers name it: building a tokenizer here only for its name costs
        self.files: list[_FileState] = []
        self._messages: dict[str, str] = {}  # finding texts seen, each kept once (see _absorb)
        self.selection = config.selection()
        self.target: TargetProfile | None = None
        if config.target is not None:
            from dataprep.targets import resolve_target

            self.target = resolve_target(config.target)
        self.ray: RayExecutor | None = None
        if config.executor == "ray":
            from dataprep.validation.ray_executor import start  # Ray is imported only there

            self.ray = start(config.ray_address)
        self.duplicates: DuplicateIndex | RayDuplicates | None = None
        self.index: DuplicateIndex | None = None  # fed here, digest by digest (local executors)
        if _any_on(self.selection, codes_of(duplicate_check)):
            index = duplicate_check(config)
            if self.ray is None:
                self.duplicates = self.index = index
            else:  # the digests stay in the cluster: the search runs there, over the parts the tasks left
                self.duplicates = self.ray.duplicates(index.params, _near_on(self.selection))

    def check_source(self, src: Source) -> None:
        config = self.config.for_file(src.label) if src.path is not None else self.config
        selection = config.selection()
        facts = FileFacts()
        with src.blocks(facts, config.max_line_bytes) as blocks:
            head = peek_kind(blocks)
            kind = Kind(config.kind) if config.kind else head
            native = None
            if self.target is not None:
                first = _head(blocks)
                native, native_kind = native_format(first, self.target.name)
                if native is not None and not config.kind:
                    kind = native_kind
            state = _FileState(src, kind, facts, config, selection)
            on_disk = src.path is not None or src.uri is not None
            if native is None and on_disk and selection.enabled(SHAPE_CODE):
                first = _head(blocks)
                state.shape = sniff(src.label, first, kind, self.model)
            if state.shape is not None:
                for _block in blocks:  # the reader fills the facts (lines, size); no line is checked
                    pass
                self._shape_only(state)
                return
            settings = CheckSettings(
                kind=kind,
                tokenizer=self.model.tokenizer_spec,
                context_limit=self.model.max_tokens,
                model_id=self.model.id,
                record_checks=enabled_record_checks([c for c in RULES_BY_CODE if selection.enabled(c)]),
                max_line_bytes=config.max_line_bytes,
                digests=self.duplicates is not None,
                near_duplicates=self.duplicates is not None and _near_on(selection),
                target=self.target,
                uncounted_codes=schema_error_codes(selection),
                native=native,
                duplicate_keys=selection.enabled(DUPLICATE_KEY),
                small_input=self.total_bytes is not None and self.total_bytes <= SMALL_INPUT_BYTES,
            )
            if self.ray is not None:
                batches = self.ray.run_source(src, blocks, settings, facts)
            else:
                batches = choose_executor(config.jobs, src.size_hint).run(blocks, settings)
            try:
                for batch in batches:
                    self._absorb(state, batch)
                    if self.progress is not None:
                        self.progress(self.lines_done, self.bytes_before + facts.size_bytes, self.total_bytes)
            except WorkerCrashed as exc:
                raise exc.at(src.label) from exc
        self.bytes_before += facts.size_bytes
        self._file_level(state)
        self.files.append(state)

    def _shape_only(self, state: _FileState) -> None:
        """A file that is not chat JSONL: its one DP013 finding, no other check."""
        self.bytes_before += state.facts.size_bytes
        self.lines_done += state.facts.lines
        if self.progress is not None:
            self.progress(self.lines_done, self.bytes_before, self.total_bytes)
        self._file_level(state)
        self.files.append(state)

    def _absorb(self, state: _FileState, batch: BatchResult) -> None:
        """Merge one block's results: whole arrays at once, findings only for lines that have problems."""
        label = state.source.label
        shared = self._messages
        for line, problem in batch.problems:
            # A million malformed lines often say the same thing: keep one copy of each message text.
            message = shared.get(problem.message)
            if message is None:
                message = problem.message
                if len(shared) < _SHARED_MESSAGES:
                    shared[message] = message
            finding = _finding(problem, label, line, state.selection, message)
            if finding is not None:
                state.findings.append(finding)
        state.nonblank_lines += batch.nonblank
        self.lines_done += batch.lines
        self.tokenizer_name = self.tokenizer_name or batch.tokenizer
        state.stats.merge(batch.stats)
        if state.kind is Kind.PREFERENCE:
            state.second_tokens.extend(batch.second_tokens)
        state.system_prompts.update(batch.system_prompts)
        if self.index is not None:
            role = state.source.role
            for line, digest in zip(batch.example_lines, batch.digests, strict=True):
                self.index.add(label, role, line, digest)

    def _file_level(self, state: _FileState) -> None:
        summary = FileSummary(
            label=state.source.label,
            role=state.source.role,
            first_line=state.source.first_line,
            facts=state.facts,
            nonblank_lines=state.nonblank_lines,
            examples=state.stats.examples + state.stats.not_counted,  # count rules see every record
            config=state.config,
            kind=state.kind,
            model=self.model,
            target=self.target,
            shape=state.shape,
        )
        for check, _codes in FILE_CHECKS:
            if state.shape is not None and check is not check_shape:
                continue
            for line, problem in check(summary):
                finding = _finding(problem, summary.label, line, state.selection)
                if finding is not None:
                    state.findings.append(finding)

    def _selection_at(self, finding: Finding) -> RuleSelection:
        """The selection of the file a dataset-wide finding points at (its per-file blocks applied)."""
        for state in self.files:
            if state.source.label == finding.location.path:
                return state.selection
        return self.selection

    def report(self) -> Report:
        findings: list[Finding] = []
        order = {state.source.label: i for i, state in enumerate(self.files)}
        for state in self.files:
            findings.extend(state.findings)
        if self.duplicates is not None:
            for finding in self.duplicates.findings():
                adjusted = _apply_selection(finding, self._selection_at(finding))
                if adjusted is not None:
                    findings.append(adjusted)
        findings.extend(self._split_findings())
        findings.sort(
            key=lambda f: (order.get(f.location.path, len(order)), f.location.line, f.location.col, f.code)
        )
        files = tuple(
            FileReport(
                path=s.source.label,
                role=s.source.role,
                kind=s.kind.value,
                lines=s.facts.lines,
                size_bytes=s.facts.size_bytes,
                stats=s.stats.summary(s.kind.value),
                packing=_packing(s.stats.total_tokens, self.model.max_tokens)
                if self.config.packing
                else None,
            )
            for s in self.files
        )
        index_bytes = self.duplicates.memory_bytes() if self.duplicates is not None else None
        totals = self.billing_totals()
        cost = self._cost(totals)
        compute = self._compute(cost)
        return Report(
            files,
            tuple(findings),
            self.model,
            cost,
            index_bytes,
            compute=compute,
            template_run=self._template_run(),
            billed_totals=totals,
        )

    def _template_run(self) -> TemplateRun | None:
        spec = self.model.tokenizer_spec
        if spec.backend != CHAT_TEMPLATE_BACKEND:
            return None
        if self.config.max_seq_length is not None:
            origin = "--max-seq-length"
        elif self.config.max_tokens is not None:
            origin = "--max-tokens"
        else:
            origin = "the model's context length (default; set the trainer's with --max-seq-length)"
        return TemplateRun(self.tokenizer_name or build_tokenizer(spec).name, self.model.max_tokens, origin)

    def _split_findings(self) -> list[Finding]:
        train = [s for s in self.files if s.source.role == "train"]
        valid = [s for s in self.files if s.source.role == "validation"]
        if not train or not valid or not _any_on(self.selection, codes_of(split_sanity)):
            return []
        from dataprep.rules.split_sanity import SplitSummary, SplitThresholds

        def summary(states: list[_FileState]) -> SplitSummary:
            totals: list[int] = []
            prompts: Counter[bytes] = Counter()
            for s in states:
                totals.extend(s.stats.total_tokens)
                prompts.update(s.system_prompts)
            label = states[0].source.label
            return SplitSummary(
                label=label, examples=len(totals), token_totals=totals, system_prompts=prompts
            )

        out = []
        c = self.config
        limits = SplitThresholds(
            c.min_validation_share,
            c.max_validation_share,
            c.min_validation_examples,
            c.max_token_shift,
            c.max_unseen_system_share,
        )
        for finding in split_sanity(summary(train), summary(valid), thresholds=limits):
            adjusted = _apply_selection(finding, self._selection_at(finding))
            if adjusted is not None:
                out.append(adjusted)
        return out

    def billing_totals(self) -> list[int | tuple[int, int]]:
        """Per training example, its token total (both sequences of a preference pair), not yet capped at
        any limit: the cost of every model that shares this tokenizer follows from it."""
        totals: list[int | tuple[int, int]] = []
        for state in self.files:
            if state.source.role != "train":
                continue
            if state.kind is Kind.PREFERENCE:
                totals.extend(zip(state.stats.total_tokens, state.second_tokens, strict=True))
            else:
                totals.extend(state.stats.total_tokens)
        return totals

    def _cost(self, totals: list[int | tuple[int, int]]) -> CostEstimate | None:
        if not totals:
            return None
        return estimate_cost(
            totals, self.model, epochs=self.config.epochs, price_per_1m=self.config.price_per_1m
        )

    def _compute(self, cost: CostEstimate | None) -> ComputeEstimate | None:
        """The self-hosted estimate, when a method or GPU was asked for and there are training examples.

        Sequence tokens are the cost's billed tokens: every training sequence capped at the context limit (both
        sequences of a preference pair), i.e. what the trainer runs forward and backward each epoch.
        """
        c = self.config
        parameters = _parameters(c, self.model)
        if (c.method is None and c.gpu is None) or parameters is None or cost is None:
            return None
        from dataprep.compute import estimate_compute, model_shape

        limit = self.model.max_tokens
        longest = 0
        preference = False
        for state in self.files:
            if state.source.role != "train":
                continue
            preference = preference or state.kind is Kind.PREFERENCE
            for column in (state.stats.total_tokens, state.second_tokens):
                if len(column):
                    longest = max(longest, min(limit, max(column)))
        return estimate_compute(
            cost.billed_tokens,
            longest,
            model_shape(self.model.id, parameters, self._active_parameters()),
            method=c.method or "lora",
            gpu=c.gpu or "H100",
            mfu=c.mfu,
            gpu_price=c.gpu_price,
            epochs=c.epochs,
            peak_tflops=c.peak_tflops,
            preference=preference,
        )

    def _active_parameters(self) -> float | None:
        """Parameters active per token of a mixture of experts, from the open-weight table (None: dense)."""
        weights = self.model.open_weights
        if weights is None or weights.active_parameters is None or self.config.parameters is not None:
            return None
        return float(weights.active_parameters)


def _head(blocks: BlockStream) -> list[bytes]:
    """The first lines of a file, at least HEAD_BYTES of them where the file has that many (what the shape
    sniffer looks at); the blocks read stay in the stream."""
    seen: list[Block] = []
    size = 0
    for block in blocks.peek():
        seen.append(block)
        size += len(block.data)
        if size >= HEAD_BYTES:
            break
    return [raw.data for block in seen for raw in block.lines()]


def _finding(
    problem: Problem, path: str, line: int, selection: RuleSelection, message: str | None = None
) -> Finding | None:
    """The finding of a problem at a line, with its severity under `selection` (None: switched off).
    `message`: the problem's text, when an equal string is already held (one copy kept)."""
    rule = RULES_BY_CODE.get(problem.code)
    default = rule.severity if rule is not None else Severity.ERROR
    severity = selection.severity_of(problem.code, default)
    if severity is None:
        return None
    text = problem.message if message is None else message
    return Finding(problem.code, severity, text, Location(path, line, problem.col, problem.json_path))


def _apply_selection(finding: Finding, selection: RuleSelection) -> Finding | None:
    severity = selection.severity_of(finding.code, finding.severity)
    if severity is None:
        return None
    if severity is finding.severity:
        return finding
    return dataclasses.replace(finding, severity=severity)  # keeps related locations


def _any_on(selection: RuleSelection, codes: Iterable[str]) -> bool:
    """True if any of `codes` is on: used to skip whole pieces of work (duplicates, split sanity)."""
    return any(selection.enabled(code) for code in codes)


def schema_error_codes(selection: RuleSelection) -> frozenset[str]:
    """The schema codes (DP1xx) that are errors under `selection`: a record with one is not a valid example."""
    codes = set()
    for code, rule in RULES_BY_CODE.items():
        if code.startswith("DP1") and selection.severity_of(code, rule.severity) is Severity.ERROR:
            codes.add(code)
    return frozenset(codes)


def _near_on(selection: RuleSelection) -> bool:
    return _any_on(selection, NEAR_DUPLICATE_CODES)
