"""Native formats in convert: reading records of a provider's or trainer's own shape (`--input-format vertex`,
detected from the first record, or a LLaMA-Factory `dataset_info.json#name` entry) and writing chat records
in a target's shape (`--to TARGET`).

What a side cannot say is a rejected row with the JSON path and the reason (`native-format`: the input breaks
its own format; `cannot-express`: the input is fine, the other side has no place for part of it). What is
dropped on purpose because it says nothing (a weight of 1, regenerated tool-call ids) is counted in the summary.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import orjson

from dataprep.conversion.build import RowProblem
from dataprep.conversion.items import Converted, ConvertItem, Rejected
from dataprep.conversion.sources import detect_format, open_source
from dataprep.errors import InputError, UsageError
from dataprep.formats import FORMATS, INVALID, NativeFormat, Refusal, detect_native, format_for_target
from dataprep.formats.llama_factory import Entry, parse_entry
from dataprep.formats.llama_factory import to_chat as llama_factory_to_chat
from dataprep.io.tabular import BLANK, ReadOptions

NATIVE_FORMAT = "native-format"
CANNOT_EXPRESS = "cannot-express"
# --to names: every target profile whose records dataprep can write.
TO_TARGETS = ("openai", "azure", "together", "fireworks", "vertex", "bedrock-nova", "trl", "llama-factory")
INPUT_FORMATS = ("chat", "vertex", "bedrock-nova", "trl", "llama-factory")


def _reason(refusal: Refusal) -> str:
    return NATIVE_FORMAT if refusal.kind == INVALID else CANNOT_EXPRESS


class NativeBuilder:
    """Builds chat records from native records (RecordBuilder's interface: `build(values)` or RowProblem)."""

    def __init__(self, fmt: NativeFormat, entry: Entry | None = None) -> None:
        self.format = fmt
        self.entry = entry
        self.notes: Counter[str] = Counter()

    def build(self, values: dict[str, Any], base: Path | None = None) -> dict[str, Any]:
        """One native record -> chat; `base` (the input folder, for a mapping's images) is not used here."""
        try:
            if self.entry is not None:
                native = llama_factory_to_chat(values, self.entry)
            else:
                native = self.format.to_chat(values)
        except Refusal as refusal:
            raise RowProblem(_reason(refusal), f"{self.format.name}: {refusal.describe()}") from None
        self.notes.update(set(native.notes))
        return native.record


class TargetWriter:
    """Turns Converted chat records into a target's records; a record it cannot write becomes Rejected."""

    def __init__(self, target: str) -> None:
        fmt = format_for_target(target)
        if fmt is None or target not in TO_TARGETS:
            raise UsageError(f"--to must be one of {', '.join(TO_TARGETS)}, not {target!r}")
        self.target = target
        self.format = fmt
        self.notes: Counter[str] = Counter()
        self.first: dict[str, str] = {}  # note -> the first source row it applies to

    def items(self, items: Iterable[ConvertItem]) -> Iterator[ConvertItem]:
        for item in items:
            if not isinstance(item, Converted):
                yield item
                continue
            try:
                written = self.format.from_chat(item.record)
            except Refusal as refusal:
                message = f"{self.target} cannot take this record: {refusal.describe()}"
                for location in item.sources:
                    yield Rejected(location, _reason(refusal), message, item.row)
                continue
            for note in set(written.notes):
                self.notes[note] += 1
                self.first.setdefault(note, str(item.sources[0]))
            yield Converted(written.record, item.sources, item.row)


def note_lines(notes: Counter[str], first: dict[str, str] | None = None) -> list[str]:
    """One summary line per note: how many records, and the first of them when known."""
    lines = []
    for note, count in sorted(notes.items()):
        where = f" (first: {first[note]})" if first and note in first else ""
        lines.append(f"{count:,} record{'s' if count != 1 else ''}: {note}{where}")
    return lines


def resolve_sources(
    sources: Sequence[str], read: ReadOptions | None, mapped: bool
) -> tuple[list[str], ReadOptions, NativeBuilder | None]:
    """The files to read, how, and the native reader (None: a mapping makes the records).

    `data/dataset_info.json#name` reads the entry's file as LLaMA-Factory does; `--input-format vertex` (any
    native format) names the reader; without a mapping, the first record of the first input decides.
    """
    read = read or ReadOptions()
    entries = [_entry_source(s) for s in sources]
    if any(e is not None for e in entries):
        if mapped:
            raise UsageError("a dataset_info.json#name input is read by its entry: give no mapping or preset")
        if len(entries) != 1:
            raise UsageError("give one dataset_info.json#name input per run")
        file_name, entry = entries[0]  # type: ignore[misc]
        return _dataset_files(file_name), read, NativeBuilder(FORMATS["llama-factory"], entry)
    if read.format in INPUT_FORMATS:
        if mapped:
            raise UsageError(
                f"--input-format {read.format} reads the records as they are: give no mapping or preset"
            )
        return list(sources), dataclasses.replace(read, format=None), NativeBuilder(FORMATS[read.format])
    if mapped:
        return list(sources), read, None
    fmt = _sniff(sources, read)
    if fmt is None:
        return list(sources), read, None  # resolve_mapping says what is missing
    return list(sources), read, NativeBuilder(fmt)


def resolve_records(
    records: object, read: ReadOptions | None, mapped: bool
) -> tuple[ReadOptions | None, NativeBuilder | None]:
    """The native reader for records in memory (a list of dicts): named by `read.format`, or, without a
    mapping, recognised from the first record."""
    if read is not None and read.format in INPUT_FORMATS:
        if mapped:
            raise UsageError(
                f"format {read.format!r} reads the records as they are: give no mapping or preset"
            )
        return dataclasses.replace(read, format=None), NativeBuilder(FORMATS[read.format])
    if mapped or not isinstance(records, list) or not records or not isinstance(records[0], dict):
        return read, None
    found = detect_native(records[0])
    if found is None and FORMATS["chat"].detect(records[0]):
        found = FORMATS["chat"]
    return read, NativeBuilder(found) if found is not None else None


def _dataset_files(file_name: str) -> list[str]:
    """An entry's `file_name` may be a folder: LLaMA-Factory then loads every data file in it, in name order."""
    path = Path(file_name)
    if not path.is_dir():
        return [file_name]
    files = sorted(str(p) for p in path.iterdir() if p.is_file() and not p.name.startswith("."))
    if not files:
        raise InputError(f"{file_name}: the dataset folder holds no files")
    return files


def _entry_source(spec: str) -> tuple[str, Entry] | None:
    if "#" not in spec:
        return None
    path, _, name = spec.rpartition("#")
    if not path.lower().endswith(".json") or not name:
        return None
    info_path = Path(path)
    try:
        info = orjson.loads(info_path.read_bytes())
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except orjson.JSONDecodeError as exc:
        raise InputError(f"{path}: not valid JSON: {exc}") from None
    if not isinstance(info, dict):
        raise InputError(f"{path}: a dataset_info.json holds one object of dataset entries")
    if name not in info:
        known = ", ".join(sorted(info)[:20]) or "none"
        raise InputError(f"{path}: no dataset entry {name!r} (entries: {known})")
    try:
        entry = parse_entry(info[name], name)
    except Refusal as refusal:
        raise InputError(f"{path}: {refusal.describe()}") from None
    assert entry.file_name is not None
    return str(info_path.parent / entry.file_name), entry


def _sniff(sources: Sequence[str], read: ReadOptions) -> NativeFormat | None:
    """The native format of the first record of the first JSON or JSON Lines input, if it has one."""
    if not sources or not isinstance(sources[0], (str, os.PathLike)):
        return None
    spec = os.fspath(sources[0])
    try:
        if detect_format(spec, read) not in ("json", "jsonl") or not Path(spec).is_file():
            return None
    except InputError:
        return None
    with contextlib.suppress(InputError), open_source(spec, read) as source:
        for row in source:
            if row.reason == BLANK:
                continue
            if row.reason is not None:
                return None
            found = detect_native(row.values)
            if found is not None:
                return found
            return FORMATS["chat"] if FORMATS["chat"].detect(row.values) else None
    return None
