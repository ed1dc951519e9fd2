"""`convert_file`: convert sources into output files, with rejects, an optional split, export to Parquet or a
`datasets` directory, and validation of what was written.

Safety: every output is checked first (never an input, never an existing file without `force`), written to a
temporary name and renamed when complete; a failure leaves no partial output.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import orjson

from dataprep.conversion.checks import check_model, validate_outputs, validation_config
from dataprep.conversion.export import check_dataset_dir, export, read_back
from dataprep.conversion.images import image_options
from dataprep.conversion.mapping import ChatMapping
from dataprep.conversion.native import NativeBuilder, TargetWriter, note_lines, resolve_sources
from dataprep.conversion.pipeline import (
    DEFAULT_MAX_CELL_CHARS,
    Converted,
    Converter,
    Lines,
    Rejected,
    in_lists,
    mapping_given,
    run_mapping,
)
from dataprep.conversion.report import ConvertReport
from dataprep.errors import UsageError
from dataprep.formats import format_for_target
from dataprep.io.atomic import (
    atomic_binary_writer,
    atomic_group_writer,
    check_output_path,
    claim_outputs,
    remove_stale_dirs,
)
from dataprep.io.extras import require
from dataprep.io.safe_json import dumps_line
from dataprep.io.tabular import ReadOptions
from dataprep.rules.duplicates import CONFLICT
from dataprep.splitting import (
    SideAssigner,
    SplitSummary,
    content_key,
    group_key,
    key_hash,
    near_params,
    parse_validation_size,
    size_warnings,
    split_paths,
    stratum_of,
)

if TYPE_CHECKING:
    from dataprep.config import Config

OUTPUT_FORMATS = ("jsonl", "parquet", "hf")
_OUTPUT_FEATURES = {"parquet": ("parquet",), "hf": ("hf",)}  # datasets brings pyarrow
_REJECTS_SUFFIX = ".rejects.jsonl"
_TRACE_SUFFIX = ".sources.jsonl"
_STAGING_PREFIX = ".dataprep-convert-"


@dataclass(slots=True)
class _SplitOptions:
    size: float | int
    seed: int
    group: str | None
    stratify: str | None
    planner: SideAssigner
    keyless: int = 0

    def add(self, item: Converted) -> None:
        key = None
        if self.group is not None:
            value = item.row.get(self.group)
            if value not in (None, ""):
                key = group_key(value)
            else:
                self.keyless += 1
        h = key_hash(key or content_key(item.record), self.seed)
        stratum = stratum_of(item.row.get(self.stratify)) if self.stratify else None
        self.planner.add(h, item.record, stratum)  # copies and near-duplicates are kept on one side


@dataclass(slots=True)
class _Outputs:
    """Where everything goes. `jsonl` are the JSONL files validation reads (final or staged)."""

    final: list[Path]
    rejects: Path
    trace: Path | None
    jsonl: list[Path] = field(default_factory=list)


def _rejects_path(output: Path) -> Path:
    return output.with_name(output.name + _REJECTS_SUFFIX)


def _plan(
    output: Path,
    inputs: Sequence[str],
    output_format: str,
    split: bool,
    train_output: str | os.PathLike[str] | None,
    validation_output: str | os.PathLike[str] | None,
    force: bool,
    trace: bool,
) -> _Outputs:
    if output_format not in OUTPUT_FORMATS:
        raise UsageError(f"--output-format must be one of {', '.join(OUTPUT_FORMATS)}, not {output_format!r}")
    if (train_output or validation_output) and not split:
        raise UsageError("--train-output/--validation-output need --validation-size")
    files: list[Path]
    if output_format == "hf":
        check_dataset_dir(output, inputs, force)  # one directory; a split becomes its train/validation splits
        files = [output]
    elif split:
        default_train, default_validation = split_paths(output)
        files = [Path(train_output or default_train), Path(validation_output or default_validation)]
        if files[0].resolve() == files[1].resolve():
            raise UsageError(f"{files[0]}: the train and validation outputs must differ")
    else:
        files = [output]
    for path in files:
        _check_suffix(path, output_format)
    for path in files if output_format != "hf" else []:
        check_output_path(path, inputs, force)
    rejects = check_output_path(_rejects_path(output), inputs, force)
    trace_path = (
        check_output_path(output.with_name(output.name + _TRACE_SUFFIX), inputs, force) if trace else None
    )
    return _Outputs(files, rejects, trace_path)


# Suffixes that name another output format: writing Parquet to `o.jsonl` would only confuse the next tool.
_WRONG_SUFFIXES = {
    "jsonl": (".parquet", ".pq"),
    "parquet": (".jsonl", ".json", ".ndjson", ".csv"),
    "hf": (".jsonl", ".json", ".ndjson", ".csv", ".parquet", ".pq"),
}


def _check_suffix(path: Path, output_format: str) -> None:
    suffix = path.suffix.lower()
    if suffix in _WRONG_SUFFIXES[output_format]:
        what = "a datasets directory" if output_format == "hf" else f"{output_format} data"
        raise UsageError(
            f"{path}: --output-format {output_format} writes {what}, but the name ends in {suffix!r}: "
            "change the name or the format"
        )


class _LazyWriter:
    """An atomic writer opened on first write (the rejects file exists only when a row was rejected)."""

    def __init__(self, stack: contextlib.ExitStack, path: Path) -> None:
        self._stack = stack
        self.path = path
        self._handle: IO[bytes] | None = None

    @property
    def used(self) -> bool:
        return self._handle is not None

    def write(self, data: bytes) -> None:
        if self._handle is None:
            self._handle = self._stack.enter_context(atomic_binary_writer(self.path))
        self._handle.write(data)


def _dump_reject(item: Rejected) -> bytes:
    return dumps_line(item.to_dict())  # never fails on the value that got the row rejected


def _sources_line(item: Converted) -> list[dict[str, Any]]:
    return [s.to_dict() for s in item.sources]


def convert_file(
    inputs: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    output: str | os.PathLike[str],
    *,
    preset: str | None = None,
    mapping: str | os.PathLike[str] | Mapping[str, Any] | ChatMapping | None = None,
    system: str | None = None,
    user: str | None = None,
    assistant: str | None = None,
    group_by: str | None = None,
    order_by: str | None = None,
    role_column: str | None = None,
    content: str | None = None,
    missing: str | None = None,
    list_format: str | None = None,
    ignore_columns: Sequence[str] = (),
    limit: int | None = None,
    read: ReadOptions | None = None,
    max_cell_chars: int = DEFAULT_MAX_CELL_CHARS,
    output_format: str = "jsonl",
    force: bool = False,
    validation_size: str | float | int | None = None,
    seed: int = 0,
    group: str | None = None,
    stratify: str | None = None,
    train_output: str | os.PathLike[str] | None = None,
    validation_output: str | os.PathLike[str] | None = None,
    trace: bool = False,
    validate: bool = True,
    model: str | None = None,
    progress: Callable[[int, int, int | None], None] | None = None,
    config: Config | str | os.PathLike[str] | None = None,
    select: Sequence[str] | None = None,
    ignore: Sequence[str] | None = None,
    severity: Mapping[str, str] | None = None,
    jobs: int | None = None,
    to: str | None = None,
    target: str | None = None,
    embed_images: bool = False,
    image_dir: str | os.PathLike[str] | None = None,
) -> ConvertReport:
    """Convert `inputs` into `output` (chat JSONL by default) and return the accounting.

    Rejected rows go to `<output>.rejects.jsonl`. With `validation_size` the records are split into
    `<name>.train.jsonl` and `<name>.validation.jsonl` (see `dataprep.split`). With `trace`, `<output>.sources.jsonl`
    names the source rows of every output line. With `validate`, the written JSONL is checked by
    `dataprep.validate` and its Report is kept in `report.validation`; `config` (a Config or a configuration
    file; default the nearest one), `select`, `ignore`, `severity` and `jobs` are validate's options for that
    run, checked before any input is read. `progress(rows_read, bytes_read, total_bytes)` is called every 1,000
    output items (the CLI's progress bar; total None when unknown). `to` writes the records in a target's own
    shape (`vertex`, `bedrock-nova`, `trl`, `llama-factory`, or chat JSONL for `openai`, `azure`, `together`,
    `fireworks`); `target` validates the output for that target (default: the `to` target, or the config's).
    Without a mapping, inputs in a native format (or `read=ReadOptions(format="vertex")`, or a
    `dataset_info.json#name` entry) are read as chat records. A mapping's `images` become image parts: local
    files only with `embed_images` (as data URLs, found under `image_dir`, default each input's folder), within
    the target's image limits when its profile states them.
    """
    sources = (
        [os.fspath(inputs)] if isinstance(inputs, (str, os.PathLike)) else [os.fspath(i) for i in inputs]
    )
    if not sources:
        raise UsageError("no input given")
    out = Path(output)
    if (group or stratify) and validation_size is None:
        raise UsageError("--group and --stratify need --validation-size")
    options: dict[str, Any] = dict(  # the mapping arguments, for both uses below
        preset=preset,
        mapping=mapping,
        system=system,
        user=user,
        assistant=assistant,
        group_by=group_by,
        order_by=order_by,
        role_column=role_column,
        content=content,
        missing=missing,
        list_format=list_format,
        ignore_columns=ignore_columns,
    )
    sources, read, native = resolve_sources(sources, read, mapping_given(options))
    writer = TargetWriter(to) if to is not None else None
    if writer is not None and output_format != "jsonl" and writer.format.name != "chat":
        raise UsageError(f"--to {to} writes JSON Lines in {to}'s own shape: use --output-format jsonl")
    chosen = ChatMapping(()) if native is not None else run_mapping(options, to)
    settings = validation_config(
        config, model=model, select=select, ignore=ignore, severity=severity, jobs=jobs
    )
    settings = _with_target(settings, to, target)
    converter = Converter(
        chosen,
        read,
        max_cell_chars=max_cell_chars,
        extra_columns=[group or "", stratify or ""],
        limit=limit,
        native=native,
        images=image_options(settings.target, embed_images, image_dir),
    )
    # Optional packages first: a missing one is one line naming the extra, before anything is read or written.
    converter.check_extras(sources)
    require(_OUTPUT_FEATURES.get(output_format, ()))
    if validate or model is not None:
        check_model(model, settings)
    splitting: _SplitOptions | None = None
    if validation_size is not None:
        size = parse_validation_size(validation_size)
        planner = SideAssigner(size, stratified=stratify is not None, params=near_params())
        splitting = _SplitOptions(size, seed, group, stratify, planner)
    plan = _plan(
        out,
        [*sources, *_other_inputs(mapping, config)],
        output_format,
        splitting is not None,
        train_output,
        validation_output,
        force,
        trace,
    )

    report = ConvertReport(inputs=sources, output_format=output_format, record_kind=chosen.output)
    direct = output_format == "jsonl" and splitting is None
    if chosen.output == "kto" and output_format != "jsonl":
        raise UsageError("KTO records (prompt, completion, label) are written as JSONL only")
    kto = chosen.output == "kto"
    with _claim(plan, force, report), _staging(out.parent, needed=not direct or kto) as staging:
        converted = plan.final[0] if direct else staging / f"{out.stem}.all.jsonl"
        # With a split, output line numbers are only known in the second pass: stage the trace until then.
        trace_first = staging / "sources.jsonl" if splitting is not None and plan.trace else plan.trace
        _write(converter, sources, converted, plan.rejects, trace_first, report, splitting, progress, writer)
        if splitting is not None:
            plan.jsonl = _split_targets(plan, out, output_format, staging)
            names = _split_names(plan, output_format)
            report.split = _write_split(converted, plan.jsonl, names, splitting, plan.trace, trace_first)
        elif output_format != "jsonl":
            plan.jsonl = [converted.rename(staging / f"{out.stem}.jsonl")]
        else:
            plan.jsonl = [converted]
        if output_format != "jsonl":
            report.warnings += export(plan.jsonl, plan.final, output_format, split=splitting is not None)
            # Validate what a trainer will load: the records read back from the written files.
            plan.jsonl = _read_back(plan.final, output_format, splitting is not None, staging)
        if validate:
            labels = _validation_labels(plan, output_format)
            if kto:  # validate knows no KTO records: it checks each one's conversation as a chat record
                plan.jsonl = [
                    kto_as_chat(path, staging / f"chat-view-{i}.jsonl") for i, path in enumerate(plan.jsonl)
                ]
                labels = (f"{labels[0]} (KTO read as chat)", labels[1] and f"{labels[1]} (KTO read as chat)")
                # one prompt with a desirable and an undesirable answer is KTO's point, not a conflict
                settings = settings.with_overrides("KTO records", ignore=(*settings.ignore, CONFLICT))
            _validate(report, plan.jsonl, model, labels, settings)
    report.outputs = [str(p) for p in plan.final]
    if not report.rows_rejected and plan.rejects.exists():
        plan.rejects.unlink()  # a stale rejects file of an earlier run (only reached with force)
    report.rejects_path = str(plan.rejects) if report.rows_rejected else None
    if report.examples_written == 0:
        report.warnings.append("no examples were written: every row was rejected or the input is empty")
    return report


def _with_target(settings: Config, to: str | None, target: str | None) -> Config:
    """The target the output is validated for: --target, else the --to target, else the configuration's."""
    if (
        target is not None
        and to is not None
        and target != to
        and format_for_target(target) is not format_for_target(to)
    ):
        raise UsageError(
            f"--target {target} checks {target}'s records, but --to {to} writes {to}'s: give one of them"
        )
    chosen = target or to
    return settings.with_overrides("arguments", target=chosen) if chosen is not None else settings


def kto_as_chat(source: Path, target: Path) -> Path:
    """Each KTO record's prompt and completion as one chat record, line for line (for validation)."""
    with source.open("rb") as records, atomic_binary_writer(target) as handle:
        for line in records:
            if not line.strip():
                handle.write(b"\n")  # kept, so that findings keep the input's line numbers
                continue
            record = orjson.loads(line)
            chat: dict[str, Any] = {"messages": [*record["prompt"], *record["completion"]]}
            if "tools" in record:
                chat["tools"] = record["tools"]
            handle.write(orjson.dumps(chat, option=orjson.OPT_APPEND_NEWLINE))
    return target


def _other_inputs(mapping: object, config_given: object) -> list[str]:
    """Files a run reads besides its data, which no output may replace: the mapping file and the config file."""
    from dataprep.config import find_config_file

    found = [os.fspath(mapping)] if isinstance(mapping, (str, os.PathLike)) else []
    if isinstance(config_given, (str, os.PathLike)):
        return [*found, os.fspath(config_given)]
    config = find_config_file()
    return [*found, str(config)] if config is not None else found


@contextlib.contextmanager
def _claim(plan: _Outputs, force: bool, report: ConvertReport) -> Iterator[None]:
    """Lock the outputs for the run (a second run writing them fails); note what a killed run left."""
    with claim_outputs([*plan.final, plan.rejects, *([plan.trace] if plan.trace else [])], force) as notes:
        report.warnings += notes
        yield


@contextlib.contextmanager
def _staging(parent: Path, needed: bool) -> Iterator[Path]:
    """A temporary directory beside the outputs (same file system, so renames are atomic)."""
    if not needed:
        yield parent
        return
    parent.mkdir(parents=True, exist_ok=True)
    remove_stale_dirs(parent, _STAGING_PREFIX)
    path = Path(tempfile.mkdtemp(prefix=f"{_STAGING_PREFIX}{os.getpid()}-", dir=parent))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def _write(
    converter: Converter,
    sources: list[str],
    target: Path,
    rejects_path: Path,
    trace_path: Path | None,
    report: ConvertReport,
    splitting: _SplitOptions | None,
    progress: Callable[[int, int, int | None], None] | None = None,
    writer: TargetWriter | None = None,
) -> None:
    with contextlib.ExitStack() as stack:
        handle = stack.enter_context(atomic_binary_writer(target))
        rejects = _LazyWriter(stack, rejects_path)
        trace = stack.enter_context(atomic_binary_writer(trace_path)) if trace_path else None
        if writer is not None or trace is not None or splitting is not None:
            # These need every record as a Converted item (its rows' locations and values).
            items = converter.items(sources)
            batches = in_lists(writer.items(items) if writer is not None else items)
        else:
            batches = converter.batches(sources)
        count = 0
        write = handle.write
        for batch in batches:
            if progress is not None and (count + len(batch)) // 1000 > count // 1000:
                progress(converter.rows_read, converter.meter.done, converter.meter.total)
            count += len(batch)
            if type(batch) is Lines:
                write(b"".join(batch))  # type: ignore[arg-type]
                report.examples_written += len(batch)
                report.rows_written += len(batch)
                continue
            for item in batch:
                if isinstance(item, bytes):  # the JSON line of a record built from one CSV row
                    write(item)
                    report.examples_written += 1
                    report.rows_written += 1
                elif isinstance(item, Converted):
                    _write_converted(item, handle, rejects, trace, report, splitting)
                else:
                    rejects.write(_dump_reject(item))
                    report.add_reject(str(item.source), item.reason, item.message)
        report.rows_read = converter.rows_read
        report.blank_rows = converter.blank_rows
        report.warnings += converter.warnings
        if isinstance(converter.builder, NativeBuilder):
            report.warnings += note_lines(converter.builder.notes)
        if writer is not None:
            report.warnings += note_lines(writer.notes, writer.first)
        report.unused_columns = converter.columns.unused_columns()


def _write_converted(
    item: Converted,
    handle: IO[bytes],
    rejects: _LazyWriter,
    trace: IO[bytes] | None,
    report: ConvertReport,
    splitting: _SplitOptions | None,
) -> None:
    try:
        line = orjson.dumps(item.record, option=orjson.OPT_APPEND_NEWLINE)
    except TypeError as exc:  # a value JSON cannot hold (e.g. an integer over 64 bits)
        for location in item.sources:
            reject = Rejected(location, "unserializable", f"cannot write as JSON: {exc}", item.row)
            rejects.write(_dump_reject(reject))
            report.add_reject(str(location), reject.reason, reject.message)
        return
    handle.write(line)
    report.examples_written += 1
    report.rows_written += len(item.sources)
    if trace is not None:
        entry = {"line": report.examples_written, "sources": _sources_line(item)}
        trace.write(orjson.dumps(entry, option=orjson.OPT_APPEND_NEWLINE))
    if splitting is not None:
        splitting.add(item)


def _split_targets(plan: _Outputs, out: Path, output_format: str, staging: Path) -> list[Path]:
    if output_format == "jsonl":
        return list(plan.final)
    train, validation = split_paths(staging / f"{out.stem}.jsonl")
    return [train, validation]


def _split_names(plan: _Outputs, output_format: str) -> list[str]:
    """How the report names the two sides: files, or the splits of one `datasets` directory."""
    if output_format == "hf":
        return [f"{plan.final[0]} (split train)", f"{plan.final[0]} (split validation)"]
    return [str(p) for p in plan.final]


def _write_split(
    converted: Path,
    targets: list[Path],
    names: list[str],
    splitting: _SplitOptions,
    trace_final: Path | None,
    trace_staged: Path | None,
) -> SplitSummary:
    planner = splitting.planner
    planner.finish()
    counts = [0, 0]
    with contextlib.ExitStack() as stack:
        outputs = stack.enter_context(atomic_group_writer(targets))  # the pair is committed as a unit
        records = stack.enter_context(converted.open("rb"))
        staged = stack.enter_context(trace_staged.open("rb")) if trace_staged and trace_final else None
        trace = stack.enter_context(atomic_binary_writer(trace_final)) if staged and trace_final else None
        for index, line in enumerate(records):
            side = int(planner.is_validation(index))
            outputs[side].write(line)
            counts[side] += 1
            if staged is not None and trace is not None:
                entry = orjson.loads(staged.readline())
                entry = {"output": names[side], "line": counts[side], "sources": entry["sources"]}
                trace.write(orjson.dumps(entry, option=orjson.OPT_APPEND_NEWLINE))
    key = f"group {splitting.group!r}" if splitting.group else "content"
    summary = SplitSummary(
        names[0], names[1], counts[0], counts[1], key=key, seed=splitting.seed, size=splitting.size
    )
    summary.warnings += size_warnings(counts[0], counts[1]) + planner.warnings()
    if splitting.keyless:
        summary.warnings.append(
            f"{splitting.keyless} examples have no {splitting.group!r} value: they are keyed by their content"
        )
    return summary


def _read_back(final: list[Path], output_format: str, split: bool, staging: Path) -> list[Path]:
    paths = []
    for index, records in enumerate(read_back(final, output_format, split=split)):
        path = staging / f"read-back-{index}.jsonl"
        with atomic_binary_writer(path) as handle:
            for record in records:
                handle.write(dumps_line(record))
        paths.append(path)
    return paths


def _validation_labels(plan: _Outputs, output_format: str) -> tuple[str, str | None]:
    """How findings name what was validated: the final outputs, even when a staged JSONL copy is read."""
    if output_format == "jsonl":
        names = [str(p) for p in plan.final]
    elif output_format == "parquet":
        names = [f"{p} (read back)" for p in plan.final]
    elif len(plan.jsonl) > 1:
        names = [f"{plan.final[0]} (split {side}, read back)" for side in ("train", "validation")]
    else:
        names = [f"{plan.final[0]} (read back)"]
    return names[0], names[1] if len(names) > 1 else None


def _validate(
    report: ConvertReport,
    jsonl: list[Path],
    model: str | None,
    labels: tuple[str, str | None],
    settings: Config,
) -> None:
    validation = jsonl[1] if len(jsonl) > 1 else None
    result = validate_outputs(jsonl[0], validation, model=model, labels=labels, config=settings)
    report.validation.append(result)
