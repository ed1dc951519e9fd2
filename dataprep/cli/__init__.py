"""The command line. This package is the only place that imports click; it turns Reports into text and
exit codes: 0 no errors, 1 errors found, 2 usage/config/unreadable input or unwritable output, 130 interrupted
(Ctrl-C), 143 terminated (SIGTERM). No exception reaches the user as a traceback: an unexpected one is reported
in one line (DATAPREP_TRACEBACK=1 shows it in full, for a bug report).
"""

from __future__ import annotations

import atexit
import contextlib
import errno
import gc
import os
import signal
import sys
import threading
import traceback
from collections.abc import Iterator, Sequence
from typing import Any, NoReturn

from dataprep.errors import DataprepError

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERRUPTED, EXIT_TERMINATED = 0, 1, 2, 130, 143


_WRITE_ERRNOS = (errno.ENOSPC, errno.EPIPE, errno.EFBIG, errno.EDQUOT, errno.EIO)


class Terminated(BaseException):
    """SIGTERM, raised like KeyboardInterrupt so every `with` block removes its temporary files on the way out."""


def __getattr__(name: str) -> Any:
    """`cli` (the click group) and its pieces, loaded from dataprep.cli.group on first use: the plain
    `dataprep validate FILE...` runs without click."""
    if name in ("cli", "LazyGroup", "COMMANDS"):
        from dataprep.cli import group

        return getattr(group, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI in-process and return its exit code (tests call this directly)."""
    args = list(sys.argv[1:] if argv is None else argv)
    with _sigterm_raises():
        code = _run(args)
    return _flush_stdout(code)


def run() -> NoReturn:
    """The console entry point (`dataprep`, `python -m dataprep`): main(), then a quick exit."""
    exit_quickly(main())


def exit_quickly(code: int) -> NoReturn:
    """Exit with `code` without tearing the interpreter down.

    Freeing what a run built costs CPU and does nothing for the user: the o200k_base tokenizer's tables alone
    (200,000 tokens in Rust hash maps and a Python dict) take about 0.1 s to free, a quarter of a pre-commit
    run on a small file. Exit functions still run (atexit: coverage, multiprocessing, Ray) and the standard
    streams are flushed; only the freeing of objects and modules is skipped. While another thread still runs,
    this is a normal exit, which waits for it.
    """
    if threading.active_count() > 1:
        sys.exit(code)
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(code)


def _run(args: list[str]) -> int:
    try:
        # The validation stack's modules (every command but help uses them), loaded once per process.
        loading = "dataprep.cli.validate_run" not in sys.modules
        with _collector_paused() if loading else contextlib.nullcontext():
            from dataprep.cli.validate_run import plain_params, validate_and_print

        params = plain_params(args)
        if params is not None:  # `validate [--quiet] -- FILE...` and the like: nothing for click to parse
            return validate_and_print(**params)
        from dataprep.cli.group import cli

        result = cli.main(args=args, prog_name="dataprep", standalone_mode=False)
    except KeyboardInterrupt:
        _say("dataprep: interrupted")
        return EXIT_INTERRUPTED
    except Terminated:
        _say("dataprep: terminated")
        return EXIT_TERMINATED
    except DataprepError as exc:
        _say(f"dataprep: error: {exc}")
        return EXIT_USAGE
    except OSError as exc:  # the last net: a file problem no layer below named more precisely
        if exc.filename:
            _say(f"dataprep: error: {exc.filename}: {exc.strerror or exc}")
        elif exc.errno in _WRITE_ERRNOS:  # outputs and inputs raise named errors: unnamed, it is stdout
            _say(f"dataprep: error: cannot write to standard output: {exc.strerror or exc}")
        else:
            _say(f"dataprep: error: {exc.strerror or exc}")
        return EXIT_USAGE
    except (RecursionError, MemoryError) as exc:
        what = (
            "nested too deeply" if isinstance(exc, RecursionError) else "too large for the memory available"
        )
        _say(f"dataprep: error: the input is {what} to process")
        return EXIT_USAGE
    except Exception as exc:
        code = _click_exit(exc)
        if code is not None:
            return code
        # a bug: one line, never a traceback, unless asked for
        if os.environ.get("DATAPREP_TRACEBACK"):
            traceback.print_exc()
        _say(f"dataprep: internal error: {type(exc).__name__}: {exc} (please report it)")
        return EXIT_USAGE
    return int(result) if isinstance(result, int) else EXIT_OK


def _click_exit(exc: Exception) -> int | None:
    """The exit code of a click exception (shown as click shows it), None for any other exception. None
    exists before click is loaded, which the plain `validate FILE...` never does."""
    click = sys.modules.get("click")
    if click is None:
        return None
    if isinstance(exc, click.exceptions.Abort):
        _say("dataprep: interrupted")
        return EXIT_INTERRUPTED
    if isinstance(exc, click.exceptions.Exit):
        return int(exc.exit_code)
    if isinstance(exc, click.ClickException):
        exc.show()
        return EXIT_USAGE
    return None


def _say(message: str) -> None:
    import click  # as every message was written before the plain `validate FILE...` loaded no click

    with contextlib.suppress(OSError):
        click.echo(message, err=True)


def _flush_stdout(code: int) -> int:
    """Flush stdout now, so a full device or a closed pipe is an error message, not a traceback at exit."""
    try:
        sys.stdout.flush()
    except OSError as exc:
        # Point stdout at nothing: the interpreter's own flush at exit would fail the same way.
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        _say(f"dataprep: error: cannot write to standard output: {exc.strerror or exc}")
        return max(code, EXIT_USAGE)
    return code


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while modules load, and none of their objects examined again after.

    Loading creates tens of thousands of objects (functions, classes, dicts) that live until exit and hold
    no garbage: the collector ran about 40 times over them during a pre-commit run's imports, chasing
    pointers through memory for nothing. Frozen (gc.freeze), they are left out of every later collection;
    what the run itself allocates is collected as usual. Once per process: whatever exists when it runs is
    frozen with them (in a long-lived caller, its garbage cycles of that moment stay).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()


@contextlib.contextmanager
def _sigterm_raises() -> Iterator[None]:
    """While the command runs, SIGTERM unwinds like Ctrl-C (temporary files removed), then exits 143."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: object) -> None:
        raise Terminated()

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
