"""Open any supported source and read it as SourceRows: files by extension, spreadsheets, Parquet, Hugging Face
datasets and in-memory records. pyarrow, openpyxl and datasets are imported only when such a source is read."""

from __future__ import annotations

import codecs
import contextlib
import gzip
import io
import json
import os
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import IO, Any, Protocol

import orjson

from dataprep.errors import InputError
from dataprep.io.arrow_records import ArrowLayout, dataset_layout, decode, guess_record, open_parquet
from dataprep.io.byte_meter import ByteMeter
from dataprep.io.jsonl import open_input
from dataprep.io.read_guard import guarded_source
from dataprep.io.tabular import (
    CsvSource,
    JsonArraySource,
    JsonLinesSource,
    ReadOptions,
    SourceLocation,
    SourceRow,
    line_safe,
    normalise_encoding,
)
from dataprep.io.xlsx import XlsxSource

FORMATS = ("csv", "tsv", "xlsx", "json", "jsonl", "parquet", "hf")
_EXTENSIONS = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
}
HF_PREFIX = "hf:"
_BATCH = 1024


class Source(Protocol):
    """What the pipeline needs from a source: its columns when the format has a header, and its rows."""

    columns: list[str] | None

    def __iter__(self) -> Iterator[SourceRow]: ...


def detect_format(spec: str, options: ReadOptions) -> str:
    """The reader to use for a path or `hf:` id."""
    if options.format is not None:
        if options.format not in FORMATS:
            raise InputError(f"unknown input format {options.format!r} (known: {', '.join(FORMATS)})")
        return options.format
    if spec.startswith(HF_PREFIX) or Path(spec).is_dir():
        return "hf"
    name = spec.lower().removesuffix(".gz")
    suffix = Path(name).suffix
    if suffix == ".xls":
        raise InputError(f"{spec}: old .xls workbooks are not supported: save it as .xlsx or CSV")
    if suffix not in _EXTENSIONS:
        raise InputError(
            f"{spec}: cannot tell the format from the extension {suffix or '(none)'!r}: use --input-format "
            f"({', '.join(FORMATS)})"
        )
    return _EXTENSIONS[suffix]


def features_needed(specs: Iterable[object], options: ReadOptions) -> list[str]:
    """The optional features (dataprep.io.extras) reading `specs` needs: known from names alone, nothing read."""
    needed = []
    for spec in specs:
        if isinstance(spec, (str, os.PathLike)):
            try:
                fmt = detect_format(os.fspath(spec), options)
            except InputError:
                continue  # reported when the input is opened
            if fmt in ("xlsx", "parquet", "hf"):
                needed.append(fmt)
    return needed


def _open_binary(path: str) -> IO[bytes]:
    """The validator's opener (one clear message for a missing, unreadable or directory path); .gz unpacked."""
    handle = open_input(path)  # closed by the caller's ExitStack
    if path.lower().endswith(".gz"):
        handle.close()  # checked and readable: reopen through gzip, which then owns the file
        return gzip.open(path, "rb")  # type: ignore[return-value]
    return handle


@contextlib.contextmanager
def open_source(spec: str, options: ReadOptions, meter: ByteMeter | None = None) -> Iterator[Source]:
    """Open `spec` (a path or `hf:name`) and yield a Source; the file is closed when the block ends.
    `meter` is told which file the text readers read from (the progress percentage)."""
    fmt = detect_format(spec, options)
    with contextlib.ExitStack() as stack:
        with guarded_source(spec) as guard:  # a reader failing while opening: InputError naming the file
            if fmt in ("csv", "tsv", "json", "jsonl"):
                handle = stack.enter_context(_open_binary(spec))
                if meter is not None:
                    meter.watch(handle, spec)
                source: Source = _text_source(fmt, handle, spec, options)
            elif fmt == "xlsx":
                source = stack.enter_context(_xlsx_source(spec, options.sheet))
            elif fmt == "parquet":
                source = _parquet_source(spec)
            else:
                source = _hf_source(spec, options.hf_split)
        yield guard.wrap(source)  # ... and while reading rows


