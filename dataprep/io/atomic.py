"""Atomic output: write to a temporary file beside the target, then rename it into place.

- One file: an interrupted run leaves the old file (or nothing), never a half-written one.
- A group of files that belong together (a train/validation pair): `atomic_group_writer` writes every member in
  full, records the renames in a journal, removes the old members other than the first, then renames: at no
  moment does a new member sit beside an old one (a kill leaves the old set, a subset of it, or part of the new
  set, never a mix). The next run over the same outputs finishes the journal (`recover_outputs`).
- Claims: `claim_outputs` takes a lock beside each output for the length of a run, so two runs writing the same
  output cannot both succeed; without `force` the final rename never replaces a file that appeared meanwhile.

Temporary names carry the writer's process id, so leftovers of a killed run are recognised and removed.
"""

from __future__ import annotations

import contextlib
import contextvars
import errno
import io
import os
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO

import orjson

from dataprep.errors import OutputError

_TMP_SUFFIX = ".tmp"
_JOURNAL_SUFFIX = ".dp-commit"
_LOCK_SUFFIX = ".dp-lock"
# Outputs claimed without --force: their final rename must not replace a file (see `claim_outputs`).
_NO_CLOBBER: contextvars.ContextVar[frozenset[str]] = contextvars.ContextVar(
    "no_clobber", default=frozenset()
)


def check_output_path(
    output: str | os.PathLike[str], inputs: Sequence[str | os.PathLike[str]], force: bool
) -> Path:
    """Refuse an output that is one of the inputs (data, mapping, config: even with `force`), or that exists
    when `force` is not given."""
    out = Path(output)
    for src in inputs:
        src_path = Path(src)
        if src_path.exists() and out.exists() and os.path.samefile(src_path, out):
            raise OutputError(f"{out}: refusing to write over the input file {src}")
        if out.resolve() == src_path.resolve():
            raise OutputError(f"{out}: refusing to write over the input file {src}")
    if out.exists() and out.is_dir():
        raise OutputError(f"{out}: is a directory")
    if out.exists() and not force:
        raise OutputError(f"{out}: already exists (use --force to replace it)")
    return out


def describe_os_error(exc: OSError) -> str:
    """The reason of an OS error in words ("No space left on device"), without the errno noise."""
    if exc.errno == errno.EFBIG:
        return "file too large for the file system or the size limit (EFBIG)"
    return exc.strerror or str(exc)


def output_error(target: Path, exc: OSError) -> OutputError:
    blocker = _file_in_the_way(target)
    if isinstance(exc, (FileExistsError, NotADirectoryError)) and blocker is not None:
        return OutputError(f"{target}: cannot write: {blocker} is a file, not a folder")
    return OutputError(f"{target}: cannot write: {describe_os_error(exc)}")


class _GuardedFile(io.FileIO):
    """A file whose write failures (full disk, size limit) name the output instead of a bare errno."""

    target: Path

    def write(self, data: bytes) -> int:  # type: ignore[override]
        try:
            return super().write(data)
        except OSError as exc:
            raise output_error(self.target, exc) from None


