"""Sources -> rows -> records, as a stream of `Converted` and `Rejected` items (the library's `convert`).

Every row read comes out exactly once: as part of a Converted record or as a Rejected item with its location,
reason and raw values. Blank lines are not rows; they are counted apart (`Converter.blank_rows`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
import os
from collections.abc import Generator, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, Protocol, cast

import orjson

from dataprep.conversion.build import RecordBuilder, RowProblem
from dataprep.conversion.columns import AllColumnsUsed, ColumnGuard
from dataprep.conversion.compiled import LineBuilder, compile_lines, compile_rows
from dataprep.conversion.images import ImageOptions, image_options
from dataprep.conversion.items import Converted, ConvertItem, Rejected
from dataprep.conversion.mapping import (
    ChatMapping,
    check_columns,
    compile_mapping,
    load_mapping,
    mapping_from_flags,
    unknown_column_message,
    with_system,
)
from dataprep.conversion.native import NativeBuilder, TargetWriter, resolve_records, resolve_sources
from dataprep.conversion.presets import load_preset
from dataprep.conversion.sources import (
    RecordsSource,
    Source,
    dataset_source,
    detect_format,
    features_needed,
    open_source,
)
from dataprep.conversion.templates import LIST_FORMATS, is_empty
from dataprep.errors import MappingError, UsageError
from dataprep.io.byte_meter import ByteMeter
from dataprep.io.extras import require
from dataprep.io.tabular import BATCH_ROWS, BLANK, ReadOptions, RowBatch, SourceRow

__all__ = [
    "DEFAULT_MAX_CELL_CHARS",
    "ConvertItem",
    "Converted",
    "Converter",
    "Rejected",
    "convert",
    "resolve_mapping",
]

DEFAULT_MAX_CELL_CHARS = 10_000_000
_EARLY_COLUMN_CHECK = 1_000  # usable JSON records after which a column none of them has is an error
# A path (str or PathLike), an `hf:` id, an iterable of mappings, or a datasets.Dataset (duck-typed, so: Any).
SourceLike = Any


def mapping_given(options: Mapping[str, Any]) -> bool:
    """Whether the run names a mapping at all; without one, records in a native format are read as they are."""
    keys = ("preset", "mapping", "system", "user", "assistant", "group_by", "role_column", "content")
    return any(options.get(key) is not None for key in keys)


def run_mapping(options: Mapping[str, Any], to: str | None) -> ChatMapping:
    """The run's mapping (resolve_mapping of `options`); `--to` takes chat and preference records only."""
    chosen = resolve_mapping(**options)
    if to is not None and chosen.output == "kto":
        raise UsageError("--to writes chat and preference records; KTO records are TRL's shape already")
    return chosen


def resolve_mapping(
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
) -> ChatMapping:
    """One mapping from a preset name, a mapping (file path, plain data or ChatMapping) or the simple flags;
    `ignore_columns` adds to the mapping's own list of input columns to drop on purpose."""
    flags = {
        "system": system,
        "user": user,
        "assistant": assistant,
        "group_by": group_by,
        "order_by": order_by,
        "role_column": role_column,
        "content": content,
    }
    given = [name for name, value in (("preset", preset), ("mapping", mapping)) if value is not None]
    # --system beside a preset or mapping file replaces its system prompt; alone it joins the template flags.
    override_system = system if given and system is not None else None
    if override_system is not None:
        flags["system"] = None
    if any(v is not None for v in flags.values()):
        given.append("templates")
    if len(given) != 1:
        raise UsageError(
            "choose one of a preset, a mapping file, or the --system/--user/--assistant (or --group-by) flags"
            + (f"; got {' and '.join(given)}" if given else "")
        )
    if preset is not None:
        result = load_preset(preset)
    elif isinstance(mapping, ChatMapping):
        result = mapping
    elif isinstance(mapping, Mapping):
        result = compile_mapping(mapping)
    elif mapping is not None:
        result = load_mapping(mapping)
    else:
        result = compile_mapping(mapping_from_flags(**flags), "flags")
    if override_system is not None:
        result = with_system(result, override_system)
    if missing is not None:
        if missing not in ("reject", "empty"):
            raise UsageError(f"--missing must be reject or empty, not {missing!r}")
        result = dataclasses.replace(result, missing=missing)
    if list_format is not None:
        if list_format not in LIST_FORMATS:
            raise UsageError(f"--list-format must be one of {', '.join(LIST_FORMATS)}, not {list_format!r}")
        result = dataclasses.replace(result, list_format=list_format)
    if ignore_columns:
        result = dataclasses.replace(result, ignore_columns=result.ignore_columns | frozenset(ignore_columns))
    return result