def _text_source(fmt: str, handle: IO[bytes], path: str, options: ReadOptions) -> Source:
    encoding = normalise_encoding(options.encoding)
    if encoding in ("utf-8", "utf-8-sig") and _peek(handle)[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        raise InputError(
            f"{path}: the file looks UTF-16 (it starts with a UTF-16 byte order mark), not UTF-8: "
            "use --encoding utf-16"
        )
    if not line_safe(encoding):
        # UTF-16/32: newline bytes cannot be split before decoding; decode the stream as a whole (strictly).
        text = io.TextIOWrapper(handle, encoding=encoding, errors="strict", newline="")
        handle = _reencode_utf8(text, path)
        encoding = "utf-8"
    if fmt in ("csv", "tsv"):
        delimiter = options.delimiter or ("\t" if fmt == "tsv" else ",")
        return CsvSource(
            handle,
            path,
            delimiter,
            options.quotechar,
            encoding,
            header=options.header,
            columns=options.columns,
            max_cell_chars=options.max_cell_chars,
        )
    if fmt == "json":
        first = _peek_non_space(handle)
        if options.json_key is not None:
            return _keyed_list(handle, path, encoding, options.json_key)
        if first == b"{":  # many .json files are really JSON Lines; a pretty-printed object is not
            handle = _check_json_lines(handle, path, encoding)
            return JsonLinesSource(handle, path, encoding)
        wrapper = io.TextIOWrapper(
            handle, encoding="utf-8-sig" if encoding == "utf-8" else encoding, newline=""
        )
        return JsonArraySource(wrapper, path)
    return JsonLinesSource(handle, path, encoding)


def _peek(handle: IO[bytes]) -> bytes:
    peek = getattr(handle, "peek", None)  # BufferedReader and GzipFile can look ahead without consuming
    head: bytes = peek(4096) if peek is not None else b""
    return head


def _peek_non_space(handle: IO[bytes]) -> bytes:
    return _peek(handle).lstrip(b"\xef\xbb\xbf \t\r\n")[:1]


def _check_json_lines(handle: IO[bytes], path: str, encoding: str) -> IO[bytes]:
    """A `.json` file starting with '{' is JSON Lines when its first non-blank line is a whole JSON value, or
    when the file is several values in a row (a JSON Lines file with a bad first line). Otherwise it is one JSON
    document (a pretty-printed object), which holds no record list: InputError naming the keys that hold lists.
    Returns a stream that starts at the beginning of the file again."""
    head = b""
    while True:
        line = handle.readline()
        head += line
        if not line or line.strip():
            break
    text = line.decode(encoding, errors="replace").lstrip("\ufeff")
    try:
        orjson.loads(text)
    except orjson.JSONDecodeError:
        pass
    else:
        return io.BufferedReader(_Prefixed(head, handle))
    rest = handle.read()
    document = (head + rest).decode(encoding, errors="replace").lstrip("\ufeff")
    try:
        value = json.loads(document)
    except json.JSONDecodeError as exc:
        if exc.msg == "Extra data":  # a whole value, then more: a sequence of values whose first line is bad
            return io.BufferedReader(_Prefixed(head + rest, handle))
        raise InputError(
            f"{path}: not JSON Lines (the first line is not a complete JSON value) and not one JSON document "
            f"either (line {exc.lineno}, column {exc.colno}: {exc.msg}); if it is JSON Lines with a bad first "
            "line, use --input-format jsonl"
        ) from None
    lists = _list_keys(value)
    where = (
        "; the records are under "
        + " or ".join(repr(k) for k in lists)
        + ": add "
        + " (or ".join(f"--json-key {_shell_word(k)}" for k in lists)
        + ")" * (len(lists) - 1)
        + " to read them"
        if lists
        else ""
    )
    raise InputError(
        f"{path}: holds one JSON object, not an array of records or JSON Lines (one object per line){where}"
    )


def _list_keys(value: Any) -> list[str]:
    return [key for key, item in value.items() if isinstance(item, list)] if isinstance(value, dict) else []


def _shell_word(text: str) -> str:
    """`text` as one shell word, quoted only when it needs to be (so the advice can be pasted as printed)."""
    import shlex

    return shlex.quote(text)


def _keyed_list(handle: IO[bytes], path: str, encoding: str, key: str) -> Source:
    """--json-key: a JSON document holding one object; its list under `key` is the records."""
    try:
        value = json.loads(handle.read().decode(encoding, errors="strict").lstrip("\ufeff"))
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not valid {encoding} text: {exc.reason} (use --encoding)") from None
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{path}: not one JSON document (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None
    if not isinstance(value, dict):
        raise InputError(
            f"{path}: --json-key {key} needs a JSON file holding one object; this one holds a "
            f"{type(value).__name__}"
        )
    if not isinstance(value.get(key), list):
        found = _list_keys(value)
        hint = f"; lists are under {', '.join(map(repr, found))}" if found else "; no key holds a list"
        raise InputError(f"{path}: the object has no list under {key!r}{hint}")
    return RecordsSource(value[key], f"{path} [{key}]")


class _Prefixed(io.RawIOBase):
    """Bytes already read from a stream, then the rest of the stream."""

    def __init__(self, head: bytes, rest: IO[bytes]) -> None:
        self._head = head
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._head:
            size = min(len(buffer), len(self._head))
            buffer[:size] = self._head[:size]
            self._head = self._head[size:]
            return size
        data = self._rest.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


class _Utf8Stream(io.RawIOBase):
    """Bytes of a decoded text stream re-encoded as UTF-8, so the line-based readers can split them."""

    def __init__(self, text: IO[str], path: str) -> None:
        self._text = text
        self._path = path
        self._pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._pending:
            try:
                chunk = self._text.read(1 << 16)
            except UnicodeDecodeError as exc:
                raise InputError(f"{self._path}: not valid {exc.encoding} text: {exc.reason}") from None
            if not chunk:
                return 0
            self._pending = chunk.encode("utf-8", errors="surrogatepass")
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size


def _reencode_utf8(text: IO[str], path: str) -> IO[bytes]:
    return io.BufferedReader(_Utf8Stream(text, path))


# -- spreadsheets -------------------------------------------------------------------------------------------


@contextlib.contextmanager
def _xlsx_source(path: str, sheet: str | int | None) -> Iterator[Source]:
    source = XlsxSource(path, sheet)  # formula and merged cells: see dataprep.io.xlsx
    try:
        yield source
    finally:
        source.close()


# -- columnar: Parquet and Hugging Face datasets ------------------------------------------------------------


class _BatchSource:
    """Rows from batches of rows (Parquet record batches, `datasets` tables), read back as the records they were
    when dataprep wrote them (`layout`), or with Arrow's added nulls dropped from messages otherwise."""

    def __init__(
        self,
        label: str,
        columns: list[str],
        batches: Iterable[list[dict[str, Any]]],
        layout: ArrowLayout | None = None,
    ) -> None:
        self.path = label
        self.columns: list[str] | None = columns
        self._batches = batches
        self._layout = layout

    def __iter__(self) -> Iterator[SourceRow]:
        row_number = 0
        layout = self._layout
        for batch in self._batches:
            if layout is not None:  # row numbers in the layout count from the start of the table
                offset = row_number
                shifted = ArrowLayout(layout.json_columns, {r - offset: p for r, p in layout.nulls.items()})
                records: Iterable[dict[str, Any]] = decode(batch, shifted)
            else:
                records = (guess_record(row) for row in batch)
            for record in records:
                row_number += 1
                yield SourceRow(SourceLocation(self.path, row_number), record)


def _parquet_source(path: str) -> Source:
    if not os.path.exists(path):
        raise InputError(f"{path}: no such file")
    parquet, layout = open_parquet(path)  # pyarrow is imported there, only for Parquet

    def batches() -> Iterator[list[dict[str, Any]]]:
        for batch in parquet.iter_batches(batch_size=_BATCH):
            yield batch.to_pylist()

    return _BatchSource(path, list(parquet.schema_arrow.names), batches(), layout)


def _hf_source(spec: str, split: str | None) -> Source:
    import datasets  # checked by dataprep.io.extras before anything is read

    try:
        if spec.startswith(HF_PREFIX):
            name = spec[len(HF_PREFIX) :]
            loaded = datasets.load_dataset(name, split=split or "train")
        else:
            loaded = datasets.load_from_disk(spec)
    except FileNotFoundError as exc:
        raise InputError(f"{spec}: not a dataset saved with save_to_disk ({exc})") from None
    except (ValueError, OSError, datasets.exceptions.DatasetNotFoundError) as exc:
        raise InputError(f"{spec}: cannot load the dataset: {exc}") from None
    label = spec
    if isinstance(loaded, datasets.DatasetDict):
        splits = list(loaded)
        chosen = split or (splits[0] if len(splits) == 1 else None)
        if chosen not in loaded:
            raise InputError(f"{spec}: choose a split with --hf-split ({', '.join(splits)})")
        loaded = loaded[chosen]
        label = f"{spec}[{chosen}]"
    return dataset_source(loaded, label)


def dataset_source(dataset: Any, label: str = "<dataset>") -> Source:
    """A `datasets.Dataset` (or anything with `column_names` and `iter(batch_size=...)`) as a Source."""
    batches = (_rows_of(batch) for batch in dataset.iter(batch_size=_BATCH))
    return _BatchSource(label, list(dataset.column_names), batches, dataset_layout(dataset))


def _rows_of(batch: Mapping[str, list[Any]]) -> list[dict[str, Any]]:
    names = list(batch)
    return [dict(zip(names, values, strict=True)) for values in zip(*(batch[n] for n in names), strict=True)]


class RecordsSource:
    """In-memory records (any iterable of mappings); `label` names them in locations."""

    columns: list[str] | None = None

    def __init__(self, records: Iterable[Any], label: str = "<records>") -> None:
        self.path = label
        self._records = records

    def __iter__(self) -> Iterator[SourceRow]:
        for row_number, record in enumerate(self._records, start=1):
            location = SourceLocation(self.path, row_number)
            if isinstance(record, Mapping):
                yield SourceRow(location, dict(record))
            else:
                message = f"record {row_number}: expected a mapping, found {type(record).__name__}"
                yield SourceRow(location, {}, raw=record, reason="not-an-object", message=message)
