"""Writing the HTML report: shared by `dataprep report` and `dataprep validate --html`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from dataprep.errors import OutputError

if TYPE_CHECKING:
    from dataprep.config import Config
    from dataprep.report.model import Report


def html_target(target: Path, inputs: list[Path], *, force: bool = False) -> Path:
    """Checked before the run: never an input; an existing file only when it is an earlier dataprep report
    (the page is regenerated run after run) or `force` is given."""
    from dataprep.io.atomic import check_output_path  # tempfile and friends: only when a page is asked for

    out = check_output_path(target, inputs, force=True)
    if out.exists() and not force and not _is_dataprep_report(out):
        raise OutputError(f"{out}: already exists and is not a dataprep report (use --force to replace it)")
    return out


def write_html_report(report: Report, target: Path, config: Config) -> int:
    """Read back the evidence, render and write the page atomically; return its size in bytes."""
    # The renderer and the evidence reader load only when a page is asked for (not in a plain validate).
    from dataprep.io.atomic import atomic_binary_writer
    from dataprep.report.html import render_html
    from dataprep.validation.evidence import gather_evidence

    page = render_html(report, gather_evidence(report, config=config)).encode("utf-8")
    with atomic_binary_writer(target) as handle:
        handle.write(page)
    return len(page)


def _is_dataprep_report(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            head = handle.read(4096)
    except OSError:
        return False
    from dataprep.report.html import GENERATOR

    return GENERATOR.encode() in head