class Converter:
    """Runs a mapping over sources. Counters are filled while the items are consumed."""

    def __init__(
        self,
        mapping: ChatMapping,
        read: ReadOptions | None = None,
        *,
        max_cell_chars: int = DEFAULT_MAX_CELL_CHARS,
        extra_columns: Sequence[str] = (),
        limit: int | None = None,
        native: NativeBuilder | None = None,
        images: ImageOptions | None = None,
    ) -> None:
        if limit is not None and limit < 1:
            raise UsageError(f"--limit must be 1 or more, not {limit}")
        if limit is not None and mapping.group is not None:
            raise UsageError(
                "--limit cannot be used with a [group] mapping (--group-by): the rows of one conversation may be "
                "anywhere in the input, so the first rows may hold only part of one"
            )
        self.limit = limit
        self.mapping = mapping
        read = read or ReadOptions()
        # The CSV reader skips a line too long for such cells unread (a 500 MB cell is never held whole).
        self.read = read if read.max_cell_chars is not None else replace(read, max_cell_chars=max_cell_chars)
        self.max_cell_chars = max_cell_chars
        self.extra_columns = [c for c in extra_columns if c]
        # A native reader (--input-format vertex, ...) builds each record from the whole row, every field kept.
        self.builder: RecordBuilder | NativeBuilder = (
            native if native is not None else RecordBuilder(mapping, images)
        )
        # The common rows of a template mapping are built by one compiled function (others by the builder).
        self._fast = compile_rows(mapping) if native is None else None
        self._text_cells = False  # the source being read gives text values only (CSV): cells sized at once
        self._bases: dict[
            str, Path | None
        ] = {}  # input path -> its folder (relative image paths), for images
        self.rows_read = 0
        self.meter = ByteMeter()  # bytes read of the input files, for the progress percentage
        self.blank_rows = 0
        self.warnings: list[str] = []
        self._columns: list[str] | None = None  # header of the source being read
        self.columns = ColumnGuard(
            [*mapping.referenced_columns(), *mapping.copy, *self.extra_columns], mapping.ignore_columns
        )
        if native is not None:
            self.columns = AllColumnsUsed()

    def check_extras(self, sources: Sequence[SourceLike]) -> None:
        """The optional packages these sources need are installed (exit 2 naming the extra, nothing read)."""
        require(features_needed(sources, self.read))

    def items(self, sources: Sequence[SourceLike]) -> Iterator[ConvertItem]:
        self._prepare(sources)
        rows = self._rows(sources)
        if self.mapping.group is None:
            for row in rows:
                yield self._one(row)
        else:
            yield from self._grouped(rows)

    def _prepare(self, sources: Sequence[SourceLike]) -> None:
        """Before any row: the extras and reading options the inputs need, and the byte meter's plan."""
        self.check_extras(sources)
        self._check_sheet(sources)
        self.meter.plan(sources)

    def _check_sheet(self, sources: Sequence[SourceLike]) -> None:
        """A reading option that applies to no input is a mistake (a wrong file), not something to ignore."""
        read = self.read
        paths = [os.fspath(s) for s in sources if isinstance(s, (str, os.PathLike))]
        formats = {detect_format(p, read) for p in paths}
        if read.sheet is not None and "xlsx" not in formats:
            raise UsageError("--sheet applies to spreadsheet inputs (.xlsx, .xlsm), and no input is one")
        if (not read.header or read.columns is not None) and not formats & {"csv", "tsv"}:
            raise UsageError("--no-header and --columns apply to CSV/TSV inputs, and no input is one")
        if read.json_key is not None and "json" not in formats:
            raise UsageError("--json-key applies to .json inputs holding one object, and no input is one")

    # -- reading -------------------------------------------------------------------------------------------------

    @contextlib.contextmanager
    def _open(self, source: SourceLike) -> Iterator[Source]:
        if isinstance(source, (str, os.PathLike)):
            with open_source(os.fspath(source), self.read, self.meter) as opened:
                yield opened
            self.meter.finished(os.fspath(source))
        elif hasattr(source, "column_names") and hasattr(source, "iter"):
            yield dataset_source(source)
        elif isinstance(source, Iterable) and not isinstance(source, (bytes, Mapping)):
            yield RecordsSource(source)
        else:
            raise UsageError(
                f"cannot read {type(source).__name__}: give a path, records or a datasets.Dataset"
            )

    def _rows(self, sources: Sequence[SourceLike]) -> Iterator[SourceRow]:
        for spec in sources:
            with self._open(spec) as source:
                stopped = yield from self._source_rows(spec, source)
            if stopped:
                return

    def _begin(self, spec: SourceLike, source: Source) -> tuple[str, set[str] | None]:
        """Check a source's columns before any of its rows; its label, and the set of columns seen so far
        when the source has no header (JSON)."""
        label = getattr(source, "path", str(spec))
        self._columns = source.columns  # group mode recovers a rejected row's key by header index
        self._text_cells = getattr(source, "text_cells", False) is True
        if source.columns is None:
            return label, set()
        self.columns.see(source.columns, label)  # before any row: nothing is written on failure
        check_columns(self.mapping, source.columns, label)
        for name in self.extra_columns:
            if name not in source.columns:
                raise MappingError(unknown_column_message(name, source.columns, label))
        return label, None

    def _source_rows(self, spec: SourceLike, source: Source) -> Generator[SourceRow, None, bool]:
        """The rows of one source, counted; returns whether --limit stopped the reading."""
        required = [*self.mapping.required_columns(), *self.extra_columns]
        label, seen = self._begin(spec, source)
        usable = 0  # rows that are objects: only they can show which columns exist
        stopped = False
        for row in source:
            if row.reason == BLANK:
                self.blank_rows += 1
                continue
            if self.limit is not None and self.rows_read >= self.limit:
                self.warnings.append(f"stopped after the first {self.limit:,} rows (--limit)")
                stopped = True
                break
            self.rows_read += 1
            if seen is not None and row.reason is None:
                usable += 1
                if not seen.issuperset(row.values):
                    self.columns.see([k for k in row.values if k not in seen], label)
                    seen.update(row.values)
                if usable == _EARLY_COLUMN_CHECK:  # a typo shows long before the end of a big file
                    _check_seen(required, seen, label, f"none of the first {usable:,} records has it")
            yield row
        if seen is not None and usable:
            # Schemaless sources (JSON): a column no record has is a typo, not a missing value.
            _check_seen(required, seen, label, "no record has it")
        self.warnings += getattr(source, "notes", [])  # what a reader did specially (xlsx formulas)
        return stopped

    # -- in batches ----------------------------------------------------------------------------------------------

    def batches(self, sources: Sequence[SourceLike]) -> Iterator[list[bytes | ConvertItem]]:
        """The items of `items`, in lists, except that a record the compiled mapping builds from a CSV row is
        given as its JSON line (bytes, what `orjson.dumps(record, option=OPT_APPEND_NEWLINE)` gives). Counters
        as in `items`. The CSV rows of a template mapping are read, sized and built a batch at a time."""
        if self._fast is None or self.limit is not None or self.mapping.group is not None:
            yield from in_lists(self.items(sources))
            return
        self._prepare(sources)
        for spec in sources:
            with self._open(spec) as source:
                columns = source.columns
                lines = compile_lines(self.mapping, columns) if _batched(source) and columns else None
                if lines is None or columns is None:
                    yield from in_lists(self._one(row) for row in self._source_rows(spec, source))
                    continue
                label, _ = self._begin(spec, source)
                for batch in cast(BatchedSource, source).batches():
                    yield self._batch(batch, lines, label, columns)
                self.warnings += getattr(source, "notes", [])

    def _batch(
        self, batch: RowBatch, lines: LineBuilder, path: str, header: list[str]
    ) -> list[bytes | ConvertItem]:
        rows = batch.rows
        usable = [row for row in rows if isinstance(row, list)]
        # Cells need sizing only when the batch's text could hold one too long, and then in one pass.
        limit = self.max_cell_chars
        sized = (
            batch.longest <= limit or max(map(len, itertools.chain.from_iterable(usable)), default=0) <= limit
        )
        built = list(map(lines, usable)) if sized else [None] * len(usable)
        if len(usable) == len(rows) and None not in built:
            self.rows_read += len(rows)
            return Lines(cast("list[bytes]", built))
        out: list[bytes | ConvertItem] = []
        blank = 0
        made = iter(built)
        for index, row in enumerate(rows):
            if isinstance(row, list):
                line = next(made)
                if line is not None:
                    out.append(line)
                else:  # the general path: an empty value, a cell too long, ...
                    source = SourceRow(batch.location(index, path), dict(zip(header, row)))  # noqa: B905
                    out.append(self._one(source))
            elif row.reason == BLANK:
                blank += 1
            else:
                out.append(self._one(row))
        self.blank_rows += blank
        self.rows_read += len(rows) - blank
        return out

    def _problem(self, row: SourceRow) -> tuple[str, str] | None:
        if row.reason is not None:
            return row.reason, row.message or row.reason
        limit = self.max_cell_chars
        if self._text_cells and max(map(len, row.values.values()), default=0) <= limit:
            return None  # text only, none too long: one C-level pass instead of a loop
        for column, value in row.values.items():
            if type(value) is str and len(value) > limit:
                return (
                    "cell-too-large",
                    f"column {column!r} holds {len(value):,} characters, over the {limit:,} allowed "
                    "(--max-cell-size); no training example can be that long",
                )
        return None

    def _reject(self, row: SourceRow, reason: str, message: str) -> Rejected:
        return Rejected(row.location, reason, message, row.values if row.raw is None else row.raw)

    def _one(self, row: SourceRow) -> ConvertItem:
        problem = self._problem(row)
        if problem is not None:
            return self._reject(row, *problem)
        if self._fast is not None:
            fast = self._fast(row.values)
            if fast is not None:
                return Converted(fast, (row.location,), row.values)
        try:
            record = self.builder.build(row.values, self._base(row.location.path))
        except RowProblem as exc:
            return self._reject(row, exc.reason, exc.message)
        return Converted(record, (row.location,), row.values)

    def _base(self, path: str) -> Path | None:
        """The folder of an input file, for relative image paths (None for records and datasets)."""
        if self.mapping.images is None:
            return None
        if path not in self._bases:
            self._bases[path] = Path(path).parent if Path(path).is_file() else None
        return self._bases[path]

    # -- group mode ----------------------------------------------------------------------------------------------

    def _grouped(self, rows: Iterator[SourceRow]) -> Iterator[ConvertItem]:
        group = self.mapping.group
        assert group is not None
        # Rows of one conversation may be anywhere in the sources, so they are held until the end.
        groups: dict[str, list[SourceRow]] = {}
        # Rows rejected while reading, by conversation: index among its members -> the reason.
        faulty: dict[str, dict[int, RowProblem]] = {}
        orphans = 0
        for row in rows:
            problem = self._problem(row)
            key = row.values.get(group.by) if problem is None else self._recover_key(row, group.by)
            if problem is not None and is_empty(key):
                orphans += 1  # its conversation cannot be told: the others are kept
                yield self._reject(row, *problem)
                continue
            if is_empty(key):
                yield self._reject(
                    row, "missing-value", f"column {group.by!r} (the conversation id) is empty"
                )
                continue
            name = key if isinstance(key, str) else orjson.dumps(key, option=orjson.OPT_SORT_KEYS).decode()
            members = groups.setdefault(name, [])
            if problem is not None:
                faulty.setdefault(name, {})[len(members)] = RowProblem(*problem)
            members.append(row)
        if orphans:
            self.warnings.append(
                f"{orphans} rejected rows have no readable {group.by!r} value: their conversations "
                "may be incomplete (see the rejects file)"
            )
        for name, members in groups.items():
            bad = faulty.get(name)
            if bad is not None:
                yield from self._reject_group(name, members, sorted(bad.items()))
            else:
                yield from self._one_group(name, members)

    def _recover_key(self, row: SourceRow, column: str) -> Any:
        """The group value of a row rejected while reading: from its values, or from its raw fields by the
        header's index (a ragged or undecodable CSV row). None when it cannot be told."""
        if column in row.values:
            return row.values[column]
        columns = self._columns
        if columns is not None and isinstance(row.raw, list) and column in columns:
            index = columns.index(column)
            if index < len(row.raw):
                return row.raw[index]
        return None

    def _one_group(self, name: str, members: list[SourceRow]) -> Iterator[ConvertItem]:
        group = self.mapping.group
        assert group is not None
        problems: list[tuple[int, RowProblem]] = []
        ordered = members
        if group.order_by is not None:
            ordered, problems = _order(members, group.order_by)
        if not problems:
            assert isinstance(self.builder, RecordBuilder)  # native readers have no group mode
            record, problems = self.builder.build_group([m.values for m in ordered])
            if not problems:
                yield Converted(record, tuple(m.location for m in ordered), ordered[0].values)
                return
        yield from self._reject_group(name, ordered, problems)

    def _reject_group(
        self, name: str, members: list[SourceRow], problems: list[tuple[int, RowProblem]]
    ) -> Iterator[Rejected]:
        """Every row of a conversation: the faulty ones with their own reason, the others `group-rejected`."""
        at_fault = dict(problems)
        first_index, first = problems[0]
        for index, member in enumerate(members):
            if index in at_fault:
                yield self._reject(member, at_fault[index].reason, at_fault[index].message)
            else:
                message = f"conversation {name!r} is rejected as a whole: {members[first_index].location}: {first.message}"
                yield self._reject(member, "group-rejected", message)


