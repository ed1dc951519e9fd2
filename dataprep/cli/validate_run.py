"""`dataprep validate` below its options: the run and the printed report, for the click command
(dataprep.cli.validate_cmd) and for plain command lines, which are read here without loading click.

A pre-commit hook runs `dataprep validate --quiet -- FILE...` (or `--quiet --ignore=DP4,DP51 --`) on every
commit. Loading click and building the command's 35 options cost about 40 M instructions (valgrind), 2.5% of
such a run on a small file, to parse a command line of files and one or two options. `plain_params` reads
files, `--quiet`, `--select=` and `--ignore=` (what the hooks and a hand-typed `dataprep validate FILE` use);
any other command line goes to click. The values click passes for options not given are written out in
DEFAULTS, which tests/test_cli_plain.py compares with click's own parse of many command lines, and the report is
written as click.echo writes it.
"""

from __future__ import annotations

import codecs
import os
import sys
from pathlib import Path
from typing import Any

from dataprep.cli.color import use_color
from dataprep.cli.html_output import html_target, write_html_report
from dataprep.cli.option_values import comma_list, severity_pairs
from dataprep.cli.progress import progress_for
from dataprep.config import Config, load_config
from dataprep.report.formats import RENDERERS, STREAMED
from dataprep.report.model import Report
from dataprep.validation.run import validate_files

# What click passes `validate` for each option not given (the files aside).
DEFAULTS: dict[str, Any] = {
    "validation": (),
    "model": None,
    "tokenizer_encoding": None,
    "old_encoding": None,
    "max_tokens": None,
    "price_per_1m": None,
    "tokenizer_path": None,
    "chat_template": None,
    "allow_download": None,
    "pinned_date": None,
    "max_seq_length": None,
    "packing": None,
    "epochs": None,
    "kind": None,
    "target_name": None,
    "select": (),
    "ignore": (),
    "severity": (),
    "jobs": None,
    "executor": None,
    "ray_address": None,
    "output_format": "text",
    "quiet": False,
    "exit_zero": False,
    "color": "auto",
    "html": None,
    "config_path": None,
    "method": None,
    "gpu": None,
    "mfu": None,
    "gpu_price": None,
    "parameters": None,
    "peak_tflops": None,
}
# click answers shell completion requests (this variable set) before parsing anything.
_COMPLETION_VARIABLE = "_DATAPREP_COMPLETE"


def plain_params(args: list[str]) -> dict[str, Any] | None:
    """validate's parameters, as click would pass them, for a command line of files and the options the
    pre-commit hooks use (`validate [--quiet|-q] [--select=X] [--ignore=X] [--] FILE...`, options anywhere
    before `--`, every word after it a file); None for any other command line, which click parses."""
    if len(args) < 2 or args[0] != "validate" or _COMPLETION_VARIABLE in os.environ:
        return None
    params = dict(DEFAULTS)
    names: list[str] = []
    words = iter(args[1:])
    for word in words:
        if word == "--":
            names.extend(words)
        elif word in ("--quiet", "-q"):
            params["quiet"] = True
        elif word.startswith(("--select=", "--ignore=")):
            option, _, value = word[2:].partition("=")
            params[option] = (*params[option], value)
        elif word.startswith("-"):
            return None  # any other option, `-` (standard input) included: click reads it
        else:
            names.append(word)
    if not names or not all(names):
        return None
    from dataprep.io.remote import is_uri

    params["files"] = tuple(name if is_uri(name) else Path(name) for name in names)  # as InputPath reads them
    return params


def validate_and_print(
    files: tuple[Path | str, ...],
    *,
    validation: tuple[Path | str, ...],
    output_format: str,
    quiet: bool,
    exit_zero: bool,
    color: str,
    html: Path | None,
    executor: str | None,
    ray_address: str | None,
    **options: Any,
) -> int:
    """Validate `files` (and `validation`) with the command's options and print the report; the exit code."""
    local = [p for p in (*files, *validation) if isinstance(p, Path)]  # a URI cannot be the HTML output
    target = html_target(html, local) if html is not None else None
    report, config = run_validation(
        files,
        validation,
        executor="ray" if ray_address and executor is None else executor,
        ray_address=ray_address,
        **options,
    )
    if target is not None:
        write_html_report(report, target, config)
    if output_format == "text":
        from dataprep.report.text import render_text

        colored = use_color(color, sys.stdout)
        # color=colored stops click from stripping the codes when `--color always` writes to a pipe.
        echo(render_text(report, quiet=quiet, color=colored), color=colored)
    elif output_format in STREAMED:
        for piece in STREAMED[output_format](report):  # never the whole document in memory at once
            echo(piece)
    else:
        echo(RENDERERS[output_format](report))
    return 0 if exit_zero or report.ok else 1


def echo(text: str, color: bool | None = None) -> None:
    """`click.echo(text, nl=False, color=color)`, without loading click where that only writes and flushes:
    a text stream of a non-ASCII encoding, off Windows, and text without an escape code (which click may
    strip). Anything else goes through click.echo itself."""
    stream = sys.stdout
    if "\x1b" in text or sys.platform == "win32" or not _plain_text_stream(stream):
        import click

        click.echo(text, nl=False, color=color)
        return
    stream.write(text)
    stream.flush()


def _plain_text_stream(stream: Any) -> bool:
    """Whether click.echo would write to `stream` as it is: a text stream whose encoding is not ASCII (click
    rewraps an ASCII one to write UTF-8)."""
    encoding = getattr(stream, "encoding", None)
    if not isinstance(encoding, str) or getattr(stream, "errors", None) is None:
        return False
    try:
        return codecs.lookup(encoding).name != "ascii"
    except LookupError:
        return False


def run_validation(
    files: tuple[Path | str, ...],
    validation: tuple[Path | str, ...],
    *,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    severity: tuple[str, ...],
    config_path: Path | None,
    old_encoding: str | None = None,
    **overrides: Any,
) -> tuple[Report, Config]:
    """Validate with a progress bar on a terminal; the Report, and the configuration it ran with (options
    applied). `overrides` are the options that are configuration keys (model, tokenizer_encoding, epochs, jobs,
    the compute options, ...)."""
    if old_encoding is not None:
        import click  # given --encoding, click parsed the command line: it is loaded already

        chosen = overrides.get("tokenizer_encoding")
        if chosen is not None and chosen != old_encoding:
            raise click.UsageError("--encoding is the old name of --tokenizer-encoding: give one of them")
        click.echo("dataprep: note: --encoding is now --tokenizer-encoding", err=True)
        overrides["tokenizer_encoding"] = old_encoding
    overrides["target"] = overrides.pop("target_name", None)  # --target (`target` is the HTML output here)
    # the open-weight options' parameter names differ from their configuration keys
    tokenizer_path = overrides.pop("tokenizer_path", None)
    overrides["tokenizer"] = str(tokenizer_path) if tokenizer_path is not None else None
    chat_template = overrides.get("chat_template")
    overrides["chat_template"] = str(chat_template) if chat_template is not None else None
    overrides["date"] = overrides.pop("pinned_date", None)
    config = load_config(config_path)
    progress = progress_for()  # None unless stderr is a terminal
    try:
        report = validate_files(
            list(files),
            list(validation),
            config=config,
            select=comma_list(select),
            ignore=comma_list(ignore),
            severity=severity_pairs(severity),
            progress=progress,
            **overrides,
        )
    finally:
        if progress is not None:
            progress.close()  # wipe the bar before the report is printed
    return report, config.with_overrides("arguments", **overrides)