def _temp_file(target: Path) -> tuple[IO[bytes], str]:
    """A new temporary file beside `target` (same file system, so the rename is atomic), opened for writing."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(
            prefix=f".{target.name}.dp{os.getpid()}-", suffix=_TMP_SUFFIX, dir=target.parent
        )
    except OSError as exc:
        raise output_error(target, exc) from None
    raw = _GuardedFile(fd, "wb", closefd=True)
    raw.target = target
    return io.BufferedWriter(raw, buffer_size=1 << 16), name  # type: ignore[type-var]


def _file_in_the_way(target: Path) -> Path | None:
    """The folder above `target` that exists as something other than a folder, if one does."""
    for parent in reversed(target.parents):
        if parent.exists() and not parent.is_dir():
            return parent
    return None


def _finish(handle: IO[bytes], tmp_name: str, target: Path) -> None:
    """Flush and sync a temporary file and give it the permissions a plain open() would have."""
    try:
        handle.flush()
        os.fsync(handle.fileno())
        handle.close()
        # mkstemp creates 0600; give the output the permissions a plain open() would have.
        os.chmod(tmp_name, 0o666 & ~_current_umask())
    except OSError as exc:
        raise output_error(target, exc) from None


def _discard(handle: IO[bytes], tmp_name: str) -> None:
    with contextlib.suppress(OSError, OutputError):
        handle.close()
    with contextlib.suppress(OSError):
        os.unlink(tmp_name)


def _commit(tmp_name: str, target: Path) -> None:
    """Rename a finished temporary file into place; a no-clobber claim links instead, so an existing file stays."""
    try:
        if str(target.absolute()) in _NO_CLOBBER.get():
            try:
                os.link(tmp_name, target)
            except FileExistsError:
                raise OutputError(f"{target}: appeared while this run was writing it; not replaced") from None
            os.unlink(tmp_name)
        else:
            os.replace(tmp_name, target)
    except OSError as exc:
        raise output_error(target, exc) from None


@contextlib.contextmanager
def atomic_binary_writer(target: str | os.PathLike[str]) -> Iterator[IO[bytes]]:
    """Yield a binary file that replaces `target` only when the block finishes without an exception.

    Write failures raise OutputError naming `target`; the temporary file is removed on any failure.
    """
    path = Path(target)
    handle, tmp_name = _temp_file(path)
    try:
        yield handle
        _finish(handle, tmp_name, path)
        _commit(tmp_name, path)
    except BaseException:
        _discard(handle, tmp_name)
        raise


@contextlib.contextmanager
def atomic_group_writer(targets: Sequence[str | os.PathLike[str]]) -> Iterator[list[IO[bytes]]]:
    """Yield one binary file per target; they are committed together (see the module docstring) when the block
    finishes without an exception. `targets[0]` is the file whose old version may be kept alone for a moment
    (the train file of a split: old train without validation leaks nothing)."""
    paths = [Path(t) for t in targets]
    opened: list[tuple[IO[bytes], str]] = []
    try:
        for path in paths:
            opened.append(_temp_file(path))
        yield [handle for handle, _ in opened]
        for (handle, name), path in zip(opened, paths, strict=True):
            _finish(handle, name, path)
    except BaseException:
        for handle, name in opened:
            _discard(handle, name)
        raise
    moves = [(name, path) for (_, name), path in zip(opened, paths, strict=True)]
    journal = _journal_path(paths[0])
    try:
        _write_journal(journal, moves)
    except BaseException:
        for _, name in opened:
            with contextlib.suppress(OSError):
                os.unlink(name)
        raise
    _apply(moves)
    with contextlib.suppress(FileNotFoundError):
        os.unlink(journal)


def _journal_path(first: Path) -> Path:
    return first.with_name(f".{first.name}{_JOURNAL_SUFFIX}")


def _write_journal(journal: Path, moves: Sequence[tuple[str, Path]]) -> None:
    entry = {"pid": os.getpid(), "moves": [[name, str(path.absolute())] for name, path in moves]}
    try:
        with journal.open("wb") as handle:
            handle.write(orjson.dumps(entry))
            handle.flush()
            os.fsync(handle.fileno())
        _sync_dir(journal.parent)
    except OSError as exc:
        with contextlib.suppress(OSError):
            journal.unlink()
        raise output_error(journal, exc) from None


def _apply(moves: Sequence[tuple[str, Path]]) -> None:
    """Remove the old members after the first, then rename the first, then the others (all temps are durable
    and journalled, so a kill anywhere here is finished by the next run)."""
    for name, path in moves[1:]:
        if os.path.exists(name):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)
    for name, path in moves:
        if os.path.exists(name):
            _commit(name, path)
    for parent in {path.parent for _, path in moves}:
        _sync_dir(parent)


def _sync_dir(path: Path) -> None:
    # Make the renames themselves durable; not every platform or file system allows opening a directory.
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def recover_outputs(targets: Sequence[str | os.PathLike[str]]) -> list[str]:
    """Finish a group commit a killed run left half done, and remove temporary files of dead runs beside the
    targets. Returns what was done, one line each (the CLI may print it)."""
    done: list[str] = []
    paths = [Path(t) for t in targets]
    if paths:
        journal = _journal_path(paths[0])
        if journal.exists():
            done += _replay(journal)
    for path in paths:
        done += _clean_stale(path)
    return done


def _replay(journal: Path) -> list[str]:
    try:
        entry = orjson.loads(journal.read_bytes())
        pid = int(entry["pid"])
        moves = [(str(name), Path(target)) for name, target in entry["moves"]]
    except (OSError, ValueError, KeyError, TypeError):
        with contextlib.suppress(OSError):
            journal.unlink()
        return [f"{journal}: removed an unreadable commit journal"]
    if pid != os.getpid() and _alive(pid):
        raise OutputError(f"{journal}: another dataprep run (process {pid}) is committing these outputs")
    _apply(moves)
    journal.unlink()
    return [f"finished the interrupted commit of {', '.join(str(p) for _, p in moves)}"]


def _clean_stale(target: Path) -> list[str]:
    prefix = f".{target.name}.dp"
    removed = []
    try:
        names = os.listdir(target.parent)
    except OSError:
        return []
    for name in names:
        if not (name.startswith(prefix) and name.endswith(_TMP_SUFFIX)):
            continue
        pid_text = name[len(prefix) :].split("-", 1)[0]
        if pid_text.isdigit() and int(pid_text) != os.getpid() and not _alive(int(pid_text)):
            with contextlib.suppress(OSError):
                os.unlink(target.parent / name)
                removed.append(f"removed {target.parent / name}, left by an interrupted run")
    return removed


def remove_stale_dirs(parent: Path, prefix: str) -> None:
    """Remove `<prefix><pid>-*` staging directories in `parent` whose process is gone (killed runs)."""
    import shutil

    try:
        names = os.listdir(parent)
    except OSError:
        return
    for name in names:
        pid_text = name[len(prefix) :].split("-", 1)[0] if name.startswith(prefix) else ""
        if pid_text.isdigit() and int(pid_text) != os.getpid() and not _alive(int(pid_text)):
            shutil.rmtree(parent / name, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    return True


@contextlib.contextmanager
def claim_outputs(targets: Sequence[str | os.PathLike[str]], force: bool) -> Iterator[list[str]]:
    """Hold a lock beside each target for the block: a second run writing one of them fails with OutputError.
    First finishes or cleans what a killed run left beside them; yields those notes (`recover_outputs`).

    Without `force`, a target that exists once the locks are held is refused, and the final renames inside the
    block never replace a file (they link instead), so two runs cannot both believe they wrote it.
    """
    paths = sorted({Path(t).absolute() for t in targets})
    with contextlib.ExitStack() as stack:
        for path in paths:
            stack.enter_context(_lock(path))
        notes: list[str] = []
        for path in paths:  # finish or clean what a killed run left beside these outputs
            notes += recover_outputs([path])
        if not force:
            for path in paths:
                if path.exists():
                    raise OutputError(f"{path}: already exists (use --force to replace it)")
        token = _NO_CLOBBER.set(_NO_CLOBBER.get() | ({str(p) for p in paths} if not force else set()))
        try:
            yield notes
        finally:
            _NO_CLOBBER.reset(token)


@contextlib.contextmanager
def _lock(target: Path) -> Iterator[None]:
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: no lock, the other guarantees still hold
        yield
        return
    lock_path = target.with_name(f".{target.name}{_LOCK_SUFFIX}")
    while True:
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise output_error(target, exc) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise OutputError(
                f"{target}: another dataprep run is writing this output right now (lock {lock_path}); "
                "wait for it to finish or choose another output"
            ) from None
        # The holder before us may have removed the lock file after we opened it: lock the file at the path.
        try:
            same = os.path.samestat(os.fstat(fd), os.stat(lock_path))
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)
    try:
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        yield
    finally:
        with contextlib.suppress(OSError):
            os.unlink(lock_path)
        os.close(fd)


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
