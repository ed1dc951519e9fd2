"""Records <-> Arrow tables that give the same records back (Parquet and `datasets` outputs, and reading them).

Arrow gives every struct in a column one type: the union of all keys. Written as they are, chat records come back
changed: every tool gains every other tool's parameters as nulls, every message gains null `tool_calls` and
`tool_call_id`. So:

- `tools` is stored as JSON text (TRL's advice for tool-calling datasets), as is any other column whose values
  have no common Arrow type or do not come back unchanged (ints mixed with floats, a string here, a list there);
- every other column keeps its Arrow types (messages stay a list of structs, as trainers expect), and on reading
  the nulls Arrow added are dropped again. Nulls that were in the data are listed in the metadata by path, so
  they come back too.
- `encode` checks the round trip of every column before anything is written: a file dataprep writes always
  reads back as exactly the records it was given.

The metadata (`{"version", "json_columns", "nulls"}`) travels in the Parquet schema under the key `dataprep`,
and beside a `datasets` directory as `dataprep.json` (`datasets` keeps no schema metadata of its own).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

METADATA_KEY = b"dataprep"
SIDECAR = "dataprep.json"
_VERSION = 1
ALWAYS_JSON = ("tools",)  # a list of differently shaped JSON Schemas: always text

Path_ = list[str | int]  # a path inside one record: ["messages", 2, "content"]
_ABSENT: Any = object()


@dataclass(slots=True)
class ArrowLayout:
    """How records were laid out in a table: which columns are JSON text, and where the data had nulls."""

    json_columns: list[str] = field(default_factory=list)
    nulls: dict[int, list[Path_]] = field(default_factory=dict)  # row -> paths of nulls that were in the data
    rows: int | None = None  # how many rows were written: a table of another length was changed since

    def to_json(self) -> bytes:
        data = {
            "version": _VERSION,
            "rows": self.rows,
            "json_columns": self.json_columns,
            "nulls": [[row, path] for row, paths in sorted(self.nulls.items()) for path in paths],
        }
        return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    @classmethod
    def from_json(cls, raw: bytes | str) -> ArrowLayout:
        data = json.loads(raw)
        nulls: dict[int, list[Path_]] = {}
        for row, path in data.get("nulls", []):
            nulls.setdefault(int(row), []).append(list(path))
        return cls(list(data.get("json_columns", [])), nulls, data.get("rows"))


def _null_paths(value: Any, path: Path_, out: list[Path_]) -> None:
    """Every key whose value is null, anywhere inside `value` (lists walked too)."""
    if isinstance(value, dict):
        for key, item in value.items():
            if item is None:
                out.append([*path, key])
            else:
                _null_paths(item, [*path, key], out)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _null_paths(item, [*path, index], out)


def _strip(value: Any) -> Any:
    """Drop null-valued keys of every object inside `value` (what Arrow adds when it unifies structs)."""
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


def _put_null(record: dict[str, Any], path: Path_) -> None:
    target: Any = record
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = None


def _canonical(value: Any) -> bytes:
    """Exact comparison: 1 and 1.0, True and 1 differ here (they are equal in Python)."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, allow_nan=True).encode("utf-8")


def _columns(records: Sequence[Mapping[str, Any]]) -> list[str]:
    names: dict[str, None] = {}
    for record in records:
        names.update(dict.fromkeys(record))
    return list(names)


def encode(records: Sequence[Mapping[str, Any]]) -> tuple[Any, ArrowLayout, list[str]]:
    """A `pyarrow.Table` holding `records`, its layout, and notes (columns stored as JSON text and why).

    Raises TypeError/ValueError only for values JSON itself cannot hold (the JSONL output would fail too)."""
    import pyarrow as pa  # heavy: only for Parquet and datasets outputs

    layout = ArrowLayout(rows=len(records))
    for row, record in enumerate(records):
        paths: list[Path_] = []
        for key, value in record.items():
            if key in ALWAYS_JSON:
                continue  # stored as text: its nulls are in the text
            if value is None:
                paths.append([key])
            else:
                _null_paths(value, [key], paths)
        if paths:
            layout.nulls[row] = paths
    arrays: list[Any] = []
    names = _columns(records)
    notes: list[str] = []
    for name in names:
        values = [record.get(name) for record in records]
        array = None if name in ALWAYS_JSON else _native(pa, name, values, records, layout)
        if array is None:
            layout.json_columns.append(name)
            if name not in ALWAYS_JSON:
                notes.append(
                    f"column {name!r} is stored as JSON text: its values have no common Arrow type "
                    "(dataprep reads it back as it was; other readers get strings)"
                )
            array = pa.array(
                [json.dumps(r[name], ensure_ascii=False) if name in r else None for r in records],
                type=pa.string(),
            )
        arrays.append(array)
    table = pa.Table.from_arrays(arrays, names=names) if names else pa.table({})
    table = table.replace_schema_metadata({METADATA_KEY: layout.to_json()})
    return table, layout, notes


def _native(
    pa: Any, name: str, values: list[Any], records: Sequence[Mapping[str, Any]], layout: ArrowLayout
) -> Any:
    """The column as Arrow values, or None when it would not come back unchanged."""
    try:
        array = pa.array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, OverflowError):
        return None
    for row, (record, back) in enumerate(zip(records, array.to_pylist(), strict=True)):
        expected = record.get(name, _ABSENT)
        got = _decode_value(back, row, name, layout)
        if (expected is _ABSENT) != (got is _ABSENT):
            return None
        if expected is not _ABSENT and _canonical(expected) != _canonical(got):
            return None
    return array


