"""Leak-proof train/validation splits decided by a stable hash.

Each example has a key: by default its canonical content (the JSON value with sorted keys), or the value of a
group column (a conversation or source id). The key is hashed with the seed (BLAKE2b, 64 bits), so:

- the same input and seed always give the same split, on any machine;
- exact duplicates and all examples of one group share a key, hence a side: nothing leaks by construction;
- with a fraction (`0.1`), a key goes to validation when its hash is below `fraction * 2**64`: a key's side never
  depends on the other rows, so adding rows never moves existing rows;
- with a count (`200`), validation takes the keys with the smallest hashes until it holds `count` examples:
  adding rows can only move an example from validation to train (a new key with a smaller hash), never the
  other way, so a model trained on an earlier train file has still never seen the new validation file;
- with `stratify`, each class is split on its own: its keys in hash order go to validation while that brings the
  class's count closer to its target (fraction x class size, or its share of the count), which keeps every class
  within one example of its target when keys are single examples. The order is fixed by the hash, so results
  are stable; adding rows can move the few keys at a class's boundary.

Keys are not split alone: rows that `dataprep validate` would report across the two files are one unit
(`dataprep.dedup.clusters`): examples equal after normalisation (DP405) and examples the validator confirms
as near-duplicates (DP406), with its digests, LSH candidates and threshold. A unit's hash is its key's hash
when all its rows share one key, else a mix of its smallest key hash. So the rules above hold per unit, and
adding rows moves existing rows only when a new row joins their unit (a copy or near-duplicate of one of
them, directly or through a chain of them), which can move the whole unit.
"""

from __future__ import annotations

import hashlib
import math
import os
import sys
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from dataprep.dedup.canonical import canonical_json
from dataprep.dedup.params import NearDupParams
from dataprep.errors import InputError, UsageError
from dataprep.io.atomic import atomic_group_writer, check_output_path, claim_outputs
from dataprep.io.jsonl import FileFacts, Shard, iter_blocks, open_input

ValidationSize = float | int
_SCALE = 1 << 64
_FEW = 10


def parse_validation_size(value: str | float | int) -> ValidationSize:
    """`0.1` -> a fraction of the examples, `200` -> a number of examples."""
    text = str(value).strip()
    try:
        number = float(text)
    except ValueError:
        raise UsageError(
            f"--validation-size: expected a fraction like 0.1 or a count like 200, got {value!r}"
        ) from None
    if not math.isfinite(number):
        raise UsageError(
            f"--validation-size: expected a fraction like 0.1 or a count like 200, got {value!r}"
        )
    if 0 < number < 1:
        return number
    if number >= 1 and number == int(number) and "." not in text:
        return int(number)
    raise UsageError(
        f"--validation-size: {value!r} is neither a fraction between 0 and 1 nor a whole count >= 1"
    )


def content_key(record: Any) -> bytes:
    """The canonical content of a record (the duplicate checks' own canonical form): exact duplicates,
    whatever their key order, give the same bytes and so land on the same side."""
    return b"c" + canonical_json(record)


def group_key(value: Any) -> bytes:
    return b"g" + canonical_json(value)


def key_hash(key: bytes, seed: int) -> int:
    digest = hashlib.blake2b(key, digest_size=8, key=str(seed).encode()).digest()
    return int.from_bytes(digest, "big")


def stratum_of(value: Any) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()


