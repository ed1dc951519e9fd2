"""Inputs named by URI (`s3://bucket/train.jsonl`, `gs://...`, `hdfs://...`, `file:///...`), read through the
file systems of pyarrow (`pyarrow.fs.FileSystem.from_uri`) with the credentials the user has configured for
them (environment, instance role, ~/.aws, ...). dataprep holds no credentials and never asks for any.

Reading is random access (a shard starts anywhere), so the same URI can be read whole by the local executor
or shard by shard by Ray tasks on other nodes.
"""

from __future__ import annotations

import fnmatch
import io
import re
from typing import Any, BinaryIO

from dataprep.errors import InputError

_URI = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]+://")
_GLOB_CHARS = frozenset("*?[")


def is_uri(text: str) -> bool:
    """A URI with a scheme (`s3://...`); a Windows drive (`C:\\...`) or a plain path is not one."""
    return bool(_URI.match(text))


def _filesystem(uri: str) -> tuple[Any, str]:
    from dataprep.io.extras import require

    require(["parquet"])  # pyarrow: dataprep[convert]
    import pyarrow as pa
    import pyarrow.fs as pafs

    try:
        fs, path = pafs.FileSystem.from_uri(uri)
    except (pa.ArrowException, ValueError, OSError) as exc:
        raise InputError(f"{uri}: cannot be opened through pyarrow's file systems ({exc})") from None
    return fs, str(path)


def uri_size(uri: str) -> int:
    import pyarrow.fs as pafs

    fs, path = _filesystem(uri)
    try:
        info = fs.get_file_info(path)
    except OSError as exc:
        raise InputError(f"{uri}: cannot be read ({exc})") from None
    if info.type == pafs.FileType.NotFound:
        raise InputError(f"{uri}: no such file")
    if info.type == pafs.FileType.Directory:
        raise InputError(f"{uri}: is a directory, not a file")
    return int(info.size)


class _Raw(io.RawIOBase):
    """A pyarrow NativeFile as a raw stream, so io.BufferedReader adds readline (NativeFile has none)."""

    def __init__(self, native: Any, name: str) -> None:
        self._native = native
        self.name = name

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._native.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def seek(self, offset: int, whence: int = 0) -> int:
        return int(self._native.seek(offset, whence))

    def tell(self) -> int:
        return int(self._native.tell())

    def close(self) -> None:
        self._native.close()
        super().close()


def open_uri(uri: str) -> BinaryIO:
    """The object at `uri`, opened for random-access reading; every failure is one InputError."""
    uri_size(uri)  # the clear error for a missing object or a directory
    fs, path = _filesystem(uri)
    try:
        native = fs.open_input_file(path)
    except OSError as exc:
        raise InputError(f"{uri}: cannot be read ({exc})") from None
    return io.BufferedReader(_Raw(native, uri), buffer_size=1 << 20)


def expand_uri(uri: str, suffixes: tuple[str, ...]) -> list[str]:
    """A URI as itself, a directory URI as its files of `suffixes`, a glob (in the last part) as its
    matches; sorted."""
    import pyarrow.fs as pafs

    scheme_end = uri.index("://") + 3
    pattern = uri[scheme_end:]
    is_glob = bool(_GLOB_CHARS & set(pattern))
    base_uri = uri if not is_glob else uri[: scheme_end + pattern.rfind("/")] if "/" in pattern else uri
    fs, base = _filesystem(base_uri)
    info = fs.get_file_info(base)
    if not is_glob and info.type != pafs.FileType.Directory:
        return [uri]
    if info.type != pafs.FileType.Directory:
        raise InputError(f"{uri}: no file matches this pattern")
    prefix = base_uri.rstrip("/")
    found = []
    for entry in fs.get_file_info(pafs.FileSelector(base)):
        if entry.type != pafs.FileType.File:
            continue
        name = entry.base_name
        if (is_glob and fnmatch.fnmatchcase(name, pattern.rsplit("/", 1)[-1])) or (
            not is_glob and name.lower().endswith(suffixes)
        ):
            found.append(f"{prefix}/{name}")
    if not found:
        what = (
            "no file matches this pattern"
            if is_glob
            else f"is a directory with no {' or '.join(suffixes)} files"
        )
        raise InputError(f"{uri}: {what}")
    return sorted(found)
