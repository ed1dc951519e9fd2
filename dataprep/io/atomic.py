"""Atomic output: write to a temporary file beside the target, then rename it into place.

An interrupted run leaves the old file (or nothing), never a half-written one.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO

from dataprep.errors import OutputError


def check_output_path(
    output: str | os.PathLike[str], inputs: Sequence[str | os.PathLike[str]], force: bool
) -> Path:
    """Refuse an output that is one of the inputs, or that exists when `force` is not given."""
    out = Path(output)
    for src in inputs:
        src_path = Path(src)
        if src_path.exists() and out.exists() and os.path.samefile(src_path, out):
            raise OutputError(f"{out}: refusing to write over the input file {src}")
        if out.resolve() == src_path.resolve():
            raise OutputError(f"{out}: refusing to write over the input file {src}")
    if out.exists() and not force:
        raise OutputError(f"{out}: already exists (use --force to replace it)")
    if out.exists() and out.is_dir():
        raise OutputError(f"{out}: is a directory")
    return out


@contextlib.contextmanager
def atomic_binary_writer(target: str | os.PathLike[str]) -> Iterator[IO[bytes]]:
    """Yield a binary file that replaces `target` only when the block finishes without an exception."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        # mkstemp creates 0600; give the output the permissions a plain open() would have.
        os.chmod(tmp_name, 0o666 & ~_current_umask())
        os.replace(tmp_name, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