class SplitPlanner:
    """Decide sides in two passes: `add` every example's (hash, stratum), `finish`, then ask `is_validation`.

    A plain fraction needs no memory at all; a count or stratification keeps one small entry per key.
    """

    def __init__(self, size: ValidationSize, stratified: bool = False) -> None:
        self.size = size
        self.stratified = stratified
        self.total = 0
        self._units: dict[int, list[Any]] = {}  # hash -> [stratum, examples]
        self._cutoffs: dict[str | None, int] = {}
        self._streaming = isinstance(size, float) and not stratified

    def add(self, h: int, stratum: str | None = None) -> None:
        self.total += 1
        if self._streaming:
            return
        unit = self._units.get(h)
        if unit is None:
            self._units[h] = [stratum, 1]
        else:
            unit[1] += 1

    def finish(self) -> None:
        if self._streaming:
            return
        if isinstance(self.size, int) and self.size >= self.total:
            raise UsageError(f"--validation-size {self.size} is not smaller than the {self.total} examples")
        by_stratum: dict[str | None, list[tuple[int, int]]] = {}
        for h, (stratum, count) in self._units.items():
            by_stratum.setdefault(stratum if self.stratified else None, []).append((h, count))
        for stratum, units in by_stratum.items():
            class_size = sum(count for _, count in units)
            if isinstance(self.size, float):
                target = self.size * class_size
            else:
                target = self.size * class_size / self.total
            self._cutoffs[stratum] = _cutoff(sorted(units), target)

    def knows(self, h: int) -> bool:
        """Whether `h` was added (always true for a plain fraction, which keeps nothing)."""
        return self._streaming or h in self._units

    def is_validation(self, h: int) -> bool:
        if self._streaming:
            return h < self.size * _SCALE
        unit = self._units[h]
        cutoff = self._cutoffs.get(unit[0] if self.stratified else None, -1)
        return h <= cutoff


class SideAssigner:
    """Rows in file order (`add`: key hash, record, stratum), then `finish`, then `is_validation(row)`.

    Rows are grouped into units by `SplitClusters` (copies and near-duplicates stay together) and the units
    are placed by `SplitPlanner`. About 20 bytes per row plus a 256-byte signature per row with text.
    """

    def __init__(
        self,
        size: ValidationSize,
        *,
        stratified: bool = False,
        near: bool = True,
        params: NearDupParams | None = None,
    ) -> None:
        from dataprep.dedup.clusters import SplitClusters  # numpy is needed from here on

        self.planner = SplitPlanner(size, stratified)
        self.clusters = SplitClusters(params, near=near)
        self._strata: dict[str | None, int] = {}
        self._stratum_of = array("I")
        self._unit = array("Q")

    def add(self, h: int, record: Any | None, stratum: str | None = None) -> None:
        self.clusters.add(h, record)
        if self.planner.stratified:
            self._stratum_of.append(self._strata.setdefault(stratum, len(self._strata)))

    def finish(self) -> None:
        units = self.clusters.hashes()
        self._unit = array("Q", units.tobytes())
        names = list(self._strata)
        for row, unit in enumerate(units.tolist()):
            self.planner.add(unit, names[self._stratum_of[row]] if self.planner.stratified else None)
        self.planner.finish()

    def is_validation(self, row: int) -> bool:
        return self.planner.is_validation(self._unit[row])

    def warnings(self) -> list[str]:
        """What the user should know about units that bind many rows together."""
        total = self.planner.total
        largest = self.clusters.largest
        if total and largest > 1 and largest * 20 >= total:
            return [
                f"{largest} of {total} examples are copies or near-duplicates of each other (one unit, one "
                "side): the validation share can be far from the size asked for"
            ]
        return []


def _cutoff(units: list[tuple[int, int]], target: float) -> int:
    """The largest hash taken: keys in hash order while each brings the count closer to the target."""
    taken = 0
    cutoff = -1
    for h, count in units:
        if abs(taken + count - target) >= abs(taken - target):
            break
        taken += count
        cutoff = h
    return cutoff


@dataclass(slots=True)
class SplitSummary:
    """Sizes and paths of a split, with the warnings the user should see."""

    train_path: str
    validation_path: str
    train: int
    validation: int
    key: str
    seed: int
    size: ValidationSize
    blank_lines: int = 0
    unparsed_lines: int = 0
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "train": {"path": self.train_path, "examples": self.train},
            "validation": {"path": self.validation_path, "examples": self.validation},
            "key": self.key,
            "seed": self.seed,
            "validation_size": self.size,
            "blank_lines": self.blank_lines,
            "unparsed_lines": self.unparsed_lines,
            "warnings": list(self.warnings),
        }

    def format_text(self) -> list[str]:
        total = self.train + self.validation
        share = f" ({self.validation / total:.1%})" if total else ""
        return [
            f"split (seed {self.seed}, key: {self.key}): train {self.train} -> {self.train_path}, "
            f"validation {self.validation}{share} -> {self.validation_path}",
            *(f"warning: {w}" for w in self.warnings),
        ]