def _decode_value(value: Any, row: int, name: str, layout: ArrowLayout) -> Any:
    """One column's value of one row, as it was: _ABSENT when the record did not have the key."""
    if name in layout.json_columns:
        return _ABSENT if value is None else json.loads(value)
    paths = [p for p in layout.nulls.get(row, ()) if p[0] == name]
    if value is None:
        return None if [name] in paths else _ABSENT
    holder = {name: _strip(value)}
    for path in paths:
        _put_null(holder, path)
    return holder[name]


def decode(rows: Iterable[Mapping[str, Any]], layout: ArrowLayout | None) -> Iterator[dict[str, Any]]:
    """Records from table rows. With the layout dataprep wrote, exactly the records; without one (a table some
    other tool wrote), null-valued keys are dropped from messages and a `tools` string holding a JSON list is
    parsed, which is what Arrow's unification and TRL's advice did to them."""
    for row, values in enumerate(rows):
        if layout is None:
            yield guess_record(values)
            continue
        record: dict[str, Any] = {}
        for name, value in values.items():
            decoded = _decode_value(value, row, name, layout)
            if decoded is not _ABSENT:
                record[name] = decoded
        yield record


_MESSAGE_LISTS = ("messages", "preferred_output", "non_preferred_output")


def guess_record(values: Mapping[str, Any]) -> dict[str, Any]:
    """A row of a table dataprep did not write: undo what Arrow and TRL's advice most likely did."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        if key in _MESSAGE_LISTS and isinstance(value, list):
            value = [_strip(m) for m in value]
        elif key == "input" and isinstance(value, dict):
            value = guess_record({k: v for k, v in value.items() if v is not None})
        elif key in ALWAYS_JSON and isinstance(value, str):
            try:
                parsed = json.loads(value)
            except ValueError:
                parsed = None
            if isinstance(parsed, list):
                value = parsed
        out[key] = value
    return out


def parquet_layout(schema_metadata: Mapping[bytes, bytes] | None) -> ArrowLayout | None:
    raw = (schema_metadata or {}).get(METADATA_KEY)
    return ArrowLayout.from_json(raw) if raw is not None else None


def dataset_layout(dataset: Any) -> ArrowLayout | None:
    """The layout dataprep saved beside a `datasets` directory (found through the dataset's cache files), or None
    when there is none or the dataset no longer has the rows it was saved with (selected, shuffled, filtered)."""
    files = getattr(dataset, "cache_files", None)
    if not files or getattr(dataset, "_indices", None) is not None:
        return None
    sidecar = Path(files[0]["filename"]).parent / SIDECAR
    try:
        layout = ArrowLayout.from_json(sidecar.read_bytes())
    except (OSError, ValueError):
        return None
    return layout if layout.rows == len(dataset) else None


def read_parquet(path: str | Path) -> list[dict[str, Any]]:
    """The records of a Parquet file (exact when dataprep wrote it)."""
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    layout = parquet_layout(table.schema.metadata)
    if layout is not None and layout.rows != table.num_rows:
        layout = None
    return list(decode(table.to_pylist(), layout))


def build_dataset(records: Sequence[Mapping[str, Any]]) -> tuple[Any, ArrowLayout, list[str]]:
    """A `datasets.Dataset` holding `records` laid out as `encode` lays them out (what `save_to_disk` writes and
    `dataprep.to_dataset` returns). Save `layout.to_json()` as `dataprep.json` beside it to read it back exactly."""
    import datasets  # heavy: only for datasets outputs

    table, layout, notes = encode(records)
    return datasets.Dataset(datasets.table.InMemoryTable(table)), layout, notes


def open_parquet(source: Any, label: str = "") -> tuple[Any, ArrowLayout | None]:
    """A Parquet file (a path or an open file) and the layout dataprep recorded when it wrote it (None for any
    other table); unreadable: InputError naming `label` (default: the path)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from dataprep.errors import InputError

    try:
        parquet = pq.ParquetFile(source)
    except (pa.ArrowException, OSError) as exc:
        raise InputError(f"{label or source}: not a readable Parquet file ({exc})") from None
    layout = parquet_layout(parquet.schema_arrow.metadata)
    if layout is not None and layout.rows != parquet.metadata.num_rows:
        layout = None  # not the table dataprep wrote
    return parquet, layout


def iter_parquet(source: Any, batch_size: int = 1000, label: str = "") -> Iterator[dict[str, Any]]:
    """The records of a Parquet file (a path or an open file), batch by batch (exact when dataprep wrote it);
    unreadable: InputError naming `label` (default: the path)."""
    parquet, layout = open_parquet(source, label)
    done = 0
    for batch in parquet.iter_batches(batch_size=batch_size):
        rows = batch.to_pylist()
        if layout is None:
            yield from (guess_record(row) for row in rows)
        else:  # the layout's row numbers count from the start of the table
            shifted = ArrowLayout(layout.json_columns, {r - done: p for r, p in layout.nulls.items()})
            yield from decode(rows, shifted)
        done += len(rows)
