"""Inputs given as many shards: a directory or a glob pattern stands for the JSONL and Parquet files in it.

A dataset too big for one file usually comes as shards (`part-00000.jsonl`, ...); `dataprep validate data/` and
`dataprep validate 'data/*.parquet'` check them together, as if each had been named, in sorted order.
"""

from __future__ import annotations

import glob
import os
from pathlib import Path

from dataprep.errors import InputError
from dataprep.io.remote import expand_uri, is_uri

SHARD_SUFFIXES = (".jsonl", ".parquet")
_GLOB_CHARS = frozenset("*?[")


def expand_inputs(
    paths: list[str | os.PathLike[str]], suffixes: tuple[str, ...] = SHARD_SUFFIXES
) -> list[Path | str]:
    """Each path as itself, a directory as its files of `suffixes` (JSONL and Parquet by default), a glob as
    its matches (sorted). URIs (`s3://bucket/dir/`, `gs://.../*.jsonl`) the same way, kept as text."""
    out: list[Path | str] = []
    for given in paths:
        text = str(given)
        if isinstance(given, str) and is_uri(given):
            out.extend(expand_uri(given, suffixes))
            continue
        path = Path(given)
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in suffixes)
            if not found:
                raise InputError(
                    f"{path}: is a directory with no {' or '.join(suffixes)} files to read as shards"
                )
            out.extend(found)
        elif not path.exists() and _GLOB_CHARS & set(text):
            matches = sorted(Path(m) for m in glob.glob(text, recursive=True) if Path(m).is_file())
            if not matches:
                raise InputError(f"{text}: no file matches this pattern")
            out.extend(matches)
        else:
            out.append(path)
    return out


def is_parquet(path: Path | str) -> bool:
    return str(path).lower().endswith((".parquet", ".pq"))