def size_warnings(train: int, validation: int) -> list[str]:
    total = train + validation
    out = []
    if validation < _FEW:
        out.append(f"the validation side has {validation} examples: fewer than {_FEW} measure little")
    if validation * 2 > total:
        out.append(f"the validation side holds {validation} of {total} examples, more than half")
    return out


def near_params(threshold: float | None = None) -> NearDupParams:
    """The near-duplicate parameters `dataprep validate` would use: `threshold`, else the project's
    `near_duplicate_threshold`, else the default."""
    if threshold is None:
        from dataprep.config import load_config

        threshold = load_config().near_duplicate_threshold
    return NearDupParams() if threshold is None else NearDupParams(threshold=threshold)


def split_paths(output: str | os.PathLike[str], suffix: str | None = None) -> tuple[Path, Path]:
    """`data/x.jsonl` -> `data/x.train.jsonl`, `data/x.validation.jsonl`."""
    path = Path(output)
    ext = path.suffix if suffix is None else suffix
    stem = path.name[: -len(ext)] if ext and path.name.endswith(ext) else path.name
    return path.with_name(f"{stem}.train{ext}"), path.with_name(f"{stem}.validation{ext}")


# -- splitting an existing JSONL file -----------------------------------------------------------------------


@dataclass(slots=True)
class _Line:
    data: bytes
    h: int
    stratum: str | None
    parsed: bool
    keyed: bool
    record: Any


def _lines(
    path: Path, seed: int, group: str | None, stratify: str | None, read: list[int], limit: int | None = None
) -> Iterator[_Line | None]:
    """Each line of a JSONL file with its hash; None for a blank line. `read[0]` is set to the bytes read; with
    `limit`, reading stops there (the second pass reads exactly what the first one saw, however the file grows)."""
    facts = FileFacts()
    with open_input(path) as handle:
        # The one JSONL reader (BOM, CRLF and read errors handled there); no line is too long to be split.
        shard = None if limit is None else Shard(0, limit, 1)
        for block in iter_blocks(handle, facts, sys.maxsize, shard=shard):
            for raw in block.lines():
                yield _line(raw.data, seed, group, stratify)
    read[0] = facts.size_bytes


def _line(data: bytes, seed: int, group: str | None, stratify: str | None) -> _Line | None:
    """One line's hash, stratum and record; None for a blank line."""
    if not data.strip():
        return None
    try:
        record = orjson.loads(data)
    except orjson.JSONDecodeError:
        record = None
    key: bytes | None = None
    stratum = None
    try:
        if isinstance(record, dict):
            if group is not None and record.get(group) not in (None, ""):
                key = group_key(record[group])
            if stratify is not None:
                stratum = stratum_of(record.get(stratify))
    except (RecursionError, TypeError, ValueError):  # nested too deeply for the canonical form
        record, key, stratum = None, None, None
    parsed = isinstance(record, dict)
    keyed = key is not None
    if key is None and parsed:
        try:
            key = content_key(record)
        except (RecursionError, TypeError, ValueError):
            parsed = False
    if key is None:
        key = b"r" + data  # split by its raw bytes, like a line that is not JSON
    return _Line(data, key_hash(key, seed), stratum, parsed, keyed, record if parsed else None)