class Lines(list[bytes | ConvertItem]):
    """A batch that is JSON lines only (every row of it became a record): written in one piece."""


class BatchedSource(Protocol):
    def batches(self) -> Iterator[RowBatch]: ...


def _batched(source: Source) -> bool:
    """Whether the source reads its rows in batches (CSV/TSV)."""
    return getattr(source, "text_cells", False) is True and source.columns is not None


def in_lists(items: Iterable[ConvertItem]) -> Iterator[list[bytes | ConvertItem]]:
    """Items in lists of up to BATCH_ROWS."""
    items = iter(items)
    while True:
        chunk: list[bytes | ConvertItem] = list(itertools.islice(items, BATCH_ROWS))
        if not chunk:
            return
        yield chunk


def _check_seen(required: Sequence[str], seen: set[str], label: str, why: str) -> None:
    for name in required:
        if name not in seen:
            raise MappingError(f"{unknown_column_message(name, sorted(seen), label)} ({why})")


def _order(members: list[SourceRow], column: str) -> tuple[list[SourceRow], list[tuple[int, RowProblem]]]:
    """Sort one conversation's rows by `column`: numerically when every value is a number, else as text."""
    values = [m.values.get(column) for m in members]
    problems = [
        (i, RowProblem("missing-value", f"column {column!r} (the message order) is empty"))
        for i, v in enumerate(values)
        if is_empty(v)
    ]
    if problems:
        return members, problems
    numbers = [_number(v) for v in values]
    if all(n is not None for n in numbers):
        keys: list[Any] = numbers
    else:
        keys = [str(v) for v in values]
    order = sorted(range(len(members)), key=lambda i: keys[i])
    return [members[i] for i in order], []


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return float(str(value))
    except ValueError:
        return None