def split(
    path: str | os.PathLike[str],
    *,
    validation_size: str | float | int = 0.1,
    seed: int = 0,
    group: str | None = None,
    stratify: str | None = None,
    train_output: str | os.PathLike[str] | None = None,
    validation_output: str | os.PathLike[str] | None = None,
    force: bool = False,
    near_duplicates: bool = True,
    threshold: float | None = None,
) -> SplitSummary:
    """Split a JSONL file into `<name>.train.jsonl` and `<name>.validation.jsonl`. Lines are copied byte for byte
    (line endings become `\\n`); blank lines are dropped and counted; lines that are not JSON objects are kept
    and split by their raw bytes.

    Copies after normalisation and near-duplicates (at `threshold`; default: `near_duplicate_threshold` of the
    project configuration, as `dataprep validate` reads it, else 0.5) go to one side, so `dataprep validate`
    of the two outputs finds no leak (DP405/DP406); `near_duplicates=False` keeps only copies together."""
    source = Path(path)
    if not source.is_file():
        raise InputError(f"{source}: no such file" if not source.exists() else f"{source}: is not a file")
    size = parse_validation_size(validation_size)
    default_train, default_validation = split_paths(source)
    train_path = check_output_path(train_output or default_train, [source], True)
    validation_path = check_output_path(validation_output or default_validation, [source], True)
    if train_path.resolve() == validation_path.resolve():
        raise UsageError(f"{train_path}: the train and validation outputs must differ")
    with claim_outputs([train_path, validation_path], force) as notes:
        counts, blank, unparsed, missing_group, grown, assigned = _split_into(
            source, size, seed, group, stratify, train_path, validation_path, near_duplicates, threshold
        )
    summary = SplitSummary(
        str(train_path),
        str(validation_path),
        counts[0],
        counts[1],
        key=f"group {group!r}" if group else "content",
        seed=seed,
        size=size,
        blank_lines=blank,
        unparsed_lines=unparsed,
    )
    summary.warnings += notes
    summary.warnings += size_warnings(counts[0], counts[1]) + assigned
    if grown:
        summary.warnings.append(
            f"{source} grew by {grown} bytes while it was being split: only what the first pass read was split"
        )
    if missing_group:
        summary.warnings.append(
            f"{source}: {missing_group} records have no {group!r} value: they are keyed by their content"
        )
    if unparsed:
        summary.warnings.append(
            f"{source}: {unparsed} lines are not JSON objects: they are split by their raw bytes"
        )
    return summary


def _split_into(
    source: Path,
    size: ValidationSize,
    seed: int,
    group: str | None,
    stratify: str | None,
    train_path: Path,
    validation_path: Path,
    near_duplicates: bool,
    threshold: float | None,
) -> tuple[list[int], int, int, int, int, list[str]]:
    """Both passes: plan, then write the pair as one unit.

    Returns (counts, blank, unparsed, keyless, bytes grown, the side assigner's warnings)."""
    planner = SideAssigner(
        size, stratified=stratify is not None, near=near_duplicates, params=near_params(threshold)
    )
    blank = unparsed = missing_group = 0
    read = [0]
    hashes = array("Q")
    for line in _lines(source, seed, group, stratify, read):
        if line is None:
            blank += 1
            continue
        unparsed += not line.parsed
        missing_group += group is not None and not line.keyed
        planner.add(line.h, line.record, line.stratum)
        hashes.append(line.h)
    planner.finish()
    seen = read[0]
    counts = [0, 0]
    row = 0
    with atomic_group_writer([train_path, validation_path]) as outputs:
        for line in _lines(source, seed, group, stratify, [0], limit=seen):
            if line is None:
                continue
            if row >= len(hashes) or hashes[row] != line.h:
                raise InputError(
                    f"{source}: changed while it was being split (a line the first pass did not see); "
                    "split a copy that nothing is writing to"
                )
            side = int(planner.is_validation(row))
            row += 1
            counts[side] += 1
            outputs[side].write(line.data + b"\n")
    try:
        grown = max(0, source.stat().st_size - seen)
    except OSError:
        grown = 0
    return counts, blank, unparsed, missing_group, grown, planner.warnings()