def convert(
    source: SourceLike,
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
    read: ReadOptions | None = None,
    max_cell_chars: int = DEFAULT_MAX_CELL_CHARS,
    ignore_columns: Sequence[str] = (),
    limit: int | None = None,
    to: str | None = None,
    embed_images: bool = False,
    image_dir: str | os.PathLike[str] | None = None,
    target: str | None = None,
) -> Iterator[ConvertItem]:
    """Convert one source (a path, an `hf:` id, a list of dicts or a `datasets.Dataset`) lazily.

    Yields `Converted` (`.record`, `.sources`) and `Rejected` (`.source`, `.reason`, `.message`, `.raw`) items;
    both have `.ok`. The mapping is checked now; the source is read as the iterator is consumed. Without a
    mapping, records in a native format (Vertex, Bedrock Nova, TRL, LLaMA-Factory; `read=ReadOptions(format=
    "vertex")` to say which) are read as chat records. `to="vertex"` (any `--to` target) writes each record in
    that target's shape; a record it cannot hold is Rejected with the JSON path and why. A mapping's `images`
    become image parts: local files as data URLs only with `embed_images` (found under `image_dir`, default
    each input's folder), within `target`'s image limits when its profile states them.
    """
    if isinstance(source, Path):
        source = str(source)
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
    mapped = mapping_given(options)
    native = None
    sources: list[SourceLike] = [source]
    if isinstance(source, str):
        sources, read, native = resolve_sources([source], read, mapped)  # a dataset folder: several files
    else:
        read, native = resolve_records(source, read, mapped)
    writer = TargetWriter(to) if to is not None else None
    if native is not None:
        converter = Converter(
            ChatMapping(()), read, max_cell_chars=max_cell_chars, limit=limit, native=native
        )
        converter.check_extras(sources)
        items = converter.items(sources)
        return writer.items(items) if writer is not None else items
    chosen = run_mapping(options, to)
    images = image_options(target, embed_images, image_dir)
    converter = Converter(chosen, read, max_cell_chars=max_cell_chars, limit=limit, images=images)
    converter.check_extras([source])  # now, not when the first item is asked for
    items = converter.items([source])
    return writer.items(items) if writer is not None else items
